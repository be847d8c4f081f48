"""Annotation sheets in both layouts, as CSV and XLSX, counted by hand.

The sheet below has 8 papers. By hand: 7 use deep learning (all but a5), 6 reuse
PTMs (a1, a2, a3, a6, a7, a8). Pairings per pattern: Adaptation 7 (a1 x3, a3,
a6 x2, a8), Deployment 3 (a2, a3, a8), Conceptual 2 (a3, a7): 12 in all. Reused
models: AlexNet, VGG-16, GoogLeNet, Cellpose, ResNet-50, AlphaFold 2, AlphaFold,
"Foo (bar, baz) Net", DeepLabCut: 9.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

import kg

ROWS = [
    (
        "10.1000/a1",
        "9/8/2016",
        True,
        True,
        "[AlexNet, Adaptation]; [VGGNet (VGG-16), Adaptation]; [GoogLeNet, Adaptation]",
    ),
    (
        "https://doi.org/10.1000/A2",
        "10/2/2019",
        True,
        True,
        "[Cellpose (Modified U-Net), Deployment]",
    ),
    (
        "10.1000/a3",
        "1/1/2020",
        True,
        True,
        "[ResNet-50, Adaptation]; [resnet50, Deployment]; [ResNet 50, Conceptual]",
    ),
    ("10.1000/a4", "1/2/2020", True, False, ""),
    ("10.1000/a5", "1/3/2020", False, False, ""),
    ("10.1000/a6", "1/4/2020", True, True, "[AF2, Adaptation]; [AlphaFold, Adaptation]"),
    ("10.1000/a7", "1/5/2020", True, True, "[Foo (bar, baz) Net, Conceptual]"),
    ("10.1000/a8", "12/31/2021", True, True, "[DeepLabCut (ResNet-50), Adaptation, Deployment]"),
]
#: The module docstring's count of the eight papers.
HAND_COUNT = {
    "papers": 8,
    "dl_papers": 7,
    "ptm_papers": 6,
    "models": 9,
    "model_reuses": 12,
    "reuse_instances": 12,
    "without_pattern": 0,
}
LAYOUT_1 = ["DOI", "Uses DL", "Uses PTMs", "PTM Reuse Pairings"]
LAYOUT_2 = ["DOI", "Review Date", "Uses DL?", "Are PTMs Used?", "PTM and PTM Reuse Method Pairings"]


def _cells(row: tuple, layout: list[str]) -> list:
    doi, date, uses_dl, uses_ptms, pairings = row
    return (
        [doi, uses_dl, uses_ptms, pairings]
        if layout is LAYOUT_1
        else [doi, date, uses_dl, uses_ptms, pairings]
    )


def write_csv(path: Path, layout: list[str]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(layout)
        for row in ROWS:
            writer.writerow(_cells(row, layout))
    return path


def write_xlsx(path: Path, layout: list[str]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(layout)
    for number, row in enumerate(ROWS):
        cells = _cells(row, layout)
        if number % 2:  # half the booleans as text, half as real Excel booleans
            cells = [str(c) if isinstance(c, bool) else c for c in cells]
        sheet.append(cells)
    workbook.save(path)
    return path


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


@pytest.mark.parametrize("container", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", [LAYOUT_1, LAYOUT_2], ids=["layout-1", "layout-2"])
def test_sheet_counts_match_a_hand_count(tmp_path, build_store, container, layout) -> None:
    path = WRITERS[container](tmp_path / f"sheet.{container}", layout)
    store = build_store(path)
    assert kg.stats(store).summary == HAND_COUNT
    patterns = {r["pattern_label"]: r["reuse_instances"] for r in kg.stats(store).by_pattern.rows}
    assert patterns == {"Adaptation": 7, "Deployment": 3, "Conceptual": 2}
    assert kg.validate(store).conforms


def test_layout_is_recognised_and_reported(tmp_path, store_path) -> None:
    report = kg.build(
        kg.EmbeddedStore(store_path),
        [write_xlsx(tmp_path / "s.xlsx", LAYOUT_2)],
        rejects_dir=tmp_path,
    )
    (source,) = report.sources
    assert (source.format, source.layout) == ("xlsx", "annotation sheet (layout 2)")
    assert (source.read, source.accepted, source.rejected) == (8, 8, 0)


def _values(store: kg.EmbeddedStore, sparql: str) -> set[tuple]:
    return {tuple(row.values()) for row in kg.run_sparql(store, sparql).rows}


def test_spelling_variants_become_one_model_and_keep_their_mentions(tmp_path, build_store):
    store = build_store(write_csv(tmp_path / "sheet.csv", LAYOUT_1))
    rows = _values(
        store,
        """
        SELECT ?label ?pattern ?mention WHERE {
          ?reuse ptm:inPaper ?paper ; ptm:reusedModel ?model ; ptm:reusePattern ?p ;
                 ptm:modelMention ?mention .
          ?paper bibo:doi "10.1000/a3" . ?model rdfs:label ?label .
          ?p skos:prefLabel ?pattern }""",
    )
    assert rows == {
        ("ResNet-50", "Adaptation", "ResNet-50"),
        ("ResNet-50", "Deployment", "resnet50"),
        ("ResNet-50", "Conceptual", "ResNet 50"),
    }


def test_tools_link_to_backbones_and_alphafold_versions_stay_apart(tmp_path, build_store):
    store = build_store(write_csv(tmp_path / "sheet.csv", LAYOUT_1))
    backbones = _values(
        store,
        """
        SELECT DISTINCT ?tool ?backbone WHERE {
          ?reuse ptm:reusedModel ?t .
          ?t ptm:hasBackbone ?b . ?t rdfs:label ?tool . ?b rdfs:label ?backbone }""",
    )
    # The sheet's tools; the registry graph states more backbones (ColabFold's AlphaFold 2).
    assert backbones == {("Cellpose", "U-Net"), ("DeepLabCut", "ResNet-50")}
    a6 = _values(
        store,
        """
        SELECT ?label ?mention WHERE {
          ?reuse ptm:inPaper/bibo:doi "10.1000/a6" ; ptm:reusedModel/rdfs:label ?label ;
                 ptm:modelMention ?mention }""",
    )
    assert a6 == {("AlphaFold 2", "AF2"), ("AlphaFold", "AlphaFold")}


def test_one_doi_spelled_two_ways_is_one_paper_across_sources(tmp_path, build_store, write):
    sheet = write_csv(tmp_path / "sheet.csv", LAYOUT_1)
    generic = write("extra.csv", "doi,title,year\nhttps://doi.org/10.1000/A1,A title,2016\n")
    store = build_store(sheet, generic)
    assert kg.stats(store).summary["papers"] == 8
    titles = _values(store, 'SELECT ?t WHERE { ?p bibo:doi "10.1000/a1" ; dcterms:title ?t }')
    assert titles == {("A title",)}


def test_review_dates_and_flags_are_typed(tmp_path, build_store):
    store = build_store(write_xlsx(tmp_path / "sheet.xlsx", LAYOUT_2))
    rows = _values(
        store,
        """
        SELECT ?date ?dl ?ptm WHERE {
          ?p bibo:doi "10.1000/a8" ; ptm:reviewDate ?date ; ptm:usesDeepLearning ?dl ;
             ptm:reusesPretrainedModels ?ptm }""",
    )
    assert rows == {("2021-12-31", True, True)}
