"""What both link commands share: where the cache lives, which base IRI papers use, and how
they report progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import PtmkgError
from kg.rdf.iris import IriMinter
from kg.rdf.namespaces import PTM
from kg.stores.embedded import EmbeddedStore, GraphStore

T = TypeVar("T")
CACHE_FILE = "link-cache.sqlite"
#: Called after each batch with (what is asked for, how many are answered, how many to ask):
#: ``("DOIs", 100, 250)``. A link command may ask for several kinds of thing in turn.
LinkProgress = Callable[[str, int, int], None]


def default_cache_path(store: GraphStore) -> Path | None:
    """The cache beside an on-disk store (so it goes with the store); none for a memory store."""
    if isinstance(store, EmbeddedStore) and store.path is not None:
        return store.path / CACHE_FILE
    return None


def minter_for(base_iri: str) -> IriMinter:
    try:
        return IriMinter(base_iri)
    except ValueError as exc:
        raise PtmkgError(str(exc)) from None


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    if size < 1:
        raise PtmkgError("the batch size must be at least 1")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def check_papers_under_base(paper_iris: list[str], minter: IriMinter) -> None:
    """Link graphs mint paper IRIs from DOIs; they must land on the graph's paper nodes."""
    outside = [iri for iri in paper_iris if not iri.startswith(f"{minter.base}paper/")]
    if outside:
        raise PtmkgError(
            f"the graph's papers are not under the base IRI {minter.base} (for example "
            f"{outside[0]}); pass the --base-iri the graph was built with"
        )


def check_own_graph(store: GraphStore, graph: str, source_format: str) -> None:
    """Refuse to replace or drop ``graph`` unless a link command wrote it.

    A build refuses sources named like a link graph, but a store built before that rule
    may hold a user's source there; its source node says how it was read.
    """
    if graph not in store.named_graphs():
        return
    ours = store.query(
        f"ASK {{ GRAPH {named(graph)} {{ {named(graph)} {named(PTM + 'sourceFormat')} ?format "
        f"FILTER(STRSTARTS(STR(?format), {ox.Literal(source_format)})) }} }}"
    )
    if not ours:
        raise PtmkgError(
            f"the graph {graph} holds a source read from a file, not this command's links, so "
            f"it is left as it is; rename that source's file and build again"
        )


def named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def select(store: GraphStore, sparql: str) -> ox.QuerySolutions:
    """The solutions of one of the link commands' own SELECT queries."""
    solutions = store.query(sparql)
    if not isinstance(solutions, ox.QuerySolutions):
        raise PtmkgError(f"{store.location} did not answer a SELECT query with solutions")
    return solutions
