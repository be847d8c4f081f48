"""The one HTTP transport: every request ptmkg sends goes through :class:`HttpClient`.

SPARQL endpoints (queries, updates and the Graph Store Protocol of
:mod:`kg.stores.remote`), OpenAlex and Wikidata (:mod:`kg.links`), federated
``SERVICE`` blocks (:mod:`kg.query.federation`) and the chat API of
:mod:`kg.extract.llm` all use it, so every request is checked, paced, retried,
authenticated and reported the same way:

- only ``http://`` and ``https://`` URLs are asked (:func:`check_url`);
- at most :attr:`RetryPolicy.requests_per_second` requests start per second,
  where a policy sets a rate (the link commands and federation do);
- the statuses of :data:`RETRYABLE_STATUS` (rate limited, or the server or a proxy
  had a problem), refused or reset connections, timeouts and answers cut short are
  retried with exponential backoff, and a ``Retry-After`` header is honoured; any
  other answer outside 2xx is an error at once (asking again will not help);
- credentials (:class:`kg.credentials.Credentials`: HTTP basic, digest or a
  bearer token, a chat API's key included) are sent only to the scheme, host and
  port they were given for. Redirects are followed (up to :data:`MAX_REDIRECTS`),
  but one that leads anywhere else goes there without them;
- an error message quotes a short piece of the server's answer with every form
  of the credentials removed, and not at all if a piece of one is left.

The client is httpx: it has digest authentication built in (Virtuoso's
authenticated endpoints ask for it; urllib3 has none, so choosing it meant
keeping a hand-written digest), typed, with connection reuse, timeouts per
request and no redirect followed behind our back (``follow_redirects`` is off, so
the redirect rule above is ours and tested).

:class:`ResponseCache` keeps answers on disk (SQLite), keyed by what was asked
(a DOI, a name, an item), with the time each answer was fetched. A link command
stores each batch's answers as soon as they arrive, so a run that is interrupted
or fails resumes where it stopped, and a rerun asks nothing it already knows.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.cookiejar
import json
import re
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from kg.credentials import Credentials, split_userinfo
from kg.defaults import (
    HTTP_BACKOFF,
    HTTP_MAX_WAIT,
    HTTP_RETRIES,
    HTTP_TIMEOUT,
    RETRYABLE_STATUS,
)
from kg.errors import PtmkgError

USER_AGENT = "ptmkg/0.1 (knowledge graph of pre-trained model reuse)"

#: Answers worth asking again: the server timed out reading the request, rate
#: limited us, or it (or a proxy in front of it) had a problem.
#: Redirects followed for one request, at most.
MAX_REDIRECTS = 10
#: Characters of a server's answer quoted in an error message.
EXCERPT_CHARS = 300
SCHEMES = ("http", "https")


def user_agent(contact: str | None = None) -> str:
    """ptmkg's User-Agent; with a contact e-mail, as Wikimedia and OpenAlex ask of tools."""
    if not contact:
        return USER_AGENT
    return f"ptmkg/0.1 (knowledge graph of pre-trained model reuse; mailto:{contact.strip()})"


class HttpError(PtmkgError):
    """A request that failed for good (after its retries, or with an answer not worth retrying).

    ``problem`` says what went wrong in a few words (``HTTP 500 Internal Server Error: ...``,
    ``no answer in time``); ``attempts`` is how many requests were sent; ``exhausted``
    is true when the failure was worth retrying and every attempt failed. No credential
    is in any of them.
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        *,
        problem: str = "",
        attempts: int = 1,
        exhausted: bool = False,
        timed_out: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.problem = problem or message
        self.attempts = attempts
        self.exhausted = exhausted
        self.timed_out = timed_out


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try, the same for every kind of request: pacing, attempts and waits."""

    #: Requests started per second, at most; None sends them as fast as they come.
    requests_per_second: float | None = None
    attempts: int = HTTP_RETRIES + 1  # the first try and the retries
    backoff: float = HTTP_BACKOFF  # seconds before the first retry; doubles for each one after
    max_wait: float = HTTP_MAX_WAIT  # a server asking to wait longer than this stops the run
    timeout: float | None = HTTP_TIMEOUT  # seconds per request; None waits as long as it takes
    retry_statuses: frozenset[int] = RETRYABLE_STATUS

    def __post_init__(self) -> None:
        if self.requests_per_second is not None and self.requests_per_second <= 0:
            raise PtmkgError("the request rate must be more than 0 per second")
        if self.attempts < 1:
            raise PtmkgError("at least one attempt is needed")
        if self.backoff < 0:
            raise PtmkgError("the backoff cannot be negative")

    @property
    def retries(self) -> int:
        """Tries after the first."""
        return self.attempts - 1

    @classmethod
    def with_retries(cls, retries: int, **settings: Any) -> RetryPolicy:
        """A policy counted as the command line counts: ``retries`` after the first try."""
        if retries < 0:
            raise PtmkgError("the number of retries cannot be negative")
        return cls(attempts=retries + 1, **settings)


