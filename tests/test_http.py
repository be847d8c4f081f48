"""The one HTTP transport: what every client of it (endpoints, the Graph Store Protocol, links,
federation, the LLM) gets alike, tested with real HTTP servers on 127.0.0.1.

- credentials (basic, bearer, digest, the LLM's key, a URL's user-info) go to the
  server they were given for and never on to another host or port a redirect names;
- a server that echoes the request's headers in an error answer finds no form of
  the password in ptmkg's message;
- one retry policy: the same statuses retried by every client, ``Retry-After``
  honoured, the command line's default the library's;
- ``RemoteStore.query`` answers with the embedded store's own types.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.credentials import Credentials
from kg.extract.llm import LlmError, LlmExtractor, LlmSettings
from kg.http import (
    DEFAULT_POLICY,
    RETRYABLE_STATUS,
    HttpClient,
    HttpError,
    RetryPolicy,
    check_url,
)
from kg.read.jats import read_article
from kg.stores.remote import EndpointSettings, RemoteStore

USER = "alice"
PASSWORD = 'pw-Zq7/x@:%&+ ="<b>\\end'
TOKEN = "tok-3f9a8b7c6d5e4f3a2b1c"
API_KEY = "sk-live-0123456789abcdef"
ARTICLE = Path(__file__).parent / "data" / "jats" / "plos-transfer-learning.xml"

EMPTY_SELECT = b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}'
ASK_FALSE = b'{"head": {}, "boolean": false}'
CHAT_ANSWER = json.dumps(
    {"choices": [{"message": {"content": '{"result": false, "prose": null}'}}]}
).encode()


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Server:
    """A real HTTP server on 127.0.0.1 that records every request and answers by ``respond``."""

    respond: Callable[[Seen], Answer]
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, dict(self.headers), self.rfile.read(length))
                owner.seen.append(seen)
                status, headers, body = owner.respond(seen)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def authorizations(self) -> list[str | None]:
        return [s.headers.get("Authorization") for s in self.seen]


@pytest.fixture
def servers() -> Iterator[Callable[[Callable[[Seen], Answer]], Server]]:
    started: list[Server] = []

    def start(respond: Callable[[Seen], Answer]) -> Server:
        server = Server(respond)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def is_ask(seen: Seen) -> bool:
    return "ASK" in urllib.parse.unquote_plus(seen.body.decode())


def sparql_answer(seen: Seen) -> Answer:
    """A SPARQL endpoint with nothing in it (its default graph is the union)."""
    if seen.method == "PUT" or b"update=" in seen.body:
        return 204, {}, b""
    body = ASK_FALSE if is_ask(seen) else EMPTY_SELECT
    return 200, {"Content-Type": "application/sparql-results+json"}, body


def answering(content_type: str, body: bytes) -> Callable[[Seen], Answer]:
    """An endpoint whose default graph is the union, answering every other query with ``body``."""

    def respond(seen: Seen) -> Answer:
        return sparql_answer(seen) if is_ask(seen) else (200, {"Content-Type": content_type}, body)

    return respond


def chat_answer(seen: Seen) -> Answer:
    return 200, {"Content-Type": "application/json"}, CHAT_ANSWER


DIGEST_CHALLENGE = {
    "WWW-Authenticate": 'Digest realm="test", nonce="0123456789abcdef", qop="auth", '
    'algorithm=MD5, opaque="fedcba"'
}


def redirecting_to(target: Callable[[], str], status: int = 307, digest: bool = False):
    """A server that sends every request on to ``target()`` (after a digest challenge)."""

    def respond(seen: Seen) -> Answer:
        if digest and not seen.headers.get("Authorization", "").startswith("Digest "):
            return 401, DIGEST_CHALLENGE, b"who are you?"
        return status, {"Location": target() + seen.path}, b""

    return respond


def challenging(seen: Seen) -> Answer:
    """A server that asks for digest credentials, as if they were its due."""
    if seen.headers.get("Authorization"):
        return sparql_answer(seen)
    return 401, DIGEST_CHALLENGE, b"credentials, please"


def remote(url: str, credentials: Credentials | None, **settings: object) -> RemoteStore:
    return RemoteStore(
        EndpointSettings(
            query_url=f"{url}/query",
            update_url=f"{url}/update",
            gsp_url=f"{url}/store",
            credentials=credentials,
            retries=0,
            **settings,
        )
    )


BASIC = Credentials(user=USER, password=PASSWORD)
BEARER = Credentials(token=TOKEN, scheme="bearer")
DIGEST = Credentials(user=USER, password=PASSWORD, scheme="digest")


def every_form(secret: str) -> list[str]:
    return [
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret, safe=""),
        base64.b64encode(secret.encode()).decode(),
        base64.b64encode(f"{USER}:{secret}".encode()).decode(),
        base64.b64encode(f"{USER}:{secret}".encode()).decode().rstrip("="),
        json.dumps(secret)[1:-1],
    ]


def decoded_base64_pieces(text: str) -> list[str]:
    """Every run of base64 characters in ``text``, decoded where it decodes."""
    pieces = []
    for run in re.findall(r"[A-Za-z0-9+/=_-]{8,}", text):
        for candidate in (run, run + "=", run + "=="):
            try:
                pieces.append(
                    base64.b64decode(candidate, validate=False).decode("utf-8", "replace")
                )
            except ValueError:
                continue
    return pieces


# ------------------------------------------------------------ redirects


@pytest.mark.parametrize(
    ("credentials", "sent"),
    [(BASIC, "Basic "), (BEARER, f"Bearer {TOKEN}"), (DIGEST, "Digest ")],
    ids=["basic", "bearer", "digest"],
)
@pytest.mark.parametrize("elsewhere", ["another port", "another host"])
def test_endpoint_credentials_never_follow_a_redirect_elsewhere(
    servers, credentials, sent, elsewhere
):
    other = servers(challenging)
    host = "127.0.0.1" if elsewhere == "another port" else "localhost"
    first = servers(
        redirecting_to(lambda: f"http://{host}:{other.port}", digest=credentials.scheme == "digest")
    )
    store = remote(first.url, credentials)
    with pytest.raises(kg.EndpointError, match="401"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert first.authorizations()[-1].startswith(sent)  # the server they are for got them
    assert other.seen, "the redirect was followed"
    assert other.authorizations() == [None] * len(other.seen)  # and the other never did


def test_a_redirect_within_the_server_keeps_the_credentials(servers):
    # The other half of the rule: otherwise the test above would pass by never sending them.
    def respond(seen: Seen) -> Answer:
        if seen.path.startswith("/query"):
            return 308, {"Location": "/sparql"}, b""
        return sparql_answer(seen)

    server = servers(respond)
    answer = remote(server.url, BASIC).query("SELECT ?s WHERE { ?s ?p ?o }")
    assert isinstance(answer, ox.QuerySolutions)
    at_sparql = [s for s in server.seen if s.path == "/sparql"]
    assert at_sparql and all(s.headers["Authorization"].startswith("Basic ") for s in at_sparql)
    assert all(s.method == "POST" and b"query=" in s.body for s in at_sparql)  # 308 keeps both


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_graph_store_uploads_keep_their_credentials_at_home(servers, status):
    other = servers(sparql_answer)
    first = servers(redirecting_to(lambda: other.url, status=status))
    store = remote(first.url, BEARER)
    triples = b"<urn:a> <urn:b> <urn:c> .\n"
    if status in (302, 303):  # these turn the PUT into a GET: the upload would be lost
        with pytest.raises(kg.EndpointError, match="would drop the request's body"):
            store.store_triples("urn:g", triples, replace=True)
        assert other.seen == []
    else:
        store.store_triples("urn:g", triples, replace=True)
        assert [(s.method, s.body) for s in other.seen] == [("PUT", triples)]
        assert other.seen[0].path == "/store?graph=urn%3Ag"
    assert first.authorizations() == [f"Bearer {TOKEN}"]
    assert other.authorizations() == [None] * len(other.seen)


def test_the_llm_key_never_follows_a_redirect_elsewhere(servers):
    other = servers(chat_answer)
    first = servers(redirecting_to(lambda: other.url))
    settings = LlmSettings(f"{first.url}/v1", "m", api_key=API_KEY, retries=0, backoff=0)
    extraction = LlmExtractor(settings).extract(read_article(ARTICLE.read_bytes(), ARTICLE.name))
    assert extraction.uses_dl is False  # the answer came from the other server
    assert first.authorizations() == [f"Bearer {API_KEY}"] * 2
    assert other.authorizations() == [None, None]


def test_user_info_in_a_link_url_stays_with_its_host(servers):
    other = servers(lambda seen: (200, {"Content-Type": "application/json"}, b"{}"))
    first = servers(redirecting_to(lambda: other.url, status=302))
    client = HttpClient(RetryPolicy(attempts=1))
    quoted = urllib.parse.quote(PASSWORD, safe="")
    assert client.get_json(f"http://{USER}:{quoted}@127.0.0.1:{first.port}/works") == {}
    assert first.authorizations() == [
        "Basic " + base64.b64encode(BASIC.basic_pair.encode()).decode()
    ]
    assert other.authorizations() == [None]
    assert other.seen[0].path == "/works"


def test_a_redirect_to_another_scheme_or_in_circles_is_a_message(servers):
    away = servers(lambda seen: (302, {"Location": "file:///etc/passwd"}, b""))
    with pytest.raises(HttpError, match="not an http"):
        HttpClient(RetryPolicy(attempts=1)).get_json(away.url)
    loop = servers(lambda seen: (302, {"Location": seen.path + "x"}, b""))
    with pytest.raises(HttpError, match="redirects"):
        HttpClient(RetryPolicy(attempts=1)).get_json(loop.url + "/")


# ------------------------------------------------------------ echoed secrets


def echoing(kind: str) -> Callable[[Seen], Answer]:
    """A server that fails with the request's headers in its answer."""

    def respond(seen: Seen) -> Answer:
        if kind == "json":
            body = json.dumps({"error": "internal trouble", "request": seen.headers}).encode()
            return 500, {"Content-Type": "application/json"}, body
        if kind == "html":
            rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in seen.headers.items())
            body = f"<html><h1>internal trouble</h1><table>{rows}</table></html>".encode()
            return 500, {"Content-Type": "text/html"}, body
        lines = "\n".join(f"{k}: {v}" for k, v in seen.headers.items())
        return 500, {"Content-Type": "text/plain"}, f"internal trouble\n{lines}".encode()

    return respond


