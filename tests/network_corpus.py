"""The small corpus the network tests count by hand (described in test_network_build.py)."""

CORPUS = """doi,title,year,fields,model,pattern,stages
10.5000/p1,Paper one,2018,Neuroscience; Chemistry,ResNet-50,Adaptation,Test; Analysis
10.5000/p1,Paper one,2018,Neuroscience; Chemistry,BERT,Deployment,Test
10.5000/p2,Paper two,2019,Neuroscience,ResNet-50,Adaptation,Test
10.5000/p2,Paper two,2019,Neuroscience,ResNet-50,Conceptual,Background
10.5000/p2,Paper two,2019,Neuroscience,BERT,Adaptation,Analysis
10.5000/p3,Paper three,2021,Chemistry,AlphaFold,Adaptation,Hypothesis
10.5000/p3,Paper three,2021,Chemistry,BERT,Adaptation,Hypothesis
10.5000/p4,Paper four,2022,Physics and Astronomy,AlphaFold,Deployment,Test
10.5000/p5,Paper five,,,U-Net,Conceptual,Observation
"""

# The fields a synthetic network's nodes are in: every OpenAlex field a real build can show.
FIELDS = (
    "Biochemistry, Genetics and Molecular Biology", "Medicine", "Computer Science",
    "Neuroscience", "Agricultural and Biological Sciences", "Immunology and Microbiology",
    "Chemistry", "Physics and Astronomy", "Environmental Science", "Earth and Planetary Sciences",
    "Engineering", "Veterinary", "Social Sciences", "Psychology", "Mathematics",
    "Materials Science", "Health Professions", "Pharmacology, Toxicology and Pharmaceutics",
    "Energy", "Chemical Engineering",
)  # fmt: skip


def big_network(nodes: int = 5_000, edges: int = 50_000, seed: int = 3):
    """A model-model network the size of a large build: hubs, a long tail, every field.

    Preferential attachment gives the hubs and the many one-link models a real
    paper-model projection has; random extra links bring it to exactly ``edges``.
    A few labels are hostile or carry ``$`` signs, as model names do.
    """
    import random

    import networkx as nx

    links = max(1, edges // nodes)
    graph = nx.barabasi_albert_graph(nodes, links, seed=seed)
    chance = random.Random(seed)
    while graph.number_of_edges() < edges:
        a, b = chance.randrange(nodes), chance.randrange(nodes)
        if a != b:
            graph.add_edge(a, b)
    network = nx.Graph(kind="model-model", via="paper", weighting="shared papers")
    for node in sorted(graph):
        label = f"Model {node:04d}"
        if node == 7:
            label = "$\\alpha$-Net <b>bold</b>"
        papers = 1 + graph.degree(node) // 2
        network.add_node(
            f"https://w3id.org/ptmkg/model/{node}",
            label=label,
            type="model",
            papers=papers,
            main_field=FIELDS[chance.randrange(len(FIELDS))] if node % 13 else "",
        )
    for a, b in graph.edges():
        network.add_edge(
            f"https://w3id.org/ptmkg/model/{a}",
            f"https://w3id.org/ptmkg/model/{b}",
            weight=1 + chance.randrange(3),
        )
    return network


def synthetic_store(folder, papers: int = 20_000):
    """A calibrated synthetic corpus of ``papers`` papers built into a store in ``folder``.

    At 20,000 papers its model-field network has 517 nodes and 2,128 edges, and
    its papers carry 20 of OpenAlex's fields (Veterinary and Social Sciences among them).
    """
    import kg
    from kg.synth import write_corpus

    corpus = folder / "corpus.jsonl"
    write_corpus(corpus, papers=papers)
    store = kg.EmbeddedStore(folder / "store")
    kg.build(store, [corpus], rejects_dir=folder / "rejects")
    store.close()
    return kg.EmbeddedStore(folder / "store")
