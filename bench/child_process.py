"""Running one command in a child process and measuring it: the benchmarks' one way to time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of ``command``; a failure stops the run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed: {error}")
    return elapsed, usage.ru_maxrss


def measure_build(source: Path, store: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one `ptmkg build` of ``source`` into ``store``."""
    command = [sys.executable, str(REPO / "cli.py"), "build", str(source), "--store", str(store)]
    return measure([*command, "--rejects", str(store.parent / "rejects")], REPO)
