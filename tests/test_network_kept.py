"""Networks from kept rows: built from the kept answers' matrices of term positions
(``run_query(..., positions=True)``), they equal the networks built from the live rows,
node for node, edge for edge, attribute for attribute (in order), byte for byte in
GraphML; and the GraphML writer's column-by-column path writes what networkx writes."""

from __future__ import annotations

import io

import networkx as nx
import numpy as np
import pyoxigraph as ox
import pytest
from hand_counted import build_hand_counted
from network_corpus import synthetic_store
from test_kept_answers import EDGE_CASES, reopened

import kg
from kg.networks import graph as networks
from kg.networks.formats import render_network
from kg.networks.graph import NETWORK_KINDS, ReuseRows, writable
from kg.query.named import run_query
from kg.query.results import QueryResult
from kg.stores.kept_answers import Table

#: Each kind with each of its links, and filters that keep part of the rows.
CASES = [
    (kind, via if len(NETWORK_KINDS[kind].vias) > 1 else None)
    for kind in NETWORK_KINDS
    for via in NETWORK_KINDS[kind].vias
]
FILTERS = [
    {},
    {"min_weight": 2},
    {"top": 4},
    {"pattern": "adaptation"},
    {"stage": "test", "min_weight": 1},
    {"year_from": 2019},
]


def live(monkeypatch) -> None:
    """Networks read their rows live from here on (no kept rows, no positions)."""

    def answered_live(store, name, parameters=None, **options):
        options.pop("positions", None)
        return run_query(store, name, parameters, prepared=False, **options)

    monkeypatch.setattr(networks, "run_query", answered_live)


def described(graph: nx.Graph) -> tuple:
    """Everything about a network that its files show, in order."""
    return (
        dict(graph.graph),
        [(node, list(data.items())) for node, data in graph.nodes(data=True)],
        [(a, b, list(data.items())) for a, b, data in graph.edges(data=True)],
        [(node, list(graph.adj[node])) for node in graph],
        render_network(graph, "graphml"),
    )


def networks_of(store: kg.EmbeddedStore) -> list[tuple]:
    return [
        described(kg.network(store, kind, via=via, **filters))
        for kind, via in CASES
        for filters in FILTERS
    ]


def assert_kept_equals_live(store: kg.EmbeddedStore, monkeypatch) -> int:
    assert run_query(store, "network-reuse").answered.startswith("from the rows kept")
    kept = networks_of(store)
    with monkeypatch.context() as patched:
        live(patched)
        assert run_query(store, "network-reuse").answered.startswith("from the rows kept")
        assert networks.run_query(store, "network-reuse").answered.startswith("live")
        answered_live = networks_of(store)
    for one, other in zip(kept, answered_live, strict=True):
        assert one == other
    return sum(len(n[2]) for n in kept)


@pytest.mark.slow  # seconds: builds a store
def test_networks_from_kept_rows_equal_those_from_live_rows(tmp_path, monkeypatch):
    store = build_hand_counted(tmp_path)
    store.update(EDGE_CASES)  # two fields, odd years, two patterns, labels outside ...
    store = reopened(store)
    assert assert_kept_equals_live(store, monkeypatch) > 50


@pytest.mark.slow
def test_networks_from_kept_rows_equal_live_ones_on_a_synthetic_corpus(tmp_path, monkeypatch):
    store = synthetic_store(tmp_path, papers=3_000)
    assert assert_kept_equals_live(store, monkeypatch) > 1_000


@pytest.mark.slow  # seconds: builds a store
def test_a_network_from_stale_statistics_is_built_from_live_rows(tmp_path, monkeypatch):
    store = build_hand_counted(tmp_path)
    expected = networks_of(store)
    generation = store.current_generation()
    assert generation is not None
    store.close()
    database = ox.Store(str(generation))  # another tool writes to the published database
    database.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    database.flush()
    del database
    store = kg.EmbeddedStore(store.path)
    assert run_query(store, "network-reuse").answered.startswith("live")
    assert networks_of(store) == expected


