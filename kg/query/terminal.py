"""Answers as tables for people at a terminal: numbers never cut, IRIs behind their labels.

The one place that decides how a value reads in a table (``display_value``) and how a
table fits a narrow terminal: a number column is exactly as wide as its widest number and
never wraps or ends in an ellipsis; headings and text wrap by words instead; a column of
IRIs is hidden behind its ``<name>_label`` column unless the user asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from kg.errors import PtmkgError
from kg.text import printable

LABEL_SUFFIX = "_label"


def display_value(column: str, value: Any) -> str:
    """How a value reads in a table for people: shares as percentages, counts with separators."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}" if column != "year" else str(value)
    if isinstance(value, float):
        if column.endswith("share"):
            return f"{value:.1%}"
        return f"{value:,.4g}"
    return str(value)


def is_numeric(column: str, rows: Sequence[Mapping[str, Any]]) -> bool:
    values = [row.get(column) for row in rows]
    return any(isinstance(v, int | float) for v in values) and all(
        isinstance(v, int | float | bool | None) for v in values
    )


def _is_iri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "urn:"))


def shown_columns(
    columns: Sequence[str], rows: Sequence[Mapping[str, Any]], chosen: Sequence[str] | None = None
) -> list[str]:
    """The columns a table shows: ``chosen`` as given, else all but IRIs that have a label.

    A column ``model`` holding IRIs beside a column ``model_label`` is hidden: the label says
    the same to a person, and the IRI is what cuts a narrow table. Unknown names in
    ``chosen`` are refused with the list of columns there are.
    """
    if chosen:
        unknown = [name for name in chosen if name not in columns]
        if unknown:
            raise PtmkgError(
                f"no column {', '.join(unknown)} in this answer; its columns are "
                f"{', '.join(columns)}"
            )
        return list(chosen)
    hidden = {
        column
        for column in columns
        if f"{column}{LABEL_SUFFIX}" in columns
        and rows
        and all(row.get(column) is None or _is_iri(row.get(column)) for row in rows)
    }
    return [column for column in columns if column not in hidden]


def terminal_table(
    rows: Sequence[Mapping[str, Any]],
    headings: Mapping[str, str],
    *,
    title: str | None = None,
    empty: str = "(no results)",
    show_header: bool = True,
    missing: Mapping[str, str] | None = None,
) -> Table:
    """A table whose numbers are never cut, whatever the terminal's width.

    ``headings`` maps each column to its heading, in the order shown; ``missing`` maps a
    column to what its empty cells say (blank where not given).
    """
    missing = missing or {}

    def cell(row: Mapping[str, Any], column: str) -> str:
        value = row.get(column)
        if value is None and column in missing:
            return missing[column]
        return printable(display_value(column, value))

    table = Table(title=title, title_justify="left", show_header=show_header)
    for column, heading in headings.items():
        cells = [cell(row, column) for row in rows]
        if is_numeric(column, rows):
            # A number column never wraps; its heading does, a word to a line, where
            # it is wider than the column's widest number.
            widest = max((len(cell) for cell in cells), default=0)
            if len(heading) > widest:
                heading = "\n".join(heading.split())
            width = max([widest] + [len(line) for line in heading.splitlines()])
            table.add_column(heading, justify="right", no_wrap=True, min_width=width)
        else:
            # Text wraps by words; it keeps a few characters even on a very narrow terminal.
            longest_word = max((len(w) for cell in cells for w in cell.split()), default=0)
            table.add_column(
                heading, justify="left", overflow="fold", min_width=min(longest_word, 8)
            )
    for row in rows:
        table.add_row(*(cell(row, column) for column in headings))
    if not rows:
        table.caption = empty
    return table
