"""``ptmkg serve``: the embedded store as a read-only SPARQL endpoint, by the real Oxigraph server.

The Oxigraph server (the ``oxigraph`` distribution on PyPI: ``pip install
'ptmkg[serve]'``) opens the store's current generation read-only, with the union
of all named graphs as the default graph, exactly as ptmkg's own queries see it.
It answers the SPARQL 1.1 Protocol at ``/query`` (GET or POST; YASGUI, Gephi's
SPARQL plugin, ``ptmkg --endpoint``) and refuses updates.

A published generation is never written again, so the server reads a graph
that cannot change under it; a later ``ptmkg build`` publishes a new one, which
a restarted ``serve`` picks up.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kg.defaults import SERVE_HOST, SERVE_PORT
from kg.errors import PtmkgError
from kg.http import answers
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
    """The Oxigraph server over one store, read-only; use as a context manager or start/stop."""

    store: EmbeddedStore
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    cors: bool = False
    timeout_seconds: int | None = None
    process: subprocess.Popen | None = None
    _generation_lock: IO[str] | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/query"

    def command(self) -> list[str]:
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
            f"{self.host}:{self.port}" if ":" not in self.host else f"[{self.host}]:{self.port}",
            "--union-default-graph",
        ]
        if self.cors:
            command.append("--cors")
        if self.timeout_seconds:
            command += ["--timeout-s", str(self.timeout_seconds)]
        return command

    def start(self) -> ReadOnlyServer:
        if not 0 < self.port < 65536:
            raise PtmkgError(f"--port must be between 1 and 65535, not {self.port}")
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
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_until_ready(self, seconds: float = STARTUP_SECONDS) -> None:
        assert self.process is not None
        probe = self.url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PtmkgError(
                    f"the Oxigraph server stopped at once (exit status {self.process.returncode}); "
                    f"is port {self.port} on {self.host} already in use?"
                )
            if answers(probe, timeout=2):
                return
            time.sleep(0.1)
        self.stop()
        raise PtmkgError(f"the Oxigraph server did not answer at {self.url} in {seconds:.0f} s")

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
