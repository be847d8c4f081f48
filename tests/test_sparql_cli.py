"""Asking the graph from the command line: canned queries, parameters, ad-hoc SPARQL, updates."""

from __future__ import annotations

import csv
import io
import re

import pyoxigraph as ox
import pytest
from hand_counted import HEADER, build_hand_counted, model

import kg
from kg.query.parameters import (
    PARAMETER_TYPES,
    ParameterError,
    bind,
    parse_parameter,
    resolve_parameters,
)
from kg.sparql.analysis import analyse, without_order_by

HOSTILE = [
    '"',
    "'",
    '"} }',
    "} UNION { ?model ?p ?name }",
    '" ) ) } } DROP ALL ; INSERT DATA { <urn:x> <urn:y> <urn:z> } #',
    "x' . } ; CLEAR ALL #",
    "# a comment\n} SELECT * WHERE { ?s ?p ?o",
    "line one\nline two\r\n}",
    "SELECT ?s WHERE { ?s ?p ?o }",
    "\\",
    '\\"',
    "?model",
    "<urn:evil>",
    'VALUES ?text { "" }',
    "\u0000nul",
]


@pytest.fixture(scope="module")
def hand_counted(tmp_path_factory):
    return build_hand_counted(tmp_path_factory.mktemp("hand-counted"))


@pytest.fixture
def hostile_store(build_store, write):
    """A graph with a model whose very name is SPARQL-looking text."""
    name = 'Evil "} # Net'
    return build_store(
        write(
            "hostile.csv",
            HEADER
            + f'10.1000/h1,Hostile,2024,J,Chemistry,True,True,"{name.replace(chr(34), 2 * chr(34))}",'
            "Adaptation,Test,\n"
            "10.1000/h2,Plain,2024,J,Chemistry,True,True,BERT,Adaptation,Test,\n",
        )
    )


def _summary(store) -> dict:
    return kg.run_query(store, "corpus-summary").rows[0]


# ----------------------------------------------------------------- safe binding


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_a_plain_value(hand_counted, value):
    before = _summary(hand_counted)
    result = kg.run_query(hand_counted, "find-models", {"text": value})
    assert result.rows == []  # no model name contains it
    assert _summary(hand_counted) == before


def test_hostile_text_matches_exactly_the_name_that_contains_it(hostile_store):
    result = kg.run_query(hostile_store, "find-models", {"text": '"} #'})
    assert [row["model_label"] for row in result.rows] == ['Evil "} # Net']
    papers = kg.run_query(hostile_store, "papers-reusing-model", {"model": 'Evil "} # Net'})
    assert [row["doi"] for row in papers.rows] == ["10.1000/h1"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("papers-reusing-model", "model"),
        ("top-models", "field"),
        ("top-models", "pattern"),
        ("top-models", "limit"),
        ("reuse-by-stage", "pattern"),
        ("papers-by-field", "natural_science"),
    ],
)
def test_hostile_values_for_typed_parameters_are_refused_as_values(
    hostile_store, query, parameter, value
):
    before = _summary(hostile_store)
    with pytest.raises(ParameterError, match=f"parameter {parameter}"):
        kg.run_query(hostile_store, query, {parameter: value})
    assert _summary(hostile_store) == before


@pytest.mark.parametrize("value", HOSTILE)
def test_iri_parameters_refuse_anything_but_an_iri(value):
    with pytest.raises(ParameterError):
        PARAMETER_TYPES["iri"].to_terms(value, None)


def test_binding_only_ever_inserts_one_escaped_term():
    text = "SELECT ?x WHERE {\n  #@bind text\n  BIND(?text AS ?x)\n}\n"
    for value in HOSTILE:
        terms = resolve_parameters(
            [kg.get_query("find-models").parameter("text")], {"text": value}, None, "q"
        )
        bound = bind(text, terms)
        assert bound.count("\n") == text.count("\n")  # nothing but the marker line changed
        solutions = ox.Store().query(bound)
        assert [s["x"].value for s in solutions] == [value]


