"""The interactive page in a real headless Chromium, at 20, 500 and 5,000 nodes.

Chromium is driven through the DevTools protocol (tests/browser.py) with every
network feature off, so nothing leaves this machine. At each size the page must
be drawn (pixels in the node colours on the screenshot, not just elements),
every position and size finite and inside the window, fitted (the drawing spans
the window), labels shown at a legible size, and interaction must work: the
search box finds a node and a real mouse hover shows its details.

The 500-node page is the one that opened blank before (issue 19): the
model-field network of a 20,000-paper synthetic corpus, 517 nodes and 2,128
edges. The 5,000-node page is a model-model network with 50,000 edges.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import networkx as nx
import numpy
import pytest
from browser import Browser
from browser import run_chromium as run_chromium  # test_ontology_docs imports it from here
from network_corpus import CORPUS, big_network
from network_corpus import synthetic_store as built_synthetic_store

import kg
from kg.networks.drawing import TYPE_COLOURS, field_colours

HOSTILE_SCRIPT = "<script>document.title='pwned'</script>"
HOSTILE_IMAGE = "<img src=x onerror=document.body.setAttribute('data-pwned',1)>"
HOSTILE = (
    f'10.5000/x1,Hostile one,2020,Chemistry,"{HOSTILE_SCRIPT}",Adaptation,Test\n'
    f'10.5000/x2,Hostile two,2020,Chemistry,"{HOSTILE_IMAGE}",Adaptation,Test\n'
)
WIDTH, HEIGHT = 1200, 900


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory) -> kg.EmbeddedStore:
    """A 20,000-paper synthetic corpus built once: its model-field network has 517 nodes."""
    return built_synthetic_store(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="module")
def pages(synthetic_store, tmp_path_factory) -> dict[int, tuple[Path, str]]:
    """The page at each size, with a label the search must find."""
    folder = tmp_path_factory.mktemp("pages")
    graphs = {
        20: (kg.network(synthetic_store, "model-field", top=20), "AlexNet"),
        500: (kg.network(synthetic_store, "model-field"), "AlphaFold 2"),
        5000: (big_network(5_000, 50_000), "Model 0042"),
    }
    written = {}
    for size, (graph, wanted) in graphs.items():
        path = folder / f"network-{size}.html"
        kg.write_network(graph, path)
        written[size] = (path, wanted)
    return written


@pytest.fixture
def browser(tmp_path):
    with Browser(tmp_path / "profile", width=WIDTH, height=HEIGHT) as opened:
        yield opened


def opened(browser: Browser, page: Path) -> dict:
    browser.open(page)
    browser.wait_until("window.ptmkg && window.ptmkg.firstDrawMs", timeout=300)
    return browser.evaluate("window.ptmkg.check()")


def assert_labels_apart(check: dict) -> None:
    """The labels drawn on screen: none overlaps another, none leaves the drawing."""
    boxes = check["labels"]
    for i, one in enumerate(boxes):
        assert one["x0"] >= 0 and one["x1"] <= check["width"], one["label"]
        assert one["y0"] >= 0 and one["y1"] <= check["height"], one["label"]
        for other in boxes[i + 1 :]:
            apart = (
                one["x1"] <= other["x0"] or other["x1"] <= one["x0"]
                or one["y1"] <= other["y0"] or other["y1"] <= one["y0"]
            )  # fmt: skip
            assert apart, (one["label"], other["label"])


def stage_pixels(browser: Browser):
    """The screenshot's pixels inside the drawing area (not the header)."""
    image_module = pytest.importorskip("PIL.Image")
    box = browser.evaluate(
        "(() => { const r = document.getElementById('stage').getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom].map(Math.round); })()"
    )
    image = image_module.open(io.BytesIO(browser.screenshot())).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    return image.crop(tuple(box))


def near(colour: str, pixels, tolerance: int = 24) -> int:
    """How many pixels are within ``tolerance`` of ``colour`` in each channel."""
    wanted = numpy.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((numpy.abs(pixels - wanted) <= tolerance).all(axis=1).sum())


