"""Benchmark: how long ``ptmkg`` takes to start, beside importing typer and rich.

Every command pays the start-up, ``--help`` included. The target (issue 20) is within
3x of ``python -c 'import typer, rich'``, the two libraries the command line is built
on: ptmkg loads pyoxigraph, networkx, matplotlib and the rest only in the commands that
use them. Each command runs in a child process ``--repeat`` times after one warm-up run
(which also writes the bytecode caches an installed package has from the start); the
table gives the fastest and the median run and the ratio of the medians.

    python bench/startup.py                  # writes bench/results/startup.md
    python bench/startup.py --repeat 5 --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.child_process import measure  # noqa: E402

TARGET_RATIO = 3.0
BASELINE = ("import typer, rich", [sys.executable, "-c", "import typer, rich"])
COMMANDS = [
    ("ptmkg --help", ["--help"]),
    ("ptmkg --version", ["--version"]),
    ("ptmkg build --help", ["build", "--help"]),
    ("ptmkg prefixes", ["prefixes"]),
]


def timings(command: list[str], repeat: int) -> list[float]:
    measure(command, REPO)  # the warm-up run
    return [measure(command, REPO)[0] for _ in range(repeat)]


def run(repeat: int) -> str:
    # Bytecode caches as an installed package has them, whatever this shell says.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    # What the installed 'ptmkg' script runs (cli.py run as a script would be compiled
    # afresh each time, as a program's main module always is).
    cli = [sys.executable, "-c", "from kg.cli import main; main()"]
    baseline = timings(BASELINE[1], repeat)
    base = statistics.median(baseline)
    rows = [
        "| command | fastest | median | median against the baseline |",
        "|---|---:|---:|---:|",
        f"| `python -c '{BASELINE[0]}'` (baseline) | {min(baseline):.3f} s | {base:.3f} s "
        "| 1.00x |",
    ]
    ratios = {}
    for name, arguments in COMMANDS:
        seconds = timings([*cli, *arguments], repeat)
        ratios[name] = statistics.median(seconds) / base
        rows.append(
            f"| `{name}` | {min(seconds):.3f} s | {statistics.median(seconds):.3f} s | "
            f"{ratios[name]:.2f}x |"
        )
    met = "met" if ratios["ptmkg --help"] <= TARGET_RATIO else "NOT met"
    return "\n".join(
        [
            "# Start-up",
            "",
            f"Python {platform.python_version()} on {platform.machine()}, {repeat} runs of "
            "each after a warm-up run; `python bench/startup.py` measures again.",
            "",
            *rows,
            "",
            f"Target: `ptmkg --help` within {TARGET_RATIO:g}x of importing typer and rich: "
            f"{met} ({ratios['ptmkg --help']:.2f}x).",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "startup.md")
    parser.add_argument("--no-write", action="store_true", help="Print only.")
    options = parser.parse_args(argv)
    text = run(options.repeat)
    print(text)
    if not options.no_write:
        options.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
