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
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import write_bytes_atomically, write_text_atomically
from kg.errors import PtmkgError

LIST_SEPARATOR = "; "
#: Node attributes that come first in CSV files, in this order; the rest follow sorted.
NODE_COLUMNS = ("id", "label", "type", "papers", "degree", "weighted_degree", "main_field")
EDGE_COLUMNS = ("source", "target", "source_label", "target_label", "weight")


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
        if isinstance(value, _LISTS):
            value = _list_value(value, keep_lists)
        values[key] = value
    return values


_LISTS = list | tuple | set | frozenset


def _list_value(value: Any, keep_lists: bool) -> list[Any] | str:
    """A list, tuple or set as a list (sets sorted), or as text joined by ``"; "``."""
    items = sorted(value) if isinstance(value, set | frozenset) else list(value)
    return items if keep_lists else LIST_SEPARATOR.join(str(v) for v in items)


# ------------------------------------------------------------------ writers


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
    """
    if type(graph) is not nx.Graph or _NETWORKX_ONLY & graph.graph.keys():
        buffer = io.BytesIO()
        nx.write_graphml_xml(writable(graph), buffer)
        return buffer.getvalue()
    xml_types = _graphml_types()
    keys: dict[tuple[str, str, str], str] = {}
    # Per scope: an attribute name and value type -> the start of its <data> element.
    starts: dict[str, dict[tuple[Any, type], str]] = {"graph": {}, "node": {}, "edge": {}}

    def declare(scope: str, name: Any, value_type: type, indent: str) -> str:
        xml_type = xml_types.get(value_type)
        if xml_type is None:
            raise nx.NetworkXError(f"GraphML writer does not support {value_type} as data values.")
        key_id = keys.setdefault((str(name), xml_type, scope), f"d{len(keys)}")
        start = starts[scope][name, value_type] = f'{indent}<data key="{key_id}"'
        return start

    def data(scope: str, attributes: Mapping[str, Any], indent: str) -> str:
        known = starts[scope]
        elements = []
        for name, value in attributes.items():
            value_type = type(value)
            if value_type is str:
                text = _xml_text(value)
            elif value_type is int or value_type is float or value_type is bool:
                text = str(value)
            elif value is None:
                continue
            else:
                if isinstance(value, _LISTS):
                    value = _list_value(value, keep_lists=False)
                    value_type = str
                text = _xml_text(str(value))
            start = known.get((name, value_type)) or declare(scope, name, value_type, indent)
            elements.append(f"{start}>{text}</data>" if text else f"{start} />")
        return "".join(elements)

    def element(start: str, children: str, indent: str, tag: str) -> str:
        if children:
            return f"{indent}<{start}>{children}{indent}</{tag}>"
        return f"{indent}<{start} />"

    # Keys are numbered in the order networkx meets them: the graph's data first.
    graph_data = data("graph", graph.graph, "\n    ")
    parts = [
        element(
            f'node id="{_xml_attribute(str(node))}"',
            data("node", values, "\n      "),
            "\n    ",
            "node",
        )
        for node, values in graph.nodes(data=True)
    ]
    parts += [
        element(
            f'edge source="{_xml_attribute(str(a))}" target="{_xml_attribute(str(b))}"',
            data("edge", values, "\n      "),
            "\n    ",
            "edge",
        )
        for a, b, values in graph.edges(data=True)
    ]
    parts.append(graph_data)
    declared = [
        f'\n  <key id="{key_id}" for="{scope}" attr.name="{_xml_attribute(name)}" '
        f'attr.type="{xml_type}" />'
        for (name, xml_type, scope), key_id in reversed(keys.items())
    ]
    document = "".join(
        [
            _GRAPHML_START,
            *declared,
            element('graph edgedefault="undirected"', "".join(parts), "\n  ", "graph"),
            "\n</graphml>\n",
        ]
    )
    return document.encode("utf-8", "xmlcharrefreplace")


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


def _png(graph: nx.Graph, **options: Any) -> bytes:
    from kg.networks.drawing import draw

    return draw(graph, "png", **options)


def _svg(graph: nx.Graph, **options: Any) -> bytes:
    from kg.networks.drawing import draw

    return draw(graph, "svg", **options)


def _html(graph: nx.Graph, **options: Any) -> bytes:
    from kg.networks.page import html_page

    return html_page(graph, **options).encode("utf-8")


# ------------------------------------------------------------------ registry


@dataclass(frozen=True)
class NetworkFormat:
    name: str
    extensions: tuple[str, ...]
    description: str
    render: Callable[..., bytes] | None
    binary: bool = False
    drawing: bool = False

    @property
    def to_stdout(self) -> bool:
        """Whether the format is one text file that can go to standard output."""
        return self.render is not None and not self.binary


NETWORK_FORMATS: dict[str, NetworkFormat] = {
    f.name: f
    for f in (
        NetworkFormat("graphml", (".graphml",), "GraphML (Gephi, Cytoscape, yEd)", _graphml),
        NetworkFormat("gexf", (".gexf",), "GEXF 1.2 (Gephi), with colours and sizes", _gexf),
        NetworkFormat("gml", (".gml",), "GML (Cytoscape, igraph)", _gml),
        NetworkFormat("json", (".json",), "node-link JSON for d3 (nodes, links)", _json),
        NetworkFormat("cyjs", (".cyjs",), "Cytoscape.js JSON (elements)", _cyjs),
        NetworkFormat("csv", (".csv",), "two CSV files: nodes and edges", None),
        NetworkFormat("png", (".png",), "PNG drawing", _png, binary=True, drawing=True),
        NetworkFormat("svg", (".svg",), "SVG drawing", _svg, drawing=True),
        NetworkFormat(
            "html", (".html", ".htm"), "interactive offline HTML page", _html, drawing=True
        ),
    )
}


def network_format(name: str) -> NetworkFormat:
    chosen = NETWORK_FORMATS.get(name.lower().lstrip("."))
    if chosen is None:
        raise PtmkgError(
            f"unknown network format {name!r}: choose one of {', '.join(NETWORK_FORMATS)}"
        )
    return chosen


def network_format_for_file(path: Path | str) -> NetworkFormat | None:
    """The format a file's extension names, if any."""
    suffix = Path(path).suffix.lower()
    return next((f for f in NETWORK_FORMATS.values() if suffix in f.extensions), None)


def choose_format(name: str | None, path: Path | None) -> NetworkFormat:
    """The format asked for, else the output file's; a folder means CSV."""
    if name:
        return network_format(name)
    if path is not None:
        by_extension = network_format_for_file(path)
        if by_extension:
            return by_extension
        if path.is_dir():
            return NETWORK_FORMATS["csv"]
        raise PtmkgError(
            f"cannot tell the network format from {path.name!r}: give --format "
            f"({', '.join(NETWORK_FORMATS)}) or an extension such as .graphml or .html "
            "(--format csv with a folder writes nodes.csv and edges.csv into it)"
        )
    raise PtmkgError("give --format or an output file")


def render_network(graph: nx.Graph, format_name: str, **options: Any) -> bytes:
    """The network as the bytes of one file (every format but csv)."""
    chosen = network_format(format_name)
    if chosen.render is None:
        raise PtmkgError(f"{chosen.name} writes two files: give an output path")
    if chosen.drawing:
        return chosen.render(graph, **options)
    return chosen.render(graph)


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
        if chosen.render is None:
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
