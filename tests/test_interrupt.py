"""Ctrl-C and --timeout stop a long query on the embedded store at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.interrupt import DeadlineExceeded, run_interruptibly

REPO = Path(__file__).resolve().parent.parent
# About 10^10 solutions over the illustrative corpus: minutes of work for the engine.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("interrupt") / "store"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "build",
            str(REPO / "examples/illustrative-corpus.csv"),
            "--store",
            str(store),
            "--rejects",
            str(store.parent / "rejects"),
        ],
        check=True,
        capture_output=True,
    )
    return store


def _sparql(store: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "sparql", ENDLESS, "--store", str(store), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stderr(process: subprocess.Popen, seconds: float) -> str:
    """What the command said on stderr once it stopped (killed if not in ``seconds``)."""
    try:
        _, stderr = process.communicate(timeout=seconds)
    finally:
        process.kill()
    assert "Traceback" not in stderr
    return stderr


@pytest.mark.slow
def test_ctrl_c_stops_a_long_embedded_query(built):
    process = _sparql(built)
    time.sleep(3)  # the command has started and the engine is evaluating
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    assert "interrupted" in _stderr(process, 10)
    assert process.returncode == 130


@pytest.mark.slow
def test_timeout_stops_a_long_embedded_query(built):
    process = _sparql(built, "--timeout", "1.5")
    assert "did not finish in 1.5 s" in _stderr(process, 30)
    assert process.returncode == 1


def test_the_library_call_returns_its_value_or_raises_its_error():
    assert run_interruptibly(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        run_interruptibly(lambda: 1 / 0)
    with pytest.raises(DeadlineExceeded):
        run_interruptibly(lambda: time.sleep(5), timeout=0.2)
