"""Which outside endpoints a SPARQL text's ``SERVICE`` blocks would ask, and refusing them.

Oxigraph evaluates ``SERVICE <url> { ... }`` by sending an HTTP request to ``url``. A
query that came from someone else (a web page, a colleague's client of ``ptmkg serve``,
a pasted ``ptmkg sparql``) could so make this machine fetch internal addresses (SSRF).
So ``SERVICE`` is off by default: a query that asks any endpoint not on the caller's
allow-list is refused before it runs, and the allow-list entry ``*`` allows any.

The endpoints are read by the one SPARQL analysis (:mod:`kg.sparql.analysis`), which
finds ``SERVICE`` inside ``OPTIONAL``, ``FILTER EXISTS``, subqueries and updates'
``WHERE``; a regular expression over the text would miss or invent some. A ``SERVICE``
whose endpoint is a variable (or a prefixed name) could ask anything and is allowed only
by ``*``. Should the grammar not read a text that Oxigraph would (an engine extension),
the text is refused if the word ``SERVICE`` occurs in it at all.

Canned federated queries (``queries/federated-*.rq``) never reach here: ptmkg evaluates
their block itself, against the endpoint the user names (:mod:`kg.query.federation`).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from kg.errors import PtmkgError

ANY_SERVICE = "*"
_SERVICE_WORD = re.compile(r"\bSERVICE\b", re.IGNORECASE)


class ServiceRefused(PtmkgError):
    """A query's ``SERVICE`` would ask an endpoint that is not allowed."""


def service_endpoints(text: str) -> list[str | None]:
    """The endpoint IRIs the text's ``SERVICE`` blocks ask, in order; ``None`` for a
    variable. Raises :class:`SyntaxError` if the grammar cannot read the text."""
    from kg.sparql.analysis import analyse

    analysis = analyse(text)
    if analysis is None:
        raise SyntaxError("not SPARQL the grammar reads")
    return [block.endpoint for block in analysis.services]


def check_services(text: str, allowed: Collection[str] = (), *, update: bool = False) -> None:
    """Refuse ``text`` if a ``SERVICE`` in it asks an endpoint not in ``allowed``."""
    if not _SERVICE_WORD.search(text) or ANY_SERVICE in allowed:
        return
    try:
        endpoints = service_endpoints(text)
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
