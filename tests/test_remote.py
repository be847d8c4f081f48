"""The same commands against real SPARQL servers: the Oxigraph server and Virtuoso Open Source 7.

The graph built from the test corpora (the illustrative corpus and sheet, the
hand-counted sources and the pipeline database) is pushed to each server, and
every canned query, with every parameter it takes, must give the answer the
embedded store gives: the same columns and the same RDF terms, in the same order
where the query orders its rows, else sorted.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hand_counted import STUDY_A, STUDY_B
from pipeline_fixture import make_database
from servers import OxigraphServer, VirtuosoServer, oxigraph_server, virtuoso_server

import kg
from kg.cli import app
from kg.credentials import Credentials
from kg.query.named import load_queries
from kg.query.results import QueryResult, from_solutions
from kg.query.sparql import has_order_by
from kg.stores.remote import EndpointSettings, RemoteStore

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
VIRTUOSO_USER = "ptmkg"
VIRTUOSO_PASSWORD = "pw-" + secrets.token_hex(6) + "@:%/x"

# One value per parameter name: each optional parameter is tried on its own.
PARAMETER_VALUES: dict[str, list[object]] = {
    "field": ["Neuroscience", "Biochemistry, Genetics and Molecular Biology"],
    "pattern": ["adaptation", "deployment"],
    "stage": ["test"],
    "rule": ["v1", "v2"],
    "limit": [3],
    "min_papers": [2],
    "natural_science": [True, False],
    "via_backbone": [True],
    "model": ["ResNet-50", "AlphaFold 2"],
    "text": ["net"],
    "year_from": [2015],
    "year_to": [2020],
}


# For parameters of queries added later: a value by the parameter's type.
TYPE_VALUES: dict[str, list[object]] = {
    "field": ["Neuroscience"],
    "pattern": ["adaptation"],
    "stage": ["test"],
    "integer": [3],
    "boolean": [True],
    "model": ["ResNet-50"],
    "string": ["net"],
}


def values_for(parameter) -> list[object]:
    return PARAMETER_VALUES.get(parameter.name) or TYPE_VALUES.get(parameter.type, [])


def parameter_sets(query) -> list[dict[str, object]]:
    required = {p.name: values_for(p)[0] for p in query.parameters if p.required}
    sets = [dict(required)]
    for parameter in query.parameters:
        for value in values_for(parameter):
            candidate = {**required, parameter.name: value}
            if candidate not in sets:
                sets.append(candidate)
    return sets


def local_queries() -> dict[str, object]:
    """Every canned query but the federated ones, which ask another endpoint by SERVICE
    (an outside service the tests do not reach; tests/test_federated.py covers them)."""
    return {
        name: query for name, query in load_queries().items() if "SERVICE" not in query.body.upper()
    }


CASES = [
    pytest.param(name, params, id=f"{name}-{'-'.join(f'{k}={v}' for k, v in params.items())}")
    for name, query in local_queries().items()
    for params in parameter_sets(query)
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> kg.EmbeddedStore:
    """Every test corpus in one store: the sources sit side by side as named graphs."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "study-a.csv").write_text(STUDY_A, encoding="utf-8")
    (folder / "study-b.csv").write_text(STUDY_B, encoding="utf-8")
    database = make_database(folder / "aius.sqlite")
    store = kg.EmbeddedStore(folder / "store")
    kg.build(
        store,
        [
            EXAMPLES / "illustrative-corpus.csv",
            EXAMPLES / "illustrative-sheet.csv",
            folder / "study-a.csv",
            folder / "study-b.csv",
            database,
        ],
        rejects_dir=folder / "rejects",
    )
    store.close()
    return kg.EmbeddedStore(folder / "store")


def remote_store(query_url: str, update_url: str, gsp_url: str, **settings: object) -> RemoteStore:
    return RemoteStore(
        EndpointSettings(query_url=query_url, update_url=update_url, gsp_url=gsp_url, **settings)
    )


