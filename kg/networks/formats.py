"""Writing networks: one registry of file formats, chosen by name or by file extension.

==========  ==============================  =========================================
format      extensions                      for
==========  ==============================  =========================================
graphml     .graphml                        Gephi, Cytoscape desktop, yEd, igraph
gexf        .gexf                           Gephi (with node colours and sizes)
gml         .gml                            Cytoscape, igraph, Pajek converters
json        .json                           d3 (node-link: ``nodes`` and ``links``)
cyjs        .cyjs                           Cytoscape.js (``elements.nodes/edges``)
csv         .csv                            spreadsheets: OUT-nodes.csv, OUT-edges.csv
png, svg    .png, .svg                      a static drawing (matplotlib)
html        .html, .htm                     an interactive page that opens offline
==========  ==============================  =========================================

GraphML, GEXF and GML cannot hold ``None`` or lists: :func:`writable` drops the
one and joins the other with ``"; "``. The JSON formats keep lists as arrays.
GraphML is written as text, byte for byte what networkx's writer
(``nx.write_graphml_xml``) gives for :func:`writable`'s copy, several times faster.
GML reserves a node's ``label`` for its id, so there the IRI is the label and
the readable label is in ``name``.

CSV writes two files. For ``-o net.csv`` they are ``net-nodes.csv`` and
``net-edges.csv``; for a folder (``-o out --format csv``, or any existing
folder) they are ``out/nodes.csv`` and ``out/edges.csv``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import write_bytes_atomically, write_text_atomically
from kg.errors import PtmkgError
from kg.formats import Format, Registry
from kg.garbage import without_cyclic_gc
from kg.networks.graph import LIST_SEPARATOR, LIST_TYPES, list_value, writable

#: Node attributes that come first in CSV files, in this order; the rest follow sorted.
NODE_COLUMNS = ("id", "label", "type", "papers", "degree", "weighted_degree", "main_field")
EDGE_COLUMNS = ("source", "target", "source_label", "target_label", "weight")


# ------------------------------------------------------------------ writers


@without_cyclic_gc
def _graphml(graph: nx.Graph) -> bytes:
    """GraphML: what ``nx.write_graphml_xml(writable(graph))`` writes, byte for byte.

    networkx builds an ElementTree of every node, edge and value and then writes it
    a few characters at a time through an encoder; at tens of thousands of edges
    that took longer than the query behind the network. Here the same document is
    put together as text: the same keys (``d0``, ``d1`` ... in the order networkx
    meets them: graph, nodes, edges; declared last first), the same indentation,
    the same escaping (ElementTree's) and the same types. Graphs this shortcut is
    not written for (directed, multigraphs, GraphML defaults or a graph id) go
    through networkx itself.

    Nodes (and edges) with the same attribute names are written column by column (see
    :class:`_GraphmlKeys`): a network's nodes of one type, and its edges, share them.
    The columns are hundreds of thousands of tuples and lists that live until the end:
    the cyclic collector, which would walk the whole process again and again meanwhile,
    is paused (:mod:`kg.garbage`).
    """
    if type(graph) is not nx.Graph or _NETWORKX_ONLY & graph.graph.keys():
        buffer = io.BytesIO()
        nx.write_graphml_xml(writable(graph), buffer)
        return buffer.getvalue()
    keys = _GraphmlKeys()
    # Keys are numbered in the order networkx meets them: the graph's data first.
    graph_data = "".join(keys.cell("graph", n, v, "\n    ") for n, v in graph.graph.items())
    # Each node's id escaped once, for its element and for its edges'.
    ids = dict(zip(graph._node, _escaped(list(map(str, graph._node)), _xml_attribute), strict=True))
    nodes = keys.elements(
        "node",
        list(map('\n    <node id="{}"'.format, ids.values())),
        list(graph._node.values()),
    )
    # The edges as graph.edges(data=True) gives them: each node's neighbours, each pair
    # once (at the first of its nodes), read from the adjacency itself.
    sources: list[str] = []
    targets: list[str] = []
    values: list[Mapping[str, Any]] = []
    seen: set[Any] = set()
    for a, neighbours in graph._adj.items():
        # A node's neighbours are often all new (the first of a bipartite network's two
        # kinds) or all seen (the second): set operations tell which, each pair not.
        new = neighbours.keys() - seen
        if new:
            later = (
                list(neighbours)
                if len(new) == len(neighbours)
                else [b for b in neighbours if b in new]
            )
            sources += [ids[a]] * len(later)
            targets += map(ids.__getitem__, later)
            values += map(neighbours.__getitem__, later)
        seen.add(a)
    edges = keys.elements(
        "edge", list(map('\n    <edge source="{}" target="{}"'.format, sources, targets)), values
    )
    declared = [
        f'\n  <key id="{key_id}" for="{scope}" attr.name="{_xml_attribute(name)}" '
        f'attr.type="{xml_type}" />'
        for (name, xml_type, scope), key_id in reversed(keys.keys.items())
    ]
    if nodes or edges or graph_data:
        graph_element = ['\n  <graph edgedefault="undirected">', *nodes, *edges]
        graph_element += [graph_data, "\n  </graph>"]
    else:
        graph_element = ['\n  <graph edgedefault="undirected" />']
    document = "".join([_GRAPHML_START, *declared, *graph_element, "\n</graphml>\n"])
    return document.encode("utf-8", "xmlcharrefreplace")


class _GraphmlKeys:
    """The <key> elements of a GraphML document, and the <data> elements that use them.

    :meth:`elements` writes many elements at once: those with the same attribute names
    become columns of values (one per name), each converted and escaped by one call over
    the whole column where its values share a type, so that the work per value is done
    by Python's own string functions. Keys are still declared in the order networkx
    meets them (element by element, attribute by attribute).
    """

    _INDENT = "\n      "

    def __init__(self) -> None:
        self.types = _graphml_types()
        self.keys: dict[tuple[str, str, str], str] = {}
        # Per scope: an attribute name and value type -> the start of its <data> element.
        self.starts: dict[str, dict[tuple[Any, type], str]] = {"graph": {}, "node": {}, "edge": {}}

    def start(self, scope: str, name: Any, value_type: type, indent: str) -> str:
        known = self.starts[scope].get((name, value_type))
        if known is not None:
            return known
        xml_type = self.types.get(value_type)
        if xml_type is None:
            raise nx.NetworkXError(f"GraphML writer does not support {value_type} as data values.")
        key_id = self.keys.setdefault((str(name), xml_type, scope), f"d{len(self.keys)}")
        start = self.starts[scope][name, value_type] = f'{indent}<data key="{key_id}"'
        return start

    def cell(self, scope: str, name: Any, value: Any, indent: str) -> str:
        """One value's <data> element ("" for None)."""
        value_type = type(value)
        if value_type is str:
            text = _xml_text(value)
        elif value_type is int or value_type is float or value_type is bool:
            text = str(value)
        elif value is None:
            return ""
        else:
            if isinstance(value, LIST_TYPES):
                value = list_value(value, keep_lists=False)
                value_type = str
            text = _xml_text(str(value))
        start = self.start(scope, name, value_type, indent)
        return f"{start}>{text}</data>" if text else f"{start} />"

    def elements(
        self, scope: str, starts: list[str], attributes: list[Mapping[str, Any]]
    ) -> list[str]:
        """The elements with their attributes' data, as the pieces of text they are in
        the document, in order. ``starts`` holds each element's start tag up to its end
        (``'\\n    <node id="n1"'``)."""
        # Runs of elements with the same names, in order: each name a column of values.
        runs: list[tuple[tuple[Any, ...], int, int]] = []
        low = 0
        for names, run in groupby(map(tuple, attributes)):
            high = low + len(list(run))
            runs.append((names, low, high))
            low = high
        columns = [
            list(zip(*(a.values() for a in attributes[low:high]), strict=True)) if names else []
            for names, low, high in runs
        ]
        kinds = [[set(map(type, column)) for column in run_columns] for run_columns in columns]
        self._declare(scope, runs, columns, kinds)
        pieces: list[str] = []
        for (names, low, high), run_columns, run_kinds in zip(runs, columns, kinds, strict=True):
            pieces += self._run(scope, names, starts[low:high], run_columns, run_kinds)
        return pieces

    def _declare(
        self,
        scope: str,
        runs: list[tuple[tuple[Any, ...], int, int]],
        columns: list[list[tuple[Any, ...]]],
        kinds: list[list[set[type]]],
    ) -> None:
        """Declare the keys of these elements' values in the order an element-by-element
        writer meets them: by the first element with the name and type, then position."""
        met: list[tuple[int, int, Any, type]] = []
        for (names, low, _high), run_columns, run_kinds in zip(runs, columns, kinds, strict=True):
            for at, (name, column, column_kinds) in enumerate(
                zip(names, run_columns, run_kinds, strict=True)
            ):
                if len(column_kinds) == 1:
                    met.append((low, at, name, next(iter(column_kinds))))
                    continue
                each = list(map(type, column))
                met += [(low + each.index(kind), at, name, kind) for kind in column_kinds]
        for _first, _at, name, kind in sorted(met, key=lambda m: (m[0], m[1])):
            if kind is type(None):
                continue  # a None is left out
            text_type = str if kind is str or issubclass(kind, LIST_TYPES) else kind
            self.start(scope, name, text_type, self._INDENT)

    def _run(
        self,
        scope: str,
        names: tuple[Any, ...],
        starts: list[str],
        columns: list[tuple[Any, ...]],
        kinds: list[set[type]],
    ) -> list[str]:
        """Elements with the same attribute names: the document's pieces in order (each
        element's start tag, then its values' texts, each between what comes before and
        after it), filled a column at a time by slices."""
        count = len(starts)
        if not columns:
            return [f"{start} />" for start in starts]
        made = [
            self._column(scope, name, column, column_kinds)
            for name, column, column_kinds in zip(names, columns, kinds, strict=True)
        ]
        # What comes between two texts: the end of one <data>, the start of the next.
        glue = [">", *(after for _before, _texts, after in made)]
        glue = [_joined(a, b, count) for a, b in zip(glue, [m[0] for m in made], strict=False)]
        glue.append(_joined(made[-1][2], f"\n    </{scope}>", count))
        stride = 2 + 2 * len(made)
        pieces: list[str] = [""] * (count * stride)
        pieces[0::stride] = starts
        for at, between in enumerate(glue):
            pieces[1 + 2 * at :: stride] = (
                between if isinstance(between, list) else [between] * count
            )
        for at, (_before, texts, _after) in enumerate(made):
            pieces[2 + 2 * at :: stride] = texts
        if all(before == "" for before, _texts, _after in made):
            # Elements whose values are all None have no data: <node id="..." />.
            for i in range(count):
                base = i * stride
                if not any(pieces[base + 2 : base + stride - 1]):
                    pieces[base + 1], pieces[base + stride - 1] = " />", ""
        return pieces

    def _column(
        self, scope: str, name: Any, column: tuple[Any, ...], kinds: set[type]
    ) -> tuple[str | list[str], list[str], str | list[str]]:
        """One column of values (of these types) as pieces of the document: what comes
        before each text, the texts, what comes after (one string for all, or one each)."""
        kind = next(iter(kinds)) if len(kinds) == 1 else None
        if kind is None or kind not in _COLUMN_KINDS:
            # Several types, or one written as data() writes it: each value on its own.
            return "", [self.cell(scope, name, value, self._INDENT) for value in column], ""
        if kind is type(None):
            return "", [""] * len(column), ""
        start = self.start(scope, name, str if kind in _TEXT_KINDS else kind, self._INDENT)
        if kind in _PLAIN_TYPES:
            # Counts repeat (0, 1, 2 ...): each distinct value's text is made once.
            text_of = {value: str(value) for value in set(column)}
            return f"{start}>", list(map(text_of.__getitem__, column)), "</data>"
        if kind is str:
            texts = list(column)
        elif kind in (list, tuple):
            try:  # lists of strings, joined as they are
                texts = list(map(LIST_SEPARATOR.join, column))
            except TypeError:
                texts = [LIST_SEPARATOR.join(map(str, value)) for value in column]
        else:
            texts = [LIST_SEPARATOR.join(map(str, sorted(value))) for value in column]
        texts = _escaped(texts, _xml_text)
        if "" not in texts:
            return f"{start}>", texts, "</data>"
        # An empty text is a <data key="..." /> element.
        before = [f"{start}>" if text else f"{start} />" for text in texts]
        after = ["</data>" if text else "" for text in texts]
        return before, texts, after


def _joined(first: str | list[str], second: str | list[str], count: int) -> str | list[str]:
    """Two pieces of text, each one for all elements or one per element, one after the other."""
    if isinstance(first, str) and isinstance(second, str):
        return first + second
    firsts = first if isinstance(first, list) else [first] * count
    seconds = second if isinstance(second, list) else [second] * count
    return list(map(str.__add__, firsts, seconds))


def _escaped(texts: list[str], escape: Callable[[str], str]) -> list[str]:
    """``escape`` of each text, by one call over all of them joined (by a NUL, which no
    escape touches) where none holds a NUL itself."""
    joined = "\0".join(texts)
    escaped = escape(joined)
    if escaped == joined:
        return texts
    if joined.count("\0") == len(texts) - 1:
        return escaped.split("\0")
    return [escape(text) for text in texts]


#: Values written as str() gives them.
_PLAIN_TYPES = frozenset({int, float, bool})
#: Values written as text: strings, and lists, tuples and sets joined by "; ".
_TEXT_KINDS = frozenset({str, list, tuple, set, frozenset})
_COLUMN_KINDS = _PLAIN_TYPES | _TEXT_KINDS | {type(None)}


#: Graph attributes networkx's GraphML writer gives a meaning of their own.
_NETWORKX_ONLY = {"id", "node_default", "edge_default"}


def _graphml_start() -> str:
    from networkx.readwrite.graphml import GraphML

    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<graphml xmlns="{GraphML.NS_GRAPHML}" xmlns:xsi="{GraphML.NS_XSI}" '
        f'xsi:schemaLocation="{GraphML.SCHEMALOCATION}">'
    )


