"""Validation by SPARQL agrees with pySHACL, the reference SHACL engine, violation for
violation, on a graph broken in every way the shapes can see; and it never copies the
graph out of the store."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import EXAMPLES
from pyshacl import validate as pyshacl_validate

import kg
from kg.query.validate import checks
from kg.resources import shapes_file

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

BROKEN = """
PREFIX ptm: <https://w3id.org/ptmkg/ontology#>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sssom: <https://w3id.org/sssom/>
PREFIX semapv: <https://w3id.org/semapv/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { GRAPH <urn:broken> {
  # A paper with two DOIs, one not normalised; a sameAs that is a literal; an empty
  # title; an ill-typed year and a second year; a field that is not a field; a boolean
  # given as text; a review date that is no date; a model that is not a model.
  <urn:p1> a ptm:Paper ; bibo:doi "10.5555/ok.1", "https://doi.org/10.5555/BAD" ;
      schema:sameAs "https://doi.org/10.5555/ok.1" ; dcterms:title "" ;
      fabio:hasPublicationYear "2021a"^^xsd:gYear, "2020"^^xsd:gYear ;
      ptm:hasField <urn:not-a-field> ; ptm:usesDeepLearning "yes" ;
      ptm:reviewDate "2021-13-01"^^xsd:date ; ptm:reusesModel <urn:p1> .
  # A paper with nothing: no DOI, no sameAs; one typed through a subclass of ptm:Paper.
  <urn:p2> a ptm:Paper .
  <urn:SubPaper> rdfs:subClassOf ptm:Paper .
  <urn:p3> a <urn:SubPaper> ; bibo:doi "10.5555/ok.3" ; dcterms:title "" .
  # No shape's focus node: its values break no constraint.
  <urn:x1> bibo:doi "https://doi.org/10.5555/BAD" ; dcterms:title "" ;
      ptm:hasField <urn:not-a-field> .
  # A reuse instance without a paper, with two models, a pattern outside the scheme,
  # no mention, a line that is no integer and no source.
  <urn:r1> a ptm:ReuseInstance ; ptm:reusedModel <urn:m1>, <urn:m2> ;
      ptm:reusePattern ptm:not_a_pattern ; ptm:sourceLine "x"^^xsd:integer ;
      ptm:evidence "ok"@en .
  <urn:m1> a ptm:PretrainedModel .
  <urn:m2> a ptm:PretrainedModel ; rdfs:label "M2" ; ptm:hasBackbone "ResNet" .
  # A source whose checksum node is wrong inside (sh:node).
  <urn:s1> a ptm:Source ; dcterms:title "s1" ; spdx:checksum <urn:s1/sha256> ;
      ptm:recordsRead 1 ; ptm:recordsAccepted 1 ; ptm:recordsRejected "0" .
  <urn:s1/sha256> a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_md5 ;
      spdx:checksumValue "XYZ"^^xsd:hexBinary .
  # A failed analysis that says neither why nor what it answered (sh:or); a kind
  # outside the list.
  <urn:a1> a ptm:Analysis ; ptm:analysedPaper <urn:p3> ; ptm:analysisKind "guess" ;
      ptm:analysisSucceeded false ; ptm:recordedIn <urn:s1> .
  # A Wikidata mapping to something that is no Wikidata item.
  <urn:w1> sssom:mapping_justification semapv:LexicalMatching ; a owl:Axiom ;
      owl:annotatedSource <urn:m2> ; owl:annotatedProperty ptm:wikidataItem ;
      owl:annotatedTarget <https://example.org/Q1> ; ptm:matchMethod "guess" ;
      sssom:match_string "M2" ; ptm:endpoint <https://query.wikidata.org/sparql> ;
      prov:generatedAtTime "yesterday"^^xsd:dateTime ; prov:wasDerivedFrom <urn:s1> .
} }
"""


def _key(focus, path, value, component):
    return (str(focus), str(path) if path else None, str(value) if value else None, component)


def _pyshacl(store: kg.GraphStore) -> set[tuple]:
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_TRIPLES)
    data = rdflib.Graph().parse(data=buffer.getvalue(), format="nt")
    shapes = rdflib.Graph().parse(shapes_file(), format="turtle")
    _, results, _ = pyshacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    found = set()
    nested = set(results.objects(None, SH.detail))  # the inside of an sh:node result
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        if result in nested:
            continue
        component = str(results.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        found.add(
            _key(
                results.value(result, SH.focusNode),
                results.value(result, SH.resultPath),
                results.value(result, SH.value),
                component,
            )
        )
    return found


def _ours(report: kg.ValidationReport) -> set[tuple]:
    return {_key(v.focus, v.path, v.value, v.component) for v in report.violations}


@pytest.fixture
def broken_store(tmp_path: Path) -> kg.EmbeddedStore:
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [EXAMPLES / "illustrative-corpus.csv"], rejects_dir=tmp_path / "rejects")
    store.update(BROKEN)
    return store


def test_sparql_validation_finds_what_pyshacl_finds(broken_store: kg.EmbeddedStore) -> None:
    reference = _pyshacl(broken_store)
    report = kg.validate(broken_store)
    assert not report.conforms
    # pySHACL checks an xsd:gYear's lexical form only when rdflib knows how to read gYear
    # (which depends on what else the process imported); XML Schema's gYear is four or more
    # digits and a time zone, so "2021a" is ill-typed, as the shapes mean it.
    ill_typed_year = _key(
        "urn:p1",
        "http://purl.org/spar/fabio/hasPublicationYear",
        "2021a",
        "DatatypeConstraintComponent",
    )
    assert _ours(report) == reference | {ill_typed_year}
    # And a person reading the report sees each kind of break.
    components = {v.component for v in report.violations}
    for expected in (
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "DatatypeConstraintComponent",
        "PatternConstraintComponent",
        "NodeKindConstraintComponent",
        "ClassConstraintComponent",
        "MinLengthConstraintComponent",
        "InConstraintComponent",
        "NodeConstraintComponent",
        "OrConstraintComponent",
    ):
        assert expected in components, expected
    focus = {v.focus for v in report.violations}
    assert "urn:p3" in focus  # typed through a subclass of ptm:Paper
    year = [v for v in report.violations if v.focus == "urn:p1" and v.value == "2021a"]
    assert year and year[0].message.startswith("A paper has at most one publication year")


def test_checks_run_at_once_give_the_report_one_at_a_time_gives(
    broken_store: kg.EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.query import validate as module

    reports = []
    for at_once, kept in ((1, 100_000), (2, 100_000), (1, 3), (2, 3)):
        monkeypatch.setattr(module, "CHECKS_AT_ONCE", at_once)
        monkeypatch.setattr(module, "MAX_KEPT_VIOLATIONS", kept)
        reports.append(kg.validate(broken_store))
    assert reports[0] == reports[1] and reports[2] == reports[3]
    # Fewer kept, as many counted: the same first ones, in the checks' order.
    assert len(reports[2].violations) == 3 < len(reports[0].violations)
    assert reports[2].violation_count == reports[0].violation_count


def test_a_built_graph_conforms_in_both(illustrative_store: kg.EmbeddedStore) -> None:
    assert _pyshacl(illustrative_store) == set()
    report = kg.validate(illustrative_store)
    assert report.conforms and report.violations == []
    assert report.checks == len(checks()) > 40
    assert report.triples > 2_000


def test_validate_reports_progress_for_every_check(illustrative_store: kg.EmbeddedStore) -> None:
    seen: list[tuple[int, int]] = []
    kg.validate(illustrative_store, progress=lambda done, total, check: seen.append((done, total)))
    total = len(checks())
    assert seen == [(n, total) for n in range(1, total + 1)]


def test_each_check_is_one_query_of_the_store() -> None:
    for check in checks():
        assert check.query.startswith("SELECT ")
        ox.Store().query(check.query)  # parses and runs on an empty store


def test_an_unsupported_constraint_is_refused_by_name(tmp_path: Path) -> None:
    from kg.query.shacl import ShapeCompiler

    shapes = rdflib.Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:p> ; sh:minInclusive 3 ] .
        """,
        format="turtle",
    )
    with pytest.raises(kg.PtmkgError, match="minInclusive is not supported"):
        ShapeCompiler(shapes, lambda c: [c]).checks()
