"""Federated queries: our graph joined with a Wikidata-shaped Oxigraph server on 127.0.0.1.

Our graph (tests/wikidata_fixture.py) is linked to the fixture with
``link_wikidata`` first, so the items come the way a user gets them. Expected
rows were worked out by hand from the fixture.
"""

from __future__ import annotations

import pytest

import kg
from kg.http import HttpClient, RetryPolicy
from kg.links import link_wikidata
from kg.query.federation import find_service, run_federated
from kg.query.named import load_queries
from kg.query.parameters import Parameter
from tests.link_servers import ScriptedServer, SparqlProxy
from tests.wikidata_fixture import WD, our_store

ALEXNET_EN = "convolutional neural network for image classification"


@pytest.fixture(scope="module")
def linked(wikidata, tmp_path_factory):
    """Our graph, linked to the fixture Wikidata."""
    store = our_store(tmp_path_factory.mktemp("federated") / "store")
    link_wikidata(
        store,
        papers_endpoint=wikidata[0],
        models_endpoint=wikidata[1],
        policy=RetryPolicy(1000),
    )
    return store


@pytest.fixture
def main_proxy(wikidata):
    proxy = SparqlProxy(wikidata[1])
    yield proxy
    proxy.close()


def rows(result: kg.QueryResult, *columns: str) -> list[tuple]:
    return [tuple(row[c] for c in columns) for row in result.rows]


