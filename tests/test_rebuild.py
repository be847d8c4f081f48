"""Rebuilding a source in place: exactly its graph changes, whichever way the store
takes (a new database holding the kept graphs when the rebuilt source is most of the
store, a copy with the old graph removed when it is a small part)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import kg
import kg.query.sources
from kg.stores import embedded

HEADER = "DOI,Title,Year,Fields,Model,Pattern,Stages\n"


def _sheet(prefix: str, papers: int, title: str = "Paper") -> str:
    return HEADER + "".join(
        f"10.5555/{prefix}.{n},{title} {n},2021,Neuroscience,ResNet-50,adaptation,test\n"
        for n in range(papers)
    )


def _graph_quads(store: kg.EmbeddedStore, graph: str) -> set[str]:
    found = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(found, ox.QuerySolutions)
    return {f"{s['s']} {s['p']} {s['o']}" for s in found}


@pytest.mark.parametrize("big_first", [True, False])
def test_rebuilding_one_source_changes_only_its_graph(
    write, tmp_path, monkeypatch, big_first: bool
) -> None:
    ways: list[bool] = []
    real = embedded._rewriting_is_cheaper

    def spy(source, replacing):
        ways.append(real(source, replacing))
        return ways[-1]

    monkeypatch.setattr(embedded, "_rewriting_is_cheaper", spy)
    # Big enough that the graphs every build replaces (ontology, registry) stay a small part.
    big, small = write("big.csv", _sheet("big", 2000)), write("small.csv", _sheet("small", 5))
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [big, small], rejects_dir=tmp_path / "rejects")
    store.update("INSERT DATA { <urn:note> <urn:says> 'kept in the default graph' }")
    graphs = {s.name: s.graph for s in kg.query.sources.list_sources(store)}
    before_small = _graph_quads(store, graphs["small.csv"])
    before_big = _graph_quads(store, graphs["big.csv"])
    rebuilt, other, before_other = (
        (big, graphs["small.csv"], before_small)
        if big_first
        else (small, graphs["big.csv"], before_big)
    )
    rebuilt.write_text(
        _sheet("big" if big_first else "small", 2000 if big_first else 5, title="Renamed"),
        encoding="utf-8",
    )
    kg.build(store, [rebuilt], rejects_dir=tmp_path / "rejects")
    # The way taken: a new database when the rebuilt source is most of the store.
    assert ways[-1] is big_first
    assert _graph_quads(store, other) == before_other
    titles = store.query(
        f"SELECT ?t WHERE {{ GRAPH <{graphs[rebuilt.name]}> "
        "{ ?p <http://purl.org/dc/terms/title> ?t FILTER(STRSTARTS(STR(?t), 'Paper')) } }"
    )
    assert list(titles) == []  # nothing of the old version is left
    kept = store.query("ASK { <urn:note> <urn:says> 'kept in the default graph' }")
    assert bool(kept)
    assert kg.stats(store).summary["papers"] == 2005
    assert kg.validate(store).conforms


def test_the_cost_rule_weighs_removed_against_kept_quads(write, tmp_path) -> None:
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [write("big.csv", _sheet("big", 200)), write("small.csv", _sheet("s", 2))])
    database = ox.Store.read_only(str(store.current_generation()))
    big = kg.IriMinter().source("big.csv")
    small = kg.IriMinter().source("small.csv")
    assert embedded._rewriting_is_cheaper(database, frozenset({big}))
    assert not embedded._rewriting_is_cheaper(database, frozenset({small}))
    assert not embedded._rewriting_is_cheaper(database, frozenset())
    assert not embedded._rewriting_is_cheaper(database, frozenset({"urn:absent"}))
