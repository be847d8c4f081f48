"""``ptmkg report``: the numbers it shows are the canned queries' answers, its charts are real
images, and its HTML is one file that opens offline and escapes the data."""

from __future__ import annotations

import base64
import html
import io
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hand_counted import HEADER
from PIL import Image

import kg
from kg.report import charts
from kg.report.document import SECTIONS

CHARTS = {
    "ptm-share.png",
    "ptm-papers-by-field.png",
    "reuse-patterns.png",
    "pattern-shares-by-field.png",
    "stage-impact-by-pattern.png",
    "top-models.png",
    "reuse-over-time.png",
}
#: What an annotation sheet (no fields, no years, no stages) supports.
SHEET_CHARTS = {"ptm-share.png", "reuse-patterns.png", "top-models.png"}
SHEET = Path(__file__).parent.parent / "examples" / "illustrative-sheet.csv"


@pytest.fixture(scope="module")
def written(illustrative_store, tmp_path_factory):
    from typer.testing import CliRunner

    from cli import app

    folder = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        app, ["report", "-o", str(folder), "--store", illustrative_store.location]
    )
    assert result.exit_code == 0, result.output
    return folder


def _unescape(text: str) -> str:
    """Markdown text as it reads: CommonMark's backslash escapes, then HTML's entities."""
    return html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text))


def markdown_tables(text: str) -> dict[str, list[list[str]]]:
    """Each '## heading' -> the rows (cells) of the first table under it, header included."""
    tables: dict[str, list[list[str]]] = {}
    heading = None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = _unescape(line[3:])
            tables[heading] = []
        elif heading and line.startswith("|") and not re.fullmatch(r"[|\s\-:]+", line):
            cells = line.strip().strip("|").replace("\\|", "\x00").split("|")
            tables[heading].append([_unescape(c.strip().replace("\x00", "|")) for c in cells])
    return tables


def matches(cell: str, value) -> bool:
    """Whether a cell shows the value (a person reads 61.1% as 0.611, 1,234 as 1234)."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("yes" if value else "no")
    if isinstance(value, int):
        return int(cell.replace(",", "")) == value
    if isinstance(value, float):
        return cell.endswith("%") and abs(float(cell[:-1]) / 100 - value) <= 0.0005 + 1e-9
    return cell == str(value)


def test_report_writes_markdown_html_and_charts(written):
    assert (written / "report.md").is_file()
    assert (written / "report.html").is_file()
    assert {p.name for p in (written / "charts").iterdir()} == CHARTS


def test_every_number_in_the_markdown_is_a_query_answer(written, illustrative_store):
    tables = markdown_tables((written / "report.md").read_text(encoding="utf-8"))
    summary = kg.run_query(illustrative_store, "corpus-summary").rows[0]
    corpus = {row[0]: row[1] for row in tables["Corpus"][1:]}
    assert matches(corpus["papers"], summary["papers"])
    assert matches(corpus["papers reusing PTMs"], summary["ptm_papers"])
    assert matches(corpus["reuse instances (a pattern named)"], summary["reuse_instances"])
    assert matches(corpus["model reuses without a pattern"], summary["without_pattern"])
    assert len(corpus) == 7
    for spec in SECTIONS:
        expected = kg.run_query(illustrative_store, spec.query, spec.params)
        table = tables[spec.heading]
        if not expected.rows:
            assert table == [], spec.heading
            continue
        header, *shown = table
        assert header == list(spec.columns.values()), spec.heading
        assert len(shown) == len(expected.rows), spec.heading
        for cells, row in zip(shown, expected.rows, strict=True):
            for cell, column in zip(cells, spec.columns, strict=True):
                assert matches(cell, row[column]), (spec.heading, column, cell, row[column])


def test_the_report_shows_the_studys_tables(written):
    text = (written / "report.md").read_text(encoding="utf-8")
    for heading in ("PTM reuse by field", "Reuse patterns", "Stage impact", "Top models",
                    "Reuse over time"):  # fmt: skip
        assert f"## {heading}\n" in text
    assert "Query: `ptmkg query top-models --param limit=10`" in text
    for chart in CHARTS:
        assert f"](charts/{chart})" in text


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes["src"])
        for name in ("href", "src"):
            if name in attributes and tag != "img":
                self.links.append(attributes[name])
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_html_is_one_file_with_its_images_inlined(written):
    page = _Page()
    page.feed((written / "report.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags and "link" not in page.tags
    assert page.links == []
    assert len(page.images) == len(CHARTS)
    pngs = {p.read_bytes() for p in (written / "charts").iterdir()}
    for source in page.images:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.removeprefix("data:image/png;base64,")) in pngs


def test_html_tables_show_the_same_numbers_as_the_markdown(written):
    page = _Page()
    page.feed((written / "report.html").read_text(encoding="utf-8"))
    markdown = [t for t in markdown_tables((written / "report.md").read_text()).values() if t]
    assert page.tables == markdown


def assert_real_image(data: bytes, ink: float = 0.03) -> None:
    """A PNG that opens, of a useful size, with at least ``ink`` of its pixels not white."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()
    image = Image.open(io.BytesIO(data)).convert("RGB")
    width, height = image.size
    assert width >= 400 and height >= 250
    colours = image.getcolors(maxcolors=width * height)
    assert len(colours) > 20  # text and anti-aliasing at least, not a flat fill
    white = sum(count for count, colour in colours if colour == (255, 255, 255))
    assert white <= (1 - ink) * width * height


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_charts_are_real_non_blank_pngs(written, chart):
    assert_real_image((written / "charts" / chart).read_bytes())


