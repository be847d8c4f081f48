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
       retries = 5              # extra tries after a connection error, timeout or 429/502/503/504
       backoff = 2.0            # seconds before the first retry, doubling each time

Schemes: ``basic`` (HTTP basic), ``digest`` (HTTP digest, which Virtuoso's
authenticated endpoints ask for) and ``bearer`` (``Authorization: Bearer TOKEN``).

Secrets never reach output: :meth:`Credentials.redact` removes them (plain and
URL-encoded) from any text, and the remote store passes every message it raises
through it; a :class:`Credentials` prints as ``Credentials(user='alice', ***)``.
"""

from __future__ import annotations

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

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]

    def redact(self, text: str) -> str:
        """``text`` with every secret, as given and URL-encoded, replaced by ``***``."""
        for secret in self.secrets:
            for form in {
                secret,
                urllib.parse.quote(secret, safe=""),
                urllib.parse.quote_plus(secret, safe=""),
            }:
                text = text.replace(form, REDACTED)
        return text


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
