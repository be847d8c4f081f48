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
    report = child_process.growth_report(
        "Building from a large annotation file",
        "big_input.py",
        ["file (MB)", "rows", "build (s)", "MB/s", "rows/s"],
        [
            (
                [
                    f"{megabytes:,}",
                    f"{rows:,}",
                    f"{seconds:,.1f}",
                    f"{megabytes / seconds:,.1f}",
                    f"{rows / seconds:,.0f}",
                ],
                rss,
            )
            for megabytes, rows, seconds, rss in results
        ],
        f"The file grows {results[-1][0] / results[0][0]:.0f}x",
    )
    child_process.publish(report, "big-input.md", write=not args.no_write)


if __name__ == "__main__":
    main()
