"""Networks and their filters, checked against weights counted by hand on a small corpus.

The corpus (network_corpus.CORPUS), one line per paper:

    p1 2018 Neuroscience, Chemistry   ResNet-50 adaptation (test, analysis); BERT deployment (test)
    p2 2019 Neuroscience              ResNet-50 adaptation (test) and conceptual (background);
                                      BERT adaptation (analysis)
    p3 2021 Chemistry                 AlphaFold adaptation (hypothesis); BERT adaptation (hypothesis)
    p4 2022 Physics and Astronomy     AlphaFold deployment (test)
    p5 (no year, no field)            U-Net conceptual (observation)

Every expected number in this file was counted from those five lines.
"""

from __future__ import annotations

import math

import networkx as nx
import pytest
from network_corpus import CORPUS

import kg
from kg.networks.graph import NETWORK_KINDS
from kg.networks.statistics import network_stats

NEURO, CHEM, PHYS = "Neuroscience", "Chemistry", "Physics and Astronomy"
RESNET, BERT, ALPHAFOLD, UNET = "ResNet-50", "BERT", "AlphaFold", "U-Net"


@pytest.fixture
def store(write, build_store):
    return build_store(write("corpus.csv", CORPUS))


def weights(graph: nx.Graph) -> dict[frozenset[str], int]:
    """Edges by the labels of their ends, so expectations read like the corpus."""
    label = nx.get_node_attributes(graph, "label")
    return {frozenset((label[a], label[b])): w for a, b, w in graph.edges(data="weight")}


def labels(graph: nx.Graph) -> set[str]:
    return set(nx.get_node_attributes(graph, "label").values())


def edge(graph: nx.Graph, one: str, other: str) -> dict:
    by_label = {data["label"]: node for node, data in graph.nodes(data=True)}
    return graph.edges[by_label[one], by_label[other]]


def node(graph: nx.Graph, name: str) -> dict:
    return next(data for _n, data in graph.nodes(data=True) if data["label"] == name)


# ------------------------------------------------------------------ kinds


def test_model_field_weights_are_distinct_papers(store):
    graph = kg.network(store, "model-field")
    assert weights(graph) == {
        frozenset((RESNET, NEURO)): 2,  # p1, p2 (p2 reuses ResNet-50 twice: still one paper)
        frozenset((RESNET, CHEM)): 1,  # p1
        frozenset((BERT, NEURO)): 2,  # p1, p2
        frozenset((BERT, CHEM)): 2,  # p1, p3
        frozenset((ALPHAFOLD, CHEM)): 1,  # p3
        frozenset((ALPHAFOLD, PHYS)): 1,  # p4
    }
    # U-Net's only paper has no field, so it is not in a model-field network.
    assert labels(graph) == {RESNET, BERT, ALPHAFOLD, NEURO, CHEM, PHYS}
    assert nx.is_bipartite(graph)


def test_model_field_edges_count_papers_per_pattern_and_stage(store):
    graph = kg.network(store, "model-field")
    resnet_neuro = edge(graph, RESNET, NEURO)
    assert resnet_neuro["pattern_adaptation"] == 2  # p1, p2
    assert resnet_neuro["pattern_conceptual"] == 1  # p2
    assert resnet_neuro["pattern_deployment"] == 0
    assert resnet_neuro["stage_test"] == 2  # p1, p2
    assert resnet_neuro["stage_analysis"] == 1  # p1
    assert resnet_neuro["stage_background"] == 1  # p2
    assert resnet_neuro["stage_hypothesis"] == 0
    bert_chem = edge(graph, BERT, CHEM)
    assert (bert_chem["pattern_deployment"], bert_chem["pattern_adaptation"]) == (1, 1)
    assert (bert_chem["stage_test"], bert_chem["stage_hypothesis"]) == (1, 1)
    # Every edge has every pattern and stage column, so tables line up.
    keys = {frozenset(data) for _a, _b, data in graph.edges(data=True)}
    assert len(keys) == 1


def test_model_field_nodes_carry_type_papers_degrees_and_external_ids(store):
    graph = kg.network(store, "model-field")
    bert = node(graph, BERT)
    assert bert["type"] == "model"
    assert bert["papers"] == 3  # p1, p2, p3
    assert (bert["degree"], bert["weighted_degree"]) == (2, 4)
    assert bert["iri"].endswith("/model/bert")
    assert bert["main_field"] in (NEURO, CHEM)  # 2 papers each; ties go to the first label
    assert bert["main_field"] == CHEM
    chemistry = node(graph, CHEM)
    assert chemistry["type"] == "field"
    assert chemistry["papers"] == 2  # p1, p3
    assert (chemistry["degree"], chemistry["weighted_degree"]) == (3, 4)
    assert chemistry["openalex"] == "https://openalex.org/fields/16"
    assert chemistry["openalex_id"] == "16"
    assert chemistry["natural_science"] is True


