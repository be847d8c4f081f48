"""Credentials for SPARQL endpoints: where they come from, and keeping them out of every message.

They are looked up, first found wins, in:

1. the endpoint URL's user-info (``https://alice:secret@host/sparql``), which is then
   removed from the URL ptmkg uses and shows;
2. the environment: ``PTMKG_ENDPOINT_USER`` and ``PTMKG_ENDPOINT_PASSWORD``, or
   ``PTMKG_ENDPOINT_TOKEN`` for a bearer token; ``PTMKG_ENDPOINT_AUTH`` picks the scheme;
3. a TOML file, ``$PTMKG_ENDPOINT_CONFIG``, else ``$XDG_CONFIG_HOME/ptmkg/endpoints.toml``
   (``~/.config/ptmkg/endpoints.toml``), with a table per endpoint URL prefix (the
   longest prefix that matches wins)::

       [endpoints."https://sparql.example.org/"]
       user = "alice"
       password = "..."
       auth = "digest"          # basic (default with a user), digest, or bearer
       timeout = 120            # seconds per request
       retries = 5              # extra tries after no answer, or HTTP 408/429/500/502/503/504
       backoff = 2.0            # seconds before the first retry, doubling each time

Schemes: ``basic`` (HTTP basic), ``digest`` (HTTP digest, which Virtuoso's
authenticated endpoints ask for) and ``bearer`` (``Authorization: Bearer TOKEN``).

The same record carries a chat API's key (``Credentials.bearer(key)``): every
credential ptmkg sends goes through :mod:`kg.http`, which sends it only to the
scheme, host and port it was given for, never on to where a redirect points.

Secrets never reach output: :meth:`Credentials.redact` removes them from any
text in every form a server could echo them (as given, URL-encoded, JSON- and
HTML-escaped, and base64 as in ``Authorization: Basic ...``), and
:meth:`Credentials.reveals` tells whether a piece of one is still there, so a
server's answer that holds one is not shown at all. A :class:`Credentials`
prints as ``Credentials(user='alice', ***)``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import PtmkgError

USER_ENV = "PTMKG_ENDPOINT_USER"
PASSWORD_ENV = "PTMKG_ENDPOINT_PASSWORD"
TOKEN_ENV = "PTMKG_ENDPOINT_TOKEN"
AUTH_ENV = "PTMKG_ENDPOINT_AUTH"
CONFIG_ENV = "PTMKG_ENDPOINT_CONFIG"
AUTH_SCHEMES = ("basic", "digest", "bearer")
REDACTED = "***"


@dataclass(frozen=True)
class Credentials:
    """Who to be at an endpoint. ``repr`` and ``str`` never show the secret."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    scheme: str = "basic"
    realm: str = "SPARQL"

    def __post_init__(self) -> None:
        if self.scheme not in AUTH_SCHEMES:
            raise PtmkgError(
                f"unknown authentication scheme {self.scheme!r} (known: {', '.join(AUTH_SCHEMES)})"
            )
        if self.scheme == "bearer" and not self.token:
            raise PtmkgError(f"bearer authentication needs a token (set {TOKEN_ENV})")

    def __repr__(self) -> str:
        secret = ", ***" if self.password or self.token else ""
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r}{secret})"

    __str__ = __repr__

    @classmethod
    def bearer(cls, token: str) -> Credentials:
        """``Authorization: Bearer TOKEN``, as chat APIs take their key."""
        return cls(token=token, scheme="bearer")

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]

    @property
    def basic_pair(self) -> str:
        """``user:password``, which HTTP basic authentication sends in base64."""
        return f"{self.user or ''}:{self.password or ''}"

    def _forms(self) -> list[str]:
        """Every spelling of a secret a server might echo, longest first."""
        forms: set[str] = set()
        plain = list(self.secrets)
        if self.password is not None and self.scheme != "bearer":
            plain.append(self.basic_pair)
        for secret in plain:
            for text in (
                secret,
                urllib.parse.quote(secret),
                urllib.parse.quote(secret, safe=""),
                urllib.parse.quote_plus(secret, safe=""),
                json.dumps(secret)[1:-1],
                json.dumps(secret, ensure_ascii=False)[1:-1],
                json.dumps(secret)[1:-1].replace("/", "\\/"),
                html.escape(secret),
                html.escape(secret, quote=False),
            ):
                forms.add(text)
            for encoded in (
                base64.b64encode(secret.encode("utf-8")),
                base64.urlsafe_b64encode(secret.encode("utf-8")),
            ):
                forms.add(encoded.decode("ascii"))
                forms.add(encoded.decode("ascii").rstrip("="))
        return sorted((f for f in forms if f), key=len, reverse=True)

    def redact(self, text: str) -> str:
        """``text`` with every secret, in every form of :meth:`_forms`, replaced by ``***``."""
        for form in self._forms():
            text = text.replace(form, REDACTED)
        return text

    def reveals(self, text: str, piece: int = 8) -> bool:
        """Whether ``text`` still holds a secret, or ``piece`` characters in a row of one
        (a spelling :meth:`redact` does not know, or a secret cut short)."""
        for secret in self.secrets:
            size = min(piece, len(secret))
            if any(secret[i : i + size] in text for i in range(len(secret) - size + 1)):
                return True
        return False


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``https://alice:secret@host/x`` -> ``("https://host/x", "alice", "secret")``."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    clean = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    user = urllib.parse.unquote(parts.username) if parts.username is not None else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    return clean, user, password


def config_path() -> Path:
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "ptmkg" / "endpoints.toml"


def endpoint_settings(url: str) -> dict[str, Any]:
    """The config file's table for the longest URL prefix of ``url`` (empty without one)."""
    path = config_path()
    if not path.is_file():
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PtmkgError(f"cannot read the endpoint settings in {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message names a line and column, never the values.
        raise PtmkgError(f"{path} is not valid TOML: {exc}") from None
    endpoints = document.get("endpoints", {})
    if not isinstance(endpoints, dict):
        raise PtmkgError(f"{path}: 'endpoints' must be a table of endpoint URL prefixes")
    matches = [prefix for prefix in endpoints if url.startswith(prefix)]
    if not matches:
        return {}
    chosen = endpoints[max(matches, key=len)]
    if not isinstance(chosen, dict):
        raise PtmkgError(f"{path}: the settings of an endpoint must be a table")
    return chosen


def resolve_credentials(
    url: str, user: str | None = None, password: str | None = None
) -> Credentials | None:
    """The credentials for ``url``: the URL's own, else the environment's, else the file's."""
    settings = endpoint_settings(url)
    scheme = os.environ.get(AUTH_ENV) or settings.get("auth")
    realm = str(settings.get("realm", "SPARQL"))
    if user is not None or password is not None:
        return Credentials(user=user, password=password, scheme=scheme or "basic", realm=realm)
    token = os.environ.get(TOKEN_ENV)
    if token:
        return Credentials(token=token, scheme="bearer", realm=realm)
    env_user, env_password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if env_user or env_password:
        return Credentials(
            user=env_user, password=env_password, scheme=scheme or "basic", realm=realm
        )
    if settings.get("token"):
        return Credentials(token=str(settings["token"]), scheme="bearer", realm=realm)
    if settings.get("user") or settings.get("password"):
        return Credentials(
            user=settings.get("user"),
            password=settings.get("password"),
            scheme=scheme or "basic",
            realm=realm,
        )
    return None
