"""Every network format is written, read back with an independent reader, and compared."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from network_corpus import CORPUS

import kg
from kg.networks.drawing import TYPE_COLOURS, drawing, label_box
from kg.networks.formats import NETWORK_FORMATS, csv_paths, render_network
from kg.networks.graph import writable
from kg.networks.page import VENDORED, page_data
from kg.resources import data_file

pytest.importorskip("matplotlib")
from PIL import Image

# model-model via field, counted by hand from CORPUS (see test_network_build).
EXPECTED_MODEL_MODEL = {
    frozenset(("ResNet-50", "BERT")): 2,
    frozenset(("ResNet-50", "AlphaFold")): 1,
    frozenset(("BERT", "AlphaFold")): 1,
}
EXPECTED_MODEL_FIELD = {
    frozenset(("ResNet-50", "Neuroscience")): 2,
    frozenset(("ResNet-50", "Chemistry")): 1,
    frozenset(("BERT", "Neuroscience")): 2,
    frozenset(("BERT", "Chemistry")): 2,
    frozenset(("AlphaFold", "Chemistry")): 1,
    frozenset(("AlphaFold", "Physics and Astronomy")): 1,
}


@pytest.fixture
def store(write, build_store):
    return build_store(write("corpus.csv", CORPUS))


@pytest.fixture
def model_field(store):
    return kg.network(store, "model-field")


@pytest.fixture
def model_model(store):
    return kg.network(store, "model-model", via="field")


def by_label(graph: nx.Graph, label_key: str = "label") -> dict[frozenset[str], float]:
    label = {n: str(d.get(label_key, n)) for n, d in graph.nodes(data=True)}
    return {frozenset((label[a], label[b])): w for a, b, w in graph.edges(data="weight")}


def assert_same_network(read: nx.Graph, written: nx.Graph, label_key: str = "label") -> None:
    """Same node ids, same edges, same weights, same labels and types."""
    assert set(read.nodes) == set(written.nodes)
    assert {frozenset(e) for e in read.edges} == {frozenset(e) for e in written.edges}
    for a, b, weight in written.edges(data="weight"):
        assert float(read.edges[a, b]["weight"]) == weight
    for node, data in written.nodes(data=True):
        assert read.nodes[node][label_key] == data["label"]
        assert read.nodes[node]["type"] == data["type"]
        assert int(read.nodes[node]["degree"]) == data["degree"]


# ------------------------------------------------------------------ graph files


def test_graphml_reads_back(model_field, model_model, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.graphml")
    read = nx.read_graphml(tmp_path / "mf.graphml")
    assert_same_network(read, model_field)
    assert by_label(read) == EXPECTED_MODEL_FIELD
    some = next(iter(model_field.edges))
    assert read.edges[some]["pattern_adaptation"] == model_field.edges[some]["pattern_adaptation"]
    kg.write_network(model_model, tmp_path / "mm.graphml")
    read = nx.read_graphml(tmp_path / "mm.graphml")
    assert by_label(read) == EXPECTED_MODEL_MODEL
    # Lists become text: GraphML has no list type.
    resnet, bert = (n for n, d in read.nodes(data=True) if d["label"] in ("ResNet-50", "BERT"))
    assert read.edges[resnet, bert]["fields"] == "Chemistry; Neuroscience"


def networkx_graphml(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml_xml(writable(graph), buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["model-field", "model-model", "field-field", "paper-model"])
def test_graphml_is_what_networkx_writes_byte_for_byte(store, kind):
    graph = kg.network(store, kind)
    assert render_network(graph, "graphml") == networkx_graphml(graph)


def test_graphml_escapes_and_types_values_as_networkx_does():
    awkward = 'a "b" <c> & d\te\nf\rg é'
    graph = nx.Graph(name=awkward, bipartite=True, nothing=None, share=0.25)
    graph.add_node(awkward, label="", blank=" ", spellings=["x", 1], tags={"t2", "t1"})
    graph.add_node(7, label=awkward, year=2020, score=np.float64(1.5), rank=np.int64(3))
    graph.add_node("alone")
    graph.add_edge(awkward, 7, weight=1, share=0.5, models=[], flag=False)
    graph.add_edge(7, "other", weight="heavy")  # one attribute, two types: two keys
    graph.add_edge("alone", "alone")
    surrogate = nx.Graph()
    surrogate.add_node("\ud800", label="\udfff")  # written as character references
    cases = (graph, surrogate, nx.Graph(), nx.Graph(id="g"), nx.path_graph(3), nx.DiGraph(graph))
    for case in cases:
        assert render_network(case, "graphml") == networkx_graphml(case)
    read = nx.read_graphml(io.BytesIO(render_network(graph, "graphml")))
    assert read.nodes[awkward]["spellings"] == "x; 1"
    # Ids are attributes, where even a carriage return survives; in text XML reads it as "\n".
    assert read.nodes["7"]["label"] == awkward.replace("\r", "\n")


def test_gexf_reads_back_with_colours_and_sizes(model_field, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.gexf")
    read = nx.read_gexf(tmp_path / "mf.gexf")
    assert_same_network(read, model_field)
    assert by_label(read) == EXPECTED_MODEL_FIELD
    model = next(n for n, d in read.nodes(data=True) if d["type"] == "model")
    colour = read.nodes[model]["viz"]["color"]
    assert "#{:02X}{:02X}{:02X}".format(colour["r"], colour["g"], colour["b"]) == (
        TYPE_COLOURS["model"].upper()
    )


def test_gml_reads_back_with_the_label_in_name(model_field, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.gml")
    read = nx.read_gml(tmp_path / "mf.gml")  # GML's label is the node id: the IRI
    assert_same_network(read, model_field, label_key="name")
    assert by_label(read, "name") == EXPECTED_MODEL_FIELD


def test_node_link_json_reads_back_for_d3(model_model, tmp_path):
    kg.write_network(model_model, tmp_path / "mm.json")
    data = json.loads((tmp_path / "mm.json").read_text(encoding="utf-8"))
    assert {"nodes", "links"} <= set(data)
    read = nx.node_link_graph(data, edges="links")
    assert_same_network(read, model_model)
    assert by_label(read) == EXPECTED_MODEL_MODEL
    # JSON keeps lists as arrays.
    assert sorted(link["fields"] for link in data["links"]) == [
        ["Chemistry"],
        ["Chemistry"],
        ["Chemistry", "Neuroscience"],
    ]


def test_cytoscape_js_json_reads_back(model_field, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.cyjs")
    data = json.loads((tmp_path / "mf.cyjs").read_text(encoding="utf-8"))
    assert len(data["elements"]["nodes"]) == 6
    assert all({"source", "target"} <= set(e["data"]) for e in data["elements"]["edges"])
    read = nx.cytoscape_graph(data, name="label")
    assert_same_network(read, model_field)
    assert by_label(read) == EXPECTED_MODEL_FIELD


def test_csv_writes_nodes_and_edges_files(model_field, tmp_path):
    written = kg.write_network(model_field, tmp_path / "mf.csv")
    assert written == [tmp_path / "mf-nodes.csv", tmp_path / "mf-edges.csv"]
    with written[0].open(encoding="utf-8", newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with written[1].open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert {row["id"] for row in nodes} == set(model_field.nodes)
    assert {row["label"] for row in nodes} == {
        "ResNet-50", "BERT", "AlphaFold", "Neuroscience", "Chemistry", "Physics and Astronomy",
    }  # fmt: skip
    assert list(edges[0])[:5] == ["source", "target", "source_label", "target_label", "weight"]
    assert {
        frozenset((row["source_label"], row["target_label"])): int(row["weight"]) for row in edges
    } == EXPECTED_MODEL_FIELD
    read = nx.Graph()
    read.add_edges_from((row["source"], row["target"]) for row in edges)
    assert {frozenset(e) for e in read.edges} == {frozenset(e) for e in model_field.edges}


def test_csv_into_a_folder(model_field, tmp_path):
    assert csv_paths(tmp_path / "out") == (tmp_path / "out/nodes.csv", tmp_path / "out/edges.csv")
    written = kg.write_network(model_field, tmp_path / "out", "csv")
    assert [p.name for p in written] == ["nodes.csv", "edges.csv"]
    assert all(p.parent == tmp_path / "out" for p in written)


def test_html_embeds_the_network_as_json(model_field, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.html")
    page = (tmp_path / "mf.html").read_text(encoding="utf-8")
    block = re.search(
        r'<script type="application/json" id="network-data">(.*?)</script>', page, re.S
    )
    assert block
    data = json.loads(block.group(1))
    read = nx.Graph()
    for item in data["nodes"]:
        read.add_node(item["id"], label=item["label"])
    for item in data["edges"]:
        read.add_edge(data["nodes"][item["s"]]["id"], data["nodes"][item["t"]]["id"],
                      weight=item["weight"])  # fmt: skip
    assert set(read.nodes) == set(model_field.nodes)
    assert by_label(read) == EXPECTED_MODEL_FIELD


def test_html_is_self_contained(model_field, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.html")
    page = (tmp_path / "mf.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import|url\(", page)
    assert "default-src 'none'" in page  # the page may not fetch anything at all
    assert page.count("<script") == 2  # the data and the one inlined script


def test_the_page_allows_exactly_its_one_script_by_hash(model_field, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.html")
    page = (tmp_path / "mf.html").read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert "connect-src 'none'" in policy and "unsafe-eval" not in policy


def test_the_vendored_libraries_are_the_pinned_published_builds():
    vendor = data_file("vendor")
    pinned = json.loads((vendor / "VERSIONS.json").read_text(encoding="utf-8"))
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    assert {entry["package"] for entry in pinned} == {"sigma", "graphology", "graphology-library"}
    for entry in pinned:
        body = (vendor / entry["file"]).read_bytes()
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], entry["file"]
        assert entry["license"] == "MIT"
        licence = (vendor / entry["license_file"]).read_text(encoding="utf-8")
        assert "Permission is hereby granted, free of charge" in licence  # the MIT text
        row = f"| `{entry['file']}` | {entry['package']} "
        assert row in readme and f"| {entry['version']} | MIT" in readme
    assert set(VENDORED) == {entry["file"] for entry in pinned}


def test_the_page_data_gives_filters_for_the_patterns_and_stages_the_links_count(model_field):
    data = page_data(model_field, "t")
    assert sorted(data["patterns"]) == [
        ["pattern_adaptation", "Adaptation"],
        ["pattern_conceptual", "Conceptual"],
        ["pattern_deployment", "Deployment"],
    ]
    # Observation is only p5's, which has no field, so no model-field link counts it.
    assert {label for _key, label in data["stages"]} == {
        "Background", "Hypothesis", "Test", "Analysis"
    }  # fmt: skip
    by_label = {n["label"]: i for i, n in enumerate(data["nodes"])}
    resnet_neuro = next(
        e for e in data["edges"]
        if {e["s"], e["t"]} == {by_label["ResNet-50"], by_label["Neuroscience"]}
    )  # fmt: skip
    # p1 and p2: adaptation in both, conceptual in p2; test in both, analysis in p1, background p2.
    assert set(resnet_neuro["on"]) == {
        "pattern_adaptation", "pattern_conceptual", "stage_test", "stage_analysis",
        "stage_background",
    }  # fmt: skip


def test_every_format_has_a_writer_and_an_extension(model_field, tmp_path):
    for name, network_format in NETWORK_FORMATS.items():
        path = tmp_path / f"net{network_format.extensions[0]}"
        written = kg.write_network(model_field, path)
        assert written and all(p.stat().st_size > 0 for p in written), name


# ------------------------------------------------------------------ writable values


def test_writable_drops_none_and_joins_lists():
    graph = nx.Graph()
    graph.add_node("a", label="A", note=None, spellings=["x", "y"], flag=True)
    graph.add_node("b", label="B", tags={"t2", "t1"})
    graph.add_edge("a", "b", weight=2, fields=["F1", "F2"], empty=None)
    clean = writable(graph)
    assert clean.nodes["a"] == {"label": "A", "spellings": "x; y", "flag": True}
    assert clean.nodes["b"]["tags"] == "t1; t2"
    assert clean.edges["a", "b"] == {"weight": 2, "fields": "F1; F2"}
    assert writable(graph, keep_lists=True).nodes["a"]["spellings"] == ["x", "y"]
    with pytest.raises((nx.NetworkXError, TypeError, ValueError, KeyError)):
        nx.write_graphml(graph, "/dev/null")  # what writable() is for


# ------------------------------------------------------------------ drawings


def test_png_has_the_asked_size_and_is_not_blank(model_field, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.png", width=1000, height=700)
    image = Image.open(tmp_path / "mf.png")
    assert image.format == "PNG"
    assert image.size == (1000, 700)
    colours = {colour: count for count, colour in image.convert("RGB").getcolors(1_000_000)}
    not_white = sum(count for colour, count in colours.items() if colour != (255, 255, 255))
    assert not_white > 0.01 * 1000 * 700
    model_colour = tuple(int(TYPE_COLOURS["model"][i : i + 2], 16) for i in (1, 3, 5))
    assert colours.get(model_colour, 0) > 100  # the model nodes are drawn


def test_svg_is_xml_with_the_labels_as_text(model_field, tmp_path):
    kg.write_network(model_field, tmp_path / "mf.svg")
    root = ET.parse(tmp_path / "mf.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"ResNet-50", "BERT", "Chemistry", "Neuroscience"} <= texts


def test_drawings_repeat_byte_for_byte(model_field, tmp_path):
    first = kg.write_network(model_field, tmp_path / "a.png")[0].read_bytes()
    second = kg.write_network(model_field, tmp_path / "b.png")[0].read_bytes()
    assert first == second


@pytest.mark.parametrize(
    "kind", ["model-field", "model-model", "field-field", "paper-model"]
)  # fmt: skip
def test_labels_do_not_pile_up_on_the_illustrative_corpus(illustrative_store, kind):
    graph = kg.network(illustrative_store, kind)
    figure = drawing(graph)
    renderer = figure.canvas.get_renderer()
    (axes,) = figure.axes
    boxes = [label_box(text, renderer) for text in axes.texts]
    assert len(boxes) >= min(len(graph), 10)  # most nodes get their label
    for i, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[i + 1 :])
        assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1
    legend_box = figure.legends[0].get_window_extent(renderer)
    assert not any(box.overlaps(legend_box) for box in boxes)


def test_unknown_formats_and_paths_are_explained(model_field, tmp_path):
    with pytest.raises(kg.PtmkgError, match=r"unknown network format 'dot'"):
        kg.write_network(model_field, tmp_path / "x.dot", "dot")
    with pytest.raises(kg.PtmkgError, match=r"cannot tell the network format from 'x\.foo'"):
        kg.write_network(model_field, tmp_path / "x.foo")
    with pytest.raises(kg.PtmkgError, match="at least 200 x 200 pixels"):
        kg.write_network(model_field, tmp_path / "x.png", width=10, height=10)


def test_written_paths_are_what_the_function_returns(model_field, tmp_path):
    assert kg.write_network(model_field, str(tmp_path / "n.graphml")) == [
        Path(tmp_path / "n.graphml")
    ]
