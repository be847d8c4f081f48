"""Networks from the knowledge graph: which models serve which fields, which travel together.

Every network is built from the rows of one named query, ``network-reuse``
(paper, model, field, pattern, stage, year; the filters are bound there as
parameters), plus the node details of ``network-nodes`` (the papers' details
only for a network with paper nodes, as they cost the most). It therefore works on
any store the other commands work on and counts exactly what ``ptmkg query``
counts: distinct papers, never topic slots or reuse instances.

Where those answers come from rows kept when the graph was written, a network reads
them as they are kept, a matrix of the positions of their terms, and counts its edges
over whole columns with numpy (:class:`ReuseRows`): no dict per row, no set per paper.
Live answers (no statistics, or stale ones) give rows of Python values, grouped the same
way into the same network.

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.errors import PtmkgError
from kg.garbage import without_cyclic_gc
from kg.query.named import run_query
from kg.query.results import QueryResult, row_dicts, to_python
from kg.rdf.vocabulary import ConceptScheme, vocabulary
from kg.stores.embedded import GraphStore

if TYPE_CHECKING:
    import numpy as np

MODEL, FIELD, PAPER = "model", "field", "paper"


# ------------------------------------------------------------------ rows

#: The ``network-reuse`` columns a network reads, in the order :class:`ReuseRows` takes them.
REUSE_COLUMNS = (
    "paper",
    "model",
    "paper_field",
    "reuse_pattern",
    "pattern_label",
    "reuse_stage",
    "stage_label",
)


@dataclass
class ReuseRows:
    """The ``network-reuse`` rows, grouped: what each paper reuses, and how.

    Every paper, model and field is named by its position in :attr:`names` (sorted, so
    that comparing positions compares names), and the rows become relations between
    positions, each an int array of distinct rows in sorted order: the networks are then
    counted over whole columns at once (numpy), never row by row. The rows' values are
    Python values (``to_python``), as ``run_query`` gives them: two terms with the same
    value are one paper, model or field.
    """

    #: Every paper, model and field, sorted.
    names: list[Any]
    #: (paper, model): each paper and each model it reuses.
    paper_model: np.ndarray
    #: (paper, field): each paper and each of its fields.
    paper_field: np.ndarray
    #: Per row of :attr:`paper_model`, whether that reuse has each pattern (a column per
    #: label of :attr:`pattern_labels`); ``stages`` likewise, of :attr:`stage_labels`.
    patterns: np.ndarray
    stages: np.ndarray
    pattern_labels: list[str]
    stage_labels: list[str]

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> ReuseRows:
        """From rows of Python values, as ``run_query(store, "network-reuse").rows``."""
        import numpy as np

        # Each distinct value once (equal values are one, as in a set of them).
        index: dict[Any, int] = {}
        cells = [index.setdefault(row.get(c), len(index)) for row in rows for c in REUSE_COLUMNS]
        matrix = np.array(cells, dtype=np.int64).reshape(-1, len(REUSE_COLUMNS))
        return _grouped(list(index), matrix)

    @classmethod
    def from_result(cls, result: QueryResult) -> ReuseRows:
        """From a ``network-reuse`` answer: its positions where kept rows gave them
        (``run_query(..., positions=True)``), else its rows."""
        import numpy as np

        if result.positions is None:
            return cls.from_rows(result.rows)
        terms, matrix = result.positions.terms, result.positions.rows
        values = list(map(to_python, terms))
        # Two terms with one value (an IRI and a plain literal of its text) are one value.
        index: dict[Any, int] = {}
        first = np.array([index.setdefault(v, i) for i, v in enumerate(values)], dtype=np.int64)
        chosen = [result.columns.index(c) for c in REUSE_COLUMNS]
        return _grouped(values, first[matrix[:, chosen]] if len(values) else matrix[:, chosen])

    @cached_property
    def linked(self) -> np.ndarray:
        """(paper, model, reuse, field): each paper's models (and the row of
        :attr:`paper_model` that is), each with each of its fields."""
        import numpy as np

        reuses = np.arange(len(self.paper_model), dtype=np.int64)[:, None]
        return _join(np.concatenate([self.paper_model, reuses], axis=1), self.paper_field)

    @property
    def papers(self) -> int:
        """The distinct papers in the rows."""
        return _count_distinct(self.paper_model[:, 0])

    @property
    def papers_with_fields(self) -> int:
        return _count_distinct(self.paper_field[:, 0])


def _grouped(values: list[Any], matrix: np.ndarray) -> ReuseRows:
    """:class:`ReuseRows` from a matrix of positions in ``values`` (columns: REUSE_COLUMNS),
    where no two positions hold equal values."""
    import numpy as np

    matrix = matrix.astype(np.int64, copy=False)
    # A row's field counts when it has one (an empty value is none), as its paper and
    # model always do.
    truthy = np.fromiter(map(bool, values), dtype=bool, count=len(values))
    used = _present(len(values), matrix[:, 0], matrix[:, 1], matrix[truthy[matrix[:, 2]], 2])
    order = sorted(used.tolist(), key=values.__getitem__)
    size = len(order)
    rank = np.full(len(values), -1, dtype=np.int64)
    rank[order] = np.arange(size, dtype=np.int64)
    # The rows come sorted by paper and model (the query's ORDER BY, which sorts IRIs as
    # their names sort): each (paper, model) is then one run of rows, found without a sort.
    pair = rank[matrix[:, 0]] * size + rank[matrix[:, 1]]
    if len(pair) > 1 and not np.all(pair[1:] >= pair[:-1]):
        by_pair = np.argsort(pair, kind="stable")
        matrix, pair = matrix[by_pair], pair[by_pair]
    changes = np.ones(len(pair), dtype=bool)
    changes[1:] = pair[1:] != pair[:-1]
    starts = np.flatnonzero(changes)
    reuse_of_row = np.cumsum(changes) - 1
    papers, fields = rank[matrix[:, 0]], rank[matrix[:, 2]]
    with_field = truthy[matrix[:, 2]]
    words = vocabulary()
    pattern_labels, patterns = _flags(
        values, words.patterns, matrix[:, 3], matrix[:, 4], reuse_of_row, len(starts)
    )
    stage_labels, stages = _flags(
        values, words.stages, matrix[:, 5], matrix[:, 6], reuse_of_row, len(starts)
    )
    return ReuseRows(
        names=[values[i] for i in order],
        paper_model=np.stack([papers[starts], rank[matrix[starts, 1]]], axis=1),
        paper_field=_distinct(papers[with_field], fields[with_field]),
        patterns=patterns,
        stages=stages,
        pattern_labels=pattern_labels,
        stage_labels=stage_labels,
    )


def _present(size: int, *columns: np.ndarray) -> np.ndarray:
    """The positions (below ``size``) found in any of the columns, in order: a mask, no sort."""
    import numpy as np

    found = np.zeros(size, dtype=bool)
    for column in columns:
        found[column] = True
    return np.flatnonzero(found)


def _flags(
    values: list[Any],
    scheme: ConceptScheme,
    concepts: np.ndarray,
    labels: np.ndarray,
    reuse_of_row: np.ndarray,
    reuses: int,
) -> tuple[list[str], np.ndarray]:
    """The labels of a reuse's patterns (or stages), from a column of concepts (labelled
    by the vocabulary) and one of labels given outside it, and per (paper, model) reuse
    whether it has each label."""
    import numpy as np

    name = _labeller(scheme)
    by_concept = {i: name(values[i]) for i in _present(len(values), concepts).tolist()}
    by_label = {i: values[i] for i in _present(len(values), labels).tolist()}
    seen = {label for label in (*by_concept.values(), *by_label.values()) if label}
    # The vocabulary's labels always come first and always get a count (0 if none), so
    # every edge has the same columns; labels outside it follow.
    known = scheme.labels()
    every = known + sorted(seen - set(known))
    where: dict[str, int] = {}
    for i, label in enumerate(every):
        where.setdefault(label, i)
    flags = np.zeros((reuses, len(every)), dtype=bool)
    for cells, labelled in ((concepts, by_concept), (labels, by_label)):
        of_position = np.full(len(values), -1, dtype=np.int64)
        for i, label in labelled.items():
            if label:
                of_position[i] = where[label]
        label_of_row = of_position[cells]
        keep = label_of_row >= 0
        flags[reuse_of_row[keep], label_of_row[keep]] = True
    # Equal labels are one label: each column says what its label's first column says.
    return every, flags[:, _first_positions(every)]


def _labeller(scheme: ConceptScheme) -> Callable[[Any], str | None]:
    """A concept's label from its IRI (the ontology names the concepts, not the rows)."""

    @cache
    def label(iri: Any) -> str | None:
        if not iri:
            return None
        concept = scheme.lookup(iri)
        return concept.label if concept else iri

    return label


