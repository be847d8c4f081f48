"""Static drawings of networks (PNG, SVG) with matplotlib, and the colours every view shares.

Bipartite networks are drawn in two columns (models on one side, fields or papers
on the other, ordered to keep edges short); the others with a seeded
force-directed layout, so the same network gives the same picture. A picture
stays readable at any size: past :data:`COLUMN_NODES` per column or
:data:`DRAWN_NODES` in all, only the nodes with the most papers are drawn, and a
note under the drawing says how many of which type were left out (the HTML page
and the graph formats keep them all). Labels never pile up: they are placed from
the most connected node down, each tried above, below, right and left of its
node, and a label that would still overlap one already placed, or leave the
picture, is left out; in a field-field drawing every field keeps its label, moved
to the margin with a leader line if need be. Labels are drawn as they are written
(``$x$`` is not typeset as mathematics). Node size follows degree, edge width
follows weight. An empty network is not drawn: the error says why it is empty.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from typing import Any

import networkx as nx

from kg.defaults import DRAWING_HEIGHT, DRAWING_WIDTH
from kg.errors import PtmkgError
from kg.networks.graph import why_empty

DPI = 100
SEED = 7
#: One colour per node type, the same in PNG, SVG, GEXF and HTML.
TYPE_COLOURS = {"model": "#4C72B0", "field": "#DD8452", "paper": "#55A868"}
#: One colour per OpenAlex field, the same in every network, drawing and page. The study's
#: eight natural-science fields, Medicine and Computer Science (the fields most networks are
#: about) get the strongest, most distinct colours; no field is grey, which means "no field".
FIELD_COLOURS = {
    "Biochemistry, Genetics and Molecular Biology": "#2ca02c",
    "Agricultural and Biological Sciences": "#bcbd22",
    "Immunology and Microbiology": "#e377c2",
    "Neuroscience": "#9467bd",
    "Chemistry": "#ff7f0e",
    "Earth and Planetary Sciences": "#8c564b",
    "Environmental Science": "#17becf",
    "Physics and Astronomy": "#1f77b4",
    "Medicine": "#d62728",
    "Computer Science": "#393b79",
    "Engineering": "#aec7e8",
    "Mathematics": "#c5b0d5",
    "Materials Science": "#ffbb78",
    "Chemical Engineering": "#f7b6d2",
    "Energy": "#dbdb8d",
    "Pharmacology, Toxicology and Pharmaceutics": "#98df8a",
    "Psychology": "#c49c94",
    "Social Sciences": "#9edae5",
    "Veterinary": "#ff9896",
    "Health Professions": "#637939",
    "Nursing": "#e7969c",
    "Dentistry": "#7b4173",
    "Arts and Humanities": "#843c39",
    "Business, Management and Accounting": "#8c6d31",
    "Decision Sciences": "#5254a3",
    "Economics, Econometrics and Finance": "#d6616b",
}
#: Colours for field names outside OpenAlex's 26 (a source's own field labels), by rank.
FIELD_PALETTE = (
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#6baed6", "#fd8d3c",
    "#74c476", "#9e9ac8", "#fdae6b", "#a1d99b", "#bcbddc",
)  # fmt: skip
OTHER_COLOUR = "#9a9a9a"
TYPE_ORDER = ("paper", "model", "field")
LABEL_CHARACTERS = 48
#: At most this many nodes in a force-directed drawing, and per column of a bipartite one.
DRAWN_NODES = 150
COLUMN_NODES = 60


def node_types(graph: nx.Graph) -> list[str]:
    present = {str(data.get("type", "")) for _n, data in graph.nodes(data=True)}
    return [t for t in TYPE_ORDER if t in present] + sorted(present - set(TYPE_ORDER))


def colour_by(graph: nx.Graph) -> str:
    """``type`` for networks of two node types, ``field`` for networks of one."""
    return "type" if len(node_types(graph)) > 1 else "field"


def field_colours(graph: nx.Graph) -> dict[str, str]:
    """A colour for every main field in the graph, the most common fields first.

    OpenAlex's fields keep their colour from :data:`FIELD_COLOURS` whatever the
    network; other names take the unused colours of :data:`FIELD_PALETTE` in turn,
    and only when more of them than colours are left do the rest share grey.
    """
    counts = Counter(
        data["main_field"] for _n, data in graph.nodes(data=True) if data.get("main_field")
    )
    ranked = sorted(counts, key=lambda name: (-counts[name], name))
    spare = iter(FIELD_PALETTE)
    colours = {}
    for name in ranked:
        colour = FIELD_COLOURS.get(name) or next(spare, None)
        if colour:
            colours[name] = colour
    return colours


def node_colours(graph: nx.Graph, by: str | None = None) -> dict[Any, str]:
    by = by or colour_by(graph)
    if by == "type":
        return {
            n: TYPE_COLOURS.get(d.get("type", ""), OTHER_COLOUR) for n, d in graph.nodes(data=True)
        }
    palette = field_colours(graph)
    return {
        n: palette.get(d.get("main_field", ""), OTHER_COLOUR) for n, d in graph.nodes(data=True)
    }


def node_sizes(graph: nx.Graph, smallest: float, largest: float) -> dict[Any, float]:
    """Sizes from ``smallest`` to ``largest`` by the square root of the degree."""
    top = max((graph.degree(n) for n in graph), default=0)
    return {
        n: round(smallest + (largest - smallest) * math.sqrt(graph.degree(n) / top), 2)
        if top
        else smallest
        for n in graph
    }


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


# ------------------------------------------------------------------ layouts


def bipartite_positions(graph: nx.Graph) -> tuple[dict[Any, tuple[float, float]], list[list[Any]]]:
    """Two columns: the right one by papers, the left one by where its neighbours sit."""
    right_type = node_types(graph)[1]
    right = sorted(
        (n for n, d in graph.nodes(data=True) if d.get("type") == right_type),
        key=lambda n: (-graph.nodes[n].get("papers", 0), str(graph.nodes[n].get("label", n)), n),
    )
    rank = {n: i for i, n in enumerate(right)}

    def barycentre(node: Any) -> float:
        total = sum(graph[node][m].get("weight", 1) for m in graph[node] if m in rank)
        if not total:
            return float(len(right))
        return (
            sum(rank[m] * graph[node][m].get("weight", 1) for m in graph[node] if m in rank) / total
        )

    left = sorted(
        (n for n, d in graph.nodes(data=True) if d.get("type") != right_type),
        key=lambda n: (barycentre(n), -graph.degree(n), str(graph.nodes[n].get("label", n)), n),
    )
    positions = {}
    for x, column in ((0.0, left), (1.0, right)):
        for i, node in enumerate(column):
            positions[node] = (x, 1.0 - (i + 0.5) / len(column))
    return positions, [left, right]


def spread_positions(graph: nx.Graph) -> dict[Any, tuple[float, float]]:
    """A seeded force-directed layout per connected component, the components packed in rows.

    Laying out each component on its own keeps small components and lone nodes
    from being flung to the corners while the big component shrinks to a dot.
    """
    if len(graph) == 0:
        return {}
    components = sorted(
        (sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0])
    )
    sides = [math.sqrt(len(c)) for c in components]
    row_width = max(sides[0], 1.4 * math.sqrt(sum(side * side for side in sides)))
    positions: dict[Any, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for component, side in zip(components, sides, strict=True):
        if x > 0 and x + side > row_width + 1e-9:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (u, v) in _component_layout(graph.subgraph(component)).items():
            positions[node] = (x + side * (0.1 + 0.8 * u), y + side * (0.1 + 0.8 * (1 - v)))
        x += side
        row_height = max(row_height, side)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    # Rows were stacked downwards from y = 0; the first row goes at the top.
    return {
        n: (
            (p[0] - min(xs)) / span_x if len(xs) > 1 else 0.5,
            1 - (p[1] - min(ys)) / span_y if len(ys) > 1 else 0.5,
        )
        for n, p in positions.items()
    }


def _component_layout(component: nx.Graph) -> dict[Any, tuple[float, float]]:
    """One component's layout in the unit square."""
    if len(component) == 1:
        return {next(iter(component)): (0.5, 0.5)}
    if len(component) > 2000:
        raw = nx.circular_layout(component)
    else:
        raw = nx.spring_layout(
            component,
            k=1.8 / math.sqrt(len(component)),
            iterations=200,
            weight="weight",
            seed=SEED,
            method="force",
        )
    xs = [float(p[0]) for p in raw.values()]
    ys = [float(p[1]) for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {
        n: ((float(p[0]) - min(xs)) / span_x, (float(p[1]) - min(ys)) / span_y)
        for n, p in raw.items()
    }


# ------------------------------------------------------------------ drawing


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise PtmkgError("PNG and SVG drawings need matplotlib: pip install matplotlib") from None
    return matplotlib


def png(graph: nx.Graph, **options: Any) -> bytes:
    """The network drawn as a PNG image (the network format registry's entry)."""
    return draw(graph, "png", **options)


def svg(graph: nx.Graph, **options: Any) -> bytes:
    """The network drawn as an SVG image (the network format registry's entry)."""
    return draw(graph, "svg", **options)


def draw(
    graph: nx.Graph,
    image_format: str,
    *,
    width: int = DRAWING_WIDTH,
    height: int = DRAWING_HEIGHT,
    title: str | None = None,
    max_labels: int = 80,
) -> bytes:
    """The network drawn as PNG or SVG bytes, exactly ``width`` x ``height`` pixels."""
    matplotlib = _matplotlib()
    with matplotlib.rc_context({"svg.hashsalt": "ptmkg", "svg.fonttype": "none"}):
        figure = drawing(graph, width=width, height=height, title=title, max_labels=max_labels)
        return _save(figure, image_format)


def drawing(
    graph: nx.Graph,
    *,
    width: int = DRAWING_WIDTH,
    height: int = DRAWING_HEIGHT,
    title: str | None = None,
    max_labels: int = 80,
) -> Any:
    """The matplotlib figure of the network (labels are the axes' texts)."""
    if width < 200 or height < 200:
        raise PtmkgError(f"a drawing needs at least 200 x 200 pixels, got {width} x {height}")
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    if len(graph) == 0:
        raise PtmkgError(why_empty(graph))
    whole = graph
    graph, note = drawn_part(graph)
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    renderer = FigureCanvasAgg(figure).get_renderer()
    heading = figure.suptitle(
        title or _title(whole), fontsize=12, y=1 - 8 / height, va="top", parse_math=False
    )
    size = 12.0
    while heading.get_window_extent(renderer).width > width - 10 and size > 6:
        size -= 1
        heading.set_fontsize(size)
    top = heading.get_window_extent(renderer).y0 - 6
    by = colour_by(graph)
    colours = node_colours(graph, by)
    legend = _legend(figure, graph, by, colours, Line2D, top / height)
    top = legend.get_window_extent(renderer).y0 - 6
    bottom = 0.01
    if note:
        footer = figure.text(
            0.5, 4 / height, note, ha="center", va="bottom", fontsize=8, color="#444",
            wrap=True, parse_math=False,
        )  # fmt: skip
        bottom = (footer.get_window_extent(renderer).y1 + 4) / height
    axes = figure.add_axes((0.01, bottom, 0.98, max(0.2, top / height - bottom)))
    axes.set_axis_off()

    bipartite = by == "type" and len(node_types(graph)) == 2
    every_label = graph.graph.get("kind") == "field-field"
    if bipartite:
        positions, columns = bipartite_positions(graph)
        axes.set_xlim(-0.8, 1.8)
    else:
        positions = spread_positions(graph)
        # A field-field drawing keeps margins for the labels that do not fit by their node.
        axes.set_xlim(*((-0.55, 1.55) if every_label else (-0.08, 1.08)))
        columns = []
    axes.set_ylim(-0.03, 1.03)

    heaviest = max((w for _a, _b, w in graph.edges(data="weight", default=1)), default=1)
    edges = list(graph.edges(data="weight", default=1))
    axes.add_collection(
        LineCollection(
            [(positions[a], positions[b]) for a, b, _w in edges],
            linewidths=[0.6 + 3.4 * w / heaviest for _a, _b, w in edges],
            colors="#7f7f7f",
            alpha=0.35 if len(edges) < 2000 else 0.15,
            zorder=1,
        )
    )
    sizes = node_sizes(graph, smallest=25.0, largest=420.0)
    font_size = dict.fromkeys(graph, 8.0)
    plot_height = axes.get_window_extent(renderer).height / 1.06
    for column in columns:
        # A column's nodes and labels as large as its spacing allows.
        spacing_points = plot_height / max(len(column), 1) * 72 / DPI
        font_size.update(dict.fromkeys(column, max(5.0, min(9.0, spacing_points * 0.8))))
        widest = max(4.0, spacing_points * 0.9) ** 2
        sizes.update({n: min(sizes[n], widest) for n in column})
    nodes = list(graph)
    axes.scatter(
        [positions[n][0] for n in nodes],
        [positions[n][1] for n in nodes],
        s=[sizes[n] for n in nodes],
        c=[colours[n] for n in nodes],
        edgecolors="white",
        linewidths=0.8,
        zorder=2,
    )
    _place_labels(figure, axes, graph, positions, bipartite, font_size, max_labels, every_label)
    return figure


def drawing_note(graph: nx.Graph) -> str:
    """What a drawing of ``graph`` leaves out ("" when it draws every node)."""
    return drawn_part(graph)[1] if len(graph) else ""


def drawn_part(graph: nx.Graph) -> tuple[nx.Graph, str]:
    """The nodes a readable drawing has room for, and a note of what was left out.

    Nodes are ranked as ``--top`` ranks them (most papers, then weighted degree,
    then label); a bipartite network keeps its heaviest :data:`COLUMN_NODES` of
    each type, any other :data:`DRAWN_NODES` in all.
    """
    types = node_types(graph)

    def ranked(nodes: list[Any]) -> list[Any]:
        return sorted(
            nodes,
            key=lambda n: (
                -graph.nodes[n].get("papers", 0),
                -graph.degree(n, weight="weight"),
                str(graph.nodes[n].get("label", n)),
                str(n),
            ),
        )

    if len(types) == 2:
        kept = []
        for node_type in types:
            of_type = [n for n, d in graph.nodes(data=True) if d.get("type") == node_type]
            kept += ranked(of_type)[:COLUMN_NODES]
    else:
        kept = ranked(list(graph))[:DRAWN_NODES]
    if len(kept) == len(graph):
        return graph, ""
    part = graph.subgraph(kept).copy()
    left_out = Counter(d.get("type", "node") for n, d in graph.nodes(data=True) if n not in part)
    lightest = max(
        (d.get("papers", 0) for n, d in graph.nodes(data=True) if n not in part), default=0
    )
    counts = ", ".join(
        f"{count:,} {name}{'' if count == 1 else 's'}" for name, count in sorted(left_out.items())
    )
    note = (
        f"Drawn: the {len(part):,} nodes with the most papers of {len(graph):,}. "
        f"Left out: {counts} with at most {lightest:,} paper{'' if lightest == 1 else 's'} each "
        "and their links. The .html page and the graph formats (.graphml, .gexf) keep them all."
    )
    return part, note


def _title(graph: nx.Graph) -> str:
    kind = graph.graph.get("kind", "")
    via = graph.graph.get("via")
    heading = f"{kind} network" + (
        f" (via {via})" if kind in ("model-model", "field-field") else ""
    )
    text = f"{heading}: {len(graph):,} nodes, {graph.number_of_edges():,} edges"
    if graph.graph.get("filters"):
        text += f"   [{graph.graph['filters']}]"
    return text


def label_box(text: Any, renderer: Any) -> Any:
    """The box of a label's text on the figure, without its leader line."""
    from matplotlib.text import Annotation, Text

    if isinstance(text, Annotation):
        text.update_positions(renderer)  # where its offset puts it, as drawing does
    return Text.get_window_extent(text, renderer)


#: Where a label may go, tried in turn: above, below, right and left of its node.
_LABEL_SPOTS = (
    ((0, 7), "center", "bottom"),
    ((0, -7), "center", "top"),
    ((9, 0), "left", "center"),
    ((-9, 0), "right", "center"),
)


def _place_labels(
    figure: Any,
    axes: Any,
    graph: nx.Graph,
    positions: dict[Any, tuple[float, float]],
    bipartite: bool,
    font_size: dict[Any, float],
    max_labels: int,
    every_label: bool = False,
) -> list[Any]:
    """Label the most connected nodes first; skip any label that would overlap or leave.

    With ``every_label`` no label is skipped: one that fits nowhere by its node
    goes to a free row of the margin on its side, joined to its node by a line.
    """
    renderer = figure.canvas.get_renderer()
    frame = figure.bbox
    legend_boxes = [legend.get_window_extent(renderer) for legend in figure.legends]
    legend_boxes += [text.get_window_extent(renderer) for text in figure.texts]
    placed: list[Any] = []
    boxes: list[Any] = []
    order = sorted(
        graph,
        key=lambda n: (
            -graph.degree(n),
            -graph.degree(n, weight="weight"),
            str(graph.nodes[n].get("label", n)),
        ),
    )

    def fits(box: Any) -> bool:
        inside = (
            box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1
        )
        return inside and not any(box.overlaps(other) for other in boxes + legend_boxes)

    def keep(text: Any) -> bool:
        box = label_box(text, renderer)
        if fits(box):
            placed.append(text)
            boxes.append(box)
            return True
        text.remove()
        return False

    left_x = 0.0
    missing = []
    for node in order:
        if len(placed) >= max_labels and not every_label:
            break
        x, y = positions[node]
        label = _short(str(graph.nodes[node].get("label", node)))
        if bipartite:
            on_left = x == left_x
            spots: tuple[Any, ...] = (
                ((-9 if on_left else 9, 0), "right" if on_left else "left", "center"),
            )
        else:
            spots = _LABEL_SPOTS
        for offset, ha, va in spots:
            text = axes.annotate(
                label, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va,
                fontsize=font_size[node], zorder=3, parse_math=False,
                bbox=None if bipartite else
                {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )  # fmt: skip
            if keep(text):
                break
        else:
            missing.append(node)
    if every_label:
        for node in missing:
            _place_in_margin(axes, renderer, graph, positions, node, font_size[node], keep)
    return placed


def _place_in_margin(
    axes: Any,
    renderer: Any,
    graph: nx.Graph,
    positions: dict[Any, tuple[float, float]],
    node: Any,
    font_size: float,
    keep: Any,
) -> None:
    """Put a node's label in the first free row of the margin nearest to it, with a line."""
    x, y = positions[node]
    area = axes.get_window_extent(renderer)
    row = font_size * 1.5 * DPI / 72
    rows = max(1, int(area.height // row))
    to_display = axes.transData.transform
    node_y = to_display((x, y))[1]
    # Rows nearest the node first, on the node's side first, then on the other side.
    by_distance = sorted(range(rows), key=lambda i: abs(area.y0 + (i + 0.5) * row - node_y))
    sides = (0, 1) if x < 0.5 else (1, 0)
    for side in sides:
        for i in by_distance:
            at_y = area.y0 + (i + 0.5) * row
            at_x = area.x0 + 2 if side == 0 else area.x1 - 2
            target = axes.transData.inverted().transform((at_x, at_y))
            text = axes.annotate(
                _short(str(graph.nodes[node].get("label", node))), (x, y),
                xytext=tuple(target), textcoords="data",
                ha="left" if side == 0 else "right", va="center",
                fontsize=font_size, zorder=3, parse_math=False,
                arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.6,
                            "shrinkA": 2, "shrinkB": 4},
            )  # fmt: skip
            if keep(text):
                return


def _legend(
    figure: Any, graph: nx.Graph, by: str, colours: dict[Any, str], line: Any, top: float
) -> Any:
    """The colour key, in rows under the title (never over the nodes)."""
    if by == "type":
        entries = [(t, TYPE_COLOURS.get(t, OTHER_COLOUR)) for t in node_types(graph)]
    else:
        entries = list(field_colours(graph).items())
        if any(c == OTHER_COLOUR for c in colours.values()):
            entries.append(("other or no field", OTHER_COLOUR))
    handles = [
        line([0], [0], marker="o", linestyle="", markersize=7, color=colour, label=_short(name))
        for name, colour in entries
    ]
    legend = figure.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, top),
        ncol=max(1, min(len(handles), 4)),
        fontsize=7,
        frameon=False,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)
    return legend


def _save(figure: Any, image_format: str) -> bytes:
    buffer = io.BytesIO()
    metadata = {"Software": None} if image_format == "png" else {"Date": None}
    figure.savefig(buffer, format=image_format, dpi=DPI, metadata=metadata)
    return buffer.getvalue()