def assert_no_secret(message: str, secret: str) -> None:
    for form in every_form(secret):
        assert form not in message, form
    for piece in decoded_base64_pieces(message):
        assert secret[:8] not in piece, piece
    assert secret[:8] not in message


@pytest.mark.parametrize("kind", ["plain", "json", "html"])
@pytest.mark.parametrize(
    ("credentials", "secret"), [(BASIC, PASSWORD), (BEARER, TOKEN)], ids=["basic", "bearer"]
)
def test_an_echoed_request_leaves_no_credential_in_the_message(servers, kind, credentials, secret):
    server = servers(echoing(kind))
    with pytest.raises(kg.EndpointError) as caught:
        remote(server.url, credentials).query("SELECT ?s WHERE { ?s ?p ?o }")
    message = str(caught.value)
    assert server.seen[0].headers["Authorization"]  # the server did see them
    assert "internal trouble" in message  # the server's own words are still shown
    assert_no_secret(message, secret)


def test_user_info_and_the_llm_key_are_not_echoed_either(servers, cli):
    server = servers(echoing("plain"))
    quoted = urllib.parse.quote(PASSWORD, safe="")
    url = f"http://{USER}:{quoted}@127.0.0.1:{server.port}/query"
    result = cli("sparql", "ASK {}", "--endpoint", url, "--retries", "0")
    assert result.exit_code == 1 and "internal trouble" in result.stderr
    assert_no_secret(result.stdout + result.stderr, PASSWORD)
    settings = LlmSettings(f"{server.url}/v1", "m", api_key=API_KEY, retries=0, backoff=0)
    with pytest.raises(LlmError) as caught:
        LlmExtractor(settings).client.ask([{"role": "user", "content": "hello"}])
    assert "internal trouble" in str(caught.value)
    assert_no_secret(str(caught.value), API_KEY)