_GRAPHML_START = _graphml_start()


@cache
def _graphml_types() -> dict[type, str]:
    """networkx's GraphML name of each Python (and numpy) type it writes."""
    from networkx.readwrite.graphml import GraphML

    reference = GraphML()
    reference.construct_types()
    return reference.xml_type


def _xml_text(text: str) -> str:
    """Character data escaped as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_ATTRIBUTE_ESCAPES = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _xml_attribute(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it (line breaks and tabs too)."""
    text = _xml_text(text)
    for character, reference in _ATTRIBUTE_ESCAPES:
        if character in text:
            text = text.replace(character, reference)
    return text


def _gexf(graph: nx.Graph) -> bytes:
    from kg.networks.drawing import node_colours, node_sizes

    copy = writable(graph)
    colours = node_colours(graph)
    sizes = node_sizes(graph, smallest=4.0, largest=24.0)
    for node, data in copy.nodes(data=True):
        red, green, blue = _rgb(colours[node])
        data["viz"] = {"color": {"r": red, "g": green, "b": blue, "a": 1.0}, "size": sizes[node]}
    buffer = io.BytesIO()
    nx.write_gexf(copy, buffer)
    return buffer.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _gml(graph: nx.Graph) -> bytes:
    copy = writable(graph)
    for _node, data in copy.nodes(data=True):
        data["name"] = data.pop("label", "")
        for key, value in list(data.items()):
            if isinstance(value, bool):
                data[key] = int(value)
    for _a, _b, data in copy.edges(data=True):
        for key, value in list(data.items()):
            if isinstance(value, bool):
                data[key] = int(value)
    copy.graph = {k: int(v) if isinstance(v, bool) else v for k, v in copy.graph.items()}
    buffer = io.BytesIO()
    nx.write_gml(copy, buffer)
    return buffer.getvalue()


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode()


