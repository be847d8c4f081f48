"""Crashes, concurrent use and read-only commands: the store is never lost or half-written."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg
from kg.stores import preparing

REPO = Path(__file__).resolve().parent.parent
FIRST = "doi,title,model,pattern\n10.8000/first,First,BERT,Adaptation\n"


def _ptmkg(*args: object, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), *map(str, args)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _papers(store_path: Path) -> int:
    store = kg.EmbeddedStore(store_path)
    try:
        return kg.stats(store).summary["papers"]
    finally:
        store.close()


@pytest.fixture
def first_store(tmp_path, write) -> Path:
    store = kg.EmbeddedStore(tmp_path / "s")
    kg.build(store, [write("first.csv", FIRST)], rejects_dir=tmp_path)
    # Settled: its statistics, prepared by a process of their own, are written.
    generation = store.current_generation()
    assert generation is not None and preparing.wait(generation) is None
    return tmp_path / "s"


@pytest.mark.slow
def test_builds_killed_at_random_moments_never_harm_the_store(first_store, tmp_path, big_sheet):
    big = big_sheet(30_000)
    moments = random.Random(20261129).sample([x / 10 for x in range(2, 40)], 4)
    for moment in moments:
        process = _ptmkg("build", big, "--store", first_store, "--rejects", tmp_path / "r")
        time.sleep(moment)
        if process.poll() is not None:
            continue  # finished before the kill: nothing to test at this moment
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert _papers(first_store) == 1, f"killed after {moment} s"
        assert kg.validate(kg.EmbeddedStore(first_store)).conforms
    kg.build(kg.EmbeddedStore(first_store), [big], rejects_dir=tmp_path / "r")
    assert _papers(first_store) == 30_001


@pytest.mark.slow
def test_a_query_during_a_build_sees_the_old_graph(first_store, tmp_path, big_sheet):
    big = big_sheet(30_000)
    process = _ptmkg("build", big, "--store", first_store, "--rejects", tmp_path / "r")
    deadline = time.monotonic() + 120
    while not list(first_store.glob("staging-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None
    assert _papers(first_store) == 1  # the build's half-written copy is invisible
    second = _ptmkg("build", big, "--store", first_store, "--rejects", tmp_path / "r2")
    _, error = second.communicate(timeout=120)
    assert second.returncode == 1
    assert "in use by another build" in error and "Traceback" not in error
    assert process.wait(timeout=300) == 0
    assert _papers(first_store) == 30_001


def test_a_generation_being_read_is_not_removed(first_store, tmp_path, write):
    reader = kg.EmbeddedStore(first_store)
    assert kg.stats(reader).summary["papers"] == 1
    for number in range(3):  # each build publishes a generation and cleans up old ones
        kg.build(
            kg.EmbeddedStore(first_store),
            [write(f"more{number}.csv", FIRST.replace("first", f"more{number}"))],
            rejects_dir=tmp_path,
        )
    assert kg.stats(reader).summary["papers"] == 1  # still answering from its generation
    generations = sorted(p.name for p in first_store.glob("gen-*") if p.is_dir())
    assert generations == ["gen-000001", "gen-000003", "gen-000004"]
    reader.close()
    kg.build(
        kg.EmbeddedStore(first_store),
        [write("last.csv", FIRST.replace("first", "last"))],
        rejects_dir=tmp_path,
    )
    assert sorted(p.name for p in first_store.glob("gen-*") if p.is_dir()) == [
        "gen-000004",
        "gen-000005",
    ]


def test_an_unwritable_store_location_is_a_clear_message(cli, tmp_path, write):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("build", write("first.csv", FIRST), "--store", blocker / "store")
    assert result.exit_code == 1
    assert "cannot write the store at" in result.stderr and "Traceback" not in result.output


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    } | {"current": os.readlink(folder / "current")}


def test_read_commands_change_nothing(cli, first_store, tmp_path):
    before = _fingerprint(first_store)
    store = ("--store", first_store)
    for args in (
        ("stats",),
        ("stats", "--json"),
        ("validate",),
        ("dump", "-o", tmp_path / "g.nq"),
        ("queries",),
        ("query", "top-models"),
        ("sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 3"),
        ("sparql", "DELETE WHERE { ?s ?p ?o }"),  # refused without --update
        ("network", "model-field", "-o", tmp_path / "n.graphml"),
        ("report", "-o", tmp_path / "report"),
    ):
        result = cli(*args, *store)
        assert "Traceback" not in result.output, args
    after = _fingerprint(first_store)
    after.pop("gen-000001.readers", None)  # the readers' lock file, empty, may appear
    before.pop("gen-000001.readers", None)
    assert after == before
    assert _papers(first_store) == 1


def test_serve_and_builds_on_one_store_do_not_harm_each_other(first_store, tmp_path, write):
    import json
    import urllib.parse
    import urllib.request

    from servers import free_port, require_program

    from kg.stores.serve import ReadOnlyServer

    require_program("oxigraph", "pip install oxigraph")
    port = free_port()
    query = (
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/ptmkg/ontology#Paper> }"
    )
    url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": query})

    def served() -> int:
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(json.load(answer)["results"]["bindings"][0]["n"]["value"])

    with ReadOnlyServer(kg.EmbeddedStore(first_store), port=port):
        assert served() == 1
        for number in range(3):
            kg.build(
                kg.EmbeddedStore(first_store),
                [write(f"m{number}.csv", FIRST.replace("first", f"m{number}"))],
                rejects_dir=tmp_path,
            )
            assert served() == 1  # the server keeps the graph it started with
        # ...and its files stay on disk while it runs (RocksDB opens files lazily).
        assert (first_store / "gen-000001").is_dir()
        assert _papers(first_store) == 4
    assert kg.validate(kg.EmbeddedStore(first_store)).conforms


@pytest.mark.slow
def test_a_full_disk_is_a_clear_message_and_the_store_survives(
    cli, tiny_disk, tmp_path, write, big_sheet
):
    store = tiny_disk / "store"
    assert cli("build", write("first.csv", FIRST), "--store", store).exit_code == 0
    result = cli("build", big_sheet(40_000), "--store", store, "--rejects", tmp_path / "r")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and "it is unchanged" in result.stderr
    assert "Traceback" not in result.output
    assert _papers(store) == 1
    assert not list(store.glob("staging-*"))


def test_an_unpublished_generation_left_by_a_killed_build_is_cleaned_first(cli, tmp_path, write):
    store = tmp_path / "store"
    assert cli("build", write("first.csv", FIRST), "--store", store).exit_code == 0
    leftover = store / "gen-000002"  # renamed from staging, killed before it was published
    leftover.mkdir()
    (leftover / "left-by-a-killed-build").write_text("")
    result = cli("build", write("second.csv", FIRST), "--store", store)
    assert result.exit_code == 0, result.output
    assert (store / "current").resolve().name == "gen-000002"
    assert not (store / "gen-000002" / "left-by-a-killed-build").exists()
    assert _papers(store) == 1


@pytest.mark.parametrize("command", [["build", "{sheet}"], ["stats"], ["query", "models"]])
def test_a_store_path_that_is_a_file_is_named_as_such(cli, tmp_path, write, command):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("mine\n")
    sheet = write("first.csv", FIRST)
    args = [part.format(sheet=sheet) for part in command]
    result = cli(*args, "--store", not_a_folder)
    assert result.exit_code == 1
    assert "is a file, not a folder" in result.stderr and "File exists" not in result.stderr
    assert not_a_folder.read_text() == "mine\n"
