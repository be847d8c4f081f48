"""The report: the study's tables and charts as Markdown and as one self-contained HTML file.

:func:`build_report` runs the canned queries and keeps their results;
rendering only formats them, so every number in the report is a number a
canned query returned (each section names its query, so a reader can check it
with ``ptmkg query``). The HTML inlines its PNG charts as ``data:`` URIs and
its CSS, needs nothing else to open offline, and escapes every text that comes
from the data.

The report shows what the data supports: a chart is drawn only when its query
has rows to draw (an annotation sheet has no fields or years, so it gets the
PTM share, the reuse patterns and the top models), and a section whose query
has no rows is collapsed to one line saying what would fill it (fields and
years come from ``ptmkg link openalex``). Sources are named by their file.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.atomic import write_bytes_atomically, write_text_atomically
from kg.defaults import REPORT_TITLE
from kg.errors import PtmkgError
from kg.query.named import get_query, run_query
from kg.query.results import QueryResult, display_value, markdown_table
from kg.report import charts
from kg.stores.embedded import GraphStore
from kg.text import markdown_code, markdown_text


@dataclass(frozen=True)
class SectionSpec:
    """One part of the report: which query fills its table, and which columns it shows."""

    key: str
    heading: str
    query: str
    columns: dict[str, str]  # query column -> heading
    text: str = ""
    params: Mapping[str, str | int] = field(default_factory=dict)
    #: file, drawer (None when the rows cannot make that chart), caption
    chart: tuple[str, Callable[[QueryResult], bytes | None], str] | None = None
    #: What fills the section when its query has no rows in this graph.
    hint: str = ""
    #: A data-quality view: no rows is the good news, not missing data.
    empty_is_good: bool = False


#: The heading of a query column, the same in every table that shows it.
HEADINGS = {
    "papers": "papers",
    "share": "share",
    "field_label": "field",
    "dl_papers": "DL papers",
    "ptm_papers": "PTM papers",
    "ptm_share": "PTM share",
    "natural_science": "natural science",
    "pattern_label": "pattern",
    "reuse_instances": "reuse instances",
    "stage_label": "stage",
    "model_reuses": "reused models",
    "rank": "rank",
    "model_label": "model",
    "year": "year",
    "models": "models",
    "doi": "DOI",
    "title": "title",
    "kind": "kind",
    "label": "label",
    "name": "source",
    "format": "format",
    "read": "records read",
    "accepted": "accepted",
    "rejected": "rejected",
}


def _columns(*names: str, **headings: str) -> dict[str, str]:
    """The query columns a table shows, in order, headed as :data:`HEADINGS` says unless
    ``headings`` names another heading for this table."""
    return {name: headings[name] if name in headings else HEADINGS[name] for name in names}


_FIELDS_HINT = (
    "No paper has a field in this graph. Fields come from OpenAlex: "
    "`ptmkg link openalex` fetches them for the papers with a DOI (or build a source "
    "with a fields column)."
)
_STAGES_HINT = (
    "No reuse has a stage in this graph. Stages come from sources with a stages column, "
    "or from the study pipeline's impact analysis (an aius database)."
)
_REUSE_HINT = "No paper in this graph names a reused model; build a source with PTM reuse."


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "ptm-share",
        "Deep learning and PTM reuse",
        "ptm-share",
        _columns("measure", "papers", "of_papers", "share", measure="share of", of_papers="out of"),
        "Distinct papers; every bar is labelled with the two counts behind it.",
        chart=("ptm-share.png", charts.ptm_share, "Share of papers using deep learning and PTMs"),
        hint="No papers in this graph yet: build a source first.",
    ),
    SectionSpec(
        "fields",
        "PTM reuse by field",
        "papers-by-field",
        _columns(
            "field_label", "papers", "dl_papers", "ptm_papers", "ptm_share", "natural_science"
        ),
        "Distinct papers per field: a paper counts once in each of its fields, however many "
        "of its topics fall in that field. The PTM share is the field's papers that reuse PTMs.",
        chart=(
            "ptm-papers-by-field.png",
            charts.ptm_papers_by_field,
            "Papers reusing pre-trained models, by field",
        ),
        hint=_FIELDS_HINT,
    ),
    SectionSpec(
        "patterns",
        "Reuse patterns",
        "reuse-by-pattern",
        _columns("pattern_label", "reuse_instances", "share", "papers"),
        "A reuse instance is a distinct paper, model and pattern, however many sources assert it.",
        chart=("reuse-patterns.png", charts.reuse_patterns, "Reuse patterns, share of instances"),
        hint=_REUSE_HINT,
    ),
    SectionSpec(
        "patterns-by-field",
        "Reuse patterns per field",
        "pattern-by-field",
        _columns(
            "field_label",
            "pattern_label",
            "reuse_instances",
            "share",
            "papers",
            share="share of field",
        ),
        chart=(
            "pattern-shares-by-field.png",
            charts.pattern_shares_by_field,
            "Reuse pattern shares per field",
        ),
        hint=_FIELDS_HINT,
    ),
    SectionSpec(
        "stages",
        "Stage impact",
        "reuse-by-stage",
        _columns("stage_label", "model_reuses", "papers"),
        "Reused models (distinct paper and model) that had impact on each stage of the "
        "scientific process; one model can serve several stages.",
        hint=_STAGES_HINT,
    ),
    SectionSpec(
        "stages-by-pattern",
        "Stage impact per reuse pattern",
        "stage-by-pattern",
        _columns(
            "pattern_label",
            "stage_label",
            "model_reuses",
            "share",
            "papers",
            share="share of pattern",
        ),
        chart=(
            "stage-impact-by-pattern.png",
            charts.stage_impact_by_pattern,
            "Stage impact per reuse pattern",
        ),
        hint=_STAGES_HINT,
    ),
    SectionSpec(
        "top-models",
        "Top models",
        "top-models",
        _columns("rank", "model_label", "papers", "reuse_instances"),
        "Ranked by the distinct papers reusing each model; tied models share a rank.",
        params={"limit": 10},
        chart=("top-models.png", charts.top_models, "Most reused models, by papers"),
        hint=_REUSE_HINT,
    ),
    SectionSpec(
        "trend",
        "Reuse over time",
        "reuse-by-year",
        _columns("year", "papers", "ptm_papers", "ptm_share", "reuse_instances", "models"),
        "A year with no paper is a gap in the line, not a line drawn through it.",
        chart=("reuse-over-time.png", charts.reuse_over_time, "PTM reuse per publication year"),
        hint="No paper has a publication year in this graph: `ptmkg link openalex` fetches "
        "them (an annotation sheet's review date is not a publication year).",
    ),
    SectionSpec(
        "without-models",
        "Data quality: papers flagged as reusing PTMs with no model",
        "ptm-papers-without-models",
        _columns("doi", "title", "year", "source_name", source_name="flagged by"),
        hint="No paper is flagged as reusing PTMs without a named model.",
        empty_is_good=True,
    ),
    SectionSpec(
        "outside-vocabulary",
        "Data quality: labels outside the vocabulary",
        "labels-outside-vocabulary",
        _columns("kind", "label", "model_reuses", "papers"),
        hint="Every pattern and stage label is one of the vocabulary's.",
        empty_is_good=True,
    ),
    SectionSpec(
        "sources",
        "Sources",
        "sources",
        _columns("name", "format", "read", "accepted", "rejected"),
        "What the graph was built from, by file name (links and registries by their own name).",
        hint="No source recorded in this graph.",
    ),
)

SUMMARY_LABELS = {
    "papers": "papers",
    "dl_papers": "papers using deep learning",
    "ptm_papers": "papers reusing PTMs",
    "models": "distinct models reused",
    "model_reuses": "model reuses (paper, model, pattern or none)",
    "reuse_instances": "reuse instances (a pattern named)",
    "without_pattern": "model reuses without a pattern",
}


@dataclass
class Section:
    spec: SectionSpec
    result: QueryResult
    chart_png: bytes | None = None

    @property
    def command(self) -> str:
        params = "".join(f" --param {k}={v}" for k, v in self.spec.params.items())
        return f"ptmkg query {self.spec.query}{params}"


@dataclass
class Report:
    title: str
    store: str
    created: str
    summary: QueryResult
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.spec.key == key)


@dataclass
class WrittenReport:
    markdown: Path | None  # None when only the HTML page was asked for (-o report.html)
    html: Path
    charts: list[Path]
    report: Report

    @property
    def missing_data(self) -> list[Section]:
        """The sections this graph has no data for (collapsed in the report, with a hint)."""
        return [s for s in self.report.sections if not s.result.rows and not s.spec.empty_is_good]


def build_report(store: GraphStore, title: str = REPORT_TITLE) -> Report:
    """Run every query the report shows and draw its charts."""
    summary = run_query(store, "corpus-summary")
    sections = []
    for spec in SECTIONS:
        result = run_query(store, spec.query, spec.params)
        chart = spec.chart[1](result) if spec.chart and result.rows else None
        sections.append(Section(spec, result, chart))
    return Report(
        title=title,
        store=store.location,
        created=dt.date.today().isoformat(),
        summary=summary,
        sections=sections,
    )


# ------------------------------------------------------------ Markdown


def _md_text(text: str) -> str:
    return markdown_text(text)


def _summary_rows(report: Report) -> QueryResult:
    values = report.summary.rows[0] if report.summary.rows else {}
    return QueryResult(
        columns=["measure", "value"],
        rows=[
            {"measure": label, "value": values.get(key)} for key, label in SUMMARY_LABELS.items()
        ],
    )


def render_markdown(report: Report, chart_folder: str = "charts") -> str:
    lines = [
        f"# {_md_text(report.title)}",
        "",
        f"Made by ptmkg on {report.created} from the graph in {markdown_code(report.store)}. "
        "Every number below is the answer of the canned query named under its table.",
        "",
        "## Corpus",
        "",
        markdown_table(_summary_rows(report)),
        "Query: `ptmkg query corpus-summary`",
        "",
    ]
    for section in report.sections:
        spec = section.spec
        lines += [f"## {_md_text(spec.heading)}", ""]
        if not section.result.rows:
            # Collapsed: one line on what would fill it, and the query to check.
            lines += [f"None in this graph. {_md_hint(spec.hint)} Query: `{section.command}`", ""]
            continue
        if spec.text:
            lines += [_md_text(spec.text), ""]
        if spec.chart and section.chart_png:
            lines += [f"![{_md_text(spec.chart[2])}]({chart_folder}/{spec.chart[0]})", ""]
        if section.result.rows:
            lines.append(markdown_table(section.result, spec.columns))
        else:
            lines += ["(none in this graph)", ""]
        title = _md_text(get_query(spec.query).title)
        lines += [f"Query: {markdown_code(section.command)} ({title})", ""]
    return "\n".join(lines)


def _md_hint(hint: str) -> str:
    """A hint's text with its `commands` kept as code."""
    parts = hint.split("`")
    return "".join(
        f"`{part}`" if i % 2 else html.escape(" ".join(part.split(" ")), quote=False)
        for i, part in enumerate(parts)
    )