def node_link(graph: nx.Graph) -> dict[str, Any]:
    """The d3 node-link form: ``{"nodes": [{"id": ...}], "links": [{"source", "target"}]}``."""
    return nx.node_link_data(writable(graph, keep_lists=True), edges="links")


def _json(graph: nx.Graph) -> bytes:
    return _json_bytes(node_link(graph))


def _cyjs(graph: nx.Graph) -> bytes:
    return _json_bytes(nx.cytoscape_data(writable(graph, keep_lists=True), name="label"))


def _columns(rows: list[dict[str, Any]], first: tuple[str, ...]) -> list[str]:
    keys = dict.fromkeys(key for row in rows for key in row)
    return [c for c in first if c in keys] + [k for k in keys if k not in first]


def csv_tables(graph: nx.Graph) -> tuple[str, str]:
    """The nodes and the edges as two CSV texts."""
    copy = writable(graph)
    nodes = [{"id": node, **data} for node, data in copy.nodes(data=True)]
    edges = [
        {
            "source": a,
            "target": b,
            "source_label": copy.nodes[a].get("label", a),
            "target_label": copy.nodes[b].get("label", b),
            **data,
        }
        for a, b, data in copy.edges(data=True)
    ]
    texts = []
    for rows, first in ((nodes, NODE_COLUMNS), (edges, EDGE_COLUMNS)):
        buffer = io.StringIO()
        columns = _columns(rows, first) or list(first[:2])
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        texts.append(buffer.getvalue())
    return texts[0], texts[1]