def test_model_model_via_paper_links_models_reused_in_one_paper(store):
    graph = kg.network(store, "model-model")
    assert weights(graph) == {
        frozenset((RESNET, BERT)): 2,  # p1, p2
        frozenset((ALPHAFOLD, BERT)): 1,  # p3
    }
    # A model never reused alongside another is still a node.
    assert labels(graph) == {RESNET, BERT, ALPHAFOLD, UNET}
    assert node(graph, UNET)["degree"] == 0


def test_model_model_via_field_links_models_reused_in_one_field(store):
    graph = kg.network(store, "model-model", via="field")
    assert weights(graph) == {
        frozenset((RESNET, BERT)): 2,  # both in Neuroscience and Chemistry
        frozenset((RESNET, ALPHAFOLD)): 1,  # Chemistry
        frozenset((BERT, ALPHAFOLD)): 1,  # Chemistry
    }
    assert edge(graph, RESNET, BERT)["fields"] == [CHEM, NEURO]
    assert edge(graph, BERT, ALPHAFOLD)["fields"] == [CHEM]


def test_field_field_via_model_and_via_paper(store):
    by_model = kg.network(store, "field-field")
    assert weights(by_model) == {
        frozenset((NEURO, CHEM)): 2,  # ResNet-50 and BERT
        frozenset((CHEM, PHYS)): 1,  # AlphaFold
    }
    assert edge(by_model, NEURO, CHEM)["models"] == [BERT, RESNET]
    by_paper = kg.network(store, "field-field", via="paper")
    assert weights(by_paper) == {frozenset((NEURO, CHEM)): 1}  # p1 is in both


def test_paper_model_is_the_raw_bipartite_graph(store):
    graph = kg.network(store, "paper-model")
    assert graph.number_of_nodes() == 9  # 5 papers, 4 models
    assert graph.number_of_edges() == 8
    assert set(nx.get_edge_attributes(graph, "weight").values()) == {1}
    p2_resnet = edge(graph, "10.5000/p2", RESNET)
    assert p2_resnet["patterns"] == ["Conceptual", "Adaptation"]
    assert p2_resnet["stages"] == ["Background", "Test"]
    assert (p2_resnet["pattern_conceptual"], p2_resnet["pattern_deployment"]) == (1, 0)
    paper = node(graph, "10.5000/p2")
    assert paper["type"] == "paper"
    assert paper["doi"] == "10.5000/p2"
    assert paper["doi_url"] == "https://doi.org/10.5000/p2"
    assert paper["title"] == "Paper two"
    assert paper["year"] == 2019
    assert "year" not in node(graph, "10.5000/p5")


def test_node_details_ask_for_papers_only_when_the_network_has_paper_nodes(store, monkeypatch):
    from kg.networks import graph as networks

    asked = []

    def recording(store, name, parameters=None, **options):
        asked.append((name, dict(parameters or {})))
        return kg.run_query(store, name, parameters, **options)

    monkeypatch.setattr(networks, "run_query", recording)
    for kind in ("model-field", "model-model", "field-field", "paper-model"):
        asked.clear()
        kg.network(store, kind)
        nodes = [(name, given) for name, given in asked if name == "network-nodes"]
        assert nodes == [("network-nodes", {} if kind == "paper-model" else {"papers": False})]


def test_node_details_are_the_canned_rows_in_any_order(store):
    from kg.sparql.analysis import without_order_by

    sparql = kg.prepare_query(store, "network-nodes")
    unordered = kg.prepare_query(store, "network-nodes", ordered=False)
    # The closing ORDER BY goes; the one inside (spellings in order) stays.
    assert unordered.count("ORDER BY") == sparql.count("ORDER BY") - 1 == 1
    key = lambda row: (row["node_type"], row["node"])  # noqa: E731
    rows = kg.run_query(store, "network-nodes").rows
    assert sorted(kg.run_sparql(store, unordered).rows, key=key) == rows
    # Only a closing ORDER BY of plain variables goes: with LIMIT the rows would change.
    assert without_order_by("SELECT * { ?s ?p ?o }\nORDER BY ?s\nLIMIT 3\n").count("ORDER")


def test_network_nodes_without_papers_are_the_same_rows_less_the_papers(store):
    every = kg.run_query(store, "network-nodes").rows
    assert {row["node_type"] for row in every} == {"model", "paper", "field"}
    # Every paper with a reuse, once (p2 has three reuse instances).
    assert sorted(r["doi"] for r in every if r["node_type"] == "paper") == [
        f"10.5000/p{n}" for n in range(1, 6)
    ]
    assert kg.run_query(store, "network-nodes", {"papers": True}).rows == every
    without = kg.run_query(store, "network-nodes", {"papers": False}).rows
    assert without == [row for row in every if row["node_type"] != "paper"]


