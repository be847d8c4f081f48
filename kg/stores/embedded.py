"""Graph stores: the one interface every command reads and writes the graph through.

:class:`GraphStore` is what the rest of ptmkg sees. :class:`EmbeddedStore` is
Oxigraph on disk (or in memory for a throw-away run).

An on-disk store is a folder of *generations*::

    <store>/current -> gen-000004     (a symlink, swapped atomically)
    <store>/gen-000004/               (an Oxigraph database)
    <store>/gen-000003/               (the previous generation, kept for readers)
    <store>/lock                      (held by the one build that may write)

A build copies the current generation (Oxigraph's backup: hard links, cheap),
changes the copy, and only then points ``current`` at it. Readers open the
generation ``current`` points to, read-only, and a published generation is
never written again: a build that fails or is killed leaves the previous graph
intact and queryable, and a query never sees a half-built graph.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import os
import re
import shutil
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import pyoxigraph as ox

from kg.defaults import STORE_ENV
from kg.errors import PtmkgError, StoreInUseError
from kg.stores import preparing
from kg.stores import statistics as prepared

#: Bytes of N-Quads a build gathers before it writes them to the bulk loader's pipe.
PIPE_CHUNK = 1 << 20
#: Lines (quads) one bulk-load call of a build takes at most, and the calls that may hold
#: their quads at once (one reading, one indexing); the loader's memory grows with its
#: call (see NQuadsStream): two calls of 450k quads hold 0.85 GiB, beside the build's own
#: half a gigabyte at a million papers.
LOAD_QUADS = 450_000
LOADS_AT_ONCE = 2
#: Lines of the first call; each next call takes LOAD_GROWTH times as many, up to
#: LOAD_QUADS. A loader indexes what a call gave it once its input ends, so the last call
#: is indexed after the build has written everything: calls that grow slowly keep it
#: small. A 10k-paper corpus (142k quads) is four calls: its build took 0.85-0.95 s
#: against 1.15-1.25 s with calls of 50k doubling (two calls, the last 92k quads).
FIRST_LOAD_QUADS = 25_000
LOAD_GROWTH = 1.5
#: Quads in one bulk load above which its files overlap enough to compact them. The loader
#: writes each batch of a million quads or so as files of its own: at 100k papers (1.3M
#: quads) compacting cost 4.4 s and no query got faster; at 1M papers (13.4M quads) it
#: cost 9.3 s and network-reuse ran in 7.3 s instead of 19.4 s.
COMPACT_ABOVE_QUADS = 4_000_000
#: Quads loaded above which a build leaves the compaction to its background process
#: (kg.stores.preparing), which publishes a compacted copy as the next generation: 31 s
#: of a 131 s build at a million papers. Smaller databases compact in a second or less,
#: before they are published.
BACKGROUND_COMPACTION_QUADS = 2_000_000
#: Seconds a build waits for the store's lock while a background compaction publishes its
#: copy (kg.stores.preparing), and a compaction for the build that started it to finish;
#: a build that finds another build holding the store says so at once.
LOCK_WAIT_SECONDS = 5.0
_GENERATION = re.compile(r"^gen-(\d{6,})$")
T = TypeVar("T")


def _os_reason(exc: OSError) -> str:
    """What an operating-system error means, in one line (Oxigraph puts it in the message)."""
    if exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    return text.split(": While ")[0].removeprefix("IO error: ")


def _generation_number(generation: Path | None) -> int:
    """The number of a ``gen-NNNNNN`` folder; 0 for none."""
    found = _GENERATION.match(generation.name) if generation is not None else None
    return int(found.group(1)) if found else 0


def default_store_path() -> Path:
    """``$PTMKG_STORE``, else ``$XDG_DATA_HOME/ptmkg/store`` (``~/.local/share/ptmkg/store``)."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "ptmkg" / "store"


