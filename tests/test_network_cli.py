"""'ptmkg network' driven as a user drives it; the numbers are the hand counts of network_corpus."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from network_corpus import CORPUS


@pytest.fixture
def store(write, build_store, store_path):
    build_store(write("corpus.csv", CORPUS)).close()
    return store_path


def test_help_explains_kinds_formats_and_gives_examples(cli):
    result = cli("network", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "ptmkg network" in result.stdout
    for word in ("model-field", "model-model", "field-field", "paper-model", "graphml", "--stats"):
        assert word in result.stdout


def test_without_output_it_prints_the_heaviest_edges(cli, store):
    result = cli("network", "model-model", "--store", store)
    assert result.exit_code == 0
    assert "model-model network: 4 nodes, 2 edges" in result.stdout
    assert "edge weight: distinct papers reusing both models" in result.stdout
    rows = [line for line in result.stdout.splitlines() if "ResNet-50" in line]
    assert rows and rows[0].split()[-2:] == ["2", "│"]
    assert "-o FILE" in result.stderr


def test_output_extension_picks_the_format(cli, store, tmp_path):
    result = cli("network", "model-field", "--store", store, "-o", tmp_path / "net.graphml")
    assert result.exit_code == 0, result.output
    assert "wrote the model-field network (6 nodes, 6 edges) as graphml" in result.stderr
    graph = nx.read_graphml(tmp_path / "net.graphml")
    weights = {
        frozenset((graph.nodes[a]["label"], graph.nodes[b]["label"])): w
        for a, b, w in graph.edges(data="weight")
    }
    assert weights[frozenset(("BERT", "Chemistry"))] == 2
    assert sum(weights.values()) == 9  # 2 + 1 + 2 + 2 + 1 + 1


def test_filters_on_the_command_line(cli, store, tmp_path):
    result = cli(
        "network", "model-field", "--store", store, "--pattern", "adaptation",
        "--min-weight", "2", "-o", tmp_path / "net.json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "net.json").read_text(encoding="utf-8"))
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    # adaptation only: ResNet-50 - Neuroscience (p1, p2) is the one edge of weight 2.
    assert [(labels[e["source"]], labels[e["target"]], e["weight"]) for e in data["links"]] == [
        ("Neuroscience", "ResNet-50", 2)
    ]
    assert data["graph"]["filters"] == "--pattern adaptation --min-weight 2"


def test_year_and_field_and_top_options(cli, store):
    result = cli(
        "network", "model-model", "--store", store, "--format", "json",
        "--year-from", "2019", "--year-to", "2021", "--field", "Chemistry", "--top", "2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Chemistry papers of 2019-2021: p3 (AlphaFold, BERT); top 2 keeps both.
    assert sorted(n["label"] for n in data["nodes"]) == ["AlphaFold", "BERT"]
    assert [link["weight"] for link in data["links"]] == [1]


def test_via_field_on_the_command_line(cli, store):
    result = cli("network", "model-model", "--via", "field", "--format", "json", "--store", store)
    data = json.loads(result.stdout)
    assert sorted(link["weight"] for link in data["links"]) == [1, 1, 2]


def test_text_formats_go_to_stdout(cli, store):
    result = cli("network", "field-field", "--format", "gml", "--store", store)
    assert result.exit_code == 0
    graph = nx.parse_gml(result.stdout)
    assert sorted(w for _a, _b, w in graph.edges(data="weight")) == [1, 2]


def test_csv_writes_nodes_and_edges(cli, store, tmp_path):
    result = cli("network", "paper-model", "--store", store, "-o", tmp_path / "raw.csv")
    assert result.exit_code == 0, result.output
    assert "raw-nodes.csv" in result.stderr and "raw-edges.csv" in result.stderr
    edges = list(csv.DictReader((tmp_path / "raw-edges.csv").open(encoding="utf-8")))
    assert len(edges) == 8
    folder = cli(
        "network", "paper-model", "--store", store, "--format", "csv", "-o", tmp_path / "d"
    )
    assert folder.exit_code == 0, folder.output
    assert (tmp_path / "d" / "nodes.csv").exists() and (tmp_path / "d" / "edges.csv").exists()


def test_png_on_the_command_line(cli, store, tmp_path):
    image = pytest.importorskip("PIL.Image")
    result = cli(
        "network", "model-field", "--store", store, "-o", tmp_path / "n.png",
        "--width", "640", "--height", "480",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert image.open(tmp_path / "n.png").size == (640, 480)


def test_stats_table(cli, store, tmp_path):
    result = cli("network", "model-model", "--stats", "--store", store)
    assert result.exit_code == 0, result.output
    assert "4 nodes, 2 edges" in result.stdout
    assert "2 connected component(s), 2 Louvain communities" in result.stdout
    assert "Most central models" in result.stdout
    bert = next(line for line in result.stdout.splitlines() if line.startswith("│ BERT"))
    assert bert.split("│")[2].strip() == "2"  # degree
    assert "AlphaFold, BERT, ResNet-50" in result.stdout  # community 1
    # A .txt file holds the same tables, in plain text.
    written = cli("network", "model-model", "--stats", "-o", tmp_path / "s.txt", "--store", store)
    assert written.exit_code == 0, written.output
    text = (tmp_path / "s.txt").read_text(encoding="utf-8")
    assert "4 nodes, 2 edges" in text and "AlphaFold, BERT, ResNet-50" in text
    assert "\x1b" not in text


def test_stats_csv(cli, store, tmp_path):
    result = cli("network", "model-model", "--stats", "--format", "csv", "--store", store)
    assert result.exit_code == 0, result.output
    rows = {row["label"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert set(rows) == {"BERT", "ResNet-50", "AlphaFold", "U-Net"}
    assert (rows["BERT"]["degree"], rows["BERT"]["weighted_degree"]) == ("2", "3")
    assert float(rows["BERT"]["betweenness"]) == pytest.approx(1 / 3, abs=1e-6)
    assert rows["U-Net"]["eigenvector"] == ""
    assert rows["BERT"]["community"] == rows["ResNet-50"]["community"] == "1"
    assert rows["U-Net"]["community"] == "2"
    written = cli("network", "model-model", "--stats", "-o", tmp_path / "s.csv", "--store", store)
    assert written.exit_code == 0
    assert (tmp_path / "s.csv").read_text(encoding="utf-8") == result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["model-feld"], "no network kind 'model-feld'"),
        (["model-field", "--format", "png"], "png needs an output file"),
        (["model-field", "--format", "dot"], "unknown network format 'dot'"),
        (["model-field", "-o", "x.txt"], "cannot tell the network format from 'x.txt'"),
        (["model-field", "--year-from", "2022", "--year-to", "2020"], "is after --year-to"),
        (["field-field", "--via", "field"], "links through model or paper, not 'field'"),
        (
            ["model-field", "--via", "paper"],
            "a model-field network links through paper only, so --via does not apply to it; "
            "--via chooses the links of model-model (paper or field), field-field (model or paper)",
        ),
        (["paper-model", "--via", "model"], "--via does not apply to it"),
        (["model-field", "--stage", "testing"], "unknown stage 'testing'"),
        (
            ["model-field", "--stats", "--format", "json"],
            "unknown network statistics format 'json': choose one of table, csv",
        ),
        (
            ["model-field", "--stats", "-o", "stats.parquet"],
            "cannot tell the network statistics format from 'stats.parquet'",
        ),
    ],
)
def test_mistakes_are_one_line_without_a_traceback(cli, store, arguments, message):
    result = cli("network", *arguments, "--store", store)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.output


def test_a_drawing_of_a_network_without_fields_says_why_and_fails(
    cli, write, build_store, tmp_path
):
    # The hand-counted corpus without its fields column, as the study's own sheets are.
    sheet = "".join(
        ",".join(cells[:3] + cells[4:]) + "\n"
        for cells in (line.split(",") for line in CORPUS.strip().splitlines())
    )
    store = build_store(write("no-fields.csv", sheet))
    store.close()
    result = cli("network", "model-field", "--store", tmp_path / "store", "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    assert "none of the 5 papers reusing models has a field" in result.stderr
    assert "ptmkg link openalex" in result.stderr
    assert "Traceback" not in result.output and "no nodes" not in result.output
    assert not (tmp_path / "x.png").exists()
