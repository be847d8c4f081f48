"""Statistics prepared in the background: a build publishes its graph, then a process of
its own prepares the statistics; readers that need them wait for it, and a preparation
that fails is reported, never served."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
from hand_counted import build_hand_counted

import kg
from kg.query.named import run_query
from kg.stores import preparing, statistics


def test_a_build_leaves_the_statistics_to_a_process_of_their_own(tmp_path):
    store = build_hand_counted(tmp_path)
    generation = store.current_generation()
    assert generation is not None
    assert preparing.wait(generation) is None
    assert not preparing.preparing(generation)
    folder = generation / statistics.STATISTICS_FOLDER
    assert folder.is_dir() and not (generation / preparing.PREPARING).exists()
    cells = ox.Store.read_only(str(folder))
    cost = statistics.cost(cells)
    # Only a background preparation records its own wall time and memory.
    assert cost["preparationSeconds"] >= cost["seconds"] > 0
    assert 20 < cost["peakMemoryMiB"] < 4096
    del cells
    assert run_query(store, "top-models").answered.startswith("from the prepared statistics")
    # The process was detached: none is left for this one to reap.
    assert not [pid for pid in _children() if _state(pid) == "Z"]


def _children() -> list[int]:
    me = os.getpid()
    return [int(pid) for pid in Path(f"/proc/{me}/task/{me}/children").read_text().split()]


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    return stat.rsplit(")", 1)[1].split()[0]


def _built(tmp_path: Path) -> tuple[kg.EmbeddedStore, Path]:
    """A built store (closed) once its statistics are prepared, and its generation."""
    store = build_hand_counted(tmp_path)
    generation = store.current_generation()
    assert generation is not None
    assert preparing.wait(generation) is None
    store.close()
    return store, generation


def test_a_reader_waits_for_statistics_being_prepared(tmp_path):
    store, generation = _built(tmp_path)
    shutil.rmtree(generation / statistics.STATISTICS_FOLDER)
    # A preparation under way: its lock is held (here by the test, as a build's child holds it).
    lock = os.open(generation / preparing.LOCK, os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)
    answers: list[str] = []
    reader = threading.Thread(
        target=lambda: answers.append(
            run_query(kg.EmbeddedStore(store.path), "pattern-by-field").answered
        )
    )
    reader.start()
    time.sleep(0.5)
    assert reader.is_alive() and not answers  # waiting, not answering live meanwhile
    assert preparing.preparing(generation)
    preparing.prepare_here(generation)
    fcntl.flock(lock, fcntl.LOCK_UN)
    os.close(lock)
    reader.join(timeout=60)
    assert answers and answers[0].startswith("from the prepared statistics"), answers


def _unprepared(tmp_path: Path) -> tuple[kg.EmbeddedStore, Path, list[dict]]:
    """A built store (closed) whose statistics were removed, and pattern-by-field's rows."""
    store, generation = _built(tmp_path)
    expected = run_query(store, "pattern-by-field").rows
    store.close()
    shutil.rmtree(generation / statistics.STATISTICS_FOLDER)
    return store, generation, expected


def test_a_failed_preparation_is_reported_and_the_queries_answer_live(tmp_path):
    store, generation, expected = _unprepared(tmp_path)
    # The preparing process itself, run on a generation whose database it cannot open.
    (generation / "CURRENT").rename(generation / "CURRENT.moved")
    done = _run_preparation(generation)
    assert done.returncode == 1 and done.stderr == ""
    assert not (generation / statistics.STATISTICS_FOLDER).exists()
    assert not (generation / preparing.PREPARING).exists()
    (generation / "CURRENT.moved").rename(generation / "CURRENT")
    result = run_query(kg.EmbeddedStore(store.path), "pattern-by-field")
    assert result.answered.startswith("live: no prepared statistics for")
    assert "their preparation failed (FileNotFoundError: IO error" in result.answered
    assert "CURRENT: No such file" in result.answered
    assert result.rows == expected


def _run_preparation(generation: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    lock = os.open(generation / preparing.LOCK, os.O_RDWR)
    try:
        return subprocess.run(
            [sys.executable, "-m", "kg.stores.preparing", str(generation), str(lock), *extra],
            pass_fds=(lock,),
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.close(lock)


def test_a_preparation_past_its_memory_is_stopped_and_the_reason_kept(tmp_path):
    store, generation, expected = _unprepared(tmp_path)
    # What a build allows: a few GiB beside twice the database.
    assert 2 << 30 < preparing.memory_limit(generation) < 3 << 30
    done = _run_preparation(generation, str(generation.stat().st_ino), str(1 << 20))
    assert done.returncode == 4 and done.stderr == ""
    assert not (generation / statistics.STATISTICS_FOLDER).exists()
    assert not (generation / preparing.PREPARING).exists()
    reason = (generation / preparing.ERROR).read_text(encoding="utf-8")
    assert reason.startswith("MemoryError: the preparation held ")
    assert reason.strip().endswith("more than the 1 MiB its database allows")
    result = run_query(kg.EmbeddedStore(store.path), "pattern-by-field")
    assert "their preparation failed (MemoryError" in result.answered
    assert result.rows == expected


def test_a_preparation_whose_store_was_replaced_leaves_the_new_one_alone(tmp_path):
    _store, generation = _built(tmp_path)
    published = generation.stat().st_ino
    # The store removed and another folder made in its place before the preparation ran.
    moved = generation.with_name("moved")
    generation.rename(moved)
    generation.mkdir()
    (generation / preparing.LOCK).touch()
    done = _run_preparation(generation, str(published))
    assert done.returncode == 3 and done.stderr == ""
    assert sorted(p.name for p in generation.iterdir()) == [preparing.LOCK]
    shutil.rmtree(generation)
    done = subprocess.run(
        [sys.executable, "-m", "kg.stores.preparing", str(generation), "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3 and done.stderr == "" and not generation.exists()
