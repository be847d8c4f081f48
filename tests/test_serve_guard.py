"""SERVICE is off unless allowed, and web pages of other origins are refused: for
``ptmkg sparql`` on the embedded store and for ``ptmkg serve`` (issue 18, item 8).

The "internal" address a query tries to reach is a real HTTP server on 127.0.0.1 that
records every request it gets, so the tests see whether the machine fetched it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from link_servers import ScriptedServer
from servers import free_port, require_program

import kg
from kg.sparql.services import service_endpoints

EMPTY_RESULTS = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()


class InternalService(ScriptedServer):
    """Stands for an address inside the network: answers any SPARQL query with no rows."""

    def answer(self, method: str, path: str, params: dict) -> tuple[int, bytes, str]:
        return 200, EMPTY_RESULTS, "application/sparql-results+json"


@pytest.fixture
def internal():
    server = InternalService()
    yield server
    server.close()


def _service_query(url: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"


# ------------------------------------------------------------ ptmkg sparql


def test_sparql_does_not_fetch_a_service_by_default(cli, illustrative_store, internal):
    result = cli("sparql", _service_query(internal.url), "--store", illustrative_store.location)
    assert result.exit_code == 1, result.output
    assert f"SERVICE <{internal.url}/sparql> is not run" in result.stderr
    assert "--allow-service" in result.stderr
    assert internal.requests == []


def test_sparql_fetches_an_allowed_service(cli, illustrative_store, internal):
    endpoint = f"{internal.url}/sparql"
    result = cli(
        "sparql",
        _service_query(internal.url),
        "--allow-service",
        endpoint,
        "--store",
        illustrative_store.location,
    )
    assert result.exit_code == 0, result.output
    assert [r.path for r in internal.requests] == ["/sparql"]


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX in: <{url}/> SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE in:sparql {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }} }}",
        "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ service <{url}/sparql> {{ ?s ?p ?o }} }} }} }}",
        "SELECT * WHERE {{ BIND(<{url}/sparql> AS ?where) SERVICE ?where {{ ?s ?p ?o }} }}",
    ],
    ids=["prefixed-in-optional", "silent-in-filter-exists", "lower-case-in-subquery", "variable"],
)
def test_every_spelling_of_service_is_found(cli, illustrative_store, internal, query):
    text = query.format(url=internal.url)
    result = cli("sparql", text, "--store", illustrative_store.location)
    assert result.exit_code == 1, result.output
    assert "is not run" in result.stderr
    assert internal.requests == []


def test_the_word_service_in_a_string_or_comment_is_no_service(cli, illustrative_store):
    query = "SELECT ?s WHERE { ?s ?p 'SERVICE <http://127.0.0.1:9/> {}' } # SERVICE <x> {}"
    result = cli("sparql", query, "--store", illustrative_store.location)
    assert result.exit_code == 0, result.output


def test_an_update_with_a_service_is_refused_too(cli, tmp_path, write, internal):
    store = tmp_path / "store"
    source = write("s.csv", "doi,title,year,fields\n10.7000/u,T,2021,Neuroscience\n")
    assert cli("build", source, "--store", store).exit_code == 0
    update = (
        f"INSERT {{ GRAPH <urn:g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{internal.url}/sparql> "
        "{ ?s ?p ?o } }"
    )
    result = cli("sparql", "--update", update, "--store", store)
    assert result.exit_code == 1, result.output
    assert internal.requests == []


def test_service_endpoints_are_read_by_a_parser():
    text = "PREFIX e: <http://a.example/> SELECT * { SERVICE e:q {} SERVICE <http://b/> {} }"
    assert service_endpoints(text) == ["http://a.example/q", "http://b/"]


# ------------------------------------------------------------ ptmkg serve


@pytest.fixture
def served(illustrative_store, request):
    require_program("oxigraph", "pip install oxigraph")
    options = getattr(request, "param", {})
    with kg.ReadOnlyServer(illustrative_store, port=free_port(), **options) as server:
        yield server


def _ask(
    url: str,
    query: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    target = url + ("?" + urllib.parse.urlencode({"query": query}) if query else "")
    request = urllib.request.Request(
        target,
        data=body,
        method=method,
        headers={"Accept": "application/sparql-results+json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_serve_refuses_a_service_by_default(served, internal):
    status, _, body = _ask(served.url, _service_query(internal.url))
    assert status == 403
    assert b"is not run" in body
    status, _, _ = _ask(
        served.url,
        body=_service_query(internal.url).encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert status == 403
    form = urllib.parse.urlencode({"query": _service_query(internal.url)}).encode()
    status, _, _ = _ask(
        served.url, body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 403
    assert internal.requests == []
    status, _, body = _ask(served.url, COUNT)  # other queries still answer
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0


def test_serve_asks_an_allowed_service(illustrative_store, internal):
    require_program("oxigraph", "pip install oxigraph")
    endpoint = f"{internal.url}/sparql"
    with kg.ReadOnlyServer(
        illustrative_store, port=free_port(), allowed_services=(endpoint,)
    ) as server:
        status, _, body = _ask(server.url, _service_query(internal.url))
    assert status == 200, body
    assert [r.path for r in internal.requests] == ["/sparql"]


def test_serve_refuses_updates(served):
    form = urllib.parse.urlencode({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}).encode()
    for path in ("/query", "/update"):
        status, _, _ = _ask(
            served.url.rsplit("/", 1)[0] + path,
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 403


def test_serve_refuses_pages_of_other_origins(served):
    status, headers, body = _ask(served.url, COUNT, headers={"Origin": "https://evil.example"})
    assert status == 403 and b"https://evil.example" in body
    assert "access-control-allow-origin" not in headers
    status, _, _ = _ask(served.url, COUNT, headers={"Sec-Fetch-Site": "cross-site"})
    assert status == 403
    # The server's own query page, opened by address, is the same origin.
    own = served.url.removesuffix("/query")
    status, _, _ = _ask(served.url, COUNT, headers={"Origin": own})
    assert status == 200
    # A host name is not enough: a DNS-rebinding page has one that points here.
    rebinding = {
        "Origin": f"http://evil.example:{served.port}",
        "Host": f"evil.example:{served.port}",
    }
    status, _, _ = _ask(served.url, COUNT, headers=rebinding)
    assert status == 403


@pytest.mark.parametrize("served", [{"cors_origins": ("https://yasgui.example",)}], indirect=True)
def test_serve_answers_allowed_origins_with_cors_headers(served):
    allowed = {"Origin": "https://yasgui.example"}
    status, headers, _ = _ask(served.url, COUNT, headers=allowed)
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://yasgui.example"
    status, headers, _ = _ask(
        served.url,
        method="OPTIONS",
        headers={**allowed, "Access-Control-Request-Method": "POST"},
    )
    assert status == 204 and "POST" in headers["access-control-allow-methods"]
    status, headers, _ = _ask(served.url, COUNT, headers={"Origin": "https://evil.example"})
    assert status == 403 and "access-control-allow-origin" not in headers
