"""Named SPARQL queries: the canned questions in ``queries/``, and running them.

Every figure ptmkg shows comes from one of these files, so the CLI, reports and
exports cannot disagree. A query file starts with a comment header::

    # name: papers-by-field
    # title: Papers by field
    # description: What it answers.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import PtmkgError
from kg.namespaces import XSD
from kg.resources import queries_dir
from kg.store import GraphStore


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    path: Path
    header: dict[str, str] = field(default_factory=dict)


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self.rows]


def _parse_header(path: Path, text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, separator, value = line[1:].partition(":")
        if separator:
            header[key.strip().lower()] = value.strip()
    return header


@cache
def load_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    directory = directory or queries_dir()
    queries: dict[str, NamedQuery] = {}
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = _parse_header(path, text)
        name = header.get("name", path.stem)
        queries[name] = NamedQuery(
            name=name,
            title=header.get("title", name),
            description=header.get("description", ""),
            text=text,
            path=path,
            header=header,
        )
    return queries


def get_query(name: str) -> NamedQuery:
    queries = load_queries()
    if name not in queries:
        raise PtmkgError(f"no query named {name!r}; 'ptmkg queries' lists them")
    return queries[name]


_NUMERIC = {
    XSD + "integer": int,
    XSD + "int": int,
    XSD + "long": int,
    XSD + "decimal": lambda v: float(decimal.Decimal(v)),
    XSD + "double": float,
    XSD + "float": float,
}


def to_python(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> Any:
    """A term as a plain Python value: IRIs as strings, typed literals as numbers or booleans."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _NUMERIC:
            return _NUMERIC[datatype](term.value)
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return term.value


def run_query(store: GraphStore, name: str) -> QueryResult:
    return run_sparql(store, get_query(name).text)


def run_sparql(store: GraphStore, sparql: str) -> QueryResult:
    solutions = store.query(sparql)
    if not isinstance(solutions, ox.QuerySolutions):
        raise PtmkgError("expected a SELECT query")
    columns = [v.value for v in solutions.variables]
    rows = [{column: to_python(solution[column]) for column in columns} for solution in solutions]
    return QueryResult(columns=columns, rows=rows)
