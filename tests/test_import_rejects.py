"""Bad input: every kind is rejected with its line and reason, and kept in a rejects file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import UNUSABLE_SOURCES

import kg

SHEET_HEADER = "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n"
GOOD_ROW = '10.3000/ok,True,True,"[AlexNet, Adaptation]"\n'


def build(path: Path, tmp_path: Path, **options) -> kg.BuildReport:
    return kg.build(
        kg.EmbeddedStore(tmp_path / "store"), [path], rejects_dir=tmp_path / "rejects", **options
    )


def rejects_rows(report: kg.BuildReport) -> list[dict[str, str]]:
    path = report.sources[0].rejects_file
    assert path is not None and path.exists()
    with path.open(newline="", encoding="utf-8", errors="surrogateescape") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        (',True,True,"[AlexNet, Adaptation]"', "the DOI is missing"),
        ('not-a-doi,True,True,"[AlexNet, Adaptation]"', "malformed DOI: 'not-a-doi' is not a DOI"),
        (
            '10.3000/b,True,True,"[AlexNet, Finetuning]"',
            "unknown reuse pattern 'Finetuning' in pairing 1",
        ),
        (
            '10.3000/b,True,True,"[AlexNet, Adaptation]; VGG16, Adaptation"',
            "cannot parse '[AlexNet, Adaptation]; VGG16, Adaptation': expected '[' but found 'V' "
            "at character 24",
        ),
        (
            '10.3000/b,maybe,True,"[AlexNet, Adaptation]"',
            "Uses DL is 'maybe', expected True or False",
        ),
        ('10.3000/b,True,False,"[AlexNet, Adaptation]"', "models are named but Uses PTMs is False"),
        (
            '10.3000/ok,True,True,"[AlexNet, Adaptation]"',
            "duplicate row: DOI 10.3000/ok is already on line 2",
        ),
        (
            '10.3000/b,True,True,"[AlexNet, Adaptation]",surplus',
            "5 values but the header has 4 columns",
        ),
    ],
    ids=[
        "missing-doi",
        "malformed-doi",
        "unknown-pattern",
        "bad-pairing",
        "wrong-boolean",
        "contradiction",
        "duplicate",
        "extra-column",
    ],
)
def test_each_bad_row_is_rejected_with_line_and_reason(write, tmp_path, bad_row, reason):
    path = write("sheet.csv", SHEET_HEADER + GOOD_ROW + bad_row + "\n")
    report = build(path, tmp_path)
    (source,) = report.sources
    assert (source.read, source.accepted, source.rejected) == (2, 1, 1)
    assert source.rejects[0].line == 3
    assert reason in source.rejects[0].reason
    (kept,) = rejects_rows(report)
    assert kept["_line"] == "3" and reason in kept["_reason"]
    # The row is kept verbatim, so nothing is lost.
    original = next(csv.reader([bad_row]))
    assert [kept[c] for c in ("DOI", "Uses DL", "Uses PTMs", "PTM Reuse Pairings")] == original[:4]


def test_unknown_stage_and_field_in_the_generic_format(write, tmp_path):
    path = write(
        "g.csv",
        "doi,fields,model,pattern,stages\n"
        "10.3000/a,Chemistry,BERT,Adaptation,Testing\n"
        "10.3000/b,Alchemy,BERT,Adaptation,Test\n"
        "10.3000/c,Chemistry,,Adaptation,\n",
    )
    report = build(path, tmp_path)
    reasons = [r.reason for r in report.sources[0].rejects]
    assert reasons == [
        "unknown stage 'Testing' (expected Observation, Background, Hypothesis, Test, Analysis, "
        "Conclusion)",
        "unknown field 'Alchemy' (expected an OpenAlex field name or id (11-36))",
        "a pattern, stages or evidence are given but no model",
    ]
    assert report.sources[0].accepted == 0


def test_contradicting_rows_of_one_paper(write, tmp_path):
    path = write(
        "g.csv",
        "doi,title,year,model,pattern\n"
        "10.3000/a,First title,2020,BERT,Adaptation\n"
        "10.3000/a,,2021,GPT-2,Adaptation\n"
        "10.3000/a,First title,,BERT,Adaptation\n",
    )
    reasons = [r.reason for r in build(path, tmp_path).sources[0].rejects]
    assert reasons == [
        "year 2021 contradicts 2020 given for DOI 10.3000/a on line 2",
        "duplicate row: the same paper, model and pattern as line 2",
    ]


def test_a_stray_byte_in_a_utf8_file_is_rejected_and_its_bytes_kept(write, tmp_path):
    # UTF-8 text (Müller) comes first: the file is UTF-8, and one row holds a stray byte.
    # (A file whose first non-ASCII byte is not UTF-8 is refused whole: test_table_files.)
    content = (
        SHEET_HEADER + GOOD_ROW.replace("ok", "müller")
    ).encode() + b'10.3000/caf\xe9,True,True,"[AlexNet, Adaptation]"\n'
    report = build(write("sheet.csv", content), tmp_path)
    (reject,) = report.sources[0].rejects
    assert (reject.line, report.sources[0].accepted) == (3, 1)
    assert "not valid UTF-8 text (byte 0xe9 in column 'DOI')" in reject.reason
    assert b"10.3000/caf\xe9" in report.sources[0].rejects_file.read_bytes()


def test_other_encodings_load_with_the_encoding_option(write, tmp_path):
    content = "doi,title\n10.3000/x,Café science\n".encode("cp1252")
    (source,) = build(write("g.csv", content), tmp_path, encoding="cp1252").sources
    assert (source.accepted, source.rejected) == (1, 0)


def test_json_lines_rejects_are_json_lines(write, tmp_path):
    path = write(
        "g.jsonl",
        '{"doi": "10.3000/a", "model": "BERT", "pattern": "Adaptation"}\n'
        '{"doi": "10.3000/b", "model": "BERT", "pattern": "Fine-tune"}\n'
        '{"doi": "10.3000/c", broken\n'
        '["not", "an", "object"]\n',
    )
    report = build(path, tmp_path)
    source = report.sources[0]
    assert (source.read, source.accepted, source.rejected) == (4, 1, 3)
    kept = [json.loads(line) for line in source.rejects_file.read_text().splitlines()]
    assert [k["_line"] for k in kept] == [2, 3, 4]
    assert kept[0]["pattern"] == "Fine-tune" and "unknown reuse pattern" in kept[0]["_reason"]
    assert kept[1]["_raw"] == '{"doi": "10.3000/c", broken'
    assert kept[1]["_reason"].startswith("invalid JSON")
    assert "expected a JSON object" in kept[2]["_reason"]


def test_xlsx_rejects_go_to_csv_with_row_numbers(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DOI", "Uses DL", "Uses PTMs", "PTM Reuse Pairings"])
    sheet.append(["10.3000/a", True, True, "[AlexNet, Adaptation]"])
    sheet.append([None, None, None, None])  # a blank row is skipped, not rejected
    sheet.append(["10.3000/b", "perhaps", True, "[AlexNet, Adaptation]"])
    path = tmp_path / "sheet.xlsx"
    workbook.save(path)
    report = build(path, tmp_path)
    assert report.sources[0].rejects_file.name == "sheet.xlsx.rejects.csv"
    (kept,) = rejects_rows(report)
    assert kept["_line"] == "4" and kept["Uses DL"] == "perhaps"


def test_a_fixed_rejects_file_loads_again(write, tmp_path):
    path = write("sheet.csv", SHEET_HEADER + GOOD_ROW + 'doi:10.3000 /x,True,True,""\n')
    first = build(path, tmp_path)
    rejects_file = first.sources[0].rejects_file
    text = rejects_file.read_text().replace("doi:10.3000 /x", "10.3000/x")
    rejects_file.write_text(text)
    again = build(rejects_file, tmp_path)
    assert (again.sources[0].accepted, again.sources[0].rejected) == (1, 0)
    assert kg.stats(kg.EmbeddedStore(tmp_path / "store")).summary["papers"] == 2


def test_a_clean_rebuild_removes_the_stale_rejects_file(write, tmp_path):
    path = write("sheet.csv", SHEET_HEADER + GOOD_ROW + "bad,True,True,\n")
    rejects_file = build(path, tmp_path).sources[0].rejects_file
    assert rejects_file.exists()
    path.write_text(SHEET_HEADER + GOOD_ROW)
    assert build(path, tmp_path).sources[0].rejects_file is None
    assert not rejects_file.exists()


def test_strict_build_fails_and_leaves_the_store_unchanged(write, tmp_path):
    store_path = tmp_path / "store"
    first = write("first.csv", SHEET_HEADER + GOOD_ROW)
    build(first, tmp_path)
    bad = write("bad.csv", SHEET_HEADER + '10.3000/new,True,True,""\nnope,True,True,""\n')
    with pytest.raises(kg.StrictBuildError, match="1 record"):
        build(bad, tmp_path, strict=True)
    store = kg.EmbeddedStore(store_path)
    assert kg.stats(store).summary["papers"] == 1
    assert (tmp_path / "rejects" / "bad.csv.rejects.csv").exists()


@pytest.mark.parametrize(("setup", "message"), UNUSABLE_SOURCES)
def test_unusable_sources_are_one_clear_error_and_change_nothing(tmp_path, write, setup, message):
    store_path = tmp_path / "store"
    build(write("first.csv", SHEET_HEADER + GOOD_ROW), tmp_path)
    folder = tmp_path / "sources"
    folder.mkdir()
    bad = setup(folder)
    with pytest.raises(kg.SourceError) as caught:
        kg.build(kg.EmbeddedStore(store_path), [write("second.csv", SHEET_HEADER), bad])
    assert message in str(caught.value)
    assert str(bad) in str(caught.value)
    assert kg.EmbeddedStore(store_path).named_graphs() == sorted(
        [
            "https://w3id.org/ptmkg/ontology",
            "https://w3id.org/ptmkg/id/source/first.csv",
            "https://w3id.org/ptmkg/id/source/model-registry",
        ]
    )