def test_report_escapes_every_text_from_the_data(build_store, write, tmp_path):
    evil_model = "<script>alert('model')</script> & Co"
    evil_title = '<img src=x onerror="alert(1)">'
    store = build_store(
        write(
            "evil.csv",
            HEADER + f'10.1000/e1,T,2024,J,Chemistry,True,True,"{evil_model}",Adaptation,Test,\n'
            f'10.1000/e2,"{evil_title.replace(chr(34), 2 * chr(34))}",2024,J,Chemistry,True,True'
            ",,,,\n",
        )
    )
    result = kg.write_report(store, tmp_path / "out", title="<b>Title</b>")
    page = result.html.read_text(encoding="utf-8")
    for text in (evil_model, evil_title, "<b>Title</b>"):
        assert text not in page
        assert html.escape(text) in page or html.escape(text, quote=False) in page
    assert "<script" not in page and "<img src=x" not in page
    markdown = result.markdown.read_text(encoding="utf-8")
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown


def test_report_on_a_graph_without_reuse_draws_only_what_it_has(build_store, write, tmp_path):
    store = build_store(
        write("plain.csv", HEADER + "10.1000/x,T,2020,J,Chemistry,True,False,,,,\n")
    )
    result = kg.write_report(store, tmp_path / "out")
    # One paper with a field and a year, and no reuse: no pattern, stage or model chart.
    assert {p.name for p in result.charts} == {
        "ptm-share.png", "reuse-over-time.png",
    }  # fmt: skip
    for chart in result.charts:
        assert_real_image(chart.read_bytes(), ink=0.01)
    markdown = result.markdown.read_text(encoding="utf-8")
    assert "## Top models\n\nNone in this graph. No paper in this graph names a reused model" in (
        markdown
    )


# ------------------------------------------------------------ the study's own sheets


@pytest.fixture(scope="module")
def sheet_report(tmp_path_factory):
    """The report of a store built from an annotation sheet only: no fields, no years."""
    folder = tmp_path_factory.mktemp("sheet")
    store = kg.EmbeddedStore(folder / "store")
    kg.build(store, [SHEET], rejects_dir=folder / "rejects")
    store.close()
    return kg.write_report(kg.EmbeddedStore(folder / "store"), folder / "report")


