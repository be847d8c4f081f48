"""The report's charts, drawn with matplotlib from canned query results.

Each chart function takes the :class:`~kg.query.results.QueryResult` of one named
query and returns PNG bytes, or None when the rows hold nothing it could draw (a
chart is never an empty frame); it draws what the rows say, so a chart cannot
disagree with the table printed next to it. Every bar that shows a share is
labelled with the counts behind it (``62% (5 of 8)``, ``n = 23``), and a year
without papers is a gap in a line, never bridged. Labels are drawn as written
(no mathtext). matplotlib runs with its file-only Agg backend: no display is needed.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
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


def _pattern_rank(pattern: str) -> int:
    """Patterns in the order of :data:`PATTERN_COLOURS`, any other after them."""
    return list(PATTERN_COLOURS).index(pattern) if pattern in PATTERN_COLOURS else 99


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


def _plain(axes: Any) -> None:
    """Tick labels drawn as written: a ``$`` in a model's name is not mathematics."""
    for label in axes.get_yticklabels() + axes.get_xticklabels():
        label.set_parse_math(False)


Row = dict[str, Any]


def _bars(
    rows: list[Row],
    *,
    label: Callable[[Row], str],
    value: Callable[[Row], float],
    note: Callable[[Row], str],
    height: float,
    colour: str | Callable[[Row], str] = "#4C72B0",
) -> tuple[Any, Any]:
    """A figure of horizontal bars, one a row with the first row on top, each noted at its end."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, height))
    rows = list(reversed(rows))  # the queries list the largest first; barh draws bottom-up
    bars = axes.barh(
        [label(r) for r in rows],
        [value(r) for r in rows],
        color=colour if isinstance(colour, str) else [colour(r) for r in rows],
    )
    for bar, row in zip(bars, rows, strict=True):
        axes.annotate(
            f" {note(row)}",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            va="center",
            fontsize=8,
        )
    _plain(axes)
    return figure, axes


def _percent_axis(axes: Any, xlabel: str, right: float = 125) -> None:
    """An x axis of shares from 0 to 100 %, with room on the right for the bars' notes."""
    axes.set_xlim(0, right)
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel(xlabel)


def _finish(figure: Any, axes: Any, title: str) -> bytes:
    """The title, no top or right frame line, and the PNG bytes."""
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    return _png(figure)


def ptm_share(shares: QueryResult) -> bytes | None:
    """Horizontal percentage bars, each labelled with its papers and the papers it is out of."""
    rows = [r for r in shares.rows if r.get("of_papers")]
    if not rows:
        return None
    figure, axes = _bars(
        rows,
        label=lambda r: _wrap(str(r["measure"]), 34),
        value=lambda r: 100 * float(r["share"]),
        note=lambda r: f"{float(r['share']):.0%} ({r['papers']:,} of {r['of_papers']:,})",
        height=1.4 + 0.6 * len(rows),
    )
    _percent_axis(axes, "share of papers (%)")
    return _finish(figure, axes, "Deep learning and PTM reuse")


def reuse_patterns(by_pattern: QueryResult) -> bytes | None:
    """One bar per reuse pattern: its share of the reuse instances, with the counts."""
    rows = [r for r in by_pattern.rows if r.get("reuse_instances")]
    if not rows:
        return None
    total = sum(r["reuse_instances"] for r in rows)
    figure, axes = _bars(
        rows,
        label=lambda r: str(r["pattern_label"]),
        value=lambda r: 100 * float(r["share"] or 0),
        note=lambda r: f"{float(r['share'] or 0):.0%} ({r['reuse_instances']:,} of {total:,})",
        height=1.4 + 0.6 * len(rows),
        colour=lambda r: PATTERN_COLOURS.get(str(r["pattern_label"]), OTHER_COLOUR),
    )
    _percent_axis(axes, "share of reuse instances (%)")
    return _finish(figure, axes, "Reuse patterns")


def top_models(ranked: QueryResult) -> bytes | None:
    """Horizontal bars: distinct papers reusing each of the top models."""
    rows = [r for r in ranked.rows if r.get("papers")]
    if not rows:
        return None
    figure, axes = _bars(
        rows,
        label=lambda r: _wrap(str(r["model_label"]), 36),
        value=lambda r: r["papers"],
        note=lambda r: f"{r['papers']:,}",
        height=max(2.5, 1.2 + 0.4 * len(rows)),
    )
    axes.set_xlim(0, max(r["papers"] for r in rows) * 1.15)
    axes.set_xlabel("papers reusing the model (distinct papers)")
    axes.xaxis.get_major_locator().set_params(integer=True)
    return _finish(figure, axes, "Most reused models")


