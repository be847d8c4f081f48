"""Hostile strings in titles, model names, journals and parameters: stored faithfully,
escaped in every output, never executed, never able to change a query."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

import kg

SCRIPT = "<script>alert('x')</script>"
HOSTILE = {
    "title": f'{SCRIPT} "quoted" | pipe\nnewline [bold red]markup[/] }} DROP ALL {{ # """ > .',
    "journal": 'Journal of <b>Bold</b> & "Quotes" ; DROP GRAPH <x>',
    "model": 'Evil"Net> (v2, <img src=x onerror=alert(1)>)',
    "evidence": "Ünïcödé \u200f right-to-left \u0301 combining 😀 and a very long tail "
    + "x" * 5000,
}


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    rows = [
        {
            "doi": "10.7000/h1",
            "title": HOSTILE["title"],
            "year": 2021,
            "journal": HOSTILE["journal"],
            "fields": ["Neuroscience"],
            "model": HOSTILE["model"],
            "pattern": "Adaptation",
            "stages": ["Test"],
            "evidence": HOSTILE["evidence"],
        },
        {
            "doi": "10.7000/h2",
            "title": "Plain",
            "year": 2022,
            "fields": ["Neuroscience"],
            "model": "BERT",
            "pattern": "Adaptation",
            "stages": ["Test"],
        },
    ]
    path = folder / "hostile.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    store_path = folder / "store"
    report = kg.build(kg.EmbeddedStore(store_path), [path], rejects_dir=folder)
    assert report.sources[0].rejected == 0
    return kg.EmbeddedStore(store_path)


def test_stored_faithfully(hostile_store):
    rows = kg.run_sparql(
        hostile_store,
        """
        SELECT ?title ?journal ?mention ?evidence WHERE {
          ?p bibo:doi "10.7000/h1" ; dcterms:title ?title ; ptm:publishedIn/rdfs:label ?journal ;
             ptm:hasReuse ?r . ?r ptm:modelMention ?mention ; ptm:evidence ?evidence }""",
    ).rows
    assert rows == [
        {
            "title": HOSTILE["title"],
            "journal": HOSTILE["journal"],
            "mention": HOSTILE["model"],
            "evidence": HOSTILE["evidence"],
        }
    ]
    assert kg.validate(hostile_store).conforms


def test_csv_and_json_outputs_give_the_values_back(cli, hostile_store):
    query = 'SELECT ?title WHERE { ?p bibo:doi "10.7000/h1" ; dcterms:title ?title }'
    as_csv = cli("sparql", query, "--store", hostile_store.location, "--format", "csv")
    assert list(csv.DictReader(io.StringIO(as_csv.stdout))) == [{"title": HOSTILE["title"]}]
    as_json = cli("sparql", query, "--store", hostile_store.location, "--format", "json")
    bindings = json.loads(as_json.stdout)["results"]["bindings"]
    assert bindings[0]["title"]["value"] == HOSTILE["title"]
    as_xml = cli("sparql", query, "--store", hostile_store.location, "--format", "xml")
    literal = ET.fromstring(as_xml.stdout).find(
        ".//{http://www.w3.org/2005/sparql-results#}literal"
    )
    assert literal is not None and literal.text == HOSTILE["title"]


def test_markdown_output_keeps_one_row_per_result(cli, hostile_store):
    result = cli(
        "query",
        "papers-reusing-model",
        "--param",
        "model=BERT",
        "--store",
        hostile_store.location,
        "--format",
        "md",
    )
    assert result.exit_code == 0, result.output
    everything = cli(
        "sparql",
        "SELECT ?t WHERE { ?p dcterms:title ?t . ?p a ptm:Paper }",
        "--store",
        hostile_store.location,
        "--format",
        "md",
    ).stdout
    table = [line for line in everything.splitlines() if line.startswith("|")]
    assert len(table) == 4  # header, rule, two papers: the newline and pipe are escaped
    assert all(line.count("|") - line.count("\\|") == 2 for line in table)


def test_terminal_output_shows_markup_as_text(cli, hostile_store):
    result = cli(
        "sparql",
        'SELECT ?t WHERE { ?p bibo:doi "10.7000/h1" ; dcterms:title ?t }',
        "--store",
        hostile_store.location,
        "--format",
        "table",
    )
    assert "[bold red]markup[/]" in result.stdout


def test_the_html_report_escapes_everything(hostile_store, tmp_path):
    written = kg.write_report(hostile_store, tmp_path / "report")
    html = written.html.read_text(encoding="utf-8")
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html or "EvilNet" in html
    markdown = written.markdown.read_text(encoding="utf-8")
    assert "<img src=x" not in markdown


def test_network_outputs_escape_and_read_back(hostile_store, tmp_path):
    graph = kg.network(hostile_store, "model-field")
    labels = {data.get("label") for _, data in graph.nodes(data=True)}
    assert "EvilNet> (v2, <img src=x onerror=alert(1)>)" in {
        label.replace('"', "") for label in labels if label
    }
    graphml = tmp_path / "net.graphml"
    kg.write_network(graph, graphml)
    back = nx.read_graphml(graphml)
    assert {d.get("label") for _, d in back.nodes(data=True)} == labels
    page = tmp_path / "net.html"
    kg.write_network(graph, page)
    html = page.read_text(encoding="utf-8")
    assert "<img src=x" not in html


def test_hostile_parameters_are_plain_values(hostile_store):
    for value in ('x" } DROP ALL { "', "BERT> . <x", "#comment\n}", "'; DELETE WHERE {?s ?p ?o}"):
        try:
            result = kg.run_query(hostile_store, "top-models", {"field": value})
        except kg.PtmkgError as exc:
            assert "unknown field" in str(exc)
            continue
        assert result.rows is not None
    assert kg.stats(hostile_store).summary["papers"] == 2  # nothing was changed