def test_a_sheet_gets_the_charts_its_data_supports(sheet_report):
    assert {p.name for p in sheet_report.charts} == SHEET_CHARTS
    for chart in sheet_report.charts:
        assert_real_image(chart.read_bytes())
    # Counted from examples/illustrative-sheet.csv: 6 papers, 5 using deep learning
    # (105 does not), 4 reusing PTMs (101, 102, 103, 106), all of them using deep learning.
    share = sheet_report.report.section("ptm-share").result.rows
    assert [(r["papers"], r["of_papers"]) for r in share] == [(5, 6), (4, 6), (4, 5)]


def test_a_sheets_empty_sections_are_collapsed_with_what_fills_them(sheet_report):
    markdown = sheet_report.markdown.read_text(encoding="utf-8")
    for heading in ("PTM reuse by field", "Reuse patterns per field", "Reuse over time"):
        section = markdown.split(f"## {heading}\n\n", 1)[1].split("\n## ", 1)[0]
        assert section.startswith("None in this graph.")
        assert "`ptmkg link openalex`" in section
        assert "![" not in section and "|" not in section  # no chart, no empty table
    page = _Page()
    text = sheet_report.html.read_text(encoding="utf-8")
    page.feed(text)
    collapsed = re.findall(r'<details class="empty" id="([^"]+)">', text)
    assert set(collapsed) == {
        "fields", "patterns-by-field", "stages", "stages-by-pattern", "trend",
        "without-models", "outside-vocabulary",
    }  # fmt: skip
    assert "<code>ptmkg link openalex</code>" in text
    assert len(page.images) == len(SHEET_CHARTS)


def test_sources_are_named_by_their_file_not_their_iri(sheet_report, build_store, write, tmp_path):
    markdown = sheet_report.markdown.read_text(encoding="utf-8")
    rows = markdown_tables(markdown)["Sources"]
    assert rows[0] == ["source", "format", "records read", "accepted", "rejected"]
    assert ["illustrative-sheet.csv", "csv, annotation sheet (layout 2)", "6", "6", "0"] in rows
    assert kg.DEFAULT_BASE_IRI + "source/" not in markdown
    assert kg.DEFAULT_BASE_IRI + "source/" not in sheet_report.html.read_text(encoding="utf-8")

    # A paper flagged as reusing PTMs with no model names the sheet that flagged it.
    flagged = build_store(
        write(
            "flagged-sheet.csv",
            "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n10.5555/f1,True,True,\n",
        )
    )
    result = kg.write_report(flagged, tmp_path / "flagged")
    table = markdown_tables(result.markdown.read_text(encoding="utf-8"))[
        "Data quality: papers flagged as reusing PTMs with no model"
    ]
    assert table == [
        ["DOI", "title", "year", "flagged by"],
        ["10.5555/f1", "", "", "flagged-sheet.csv"],
    ]
    assert [row["name"] for row in kg.run_query(flagged, "sources").rows] == [
        "flagged-sheet.csv",
        "model-registry",
    ]


def _figure_of(monkeypatch, draw, result):
    """The matplotlib figure a chart function draws (its PNG step skipped)."""
    monkeypatch.setattr(charts, "_png", lambda figure: figure)
    return draw(result)


def test_every_percentage_bar_carries_its_counts(monkeypatch, illustrative_store, sheet_report):
    share = sheet_report.report.section("ptm-share").result
    texts = [t.get_text() for t in _figure_of(monkeypatch, charts.ptm_share, share).axes[0].texts]
    assert texts == [" 80% (4 of 5)", " 67% (4 of 6)", " 83% (5 of 6)"]  # drawn bottom-up
    patterns = sheet_report.report.section("patterns").result
    texts = [
        t.get_text() for t in _figure_of(monkeypatch, charts.reuse_patterns, patterns).axes[0].texts
    ]
    assert texts == [" 12% (1 of 8)", " 25% (2 of 8)", " 62% (5 of 8)"]
    by_field = kg.run_query(illustrative_store, "pattern-by-field")
    figure = _figure_of(monkeypatch, charts.pattern_shares_by_field, by_field)
    n = {}
    for row in by_field.rows:
        n[row["field_label"]] = n.get(row["field_label"], 0) + row["reuse_instances"]
    shown = sorted(t.get_text() for t in figure.axes[0].texts)
    assert shown == sorted(f" n = {count:,}" for count in n.values())
    fields = kg.run_query(illustrative_store, "papers-by-field")
    figure = _figure_of(monkeypatch, charts.ptm_papers_by_field, fields)
    assert all(re.fullmatch(r" \d+ \(\d+% of \d+\)", t.get_text()) for t in figure.axes[0].texts)