@pytest.mark.slow  # seconds: builds a store
def test_reuse_rows_out_of_order_are_grouped_as_sorted_ones(tmp_path):
    store = build_hand_counted(tmp_path)
    rows = run_query(store, "network-reuse").rows
    in_order, shuffled = ReuseRows.from_rows(rows), ReuseRows.from_rows(rows[::-1])
    for kind, via in CASES:
        chosen = NETWORK_KINDS[kind]
        one, other = chosen.build(in_order, via or chosen.vias[0]), None
        other = chosen.build(shuffled, via or chosen.vias[0])
        assert list(one.nodes(data=True)) == list(other.nodes(data=True))
        assert list(one.edges(data=True)) == list(other.edges(data=True))


@pytest.mark.slow  # seconds: builds a store
def test_kept_answers_give_positions_and_no_dicts_when_asked(tmp_path):
    store = build_hand_counted(tmp_path)
    full = run_query(store, "network-reuse")
    bare = run_query(store, "network-reuse", positions=True)
    assert bare.rows == [] and bare.terms == [] and bare.positions is not None
    assert len(bare.positions.rows) == len(full.rows)
    # The rows of terms of a kept answer are made when read, and equal the live ones.
    live_answer = run_query(store, "network-reuse", prepared=False)
    assert full.terms == live_answer.terms and full == live_answer
    assert QueryResult(["x"], [{"x": 1}]).terms == []


X = "http://www.w3.org/2001/XMLSchema#"


def test_kept_tables_keep_every_kind_of_term_and_read_the_older_form():
    inner = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o"))
    terms = [
        None,
        ox.NamedNode("urn:a"),
        ox.NamedNode("https://example.org/é?q=1"),
        ox.BlankNode("b1"),
        ox.Literal("x"),
        ox.Literal(""),
        ox.Literal('tab\there "quoted"\nline'),
        ox.Literal("hello", language="en-GB"),
        ox.Literal("1", datatype=ox.NamedNode(X + "integer")),
        ox.Literal("2019-05-01", datatype=ox.NamedNode(X + "date")),
        inner,
        ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), inner),
    ]
    table = Table(["a", "b"], terms, np.arange(12, dtype=np.int32).reshape(6, 2))
    again = Table.from_json(table.to_json())
    assert again.terms == terms and again.columns == table.columns
    assert (again.rows == table.rows).all()
    # Stores written before the terms were kept as cells keep their TSV texts.
    older = '{"columns": ["a"], "terms": ["", "<urn:a>", "\\"x\\"@en"], "rows": "AAAAAAEAAAACAAAA"}'
    assert Table.from_json(older).terms == [
        None,
        ox.NamedNode("urn:a"),
        ox.Literal("x", language="en"),
    ]


def networkx_graphml(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml_xml(writable(graph), buffer)
    return buffer.getvalue()


def test_graphml_columns_of_mixed_values_are_written_as_networkx_writes_them():
    graph = nx.Graph(name="mixed", count=3, empty="", nothing=None)
    # Runs of nodes with the same attribute names, a column with several types, None
    # among values, empty texts and lists, sets, tuples, numpy numbers, escapes.
    graph.add_node("a", type="model", label="A & <b>", weight=1, tags=["x", "y"], flag=True)
    graph.add_node("b", type="model", label="", weight=2.5, tags=[], flag=False)
    graph.add_node("c", type="model", label=None, weight=np.int64(3), tags=("t", 1), flag=None)
    graph.add_node('d "q"\t', type="field", spellings={"z", "a"}, share=0.25)
    graph.add_node("e", type="field", spellings=frozenset(), share=np.float64(0.5))
    graph.add_node("f", nothing=None)
    graph.add_node("g")
    graph.add_node("h", type="model", label="H", weight=4, tags=["only"], flag=True)
    graph.add_edge("a", "b", weight=1, kind="x")
    graph.add_edge("b", "c", weight=2, kind=None)
    graph.add_edge("c", "a", weight=3, kind="")
    graph.add_edge("a", "a", weight=4, kind="loop")
    graph.add_edge("e", 'd "q"\t', weight=5, kind="é — ünïcode \u2028")
    graph.add_edge("g", "h")
    assert render_network(graph, "graphml") == networkx_graphml(graph)
    for _, data in graph.nodes(data=True):
        data.pop("label", None)
    assert render_network(graph, "graphml") == networkx_graphml(graph)
    assert render_network(nx.Graph(), "graphml") == networkx_graphml(nx.Graph())
    unwritable = nx.Graph()
    unwritable.add_node("a", value={"a": 1})
    with pytest.raises(nx.NetworkXError):
        render_network(unwritable, "graphml")
