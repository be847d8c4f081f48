"""The synthetic corpus: built and queried, it shows the study's published figures.

Tolerances (the targets are kg.synth.TARGETS, from the study's published figures):

* share of papers reusing PTMs: within 0.1 percentage point (picked by quota);
* adaptation's share of reuse instances with a pattern: within 2 points of 70.29%;
* Test is the most common stage, with (paper, model, Test) instances per paper
  within 10% of the study's 422 per 17,511 papers;
* the five most reused models are the study's five, in its order (ResNet-50 and
  AlphaFold tie, as in the study), each within 2 papers of its count scaled to the
  corpus's PTM papers;
* Biochemistry, Genetics and Molecular Biology has the most PTM-reusing papers;
* papers span 2000 to 2025;
* from the pipeline database: cited papers and v1 natural-science papers within 2
  points of the study's funnel shares (78.9% and 25.0%).
"""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.synth import (
    AIUS_SCHEMA,
    DEFAULT_PAPERS,
    TARGETS,
    synthetic_papers,
    write_corpus,
)

BIOCHEMISTRY = "Biochemistry, Genetics and Molecular Biology"


def _build(path: Path) -> kg.EmbeddedStore:
    store = kg.EmbeddedStore(None)
    report = kg.build(store, [path], rejects_dir=path.parent / "rejects")
    assert report.rejected == 0
    return store


@pytest.fixture(scope="module")
def default_corpus(tmp_path_factory: pytest.TempPathFactory) -> kg.EmbeddedStore:
    path = tmp_path_factory.mktemp("synth") / "corpus.jsonl"
    write_corpus(path)
    return _build(path)


def _rows(store: kg.GraphStore, name: str, **params) -> list[dict]:
    return kg.run_query(store, name, params).rows


def test_share_of_papers_reusing_ptms(default_corpus) -> None:
    (summary,) = _rows(default_corpus, "corpus-summary")
    assert summary["papers"] == DEFAULT_PAPERS
    assert summary["ptm_papers"] / summary["papers"] == pytest.approx(TARGETS.ptm_share, abs=0.001)


def test_adaptation_is_about_seventy_percent_of_reuse(default_corpus) -> None:
    shares = {
        row["pattern_label"]: row["share"] for row in _rows(default_corpus, "reuse-by-pattern")
    }
    assert shares["Adaptation"] == pytest.approx(TARGETS.adaptation_share, abs=0.02)
    assert max(shares, key=shares.get) == "Adaptation"


def test_test_is_the_most_common_stage(default_corpus) -> None:
    stages = {
        row["stage_label"]: row["model_reuses"] for row in _rows(default_corpus, "reuse-by-stage")
    }
    assert max(stages, key=stages.get) == "Test"
    expected = TARGETS.test_instances_per_paper * DEFAULT_PAPERS
    assert stages["Test"] == pytest.approx(expected, rel=0.10)


def test_model_popularity_is_headed_by_the_studys_five(default_corpus) -> None:
    (summary,) = _rows(default_corpus, "corpus-summary")
    top = _rows(default_corpus, "top-models", limit=5)
    assert [row["model_label"] for row in top] == [name for name, _ in TARGETS.top_models]
    scale = summary["ptm_papers"] / 631
    for row, (_, papers) in zip(top, TARGETS.top_models, strict=True):
        assert abs(row["papers"] - papers * scale) <= 2
    # A long tail: most models are reused by a handful of papers.
    models = _rows(default_corpus, "models")
    assert len(models) > 300
    assert sum(1 for m in models if m["papers"] <= 2) > len(models) / 2


def test_spellings_are_merged_into_one_model(default_corpus) -> None:
    found = _rows(default_corpus, "find-models", text="resnet")
    resnet50 = {row["matched_name"] for row in found if row["model_label"] == "ResNet-50"}
    assert {"ResNet-50", "resnet50", "ResNet 50"} <= resnet50


def test_biochemistry_leads_ptm_reuse(default_corpus) -> None:
    fields = _rows(default_corpus, "papers-by-field")
    leader = max(fields, key=lambda row: row["ptm_papers"])
    assert leader["field_label"] == TARGETS.leading_field == BIOCHEMISTRY


def test_papers_span_2000_to_2025(default_corpus) -> None:
    years = [row["year"] for row in _rows(default_corpus, "reuse-by-year")]
    assert min(years) == 2000 and max(years) == 2025
    assert len(years) == 26


def test_pipeline_database_has_the_studys_schema_and_funnel(tmp_path: Path) -> None:
    path = tmp_path / "aius.db"
    write_corpus(path, papers=5_000)
    connection = sqlite3.connect(path)
    written = {
        row[0] for row in connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
    }
    note = connection.execute("SELECT json_data FROM searches LIMIT 1").fetchone()[0]
    connection.close()
    reference = sqlite3.connect(":memory:")
    reference.executescript(AIUS_SCHEMA)
    expected = {row[0] for row in reference.execute("SELECT sql FROM sqlite_master")}
    assert written == expected
    assert json.loads(note)["synthetic"] is True

    store = _build(path)
    (funnel,) = _rows(store, "study-funnel", rule="v1")
    assert funnel["papers"] == 5_000
    assert funnel["cited_papers"] / 5_000 == pytest.approx(TARGETS.cited_share, abs=0.02)
    assert funnel["natural_science_papers"] / 5_000 == pytest.approx(
        TARGETS.natural_science_v1_share, abs=0.02
    )
    shares = {row["pattern_label"]: row["share"] for row in _rows(store, "reuse-by-pattern")}
    assert shares["Adaptation"] == pytest.approx(TARGETS.adaptation_share, abs=0.03)


