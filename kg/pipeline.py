"""Building the knowledge graph: sources in, one atomic change to the store out.

:func:`build` is one pipeline for every store: it reads every source into records,
writes the N-Quads of the ontology graph, the model registry's graph and each source's
named graph to one stream, writes rejected rows to rejects files, and the graphs are
replaced in one store transaction with Oxigraph's bulk loader (:func:`_graph_stream`
decides whether the store loads while sources are read, or after). A missing file, a
failure or a ``--strict`` refusal leaves the store unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.defaults import REJECTS_DIR, SOURCE_ENCODING
from kg.errors import PtmkgError, StrictBuildError
from kg.importers import ImportOptions, SourceReading, open_sources
from kg.models.names import ModelResolver
from kg.models.registry import REGISTRY_SOURCE_NAME, ModelRegistry
from kg.models.resolve import uncertain_warnings
from kg.query.sources import built_from, file_location, name_sources
from kg.rdf.iris import SYSTEM_SOURCE_NAMES, IriMinter
from kg.rdf.namespaces import DEFAULT_BASE_IRI, ONTOLOGY_IRI
from kg.rdf.triples import SourceGraphWriter
from kg.records import ModelRecord, PaperRecord, Reject
from kg.rejects import rejects_path, write_rejects
from kg.resources import ontology_file
from kg.stores.embedded import GraphStore
from kg.text import spreadsheet_safe

#: Called with (source name, bytes read so far, total bytes) while reading, and
#: with (LOADING, 0, 0) once the store is being written.
ProgressCallback = Callable[[str, int, int], None]
LOADING = "loading into the store"


@dataclass
class SourceReport:
    path: Path
    name: str
    graph: str
    format: str
    layout: str
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    triples: int = 0
    rejects: list[Reject] = field(default_factory=list)
    rejects_file: Path | None = None
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0  # left out on purpose by a filter; read = accepted + rejected + skipped
    skip_reason: str = ""
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    problems_file: Path | None = None
    rejects_reloadable: bool = True


@dataclass
class BuildReport:
    store: str
    sources: list[SourceReport]

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sources)


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def build(
    store: GraphStore,
    sources: list[Path],
    *,
    source_format: str | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
    strict: bool = False,
    fresh: bool = False,
    rejects_dir: Path | None = None,
    alias_files: list[Path] | None = None,
    encoding: str = SOURCE_ENCODING,
    natural_science: str | None = None,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Import ``sources`` into ``store``; each source replaces its own named graph.

    Rejects and problems files go to ``rejects_dir``; by default to ``ptmkg-rejects`` for a
    store on disk and, for a store in memory (a throw-away check), to a new temporary
    folder made only when there is a file to write, so that the check leaves nothing in
    the working folder. The report names every file written.
    """
    try:
        minter = IriMinter(base_iri)
    except ValueError as exc:
        raise PtmkgError(str(exc)) from None
    if natural_science not in (None, "v1", "v2"):
        raise PtmkgError(f"unknown natural-science rule {natural_science!r} (use v1 or v2)")
    registry = ModelRegistry.from_environment(alias_files or [], encoding)
    options = ImportOptions(
        resolver=ModelResolver(registry=registry),
        encoding=encoding,
        natural_science=natural_science,
    )
    readings = open_sources([Path(path) for path in sources], source_format, options)
    _name_sources(readings, {} if fresh else built_from(store))
    names: dict[str, Path] = {}
    for reading in readings:
        if reading.name in SYSTEM_SOURCE_NAMES:
            raise PtmkgError(
                f"{reading.path}: the name {reading.name!r} is kept for ptmkg's own graph "
                f"(reserved: {', '.join(sorted(SYSTEM_SOURCE_NAMES))}); a source of that name "
                f"would replace it. Rename the file; the store was not changed"
            )
        if reading.name in names:
            raise PtmkgError(
                f"{reading.path} and {names[reading.name]} share the name {reading.name!r}, "
                f"which names a source's graph; rename one of them"
            )
        names[reading.name] = reading.path
    registry_graph = minter.source(REGISTRY_SOURCE_NAME)
    source_graphs = [minter.source(reading.name) for reading in readings]
    reports: list[SourceReport] = []
    in_memory = getattr(store, "path", "") is None
    folder = RejectsFolder(rejects_dir, temporary=rejects_dir is None and in_memory)
    with _graph_stream(store, [ONTOLOGY_IRI, registry_graph, *source_graphs], fresh) as out:
        out.write(_ontology_nquads())
        _write_registry(registry, out, minter, options)
        for reading in readings:
            report = _read_source(reading, out, minter, options, progress)
            report.rejects_file = _store_rejects(report, reading, folder)
            report.problems_file = _store_problems(report, folder)
            reports.append(report)
        if strict and any(r.rejected for r in reports):
            total = sum(r.rejected for r in reports)
            raise StrictBuildError(
                f"--strict: {total} record(s) rejected, the store was not changed; see the "
                f"rejects files in {folder.existing()}"
            )
        if progress is not None:
            progress(LOADING, 0, 0)
    return BuildReport(store=store.location, sources=reports)


