"""A SPARQL server as a graph store: every command runs against it over the SPARQL 1.1 Protocol.

:class:`RemoteStore` implements :class:`kg.stores.embedded.GraphStore` with the SPARQL
1.1 Protocol for queries and updates (a form POSTed with ``query=`` or ``update=``)
and the SPARQL 1.1 Graph Store Protocol (GSP) for whole graphs, all through the
one transport of :mod:`kg.http`. Answers come back as the embedded store's own
types: ``query`` gives a ``pyoxigraph.QuerySolutions``, ``QueryBoolean`` or
``QueryTriples``, read by pyoxigraph's parsers straight from the server's bytes,
so every command works unchanged.

What a server must offer: a default graph that is the **union of all named
graphs**, as the embedded store's queries see it (Oxigraph: ``oxigraph serve
--union-default-graph``; Virtuoso's default graph is already the union). A
store whose sources are not visible in the default graph is reported on the
first query, and ``ptmkg push`` checks the server before it sends anything
(:meth:`RemoteStore.default_graph_is_union`).

**Dialect differences** are handled here and nowhere else (see
:func:`normalise_literal`), or by the canned queries keeping to the portable
subset of SPARQL; the README lists them.

Credentials (:mod:`kg.credentials`) go in HTTP headers only, and only to the
server's own URLs; every message this module raises has them removed. Requests
time out, and failures that may pass (connection refused or reset, timeouts,
answers cut short, the statuses of :data:`kg.http.RETRYABLE_STATUS`) are retried
with exponential backoff (:data:`kg.http.DEFAULT_POLICY`).
"""

from __future__ import annotations

import contextlib
import os
import urllib.parse
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import pyoxigraph as ox

from kg.credentials import Credentials, endpoint_settings, resolve_credentials, split_userinfo
from kg.errors import PtmkgError
from kg.http import (
    DEFAULT_POLICY,
    SPARQL_RESULTS_ACCEPT,
    USER_AGENT,
    HttpAnswer,
    HttpClient,
    HttpError,
    RetryPolicy,
    check_url,
    read_query_results,
)
from kg.rdf.namespaces import ONTOLOGY_IRI, PREFIXES, PTM, XSD
from kg.sparql.analysis import query_form
from kg.sparql.answers import as_solutions
from kg.stores.embedded import GraphStore, GraphWriter

ENDPOINT_ENV = "PTMKG_ENDPOINT"
TIMEOUT_ENV = "PTMKG_ENDPOINT_TIMEOUT"
RETRIES_ENV = "PTMKG_ENDPOINT_RETRIES"
BACKOFF_ENV = "PTMKG_ENDPOINT_BACKOFF"
DEFAULT_TIMEOUT = DEFAULT_POLICY.timeout or 0.0
DEFAULT_RETRIES = DEFAULT_POLICY.retries
DEFAULT_BACKOFF = DEFAULT_POLICY.backoff
EXAMPLE_ENDPOINT = "http://localhost:7878/query"
#: The graph of the probe triple :meth:`RemoteStore.default_graph_is_union` writes and drops.
UNION_PROBE_PREFIX = "urn:ptmkg:union-probe:"

SELECT_ACCEPT = SPARQL_RESULTS_ACCEPT
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: Virtuoso says in this header that it cut a result at its ResultSetMaxRows.
TRUNCATION_HEADER = "X-SPARQL-MaxRows"
_BOOLEAN = (XSD + "boolean").encode("ascii")
Answer = TypeVar("Answer", ox.QuerySolutions, ox.QueryBoolean, ox.QueryTriples)

# Known server layouts: the update and Graph Store Protocol URLs beside a query URL.
# Anything else needs --update-endpoint (and --gsp-endpoint to push through the GSP).
ENDPOINT_LAYOUTS: tuple[tuple[str, str, str | None], ...] = (
    # (query path suffix, update suffix, GSP suffix)
    ("/query", "/update", "/store"),  # Oxigraph server
    ("/sparql-auth", "/sparql-auth", "/sparql-graph-crud-auth"),  # Virtuoso, authenticated
    ("/sparql", "/sparql", "/sparql-graph-crud"),  # Virtuoso, and many servers' query=update
)


class NotUnionDefaultGraph(PtmkgError):
    """The server's default graph is not the union of its named graphs."""


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


def _normalise_term(term: Any) -> Any:
    if isinstance(term, ox.Literal) and not term.language:
        value = normalise_literal(term.value, term.datatype.value)
        if value != term.value:
            return ox.Literal(value, datatype=term.datatype)
    elif isinstance(term, ox.Triple):
        return _normalise_triple(term)
    return term


def _normalise_triple(triple: ox.Triple) -> ox.Triple:
    return ox.Triple(triple.subject, triple.predicate, _normalise_term(triple.object))


