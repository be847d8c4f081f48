"""Alias (model registry) files and label files read as sheets are read (issue 20).

A user's alias file or label file comes from the same spreadsheet as their annotation
sheet, so it is saved the same ways: with commas, with semicolons (and maybe a ``sep=;``
first line) where the decimal separator is a comma, with tabs, with a UTF-8 BOM, as XLSX.
Each is read here by the common table reader (:func:`kg.read.tables.read_table`), with the
same messages for bad rows: file, line, reason.

Text that is not UTF-8 (a cp1252 file, as Excel on Windows saves "CSV") is refused, naming
the file, the line and byte offset, the byte, what the line says when read as cp1252, and
``--encoding cp1252``; an encoding given explicitly is always the one used. Not guessed:
on a line or two of French or German the detectors (charset-normalizer) choose cp1250 or
cp775 as often as cp1252, and "naïve" would become "naďve".
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from conftest import evaluation_text

import kg
from kg.errors import PtmkgError
from kg.extract.evaluate import file_key, labels_from_file
from kg.models.names import ModelResolver
from kg.models.registry import ModelRegistry

#: The ways a spreadsheet saves a table: separator, encoding, whether 'sep=;' comes first.
LAYOUTS = [
    pytest.param(",", "utf-8", False, "csv", id="comma"),
    pytest.param(",", "utf-8-sig", False, "csv", id="comma-bom"),
    pytest.param(";", "utf-8", False, "csv", id="semicolon"),
    pytest.param(";", "utf-8-sig", True, "csv", id="semicolon-bom-sep-line"),
    pytest.param("\t", "utf-8", False, "tsv", id="tab"),
    pytest.param("\t", "utf-8-sig", False, "csv", id="tab-bom-named-csv"),
]


def table_file(
    path: Path,
    rows: list[list[str]],
    separator: str = ",",
    encoding: str = "utf-8",
    sep_line: bool = False,
) -> Path:
    """A table as a spreadsheet saves it: CRLF, cells quoted only where they must be."""
    with path.open("w", newline="", encoding=encoding) as handle:
        if sep_line:
            handle.write(f"sep={separator}\r\n")
        csv.writer(handle, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return path


def workbook(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


# ------------------------------------------------------------ alias files

ALIAS_ROWS = [
    ["name", "aliases", "family", "task"],
    ["Réseau Naïve", "RN-1|naive net", "Réseau", "segmentation; of cells, and nuclei"],
    ["LeafNet", "LN-1", "LeafNet", "leaf counting"],
]


def check_alias_rows(registry: ModelRegistry) -> None:
    reseau = registry.entry("Réseau Naïve")
    assert reseau is not None
    assert (reseau.name, reseau.aliases, reseau.family, reseau.task) == (
        "Réseau Naïve",
        ("RN-1", "naive net"),
        "Réseau",
        "segmentation; of cells, and nuclei",  # a quoted cell holding both separators
    )
    assert registry.entry("ln1").name == "LeafNet"


@pytest.mark.parametrize(("separator", "encoding", "sep_line", "suffix"), LAYOUTS)
def test_an_alias_file_reads_in_every_layout_a_sheet_does(
    tmp_path, cli, separator, encoding, sep_line, suffix
):
    path = table_file(tmp_path / f"aliases.{suffix}", ALIAS_ROWS, separator, encoding, sep_line)
    check_alias_rows(ModelRegistry([path]))
    result = cli("models", "resolve", "naive net", "--aliases", path)
    assert result.exit_code == 0, result.output
    assert "Réseau Naïve" in result.stdout


def test_an_alias_file_may_be_a_workbook(tmp_path):
    check_alias_rows(ModelRegistry([workbook(tmp_path / "aliases.xlsx", ALIAS_ROWS)]))


def test_line_numbers_of_a_semicolon_alias_file_count_its_sep_line(tmp_path, cli):
    rows = [*ALIAS_ROWS, ["Bad", "", "", ""]]
    rows[0] = [*rows[0], "wikidata_id"]
    rows[-1] = [*rows[-1], "Q12x"]
    path = table_file(tmp_path / "aliases.csv", rows, ";", "utf-8-sig", sep_line=True)
    message = "aliases.csv, line 5: wikidata_id 'Q12x' is not a Wikidata id"
    with pytest.raises(PtmkgError, match=message):
        ModelRegistry([path])
    result = cli("models", "explain", "LeafNet", "--aliases", path)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_row_with_more_values_than_columns_is_a_message(tmp_path, cli):
    path = tmp_path / "aliases.csv"
    path.write_text("name;aliases\r\nLeafNet;LN-1\r\nMyNet;MN;stray\r\n", encoding="utf-8")
    message = "aliases.csv, line 3: 3 values but the header has 2 columns"
    with pytest.raises(PtmkgError, match=message):
        ModelRegistry([path])
    result = cli("models", "resolve", "LN-1", "--aliases", path)
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.output


def test_a_cp1252_alias_file_is_refused_with_advice_and_read_with_the_encoding(tmp_path, cli):
    path = table_file(tmp_path / "aliases.csv", ALIAS_ROWS, ";", "cp1252")
    with pytest.raises(PtmkgError) as refused:
        ModelRegistry([path])
    message = str(refused.value)
    # Line 2, offset 27: "name;aliases;family;task\r\n" is 26 bytes, then "R", then "é".
    assert message.startswith(
        f"{path}: cannot read alias table: line 2, byte offset 27: 0xe9 is not UTF-8"
    )
    assert "'Réseau Naïve;RN-1|naive net;Réseau;" in message  # the line, read as cp1252
    assert "--encoding cp1252" in message
    check_alias_rows(ModelRegistry([path], encoding="cp1252"))
    result = cli("models", "resolve", "naive net", "--aliases", path)
    assert result.exit_code == 1
    assert "byte offset 27: 0xe9 is not UTF-8" in result.stderr
    assert "Traceback" not in result.output


def windows_csv(path: Path, *rows: list[str]) -> Path:
    """A table as Excel on Windows saves "CSV" where the decimal separator is a comma."""
    return table_file(path, list(rows), ";", "cp1252")


def test_build_reads_cp1252_sheets_and_alias_files_with_the_encoding_option(tmp_path, cli):
    aliases = table_file(tmp_path / "aliases.csv", ALIAS_ROWS, ";", "cp1252", sep_line=True)
    sheet = windows_csv(
        tmp_path / "sheet.csv",
        ["doi", "title", "model", "pattern"],
        ["10.5555/r1", "Réseau naïve for cells", "RN-1", "Adaptation"],
    )
    store = tmp_path / "store"
    refused = cli("build", "--store", store, "--aliases", aliases, sheet)
    assert refused.exit_code == 1
    assert "--encoding cp1252" in refused.stderr and "Traceback" not in refused.output
    assert refused.stderr.strip().count("\n") == 0
    assert not (store / "current").exists()  # nothing built
    result = cli("build", "--store", store, "--encoding", "cp1252", "--aliases", aliases, sheet)
    assert result.exit_code == 0, result.output
    found = kg.run_sparql(
        kg.EmbeddedStore(store),
        "SELECT ?title ?model WHERE { ?r ptm:inPaper/dcterms:title ?title ; "
        "ptm:reusedModel/rdfs:label ?model }",
    ).rows
    assert [tuple(row.values()) for row in found] == [("Réseau naïve for cells", "Réseau Naïve")]


# ------------------------------------------------------------ label files

#: Labels for articles without a DOI, by file (the generic format's 'file' column).
FILE_LABELS = [
    ["file", "uses_ptms", "model", "pattern"],
    ["réseau.xml", "True", "RN-1", "Adaptation"],
    ["réseau.xml", "True", "BERT", "Deployment"],
    ["plain.xml", "False", "", ""],
]


def check_file_labels(labels: dict, folder: Path) -> None:
    reseau, plain = labels[file_key(folder / "réseau.xml")], labels[file_key(folder / "plain.xml")]
    assert reseau.reuses_ptms and not plain.reuses_ptms
    assert {reseau.names[key]: patterns for key, patterns in reseau.models.items()} == {
        "Réseau Naïve": {"Adaptation"},
        "BERT": {"Deployment"},
    }


@pytest.fixture
def resolver(tmp_path) -> ModelResolver:
    return ModelResolver([table_file(tmp_path / "aliases.csv", ALIAS_ROWS)])


@pytest.mark.parametrize(("separator", "encoding", "sep_line", "suffix"), LAYOUTS)
def test_labels_by_file_read_in_every_layout_a_sheet_does(
    tmp_path, resolver, separator, encoding, sep_line, suffix
):
    path = table_file(tmp_path / f"labels.{suffix}", FILE_LABELS, separator, encoding, sep_line)
    check_file_labels(labels_from_file(path, resolver), tmp_path)


def test_labels_by_file_may_be_a_workbook(tmp_path, resolver):
    path = workbook(tmp_path / "labels.xlsx", FILE_LABELS)
    check_file_labels(labels_from_file(path, resolver), tmp_path)


def test_a_semicolon_annotation_sheet_labels_by_doi(tmp_path, resolver):
    rows = [
        ["DOI", "Uses DL", "Uses PTMs", "PTM Reuse Pairings"],
        ["10.5555/r1", "True", "True", "[RN-1, Adaptation]; [BERT, Deployment]"],
    ]
    path = table_file(tmp_path / "labels.csv", rows, ";", "utf-8-sig", sep_line=True)
    view = labels_from_file(path, resolver)["10.5555/r1"]
    assert set(view.names.values()) == {"Réseau Naïve", "BERT"}


def test_a_bad_row_of_a_semicolon_label_file_names_file_and_line(tmp_path, resolver, cli):
    rows = [*FILE_LABELS, ["other.xml", "Wahr", "", ""]]
    path = table_file(tmp_path / "labels.csv", rows, ";", sep_line=True)
    message = "labels.csv, line 6: uses_ptms is 'Wahr', expected True or False"
    with pytest.raises(PtmkgError, match=message):
        labels_from_file(path, resolver)
    articles = tmp_path / "articles"
    articles.mkdir()
    result = cli("extract", articles, "--evaluate", path)
    assert result.exit_code == 1 and message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("rows", [FILE_LABELS, [["DOI", "Uses DL", "Uses PTMs",
    "PTM Reuse Pairings"], ["10.5555/r1", "True", "True", "[Réseau Naïve, Adaptation]"]]],
    ids=["by-file", "by-doi"])  # fmt: skip
def test_a_cp1252_label_file_is_refused_and_read_with_the_encoding(tmp_path, resolver, cli, rows):
    path = table_file(tmp_path / "labels.csv", rows, ";", "cp1252")
    with pytest.raises(PtmkgError, match=r"labels.csv: line 2, byte offset \d+: 0xe9 is not UTF-8"):
        labels_from_file(path, resolver)
    assert labels_from_file(path, resolver, encoding="cp1252")
    articles = tmp_path / "articles"
    articles.mkdir()
    result = cli("extract", articles, "--evaluate", path)
    assert result.exit_code == 1 and "0xe9 is not UTF-8" in result.stderr
    assert "Traceback" not in result.output


# ------------------------------------------------------------ sources


def test_a_cp1252_sheet_is_refused_whole_naming_line_and_byte(tmp_path, cli):
    rows = [["doi", "title"], *([f"10.5555/a{n}", "Plain"] for n in range(3000))]
    rows.append(["10.5555/late", "Réseau naïve"])  # past the 64 KiB format detection reads
    path = table_file(tmp_path / "sheet.csv", rows, ";", "cp1252")
    offset = path.read_bytes().index(b"\xe9")
    with pytest.raises(kg.SourceError) as refused:
        kg.build(kg.EmbeddedStore(None), [path], rejects_dir=tmp_path / "rejects")
    assert str(refused.value).startswith(
        f"{path}: line 3002, byte offset {offset}: 0xe9 is not UTF-8; read as cp1252 "
        "(Windows-1252, as Excel on Windows saves CSV) the line is '10.5555/late;Réseau naïve'"
    )
    result = cli("build", "--memory", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "pass --encoding cp1252" in result.stderr
    result = cli("build", "--memory", "--encoding", "cp1252", path)
    assert result.exit_code == 0, result.output
    assert "3,001 read = 3,001 accepted + 0 rejected" in result.stdout


def test_a_cp1252_json_lines_file_is_refused_too(write, tmp_path):
    path = write("records.jsonl", '{"doi": "10.5555/j1", "title": "naïve"}\n'.encode("cp1252"))
    with pytest.raises(kg.SourceError, match="line 1, byte offset 34: 0xef is not UTF-8"):
        kg.build(kg.EmbeddedStore(None), [path], rejects_dir=tmp_path / "rejects")
    report = kg.build(kg.EmbeddedStore(None), [path], rejects_dir=tmp_path / "r", encoding="cp1252")
    assert report.sources[0].accepted == 1


def test_bytes_undefined_in_cp1252_are_not_offered_as_cp1252(write, tmp_path):
    path = write("sheet.csv", b"doi,title\n10.5555/x,caf\x81\n")
    with pytest.raises(kg.SourceError) as refused:
        kg.build(kg.EmbeddedStore(None), [path], rejects_dir=tmp_path / "rejects")
    message = refused.value.reason
    assert "line 2, byte offset 23: 0x81 is not UTF-8" in message
    assert "cp1252" not in message and "--encoding" in message


def test_an_explicit_encoding_is_the_one_used(write, tmp_path):
    # UTF-8 bytes read as Latin-1 because the user says so: their choice, not a guess.
    path = write("sheet.csv", "doi,title\n10.5555/x,café\n")
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [path], rejects_dir=tmp_path / "rejects", encoding="latin-1")
    rows = kg.run_sparql(
        store, "SELECT ?t WHERE { ?p bibo:doi '10.5555/x' ; dcterms:title ?t }"
    ).rows
    assert [row["t"] for row in rows] == ["cafÃ©"]


def test_an_unknown_encoding_is_a_message(write, cli):
    path = write("sheet.csv", "doi,title\n10.5555/x,T\n")
    result = cli("build", "--memory", "--encoding", "klingon", path)
    assert result.exit_code == 1
    assert "unknown text encoding 'klingon'" in result.stderr
    assert "Traceback" not in result.output


# ------------------------------------------------------------ --encoding everywhere

ARTICLE = """<?xml version="1.0"?>
<article article-type="research-article"><front><article-meta>
<title-group><article-title>Counting cells</article-title></title-group></article-meta></front>
<body><sec><title>Methods</title><p>We fine-tuned the pretrained RN-1 model on our
microscopy images to segment nuclei.</p></sec></body></article>
"""


def test_models_commands_read_a_cp1252_alias_file_with_the_encoding_option(tmp_path, cli):
    path = table_file(tmp_path / "aliases.csv", ALIAS_ROWS, ";", "cp1252")
    for command in (("models", "resolve", "naive net"), ("models", "explain", "naive net")):
        refused = cli(*command, "--aliases", path)
        assert refused.exit_code == 1 and "--encoding cp1252" in refused.stderr
        result = cli(*command, "--aliases", path, "--encoding", "cp1252")
        assert result.exit_code == 0, result.output
        assert "Réseau Naïve" in result.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_extract_reads_cp1252_alias_and_label_files_with_the_encoding_option(tmp_path, cli, jobs):
    # A neural network (its Wikidata class), so that the extractor takes it for a model.
    classes = ["wikidata_class", "Q17084460", ""]
    rows = [[*row, column] for row, column in zip(ALIAS_ROWS, classes, strict=True)]
    aliases = table_file(tmp_path / "aliases.csv", rows, ";", "cp1252")
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "réseau.xml").write_text(ARTICLE, encoding="utf-8")
    labels = windows_csv(
        tmp_path / "labels.csv",
        ["file", "uses_ptms", "model", "pattern"],
        ["articles/réseau.xml", "True", "Réseau Naïve", "Adaptation"],
    )
    records = tmp_path / "records.csv"
    refused = cli("extract", articles, "--aliases", aliases, "-o", records, "-j", jobs)
    assert refused.exit_code == 1 and "--encoding cp1252" in refused.stderr
    assert "Traceback" not in refused.output
    result = cli(
        "extract", articles, "--aliases", aliases, "--encoding", "cp1252", "-o", records, "-j", jobs
    )
    assert result.exit_code == 0, result.output
    with records.open(encoding="utf-8", newline="") as handle:
        found = [(row["model"], row["pattern"]) for row in csv.DictReader(handle)]
    assert found == [("Réseau Naïve", "Adaptation")]
    evaluated = cli(
        "extract", articles, "--aliases", aliases, "--encoding", "cp1252", "--evaluate", labels
    )
    assert evaluated.exit_code == 0, evaluated.output
    text = evaluation_text(
        evaluated.stdout,
        "1 0 0 0 1.000 1.000 1.000 / 1 0 0 1.000 1.000 1.000 / 1 0 0 1.000 1.000 1.000",
    )
    assert "not among the articles" not in text
