"""Validating a graph against the SHACL shapes in ``ontology/shapes.ttl``."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from kg.rdf.namespaces import SH
from kg.resources import shapes_file
from kg.stores.embedded import GraphStore


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation]
    triples: int


def _union_graph(store: GraphStore) -> rdflib.Graph:
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=buffer.getvalue(), format="nt")
    return graph


def validate(store: GraphStore) -> ValidationReport:
    """Check the union of all the store's graphs (ontology included) against the shapes."""
    data = _union_graph(store)
    shapes = rdflib.Graph().parse(shapes_file(), format="turtle")
    conforms, results, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    sh = rdflib.Namespace(SH)
    violations = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):

        def first(predicate: rdflib.URIRef, result: rdflib.term.Node = result) -> str | None:
            value = results.value(result, predicate)
            return None if value is None else str(value)

        severity = first(sh.resultSeverity) or str(sh.Violation)
        violations.append(
            Violation(
                focus=first(sh.focusNode) or "",
                path=first(sh.resultPath),
                message=first(sh.resultMessage) or "",
                severity=severity.rsplit("#", 1)[-1],
                value=first(sh.value),
            )
        )
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return ValidationReport(conforms=bool(conforms), violations=violations, triples=len(data))