#: The defaults every caller and the command line read: 3 retries, 1 s first wait, 60 s.
DEFAULT_POLICY = RetryPolicy()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` header (seconds, or an HTTP date) as seconds to wait."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now if now is not None else time.time()
    return max(0.0, moment.timestamp() - current)


# ------------------------------------------------------------ URLs


def check_url(url: str, what: str = "an endpoint option", example: str = "") -> str:
    """An absolute http(s) URL that is a valid IRI, returned stripped; else a message.

    ``what`` names the option or setting (``--endpoint``); ``example`` is a URL to
    suggest. User-info in a refused URL is not shown.
    """
    text = url.strip()
    shown = shown_url(text, keep_query=True)
    parts = urllib.parse.urlsplit(text)
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        such_as = f" such as {example}" if example else ""
        raise PtmkgError(
            f"{shown!r} is not an http(s) endpoint URL: {what} takes an http:// or "
            f"https:// URL{such_as}"
        )
    try:
        ox.NamedNode(text)
    except ValueError as exc:
        raise PtmkgError(f"{shown!r} is not a valid endpoint IRI ({exc})") from None
    return text


def validate_endpoint(endpoint: str) -> str:
    """A SPARQL endpoint's URL, checked (see :func:`check_url`)."""
    return check_url(endpoint, "a SPARQL endpoint option")


def shown_url(url: str, keep_query: bool = False) -> str:
    """A URL as messages show it: never its user-info, and without its query unless asked."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host + (f":{port}" if port else "")
    return urllib.parse.urlunsplit(
        (parts.scheme, netloc, parts.path, parts.query if keep_query else "", "")
    )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


# ------------------------------------------------------------ answers


@dataclass(frozen=True)
class HttpAnswer:
    """A 2xx answer: its status, headers (names in lower case) and body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def media_type(self) -> str:
        """The Content-Type without its parameters, in lower case ('' without one)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def _auth(credentials: Credentials) -> httpx.Auth:
    if credentials.scheme == "bearer":
        return _Bearer(credentials.token or "")
    if credentials.scheme == "digest":
        return httpx.DigestAuth(credentials.user or "", credentials.password or "")
    return httpx.BasicAuth(credentials.user or "", credentials.password or "")


def _no_cookies() -> http.cookiejar.CookieJar:
    """A jar that keeps nothing: every request stands alone, as the SPARQL Protocol expects."""
    return http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


_TAGS = re.compile(r"<[^>]+>")


def excerpt(text: str, credentials: Credentials | None, html: bool = False) -> str:
    """A short piece of a server's answer for a message, with every form of the
    credentials removed; an answer that still holds a piece of a secret (a
    spelling :meth:`Credentials.redact` does not know) is not quoted at all."""
    if credentials is not None:
        text = credentials.redact(text)
    if html:
        text = _TAGS.sub(" ", text)
    text = " ".join(text.split())
    if credentials is not None:
        text = credentials.redact(text)
        if credentials.reveals(text):
            return "(the answer is not shown: it holds a credential)"
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 3] + "..."


def _transport_problem(exc: httpx.TransportError) -> tuple[str, bool]:
    """(what went wrong, whether asking again may help) for a request that got no answer."""
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time", True
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"not an http(s) URL ({exc})", False
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc)
        if "peer closed" in text or "incomplete" in text.lower():
            return "the server closed the connection part-way through its answer", True
        return f"the server broke the HTTP protocol ({text})", True
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "no answer (connection refused: is the server running?)", True
        if isinstance(cause, ConnectionResetError):
            return "no answer (the connection was reset)", True
        cause = cause.__cause__ or cause.__context__
    return f"no answer ({exc or type(exc).__name__})", True


# ------------------------------------------------------------ the client


class HttpClient:
    """Paced, retrying HTTP with credentials kept to their origin.

    ``sleep`` and ``clock`` can be replaced (tests check the waits without waiting).
    ``requests`` counts the requests sent, retries and redirects included, and
    ``waits`` every wait before a retry, in seconds.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or DEFAULT_POLICY
        self.user_agent = user_agent
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self.waits: list[float] = []
        self._next_start: float | None = None
        self._auths: dict[Credentials, httpx.Auth] = {}  # digest keeps its server's challenge
        self._client = httpx.Client(
            follow_redirects=False, timeout=self.policy.timeout, cookies=_no_cookies()
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ requests

    def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        form: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        credentials: Credentials | None = None,
    ) -> HttpAnswer:
        """Send one request (with its retries); a 2xx answer, else :class:`HttpError`.

        User-info in ``url`` is taken as basic credentials (unless ``credentials``
        are given) and never sent or shown as part of the URL.
        """
        url, user, password = split_userinfo(url)
        if credentials is None and (user is not None or password is not None):
            credentials = Credentials(user=user, password=password)
        if form is not None:
            content = urllib.parse.urlencode(form).encode("utf-8")
        sent_headers = {"User-Agent": self.user_agent, "Accept": "*/*"}
        if form is not None:
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        sent_headers.update(headers or {})

        def build() -> httpx.Request:
            return self._client.build_request(
                method, url, content=content, params=params, headers=sent_headers
            )

        return self._send(build, url, credentials)

    def get_json(self, url: str, params: Mapping[str, str] | None = None) -> Any:
        """A JSON answer; None for a 404 (nothing there)."""
        try:
            answer = self.request("GET", url, params=params, headers={"Accept": "application/json"})
        except HttpError as exc:
            if exc.status == 404:
                return None
            raise
        return _json(answer, url)

    def post_form_json(self, url: str, form: Mapping[str, str], accept: str) -> Any:
        """POST a form, read JSON; None for a 404."""
        try:
            answer = self.request("POST", url, form=form, headers={"Accept": accept})
        except HttpError as exc:
            if exc.status == 404:
                return None
            raise
        return _json(answer, url)

    # ------------------------------------------------------------ pacing, retries, redirects

    def _pace(self) -> None:
        rate = self.policy.requests_per_second
        if rate is None:
            return
        interval = 1.0 / rate
        now = self.clock()
        if self._next_start is not None and now < self._next_start:
            self.sleep(self._next_start - now)
            now = self._next_start
        self._next_start = now + interval

    def _auth_for(self, credentials: Credentials) -> httpx.Auth:
        if credentials not in self._auths:
            self._auths[credentials] = _auth(credentials)
        return self._auths[credentials]

    def _exchange(self, request: httpx.Request, credentials: Credentials | None) -> httpx.Response:
        """Send a request and follow its redirects; credentials only ever go to its own origin."""
        origin = _origin(request.url)
        for _ in range(MAX_REDIRECTS + 1):
            self._pace()
            self.requests += 1
            same_origin = _origin(request.url) == origin
            auth = self._auth_for(credentials) if credentials and same_origin else None
            if not same_origin:
                request.headers.pop("Authorization", None)
            response = self._client.send(request, auth=auth)
            following = response.next_request
            if not response.has_redirect_location or following is None:
                return response
            where = shown_url(str(following.url))
            if following.url.scheme not in SCHEMES:
                raise httpx.UnsupportedProtocol(f"a redirect to {where}", request=following)
            if following.method != request.method and request.content:
                # 301, 302 and 303 turn a request into a GET without its body: an upload
                # or a query would be lost, and the server's answer to the GET taken for it.
                raise _Redirects(
                    f"moved (HTTP {response.status_code}) to {where}, and following would "
                    f"drop the request's body: use that URL"
                )
            request = following
        raise _Redirects(f"more than {MAX_REDIRECTS} redirects")

    def _send(
        self, build: Callable[[], httpx.Request], url: str, credentials: Credentials | None
    ) -> HttpAnswer:
        policy = self.policy
        where = shown_url(url)
        problem = ""
        timed_out = False
        status: int | None = None
        for attempt in range(1, policy.attempts + 1):
            wait: float | None = None
            try:
                response = self._exchange(build(), credentials)
            except _Redirects as exc:
                raise HttpError(f"{where}: {exc}", problem=str(exc)) from None
            except httpx.TransportError as exc:
                problem, worth_retrying = _transport_problem(exc)
                timed_out = isinstance(exc, httpx.TimeoutException)
                status = None
                if not worth_retrying:
                    raise HttpError(f"{where}: {problem}", problem=problem) from None
            else:
                if response.is_success:
                    return HttpAnswer(
                        response.status_code,
                        {k.lower(): v for k, v in response.headers.items()},
                        response.content,
                        shown_url(str(response.url), keep_query=True),
                    )
                status, timed_out = response.status_code, False
                problem = f"HTTP {status} {response.reason_phrase}".rstrip()
                if status not in (401, 407):
                    html = "html" in response.headers.get("content-type", "").lower()
                    detail = excerpt(response.content.decode("utf-8", "replace"), credentials, html)
                    problem += f": {detail}" if detail else ""
                if status not in policy.retry_statuses:
                    raise HttpError(
                        f"{where} answered {problem}", status, problem=problem, attempts=attempt
                    )
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                if wait is not None and wait > policy.max_wait:
                    raise HttpError(
                        f"{where} asks to wait {wait:.0f} s before asking again "
                        f"(HTTP {status}); run the command again later",
                        status,
                        problem=f"HTTP {status}, and a wait of {wait:.0f} s asked",
                        attempts=attempt,
                    )
            if attempt == policy.attempts:
                break
            if wait is None:
                wait = min(policy.backoff * 2 ** (attempt - 1), policy.max_wait)
            self.waits.append(wait)
            self.sleep(wait)
            # A server that asked us to wait decides when the next request may start.
            self._next_start = self.clock()
        raise HttpError(
            f"{where}: {problem}, after {policy.attempts} attempt(s)",
            status,
            problem=problem,
            attempts=policy.attempts,
            exhausted=True,
            timed_out=timed_out,
        )


class _Redirects(Exception):
    """A redirect not to follow: one too many, or one that would drop the request's body."""


def _json(answer: HttpAnswer, url: str) -> Any:
    try:
        return json.loads(answer.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HttpError(f"{shown_url(url)} did not answer with JSON", answer.status) from None
    except RecursionError:
        where = shown_url(url)
        raise HttpError(f"{where} answered JSON nested too deeply", answer.status) from None


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a GET of ``url`` gets a 2xx answer now (one try, no retries): a readiness probe."""
    try:
        with httpx.Client(timeout=timeout, cookies=_no_cookies()) as client:
            return client.get(url).is_success
    except httpx.HTTPError:
        return False


# ------------------------------------------------------------------ cache


@dataclass(frozen=True)
class CachedAnswer:
    value: Any  # the JSON answer; None records "asked, and there is nothing"
    fetched_at: str  # ISO 8601, UTC, when the answer was fetched


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ResponseCache:
    """Answers kept on disk by (namespace, key); ``path=None`` keeps them in memory only.

    A namespace names who was asked and how (``openalex https://api.openalex.org``),
    so answers from different endpoints never mix.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        try:
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path) if path is not None else ":memory:")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS answers (namespace TEXT NOT NULL, key TEXT NOT NULL, "
                "value TEXT NOT NULL, fetched_at TEXT NOT NULL, PRIMARY KEY (namespace, key))"
            )
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise PtmkgError(f"cannot open the cache {path}: {exc}") from None

    def get_many(self, namespace: str, keys: Iterable[str]) -> dict[str, CachedAnswer]:
        found: dict[str, CachedAnswer] = {}
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT key, value, fetched_at FROM answers "
                f"WHERE namespace = ? AND key IN ({marks})",
                [namespace, *chunk],
            )
            for key, value, fetched_at in rows:
                found[key] = CachedAnswer(json.loads(value), fetched_at)
        return found

    def put_many(self, namespace: str, answers: Mapping[str, Any], fetched_at: str) -> None:
        """Store a batch's answers at once (one transaction), so a batch is all in or all out."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO answers (namespace, key, value, fetched_at) "
                "VALUES (?, ?, ?, ?)",
                [
                    (namespace, key, json.dumps(value, sort_keys=True), fetched_at)
                    for key, value in answers.items()
                ],
            )

    def count(self, namespace: str) -> int:
        (number,) = self._db.execute(
            "SELECT COUNT(*) FROM answers WHERE namespace = ?", (namespace,)
        ).fetchone()
        return int(number)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------ SPARQL endpoints

SPARQL_RESULTS_JSON = "application/sparql-results+json"
SPARQL_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"

Row = dict[str, ox.NamedNode | ox.Literal]


def read_query_results(body: bytes, media_type: str) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL results as pyoxigraph reads them, in the format the Content-Type names
    (JSON when it names none). Raises ValueError or SyntaxError for anything else."""
    if media_type in ("", "application/json", "text/json"):
        results_format = ox.QueryResultsFormat.JSON
    else:
        found = ox.QueryResultsFormat.from_media_type(media_type)
        if found is None:
            raise ValueError(f"an answer of type {media_type!r} that is not SPARQL results")
        results_format = found
    return ox.parse_query_results(body, format=results_format)


def sparql_select(client: HttpClient, endpoint: str, query: str) -> tuple[list[str], list[Row]]:
    """Run a SELECT on an endpoint: (variables, rows of pyoxigraph terms).

    Values a result may not carry into our graph (blank nodes, triple terms) are
    left out of their row, as if unbound.
    """
    try:
        answer = client.request(
            "POST", endpoint, form={"query": query}, headers={"Accept": SPARQL_RESULTS_ACCEPT}
        )
    except HttpError as exc:
        if exc.status == 404:
            raise HttpError(f"there is no SPARQL endpoint at {endpoint} (HTTP 404)", 404) from None
        raise
    try:
        solutions = read_query_results(answer.body, answer.media_type)
        if not isinstance(solutions, ox.QuerySolutions):
            raise ValueError("a yes-or-no answer to a SELECT query")
        variables = [v.value for v in solutions.variables]
        rows = [
            {
                name: term
                for name, term in zip(variables, solution, strict=True)
                if isinstance(term, ox.NamedNode | ox.Literal)
            }
            for solution in solutions
        ]
    except (SyntaxError, ValueError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split())[:EXCERPT_CHARS]
        raise HttpError(f"{endpoint} did not answer with SPARQL results ({reason})") from None
    return variables, rows


# ------------------------------------------------------------ relaying


def free_loopback_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on at ``host`` now (for a server started next)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def address_family(host: str) -> int:
    """The socket address family for listening at ``host`` (IPv6 for an address with ':')."""
    import socket

    return socket.AF_INET6 if ":" in host else socket.AF_INET


@dataclass
class RelayedAnswer:
    """A server's answer being passed on: status, headers in order, then the body's bytes."""

    status: int
    headers: list[tuple[str, str]]
    chunks: Iterator[bytes]


class Relay:
    """Passes requests on to one server unchanged and streams its answers back: no
    retries, no redirects followed, no cookies or proxies from the environment (the
    guard in front of ``ptmkg serve`` is its one user)."""

    def __init__(self) -> None:
        self._client = httpx.Client(timeout=None, follow_redirects=False, trust_env=False)

    @contextlib.contextmanager
    def send(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> Iterator[RelayedAnswer]:
        """The answer to one request; raises :class:`HttpError` if the server does not
        answer, and ends quietly if it stops mid-answer."""
        request = self._client.build_request(method, url, headers=headers, content=body)
        try:
            answer = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise HttpError(f"{shown_url(url)} did not answer: {exc}") from None

        def chunks() -> Iterator[bytes]:
            try:
                yield from answer.iter_raw()
            except httpx.HTTPError:
                return  # the server stopped mid-answer

        try:
            yield RelayedAnswer(answer.status_code, list(answer.headers.multi_items()), chunks())
        finally:
            answer.close()

    def close(self) -> None:
        self._client.close()