def test_a_missing_year_is_a_gap_not_a_line_through_it(monkeypatch, illustrative_store):
    by_year = kg.run_query(illustrative_store, "reuse-by-year")
    years = {row["year"] for row in by_year.rows}
    assert 2019 in years and 2021 in years and 2020 not in years  # the corpus skips 2020
    figure = _figure_of(monkeypatch, charts.reuse_over_time, by_year)
    (line,) = figure.axes[0].lines
    points = dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
    assert math.isnan(points[2020])  # matplotlib breaks the line there
    assert not math.isnan(points[2019]) and not math.isnan(points[2021])
    bars = {round(bar.get_x() + bar.get_width() / 2) for bar in figure.axes[0].patches}
    assert 2020 not in bars and {2019, 2021} <= bars
    assert "no papers in 2020" in figure.axes[0].get_xlabel()


def test_report_to_an_unwritable_place_is_a_message(cli, illustrative_store, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = cli("report", "-o", blocker / "sub", "--store", illustrative_store.location)
    assert result.exit_code == 1
    assert "cannot write the report" in result.stderr


def test_report_is_callable_from_python(illustrative_store, tmp_path):
    written = kg.write_report(illustrative_store, Path(tmp_path / "r"))
    assert written.report.section("top-models").result.rows[0]["rank"] == 1
    assert written.markdown.exists() and written.html.exists()


def test_the_command_names_what_the_graph_has_no_data_for(cli, tmp_path):
    built = cli("build", SHEET, "--store", tmp_path / "store")
    assert built.exit_code == 0, built.output
    result = cli("report", "-o", tmp_path / "out", "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    assert (
        "no data in this graph for: PTM reuse by field; Reuse patterns per field; Stage impact; "
        "Stage impact per reuse pattern; Reuse over time; the report says what fills them"
    ) in " ".join(result.stderr.split())
    written = {line.removeprefix("wrote ") for line in result.stdout.splitlines()}
    assert {Path(p).name for p in written} == {"report.md", "report.html", *SHEET_CHARTS}


def test_report_to_an_html_file_writes_that_one_page_and_other_extensions_are_refused(
    cli, illustrative_store, tmp_path
):
    page = tmp_path / "pages" / "reuse.html"
    result = cli("report", "-o", page, "--store", illustrative_store.location)
    assert result.exit_code == 0, result.output
    assert page.is_file()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["pages", "reuse.html"]
    assert result.stdout.split() == ["wrote", str(page)]
    text = page.read_text(encoding="utf-8")
    # The page stands alone: its charts are inside it, as in the folder's report.html.
    assert text.count('src="data:image/png;base64,') >= 1
    assert text == (kg.write_report(illustrative_store, tmp_path / "folder").html).read_text(
        encoding="utf-8"
    )
    for name in ("report.md", "report.pdf"):
        refused = cli("report", "-o", tmp_path / name, "--store", illustrative_store.location)
        assert refused.exit_code == 1 and "Traceback" not in refused.output
        message = " ".join(refused.stderr.split())
        assert f"cannot write a report to {tmp_path / name}: a report is a folder" in message
        assert str(tmp_path / (name.split(".")[0] + ".html")) in message
        assert not (tmp_path / name).exists()