class GraphWriter(ABC):
    """What a build may do inside a write transaction."""

    @abstractmethod
    def replace_graph(self, graph_iri: str, path: Path, rdf_format: ox.RdfFormat) -> None:
        """Drop the named graph and load a file's triples into it (quads name their graph)."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every graph."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL update (the common prefixes are predeclared)."""

    @contextlib.contextmanager
    def streaming_graph(self, graph_iri: str) -> Iterator[IO[str]]:
        """Replace a named graph with the N-Quads lines written to the stream (whole lines).

        This default spools them to a file and loads it at the end.
        """
        import tempfile

        with tempfile.TemporaryDirectory(prefix="ptmkg-stream-") as scratch:
            path = Path(scratch) / "graph.nq"
            with path.open("w", encoding="utf-8") as out:
                yield out
            self.replace_graph(graph_iri, path, ox.RdfFormat.N_QUADS)

    def streaming_graphs(
        self, graph_iris: Sequence[str]
    ) -> contextlib.AbstractContextManager[IO[str]]:
        """Replace several named graphs with the N-Quads written to one stream (whole lines;
        each quad names its graph). Stores with :attr:`GraphStore.isolated_writes` have it."""
        raise NotImplementedError(f"{type(self).__name__} cannot stream several graphs")


class GraphStore(ABC):
    """A place the graph lives: read it with SPARQL, write it in transactions."""

    location: str
    #: True when nothing written in :meth:`writing` is visible, or kept, unless the
    #: transaction completes (a build may then load while it still reads its sources).
    isolated_writes: bool = False

    @abstractmethod
    def query(
        self, sparql: str, substitutions: dict[str, ox.Literal | ox.NamedNode] | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query over the union of all graphs."""

    @abstractmethod
    def named_graphs(self) -> list[str]: ...

    @abstractmethod
    def dump(
        self, output: IO[bytes], rdf_format: ox.RdfFormat, graph: str | None = None
    ) -> None: ...

    @abstractmethod
    def writing(
        self, fresh: bool = False, replacing: Collection[str] = ()
    ) -> contextlib.AbstractContextManager[GraphWriter]:
        """A write transaction: all of it becomes visible at the end, or none of it.

        ``replacing`` names the graphs the transaction will replace, when known: a store
        may then choose the cheaper way to drop them (see EmbeddedStore).
        """

    @abstractmethod
    def is_empty(self) -> bool: ...

    def update(self, sparql: str) -> None:
        """Run a SPARQL update as one write transaction: all of it is applied, or none."""
        with self.writing() as writer:
            writer.update(sparql)

    def remembered(self, key: str, compute: Callable[[], T]) -> T:
        """What ``compute`` reads from the graph, kept under ``key`` for as long as this
        store reads the same graph where a store knows it does; computed each time here."""
        return compute()

    def statistics(self) -> prepared.Statistics:
        """The prepared statistics of the graph this store reads, if they are fresh
        (see :mod:`kg.stores.statistics`); otherwise none, and why."""
        return prepared.Statistics(None, frozenset(), f"{self.location} has no prepared statistics")


class _OxigraphWriter(GraphWriter):
    def __init__(self, store: ox.Store, empty: bool = False, lenient: bool = False) -> None:
        self.store: ox.Store | None = store
        self.lenient = lenient  # streamed lines are loaded without validating them again
        self.bulk_loaded = False
        # Writes that each leave their own files in the database: the data it started with,
        # each bulk-load call (a slice), each other change. Files of several overlap, and
        # reading them is slower until the database is compacted.
        self.layers = 0 if empty else 1
        self.loaded_quads = 0  # by the bulk loads into the empty database it started as

    @property
    def needs_compaction(self) -> bool:
        """Whether bulk loads left overlapping files: not after one load of a few million
        quads into an empty store, which is laid out as if loaded at once."""
        return self.bulk_loaded and (self.layers > 1 or self.loaded_quads > COMPACT_ABOVE_QUADS)

    def _live(self) -> ox.Store:
        if self.store is None:
            raise PtmkgError("the write transaction is over")
        return self.store

    def _remove_graph(self, store: ox.Store, graph_iri: str) -> None:
        graph = ox.NamedNode(graph_iri)
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
            self.layers += 1

    def replace_graph(self, graph_iri: str, path: Path, rdf_format: ox.RdfFormat) -> None:
        store = self._live()
        self.bulk_loaded = True
        self._remove_graph(store, graph_iri)
        # Oxigraph's bulk loader reads a file in batches of bounded memory: one call, laid
        # out as if loaded at once.
        if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            store.bulk_load(path=str(path), format=rdf_format)
            self.layers += 1
        else:
            store.bulk_load(path=str(path), format=rdf_format, to_graph=ox.NamedNode(graph_iri))
            self.layers += 1

    def clear(self) -> None:
        self._live().clear()
        self.layers += 1

    def update(self, sparql: str) -> None:
        from kg.rdf.namespaces import PREFIXES

        self._live().update(sparql, prefixes=PREFIXES)
        self.layers += 1

    def streaming_graph(  # type: ignore[override]
        self, graph_iri: str
    ) -> contextlib.AbstractContextManager[NQuadsStream]:
        """Replace a named graph with N-Quads lines written to the stream as they come."""
        return self.streaming_graphs([graph_iri])

    @contextlib.contextmanager
    def streaming_graphs(  # type: ignore[override]
        self, graph_iris: Sequence[str]
    ) -> Iterator[NQuadsStream]:
        """Replace named graphs with N-Quads lines written to one stream as they come.

        Slices are bulk-loaded by other threads while the caller writes the next
        (Oxigraph releases the GIL), so reading sources and loading overlap.
        """
        store = self._live()
        self.bulk_loaded = True
        for graph_iri in graph_iris:
            self._remove_graph(store, graph_iri)
        stream = NQuadsStream(store, lenient=self.lenient)
        try:
            yield stream
            stream.close()
        finally:
            stream.abandon()
            # Its calls overlap no more than one call's batches do (see NQuadsStream): one
            # layer, compacted by its size.
            self.layers += 1 if stream.loaded else 0
            self.loaded_quads += stream.lines


class NQuadsStream:
    """A text sink for N-Quads, each ``write`` whole lines, fed through pipes to bulk
    loads on other threads.

    Oxigraph's bulk loader parses and indexes on its own threads (releasing the GIL, so
    the build reads its sources meanwhile). Its memory grows with what one call loads
    (0.47 GiB for 500k quads, 0.92 GiB for 1M, 1.8 GiB for 13.4M in one call, which it
    indexes a million at a time on two threads), so a call takes at most
    :data:`LOAD_QUADS` lines and the next call the lines after, while the one before it
    still indexes: at most :data:`LOADS_AT_ONCE` calls hold their quads at once. The
    first calls are smaller (:data:`FIRST_LOAD_QUADS`): a 10k-paper corpus is four calls,
    100k papers nine, a million papers thirty-six. Their files overlap as one call's
    batches do; above :data:`COMPACT_ABOVE_QUADS` they are compacted (see
    ``_OxigraphWriter.needs_compaction``).

    ``lenient`` loads skip Oxigraph's validation of the IRIs: the lines a build writes are
    made of IRIs it minted or checked (:data:`kg.rdf.triples.terms.SAFE_IRI`) and escaped
    literals, and parsing them again cost a fifth of a load. An in-memory store's loads
    validate them (every test that builds in memory checks the lines a build writes).
    """

    def __init__(self, store: ox.Store, lenient: bool = False) -> None:
        self.store: ox.Store | None = store
        self.lenient = lenient
        self.parts: list[bytes] = []  # encoded lines not yet written to the pipe
        self.pending = 0  # their bytes
        self.lines = 0  # quads written (one a line) by all loads
        self.failure: BaseException | None = None
        self.loaded = 0  # bulk-load calls
        self._in_load = 0  # lines given to the current call
        self._call_quads = FIRST_LOAD_QUADS  # lines the current call takes at most
        self._pipe: IO[bytes] | None = None
        self._loads: list[threading.Thread] = []  # calls not yet joined, the oldest first
        self._start_load()

    def _start_load(self) -> None:
        assert self.store is not None
        while len(self._loads) >= LOADS_AT_ONCE:  # the oldest call lets go of its quads
            self._loads.pop(0).join()
            if self.failure is not None:
                raise self.failure
        read_end, write_end = os.pipe()
        if hasattr(fcntl, "F_SETPIPE_SZ"):
            with contextlib.suppress(OSError):
                fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_CHUNK)
        self._pipe = os.fdopen(write_end, "wb", buffering=0)
        loader = threading.Thread(
            target=self._load, args=(self.store, read_end), name="ptmkg-bulk-load", daemon=True
        )
        loader.start()
        self._loads.append(loader)
        if self.loaded:
            self._call_quads = min(int(LOAD_GROWTH * self._call_quads), LOAD_QUADS)
        self.loaded += 1
        self._in_load = 0

    def _load(self, store: ox.Store, read_end: int) -> None:
        pipe = os.fdopen(read_end, "rb", buffering=0)
        try:
            # Through /dev/fd Oxigraph reads the pipe itself, without taking the GIL for
            # each read as it does from a Python file object (where there is no /dev/fd).
            if os.path.isdir("/dev/fd"):
                store.bulk_load(
                    path=f"/dev/fd/{read_end}", format=ox.RdfFormat.N_QUADS, lenient=self.lenient
                )
            else:
                store.bulk_load(pipe, format=ox.RdfFormat.N_QUADS, lenient=self.lenient)
        except BaseException as exc:  # handed to the writing thread
            self.failure = self.failure or exc
        finally:
            # The last read end: a writer still writing gets a broken pipe, not a block.
            pipe.close()

    def write(self, text: str) -> int:
        lines = text.count("\n")
        if self._in_load and self._in_load + lines > min(self._call_quads, LOAD_QUADS):
            # This call has its share: it indexes while the next takes these lines.
            if self.parts:
                self._hand_over()
            self._end_of_input()
            self._start_load()
        self.lines += lines
        self._in_load += lines
        data = text.encode("utf-8")
        self.parts.append(data)
        self.pending += len(data)
        if self.pending >= PIPE_CHUNK:
            self._hand_over()
        return len(text)

    def _hand_over(self) -> None:
        chunk = b"".join(self.parts)
        self.parts, self.pending = [], 0
        if self._pipe is None:
            raise PtmkgError("the bulk load is over")
        try:
            self._pipe.write(chunk)
        except BrokenPipeError:  # the loader stopped: say why
            self._join()
            raise self.failure or PtmkgError("the bulk loader stopped reading") from None

    def _end_of_input(self) -> None:
        if self._pipe is not None:
            with contextlib.suppress(OSError):
                self._pipe.close()
            self._pipe = None

    def _join(self) -> None:
        for loader in self._loads:
            loader.join()
        self._loads = []

    def close(self) -> None:
        """Load what is left and wait for the loaders; raise what they raised."""
        if self.parts:
            self._hand_over()
        self._end_of_input()
        self._join()
        if self.failure is not None:
            raise self.failure

    def abandon(self) -> None:
        """Stop the loads (the transaction that holds them is thrown away)."""
        self.parts = []
        if any(loader.is_alive() for loader in self._loads):
            self.failure = self.failure or PtmkgError("the build was stopped")
        self._end_of_input()
        self._join()
        self.store = None  # the store closes when its transaction lets go of it


def _lock_within(lock: IO[str], seconds: float) -> bool:
    """Take ``lock`` exclusively, trying for up to ``seconds``; False if it stayed held."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


