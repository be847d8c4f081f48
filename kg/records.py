"""The one record type every importer yields, and the reject that stands for a bad row.

An importer turns each row of a source into either a :class:`PaperRecord` (what
the row says about one paper and the models it reuses) or a :class:`Reject`
(why the row could not be used, with the row kept verbatim so that it can be
fixed and loaded again). Nothing else leaves an importer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reuse:
    """One model reused with (at most) one pattern, as a source wrote it."""

    mention: str  # the model name exactly as written
    pattern: str | None = None  # IRI of a reuse pattern concept
    stages: tuple[str, ...] = ()  # IRIs of stage concepts
    evidence: str | None = None


@dataclass(frozen=True)
class PaperRecord:
    """What one row of a source says about one paper."""

    doi: str  # normalised
    line: int  # line (text files) or row (spreadsheets) the record came from
    title: str | None = None
    year: int | None = None
    venue: str | None = None
    fields: tuple[str, ...] = ()  # IRIs of field concepts
    uses_deep_learning: bool | None = None
    reuses_pretrained_models: bool | None = None
    review_date: str | None = None  # ISO 8601 date
    reuses: tuple[Reuse, ...] = ()


@dataclass(frozen=True)
class Reject:
    """A row that could not be used, with everything needed to fix and reload it."""

    line: int
    reason: str
    row: dict[str, Any] = field(default_factory=dict)  # the row as read, column -> value
    columns: tuple[str, ...] = ()  # the source's columns, in order
