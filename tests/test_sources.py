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


def _build(store: kg.EmbeddedStore, *paths: Path, tmp_path: Path) -> kg.BuildReport:
    return kg.build(store, list(paths), rejects_dir=tmp_path / "rejects")


def test_a_source_records_its_file_and_that_files_modification_time(write, tmp_path) -> None:
    import datetime
    import os

    sheet = write("first.csv", SHEET)
    os.utime(sheet, (1_700_000_000, 1_700_000_000))  # 2023-11-14 22:13:20 UTC
    store = kg.EmbeddedStore(tmp_path / "store")
    _build(store, sheet, tmp_path=tmp_path)
    info = find_source(store, "first.csv")
    assert info.location == sheet.resolve().as_uri()
    assert info.path == str(sheet.resolve())
    assert datetime.datetime.fromisoformat(info.modified) == datetime.datetime(
        2023, 11, 14, 22, 13, 20, tzinfo=datetime.UTC
    )
    assert kg.validate(store).conforms


def test_two_files_of_one_name_from_different_folders_both_stay(write, tmp_path, cli) -> None:
    first = write("2023/sheet.csv", SHEET)
    second = write("2024/sheet.csv", OTHER)
    store = kg.EmbeddedStore(tmp_path / "store")
    built = _build(store, first, tmp_path=tmp_path)
    assert built.sources[0].name == "sheet.csv" and not built.sources[0].warnings
    again = _build(store, second, tmp_path=tmp_path)
    assert again.sources[0].name == "2024/sheet.csv"
    assert again.sources[0].warnings == [
        f"the source 'sheet.csv' was built from {first.resolve()}, a different file: {second} "
        f"is kept beside it as '2024/sheet.csv' ('ptmkg sources drop sheet.csv' removes the other)"
    ]
    assert _papers(store) == 3
    by_name = {s.name: s.path for s in list_sources(store)}
    assert by_name["sheet.csv"] == str(first.resolve())
    assert by_name["2024/sheet.csv"] == str(second.resolve())
    # Each file, built again, replaces its own source only, and says nothing.
    for path, name in ((second, "2024/sheet.csv"), (first, "sheet.csv")):
        rebuilt = _build(store, path, tmp_path=tmp_path)
        assert (rebuilt.sources[0].name, rebuilt.sources[0].warnings) == (name, [])
        assert _papers(store) == 3
    assert sorted(s.name for s in list_sources(store)) == [
        "2024/sheet.csv", "model-registry", "sheet.csv",
    ]  # fmt: skip
    # Given together, files of one name are named by the folders that tell them apart.
    cards = [
        write(f"cards/{model}/README.md", "---\nlicense: mit\n---\n# A model\n")
        for model in ("bert", "gpt2")
    ]
    fresh = kg.EmbeddedStore(tmp_path / "cards-store")
    assert [s.name for s in _build(fresh, *cards, tmp_path=tmp_path).sources] == [
        "bert/README.md", "gpt2/README.md",
    ]  # fmt: skip
    # On the command line the warning names both files.
    third = write("2025/sheet.csv", OTHER)
    shown = cli("build", third, "--store", tmp_path / "store")
    assert shown.exit_code == 0, shown.output
    warning = " ".join(shown.stderr.split())
    assert f"warning: the source 'sheet.csv' was built from {first.resolve()}" in warning
    assert "is kept beside it as '2025/sheet.csv'" in warning


def test_a_moved_file_replaces_its_source_with_a_warning(write, tmp_path) -> None:
    before = write("old/sheet.csv", SHEET)
    store = kg.EmbeddedStore(tmp_path / "store")
    _build(store, before, tmp_path=tmp_path)
    after = tmp_path / "new" / "sheet.csv"
    after.parent.mkdir()
    before.rename(after)
    moved = _build(store, after, tmp_path=tmp_path)
    assert moved.sources[0].name == "sheet.csv"
    assert moved.sources[0].warnings == [
        f"{after} replaces the source 'sheet.csv', built from {before.resolve()}, which is no "
        f"longer there"
    ]
    assert [s.path for s in list_sources(store) if s.name == "sheet.csv"] == [str(after.resolve())]
    assert _papers(store) == 2


def test_a_source_built_without_a_recorded_file_is_replaced_with_a_warning(write, tmp_path) -> None:
    store = kg.EmbeddedStore(tmp_path / "store")
    _build(store, write("a/sheet.csv", SHEET), tmp_path=tmp_path)
    # A graph built before sources recorded their files.
    store.update(
        "PREFIX prov: <http://www.w3.org/ns/prov#> DELETE WHERE { GRAPH ?g { ?s prov:atLocation ?o } }"
    )
    replaced = _build(store, write("b/sheet.csv", OTHER), tmp_path=tmp_path)
    assert replaced.sources[0].name == "sheet.csv"
    assert (
        "built by an earlier ptmkg that did not record the file" in replaced.sources[0].warnings[0]
    )
    assert _papers(store) == 1