def _html_hint(hint: str) -> str:
    parts = hint.split("`")
    return "".join(
        f"<code>{html.escape(part)}</code>" if i % 2 else html.escape(part)
        for i, part in enumerate(parts)
    )


# ------------------------------------------------------------ HTML

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 60rem; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
     border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption, .query, .note { color: #555; font-size: .85rem; }
code { background: #f3f3f3; padding: 0 .2rem; }
details.empty { margin-top: 1.6rem; color: #555; }
details.empty summary { cursor: pointer; }
details.empty summary h2 { display: inline; font-size: 1.05rem; border: none; color: #444; }
"""


def _html_table(result: QueryResult, columns: Mapping[str, str]) -> str:
    numeric = {
        c
        for c in columns
        if any(
            isinstance(r.get(c), int | float) and not isinstance(r.get(c), bool)
            for r in result.rows
        )
    }
    head = "".join(f"<th>{html.escape(h)}</th>" for h in columns.values())
    body = []
    for row in result.rows:
        cells = "".join(
            f'<td class="number">{html.escape(display_value(c, row.get(c)))}</td>'
            if c in numeric
            else f"<td>{html.escape(display_value(c, row.get(c)))}</td>"
            for c in columns
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(report: Report) -> str:
    escape = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="note">Made by ptmkg on {escape(report.created)} from the graph in '
        f"<code>{escape(report.store)}</code>. Every number below is the answer of the canned "
        "query named under its table.</p>",
        "<h2>Corpus</h2>",
        _html_table(_summary_rows(report), {"measure": "measure", "value": "value"}),
        '<p class="query">Query: <code>ptmkg query corpus-summary</code></p>',
    ]
    for section in report.sections:
        spec = section.spec
        if not section.result.rows:
            parts.append(
                f'<details class="empty" id="{escape(spec.key)}"><summary>'
                f"<h2>{escape(spec.heading)}</h2> <span>none in this graph</span></summary>"
                f'<p class="note">{_html_hint(spec.hint)}</p>'
                f'<p class="query">Query: <code>{escape(section.command)}</code></p></details>'
            )
            continue
        parts.append(f'<h2 id="{escape(spec.key)}">{escape(spec.heading)}</h2>')
        if spec.text:
            parts.append(f"<p>{escape(spec.text)}</p>")
        if spec.chart and section.chart_png:
            encoded = base64.b64encode(section.chart_png).decode("ascii")
            parts.append(
                f'<figure><img alt="{escape(spec.chart[2])}" '
                f'src="data:image/png;base64,{encoded}">'
                f"<figcaption>{escape(spec.chart[2])}</figcaption></figure>"
            )
        parts.append(_html_table(section.result, spec.columns))
        parts.append(f'<p class="query">Query: <code>{escape(section.command)}</code></p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# ------------------------------------------------------------ writing


PAGE_SUFFIXES = (".html", ".htm")


def write_report(store: GraphStore, directory: Path, title: str = REPORT_TITLE) -> WrittenReport:
    """Write ``report.md``, ``report.html`` and ``charts/*.png`` into the folder
    ``directory``; or, for a path ending in ``.html``, that one page alone (its charts are
    inside it).

    Any other extension is refused rather than made a folder: ``-o report.md`` or
    ``-o report.pdf`` would otherwise be a folder holding files of other names.
    """
    directory = Path(directory)
    suffix = directory.suffix.lower()
    if suffix in PAGE_SUFFIXES and not directory.is_dir():
        report = build_report(store, title)
        try:
            directory.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomically(directory, render_html(report))
        except OSError as exc:
            raise PtmkgError(f"cannot write the report to {directory}: {exc.strerror}") from None
        return WrittenReport(markdown=None, html=directory, charts=[], report=report)
    if suffix and not directory.is_dir():
        raise PtmkgError(
            f"cannot write a report to {directory}: a report is a folder (report.md, "
            f"report.html and charts/) or one page ending in .html; give a folder, or "
            f"{directory.with_suffix('.html')}"
        )
    report = build_report(store, title)
    chart_dir = directory / "charts"
    try:
        chart_dir.mkdir(parents=True, exist_ok=True)
        chart_paths = []
        for section in report.sections:
            if not section.spec.chart:
                continue
            path = chart_dir / section.spec.chart[0]
            if section.chart_png:
                write_bytes_atomically(path, section.chart_png)
                chart_paths.append(path)
            else:
                # An earlier report's chart of data this graph does not have.
                path.unlink(missing_ok=True)
        markdown = directory / "report.md"
        write_text_atomically(markdown, render_markdown(report, "charts"))
        page = directory / "report.html"
        write_text_atomically(page, render_html(report))
    except OSError as exc:
        raise PtmkgError(f"cannot write the report to {directory}: {exc.strerror}") from None
    return WrittenReport(markdown=markdown, html=page, charts=chart_paths, report=report)
