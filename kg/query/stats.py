"""The summary figures of a graph, each from a named query, and the ways they are written.

``ptmkg stats`` and :func:`kg.stats` give the same :class:`Stats`; its formats
(:data:`STATS_FORMATS`) are the terminal tables, also written as plain text to a
``.txt`` file, and JSON.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from kg.formats import Format, Registry
from kg.query.named import QueryResult, run_query
from kg.stores.embedded import GraphStore

STATS_QUERIES = ("corpus-summary", "papers-by-field", "reuse-by-pattern", "reuse-by-stage")

#: The corpus figures of ``corpus-summary``, with their headings, in the order shown.
SUMMARY_FIGURES = (
    ("papers", "papers"),
    ("dl_papers", "papers using deep learning"),
    ("ptm_papers", "papers reusing PTMs"),
    ("models", "distinct models reused"),
    ("model_reuses", "model reuses (paper, model, pattern or none)"),
    ("reuse_instances", "  reuse instances (a pattern named)"),
    ("without_pattern", "  model reuses without a pattern"),
)
#: The columns each breakdown shows, with their headings.
BREAKDOWNS = (
    (
        "By field",
        "by_field",
        {
            "field_label": "field",
            "papers": "papers",
            "dl_papers": "DL papers",
            "ptm_papers": "PTM papers",
            "ptm_share": "PTM share",
            "natural_science": "natural sci.",
        },
    ),
    (
        "By reuse pattern",
        "by_pattern",
        {
            "pattern_label": "pattern",
            "reuse_instances": "reuse instances",
            "share": "share",
            "papers": "papers",
        },
    ),
    (
        "By stage",
        "by_stage",
        {"stage_label": "stage", "model_reuses": "model reuses", "papers": "papers"},
    ),
)
#: What the tables say for a figure no source gives (whether a paper uses deep learning or
#: reuses PTMs, for papers known from OpenAlex alone); JSON gives null.
UNKNOWN = {column: "unknown" for column in ("dl_papers", "ptm_papers", "ptm_share")}
#: A ``.txt`` file holds the tables as a terminal this wide shows them.
TEXT_WIDTH = 100


@dataclass
class Stats:
    summary: dict[str, int]
    by_field: QueryResult
    by_pattern: QueryResult
    by_stage: QueryResult

    def as_json(self) -> dict[str, Any]:
        """The figures as JSON values: the summary and each breakdown's rows."""
        return {
            "summary": self.summary,
            "by_field": self.by_field.rows,
            "by_pattern": self.by_pattern.rows,
            "by_stage": self.by_stage.rows,
        }


def stats(store: GraphStore) -> Stats:
    summary = run_query(store, "corpus-summary")
    return Stats(
        summary=summary.rows[0] if summary.rows else {},
        by_field=run_query(store, "papers-by-field"),
        by_pattern=run_query(store, "reuse-by-pattern"),
        by_stage=run_query(store, "reuse-by-stage"),
    )


def stats_tables(figures: Stats) -> list[Any]:
    """The figures as terminal tables (rich): the corpus, then each breakdown."""
    from kg.query.terminal import terminal_table

    overview = terminal_table(
        [{"figure": label, "value": figures.summary.get(key)} for key, label in SUMMARY_FIGURES],
        {"figure": "", "value": ""},
        title="Corpus",
        show_header=False,
        missing={"value": "unknown"},
    )
    breakdowns = [
        terminal_table(
            getattr(figures, attribute).rows,
            columns,
            title=title,
            empty="(none in this graph)",
            missing=UNKNOWN,
        )
        for title, attribute, columns in BREAKDOWNS
    ]
    return [overview, *breakdowns]


def stats_text(figures: Stats) -> str:
    """The tables as plain text, as a terminal :data:`TEXT_WIDTH` wide shows them."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=TEXT_WIDTH, color_system=None)
    for table in stats_tables(figures):
        console.print(table)
    return buffer.getvalue()


def stats_json(figures: Stats) -> str:
    return json.dumps(figures.as_json(), indent=2) + "\n"


STATS_FORMATS = Registry(
    "stats format",
    (
        Format("table", (".txt",), f"{__name__}:stats_text", "tables (plain text in a file)"),
        Format(
            "json", (".json",), f"{__name__}:stats_json", "JSON: the summary and each breakdown"
        ),
    ),
    default="table",
)
