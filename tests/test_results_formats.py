"""Every output format, parsed back: csv module, json, an XML parser, pyoxigraph, rdflib."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sys
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib
from hand_counted import build_hand_counted

import kg
from kg.query.results import RESULT_FORMATS, write_result
from kg.rdf.formats import RDF_OUTPUT_FORMATS

XSD = "http://www.w3.org/2001/XMLSchema#"
SR = "{http://www.w3.org/2005/sparql-results#}"

# Every kind of term a result holds: a language-tagged string with a comma, quotes,
# a tab, a newline and a pipe; an IRI; a typed number; a boolean; an unbound value.
AWKWARD = 'x, "y" | <z>\tand\nmore'
AWKWARD_LITERAL = str(ox.Literal(AWKWARD, language="en"))
TERMS_QUERY = f"""
SELECT ?text ?number ?flag WHERE {{
  VALUES (?text ?number ?flag) {{
    ({AWKWARD_LITERAL} 1 true)
    (<http://example.org/thing> 2.5 UNDEF)
    (UNDEF 3 false)
  }}
}} ORDER BY ?number
"""
PLAIN_ROWS = [
    [AWKWARD, "1", "true"],
    ["http://example.org/thing", "2.5", ""],
    ["", "3", "false"],
]


@pytest.fixture(scope="module")
def select_result():
    return kg.execute_sparql(kg.EmbeddedStore(None), TERMS_QUERY)


@pytest.fixture(scope="module")
def hand_counted(tmp_path_factory):
    return build_hand_counted(tmp_path_factory.mktemp("hand-counted"))


def written(result, format_name: str) -> bytes:
    buffer = io.BytesIO()
    write_result(result, buffer, format_name)
    return buffer.getvalue()


def test_csv_parses_back_with_the_csv_module(select_result):
    data = written(select_result, "csv")
    assert data.startswith(b"text,number,flag\r\n")
    table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert table == [["text", "number", "flag"], *PLAIN_ROWS]


def test_tsv_parses_back_with_the_csv_module_and_escapes(select_result):
    data = written(select_result, "tsv").decode("utf-8")
    assert data.count("\n") == 4  # the newline inside a value is escaped
    table = list(csv.reader(io.StringIO(data), delimiter="\t", quoting=csv.QUOTE_NONE))

    def unescape(cell: str) -> str:
        return cell.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\")

    assert [[unescape(c) for c in row] for row in table] == [
        ["text", "number", "flag"],
        *PLAIN_ROWS,
    ]


def test_json_is_sparql_results_json(select_result):
    data = written(select_result, "json")
    document = json.loads(data)
    assert document["head"] == {"vars": ["text", "number", "flag"]}
    first, second, third = document["results"]["bindings"]
    assert first == {
        "text": {"type": "literal", "value": AWKWARD, "xml:lang": "en"},
        "number": {"type": "literal", "value": "1", "datatype": XSD + "integer"},
        "flag": {"type": "literal", "value": "true", "datatype": XSD + "boolean"},
    }
    assert second["text"] == {"type": "uri", "value": "http://example.org/thing"}
    assert "flag" not in second and "text" not in third  # unbound is left out
    reparsed = list(ox.parse_query_results(data, ox.QueryResultsFormat.JSON))
    assert [[s[v] for v in ("text", "number", "flag")] for s in reparsed] == select_result.terms


def test_xml_is_sparql_results_xml(select_result):
    data = written(select_result, "xml")
    root = ET.fromstring(data)
    assert root.tag == SR + "sparql"
    assert [v.get("name") for v in root.iter(SR + "variable")] == ["text", "number", "flag"]
    results = list(root.iter(SR + "result"))
    assert len(results) == 3
    literal = results[0].find(f"{SR}binding[@name='text']/{SR}literal")
    assert literal.text == AWKWARD
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    number = results[1].find(f"{SR}binding[@name='number']/{SR}literal")
    assert (number.text, number.get("datatype")) == ("2.5", XSD + "decimal")
    assert results[1].find(f"{SR}binding[@name='text']/{SR}uri").text == "http://example.org/thing"
    assert results[1].find(f"{SR}binding[@name='flag']") is None
    reparsed = list(ox.parse_query_results(data, ox.QueryResultsFormat.XML))
    assert [[s[v] for v in ("text", "number", "flag")] for s in reparsed] == select_result.terms


def test_rdflib_reads_the_json_and_xml_results(select_result):
    for name in ("json", "xml"):
        parsed = rdflib.query.Result.parse(io.BytesIO(written(select_result, name)), format=name)
        assert [str(row[1]) for row in parsed] == ["1", "2.5", "3"]


def test_markdown_parses_back_as_a_pipe_table(select_result):
    lines = written(select_result, "md").decode("utf-8").splitlines()
    assert len(lines) == 5
    assert lines[0] == "| text | number | flag |"
    assert set(lines[1].replace("|", "").split()) <= {"---", "---:"}

    def cells(line: str) -> list[str]:
        parts = [p.strip() for p in line.strip().strip("|").replace("\\|", "\x00").split("|")]
        # CommonMark's backslash escapes of ASCII punctuation, then HTML's entities.
        unescaped = (re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", p) for p in parts)
        return [html.unescape(p.replace("\x00", "|")) for p in unescaped]

    # Markdown cells are one line: the tab and newline become spaces.
    assert cells(lines[2]) == [" ".join(AWKWARD.split()), "1", "yes"]
    assert cells(lines[3]) == ["http://example.org/thing", "2.5", ""]
    assert cells(lines[4]) == ["", "3", "no"]


def test_table_shows_every_value(select_result):
    text = written(select_result, "table").decode("utf-8")
    for value in ("text", "number", "flag", "http://example.org/thing", "2.5", "yes", "no"):
        assert value in text


def test_every_format_is_stable(select_result):
    for name in RESULT_FORMATS:
        assert written(select_result, name) == written(select_result, name)


def test_ask_results_in_every_format():
    store = kg.EmbeddedStore(None)
    answer = kg.execute_sparql(store, "ASK { FILTER(1 < 2) }")
    assert bool(answer) is True
    assert json.loads(written(answer, "json")) == {"head": {}, "boolean": True}
    root = ET.fromstring(written(answer, "xml"))
    assert root.find(SR + "boolean").text == "true"
    assert bool(ox.parse_query_results(written(answer, "xml"), ox.QueryResultsFormat.XML))
    assert list(csv.reader(io.StringIO(written(answer, "csv").decode()))) == [["boolean"], ["true"]]


CONSTRUCT = """
CONSTRUCT { ?paper bibo:doi ?doi ; ptm:hasField ?field . ?field skos:prefLabel ?label }
WHERE { ?paper bibo:doi ?doi ; ptm:hasField ?field . ?field skos:prefLabel ?label }
"""


@pytest.mark.parametrize("name", list(RDF_OUTPUT_FORMATS))
def test_construct_results_parse_back_with_rdflib(hand_counted, name):
    graph = kg.execute_sparql(hand_counted, CONSTRUCT)
    assert isinstance(graph, kg.GraphResult)
    # 8 DOIs, 10 distinct (paper, field) pairs, 4 field labels.
    assert len(graph) == 22
    data = written(graph, name)
    assert data == written(graph, name)  # stable
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
                     "jsonld": "json-ld", "rdfxml": "xml"}[name]  # fmt: skip
    parsed = rdflib.Dataset()
    parsed.parse(data=data, format=rdflib_format)
    triples = {(str(s), str(p), str(o)) for s, p, o, _ in parsed.quads()}
    assert triples == {(t.subject.value, t.predicate.value, t.object.value) for t in graph.triples}


def test_describe_results_are_graphs(hand_counted, cli):
    result = cli(
        "sparql",
        "DESCRIBE ?m WHERE { ?m rdfs:label 'BERT' }",
        "--format",
        "ntriples",
        "--store",
        hand_counted.location,
    )
    assert result.exit_code == 0, result.output
    parsed = rdflib.Graph().parse(data=result.stdout, format="nt")
    labels = {str(o) for o in parsed.objects(predicate=rdflib.RDFS.label)}
    assert labels == {"BERT"}


def test_graph_results_refuse_a_table_format(hand_counted, cli):
    result = cli("sparql", CONSTRUCT, "--format", "csv", "--store", hand_counted.location)
    assert result.exit_code == 1
    assert "'csv' is not an RDF format" in result.stderr


@pytest.mark.parametrize(
    ("filename", "check"),
    [
        ("out.csv", lambda data: data.startswith(b"rank,model,model_label")),
        ("out.tsv", lambda data: data.startswith(b"rank\tmodel\tmodel_label")),
        ("out.json", lambda data: json.loads(data)["head"]["vars"][0] == "rank"),
        ("out.srj", lambda data: json.loads(data)["head"]["vars"][0] == "rank"),
        ("out.xml", lambda data: ET.fromstring(data).tag == SR + "sparql"),
        ("out.srx", lambda data: ET.fromstring(data).tag == SR + "sparql"),
        ("out.md", lambda data: data.startswith(rb"| rank | model | model\_label |")),
        ("out.unknown", lambda data: data.startswith(b"rank,model")),
    ],
)
def test_output_file_format_follows_its_extension(cli, hand_counted, tmp_path, filename, check):
    target = tmp_path / filename
    result = cli("query", "top-models", "-o", target, "--store", hand_counted.location)
    assert result.exit_code == 0, result.output
    assert check(target.read_bytes())
    assert "wrote" in result.stderr


def test_construct_to_a_file_follows_its_extension(cli, hand_counted, tmp_path):
    target = tmp_path / "fields.ttl"
    result = cli("sparql", CONSTRUCT, "-o", target, "--store", hand_counted.location)
    assert result.exit_code == 0, result.output
    assert len(rdflib.Graph().parse(target, format="turtle")) == 22


@pytest.mark.parametrize("name", list(RESULT_FORMATS))
def test_query_format_option_writes_to_stdout(cli, hand_counted, name):
    result = cli("query", "reuse-by-pattern", "--format", name, "--store", hand_counted.location)
    assert result.exit_code == 0, result.output
    assert "Adaptation" in result.stdout


def test_canned_query_output_is_identical_run_after_run(cli, hand_counted):
    outputs = {
        cli("query", "model-by-field", "--format", "json", "--store", hand_counted.location).stdout
        for _ in range(3)
    }
    assert len(outputs) == 1


def test_rows_become_a_dataframe_when_pandas_is_installed(hand_counted):
    pandas = pytest.importorskip("pandas")
    frame = kg.run_query(hand_counted, "reuse-by-pattern").to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["pattern", "pattern_label", "reuse_instances", "papers", "share"]
    assert frame["reuse_instances"].tolist() == [4, 2, 2]


def test_dataframe_without_pandas_is_a_clear_error(hand_counted, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    result = kg.run_query(hand_counted, "reuse-by-pattern")
    with pytest.raises(kg.PtmkgError, match="needs pandas"):
        result.to_dataframe()
