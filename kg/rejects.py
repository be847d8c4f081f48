"""Rejects files: every rejected row, verbatim, with its line and the reason.

A rejects file has the source's own columns (CSV/TSV) or keys (JSON Lines),
plus ``_line`` and ``_reason``. Importers ignore columns that start with ``_``,
so a fixed rejects file loads again as it is. Bytes that were not valid text
are written back unchanged. CSV and TSV rejects files are safe to open in a
spreadsheet: a cell that would run as a formula (``=``, ``+``, ``-``, ``@``) gets a
leading apostrophe, which the importer takes off again when the file is loaded.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kg.atomic import atomic_write
from kg.formats import SEPARATORS
from kg.records import Reject
from kg.text import spreadsheet_safe

#: Rejects formats whose file extension is not their name.
_EXTENSIONS = {"csv-semicolon": "csv"}


def rejects_path(directory: Path, source_name: str, reject_format: str) -> Path:
    return directory / f"{source_name}.rejects.{_EXTENSIONS.get(reject_format, reject_format)}"


def write_rejects(
    path: Path, rejects: list[Reject], columns: list[str], reject_format: str
) -> None:
    with atomic_write(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        if reject_format == "jsonl":
            for reject in rejects:
                place = {"_where": reject.where} if reject.where else {"_line": reject.line}
                entry = {**place, "_reason": reject.reason, **reject.row}
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            return
        writer = csv.writer(
            handle, delimiter=SEPARATORS.get(reject_format, ","), lineterminator="\n"
        )
        # A row that could not be split into cells keeps its text in _raw.
        raw = any("_raw" in reject.row for reject in rejects)
        writer.writerow(["_line", "_reason", *columns, *(["_raw"] if raw else [])])
        for reject in rejects:
            cells = [reject.row.get(column, "") for column in columns]
            tail = [reject.row.get("_raw", "")] if raw else []
            extra = reject.row.get("_extra") or []
            writer.writerow([reject.line, reject.reason, *map(_cell, (*cells, *tail, *extra))])


def _cell(value: object) -> object:
    return spreadsheet_safe(value) if isinstance(value, str) else value
