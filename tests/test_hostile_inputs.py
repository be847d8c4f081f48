"""Hostile files: huge cells, deep nesting, decompression bombs, far-out spreadsheet cells.

Each is a clear message about the one row or document, and the other rows go on.
"""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kg
from kg.read import tables

REPO = Path(__file__).resolve().parent.parent
JATS = REPO / "tests" / "data" / "jats"
GENERIC_HEADER = "doi,title,model,pattern\n"


def _papers(store: Path) -> set[str]:
    result = kg.execute_sparql(
        kg.EmbeddedStore(store),
        'SELECT DISTINCT ?doi WHERE { ?p bibo:doi ?doi FILTER(STRSTARTS(?doi, "10.5555/")) }',
    )
    return {row["doi"] for row in result.rows}


def _build(cli, source: Path, tmp_path: Path):
    """``ptmkg build`` of one source into the test's store, its rejects in ``r/``."""
    return cli("build", source, "--store", tmp_path / "store", "--rejects", tmp_path / "r")


def _rejects(folder: Path) -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    (path,) = folder.glob("*.rejects.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_quoted_140_kb_field_with_newlines_stays_one_cell(cli, tmp_path, write):
    inside = "x" * 140_000 + "\n10.5555/smuggled,Smuggled paper,ResNet-50,Adaptation\nend"
    sheet = write(
        "long.csv",
        GENERIC_HEADER + f'10.5555/long1,"{inside}",ResNet-50,Adaptation\n'
        "10.5555/after,After,VGG-16,Adaptation\n",
    )
    result = _build(cli, sheet, tmp_path)
    assert result.exit_code == 0, result.output
    assert "2 read = 2 accepted + 0 rejected" in result.output
    assert _papers(tmp_path / "store") == {"10.5555/long1", "10.5555/after"}


def test_a_cell_over_the_limit_rejects_its_row_and_keeps_every_cell(cli, tmp_path, write):
    huge = "x" * (tables.MAX_CELL_CHARS + 1)
    sheet = write(
        "huge.csv",
        GENERIC_HEADER
        + f"10.5555/huge,{huge},ResNet-50,Adaptation\n10.5555/fine,Fine,VGG-16,Adaptation\n",
    )
    result = _build(cli, sheet, tmp_path)
    assert result.exit_code == 0
    assert "line 2: a value of 1,048,577 characters in column 'title'" in result.stderr
    assert _papers(tmp_path / "store") == {"10.5555/fine"}
    (row,) = _rejects(tmp_path / "r")
    assert row["doi"] == "10.5555/huge" and row["title"] == huge and row["model"] == "ResNet-50"


def test_a_field_past_the_parser_limit_stops_the_file_there_and_keeps_the_text(
    cli, tmp_path, write, monkeypatch
):
    monkeypatch.setattr(tables, "MAX_FIELD_CHARS", 200_000)
    monkeypatch.setattr(tables, "MAX_CELL_CHARS", 100_000)
    inside = "10.5555/smuggled,Smuggled,ResNet-50,Adaptation\n" * 6000
    sheet = write(
        "endless.csv",
        GENERIC_HEADER + "10.5555/before,Before,VGG-16,Adaptation\n"
        f'10.5555/endless,"{inside}",ResNet-50,Adaptation\n',
    )
    result = _build(cli, sheet, tmp_path)
    assert result.exit_code == 0, result.output
    assert "the rest of the file from here is not read" in result.stderr
    assert _papers(tmp_path / "store") == {"10.5555/before"}
    (row,) = _rejects(tmp_path / "r")
    assert row["_raw"].startswith('10.5555/endless,"10.5555/smuggled')


def _deep_json(depth: int = 5000) -> str:
    return "[" * depth + "]" * depth


def test_one_deeply_nested_json_line_in_200_rejects_only_that_line(cli, tmp_path, write):
    lines = [
        json.dumps({"doi": f"10.5555/j{i}", "model": "ResNet-50", "pattern": "Adaptation"})
        for i in range(199)
    ]
    deep = '{"doi": "10.5555/deep", "extra": ' + _deep_json() + "}"
    lines.insert(100, deep)
    source = write("deep.jsonl", "\n".join(lines) + "\n")
    result = _build(cli, source, tmp_path)
    assert result.exit_code == 0, result.output
    assert "200 read = 199 accepted + 1 rejected" in result.output
    assert "line 101: JSON nested too deeply" in result.stderr
    kept = json.loads(
        (tmp_path / "r" / "deep.jsonl.rejects.jsonl")
        .read_text()
        .splitlines()[0]
        .replace(_deep_json(), "0")
    )
    assert kept["_raw"].startswith('{"doi": "10.5555/deep"')


def test_a_deep_openalex_line_rejects_only_that_work(cli, tmp_path, write):
    work = json.loads((REPO.parent / "shared/data/openalex/W2741809807.json").read_text())
    good = json.dumps(work)
    deep = '{"id": "https://openalex.org/W1", "publication_year": 2020, "x": ' + _deep_json() + "}"
    source = write("works.jsonl", good + "\n" + deep + "\n")
    result = _build(cli, source, tmp_path)
    assert result.exit_code == 0, result.output
    assert "line 2: JSON nested too deeply" in result.stderr
    assert "1 accepted + 1 rejected" in result.output


def test_deep_model_card_json_and_yaml_are_rejects_not_crashes(cli, tmp_path, write):
    card = write("card.json", '{"id": "org/model", "cardData": ' + _deep_json() + "}")
    readme = write("README.md", "---\nbase_model: " + "[" * 3000 + "]" * 3000 + "\n---\n# Model\n")
    for source in (card, readme):
        result = _build(cli, source, tmp_path)
        assert "Traceback" not in result.output and "RecursionError" not in result.output
        assert "nested too deeply" in result.stderr


def _deep_article(depth: int = 1000) -> bytes:
    return (
        b'<?xml version="1.0"?><article article-type="research-article"><front><article-meta>'
        b'<article-id pub-id-type="doi">10.5555/deep</article-id></article-meta></front>'
        b"<body><sec><title>Methods</title>"
        + b"<p>" * depth
        + b"We fine-tuned ResNet-50."
        + b"</p>" * depth
        + b"</sec></body></article>"
    )


def test_an_article_nested_1000_deep_is_skipped_and_the_others_extracted(cli, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "deep.xml").write_bytes(_deep_article())
    good = sorted(JATS.glob("*.xml"))[0]
    (folder / good.name).write_bytes(good.read_bytes())
    result = cli("extract", folder, "-o", tmp_path / "records.jsonl")
    assert result.exit_code == 0, result.output
    assert "deep.xml: elements nested more than 200 levels deep" in result.stderr
    assert "2 article(s)" not in result.stderr and "1 article(s)" in result.stderr
    build = cli("build", folder / "deep.xml", "--store", tmp_path / "store")
    assert "Traceback" not in build.output and "nested more than 200" in build.stderr


def _bomb(size: int) -> bytes:
    """A gzip stream of ``size`` bytes of blank XML text, a few kilobytes packed."""
    head = b'<?xml version="1.0"?><article><front><article-meta/></front><body><p>'
    return gzip.compress(head + b" " * size, compresslevel=9)


def test_gzip_and_zip_bombs_are_skipped_without_unpacking_them(cli, tmp_path):
    from kg.read.jats import MAX_DOCUMENT_BYTES

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "bomb.xml.gz").write_bytes(_bomb(MAX_DOCUMENT_BYTES + 1024))
    with zipfile.ZipFile(folder / "bombs.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("inner.xml", b"<article>" + b" " * (MAX_DOCUMENT_BYTES + 1024))
        archive.writestr("inner.xml.gz", _bomb(MAX_DOCUMENT_BYTES + 1024))
    good = sorted(JATS.glob("*.xml"))[0]
    (folder / good.name).write_bytes(good.read_bytes())
    result = cli("extract", folder, "-o", tmp_path / "records.jsonl")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("larger than 64 MiB once unpacked") == 3
    assert "1 article(s)" in result.stderr


def test_an_openalex_gzip_line_that_unpacks_past_the_limit_is_rejected(
    cli, tmp_path, write, monkeypatch
):
    from kg.importers import openalex

    monkeypatch.setattr(openalex, "MAX_LINE_CHARS", 1_000_000)
    work = json.loads((REPO.parent / "shared/data/openalex/W2741809807.json").read_text())
    endless = '{"id": "https://openalex.org/W2", "title": "' + "a" * 3_000_000 + '"}'
    packed = gzip.compress((json.dumps(work) + "\n" + endless + "\n").encode())
    source = write("works.jsonl.gz", packed)
    result = _build(cli, source, tmp_path)
    assert result.exit_code == 0, result.output
    assert "line 2: a line longer than" in result.stderr
    assert "1 accepted + 1 rejected" in result.output


def _workbook(path: Path, rows: list[list[object]], far_cell: str | None = None) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if far_cell:
        sheet[far_cell] = " "
    workbook.save(path)
    return path


HEADER = ["DOI", "Uses DL", "Uses PTMs", "PTM Reuse Pairings"]


def test_a_cell_at_xfd1048576_does_not_pad_a_million_rows(tmp_path):
    sheet = _workbook(
        tmp_path / "far.xlsx",
        [HEADER, ["10.5555/x1", True, True, "[ResNet-50, Adaptation]"]],
        far_cell="XFD1048576",
    )
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(sheet), "--memory"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "1 read = 1 accepted + 0 rejected" in done.stdout


def _with_text(path: Path, placeholder: str, text: str) -> Path:
    """The workbook with a cell's text replaced inside its XML (Excel and openpyxl stop
    at 32,767 characters; a crafted file does not)."""
    packed = path.with_suffix(".crafted.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(packed, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member, data.replace(placeholder.encode(), text.encode()))
    return packed


def test_an_xlsx_cell_over_the_limit_rejects_its_row(cli, tmp_path):
    huge = "x" * (tables.MAX_CELL_CHARS + 1)
    plain = _workbook(
        tmp_path / "huge.xlsx",
        [HEADER, ["10.5555/x1", True, True, "PLACEHOLDER"], ["10.5555/x2", True, False, ""]],
    )
    sheet = _with_text(plain, "PLACEHOLDER", huge)
    result = _build(cli, sheet, tmp_path)
    assert result.exit_code == 0, result.output
    assert "line 2: a value of 1,048,577 characters in column 'PTM Reuse Pairings'" in (
        result.stderr
    )
    assert _papers(tmp_path / "store") == {"10.5555/x2"}


def test_an_xlsx_part_that_unpacks_too_large_is_refused(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "MAX_XLSX_PART_BYTES", 2_000)
    sheet = _workbook(
        tmp_path / "big.xlsx", [HEADER, *[[f"10.5555/x{i}", True, False, ""] for i in range(200)]]
    )
    result = cli("build", sheet, "--store", tmp_path / "store")
    assert result.exit_code == 1
    assert "unpacks to" in result.stderr and "save the sheet as CSV" in result.stderr


@pytest.fixture(autouse=True)
def _restore_csv_limit():
    limit = csv.field_size_limit()
    yield
    csv.field_size_limit(limit)
