"""Which outside endpoints a SPARQL text's ``SERVICE`` blocks would ask, and refusing them.

Oxigraph evaluates ``SERVICE <url> { ... }`` by sending an HTTP request to ``url``. A
query that came from someone else (a web page, a colleague's client of ``ptmkg serve``,
a pasted ``ptmkg sparql``) could so make this machine fetch internal addresses (SSRF).
So ``SERVICE`` is off by default: a query that asks any endpoint not on the caller's
allow-list is refused before it runs, and the allow-list entry ``*`` allows any.

The endpoints are read with rdflib's SPARQL parser and algebra, which resolve prefixed
names, and find ``SERVICE`` inside ``OPTIONAL``, ``FILTER EXISTS``, subqueries and
updates' ``WHERE``; a regular expression over the text would miss or invent some. A
``SERVICE ?variable`` could ask anything and is allowed only by ``*``. Should rdflib not
read a text that Oxigraph would (an engine extension), the text is refused if the word
``SERVICE`` occurs in its code at all.

Canned federated queries (``queries/federated-*.rq``) never reach here: ptmkg evaluates
their block itself, against the endpoint the user names (:mod:`kg.query.federation`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from kg.errors import PtmkgError
from kg.rdf.namespaces import PREFIXES

ANY_SERVICE = "*"
_SERVICE_WORD = re.compile(r"\bSERVICE\b", re.IGNORECASE)


class ServiceRefused(PtmkgError):
    """A query's ``SERVICE`` would ask an endpoint that is not allowed."""


def service_endpoints(text: str, *, update: bool = False) -> list[str | None]:
    """The endpoint IRIs the text's ``SERVICE`` blocks ask, in order; ``None`` for a
    variable. Raises :class:`SyntaxError` if rdflib cannot read the text."""
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.term import URIRef

    try:
        if update:
            tree: Any = translateUpdate(parseUpdate(text), initNs=dict(PREFIXES)).algebra
        else:
            tree = translateQuery(parseQuery(text), initNs=dict(PREFIXES)).algebra
    except Exception as exc:  # pyparsing's and rdflib's own errors: the text is unread
        raise SyntaxError(str(exc)) from None
    return [str(term) if isinstance(term, URIRef) else None for term in _services(tree)]


def _services(node: Any) -> Iterator[Any]:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            yield node.get("term")
        for value in node.values():
            yield from _services(value)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _services(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _services(value)


def check_services(text: str, allowed: Collection[str] = (), *, update: bool = False) -> None:
    """Refuse ``text`` if a ``SERVICE`` in it asks an endpoint not in ``allowed``."""
    from kg.query.sparql import skeleton

    if not _SERVICE_WORD.search(skeleton(text)):
        return  # no SERVICE in the code (strings, IRIs and comments aside)
    if ANY_SERVICE in allowed:
        return
    try:
        endpoints = service_endpoints(text, update=update)
    except SyntaxError:
        raise ServiceRefused(
            "this query has a SERVICE that ptmkg cannot check (its SPARQL reader could "
            "not read the query), so it is not run; SERVICE is off unless allowed"
        ) from None
    for endpoint in endpoints:
        if endpoint is None:
            raise ServiceRefused(
                "SERVICE with a variable could ask any address, so it is not run; "
                f"allow every endpoint with {ANY_SERVICE!r} if you trust the query"
            )
        if endpoint not in allowed:
            raise ServiceRefused(
                f"SERVICE <{endpoint}> is not run: queries may not make this machine fetch "
                f"other addresses unless the endpoint is allowed (--allow-service {endpoint})"
            )
