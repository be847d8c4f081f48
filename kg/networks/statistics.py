"""A network's statistics: degrees, centralities and Louvain communities, and how they are
shown (terminal tables, also as plain text in a ``.txt`` file) or written (CSV, one row
per node, most central first).

:data:`NETWORK_STATS_FORMATS` names the two as every output format is named, so
``ptmkg network --stats -o FILE`` follows the extension like every other output.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import networkx as nx

from kg.defaults import TERMINAL_ROWS
from kg.formats import Format, Registry

#: Betweenness is exact up to this many nodes, else estimated from BETWEENNESS_SAMPLE sources.
BETWEENNESS_EXACT_UP_TO = 1000
BETWEENNESS_SAMPLE = 500
#: The seed of every random choice (Louvain communities, sampled betweenness), so results repeat.
SEED = 42


@dataclass(frozen=True)
class NodeCentrality:
    iri: str
    label: str
    type: str
    degree: int
    weighted_degree: float
    betweenness: float
    eigenvector: float | None
    community: int


@dataclass(frozen=True)
class NetworkStats:
    """Degrees, centralities and Louvain communities of one network."""

    kind: str
    nodes: int
    edges: int
    density: float
    components: int
    centrality: list[NodeCentrality]
    communities: list[list[str]]

    def most_central(
        self, node_type: str | None = None, limit: int = TERMINAL_ROWS
    ) -> list[NodeCentrality]:
        """The most central nodes (of one type): by degree, then weighted degree, betweenness."""
        chosen = [c for c in self.centrality if node_type is None or c.type == node_type]
        return sorted(
            chosen,
            key=lambda c: (-c.degree, -c.weighted_degree, -c.betweenness, c.label, c.iri),
        )[:limit]

    def rows(self) -> list[dict[str, Any]]:
        """One row per node, most central first (the CSV of ``ptmkg network --stats``)."""
        return [
            {
                "iri": c.iri,
                "label": c.label,
                "type": c.type,
                "degree": c.degree,
                "weighted_degree": c.weighted_degree,
                "betweenness": round(c.betweenness, 6),
                "eigenvector": None if c.eigenvector is None else round(c.eigenvector, 6),
                "community": c.community,
            }
            for c in self.most_central(limit=len(self.centrality))
        ]


def stats_csv(stats: NetworkStats) -> str:
    """The per-node statistics as CSV text, most central first."""
    columns = [
        "iri",
        "label",
        "type",
        "degree",
        "weighted_degree",
        "betweenness",
        "eigenvector",
        "community",
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(stats.rows())
    return buffer.getvalue()


def network_stats(graph: nx.Graph) -> NetworkStats:
    """Degree and weighted degree, betweenness, eigenvector centrality, Louvain communities.

    Betweenness ignores weights (networkx would read a weight as a distance, and a
    heavier edge here is a stronger tie, not a longer one); it is normalised, and
    estimated from 500 sampled sources (seeded) on networks of more than 1,000 nodes.
    Eigenvector centrality is defined on a connected graph: it is computed on the
    largest connected component (weighted, unit length) and left empty for nodes
    outside it.
    Communities come from Louvain with a fixed seed, numbered from 1, largest first.
    """
    sample = BETWEENNESS_SAMPLE if len(graph) > BETWEENNESS_EXACT_UP_TO else None
    betweenness = (
        nx.betweenness_centrality(graph, k=sample, normalized=True, seed=SEED) if len(graph) else {}
    )
    eigenvector = _eigenvector(graph)
    communities = (
        nx.community.louvain_communities(graph, weight="weight", seed=SEED) if len(graph) else []
    )
    label = {n: str(graph.nodes[n].get("label", n)) for n in graph}
    ordered = sorted(
        (sorted(c, key=lambda n: (label[n], n)) for c in communities),
        key=lambda members: (-len(members), label[members[0]], members[0]),
    )
    community_of = {n: number for number, members in enumerate(ordered, 1) for n in members}
    centrality = [
        NodeCentrality(
            iri=node,
            label=label[node],
            type=str(graph.nodes[node].get("type", "")),
            degree=graph.degree(node),
            weighted_degree=graph.degree(node, weight="weight"),
            betweenness=betweenness.get(node, 0.0),
            eigenvector=eigenvector.get(node),
            community=community_of[node],
        )
        for node in graph
    ]
    return NetworkStats(
        kind=str(graph.graph.get("kind", "")),
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        density=nx.density(graph) if len(graph) > 1 else 0.0,
        components=nx.number_connected_components(graph) if len(graph) else 0,
        centrality=centrality,
        communities=[[label[n] for n in members] for members in ordered],
    )


def _eigenvector(graph: nx.Graph, tolerance: float = 1e-10, rounds: int = 10_000) -> dict:
    """Weighted eigenvector centrality of the largest connected component (unit length).

    Plain power iteration (what networkx does) crawls on bipartite networks, whose
    spectrum holds -lambda as well as lambda. Iterating with A squared has no such
    twin; its limit x, plus A x / lambda, is the eigenvector of lambda itself.
    """
    if graph.number_of_edges() == 0:
        return {}
    import numpy as np

    largest = max(nx.connected_components(graph), key=lambda c: (len(c), sorted(c)))
    nodes = sorted(largest)
    index = {node: i for i, node in enumerate(nodes)}
    ends = [(index[a], index[b], w) for a, b, w in graph.subgraph(largest).edges(data="weight")]
    sources = np.array([e[0] for e in ends] + [e[1] for e in ends])
    targets = np.array([e[1] for e in ends] + [e[0] for e in ends])
    weights = np.array([float(e[2]) for e in ends] * 2)

    def times_adjacency(vector: Any) -> Any:
        return np.bincount(targets, weights=weights * vector[sources], minlength=len(nodes))

    vector = np.ones(len(nodes)) / np.sqrt(len(nodes))
    for _ in range(rounds):
        following = times_adjacency(times_adjacency(vector))
        following /= np.linalg.norm(following)
        converged = np.abs(following - vector).sum() < tolerance * len(nodes)
        vector = following
        if converged:
            break
    else:
        return {}
    eigenvalue = float(np.linalg.norm(times_adjacency(vector)))
    vector = vector + times_adjacency(vector) / eigenvalue
    vector /= np.linalg.norm(vector)
    return {node: float(abs(value)) for node, value in zip(nodes, vector, strict=True)}


# ------------------------------------------------------------------ shown and written


def stats_tables(figures: NetworkStats, limit: int = TERMINAL_ROWS) -> list[Any]:
    """The statistics as terminal output (rich): a summary line, the most central nodes
    (models where the network has them) and the largest communities, ``limit`` rows each."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from kg.query.terminal import display_value

    summary = Text.from_markup(
        f"[bold]{escape(figures.kind)}[/bold] network: {figures.nodes:,} nodes, "
        f"{figures.edges:,} edges, density {figures.density:.3f}, "
        f"{figures.components:,} connected component(s), "
        f"{len(figures.communities):,} Louvain communities"
    )
    types = sorted({c.type for c in figures.centrality})
    central_type = "model" if "model" in types else (types[0] if types else None)
    central = Table(
        title=f"Most central {central_type or 'node'}s (top {limit})", title_justify="left"
    )
    headings = ("label", "degree", "weighted degree", "betweenness", "eigenvector", "community")
    for heading in headings:
        central.add_column(heading, justify="left" if heading == "label" else "right", no_wrap=True)
    for node in figures.most_central(central_type, limit):
        central.add_row(
            Text(node.label),
            display_value("degree", node.degree),
            display_value("weighted_degree", node.weighted_degree),
            f"{node.betweenness:.3f}",
            "" if node.eigenvector is None else f"{node.eigenvector:.3f}",
            str(node.community),
        )
    communities = Table(title="Communities (Louvain)", title_justify="left")
    communities.add_column("community", justify="right")
    communities.add_column("size", justify="right")
    communities.add_column("members")
    for number, members in enumerate(figures.communities[:limit], 1):
        communities.add_row(
            str(number), display_value("size", len(members)), Text(", ".join(members))
        )
    if len(figures.communities) > limit:
        communities.caption = f"... and {len(figures.communities) - limit} more"
    return [summary, central, communities]


def stats_text(figures: NetworkStats, limit: int = TERMINAL_ROWS) -> str:
    """:func:`stats_tables` as plain text, as a terminal 100 characters wide shows them."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None)
    for part in stats_tables(figures, limit):
        console.print(part)
    return buffer.getvalue()


NETWORK_STATS_FORMATS = Registry(
    "network statistics format",
    (
        Format("table", (".txt",), f"{__name__}:stats_text", "tables (plain text in a file)"),
        Format("csv", (".csv",), f"{__name__}:stats_csv", "CSV: one row per node"),
    ),
    default="table",
)
