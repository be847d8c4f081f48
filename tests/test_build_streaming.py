"""A build on an on-disk store loads each source while it still reads it (two cores, one
reading in Python, one bulk-loading in Oxigraph); the graph is the same as a build that
reads first, and a failure leaves the published graph unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
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
