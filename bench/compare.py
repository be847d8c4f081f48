"""What a user would pick instead, for the study's own tables, measured side by side.

The study's pipeline answered its questions with pandas over its SQLite database; a
user today might reach for DuckDB. For one synthetic pipeline database (``ptmkg synth
X.db``, the study's exact schema) this measures, in one process and one run:

* ptmkg: ``ptmkg build X.db`` (a child process), then the canned queries
  ``papers-by-field``, ``reuse-by-pattern``, ``reuse-by-stage`` and ``top-models``;
* pandas, the study's way: the tables read with ``pandas.read_sql``, each analysis
  answer parsed with ``json.loads``, then ``groupby``;
* DuckDB: the same rows copied out of SQLite into DuckDB tables, then SQL with DuckDB's
  JSON functions.

Each side's load and the median time of each table are reported, with the ratio to
ptmkg's (above 1: ptmkg is faster). The tables' sizes are reported too, as a check that
the three answer the same question (model names differ by design: ptmkg resolves them
through its registry, the others group the names as written).
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TABLES = ("papers-by-field", "reuse-by-pattern", "reuse-by-stage", "top-models")


def _median_time(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, answer = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        answer = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), answer


# ------------------------------------------------------------------ pandas


def _pandas_load(database: Path) -> dict[str, Any]:
    import pandas as pd

    with sqlite3.connect(database) as connection:
        return {
            "openalex": pd.read_sql(
                "SELECT doi, topic_0, topic_1, topic_2 FROM openalex", connection
            ),
            "reuse": pd.read_sql(
                "SELECT doi, model_response FROM identify_ptm_reuse_analysis", connection
            ),
            "impact": pd.read_sql(
                "SELECT doi, model_response FROM identify_ptm_impact_analysis", connection
            ),
        }


def _items(frame: Any) -> Any:
    """One row per listed item of each analysis answer (the study's parsing)."""
    import pandas as pd

    rows = []
    for doi, response in zip(frame["doi"], frame["model_response"], strict=True):
        try:
            parsed = json.loads(response)
        except (TypeError, ValueError):
            continue
        if isinstance(parsed, dict):
            parsed = next(
                (parsed[k] for k in ("response", "model", "models", "result") if k in parsed),
                [parsed],
            )
        if not isinstance(parsed, list):
            continue
        for item in parsed:
            if isinstance(item, dict):
                rows.append({"doi": doi, **item})
    return pd.DataFrame(rows)


def _pandas_tables(data: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    import pandas as pd

    def papers_by_field() -> Any:
        slots = pd.concat(
            [
                data["openalex"][["doi", c]].rename(columns={c: "field"})
                for c in ("topic_0", "topic_1", "topic_2")
            ]
        ).dropna()
        return slots.groupby("field")["doi"].nunique().sort_values(ascending=False)

    def by_pattern() -> Any:
        items = _items(data["reuse"])
        items["model"] = items["model"].str.lower().str.strip()
        distinct = items.drop_duplicates(["doi", "model", "classification"])
        return distinct.groupby("classification").size().sort_values(ascending=False)

    def by_stage() -> Any:
        items = _items(data["impact"])
        name = items["model"].fillna(items.get("method"))
        items = items.assign(model=name.str.lower().str.strip())
        distinct = items.drop_duplicates(["doi", "model", "step"])
        return distinct.groupby("step").size().sort_values(ascending=False)

    def top_models() -> Any:
        items = _items(data["reuse"])
        items["model"] = items["model"].str.lower().str.strip()
        return items.groupby("model")["doi"].nunique().sort_values(ascending=False).head(10)

    return dict(zip(TABLES, (papers_by_field, by_pattern, by_stage, top_models), strict=True))


# ------------------------------------------------------------------ DuckDB


def _duckdb_load(database: Path) -> Any:
    import duckdb

    connection = duckdb.connect()
    with sqlite3.connect(database) as source:
        for table, columns in (
            ("openalex", "doi, topic_0, topic_1, topic_2"),
            ("identify_ptm_reuse_analysis", "doi, model_response"),
            ("identify_ptm_impact_analysis", "doi, model_response"),
        ):
            rows = source.execute(f"SELECT {columns} FROM {table}").fetchall()
            names = [c.strip() for c in columns.split(",")]
            connection.execute(f"CREATE TABLE {table} ({', '.join(n + ' VARCHAR' for n in names)})")
            if rows:
                connection.executemany(
                    f"INSERT INTO {table} VALUES ({', '.join('?' for _ in names)})", rows
                )
    return connection


_REUSE_ITEMS_TABLE = "identify_ptm_reuse_analysis"
_ITEMS = """
    SELECT doi, unnest(CAST(model_response AS JSON[])) AS item FROM {table}
    WHERE json_valid(model_response) AND json_type(model_response) = 'ARRAY'
"""

DUCKDB_SQL = {
    "papers-by-field": """
        SELECT field, COUNT(DISTINCT doi) AS papers FROM (
          SELECT doi, topic_0 AS field FROM openalex UNION ALL
          SELECT doi, topic_1 FROM openalex UNION ALL SELECT doi, topic_2 FROM openalex
        ) WHERE field IS NOT NULL GROUP BY field ORDER BY papers DESC, field""",
    "reuse-by-pattern": f"""
        SELECT pattern, COUNT(*) AS instances FROM (
          SELECT DISTINCT doi, lower(trim(item->>'model')) AS model,
                 item->>'classification' AS pattern
          FROM ({_ITEMS.format(table=_REUSE_ITEMS_TABLE)})
        ) GROUP BY pattern ORDER BY instances DESC""",
    "reuse-by-stage": f"""
        SELECT stage, COUNT(*) AS instances FROM (
          SELECT DISTINCT doi, lower(trim(COALESCE(item->>'model', item->>'method'))) AS model,
                 item->>'step' AS stage FROM ({_ITEMS.format(table="identify_ptm_impact_analysis")})
        ) GROUP BY stage ORDER BY instances DESC""",
    "top-models": f"""
        SELECT lower(trim(item->>'model')) AS model, COUNT(DISTINCT doi) AS papers
        FROM ({_ITEMS.format(table="identify_ptm_reuse_analysis")})
        GROUP BY model ORDER BY papers DESC, model LIMIT 10""",
}


# ------------------------------------------------------------------ the run


def measure(
    database: Path,
    store_path: Path,
    build: Callable[[list[str]], tuple[float, float, str]],
    cli: list[str],
    repeat: int,
) -> dict[str, Any]:
    """The three ways over one pipeline database; ``build`` runs a child process."""
    import kg

    result: dict[str, Any] = {"tables": {}}
    seconds, rss, _ = build([*cli, "build", str(database), "--store", str(store_path)])
    result["load"] = {"ptmkg": seconds}
    result["rss_mib"] = {"ptmkg": rss}
    store = kg.EmbeddedStore(store_path)

    began = time.perf_counter()
    frames = _pandas_load(database)
    result["load"]["pandas"] = time.perf_counter() - began
    began = time.perf_counter()
    connection = _duckdb_load(database)
    result["load"]["duckdb"] = time.perf_counter() - began

    pandas_tables = _pandas_tables(frames)
    for table in TABLES:
        ours, answer = _median_time(lambda t=table: kg.run_query(store, t), repeat)
        theirs, frame = _median_time(pandas_tables[table], repeat)
        duck, rows = _median_time(
            lambda t=table: connection.execute(DUCKDB_SQL[t]).fetchall(), repeat
        )
        result["tables"][table] = {
            "ptmkg": ours,
            "pandas": theirs,
            "duckdb": duck,
            "rows": {"ptmkg": len(answer.rows), "pandas": len(frame), "duckdb": len(rows)},
        }
    store.close()
    connection.close()
    return result


def render(results: list[dict[str, Any]]) -> list[str]:
    """The comparison's section of bench/RESULTS.md."""
    lines = [
        "## Against pandas and DuckDB, for the study's tables",
        "",
        "The same synthetic pipeline database (`ptmkg synth X.db`, the study's schema) three "
        "ways (bench/compare.py): ptmkg (`ptmkg build X.db`, then the canned query), pandas as "
        "the study's scripts did (`read_sql`, `json.loads` per answer, `groupby`), and DuckDB "
        "(the rows copied into DuckDB tables, then SQL with its JSON functions). Times are "
        "medians; a ratio above 1 means ptmkg answers faster. Loading is each side's one-off "
        "cost (ptmkg's includes building the whole graph, with provenance and validation-ready "
        "types).",
        "",
        "| papers | table | ptmkg | pandas | DuckDB | pandas / ptmkg | DuckDB / ptmkg | rows "
        "(ptmkg, pandas, DuckDB) |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        comparison = r.get("comparison")
        if not comparison:
            continue
        load = comparison["load"]
        lines.append(
            f"| {r['papers']:,} | load | {load['ptmkg']:.2f} s | {load['pandas']:.2f} s | "
            f"{load['duckdb']:.2f} s | {load['pandas'] / load['ptmkg']:.2f}x | "
            f"{load['duckdb'] / load['ptmkg']:.2f}x | |"
        )
        for table, entry in comparison["tables"].items():
            rows = entry["rows"]
            lines.append(
                f"| {r['papers']:,} | {table} | {entry['ptmkg'] * 1000:.0f} ms | "
                f"{entry['pandas'] * 1000:.0f} ms | {entry['duckdb'] * 1000:.0f} ms | "
                f"{entry['pandas'] / entry['ptmkg']:.1f}x | "
                f"{entry['duckdb'] / entry['ptmkg']:.1f}x | "
                f"{rows['ptmkg']}, {rows['pandas']}, {rows['duckdb']} |"
            )
    return lines
