"""Extracted records of real articles built into the graph: the wrapper a model ran through
(ColabFold running AlphaFold 2) as ptm:viaTool, and the draft papers without a DOI, known by
their file (the development set in ../shared/data/jats-dev/)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import SHARED_DATA

import kg

DEV = SHARED_DATA / "jats-dev"
# The two articles labels.csv notes as "run through (a local) ColabFold".
COLABFOLD = [
    DEV / "articles" / "biorxiv-2023.05.18.541272.xml",  # AlphaFold-Multimer via ColabFold
    DEV / "articles" / "biorxiv-2023.07.26.550718.xml",  # AlphaFold 2 via a local ColabFold
]
FILE_PAPER = f"{kg.DEFAULT_BASE_IRI}paper/file/"


def papers(store: kg.EmbeddedStore) -> list[str]:
    result = kg.run_sparql(
        store, "SELECT DISTINCT ?paper WHERE { ?paper a ptm:Paper } ORDER BY ?paper"
    )
    return [str(paper) for paper in result.column("paper")]


def test_the_wrapper_a_model_ran_through_is_its_tool(cli, tmp_path: Path) -> None:
    records = tmp_path / "colabfold.csv"
    assert cli("extract", *COLABFOLD, "-o", records).exit_code == 0
    result = cli("build", "--store", tmp_path / "store", records)
    assert result.exit_code == 0, result.output
    store = kg.EmbeddedStore(tmp_path / "store")
    via = kg.run_query(store, "reuse-via-tool")
    assert [
        (r["tool_label"], r["model_label"], r["pattern_label"], r["reuse_instances"], r["papers"])
        for r in via.rows
    ] == [
        ("ColabFold", "AlphaFold 2", "Deployment", 1, 1),
        ("ColabFold", "AlphaFold-Multimer", "Deployment", 1, 1),
    ]
    assert {r["tool"] for r in via.rows} == {f"{kg.DEFAULT_BASE_IRI}model/colabfold"}
    af2 = kg.run_query(store, "papers-reusing-model", {"model": "AF2"})
    assert [(r["doi"], r["tool_label"]) for r in af2.rows] == [
        ("10.1101/2023.07.26.550718", "ColabFold")
    ]
    # The second article's other models ran through no tool.
    esm = kg.run_query(store, "papers-reusing-model", {"model": "ESM-2 3B"})
    assert esm.rows and all(r["tool_label"] is None for r in esm.rows)
    assert kg.validate(store).conforms
    # The command line shows the column too.
    shown = cli("query", "--store", tmp_path / "store", "reuse-via-tool", "--format", "csv")
    assert "ColabFold,https://w3id.org/ptmkg/id/model/alphafoldmultimer" in shown.stdout


def test_drafts_without_a_doi_build_known_by_their_file(cli, tmp_path: Path) -> None:
    records = tmp_path / "drafts.csv"
    assert cli("extract", DEV / "no-doi", "-o", records).exit_code == 0
    store_path = tmp_path / "store"
    result = cli("build", "--store", store_path, records)
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.stdout
    store = kg.EmbeddedStore(store_path)
    # Nine drafts, each a paper named after its file (joss-draft-X.xml).
    built = papers(store)
    assert all(iri.startswith(FILE_PAPER) for iri in built)
    assert [iri[len(FILE_PAPER) :].rsplit("-", 1)[0] for iri in built] == [
        f"joss-draft-{name}"
        for name in (
            "coord2region",
            "deepvariant-arm64",
            "dicaugment",
            "itkit",
            "nn-periodogram",
            "nnde",
            "plagiarismdetection",
            "slicernninteractive",
            "visualtorch",
        )
    ]
    assert kg.stats(store).summary["papers"] == 9
    slicer = kg.run_query(store, "papers-reusing-model", {"model": "nnInteractive"}).rows
    assert [(r["doi"], r["title"]) for r in slicer] == [
        (None, "SlicerNNInteractive: A 3D Slicer extension for nnInteractive")
    ]
    assert slicer[0]["paper"].startswith(FILE_PAPER + "joss-draft-slicernninteractive-")
    files = kg.run_sparql(
        store, f"SELECT ?file WHERE {{ <{slicer[0]['paper']}> ptm:articleFile ?file }}"
    ).column("file")
    assert [Path(str(f)).name for f in files] == ["joss-draft-SlicerNNInteractive.xml"]
    assert kg.validate(store).conforms
    store.close()

    # Extracted again from another folder and built afresh: the same papers, the same IRIs.
    moved = tmp_path / "elsewhere" / "drafts"
    shutil.copytree(DEV / "no-doi", moved)
    again = tmp_path / "again.jsonl"
    assert cli("extract", moved, "-o", again).exit_code == 0
    assert cli("build", "--store", store_path, "--fresh", again).exit_code == 0
    assert papers(kg.EmbeddedStore(store_path)) == built


def test_labels_and_extraction_of_a_draft_meet_on_one_paper(cli, tmp_path: Path) -> None:
    # no-doi-labels.csv is the generic format keyed by file: building it, then the records
    # extracted from the same drafts, gives the same nine papers, not eighteen.
    labels = DEV / "no-doi-labels.csv"
    store_path = tmp_path / "store"
    result = cli("build", "--store", store_path, labels)
    assert result.exit_code == 0, result.output
    assert "11 read = 11 accepted + 0 rejected" in result.stdout
    store = kg.EmbeddedStore(store_path)
    # By hand from the labels: 9 drafts; NNDE and DICaugment use no deep learning (7 do);
    # VisualTorch reuses no PTM (6 do); 8 labelled models, one pattern each.
    summary = kg.stats(store).summary
    assert (summary["papers"], summary["dl_papers"], summary["ptm_papers"]) == (9, 7, 6)
    assert summary["reuse_instances"] == 8
    labelled = papers(store)
    store.close()
    records = tmp_path / "drafts.csv"
    assert cli("extract", DEV / "no-doi", "-o", records).exit_code == 0
    assert cli("build", "--store", store_path, records).exit_code == 0
    assert papers(kg.EmbeddedStore(store_path)) == labelled


def test_a_draft_article_builds_directly(cli, tmp_path: Path) -> None:
    article = DEV / "no-doi" / "joss-draft-DeepVariant-ARM64.xml"
    result = cli("build", "--store", tmp_path / "store", article)
    assert result.exit_code == 0, result.output
    assert "0 rejected" in result.stdout
    store = kg.EmbeddedStore(tmp_path / "store")
    deepvariant = kg.run_query(store, "papers-reusing-model", {"model": "DeepVariant"}).rows
    assert [r["title"] for r in deepvariant] == [
        "DeepVariant-ARM64: INT8-quantized variant calling on Linux AArch64"
    ]


def test_a_network_names_a_draft_without_a_doi_by_its_title(cli, tmp_path: Path) -> None:
    records = tmp_path / "drafts.csv"
    draft = DEV / "no-doi" / "joss-draft-SlicerNNInteractive.xml"
    assert cli("extract", draft, "-o", records).exit_code == 0
    store = tmp_path / "store"
    assert cli("build", "--store", store, records).exit_code == 0
    network = tmp_path / "net.json"
    result = cli("network", "paper-model", "--store", store, "-o", network)
    assert result.exit_code == 0, result.output
    nodes = json.loads(network.read_text(encoding="utf-8"))["nodes"]
    paper = next(n for n in nodes if n["type"] == "paper")
    assert paper["label"] == "SlicerNNInteractive: A 3D Slicer extension for nnInteractive"
    assert "doi" not in paper and paper["iri"].startswith(FILE_PAPER)
    assert sorted(n["label"] for n in nodes if n["type"] == "model") == ["nnInteractive"]