#: What a compaction writes in the store's lock file while it holds the lock.
_COMPACTION_HOLDS = "compaction "


def _held_by_compaction(lock: IO[str]) -> bool:
    """Whether the store's lock is held by a compaction publishing its copy (a moment),
    rather than by a build."""
    lock.seek(0)
    holder = lock.read(64)
    return holder.startswith(_COMPACTION_HOLDS) and _process_alive(
        holder.removeprefix(_COMPACTION_HOLDS).strip()
    )


def _process_alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's
    return True


def compact_successor(generation: Path, let_go: Callable[[], None]) -> Path | None:
    """Publish a compacted copy of ``generation``, with its statistics, as the store's
    next generation; None if the store moved on first (a build holds it, or published a
    newer graph). ``let_go`` is called once the copy is published, before ``generation``
    is removed (unless a reader still holds it)."""
    staging = generation.parent / f"{preparing.COMPACTING}{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        source = ox.Store.read_only(str(generation))
        source.backup(str(staging))  # hard links to its files: nothing of it is written
        del source
        preparing.compact_here(staging)  # closed before its files are fingerprinted
        statistics_folder = staging / prepared.STATISTICS_FOLDER
        shutil.copytree(generation / prepared.STATISTICS_FOLDER, statistics_folder)
        statistics = ox.Store(str(statistics_folder))
        prepared.seal(statistics, prepared.database_fingerprint(staging))
        del statistics
        gc.collect()
        return _publish_successor(generation, staging, let_go)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # what was not published


