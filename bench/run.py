"""Benchmark: how ptmkg's cost grows with the corpus, next to its engine's ceiling and rdflib.

For each corpus size (default 10k, 100k and 1M papers) it writes a calibrated
synthetic corpus (``ptmkg synth``, generic JSON Lines), then measures, in one run
on one machine:

* ``ptmkg build`` (a child process, on disk): wall time, triples per second and
  peak RSS;
* the same triples (``ptmkg dump`` of the built store, N-Quads) loaded ready-made
  by pyoxigraph's bulk loader into a fresh on-disk store (a child process): the
  engine's ceiling;
* the naive way (a child process): an rdflib Dataset filled triple by triple by
  rdflib's N-Quads parser, then every canned query on it (sizes up to
  ``--rdflib-max``; beyond, rdflib needs more memory and time than is reasonable, see
  RESULTS.md);
* the median time of every canned query on the built store (read-only, as
  ``ptmkg query`` opens it), rows converted to Python as ``kg.run_query`` does;
* the time to export each network kind (``kg.network`` + GraphML file), next to
  the time of the SELECTs it is made from (``network-reuse`` and ``network-nodes``, as
  ``kg.run_query`` answers them).

It writes ``bench/RESULTS.md`` (machine, commands, figures, targets) after every
size, and the raw figures to ``bench/results/run-<papers>.json``.

    python bench/run.py                                   # the full run (about 20 minutes here)
    python bench/run.py --papers 2000 --out /tmp/r.md     # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
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

import compare  # noqa: E402  (bench/compare.py, beside this file)

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
RESULTS = REPO / "bench" / "RESULTS.md"
RAW = REPO / "bench" / "results"
ANALYSIS = REPO / "bench" / "analysis.md"
#: Parameters for the canned queries that require one (or that a user would usually give).
QUERY_PARAMETERS: dict[str, dict[str, Any]] = {
    "find-models": {"text": "resnet"},
    "models-in-field": {"field": "Biochemistry, Genetics and Molecular Biology"},
    "papers-reusing-model": {"model": "AlexNet"},
    "study-funnel": {"rule": "v1"},
}
NETWORK_SELECT = "network-reuse"
#: What the engine itself costs for the steps canned queries are made of (the floor a query
#: built from them cannot go below), measured on the same store in the same run.
ENGINE_STEPS: dict[str, str] = {
    "count every paper (one scan)": "SELECT (COUNT(*) AS ?n) WHERE { ?paper a ptm:Paper }",
    "count distinct papers (scan and hash set)": (
        "SELECT (COUNT(DISTINCT ?paper) AS ?n) WHERE { ?paper a ptm:Paper }"
    ),
    "count field assignments (one scan)": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?paper ptm:hasField ?field }"
    ),
    "reuse instances with their model, look-up per instance": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?reuse ptm:inPaper ?paper ; ptm:reusedModel ?model }"
    ),
    "reuse instances with their model, hash join": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?reuse ptm:inPaper ?paper . "
        "{ SELECT ?reuse ?model WHERE { ?reuse ptm:reusedModel ?model } } }"
    ),
    "reuse instances with their papers' fields (look-ups)": (
        "SELECT (COUNT(*) AS ?n) WHERE { ?reuse ptm:inPaper ?paper . ?paper ptm:hasField ?field }"
    ),
}
SLOW = 10.0  # seconds: a query or export this slow is run once, not --repeat times
TARGETS = {
    "bulk_ratio": 0.8,  # build throughput / bulk loader throughput, at least
    "rdflib_build": 10.0,  # rdflib build time / ptmkg build time, at least
    "rdflib_query": 20.0,  # rdflib query time / ptmkg query time, at least
    "rss_mib": 1536.0,  # peak RSS of the build at 1M papers, under
    "query_seconds": 1.0,  # median of every canned query at 1M papers, under
    "network_ratio": 2.0,  # export time / the time of the SELECTs it is made from, at most
}


# ------------------------------------------------------------------ child processes


def run_child(command: list[str], timeout: float | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of a child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, cwd=REPO, stdout=stdout, stderr=stderr)
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                raise TimeoutError(f"{command[:4]} ran longer than {timeout:.0f} s")
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read().decode(), stderr.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}... failed:\n{errors[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024, output


def statistics_ready(store_path: Path) -> dict[str, float]:
    """Wait for the statistics a build left to its background process: how long after the
    build returned they were ready, and what their process recorded it cost."""
    import pyoxigraph as ox

    import kg
    from kg.stores import preparing, statistics

    generation = kg.EmbeddedStore(store_path).current_generation()
    assert generation is not None
    began = time.perf_counter()
    failure = preparing.wait(generation)
    waited = time.perf_counter() - began
    if failure is not None:
        raise SystemExit(f"{store_path}: the statistics were not prepared: {failure}")
    cells = ox.Store.read_only(str(generation / statistics.STATISTICS_FOLDER))
    cost = statistics.cost(cells)
    del cells
    # A large build is compacted after it is published, by the same process (a copy,
    # published as the next generation): waited for, so that nothing measured next shares
    # the cores with it or reads the uncompacted database.
    preparing.wait_compacted(generation)
    compacted = kg.EmbeddedStore(store_path).current_generation() != generation
    return {
        "waited_seconds": waited,
        "seconds": cost.get("preparationSeconds", cost["seconds"]),
        "rss_mib": cost.get("peakMemoryMiB", 0.0),
        "compacted_seconds": time.perf_counter() - began if compacted else 0.0,
    }


def child_bulk_load(store: str, nquads: str, lenient: str = "strict") -> None:
    import pyoxigraph as ox

    start = time.perf_counter()
    target = ox.Store(store)
    target.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS, lenient=lenient == "lenient")
    target.flush()
    print(json.dumps({"seconds": time.perf_counter() - start, "quads": len(target)}))


class _QueryTimeout(Exception):
    pass


def child_rdflib(nquads: str, queries_file: str, repeat: int, cap: float) -> None:
    """Fill an rdflib Dataset from N-Quads, then time each query (median, capped)."""
    import rdflib

    from kg.rdf.namespaces import PREFIXES

    start = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(nquads, format="nquads")
    loaded = time.perf_counter() - start
    queries: dict[str, str] = json.loads(Path(queries_file).read_text())
    namespaces = {prefix: rdflib.Namespace(iri) for prefix, iri in PREFIXES.items()}

    def alarm(_signal: int, _frame: Any) -> None:
        raise _QueryTimeout

    signal.signal(signal.SIGALRM, alarm)
    results: dict[str, Any] = {}
    for name, sparql in queries.items():
        times: list[float] = []
        rows = None
        try:
            for _ in range(repeat):
                signal.setitimer(signal.ITIMER_REAL, cap)
                began = time.perf_counter()
                rows = len(list(dataset.query(sparql, initNs=namespaces)))
                times.append(time.perf_counter() - began)
                signal.setitimer(signal.ITIMER_REAL, 0)
                if times[-1] > cap / 4:
                    break  # slow enough that one run says what it costs
            results[name] = {"median": statistics.median(times), "runs": len(times), "rows": rows}
        except _QueryTimeout:
            results[name] = {"timeout": cap}
        except Exception as exc:  # rdflib cannot run every SPARQL 1.1 query
            signal.setitimer(signal.ITIMER_REAL, 0)
            results[name] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    print(json.dumps({"load_seconds": loaded, "triples": len(dataset), "queries": results}))


# ------------------------------------------------------------------ one size


def _python() -> list[str]:
    return [sys.executable]


def measure_size(
    papers: int,
    work: Path,
    *,
    repeat: int,
    rdflib_max: int,
    rdflib_query_max: int,
    rdflib_cap: float,
    seed: int,
) -> dict[str, Any]:
    import kg
    from kg.networks.graph import NETWORK_KINDS
    from kg.rdf.namespaces import PTM

    result: dict[str, Any] = {"papers": papers, "seed": seed}
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"synthetic-{papers}.jsonl"
    store_path = work / "store"
    shutil.rmtree(store_path, ignore_errors=True)

    # The same command a user runs, in a child process, so its memory is its own.
    cli = [*_python(), str(REPO / "cli.py")]
    synth_command = [*cli, "synth", str(corpus), "--papers", str(papers), "--seed", str(seed)]
    seconds, rss, _ = run_child(synth_command)
    result["synth"] = {"seconds": seconds, "rss_mib": rss, "bytes": corpus.stat().st_size}
    _log(f"{papers:,} papers: corpus written in {seconds:.1f} s")

    build_command = [*cli, "build", str(corpus), "--store", str(store_path)]
    seconds, rss, _ = run_child([*build_command, "--rejects", str(work / "rejects")])
    # The build returns once its graph is published (queryable); its statistics are then
    # prepared by a process of its own (kg.stores.preparing), timed here until ready.
    prepared = statistics_ready(store_path)
    startup, _, _ = run_child([*cli, "--help"])
    result["build"] = {
        "seconds": seconds,
        "rss_mib": rss,
        "startup_seconds": startup,
        "statistics": prepared,
    }
    _log(
        f"{papers:,} papers: built in {seconds:.1f} s, peak RSS {rss:,.0f} MiB; statistics "
        f"ready {prepared['waited_seconds']:.1f} s later ({prepared['seconds']:.1f} s, "
        f"{prepared['rss_mib']:,.0f} MiB)"
    )

    # Building the same source again into the store that holds it (the in-place rebuild a
    # user does after fixing a file), next to the fresh build above.
    seconds, rss, _ = run_child([*build_command, "--rejects", str(work / "rejects")])
    result["rebuild"] = {"seconds": seconds, "rss_mib": rss}
    result["rebuild"]["statistics"] = statistics_ready(store_path)
    _log(f"{papers:,} papers: rebuilt in place in {seconds:.1f} s, peak RSS {rss:,.0f} MiB")

    # Validation against the shapes, as 'ptmkg validate' runs it.
    seconds, rss, _ = run_child([*cli, "validate", "--store", str(store_path)])
    result["validate"] = {"seconds": seconds, "rss_mib": rss}
    _log(f"{papers:,} papers: validated in {seconds:.1f} s, peak RSS {rss:,.0f} MiB")

    store = kg.EmbeddedStore(store_path)
    nquads = work / "graph.nq"
    with nquads.open("wb") as out:
        import pyoxigraph as ox

        store.dump(out, ox.RdfFormat.N_QUADS)
    with nquads.open("rb") as handle:
        quads = sum(1 for _ in handle)
    result["quads"] = quads
    result["build"]["quads_per_second"] = quads / result["build"]["seconds"]

    bulk_store = work / "bulk-store"
    shutil.rmtree(bulk_store, ignore_errors=True)
    child = [*_python(), str(Path(__file__).resolve()), "--child"]
    seconds, rss, output = run_child([*child, "bulk-load", str(bulk_store), str(nquads)])
    inner = json.loads(output)
    result["bulk_load"] = {
        "seconds": seconds,
        "inner_seconds": inner["seconds"],
        "rss_mib": rss,
        "quads": inner["quads"],
        "quads_per_second": quads / seconds,
    }
    shutil.rmtree(bulk_store, ignore_errors=True)
    # For reference: the loader without validating IRIs, as a build loads the lines it
    # wrote itself (kg.stores.embedded.NQuadsStream).
    _, _, output = run_child([*child, "bulk-load", str(bulk_store), str(nquads), "lenient"])
    result["bulk_load"]["lenient_inner_seconds"] = json.loads(output)["seconds"]
    shutil.rmtree(bulk_store, ignore_errors=True)
    _log(f"{papers:,} papers: bulk loader {seconds:.1f} s for {quads:,} quads")

    # Canned queries on the built store, as 'ptmkg query' runs them.
    queries: dict[str, str] = {}
    result["skipped_queries"] = {}
    for name, named in kg.load_queries().items():
        if "SERVICE" in named.body:
            # Federated queries ask a remote endpoint; they measure the network, not ptmkg.
            result["skipped_queries"][name] = "federated (SERVICE): asks a remote endpoint"
            continue
        try:
            queries[name] = kg.prepare_query(store, name, QUERY_PARAMETERS.get(name))
        except kg.PtmkgError as exc:
            result["skipped_queries"][name] = str(exc)
    # Each twice: as 'ptmkg query' answers it (from the prepared statistics or kept rows
    # where they are fresh) and live (the SPARQL itself, which rdflib runs too, answered
    # as 'ptmkg query' answers it live).
    result["queries"] = {}
    for name in queries:
        served, live, rows, answered = [], [], 0, ""
        for _ in range(repeat):
            began = time.perf_counter()
            answer = kg.run_query(store, name, QUERY_PARAMETERS.get(name))
            served.append(time.perf_counter() - began)
            answered = answer.answered
            began = time.perf_counter()
            # Live as ptmkg answers it: the SPARQL on the engine, the rows sorted here
            # where the engine in this process sorts slowly (kg.sparql.ordering).
            rows = len(kg.run_query(store, name, QUERY_PARAMETERS.get(name), prepared=False).rows)
            live.append(time.perf_counter() - began)
            if max(served[-1], live[-1]) > SLOW:
                break  # one run of a slow query says what it costs
        if len(answer.rows) != rows:
            raise SystemExit(f"{name}: {len(answer.rows)} rows prepared but {rows} live")
        result["queries"][name] = {
            "median": statistics.median(served),
            "live_median": statistics.median(live),
            "prepared": answered.startswith("from the"),  # prepared statistics or kept rows
            "runs": len(served),
            "rows": rows,
        }
    result["engine_steps"] = {}
    for step, body in ENGINE_STEPS.items():
        sparql = f"PREFIX ptm: <{PTM}>\n{body}"
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            kg.run_sparql(store, sparql)
            times.append(time.perf_counter() - began)
        result["engine_steps"][step] = {"median": statistics.median(times)}
    slowest = max(result["queries"].items(), key=lambda item: item[1]["median"])
    _log(f"{papers:,} papers: queries done, slowest {slowest[0]} {slowest[1]['median']:.2f} s")

    # Network exports next to the SELECTs they are made from: network-reuse, and
    # network-nodes with the papers' details only for a network with paper nodes, each as
    # kg.run_query answers it (rows converted to Python), timed in the same loop.
    result["networks"] = {}
    for kind, chosen in NETWORK_KINDS.items():
        times, selects = [], []
        nodes_parameters = {} if "paper" in chosen.node_types else {"papers": False}
        for _ in range(repeat):
            began = time.perf_counter()
            graph = kg.network(store, kind)
            kg.write_network(graph, work / f"{kind}.graphml")
            times.append(time.perf_counter() - began)
            began = time.perf_counter()
            kg.run_query(store, NETWORK_SELECT)
            kg.run_query(store, "network-nodes", nodes_parameters, ordered=False)
            selects.append(time.perf_counter() - began)
            if times[-1] > SLOW:
                break
        result["networks"][kind] = {
            "median": statistics.median(times),
            "selects_median": statistics.median(selects),
            "nodes_parameters": nodes_parameters,
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
        }
    _log(f"{papers:,} papers: networks done")

    # What a user would pick instead for the study's tables: pandas and DuckDB.
    database = work / f"pipeline-{papers}.db"
    database.unlink(missing_ok=True)
    run_child([*cli, "synth", str(database), "--papers", str(papers), "--seed", str(seed)])
    compare_store = work / "compare-store"
    shutil.rmtree(compare_store, ignore_errors=True)
    result["comparison"] = compare.measure(database, compare_store, run_child, cli, repeat)
    shutil.rmtree(compare_store, ignore_errors=True)
    database.unlink()
    _log(f"{papers:,} papers: compared with pandas and DuckDB")

    # The naive way: rdflib, filled triple by triple, then queried.
    if papers <= rdflib_max:
        queries_file = work / "queries.json"
        queries_file.write_text(json.dumps(queries if papers <= rdflib_query_max else {}))
        rdflib_command = [*child, "rdflib", str(nquads), str(queries_file)]
        seconds, rss, output = run_child([*rdflib_command, str(repeat), str(rdflib_cap)])
        inner = json.loads(output)
        result["rdflib"] = {
            "seconds": seconds,
            "load_seconds": inner["load_seconds"],
            "triples": inner["triples"],
            "rss_mib": rss,
            "queries": inner["queries"],
        }
        _log(f"{papers:,} papers: rdflib loaded in {inner['load_seconds']:.1f} s")
    store.close()
    nquads.unlink()
    shutil.rmtree(store_path, ignore_errors=True)
    corpus.unlink()
    return result


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ------------------------------------------------------------------ the report


def machine() -> dict[str, Any]:
    import pyoxigraph
    import rdflib

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory_kib = 0
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_kib / 2**20,
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
        "load_average": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 1000:,.0f} ms" if value >= 0.01 else f"{value * 1000:,.1f} ms"
    return f"{value:,.1f} s"


def _queried(result: dict[str, Any]) -> bool:
    """Whether rdflib was queried at this size (it may only have been filled)."""
    return bool(result.get("rdflib", {}).get("queries"))


def _build_seconds(result: dict[str, Any]) -> float:
    """The build's time in its process: wall time less the interpreter's start."""
    build = result["build"]
    return max(build["seconds"] - build["startup_seconds"], 1e-3)


def _served(entry: dict[str, Any]) -> str:
    """A query's time as 'ptmkg query' answers it, with its live time where prepared."""
    if entry.get("prepared"):
        return f"{_seconds(entry['median'])} (live {_seconds(entry['live_median'])})"
    return _seconds(entry["median"])


