"""Real SPARQL servers for the tests: the Oxigraph server and Virtuoso Open Source 7.

Each server runs as a child process on 127.0.0.1 with free ports and its data in a
folder of the test's, and is stopped (and can be started again on the same data)
by the test. Nothing here listens on another address or talks to one.

Locally a server that is not installed skips its tests with the reason; in CI
(``CI=true``) a missing server fails them, so a green CI run has run them all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

HOST = "127.0.0.1"
VIRTUOSO_VAD = Path("/usr/share/virtuoso-opensource-7/vad")
VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
VIRTUOSO_DBA_PASSWORD = "dba"  # a new Virtuoso database's administrator password


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def find_program(name: str) -> str | None:
    """A program beside this Python (a venv's bin/, where pip put it) or on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def require_program(name: str, install: str, *aliases: str) -> str:
    """The program's path (by ``name`` or another name it goes by); skip the test
    without it, or fail in CI (CI=true), where .ci/run installs every program the tests use."""
    for candidate in (name, *aliases):
        path = find_program(candidate)
        if path is not None:
            return path
    reason = f"{name} is not installed ({install})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run every test")
    pytest.skip(reason)


def wait_for_http(url: str, process: subprocess.Popen, log: Path, seconds: float = 90.0) -> None:
    """Wait until ``url`` answers at all (any HTTP status), or fail with the server's log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} in {seconds:.0f} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Server:
    """A server child process with its data folder; ``stop`` then ``start`` keeps the data."""

    name = "server"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None
        self.log = folder / "server.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    @property
    def ready_url(self) -> str:
        raise NotImplementedError

    def start(self) -> None:
        assert self.process is None, "already running"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for_http(self.ready_url, self.process, self.log)
            self.after_start()
        except BaseException:
            self.stop()
            raise

    def after_start(self) -> None:
        """Anything the server needs once it answers (users, permissions)."""

    def stop(self, hard: bool = False) -> None:
        """Stop the server: SIGTERM and wait (SIGKILL with ``hard``, or if it will not stop)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()


class OxigraphServer(Server):
    """``oxigraph serve`` (read-write) with the union of all graphs as the default graph,
    or, with ``union_default_graph=False``, as Oxigraph starts by default: a default graph
    of its own."""

    name = "oxigraph"

    def __init__(self, folder: Path, program: str, union_default_graph: bool = True) -> None:
        super().__init__(folder)
        self.program = program
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.union_default_graph = union_default_graph

    def command(self) -> list[str]:
        return [
            self.program,
            "serve",
            "--location",
            str(self.folder / "data"),
            "--bind",
            f"{HOST}:{self.port}",
            *(["--union-default-graph"] if self.union_default_graph else []),
        ]

    @property
    def ready_url(self) -> str:
        return f"{self.base}/query?query=" + urllib.parse.quote("ASK {}")

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/store"


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = {host}:{sql_port}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
AllowOSCalls             = 0
DirsAllowed              = ., {folder}, {vad}
VADInstallDir            = {vad}/
NumberOfBuffers          = 10000
MaxDirtyBuffers          = 6000
ThreadsPerQuery          = 2
MaxQueryMem              = 512M

[HTTPServer]
ServerPort                  = {host}:{http_port}
ServerRoot                  = {vsp}
MaxClientConnections        = 10
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
ServerThreads               = 10
MaxKeepAlives               = 10
KeepAliveTimeout            = 10
Charset                     = UTF-8
EnabledGzipContent          = 0

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
DeferInferenceRulesInit    = 0
"""


class VirtuosoServer(Server):
    """Virtuoso Open Source 7 (``virtuoso-t``) with its own database in a test folder.

    Queries go to ``/sparql``; updates and the Graph Store Protocol need the
    authenticated endpoints (``/sparql-auth``, ``/sparql-graph-crud-auth``, digest auth
    as ``dba``), as on a real deployment.
    """

    name = "virtuoso"

    def __init__(self, folder: Path, program: str) -> None:
        super().__init__(folder)
        self.program = program
        self.sql_port = free_port()
        self.http_port = free_port()
        self.base = f"http://{HOST}:{self.http_port}"
        (folder / "virtuoso.ini").write_text(
            VIRTUOSO_INI.format(
                folder=folder,
                host=HOST,
                sql_port=self.sql_port,
                http_port=self.http_port,
                vad=VIRTUOSO_VAD,
                vsp=VIRTUOSO_VSP if VIRTUOSO_VSP.is_dir() else folder,
            ),
            encoding="utf-8",
        )

    def command(self) -> list[str]:
        return [self.program, "+foreground", "+configfile", str(self.folder / "virtuoso.ini")]

    @property
    def ready_url(self) -> str:
        return f"{self.base}/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }")

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"

    def stop(self, hard: bool = False) -> None:
        super().stop(hard)
        with contextlib.suppress(FileNotFoundError):
            (self.folder / "virtuoso.lck").unlink()

    def isql(self, *statements: str) -> str:
        """Run SQL statements as the administrator through Virtuoso's own client."""
        program = find_program("isql-vt") or find_program("isql")
        if program is None:
            raise RuntimeError("Virtuoso's isql client (isql-vt) is not installed")
        script = "".join(f"{statement};\n" for statement in statements)
        done = subprocess.run(
            [program, f"{HOST}:{self.sql_port}", "dba", VIRTUOSO_DBA_PASSWORD],
            input=script,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def create_user(self, user: str, password: str) -> None:
        """A user who may update the graph through /sparql-auth and the GSP (digest auth)."""
        quoted = password.replace("'", "''")
        self.isql(
            f"DB.DBA.USER_CREATE('{user}', '{quoted}')",
            f'GRANT SPARQL_UPDATE TO "{user}"',
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 15)",
        )


def oxigraph_server(folder: Path, union_default_graph: bool = True) -> OxigraphServer:
    program = require_program("oxigraph", "pip install oxigraph")
    return OxigraphServer(folder, program, union_default_graph)


def virtuoso_server(folder: Path) -> VirtuosoServer:
    program = require_program("virtuoso-t", "apt-get install virtuoso-opensource, as .ci/run does")
    return VirtuosoServer(folder, program)
