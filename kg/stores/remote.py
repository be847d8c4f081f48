"""A SPARQL server as a graph store: every command runs against it over the SPARQL 1.1 Protocol.

:class:`RemoteStore` implements :class:`kg.stores.embedded.GraphStore` with SPARQLWrapper for
queries and updates and the SPARQL 1.1 Graph Store Protocol (GSP) for whole graphs.
Results come back as the same pyoxigraph objects the embedded store returns
(``pyoxigraph.parse_query_results`` and ``pyoxigraph.parse``), so every command
works unchanged.

What a server must offer: a default graph that is the **union of all named
graphs**, as the embedded store's queries see it (Oxigraph: ``oxigraph serve
--union-default-graph``; Virtuoso's default graph is already the union). A
store whose sources are not visible in the default graph is reported on the
first query.

**Dialect differences** are handled here and nowhere else (see
:func:`normalise_literal`), or by the canned queries keeping to the portable
subset of SPARQL; the README lists them.

Credentials (:mod:`kg.credentials`) go in HTTP headers only; every message this
module raises has them removed. Requests time out, and failures that may pass
(connection refused or reset, timeouts, HTTP 429, 502, 503, 504) are retried with
exponential backoff.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import http.client
import io
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import pyoxigraph as ox
from SPARQLWrapper import DIGEST, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.credentials import Credentials, endpoint_settings, resolve_credentials, split_userinfo
from kg.errors import PtmkgError
from kg.rdf.namespaces import ONTOLOGY_IRI, PREFIXES, PTM, XSD
from kg.stores.embedded import GraphStore, GraphWriter

ENDPOINT_ENV = "PTMKG_ENDPOINT"
TIMEOUT_ENV = "PTMKG_ENDPOINT_TIMEOUT"
RETRIES_ENV = "PTMKG_ENDPOINT_RETRIES"
BACKOFF_ENV = "PTMKG_ENDPOINT_BACKOFF"
DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 1.0
USER_AGENT = "ptmkg (SPARQLWrapper)"

#: HTTP statuses worth another try: the server is busy or a proxy could not reach it.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SELECT_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: Virtuoso says in this header that it cut a result at its ResultSetMaxRows.
TRUNCATION_HEADER = "X-SPARQL-MaxRows"

T = TypeVar("T")

# Known server layouts: the update and Graph Store Protocol URLs beside a query URL.
# Anything else needs --update-endpoint (and --gsp-endpoint to push through the GSP).
ENDPOINT_LAYOUTS: tuple[tuple[str, str, str | None], ...] = (
    # (query path suffix, update suffix, GSP suffix)
    ("/query", "/update", "/store"),  # Oxigraph server
    ("/sparql-auth", "/sparql-auth", "/sparql-graph-crud-auth"),  # Virtuoso, authenticated
    ("/sparql", "/sparql", "/sparql-graph-crud"),  # Virtuoso, and many servers' query=update
)


class EndpointError(PtmkgError):
    """A request to a SPARQL endpoint failed; the message never holds a credential."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------ dialects


_BOOLEAN_FORMS = {"1": "true", "0": "false", "true": "true", "false": "false"}


def normalise_literal(value: str, datatype: str | None) -> str:
    """A literal's lexical form as the embedded store writes it.

    The one place that smooths over how servers spell values: Virtuoso stores an
    ``xsd:boolean`` as a number and returns ``"1"``/``"0"``, which are valid but not
    canonical forms of true and false.
    """
    if datatype == XSD + "boolean":
        return _BOOLEAN_FORMS.get(value.strip(), value)
    return value


def _normalise_json_results(document: dict[str, Any]) -> dict[str, Any]:
    for binding in document.get("results", {}).get("bindings", []):
        for term in binding.values():
            _normalise_json_term(term)
    return document


def _normalise_json_term(term: dict[str, Any]) -> None:
    if term.get("type") in ("literal", "typed-literal") and "datatype" in term:
        term["value"] = normalise_literal(term["value"], term["datatype"])
    elif term.get("type") == "triple":
        for part in term.get("value", {}).values():
            _normalise_json_term(part)


def _normalise_term(term: Any) -> Any:
    if isinstance(term, ox.Literal) and not term.language:
        value = normalise_literal(term.value, term.datatype.value)
        if value != term.value:
            return ox.Literal(value, datatype=term.datatype)
    return term