def _build_rss(result: dict[str, Any]) -> float:
    """The build's peak RSS: its own process's, or its statistics process's if larger."""
    build = result["build"]
    return max(build["rss_mib"], build.get("statistics", {}).get("rss_mib", 0.0))


def _build_and_query(result: dict[str, Any]) -> tuple[float, float, bool]:
    """Seconds to build and run every canned query once: ptmkg's, rdflib's, rdflib capped."""
    ours = _build_seconds(result) + sum(q["live_median"] for q in result["queries"].values())
    theirs = result["rdflib"]["load_seconds"]
    capped = False
    for name, entry in result["rdflib"]["queries"].items():
        if "median" in entry:
            theirs += entry["median"]
        elif "timeout" in entry:
            theirs += entry["timeout"]
            capped = True
        else:  # rdflib could not run it: count ptmkg's time, not an advantage
            theirs += result["queries"][name]["live_median"]
    return ours, theirs, capped


def _network_selects(result: dict[str, Any], entry: dict[str, Any]) -> float:
    """The time of the SELECTs a network export is made from (runs before these were
    timed with it: network-reuse alone, as the query table has it)."""
    selects = entry.get("selects_median")
    return float(selects) if selects else float(result["queries"][NETWORK_SELECT]["median"])


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "**missed**")