@cache
def count_key(prefix: str, label: str) -> str:
    """The attribute holding the papers of one pattern or stage: ``pattern_adaptation``."""
    return prefix + "_" + (re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_") or "other")


# ------------------------------------------------------------------ relations (numpy)


def _distinct(*columns: np.ndarray) -> np.ndarray:
    """The rows ``columns`` make, each once, sorted on the first column, then the next..."""
    import numpy as np

    if not len(columns[0]):
        return np.empty((0, len(columns)), dtype=np.int64)
    table = np.stack(columns, axis=1).astype(np.int64, copy=False)
    table = table[np.lexsort(columns[::-1])]
    differs = np.ones(len(table), dtype=bool)
    differs[1:] = np.any(table[1:] != table[:-1], axis=1)
    return table[differs]


def _count_distinct(column: np.ndarray) -> int:
    import numpy as np

    return len(np.unique(column))


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal keys (in a sorted column) starts, and how long it is."""
    import numpy as np

    if not len(keys):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    return starts, np.diff(np.append(starts, len(keys)))


def _spread(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items taken ``counts[i]`` times each: which item each copy is, and its number
    among that item's copies (0, 1, ...)."""
    import numpy as np

    items = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    firsts = np.cumsum(counts) - counts
    return items, np.arange(len(items), dtype=np.int64) - np.repeat(firsts, counts)


def _join(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Every row of ``left`` with every row of ``right`` that has its first column (a
    paper): left's columns, then right's others. Both are sorted on their first column."""
    import numpy as np

    starts, sizes = _groups(right[:, 0])
    keys = right[starts, 0]
    at = np.searchsorted(keys, left[:, 0])
    at = np.minimum(at, max(len(keys) - 1, 0))
    matched = (keys[at] == left[:, 0]) if len(keys) else np.zeros(len(left), dtype=bool)
    taken = np.where(matched, sizes[at] if len(keys) else 0, 0)
    rows, offset = _spread(taken)
    partner = starts[at[rows]] + offset if len(keys) else offset
    return np.concatenate([left[rows], right[partner, 1:]], axis=1)


def _pairs_within(groups: np.ndarray, members: np.ndarray) -> np.ndarray:
    """(a, b, group) for every two members a < b of one group; the rows are distinct
    (group, member) pairs sorted by group, then member."""
    import numpy as np

    starts, sizes = _groups(groups)
    ends = np.repeat(starts + sizes, sizes)
    later = ends - np.arange(len(groups), dtype=np.int64) - 1
    first, offset = _spread(later)
    second = first + 1 + offset
    return np.stack([members[first], members[second], groups[first]], axis=1)


def _first_positions(labels: list[str]) -> list[int]:
    """Each label's column: the first of equal labels (equal labels count the same)."""
    where: dict[str, int] = {}
    return [where.setdefault(label, i) for i, label in enumerate(labels)]


# ------------------------------------------------------------------ kinds


@dataclass
class NetworkParts:
    """A network before it is a networkx graph: nodes and edges as positions in
    :attr:`ReuseRows.names`, both in the order the graph is built in."""

    #: The nodes (positions, sorted) and each one's type.
    nodes: np.ndarray
    types: list[str]
    #: (a, b) per edge, a < b, sorted; each edge's weight and its attributes (weight first).
    ends: np.ndarray
    weights: np.ndarray
    attributes: list[dict[str, Any]]
    #: The edge attribute listing what links its ends (``fields``, ``models``), if any.
    shared: str | None = None

    def heavier(self, min_weight: int) -> NetworkParts:
        """The edges of ``min_weight`` or more, and the nodes left with one."""
        import numpy as np

        keep = self.weights >= min_weight
        ends = self.ends[keep]
        linked = np.isin(self.nodes, ends)
        return NetworkParts(
            self.nodes[linked],
            [t for t, kept in zip(self.types, linked.tolist(), strict=True) if kept],
            ends,
            self.weights[keep],
            [a for a, kept in zip(self.attributes, keep.tolist(), strict=True) if kept],
            self.shared,
        )

    def degrees(self, size: int) -> tuple[list[int], list[int]]:
        """Each node's degree and weighted degree, as networkx counts them (a loop twice)."""
        import numpy as np

        ends = self.ends.ravel()
        degree = np.bincount(ends, minlength=size)
        weighted = np.zeros(size, dtype=np.int64)
        np.add.at(weighted, ends, np.repeat(self.weights.astype(np.int64), 2))
        return degree[self.nodes].tolist(), weighted[self.nodes].tolist()

    def graph(self, names: list[Any]) -> nx.Graph:
        """The networkx graph: nodes in order, then each node's neighbours in order."""
        graph = nx.Graph()
        node_names = [names[i] for i in self.nodes.tolist()]
        if None in node_names:
            raise ValueError("None cannot be a node")  # as networkx says
        # Nodes and edges go straight into the graph's dicts, as add_node and add_edge put
        # them there: every node and every pair is new, so their look-ups, and the copy of
        # every attribute dict that add_edges_from makes, would change nothing (and took a
        # third of the time).
        graph._node.update(zip(node_names, [{"type": t} for t in self.types], strict=True))
        adjacency = graph._adj
        adjacency.update(zip(node_names, [{} for _ in node_names], strict=True))
        a_names = [names[i] for i in self.ends[:, 0].tolist()]
        b_names = [names[i] for i in self.ends[:, 1].tolist()]
        for a, b, data in zip(a_names, b_names, self.attributes, strict=True):
            adjacency[a][b] = data
            adjacency[b][a] = data
        return graph


@dataclass(frozen=True)
class NetworkKind:
    """One way of turning reuse rows into a network."""

    name: str
    description: str
    node_types: tuple[str, ...]
    #: What links two nodes (the first is the default) and what an edge's weight counts then.
    weights: dict[str, str]
    parts: Callable[[ReuseRows, str], NetworkParts]

    @property
    def vias(self) -> tuple[str, ...]:
        return tuple(self.weights)

    @property
    def bipartite(self) -> bool:
        return len(self.node_types) == 2

    def build(self, rows: ReuseRows, via: str) -> nx.Graph:
        """The network's nodes (with their types) and edges, in sorted order."""
        return self.parts(rows, via).graph(rows.names)


def _in_edge_order(ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges' ends with the smaller first, and the order that sorts them so."""
    import numpy as np

    low, high = ends.min(axis=1), ends.max(axis=1)
    order = np.lexsort((high, low))
    return np.stack([low, high], axis=1)[order], order


def _typed_nodes(size: int, typed: list[tuple[np.ndarray, str]]) -> tuple[np.ndarray, list[str]]:
    """The nodes of each type (a later type wins a node in several), sorted."""
    import numpy as np

    kinds = [""]
    code = np.zeros(size, dtype=np.int64)
    for nodes, node_type in typed:
        kinds.append(node_type)
        code[nodes] = len(kinds) - 1
    nodes = np.flatnonzero(code)
    return nodes, [kinds[c] for c in code[nodes].tolist()]


def _model_field(rows: ReuseRows, _via: str) -> NetworkParts:
    import numpy as np

    size = len(rows.names)
    linked = rows.linked  # (paper, model, reuse, field), each once
    found, edge_of, weights = np.unique(
        linked[:, 1] * size + linked[:, 3], return_inverse=True, return_counts=True
    )
    edges = np.stack([found // size, found % size], axis=1)
    # Per edge (model, field) and label, the papers whose reuse of the model has it.
    counts = [weights[:, None]]
    for flags in (rows.patterns, rows.stages):
        of_linked = flags[linked[:, 2]]
        counts += [
            np.bincount(edge_of, weights=of_linked[:, j], minlength=len(edges)).astype(np.int64)[
                :, None
            ]
            for j in range(flags.shape[1])
        ]
    ends, order = _in_edge_order(edges)
    keys = (
        "weight",
        *(count_key("pattern", label) for label in rows.pattern_labels),
        *(count_key("stage", label) for label in rows.stage_labels),
    )
    table = np.concatenate(counts, axis=1)[order].tolist()
    nodes, types = _typed_nodes(size, [(edges[:, 0], MODEL), (edges[:, 1], FIELD)])
    return NetworkParts(nodes, types, ends, weights[order], row_dicts(keys)(map(tuple, table)))


def _model_model(rows: ReuseRows, via: str) -> NetworkParts:
    return _one_mode(rows, MODEL, via, shared="fields")


def _field_field(rows: ReuseRows, via: str) -> NetworkParts:
    return _one_mode(rows, FIELD, via, shared="models")


def _one_mode(rows: ReuseRows, node_type: str, via: str, *, shared: str) -> NetworkParts:
    """Nodes of one type (a paper's models, or its fields), linked by the papers they
    share (``via="paper"``), or else by the things of the other type their papers have
    in common, which the edge lists under ``shared``."""
    import numpy as np

    size = len(rows.names)
    members = rows.paper_model if node_type == MODEL else rows.paper_field
    nodes = np.unique(members[:, 1])
    if via == "paper":
        triples = _pairs_within(members[:, 0], members[:, 1])
        sharing = None
    else:
        # (model, field) pairs of the same paper; the other type's thing groups them.
        linked = rows.linked[:, [1, 3]]  # (model, field)
        member, other = (0, 1) if node_type == MODEL else (1, 0)
        by_other = _distinct(linked[:, other], linked[:, member])
        triples = _pairs_within(by_other[:, 0], by_other[:, 1])
        sharing = shared
    triples = _distinct(triples[:, 0], triples[:, 1], triples[:, 2])
    starts, weights = _groups(triples[:, 0] * size + triples[:, 1])
    ends = triples[starts, :2]
    if sharing is None:
        attributes = [{"weight": w} for w in weights.tolist()]
    else:
        names = rows.names
        between = np.split(triples[:, 2], starts[1:]) if len(starts) else []
        attributes = [
            {"weight": w, sharing: [names[i] for i in common.tolist()]}
            for w, common in zip(weights.tolist(), between, strict=True)
        ]
    return NetworkParts(nodes, [node_type] * len(nodes), ends, weights, attributes, sharing)


def _paper_model(rows: ReuseRows, _via: str) -> NetworkParts:
    import numpy as np

    size = len(rows.names)
    edges = rows.paper_model
    flags = [rows.patterns.astype(np.int64), rows.stages.astype(np.int64)]
    ends, order = _in_edge_order(edges)
    keys = [
        *(count_key("pattern", label) for label in rows.pattern_labels),
        *(count_key("stage", label) for label in rows.stage_labels),
    ]
    table = np.concatenate(flags, axis=1)[order]
    # Each edge's lists of patterns and stages, its own (a copy of its combination's).
    lists = []
    for labels, found in zip((rows.pattern_labels, rows.stage_labels), flags, strict=True):
        combinations, which = _combinations(found[order])
        made = [[label for label, f in zip(labels, c, strict=True) if f] for c in combinations]
        lists.append(list(map(list.copy, map(made.__getitem__, which.tolist()))))
    columns = [[1] * len(edges), *lists, *(table[:, j].tolist() for j in range(len(keys)))]
    attributes = row_dicts(("weight", "patterns", "stages", *keys))(zip(*columns, strict=True))
    nodes, types = _typed_nodes(size, [(edges[:, 0], PAPER), (edges[:, 1], MODEL)])
    return NetworkParts(nodes, types, ends, np.ones(len(edges), dtype=np.int64), attributes)


def _combinations(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a 0/1 matrix, and which one each row is (as np.unique with
    axis=0 gives them, by each row's bits as one number where they fit in one)."""
    import numpy as np

    if flags.shape[1] > 62:
        combinations, which = np.unique(flags, axis=0, return_inverse=True)
        return combinations, which.ravel()
    codes = flags @ (np.int64(1) << np.arange(flags.shape[1], dtype=np.int64))
    _codes, first, which = np.unique(codes, return_index=True, return_inverse=True)
    return flags[first], which.ravel()


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
    answer = run_query(store, "network-reuse", filters.query_parameters(), positions=True)
    rows = ReuseRows.from_result(answer)
    parts = chosen.parts(rows, via)
    if min_weight is not None:
        parts = parts.heavier(min_weight)
    graph = parts.graph(rows.names)
    _describe_nodes(graph, rows, parts, _node_details(store, rows, parts, chosen.node_types))
    if top is not None and len(graph) > top:
        graph = graph.subgraph(_heaviest(graph, top)).copy()
        degrees = dict(graph.degree())
        weighted_degrees = dict(graph.degree(weight="weight"))
        counted = [(degrees[node], weighted_degrees[node]) for node in graph]
    else:
        # Counted over the edges' ends at once: the graph is built in order, so no sorted
        # copy is needed either.
        counted = list(zip(*parts.degrees(len(rows.names)), strict=True))
    for (_node, attributes), (degree, weighted_degree) in zip(
        graph.nodes(data=True), counted, strict=True
    ):
        attributes["degree"] = degree
        attributes["weighted_degree"] = weighted_degree
    graph.graph.update(
        {
            "name": f"ptmkg {chosen.name} network",
            "kind": chosen.name,
            "via": via,
            "weighting": chosen.weights[via],
            "filters": filters.describe(),
            "bipartite": chosen.bipartite,
            # What the network was made from, so an empty one can say why it is empty.
            "papers": rows.papers,
            "papers_with_fields": rows.papers_with_fields,
        }
    )
    return _sorted(graph) if top is not None else graph


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


@dataclass
class _Details:
    """The ``network-nodes`` rows of the network's nodes, column by column."""

    #: Each node's row (the last, where a node has several).
    row_of: dict[Any, int]
    columns: dict[str, list[Any]]
    #: Every field's and every model's label (its IRI where it has none).
    field_label: dict[Any, Any]
    model_label: dict[Any, Any]

    def column(self, name: str) -> list[Any]:
        found = self.columns.get(name)
        return found if found is not None else [None] * len(next(iter(self.columns.values()), []))


def _node_details(
    store: GraphStore, rows: ReuseRows, parts: NetworkParts, node_types: tuple[str, ...]
) -> _Details:
    if not len(parts.nodes):
        return _Details({}, {}, {}, {})
    # Every model and field, for the labels in edge lists and main fields; papers in the
    # graph. Reading the papers' details is most of the query: only networks with paper
    # nodes ask for them.
    # Kept with the statistics when the graph was written; live, in the engine's order
    # (ordered=False): the network keys them by node, and sorting tens of thousands of IRIs
    # costs Oxigraph a look-up of both texts per comparison (3 s of 6 at a million papers).
    parameters = {} if PAPER in node_types else {"papers": False}
    answer = run_query(store, "network-nodes", parameters, ordered=False, positions=True)
    in_graph = {rows.names[i] for i in parts.nodes.tolist()}
    if answer.positions is None:
        kept = [r for r in answer.rows if r["node_type"] != PAPER or r["node"] in in_graph]
        columns = {c: [r.get(c) for r in kept] for c in answer.columns}
    else:
        columns = _kept_columns(answer, in_graph)
    nodes, types, labels = (columns.get(c, []) for c in ("node", "node_type", "label"))
    row_of = dict(zip(nodes, range(len(nodes)), strict=True))
    field_label, model_label = {}, {}
    for node, i in row_of.items():
        if types[i] == FIELD:
            field_label[node] = labels[i] or node
        elif types[i] == MODEL:
            model_label[node] = labels[i] or node
    return _Details(row_of, columns, field_label, model_label)


def _kept_columns(answer: QueryResult, in_graph: set[Any]) -> dict[str, list[Any]]:
    """The columns of the kept ``network-nodes`` rows a network needs (every model and
    field, the papers in it), their terms made Python values once each."""
    import numpy as np

    assert answer.positions is not None
    terms, matrix = answer.positions.terms, answer.positions.rows
    node, node_type = (answer.columns.index(c) for c in ("node", "node_type"))
    values = np.empty(len(terms), dtype=object)
    wanted = np.zeros(len(terms), dtype=bool)
    for column, keeps in ((node_type, lambda v: v != PAPER), (node, in_graph.__contains__)):
        positions = _present(len(terms), matrix[:, column]).tolist()
        found = list(map(to_python, map(terms.__getitem__, positions)))
        values[positions] = found
        wanted[positions] = list(map(keeps, found))
    kept = matrix[wanted[matrix[:, node_type]] | wanted[matrix[:, node]]]
    # The other terms of those rows (labels, DOIs, titles ...).
    rest = _present(len(terms), kept.ravel()).tolist()
    values[rest] = list(map(to_python, map(terms.__getitem__, rest)))
    return {c: values[kept[:, i]].tolist() for i, c in enumerate(answer.columns)}


def _describe_nodes(
    graph: nx.Graph, rows: ReuseRows, parts: NetworkParts, details: _Details
) -> None:
    import numpy as np

    size = len(rows.names)
    # A node's papers: a field's, else a model's (the distinct papers in the rows).
    of_models = np.bincount(rows.paper_model[:, 1], minlength=size)
    of_fields = np.bincount(rows.paper_field[:, 1], minlength=size)
    papers = np.where(of_fields > 0, of_fields, of_models).tolist()
    field_label, model_label = details.field_label, details.model_label
    main_of_model, main_of_paper = _main_fields(rows, field_label)
    row_of = details.row_of
    labels, alt_labels, backbones = (details.column(c) for c in ("label", "alt_labels", "backbone"))
    dois, titles, years = (details.column(c) for c in ("doi", "title", "year"))
    field_columns = [
        (details.column(key), name)
        for key, name in (
            ("openalex", "openalex"),
            ("notation", "openalex_id"),
            ("domain_label", "domain"),
            ("natural_science", "natural_science"),
        )
    ]
    for position, (node, attributes) in zip(
        parts.nodes.tolist(), graph.nodes(data=True), strict=True
    ):
        i = row_of.get(node)
        node_type = attributes["type"]
        attributes["iri"] = node
        if node_type == PAPER:
            doi, title, year = (None, None, None) if i is None else (dois[i], titles[i], years[i])
            # A paper without a DOI (a draft known by its file) is shown by its title.
            attributes["label"] = doi or title or node
            if doi:
                attributes["doi"] = doi
                attributes["doi_url"] = "https://doi.org/" + doi
            if title:
                attributes["title"] = title
            if year is not None:
                attributes["year"] = year
            attributes["papers"] = 1
            main = main_of_paper[position]
        else:
            attributes["label"] = (None if i is None else labels[i]) or node
            attributes["papers"] = papers[position]
            main = attributes["label"] if node_type == FIELD else main_of_model[position]
        if main:
            attributes["main_field"] = main
        if i is None:
            continue
        if node_type == MODEL:
            spellings = [s for s in (alt_labels[i] or "").split("; ") if s]
            if spellings:
                attributes["alt_labels"] = spellings
            if backbones[i]:
                attributes["backbone"] = model_label.get(backbones[i], backbones[i])
        elif node_type == FIELD:
            for column, name in field_columns:
                if column[i] is not None:
                    attributes[name] = column[i]
    if parts.shared is not None:
        label = field_label if parts.shared == "fields" else model_label
        for data in parts.attributes:
            data[parts.shared] = sorted(label.get(x, x) for x in data[parts.shared])


def _main_fields(rows: ReuseRows, label: dict[Any, Any]) -> tuple[list[Any], list[Any]]:
    """The field most of a model's papers are in, and of a paper's fields the one... the
    label counted most (ties: the first label), for each position in ``rows.names``
    (None where it has no field): for models, then for papers."""
    import numpy as np

    names, size = rows.names, len(rows.names)
    fields = np.unique(rows.paper_field[:, 1]).tolist()
    label_of = [label.get(names[f], names[f]) for f in fields]
    distinct = sorted(set(label_of))
    where = {name: i for i, name in enumerate(distinct)}
    code = np.zeros(size, dtype=np.int64)
    code[fields] = [where[name] for name in label_of]
    count = max(len(distinct), 1)

    def most(holders: np.ndarray, of_fields: np.ndarray) -> list[Any]:
        main: list[Any] = [None] * size
        if not len(holders):
            return main
        found, counts = np.unique(holders * count + code[of_fields], return_counts=True)
        holder, named = found // count, found % count
        order = np.lexsort((named, -counts, holder))
        holder, named = holder[order], named[order]
        first = np.concatenate([[True], holder[1:] != holder[:-1]])
        for h, n in zip(holder[first].tolist(), named[first].tolist(), strict=True):
            main[h] = distinct[n]
        return main

    linked = rows.linked
    return most(linked[:, 1], linked[:, 3]), most(rows.paper_field[:, 0], rows.paper_field[:, 1])


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