def _normalise_triple(triple: ox.Triple) -> ox.Triple:
    return ox.Triple(triple.subject, triple.predicate, _normalise_term(triple.object))


# ------------------------------------------------------------ settings


@dataclass(frozen=True)
class EndpointSettings:
    """How to talk to one server: its URLs, who to be, and how patient to be."""

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    credentials: Credentials | None = None
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF

    @classmethod
    def from_options(
        cls,
        endpoint: str,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
    ) -> EndpointSettings:
        """Settings from the command line, then the environment, then the config file.

        User-info in any of the URLs is taken as the credentials and removed from the URL.
        """
        query_url, user, password = split_userinfo(endpoint.strip())
        _check_url(query_url, "--endpoint")
        update_url = gsp_url = None
        for given, name in ((update_endpoint, "update"), (gsp_endpoint, "gsp")):
            if not given:
                continue
            clean, other_user, other_password = split_userinfo(given.strip())
            _check_url(clean, f"--{name}-endpoint")
            user, password = user or other_user, password or other_password
            if name == "update":
                update_url = clean
            else:
                gsp_url = clean
        layout_update, layout_gsp = _layout(query_url)
        settings = endpoint_settings(query_url)
        credentials = resolve_credentials(query_url, user, password)

        def pick(value: Any, env: str, key: str, default: Any, kind: Callable[[Any], Any]) -> Any:
            for candidate, where in (
                (value, "the command line"),
                (os.environ.get(env), env),
                (settings.get(key), "the endpoint settings"),
            ):
                if candidate is None or candidate == "":
                    continue
                try:
                    chosen = kind(candidate)
                except (TypeError, ValueError):
                    raise PtmkgError(f"{key} from {where} is not a number: {candidate!r}") from None
                if chosen < 0:
                    raise PtmkgError(f"{key} from {where} must not be negative")
                return chosen
            return default

        return cls(
            query_url=query_url,
            update_url=update_url or layout_update,
            gsp_url=gsp_url or layout_gsp,
            credentials=credentials,
            timeout=pick(timeout, TIMEOUT_ENV, "timeout", DEFAULT_TIMEOUT, float),
            retries=pick(retries, RETRIES_ENV, "retries", DEFAULT_RETRIES, int),
            backoff=pick(backoff, BACKOFF_ENV, "backoff", DEFAULT_BACKOFF, float),
        )