def test_a_chat_answer_echoing_the_key_is_not_kept(servers):
    def respond(seen: Seen) -> Answer:
        content = json.dumps({"error": f"I was sent {seen.headers['Authorization']}"})
        body = json.dumps({"choices": [{"message": {"content": content}}]}).encode()
        return 200, {"Content-Type": "application/json"}, body

    server = servers(respond)
    settings = LlmSettings(f"{server.url}/v1", "m", api_key=API_KEY, retries=0, backoff=0)
    extraction = LlmExtractor(settings).extract(read_article(ARTICLE.read_bytes(), ARTICLE.name))
    assert "an error object: I was sent Bearer ***" in extraction.problems[0]  # kept in the output
    assert_no_secret(" ".join(extraction.problems), API_KEY)


def test_an_answer_holding_an_unknown_spelling_of_a_secret_is_not_quoted(servers):
    # A secret cut short: no spelling redact() knows, but a piece of the password in a row.
    def respond(seen: Seen) -> Answer:
        return 500, {"Content-Type": "text/plain"}, f"oops {PASSWORD[:12]}!!".encode()

    server = servers(respond)
    with pytest.raises(kg.EndpointError) as caught:
        remote(server.url, BASIC).query("SELECT ?s WHERE { ?s ?p ?o }")
    assert "not shown" in str(caught.value) and "oops" not in str(caught.value)
    assert PASSWORD[:8] not in str(caught.value)