def _publish_successor(
    generation: Path, successor: Path, let_go: Callable[[], None]
) -> Path | None:
    """Publish ``successor`` (a folder beside the generations holding the same graph as
    ``generation``, compacted, with its statistics) as the store's next generation, if
    ``generation`` is still the current one and no build holds the store; then remove
    ``generation`` unless it is read. The published folder, or None if the store moved on.

    ``let_go`` is called once the successor is published, for the caller to release what
    it holds of ``generation`` before it is removed.
    """
    store = EmbeddedStore(generation.parent)
    assert store.path is not None
    with (store.path / "lock").open("a+") as lock:
        # The build that started this compaction holds the lock until it is done: a moment.
        if not _lock_within(lock, LOCK_WAIT_SECONDS):
            return None  # a build writes a newer graph
        lock.truncate(0)
        lock.write(f"{_COMPACTION_HOLDS}{os.getpid()}\n")
        lock.flush()
        try:
            current = store.current_generation()
            if current is None or current.resolve() != generation.resolve():
                return None  # a newer graph was published meanwhile
            store._remove_stale_staging()
            published = store.path / f"gen-{_generation_number(generation) + 1:06d}"
            os.rename(successor, published)
            store._publish(published)
            let_go()
            store._remove_old_generations(keep={published.name})
        finally:
            lock.truncate(0)
    return published