def hover_the_biggest_node(browser: Browser) -> str:
    """Move the real mouse onto the biggest node not under the legend; the label it shows."""
    target = browser.evaluate(
        """(() => {
        const r = ptmkg.renderer, g = ptmkg.graph;
        const box = document.getElementById('network').getBoundingClientRect();
        const nodes = g.nodes().sort((a, b) => g.getNodeAttribute(b, 'size') -
          g.getNodeAttribute(a, 'size'));
        for (const node of nodes) {
          const at = r.framedGraphToViewport(r.getNodeDisplayData(node));
          const x = at.x + box.left, y = at.y + box.top;
          const under = document.elementFromPoint(x, y);
          if (under && under.closest('#network')) {
            return {x: x, y: y, label: g.getNodeAttribute(node, 'label')};
          }
        }
        return null;
        })()"""
    )
    assert target, "every node is under the legend"
    for x in (target["x"] - 1, target["x"]):
        browser.command(
            "Input.dispatchMouseEvent", session=True, type="mouseMoved", x=x, y=target["y"]
        )
    browser.wait_until("document.getElementById('tooltip').style.display === 'block'", 10)
    return target["label"]


@pytest.mark.parametrize("size", [20, 500, 5000])
def test_the_page_opens_drawn_fitted_and_readable(browser, pages, size):
    page, _wanted = pages[size]
    check = opened(browser, page)
    nodes = check["nodes"]
    assert nodes == (517 if size == 500 else size)
    assert check["edges"] == {20: None, 500: 2128, 5000: 50_000}.get(size) or check["edges"] > 0
    # Nothing overflowed: every node has finite coordinates and size, on the screen.
    assert check["notFinite"] == 0 and check["repaired"] == 0
    assert check["inside"] == nodes
    # Fitted: the drawing uses the window, at the opening zoom (no zoomed-out dot).
    assert check["camera"]["ratio"] == 1
    assert check["spanX"] > 0.5 * check["width"] or check["spanY"] > 0.5 * check["height"]
    # Readable: nodes a few pixels wide at least, labels at a legible size, and shown.
    assert 2 <= check["smallest"] <= check["largest"] <= 40
    assert check["labelSize"] >= 11
    assert check["labelsShown"] >= min(nodes, 10)
    assert len(check["labels"]) >= min(nodes, 10)
    assert_labels_apart(check)
    assert browser.errors() == []  # no exception, no blocked script or style

    pixels = numpy.asarray(stage_pixels(browser), dtype=int).reshape(-1, 3)
    drawn = int((pixels != 255).any(axis=1).sum())
    assert drawn > 0.01 * len(pixels), "the drawing area is blank"
    colours = browser.evaluate("[...new Set(ptmkg.graph.mapNodes((n, a) => a.color))]")
    coloured = sum(near(colour, pixels) for colour in colours)
    assert coloured > 200, "no node colours on the screenshot"


@pytest.mark.parametrize("size", [20, 500, 5000])
def test_search_finds_a_node_and_hover_shows_its_details(browser, pages, size):
    page, wanted = pages[size]
    opened(browser, page)
    browser.evaluate(
        f"(() => {{ const s = document.getElementById('search'); s.value = {wanted!r};"
        " s.dispatchEvent(new Event('input')); })()"
    )
    found = browser.evaluate("document.getElementById('search-count').textContent")
    assert re.fullmatch(r"[1-9]\d* found", found), found
    # The camera went to the best match, which is highlighted and labelled.
    browser.wait_until(
        "ptmkg.renderer.getCamera().getState().ratio < 0.5"
        " && !ptmkg.renderer.getCamera().isAnimated()"
    )
    highlighted = browser.evaluate(
        "ptmkg.graph.filterNodes(n => ptmkg.renderer.getNodeDisplayData(n).highlighted)"
        ".map(n => ptmkg.graph.getNodeAttribute(n, 'label'))"
    )
    assert highlighted and all(wanted.lower() in label.lower() for label in highlighted)

    browser.evaluate(
        "(() => { const s = document.getElementById('search'); s.value = '';"
        " s.dispatchEvent(new Event('input')); ptmkg.renderer.getCamera().setState("
        "{x: 0.5, y: 0.5, ratio: 1, angle: 0}); ptmkg.renderer.refresh(); })()"
    )
    label = hover_the_biggest_node(browser)
    tooltip = browser.evaluate(
        "(() => { const t = document.getElementById('tooltip');"
        " return [t.querySelector('.title').textContent, t.textContent]; })()"
    )
    assert tooltip[0] == label
    assert "papers" in tooltip[1] and "links" in tooltip[1]
    assert browser.errors() == []