# The study's own SQL, as its scripts ask the pipeline database: natural-science papers
# through its view, and the reuse answers of those papers (parsed in Python, as there).
STUDY_NATURAL_SCIENCE = "SELECT DISTINCT doi FROM natural_science_article_dois"
STUDY_REUSE_ROWS = """
SELECT oa.doi, CAST(json_extract(oa.json_data, '$.publication_year') AS INTEGER), r.model_response
FROM openalex oa
INNER JOIN natural_science_article_dois ns ON oa.doi = ns.doi
JOIN identify_ptm_reuse_analysis r ON oa.doi = r.doi
"""
PATTERNS = {"conceptual_reuse", "adaptation_reuse", "deployment_reuse"}


def _names_a_pattern(response: str) -> bool:
    try:
        answer = json.loads(response)
    except (json.JSONDecodeError, TypeError):
        return False
    if isinstance(answer, dict) and "error" not in answer:
        for key in ("response", "model", "models", "result"):
            if isinstance(answer.get(key), list):
                answer = answer[key]
                break
    items = answer if isinstance(answer, list) else [answer]
    return any(isinstance(i, dict) and i.get("classification") in PATTERNS for i in items)


def test_the_studys_own_sql_counts_what_the_graph_counts(tmp_path: Path) -> None:
    path = tmp_path / "aius.db"
    write_corpus(path, papers=3_000)
    connection = sqlite3.connect(path)
    columns = {
        row[1]: row[2]
        for row in connection.execute("PRAGMA table_info(_openalex_natural_science_fields)")
    }
    assert columns == {"_id": "INTEGER", "openalex_id": "INTEGER", "field": "TEXT"}
    ids = connection.execute(
        "SELECT openalex_id, typeof(openalex_id) FROM "
        "_openalex_natural_science_fields ORDER BY openalex_id"
    ).fetchall()
    assert ids == [(n, "integer") for n in (11, 13, 16, 19, 23, 24, 28, 31)]
    natural = {doi for (doi,) in connection.execute(STUDY_NATURAL_SCIENCE)}
    cited = connection.execute("SELECT COUNT(*) FROM openalex WHERE cited_by_count > 0").fetchone()
    pattern_papers = {
        doi
        for doi, year, response in connection.execute(STUDY_REUSE_ROWS)
        if year < 2026 and _names_a_pattern(response)
    }
    connection.close()
    # The view filters by topic: fewer papers than those cited, as in the study's funnel.
    assert 0 < len(natural) < cited[0]
    assert pattern_papers

    store = _build(path)
    (funnel,) = _rows(store, "study-funnel", rule="v1", ptm_rule="pattern")
    assert funnel["natural_science_papers"] == len(natural)
    assert funnel["ptm_papers"] == len(pattern_papers)


def test_annotation_sheet_loads_with_the_same_reuse(tmp_path: Path) -> None:
    sheet, generic = tmp_path / "sheet.csv", tmp_path / "generic.jsonl"
    write_corpus(sheet, papers=3_000, seed=11)
    write_corpus(generic, papers=3_000, seed=11)
    figures = [_rows(_build(path), "corpus-summary")[0] for path in (sheet, generic)]
    assert figures[0]["ptm_papers"] == figures[1]["ptm_papers"]
    assert figures[0]["reuse_instances"] == figures[1]["reuse_instances"]
    assert "layout 1" in kg.build(kg.EmbeddedStore(None), [sheet]).sources[0].layout


def test_files_say_they_are_synthetic(tmp_path: Path) -> None:
    sheet, generic = tmp_path / "s.csv", tmp_path / "g.jsonl"
    write_corpus(sheet, papers=50)
    write_corpus(generic, papers=50)
    header, first = sheet.read_text().splitlines()[:2]
    assert header.endswith("_synthetic") and "synthetic corpus" in first
    line = json.loads(generic.read_text().splitlines()[0])
    assert "synthetic corpus" in line["_synthetic"]
    assert line["doi"].startswith("10.5555/")  # Crossref's test prefix
    assert line["title"].startswith("Synthetic paper")


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    paths = [tmp_path / name for name in ("a.jsonl", "b.jsonl", "c.jsonl")]
    for path, seed in zip(paths, (1, 1, 2), strict=True):
        write_corpus(path, papers=2_000, seed=seed)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_papers_stream_with_little_memory() -> None:
    tracemalloc.start()
    try:
        count = sum(1 for _ in synthetic_papers(30_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000
    assert peak < 2 * 2**20  # the generator's tables, never the corpus


def test_synth_command(tmp_path: Path) -> None:
    output = tmp_path / "corpus.db"
    result = CliRunner().invoke(app, ["synth", str(output), "--papers", "300", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "300 synthetic papers" in result.output
    assert output.read_bytes().startswith(b"SQLite format 3\x00")
    bad = CliRunner().invoke(app, ["synth", str(tmp_path / "corpus.txt")])
    assert bad.exit_code == 1
    assert "cannot tell the format" in bad.output
    zero = CliRunner().invoke(app, ["synth", str(tmp_path / "c.csv"), "--papers", "0"])
    assert zero.exit_code == 1
    assert "--papers must be 1 or more" in zero.output
