"""``ptmkg serve``: the store as a read-only SPARQL endpoint, asked with the standard library."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from servers import free_port, require_program

import kg
from kg.stores.serve import DEFAULT_HOST

REPO = Path(__file__).resolve().parent.parent
COUNT_PAPERS = "SELECT (COUNT(DISTINCT ?p) AS ?papers) WHERE { ?p a ptm:Paper }"
PREFIXED = "PREFIX ptm: <https://w3id.org/ptmkg/ontology#>\n" + COUNT_PAPERS


@pytest.fixture(autouse=True)
def _oxigraph_installed() -> None:
    require_program("oxigraph", "pip install oxigraph")


def ask(url: str, query: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read()), dict(answer.headers)


def listening_addresses(port: int) -> set[str]:
    """The local addresses a socket listens on at ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_serve_answers_sparql_refuses_updates_and_binds_loopback(illustrative_store):
    port = free_port()
    expected = kg.run_sparql(illustrative_store, COUNT_PAPERS).rows[0]["papers"]
    with kg.ReadOnlyServer(illustrative_store, port=port) as server:
        assert server.host == DEFAULT_HOST == "127.0.0.1"
        assert server.url == f"http://127.0.0.1:{port}/query"
        document, _ = ask(server.url, PREFIXED)
        assert int(document["results"]["bindings"][0]["papers"]["value"]) == expected
        # The union of the sources' graphs is the default graph, as for ptmkg's own queries.
        assert kg.run_query(kg.RemoteStore.from_options(server.url), "corpus-summary").rows == (
            kg.run_query(illustrative_store, "corpus-summary").rows
        )
        # Only the loopback address listens (0100007F is 127.0.0.1 in /proc's byte order).
        assert listening_addresses(port) == {"0100007F"}
        for path, body, content_type in (
            ("/update", b"update=CLEAR+ALL", "application/x-www-form-urlencoded"),
            ("/update", b"DROP ALL", "application/sparql-update"),
            ("/store?default", b"<urn:a> <urn:b> <urn:c> .", "application/n-triples"),
        ):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                data=body,
                method="POST",
                headers={"Content-Type": content_type},
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30)
            assert 400 <= refused.value.code < 500
        document, _ = ask(server.url, PREFIXED)
        assert int(document["results"]["bindings"][0]["papers"]["value"]) == expected


def test_the_served_query_page_opens_on_the_projects_prefixes(illustrative_store):
    port = free_port()
    with kg.ReadOnlyServer(illustrative_store, port=port, timeout_seconds=0.5) as server:
        assert server.command()[-2:] == ["--timeout-s", "1"]  # whole seconds, rounded up
        assert server.page_url == f"http://127.0.0.1:{port}/"
        request = urllib.request.Request(server.page_url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            page = answer.read().decode("utf-8")
            assert answer.headers.get("Content-Encoding") in (None, "identity")
        assert "yasgui.min.js" in page
        opening = page.split("yasqe: { value: ", 1)[1].split(" },", 1)[0]
        query = json.loads(opening)
        for name, iri in (
            ("ptm", "https://w3id.org/ptmkg/ontology#"),
            ("dcterms", "http://purl.org/dc/terms/"),
        ):
            assert f"PREFIX {name}: <{iri}>" in query
        # The query the page opens on runs, against the page's own endpoint.
        document, _ = ask(server.url, query)
        assert len(document["results"]["bindings"]) == 10


def test_serve_needs_a_built_graph(tmp_path):
    with pytest.raises(kg.PtmkgError, match="ptmkg build"):
        kg.ReadOnlyServer(kg.EmbeddedStore(tmp_path / "empty"), port=free_port()).start()


def test_serve_on_the_command_line_with_cors(illustrative_store, tmp_path):
    port = free_port()
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from cli import main; main()",
            "serve",
            "--store",
            illustrative_store.location,
            "--port",
            str(port),
            "--cors",
            "https://yasgui.example",
        ],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/query"
        deadline = time.monotonic() + 60
        while True:
            try:
                document, headers = ask(url, PREFIXED, {"Origin": "https://yasgui.example"})
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "ptmkg serve did not answer"
                time.sleep(0.2)
        assert document["results"]["bindings"][0]["papers"]["value"] != "0"
        allowed = {k.lower(): v for k, v in headers.items()}.get("access-control-allow-origin")
        assert allowed == "https://yasgui.example"
        assert listening_addresses(port) == {"0100007F"}
        said = [process.stderr.readline() for _ in range(2)]  # Oxigraph's line and ours
        assert any(f"read-only at {url}" in line for line in said), said
        assert any(f"query page (YASGUI) at http://127.0.0.1:{port}/;" in line for line in said)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        _, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr
    assert listening_addresses(port) == set()  # the Oxigraph server went with it


def test_serve_listens_elsewhere_only_when_told(illustrative_store):
    port = free_port()
    with kg.ReadOnlyServer(illustrative_store, host="0.0.0.0", port=port) as server:
        assert listening_addresses(port) == {"00000000"}  # every interface, as told
        # The Oxigraph server behind the guard listens on loopback only, whatever is served.
        assert listening_addresses(server._backend_port) == {"0100007F"}
        assert "--cors" not in server.command()


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stopping_serve_stops_its_oxigraph_server(illustrative_store, tmp_path, stop):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "serve",
            "--store",
            illustrative_store.location,
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ask(f"http://127.0.0.1:{port}/query", PREFIXED)
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        servers = _children(process.pid)
        assert servers, "the Oxigraph server runs as a child of ptmkg serve"
        process.send_signal(stop)
        process.wait(timeout=30)
        assert all(_gone(server) for server in servers)
        assert listening_addresses(port) == set()
    finally:
        process.kill()
        process.wait()


def test_the_served_generation_stays_while_the_server_lives(illustrative_store, tmp_path):
    """The server holds its generation's lock itself: builds cannot remove it under it."""
    with kg.ReadOnlyServer(illustrative_store, port=free_port()) as server:
        generation = illustrative_store.current_generation()
        assert server.process is not None
        held = [
            os.readlink(fd)
            for fd in Path(f"/proc/{server.process.pid}/fd").iterdir()
            if os.path.exists(fd) and os.readlink(fd).endswith(".readers")
        ]
        assert held == [f"{generation}.readers"]