def oxigraph_store(server: OxigraphServer, **settings: object) -> RemoteStore:
    return remote_store(server.query_url, server.update_url, server.gsp_url, **settings)


def virtuoso_writer(server: VirtuosoServer, **settings: object) -> RemoteStore:
    """Virtuoso's authenticated endpoints, as a user who may update (digest auth)."""
    digest = Credentials(user=VIRTUOSO_USER, password=VIRTUOSO_PASSWORD, scheme="digest")
    return remote_store(
        server.update_url, server.update_url, server.gsp_url, credentials=digest, **settings
    )


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory, corpus) -> Iterator[tuple[OxigraphServer, RemoteStore]]:
    server = oxigraph_server(tmp_path_factory.mktemp("oxigraph"))
    server.start()
    try:
        remote = oxigraph_store(server)
        kg.push(corpus, remote, batch_size=700)
        yield server, remote
    finally:
        server.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, corpus) -> Iterator[tuple[VirtuosoServer, RemoteStore]]:
    server = virtuoso_server(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    try:
        server.create_user(VIRTUOSO_USER, VIRTUOSO_PASSWORD)
        kg.push(corpus, virtuoso_writer(server), batch_size=700)
        # Read through the public endpoint, as a colleague without credentials would.
        yield server, RemoteStore(EndpointSettings(query_url=server.query_url))
    finally:
        server.stop()


@pytest.fixture(params=["oxigraph", "virtuoso"])
def engine(request) -> tuple[object, RemoteStore]:
    return request.getfixturevalue(request.param)


def terms(result: QueryResult, ordered: bool) -> list[tuple[str, ...]]:
    rows = [tuple("" if t is None else str(t) for t in row) for row in result.terms]
    return rows if ordered else sorted(rows)


# ------------------------------------------------------------ every canned query


@pytest.mark.parametrize(("name", "params"), CASES)
def test_every_canned_query_answers_alike_on_every_engine(engine, corpus, name, params):
    _, remote = engine
    sparql = kg.prepare_query(corpus, name, params)
    assert sparql == kg.prepare_query(remote, name, params)  # model names resolve alike
    local = from_solutions(corpus.query(sparql))
    answer = from_solutions(remote.query(sparql))
    assert answer.columns == local.columns
    ordered = has_order_by(sparql)
    assert terms(answer, ordered) == terms(local, ordered)
    if ordered:
        assert answer.rows == local.rows


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("SELECT ?doi WHERE { ?p bibo:doi ?doi } ORDER BY ?doi LIMIT 3", ox.QuerySolutions),
        ("ASK { ?p a ptm:Paper }", ox.QueryBoolean),
        (
            "CONSTRUCT { ?m a ptm:PretrainedModel } WHERE { ?m a ptm:PretrainedModel }",
            ox.QueryTriples,
        ),
        ("DESCRIBE ?m WHERE { ?m rdfs:label 'AlexNet' }", ox.QueryTriples),
    ],
)
def test_a_remote_answer_is_of_the_embedded_stores_type(engine, corpus, text, kind):
    _, remote = engine
    local, answer = corpus.query(text), remote.query(text)
    assert type(local) is type(answer) is kind
    if kind is ox.QueryBoolean:
        assert bool(local) is bool(answer) is True
    elif kind is ox.QuerySolutions:
        assert [list(s) for s in answer] == [list(s) for s in local]
    elif text.startswith("CONSTRUCT"):
        triples = set(local)
        assert set(answer) == triples and len(triples) > 0
    else:  # what DESCRIBE gives is each engine's choice: triples about AlexNet
        alexnet = ox.NamedNode(kg.DEFAULT_BASE_IRI + "model/alexnet")
        assert any(alexnet in (t.subject, t.object) for t in answer)


