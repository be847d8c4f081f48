"""Property-based tests of every parser and normaliser: any input gives a result or a reason.

Example counts are bounded (the "ci" profile in conftest.py) so the suite stays fast.
"""

from __future__ import annotations

import csv
import io
import json
import string
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from kg.importers import ImportOptions, open_source
from kg.models.names import ModelResolver, UnresolvableMention, model_key
from kg.query.parameters import ParameterError
from kg.rdf.iris import IriMinter, doi_url, name_key
from kg.rdf.vocabulary import vocabulary
from kg.read.pairings import PairingSyntaxError, parse_pairings
from kg.read.tables import GENERIC_FORMAT_COLUMNS
from kg.read.values import InvalidDoi, is_normal_doi, normalize_doi
from kg.records import PaperRecord, Reject

RESOLVER = ModelResolver()
IS_PATTERN = lambda label: vocabulary().patterns.lookup(label) is not None  # noqa: E731
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text that stresses quoting and escaping: brackets, separators, quotes, newlines, SPARQL and
# Turtle syntax, markup, unusual Unicode (combining marks, RTL, emoji, NUL-like controls).
HOSTILE = st.text(
    alphabet=st.sampled_from(
        list(string.printable) + list("[](),;\"'<>{}#?%\\\u200f\u0301é😀ß\x0b\x1f")
    ),
    max_size=60,
)
DOI_SUFFIX = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=40
)


@pytest.mark.slow
@SETTINGS
@given(st.text(max_size=80))
def test_doi_normalisation_never_crashes(raw):
    try:
        doi = normalize_doi(raw)
    except InvalidDoi as exc:
        assert str(exc)
        return
    assert doi == doi.lower() and doi.startswith("10.") and normalize_doi(doi) == doi


@SETTINGS
@given(
    st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda prefix, suffix: f"{prefix}/{suffix}",
            st.from_regex(r"10\.\d{4,9}", fullmatch=True),
            st.text(max_size=20),
        ),
    )
)
def test_the_quick_doi_test_agrees_with_normalisation(raw):
    if is_normal_doi(raw):
        assert normalize_doi(raw) == raw


@SETTINGS
@given(st.from_regex(r"10\.\d{4,9}", fullmatch=True), DOI_SUFFIX)
def test_a_dois_iri_maps_back_to_the_same_doi(prefix, suffix):
    doi = f"{prefix}/{suffix}".lower()
    if any(ch.isspace() for ch in doi):
        return
    minter = IriMinter()
    iri = minter.paper(doi)
    ox.NamedNode(iri)  # a valid IRI, whatever the DOI holds
    ox.NamedNode(doi_url(doi))
    assert minter.doi_of_paper(iri) == doi


@SETTINGS
@given(HOSTILE)
def test_model_names_resolve_or_are_refused_with_a_reason(mention):
    try:
        resolved = RESOLVER.resolve(mention)
    except UnresolvableMention as exc:
        assert not name_key(mention) and "no letters or digits" in str(exc)
        return
    assert resolved.key and resolved.key == model_key(resolved.name)
    ox.NamedNode(IriMinter().model(resolved.key))
    assert RESOLVER.resolve(resolved.name).key == resolved.key  # stable under re-resolution


@SETTINGS
@given(HOSTILE)
def test_pairing_cells_parse_or_say_where(cell):
    try:
        pairings = parse_pairings(cell, IS_PATTERN)
    except PairingSyntaxError as exc:
        assert "at character" in str(exc) and 0 <= exc.position <= len(cell)
        return
    for pairing in pairings:
        assert pairing.model and pairing.pattern_labels


NAME_PART = st.text(alphabet=string.ascii_letters + string.digits + " ,-.'/_+é", max_size=20)


@SETTINGS
@given(st.lists(st.tuples(NAME_PART, NAME_PART), min_size=1, max_size=3))
def test_well_formed_pairings_round_trip(pairs):
    # Names with balanced brackets and commas inside them come back as they were.
    models = [f"Model {name_key(m) or 'x'} ({inner.strip() or 'v'}, [x])" for m, inner in pairs]
    cell = "; ".join(f"[{m}, Adaptation]" for m in models)
    assert [p.model for p in parse_pairings(cell, IS_PATTERN)] == models


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)  # as Excel writes it
    return out.getvalue()