def csv_paths(path: Path) -> tuple[Path, Path]:
    """Where ``-o PATH`` puts the nodes and edges CSV files.

    ``net.csv`` gives ``net-nodes.csv`` and ``net-edges.csv`` next to it; any
    other path names a folder, which gets ``nodes.csv`` and ``edges.csv``.
    """
    if path.suffix.lower() == ".csv" and not path.is_dir():
        stem = path.name[: -len(path.suffix)]
        return path.with_name(stem + "-nodes.csv"), path.with_name(stem + "-edges.csv")
    return path / "nodes.csv", path / "edges.csv"


# ------------------------------------------------------------------ registry


def _network_format(
    name: str,
    extensions: tuple[str, ...],
    description: str,
    implementation: str,
    *,
    binary: bool = False,
    drawing: bool = False,
) -> Format:
    options = {"binary": binary, "drawing": drawing}
    return Format(name, extensions, implementation, description, options=options)


#: Every network file format; ``implementation`` renders a network as one file's bytes
#: (CSV has none: it writes two files). Options: ``binary`` (not for a terminal) and
#: ``drawing`` (takes ``width``, ``height`` and ``title``).
NETWORK_FORMATS = Registry(
    "network format",
    (
        _network_format(
            "graphml", (".graphml",), "GraphML (Gephi, Cytoscape, yEd)", f"{__name__}:_graphml"
        ),
        _network_format(
            "gexf", (".gexf",), "GEXF 1.2 (Gephi), with colours and sizes", f"{__name__}:_gexf"
        ),
        _network_format("gml", (".gml",), "GML (Cytoscape, igraph)", f"{__name__}:_gml"),
        _network_format(
            "json", (".json",), "node-link JSON for d3 (nodes, links)", f"{__name__}:_json"
        ),
        _network_format("cyjs", (".cyjs",), "Cytoscape.js JSON (elements)", f"{__name__}:_cyjs"),
        _network_format("csv", (".csv",), "two CSV files: nodes and edges", ""),
        _network_format(
            "png", (".png",), "PNG drawing", "kg.networks.drawing:png", binary=True, drawing=True
        ),
        _network_format("svg", (".svg",), "SVG drawing", "kg.networks.drawing:svg", drawing=True),
        _network_format(
            "html",
            (".html", ".htm"),
            "interactive offline HTML page",
            "kg.networks.page:html_bytes",
            drawing=True,
        ),
    ),
)