def test_the_comparison_sees_real_answers(corpus):
    # Guard against comparing empty answers: the corpus exercises the study's questions.
    asked = [
        "corpus-summary",
        "papers-by-field",
        "reuse-by-pattern",
        "pattern-by-field",
        "reuse-by-stage",
        "stage-by-pattern",
        "stage-by-field",
        "top-models",
        "reuse-by-year",
        "model-by-field",
        "co-reuse",
        "models",
        "find-models",
        "models-in-field",
        "papers-reusing-model",
        "study-funnel",
        "labels-outside-vocabulary",
        "ptm-papers-without-models",
        "network-nodes",
        "network-reuse",
    ]
    queries = load_queries()
    empty = [
        name
        for name in asked
        if not kg.run_query(corpus, name, parameter_sets(queries[name])[0]).rows
    ]
    assert empty == []
    shares = kg.run_query(corpus, "papers-by-field").column("ptm_share")
    assert any(0 < share < 1 for share in shares)


def test_commands_print_the_same_through_endpoint(engine, corpus, cli, tmp_path):
    _, remote = engine
    url = remote.location
    for arguments in (
        ["stats", "--json"],
        ["query", "top-models", "-p", "limit=5", "--format", "json"],
        ["query", "papers-reusing-model", "-p", "model=resnet50", "--format", "csv"],
        ["query", "reuse-by-year", "-p", "field=28", "--format", "xml"],
        ["query", "papers-by-field", "--format", "md"],
        ["sparql", "SELECT ?label WHERE { ?m a ptm:PretrainedModel ; rdfs:label ?label }"],
        ["sparql", "ASK { ?p a ptm:Paper }", "--format", "json"],
        ["sparql", "CONSTRUCT { ?p ptm:hasField ?f } WHERE { ?p ptm:hasField ?f }"],
        ["network", "model-field", "--format", "json"],
        ["network", "field-field", "--stats", "--format", "csv"],
        ["validate"],
    ):
        here = cli(*arguments, "--store", corpus.location)
        there = cli(*arguments, "--endpoint", url, "--timeout", "60")
        assert here.exit_code == 0, here.output
        assert there.exit_code == 0, there.output
        assert there.stdout == here.stdout, arguments
    # A dump's order is each store's own; its quads are the same.
    here = cli("dump", "--format", "nquads", "--store", corpus.location)
    there = cli("dump", "--format", "nquads", "--endpoint", url)
    assert sorted(there.stdout.splitlines()) == sorted(here.stdout.splitlines())


def test_report_is_the_same_through_endpoint(engine, corpus, cli, tmp_path):
    _, remote = engine
    here = cli("report", "-o", tmp_path / "here", "--store", corpus.location)
    there = cli("report", "-o", tmp_path / "there", "--endpoint", remote.location)
    assert here.exit_code == 0 and there.exit_code == 0, here.output + there.output
    local = (tmp_path / "here" / "report.md").read_text(encoding="utf-8")
    served = (tmp_path / "there" / "report.md").read_text(encoding="utf-8")
    assert served.replace(remote.location, corpus.location) == local


def test_named_graphs_and_their_triples_are_the_local_ones(engine, corpus):
    _, remote = engine
    assert remote.named_graphs() == corpus.named_graphs()
    for graph in corpus.named_graphs():
        local = set(
            from_solutions(
                corpus.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            ).triples
        )
        assert set(remote.graph_triples(graph)) == local


# ------------------------------------------------------------ push


def local_counts(store: kg.EmbeddedStore) -> dict[str, int]:
    return {
        graph: int(
            next(
                iter(
                    store.query(
                        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
                    )
                )
            )["n"].value
        )
        for graph in store.named_graphs()
    }


def remote_counts(remote: RemoteStore) -> dict[str, int]:
    return {graph: remote.count_triples(graph) for graph in remote.named_graphs()}


