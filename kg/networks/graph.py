"""Networks from the knowledge graph: which models serve which fields, which travel together.

Every network is built from the rows of one named query, ``network-reuse``
(paper, model, field, pattern, stage, year; the filters are bound there as
parameters), plus the node details of ``network-nodes`` (the papers' details
only for a network with paper nodes, as they cost the most). It therefore works on
any store the other commands work on and counts exactly what ``ptmkg query``
counts: distinct papers, never topic slots or reuse instances.

Kinds (:data:`NETWORK_KINDS`):

``model-field``
    bipartite; a model and a field are linked when a paper in the field reuses
    the model. Weight: distinct papers. Edges also count the papers per reuse
    pattern (``pattern_adaptation`` ...) and per stage (``stage_test`` ...).
``model-model``
    models linked when one paper reuses both (``via="paper"``, weight: shared
    papers), or when both are reused in one field (``via="field"``, weight:
    shared fields, listed in the edge's ``fields``).
``field-field``
    fields linked by the models reused in both (``via="model"``, weight: shared
    models, listed in ``models``), or by papers that belong to both
    (``via="paper"``, weight: shared papers).
``paper-model``
    the raw bipartite graph: one edge per paper and model it reuses, weight 1,
    with the patterns and stages of that reuse.

Filters: ``field`` keeps the papers in that field (with all their fields),
``pattern`` and ``stage`` keep the reuse instances with that pattern or stage,
``year_from`` and ``year_to`` keep papers published in those years (papers with
no year are then left out). ``min_weight`` drops lighter edges and the nodes
left without any edge; ``top`` then keeps the N heaviest nodes (most papers,
ties broken by weighted degree, then label).

Node attributes: ``iri``, ``label``, ``type`` (model, field or paper),
``papers`` (distinct papers behind the node after the filters), ``degree``,
``weighted_degree``, ``main_field`` (the field most of its papers are in), and
external ids where known: ``doi`` and ``doi_url`` for papers, ``openalex`` (the
OpenAlex field IRI) for fields. List values (a model's ``alt_labels``, an
edge's ``fields``) stay lists in the graph; :mod:`kg.networks.formats` turns
them into text for the file formats that need it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from typing import Any

import networkx as nx

from kg.errors import PtmkgError
from kg.garbage import without_cyclic_gc
from kg.query.named import run_query
from kg.rdf.vocabulary import ConceptScheme, vocabulary
from kg.stores.embedded import GraphStore

MODEL, FIELD, PAPER = "model", "field", "paper"


# ------------------------------------------------------------------ rows


@dataclass
class ReuseRows:
    """The ``network-reuse`` rows, grouped: what each paper reuses, and how."""

    models_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    fields_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    patterns_of: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    stages_of: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    pattern_labels: list[str] = field(default_factory=list)
    stage_labels: list[str] = field(default_factory=list)

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, Any]]) -> ReuseRows:
        grouped = cls()
        words = vocabulary()
        pattern_name = _labeller(words.patterns)
        stage_name = _labeller(words.stages)
        seen_patterns: set[str] = set()
        seen_stages: set[str] = set()
        for row in rows:
            paper, model = row["paper"], row["model"]
            grouped.models_of[paper].add(model)
            if row.get("paper_field"):
                grouped.fields_of[paper].add(row["paper_field"])
            for label in (pattern_name(row.get("reuse_pattern")), row.get("pattern_label")):
                if label:
                    grouped.patterns_of[paper, model].add(label)
                    seen_patterns.add(label)
            for label in (stage_name(row.get("reuse_stage")), row.get("stage_label")):
                if label:
                    grouped.stages_of[paper, model].add(label)
                    seen_stages.add(label)
        # The vocabularies' labels always come first and always get a count (0 if
        # none), so every edge has the same columns; labels outside them follow.
        known_patterns = words.patterns.labels()
        known_stages = words.stages.labels()
        grouped.pattern_labels = known_patterns + sorted(seen_patterns - set(known_patterns))
        grouped.stage_labels = known_stages + sorted(seen_stages - set(known_stages))
        return grouped

    def papers(self) -> list[str]:
        return sorted(self.models_of)

    def papers_of_model(self) -> dict[str, set[str]]:
        return _papers_of(self.models_of)

    def papers_of_field(self) -> dict[str, set[str]]:
        return _papers_of(self.fields_of)


def _papers_of(of_paper: dict[str, set[str]]) -> dict[str, set[str]]:
    """``paper -> things`` turned round: ``thing -> papers``."""
    papers: dict[str, set[str]] = defaultdict(set)
    for paper, things in of_paper.items():
        for thing in things:
            papers[thing].add(paper)
    return papers


def _labeller(scheme: ConceptScheme) -> Callable[[str | None], str | None]:
    """A concept's label from its IRI (the ontology names the concepts, not the rows)."""

    @cache
    def label(iri: str | None) -> str | None:
        if not iri:
            return None
        concept = scheme.lookup(iri)
        return concept.label if concept else iri

    return label


