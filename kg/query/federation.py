"""Federated questions: canned queries that join our graph with an outside SPARQL endpoint.

A federated query file (``queries/federated-*.rq``) is plain SPARQL 1.1 with one
``SERVICE <endpoint> { ... }`` block, so other engines run it as it is. It
declares an ``endpoint`` parameter (type ``iri``) and marks, inside the block,
the variables that join the outside answers with ours::

    # param: endpoint iri required The SPARQL endpoint to ask.
    SELECT ?model ?item ?description WHERE {
      #@bind endpoint
      ?model ptm:wikidataItem ?item .
      SERVICE <https://query.wikidata.org/sparql> {
        #@join item
        ?item schema:description ?description .
      }
    }

Why not let Oxigraph run the ``SERVICE`` itself? Embedded pyoxigraph does
support it, but it sends the block to the endpoint alone, without the values
our graph binds (``SELECT * WHERE { ?item schema:description ?description }``):
against Wikidata that asks for every description there is. So ptmkg evaluates
the block as a bind join, here and nowhere else:

1. the query's ``WHERE`` without the block runs on our graph, giving the values
   of the join variables;
2. the block is sent to the endpoint with those values in a ``VALUES`` clause,
   in batches, through the paced and retrying client of :mod:`kg.http`;
3. the block is replaced by a ``VALUES`` clause of the endpoint's answers, and
   the whole query runs on our graph: joins, ``OPTIONAL``, grouping and order
   keep their SPARQL meaning.

The query is read by the one SPARQL analysis (:mod:`kg.sparql.analysis`): it finds
the block, its ``SILENT``, and the query's ``WHERE`` group by parsing, so braces or
keywords inside strings, IRIs and comments are never taken for structure.

The endpoint is the ``endpoint`` parameter, turned into an IRI by
:mod:`kg.query.parameters` (pyoxigraph checks it) and required to be http(s); the
IRI written in the file is only the default for other engines. Every value
that reaches a query text, ours or the endpoint's, is an RDF term serialised by
pyoxigraph, never pasted text. Blank nodes in the endpoint's answers are left
unbound. ``SERVICE SILENT`` turns a failing endpoint into no answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from kg.errors import PtmkgError
from kg.http import HttpClient, HttpError, RetryPolicy, sparql_select, validate_endpoint
from kg.query.parameters import Parameter, ParameterValue, bind, resolve_parameters
from kg.query.results import QueryResult, from_solutions
from kg.sparql.analysis import Analysis, ServiceBlock, analyse, read_error
from kg.stores.embedded import GraphStore

ENDPOINT_PARAMETER = "endpoint"
#: Join values per request to the endpoint.
BATCH_SIZE = 200

_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ------------------------------------------------------------ reading the text


def _analysis(text: str, remember: bool = False) -> Analysis:
    analysis = analyse(text, remember=remember)
    if analysis is None:
        raise read_error(text) or PtmkgError("the federated query is not SPARQL")
    return analysis


def find_service(text: str, *, remember: bool = False) -> ServiceBlock | None:
    """The query's one SERVICE block (read by :mod:`kg.sparql.analysis`), or None.

    ``remember=True`` keeps the analysis on disk, for query templates."""
    services = _analysis(text, remember).services
    if not services:
        return None
    if len(services) > 1:
        raise PtmkgError("a federated query has exactly one SERVICE block")
    (service,) = services
    if service.endpoint is None:
        raise PtmkgError("SERVICE must name its endpoint with an IRI <...>, not a variable")
    if not service.joins:
        raise PtmkgError("the SERVICE block names its join variables with a '#@join NAME' line")
    return service


# ------------------------------------------------------------ running


Row = dict[str, ox.NamedNode | ox.Literal]


def _values(variables: list[str], rows: Sequence[Mapping[str, ox.NamedNode | ox.Literal]]) -> str:
    head = " ".join(f"?{v}" for v in variables)
    body = " ".join(
        "(" + " ".join(str(row[v]) if v in row else "UNDEF" for v in variables) + ")"
        for row in rows
    )
    return f"VALUES ({head}) {{ {body} }}"


def run_federated(
    store: GraphStore,
    text: str,
    declared: list[Parameter],
    params: Mapping[str, ParameterValue] | None = None,
    *,
    query_name: str = "query",
    client: HttpClient | None = None,
    batch_size: int = BATCH_SIZE,
) -> QueryResult:
    """Run a federated query text (with its declared parameters) as a bind join."""
    terms = resolve_parameters(declared, params or {}, store, query_name)
    endpoint_terms = terms.get(ENDPOINT_PARAMETER)
    if not endpoint_terms or not isinstance(endpoint_terms[0], ox.NamedNode):
        raise PtmkgError(
            f"query {query_name} needs --param {ENDPOINT_PARAMETER}=URL (the SPARQL endpoint)"
        )
    endpoint = validate_endpoint(endpoint_terms[0].value)
    analysis = _analysis(bind(text, terms))
    bound = analysis.text
    service = find_service(bound)
    if service is None:
        raise PtmkgError(f"query {query_name} has no SERVICE block")
    if analysis.form != "SELECT" or analysis.query is None or analysis.where is None:
        raise PtmkgError("a federated query must be a SELECT query with a WHERE { ... } group")
    prologue = analysis.prologue
    opening, closing = analysis.where.start, analysis.where.end
    local_where = bound[opening : service.start] + "{}" + bound[service.end : closing]
    joins = list(service.joins)
    join_rows = _join_rows(store, prologue, joins, local_where)
    client = client or HttpClient(RetryPolicy(requests_per_second=1.0))
    variables: list[str] = list(joins)
    answers: list[Row] = []
    failed = False
    for start in range(0, len(join_rows), batch_size):
        batch = join_rows[start : start + batch_size]
        remote = (
            prologue + "SELECT * WHERE {\n  " + _values(joins, batch) + "\n" + service.pattern + "}"
        )
        failure: HttpError | None = None
        try:
            head, rows = sparql_select(client, endpoint, remote)
        except HttpError as exc:
            # Raised again below without the frames that failed: they hold pyoxigraph
            # solutions, which must be dropped on the thread that made them.
            failure = exc.with_traceback(None)
            failure.__context__ = None
        if failure is not None:
            if not service.silent:
                raise failure
            failed = True
            break
        for name in head:
            if not _VARIABLE.match(name):
                raise PtmkgError(f"{endpoint} answered with a strange variable name {name!r}")
            if name not in variables:
                variables.append(name)
        answers.extend(rows)
    replacement = "{}" if failed else _values(variables, answers)
    final = bound[: service.start] + replacement + bound[service.end :]
    result = from_solutions(store.query(final))
    if not isinstance(result, QueryResult):
        raise PtmkgError("expected a SELECT query")
    return result


def _join_rows(store: GraphStore, prologue: str, joins: list[str], where: str) -> list[Row]:
    """The distinct values our graph gives the join variables (rows with one left unbound kept)."""
    solutions = store.query(
        prologue + f"SELECT DISTINCT {' '.join('?' + v for v in joins)} WHERE {where}"
    )
    if not isinstance(solutions, ox.QuerySolutions):
        raise PtmkgError("the federated query's WHERE gave no solutions")
    rows: list[Row] = []
    for solution in solutions:
        row: Row = {}
        for name in joins:
            value = solution[name]
            if isinstance(value, ox.NamedNode | ox.Literal):
                row[name] = value
        if row:
            rows.append(row)
    return sorted(rows, key=lambda r: tuple(str(r.get(v, "")) for v in joins))
