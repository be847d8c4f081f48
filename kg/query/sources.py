"""The sources a graph was built from: list them, look one up, drop one.

Each source is its own named graph, described inside that graph (``ptm:Source``: its
title, format, SHA-256, counts and, since this version, where it was read from). Listing
goes through the named query ``sources``, so the CLI and a user's own SPARQL agree;
dropping a source removes exactly its graph, in one atomic change of the store.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox

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


_BUILT_FROM = """
PREFIX ptm: <https://w3id.org/ptmkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?name ?where WHERE {
  GRAPH ?graph {
    ?source a ptm:Source ; dcterms:title ?name .
    OPTIONAL { ?source prov:atLocation ?where }
  }
}
"""


def built_from(store: GraphStore) -> dict[str, str | None]:
    """Each source's name and the ``file:`` IRI it was read from (None when the graph
    does not say: a source built before locations were recorded); cheap, unlike
    :func:`list_sources`, which counts every graph's triples."""
    if store.is_empty():
        return {}
    found: dict[str, str | None] = {}
    solutions = store.query(_BUILT_FROM)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        where = row["where"]
        found[str(row["name"].value)] = None if where is None else str(where.value)
    return found


def file_location(path: Path) -> str:
    """The ``file:`` IRI a source read from ``path`` records as its location."""
    return Path(path).resolve().as_uri()


def trailing_name(path: Path, parts: int) -> str:
    """The last ``parts`` parts of a path, joined by '/': ``2024/sheet.csv`` for 2."""
    return "/".join(Path(path).resolve().parts[-parts:]).lstrip("/")


@dataclass(frozen=True)
class SourceName:
    """The name a file's source takes in a store, and what the user should be told."""

    name: str
    warning: str | None = None


def name_sources(paths: list[Path], existing: dict[str, str | None]) -> list[SourceName]:
    """The names of sources read from ``paths`` (their file names, by default) in a store
    whose sources are ``existing`` (:func:`built_from`), so that no file replaces another's
    source without saying so.

    - A file built before keeps the name it was built under (its recorded location).
    - Files given together that share a file name are named by as many of their last path
      parts as tell them apart (``2023/sheet.csv``, ``2024/sheet.csv``; ``bert/README.md``).
    - A file whose name is held by a source read from another file that still exists is
      kept beside it, under the shortest trailing path that is free, with a warning.
    - A file whose name is held by a source whose file is gone (moved, or renamed) or
      unrecorded replaces that source, with a warning naming both.
    """
    located = {where: name for name, where in existing.items() if where}
    counts: dict[str, int] = {}
    for path in paths:
        counts[Path(path).name] = counts.get(Path(path).name, 0) + 1
    used: set[str] = set()
    named: list[SourceName] = []
    for path in paths:
        here = file_location(path)
        if here in located:
            named.append(SourceName(located[here]))
            used.add(located[here])
            continue
        depth = 1 if counts[Path(path).name] == 1 else 2
        name = trailing_name(path, depth)
        while _shared(name, path, paths) and depth < len(Path(path).resolve().parts):
            depth += 1
            name = trailing_name(path, depth)
        if name not in existing:
            named.append(SourceName(name))
            used.add(name)
            continue
        before = existing[name]
        if before is None:
            named.append(
                SourceName(
                    name,
                    f"{path} replaces the source {name!r}, built by an earlier ptmkg that did "
                    f"not record the file it was read from",
                )
            )
        elif not Path(unquote(urlsplit(before).path)).exists():
            named.append(
                SourceName(
                    name,
                    f"{path} replaces the source {name!r}, built from "
                    f"{unquote(urlsplit(before).path)}, which is no longer there",
                )
            )
        else:
            while (name in existing or name in used) and depth < len(Path(path).resolve().parts):
                depth += 1
                name = trailing_name(path, depth)
            other = unquote(urlsplit(before).path)
            first = trailing_name(path, 1)
            named.append(
                SourceName(
                    name,
                    f"the source {first!r} was built from {other}, a different file: "
                    f"{path} is kept beside it as {name!r} ('ptmkg sources drop {first}' "
                    f"removes the other)",
                )
            )
        used.add(name)
    return named


def _shared(name: str, path: Path, paths: list[Path]) -> bool:
    """Whether another of ``paths`` has the same trailing name."""
    depth = name.count("/") + 1
    resolved = Path(path).resolve()
    return any(
        Path(other).resolve() != resolved and trailing_name(other, depth) == name for other in paths
    )


def drop_source(store: GraphStore, name: str) -> SourceInfo:
    """Remove one source's graph, leaving every other source as it was."""
    source = find_source(store, name)
    store.update(f"DROP GRAPH <{source.graph}>")
    return source


__all__ = [
    "SourceInfo",
    "SourceName",
    "built_from",
    "drop_source",
    "file_location",
    "find_source",
    "list_sources",
    "name_sources",
]
