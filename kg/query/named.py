"""Named SPARQL queries: the canned questions in ``queries/``, and running them.

Every figure ptmkg shows comes from one of these files, so the CLI, reports and
exports cannot disagree. A query file starts with a comment header::

    # name: top-models
    # title: Top models
    # description: What it answers.
    # param: limit integer default=10 Show the models ranked this high or higher.
    # param: field field Count only papers in this field.

and marks with ``#@bind NAME...`` comment lines where its parameters are bound
(see :mod:`kg.query.parameters`, the one place that binds them). Without the
markers' ``VALUES`` blocks a query file is still plain SPARQL that other tools
run as it is, answering for "all".
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg.errors import PtmkgError
from kg.query.parameters import (
    Parameter,
    ParameterValue,
    bind,
    bind_markers,
    parse_parameter,
    resolve_parameters,
)
from kg.query.results import QueryResult, from_solutions, to_python
from kg.resources import queries_dir
from kg.stores.embedded import GraphStore, _query
from kg.stores.statistics import bind_rows

#: Says, for each canned query run, whether it was answered from prepared statistics or
#: live, and why (``ptmkg query --explain`` shows it).
log = logging.getLogger("ptmkg.query")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    path: Path
    header: dict[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def is_federated(self) -> bool:
        """Whether the query asks an outside endpoint (it has a SERVICE block)."""
        from kg.query.federation import find_service

        return find_service(self.text, remember=True) is not None

    @property
    def body(self) -> str:
        """The SPARQL after the comment header."""
        lines = self.text.splitlines()
        start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
        return "\n".join(lines[start:]).strip("\n") + "\n"


def _parse_header(path: Path, text: str) -> tuple[dict[str, str], list[Parameter]]:
    header: dict[str, str] = {}
    parameters: list[Parameter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        key, separator, value = line[1:].partition(":")
        if not separator:
            continue
        key = key.strip().lower()
        if key == "param":
            parameters.append(parse_parameter(value.strip(), f"{path}, line {number}"))
        else:
            header[key] = value.strip()
    return header, parameters


@cache
def load_queries(directory: Path | None = None) -> dict[str, NamedQuery]:
    directory = directory or queries_dir()
    queries: dict[str, NamedQuery] = {}
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header, parameters = _parse_header(path, text)
        name = header.get("name", path.stem)
        declared = {p.name for p in parameters}
        marked = bind_markers(text)
        if declared != marked:
            raise PtmkgError(
                f"{path}: parameters declared ({', '.join(sorted(declared)) or 'none'}) and "
                f"bound with #@bind ({', '.join(sorted(marked)) or 'none'}) differ"
            )
        queries[name] = NamedQuery(
            name=name,
            title=header.get("title", name),
            description=header.get("description", ""),
            text=text,
            path=path,
            header=header,
            parameters=tuple(parameters),
        )
    return queries


@cache
def prepared_queries() -> dict[str, NamedQuery]:
    """The prepared forms of canned queries (``queries/prepared/``): the same question
    over the counts :mod:`kg.stores.statistics` prepares, with the same parameters."""
    return load_queries(queries_dir() / "prepared")


def get_query(name: str) -> NamedQuery:
    queries = load_queries()
    if name not in queries:
        raise PtmkgError(f"no query named {name!r}; 'ptmkg queries' lists them")
    return queries[name]


def prepare_query(
    store: GraphStore | None,
    name: str,
    params: Mapping[str, ParameterValue] | None = None,
    *,
    ordered: bool = True,
) -> str:
    """The query's SPARQL with its parameters bound (the store resolves model names).

    ``ordered=False`` leaves out its outermost ORDER BY, for callers that key the rows
    themselves and need not pay for the sort.
    """
    query = get_query(name)
    terms = resolve_parameters(list(query.parameters), params or {}, store, name)
    return bind(query.text, terms, ordered=ordered)


def run_query(
    store: GraphStore,
    name: str,
    params: Mapping[str, ParameterValue] | None = None,
    *,
    prepared: bool = True,
) -> QueryResult:
    """Run a canned query by name: ``run_query(store, "top-models", {"field": "Neuroscience"})``.

    A query with a prepared form is answered from the store's prepared statistics when
    they are fresh (the same rows, from counts made when the graph was written), else
    live; ``prepared=False`` always answers live. ``result.answered`` says which, and why.
    A query with a ``SERVICE`` block (``federated-*``) asks an outside endpoint, as a
    bind join (see :mod:`kg.query.federation`).
    """
    query = get_query(name)
    if query.is_federated:
        from kg.query.federation import run_federated

        return run_federated(store, query.text, list(query.parameters), params, query_name=name)
    form = prepared_queries().get(name) if prepared else None
    if form is not None:
        statistics = store.statistics()
        terms = resolve_parameters(list(query.parameters), params or {}, store, name)
        # The parameters are bound into the short prepared form, and its rows after: the
        # rows can be thousands of lines, which the SPARQL analysis of bind() would read
        # (and remember) each time.
        grouped = (
            bind_rows(bind(form.text, terms), terms, statistics.store)
            if statistics.store is not None
            else None
        )
        if statistics.store is not None and name in statistics.answers and grouped is not None:
            found = from_solutions(_query(statistics.store, grouped, None))
            assert isinstance(found, QueryResult)
            found.answered = f"from the {statistics.reason}"
            log.info("%s: answered %s", name, found.answered)
            return found
        if statistics.store is None:
            reason = statistics.reason
        elif grouped is None:
            reason = "a parameter has several values, the prepared statistics one each"
        else:
            reason = f"the {statistics.reason} do not cover it"
        result = run_sparql(store, prepare_query(store, name, params))
        result.answered = f"live: {reason}"
    else:
        result = run_sparql(store, prepare_query(store, name, params))
        result.answered = "live" + ("" if prepared else " (asked for)")
    log.info("%s: answered %s", name, result.answered)
    return result


def run_sparql(store: GraphStore, sparql: str) -> QueryResult:
    """Run a SELECT query and return its rows."""
    result = from_solutions(store.query(sparql))
    if not isinstance(result, QueryResult):
        raise PtmkgError("expected a SELECT query")
    return result


__all__ = [
    "NamedQuery",
    "QueryResult",
    "get_query",
    "load_queries",
    "prepare_query",
    "prepared_queries",
    "run_query",
    "run_sparql",
    "to_python",
]
