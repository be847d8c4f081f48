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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

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
from kg.sparql.analysis import analyse
from kg.sparql.ordering import sorted_rows
from kg.stores.embedded import EmbeddedStore, GraphStore, _query
from kg.stores.kept_answers import KEPT, answer
from kg.stores.statistics import bind_rows, kept_rows

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
    ordered: bool = True,
    positions: bool = False,
) -> QueryResult:
    """Run a canned query by name: ``run_query(store, "top-models", {"field": "Neuroscience"})``.

    A query with a prepared form is answered from the store's prepared statistics when
    they are fresh (the same rows, from counts made when the graph was written), else
    live; ``prepared=False`` always answers live. ``result.answered`` says which, and why.
    ``ordered=False`` is for callers that key the rows themselves: a live answer then
    comes in the engine's order, not sorted. ``positions=True`` is for callers that work
    on whole columns: an answer from kept rows then makes no dicts, its rows are in
    ``result.positions`` only (``rows`` and ``terms`` empty); a live answer is as always.
    A query with a ``SERVICE`` block (``federated-*``) asks an outside endpoint, as a
    bind join (see :mod:`kg.query.federation`).
    """
    query = get_query(name)
    if query.is_federated:
        from kg.query.federation import run_federated

        return run_federated(store, query.text, list(query.parameters), params, query_name=name)
    form = prepared_queries().get(name) if prepared else None
    # Oxigraph in this process sorts slowly (see kg.sparql.ordering): sorted here instead.
    sorts_here = isinstance(store, EmbeddedStore)
    kept = _kept_answer(store, query, params, positions) if prepared and name in KEPT else None
    if isinstance(kept, QueryResult):
        return kept
    if kept is not None:
        answered = kept
    elif form is not None:
        statistics = store.statistics()
        terms = resolve_parameters(list(query.parameters), params or {}, store, name)
        cells = statistics.store
        # The parameters are bound into the short prepared form, and its rows after: the
        # rows can be thousands of lines, which the SPARQL analysis of bind() would read
        # (and remember) each time.
        covered = cells is not None and bind_rows(form.text, terms, cells) is not None
        if cells is not None and name in statistics.answers and covered:
            found = _select(
                lambda ordered: (
                    bind_rows(bind(form.text, terms, ordered=ordered), terms, cells) or ""
                ),
                lambda text: _query(cells, text, None),
                _order_keys(form.text),
            )
            found.answered = f"from the {statistics.reason}"
            log.info("%s: answered %s", name, found.answered)
            return found
        if cells is None:
            reason = statistics.reason
        elif not covered:
            reason = "a parameter has several values, the prepared statistics one each"
        else:
            reason = f"the {statistics.reason} do not cover it"
        answered = f"live: {reason}"
    else:
        answered = "live" + ("" if prepared else " (asked for)")
    result = _select(
        lambda sort: prepare_query(store, name, params, ordered=sort and ordered),
        store.query,
        _order_keys(query.text) if sorts_here and ordered else None,
    )
    result.answered = answered
    log.info("%s: answered %s", name, result.answered)
    return result


def _kept_answer(
    store: GraphStore,
    query: NamedQuery,
    params: Mapping[str, ParameterValue] | None,
    positions: bool = False,
) -> QueryResult | str:
    """A kept query's answer from the rows kept when the graph was written
    (:mod:`kg.stores.kept_answers`), or why it is answered live."""
    statistics = store.statistics()
    if statistics.store is None:
        return f"live: {statistics.reason}"
    rows = kept_rows(statistics.store, query.name)
    if rows is None or query.name not in statistics.answers:
        return f"live: {query.name}'s rows were not kept with the {statistics.reason}"
    terms = resolve_parameters(list(query.parameters), params or {}, store, query.name)
    found = answer(KEPT[query.name], rows, terms)
    if found is None:
        return "live: a parameter has several values, the kept rows one each"
    result = QueryResult.from_positions(
        found.columns, found.terms, found.rows, python=not positions
    )
    result.answered = f"from the rows kept with the {statistics.reason}"
    log.info("%s: answered %s", query.name, result.answered)
    return result


def _order_keys(text: str) -> tuple[tuple[str, bool], ...] | None:
    """The outermost ORDER BY's variables, when rows may be sorted after the engine gave
    them (not when LIMIT or OFFSET follows: then the order picks the rows; nor when a key
    is not a column: the engine then sorts, rather than the query running twice)."""
    analysis = analyse(text, remember=True)
    return analysis.sortable_keys if analysis is not None else None


def _select(
    text: Callable[[bool], str],
    run: Callable[[str], object],
    keys: tuple[tuple[str, bool], ...] | None,
) -> QueryResult:
    """A SELECT's rows: ``text(ordered)`` is the query with or without its outermost
    ORDER BY; with ``keys`` (that ORDER BY's variables) the rows are sorted here where
    :func:`kg.sparql.ordering.sorted_rows` sorts their values exactly, else by the engine."""
    if keys is not None:
        solutions = run(text(False))
        if isinstance(solutions, ox.QuerySolutions):
            columns = [v.value for v in solutions.variables]
            terms = [list(solution) for solution in solutions]
            del solutions  # pyoxigraph's solutions may only be dropped by their own thread
            ordered = sorted_rows(columns, terms, keys)
            if ordered is not None:
                return QueryResult.from_terms(columns, ordered)
    result = from_solutions(run(text(True)))  # type: ignore[arg-type]
    if not isinstance(result, QueryResult):
        raise PtmkgError("expected a SELECT query")
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
