"""Remote faults: a server that is slow, fails, cuts its answer short or answers nonsense
gives a clear error after the configured retries, never a traceback."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import kg
from kg.stores.remote import RemoteStore

QUERY = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


class FaultServer:
    def __init__(self) -> None:
        self.mode = "ok"
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if b"ASK" in body:  # the endpoint's own check that the default graph is a union
                    server._send(self, 200, b'{"head": {}, "boolean": false}')
                    return
                server.requests += 1
                getattr(server, f"answer_{server.mode}")(self)

            do_GET = do_POST

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that gave up (the timeout test) breaks the pipe: expected

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/query"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @staticmethod
    def _send(
        handler,
        status: int,
        body: bytes,
        length: int | None = None,
        kind: str = "application/sparql-results+json",
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        handler.wfile.write(body)

    def answer_ok(self, handler) -> None:
        self._send(handler, 200, b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}')

    def answer_slow(self, handler) -> None:
        time.sleep(2.5)
        self.answer_ok(handler)

    def answer_error(self, handler) -> None:
        self._send(handler, 500, b"internal trouble", kind="text/plain")

    def answer_cut(self, handler) -> None:
        self._send(handler, 200, b'{"head": {"vars": ["s"]}, "results": {"bind', length=4000)
        handler.wfile.flush()
        handler.connection.close()

    def answer_malformed(self, handler) -> None:
        self._send(handler, 200, b"{this is not a results document")


@pytest.fixture
def server():
    fault = FaultServer()
    yield fault
    fault.httpd.shutdown()


def store(server: FaultServer, **options) -> RemoteStore:
    return RemoteStore.from_options(
        server.url, timeout=options.get("timeout", 1), retries=2, backoff=0.01
    )


@pytest.mark.parametrize(
    ("mode", "retried", "message"),
    [
        ("slow", True, "no answer in time"),
        ("error", True, "500"),
        ("cut", True, "closed the connection part-way"),
        ("malformed", False, "reading the query's answer"),
    ],
)
def test_each_fault_is_a_clear_error_after_the_retries(server, mode, retried, message):
    server.mode = mode
    with pytest.raises(kg.PtmkgError) as caught:
        kg.run_sparql(store(server), QUERY)
    text = str(caught.value)
    assert server.url in text and "failed" in text
    assert message.lower() in text.lower()
    assert server.requests == (3 if retried else 1)


def test_a_fault_then_recovery_answers(server):
    server.mode = "ok"
    assert kg.run_sparql(store(server), QUERY).rows == []


def test_the_cli_prints_one_line(server, cli):
    server.mode = "cut"
    result = cli("sparql", QUERY, "--endpoint", server.url, "--timeout", "1", "--retries", "1")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error:")
