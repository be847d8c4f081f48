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
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import write_bytes_atomically, write_text_atomically
from kg.errors import PtmkgError
from kg.formats import Format, Registry
from kg.networks.graph import LIST_TYPES, list_value, writable

#: Node attributes that come first in CSV files, in this order; the rest follow sorted.
NODE_COLUMNS = ("id", "label", "type", "papers", "degree", "weighted_degree", "main_field")
EDGE_COLUMNS = ("source", "target", "source_label", "target_label", "weight")


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
                if isinstance(value, LIST_TYPES):
                    value = list_value(value, keep_lists=False)
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
