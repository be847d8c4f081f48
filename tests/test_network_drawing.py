"""Static drawings (PNG, SVG) that stay readable at the sizes a real build gives.

The networks come from a 20,000-paper synthetic corpus (network_corpus.synthetic_store):
517 nodes in its model-field network, 497 in model-model, 20 fields in field-field.
A person checks a drawing by eye; these tests check what they would look for: no
label on top of another (by the labels' bounding boxes on the figure), every field
with its own colour and its name, a note of what a drawing left out, names shown
as written, and an error instead of an empty picture.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import combinations

import networkx as nx
import pytest
from network_corpus import CORPUS
from network_corpus import synthetic_store as built_synthetic_store

import kg
from kg.networks.drawing import (
    COLUMN_NODES,
    DRAWN_NODES,
    FIELD_COLOURS,
    OTHER_COLOUR,
    drawing,
    field_colours,
    label_box,
)
from kg.rdf.vocabulary import vocabulary

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory) -> kg.EmbeddedStore:
    return built_synthetic_store(tmp_path_factory.mktemp("synthetic"))


def labels_and_boxes(figure):
    renderer = figure.canvas.get_renderer()
    (axes,) = figure.axes
    return [(text.get_text(), label_box(text, renderer)) for text in axes.texts]


def assert_no_overlaps(figure, labelled):
    renderer = figure.canvas.get_renderer()
    for (one, box), (other, other_box) in combinations(labelled, 2):
        assert not box.overlaps(other_box), f"{one!r} overlaps {other!r}"
    fixed = [legend.get_window_extent(renderer) for legend in figure.legends]
    fixed += [text.get_window_extent(renderer) for text in figure.texts]  # title, note
    for text, box in labelled:
        assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1, text
        assert figure.bbox.y0 <= box.y0 and box.y1 <= figure.bbox.y1, text
        assert not any(box.overlaps(other) for other in fixed), text


def test_every_openalex_field_has_its_own_colour():
    assert set(FIELD_COLOURS) == set(vocabulary().fields.labels())  # all 26
    assert len(set(FIELD_COLOURS.values())) == 26
    assert OTHER_COLOUR not in FIELD_COLOURS.values()  # grey means "no field"


@pytest.mark.parametrize("via", ["model", "paper"])
def test_field_field_drawing_labels_every_field_without_overlap(synthetic_store, via):
    graph = kg.network(synthetic_store, "field-field", via=via)
    assert len(graph) == 20
    figure = drawing(graph)
    labelled = labels_and_boxes(figure)
    names = {data["label"] for _n, data in graph.nodes(data=True)}
    assert {text for text, _box in labelled} == names
    assert {"Immunology and Microbiology", "Veterinary", "Social Sciences"} <= names
    assert_no_overlaps(figure, labelled)
    # The legend names every field, each in its own colour.
    legend = {text.get_text() for text in figure.legends[0].get_texts()}
    assert names <= legend
    assert len(set(field_colours(graph).values())) == len(names)


def test_the_517_node_model_field_drawing_keeps_the_heaviest_and_says_what_it_left_out(
    synthetic_store,
):
    graph = kg.network(synthetic_store, "model-field")
    assert (len(graph), graph.number_of_edges()) == (517, 2128)
    figure = drawing(graph)
    notes = [text.get_text() for text in figure.texts if text.get_text().startswith("Drawn:")]
    models = sum(1 for _n, d in graph.nodes(data=True) if d["type"] == "model")
    fields = len(graph) - models
    assert notes == [
        f"Drawn: the {COLUMN_NODES + fields} nodes with the most papers of 517. "
        f"Left out: {models - COLUMN_NODES} models with at most "
        f"{sorted((d['papers'] for _n, d in graph.nodes(data=True) if d['type'] == 'model'), reverse=True)[COLUMN_NODES]} "
        "papers each and their links. The .html page and the graph formats (.graphml, .gexf) "
        "keep them all."
    ]
    labelled = labels_and_boxes(figure)
    texts = {text for text, _box in labelled}
    # Every field is drawn and named; the models shown are the heaviest.
    assert {d["label"] for _n, d in graph.nodes(data=True) if d["type"] == "field"} <= texts
    assert "AlexNet" in texts
    assert len(labelled) <= COLUMN_NODES + fields
    assert_no_overlaps(figure, labelled)
    # Labels big enough to read at 100 dpi.
    assert min(text.get_fontsize() for text in figure.axes[0].texts) >= 6


def test_a_model_model_drawing_is_cut_to_its_heaviest_nodes(synthetic_store):
    graph = kg.network(synthetic_store, "model-model")
    assert len(graph) > DRAWN_NODES
    figure = drawing(graph)
    (axes,) = figure.axes
    drawn = axes.collections[1].get_offsets()  # the nodes' scatter
    assert len(drawn) == DRAWN_NODES
    assert any(
        text.get_text().startswith(f"Drawn: the {DRAWN_NODES} nodes") for text in figure.texts
    )
    labelled = labels_and_boxes(figure)
    assert len(labelled) >= 40
    assert_no_overlaps(figure, labelled)
    legend = {text.get_text() for text in figure.legends[0].get_texts()}
    shown_fields = {axes_label for axes_label in legend if axes_label != "other or no field"}
    assert shown_fields and shown_fields <= set(FIELD_COLOURS)


def test_dollar_signs_in_names_are_drawn_as_written(tmp_path):
    graph = nx.Graph(kind="model-model", via="paper")
    for name in ("$\\alpha$-Net", "Cost $5 $10 model", "Plain"):
        graph.add_node(name, label=name, type="model", papers=2, main_field="Veterinary")
    graph.add_edge("$\\alpha$-Net", "Plain", weight=1)
    graph.add_edge("Cost $5 $10 model", "Plain", weight=1)
    kg.write_network(graph, tmp_path / "dollars.svg")
    root = ET.parse(tmp_path / "dollars.svg").getroot()
    texts = {"".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")}
    assert {"$\\alpha$-Net", "Cost $5 $10 model", "Plain", "Veterinary"} <= texts
    assert "\N{GREEK SMALL LETTER ALPHA}" not in "".join(texts)  # not typeset as mathematics
    kg.write_network(graph, tmp_path / "dollars.png")  # mathtext would fail on "$5 $10"


def test_a_network_with_no_fields_is_not_drawn_and_says_why(write, build_store, tmp_path):
    # The hand-counted corpus without its fields column, as the study's own sheets are.
    without_fields = "".join(
        ",".join(cells[:3] + cells[4:]) + "\n"
        for cells in (line.split(",") for line in CORPUS.strip().splitlines())
    )
    assert without_fields.startswith("doi,title,year,model,pattern,stages\n")
    store = build_store(write("no-fields.csv", without_fields))
    graph = kg.network(store, "model-field")
    assert len(graph) == 0 and graph.graph["papers"] == 5
    for name in ("x.png", "x.svg", "x.html"):
        with pytest.raises(kg.PtmkgError, match=r"none of the 5 papers .* has a field") as error:
            kg.write_network(graph, tmp_path / name)
        assert "ptmkg link openalex" in str(error.value)
        assert not (tmp_path / name).exists()
    # A model-model network of the same store has nodes and draws, in "no field" grey.
    models = kg.network(store, "model-model")
    assert len(models) >= 3
    kg.write_network(models, tmp_path / "models.png")


def test_filters_that_leave_nothing_are_named(write, build_store, tmp_path):
    store = build_store(write("corpus.csv", CORPUS))
    empty = kg.network(store, "model-field", year_from=2030)
    with pytest.raises(kg.PtmkgError, match=r"nothing to draw: .*--year-from 2030"):
        kg.write_network(empty, tmp_path / "empty.png")


def test_the_command_says_what_a_drawing_left_out(cli, synthetic_store, tmp_path):
    result = cli(
        "network", "model-model", "--store", synthetic_store.location, "-o", tmp_path / "m.png"
    )
    assert result.exit_code == 0, result.output
    assert f"Drawn: the {DRAWN_NODES} nodes with the most papers of 497." in " ".join(
        result.stderr.split()
    )
