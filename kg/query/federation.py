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

The endpoint is the ``endpoint`` parameter, turned into an IRI by
:mod:`kg.query.parameters` (pyoxigraph checks it) and required to be http(s); the
IRI written in the file is only the default for other engines. Every value
that reaches a query text, ours or the endpoint's, is an RDF term serialised by
pyoxigraph, never pasted text. Blank nodes in the endpoint's answers are left
unbound. ``SERVICE SILENT`` turns a failing endpoint into no answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import PtmkgError
from kg.http import HttpClient, HttpError, RetryPolicy, sparql_select, validate_endpoint
from kg.query.parameters import bind, resolve_parameters
from kg.query.results import QueryResult, from_solutions
from kg.stores.embedded import GraphStore

ENDPOINT_PARAMETER = "endpoint"
#: Join values per request to the endpoint.
BATCH_SIZE = 200

_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_]\w*")
_JOIN_MARKER = re.compile(r"^[ \t]*#@join((?:[ \t]+[A-Za-z_][A-Za-z0-9_]*)+)[ \t]*$", re.MULTILINE)
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ServiceBlock:
    """Where the ``SERVICE`` block sits in a query text, and what it asks."""

    start: int  # index of the SERVICE keyword
    end: int  # index just after the block's closing brace
    pattern: str  # the text between the block's braces
    silent: bool
    joins: tuple[str, ...]  # the join variables, without '?'


# ------------------------------------------------------------ reading the text


def _tokens(text: str):
    """(index, token) of the code outside comments, strings and IRIs; braces are tokens."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif ch in "\"'":
            triple = text[i : i + 3]
            if triple in ('"""', "'''"):
                close = text.find(triple, i + 3)
                while close > 0 and text[close - 1] == "\\":
                    close = text.find(triple, close + 1)
                i = n if close < 0 else close + 3
            else:
                j = i + 1
                while j < n and text[j] != ch:
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
        elif ch == "<" and (match := _IRI.match(text, i)):
            yield i, match.group(0)
            i = match.end()
        elif ch in "{}":
            yield i, ch
            i += 1
        elif (match := _WORD.match(text, i)) and (i == 0 or not _is_name_char(text[i - 1])):
            yield i, match.group(0)
            i = match.end()
        else:
            i += 1


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_?$:-."


def find_service(text: str) -> ServiceBlock | None:
    """The query's one SERVICE block, or None if it has none."""
    tokens = list(_tokens(text))
    services = [k for k, (_, token) in enumerate(tokens) if token.upper() == "SERVICE"]
    if not services:
        return None
    if len(services) > 1:
        raise PtmkgError("a federated query has exactly one SERVICE block")
    k = services[0]
    start = tokens[k][0]
    silent = k + 1 < len(tokens) and tokens[k + 1][1].upper() == "SILENT"
    k += 2 if silent else 1
    if k + 1 >= len(tokens) or not tokens[k][1].startswith("<") or tokens[k + 1][1] != "{":
        raise PtmkgError("SERVICE must be followed by an endpoint IRI <...> and a { ... } block")
    open_index = tokens[k + 1][0]
    depth = 0
    for index, token in tokens[k + 1 :]:
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                pattern = text[open_index + 1 : index]
                joins = tuple(
                    name for m in _JOIN_MARKER.finditer(pattern) for name in m.group(1).split()
                )
                if not joins:
                    raise PtmkgError(
                        "the SERVICE block names its join variables with a '#@join NAME' line"
                    )
                return ServiceBlock(start, index + 1, pattern, silent, joins)
    raise PtmkgError("the SERVICE block is not closed")


def _where_group(text: str) -> tuple[int, int, int]:
    """(index of the SELECT keyword, of the WHERE group's '{', just after its '}')."""
    select = opening = None
    depth = 0
    for index, token in _tokens(text):
        if select is None and token.upper() == "SELECT":
            select = index
        elif token == "{":
            if depth == 0 and opening is None:
                opening = index
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0 and opening is not None:
                if select is None or select > opening:
                    break
                return select, opening, index + 1
    raise PtmkgError("a federated query must be a SELECT query with a WHERE { ... } group")


# ------------------------------------------------------------ running


def _values(variables: list[str], rows: list[Mapping[str, ox.NamedNode | ox.Literal]]) -> str:
    head = " ".join(f"?{v}" for v in variables)
    body = " ".join(
        "(" + " ".join(str(row[v]) if v in row else "UNDEF" for v in variables) + ")"
        for row in rows
    )
    return f"VALUES ({head}) {{ {body} }}"


def run_federated(
    store: GraphStore,
    text: str,
    declared: list,
    params: Mapping[str, object] | None = None,
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
    bound = bind(text, terms)
    service = find_service(bound)
    if service is None:
        raise PtmkgError(f"query {query_name} has no SERVICE block")
    select, opening, closing = _where_group(bound)
    prologue = bound[:select]
    local_where = bound[opening : service.start] + "{}" + bound[service.end : closing]
    joins = list(service.joins)
    join_rows = _join_rows(store, prologue, joins, local_where)
    client = client or HttpClient(RetryPolicy(requests_per_second=1.0))
    variables: list[str] = list(joins)
    answers: list[dict] = []
    failed = False
    for start in range(0, len(join_rows), batch_size):
        batch = join_rows[start : start + batch_size]
        remote = (
            prologue + "SELECT * WHERE {\n  " + _values(joins, batch) + "\n" + service.pattern + "}"
        )
        try:
            head, rows = sparql_select(client, endpoint, remote)
        except HttpError:
            if not service.silent:
                raise
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


def _join_rows(store: GraphStore, prologue: str, joins: list[str], where: str) -> list[dict]:
    """The distinct values our graph gives the join variables (rows with one left unbound kept)."""
    solutions = store.query(
        prologue + f"SELECT DISTINCT {' '.join('?' + v for v in joins)} WHERE {where}"
    )
    rows = []
    for solution in solutions:
        row = {}
        for name in joins:
            value = solution[name]
            if isinstance(value, ox.NamedNode | ox.Literal):
                row[name] = value
        if row:
            rows.append(row)
    return sorted(rows, key=lambda r: tuple(str(r.get(v, "")) for v in joins))