def _name_sources(readings: list[SourceReading], existing: dict[str, str | None]) -> None:
    """Name each source read from one file so that it replaces only its own earlier build
    (:func:`kg.query.sources.name_sources`); a source of several files keeps its name."""
    single = [r for r in readings if r.paths == [r.path] and r.name == r.path.name]
    names = name_sources([r.path for r in single], existing)
    for reading, named in zip(single, names, strict=True):
        reading.name = named.name
        if named.warning:
            reading.warnings.append(named.warning)


def _modified(paths: list[Path]) -> str:
    """The latest modification time of a source's files, as an xsd:dateTime in UTC."""
    latest = max(path.stat().st_mtime for path in paths)
    return datetime.fromtimestamp(latest, tz=UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def _graph_stream(store: GraphStore, graphs: list[str], fresh: bool) -> Iterator[IO[str]]:
    """One stream for the N-Quads of every graph a build replaces (each quad names its
    graph); the graphs are replaced when it closes, and not at all if the build fails.

    A store whose writes stay invisible until they complete loads the quads as they come,
    a slice at a time on other threads, inside its transaction: a build that fits in one
    slice is one bulk load, laid out as if loaded at once, and a failure (``--strict``
    included) abandons the transaction. Any other store is not touched until every source
    has been read: the quads are spooled to a file and loaded in one transaction.
    """
    if store.isolated_writes:
        with (
            store.writing(fresh=fresh, replacing=graphs) as writer,
            writer.streaming_graphs(graphs) as out,
        ):
            yield out
        return
    with tempfile.TemporaryDirectory(prefix="ptmkg-build-") as scratch:
        spool = Path(scratch) / "graphs.nq"
        with spool.open("w", encoding="utf-8") as out:
            yield out
        with store.writing(fresh=fresh, replacing=graphs) as writer:
            for graph in graphs[1:]:
                writer.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
            writer.replace_graph(graphs[0], spool, ox.RdfFormat.N_QUADS)


def _ontology_nquads() -> str:
    """The ontology graph as N-Quads, the form a build streams to the bulk loader."""
    graph = ox.NamedNode(ONTOLOGY_IRI)
    triples = ox.parse(path=ontology_file(), format=ox.RdfFormat.TURTLE)
    quads = (ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert text is not None  # serialize returns the bytes when given no output
    return text.decode("utf-8")


def _read_source(
    reading: SourceReading,
    out: IO[str],
    minter: IriMinter,
    options: ImportOptions,
    progress: ProgressCallback | None,
) -> SourceReport:
    name = reading.name
    report = SourceReport(
        path=reading.path,
        name=name,
        graph=minter.source(name),
        format=reading.format,
        layout=reading.layout,
        warnings=list(reading.warnings),
    )
    writer = SourceGraphWriter(out, name, minter, options.resolver)
    for count, item in enumerate(reading.items, start=1):
        report.read += 1
        if isinstance(item, PaperRecord):
            writer.add(item)
            report.accepted += 1
        elif isinstance(item, ModelRecord):
            writer.add_model(item)
            report.accepted += 1
        else:
            report.rejects.append(item)
            report.rejected += 1
        if progress is not None and count % 512 == 0:
            progress(name, reading.progress[0], reading.size_bytes)
    report.skipped, report.skip_reason = reading.skipped, reading.skip_reason
    report.read += reading.skipped
    writer.finish(
        sha256=_sha256(reading.paths),
        source_format=f"{reading.format}, {reading.layout}",
        read=report.read,
        accepted=report.accepted,
        rejected=report.rejected,
        skipped=report.skipped,
        natural_science_rule=options.natural_science
        if reading.skipped or reading.format in ("aius", "parquet")
        else None,
        location=file_location(reading.path),
        modified=_modified(reading.paths),
    )
    report.triples = writer.triples
    report.warnings = list(reading.warnings) + uncertain_warnings(writer.uncertain)
    report.problems = reading.problems
    report.rejects_reloadable = reading.rejects_reloadable
    if progress is not None:
        progress(name, reading.size_bytes, reading.size_bytes)
    return report


@dataclass
class RejectsFolder:
    """Where a build's rejects and problems files go: the folder asked for (by default
    ``ptmkg-rejects``), or with ``temporary`` a new temporary folder, made when the first
    file is written."""

    asked: Path | None
    temporary: bool = False
    _made: Path | None = None

    def existing(self) -> Path | None:
        """The folder, where files of an earlier build may be; None for a temporary folder
        not made yet."""
        if self.temporary:
            return self._made
        return self.asked if self.asked is not None else Path(REJECTS_DIR)

    def make(self) -> Path:
        """The folder to write a file into (the writers make the folder asked for)."""
        if self.temporary and self._made is None:
            self._made = Path(tempfile.mkdtemp(prefix="ptmkg-rejects-"))
        found = self.existing()
        assert found is not None
        return found

    def stale(self, name: str) -> None:
        """Remove a file of an earlier build that this build has nothing to put in."""
        where = self.existing()
        if where is not None:
            (where / name).unlink(missing_ok=True)


def _store_rejects(
    report: SourceReport, reading: SourceReading, folder: RejectsFolder
) -> Path | None:
    if not report.rejects:
        # A rejects file from an earlier build is now stale.
        folder.stale(rejects_path(Path(), report.name, reading.reject_format).name)
        return None
    path = rejects_path(folder.make(), report.name, reading.reject_format)
    try:
        write_rejects(path, report.rejects, reading.columns, reading.reject_format)
    except OSError as exc:
        raise PtmkgError(f"cannot write the rejects file {path}: {exc.strerror}") from None
    return path


def _store_problems(report: SourceReport, folder: RejectsFolder) -> Path | None:
    """Problems that did not stop a record, one per line, for the user to act on."""
    name = f"{report.name}.problems.csv"
    if not report.problems:
        folder.stale(name)
        return None
    path = folder.make() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["doi", "where", "problem"])
            writer.writerows([spreadsheet_safe(c) for c in row] for row in report.problems)
    except OSError as exc:
        raise PtmkgError(f"cannot write the problems file {path}: {exc.strerror}") from None
    return path


def _write_registry(
    registry: ModelRegistry, out: IO[str], minter: IriMinter, options: ImportOptions
) -> None:
    writer = SourceGraphWriter(
        out, REGISTRY_SOURCE_NAME, minter, options.resolver, describes_registry_models=True
    )
    for line, entry in enumerate(registry.entries.values(), start=2):
        writer.add_model(
            ModelRecord(
                name=entry.name,
                line=line,
                aliases=entry.aliases,
                family=entry.family or None,
                task=entry.task or None,
                year=int(entry.year) if entry.year else None,
                origin_doi=entry.origin_doi or None,
                origin_openalex=entry.origin_openalex or None,
                huggingface_id=entry.huggingface_id or None,
                wikidata_id=entry.wikidata_id or None,
                wikidata_class=entry.wikidata_class or None,
            )
        )
    count = len(registry.entries)
    writer.finish(
        sha256=registry.digest(),
        source_format="model registry (csv)",
        read=count,
        accepted=count,
        rejected=0,
    )
