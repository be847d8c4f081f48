"""Semicolon-separated CSV, as spreadsheets in many European languages save it (issue 20).

Excel set to German, French or Italian saves "CSV" with semicolons between cells, decimal
commas in numbers, often a ``sep=;`` first line, and in cp1252 or UTF-8 with a BOM. Each
sheet below is written by the test as such a spreadsheet writes it (Python's csv writer
with ``;``, which quotes exactly the cells holding a separator or a quote), and must read
as the comma-separated sheet with the same rows does: the same hand count, the same
cells. A comma CSV whose cells hold semicolons must stay comma-separated.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from test_import_sheets import HAND_COUNT, LAYOUT_1, LAYOUT_2, ROWS, _cells

import kg
from kg.formats import SNIFF_BYTES
from kg.importers import detect
from kg.read.tables import GENERIC_FORMAT_COLUMNS


def european_sheet(
    path: Path, rows: list[list[object]], encoding: str = "utf-8-sig", sep_line: bool = True
) -> Path:
    """A sheet as Excel with a decimal comma saves it: ';', CRLF, maybe 'sep=;' first."""
    with path.open("w", newline="", encoding=encoding) as handle:
        if sep_line:
            handle.write("sep=;\r\n")
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerows(rows)
    return path


def values(store: kg.EmbeddedStore, sparql: str) -> set[tuple]:
    return {tuple(row.values()) for row in kg.run_sparql(store, sparql).rows}


# ------------------------------------------------------------ annotation sheets


@pytest.mark.parametrize("layout", [LAYOUT_1, LAYOUT_2], ids=["layout-1", "layout-2"])
@pytest.mark.parametrize(
    ("encoding", "sep_line"),
    [("utf-8-sig", True), ("utf-8", False), ("cp1252", True)],
    ids=["utf-8-bom-sep-line", "utf-8", "cp1252-sep-line"],
)
def test_a_semicolon_sheet_gives_the_hand_count(tmp_path, layout, encoding, sep_line):
    rows = [layout, *(_cells(row, layout) for row in ROWS)]
    path = european_sheet(tmp_path / "sheet.csv", rows, encoding, sep_line)
    text = path.read_bytes()
    assert b'"[AlexNet, Adaptation]; [VGGNet' in text  # the pairings cell is quoted
    assert detect(path) == "csv-semicolon"
    store = kg.EmbeddedStore(tmp_path / "store")
    report = kg.build(
        store,
        [path],
        rejects_dir=tmp_path / "rejects",
        encoding="cp1252" if encoding == "cp1252" else "utf-8",
    )
    (source,) = report.sources
    assert (source.format, source.read, source.accepted, source.rejected) == (
        "csv-semicolon",
        8,
        8,
        0,
    )
    assert kg.stats(store).summary == HAND_COUNT
    patterns = {r["pattern_label"]: r["reuse_instances"] for r in kg.stats(store).by_pattern.rows}
    assert patterns == {"Adaptation": 7, "Deployment": 3, "Conceptual": 2}
    # The quoted cell's comma and semicolons came through: "Foo (bar, baz) Net" is one model.
    assert ("Foo (bar, baz) Net",) in values(
        store, "SELECT ?l WHERE { ?m a ptm:PretrainedModel ; rdfs:label ?l }"
    )


# ------------------------------------------------------------ the generic format

#: The generic format's columns up to the extractor's, but for journal and the flags.
# Named here, in the order of the rows below (the format itself takes its columns in any order).
GENERIC_HEADER = [
    column
    for column in GENERIC_FORMAT_COLUMNS[: GENERIC_FORMAT_COLUMNS.index("extractor") + 1]
    if column not in ("id", "journal", "uses_dl", "uses_ptms")
]
GENERIC_ROWS = [
    [
        "10.1000/g1",
        "Müller cells; retina, and vision",
        "2021",
        "Neuroscience",
        "ResNet-50",
        "Adaptation",
        "test",
        'We fine-tuned ResNet-50; accuracy rose to 0,93 ("good").',
        "Methods",
        "0,8",
        "rules",
    ],
    [
        "10.1000/g2",
        "Plain",
        "2020",
        "Neuroscience",
        "BERT",
        "Deployment",
        "test",
        "BERT as is.",
        "Results",
        "0.75",  # a decimal point reads too
        "rules",
    ],
    [
        "10.1000/g3",
        "Too sure",
        "2020",
        "Neuroscience",
        "BERT",
        "Adaptation",
        "test",
        "Fine-tuned BERT.",
        "Methods",
        "1,5",  # out of range: rejected, and kept as written
        "rules",
    ],
]
CONFIDENCES = """
    SELECT ?doi ?title ?evidence ?confidence WHERE {
      ?reuse ptm:inPaper ?paper ; ptm:extractionConfidence ?confidence ;
             ptm:evidence ?evidence .
      ?paper bibo:doi ?doi ; dcterms:title ?title }"""


def test_decimal_commas_are_numbers_and_quoted_cells_stay_whole(tmp_path):
    path = european_sheet(tmp_path / "records.csv", [GENERIC_HEADER, *GENERIC_ROWS], "cp1252")
    store = kg.EmbeddedStore(tmp_path / "store")
    report = kg.build(store, [path], rejects_dir=tmp_path / "rejects", encoding="cp1252")
    (source,) = report.sources
    assert (source.format, source.layout) == ("csv-semicolon", "generic annotations")
    assert (source.accepted, source.rejected) == (2, 1)
    rows = {
        (doi, title, evidence, float(confidence))
        for doi, title, evidence, confidence in values(store, CONFIDENCES)
    }
    assert rows == {
        (
            "10.1000/g1",
            "Müller cells; retina, and vision",
            'We fine-tuned ResNet-50; accuracy rose to 0,93 ("good").',
            0.8,
        ),
        ("10.1000/g2", "Plain", "BERT as is.", 0.75),
    }
    (reject,) = report.sources[0].rejects
    assert (reject.line, reject.reason) == (
        5,  # sep=; is line 1, the header line 2
        "confidence is '1,5', expected a number from 0 to 1",
    )


def test_the_rejects_file_of_a_semicolon_sheet_is_one_too_and_loads_once_fixed(tmp_path):
    path = european_sheet(tmp_path / "records.csv", [GENERIC_HEADER, *GENERIC_ROWS])
    rejects = tmp_path / "rejects"
    kg.build(kg.EmbeddedStore(None), [path], rejects_dir=rejects)
    written = rejects / "records.csv.rejects.csv"
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "_line;_reason;" + ";".join(GENERIC_HEADER)
    assert lines[1].endswith(";Methods;1,5;rules")
    written.write_text(written.read_text(encoding="utf-8").replace(";1,5;", ";0,5;"), "utf-8")
    assert detect(written) == "csv-semicolon"
    store = kg.EmbeddedStore(tmp_path / "store")
    report = kg.build(store, [path, written], rejects_dir=tmp_path / "again")
    assert [(s.accepted, s.rejected) for s in report.sources] == [(2, 1), (1, 0)]
    found = {float(c) for doi, _, _, c in values(store, CONFIDENCES) if doi == "10.1000/g3"}
    assert found == {0.5}


def test_decimal_commas_mean_nothing_in_a_comma_csv(write, tmp_path):
    path = write(
        "records.csv",
        'doi,title,model,pattern,confidence,extractor\n10.1000/c1,T,BERT,Adaptation,"0,8",rules\n',
    )
    report = kg.build(kg.EmbeddedStore(None), [path], rejects_dir=tmp_path / "rejects")
    (reject,) = report.sources[0].rejects
    assert reject.reason == "confidence is '0,8', expected a number from 0 to 1"


# ------------------------------------------------------------ comma CSV stays comma CSV


def test_a_comma_csv_whose_cells_hold_semicolons_is_not_read_as_semicolons(write, build_store):
    path = write(
        "papers.csv",
        "doi,title,year,fields,model,pattern\n"
        "10.1000/s1,Deep learning; a review; and more,2020,Neuroscience;Medicine,BERT,"
        "Adaptation\n"
        '10.1000/s2,"Quoted; with, both",2021,"Neuroscience; Medicine",ResNet-50,Deployment\n'
        "10.1000/s3,Proteins;folding,2022,Medicine,AlphaFold 2,Adaptation\n",
    )
    assert detect(path) == "csv"
    store = build_store(path)
    titles = values(store, "SELECT ?doi ?t WHERE { ?p bibo:doi ?doi ; dcterms:title ?t }")
    assert titles == {
        ("10.1000/s1", "Deep learning; a review; and more"),
        ("10.1000/s2", "Quoted; with, both"),
        ("10.1000/s3", "Proteins;folding"),
    }
    fields = values(
        store,
        "SELECT ?doi (COUNT(?f) AS ?n) WHERE { ?p bibo:doi ?doi ; ptm:hasField ?f } GROUP BY ?doi",
    )
    assert {(doi, int(n)) for doi, n in fields} == {
        ("10.1000/s1", 2),
        ("10.1000/s2", 2),
        ("10.1000/s3", 1),
    }


# ------------------------------------------------------------ detection


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.csv", "doi;title\n10.1/x;T\n", "csv-semicolon"),
        ("a.txt", "doi;title;year\n10.1/x;T;2020\n", "csv-semicolon"),  # no extension help
        ("a.csv", "sep=;\ndoi\n10.1/x\n", "csv-semicolon"),  # one column: only sep= tells
        ("a.csv", "sep=,\ndoi;title\n", "csv"),  # what sep= says wins
        ("a.csv", "\ufeffdoi;title;year\r\n", "csv-semicolon"),  # BOM, header only
        ("a.csv", 'doi,title\n10.1/x,"a;b;c;d;e"\n', "csv"),
        ("a.csv", "doi,title\n10.1/x,a;b;c;d;e\n10.1/y,f;g;h\n", "csv"),
        ("a.csv", "doi\n10.1/x\n", "csv"),  # one column, named .csv
        ("a.tsv", "doi;title\tyear\n", "tsv"),  # the extension says TSV
        ("a.csv", "doi\ttitle\tyear\n10.1/x\tA, b; c\t2020\n", "tsv"),
    ],
)
def test_the_separator_is_detected(write, name, content, expected):
    assert detect(write(name, content)) == expected


def test_a_semicolon_sheet_longer_than_the_sniffed_start_is_detected(write):
    # Far past the sniff's 64 KB, and the sample's last line is cut in the middle.
    row = '10.1000/x{0};"Title {0}, with a comma";2020;Neuroscience\n'
    body = "doi;title;year;fields\n" + "".join(row.format(n) for n in range(4000))
    assert len(body) > 3 * SNIFF_BYTES
    assert detect(write("long.csv", body)) == "csv-semicolon"


def test_a_sep_line_that_contradicts_the_given_format_is_a_message(write, cli):
    path = write("sheet.csv", "sep=;\ndoi;title\n10.1000/x;T\n")
    result = cli("build", "--memory", "--format", "csv", str(path))
    assert result.exit_code == 1
    assert "line 1 says the separator is ';'" in result.stderr
    assert "leave out --format" in result.stderr
    assert "Traceback" not in result.output
    # Left to detection, the same file builds.
    result = cli("build", "--memory", str(path))
    assert result.exit_code == 0, result.output
    assert "(csv-semicolon, generic annotations): 1 read = 1 accepted" in result.stdout
