"""A build on an on-disk store loads each source while it still reads it (reading in
Python, one bulk load in Oxigraph on other threads, fed through a pipe); the graph is the
same as a build that reads first, and a failure leaves the published graph unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
import kg.stores.embedded
from kg.synth import write_corpus


def test_streamed_build_equals_the_graph_built_in_memory(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, papers=1_500)
    on_disk, in_memory = kg.EmbeddedStore(tmp_path / "store"), kg.EmbeddedStore(None)
    for store in (on_disk, in_memory):
        kg.build(store, [corpus], rejects_dir=tmp_path / "rejects")
    figures = [kg.run_query(s, "corpus-summary").rows for s in (on_disk, in_memory)]
    assert figures[0] == figures[1]
    assert len(on_disk._store()) == len(in_memory._store())


def test_a_failed_streamed_load_leaves_the_store_unchanged(tmp_path: Path) -> None:
    store = kg.EmbeddedStore(tmp_path / "store")
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, papers=200)
    kg.build(store, [corpus], rejects_dir=tmp_path / "rejects")
    before = kg.run_query(store, "corpus-summary").rows
    with (
        pytest.raises(SyntaxError),
        store.writing() as writer,
        writer.streaming_graph("https://example.org/broken") as out,
    ):
        out.write("<https://example.org/a> <https://example.org/b> .\n")  # no object
    store.close()
    assert kg.run_query(store, "corpus-summary").rows == before
    assert "https://example.org/broken" not in store.named_graphs()


def _quads(store: kg.EmbeddedStore) -> set[str]:
    return {str(q) for q in store._store()}


def _compactions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """(layers, compacted?) of each write transaction that ends."""
    seen: list[tuple[int, bool]] = []
    needs = kg.stores.embedded._OxigraphWriter.needs_compaction.fget

    def spy(writer: kg.stores.embedded._OxigraphWriter) -> bool:
        seen.append((writer.layers, needs(writer)))
        return seen[-1][1]

    monkeypatch.setattr(kg.stores.embedded._OxigraphWriter, "needs_compaction", property(spy))
    return seen


def test_a_build_in_one_slice_is_one_bulk_load_and_needs_no_compaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, papers=300)
    compactions = _compactions(monkeypatch)
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [corpus], rejects_dir=tmp_path / "rejects")
    assert compactions == [(1, False)]  # ontology, registry and source in one load
    # Built again over the graph it replaces: the other graphs are copied into an empty
    # database and the source streamed after them, one load as a fresh build's.
    kg.build(store, [corpus], rejects_dir=tmp_path / "rejects")
    assert compactions[1] == (1, False)
    kg.build(store, [corpus], rejects_dir=tmp_path / "rejects", fresh=True)
    assert compactions[2] == (1, False)


def _built_on_disk_and_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: int
) -> tuple[list[tuple[int, bool]], kg.EmbeddedStore, kg.EmbeddedStore]:
    """A 600-paper corpus built in memory, then on disk with the store's ``settings``:
    the on-disk build's (layers, compacted?) and both stores."""
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, papers=600)
    in_memory = kg.EmbeddedStore(None)
    kg.build(in_memory, [corpus], rejects_dir=tmp_path / "rejects")
    compactions = _compactions(monkeypatch)
    for name, value in settings.items():
        monkeypatch.setattr(kg.stores.embedded, name, value)
    on_disk = kg.EmbeddedStore(tmp_path / "store")
    kg.build(on_disk, [corpus], rejects_dir=tmp_path / "rejects")
    return compactions, on_disk, in_memory


def test_a_build_larger_than_the_pipe_is_still_one_bulk_load_with_the_same_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Written to the loader's pipe in many small chunks (a pipe holds 64 KiB): one load.
    compactions, on_disk, in_memory = _built_on_disk_and_in_memory(
        tmp_path, monkeypatch, PIPE_CHUNK=4096
    )
    assert compactions == [(1, False)]
    assert _quads(on_disk) == _quads(in_memory) and len(_quads(on_disk)) > 10_000


def test_one_bulk_load_of_many_quads_is_compacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader writes each batch as files of their own: above a few million quads they
    overlap enough that reading them is slower until compacted."""
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, papers=300)
    compactions = _compactions(monkeypatch)
    monkeypatch.setattr(kg.stores.embedded, "COMPACT_ABOVE_QUADS", 1_000)
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [corpus], rejects_dir=tmp_path / "rejects")
    assert compactions == [(1, True)]
    assert len(_quads(store)) > 1_000


@pytest.mark.parametrize("compact_above", [100_000_000, 1_000])
def test_a_build_larger_than_one_load_is_loaded_in_turn_and_compacted_by_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compact_above: int
) -> None:
    """The loader's memory grows with what one call loads: a call takes LOAD_QUADS lines,
    the next the lines after while the one before still indexes (two at once), and the
    store is compacted once at the end when the calls loaded more than
    COMPACT_ABOVE_QUADS."""
    calls: list[int] = []
    close = kg.stores.embedded.NQuadsStream.close

    def counting(stream: kg.stores.embedded.NQuadsStream) -> None:
        close(stream)
        calls.append(stream.loaded)

    monkeypatch.setattr(kg.stores.embedded.NQuadsStream, "close", counting)
    compactions, on_disk, in_memory = _built_on_disk_and_in_memory(
        tmp_path, monkeypatch, LOAD_QUADS=2_000, PIPE_CHUNK=4096, COMPACT_ABOVE_QUADS=compact_above
    )
    assert calls and calls[0] > 5  # the calls of one streamed write
    assert compactions == [(1, compact_above < 10_000)]
    assert _quads(on_disk) == _quads(in_memory)


def test_a_loader_that_fails_early_stops_the_writer_instead_of_blocking_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kg.stores.embedded, "PIPE_CHUNK", 1024)
    store = kg.EmbeddedStore(tmp_path / "store")
    line = "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
    with (
        pytest.raises(SyntaxError, match="line 1"),
        store.writing() as writer,
        writer.streaming_graph("https://example.org/broken") as out,
    ):
        out.write("<https://example.org/a> <https://example.org/b> .\n")  # no object
        for _ in range(200_000):  # 15 MB: far more than the pipe holds once the loader stops
            out.write(line)
    assert store.is_empty()


def test_a_source_named_like_the_registry_is_refused_on_disk_as_in_memory(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "model-registry"
    write_corpus(corpus, "jsonl", papers=50)
    on_disk, in_memory = kg.EmbeddedStore(tmp_path / "store"), kg.EmbeddedStore(None)
    for store in (on_disk, in_memory):
        with pytest.raises(kg.PtmkgError, match="kept for ptmkg's own graph"):
            kg.build(store, [corpus], source_format="jsonl", rejects_dir=tmp_path / "rejects")
        assert store.is_empty()
