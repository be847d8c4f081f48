"""Local stand-ins for OpenAlex and Wikidata, on 127.0.0.1 only.

- :class:`FakeOpenAlex` answers the works API (``/works?filter=doi:A|B``,
  ``/works/doi:X``) from work objects the test gives it.
- :func:`start_oxigraph` runs a real Oxigraph server loaded with a
  Wikidata-shaped fixture; :class:`SparqlProxy` sits in front of it.

Both kinds of server count and log their requests and can be told to answer
429 (with a Retry-After) or 500 instead, on cue.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from servers import HOST, free_port, require_program


@dataclass
class Cue:
    status: int
    retry_after: str | None = None


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, list[str]]
    body: str = ""

    @property
    def dois(self) -> list[str]:
        """The DOIs an OpenAlex request asked for."""
        if self.path.startswith("/works/doi:"):
            return [urllib.parse.unquote(self.path.removeprefix("/works/doi:"))]
        value = self.params.get("filter", [""])[0]
        return value.removeprefix("doi:").split("|") if value.startswith("doi:") else []


@dataclass
class ScriptedServer:
    """An HTTP server in a thread that can be told to fail: cues first, then ``broken``."""

    cues: list[Cue] = field(default_factory=list)
    broken: Cue | None = None  # answer every request this way (an outage) until cleared
    outage_after: int | None = None  # after this many good answers, ``broken`` starts
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner._handle(self, "")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner._handle(self, self.rfile.read(length).decode("utf-8"))

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}"

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        self.cues.extend(Cue(status, retry_after) for _ in range(times))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler, body: str) -> None:
        parts = urllib.parse.urlsplit(handler.path)
        params = urllib.parse.parse_qs(parts.query)
        if body and handler.headers.get("Content-Type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            params.update(urllib.parse.parse_qs(body))
        with self._lock:
            self.requests.append(Request(handler.command, parts.path, params, body))
            cue = self.cues.pop(0) if self.cues else self.broken
            if cue is None and self.outage_after is not None:
                if self.outage_after == 0:
                    cue = Cue(500)
                else:
                    self.outage_after -= 1
        if cue is not None:
            headers = {"Retry-After": cue.retry_after} if cue.retry_after else {}
            self._send(handler, cue.status, b'{"error": "on cue"}', "application/json", headers)
            return
        status, payload, content_type = self.answer(handler.command, parts.path, params)
        self._send(handler, status, payload, content_type)

    def answer(self, method: str, path: str, params: dict) -> tuple[int, bytes, str]:
        raise NotImplementedError

    @staticmethod
    def _send(handler, status: int, payload: bytes, content_type: str, headers=None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)


class FakeOpenAlex(ScriptedServer):
    """The OpenAlex works API, answering from ``works`` (work objects keyed by nothing)."""

    def __init__(self, works: list[dict]) -> None:
        self.works = works
        super().__init__()

    def _by_doi(self, doi: str) -> list[dict]:
        doi = doi.lower().removeprefix("https://doi.org/")
        return [w for w in self.works if (w.get("doi") or "").lower() == f"https://doi.org/{doi}"]

    def answer(self, method: str, path: str, params: dict) -> tuple[int, bytes, str]:
        if path.startswith("/works/doi:"):
            found = self._by_doi(urllib.parse.unquote(path.removeprefix("/works/doi:")))
            if not found:
                return 404, b'{"error": "not found"}', "application/json"
            return 200, json.dumps(found[0]).encode(), "application/json"
        if path != "/works":
            return 404, b"{}", "application/json"
        value = params.get("filter", [""])[0]
        if not value.startswith("doi:"):
            return 400, b'{"error": "only doi filters here"}', "application/json"
        dois = value.removeprefix("doi:").split("|")
        if len(dois) > 100:
            return 400, b'{"error": "too many values"}', "application/json"
        results = [work for doi in dois for work in self._by_doi(doi)]
        per_page = int(params.get("per_page", ["25"])[0])
        page = {
            "meta": {"count": len(results), "page": 1, "per_page": per_page},
            "results": results[:per_page],
            "group_by": [],
        }
        return 200, json.dumps(page).encode(), "application/json"


class SparqlProxy(ScriptedServer):
    """Forwards SPARQL requests to a real endpoint, counting them and failing on cue."""

    def __init__(self, target: str) -> None:
        self.target = target
        super().__init__()

    @property
    def endpoint(self) -> str:
        return f"{self.url}/sparql"

    def answer(self, method: str, path: str, params: dict) -> tuple[int, bytes, str]:
        if path != "/sparql":
            return 404, b"not here", "text/plain"
        query = params.get("query", [""])[0]
        request = urllib.request.Request(
            self.target,
            data=urllib.parse.urlencode({"query": query}).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read(), response.headers["Content-Type"]
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), "text/plain"

    @property
    def queries(self) -> list[str]:
        return [r.params.get("query", [""])[0] for r in self.requests]


# ------------------------------------------------------------ Oxigraph server


@contextlib.contextmanager
def oxigraph_endpoint(folder: Path, turtle: str) -> Iterator[str]:
    """An Oxigraph server on 127.0.0.1 holding ``turtle``; yields its query URL."""
    program = require_program("oxigraph", "pip install oxigraph")
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "fixture.ttl"
    data.write_text(turtle, encoding="utf-8")
    subprocess.run(
        [program, "load", "--location", str(folder / "db"), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [program, "serve", "--location", str(folder / "db"), "--bind", f"{HOST}:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://{HOST}:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                probe = url + "?query=" + urllib.parse.quote("ASK {}")
                with urllib.request.urlopen(probe, timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
