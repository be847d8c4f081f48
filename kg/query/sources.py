"""The sources a graph was built from: list them, look one up, drop one.

Each source is its own named graph, described inside that graph (``ptm:Source``: its
title, format, SHA-256, counts and, since this version, where it was read from). Listing
goes through the named query ``sources``, so the CLI and a user's own SPARQL agree;
dropping a source removes exactly its graph, in one atomic change of the store.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from kg.errors import PtmkgError
from kg.query.named import run_query
from kg.stores.embedded import GraphStore


@dataclass(frozen=True)
class SourceInfo:
    """One source as the graph describes it."""

    name: str
    graph: str
    format: str
    sha256: str | None
    read: int
    accepted: int
    rejected: int
    skipped: int
    triples: int
    #: Where the file was read from (a ``file:`` IRI), for sources built by this version.
    location: str | None = None
    #: The file's modification time when it was built (xsd:dateTime lexical form).
    modified: str | None = None

    @property
    def path(self) -> str | None:
        """The file's path, from its ``file:`` location."""
        if not self.location or not self.location.startswith("file://"):
            return self.location
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(self.location).path)


def list_sources(store: GraphStore) -> list[SourceInfo]:
    """Every source in the graph, by name."""
    result = run_query(store, "sources")
    return [
        SourceInfo(
            name=str(row["name"]),
            graph=str(row["graph"]),
            format=str(row["format"]),
            sha256=row.get("sha256") or None,
            read=int(row["read"]),
            accepted=int(row["accepted"]),
            rejected=int(row["rejected"]),
            skipped=int(row.get("skipped") or 0),
            triples=int(row["triples"]),
            location=row.get("location") or None,
            modified=str(row["modified"]) if row.get("modified") is not None else None,
        )
        for row in result.rows
    ]


def find_source(store: GraphStore, name: str) -> SourceInfo:
    """The source called ``name`` (its file name, or its graph's IRI); a clear error if none."""
    sources = list_sources(store)
    matches = [s for s in sources if name in (s.name, s.graph)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        names = [s.name for s in sources]
        close = difflib.get_close_matches(name, names, n=3)
        hint = (
            f"; did you mean {', '.join(close)}?"
            if close
            else f"; the graph's sources are {', '.join(names)}"
            if names
            else "; the graph has no sources yet"
        )
        raise PtmkgError(f"no source named {name!r}{hint}")
    raise PtmkgError(
        f"{len(matches)} sources are named {name!r}; name one by its graph: "
        + ", ".join(s.graph for s in matches)
    )


def drop_source(store: GraphStore, name: str) -> SourceInfo:
    """Remove one source's graph, leaving every other source as it was."""
    source = find_source(store, name)
    store.update(f"DROP GRAPH <{source.graph}>")
    return source


__all__ = ["SourceInfo", "drop_source", "find_source", "list_sources"]
