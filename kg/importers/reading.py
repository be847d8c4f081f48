"""What every importer takes and gives: the build's options, and an opened source.

Importers import these from here, not from :mod:`kg.importers`, whose registry names
the importers (so the registry depends on them, and they do not depend on it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.defaults import SOURCE_ENCODING
from kg.models.names import ModelResolver
from kg.rdf.vocabulary import Vocabulary, vocabulary
from kg.records import ModelRecord, PaperRecord, Reject


@dataclass
class ImportOptions:
    resolver: ModelResolver = field(default_factory=ModelResolver)
    encoding: str = SOURCE_ENCODING
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
    items: Iterator[PaperRecord | ModelRecord | Reject]
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

    @classmethod
    def of_records(
        cls,
        path: Path,
        format_name: str,
        layout: str,
        items: Iterator[PaperRecord | ModelRecord | Reject] | None = None,
        **details: Any,
    ) -> SourceReading:
        """A source of whole records (JSON objects, database rows), not a table: no
        columns, its rejects kept as JSON Lines, its size the file's unless ``details``
        say otherwise; ``items`` may be given once the reading exists."""
        details.setdefault("size_bytes", path.stat().st_size)
        return cls(
            path=path,
            format=format_name,
            layout=layout,
            columns=[],
            items=iter(()) if items is None else items,
            reject_format="jsonl",
            **details,
        )
