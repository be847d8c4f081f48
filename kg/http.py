"""Talking to web APIs and SPARQL endpoints politely: rate limit, retries, and a cache.

Everything ptmkg fetches from outside (OpenAlex works, Wikidata answers,
federated query results) goes through :class:`HttpClient`, so every such request
is spaced out, retried the same way and reported in the same words:

- at most ``requests_per_second`` requests start per second;
- HTTP 429 (too many requests) and 5xx answers, refused connections and timeouts
  are retried with exponential backoff; a ``Retry-After`` header is honoured;
- any other 4xx answer is an error at once (asking again will not help).

:class:`ResponseCache` keeps answers on disk (SQLite), keyed by what was asked
(a DOI, a name, an item), with the time each answer was fetched. A link command
stores each batch's answers as soon as they arrive, so a run that is interrupted
or fails resumes where it stopped, and a rerun asks nothing it already knows.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import PtmkgError

USER_AGENT = "ptmkg/0.1 (knowledge graph of pre-trained model reuse; python-urllib)"


def user_agent(contact: str | None = None) -> str:
    """ptmkg's User-Agent; with a contact e-mail, as Wikimedia and OpenAlex ask of tools."""
    if not contact:
        return USER_AGENT
    return f"ptmkg/0.1 (knowledge graph of pre-trained model reuse; mailto:{contact.strip()})"


#: Answers worth asking again: rate limited, or the server had a problem.
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class HttpError(PtmkgError):
    """A request that failed for good (after its retries, or with a client error)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: pacing, attempts and waits (seconds)."""

    requests_per_second: float = 5.0
    attempts: int = 6  # the first try and five retries
    backoff: float = 1.0  # wait before the first retry; doubles for each one after
    max_wait: float = 120.0  # never wait longer than this between attempts
    timeout: float = 60.0  # per request

    def __post_init__(self) -> None:
        if self.requests_per_second <= 0:
            raise PtmkgError("the request rate must be more than 0 per second")
        if self.attempts < 1:
            raise PtmkgError("at least one attempt is needed")


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


class HttpClient:
    """A rate-limited, retrying HTTP client for JSON answers.

    ``sleep`` and ``clock`` can be replaced (tests check the waits without waiting).
    ``requests`` counts the requests sent, retries included.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        user_agent: str = USER_AGENT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.user_agent = user_agent
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self.waits: list[float] = []  # every wait for a retry, in seconds
        self._next_start: float | None = None

    # ------------------------------------------------------------ requests

    def get_json(self, url: str, params: Mapping[str, str] | None = None) -> Any:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(params)}"
        return self._json(lambda: urllib.request.Request(url, headers=self._headers()), url)

    def post_form_json(self, url: str, form: Mapping[str, str], accept: str) -> Any:
        body = urllib.parse.urlencode(form).encode("utf-8")

        def request() -> urllib.request.Request:
            headers = self._headers(accept)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return urllib.request.Request(url, data=body, headers=headers, method="POST")

        return self._json(request, url)

    def _headers(self, accept: str = "application/json") -> dict[str, str]:
        return {"User-Agent": self.user_agent, "Accept": accept}

    def _json(self, make_request: Callable[[], urllib.request.Request], url: str) -> Any:
        status, body = self._send(make_request, url)
        if status == 404:
            return None
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise HttpError(f"{_where(url)} did not answer with JSON", status) from None

    def _pace(self) -> None:
        interval = 1.0 / self.policy.requests_per_second
        now = self.clock()
        if self._next_start is not None and now < self._next_start:
            self.sleep(self._next_start - now)
            now = self._next_start
        self._next_start = now + interval

    def _send(
        self, make_request: Callable[[], urllib.request.Request], url: str
    ) -> tuple[int, bytes]:
        """Send with pacing and retries; a 404 is an answer (``(404, b"")``), not an error."""
        policy = self.policy
        problem = ""
        for attempt in range(policy.attempts):
            self._pace()
            self.requests += 1
            wait: float | None = None
            try:
                with urllib.request.urlopen(make_request(), timeout=policy.timeout) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    return 404, b""
                detail = _body_excerpt(exc)
                problem = f"HTTP {exc.code}{': ' + detail if detail else ''}"
                if exc.code not in RETRYABLE_STATUS:
                    raise HttpError(f"{_where(url)} answered {problem}", exc.code) from None
                wait = retry_after_seconds(exc.headers.get("Retry-After") if exc.headers else None)
                if wait is not None and wait > policy.max_wait:
                    raise HttpError(
                        f"{_where(url)} asks to wait {wait:.0f} s before asking again "
                        f"(HTTP {exc.code}); run the command again later",
                        exc.code,
                    ) from None
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                problem = f"no answer ({reason})"
            if attempt + 1 == policy.attempts:
                break
            if wait is None:
                wait = min(policy.backoff * 2**attempt, policy.max_wait)
            self.waits.append(wait)
            self.sleep(wait)
            # A server that asked us to wait decides when the next request may start.
            self._next_start = self.clock()
        raise HttpError(f"{_where(url)}: {problem}, after {policy.attempts} attempt(s)")


def _where(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _body_excerpt(error: urllib.error.HTTPError, limit: int = 200) -> str:
    try:
        text = error.read().decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException):
        return ""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        return number

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------ SPARQL endpoints

SPARQL_RESULTS_JSON = "application/sparql-results+json"


def validate_endpoint(endpoint: str) -> str:
    """An endpoint must be an absolute http(s) IRI; returns it as given."""
    import pyoxigraph as ox

    text = endpoint.strip()
    scheme = urllib.parse.urlsplit(text).scheme.lower()
    if scheme not in ("http", "https"):
        raise PtmkgError(f"{endpoint!r} is not an http(s) endpoint URL")
    try:
        ox.NamedNode(text)
    except ValueError as exc:
        raise PtmkgError(f"{endpoint!r} is not a valid endpoint IRI ({exc})") from None
    return text


def sparql_select(client: HttpClient, endpoint: str, query: str) -> tuple[list[str], list[dict]]:
    """Run a SELECT on an endpoint: (variables, rows of pyoxigraph terms).

    Values a result may not carry into our graph (blank nodes, IRIs that are not
    IRIs) are left out of their row, as if unbound.
    """
    answer = client.post_form_json(endpoint, {"query": query}, SPARQL_RESULTS_JSON)
    if answer is None:
        raise HttpError(f"there is no SPARQL endpoint at {endpoint} (HTTP 404)", 404)
    try:
        variables = [str(v) for v in answer["head"].get("vars", [])]
        bindings = answer["results"]["bindings"]
    except (KeyError, TypeError, AttributeError):
        raise HttpError(f"{endpoint} did not answer with SPARQL JSON results") from None
    rows = []
    for binding in bindings:
        row = {}
        for name, value in binding.items():
            term = _term(value)
            if term is not None:
                row[str(name)] = term
        rows.append(row)
    return variables, rows


def _term(value: Any):
    import pyoxigraph as ox

    if not isinstance(value, dict):
        return None
    kind, text = value.get("type"), value.get("value")
    if not isinstance(text, str):
        return None
    try:
        if kind == "uri":
            return ox.NamedNode(text)
        if kind in ("literal", "typed-literal"):
            if value.get("xml:lang"):
                return ox.Literal(text, language=value["xml:lang"])
            if value.get("datatype"):
                return ox.Literal(text, datatype=ox.NamedNode(value["datatype"]))
            return ox.Literal(text)
    except ValueError:
        return None
    return None  # blank nodes and triple terms do not leave their endpoint