#: Every federated query's answer on the fixture, worked out by hand: the endpoint it
#: asks (the fixture's main or scholarly Wikidata), its columns and rows.
FEDERATED_ANSWERS = {
    # AlexNet is reused by three papers, ResNet-50 by two, BERT by one; the other models
    # are not reused. Items: the registry's for AlexNet, label matches for the others.
    "federated-model-descriptions": (
        "main",
        ("rank", "model_label", "papers", "item", "description"),
        [
            (1, "AlexNet", 3, WD + "Q28325009", ALEXNET_EN),
            (2, "ResNet-50", 2, WD + "Q2001", "50-layer residual network"),
            (3, "BERT", 1, WD + "Q2002", "language model by Google"),
        ],
    ),
    # a is Q1001 (deep learning, Q7190 without a label); b is Q1004 (deep learning) and
    # Q1005 (no subject, so not listed); c and d have no item.
    "federated-paper-subjects": (
        "scholarly",
        ("doi", "item", "subject", "subject_label"),
        [
            ("10.5000/a", WD + "Q1001", WD + "Q197536", "deep learning"),
            ("10.5000/a", WD + "Q1001", WD + "Q7190", None),
            ("10.5000/b", WD + "Q1004", WD + "Q197536", "deep learning"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(n for n in load_queries() if n.startswith("federated-")))
def test_every_federated_query_answers_as_worked_out_by_hand(linked, wikidata, name):
    which, columns, expected = FEDERATED_ANSWERS[name]
    endpoint = wikidata[1] if which == "main" else wikidata[0]
    assert rows(kg.run_query(linked, name, {"endpoint": endpoint}), *columns) == expected


def test_most_reused_models_with_their_descriptions(linked, main_proxy):
    result = kg.run_query(linked, "federated-model-descriptions", {"endpoint": main_proxy.endpoint})
    _, columns, expected = FEDERATED_ANSWERS["federated-model-descriptions"]
    assert rows(result, *columns) == expected
    # One request, carrying our three items and nothing else of our graph.
    assert len(main_proxy.requests) == 1
    sent = main_proxy.queries[0]
    assert "VALUES (?item)" in sent
    for qid in ("Q28325009", "Q2001", "Q2002"):
        assert f"<{WD}{qid}>" in sent
    assert "ptm:" not in sent.split("SELECT", 1)[1]


def test_descriptions_in_another_language_and_a_shorter_ranking(linked, main_proxy):
    french = kg.run_query(
        linked,
        "federated-model-descriptions",
        {"endpoint": main_proxy.endpoint, "language": "fr"},
    )
    # Only AlexNet has a French description; the others stay, without one.
    assert rows(french, "model_label", "description") == [
        ("AlexNet", "réseau de neurones convolutif"),
        ("ResNet-50", None),
        ("BERT", None),
    ]
    top = kg.run_query(
        linked, "federated-model-descriptions", {"endpoint": main_proxy.endpoint, "limit": 1}
    )
    assert rows(top, "model_label", "description") == [("AlexNet", ALEXNET_EN)]


def test_papers_reusing_one_model_with_their_main_subjects_in_french(linked, wikidata):
    bert = kg.run_query(
        linked,
        "federated-paper-subjects",
        {"endpoint": wikidata[0], "model": "BERT", "language": "fr"},
    )
    assert rows(bert, "doi", "subject_label") == [("10.5000/b", "apprentissage profond")]


def test_federated_query_on_the_command_line(cli, linked, wikidata):
    result = cli(
        "query", "federated-model-descriptions", "--store", linked.location,
        "-p", f"endpoint={wikidata[1]}", "-p", "limit=2", "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "rank,model,model_label,papers,item,description"
    assert len(lines) == 3
    assert lines[1].endswith(f",AlexNet,3,{WD}Q28325009,{ALEXNET_EN}")


def test_the_endpoint_is_required_and_checked(cli, linked, main_proxy):
    missing = cli("query", "federated-model-descriptions", "--store", linked.location)
    assert missing.exit_code == 1 and "needs --param endpoint=" in missing.stderr
    for hostile in ("http://x/> } } DROP ALL #", "not an iri", "file:///etc/passwd"):
        result = cli(
            "query", "federated-model-descriptions", "--store", linked.location,
            "-p", f"endpoint={hostile}",
        )  # fmt: skip
        assert result.exit_code == 1, hostile
        assert "endpoint" in result.stderr
    assert main_proxy.requests == []


def test_an_endpoint_that_fails(linked, main_proxy):
    main_proxy.fail_next(429, retry_after="1")
    waits: list[float] = []
    client = HttpClient(RetryPolicy(1000), sleep=waits.append)
    query = kg.get_query("federated-model-descriptions")
    result = run_federated(
        linked, query.text, list(query.parameters), {"endpoint": main_proxy.endpoint},
        client=client,
    )  # fmt: skip
    assert waits == [1.0] and len(result.rows) == 3
    main_proxy.outage_after = 0
    with pytest.raises(kg.PtmkgError, match="HTTP 500"):
        run_federated(
            linked, query.text, list(query.parameters), {"endpoint": main_proxy.endpoint},
            client=HttpClient(RetryPolicy(1000, attempts=2, backoff=0)),
        )  # fmt: skip


SILENT = """\
PREFIX ptm: <https://w3id.org/ptmkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label ?wikidata_label WHERE {
  #@bind endpoint
  ?model ptm:wikidataItem ?item ; rdfs:label ?label .
  FILTER(?label = "BERT" || ?label < "B")
  SERVICE SILENT <http://example.org/sparql> {
    #@join item
    ?item rdfs:label ?wikidata_label . FILTER(?wikidata_label != "}")
  }
}
ORDER BY ?label
"""
ENDPOINT = [Parameter("endpoint", "iri", "where", required=True)]


def test_service_silent_turns_a_failure_into_no_answer(linked):
    client = HttpClient(RetryPolicy(1000, attempts=1))
    result = run_federated(
        linked, SILENT, ENDPOINT, {"endpoint": "http://127.0.0.1:9/"}, client=client
    )
    assert rows(result, "label", "wikidata_label") == [("AlexNet", None), ("BERT", None)]


def test_a_handwritten_federated_query_with_braces_in_strings(linked, wikidata):
    result = run_federated(linked, SILENT, ENDPOINT, {"endpoint": wikidata[1]})
    assert rows(result, "label", "wikidata_label") == [("AlexNet", "AlexNet"), ("BERT", "BERT")]


def test_reading_the_service_block():
    block = find_service(SILENT)
    assert block is not None and block.silent and block.joins == ("item",)
    assert SILENT[block.start : block.end].startswith("SERVICE SILENT <http://example.org/sparql>")
    assert SILENT[block.start : block.end].endswith('FILTER(?wikidata_label != "}")\n  }')
    assert find_service("SELECT * WHERE { ?s ?p 'SERVICE' } # SERVICE <x> {") is None
    with pytest.raises(kg.PtmkgError, match="#@join"):
        find_service("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    with pytest.raises(kg.PtmkgError, match="exactly one"):
        find_service("SELECT * { SERVICE <a:b> { #@join s\n} SERVICE <a:c> { #@join s\n} }")


def test_every_federated_query_needs_its_endpoint_and_names_a_public_default():
    federated = {n: q for n, q in load_queries().items() if n.startswith("federated-")}
    assert set(federated) == {"federated-model-descriptions", "federated-paper-subjects"}
    for query in federated.values():
        assert query.is_federated
        endpoint = query.parameter("endpoint")
        assert endpoint is not None and endpoint.type == "iri" and endpoint.required
        block = find_service(query.text)
        iri = query.text[block.start : block.end].split()[1].strip("<>")
        assert iri in (
            "https://query.wikidata.org/sparql",
            "https://query-scholarly.wikidata.org/sparql",
        )
        assert iri in endpoint.description  # the description names the usual endpoint
    assert not any(q.is_federated for n, q in load_queries().items() if n not in federated)


def test_join_values_go_out_in_batches(linked, main_proxy):
    query = kg.get_query("federated-model-descriptions")
    result = run_federated(
        linked, query.text, list(query.parameters), {"endpoint": main_proxy.endpoint},
        client=HttpClient(RetryPolicy(1000)), batch_size=2,
    )  # fmt: skip
    # Three items, two per request: two requests, and the same three rows.
    assert len(main_proxy.requests) == 2
    assert [row["model_label"] for row in result.rows] == ["AlexNet", "ResNet-50", "BERT"]
    assert all(row["description"] for row in result.rows)


# ----------------------------------------------------------------- endpoints answering nonsense


class JunkEndpoint(ScriptedServer):
    """A server on 127.0.0.1 that answers every request 200 with the same bytes."""

    def __init__(self, body: bytes, content_type: str) -> None:
        self.body, self.content_type = body, content_type
        super().__init__()

    @property
    def endpoint(self) -> str:
        return f"{self.url}/sparql"

    def answer(self, method: str, path: str, params: dict) -> tuple[int, bytes, str]:
        return 200, self.body, self.content_type


JUNK = {
    "not JSON": (b"hello, not sparql", "application/sparql-results+json"),
    "a web page": (b"<html><body>Login</body></html>", "text/html"),
    "an unknown term type": (
        b'{"head":{"vars":["description"]},"results":{"bindings":'
        b'[{"description":{"type":"wat","value":"1"}}]}}',
        "application/sparql-results+json",
    ),
    "a datatype that is no IRI": (
        b'{"head":{"vars":["description"]},"results":{"bindings":[{"description":'
        b'{"type":"literal","value":"1","datatype":"not an iri"}}]}}',
        "application/sparql-results+json",
    ),
    "a yes-or-no answer": (b'{"head":{},"boolean":true}', "application/sparql-results+json"),
    "bytes that are not UTF-8": (b"\xff\xfe\x00<sparql", "application/sparql-results+xml"),
    "nothing": (b"", "application/sparql-results+json"),
}


@pytest.fixture(params=list(JUNK))
def junk(request):
    server = JunkEndpoint(*JUNK[request.param])
    yield server
    server.close()


def test_a_federated_query_whose_endpoint_answers_nonsense_is_a_message(cli, linked, junk):
    result = cli(
        "query", "federated-model-descriptions", "--store", linked.location,
        "-p", f"endpoint={junk.endpoint}",
    )  # fmt: skip
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert f"{junk.endpoint} did not answer with SPARQL results" in result.stderr
    assert len(junk.requests) == 1  # the answer is not retried: it will not improve


def test_a_service_clause_whose_endpoint_answers_nonsense_is_a_message(cli, linked, junk):
    """Oxigraph runs SERVICE itself in ad-hoc SPARQL; its failure is a message too."""
    text = f"SELECT ?s WHERE {{ SERVICE <{junk.endpoint}> {{ ?s ?p ?o }} }}"
    # SERVICE is off unless allowed; allowed, the endpoint's nonsense is a message.
    result = cli("sparql", text, "--store", linked.location, "--allow-service", junk.endpoint)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert f"a SERVICE endpoint ({junk.endpoint}) gave no usable answer" in result.stderr