def test_a_filter_of_a_parameter_left_out_is_dropped_and_a_given_one_kept():
    text = (
        "SELECT ?x WHERE {\n  #@bind field\n  ?x ?p ?o .\n"
        "  FILTER(!BOUND(?field) || EXISTS { ?x ?q ?field })\n"
        '  FILTER(!BOUND(?field) || STRSTARTS(STR(?x), ")"))\n'
        "  FILTER(!BOUND(?other) || ?o = ?other)\n}\n"
    )
    left_out = bind(text, {})
    assert "EXISTS" not in left_out and "# (no field given" in left_out
    assert 'STRSTARTS(STR(?x), ")")' not in left_out  # brackets inside a string do not count
    assert "FILTER(!BOUND(?other)" in left_out  # not a parameter this query binds
    given = bind(text, {"field": [ox.NamedNode("urn:f")]})
    assert "VALUES ?field { <urn:f> }" in given
    assert "FILTER(!BOUND(?field) || EXISTS { ?x ?q ?field })" in given


REQUIRED = {
    "find-models": {"text": "net"},
    "models-in-field": {"field": "Neuroscience"},
    "papers-reusing-model": {"model": "ResNet-50"},
}


@pytest.mark.parametrize("name", sorted(n for n in kg.load_queries() if "federated" not in n))
def test_dropping_filters_changes_no_answer(hand_counted, name):
    """Every canned query gives the same rows with its unbound filters dropped as with them."""
    query = kg.get_query(name)
    values = REQUIRED.get(name, {})
    terms = resolve_parameters(list(query.parameters), values, hand_counted, name)
    dropped = bind(query.text, terms)
    kept = bind(query.text, terms, drop_unbound_filters=False)
    rows = kg.run_sparql(hand_counted, dropped).rows
    assert rows == kg.run_sparql(hand_counted, kept).rows
    # Answers to compare: only these queries have none on this graph.
    assert rows or name in {"labels-outside-vocabulary", "model-lineage", "model-origins"}


def test_unknown_parameters_and_bad_types_are_named(hand_counted):
    with pytest.raises(kg.PtmkgError, match=r"no parameter 'feild'.*limit, field, pattern"):
        kg.run_query(hand_counted, "top-models", {"feild": "Chemistry"})
    with pytest.raises(
        kg.PtmkgError, match=r"parameter field: unknown field 'Chemestry'.*Chemistry"
    ):
        kg.run_query(hand_counted, "top-models", {"field": "Chemestry"})
    with pytest.raises(kg.PtmkgError, match="parameter limit: 'ten' is not a whole number"):
        kg.run_query(hand_counted, "top-models", {"limit": "ten"})


# ----------------------------------------------------------------- canned queries, CLI


def test_queries_lists_every_canned_query(cli):
    result = cli("queries")
    assert result.exit_code == 0
    for name in kg.load_queries():
        assert name in result.stdout


def test_queries_show_prints_parameters_and_sparql(cli):
    result = cli("queries", "show", "top-models")
    assert result.exit_code == 0
    assert "limit" in result.stdout and "default 10" in result.stdout
    assert "SELECT ?rank ?model ?model_label" in result.stdout
    missing = cli("queries", "show", "nope")
    assert missing.exit_code == 1
    assert "no query named 'nope'" in missing.stderr


def test_query_runs_with_parameters(cli, hand_counted):
    result = cli(
        "query", "top-models", "--param", "field=Neuroscience", "-p", "limit=1",
        "--store", hand_counted.location,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["rank"], r["model_label"], r["papers"]) for r in table] == [("1", "ResNet-50", "3")]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["query", "nope"], "no query named 'nope'"),
        (["query", "top-models", "-p", "limit"], "--param takes NAME=VALUE, got 'limit'"),
        (["query", "top-models", "-p", "colour=red"], "has no parameter 'colour'"),
        (["query", "papers-reusing-model"], "needs --param model="),
        (["query", "top-models", "--format", "pdf"], "unknown result format 'pdf'"),
    ],
)
def test_query_mistakes_are_one_line_messages(cli, hand_counted, arguments, message):
    result = cli(*arguments, "--store", hand_counted.location)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


# ----------------------------------------------------------------- ad-hoc SPARQL


