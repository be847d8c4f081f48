"""The ontology and shapes: every term explained, the vocabularies complete."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
import rdflib
from ontology_reasoning import absurdities, closed, store_graph
from owl_checks import owl2_dl_violations, pellet_consistent
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.rdf.vocabulary import vocabulary
from kg.resources import ontology_file, shapes_file

PTM = rdflib.Namespace("https://w3id.org/ptmkg/ontology#")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: The stages of the scientific process, in its order.
STAGES = ["Observation", "Background", "Hypothesis", "Test", "Analysis", "Conclusion"]


def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_file(), format="turtle")


def test_every_term_has_a_label_and_a_definition():
    graph = ontology()
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        SKOS.Concept,
        SKOS.ConceptScheme,
        SKOS.Collection,
    )
    ours = "https://w3id.org/ptmkg/"
    terms = {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(ours)}
    assert len(terms) > 60
    for term in terms:
        assert (term, RDFS.label, None) in graph or (term, SKOS.prefLabel, None) in graph, term
        assert (term, SKOS.definition, None) in graph, term


def test_every_ptm_term_in_a_built_graph_is_declared(illustrative_store):
    declared = {str(s) for s in ontology().subjects() if str(s).startswith(str(PTM))}
    used = kg.run_sparql(
        illustrative_store,
        """
        SELECT DISTINCT ?term WHERE {
          { ?s ?term ?o } UNION { ?s a ?term }
          FILTER(STRSTARTS(STR(?term), "https://w3id.org/ptmkg/ontology#"))
        }""",
    ).column("term")
    assert len(used) > 20
    assert set(used) <= declared


def test_the_26_openalex_fields_with_codes_domains_and_matches():
    graph = ontology()
    fields = set(graph.subjects(RDF.type, PTM.Field))
    assert len(fields) == 26
    notations = sorted(int(graph.value(f, SKOS.notation)) for f in fields)
    assert notations == list(range(11, 37))
    for field in fields:
        code = str(graph.value(field, SKOS.notation))
        assert (
            field,
            SKOS.exactMatch,
            rdflib.URIRef(f"https://openalex.org/fields/{code}"),
        ) in graph
        assert (graph.value(field, SKOS.broader), RDF.type, PTM.Domain) in graph
    natural = {
        str(graph.value(f, SKOS.prefLabel))
        for f in fields
        if graph.value(f, PTM.isNaturalScience).toPython() is True
    }
    assert natural == {
        "Agricultural and Biological Sciences",
        "Biochemistry, Genetics and Molecular Biology",
        "Chemistry",
        "Earth and Planetary Sciences",
        "Environmental Science",
        "Immunology and Microbiology",
        "Neuroscience",
        "Physics and Astronomy",
    }
    members = set(graph.objects(PTM.NaturalScienceFields, SKOS.member))
    assert {str(graph.value(m, SKOS.prefLabel)) for m in members} == natural
    assert (
        str(graph.value(rdflib.URIRef("https://w3id.org/ptmkg/field/27"), SKOS.broader))
        == "https://w3id.org/ptmkg/domain/4"
    )


def test_patterns_and_stages_in_their_schemes():
    vocab = vocabulary()
    assert vocab.patterns.labels() == ["Conceptual", "Adaptation", "Deployment"]
    assert vocab.stages.labels() == STAGES
    for label in ("adaptation_reuse", "Adaptation", "adaptation reuse", "ADAPTATION"):
        assert vocab.patterns.lookup(label).iri == "https://w3id.org/ptmkg/pattern/adaptation"
    assert vocab.stages.lookup("Testing") is None  # labels outside the list are not mapped


def test_alignment_with_established_vocabularies():
    graph = ontology()
    assert (
        PTM.Paper,
        RDFS.subClassOf,
        rdflib.URIRef("http://schema.org/ScholarlyArticle"),
    ) in graph
    assert (
        PTM.PretrainedModel,
        RDFS.subClassOf,
        rdflib.URIRef("https://w3id.org/fair4ml#MLModel"),
    ) in graph
    assert (
        PTM.hasField,
        RDFS.subPropertyOf,
        rdflib.URIRef("http://purl.org/dc/terms/subject"),
    ) in graph
    assert (
        PTM.ReuseInstance,
        RDFS.subClassOf,
        rdflib.URIRef("http://www.w3.org/ns/prov#Entity"),
    ) in graph


def test_the_shapes_parse_and_target_every_class_written():
    shapes = rdflib.Graph().parse(shapes_file(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targets = set(shapes.objects(None, sh.targetClass))
    assert {
        PTM.Paper,
        PTM.ReuseInstance,
        PTM.PretrainedModel,
        PTM.Venue,
        PTM.Source,
        PTM.Field,
    } <= targets


# ------------------------------------------------------------------ inference


@pytest.fixture(scope="module")
def built_graph(tmp_path_factory: pytest.TempPathFactory) -> rdflib.Graph:
    """The shipped examples and three synthetic corpora (sheet, generic file, pipeline database)."""
    folder = tmp_path_factory.mktemp("inference")
    runner = CliRunner()
    corpora = []
    for name in ("sheet.csv", "corpus.jsonl", "pipeline.db"):
        path = folder / name
        result = runner.invoke(app, ["synth", str(path), "--papers", "150", "--seed", "5"])
        assert result.exit_code == 0, result.output
        corpora.append(path)
    # Papers without a DOI (by id, by file) and reuse through a tool, known and unknown.
    drafts = folder / "drafts.csv"
    drafts.write_text(
        "doi,id,file,title,uses_dl,uses_ptms,model,pattern,tool\n"
        ",joss-1,,Folding,True,True,AF2,Deployment,ColabFold\n"
        ",,drafts/paper.xml,Rivers,True,True,U-Net,Deployment,RiverTool 2\n",
        encoding="utf-8",
    )
    corpora.append(drafts)
    store = kg.EmbeddedStore(folder / "store")
    kg.build(
        store,
        [EXAMPLES / "illustrative-corpus.csv", EXAMPLES / "illustrative-sheet.csv", *corpora],
        rejects_dir=folder / "rejects",
    )
    graph = store_graph(store)
    store.close()
    return graph


def test_the_built_graph_holds_every_kind_of_node(built_graph):
    for kind in (PTM.Paper, PTM.PretrainedModel, PTM.ReuseInstance, PTM.Analysis, PTM.Source):
        assert len(set(built_graph.subjects(RDF.type, kind))) > 5, kind
    # Both tools, and both papers without a DOI, so the reasoners see them.
    tools = {str(t) for t in built_graph.objects(None, PTM.viaTool)}
    assert tools == {
        f"{kg.DEFAULT_BASE_IRI}model/colabfold",
        f"{kg.DEFAULT_BASE_IRI}model/rivertool2",
    }
    assert len(set(built_graph.subjects(PTM.articleFile, None))) == 1
    # registry models linked to a Wikidata item or class: those RDFS inference once made concepts
    wikidata = {
        s
        for s, o in built_graph.subject_objects()
        if str(o).startswith("http://www.wikidata.org/entity/")
    }
    assert len(wikidata & set(built_graph.subjects(RDF.type, PTM.PretrainedModel))) > 50


@pytest.mark.slow
@pytest.mark.parametrize(
    "semantics", [owlrl.RDFS_Semantics, owlrl.OWLRL_Semantics], ids=["rdfs", "owl-rl"]
)
def test_inference_over_the_vocabularies_and_a_built_graph_infers_nothing_absurd(
    built_graph, semantics
):
    graph = closed(built_graph, semantics)
    assert absurdities(built_graph, graph) == []


# ------------------------------------------------------------------ OWL 2 DL and a reasoner


@pytest.mark.slow
def test_the_ontology_is_in_the_owl_2_dl_profile(tmp_path):
    # RDF/XML: the OWL API 3 Turtle parser does not read escaped local names (openalex:fields\\/11).
    document = tmp_path / "ptmkg.owl"
    ontology().serialize(document, format="xml")
    assert owl2_dl_violations(document) == []


@pytest.mark.slow
def test_pellet_finds_the_ontology_consistent(tmp_path):
    document = tmp_path / "ptmkg.owl"
    ontology().serialize(document, format="xml")
    assert pellet_consistent(document)


@pytest.mark.slow
def test_pellet_finds_the_ontology_and_a_built_graph_consistent(tmp_path, built_graph):
    """The data against the ontology: no paper also a model, no analysis also an entity."""
    document = tmp_path / "ptmkg-and-data.owl"
    (ontology() + built_graph).serialize(document, format="xml")
    assert pellet_consistent(document)


@pytest.mark.slow
def test_pellet_finds_a_paper_that_is_also_a_model_inconsistent(tmp_path):
    graph = ontology()
    thing = rdflib.URIRef("https://w3id.org/ptmkg/id/paper/10.1/both")
    graph.add((thing, RDF.type, PTM.Paper))
    graph.add((thing, RDF.type, PTM.PretrainedModel))
    document = tmp_path / "both.owl"
    graph.serialize(document, format="xml")
    assert not pellet_consistent(document)


def test_the_profile_check_finds_what_made_version_0_1_not_owl_2_dl(tmp_path):
    document = tmp_path / "old.ttl"
    document.write_text(
        """@prefix ptm: <https://w3id.org/ptmkg/ontology#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/ptmkg/ontology> a owl:Ontology .
        ptm:evidence a owl:DatatypeProperty ; rdfs:range xsd:string ; rdfs:subPropertyOf rdfs:comment .
        """,
        encoding="utf-8",
    )
    violations = owl2_dl_violations(document)
    assert any("Cannot pun between properties" in v and "evidence" in v for v in violations)


# ------------------------------------------------------------------ SKOS integrity


def test_skos_integrity_of_the_concept_schemes():
    """The SKOS reference's integrity conditions and the usual quality rules, by hand."""
    graph = ontology()
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert len(concepts) == 3 + 6 + 4 + 26 and len(schemes) == 4
    assert not concepts & schemes  # S9
    assert not concepts & set(graph.subjects(RDF.type, SKOS.Collection))  # S37
    for concept in concepts:
        labels = list(graph.objects(concept, SKOS.prefLabel))
        assert len({label.language for label in labels}) == len(labels), concept  # S14
        alt = set(graph.objects(concept, SKOS.altLabel))
        assert not alt & set(labels), concept  # S13
        in_schemes = set(graph.objects(concept, SKOS.inScheme))
        assert len(in_schemes) == 1, concept
        assert set(graph.objects(concept, SKOS.topConceptOf)) <= in_schemes, concept
        for broader in graph.objects(concept, SKOS.broader):  # no top concept with a broader
            assert set(graph.objects(broader, SKOS.inScheme)) != in_schemes, concept
    for scheme in schemes:
        members = set(graph.subjects(SKOS.inScheme, scheme))
        assert set(graph.objects(scheme, SKOS.hasTopConcept)) == set(
            graph.subjects(SKOS.topConceptOf, scheme)
        )
        # one preferred label and one notation per concept within a scheme
        labels = [str(graph.value(m, SKOS.prefLabel)) for m in members]
        notations = [str(graph.value(m, SKOS.notation)) for m in members]
        assert len(set(labels)) == len(labels), scheme
        assert len(set(notations)) == len(notations), scheme
    positions = sorted(
        (int(graph.value(s, PTM.stagePosition)), str(graph.value(s, SKOS.prefLabel)))
        for s in graph.subjects(RDF.type, PTM.Stage)
    )
    assert [label for _, label in positions] == STAGES


def test_the_ontology_has_its_version_and_metadata():
    graph = ontology()
    ontology_iri = rdflib.URIRef("https://w3id.org/ptmkg/ontology")
    assert str(graph.value(ontology_iri, OWL.versionInfo)) == "1.0.0"
    assert str(graph.value(ontology_iri, OWL.versionIRI)) == "https://w3id.org/ptmkg/ontology/1.0.0"
    vann = rdflib.Namespace("http://purl.org/vocab/vann/")
    assert str(graph.value(ontology_iri, vann.preferredNamespacePrefix)) == "ptm"
    assert str(graph.value(ontology_iri, vann.preferredNamespaceUri)) == str(PTM)
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    for term in (dcterms.creator, dcterms.license, dcterms.issued, dcterms.modified):
        assert graph.value(ontology_iri, term) is not None, term