def test_pushing_twice_leaves_the_same_counts(engine, corpus):
    server, reader = engine
    writer = (
        oxigraph_store(server) if isinstance(server, OxigraphServer) else virtuoso_writer(server)
    )
    before = remote_counts(reader)
    assert before == local_counts(corpus)
    first = kg.push(corpus, writer, batch_size=500)
    assert {g.method for g in first.graphs} == {"graph store protocol"}
    # Again, through SPARQL Update this time: DROP then INSERT DATA, still no duplicates.
    updates_only = RemoteStore(
        EndpointSettings(
            query_url=writer.settings.query_url,
            update_url=writer.settings.update_url,
            credentials=writer.settings.credentials,
        )
    )
    second = kg.push(corpus, updates_only, batch_size=300)
    assert {g.method for g in second.graphs} == {"SPARQL update"}
    assert [(g.graph, g.remote_triples) for g in second.graphs] == [
        (g.graph, g.remote_triples) for g in first.graphs
    ]
    assert remote_counts(reader) == before


def test_a_server_without_the_graph_store_protocol_gets_updates(oxigraph, corpus):
    server, reader = oxigraph
    no_gsp = RemoteStore(
        EndpointSettings(
            query_url=server.query_url,
            update_url=server.update_url,
            gsp_url=f"{server.base}/no-graph-store-here",
        )
    )
    report = kg.push(corpus, no_gsp, batch_size=1000)
    assert {g.method for g in report.graphs} == {"SPARQL update"}
    assert remote_counts(reader) == local_counts(corpus)


def test_push_can_choose_graphs(oxigraph, corpus):
    server, _ = oxigraph
    graph = next(g for g in corpus.named_graphs() if g.endswith("study-b.csv"))
    report = kg.push(corpus, oxigraph_store(server), graphs=[graph])
    assert [g.graph for g in report.graphs] == [graph]
    with pytest.raises(kg.PtmkgError, match="no graph"):
        kg.push(corpus, oxigraph_store(server), graphs=["https://example.org/none"])


def test_push_reports_a_count_that_differs(oxigraph, corpus, monkeypatch):
    server, _ = oxigraph
    remote = oxigraph_store(server)
    real = RemoteStore.count_triples
    monkeypatch.setattr(RemoteStore, "count_triples", lambda self, graph: real(self, graph) - 1)
    with pytest.raises(kg.PushMismatch, match="differ"):
        kg.push(corpus, remote)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_an_interrupted_push_run_again_ends_with_exact_counts(kind, corpus, tmp_path):
    server = (oxigraph_server if kind == "oxigraph" else virtuoso_server)(tmp_path / kind)
    server.start()
    try:
        if isinstance(server, VirtuosoServer):
            server.create_user(VIRTUOSO_USER, VIRTUOSO_PASSWORD)
            remote = virtuoso_writer(server, retries=1, backoff=0.1, timeout=30)
        else:
            remote = oxigraph_store(server, retries=1, backoff=0.1, timeout=30)
        batches = 0

        def stop_part_way(step: kg.PushProgress) -> None:
            nonlocal batches
            if step.step == "sending" and step.sent:
                batches += 1
            if batches == 3:
                server.stop(hard=True)  # the server dies between two batches of a graph

        with pytest.raises(kg.EndpointError):
            kg.push(corpus, remote, batch_size=400, progress=stop_part_way)
        assert batches == 3
        server.start()
        partial = remote_counts(remote)
        assert partial != local_counts(corpus)  # it really was cut short
        report = kg.push(corpus, remote, batch_size=400)
        assert all(g.matches for g in report.graphs)
        assert remote_counts(remote) == local_counts(corpus)
        summary = kg.run_query(remote, "corpus-summary").rows
        assert summary == kg.run_query(corpus, "corpus-summary").rows
    finally:
        server.stop()


