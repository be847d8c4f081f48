"""What loading costs in the slices a build loads in, next to one bulk-load call.

    python bench/load_slices.py GRAPH.nq [--slice-quads 450000] [--work DIR]

Loads the same N-Quads file (``ptmkg dump`` of a built store) into new databases, each in
a child process of its own: once in one ``bulk_load`` call, as the benchmark's bulk loader
does, and once through :class:`kg.stores.embedded.NQuadsStream`, the slices a build writes
its lines to (here read from the file, so no record is converted). Reported side by side:
wall time, CPU time and peak RSS. The slices' share of a build is the second line; what a
build adds to it is its own conversion (see bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINES_PER_WRITE = 2_000  # about a hundred records' lines, as a build writes them


def _child(mode: str, graph: str, target: str, slice_quads: int) -> None:
    sys.path.insert(0, str(REPO))
    import pyoxigraph as ox

    from kg.stores import embedded

    began = time.perf_counter()
    store = ox.Store(target)
    if mode == "one-call":
        store.bulk_load(path=graph, format=ox.RdfFormat.N_QUADS, lenient=True)
    else:
        embedded.LOAD_QUADS = slice_quads
        stream = embedded.NQuadsStream(store, lenient=True)
        with open(graph, encoding="utf-8") as lines:
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) == LINES_PER_WRITE:
                    stream.write("".join(batch))
                    batch = []
            if batch:
                stream.write("".join(batch))
        stream.close()
    store.flush()
    quads = len(store)
    del store
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - began,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "rss_mib": usage.ru_maxrss / 1024,
                "quads": quads,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graph", type=Path)
    parser.add_argument("--slice-quads", type=int, default=450_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, target, slices = args.child
        _child(mode, str(args.graph), target, int(slices))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="ptmkg-load-slices-"))
    work.mkdir(parents=True, exist_ok=True)
    for mode in ("one-call", "slices"):
        target = work / mode
        shutil.rmtree(target, ignore_errors=True)
        output = subprocess.run(
            [
                sys.executable,
                __file__,
                str(args.graph),
                "--child",
                mode,
                str(target),
                str(args.slice_quads),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        shutil.rmtree(target, ignore_errors=True)
        found = json.loads(output)
        label = mode if mode == "one-call" else f"slices of {args.slice_quads:,}"
        print(
            f"{label:>18}: {found['seconds']:6.1f} s wall, {found['cpu_seconds']:6.1f} s CPU, "
            f"{found['rss_mib']:6,.0f} MiB peak, {found['quads']:,} quads"
        )


if __name__ == "__main__":
    main()