# ------------------------------------------------------------ one retry policy


def fails_once(status: int, answer: Callable[[Seen], Answer]) -> Callable[[Seen], Answer]:
    seen_count = [0]

    def respond(seen: Seen) -> Answer:
        seen_count[0] += 1
        if seen_count[0] == 1:
            return status, {"Content-Type": "text/plain"}, b"not now"
        return answer(seen)

    return respond


def ask_endpoint(url: str) -> object:
    store = RemoteStore(EndpointSettings(query_url=f"{url}/query", retries=1, backoff=0))
    return store.query("SELECT ?s WHERE { ?s ?p ?o }")


def ask_link(url: str) -> object:
    return HttpClient(RetryPolicy(attempts=2, backoff=0)).get_json(f"{url}/works")


def ask_llm(url: str) -> object:
    settings = LlmSettings(f"{url}/v1", "m", api_key=API_KEY, retries=1, backoff=0)
    return LlmExtractor(settings).client.ask([{"role": "user", "content": "hello"}])


CLIENTS = {
    "endpoint": (ask_endpoint, sparql_answer),
    "link": (ask_link, lambda seen: (200, {"Content-Type": "application/json"}, b"{}")),
    "llm": (ask_llm, chat_answer),
}


def requests_when_all_is_well(servers, client: str) -> int:
    ask, answer = CLIENTS[client]
    server = servers(answer)
    ask(server.url)
    return len(server.seen)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("status", sorted(RETRYABLE_STATUS))
def test_every_client_retries_the_same_statuses(servers, client, status):
    ask, answer = CLIENTS[client]
    server = servers(fails_once(status, answer))
    ask(server.url)
    assert len(server.seen) == requests_when_all_is_well(servers, client) + 1


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("status", [400, 409, 422])
def test_no_client_retries_an_answer_that_will_not_change(servers, client, status):
    ask, answer = CLIENTS[client]
    server = servers(fails_once(status, answer))
    with pytest.raises(kg.PtmkgError, match=str(status)):
        ask(server.url)
    assert len(server.seen) == 1


