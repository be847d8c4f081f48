"""What the ontology, the vocabularies' own declarations and a built graph entail.

The inference test closes them under RDFS and OWL RL (owlrl) and lists what would be
absurd: a paper or a model that becomes a SKOS concept, a class or a media type, two
disjoint classes sharing an instance, a literal where a property's range needs a resource.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import owlrl
import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.resources import ontology_file

VOCABULARIES = Path(__file__).parent / "data" / "vocabularies"
PTM = rdflib.Namespace("https://w3id.org/ptmkg/ontology#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")

#: What instances of our classes must never be inferred to be.
NEVER = (
    SKOS.Concept,
    SKOS.ConceptScheme,
    SKOS.Collection,
    RDFS.Class,
    OWL.Class,
    RDFS.Datatype,
    RDF.Property,
    DCTERMS.MediaType,
    DCTERMS.MediaTypeOrExtent,
    DCTERMS.LicenseDocument,
)
#: The classes whose instances the checks look at, with what else each must never become.
WATCHED = {
    PTM.Paper: (PROV.Activity, PTM.ReuseInstance, PTM.Analysis, PTM.PretrainedModel),
    PTM.PretrainedModel: (PROV.Activity, PTM.Paper, PTM.ReuseInstance),
    PTM.ReuseInstance: (PTM.Analysis, PTM.Paper),
    PTM.Analysis: (PTM.ReuseInstance, PROV.Entity),
    PTM.Source: (PTM.Paper, PTM.PretrainedModel),
    PTM.Venue: (PTM.Paper,),
}


def vocabulary_declarations() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(VOCABULARIES.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def store_graph(store) -> rdflib.Graph:
    """Every quad of a store (the ontology graph included) as one rdflib graph."""
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=buffer.getvalue(), format="nt")


def closed(data: rdflib.Graph, semantics) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph += vocabulary_declarations()
    graph.parse(ontology_file(), format="turtle")
    graph += data
    owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    return graph


def _datatype(graph: rdflib.Graph, node: rdflib.term.Node) -> bool:
    return (
        node == RDFS.Literal
        or str(node).startswith(str(XSD))
        or node == RDF.langString
        or (node, RDF.type, RDFS.Datatype) in graph
        or isinstance(node, rdflib.BNode)  # datatype unions such as prism:publicationDate's
    )


def absurdities(asserted: rdflib.Graph, graph: rdflib.Graph) -> list[str]:
    """What the closed graph says that no one would accept, one line each."""
    found: list[str] = []
    for watched, others in WATCHED.items():
        members = set(asserted.subjects(RDF.type, watched))
        for forbidden in (*NEVER, *others):
            wrong = sorted(str(m) for m in members if (m, RDF.type, forbidden) in graph)
            if wrong:
                found.append(
                    f"{len(wrong)} {watched.n3(graph.namespace_manager)} become "
                    f"{forbidden.n3(graph.namespace_manager)}, e.g. {wrong[0]}"
                )
    for first, second in _disjoint_pairs(graph):
        both = sorted(
            str(s) for s in graph.subjects(RDF.type, first) if (s, RDF.type, second) in graph
        )
        if both:
            found.append(
                f"{len(both)} instances of disjoint {first.n3(graph.namespace_manager)} and "
                f"{second.n3(graph.namespace_manager)}, e.g. {both[0]}"
            )
    found += _literals_as_resources(asserted, graph)
    return found


def _disjoint_pairs(graph: rdflib.Graph) -> Iterable[tuple[rdflib.term.Node, rdflib.term.Node]]:
    for first, second in graph.subject_objects(OWL.disjointWith):
        yield first, second
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(rdflib.collection.Collection(graph, graph.value(group, OWL.members)))
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                yield first, second


def _literals_as_resources(asserted: rdflib.Graph, graph: rdflib.Graph) -> list[str]:
    found = []
    predicates = {p for _, p, o in asserted if isinstance(o, rdflib.Literal)}
    for predicate in sorted(predicates):
        supers = set(graph.transitive_objects(predicate, RDFS.subPropertyOf))
        ranges = {r for s in supers for r in graph.objects(s, RDFS.range)}
        classes = sorted(str(r) for r in ranges if not _datatype(graph, r))
        object_property = any((s, RDF.type, OWL.ObjectProperty) in graph for s in supers)
        if classes or object_property:
            example = next(
                o for o in asserted.objects(None, predicate) if isinstance(o, rdflib.Literal)
            )
            why = f"range {', '.join(classes)}" if classes else "an object property"
            found.append(
                f"literals as objects of {predicate.n3(graph.namespace_manager)} ({why}), "
                f"e.g. {example!r}"
            )
    return found