@cache
def count_key(prefix: str, label: str) -> str:
    """The attribute holding the papers of one pattern or stage: ``pattern_adaptation``."""
    return prefix + "_" + (re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_") or "other")


# ------------------------------------------------------------------ kinds


@dataclass(frozen=True)
class NetworkKind:
    """One way of turning reuse rows into a network."""

    name: str
    description: str
    node_types: tuple[str, ...]
    #: What links two nodes (the first is the default) and what an edge's weight counts then.
    weights: dict[str, str]
    build: Callable[[ReuseRows, str], nx.Graph]

    @property
    def vias(self) -> tuple[str, ...]:
        return tuple(self.weights)

    @property
    def bipartite(self) -> bool:
        return len(self.node_types) == 2


def _model_field(rows: ReuseRows, _via: str) -> nx.Graph:
    papers: dict[tuple[str, str], set[str]] = defaultdict(set)
    pattern_papers: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    stage_papers: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for paper, models in rows.models_of.items():
        for model in models:
            for field_iri in rows.fields_of.get(paper, ()):
                edge = (model, field_iri)
                papers[edge].add(paper)
                for label in rows.patterns_of.get((paper, model), ()):
                    pattern_papers[edge][label].add(paper)
                for label in rows.stages_of.get((paper, model), ()):
                    stage_papers[edge][label].add(paper)
    types: dict[str, str] = {}
    edges: list[tuple[str, str, dict[str, Any]]] = []
    for (model, field_iri), linked in sorted(papers.items()):
        types[model] = MODEL
        types[field_iri] = FIELD
        attributes: dict[str, Any] = {"weight": len(linked)}
        for label in rows.pattern_labels:
            attributes[count_key("pattern", label)] = len(pattern_papers[model, field_iri][label])
        for label in rows.stage_labels:
            attributes[count_key("stage", label)] = len(stage_papers[model, field_iri][label])
        edges.append((model, field_iri, attributes))
    return _graph_in_order(types, edges)


def _model_model(rows: ReuseRows, via: str) -> nx.Graph:
    return _one_mode(MODEL, rows.models_of, rows.fields_of, via, shared="fields")


def _field_field(rows: ReuseRows, via: str) -> nx.Graph:
    return _one_mode(FIELD, rows.fields_of, rows.models_of, via, shared="models")


def _one_mode(
    node_type: str,
    members_of: dict[str, set[str]],
    others_of: dict[str, set[str]],
    via: str,
    *,
    shared: str,
) -> nx.Graph:
    """Nodes of one type (``members_of``: a paper's models, or its fields), linked by the
    papers they share (``via="paper"``), or else by the things of the other type their
    papers have in common (``others_of``), which the edge lists under ``shared``."""
    graph = nx.Graph()
    for node in sorted(_papers_of(members_of)):
        graph.add_node(node, type=node_type)
    if via == "paper":
        papers: Counter[tuple[str, str]] = Counter()
        for members in members_of.values():
            papers.update(combinations(sorted(members), 2))
        for (a, b), count in sorted(papers.items()):
            graph.add_edge(a, b, weight=count)
        return graph
    others: dict[str, set[str]] = defaultdict(set)
    for paper, members in members_of.items():
        for member in members:
            others[member] |= others_of.get(paper, set())
    for a, b in combinations(sorted(others), 2):
        common = others[a] & others[b]
        if common:
            graph.add_edge(a, b, weight=len(common), **{shared: sorted(common)})
    return graph


def _paper_model(rows: ReuseRows, _via: str) -> nx.Graph:
    types: dict[str, str] = {}
    edges: list[tuple[str, str, dict[str, Any]]] = []
    pattern_keys = [(label, count_key("pattern", label)) for label in rows.pattern_labels]
    stage_keys = [(label, count_key("stage", label)) for label in rows.stage_labels]
    for paper in rows.papers():
        types[paper] = PAPER
        for model in sorted(rows.models_of[paper]):
            types[model] = MODEL
            patterns = rows.patterns_of.get((paper, model), set())
            stages = rows.stages_of.get((paper, model), set())
            attributes: dict[str, Any] = {
                "weight": 1,
                "patterns": [p for p in rows.pattern_labels if p in patterns],
                "stages": [s for s in rows.stage_labels if s in stages],
            }
            for label, key in pattern_keys:
                attributes[key] = int(label in patterns)
            for label, key in stage_keys:
                attributes[key] = int(label in stages)
            edges.append((paper, model, attributes))
    return _graph_in_order(types, edges)


def _graph_in_order(
    types: dict[str, str], edges: list[tuple[str, str, dict[str, Any]]]
) -> nx.Graph:
    """Nodes (of these types) and edges, added in the order :func:`_sorted` leaves them in.

    Built in order, the finished network needs no sorted copy (at a million papers
    the copy took most of a second).
    """
    graph = nx.Graph()
    graph.add_nodes_from((node, {"type": types[node]}) for node in sorted(types))
    graph.add_edges_from(
        sorted(((a, b, d) if a <= b else (b, a, d) for a, b, d in edges), key=_ends)
    )
    return graph


def _ends(edge: tuple[str, str, dict[str, Any]]) -> tuple[str, str]:
    return edge[0], edge[1]


NETWORK_KINDS: dict[str, NetworkKind] = {
    kind.name: kind
    for kind in (
        NetworkKind(
            "model-field",
            "bipartite: models and the fields whose papers reuse them",
            (MODEL, FIELD),
            {
                "paper": "distinct papers in the field that reuse the model; edges also count "
                "the papers per reuse pattern (pattern_*) and per stage (stage_*)"
            },
            _model_field,
        ),
        NetworkKind(
            "model-model",
            "models linked when reused in the same paper (or, with via=field, the same field)",
            (MODEL,),
            {
                "paper": "distinct papers reusing both models",
                "field": "fields in which both models are reused (listed in 'fields')",
            },
            _model_model,
        ),
        NetworkKind(
            "field-field",
            "fields linked by the models they share (or, with via=paper, by shared papers)",
            (FIELD,),
            {
                "model": "distinct models reused in both fields (listed in 'models')",
                "paper": "distinct papers in both fields",
            },
            _field_field,
        ),
        NetworkKind(
            "paper-model",
            "bipartite: each paper and the models it reuses (for your own projections)",
            (PAPER, MODEL),
            {"paper": "1 per paper and model; the edge lists the reuse patterns and stages"},
            _paper_model,
        ),
    )
}


def network_kind(name: str) -> NetworkKind:
    if name not in NETWORK_KINDS:
        raise PtmkgError(f"no network kind {name!r}: choose one of {', '.join(NETWORK_KINDS)}")
    return NETWORK_KINDS[name]


# ------------------------------------------------------------------ building


@dataclass(frozen=True)
class NetworkFilters:
    """What a network keeps; every field left as None keeps everything."""

    field: str | None = None
    pattern: str | None = None
    stage: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    min_weight: int | None = None
    top: int | None = None

    def check(self) -> None:
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise PtmkgError(f"--year-from {self.year_from} is after --year-to {self.year_to}")
        if self.min_weight is not None and self.min_weight < 1:
            raise PtmkgError(f"--min-weight must be 1 or more, got {self.min_weight}")
        if self.top is not None and self.top < 1:
            raise PtmkgError(f"--top must be 1 or more, got {self.top}")

    def query_parameters(self) -> dict[str, str | int | None]:
        return {
            "field": self.field,
            "pattern": self.pattern,
            "stage": self.stage,
            "year_from": self.year_from,
            "year_to": self.year_to,
        }

    def describe(self) -> str:
        """The filters in use, as the CLI options that set them (empty: none)."""
        given = {
            "field": self.field,
            "pattern": self.pattern,
            "stage": self.stage,
            "year-from": self.year_from,
            "year-to": self.year_to,
            "min-weight": self.min_weight,
            "top": self.top,
        }
        return " ".join(f"--{name} {value}" for name, value in given.items() if value is not None)


@without_cyclic_gc
def network(
    store: GraphStore,
    kind: str = "model-field",
    *,
    via: str | None = None,
    field: str | None = None,
    pattern: str | None = None,
    stage: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    min_weight: int | None = None,
    top: int | None = None,
) -> nx.Graph:
    """The network of one kind as a networkx graph (nodes keyed by IRI).

    ``kg.network(store, "model-field", field="Neuroscience", min_weight=2)``
    """
    chosen = network_kind(kind)
    if via is not None and len(chosen.vias) == 1:
        choosing = ", ".join(
            f"{other.name} ({' or '.join(other.vias)})"
            for other in NETWORK_KINDS.values()
            if len(other.vias) > 1
        )
        raise PtmkgError(
            f"a {chosen.name} network links through {chosen.vias[0]} only, so --via does "
            f"not apply to it; --via chooses the links of {choosing}"
        )
    via = via or chosen.vias[0]
    if via not in chosen.vias:
        raise PtmkgError(
            f"a {chosen.name} network links through {' or '.join(chosen.vias)}, not {via!r}"
        )
    filters = NetworkFilters(field, pattern, stage, year_from, year_to, min_weight, top)
    filters.check()
    rows = ReuseRows.from_rows(run_query(store, "network-reuse", filters.query_parameters()).rows)
    graph = chosen.build(rows, via)
    _describe_nodes(graph, rows, _node_details(store, graph, PAPER in chosen.node_types))
    if min_weight is not None:
        graph.remove_edges_from(
            [(a, b) for a, b, weight in graph.edges(data="weight") if weight < min_weight]
        )
        graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    if top is not None and len(graph) > top:
        graph = graph.subgraph(_heaviest(graph, top)).copy()
    degrees = dict(graph.degree())
    weighted_degrees = dict(graph.degree(weight="weight"))
    for node, attributes in graph.nodes(data=True):
        attributes["degree"] = degrees[node]
        attributes["weighted_degree"] = weighted_degrees[node]
    graph.graph.update(
        {
            "name": f"ptmkg {chosen.name} network",
            "kind": chosen.name,
            "via": via,
            "weighting": chosen.weights[via],
            "filters": filters.describe(),
            "bipartite": chosen.bipartite,
            # What the network was made from, so an empty one can say why it is empty.
            "papers": len(rows.models_of),
            "papers_with_fields": len(rows.fields_of),
        }
    )
    return _sorted(graph)


def why_empty(graph: nx.Graph) -> str:
    """Why a network has no nodes, and what would give it some (for a drawing's error)."""
    kind = graph.graph.get("kind", "")
    papers = graph.graph.get("papers")
    filters = graph.graph.get("filters", "")
    needs_fields = kind in NETWORK_KINDS and FIELD in NETWORK_KINDS[kind].node_types
    if papers == 0:
        if filters:
            return f"nothing to draw: no paper reusing a model is left after {filters}"
        return "nothing to draw: the store has no paper that reuses a model; build some first"
    if needs_fields and papers and graph.graph.get("papers_with_fields") == 0:
        return (
            f"nothing to draw: the {kind} network links models to their papers' fields, "
            f"and none of the {papers:,} papers reusing models has a field in this store; "
            "fetch fields with 'ptmkg link openalex', or draw a model-model network instead"
        )
    if filters:
        return f"nothing to draw: no nodes are left after {filters}"
    return f"nothing to draw: the {kind or 'given'} network has no nodes"


def _heaviest(graph: nx.Graph, top: int) -> list[str]:
    ranked = sorted(
        graph,
        key=lambda n: (
            -graph.nodes[n]["papers"],
            -graph.degree(n, weight="weight"),
            graph.nodes[n]["label"],
            n,
        ),
    )
    return ranked[:top]


def _sorted(graph: nx.Graph) -> nx.Graph:
    """The same graph with nodes and edges in a stable order, so files diff cleanly.

    That order is: nodes sorted, and each node's neighbours sorted (so edges come as
    sorted pairs); a graph already in it is returned as it is.
    """
    if _in_order(graph):
        return graph
    ordered = nx.Graph()
    ordered.graph.update(graph.graph)
    ordered.add_nodes_from(sorted(graph.nodes(data=True), key=lambda item: item[0]))
    ordered.add_edges_from(
        sorted(
            ((min(a, b), max(a, b), data) for a, b, data in graph.edges(data=True)),
            key=lambda edge: (edge[0], edge[1]),
        )
    )
    return ordered


def _in_order(graph: nx.Graph) -> bool:
    """Whether the nodes, and the neighbours of each node, come in sorted order."""
    if type(graph) is not nx.Graph:
        return False
    nodes = list(graph)
    if nodes != sorted(nodes):
        return False
    return all(list(neighbours) == sorted(neighbours) for neighbours in graph.adj.values())


def _node_details(
    store: GraphStore, graph: nx.Graph, with_papers: bool
) -> dict[str, dict[str, Any]]:
    if len(graph) == 0:
        return {}
    # Every model and field, for the labels in edge lists and main fields; papers in the
    # graph. Reading the papers' details is most of the query: only networks with paper
    # nodes ask for them.
    # Kept with the statistics when the graph was written; live, in the engine's order
    # (ordered=False): the network keys them by node, and sorting tens of thousands of IRIs
    # costs Oxigraph a look-up of both texts per comparison (3 s of 6 at a million papers).
    parameters = {} if with_papers else {"papers": False}
    return {
        row["node"]: row
        for row in run_query(store, "network-nodes", parameters, ordered=False).rows
        if row["node_type"] != PAPER or row["node"] in graph
    }


def _describe_nodes(graph: nx.Graph, rows: ReuseRows, details: dict[str, dict[str, Any]]) -> None:
    papers_of = {**rows.papers_of_model(), **rows.papers_of_field()}
    field_label = {
        iri: (row.get("label") or iri) for iri, row in details.items() if row["node_type"] == FIELD
    }
    model_label = {
        iri: (row.get("label") or iri) for iri, row in details.items() if row["node_type"] == MODEL
    }
    for node, attributes in graph.nodes(data=True):
        row = details.get(node, {})
        node_type = attributes["type"]
        attributes["iri"] = node
        if node_type == PAPER:
            # A paper without a DOI (a draft known by its file) is shown by its title.
            attributes["label"] = row.get("doi") or row.get("title") or node
            papers = {node}
            attributes.update(_paper_ids(row))
        else:
            attributes["label"] = row.get("label") or node
            papers = papers_of.get(node, set())
        attributes["papers"] = len(papers)
        main = attributes["label"] if node_type == FIELD else _main_field(papers, rows, field_label)
        if main:
            attributes["main_field"] = main
        if node_type == MODEL:
            spellings = [s for s in (row.get("alt_labels") or "").split("; ") if s]
            if spellings:
                attributes["alt_labels"] = spellings
            if row.get("backbone"):
                attributes["backbone"] = model_label.get(row["backbone"], row["backbone"])
        elif node_type == FIELD:
            for key, name in (
                ("openalex", "openalex"),
                ("notation", "openalex_id"),
                ("domain_label", "domain"),
                ("natural_science", "natural_science"),
            ):
                if row.get(key) is not None:
                    attributes[name] = row[key]
    for _a, _b, data in graph.edges(data=True):
        if "fields" in data:
            data["fields"] = sorted(field_label.get(f, f) for f in data["fields"])
        if "models" in data:
            data["models"] = sorted(model_label.get(m, m) for m in data["models"])


def _paper_ids(row: dict[str, Any]) -> dict[str, Any]:
    ids: dict[str, Any] = {}
    if row.get("doi"):
        ids["doi"] = row["doi"]
        ids["doi_url"] = "https://doi.org/" + row["doi"]
    if row.get("title"):
        ids["title"] = row["title"]
    if row.get("year") is not None:
        ids["year"] = row["year"]
    return ids


def _main_field(papers: set[str], rows: ReuseRows, label: dict[str, str]) -> str | None:
    """The field most of these papers are in (ties: the first label)."""
    counts: Counter[str] = Counter()
    for paper in papers:
        counts.update(label.get(f, f) for f in rows.fields_of.get(paper, ()))
    if not counts:
        return None
    return min(counts, key=lambda name: (-counts[name], name))


# ------------------------------------------------------------------ writable values

#: How GraphML, GEXF, GML and CSV hold a list: its items joined by this.
LIST_SEPARATOR = "; "


def writable(graph: nx.Graph, *, keep_lists: bool = False) -> nx.Graph:
    """A copy whose attribute values every format can write: no None, lists joined as text."""
    copy = nx.Graph()
    copy.graph.update(_writable_values(graph.graph, keep_lists))
    copy.add_nodes_from(
        (node, _writable_values(data, keep_lists)) for node, data in graph.nodes(data=True)
    )
    copy.add_edges_from(
        (a, b, _writable_values(data, keep_lists)) for a, b, data in graph.edges(data=True)
    )
    return copy


def _writable_values(attributes: Mapping[str, Any], keep_lists: bool = False) -> dict[str, Any]:
    values = {}
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, LIST_TYPES):
            value = list_value(value, keep_lists)
        values[key] = value
    return values


LIST_TYPES = list | tuple | set | frozenset


def list_value(value: Any, keep_lists: bool) -> list[Any] | str:
    """A list, tuple or set as a list (sets sorted), or as text joined by ``"; "``."""
    items = sorted(value) if isinstance(value, set | frozenset) else list(value)
    return items if keep_lists else LIST_SEPARATOR.join(str(v) for v in items)
