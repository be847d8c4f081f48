"""Running one command in a child process and measuring it: the benchmarks' one way to time."""

from __future__ import annotations

import os
import platform
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


def growth_report(
    title: str,
    script: str,
    headings: list[str],
    rows: list[tuple[list[str], float]],
    grows: str,
) -> str:
    """The Markdown report of builds of growing inputs, smallest first.

    ``rows`` are one build each: its cells under ``headings``, and its peak RSS (MiB),
    which the table shows beside the ratio to the smallest build's; ``grows`` says how
    much the input grew, and the last line how much the memory did.
    """
    peaks = [peak for _, peak in rows]
    columns = [*headings, "peak RSS (MiB)", "RSS / smallest"]
    lines = [
        f"# {title}",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores. Command: `python bench/{script}`.",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---:|" * len(columns),
    ]
    for cells, peak in rows:
        lines.append("| " + " | ".join([*cells, f"{peak:,.0f}", f"{peak / peaks[0]:.2f}x"]) + " |")
    lines += ["", f"{grows}; peak memory grows {peaks[-1] / peaks[0]:.2f}x."]
    return "\n".join(lines) + "\n"


def publish(report: str, name: str, write: bool) -> None:
    """Print a report and, if ``write``, keep it as bench/results/NAME."""
    print(report)
    if write:
        out = REPO / "bench" / "results" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report, encoding="utf-8")