def _check_url(url: str, option: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PtmkgError(
            f"{option} takes an http:// or https:// URL of a SPARQL endpoint, "
            f"such as http://localhost:7878/query"
        )


def _layout(query_url: str) -> tuple[str | None, str | None]:
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")
    for query_suffix, update_suffix, gsp_suffix in ENDPOINT_LAYOUTS:
        if path.endswith(query_suffix):
            base = path[: -len(query_suffix)]
            update = urllib.parse.urlunsplit(parts._replace(path=base + update_suffix))
            gsp = (
                urllib.parse.urlunsplit(parts._replace(path=base + gsp_suffix, query=""))
                if gsp_suffix
                else None
            )
            return update, gsp
    return query_url, None


# ------------------------------------------------------------ the store


class RemoteStore(GraphStore):
    """A SPARQL 1.1 server, read with queries and written with updates or the GSP."""

    def __init__(self, settings: EndpointSettings | str) -> None:
        if isinstance(settings, str):
            settings = EndpointSettings.from_options(settings)
        self.settings = settings
        self.location = settings.query_url
        self._union_checked = False

    @classmethod
    def from_options(
        cls,
        endpoint: str,
        update_endpoint: str | None = None,
        gsp_endpoint: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
    ) -> RemoteStore:
        """``RemoteStore.from_options("http://localhost:7878/query")``; see
        :meth:`EndpointSettings.from_options` for where each setting comes from."""
        return cls(
            EndpointSettings.from_options(
                endpoint, update_endpoint, gsp_endpoint, timeout, retries, backoff
            )
        )

    # ------------------------------------------------------------ errors and retries

    def redact(self, text: str) -> str:
        credentials = self.settings.credentials
        return credentials.redact(text) if credentials else text

    def _fail(self, action: str, reason: str, status: int | None = None) -> EndpointError:
        reason = " ".join(reason.split())
        if len(reason) > 600:
            reason = reason[:597] + "..."
        return EndpointError(self.redact(f"{action} at {self.location} failed: {reason}"), status)

    def _with_retries(self, action: str, attempt: Callable[[], T]) -> T:
        """Run one request, retrying what may pass, and turn every failure into a message."""
        tries = self.settings.retries + 1
        for number in range(1, tries + 1):
            try:
                return attempt()
            except EndpointError:
                raise
            except (urllib.error.HTTPError, SPARQLWrapperException) as exc:
                status, detail = _http_failure(exc)
                if status in RETRY_STATUSES and number < tries:
                    self._pause(number)
                    continue
                raise self._fail(action, detail, status) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError,
                    http.client.HTTPException) as exc:
                if number < tries:
                    self._pause(number)
                    continue
                reason = getattr(exc, "reason", exc)
                if isinstance(exc, http.client.IncompleteRead):
                    reason = "the server closed the connection part-way through its answer"
                raise self._fail(
                    action, f"{_describe(reason)} (after {tries} tr{'y' if tries == 1 else 'ies'})"
                ) from None
            except (OSError, ValueError) as exc:
                raise self._fail(action, _describe(exc)) from None
        raise AssertionError("unreachable")

    def _pause(self, attempt: int) -> None:
        time.sleep(self.settings.backoff * 2 ** (attempt - 1))

    # ------------------------------------------------------------ SPARQL protocol

    def _wrapper(self, update: bool = False) -> SPARQLWrapper:
        settings = self.settings
        if update and not settings.update_url:
            raise PtmkgError("this endpoint takes no updates: give --update-endpoint")
        wrapper = SPARQLWrapper(
            settings.query_url, updateEndpoint=settings.update_url, agent=USER_AGENT
        )
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        if settings.timeout:
            wrapper.setTimeout(int(max(1, round(settings.timeout))))
        credentials = settings.credentials
        if credentials and credentials.scheme == "bearer":
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {credentials.token}")
        elif credentials and credentials.scheme == "digest":
            wrapper.setHTTPAuth(DIGEST)
            wrapper.setCredentials(
                credentials.user or "", credentials.password or "", realm=credentials.realm
            )
        elif credentials:
            wrapper.addCustomHttpHeader("Authorization", _basic(credentials))
        return wrapper

    def _prologue(self) -> str:
        return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())

    def _send_query(self, sparql: str, form: str, accept: str) -> tuple[bytes, str, dict[str, str]]:
        def attempt() -> tuple[bytes, str, dict[str, str]]:
            wrapper = self._wrapper()
            wrapper.setQuery(sparql)
            wrapper.queryType = form  # ptmkg has classified it; SPARQLWrapper's guess may differ
            wrapper.addCustomHttpHeader("Accept", accept)
            response = wrapper.query().response
            try:
                body = response.read()
                headers = {k.lower(): v for k, v in response.info().items()}
            finally:
                response.close()
            return body, headers.get("content-type", ""), headers

        return self._with_retries("the query", attempt)

    def query(self, sparql, substitutions=None):
        """Run a query over the server's default graph (which must be the union of its graphs)."""
        self._check_union_default_graph()
        return self._query(sparql, substitutions)

    def _query(self, sparql: str, substitutions: dict[str, Any] | None = None) -> Any:
        """Run a query as it is: for queries that name their graphs, whatever the default."""
        from kg.query.sparql import query_form

        text = self._prologue() + sparql + _values_clause(substitutions)
        form = query_form(sparql)
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        try:
            body, content_type, headers = self._send_query(
                text, form, GRAPH_ACCEPT if graph_form else SELECT_ACCEPT
            )
        except EndpointError as exc:
            if exc.status == 400:
                _raise_local_syntax_error(sparql)
            raise
        if TRUNCATION_HEADER.lower() in headers:
            raise self._fail(
                "the query",
                f"the server cut the result at {headers[TRUNCATION_HEADER.lower()]} rows "
                f"(raise its limit: Virtuoso's ResultSetMaxRows in the [SPARQL] section)",
            )
        media_type = content_type.split(";")[0].strip().lower()
        try:
            if graph_form:
                rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
                return [_normalise_triple(t) for t in ox.parse(body, rdf_format)]
            if media_type in ("application/sparql-results+json", "application/json", ""):
                document = _normalise_json_results(json.loads(body))
                return ox.parse_query_results(
                    json.dumps(document).encode("utf-8"), format=ox.QueryResultsFormat.JSON
                )
            results_format = ox.QueryResultsFormat.from_media_type(media_type)
            if results_format is None:
                raise ValueError(f"an answer of type {media_type!r} that is not SPARQL results")
            parsed = ox.parse_query_results(body, format=results_format)
            if isinstance(parsed, ox.QuerySolutions):
                # Re-read through JSON so that one normalisation covers every format.
                buffer = io.BytesIO()
                parsed.serialize(buffer, ox.QueryResultsFormat.JSON)
                document = _normalise_json_results(json.loads(buffer.getvalue()))
                return ox.parse_query_results(
                    json.dumps(document).encode("utf-8"), format=ox.QueryResultsFormat.JSON
                )
            return parsed
        except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
            raise self._fail("reading the query's answer", str(exc)) from None

    def _check_union_default_graph(self) -> None:
        """Fail clearly if the sources' graphs are not in the server's default graph."""
        if self._union_checked:
            return
        self._union_checked = True
        hidden = (
            f"ASK {{ GRAPH ?g {{ ?source a <{PTM}Source> }} "
            f"FILTER NOT EXISTS {{ ?source a <{PTM}Source> }} }}"
        )
        if bool(self._query(hidden)):
            raise PtmkgError(
                f"the SPARQL server at {self.location} does not query the union of its named "
                f"graphs by default, which ptmkg's queries need: start Oxigraph with "
                f"'oxigraph serve --union-default-graph' (Virtuoso does this already)"
            )

    def update(self, sparql: str) -> None:
        """Send a SPARQL update (prefixes predeclared). The server decides its atomicity."""

        def attempt() -> None:
            wrapper = self._wrapper(update=True)
            wrapper.setQuery(self._prologue() + sparql)
            wrapper.queryType = "INSERT"  # any update keyword: SPARQLWrapper then sends update=
            response = wrapper.query().response
            response.read()
            response.close()

        self._with_retries("the update", attempt)

    # ------------------------------------------------------------ graphs

    def named_graphs(self) -> list[str]:
        """The graphs ptmkg wrote: every source's graph and the ontology's."""
        rows = self._query(
            f"SELECT DISTINCT ?g WHERE {{ {{ GRAPH ?g {{ ?g a <{PTM}Source> }} }} UNION "
            f"{{ GRAPH ?g {{ <{ONTOLOGY_IRI}> ?p ?o }} FILTER(?g = <{ONTOLOGY_IRI}>) }} }}"
        )
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def count_triples(self, graph: str) -> int:
        rows = list(
            self._query(
                f"SELECT (COUNT(*) AS ?triples) WHERE {{ GRAPH {ox.NamedNode(graph)} "
                f"{{ ?s ?p ?o }} }}"
            )
        )
        term = rows[0]["triples"] if rows else None
        return int(term.value) if term is not None else 0

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one named graph, checked against the server's count of them."""
        iri = ox.NamedNode(graph)
        triples = set(
            self._query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}")
        )
        expected = self.count_triples(graph)
        if len(triples) < expected:
            raise self._fail(
                f"reading the graph {graph}",
                f"the server sent {len(triples):,} of its {expected:,} triples (a result size "
                f"limit? Virtuoso's is ResultSetMaxRows)",
            )
        return sorted(triples, key=str)

    def dump(self, output: IO[bytes], rdf_format: ox.RdfFormat, graph: str | None = None) -> None:
        graphs = [graph] if graph is not None else self.named_graphs()
        if rdf_format.supports_datasets and graph is None:
            quads: Iterable[ox.Quad | ox.Triple] = (
                ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
                for name in graphs
                for t in self.graph_triples(name)
            )
        else:
            union: set[ox.Triple] = set()
            for name in graphs:
                union.update(self.graph_triples(name))
            ordered = sorted(union, key=str)
            quads = (
                (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ordered)
                if rdf_format.supports_datasets
                else ordered
            )
        ox.serialize(quads, output, rdf_format, prefixes=PREFIXES)

    def is_empty(self) -> bool:
        return not self.named_graphs()

    def writing(self, fresh: bool = False) -> contextlib.AbstractContextManager[GraphWriter]:
        raise PtmkgError(
            f"{self.location} is a SPARQL server: build into a local store, then copy it "
            f"there with 'ptmkg push --endpoint URL'"
        )

    # ------------------------------------------------------------ writing whole graphs

    def drop_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")

    def insert_triples(self, graph: str, ntriples: bytes) -> None:
        """Add N-Triples to a named graph with SPARQL Update ``INSERT DATA``."""
        text = ntriples.decode("utf-8")
        self.update(f"INSERT DATA {{ GRAPH {ox.NamedNode(graph)} {{\n{text}}} }}")

    def store_triples(self, graph: str, ntriples: bytes, replace: bool) -> None:
        """Graph Store Protocol: PUT (replace the graph) or POST (add to it) N-Triples."""
        if not self.settings.gsp_url:
            raise PtmkgError("this endpoint has no Graph Store Protocol URL: give --gsp-endpoint")
        separator = "&" if "?" in self.settings.gsp_url else "?"
        url = f"{self.settings.gsp_url}{separator}{urllib.parse.urlencode({'graph': graph})}"

        def attempt() -> None:
            request = urllib.request.Request(
                url,
                data=ntriples,
                method="PUT" if replace else "POST",
                headers={"Content-Type": "application/n-triples", "User-Agent": USER_AGENT},
            )
            with self._opener().open(request, timeout=self.settings.timeout or None) as answer:
                answer.read()

        self._with_retries(f"storing the graph {graph}", attempt)

    def _opener(self) -> urllib.request.OpenerDirector:
        credentials = self.settings.credentials
        handlers: list[urllib.request.BaseHandler] = []
        if credentials and credentials.scheme == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(
                None, self.settings.gsp_url or "", credentials.user or "", credentials.password
            )
            handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
        opener = urllib.request.build_opener(*handlers)
        if credentials and credentials.scheme == "bearer":
            opener.addheaders.append(("Authorization", f"Bearer {credentials.token}"))
        elif credentials and credentials.scheme == "basic":
            opener.addheaders.append(("Authorization", _basic(credentials)))
        return opener


