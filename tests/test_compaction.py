"""A large build is compacted after it is published: its background process compacts a
copy (the published generation is never written) and publishes it as the next
generation, with the statistics resealed for its files, unless the store moved on.

The thresholds are lowered here so that the hand-counted corpus counts as large."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from hand_counted import build_hand_counted

import kg
from kg.query.named import run_query
from kg.stores import embedded, preparing, statistics

QUERIES = ("top-models", "papers-by-field", "network-reuse", "sources", "reuse-by-stage")


@pytest.fixture
def large(monkeypatch):
    """Every bulk-loaded build counts as large: compacted in the background. Its loads
    are small, so that they leave many overlapping files as a large build's do."""
    monkeypatch.setattr(embedded, "FIRST_LOAD_QUADS", 50)
    monkeypatch.setattr(embedded, "LOAD_QUADS", 200)
    monkeypatch.setattr(embedded, "COMPACT_ABOVE_QUADS", 0)
    monkeypatch.setattr(embedded, "BACKGROUND_COMPACTION_QUADS", 0)


def _answers(store: kg.EmbeddedStore) -> dict[str, list[dict]]:
    found = {}
    for name in QUERIES:
        result = run_query(store, name)
        found[name] = result.rows
        assert not result.answered.startswith("live"), (name, result.answered)
    return found


def _sst_files(generation: Path) -> list[str]:
    return sorted(p.name for p in generation.iterdir() if p.suffix == ".sst")


def test_a_large_build_is_compacted_after_it_is_published(tmp_path, large):
    store = build_hand_counted(tmp_path)
    published = store.current_generation()
    assert published is not None and published.name == "gen-000001"
    loaded_files = _sst_files(published)
    # (Not read here: a reader would keep the generation from being removed.)
    in_memory = kg.EmbeddedStore(None)
    kg.build(in_memory, [tmp_path / "study-a.csv", tmp_path / "study-b.csv"])
    before = _answers(in_memory)

    assert preparing.wait(published) is None
    preparing.wait_compacted(published)
    store = kg.EmbeddedStore(tmp_path / "store")
    compacted = store.current_generation()
    assert compacted is not None and compacted.name == "gen-000002"
    # The uncompacted generation is removed once no reader holds it; nothing else is left.
    assert not published.exists()
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [
        "current",
        "gen-000002",
        "lock",
    ]
    assert _sst_files(compacted) != loaded_files
    assert len(_sst_files(compacted)) < len(loaded_files)
    # The same graph, the same answers, from its own fresh statistics.
    assert store.statistics().reason.endswith(", fresh")
    assert _answers(store) == before
    assert run_query(store, "top-models").answered.startswith("from the prepared statistics")
    # The statistics were resealed for the copy's files, not prepared again.
    cells = ox.Store.read_only(str(compacted / statistics.STATISTICS_FOLDER))
    recorded, _answered, _layout = statistics.describe(cells)
    del cells
    assert recorded == statistics.database_fingerprint(compacted)
    store.close()


def test_a_reader_of_the_uncompacted_generation_keeps_it(tmp_path, large):
    store = build_hand_counted(tmp_path)
    published = store.current_generation()
    assert published is not None
    before = _answers(store)  # holds the generation open, as a long query or 'serve' does
    preparing.wait_compacted(published)
    assert kg.EmbeddedStore(tmp_path / "store").current_generation().name == "gen-000002"
    assert published.is_dir()  # still read here
    assert _answers(store) == before
    store.close()
    # The next build removes it.
    kg.build(kg.EmbeddedStore(tmp_path / "store"), [tmp_path / "study-a.csv"])
    assert not published.exists()


def test_a_compaction_gives_way_to_a_build_that_holds_the_store(tmp_path, large, monkeypatch):
    monkeypatch.setattr(embedded, "LOCK_WAIT_SECONDS", 0.2)  # in this process only
    store = build_hand_counted(tmp_path)
    published = store.current_generation()
    assert published is not None
    # A build holds the store (here the test, before the compaction can be done: its
    # process first prepares the statistics, then copies and compacts).
    with (tmp_path / "store" / "lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        preparing.wait_compacted(published)
    # The copy was dropped: the store still reads the generation the build published.
    assert kg.EmbeddedStore(tmp_path / "store").current_generation() == published
    assert not list((tmp_path / "store").glob(f"{preparing.COMPACTING}*"))
    assert not list((tmp_path / "store").glob("gen-000002*"))
    assert _answers(kg.EmbeddedStore(tmp_path / "store"))


def test_a_killed_compaction_leaves_nothing_the_next_build_keeps(tmp_path, large):
    store = build_hand_counted(tmp_path)
    published = store.current_generation()
    assert published is not None
    preparing.wait_compacted(published)
    # What a compaction killed half-way leaves: its copy, named by its process.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    leftover = tmp_path / "store" / f"{preparing.COMPACTING}{dead}"
    leftover.mkdir()
    (leftover / "000001.sst").write_bytes(b"half")
    live = tmp_path / "store" / f"{preparing.COMPACTING}{os.getpid()}"
    live.mkdir()  # a compaction still at work (this process is alive): left alone
    kg.build(kg.EmbeddedStore(tmp_path / "store"), [tmp_path / "study-a.csv"])
    assert not leftover.exists()
    assert live.is_dir()


def test_a_build_without_a_background_process_compacts_before_publishing(
    tmp_path, large, monkeypatch
):
    monkeypatch.setattr(preparing, "start", lambda generation, compact=False: False)
    compacted = []
    real = preparing.compact_here
    monkeypatch.setattr(
        preparing,
        "compact_here",
        lambda generation: compacted.append(generation) or real(generation),
    )
    store = build_hand_counted(tmp_path)
    generation = store.current_generation()
    assert generation is not None and generation.name == "gen-000001"
    assert compacted == [generation]
    assert store.statistics().reason.endswith(", fresh")
    assert run_query(store, "top-models").answered.startswith("from the prepared statistics")


def test_a_small_build_is_compacted_before_it_is_published(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "COMPACT_ABOVE_QUADS", 0)  # compacted, but small
    store = build_hand_counted(tmp_path)
    generation = store.current_generation()
    assert generation is not None
    assert not (generation / preparing.COMPACTION_LOCK).exists()
    preparing.wait_compacted(generation)  # nothing to wait for
    assert store.current_generation() == generation


def test_a_build_waits_for_a_compaction_publishing_but_not_for_another_build(tmp_path):
    store = build_hand_counted(tmp_path)
    preparing.wait(store.current_generation())
    store.close()
    source = tmp_path / "study-a.csv"
    with (tmp_path / "store" / "lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Another build holds the store: the message at once.
        with pytest.raises(kg.StoreInUseError, match="in use by another build"):
            kg.build(kg.EmbeddedStore(tmp_path / "store"), [source])
        # A compaction publishing its copy says so in the lock file: a build waits for it.
        lock.write(f"compaction {os.getpid()}\n")
        lock.flush()
        released = threading.Timer(0.5, fcntl.flock, (lock, fcntl.LOCK_UN))
        released.start()
        report = kg.build(kg.EmbeddedStore(tmp_path / "store"), [source])
        released.join()
    assert report.sources[0].accepted > 0
    assert kg.EmbeddedStore(tmp_path / "store").current_generation().name == "gen-000002"