@pytest.mark.parametrize(
    "kind, via",
    [(kind, via) for kind in NETWORK_KINDS for via in NETWORK_KINDS[kind].vias],
)
def test_networks_come_in_sorted_order_and_are_built_in_it(store, kind, via):
    from kg.networks.graph import ReuseRows, _in_order

    chosen = via if len(NETWORK_KINDS[kind].vias) > 1 else None  # --via applies to these
    graph = kg.network(store, kind, via=chosen)
    assert list(graph) == sorted(graph)
    assert list(graph.edges) == sorted((min(a, b), max(a, b)) for a, b in graph.edges)
    # The kinds build their graphs in that order, so no sorted copy is needed.
    rows = ReuseRows.from_rows(kg.run_query(store, "network-reuse").rows)
    assert _in_order(NETWORK_KINDS[kind].build(rows, via))
    # A filter that scrambles the order (top takes a subgraph) still gets it sorted.
    top = kg.network(store, kind, via=chosen, top=3)
    assert list(top) == sorted(top)
    assert list(top.edges) == sorted((min(a, b), max(a, b)) for a, b in top.edges)


# ------------------------------------------------------------------ filters


def test_field_filter_keeps_papers_in_the_field_with_their_other_fields(store):
    graph = kg.network(store, "model-field", field="Chemistry")  # p1 and p3
    assert weights(graph) == {
        frozenset((RESNET, NEURO)): 1,
        frozenset((RESNET, CHEM)): 1,
        frozenset((BERT, NEURO)): 1,
        frozenset((BERT, CHEM)): 2,
        frozenset((ALPHAFOLD, CHEM)): 1,
    }
    assert kg.network(store, "model-field", field="16").edges == graph.edges
    assert graph.graph["filters"] == "--field Chemistry"


def test_pattern_filter_keeps_reuse_with_that_pattern(store):
    graph = kg.network(store, "model-field", pattern="adaptation")
    assert weights(graph) == {
        frozenset((RESNET, NEURO)): 2,  # p1, p2
        frozenset((RESNET, CHEM)): 1,  # p1
        frozenset((BERT, NEURO)): 1,  # p2 (p1 deployed BERT)
        frozenset((BERT, CHEM)): 1,  # p3
        frozenset((ALPHAFOLD, CHEM)): 1,  # p3 (p4 deployed AlphaFold)
    }
    resnet_neuro = edge(graph, RESNET, NEURO)
    assert resnet_neuro["pattern_conceptual"] == 0
    assert resnet_neuro["stage_background"] == 0  # only p2's conceptual reuse had it


def test_stage_filter_keeps_reuse_with_impact_at_that_stage(store):
    graph = kg.network(store, "model-field", stage="test")
    assert weights(graph) == {
        frozenset((RESNET, NEURO)): 2,
        frozenset((RESNET, CHEM)): 1,
        frozenset((BERT, NEURO)): 1,
        frozenset((BERT, CHEM)): 1,
        frozenset((ALPHAFOLD, PHYS)): 1,
    }
    # The kept reuse keeps its other stages.
    assert edge(graph, RESNET, CHEM)["stage_analysis"] == 1


def test_year_filters_keep_papers_published_in_range(store):
    graph = kg.network(store, "model-model", year_from=2019, year_to=2021)  # p2, p3
    assert weights(graph) == {frozenset((RESNET, BERT)): 1, frozenset((ALPHAFOLD, BERT)): 1}
    assert labels(graph) == {RESNET, BERT, ALPHAFOLD}
    # A paper without a year is left out as soon as a year bound is given.
    assert UNET not in labels(kg.network(store, "model-model", year_from=1900))
    assert labels(kg.network(store, "paper-model", year_to=2018)) == {"10.5000/p1", RESNET, BERT}


def test_min_weight_drops_light_edges_and_the_nodes_they_leave_alone(store):
    graph = kg.network(store, "model-field", min_weight=2)
    assert weights(graph) == {
        frozenset((RESNET, NEURO)): 2,
        frozenset((BERT, NEURO)): 2,
        frozenset((BERT, CHEM)): 2,
    }
    assert labels(graph) == {RESNET, BERT, NEURO, CHEM}
    assert node(graph, CHEM)["degree"] == 1  # degrees describe the network as filtered


