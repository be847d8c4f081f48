"""Benchmark: articles per second of the offline extractor (``ptmkg extract``).

Writes N JATS articles of realistic length (the shipped test articles, each
padded with forty paragraphs of ordinary methods and results text to about
40 kB, the size of a typical open-access research article's XML) and times the
whole of reading, parsing, extracting and writing records, in one process and
with ``--jobs``.

    python bench/extract_speed.py                 # writes bench/results/extract-speed.md
    python bench/extract_speed.py --articles 300 --no-write   # a quick look
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from kg.extract.rules import RuleExtractor  # noqa: E402
from kg.extract.run import RecordWriter, run_extraction  # noqa: E402

SOURCE = REPO / "tests" / "data" / "jats"
FILLER = (
    "<p>Samples were collected at {n} sites between March and October, stored at 4 °C and "
    "processed within 24 h. Measurements were repeated three times and averaged; outliers "
    "beyond three standard deviations were removed (Smith et al., 2019). Differences between "
    "groups were tested with a two-sided Wilcoxon test and p-values were corrected with the "
    "Benjamini-Hochberg procedure. Roberts and colleagues reported similar values in a "
    "neighbouring catchment, which supports the interpretation given in the Discussion.</p>"
)


def write_articles(folder: Path, count: int) -> int:
    templates = sorted(SOURCE.glob("*.xml"))
    padding = "".join(FILLER.format(n=i) for i in range(40))
    total = 0
    for index in range(count):
        text = templates[index % len(templates)].read_text(encoding="utf-8")
        text = re.sub(r"ptmkg(\d\d)", rf"bench{index:06d}\1", text)
        text = text.replace("</body>", f"<sec><title>Results</title>{padding}</sec></body>", 1)
        path = folder / f"article-{index:06d}.xml"
        path.write_text(text, encoding="utf-8")
        total += path.stat().st_size
    return total


def measure(folder: Path, jobs: int) -> tuple[float, int]:
    writer = RecordWriter(io.StringIO(), "jsonl")
    start = time.perf_counter()
    summary = run_extraction([folder], RuleExtractor(), writer, jobs=jobs)
    return time.perf_counter() - start, summary.articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-write", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ptmkg-extract-bench-") as scratch:
        folder = Path(scratch)
        size = write_articles(folder, options.articles)
        lines = [
            "# Offline extractor speed",
            "",
            f"{options.articles:,} JATS articles, {size / options.articles / 1000:.0f} kB each "
            f"on average; read, parsed, extracted and written as JSON Lines records.",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPU(s), Python "
            f"{platform.python_version()}, {platform.system()}.",
            "Measured with `python bench/extract_speed.py`.",
            "",
            "| jobs | seconds | articles per second | per second per process |",
            "|---:|---:|---:|---:|",
        ]
        for jobs in options.jobs:
            seconds, articles = measure(folder, jobs)
            assert articles == options.articles
            rate = articles / seconds
            lines.append(f"| {jobs} | {seconds:.2f} | {rate:,.0f} | {rate / jobs:,.0f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if not options.no_write:
        (REPO / "bench" / "results" / "extract-speed.md").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
