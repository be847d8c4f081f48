"""Benchmark: a large annotation file streams through `ptmkg build` with bounded memory.

Writes generic-format CSV files of the given sizes (each row a reuse instance with a
long evidence text, so that bytes grow faster than triples), builds each into a fresh
on-disk store in a child process, and reports wall time, throughput and the child's
peak resident memory side by side. Streaming shows as peak memory that stays nearly
flat while the file grows 10x.

    python bench/big_input.py                  # 100 MB and 1 GB; writes bench/results/big-input.md
    python bench/big_input.py --megabytes 20 200 --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import child_process  # noqa: E402  (bench/, beside this script)

MODELS = ["AlexNet", "AlphaFold 2", "VGG16", "ResNet-50", "U-Net", "BERT", "ESM-2", "YOLOv5"]
FIELDS = ["Neuroscience", "Chemistry", "Biochemistry, Genetics and Molecular Biology"]


def generate(path: Path, megabytes: int) -> int:
    """A synthetic generic-format file of about ``megabytes`` MB; returns its row count."""
    evidence = "We fine-tuned the published weights on our images. " * 30  # ~1.5 kB
    target = megabytes * 1_000_000
    rows = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("doi,title,year,fields,model,pattern,stages,evidence\n")
        written = 0
        while written < target:
            line = (
                f"10.9998/big.{rows},Synthetic paper {rows},{2000 + rows % 26},"
                f'"{FIELDS[rows % 3]}",{MODELS[rows % len(MODELS)]},Adaptation,'
                f'Test; Analysis,"{evidence}{rows}"\n'
            )
            handle.write(line)
            written += len(line)
            rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (needs space)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        for megabytes in args.megabytes:
            source = Path(scratch) / f"big-{megabytes}.csv"
            rows = generate(source, megabytes)
            seconds, peak = child_process.measure_build(
                source, Path(scratch) / f"store-{megabytes}"
            )
            results.append((megabytes, rows, seconds, peak / 1024))
            source.unlink()
    base = results[0]
    lines = [
        "# Building from a large annotation file",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores. Command: `python bench/big_input.py`.",
        "",
        "| file (MB) | rows | build (s) | MB/s | rows/s | peak RSS (MiB) | RSS / smallest |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for megabytes, rows, seconds, rss in results:
        lines.append(
            f"| {megabytes:,} | {rows:,} | {seconds:,.1f} | {megabytes / seconds:,.1f} | "
            f"{rows / seconds:,.0f} | {rss:,.0f} | {rss / base[3]:.2f}x |"
        )
    lines += [
        "",
        f"The file grows {results[-1][0] / base[0]:.0f}x; peak memory grows "
        f"{results[-1][3] / base[3]:.2f}x.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        out = REPO / "bench" / "results" / "big-input.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)


if __name__ == "__main__":
    main()
