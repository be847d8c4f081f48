"""Kept answers: network-reuse, network-nodes and sources are run once per write and
kept with the statistics; every answer from them equals the live query's, for every
parameter, on graphs with the cases their filters must get right."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
from hand_counted import PATTERN, STAGE, build_hand_counted
from test_statistics import assert_prepared_equals_live, kept_parameter_values

import kg
from kg.query.named import run_query
from kg.stores import preparing, statistics
from kg.stores.kept_answers import KEPT, Table

PTM = "https://w3id.org/ptmkg/ontology#"

#: A paper in two fields whose year is a date, one with a year that is not a number, a
#: reuse with two patterns and two stages, a reuse labelled outside the vocabularies, and
#: the same paper and model reused twice (two instances, different patterns).
EDGE_CASES = f"""
PREFIX ptm: <{PTM}>
PREFIX fabio: <http://purl.org/spar/fabio/>
INSERT DATA {{ GRAPH <urn:edge> {{
  <urn:p1> a ptm:Paper ; ptm:hasField <https://w3id.org/ptmkg/field/28> ,
      <https://w3id.org/ptmkg/field/17> ; fabio:hasPublicationYear "2019-05-01" .
  <urn:p2> a ptm:Paper ; fabio:hasPublicationYear "n.d." .
  <urn:r1> a ptm:ReuseInstance ; ptm:inPaper <urn:p1> ;
      ptm:reusedModel <https://w3id.org/ptmkg/model/bert> ;
      ptm:reusePattern <{PATTERN}adaptation> , <{PATTERN}deployment> ;
      ptm:impactStage <{STAGE}test> , <{STAGE}analysis> .
  <urn:r2> a ptm:ReuseInstance ; ptm:inPaper <urn:p1> ;
      ptm:reusedModel <https://w3id.org/ptmkg/model/bert> ;
      ptm:reusePattern <{PATTERN}conceptual> ; ptm:impactStage <{STAGE}test> .
  <urn:r3> a ptm:ReuseInstance ; ptm:inPaper <urn:p2> ;
      ptm:reusedModel <https://w3id.org/ptmkg/model/resnet-50> ;
      ptm:patternLabel "fine-tuned a bit" ; ptm:stageLabel "writing"@en .
}} }}
"""


def reopened(store: kg.EmbeddedStore) -> kg.EmbeddedStore:
    store.close()
    return kg.EmbeddedStore(store.path)


def test_kept_answers_equal_live_ones_where_the_filters_are_subtle(tmp_path):
    store = build_hand_counted(tmp_path)
    store.update(EDGE_CASES)
    store = reopened(store)
    assert assert_prepared_equals_live(store, list(KEPT)) > 100
    rows = run_query(store, "network-reuse").rows
    # p1's year is read from its date; p2's is not a number: no year, the row stays.
    assert {r["year"] for r in rows if r["paper"] == "urn:p1"} == {2019}
    assert [r["year"] for r in rows if r["paper"] == "urn:p2"] == [None]
    assert {r["pattern_label"] for r in rows if r["paper"] == "urn:p2"} == {"fine-tuned a bit"}
    # pattern=conceptual keeps r2 only: p1's BERT rows with r1's patterns go.
    conceptual = run_query(store, "network-reuse", {"pattern": "conceptual"})
    assert conceptual.answered.startswith("from the rows kept")
    assert {r["reuse_pattern"] for r in conceptual.rows if r["paper"] == "urn:p1"} == {
        PATTERN + "conceptual"
    }
    # stage=analysis keeps r1, with both its patterns and both its stages.
    analysis = run_query(store, "network-reuse", {"stage": "analysis"}).rows
    assert {(r["reuse_pattern"], r["reuse_stage"]) for r in analysis if r["paper"] == "urn:p1"} == {
        (PATTERN + p, STAGE + s) for p in ("adaptation", "deployment") for s in ("test", "analysis")
    }
    # The year filters drop rows without a year.
    assert "urn:p2" not in {
        r["paper"] for r in run_query(store, "network-reuse", {"year_to": 3000}).rows
    }


def test_every_kept_query_is_answered_from_its_rows_with_each_parameter(tmp_path):
    store = build_hand_counted(tmp_path)
    for name, kept in KEPT.items():
        for params in kept_parameter_values(store, name):
            assert run_query(store, name, params).answered.startswith("from the rows kept")
        assert kept.order_keys(), name  # kept in the live query's order


def test_the_rows_are_kept_as_a_table_of_terms_in_the_statistics(tmp_path):
    store = build_hand_counted(tmp_path)
    cells = store.statistics().store
    assert cells is not None
    kept = statistics.kept_rows(cells, "sources")
    assert kept is not None
    table = Table.from_json(kept)
    assert table.columns == run_query(store, "sources", prepared=False).columns
    assert [table.terms[row[0]].value for row in table.rows] == [
        "model-registry",
        "study-a.csv",
        "study-b.csv",
    ]  # type: ignore[union-attr]
    # The triples each graph holds, as the live query counts them.
    live = run_query(store, "sources", prepared=False)
    assert [r["triples"] for r in run_query(store, "sources").rows] == live.column("triples")
    assert all(t > 20 for t in live.column("triples"))


def test_a_several_valued_parameter_is_answered_live(tmp_path):
    store = build_hand_counted(tmp_path)
    # A field given by a name two fields share would be two terms; a model name for
    # papers-reusing-model is not a kept query: use the library's term lists directly.
    from kg.stores.kept_answers import answer

    two = {"pattern": [ox.NamedNode(PATTERN + "adaptation"), ox.NamedNode(PATTERN + "conceptual")]}
    cells = store.statistics().store
    assert cells is not None
    tsv = statistics.kept_rows(cells, "network-reuse")
    assert tsv is not None
    assert answer(KEPT["network-reuse"], tsv, two) is None


def test_rows_whose_order_is_unsure_are_not_kept_and_answered_live(tmp_path):
    """A paper that is a blank node: SPARQL orders blank nodes as the engine likes."""
    store = build_hand_counted(tmp_path)
    store.update(
        f"PREFIX ptm: <{PTM}> INSERT DATA {{ GRAPH <urn:blank> {{ _:paper a ptm:Paper . "
        f"_:reuse ptm:inPaper _:paper ; ptm:reusedModel <https://w3id.org/ptmkg/model/bert> "
        f"}} }}"
    )
    store = reopened(store)
    result = run_query(store, "network-reuse")
    assert result.answered.startswith("live: network-reuse's rows were not kept")
    assert len(result.rows) == len(run_query(store, "network-reuse", prepared=False).rows)
    assert run_query(store, "sources").answered.startswith("from the rows kept")


def test_stale_or_missing_statistics_mean_live_kept_answers(tmp_path):
    store = build_hand_counted(tmp_path)
    generation = store.current_generation()
    assert generation is not None
    assert preparing.wait(generation) is None  # prepared in the background: done
    store.close()
    database = ox.Store(str(generation))  # another tool writes to the published database
    database.add(
        ox.Quad(
            ox.NamedNode("urn:s"),
            ox.NamedNode("urn:p"),
            ox.NamedNode("urn:o"),
            ox.NamedNode("urn:g"),
        )
    )
    del database
    store = kg.EmbeddedStore(store.path)
    result = run_query(store, "sources")
    assert result.answered.startswith("live:") and "stale" in result.answered
    store.close()
    shutil.rmtree(generation / statistics.STATISTICS_FOLDER)
    store = kg.EmbeddedStore(store.path)
    assert run_query(store, "network-nodes").answered.startswith("live: no prepared statistics")