def _raise_local_syntax_error(sparql: str) -> None:
    """Raise pyoxigraph's SyntaxError (line, column, what was expected) if it rejects the query.

    A server's own syntax messages differ from one server to the next; where
    pyoxigraph parses the query, the server's message stands.
    """
    with contextlib.suppress(OSError, ValueError, RuntimeError):
        ox.Store().query(sparql, prefixes=PREFIXES)


def _basic(credentials: Credentials) -> str:
    pair = f"{credentials.user or ''}:{credentials.password or ''}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _values_clause(substitutions: dict[str, Any] | None) -> str:
    """pyoxigraph's substitutions as a trailing VALUES clause (fixing the variables' values)."""
    if not substitutions:
        return ""
    names = " ".join(f"?{name}" for name in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}"


def _http_failure(exc: Exception) -> tuple[int | None, str]:
    """The HTTP status and a short reason, with the server's own words where it gave any."""
    if isinstance(exc, urllib.error.HTTPError):
        status = exc.code
        try:
            body = exc.read().decode("utf-8", "replace")
        except Exception:
            body = ""
        return status, f"HTTP {status} {exc.reason}" + (f": {_plain(body)}" if body.strip() else "")
    status = {
        "QueryBadFormed": 400,
        "Unauthorized": 401,
        "EndPointNotFound": 404,
        "URITooLong": 414,
        "EndPointInternalError": 500,
    }.get(type(exc).__name__)
    # SPARQLWrapper keeps the server's answer only in its message, after "Response:".
    _, _, detail = str(exc).partition("Response:")
    with contextlib.suppress(SyntaxError, ValueError):
        raw = ast.literal_eval(detail.strip()) if detail.strip() else b""
        detail = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    words = {
        400: "the server rejected the query",
        401: "not authorised (check the credentials: PTMKG_ENDPOINT_USER and "
        "PTMKG_ENDPOINT_PASSWORD, or the endpoint settings file)",
        404: "no SPARQL endpoint at this URL",
        414: "the request is too long",
        500: "the server failed",
    }.get(status or 0, type(exc).__name__)
    text = f"HTTP {status}: {words}" if status else words
    if detail.strip() and status != 401:
        text += f": {_plain(detail)}"
    return status, text


_TAGS = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """A server's error page as one line of text."""
    return " ".join(_TAGS.sub(" ", text).split())


def _describe(reason: Any) -> str:
    if isinstance(reason, TimeoutError):
        return "no answer in time (raise --timeout)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
