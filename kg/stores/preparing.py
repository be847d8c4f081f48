"""Preparing a published generation's statistics in a process of its own.

A build is queryable once its generation is published; the prepared statistics and kept
answers (:mod:`kg.stores.statistics`) need the finished database and cost a third of a
build (46 s of 258 s at a million papers). So a build publishes first and hands the
statistics to a background process, which opens the generation read-only, computes them
into ``<generation>/ptmkg-statistics.preparing`` and renames that folder to
``ptmkg-statistics`` only when they are complete and sealed: a reader sees whole
statistics or none.

While the process works it holds an exclusive lock on ``<generation>/ptmkg-statistics.lock``
(taken by the build before it publishes, so no reader ever finds the generation with
neither statistics nor a lock held). A reader that needs the statistics waits for that
lock (:func:`wait`): the counts come sooner than the live query would at a million papers
(46 s against 87 s for ``papers-by-field``), and every other query answers at once. If the
process fails, it leaves the reason in ``ptmkg-statistics.error`` and queries answer live,
saying why; if it is killed, the lock goes with it and queries answer live.

    python -m kg.stores.preparing GENERATION LOCK_FD     (what a build starts, detached)
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kg.stores import statistics as prepared

#: What the build starts: fork, the first process exits, the second runs :func:`main`.
_DETACHED = (
    "import os, sys\n"
    "if os.fork():\n"
    "    os._exit(0)\n"
    "from kg.stores.preparing import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
LOCK = "ptmkg-statistics.lock"
ERROR = "ptmkg-statistics.error"
PREPARING = "ptmkg-statistics.preparing"


def start(generation: Path) -> bool:
    """Start preparing ``generation``'s statistics in the background; False if no process
    could be started (the caller then prepares them itself)."""
    lock = os.open(generation / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the child inherits it with the descriptor
        # The child forks before it imports anything and its first process exits at once:
        # waited for here, so no process is left for this one to reap, while the second
        # (adopted by init) prepares the statistics.
        subprocess.run(
            [sys.executable, "-c", _DETACHED, str(generation), str(lock)],
            pass_fds=(lock,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the build's terminal does not stop it
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False
    finally:
        os.close(lock)  # the lock stays held by the child's copy of the descriptor
    return True


def wait(generation: Path) -> str | None:
    """Wait until no process prepares ``generation``'s statistics; why there are none if
    their preparation failed, else None."""
    try:
        lock = os.open(generation / LOCK, os.O_RDONLY)
    except OSError:
        return None  # prepared by the build itself, or before this version
    try:
        fcntl.flock(lock, fcntl.LOCK_SH)
    finally:
        os.close(lock)
    try:
        failure = (generation / ERROR).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return f"their preparation failed ({failure})" if failure else None


def preparing(generation: Path) -> bool:
    """Whether a process is preparing ``generation``'s statistics now."""
    try:
        lock = os.open(generation / LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(lock)
    return False


def prepare_here(generation: Path) -> None:
    """Prepare ``generation``'s statistics in this process (the background process's work,
    or the build's when no process could be started)."""
    started = time.perf_counter()
    scratch = generation / PREPARING
    shutil.rmtree(scratch, ignore_errors=True)
    fingerprint = prepared.database_fingerprint(generation)
    database = ox.Store.read_only(str(generation))
    statistics = prepared.prepare(database, scratch)
    del database
    # Recorded for the benchmark (statistics.cost): what preparing them cost.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    prepared.record_cost(statistics, time.perf_counter() - started, peak)
    prepared.seal(statistics, fingerprint)
    del statistics
    gc.collect()  # closed (its lock released) before readers may open it
    os.rename(scratch, generation / prepared.STATISTICS_FOLDER)


def main(argv: list[str]) -> int:
    generation = Path(argv[0])
    lock = int(argv[1])
    # The generation stays on disk while it is read (see EmbeddedStore.hold_generation).
    readers = (generation.parent / f"{generation.name}.readers").open("a+")
    fcntl.flock(readers, fcntl.LOCK_SH)
    try:
        prepare_here(generation)
    except BaseException as exc:  # left for readers: they answer live and say why
        shutil.rmtree(generation / PREPARING, ignore_errors=True)
        with contextlib.suppress(OSError):
            (generation / ERROR).write_text(f"{type(exc).__name__}: {exc}\n", encoding="utf-8")
        return 1
    finally:
        readers.close()
        os.close(lock)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