def _query(store: ox.Store, sparql: str, substitutions):
    from kg.rdf.namespaces import PREFIXES

    return store.query(
        sparql,
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in (substitutions or {}).items()} or None,
    )


#: Removing a quad from the database costs about 2.5 times copying one into a new database
#: by bulk load (measured: 130 against 53 microseconds a quad at 270k quads).
REMOVE_TO_COPY_COST = 2.0


def _rewriting_is_cheaper(source: ox.Store, replacing: frozenset[str]) -> bool:
    """Whether a new database holding the kept graphs costs less than removing the
    replaced ones from a copy: rebuilding the one big source of a store in place took
    3x a fresh build, all of it in removing the old graph quad by quad."""
    if not replacing:
        return False
    present = {g.value for g in source.named_graphs() if isinstance(g, ox.NamedNode)}
    replaced = 0
    for graph in replacing & present:
        found = source.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert isinstance(found, ox.QuerySolutions)
        replaced += int(next(iter(found))["n"].value)
    if not replaced:
        return False
    kept = len(source) - replaced
    return replaced * REMOVE_TO_COPY_COST >= kept


def _copy_graphs(source: ox.Store, target: ox.Store, leaving_out: frozenset[str]) -> None:
    """Bulk-copy every graph but ``leaving_out`` (and the default graph) into ``target``."""
    for graph in source.named_graphs():
        if isinstance(graph, ox.NamedNode) and graph.value in leaving_out:
            continue
        target.bulk_extend(source.quads_for_pattern(None, None, None, graph))
    target.bulk_extend(source.quads_for_pattern(None, None, None, ox.DefaultGraph()))