def test_sparql_takes_the_query_as_argument_file_or_stdin(cli, hand_counted, write):
    text = "SELECT DISTINCT ?doi WHERE { ?p a ptm:Paper ; bibo:doi ?doi } ORDER BY ?doi LIMIT 2"
    expected = "doi\n10.1000/p1\n10.1000/p2\n"  # the runner shows CSV's CRLF as \n
    store = ("--store", hand_counted.location)
    assert cli("sparql", text, *store).stdout == expected
    assert cli("sparql", "--file", write("q.rq", text), *store).stdout == expected
    assert cli("sparql", *store, input=text).stdout == expected
    assert cli("sparql", "--file", "-", *store, input=text).stdout == expected


def test_sparql_without_order_by_is_sorted_for_diffing(cli, hand_counted):
    result = cli(
        "sparql",
        'SELECT ?doi WHERE { ?p bibo:doi ?doi FILTER(STRSTARTS(?doi, "10.1000/")) }',
        "--store",
        hand_counted.location,
    )
    dois = result.stdout.splitlines()[1:]
    # p1's DOI is asserted by both sources, and the union of their graphs matches it twice.
    assert dois == sorted(dois) and len(dois) == 9 and dois[:2] == ["10.1000/p1"] * 2


def test_prefixes_lists_the_predeclared_prefixes(cli):
    result = cli("prefixes")
    assert result.exit_code == 0
    assert "PREFIX ptm: <https://w3id.org/ptmkg/ontology#>" in result.stdout
    for prefix in ("rdf", "rdfs", "xsd", "skos", "dcterms", "prov", "bibo", "fabio"):
        assert f"PREFIX {prefix}: <{kg.PREFIXES[prefix]}>" in result.stdout


INSERT = f'INSERT DATA {{ <{model("bert")}> rdfs:comment "added by hand" }}'
# Comments on instance data (the ontology graph comments its own terms).
COMMENTS = f"SELECT ?c WHERE {{ <{model('bert')}> rdfs:comment ?c }}"


