"""Errors a user can cause. The CLI prints them as one line; they never become tracebacks."""

from __future__ import annotations


class PtmkgError(Exception):
    """An error with a message written for the person running ptmkg."""


class SourceError(PtmkgError):
    """A source cannot be read at all (missing, a directory, empty, unsupported)."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreInUseError(PtmkgError):
    """Another build holds the store's write lock."""


class StrictBuildError(PtmkgError):
    """A --strict build saw rejected records; the store was left unchanged."""