def render(results: list[dict[str, Any]], host: dict[str, Any], command: str) -> str:
    sizes = [r["papers"] for r in results]
    lines = [
        "# Benchmark results",
        "",
        "Produced by `" + command + "` (see bench/run.py); every figure below comes from that "
        "one run on this machine.",
        "",
        f"- Machine: {host['cpu']}, {host['cores']} cores, {host['memory_gib']:.0f} GiB RAM; "
        f"{host['platform']}",
        f"- Python {host['python']}, pyoxigraph {host['pyoxigraph']}, rdflib {host['rdflib']}",
        f"- Run started {host['date']}; load average then "
        + ", ".join(f"{x:.1f}" for x in host["load_average"])
        + " (the machine is shared: other jobs compete for the 2 cores, so "
        "timings carry noise of tens of percent)",
        "- Corpus: `ptmkg synth CORPUS.jsonl --papers N --seed 7` (generic JSON Lines, "
        "calibrated to the study's figures), built with `ptmkg build CORPUS.jsonl --store S`",
        "",
        "## Build",
        "",
        "Every command runs as a child process. Ratios compare time spent in the process: "
        "the build's wall time less the interpreter's and imports' start (`ptmkg --help` "
        "alone, the startup column), the bulk loader's own call, and rdflib's fill (its "
        "N-Quads parser adds quad by quad to a Dataset; reading the source is left out, "
        "which favours rdflib). Quads: every quad in the built store (`ptmkg dump`), which "
        "is what the bulk loader and rdflib load. The bulk loader validates what it parses, "
        "as it does by default; a build loads the lines it wrote itself without validating "
        "their IRIs again (lenient), and the lenient loader's time is given for reference. "
        "The build returns once its graph is published and queryable; its prepared "
        "statistics follow in a process of their own (the next table).",
        "",
        "| papers | quads | ptmkg build (wall) | startup | build | quads/s | bulk loader "
        "| quads/s | build / bulk speed (target ≥ 0.8) | bulk loader, lenient "
        "| rdflib fill | rdflib / build (target ≥ 10) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        build, bulk = r["build"], r["bulk_load"]
        ours = _build_seconds(r)
        rdflib = r.get("rdflib")
        rd = _seconds(rdflib["load_seconds"]) if rdflib else "not run"
        rd_ratio = f"{rdflib['load_seconds'] / ours:.1f}x" if rdflib else "-"
        lines.append(
            f"| {r['papers']:,} | {r['quads']:,} | {_seconds(build['seconds'])} | "
            f"{_seconds(build['startup_seconds'])} | {_seconds(ours)} | "
            f"{r['quads'] / ours:,.0f} | {_seconds(bulk['inner_seconds'])} | "
            f"{r['quads'] / bulk['inner_seconds']:,.0f} | "
            f"{bulk['inner_seconds'] / ours:.2f}x | {_seconds(bulk.get('lenient_inner_seconds'))} "
            f"| {rd} | {rd_ratio} |"
        )
    prepared = [r for r in results if "statistics" in r["build"]]
    if prepared:
        lines += [
            "",
            "### Statistics, prepared once the graph is queryable",
            "",
            "The build returns when its graph is published and queryable (the build column "
            "above); a process of its own then computes the prepared statistics and kept "
            "answers from the published database, and queries that need them wait for them "
            "(kg.stores.preparing). Ready: the time from the build's start until they were "
            "sealed; the process's own wall time and peak RSS are what it recorded. A build "
            "whose loads left overlapping files at more than 2M quads is compacted by the "
            "same process afterwards, in a copy published as the next generation (the last "
            "column: from the build's start; everything below is measured after it).",
            "",
            "| papers | build (queryable) | statistics process | statistics ready | its peak RSS "
            "| compacted copy published |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for r in prepared:
            ready = r["build"]["statistics"]
            compacted = ready.get("compacted_seconds", 0.0)
            lines.append(
                f"| {r['papers']:,} | {_seconds(r['build']['seconds'])} | "
                f"{_seconds(ready['seconds'])} | "
                f"{_seconds(r['build']['seconds'] + ready['waited_seconds'])} | "
                f"{ready['rss_mib']:,.0f} MiB | "
                + (f"{_seconds(r['build']['seconds'] + compacted)} |" if compacted else "- |")
            )
    answered = [r for r in results if _queried(r)]
    if answered:
        lines += [
            "",
            "### Build, then answer every canned query once",
            "",
            "The naive way in full: rdflib filled quad by quad, then queried. Each side's time "
            "is its build (rdflib: its fill) plus the median of every canned query; an rdflib "
            "query stopped at the cap counts as the cap, so its total is a lower bound.",
            "",
            "| papers | ptmkg build + queries | rdflib fill + queries | rdflib / ptmkg "
            "(target ≥ 10) |",
            "|---:|---:|---:|---:|",
        ]
        for r in answered:
            ours, theirs, capped = _build_and_query(r)
            lines.append(
                f"| {r['papers']:,} | {_seconds(ours)} | {'> ' if capped else ''}"
                f"{_seconds(theirs)} | {'> ' if capped else ''}{theirs / ours:.0f}x |"
            )
    lines += [
        "",
        "## Rebuild in place and validate",
        "",
        "The same source built again into the store that already holds it (what a user does "
        "after fixing a file), and `ptmkg validate` on the built store, each next to the fresh "
        "build of the same run (wall times of child processes).",
        "",
        "| papers | fresh build | rebuild in place | rebuild / fresh (target ≤ 1.5) "
        "| validate | validate / build (target ≤ 2) | validate peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "rebuild" not in r:
            continue
        fresh = r["build"]["seconds"]
        lines.append(
            f"| {r['papers']:,} | {_seconds(fresh)} | {_seconds(r['rebuild']['seconds'])} | "
            f"{r['rebuild']['seconds'] / fresh:.2f}x | {_seconds(r['validate']['seconds'])} | "
            f"{r['validate']['seconds'] / fresh:.2f}x | {r['validate']['rss_mib']:,.0f} MiB |"
        )
    lines += [
        "",
        "## Memory (peak RSS of each child process)",
        "",
        "| papers | ptmkg build | its statistics process | bulk loader | rdflib | synth |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rdflib = r.get("rdflib")
        ready = r["build"].get("statistics")
        lines.append(
            f"| {r['papers']:,} | {r['build']['rss_mib']:,.0f} MiB | "
            f"{(format(ready['rss_mib'], ',.0f') + ' MiB') if ready else 'in the build'} | "
            f"{r['bulk_load']['rss_mib']:,.0f} MiB | "
            f"{(format(rdflib['rss_mib'], ',.0f') + ' MiB') if rdflib else 'not run'} | "
            f"{r['synth']['rss_mib']:,.0f} MiB |"
        )
    by_size = {r["papers"]: r for r in results}
    if 100_000 in by_size and 1_000_000 in by_size:
        growth = _build_rss(by_size[1_000_000]) / _build_rss(by_size[100_000])
        lines += [
            "",
            f"From 100k to 1M papers (10x) the build's peak RSS (the larger of the build's and "
            f"its statistics process's) grows {growth:.2f}x.",
        ]
    lines += [
        "",
        "## Canned queries (median)",
        "",
        "On the built store as `ptmkg query` runs them (rows converted to Python): from the "
        "prepared statistics where a query has a prepared form, or from the rows kept when "
        "the graph was written (network-reuse, network-nodes, sources), with its live time "
        "beside it (the SPARQL itself, as `ptmkg query` answers a query live: the engine "
        "finds the rows, which are sorted in Python where the query's ORDER BY names plain "
        "variables, kg.sparql.ordering); rdflib runs the same SPARQL, ORDER BY included, on "
        "the same quads and is compared with the live time. Parameters: "
        + "; ".join(
            f"{name} " + ", ".join(f"{k}={v}" for k, v in params.items())
            for name, params in QUERY_PARAMETERS.items()
        )
        + ".",
        "",
        "| query | "
        + " | ".join(f"{s:,}" for s in sizes)
        + " | "
        + " | ".join(f"rdflib {r['papers']:,} | speed-up" for r in results if _queried(r))
        + " |",
        "|---|" + "---:|" * (len(sizes) + 2 * sum(_queried(r) for r in results)),
    ]
    skipped = {name: why for r in results for name, why in r.get("skipped_queries", {}).items()}
    for name in results[0]["queries"]:
        cells = [_served(r["queries"][name]) for r in results]
        for r in results:
            if not _queried(r):
                continue
            entry = r["rdflib"]["queries"].get(name, {})
            ours = r["queries"][name]["live_median"]
            if "median" in entry:
                cells += [_seconds(entry["median"]), f"{entry['median'] / ours:,.0f}x"]
            elif "timeout" in entry:
                cap = entry["timeout"]
                cells += [f"> {cap:.0f} s (stopped)", f"> {cap / ours:,.0f}x"]
            else:
                cells += ["error", entry.get("error", "")[:60]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if skipped:
        lines += ["", "Not measured: " + "; ".join(f"{n} ({w})" for n, w in skipped.items())]
    if all("engine_steps" in r for r in results):
        lines += [
            "",
            "### What the engine's steps cost (median, same store)",
            "",
            "The steps canned queries are made of, alone: no query built from them can be "
            "faster than the steps it needs.",
            "",
            "| step | " + " | ".join(f"{s:,}" for s in sizes) + " |",
            "|---|" + "---:|" * len(sizes),
        ]
        for step in results[0]["engine_steps"]:
            cells = [_seconds(r["engine_steps"][step]["median"]) for r in results]
            lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Network exports",
        "",
        "`kg.network(store, kind)` and a GraphML file, next to the SELECTs it is made from: "
        f"`{NETWORK_SELECT}` (the rows every network is built from) plus `network-nodes` (the "
        "nodes' details; with the papers' only for paper-model, `papers=false` otherwise), each "
        "as `kg.run_query` answers it (rows converted to Python), timed in the same loop.",
        "",
        f"| kind | papers | nodes | edges | export | SELECTs ({NETWORK_SELECT} + network-nodes) "
        "| export / SELECTs (target ≤ 2) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for kind, entry in r["networks"].items():
            select = _network_selects(r, entry)
            lines.append(
                f"| {kind} | {r['papers']:,} | {entry['nodes']:,} | {entry['edges']:,} | "
                f"{_seconds(entry['median'])} | {_seconds(select)} | "
                f"{entry['median'] / select:.2f}x |"
            )
    lines += ["", *compare.render(results)]
    lines += ["", "## Targets", "", "| target | result | verdict |", "|---|---|---|"]
    for text, value, ok in targets(results):
        lines.append(f"| {text} | {value} | {_verdict(ok)} |")
    if ANALYSIS.exists():
        # What limits each missed target, with its profile: written by hand after a run.
        lines += ["", ANALYSIS.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def targets(results: list[dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    rows: list[tuple[str, str, bool | None]] = []
    ratios = {r["papers"]: r["bulk_load"]["inner_seconds"] / _build_seconds(r) for r in results}
    rows.append(
        (
            "build throughput ≥ 0.8x the bulk loader's",
            ", ".join(f"{p:,}: {v:.2f}x" for p, v in ratios.items()),
            all(v >= TARGETS["bulk_ratio"] for v in ratios.values()),
        )
    )
    measured = [r for r in results if "rdflib" in r]
    rdflib_build = {r["papers"]: r["rdflib"]["load_seconds"] / _build_seconds(r) for r in measured}
    # No build that loads through the bulk loader can beat rdflib by more than the loader.
    ceiling = {
        r["papers"]: r["rdflib"]["load_seconds"] / r["bulk_load"]["inner_seconds"] for r in measured
    }
    rows.append(
        (
            "build ≥ 10x faster than rdflib: the fill alone",
            ", ".join(
                f"{p:,}: {v:.1f}x (the bulk loader itself: {ceiling[p]:.1f}x)"
                for p, v in rdflib_build.items()
            )
            or "not run",
            all(v >= TARGETS["rdflib_build"] for v in rdflib_build.values()) if measured else None,
        )
    )
    answered = {r["papers"]: _build_and_query(r) for r in filter(_queried, measured)}
    if answered:
        rows.append(
            (
                "build ≥ 10x faster than rdflib: filled, then every canned query",
                ", ".join(
                    f"{p:,}: {'> ' if capped else ''}{theirs / ours:.0f}x"
                    for p, (ours, theirs, capped) in answered.items()
                ),
                all(t / o >= TARGETS["rdflib_build"] for o, t, _ in answered.values()),
            )
        )
    worst: list[tuple[float, str, int]] = []
    for r in filter(_queried, measured):
        for name, entry in r["rdflib"]["queries"].items():
            ours = r["queries"][name]["live_median"]
            theirs = entry.get("median", entry.get("timeout"))
            if theirs is not None:
                worst.append((theirs / ours, name, r["papers"]))
    if worst:
        low = min(worst)
        slow = [f"{n} at {p:,} ({v:.1f}x)" for v, n, p in sorted(worst) if v < 20]
        rows.append(
            (
                "every canned query ≥ 20x faster than rdflib",
                f"lowest {low[0]:.1f}x ({low[1]} at {low[2]:,})"
                + (f"; below 20x: {', '.join(slow)}" if slow else ""),
                low[0] >= TARGETS["rdflib_query"],
            )
        )
    by_size = {r["papers"]: r for r in results}
    largest = by_size[max(by_size)]
    rss = _build_rss(largest)
    rows.append(
        (
            "peak RSS of the build at 1M papers < 1.5 GiB (the build's process and its "
            "statistics process)",
            f"{largest['build']['rss_mib']:,.0f} MiB and "
            f"{largest['build'].get('statistics', {}).get('rss_mib', 0):,.0f} MiB "
            f"at {largest['papers']:,}",
            rss < TARGETS["rss_mib"] if largest["papers"] >= 1_000_000 else None,
        )
    )
    if 100_000 in by_size and 1_000_000 in by_size:
        growth = _build_rss(by_size[1_000_000]) / _build_rss(by_size[100_000])
        rows.append(("memory 100k → 1M grows far less than 10x", f"{growth:.2f}x", growth < 3))
    slowest = max(largest["queries"].items(), key=lambda item: item[1]["median"])
    over = sorted(
        ((entry["median"], name) for name, entry in largest["queries"].items()),
        reverse=True,
    )
    over = [(t, n) for t, n in over if t >= TARGETS["query_seconds"]]
    rows.append(
        (
            "every canned query < 1 s median at 1M papers",
            f"{len(largest['queries']) - len(over)} of {len(largest['queries'])} under 1 s "
            f"at {largest['papers']:,}"
            + (f"; over: {', '.join(f'{n} {_seconds(t)}' for t, n in over)}" if over else ""),
            slowest[1]["median"] < TARGETS["query_seconds"]
            if largest["papers"] >= 1_000_000
            else None,
        )
    )
    measured_again = [r for r in results if "rebuild" in r]
    if measured_again:
        rebuild = {
            r["papers"]: r["rebuild"]["seconds"] / r["build"]["seconds"] for r in measured_again
        }
        rows.append(
            (
                "rebuild in place within 1.5x a fresh build",
                ", ".join(f"{p:,}: {v:.2f}x" for p, v in rebuild.items()),
                all(v <= 1.5 for v in rebuild.values()),
            )
        )
        checked = {
            r["papers"]: (
                r["validate"]["seconds"] / r["build"]["seconds"],
                r["validate"]["rss_mib"],
            )
            for r in measured_again
        }
        rows.append(
            (
                "validate within 2x the build's time, peak RSS < 1.5 GiB at 1M papers",
                ", ".join(f"{p:,}: {t:.2f}x, {m:,.0f} MiB" for p, (t, m) in checked.items()),
                all(t <= 2 for t, _ in checked.values())
                and all(m < TARGETS["rss_mib"] for _, m in checked.values()),
            )
        )
    compared = [r for r in results if r.get("comparison")]
    rows.append(
        (
            "the study's tables next to pandas (the pipeline's way) and DuckDB, in the same run",
            ", ".join(
                f"{r['papers']:,}: {len(r['comparison']['tables'])} tables, slowest ptmkg "
                f"{max(e['ptmkg'] for e in r['comparison']['tables'].values()) * 1000:.0f} ms"
                for r in compared
            )
            or "not run",
            True if compared else None,
        )
    )
    network_ratios = [
        (entry["median"] / _network_selects(r, entry), kind, r["papers"])
        for r in results
        for kind, entry in r["networks"].items()
    ]
    high = max(network_ratios)
    rows.append(
        (
            "each network export within 2x of the SELECTs it is made from",
            f"highest {high[0]:.2f}x ({high[1]} at {high[2]:,})",
            high[0] <= TARGETS["network_ratio"],
        )
    )
    return rows


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median)")
    parser.add_argument(
        "--rdflib-max", type=int, default=100_000, help="largest corpus rdflib is filled with"
    )
    parser.add_argument(
        "--rdflib-query-max",
        type=int,
        default=10_000,
        help="largest corpus rdflib is queried on (its queries grow much faster than linearly)",
    )
    parser.add_argument(
        "--render", action="store_true", help="only write the results file from the raw figures"
    )
    parser.add_argument(
        "--rdflib-cap", type=float, default=60.0, help="seconds before an rdflib query is stopped"
    )
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="the results file to write")
    parser.add_argument("--raw", type=Path, default=RAW, help="folder for the raw JSON figures")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        if kind == "bulk-load":
            child_bulk_load(*rest)
        elif kind == "rdflib":
            child_rdflib(rest[0], rest[1], int(rest[2]), float(rest[3]))
        return 0
    command = "python bench/run.py" + (
        ""
        if argv is None and sys.argv[1:] == []
        else " " + " ".join(sys.argv[1:] if argv is None else argv)
    )
    if args.render:
        runs = [json.loads(p.read_text()) for p in sorted(args.raw.glob("run-*.json"))]
        runs.sort(key=lambda run: run["result"]["papers"])
        commands = list(dict.fromkeys(run["command"] for run in runs))
        args.out.write_text(
            render([run["result"] for run in runs], runs[0]["machine"], " and ".join(commands))
        )
        return 0
    host = machine()
    results: list[dict[str, Any]] = []
    scratch = args.work or Path(tempfile.mkdtemp(prefix="ptmkg-bench-"))
    try:
        for papers in args.papers:
            repeat = args.repeat if papers < 1_000_000 else max(3, args.repeat // 2)
            result = measure_size(
                papers,
                scratch / f"n{papers}",
                repeat=repeat,
                rdflib_max=args.rdflib_max,
                rdflib_query_max=args.rdflib_query_max,
                rdflib_cap=args.rdflib_cap,
                seed=args.seed,
            )
            results.append(result)
            args.raw.mkdir(parents=True, exist_ok=True)
            (args.raw / f"run-{papers}.json").write_text(
                json.dumps({"machine": host, "command": command, "result": result}, indent=1)
            )
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(render(results, host, command))
            _log(f"{papers:,} papers done; {args.out} written")
    finally:
        if args.work is None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