class EmbeddedStore(GraphStore):
    """Oxigraph, embedded: on disk at ``path``, or in memory when ``path`` is None."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path).expanduser().absolute() if path is not None else None
        self.location = str(self.path) if self.path else "memory"
        self._memory = ox.Store() if path is None else None
        # On disk a build writes a staging generation that only a completed build publishes.
        self.isolated_writes = self.path is not None
        self._reader: ox.Store | None = None
        self._reader_lock: IO[str] | None = None
        self._reader_generation: Path | None = None
        self._statistics: ox.Store | None = None  # of the generation read, or in memory
        self._writes = 0  # write transactions of an in-memory store
        self._remembered: dict[tuple[str, str], Any] = {}  # see remembered()

    # ------------------------------------------------------------ reading

    def current_generation(self) -> Path | None:
        """The generation folder readers open now (None in memory or before the first build)."""
        return None if self.path is None else self._current_generation()

    def _current_generation(self) -> Path | None:
        assert self.path is not None
        link = self.path / "current"
        if not link.is_symlink():
            return None
        target = self.path / os.readlink(link)
        return target if target.is_dir() else None

    def _check_is_folder(self) -> None:
        assert self.path is not None
        if self.path.exists() and not self.path.is_dir():
            raise PtmkgError(
                f"the store {self.location} is a file, not a folder: give --store a folder "
                f"(a new one is created)"
            )

    def _store(self) -> ox.Store:
        if self._memory is not None:
            return self._memory
        if self._reader is None:
            self._check_is_folder()
            generation = self._current_generation()
            if generation is None:
                raise PtmkgError(
                    f"no graph in {self.location} yet: run 'ptmkg build SOURCE...' first "
                    f"(or pass --store)"
                )
            self._reader_lock = self.hold_generation(generation)
            try:
                self._reader = ox.Store.read_only(str(generation))
            except OSError as exc:
                raise PtmkgError(f"cannot open the store at {self.location}: {exc}") from None
            self._reader_generation = generation
        return self._reader

    def statistics(self) -> prepared.Statistics:
        if self._memory is not None:
            return prepared.check(self._statistics, self._memory_fingerprint(), "the graph")
        self._store()
        generation = self._reader_generation
        assert generation is not None
        what = f"{self.location} ({generation.name})"
        folder = generation / prepared.STATISTICS_FOLDER
        if self._statistics is None and not folder.is_dir():
            # Prepared in the background after the build published the generation: wait
            # for them (sooner than a live count at scale), or say why there are none.
            failed = preparing.wait(generation)
            if failed is not None:
                return prepared.Statistics(
                    None, frozenset(), f"no prepared statistics for {what}: {failed}"
                )
        if self._statistics is None and folder.is_dir():
            try:
                self._statistics = prepared.in_memory(ox.Store.read_only(str(folder)))
            except OSError:
                return prepared.Statistics(
                    None, frozenset(), f"the prepared statistics of {what} cannot be read"
                )
        return prepared.check(self._statistics, prepared.database_fingerprint(generation), what)

    def remembered(self, key: str, compute: Callable[[], T]) -> T:
        """Kept while this store reads one published generation (never written again),
        or, in memory, until its next write."""
        if self._memory is not None:
            state = self._memory_fingerprint()
        else:
            self._store()
            state = str(self._reader_generation)
        if (key, state) not in self._remembered:
            self._remembered = {k: v for k, v in self._remembered.items() if k[1] == state}
            self._remembered[key, state] = compute()
        return self._remembered[key, state]

    def _memory_fingerprint(self) -> str:
        return f"in-memory write {self._writes}"

    def hold_generation(self, generation: Path) -> IO[str] | None:
        """Keep a generation from being removed while it is read (until the handle closes).

        Readers hold a shared lock on ``<generation>.readers``; a build removes an old
        generation only when it can lock that file exclusively.
        """
        try:
            handle = (generation.parent / f"{generation.name}.readers").open("a+")
        except OSError:
            return None  # a store we cannot write to is not cleaned up by us either
        fcntl.flock(handle, fcntl.LOCK_SH)
        return handle

    def is_empty(self) -> bool:
        if self._memory is not None:
            return len(self._memory) == 0
        return self._current_generation() is None

    def query(self, sparql, substitutions=None):
        return _query(self._store(), sparql, substitutions)

    def named_graphs(self) -> list[str]:
        if self.is_empty():
            return []
        return sorted(g.value for g in self._store().named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, output: IO[bytes], rdf_format: ox.RdfFormat, graph: str | None = None) -> None:
        from kg.rdf.namespaces import PREFIXES

        store = self._store()
        if graph is not None:
            store.dump(output, rdf_format, from_graph=ox.NamedNode(graph), prefixes=PREFIXES)
        elif rdf_format.supports_datasets:
            store.dump(output, rdf_format, prefixes=PREFIXES)
        else:
            # Triple formats get the union of all graphs.
            union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            assert isinstance(union, ox.QueryTriples)
            scratch = ox.Store()
            scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in union)
            scratch.dump(output, rdf_format, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)

    def close(self) -> None:
        if self._reader is not None or (self._statistics is not None and self._memory is None):
            self._reader = None
            self._reader_generation = None
            self._statistics = None
            gc.collect()  # results and iterators may still hold the reader
        if self._reader_lock is not None:
            self._reader_lock.close()
            self._reader_lock = None

    # ------------------------------------------------------------ writing

    @contextlib.contextmanager
    def writing(
        self, fresh: bool = False, replacing: Collection[str] = ()
    ) -> Iterator[GraphWriter]:
        if self._memory is not None:
            writer = _OxigraphWriter(self._memory)
            if fresh:
                writer.clear()
            self._writes += 1  # the statistics of the last write are stale from here on
            yield writer
            self._statistics = prepared.prepare(self._memory, None)
            prepared.seal(self._statistics, self._memory_fingerprint())
            return
        assert self.path is not None
        self._check_is_folder()
        # The first folder this build creates (the store's, or a missing parent of it).
        created = next(
            (f for f in reversed((self.path, *self.path.parents)) if not f.exists()), None
        )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            lock = (self.path / "lock").open("a+")
        except OSError as exc:
            raise PtmkgError(f"cannot write the store at {self.location}: {exc.strerror}") from None
        try:
            with lock:
                yield from self._locked_writing(lock, fresh, frozenset(replacing))
        except BaseException:
            # A first build that failed (a --strict build with rejects, a full disk) leaves
            # no empty store folder behind: the next command says "no graph yet" again.
            if created is not None and self._current_generation() is None:
                shutil.rmtree(created, ignore_errors=True)
            raise

    def _locked_writing(
        self, lock: IO[str], fresh: bool, replacing: frozenset[str]
    ) -> Iterator[GraphWriter]:
        if not _lock_within(lock, 0.0) and not (
            _held_by_compaction(lock) and _lock_within(lock, LOCK_WAIT_SECONDS)
        ):
            raise StoreInUseError(
                f"the store at {self.location} is in use by another build; wait for it to finish"
            )
        lock.truncate(0)  # whatever a compaction that held it said
        self._remove_stale_staging()
        yield from self._write_generation(fresh, replacing)

    def _write_generation(self, fresh: bool, replacing: frozenset[str]) -> Iterator[GraphWriter]:
        assert self.path is not None
        current = self._current_generation()
        number = _generation_number(current) + 1
        staging = self.path / f"staging-{os.getpid()}"
        rewritten = False
        try:
            if current is not None and not fresh:
                source = ox.Store.read_only(str(current))
                if _rewriting_is_cheaper(source, replacing):
                    store = ox.Store(str(staging))
                    _copy_graphs(source, store, leaving_out=replacing)
                    rewritten = True
                else:
                    source.backup(str(staging))
                    store = ox.Store(str(staging))
                del source
            else:
                store = ox.Store(str(staging))
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise PtmkgError(f"cannot write the store at {self.location}: {exc}") from None
        compact_later = False
        writer = _OxigraphWriter(store, empty=current is None or fresh, lenient=True)
        if rewritten:
            # The kept graphs were bulk-loaded into an empty database: with what the write
            # streams next, one load in batches (as a fresh build's ontology, registry and
            # sources are), compacted by its size.
            writer.bulk_loaded, writer.layers, writer.loaded_quads = True, 0, len(store)
        try:
            yield writer
            if writer.needs_compaction:
                # Each bulk-load slice adds files that overlap the earlier ones; queries on
                # an uncompacted 1M-paper build ran 3x slower than on one loaded at once.
                # A large one is compacted after it is published, by a copy (see
                # kg.stores.preparing): the graph is queryable sooner.
                compact_later = writer.loaded_quads >= BACKGROUND_COMPACTION_QUADS
                if not compact_later:
                    store.optimize()
            store.flush()
        except BaseException as exc:
            writer.store = None
            del store
            gc.collect()
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError):  # a full disk, a vanished folder: the user's to fix
                raise PtmkgError(
                    f"cannot write the store at {self.location} ({_os_reason(exc)}); "
                    f"it is unchanged"
                ) from None
            raise
        writer.store = None
        # The database closes when the last reference goes, before its folder is renamed:
        # here, unless something else still holds it (a cycle that a collection breaks).
        held_elsewhere = sys.getrefcount(store) > 2  # this variable and the call's argument
        del store
        if held_elsewhere:
            gc.collect()
        generation = self.path / f"gen-{number:06d}"
        try:
            os.rename(staging, generation)
            # The statistics are computed from the closed database, into the generation's
            # own folder (published, and removed, with it), by a process of its own that
            # holds their lock from before the generation is published (kg.stores.preparing).
            if not preparing.start(generation, compact=compact_later):
                if compact_later:
                    preparing.compact_here(generation)  # not published yet
                preparing.prepare_here(generation)
            self._publish(generation)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if self._current_generation() != generation:
                shutil.rmtree(generation, ignore_errors=True)
            raise PtmkgError(
                f"cannot publish the new graph in {self.location} ({_os_reason(exc)}); "
                f"the store is unchanged"
            ) from None
        self.close()
        self._remove_old_generations(keep={generation.name, current.name if current else ""})

    def _publish(self, generation: Path) -> None:
        assert self.path is not None
        link = self.path / "current"
        temporary = self.path / "current.new"
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        os.symlink(generation.name, temporary)
        os.replace(temporary, link)  # atomic: readers see the old or the new generation
        directory = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _remove_stale_staging(self) -> None:
        """Remove what killed builds left: staging folders, and generations renamed
        from staging but never published (newer than the current one)."""
        assert self.path is not None
        for entry in self.path.glob("staging-*"):
            shutil.rmtree(entry, ignore_errors=True)
        for entry in self.path.glob(f"{preparing.COMPACTING}*"):
            if not _process_alive(entry.name.removeprefix(preparing.COMPACTING)):
                shutil.rmtree(entry, ignore_errors=True)  # its compaction was killed
        current = self._current_generation()
        published = _generation_number(current)
        for entry in self.path.iterdir():
            found = _GENERATION.match(entry.name)
            if found and entry.is_dir() and int(found.group(1)) > published:
                shutil.rmtree(entry, ignore_errors=True)

    def _remove_old_generations(self, keep: set[str]) -> None:
        assert self.path is not None
        for entry in self.path.iterdir():
            if not _GENERATION.match(entry.name) or entry.name in keep:
                continue
            readers = self.path / f"{entry.name}.readers"
            with readers.open("a+") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # still being read (a query, 'ptmkg serve'): removed later
                shutil.rmtree(entry, ignore_errors=True)
                readers.unlink(missing_ok=True)