def writes_one_file(chosen: Format) -> bool:
    """Whether the format is one file (every format but CSV's two)."""
    return bool(chosen.implementation)


def to_stdout(chosen: Format) -> bool:
    """Whether the format is one text file that can go to standard output."""
    return writes_one_file(chosen) and not chosen.options["binary"]


def choose_format(name: str | None, path: Path | None) -> Format:
    """The format asked for, else the output file's; a folder means CSV."""
    if name:
        return NETWORK_FORMATS[name]
    if path is None:
        raise PtmkgError("give --format or an output file")
    by_extension = NETWORK_FORMATS.for_path(path) if path.suffix else None
    if by_extension:
        return by_extension
    if path.is_dir():
        return NETWORK_FORMATS["csv"]
    raise PtmkgError(
        f"cannot tell the network format from {path.name!r}: give --format "
        f"({NETWORK_FORMATS.listing()}) or an extension such as .graphml or .html "
        "(--format csv with a folder writes nodes.csv and edges.csv into it)"
    )


def render_network(graph: nx.Graph, format_name: str, **options: Any) -> bytes:
    """The network as the bytes of one file (every format but csv)."""
    chosen = NETWORK_FORMATS[format_name]
    if not writes_one_file(chosen):
        raise PtmkgError(f"{chosen.name} writes two files: give an output path")
    render: Callable[..., bytes] = chosen.load()
    return render(graph, **options) if chosen.options["drawing"] else render(graph)


def write_network(
    graph: nx.Graph, path: Path | str, format_name: str | None = None, **options: Any
) -> list[Path]:
    """Write the network to ``path`` (format from ``format_name`` or the extension).

    Returns the files written: one, or two for CSV. Drawings take ``width`` and
    ``height`` in pixels (PNG, SVG) and ``title``.
    """
    path = Path(path)
    chosen = choose_format(format_name, path)
    try:
        if not writes_one_file(chosen):
            nodes_path, edges_path = csv_paths(path)
            nodes_text, edges_text = csv_tables(graph)
            write_text_atomically(nodes_path, nodes_text)
            write_text_atomically(edges_path, edges_text)
            return [nodes_path, edges_path]
        data = render_network(graph, chosen.name, **options)
        write_bytes_atomically(path, data)
    except OSError as exc:
        raise PtmkgError(f"cannot write {path}: {exc.strerror}") from None
    return [path]