def test_top_keeps_the_heaviest_nodes(store):
    # papers: BERT 3; ResNet-50, AlphaFold, Neuroscience, Chemistry 2; Physics 1.
    # Ties by weighted degree: Neuroscience 4, Chemistry 4, ResNet-50 3, AlphaFold 2;
    # then by label: Chemistry before Neuroscience.
    graph = kg.network(store, "model-field", top=3)
    assert labels(graph) == {BERT, CHEM, NEURO}
    assert weights(graph) == {frozenset((BERT, NEURO)): 2, frozenset((BERT, CHEM)): 2}


def test_filters_combine(store):
    graph = kg.network(store, "model-model", field="Neuroscience", pattern="adaptation")
    assert weights(graph) == {frozenset((RESNET, BERT)): 1}  # p2; p1 deployed BERT


def test_filters_that_keep_nothing_give_an_empty_network(store):
    graph = kg.network(store, "model-field", year_from=2030)
    assert graph.number_of_nodes() == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "model-modle"}, "no network kind 'model-modle'"),
        ({"via": "field"}, "model-field network links through paper only, so --via does not"),
        ({"kind": "model-model", "via": "model"}, "links through paper or field, not 'model'"),
        ({"year_from": 2020, "year_to": 2010}, "--year-from 2020 is after --year-to 2010"),
        ({"top": 0}, "--top must be 1 or more"),
        ({"min_weight": 0}, "--min-weight must be 1 or more"),
        ({"field": "Neurosience"}, "did you mean 'Neuroscience'"),
        ({"pattern": "reuse"}, "unknown reuse pattern 'reuse'"),
    ],
)
def test_bad_options_are_explained(store, options, message):
    kind = options.pop("kind", "model-field")
    with pytest.raises(kg.PtmkgError, match=message):
        kg.network(store, kind, **options)


def test_hostile_filter_text_is_bound_as_a_value_not_sparql(store):
    with pytest.raises(kg.PtmkgError, match="unknown field"):
        kg.network(store, "model-field", field='Chemistry" } UNION { ?s ?p ?o } #')


def test_networks_work_on_the_illustrative_corpus(illustrative_store):
    for kind in ("model-field", "model-model", "field-field", "paper-model"):
        graph = kg.network(illustrative_store, kind)
        assert graph.number_of_edges() > 0
    # The corpus counts AlphaFold and AlphaFold 2 apart.
    assert {"AlphaFold", "AlphaFold 2"} <= labels(kg.network(illustrative_store, "model-model"))


# ------------------------------------------------------------------ statistics


def test_stats_degrees_centralities_and_communities(store):
    # model-model via paper: ResNet-50 -2- BERT -1- AlphaFold, and U-Net alone.
    figures = network_stats(kg.network(store, "model-model"))
    assert (figures.nodes, figures.edges, figures.components) == (4, 2, 2)
    by_label = {c.label: c for c in figures.centrality}
    assert by_label[BERT].degree == 2
    assert by_label[BERT].weighted_degree == 3
    # BERT sits on the only path between the other two: 1 of 3 pairs of other nodes.
    assert by_label[BERT].betweenness == pytest.approx(1 / 3)
    assert by_label[RESNET].betweenness == 0
    # Weighted path a-2-b-1-c: eigenvalue sqrt(5); b = 1/sqrt(2), a = 2/sqrt(10), c = 1/sqrt(10).
    assert by_label[BERT].eigenvector == pytest.approx(1 / math.sqrt(2), abs=1e-4)
    assert by_label[RESNET].eigenvector == pytest.approx(2 / math.sqrt(10), abs=1e-4)
    assert by_label[ALPHAFOLD].eigenvector == pytest.approx(1 / math.sqrt(10), abs=1e-4)
    assert by_label[UNET].eigenvector is None  # not in the largest component
    # Modularity: one community {a, b, c} scores 0, splitting the path scores less.
    assert figures.communities == [[ALPHAFOLD, BERT, RESNET], [UNET]]
    assert [c.label for c in figures.most_central("model", 2)] == [BERT, RESNET]


def test_stats_are_repeatable(illustrative_store):
    graph = kg.network(illustrative_store, "model-field")
    assert network_stats(graph) == network_stats(graph)


@pytest.mark.parametrize("kind", ["model-field", "model-model", "field-field", "paper-model"])
def test_eigenvector_centrality_agrees_with_networkx(illustrative_store, kind):
    graph = kg.network(illustrative_store, kind)
    largest = graph.subgraph(max(nx.connected_components(graph), key=len))
    expected = nx.eigenvector_centrality(largest, max_iter=100_000, tol=1e-12, weight="weight")
    got = {c.iri: c.eigenvector for c in network_stats(graph).centrality}
    for node, value in expected.items():
        assert got[node] == pytest.approx(value, abs=1e-6)
    assert all(got[node] is None for node in graph if node not in largest)