@SETTINGS
@given(st.lists(st.lists(HOSTILE, min_size=1, max_size=6), min_size=1, max_size=8))
def test_any_sheet_rows_are_read_accepted_or_rejected(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("prop") / "sheet.csv"
    path.write_text(
        _csv([["DOI", "Uses DL", "Uses PTMs", "PTM Reuse Pairings"], *rows]), encoding="utf-8"
    )
    reading = open_source(path, "csv", ImportOptions())
    items = list(reading.items)
    for item in items:
        assert isinstance(item, PaperRecord | Reject)
        if isinstance(item, Reject):
            assert item.reason and item.line >= 2
    assert len(items) <= len(rows)  # at most one record or reject per row; blank rows none


@pytest.mark.slow
@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.dictionaries(
                st.sampled_from(GENERIC_FORMAT_COLUMNS),
                st.one_of(
                    HOSTILE, st.integers(), st.booleans(), st.none(), st.lists(HOSTILE, max_size=3)
                ),
            ),
            HOSTILE,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_json_lines_are_read_accepted_or_rejected(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("prop") / "g.jsonl"
    lines = [json.dumps(v) if isinstance(v, dict) else v.replace("\n", " ") for v in values]
    path.write_text("\n".join(['{"doi": "10.1000/first"}', *lines]) + "\n", encoding="utf-8")
    report = kg.build(kg.EmbeddedStore(None), [path], rejects_dir=path.parent)
    source = report.sources[0]
    assert source.read == source.accepted + source.rejected
    assert all(r.reason for r in source.rejects)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200))
def test_any_title_comes_back_byte_for_byte(tmp_path_factory, title):
    folder = tmp_path_factory.mktemp("title")
    path = folder / "g.jsonl"
    path.write_text(json.dumps({"doi": "10.1000/t", "title": title}) + "\n", encoding="utf-8")
    store = kg.EmbeddedStore(None)
    report = kg.build(store, [path], rejects_dir=folder)
    if report.sources[0].rejected:
        return  # a title of only spaces is no title; the record is still accepted below
    stored = kg.run_sparql(store, 'SELECT ?t WHERE { ?p bibo:doi "10.1000/t" ; dcterms:title ?t }')
    expected = title.strip()
    if not expected:
        assert stored.rows == []
        return
    assert [r["t"] for r in stored.rows] == [expected]
    dump = io.BytesIO()
    store.dump(dump, ox.RdfFormat.N_QUADS)
    paper = IriMinter().paper("10.1000/t")
    parsed = [
        q.object.value
        for q in ox.parse(dump.getvalue(), format=ox.RdfFormat.N_QUADS)
        if q.predicate.value == "http://purl.org/dc/terms/title" and q.subject.value == paper
    ]
    assert parsed == [expected]


@SETTINGS
@given(HOSTILE)
def test_query_parameters_are_values_never_syntax(tmp_path_factory, value):
    store = _small_store(tmp_path_factory)
    for name, param in (
        ("papers-reusing-model", "model"),
        ("top-models", "field"),
        ("reuse-by-stage", "pattern"),
    ):
        try:
            result = kg.run_query(store, name, {param: value})
        except ParameterError as exc:
            assert str(exc)
            continue
        assert isinstance(result.rows, list)


_STORE: list[kg.EmbeddedStore] = []


def _small_store(factory) -> kg.EmbeddedStore:
    if not _STORE:
        folder: Path = factory.mktemp("small")
        path = folder / "g.csv"
        path.write_text(
            "doi,fields,model,pattern,stages\n10.1000/a,Chemistry,BERT,Adaptation,Test\n",
            encoding="utf-8",
        )
        store = kg.EmbeddedStore(None)
        kg.build(store, [path], rejects_dir=folder)
        _STORE.append(store)
    return _STORE[0]
