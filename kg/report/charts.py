"""The report's charts, drawn with matplotlib from canned query results.

Each chart function takes the :class:`~kg.query.results.QueryResult` of one named
query and returns PNG bytes; it draws what the rows say and computes nothing,
so a chart cannot disagree with the table printed next to it. matplotlib runs
with its file-only Agg backend: no display is needed.
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from kg.errors import PtmkgError
from kg.query.results import QueryResult
from kg.rdf.vocabulary import vocabulary

#: One colour per reuse pattern and a neutral one for anything else, so that a
#: pattern has the same colour in every chart.
PATTERN_COLOURS = {
    "Conceptual": "#4C72B0",
    "Adaptation": "#DD8452",
    "Deployment": "#55A868",
}
OTHER_COLOUR = "#8C8C8C"
DPI = 110


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise PtmkgError("charts need matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _wrap(label: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _png(figure: Any) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    figure.tight_layout()
    # No timestamp or version in the file: the same data gives the same bytes.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def _empty(axes: Any, message: str = "no data in this graph") -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, color="#555555")
    axes.set_axis_off()


def ptm_papers_by_field(by_field: QueryResult) -> bytes:
    """Horizontal bars: papers reusing PTMs per field, labelled with the field's PTM share."""
    plt = _pyplot()
    rows = [r for r in by_field.rows if r.get("ptm_papers")]
    figure, axes = plt.subplots(figsize=(8, max(3.5, 1.2 + 0.45 * len(rows))))
    if not rows:
        _empty(axes)
        return _png(figure)
    rows = list(reversed(rows))  # the query lists the largest first; barh draws bottom-up
    labels = [_wrap(str(r["field_label"])) for r in rows]
    values = [r["ptm_papers"] for r in rows]
    bars = axes.barh(labels, values, color="#4C72B0")
    for bar, row in zip(bars, rows, strict=True):
        axes.annotate(
            f" {row['ptm_papers']} ({row['ptm_share']:.0%} of {row['papers']})",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            va="center",
            fontsize=8,
        )
    axes.set_xlabel("papers reusing PTMs (distinct papers)")
    axes.set_title("Papers reusing pre-trained models, by field")
    axes.set_xlim(0, max(values) * 1.35)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def pattern_shares_by_field(pattern_by_field: QueryResult) -> bytes:
    """100% stacked bars: each field's reuse instances split by reuse pattern."""
    plt = _pyplot()
    fields: list[str] = []
    patterns: list[str] = []
    shares: dict[tuple[str, str], float] = {}
    for row in pattern_by_field.rows:
        field, pattern = str(row["field_label"]), str(row["pattern_label"])
        if field not in fields:
            fields.append(field)
        if pattern not in patterns:
            patterns.append(pattern)
        shares[(field, pattern)] = row["share"] or 0.0
    figure, axes = plt.subplots(figsize=(8, max(3.5, 1.6 + 0.45 * len(fields))))
    if not fields:
        _empty(axes)
        return _png(figure)
    fields = list(reversed(fields))
    patterns.sort(key=lambda p: list(PATTERN_COLOURS).index(p) if p in PATTERN_COLOURS else 99)
    left = [0.0] * len(fields)
    for pattern in patterns:
        widths = [shares.get((f, pattern), 0.0) * 100 for f in fields]
        axes.barh(
            [_wrap(f) for f in fields],
            widths,
            left=left,
            label=pattern,
            color=PATTERN_COLOURS.get(pattern, OTHER_COLOUR),
        )
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_xlim(0, 100)
    axes.set_xlabel("share of the field's reuse instances (%)")
    axes.set_title("Reuse patterns per field")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(patterns), frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def stage_impact_by_pattern(stage_by_pattern: QueryResult) -> bytes:
    """Grouped bars: per stage (in the order of the scientific process), one bar per pattern."""
    plt = _pyplot()
    stages: list[str] = []
    patterns: list[str] = []
    counts: dict[tuple[str, str], int] = {}
    for row in stage_by_pattern.rows:
        stage, pattern = str(row["stage_label"]), str(row["pattern_label"])
        if pattern not in patterns:
            patterns.append(pattern)
        counts[(pattern, stage)] = row["model_reuses"]
        if stage not in stages:
            stages.append(stage)
    # In the order of the scientific process, as the stage scheme numbers them.
    order = [concept.label for concept in vocabulary().stages.concepts]
    stages.sort(key=lambda s: order.index(s) if s in order else len(order))
    figure, axes = plt.subplots(figsize=(8, 4.5))
    if not stages:
        _empty(axes)
        return _png(figure)
    patterns.sort(key=lambda p: list(PATTERN_COLOURS).index(p) if p in PATTERN_COLOURS else 99)
    width = 0.8 / max(len(patterns), 1)
    for index, pattern in enumerate(patterns):
        positions = [s + (index - (len(patterns) - 1) / 2) * width for s in range(len(stages))]
        axes.bar(
            positions,
            [counts.get((pattern, stage), 0) for stage in stages],
            width=width,
            label=pattern,
            color=PATTERN_COLOURS.get(pattern, OTHER_COLOUR),
        )
    axes.set_xticks(range(len(stages)), stages)
    axes.set_ylabel("reused models (distinct paper and model)")
    axes.set_title("Stage impact per reuse pattern")
    axes.legend(frameon=False)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def reuse_over_time(reuse_by_year: QueryResult) -> bytes:
    """Papers per publication year (bars) and the papers among them that reuse PTMs (line)."""
    plt = _pyplot()
    rows = [r for r in reuse_by_year.rows if r.get("year") is not None]
    figure, axes = plt.subplots(figsize=(8, 4.5))
    if not rows:
        _empty(axes)
        return _png(figure)
    years = [r["year"] for r in rows]
    axes.bar(years, [r["papers"] for r in rows], color="#C9D6EA", label="papers")
    axes.plot(
        years,
        [r["ptm_papers"] for r in rows],
        color="#C44E52",
        marker="o",
        linewidth=2,
        label="papers reusing PTMs",
    )
    axes.set_xlabel("publication year")
    axes.set_ylabel("distinct papers")
    axes.set_title("PTM reuse over time")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)
