"""The interactive page in a real headless Chromium: it renders every node and runs no label.

Chromium opens the page from a file: URL with networking disabled (no DNS, a dead
proxy, no background services), so nothing leaves this machine. Without
Chromium the tests are skipped, except on CI (CI=true), where .ci/run installs
Debian's chromium and a missing browser is a failure.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from network_corpus import CORPUS

import kg
from kg.networks.drawing import TYPE_COLOURS

HOSTILE_SCRIPT = "<script>document.title='pwned'</script>"
HOSTILE_IMAGE = "<img src=x onerror=document.body.setAttribute('data-pwned',1)>"
HOSTILE = (
    f'10.5000/x1,Hostile one,2020,Chemistry,"{HOSTILE_SCRIPT}",Adaptation,Test\n'
    f'10.5000/x2,Hostile two,2020,Chemistry,"{HOSTILE_IMAGE}",Adaptation,Test\n'
)
# model-field nodes: the 6 of the hand-counted corpus and the 2 hostile models.
EXPECTED_NODES = 8


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    reason = "Chromium is not installed (Debian: apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; .ci/run installs it on CI")
    pytest.skip(reason)


def run_chromium(page: Path, profile: Path, *options: str) -> subprocess.CompletedProcess[str]:
    profile.mkdir()
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        *options,
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture
def page(write, build_store, tmp_path) -> Path:
    store = build_store(write("corpus.csv", CORPUS + HOSTILE))
    graph = kg.network(store, "model-field")
    assert len(graph) == EXPECTED_NODES
    path = tmp_path / "page" / "network.html"
    kg.write_network(graph, path)
    return path


def test_the_page_renders_every_node_and_shows_hostile_labels_as_text(page, tmp_path):
    source = page.read_text(encoding="utf-8")
    assert HOSTILE_SCRIPT not in source  # escaped inside the JSON block
    dom = run_chromium(page, tmp_path / "profile", "--dump-dom").stdout

    assert 'data-rendered="true"' in dom  # the page's script ran to the end
    assert re.search(rf'<svg id="network"[^>]*data-node-count="{EXPECTED_NODES}"', dom)
    assert len(re.findall(r'<g class="node"', dom)) == EXPECTED_NODES
    assert len(re.findall(r"<circle ", dom)) == EXPECTED_NODES
    assert len(re.findall(r'<line class="edge"', dom)) == 8  # 6 hand-counted + 2 hostile

    labels = {html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", dom)}
    assert {HOSTILE_SCRIPT, HOSTILE_IMAGE, "ResNet-50", "Chemistry"} <= labels
    # Shown as text, never run: the title is intact, no image element, no attribute set.
    assert re.search(r"<title>ptmkg model-field network</title>", dom)
    assert "pwned" not in re.search(r"<title>(.*?)</title>", dom).group(1)
    assert "<img" not in dom
    assert "data-pwned" not in re.search(r"<body[^>]*>", dom).group(0)


def test_the_screenshot_shows_the_network(page, tmp_path):
    image_module = pytest.importorskip("PIL.Image")
    shot = tmp_path / "shot.png"
    run_chromium(page, tmp_path / "profile", "--window-size=1200,900", f"--screenshot={shot}")
    image = image_module.open(shot).convert("RGB")
    assert image.size == (1200, 900)
    colours = {colour: count for count, colour in image.getcolors(1_000_000)}
    not_white = sum(count for colour, count in colours.items() if colour != (255, 255, 255))
    assert not_white > 0.02 * 1200 * 900
    for node_type in ("model", "field"):
        fill = tuple(int(TYPE_COLOURS[node_type][i : i + 2], 16) for i in (1, 3, 5))
        assert colours.get(fill, 0) > 200, f"no {node_type} nodes in the screenshot"
