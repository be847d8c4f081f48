"""Benchmark: time to the first draw of the interactive network page at 20, 500 and 5,000 nodes.

The pages are the ones the browser tests open (tests/test_network_browser.py):
the model-field network of a 20,000-paper synthetic corpus cut to its 20
heaviest nodes, the same network whole (517 nodes, 2,128 edges), and a
5,000-node, 50,000-edge model-model network (tests/network_corpus.big_network).
Each page is opened in a fresh headless Chromium (tests/browser.py, networking
off) and timed by the page itself:

* first draw: from the start of navigation (reading the file, parsing its data
  included) to sigma's first frame on screen;
* layout: the ForceAtlas2 iterations, the main part of it at 5,000 nodes;
* and, on the Python side, writing the HTML file.

Figures are medians of ``--repeat`` openings and are reported, never asserted;
the last column is each size's first draw as a multiple of the 20-node page's,
measured side by side in one run.

    python bench/network_page.py                     # writes bench/results/network-page.md
    python bench/network_page.py --repeat 1 --no-write
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
from browser import Browser  # noqa: E402
from network_corpus import big_network, synthetic_store  # noqa: E402

import kg  # noqa: E402

OUT = REPO / "bench" / "results" / "network-page.md"


def measure(page: Path, profile: Path) -> dict[str, float]:
    with Browser(profile) as browser:
        started = time.perf_counter()
        browser.open(page, timeout=600)
        browser.wait_until("window.ptmkg && window.ptmkg.firstDrawMs", timeout=600)
        wall = time.perf_counter() - started
        timings = browser.evaluate(
            "({first: ptmkg.firstDrawMs, layout: ptmkg.layoutMs, script: ptmkg.scriptMs,"
            " iterations: ptmkg.iterations})"
        )
        check = browser.evaluate("ptmkg.check()")
    if check["notFinite"] or check["inside"] != check["nodes"]:
        raise SystemExit(f"{page.name}: the page did not open fitted: {check}")
    return {
        "first_draw_ms": timings["first"],
        "layout_ms": timings["layout"],
        "script_ms": timings["script"],
        "iterations": timings["iterations"],
        "wall_s": wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="openings per page (median)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-write", action="store_true", help="print only")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ptmkg-page-bench-") as temporary:
        folder = Path(temporary)
        store = synthetic_store(folder / "synthetic")
        graphs = {
            20: kg.network(store, "model-field", top=20),
            500: kg.network(store, "model-field"),
            5000: big_network(5_000, 50_000),
        }
        rows = []
        for size, graph in graphs.items():
            page = folder / f"network-{size}.html"
            started = time.perf_counter()
            kg.write_network(graph, page)
            written = time.perf_counter() - started
            runs = [measure(page, folder / f"profile-{size}-{i}") for i in range(options.repeat)]
            rows.append(
                {
                    "size": size,
                    "nodes": len(graph),
                    "edges": graph.number_of_edges(),
                    "megabytes": page.stat().st_size / 1e6,
                    "write_s": written,
                    **{
                        key: statistics.median(run[key] for run in runs)
                        for key in ("first_draw_ms", "layout_ms", "script_ms", "wall_s")
                    },
                    "iterations": runs[0]["iterations"],
                }
            )
    base = rows[0]["first_draw_ms"]
    lines = [
        "# Network page: time to first draw",
        "",
        f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; headless Chromium with software WebGL "
        "(SwiftShader, no GPU). Medians of "
        f"{options.repeat} opening(s) each. Command: `python bench/network_page.py`.",
        "",
        "| nodes | edges | page (MB) | write HTML (s) | ForceAtlas2 iterations | layout (ms) "
        "| first draw (ms) | first draw vs 20 nodes |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['nodes']:,} | {row['edges']:,} | {row['megabytes']:.2f} "
            f"| {row['write_s']:.2f} | {row['iterations']} | {row['layout_ms']:,.0f} "
            f"| {row['first_draw_ms']:,.0f} | {row['first_draw_ms'] / base:.1f}x |"
        )
    lines += [
        "",
        "First draw counts from the start of navigation: reading the file and parsing its",
        "JSON are in it. The layout runs once, before the first draw, so the page never",
        "moves after it opens.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not options.no_write:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
