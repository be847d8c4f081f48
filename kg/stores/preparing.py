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

A guard thread stops the process if its memory passes what its database allows
(:func:`memory_limit`) or its generation is removed under it.

A large build whose loads left overlapping files (kg.stores.embedded) is also compacted
here rather than in the build: 31 s of a 131 s build at a million papers. A published
generation is never written, so the process compacts a copy of it (hard links to its
files, :meth:`pyoxigraph.Store.backup`), copies the statistics beside it, resealed for
its files, and publishes the copy as the next generation, under the store's lock and
only while the generation it copied is still the current one: a build that started
meanwhile writes a newer graph, and the copy is dropped. Until then queries read the
uncompacted generation, whole and correct, only slower. :func:`wait_compacted` waits for
it (under ``<generation>/ptmkg-compaction.lock``, which the build takes before it
publishes, as it does the statistics' lock).

    python -m kg.stores.preparing GENERATION LOCK_FD [INODE [MEMORY_LIMIT_BYTES]]
        (what a build starts, detached, with the published generation's inode; with
        ``--compact COMPACTION_LOCK_FD`` it also compacts, given
        kg.stores.embedded.compact_successor, as the build's detached script does)
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
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.stores import statistics as prepared

#: What the build starts: fork, the first process exits, the second runs :func:`main`.
_DETACHED = (
    "import os, sys\n"
    "if os.fork():\n"
    "    os._exit(0)\n"
    "from kg.stores.embedded import compact_successor\n"
    "from kg.stores.preparing import main\n"
    "sys.exit(main(sys.argv[1:], compact_successor))\n"
)
LOCK = "ptmkg-statistics.lock"
COMPACTION_LOCK = "ptmkg-compaction.lock"
COMPACTION_ERROR = "ptmkg-compaction.error"
#: The folder a compaction writes its copy in, beside the generations: this and its pid.
COMPACTING = "compacting-"
ERROR = "ptmkg-statistics.error"
PREPARING = "ptmkg-statistics.preparing"
#: The memory a preparation may hold, beside twice its database's files: at a million
#: papers (a 1.1 GiB database) it peaks at 1.0 GiB. A preparation past it is stopped and
#: its reason left for readers, who answer live; so is one whose generation is removed
#: or replaced under it (its store deleted while it worked).
MEMORY_ALLOWANCE = 2 << 30
#: Seconds between the guard's looks at the process's memory and its generation.
GUARD_SECONDS = 0.2


def start(generation: Path, compact: bool = False) -> bool:
    """Start preparing ``generation``'s statistics in the background, then (``compact``)
    publishing a compacted copy of it; False if no process could be started (the caller
    then does both itself)."""
    identity = os.stat(generation).st_ino
    locks = [os.open(generation / LOCK, os.O_RDWR | os.O_CREAT, 0o644)]
    if compact:
        locks.append(os.open(generation / COMPACTION_LOCK, os.O_RDWR | os.O_CREAT, 0o644))
    arguments = [str(generation), str(locks[0]), str(identity)]
    if compact:
        arguments += ["--compact", str(locks[1])]
    try:
        for lock in locks:
            fcntl.flock(lock, fcntl.LOCK_EX)  # the child inherits it with the descriptor
        # The child forks before it imports anything and its first process exits at once:
        # waited for here, so no process is left for this one to reap, while the second
        # (adopted by init) prepares the statistics.
        subprocess.run(
            [sys.executable, "-c", _DETACHED, *arguments],
            pass_fds=tuple(locks),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the build's terminal does not stop it
            check=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        for lock in locks:
            fcntl.flock(lock, fcntl.LOCK_UN)
        return False
    finally:
        for lock in locks:
            os.close(lock)  # the locks stay held by the child's copies of the descriptors
    return True


def wait(generation: Path) -> str | None:
    """Wait until no process prepares ``generation``'s statistics; why there are none if
    their preparation failed, else None."""
    if not _wait_for(generation / LOCK):
        return None  # prepared by the build itself, or before this version
    try:
        failure = (generation / ERROR).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return f"their preparation failed ({failure})" if failure else None


def wait_compacted(generation: Path) -> None:
    """Wait until no process compacts a copy of ``generation`` (the store's current
    generation is then the compacted copy, unless a build replaced it first)."""
    # No lock file: nothing to compact, or the generation is gone (replaced by its copy).
    _wait_for(generation / COMPACTION_LOCK)


def _wait_for(lock_file: Path) -> bool:
    """Wait until no process holds ``lock_file`` exclusively; False if there is none."""
    try:
        lock = os.open(lock_file, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_SH)
    finally:
        os.close(lock)
    return True


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


def compact_here(generation: Path) -> None:
    """Compact a database no reader has: a generation not yet published (a build that
    could not start its background process does it before publishing), or a copy."""
    database = ox.Store(str(generation))
    database.optimize()
    database.flush()
    del database
    gc.collect()


def memory_limit(generation: Path) -> int:
    """Bytes of memory a preparation of ``generation`` may hold."""
    files = sum(entry.stat().st_size for entry in os.scandir(generation) if entry.is_file())
    return MEMORY_ALLOWANCE + 2 * files


def _resident_bytes() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _identity(generation: Path) -> int:
    try:
        return os.stat(generation).st_ino
    except FileNotFoundError:
        return -1  # _check ends the process


def _check(generation: Path, identity: int, limit: int) -> None:
    """End this process if its generation is gone or its memory passed ``limit``."""
    try:
        if os.stat(generation).st_ino != identity:
            os._exit(3)  # another generation of that name: nothing here is its own
    except FileNotFoundError:
        os._exit(3)  # the store was removed: nothing is left to prepare for
    held = _resident_bytes()
    if held > limit:
        shutil.rmtree(generation / PREPARING, ignore_errors=True)
        with contextlib.suppress(OSError):
            (generation / ERROR).write_text(
                f"MemoryError: the preparation held {held >> 20:,} MiB, more than the "
                f"{limit >> 20:,} MiB its database allows\n",
                encoding="utf-8",
            )
        os._exit(4)


def _guard(generation: Path, identity: int, limit: int, stop: threading.Event) -> None:
    while not stop.wait(GUARD_SECONDS):
        _check(generation, identity, limit)


#: Publishes a compacted copy of a generation (kg.stores.embedded.compact_successor).
Compaction = Callable[[Path, Callable[[], None]], "Path | None"]


def main(argv: list[str], compact: Compaction | None = None) -> int:
    compaction: int | None = None
    if "--compact" in argv:
        at = argv.index("--compact")
        compaction = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    generation = Path(argv[0])
    lock = int(argv[1])
    stop = threading.Event()
    guard: threading.Thread | None = None
    if os.path.isdir("/proc/self"):  # the guard reads the memory it holds there
        identity = int(argv[2]) if len(argv) > 2 else _identity(generation)
        _check(generation, identity, sys.maxsize)
        limit = int(argv[3]) if len(argv) > 3 else memory_limit(generation)
        _check(generation, identity, limit)
        guard = threading.Thread(
            target=_guard, args=(generation, identity, limit, stop), daemon=True
        )
        guard.start()
    # The generation stays on disk while it is read (see EmbeddedStore.hold_generation).
    readers = (generation.parent / f"{generation.name}.readers").open("a+")
    fcntl.flock(readers, fcntl.LOCK_SH)
    try:
        try:
            prepare_here(generation)
        except BaseException as exc:  # left for readers: they answer live and say why
            shutil.rmtree(generation / PREPARING, ignore_errors=True)
            with contextlib.suppress(OSError):
                (generation / ERROR).write_text(f"{type(exc).__name__}: {exc}\n", encoding="utf-8")
            return 1
        finally:
            os.close(lock)  # readers waiting for the statistics go on
        if compaction is not None and compact is not None:

            def let_go() -> None:
                # The generation may go now: the guard would take that for a removal under it.
                stop.set()
                if guard is not None:
                    guard.join()
                readers.close()

            try:
                compact(generation, let_go)
            except Exception as exc:  # the uncompacted graph stays: whole, only slower
                with contextlib.suppress(OSError):
                    (generation / COMPACTION_ERROR).write_text(
                        f"{type(exc).__name__}: {exc}\n", encoding="utf-8"
                    )
    finally:
        readers.close()
        if compaction is not None:
            os.close(compaction)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