def ptm_papers_by_field(by_field: QueryResult) -> bytes | None:
    """Horizontal bars: papers reusing PTMs per field, labelled with the field's PTM share."""
    rows = [r for r in by_field.rows if r.get("ptm_papers")]
    if not rows:
        return None
    figure, axes = _bars(
        rows,
        label=lambda r: _wrap(str(r["field_label"])),
        value=lambda r: r["ptm_papers"],
        note=lambda r: f"{r['ptm_papers']} ({r['ptm_share']:.0%} of {r['papers']})",
        height=max(3.5, 1.2 + 0.45 * len(rows)),
    )
    axes.set_xlabel("papers reusing PTMs (distinct papers)")
    axes.set_xlim(0, max(r["ptm_papers"] for r in rows) * 1.35)
    return _finish(figure, axes, "Papers reusing pre-trained models, by field")


def pattern_shares_by_field(pattern_by_field: QueryResult) -> bytes | None:
    """100% stacked bars: each field's reuse instances split by reuse pattern, with n."""
    fields: list[str] = []
    patterns: list[str] = []
    shares: dict[tuple[str, str], float] = {}
    instances: dict[str, int] = {}
    for row in pattern_by_field.rows:
        field, pattern = str(row["field_label"]), str(row["pattern_label"])
        if field not in fields:
            fields.append(field)
        if pattern not in patterns:
            patterns.append(pattern)
        shares[(field, pattern)] = row["share"] or 0.0
        instances[field] = instances.get(field, 0) + (row.get("reuse_instances") or 0)
    if not fields:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, max(3.5, 1.6 + 0.45 * len(fields))))
    fields = list(reversed(fields))
    patterns.sort(key=_pattern_rank)
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
    for position, field in enumerate(fields):
        axes.annotate(f" n = {instances[field]:,}", (100, position), va="center", fontsize=8)
    _percent_axis(axes, "share of the field's reuse instances (%)", right=114)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(patterns), frameon=False)
    return _finish(figure, axes, "Reuse patterns per field")


def stage_impact_by_pattern(stage_by_pattern: QueryResult) -> bytes | None:
    """Grouped bars: per stage (in the order of the scientific process), one bar per pattern."""
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
    if not stages:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.5))
    patterns.sort(key=_pattern_rank)
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
    axes.legend(frameon=False)
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _finish(figure, axes, "Stage impact per reuse pattern")


def reuse_over_time(reuse_by_year: QueryResult) -> bytes | None:
    """Papers per publication year (bars) and the papers among them that reuse PTMs (line).

    Every year from the first to the last is on the axis; a year the query has no
    row for has no bar and breaks the line, so a missing year is never bridged.
    Papers without a year are not on the axis: the caption counts them.
    """
    rows = [r for r in reuse_by_year.rows if r.get("year") is not None]
    if not rows:
        return None
    plt = _pyplot()
    by_year = {int(r["year"]): r for r in rows}
    years = list(range(min(by_year), max(by_year) + 1))
    figure, axes = plt.subplots(figsize=(8, 4.5))
    axes.bar(
        [y for y in years if y in by_year],
        [by_year[y]["papers"] for y in years if y in by_year],
        color="#C9D6EA",
        label="papers",
    )
    axes.plot(
        years,
        [by_year[y]["ptm_papers"] if y in by_year else float("nan") for y in years],
        color="#C44E52",
        marker="o",
        linewidth=2,
        label="papers reusing PTMs",
    )
    missing = [y for y in years if y not in by_year]
    undated = sum(r.get("papers") or 0 for r in reuse_by_year.rows if r.get("year") is None)
    notes = []
    if missing:
        notes.append(f"no papers in {_years(missing)}")
    if undated:
        notes.append(f"{undated:,} paper{'s' if undated != 1 else ''} without a year not shown")
    axes.set_xlabel("publication year" + (f" ({'; '.join(notes)})" if notes else ""))
    axes.set_ylabel("distinct papers")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(frameon=False)
    return _finish(figure, axes, "PTM reuse over time")


def _years(years: list[int]) -> str:
    """``2013-2015, 2019``: runs of consecutive years."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