def test_an_endpoint_honours_retry_after(servers):
    server = servers(
        lambda seen: (
            (503, {"Retry-After": "3"}, b"busy") if len(server.seen) == 1 else sparql_answer(seen)
        )
    )
    store = RemoteStore(EndpointSettings(query_url=f"{server.url}/query", retries=2, backoff=0))
    store.http.sleep = lambda seconds: None
    store.query("SELECT ?s WHERE { ?s ?p ?o }")
    assert store.http.waits == [3.0]


def test_the_command_line_retries_as_often_as_the_library(
    servers, cli, build_store, write, store_path
):
    sheet = write("s.csv", "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n10.5000/a,True,False,\n")
    build_store(sheet).close()
    server = servers(lambda seen: (503, {}, b"down"))
    result = cli(
        "link", "openalex", "--store", store_path, "--base-url", server.url,
        "--backoff", "0", "--rate", "1000",
    )  # fmt: skip
    assert result.exit_code == 1
    assert len(server.seen) == DEFAULT_POLICY.attempts == 4
    assert EndpointSettings(query_url="http://x/").retries == DEFAULT_POLICY.retries
    assert LlmSettings("http://x/", "m").retries == DEFAULT_POLICY.retries


# ------------------------------------------------------------ URLs


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/v1", "localhost:8000"])
def test_the_llm_base_url_must_be_http(url, cli, tmp_path):
    with pytest.raises(kg.PtmkgError, match="not an http"):
        LlmSettings.from_options(url, "m")
    result = cli("extract", str(ARTICLE), "--llm", "--llm-base-url", url, "--llm-model", "m")
    assert result.exit_code == 1 and "not an http" in result.stderr


def test_a_refused_url_does_not_show_its_password():
    with pytest.raises(kg.PtmkgError) as caught:
        check_url(f"ftp://{USER}:{urllib.parse.quote(PASSWORD, safe='')}@example.org/x")
    assert_no_secret(str(caught.value), PASSWORD)
    assert "example.org" in str(caught.value)


# ------------------------------------------------------------ answers


def test_remote_query_answers_with_the_embedded_stores_types(servers):
    def respond(seen: Seen) -> Answer:
        if "CONSTRUCT" in urllib.parse.unquote_plus(seen.body.decode()):
            return 200, {"Content-Type": "application/n-triples"}, b"<urn:a> <urn:b> <urn:c> .\n"
        return sparql_answer(seen)

    server = servers(respond)
    store = remote(server.url, None)
    embedded = kg.EmbeddedStore(None)
    for sparql in (
        "SELECT ?s WHERE { ?s ?p ?o }",
        "ASK { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ):
        assert type(store.query(sparql)) is type(embedded.query(sparql)), sparql
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert [str(t) for t in triples] == ["<urn:a> <urn:b> <urn:c>"]


def test_virtuoso_booleans_in_any_results_format_read_as_true_and_false(servers):
    xml = (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        b'<head><variable name="flag"/><variable name="n"/></head><results>'
        b'<result><binding name="flag"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">1'
        b'</literal></binding><binding name="n"><literal>one</literal></binding></result>'
        b'<result><binding name="flag"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">0'
        b"</literal></binding></result></results></sparql>"
    )

    server = servers(answering("application/sparql-results+xml", xml))
    answer = remote(server.url, None).query("SELECT ?flag ?n WHERE { ?s ?flag ?n }")
    assert isinstance(answer, ox.QuerySolutions)
    rows = [[None if t is None else str(t) for t in solution] for solution in answer]
    boolean = "<http://www.w3.org/2001/XMLSchema#boolean>"
    assert rows == [[f'"true"^^{boolean}', '"one"'], [f'"false"^^{boolean}', None]]


def test_an_answer_broken_part_way_is_a_message_when_asked(servers):
    broken = (
        b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", '
        b'"value": "urn:a"}}, {"s": {"type": "uri", "value": "not an iri"}}]}}'
    )

    server = servers(answering("application/sparql-results+json", broken))
    with pytest.raises(kg.EndpointError, match="reading the query's answer"):
        remote(server.url, None).query("SELECT ?s WHERE { ?s ?p ?o }")
