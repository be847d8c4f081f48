"""Sources a user can manage: list them, show one, drop one, with nothing else touched."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import kg
from kg.query.sources import drop_source, find_source, list_sources

SHEET = (
    "DOI,Title,Year,Fields,Model,Pattern,Stages\n"
    "10.5555/a1,A one,2021,Neuroscience,ResNet-50,adaptation,test\n"
    "10.5555/a2,A two,2022,Chemistry,BERT,deployment,analysis\n"
)
OTHER = (
    "DOI,Title,Year,Fields,Model,Pattern,Stages\n"
    "10.5555/b1,B one,2020,Chemistry,AlphaFold 2,deployment,hypothesis\n"
)


def _papers(store: kg.GraphStore) -> int:
    return int(kg.stats(store).summary["papers"])


def test_list_shows_each_source_with_its_counts(write, build_store) -> None:
    store = build_store(write("first.csv", SHEET), write("second.csv", OTHER))
    sources = {s.name: s for s in list_sources(store)}
    assert set(sources) == {"first.csv", "second.csv", "model-registry"}
    first = sources["first.csv"]
    assert (first.read, first.accepted, first.rejected) == (2, 2, 0)
    assert first.graph.endswith("source/first.csv")
    assert first.sha256 and len(first.sha256) == 64
    # Its triples are what its graph holds, counted independently.
    counted = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{first.graph}> {{ ?s ?p ?o }} }}"
    )
    assert first.triples == int(next(iter(counted))["n"].value)


def test_drop_removes_exactly_one_source(write, build_store) -> None:
    store = build_store(write("first.csv", SHEET), write("second.csv", OTHER))
    assert _papers(store) == 3
    before = store.named_graphs()
    dropped = drop_source(store, "first.csv")
    assert dropped.name == "first.csv"
    assert set(before) - set(store.named_graphs()) == {dropped.graph}
    assert _papers(store) == 1
    assert [s.name for s in list_sources(store)] == ["model-registry", "second.csv"]


def test_unknown_source_suggests_close_names(write, build_store) -> None:
    store = build_store(write("first.csv", SHEET))
    with pytest.raises(kg.PtmkgError, match=r"no source named 'frist.csv'; did you mean first.csv"):
        find_source(store, "frist.csv")


def test_cli_sources_list_show_drop(write, build_store, store_path: Path, cli) -> None:
    build_store(write("first.csv", SHEET), write("second.csv", OTHER))
    listed = cli("sources", "--store", store_path, "--format", "csv")
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [r["name"] for r in rows] == ["first.csv", "model-registry", "second.csv"]
    assert rows[0]["read"] == "2" and rows[2]["accepted"] == "1"
    shown = cli("sources", "show", "second.csv", "--store", store_path)
    assert shown.exit_code == 0, shown.output
    assert "source/second.csv" in shown.stdout and "triples" in shown.stdout
    dropped = cli("sources", "drop", "second.csv", "--store", store_path)
    assert dropped.exit_code == 0, dropped.output
    assert "dropped second.csv" in dropped.stdout
    missing = cli("sources", "drop", "second.csv", "--store", store_path)
    assert missing.exit_code == 1
    assert "no source named 'second.csv'" in missing.output
    assert "Traceback" not in missing.output
