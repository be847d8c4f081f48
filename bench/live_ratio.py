"""Benchmark: canned queries' live SPARQL on the store against rdflib on the same quads.

What bench/run.py's query table compares, for a few queries and without building a
store: each query answered live as ``ptmkg query`` answers it live
(``kg.run_query(store, name, params, prepared=False)``, rows converted to Python; median
of ``--repeat`` runs) beside rdflib running the same SPARQL
on the store's N-Quads (bench/run.py's rdflib child, in its own process). With
``--alt DIR`` each query is also run as ``DIR/NAME.rq`` (a candidate rewrite, the same
header and parameters), side by side in the same run, and its rows are checked against
the canned query's.

    python bench/live_ratio.py --store S                      # every canned query
    python bench/live_ratio.py --store S ptm-share network-reuse --alt /tmp/candidates

The store is only read. Target (bench/run.py): rdflib / live >= 20 for every query.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import run  # noqa: E402  (bench/run.py: the parameters and the rdflib child)


def _milliseconds(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.1f} ms"


def _live(store: Any, key: str, sparql: str, repeat: int) -> tuple[float, list[Any]]:
    """A canned query live as bench/run.py times it (as ``ptmkg query`` answers it live:
    the engine finds the rows, Python sorts them where it can); a candidate ``@alt`` as
    its SPARQL alone, sorted by the engine."""
    import kg

    times, rows = [], []
    for _ in range(repeat):
        began = time.perf_counter()
        if key.endswith("@alt"):
            rows = kg.run_sparql(store, sparql).rows
        else:
            rows = kg.run_query(store, key, run.QUERY_PARAMETERS.get(key), prepared=False).rows
        times.append(time.perf_counter() - began)
    return statistics.median(times), list(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="canned queries (default: all but federated)")
    parser.add_argument("--store", required=True, type=Path, help="a built store (only read)")
    parser.add_argument("--nquads", type=Path, help="its N-Quads dump (default: dumped here)")
    parser.add_argument("--alt", type=Path, help="a folder of candidate NAME.rq files")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cap", type=float, default=60.0, help="rdflib seconds per query")
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    import kg
    from kg.query.named import load_queries
    from kg.query.parameters import bind, resolve_parameters

    store = kg.EmbeddedStore(args.store)
    canned = kg.load_queries()
    names = args.names or [n for n, q in canned.items() if "SERVICE" not in q.body]
    alternatives = load_queries(args.alt.resolve()) if args.alt else {}

    sparql: dict[str, str] = {}
    for name in names:
        params = run.QUERY_PARAMETERS.get(name)
        sparql[name] = kg.prepare_query(store, name, params)
        if name in alternatives:
            alt = alternatives[name]
            terms = resolve_parameters(list(alt.parameters), params or {}, store, name)
            sparql[f"{name}@alt"] = bind(alt.text, terms)

    with tempfile.TemporaryDirectory(prefix="ptmkg-live-ratio-") as scratch:
        nquads = args.nquads
        if nquads is None:
            nquads = Path(scratch) / "graph.nq"
            with nquads.open("wb") as out:
                store.dump(out, ox.RdfFormat.N_QUADS)
        # Live first, interleaved per query so that both forms meet the same load.
        live: dict[str, float] = {}
        rows: dict[str, list[Any]] = {}
        for name in names:
            for key in (name, f"{name}@alt"):
                if key in sparql:
                    live[key], rows[key] = _live(store, key, sparql[key], args.repeat)
        store.close()
        queries_file = Path(scratch) / "queries.json"
        queries_file.write_text(json.dumps(sparql))
        child = [sys.executable, str(REPO / "bench" / "run.py"), "--child", "rdflib"]
        output = subprocess.run(
            [*child, str(nquads), str(queries_file), str(args.repeat), str(args.cap)],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
        ).stdout
    slow: dict[str, Any] = json.loads(output)["queries"]

    def ratio(key: str) -> tuple[str, str]:
        found = slow.get(key, {})
        seconds = found.get("median", found.get("timeout"))
        if seconds is None:
            return found.get("error", "-"), "-"
        bound = ">" if "timeout" in found else ""
        return f"{bound}{_milliseconds(seconds)}", f"{bound}{seconds / live[key]:.1f}x"

    header = "| query | live | rdflib | ratio |"
    if alternatives:
        header += " live (alt) | rdflib (alt) | ratio (alt) | same rows |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name in names:
        line = f"| {name} | {_milliseconds(live[name])} | {' | '.join(ratio(name))} |"
        key = f"{name}@alt"
        if key in sparql:
            same = "yes" if rows[key] == rows[name] else "**NO**"
            line += f" {_milliseconds(live[key])} | {' | '.join(ratio(key))} | {same} |"
        elif alternatives:
            line += " | | | |"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
