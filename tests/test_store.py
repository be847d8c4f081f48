"""The embedded store: atomic builds, named graphs per source, repeatable output."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY_GRAPH = "https://w3id.org/ptmkg/ontology"
SOURCE = "https://w3id.org/ptmkg/id/source/"
REGISTRY = SOURCE + "model-registry"

A = "doi,title,year,fields,model,pattern,stages\n10.4000/a1,One,2020,Chemistry,BERT,Adaptation,Test\n"
B = "doi,title,year,fields,model,pattern\n10.4000/b1,Two,2021,Physics and Astronomy,U-Net,Deployment\n"


def quads(store: kg.EmbeddedStore, graph: str | None = None) -> set[str]:
    buffer = io.BytesIO()
    if graph is None:
        store.dump(buffer, ox.RdfFormat.N_QUADS)
    else:
        store.dump(buffer, ox.RdfFormat.N_TRIPLES, graph)
    return set(buffer.getvalue().decode().splitlines())


def papers(store: kg.EmbeddedStore) -> int:
    return kg.stats(store).summary["papers"]


def test_each_source_has_its_own_named_graph_and_the_ontology_its_own(write, build_store):
    store = build_store(write("a.csv", A), write("b.csv", B))
    assert store.named_graphs() == [SOURCE + "a.csv", SOURCE + "b.csv", REGISTRY, ONTOLOGY_GRAPH]


def test_building_twice_gives_the_same_graph(write, tmp_path):
    sources = [write("a.csv", A), write("b.csv", B), REPO / "examples" / "illustrative-corpus.csv"]
    first = kg.EmbeddedStore(tmp_path / "one")
    second = kg.EmbeddedStore(tmp_path / "two")
    kg.build(first, sources, rejects_dir=tmp_path)
    kg.build(second, sources, rejects_dir=tmp_path)
    kg.build(second, sources, rejects_dir=tmp_path)  # and again, on top of itself
    one, two = quads(kg.EmbeddedStore(tmp_path / "one")), quads(kg.EmbeddedStore(tmp_path / "two"))
    assert one == two
    assert not any("_:" in line for line in one)  # no blank nodes: same IRIs, not just isomorphic


def test_reimporting_one_changed_file_changes_only_its_triples(write, tmp_path):
    a, b = write("a.csv", A), write("b.csv", B)
    kg.build(kg.EmbeddedStore(tmp_path / "s"), [a, b], rejects_dir=tmp_path)
    before = kg.EmbeddedStore(tmp_path / "s")
    a_before, ontology_before, b_before = (
        quads(before, SOURCE + "a.csv"),
        quads(before, ONTOLOGY_GRAPH),
        quads(before, SOURCE + "b.csv"),
    )
    b.write_text(B.replace("U-Net", "ResNet-50") + "10.4000/b2,Three,2022,,,\n")
    kg.build(kg.EmbeddedStore(tmp_path / "s"), [b], rejects_dir=tmp_path)
    after = kg.EmbeddedStore(tmp_path / "s")
    assert quads(after, SOURCE + "a.csv") == a_before
    assert quads(after, ONTOLOGY_GRAPH) == ontology_before
    b_after = quads(after, SOURCE + "b.csv")
    assert b_after != b_before
    assert not any("model/unet" in line for line in b_after)
    assert any("model/resnet50" in line for line in b_after)
    assert papers(after) == 3


def test_fresh_starts_from_an_empty_graph(write, tmp_path):
    kg.build(kg.EmbeddedStore(tmp_path / "s"), [write("a.csv", A)], rejects_dir=tmp_path)
    kg.build(
        kg.EmbeddedStore(tmp_path / "s"), [write("b.csv", B)], rejects_dir=tmp_path, fresh=True
    )
    assert kg.EmbeddedStore(tmp_path / "s").named_graphs() == [
        SOURCE + "b.csv",
        REGISTRY,
        ONTOLOGY_GRAPH,
    ]


def test_base_iri_is_used_for_instance_data(write, tmp_path):
    store = kg.EmbeddedStore(None)
    kg.build(
        store, [write("a.csv", A)], base_iri="https://example.org/my-kg/", rejects_dir=tmp_path
    )
    lines = quads(store)
    assert any(line.startswith("<https://example.org/my-kg/paper/10.4000/a1>") for line in lines)
    assert not any("w3id.org/ptmkg/id/" in line for line in lines)
    assert papers(store) == 1


def test_a_reader_keeps_its_snapshot_while_a_build_publishes(write, tmp_path):
    kg.build(kg.EmbeddedStore(tmp_path / "s"), [write("a.csv", A)], rejects_dir=tmp_path)
    reader = kg.EmbeddedStore(tmp_path / "s")
    assert papers(reader) == 1
    kg.build(kg.EmbeddedStore(tmp_path / "s"), [write("b.csv", B)], rejects_dir=tmp_path)
    assert papers(reader) == 1  # the generation it opened is never written again
    assert papers(kg.EmbeddedStore(tmp_path / "s")) == 2


def test_old_generations_are_cleaned_up(write, tmp_path):
    for _ in range(4):
        kg.build(kg.EmbeddedStore(tmp_path / "s"), [write("a.csv", A)], rejects_dir=tmp_path)
    store = tmp_path / "s"
    generations = sorted(
        p.name for p in store.iterdir() if p.is_dir() and p.name.startswith("gen-")
    )
    assert generations == ["gen-000003", "gen-000004"]
    # A lock file of readers may stand beside a kept generation, never beside a removed one.
    locks = sorted(p.name for p in store.glob("gen-*.readers"))
    assert set(locks) <= {"gen-000003.readers", "gen-000004.readers"}
    assert os.readlink(tmp_path / "s" / "current") == "gen-000004"


def test_a_second_build_while_one_writes_is_refused(write, tmp_path):
    store = kg.EmbeddedStore(tmp_path / "s")
    with store.writing(), pytest.raises(kg.StoreInUseError, match="in use by another build"):
        kg.build(kg.EmbeddedStore(tmp_path / "s"), [write("a.csv", A)], rejects_dir=tmp_path)


def test_a_failing_build_leaves_the_previous_graph(write, tmp_path, monkeypatch):
    kg.build(kg.EmbeddedStore(tmp_path / "s"), [write("a.csv", A)], rejects_dir=tmp_path)

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("kg.rdf.triples.SourceGraphWriter.finish", explode)
    with pytest.raises(RuntimeError):
        kg.build(kg.EmbeddedStore(tmp_path / "s"), [write("b.csv", B)], rejects_dir=tmp_path)
    store = kg.EmbeddedStore(tmp_path / "s")
    assert store.named_graphs() == [SOURCE + "a.csv", REGISTRY, ONTOLOGY_GRAPH]
    assert not list((tmp_path / "s").glob("staging-*"))


def test_no_store_yet_is_a_clear_message(tmp_path):
    with pytest.raises(kg.PtmkgError, match=r"no graph in .* yet: run 'ptmkg build"):
        kg.stats(kg.EmbeddedStore(tmp_path / "nothing-here"))


def test_memory_store_writes_nothing_to_disk(write, tmp_path):
    store = kg.EmbeddedStore(None)
    kg.build(store, [write("a.csv", A)], rejects_dir=tmp_path / "rejects")
    assert papers(store) == 1
    # Only the input, and the query-analysis cache every test keeps in its own folder.
    assert sorted(p.name for p in tmp_path.iterdir()) in (["input"], ["cache", "input"])
    assert not list(tmp_path.rglob("*.sst")) and not list(tmp_path.rglob("gen-*"))


def _start_build(source: Path, store: Path, tmp_path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(REPO / "cli.py"),
            "build",
            str(source),
            "--store",
            str(store),
            "--rejects",
            str(tmp_path / "rejects"),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_killing_a_build_part_way_leaves_the_previous_store_answering(write, tmp_path, big_sheet):
    store_path = tmp_path / "s"
    kg.build(kg.EmbeddedStore(store_path), [write("a.csv", A)], rejects_dir=tmp_path)
    big = big_sheet(40_000)
    # Kill once while sources are read, and once while the new generation is being written.
    moments = ["reading", "writing"]
    for moment in moments:
        process = _start_build(big, store_path, tmp_path)
        deadline = time.monotonic() + 120
        if moment == "reading":
            time.sleep(1.0)
        else:
            while not list(store_path.glob("staging-*")) and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(0.2)
        assert process.poll() is None, f"the build ended before it could be killed {moment}"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        store = kg.EmbeddedStore(store_path)
        assert papers(store) == 1, f"killed while {moment}"
        assert store.named_graphs() == [SOURCE + "a.csv", REGISTRY, ONTOLOGY_GRAPH]
        store.close()
    # The next build succeeds, and cleans up what the killed ones left.
    kg.build(kg.EmbeddedStore(store_path), [big], rejects_dir=tmp_path)
    assert papers(kg.EmbeddedStore(store_path)) == 40_001
    assert not list(store_path.glob("staging-*"))
