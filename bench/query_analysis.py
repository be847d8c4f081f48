"""Benchmark: what reading the canned queries with the one SPARQL parser costs.

Every canned query's text is analysed (kg/sparql/analysis.py) before it is bound:
its guard filters, ORDER BY and SERVICE block are found by rdflib's SPARQL
grammar. This measures, side by side and per query, a parse by the grammar, the
same analysis read back from the cache folder (what every process after the
first does), and binding the query's parameters once the analysis is known.

    python bench/query_analysis.py            # prints a Markdown table
    python bench/query_analysis.py --repeat 9

Target: reading a kept analysis costs at most a tenth of parsing (ratio >= 10x),
so a ``ptmkg query`` command pays for the grammar once, not on every run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PTMKG_CACHE_DIR", tempfile.mkdtemp(prefix="ptmkg-bench-analysis-"))

from kg.query.named import load_queries  # noqa: E402
from kg.query.parameters import bind  # noqa: E402
from kg.sparql import analysis  # noqa: E402


def median_seconds(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    analysis._grammar()
    grammar = time.perf_counter() - started
    rows = []
    for name, query in sorted(load_queries().items()):
        text = query.text
        parse = median_seconds(lambda t=text: analysis._analyse(t), args.repeat)
        analysis.analyse(text, remember=True)  # keeps it in the cache folder
        read = median_seconds(lambda t=text: analysis._load(t), args.repeat)
        binding = median_seconds(lambda t=text: bind(t, {}), args.repeat)
        rows.append((name, parse, read, binding))
    print(f"Grammar copied and prepared once per process: {grammar * 1000:.0f} ms\n")
    print("| query | parse | read kept analysis | parse / read (target >= 10x) | bind |")
    print("|---|---:|---:|---:|---:|")
    for name, parse, read, binding in rows:
        print(
            f"| {name} | {parse * 1000:.1f} ms | {read * 1000:.2f} ms | {parse / read:,.0f}x "
            f"| {binding * 1000:.2f} ms |"
        )
    total_parse = sum(r[1] for r in rows)
    total_read = sum(r[2] for r in rows)
    print(
        f"| all {len(rows)} | {total_parse * 1000:.0f} ms | {total_read * 1000:.1f} ms "
        f"| {total_parse / total_read:,.0f}x | |"
    )
    return 0 if total_parse / total_read >= 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
