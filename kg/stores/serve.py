"""``ptmkg serve``: the embedded store as a read-only SPARQL endpoint, by the real Oxigraph server.

The Oxigraph server (the ``oxigraph`` distribution on PyPI: ``pip install
'ptmkg[serve]'``) opens the store's current generation read-only, with the union
of all named graphs as the default graph, exactly as ptmkg's own queries see it.
It answers the SPARQL 1.1 Protocol at ``/query`` (GET or POST; YASGUI, Gephi's
SPARQL plugin, ``ptmkg --endpoint``) and refuses updates.

A published generation is never written again, so the server reads a graph
that cannot change under it; a later ``ptmkg build`` publishes a new one, which
a restarted ``serve`` picks up.

The Oxigraph server has no switch to turn ``SERVICE`` off or to allow only some
origins, so it listens on a free loopback port and a small guard in this process
(the standard library's HTTP server, one thread per request) takes the requests
at the address served and passes them on unchanged, except:

- a query whose ``SERVICE`` asks an endpoint not allowed (``--allow-service``) is
  refused with 403 before it reaches the server (:mod:`kg.sparql.services`), so no
  client or web page can make this machine fetch other addresses;
- an update is refused with 403 (the server would refuse it too);
- a request from a web page of another origin (its ``Origin`` header, or
  ``Sec-Fetch-Site: cross-site``) is refused with 403 unless that origin is allowed
  (``--cors ORIGIN``, ``*`` for any); allowed origins get the CORS headers. Pages of
  the server itself (Oxigraph's query page) are same-origin when opened by address
  (``http://127.0.0.1:7878/``), not by a host name, which a DNS-rebinding page
  could share.

The server's query page (YASGUI, at ``/``) is passed on with one change: its editor
opens on a query that declares the project's prefixes (:data:`~kg.rdf.namespaces.PREFIXES`),
so that ``ptm:Paper`` or ``dcterms:title`` can be written at once (:func:`query_page`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

from kg.defaults import SERVE_HOST, SERVE_PORT
from kg.errors import PtmkgError
from kg.http import HttpError, Relay, address_family, answers, free_loopback_port
from kg.rdf.namespaces import PREFIXES
from kg.sparql.services import ServiceRefused, check_services
from kg.stores.embedded import EmbeddedStore

DEFAULT_HOST = SERVE_HOST
DEFAULT_PORT = SERVE_PORT
STARTUP_SECONDS = 60.0


def find_oxigraph() -> str:
    """The ``oxigraph`` program: beside this Python (a venv's bin/), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise PtmkgError(
        "ptmkg serve needs the Oxigraph server, which is not installed: "
        "pip install 'ptmkg[serve]' (or pip install oxigraph)"
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _die_with_parent() -> None:
    """In the server's process before it starts: stop when its parent dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1


@dataclass
class ReadOnlyServer:
    """The Oxigraph server over one store, read-only, behind the guard; use as a context
    manager or start/stop."""

    store: EmbeddedStore
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    cors_origins: tuple[str, ...] = ()  # web page origins allowed; "*" for any
    allowed_services: tuple[str, ...] = ()  # SERVICE endpoints allowed; "*" for any
    timeout_seconds: float | None = None  # the server counts whole seconds, rounded up
    process: subprocess.Popen | None = None
    _generation_lock: IO[str] | None = None
    _guard: _Guard | None = None
    _backend_port: int = 0

    @property
    def url(self) -> str:
        return f"{_origin_of(self.host, self.port)}/query"

    @property
    def page_url(self) -> str:
        """The query page for a browser (the Oxigraph server's YASGUI)."""
        return f"{_origin_of(self.host, self.port)}/"

    def command(self) -> list[str]:
        """The Oxigraph server's command: loopback only, on the port the guard passes to."""
        generation = self.store.current_generation()
        if generation is None:
            raise PtmkgError(
                f"no graph in {self.store.location} yet: run 'ptmkg build SOURCE...' first"
            )
        command = [
            find_oxigraph(),
            "serve-read-only",
            "--location",
            str(generation),
            "--bind",
            f"{BACKEND_HOST}:{self._backend_port}",
            "--union-default-graph",
        ]
        if self.timeout_seconds:
            command += ["--timeout-s", str(math.ceil(self.timeout_seconds))]
        return command

    def start(self) -> ReadOnlyServer:
        if not 0 < self.port < 65536:
            raise PtmkgError(f"--port must be between 1 and 65535, not {self.port}")
        try:
            guard = _Guard(self, (self.host, self.port))
        except OSError as exc:
            raise PtmkgError(
                f"cannot listen on {self.host} port {self.port} ({exc.strerror}); "
                f"is it already in use?"
            ) from None
        self._guard = guard
        try:
            self._backend_port = _free_loopback_port()
            command = self.command()
            # Builds remove old generations; this one stays while the server reads it.
            self._generation_lock = self.store.hold_generation(Path(command[3]))
            # The server inherits the lock on its generation, so a build cannot remove the
            # generation while the server lives, even if this process is killed; and it is
            # told to stop when this process dies (SIGKILL included).
            inherited = (self._generation_lock.fileno(),) if self._generation_lock else ()
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, pass_fds=inherited, preexec_fn=_die_with_parent
            )
            self.wait_until_ready()
            guard.serve_in_background()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def backend_url(self) -> str:
        return f"http://{BACKEND_HOST}:{self._backend_port}"

    def wait_until_ready(self, seconds: float = STARTUP_SECONDS) -> None:
        assert self.process is not None
        probe = self.backend_url + "/query?" + urllib.parse.urlencode({"query": "ASK {}"})
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PtmkgError(
                    f"the Oxigraph server stopped at once (exit status {self.process.returncode})"
                )
            if answers(probe, timeout=2):
                return
            time.sleep(0.1)
        self.stop()
        raise PtmkgError(f"the Oxigraph server did not answer in {seconds:.0f} s")

    def wait(self) -> int:
        """Block until the server exits; Ctrl-C or SIGTERM stops it."""
        assert self.process is not None
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            return self.process.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.stop()

    def stop(self) -> None:
        try:
            if self._guard is not None:
                guard, self._guard = self._guard, None
                guard.shutdown_and_close()
            self._stop_process()
        finally:
            if self._generation_lock is not None:
                self._generation_lock.close()
                self._generation_lock = None

    def _stop_process(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> ReadOnlyServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


# ------------------------------------------------------------------ the guard

BACKEND_HOST = "127.0.0.1"
#: Headers that belong to one connection, never passed on (RFC 9110, section 7.6.1).
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
_QUERY_MEDIA = "application/sparql-query"
_UPDATE_MEDIA = "application/sparql-update"
_FORM_MEDIA = "application/x-www-form-urlencoded"
#: Request bodies larger than this are refused (a query is text; the server is read-only).
MAX_BODY_BYTES = 16 * 1024 * 1024


def _origin_of(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _free_loopback_port() -> int:
    return free_loopback_port(BACKEND_HOST)


def _is_address(host: str) -> bool:
    """Whether a Host header names the machine by address (or as localhost), not by a DNS
    name that a rebinding page could point here."""
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host[1 : host.find("]")]
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Guard(ThreadingHTTPServer):
    """Takes the served address's requests, refuses what must not run, passes on the rest."""

    daemon_threads = True

    def __init__(self, server: ReadOnlyServer, address: tuple[str, int]) -> None:
        self.served = server
        self.address_family = address_family(address[0])
        super().__init__(address, _GuardHandler)
        self.relay = Relay()
        self.serving = False

    def serve_in_background(self) -> None:
        self.serving = True
        threading.Thread(target=self.serve_forever, name="ptmkg-serve", daemon=True).start()

    def shutdown_and_close(self) -> None:
        if self.serving:  # shutdown() waits for serve_forever, so only once it runs
            self.shutdown()
        self.server_close()
        self.relay.close()


class _GuardHandler(BaseHTTPRequestHandler):
    server: _Guard
    protocol_version = "HTTP/1.0"  # one request per connection; answers stream to the end

    def log_message(self, format: str, *args: object) -> None:
        pass  # the Oxigraph server's own log is enough

    def do_GET(self) -> None:
        self._pass_on()

    def do_HEAD(self) -> None:
        self._pass_on()

    def do_POST(self) -> None:
        self._pass_on()

    def do_PUT(self) -> None:
        self._pass_on()

    def do_DELETE(self) -> None:
        self._pass_on()

    def do_OPTIONS(self) -> None:
        try:
            origin = self._allowed_origin()
        except _Refused as refused:
            self._refuse(refused)
            return
        self.send_response(204)
        if origin:
            self._cors_headers(origin)
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            wanted = self.headers.get("Access-Control-Request-Headers")
            self.send_header("Access-Control-Allow-Headers", wanted or "Content-Type, Accept")
            self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ---------------------------------------------------------------- checks

    def _allowed_origin(self) -> str | None:
        """The origin to send CORS headers for; raises :class:`_Refused` for a page of an
        origin that is not allowed."""
        origin = self.headers.get("Origin")
        allowed = self.server.served.cors_origins
        if origin is not None:
            if "*" in allowed or origin in allowed:
                return origin
            host = self.headers.get("Host", "")
            if origin == f"http://{host}" and _is_address(host):
                return None  # the server's own page
            raise _Refused(403, f"requests from pages at {origin} are not allowed (--cors)")
        if self.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site") and "*" not in (
            allowed
        ):
            raise _Refused(403, "requests from other sites' pages are not allowed (--cors)")
        return None

    def _check_sparql(self, body: bytes) -> None:
        parts = urllib.parse.urlsplit(self.path)
        texts = urllib.parse.parse_qs(parts.query)
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media == _FORM_MEDIA:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            for key, values in form.items():
                texts.setdefault(key, []).extend(values)
        elif media == _QUERY_MEDIA:
            texts.setdefault("query", []).append(body.decode("utf-8", "replace"))
        elif media == _UPDATE_MEDIA:
            texts.setdefault("update", []).append("")
        if texts.get("update") or parts.path.rstrip("/").endswith("/update"):
            raise _Refused(403, "this endpoint is read-only: updates are refused")
        for text in texts.get("query", []):
            try:
                check_services(text, self.server.served.allowed_services)
            except ServiceRefused as refused:
                raise _Refused(403, str(refused)) from None

    # ---------------------------------------------------------------- passing on

    def _pass_on(self) -> None:
        if self.command == "GET" and urllib.parse.urlsplit(self.path).path == "/":
            # The page is rewritten (query_page), so it is asked for uncompressed.
            del self.headers["Accept-Encoding"]
            self.headers["Accept-Encoding"] = "identity"
        try:
            origin = self._allowed_origin()
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                raise _Refused(413, f"the request is over {MAX_BODY_BYTES:,} bytes")
            body = self.rfile.read(length) if length > 0 else b""
            self._check_sparql(body)
        except _Refused as refused:
            self._refuse(refused)
            return
        except ValueError:
            self._refuse(_Refused(400, "a malformed request"))
            return
        headers = {
            k: v
            for k, v in self.headers.items()
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"  # httpx sets it
        }
        content = body if body or self.command in ("POST", "PUT") else None
        try:
            with self.server.relay.send(
                self.command, self.server.served.backend_url + self.path, headers, content
            ) as answer:
                chunks = answer.chunks
                page = self.command == "GET" and urllib.parse.urlsplit(self.path).path == "/"
                if page and answer.status == 200:
                    chunks = iter([query_page(b"".join(chunks))])
                self.send_response(answer.status)
                for name, value in answer.headers:
                    lowered = name.lower()
                    if lowered in _HOP_BY_HOP or lowered.startswith("access-control-"):
                        continue
                    if page and lowered in ("content-length", "etag", "last-modified"):
                        continue  # the page is sent whole, as HTTP/1.0 allows
                    self.send_header(name, value)
                if origin:
                    self._cors_headers(origin)
                self.end_headers()
                if self.command != "HEAD":
                    for chunk in chunks:
                        self.wfile.write(chunk)
        except HttpError:
            self._refuse(_Refused(502, "the Oxigraph server did not answer"))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away mid-answer

    def _cors_headers(self, origin: str) -> None:
        self.send_header("Access-Control-Allow-Origin", origin)
        self.send_header("Vary", "Origin")

    def _refuse(self, refused: _Refused) -> None:
        payload = (str(refused) + "\n").encode("utf-8")
        self.send_response(refused.status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


_YASGUI_START = b'new Yasgui(document.getElementById("yasgui"), {'
STARTING_QUERY = (
    "SELECT ?paper ?title WHERE {\n  ?paper a ptm:Paper ; dcterms:title ?title .\n}\nLIMIT 10\n"
)


def starting_query() -> str:
    """The query the served page opens on: the project's prefixes, then a first question."""
    declared = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    return f"{declared}\n{STARTING_QUERY}"


def query_page(page: bytes) -> bytes:
    """The Oxigraph server's YASGUI page with its editor opening on :func:`starting_query`.

    A page of another layout (another Oxigraph version) is passed on as it is.
    """
    if _YASGUI_START not in page:
        return page
    # JSON is a JavaScript string literal; "</" is escaped so no text ends the script.
    value = json.dumps(starting_query()).replace("</", "<\\/").encode("utf-8")
    return page.replace(
        _YASGUI_START, _YASGUI_START + b"\n        yasqe: { value: " + value + b" },", 1
    )