def test_filters_colours_and_the_size_legend_on_the_517_node_page(browser, pages, synthetic_store):
    page, _wanted = pages[500]
    check = opened(browser, page)
    shown = "Number(document.getElementById('network').dataset.shownNodes)"
    assert browser.evaluate(shown) == check["nodes"]
    patterns = browser.evaluate(
        "[...document.querySelectorAll('#pattern option')].map(o => [o.value, o.textContent])"
    )
    assert patterns[0] == ["", "any"]
    assert {"Adaptation", "Conceptual", "Deployment"} <= {text for _v, text in patterns}

    browser.evaluate(
        "(() => { const s = document.getElementById('pattern'); s.value = 'pattern_deployment';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    deployment = browser.evaluate(shown)
    assert 0 < deployment < check["nodes"]
    # Every link still shown has deployment papers.
    assert browser.evaluate(
        "ptmkg.graph.filterEdges(e => !ptmkg.renderer.getEdgeDisplayData(e).hidden)"
        ".every(e => JSON.parse(document.getElementById('network-data').textContent)"
        ".edges[ptmkg.graph.getEdgeAttribute(e, 'index')].on.includes('pattern_deployment'))"
    )
    browser.evaluate(
        "(() => { const s = document.getElementById('stage-filter'); s.value = 'stage_test';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    assert 0 < browser.evaluate(shown) <= deployment

    browser.evaluate(
        "(() => { const s = document.getElementById('colour-by'); s.value = 'field';"
        " s.dispatchEvent(new Event('change')); })()"
    )
    legend = browser.evaluate("document.querySelector('#legend .colours').textContent")
    for name in ("Immunology and Microbiology", "Veterinary", "Social Sciences"):
        assert name in legend
    # One colour per field, none shared, so no two fields look alike.
    palette = field_colours(kg.network(synthetic_store, "model-field"))
    assert len(palette) >= 20 and len(set(palette.values())) == len(palette)

    sizes = browser.evaluate(
        "[...document.querySelectorAll('#legend .sizes > div:not(.heading)')]"
        ".map(d => [d.textContent, d.querySelector('.swatch').getBoundingClientRect().width])"
    )
    assert [text for text, _w in sizes][-1] == "1 paper"
    widths = [width for _t, width in sizes]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    assert browser.errors() == []


def test_hostile_labels_are_text_never_markup(browser, write, build_store, tmp_path):
    store = build_store(write("corpus.csv", CORPUS + HOSTILE))
    graph = kg.network(store, "model-field")
    page = tmp_path / "page" / "network.html"
    kg.write_network(graph, page)
    assert HOSTILE_SCRIPT not in page.read_text(encoding="utf-8")  # escaped in the JSON block

    check = opened(browser, page)
    assert check["nodes"] == 8 and check["notFinite"] == 0
    labels = set(browser.evaluate("ptmkg.graph.mapNodes((n, a) => a.label)"))
    assert {HOSTILE_SCRIPT, HOSTILE_IMAGE, "ResNet-50", "Chemistry"} <= labels
    browser.evaluate(f"ptmkg.hover(ptmkg.graph.findNode((n, a) => a.label === {HOSTILE_IMAGE!r}))")
    assert browser.evaluate("document.querySelector('#tooltip .title').textContent") == (
        HOSTILE_IMAGE
    )
    assert browser.evaluate("document.title") == "ptmkg model-field network"
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    assert browser.evaluate("document.body.hasAttribute('data-pwned')") is False
    assert browser.errors() == []


def test_the_field_field_page_names_every_field_without_overlap(browser, synthetic_store, tmp_path):
    graph = kg.network(synthetic_store, "field-field")
    page = tmp_path / "fields.html"
    kg.write_network(graph, page)
    check = opened(browser, page)
    assert {box["label"] for box in check["labels"]} == {
        data["label"] for _n, data in graph.nodes(data=True)
    }
    assert "Immunology and Microbiology" in {box["label"] for box in check["labels"]}
    assert_labels_apart(check)


def test_type_colours_are_the_drawings_colours(browser, pages):
    page, _wanted = pages[20]
    opened(browser, page)
    colours = set(browser.evaluate("ptmkg.graph.mapNodes((n, a) => a.color)"))
    assert colours == {TYPE_COLOURS["model"], TYPE_COLOURS["field"]}


@pytest.mark.parametrize("nodes", [1, 2])
def test_a_page_of_one_or_two_unlinked_nodes_opens_finite(browser, tmp_path, nodes):
    graph = nx.Graph(kind="model-model", via="paper")
    for i in range(nodes):
        graph.add_node(f"m{i}", label=f"Model {i}", type="model", papers=1 + i, main_field="")
    page = tmp_path / "tiny.html"
    kg.write_network(graph, page)
    check = opened(browser, page)
    assert check["nodes"] == nodes and check["notFinite"] == 0 and check["inside"] == nodes
    assert {box["label"] for box in check["labels"]} == {f"Model {i}" for i in range(nodes)}
    assert browser.errors() == []
