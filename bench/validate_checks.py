"""Benchmark: what each SHACL check of ``ptmkg validate`` costs on a built store.

``ptmkg validate`` runs one SPARQL query per constraint of ``ontology/shapes.ttl``
(:func:`kg.query.validate.store_checks`), two at a time. This runs them one at a time on
the store given, and prints the total and the slowest checks with their queries: where a
validation's time goes, to compare with the build's (bench/run.py's validate target).

    python bench/validate_checks.py STORE [--top 8] [--queries]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="a store built by 'ptmkg build'")
    parser.add_argument("--top", type=int, default=8, help="slowest checks shown")
    parser.add_argument("--queries", action="store_true", help="print their SPARQL too")
    args = parser.parse_args(argv)

    import kg
    from kg.query.validate import store_checks
    from kg.stores import preparing

    store = kg.EmbeddedStore(args.store)
    generation = store.current_generation()
    if generation is None:
        raise SystemExit(f"{args.store}: no graph (run 'ptmkg build' first)")
    preparing.wait(generation)  # its statistics process would share the cores
    preparing.wait_compacted(generation)  # and so would its compaction (a new generation)
    store = kg.EmbeddedStore(args.store)
    timed = []
    began = time.perf_counter()
    for check in store_checks(store):
        start = time.perf_counter()
        found = sum(1 for _ in store.query(check.query))  # type: ignore[union-attr]
        timed.append((time.perf_counter() - start, found, check))
    print(f"{len(timed)} checks, one at a time: {time.perf_counter() - began:.2f} s")
    for seconds, found, check in sorted(timed, key=lambda t: -t[0])[: args.top]:
        where = check.shape.rsplit("#", 1)[-1] + (f" {check.path}" if check.path else "")
        print(f"{seconds:7.2f} s  {found:>7,} found  {where}  {check.component}")
        if args.queries:
            print("          " + " ".join(check.query.split()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
