"""Every output format, parsed back: csv module, json, an XML parser, pyoxigraph, rdflib."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib
from hand_counted import FIELD, build_hand_counted, paper

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


# The four SPARQL 1.1 results formats of TERMS_QUERY, written out by hand from the W3C
# recommendations: CSV gives plain values (quoted when they hold a comma, quote or line
# break; CRLF line ends); TSV gives RDF terms in Turtle syntax (tabs and newlines inside
# a literal as \t and \n; numbers and booleans abbreviated) under ?-prefixed variables.
CSV_BYTES = (
    b"text,number,flag\r\n"
    b'"x, ""y"" | <z>\tand\nmore",1,true\r\n'
    b"http://example.org/thing,2.5,\r\n"
    b",3,false\r\n"
)
TSV_BYTES = (
    b"?text\t?number\t?flag\n"
    b'"x, \\"y\\" | <z>\\tand\\nmore"@en\t1\ttrue\n'
    b"<http://example.org/thing>\t2.5\t\n"
    b"\t3\tfalse\n"
)


def test_csv_is_the_w3c_csv_format(select_result):
    data = written(select_result, "csv")
    assert data == CSV_BYTES
    table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert table == [["text", "number", "flag"], *PLAIN_ROWS]


def test_tsv_is_the_w3c_tsv_format(select_result):
    data = written(select_result, "tsv")
    assert data == TSV_BYTES
    # rdflib's own TSV results parser reads it back as the terms the query made.
    parsed = rdflib.query.Result.parse(io.BytesIO(data), format="tsv")
    assert [str(v) for v in parsed.vars] == ["text", "number", "flag"]
    first, second, third = list(parsed)
    assert first[0] == rdflib.Literal(AWKWARD, lang="en")
    assert first[1] == rdflib.Literal(1) and first[2] == rdflib.Literal(True)
    assert second[0] == rdflib.URIRef("http://example.org/thing")
    assert second[1] == rdflib.Literal("2.5", datatype=rdflib.XSD.decimal)
    assert second[2] is None and third[0] is None
    assert third[1] == rdflib.Literal(3) and third[2] == rdflib.Literal(False)


def test_json_is_sparql_results_json(select_result):
    document = json.loads(written(select_result, "json"))
    assert document == {
        "head": {"vars": ["text", "number", "flag"]},
        "results": {
            "bindings": [
                {
                    "text": {"type": "literal", "value": AWKWARD, "xml:lang": "en"},
                    "number": {"type": "literal", "value": "1", "datatype": XSD + "integer"},
                    "flag": {"type": "literal", "value": "true", "datatype": XSD + "boolean"},
                },
                {
                    "text": {"type": "uri", "value": "http://example.org/thing"},
                    "number": {"type": "literal", "value": "2.5", "datatype": XSD + "decimal"},
                },
                {
                    "number": {"type": "literal", "value": "3", "datatype": XSD + "integer"},
                    "flag": {"type": "literal", "value": "false", "datatype": XSD + "boolean"},
                },
            ]
        },
    }


def test_xml_is_sparql_results_xml(select_result):
    root = ET.fromstring(written(select_result, "xml"))
    assert root.tag == SR + "sparql"
    assert [v.get("name") for v in root.iter(SR + "variable")] == ["text", "number", "flag"]

    def bindings(result: ET.Element) -> dict[str, tuple]:
        found = {}
        for binding in result.iter(SR + "binding"):
            (term,) = list(binding)
            attributes = {k.rsplit("}", 1)[-1]: v for k, v in term.attrib.items()}
            found[binding.get("name")] = (term.tag.removeprefix(SR), term.text, attributes)
        return found

    assert [bindings(r) for r in root.iter(SR + "result")] == [
        {
            "text": ("literal", AWKWARD, {"lang": "en"}),
            "number": ("literal", "1", {"datatype": XSD + "integer"}),
            "flag": ("literal", "true", {"datatype": XSD + "boolean"}),
        },
        {
            "text": ("uri", "http://example.org/thing", {}),
            "number": ("literal", "2.5", {"datatype": XSD + "decimal"}),
        },
        {
            "number": ("literal", "3", {"datatype": XSD + "integer"}),
            "flag": ("literal", "false", {"datatype": XSD + "boolean"}),
        },
    ]


def test_rdflib_reads_the_json_and_xml_results(select_result):
    for name in ("json", "xml"):
        parsed = list(
            rdflib.query.Result.parse(io.BytesIO(written(select_result, name)), format=name)
        )
        assert [row[1] for row in parsed] == [
            rdflib.Literal(1),
            rdflib.Literal("2.5", datatype=rdflib.XSD.decimal),
            rdflib.Literal(3),
        ]
        assert parsed[0][0] == rdflib.Literal(AWKWARD, lang="en")


def test_blank_nodes_and_triple_terms_in_every_results_format():
    result = kg.execute_sparql(
        kg.EmbeddedStore(None),
        "SELECT ?node ?triple WHERE { BIND(BNODE('n') AS ?node) "
        "BIND(TRIPLE(<urn:s>, <urn:p>, 'o') AS ?triple) }",
    )
    tsv = written(result, "tsv").decode("utf-8").splitlines()
    assert tsv[0] == "?node\t?triple"
    node, triple = tsv[1].split("\t")
    assert node.startswith("_:") and triple == '<<( <urn:s> <urn:p> "o" )>>'
    (binding,) = json.loads(written(result, "json"))["results"]["bindings"]
    assert binding["node"]["type"] == "bnode"
    assert binding["triple"]["type"] == "triple"
    assert binding["triple"]["value"]["object"] == {"type": "literal", "value": "o"}


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


def test_ask_results_in_every_format():
    store = kg.EmbeddedStore(None)
    answer = kg.execute_sparql(store, "ASK { FILTER(1 < 2) }")
    assert bool(answer) is True
    assert json.loads(written(answer, "json")) == {"head": {}, "boolean": True}
    root = ET.fromstring(written(answer, "xml"))
    assert root.find(SR + "boolean").text == "true"
    # CSV and TSV define no boolean: it is a one-cell table.
    assert written(answer, "csv") == b"boolean\r\ntrue\r\n"
    assert written(answer, "tsv") == b"?boolean\ntrue\n"
    no = kg.execute_sparql(store, "ASK { FILTER(1 > 2) }")
    assert json.loads(written(no, "json")) == {"head": {}, "boolean": False}
    assert ET.fromstring(written(no, "xml")).find(SR + "boolean").text == "false"


CONSTRUCT = """
CONSTRUCT { ?paper bibo:doi ?doi ; ptm:hasField ?field . ?field skos:prefLabel ?label }
WHERE { ?paper bibo:doi ?doi ; ptm:hasField ?field . ?field skos:prefLabel ?label }
"""


BIBO_DOI = "http://purl.org/ontology/bibo/doi"
HAS_FIELD = "https://w3id.org/ptmkg/ontology#hasField"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
# From hand_counted.py's tables: each paper's distinct fields, and the fields' names.
PAPER_FIELDS = {1: [28, 17], 2: [28], 3: [16, 28], 4: [16], 5: [16], 6: [31], 7: [16], 8: [17]}
FIELD_NAMES = {16: "Chemistry", 17: "Computer Science", 28: "Neuroscience",
               31: "Physics and Astronomy"}  # fmt: skip
EXPECTED_TRIPLES = (
    {(paper(n), BIBO_DOI, f"10.1000/p{n}") for n in PAPER_FIELDS}
    | {(paper(n), HAS_FIELD, f"{FIELD}{f}") for n, fields in PAPER_FIELDS.items() for f in fields}
    | {(f"{FIELD}{f}", PREF_LABEL, label) for f, label in FIELD_NAMES.items()}
)


@pytest.mark.parametrize("name", list(RDF_OUTPUT_FORMATS))
def test_construct_results_parse_back_with_rdflib(hand_counted, name):
    graph = kg.execute_sparql(hand_counted, CONSTRUCT)
    assert isinstance(graph, kg.GraphResult)
    # 8 DOIs, 10 distinct (paper, field) pairs, 4 field labels.
    assert len(EXPECTED_TRIPLES) == len(graph) == 22
    data = written(graph, name)
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
                     "jsonld": "json-ld", "rdfxml": "xml"}[name]  # fmt: skip
    parsed = rdflib.Dataset()
    parsed.parse(data=data, format=rdflib_format)
    assert {(str(s), str(p), str(o)) for s, p, o, _ in parsed.quads()} == EXPECTED_TRIPLES


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
        ("out.tsv", lambda data: data.startswith(b"?rank\t?model\t?model_label\t?papers\t")),
        ("out.json", lambda data: json.loads(data)["head"]["vars"][0] == "rank"),
        ("out.srj", lambda data: json.loads(data)["head"]["vars"][0] == "rank"),
        ("out.xml", lambda data: ET.fromstring(data).tag == SR + "sparql"),
        ("out.srx", lambda data: ET.fromstring(data).tag == SR + "sparql"),
        ("out.md", lambda data: data.startswith(rb"| rank | model | model\_label |")),
        ("out", lambda data: data.startswith(b"rank,model")),  # no extension: CSV
    ],
)
def test_output_file_format_follows_its_extension(cli, hand_counted, tmp_path, filename, check):
    target = tmp_path / filename
    result = cli("query", "top-models", "-o", target, "--store", hand_counted.location)
    assert result.exit_code == 0, result.output
    assert check(target.read_bytes())
    assert "wrote" in result.stderr


def test_an_extension_that_names_no_format_is_refused(cli, hand_counted, tmp_path):
    target = tmp_path / "out.unknown"
    result = cli("query", "top-models", "-o", target, "--store", hand_counted.location)
    assert result.exit_code == 1
    assert "cannot tell the result format from 'out.unknown'" in result.stderr
    assert not target.exists()


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


@pytest.mark.parametrize("name", ["json", "tsv"])
def test_canned_query_output_is_identical_run_after_run(hand_counted, name):
    """Two processes (with different hash seeds) write the same bytes."""
    outputs = set()
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-m", "kg.cli", "query", "model-by-field", "--format", name,
             "--store", hand_counted.location],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        outputs.add(run.stdout)
    (output,) = outputs
    # Nine (model, field) rows, counted in tests/test_queries.py.
    assert len(output.splitlines()) == (10 if name == "tsv" else 1)


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
