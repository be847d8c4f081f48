"""The registry of input formats.

Each format is one :class:`Importer` entry: a name (what ``--format`` takes), a
description, and a function that opens a source and yields records. Adding a
format is adding an entry here, not editing a chain of ``if``\\s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import SourceError
from kg.models.names import ModelResolver
from kg.rdf.vocabulary import Vocabulary, vocabulary
from kg.read.tables import TABLE_FORMATS, check_readable, detect_format
from kg.records import PaperRecord, Reject


@dataclass
class ImportOptions:
    resolver: ModelResolver = field(default_factory=ModelResolver)
    encoding: str = "utf-8"
    # Keep only papers that meet this version of the study's natural-science rule
    # ("v1" or "v2"); sources without OpenAlex topics are not filtered.
    natural_science: str | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        return vocabulary()


@dataclass
class SourceReading:
    """An opened source: what it was read as, and its records as they stream."""

    path: Path
    format: str  # the --format name, e.g. "csv"
    layout: str  # e.g. "annotation sheet (layout 1)"
    columns: list[str]
    items: Iterator[PaperRecord | Reject]
    reject_format: str  # format the rejects file is written in ("csv", "tsv", "jsonl")
    size_bytes: int = 0
    progress: list[int] = field(default_factory=lambda: [0])
    warnings: list[str] = field(default_factory=list)
    name: str = ""  # names the source's graph; the file name unless several files form one
    paths: list[Path] = field(default_factory=list)  # every file the source reads
    skipped: int = 0  # records left out on purpose (a filter), neither accepted nor rejected
    skip_reason: str = ""
    # Whether a fixed rejects file can be built as it is (true for tabular sources).
    rejects_reloadable: bool = True
    # Problems that did not stop a record (a failed analysis, a model without a stage):
    # (DOI, where, what), written to the source's problems file.
    problems: list[tuple[str, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = self.name or self.path.name
        self.paths = self.paths or [self.path]


@dataclass(frozen=True)
class Importer:
    """One input format. ``open`` reads one file; ``open_together``, where set, reads all the
    files of that format given to one build at once (files that together form one source)."""

    name: str
    description: str
    open: Callable[[Path, str, ImportOptions], SourceReading] | None = None
    open_together: Callable[[list[Path], str, ImportOptions], list[SourceReading]] | None = None


def _open_table(path: Path, table_format: str, options: ImportOptions) -> SourceReading:
    from kg.importers.tabular import open_tabular

    return open_tabular(path, table_format, options)


def _open_aius(path: Path, format_name: str, options: ImportOptions) -> SourceReading:
    from kg.importers.aius import open_aius

    return open_aius(path, format_name, options)


def _open_openalex(path: Path, format_name: str, options: ImportOptions) -> SourceReading:
    from kg.importers.openalex import open_openalex

    return open_openalex(path, format_name, options)


def _open_model_card(path: Path, format_name: str, options: ImportOptions) -> SourceReading:
    from kg.importers.model_cards import open_model_card

    return open_model_card(path, format_name, options)


def _open_jats(path: Path, format_name: str, options: ImportOptions) -> SourceReading:
    from kg.importers.jats import open_jats

    return open_jats(path, format_name, options)


def _open_parquet(
    paths: list[Path], format_name: str, options: ImportOptions
) -> list[SourceReading]:
    from kg.importers.aius_parquet import open_parquet_runs

    return open_parquet_runs(paths, format_name, options)


IMPORTERS: dict[str, Importer] = {
    "csv": Importer("csv", "comma-separated annotation sheet or generic annotations", _open_table),
    "tsv": Importer("tsv", "tab-separated annotation sheet or generic annotations", _open_table),
    "xlsx": Importer("xlsx", "Excel workbook (first worksheet) in either layout", _open_table),
    "jsonl": Importer(
        "jsonl", "generic annotations as JSON Lines, one object per line", _open_table
    ),
    "aius": Importer("aius", "the study pipeline's SQLite database", _open_aius),
    "openalex": Importer(
        "openalex",
        "OpenAlex works: one work, an API list response, or snapshot JSON Lines (gzip or not)",
        _open_openalex,
    ),
    "model-card": Importer(
        "model-card", "Hugging Face model card metadata: README.md YAML header or JSON",
        _open_model_card,
    ),
    "jats": Importer(
        "jats",
        "JATS XML articles (a file, a gzip file, or a zip of articles), read with the offline "
        "PTM reuse extractor",
        _open_jats,
    ),
    "parquet": Importer(
        "parquet",
        "the study pipeline's analysis runs as parquet files "
        "(aius_<backend>_<prompt>_index-<i>_stride-<s>.parquet)",
        open_together=_open_parquet,
    ),
}


def detect(path: Path) -> str:
    """The importer for a file, from its first bytes (and, for text tables, its extension)."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(b"SQLite format 3\x00"):
        return "aius"
    if head.startswith(b"PAR1"):
        return "parquet"
    from kg.importers.model_cards import looks_like_model_card
    from kg.importers.openalex import looks_like_openalex

    with path.open("rb") as handle:
        if looks_like_model_card(path, handle.read(64 * 1024)):
            return "model-card"

    if looks_like_openalex(path):
        return "openalex"
    from kg.importers.jats import looks_like_jats_source

    if looks_like_jats_source(path):
        return "jats"
    if head.startswith(b"\x1f\x8b"):
        raise SourceError(path, "a gzip file that does not hold OpenAlex works")
    detected = detect_format(path)
    assert detected in TABLE_FORMATS
    return detected


def open_sources(
    paths: list[Path], format_name: str | None, options: ImportOptions
) -> list[SourceReading]:
    """Open every source, each with the named importer or the one its content suggests.

    Every file is checked before any is read, so one bad path fails the build early.
    """
    chosen: list[tuple[Path, str]] = []
    for path in paths:
        check_readable(path)
        name = format_name or detect(path)
        if name not in IMPORTERS:
            known = ", ".join(sorted(IMPORTERS))
            raise SourceError(path, f"unknown format {name!r} (known formats: {known})")
        chosen.append((path, name))
    readings: list[SourceReading] = []
    together: dict[str, list[Path]] = {}
    for path, name in chosen:
        importer = IMPORTERS[name]
        if importer.open_together is not None:
            together.setdefault(name, []).append(path)
        else:
            assert importer.open is not None
            readings.append(importer.open(path, name, options))
    for name, group in together.items():
        open_together = IMPORTERS[name].open_together
        assert open_together is not None
        readings.extend(open_together(group, name, options))
    return readings


def open_source(path: Path, format_name: str | None, options: ImportOptions) -> SourceReading:
    """Open one source file."""
    readings = open_sources([path], format_name, options)
    return readings[0]