def _read_solutions(body: bytes, media_type: str) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL results, read by pyoxigraph from the server's own bytes.

    The answer is read through once first, so a broken one fails here (a message)
    rather than in whoever iterates it; then the same bytes are read again for the
    caller. Only an answer with values to normalise (:func:`normalise_literal`) is
    given as its normalised rows instead (:func:`kg.sparql.answers.as_solutions`).
    """
    parsed = read_query_results(body, media_type)
    if isinstance(parsed, ox.QueryBoolean):
        return parsed
    rows = [list(solution) for solution in parsed]
    if _BOOLEAN in body:
        normalised = [[_normalise_term(term) for term in row] for row in rows]
        if normalised != rows:
            return as_solutions([v.value for v in parsed.variables], normalised)
    return read_query_results(body, media_type)


def _read_triples(body: bytes, media_type: str) -> ox.QueryTriples:
    """A CONSTRUCT or DESCRIBE answer as the embedded store gives one (``QueryTriples``)."""
    rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
    graph = ox.Store()
    if _BOOLEAN in body:
        graph.extend(
            ox.Quad(t.subject, t.predicate, _normalise_term(t.object))
            for t in ox.parse(body, rdf_format)
        )
    else:
        graph.load(body, rdf_format)
    answer = graph.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    assert isinstance(answer, ox.QueryTriples)
    return answer


# ------------------------------------------------------------ settings


@dataclass(frozen=True)
class EndpointSettings:
    """How to talk to one server: its URLs, who to be, and how patient to be."""

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    credentials: Credentials | None = None
    timeout: float = DEFAULT_TIMEOUT  # 0 waits as long as the server takes
    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF

    @property
    def policy(self) -> RetryPolicy:
        """The transport's policy for this server: unpaced, with these retries and waits."""
        return RetryPolicy.with_retries(
            self.retries, backoff=self.backoff, timeout=self.timeout or None
        )

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
    check_url(url, option, example=EXAMPLE_ENDPOINT)


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
        self.http = HttpClient(settings.policy, user_agent=USER_AGENT)

    @classmethod
    def from_options(cls, endpoint: str, **options: Any) -> RemoteStore:
        """``RemoteStore.from_options("http://localhost:7878/query", timeout=30)``: the
        settings as :meth:`EndpointSettings.from_options` takes them (its keywords) and
        completes them from the environment and the config file."""
        return cls(EndpointSettings.from_options(endpoint, **options))

    # ------------------------------------------------------------ requests and errors

    def redact(self, text: str) -> str:
        credentials = self.settings.credentials
        return credentials.redact(text) if credentials else text

    def _fail(self, action: str, reason: str, status: int | None = None) -> EndpointError:
        reason = " ".join(reason.split())
        if len(reason) > 600:
            reason = reason[:597] + "..."
        return EndpointError(self.redact(f"{action} at {self.location} failed: {reason}"), status)

    def _call(self, action: str, method: str, url: str, **request: Any) -> HttpAnswer:
        """One request through the transport (retried there), its failure said in our words."""
        try:
            return self.http.request(method, url, credentials=self.settings.credentials, **request)
        except HttpError as exc:
            raise self._fail(action, _reason(exc), exc.status) from None

    def _prologue(self) -> str:
        return "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())

    def query(
        self, sparql: str, substitutions: dict[str, ox.Literal | ox.NamedNode] | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query over the server's default graph (which must be the union of its graphs).

        The answer is of the type the embedded store's ``query`` gives for the same query.
        """
        self._check_union_default_graph()
        return self._query(sparql, substitutions)

    def _query(
        self, sparql: str, substitutions: dict[str, ox.Literal | ox.NamedNode] | None = None
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query as it is: for queries that name their graphs, whatever the default."""
        text = self._prologue() + sparql + _values_clause(substitutions)
        graph_form = query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
        try:
            answer = self._call(
                "the query",
                "POST",
                self.settings.query_url,
                form={"query": text},
                headers={"Accept": GRAPH_ACCEPT if graph_form else SELECT_ACCEPT},
            )
        except EndpointError as exc:
            if exc.status == 400:
                _raise_local_syntax_error(sparql)
            raise
        cut_at = answer.headers.get(TRUNCATION_HEADER.lower())
        if cut_at is not None:
            raise self._fail(
                "the query",
                f"the server cut the result at {cut_at} rows "
                f"(raise its limit: Virtuoso's ResultSetMaxRows in the [SPARQL] section)",
            )
        try:
            if graph_form:
                return _read_triples(answer.body, answer.media_type)
            return _read_solutions(answer.body, answer.media_type)
        except (SyntaxError, ValueError, UnicodeDecodeError, OSError) as exc:
            raise self._fail("reading the query's answer", str(exc)) from None

    def _answer(self, sparql: str, kind: type[Answer]) -> Answer:
        """A query's answer, which must be of ``kind`` (solutions, a boolean or triples)."""
        answer = self._query(sparql)
        if not isinstance(answer, kind):
            raise self._fail("reading the query's answer", f"it is not {kind.__name__}")
        return answer

    def _check_union_default_graph(self) -> None:
        """Fail clearly if the sources' graphs are not in the server's default graph."""
        if self._union_checked:
            return
        self._union_checked = True
        hidden = (
            f"ASK {{ GRAPH ?g {{ ?source a <{PTM}Source> }} "
            f"FILTER NOT EXISTS {{ ?source a <{PTM}Source> }} }}"
        )
        if bool(self._answer(hidden, ox.QueryBoolean)):
            raise NotUnionDefaultGraph(self.not_union_message())

    def not_union_message(self) -> str:
        """What to say about a server whose default graph is not the union of its graphs."""
        return (
            f"the SPARQL server at {self.location} does not query the union of its named "
            f"graphs by default, which ptmkg's queries need: start Oxigraph with "
            f"'oxigraph serve --union-default-graph' (Virtuoso does this already; on other "
            f"servers look for the setting that makes the default graph the union of all graphs)"
        )

    def default_graph_is_union(self) -> bool:
        """Whether the server's default graph shows what its named graphs hold.

        Asked with one probe triple written to a graph of its own (a new IRI each time)
        and that graph dropped at once: an empty server has nothing a query could see, so
        only a write can tell. Needs the update URL, as a push does anyway.
        """
        probe = ox.NamedNode(f"{UNION_PROBE_PREFIX}{uuid.uuid4()}")
        self.update(f"INSERT DATA {{ GRAPH {probe} {{ {probe} {probe} {probe} }} }}")
        try:
            seen = bool(self._answer(f"ASK {{ {probe} {probe} {probe} }}", ox.QueryBoolean))
        finally:
            self.drop_graph(probe.value)
        self._union_checked = self._union_checked or seen
        return seen

    def update(self, sparql: str) -> None:
        """Send a SPARQL update (prefixes predeclared). The server decides its atomicity."""
        if not self.settings.update_url:
            raise PtmkgError("this endpoint takes no updates: give --update-endpoint")
        self._call(
            "the update",
            "POST",
            self.settings.update_url,
            form={"update": self._prologue() + sparql},
        )

    # ------------------------------------------------------------ graphs

    def named_graphs(self) -> list[str]:
        """The graphs ptmkg wrote: every source's graph and the ontology's."""
        rows = self._answer(
            f"SELECT DISTINCT ?g WHERE {{ {{ GRAPH ?g {{ ?g a <{PTM}Source> }} }} UNION "
            f"{{ GRAPH ?g {{ <{ONTOLOGY_IRI}> ?p ?o }} FILTER(?g = <{ONTOLOGY_IRI}>) }} }}",
            ox.QuerySolutions,
        )
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def count_triples(self, graph: str) -> int:
        rows = list(
            self._answer(
                f"SELECT (COUNT(*) AS ?triples) WHERE {{ GRAPH {ox.NamedNode(graph)} "
                f"{{ ?s ?p ?o }} }}",
                ox.QuerySolutions,
            )
        )
        term = rows[0]["triples"] if rows else None
        return int(term.value) if term is not None else 0

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one named graph, checked against the server's count of them."""
        iri = ox.NamedNode(graph)
        triples = set(
            self._answer(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}", ox.QueryTriples
            )
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
        quads: Iterable[ox.Quad] | Iterable[ox.Triple]
        if rdf_format.supports_datasets and graph is None:
            quads = (
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

    def writing(
        self, fresh: bool = False, replacing: Collection[str] = ()
    ) -> contextlib.AbstractContextManager[GraphWriter]:
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
        self._call(
            f"storing the graph {graph}",
            "PUT" if replace else "POST",
            url,
            content=ntriples,
            headers={"Content-Type": "application/n-triples"},
        )


def _raise_local_syntax_error(sparql: str) -> None:
    """Raise pyoxigraph's SyntaxError (line, column, what was expected) if it rejects the query.

    A server's own syntax messages differ from one server to the next; where
    pyoxigraph parses the query, the server's message stands.
    """
    with contextlib.suppress(OSError, ValueError, RuntimeError):
        ox.Store().query(sparql, prefixes=PREFIXES)


def _values_clause(substitutions: dict[str, ox.Literal | ox.NamedNode] | None) -> str:
    """pyoxigraph's substitutions as a trailing VALUES clause (fixing the variables' values)."""
    if not substitutions:
        return ""
    names = " ".join(f"?{name}" for name in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    return f"\nVALUES ({names}) {{ ({terms}) }}"


#: What to do about a status, said after the server's own words.
_ADVICE = {
    401: "not authorised (check the credentials: PTMKG_ENDPOINT_USER and "
    "PTMKG_ENDPOINT_PASSWORD, or the endpoint settings file)",
    404: "no SPARQL endpoint at this URL",
    414: "the request is too long",
}


def _reason(exc: HttpError) -> str:
    """Why a request failed, for a message: the transport's words, advice, the tries made."""
    reason = exc.problem
    if exc.status in _ADVICE:
        reason += f" ({_ADVICE[exc.status]})"
    if exc.timed_out:
        reason += " (raise --timeout)"
    if exc.exhausted:
        reason += f" (after {exc.attempts} tr{'y' if exc.attempts == 1 else 'ies'})"
    return reason
