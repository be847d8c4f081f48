"""The interactive network page: one HTML file that opens offline, with nothing to fetch.

The page inlines its stylesheet, one script and the network as JSON in a
``<script type="application/json">`` block. The script is the vendored, pinned
builds of sigma.js (a WebGL renderer), graphology and graphology-library's
ForceAtlas2 (``kg/data/vendor/``, versions and licences in its ``VERSIONS.json``)
followed by ``kg/data/network-page.js``: the layout is computed once, before the
first draw, from seeded starting positions (Barnes-Hut above 800 nodes), and sigma
fits it to the window; labels appear by zoom and importance (the biggest node of
each patch of the screen), at a fixed legible size. The page searches labels,
shows a node's details on hover, colours by node type or field, filters links by
reuse pattern and stage (where the links record them) and keys node sizes.

In the JSON block ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e``
and ``\\u0026``, so no label can close the block; the script puts labels on the
page with ``textContent`` or as canvas text only, so a label is always shown as
text. A Content-Security-Policy allows exactly the inlined script (by its hash)
and no network access at all.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any

import networkx as nx

from kg.errors import PtmkgError
from kg.networks.drawing import (
    OTHER_COLOUR,
    TYPE_COLOURS,
    colour_by,
    field_colours,
    node_types,
)
from kg.networks.graph import why_empty, writable
from kg.resources import data_file

#: Node attributes shown as the first rows of the tooltip, not again as details.
_SUMMARY = {"label", "type", "degree", "weighted_degree", "papers", "main_field"}
#: The vendored libraries, in the order they must run (sigma and ForceAtlas2 use graphology).
VENDORED = ("graphology.umd.min.js", "graphology-library.min.js", "sigma.min.js")
#: Edge attributes counting papers per reuse pattern or stage (see kg.networks.graph.count_key).
_FILTER_PREFIXES = ("pattern_", "stage_")


def page_script() -> str:
    """The page's one script: the vendored libraries, then the page's own code."""
    parts = [data_file(f"vendor/{name}").read_text(encoding="utf-8") for name in VENDORED]
    parts.append(data_file("network-page.js").read_text(encoding="utf-8"))
    return "\n;\n".join(parts)


def _filter_options(graph: nx.Graph, prefix: str) -> list[list[str]]:
    """``[key, label]`` for each pattern or stage some link of the graph counts papers for."""
    keys: dict[str, None] = {}
    for _a, _b, attributes in graph.edges(data=True):
        for key, value in attributes.items():
            if key.startswith(prefix) and isinstance(value, int) and value > 0:
                keys[key] = None
    return [[key, key[len(prefix) :].replace("_", " ").capitalize()] for key in keys]


def json_for_script(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element, whatever its strings contain."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def page_data(graph: nx.Graph, title: str) -> dict[str, Any]:
    """What the page's script reads: nodes, edges (by node index) and how to colour them."""
    clean = writable(graph)
    index = {node: i for i, node in enumerate(clean)}
    nodes = []
    for node, attributes in clean.nodes(data=True):
        nodes.append(
            {
                "id": str(node),
                "label": str(attributes.get("label", node)),
                "type": str(attributes.get("type", "")),
                "degree": clean.degree(node),
                "weighted_degree": clean.degree(node, weight="weight"),
                "papers": attributes.get("papers", 0),
                "main_field": attributes.get("main_field", ""),
                "details": [
                    [key, value] for key, value in attributes.items() if key not in _SUMMARY
                ],
            }
        )
    edges = [
        {
            "s": index[a],
            "t": index[b],
            "weight": attributes.get("weight", 1),
            # The patterns and stages this link has papers for: what the page's filters test.
            "on": [
                key
                for key, value in attributes.items()
                if key.startswith(_FILTER_PREFIXES) and isinstance(value, int) and value > 0
            ],
        }
        for a, b, attributes in clean.edges(data=True)
    ]
    return {
        "title": title,
        "kind": graph.graph.get("kind", ""),
        "weight": graph.graph.get("weighting", "weight"),
        "filters": graph.graph.get("filters", ""),
        "bipartite": len(node_types(graph)) == 2,
        "types": node_types(graph),
        "colourBy": colour_by(graph),
        "typeColours": TYPE_COLOURS,
        "fieldColours": field_colours(graph),
        "otherColour": OTHER_COLOUR,
        "patterns": _filter_options(graph, "pattern_"),
        "stages": _filter_options(graph, "stage_"),
        "nodes": nodes,
        "edges": edges,
    }


def html_bytes(graph: nx.Graph, **options: Any) -> bytes:
    """:func:`html_page` as the bytes of the file (the network format registry's entry)."""
    return html_page(graph, **options).encode("utf-8")


def html_page(graph: nx.Graph, *, title: str | None = None, **_drawing_options: Any) -> str:
    """The network as one self-contained HTML page (an empty network is an error saying why)."""
    if len(graph) == 0:
        raise PtmkgError(why_empty(graph))
    kind = graph.graph.get("kind", "")
    title = title or f"ptmkg {kind} network".replace("  ", " ")
    script = page_script()
    style = data_file("network-page.css").read_text(encoding="utf-8")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    policy = (
        "default-src 'none'; "
        f"script-src 'sha256-{script_hash}'; "
        "style-src 'unsafe-inline'; img-src data:; connect-src 'none'"
    )
    summary = f"{len(graph):,} nodes, {graph.number_of_edges():,} edges"
    if graph.graph.get("filters"):
        summary += f"; filters: {graph.graph['filters']}"
    weight = graph.graph.get("weighting", "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ptmkg">
<title>{html.escape(title)}</title>
<style>
{style}</style>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<span class="summary">{html.escape(summary)}</span>
<span class="summary">edge weight: {html.escape(str(weight))}</span>
<label>colour by <select id="colour-by"><option value="type">node type</option>\
<option value="field">field</option></select></label>
<label>pattern <select id="pattern"><option value="">any</option></select></label>
<label>stage <select id="stage-filter"><option value="">any</option></select></label>
<label>labels <select id="labels"><option value="top">by zoom and size</option>\
<option value="all">all</option><option value="none">none</option></select></label>
<label>find <input id="search" type="search" placeholder="a label"></label>
<span id="search-count"></span>
<button id="fit" type="button">fit</button>
<span id="shown-count" class="summary"></span>
<span class="help">scroll to zoom, drag to pan, hover a node for its details</span>
</header>
<div id="stage">
<div id="network" role="img" aria-label="{html.escape(title)}"></div>
<div id="legend"></div>
<div id="tooltip" role="tooltip"></div>
</div>
<script type="application/json" id="network-data">{json_for_script(page_data(graph, title))}\
</script>
<script>{script}</script>
</body>
</html>
"""
