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
from kg.model_names import ModelResolver
from kg.records import PaperRecord, Reject
from kg.tables import TABLE_FORMATS, check_readable, detect_format
from kg.vocabulary import Vocabulary, vocabulary


@dataclass
class ImportOptions:
    resolver: ModelResolver = field(default_factory=ModelResolver)
    encoding: str = "utf-8"

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


@dataclass(frozen=True)
class Importer:
    name: str
    description: str
    open: Callable[[Path, str, ImportOptions], SourceReading]


def _open_table(path: Path, table_format: str, options: ImportOptions) -> SourceReading:
    from kg.importers.tabular import open_tabular

    return open_tabular(path, table_format, options)


IMPORTERS: dict[str, Importer] = {
    "csv": Importer("csv", "comma-separated annotation sheet or generic annotations", _open_table),
    "tsv": Importer("tsv", "tab-separated annotation sheet or generic annotations", _open_table),
    "xlsx": Importer("xlsx", "Excel workbook (first worksheet) in either layout", _open_table),
    "jsonl": Importer(
        "jsonl", "generic annotations as JSON Lines, one object per line", _open_table
    ),
}


def detect(path: Path) -> str:
    detected = detect_format(path)
    assert detected in TABLE_FORMATS
    return detected


def open_source(path: Path, format_name: str | None, options: ImportOptions) -> SourceReading:
    """Open a source with the named importer, or the one its content and extension suggest."""
    check_readable(path)
    name = format_name or detect(path)
    if name not in IMPORTERS:
        known = ", ".join(sorted(IMPORTERS))
        raise SourceError(path, f"unknown format {name!r} (known formats: {known})")
    return IMPORTERS[name].open(path, name, options)