@pytest.mark.parametrize(
    "update",
    [
        INSERT,
        "PREFIX ex: <http://example.org/>\n# a comment with SELECT in it\n" + INSERT,
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP GRAPH <urn:x>",
        "LOAD <http://example.org/data.ttl>",
        "  with <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused_without_update_flag(cli, tmp_path, update):
    store = build_hand_counted(tmp_path / "graph")
    before = _summary(store)
    result = cli("sparql", update, "--store", store.location)
    assert result.exit_code == 1
    assert "is a SPARQL update" in result.stderr and "--update" in result.stderr
    store = kg.EmbeddedStore(store.path)
    assert _summary(store) == before
    assert kg.execute_sparql(store, COMMENTS).rows == []


def test_update_flag_applies_an_update(cli, tmp_path):
    store = build_hand_counted(tmp_path / "graph")
    result = cli("sparql", "--update", INSERT, "--store", store.location)
    assert result.exit_code == 0, result.output
    assert "applied the INSERT update" in result.stdout
    after = cli("sparql", COMMENTS, "--store", store.location)
    assert after.stdout.splitlines() == ["c", "added by hand"]


def test_a_failed_update_changes_nothing(tmp_path):
    store = build_hand_counted(tmp_path / "graph")
    before = _summary(store)
    with pytest.raises(kg.SparqlSyntaxError):
        kg.execute_sparql(store, "INSERT DATA { <urn:a> <urn:b> }", allow_update=True)
    assert _summary(kg.EmbeddedStore(store.path)) == before


@pytest.mark.parametrize(
    ("text", "line", "column", "reason"),
    [
        ("SELECT ?x WHERE { ?x a ptm:Paper  LIMIT 2", 1, 42, "expected one of"),
        ("SELECT ?x WHERE {\n  ?x a ptm:Paper .\n}\nORDER ?x", 4, 9, "expected BY"),
        ("SELEKT ?x WHERE { ?x ?p ?o }", 1, 10, "expected CONSTRUCT"),
        ("SELECT ?x WHERE { ?x nope:thing ?o }", 1, 32, "unknown prefix nope:"),
    ],
)
def test_syntax_errors_say_where_without_a_traceback(cli, hand_counted, text, line, column, reason):
    result = cli("sparql", text, "--store", hand_counted.location)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: SPARQL syntax error at line {line}, column {column}: {reason}"
    )
    assert "Traceback" not in result.output
    shown = text.splitlines()[line - 1]
    assert f"{line} | {shown}" in result.stderr


def test_update_syntax_errors_are_reported_too(cli, hand_counted):
    result = cli("sparql", "--update", "INSERT DATA { <urn:a> <urn:b> }", "--store",
                 hand_counted.location)  # fmt: skip
    assert result.exit_code == 1
    assert "SPARQL syntax error at line 1" in result.stderr
    assert "Traceback" not in result.output


def test_empty_and_missing_queries_are_messages(cli, hand_counted):
    assert "the query is empty" in cli("sparql", "  ", "--store", hand_counted.location).stderr
    both = cli("sparql", "ASK {}", "--file", "x.rq", "--store", hand_counted.location)
    assert "not both" in both.stderr
    missing = cli("sparql", "--file", "nowhere.rq", "--store", hand_counted.location)
    assert missing.exit_code == 1 and "cannot read nowhere.rq" in missing.stderr


@pytest.mark.parametrize("command", ["query", "sparql", "queries", "prefixes", "report"])
def test_every_new_command_explains_itself_with_an_example(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"ptmkg {command}" in result.stdout


def test_a_terminal_gets_a_readable_table(hand_counted, monkeypatch):
    from rich.console import Console
    from typer.testing import CliRunner

    import cli as cli_module

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=160, color_system=None)
    monkeypatch.setattr(cli_module, "out", terminal)
    result = CliRunner().invoke(
        cli_module.app, ["query", "reuse-by-pattern", "--store", hand_counted.location]
    )
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert "Reuse by pattern" in shown  # the query's title
    lines = [line for line in shown.splitlines() if "Adaptation" in line]
    assert len(lines) == 1 and "50.0%" in lines[0] and "│" in lines[0]


# ----------------------------------------------------------------- numeric ranges


#: The ranges the engines take: a count (a positive 64-bit integer) and a year.
COUNT_RANGE, YEAR_RANGE = f"from 1 to {2**63 - 1}", "from 0 to 9999"


@pytest.mark.parametrize(
    ("query", "parameter", "value", "expected_range"),
    [
        *(("top-models", "limit", v, COUNT_RANGE) for v in (str(2**63), "9" * 23, "-1", "0")),
        ("co-reuse", "min_papers", "-5", COUNT_RANGE),
        ("network-reuse", "year_from", "-2020", YEAR_RANGE),
        ("network-reuse", "year_to", "20201", YEAR_RANGE),
    ],
)
def test_out_of_range_numbers_are_refused_naming_the_parameter_and_its_range(
    cli, hand_counted, query, parameter, value, expected_range
):
    with pytest.raises(ParameterError) as refused:
        kg.run_query(hand_counted, query, {parameter: value})
    assert str(refused.value) == (
        f"parameter {parameter}: {int(value)} is out of range: {parameter} is a whole number "
        f"{expected_range}"
    )
    result = cli("query", query, "-p", f"{parameter}={value}", "--store", hand_counted.location)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"parameter {parameter}: {int(value)} is out of range" in result.stderr


def test_the_edges_of_a_range_are_accepted(hand_counted):
    top = kg.run_query(hand_counted, "top-models", {"limit": str(2**63 - 1)})
    assert len(top.rows) == 5  # every model: no rank is past the limit
    assert kg.run_query(hand_counted, "top-models", {"limit": "1"}).column("model_label") == [
        "ResNet-50"
    ]


def test_ranges_are_declared_and_shown(cli):
    limit = kg.get_query("top-models").parameter("limit")
    assert (limit.minimum, limit.maximum) == (1, 2**63 - 1)
    assert limit.describe() == "default 10; 1 or more"
    shown = cli("queries", "show", "network-reuse")
    assert "0 to 9999" in shown.stdout
    with pytest.raises(kg.PtmkgError, match="min= takes a whole number"):
        parse_parameter("text string min=1 Some text.", "q.rq, line 2")
    with pytest.raises(kg.PtmkgError, match=r"past 2\^63 - 1"):
        parse_parameter(f"n integer max={2**63} A count.", "q.rq, line 2")


def test_a_value_outside_a_parameters_declared_values_is_refused_with_the_list(cli, hand_counted):
    rule = kg.get_query("study-funnel").parameter("rule")
    assert rule.allowed == ("v1", "v2")
    assert rule.describe() == "default v2; one of v1, v2"
    with pytest.raises(ParameterError) as refused:
        kg.run_query(hand_counted, "study-funnel", {"rule": "v3"})
    assert str(refused.value) == (
        "parameter rule: 'v3' is not one of the values rule takes: v1, v2"
    )
    result = cli("query", "study-funnel", "-p", "rule=v3", "--store", hand_counted.location)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "'v3' is not one of the values rule takes: v1, v2" in result.stderr
    # Every query with a natural-science rule declares its two versions.
    for query in kg.load_queries().values():
        for parameter in query.parameters:
            if parameter.name == "rule":
                assert parameter.allowed == ("v1", "v2"), query.name
    # An allowed value runs; declarations are checked when the queries are read.
    assert kg.run_query(hand_counted, "study-funnel", {"rule": "v1"}).rows
    with pytest.raises(kg.PtmkgError, match=r"values= takes A\|B"):
        parse_parameter("n integer values=1|2 A count.", "q.rq, line 2")
    with pytest.raises(kg.PtmkgError, match=r"the default 'v3' of rule is not one of its values"):
        parse_parameter("rule string default=v3 values=v1|v2 A rule.", "q.rq, line 2")


# ----------------------------------------------------------------- the one SPARQL analysis


@pytest.mark.parametrize(
    ("text", "form", "ordered"),
    [
        ('SELECT ?s WHERE { ?s ?p "ORDER BY ?s" } # ORDER BY ?s', "SELECT", False),
        (
            "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 1 } }",
            "SELECT",
            False,
        ),
        ("SELECT ?s WHERE { ?s ?p ?o }\norder  by\tdesc(?s)", "SELECT", True),
        ("SELECT ?s WHERE { ?s ?p '}' } ORDER BY ?s VALUES ?s { <urn:a> }", "SELECT", True),
        ("PREFIX ex: <http://example.org/INSERT>\nSELECT * { ?s ?p 'DELETE' }", "SELECT", False),
        ("# INSERT DATA { <urn:a> <urn:b> <urn:c> }\nASK {}", "ASK", False),
        ('SELECT ?x WHERE { BIND("\\u007D" AS ?x) } ORDER BY ?x', "SELECT", True),
        ("CONSTRUCT WHERE { ?s ?p ?o } ORDER BY ?s", "CONSTRUCT", True),
        ("DESCRIBE <urn:a>", "DESCRIBE", False),
        ("PREFIX ex: <urn:x#>\nINSERT DATA { ex:a ex:b 'SELECT' }", "INSERT", False),
        ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", False),
        ("DROP SILENT GRAPH <urn:g> ; CLEAR ALL", "DROP", False),
    ],
)
def test_the_analysis_reads_structure_not_text(text, form, ordered):
    analysis = analyse(text)
    assert analysis is not None
    assert (analysis.form, analysis.order_by is not None) == (form, ordered)


def test_updates_with_several_operations_name_them_all():
    analysis = analyse("DROP SILENT GRAPH <urn:g> ; LOAD <http://example.org/a.ttl> ; CLEAR ALL")
    assert analysis.operations == ("DROP", "LOAD", "CLEAR") and analysis.is_update


def test_a_guard_filter_over_several_lines_with_brackets_in_strings_is_dropped():
    text = (
        "SELECT ?x WHERE {\n  #@bind field\n  ?x ?p ?o .\n"
        '  FILTER(!BOUND(?field) ||\n    EXISTS { ?x ?q ?field . FILTER(STR(?x) != "}) #") })\n'
        "  FILTER(?o != '(')\n}\n"
    )
    left_out = bind(text, {})
    assert "EXISTS" not in left_out and "FILTER(?o != '(')" in left_out
    assert ox.Store().query(left_out).variables == [ox.Variable("x")]  # still SPARQL
    assert "EXISTS" in bind(text, {"field": [ox.NamedNode("urn:f")]})


def test_a_long_string_ending_in_a_backslash_hides_no_service_block():
    from kg.query.federation import find_service

    text = (
        'SELECT ?x WHERE {\n  BIND("""a\\\\""" AS ?y)\n'
        "  SERVICE <http://example.org/sparql> {\n    #@join x\n    ?x ?p ?o\n  }\n}\n"
    )
    block = find_service(text)
    assert block is not None and block.endpoint == "http://example.org/sparql"
    assert text[block.start : block.end].startswith("SERVICE <http://example.org/sparql> {")
    assert block.joins == ("x",) and not block.silent


def test_the_network_export_drops_only_an_order_by_that_picks_no_rows():
    assert without_order_by("SELECT * { ?s ?p ?o }\nORDER BY ?s\n").strip() == (
        "SELECT * { ?s ?p ?o }"
    )
    limited = "SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 3"
    assert without_order_by(limited) == limited
    inner = "SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?s } }"
    assert without_order_by(inner) == inner


def test_text_nested_too_deeply_is_refused_before_the_engine(cli, hand_counted):
    # Oxigraph itself crashes the process on some ten thousand nested groups.
    text = "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000
    result = cli("sparql", text, "--store", hand_counted.location)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "nests its groups or expressions too deeply" in result.stderr
    assert analyse("SELECT * WHERE " + "{" * 150 + "}" * 150) is not None


def test_a_quoted_keyword_before_an_update_is_a_syntax_error_not_an_empty_query(cli, hand_counted):
    result = cli("sparql", '"SELECT" INSERT DATA { <urn:a> <urn:b> <urn:c> }', "--store",
                 hand_counted.location)  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("error: SPARQL syntax error at line 1")
    assert "empty" not in result.stderr


def test_query_templates_are_analysed_once_and_kept_on_disk(monkeypatch, tmp_path):
    from kg.sparql import analysis as module

    text = kg.get_query("top-models").text
    module._MEMORY.pop(text, None)  # as in a process that has not read it yet
    parsed = analyse(text, remember=True)
    (kept,) = (tmp_path / "cache" / "sparql-analysis").iterdir()
    # What is kept is where each part starts and ends, not the query's text again.
    where = text[parsed.where.start : parsed.where.end]
    assert str(parsed.order_by.start) in kept.read_text() and where not in kept.read_text()
    assert "?reuse_instances" not in kept.read_text()

    # A new process starts with nothing in memory: the kept analysis is read, not parsed.
    with monkeypatch.context() as patched:
        patched.setattr(module, "_MEMORY", type(module._MEMORY)())
        patched.setattr(module, "_analyse", lambda text: pytest.fail("parsed again"))
        assert analyse(text, remember=True) == parsed
    # One that does not fit the text (a damaged file) is parsed again.
    for damaged in (re.sub(r'"where": \[\d+', '"where": [0', kept.read_text()), "not json"):
        kept.write_text(damaged)
        module._MEMORY.pop(text, None)
        assert analyse(text, remember=True) == parsed


def test_text_only_the_engine_reads_still_runs_and_stays_read_only(cli, tmp_path):
    """SPARQL 1.2 triple terms: the grammar cannot read them, Oxigraph can."""
    store = build_hand_counted(tmp_path / "graph")
    query = "SELECT ?t WHERE { BIND(<<( <urn:s> <urn:p> <urn:o> )>> AS ?t) }"
    assert analyse(query) is None
    assert kg.execute_sparql(store, query).rows == [{"t": "<urn:s> <urn:p> <urn:o>"}]
    update = "INSERT DATA { <urn:a> <urn:q> <<( <urn:s> <urn:p> <urn:o> )>> }"
    refused = cli("sparql", update, "--store", store.location)
    assert refused.exit_code == 1 and "looks like a SPARQL update" in refused.stderr
    asked = "SELECT ?o WHERE { <urn:a> <urn:q> ?o }"
    assert kg.execute_sparql(kg.EmbeddedStore(store.path), asked).rows == []
    applied = cli("sparql", "--update", update, "--store", store.location)
    assert applied.exit_code == 0, applied.output
    assert kg.execute_sparql(kg.EmbeddedStore(store.path), asked).rows == [
        {"o": "<urn:s> <urn:p> <urn:o>"}
    ]
