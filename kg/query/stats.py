"""The summary figures of a graph, each from a named query."""

from __future__ import annotations

from dataclasses import dataclass

from kg.query.named import QueryResult, run_query
from kg.stores.embedded import GraphStore

STATS_QUERIES = ("corpus-summary", "papers-by-field", "reuse-by-pattern", "reuse-by-stage")


@dataclass
class Stats:
    summary: dict[str, int]
    by_field: QueryResult
    by_pattern: QueryResult
    by_stage: QueryResult


def stats(store: GraphStore) -> Stats:
    summary = run_query(store, "corpus-summary")
    return Stats(
        summary=summary.rows[0] if summary.rows else {},
        by_field=run_query(store, "papers-by-field"),
        by_pattern=run_query(store, "reuse-by-pattern"),
        by_stage=run_query(store, "reuse-by-stage"),
    )