def test_push_on_the_command_line(oxigraph, corpus, cli):
    server, _ = oxigraph
    result = cli(
        "push", "--endpoint", server.query_url, "--store", corpus.location, "--batch-size", "900"
    )
    assert result.exit_code == 0, result.output
    # Not a terminal: no progress display, only the summary, one line per graph then totals.
    assert result.stderr == ""
    counts = local_counts(corpus)
    lines = result.stdout.splitlines()
    assert len(lines) == len(counts) + 1
    for graph, line in zip(sorted(counts), lines, strict=False):
        batches = -(-counts[graph] // 900)
        assert line == (
            f"{graph}: {counts[graph]:,} triples ({batches:,} batch(es), graph store protocol)"
        )
    total = sum(counts.values())
    assert lines[-1] == (
        f"pushed {len(counts)} graph(s), {total:,} triples, to {server.query_url}; "
        f"the counts on the server match"
    )


# ------------------------------------------------------------ the union default graph


@pytest.fixture
def plain_oxigraph(tmp_path) -> Iterator[OxigraphServer]:
    """An Oxigraph server as it starts by default: its default graph is a graph of its own."""
    server = oxigraph_server(tmp_path / "plain", union_default_graph=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def graphs_on(server: OxigraphServer) -> list[str]:
    """Every named graph on the server that holds a triple, whatever ptmkg wrote or not."""
    rows = oxigraph_store(server)._answer(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", ox.QuerySolutions
    )
    return sorted(row["g"].value for row in rows)


def test_push_to_a_server_whose_default_graph_is_not_the_union_sends_nothing(
    plain_oxigraph, corpus
):
    remote = oxigraph_store(plain_oxigraph)
    steps: list[kg.PushProgress] = []
    with pytest.raises(kg.NotUnionDefaultGraph) as refused:
        kg.push(corpus, remote, progress=steps.append)
    message = str(refused.value)
    assert "--union-default-graph" in message
    assert "Nothing was pushed" in message
    assert "--no-union-check" in message
    assert [step.step for step in steps] == ["checking"]  # no graph was even prepared
    assert graphs_on(plain_oxigraph) == []  # nothing sent, and the probe's graph is gone


def test_push_on_the_command_line_refuses_such_a_server_with_advice(plain_oxigraph, corpus, cli):
    result = cli("push", "--endpoint", plain_oxigraph.query_url, "--store", corpus.location)
    assert result.exit_code == 1
    assert "does not query the union of its named graphs" in result.stderr
    assert "oxigraph serve --union-default-graph" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert graphs_on(plain_oxigraph) == []


def test_push_with_no_union_check_copies_the_graphs_and_says_what_queries_will_do(
    plain_oxigraph, corpus, cli
):
    result = cli(
        "push",
        "--endpoint",
        plain_oxigraph.query_url,
        "--store",
        corpus.location,
        "--no-union-check",
    )
    assert result.exit_code == 0, result.output
    assert "the counts on the server match" in result.stdout
    assert "not the union of its" in result.stderr
    assert graphs_on(plain_oxigraph) == sorted(corpus.named_graphs())  # no probe graph left
    assert remote_counts(oxigraph_store(plain_oxigraph)) == local_counts(corpus)
    report = kg.push(corpus, oxigraph_store(plain_oxigraph), check_union=False)
    assert report.union_default_graph is False
    with pytest.raises(kg.PtmkgError, match="--union-default-graph"):
        kg.run_query(oxigraph_store(plain_oxigraph), "corpus-summary")


def test_a_server_whose_default_graph_is_the_union_is_pushed_to(engine, corpus):
    server, reader = engine
    writer = (
        oxigraph_store(server) if isinstance(server, OxigraphServer) else virtuoso_writer(server)
    )
    report = kg.push(corpus, writer, batch_size=2000)
    assert report.union_default_graph is True
    graphs = reader._answer("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", ox.QuerySolutions)
    assert not [r["g"].value for r in graphs if "union-probe" in r["g"].value]
    assert (
        kg.run_query(reader, "corpus-summary").rows == kg.run_query(corpus, "corpus-summary").rows
    )


# ------------------------------------------------------------ progress


def test_push_reports_each_step_through_its_callback(oxigraph, corpus):
    server, _ = oxigraph
    steps: list[kg.PushProgress] = []
    report = kg.push(corpus, oxigraph_store(server), batch_size=500, progress=steps.append)
    graphs = [g.graph for g in report.graphs]
    counts = local_counts(corpus)
    assert steps[0].step == "checking" and steps[0].graph is None
    assert {step.graphs for step in steps} == {len(graphs)}
    for number, graph in enumerate(graphs, start=1):
        mine = [step for step in steps if step.number == number]
        assert {step.graph for step in mine} == {graph}
        assert mine[0].step == "preparing"
        assert mine[0].total is None  # not yet counted
        sending = [step for step in mine if step.step == "sending"]
        sent = [step.sent for step in sending]
        assert sent == sorted(sent) and sent[0] == 0 and sent[-1] == counts[graph]
        assert {step.total for step in sending} == {counts[graph]}
        # one call per batch of 500, after the one that says the graph starts
        assert len(sending) == 1 + -(-counts[graph] // 500)
        assert mine[-1].step == "verifying"
    # Graph after graph, then the server's count of each.
    sends = [step.number for step in steps if step.step in ("preparing", "sending")]
    assert sends == sorted(sends)
    verified = [step.number for step in steps if step.step == "verifying"]
    assert verified == list(range(1, len(graphs) + 1))
    assert steps[-1].step == "verifying"


# ------------------------------------------------------------ errors


def test_a_server_that_is_down_is_a_message(cli, tmp_path):
    from servers import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    result = cli("stats", "--endpoint", url, "--retries", "1")
    assert result.exit_code == 1
    assert "connection refused" in result.stderr
    assert "after 2 tries" in result.stderr
    assert "Traceback" not in result.output


def test_store_and_endpoint_together_are_refused(cli, tmp_path):
    result = cli("stats", "--store", tmp_path, "--endpoint", "http://127.0.0.1:1/query")
    assert result.exit_code == 1
    assert "not both" in result.stderr
    result = cli("stats", "--endpoint", "ftp://example.org/sparql")
    assert result.exit_code == 1
    assert "http://" in result.stderr


def test_a_syntax_error_shows_the_line(oxigraph, cli):
    _, remote = oxigraph
    result = cli("sparql", "SELECT ?x WHERE { ?x a }", "--endpoint", remote.location)
    assert result.exit_code == 1
    assert "line 1" in result.stderr


def test_updates_through_the_endpoint(oxigraph, cli):
    server, _ = oxigraph
    insert = 'INSERT DATA { GRAPH <urn:ptmkg:scratch> { <urn:x> rdfs:comment "checked" } }'
    refused = cli("sparql", insert, "--endpoint", server.query_url)
    assert refused.exit_code == 1 and "--update" in refused.stderr
    applied = cli("sparql", "--update", insert, "--endpoint", server.query_url)
    assert applied.exit_code == 0, applied.output
    asked = cli("sparql", "ASK { <urn:x> rdfs:comment ?c }", "--endpoint", server.query_url)
    assert asked.stdout.strip().splitlines()[-1] == "true"
    dropped = cli(
        "sparql", "--update", "DROP GRAPH <urn:ptmkg:scratch>", "--endpoint", server.query_url
    )
    assert dropped.exit_code == 0, dropped.output


def test_results_formats_parse_back(oxigraph, corpus, cli):
    _, remote = oxigraph
    result = cli("query", "reuse-by-pattern", "--format", "json", "--endpoint", remote.location)
    document = json.loads(result.stdout)
    assert [b["share"]["datatype"] for b in document["results"]["bindings"]] == [
        "http://www.w3.org/2001/XMLSchema#decimal"
    ] * 3


# ------------------------------------------------------------ credentials


def outputs(result, caplog) -> str:
    return result.stdout + result.stderr + caplog.text + repr(result.exception or "")


def test_credentials_never_print():
    from kg.credentials import split_userinfo

    secret = "s3cr3t pass/@:%"
    url = "http://alice:" + urllib.parse.quote(secret, safe="") + "@h:1/q"
    assert split_userinfo(url) == ("http://h:1/q", "alice", secret)
    credentials = Credentials(user="alice", password=secret)
    assert secret not in repr(credentials) and secret not in str(credentials)
    assert "alice" in repr(credentials)
    for form in (secret, url):
        assert secret not in credentials.redact(f"failed: {form}")
        assert "s3cr3t" not in credentials.redact(f"failed: {form}")
    settings = EndpointSettings.from_options(url)
    assert settings.query_url == "http://h:1/q"
    assert secret not in repr(settings)


def test_a_password_appears_in_no_output_or_error(oxigraph, virtuoso, cli, caplog, tmp_path):
    from servers import free_port

    oxigraph_server_, _ = oxigraph
    virtuoso_server_, _ = virtuoso
    password = VIRTUOSO_PASSWORD
    quoted = urllib.parse.quote(password, safe="")
    in_url = f"http://{VIRTUOSO_USER}:{quoted}@127.0.0.1"
    down = free_port()
    runs = []

    def run(exit_code, *arguments, env=None):
        result = cli.runner.invoke(app, [str(a) for a in arguments], env=env or {})
        runs.append((arguments, result))
        assert result.exit_code == exit_code, arguments
        return result

    digest = {"PTMKG_ENDPOINT_AUTH": "digest"}
    # Succeeding, with the password in the URL, in the environment and in a settings file.
    run(0, "stats", "--endpoint", f"{in_url}:{virtuoso_server_.http_port}/sparql-auth", env=digest)
    env = {**digest, "PTMKG_ENDPOINT_USER": VIRTUOSO_USER, "PTMKG_ENDPOINT_PASSWORD": password}
    run(0, "query", "top-models", "--endpoint", virtuoso_server_.update_url, env=env)
    settings = tmp_path / "endpoints.toml"
    settings.write_text(
        f'[endpoints."{virtuoso_server_.base}/"]\nuser = "{VIRTUOSO_USER}"\n'
        f'password = "{password}"\nauth = "digest"\n',
        encoding="utf-8",
    )
    configured = {"PTMKG_ENDPOINT_CONFIG": str(settings)}
    no_local_graph = ("--store", tmp_path / "none")
    run(1, "push", "--endpoint", virtuoso_server_.update_url, *no_local_graph, env=configured)
    clear = "CLEAR SILENT GRAPH <urn:ptmkg:nothing>"
    run(0, "sparql", "--update", "--endpoint", virtuoso_server_.update_url, clear, env=configured)
    # Failing: a wrong password, a server that is down, a wrong path, a syntax error,
    # a bearer token, an update the server refuses.
    wrong = {
        **digest,
        "PTMKG_ENDPOINT_USER": VIRTUOSO_USER,
        "PTMKG_ENDPOINT_PASSWORD": password + "-wrong",
    }
    failed = run(1, "stats", "--endpoint", virtuoso_server_.update_url, "--retries", "0", env=wrong)
    assert "401" in failed.stderr
    run(1, "stats", "--endpoint", f"{in_url}:{down}/sparql", "--retries", "1", env=digest)
    oxigraph_url = f"{in_url}:{oxigraph_server_.port}"
    run(1, "stats", "--endpoint", f"{oxigraph_url}/nothing-here", "--retries", "0")
    run(1, "sparql", "SELECT ?x WHERE {", "--endpoint", f"{oxigraph_url}/query")
    virtuoso_url = f"{in_url}:{virtuoso_server_.http_port}"
    token = {"PTMKG_ENDPOINT_TOKEN": password}
    run(1, "stats", "--endpoint", f"{virtuoso_url}/sparql-auth", "--retries", "0", env=token)
    refused = ("sparql", "--update", "CLEAR SILENT GRAPH <urn:x>")
    basic = {"PTMKG_ENDPOINT_AUTH": "basic"}
    run(1, *refused, "--endpoint", f"{virtuoso_url}/sparql", "--retries", "0", env=basic)
    assert len(runs) == 10
    for arguments, result in runs:
        text = outputs(result, caplog)
        assert password not in text, arguments
        assert quoted not in text, arguments
        assert password.split("@")[0] not in text, arguments  # no part of it either
