"""The study pipeline's database and parquet runs, checked against hand counts.

The fixture database and its hand counts are in pipeline_fixture.py.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from pipeline_fixture import ANALYSIS, make_database

import kg


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return make_database(tmp_path / "results.db")


def rows(store: kg.EmbeddedStore, sparql: str) -> set[tuple]:
    return {tuple(row.values()) for row in kg.run_sparql(store, sparql).rows}


def count(store: kg.EmbeddedStore, sparql: str) -> int:
    return kg.run_sparql(store, sparql).rows[0]["n"]


def test_the_database_is_recognised_and_read_and_rejects_add_up(database, tmp_path):
    store = kg.EmbeddedStore(tmp_path / "s")
    report = kg.build(store, [database], rejects_dir=tmp_path / "rejects")
    (source,) = report.sources
    assert (source.format, source.layout) == ("aius", "aius pipeline database")
    assert (source.read, source.accepted, source.rejected) == (9, 7, 2)
    assert {(r.where, r.reason.split(" (")[0]) for r in source.rejects} == {
        ("openalex row 7", "json_data of DOI 10.1371/journal.pone.1007 is not valid JSON"),
        ("articles row 10", "the row has no DOI"),
    }
    kept = [json.loads(line) for line in source.rejects_file.read_text().splitlines()]
    assert {k["_where"] for k in kept} == {"openalex row 7", "articles row 10"}
    assert any("superseded" in w for w in source.warnings)
    assert kg.validate(kg.EmbeddedStore(tmp_path / "s")).conforms


def test_summary_matches_the_hand_count(database, build_store):
    store = build_store(database)
    assert kg.stats(store).summary == {
        "papers": 7,
        "dl_papers": 5,
        "ptm_papers": 4,
        "models": 6,
        "model_reuses": 8,
        "reuse_instances": 6,  # with a pattern; P6 BERT (a label outside) and P8 SignalP have none
        "without_pattern": 2,
    }
    patterns = {r["pattern_label"]: r["reuse_instances"] for r in kg.stats(store).by_pattern.rows}
    assert patterns == {"Adaptation": 3, "Deployment": 2, "Conceptual": 1}
    stages = {r["stage_label"]: r["model_reuses"] for r in kg.stats(store).by_stage.rows}
    assert stages == {"Observation": 1, "Background": 1, "Hypothesis": 1, "Test": 2, "Analysis": 2}


def test_metadata_topics_and_both_natural_science_rules(database, build_store):
    store = build_store(database)
    assert rows(
        store,
        """
        SELECT ?doi ?rule WHERE { ?p bibo:doi ?doi ; ptm:meetsNaturalScienceRule ?rule }""",
    ) == {
        (f"10.1371/journal.pone.100{n}", rule)
        for n, rules in ((1, "12"), (2, "2"), (4, "12"), (6, "12"), (8, "12"))
        for rule in (f"v{r}" for r in rules)
    }
    paper = rows(
        store,
        """
        SELECT ?title ?year ?cited ?oa ?work ?venue ?mega WHERE {
          ?p bibo:doi "10.1371/journal.pone.1008" ; dcterms:title ?title ;
             fabio:hasPublicationYear ?year ; ptm:citedByCount ?cited ; ptm:isOpenAccess ?oa ;
             ptm:openAlexWork ?work ; ptm:publishedIn/rdfs:label ?venue ; ptm:megajournal ?mega }""",
    )
    assert paper == {
        ("Paper P8", "2023", 7, True, "https://openalex.org/W1008", "PLOS ONE", "PLOS")
    }
    keywords = rows(
        store, 'SELECT ?k WHERE { ?p bibo:doi "10.1371/journal.pone.1001" ; ptm:searchKeyword ?k }'
    )
    assert keywords == {("Deep Learning",), ("Pre-Trained Model",)}
    fields = rows(
        store,
        'SELECT ?f WHERE { ?p bibo:doi "10.1371/journal.pone.1002" ; '
        "ptm:hasField/skos:prefLabel ?f }",
    )
    assert fields == {("Neuroscience",), ("Medicine",)}  # three slots, two distinct fields
    hierarchy = rows(
        store,
        """
        SELECT ?topic ?subfield ?field WHERE {
          ?p bibo:doi "10.1371/journal.pone.1001" ; ptm:hasTopic ?t .
          ?t rdfs:label ?topic ; skos:broader ?s . ?s rdfs:label ?subfield ;
          skos:broader/skos:prefLabel ?field }""",
    )
    assert hierarchy == {
        ("Topic of W1001", "Subfield 1301", "Biochemistry, Genetics and Molecular Biology")
    }


def test_reuse_and_impact_join_through_normalised_model_names(database, build_store):
    store = build_store(database)
    found = rows(
        store,
        """
        SELECT ?doi ?model ?pattern (GROUP_CONCAT(?stage; separator="|") AS ?stages) WHERE {
          ?r ptm:inPaper/bibo:doi ?doi ; ptm:reusedModel/rdfs:label ?model .
          OPTIONAL { ?r ptm:reusePattern/skos:prefLabel ?pattern }
          OPTIONAL { ?r ptm:impactStage/skos:notation ?stage }
        } GROUP BY ?doi ?model ?pattern""",
    )
    prefix = "10.1371/journal.pone.100"
    normalised = {(d, m, p, "|".join(sorted(s.split("|"))) if s else "") for d, m, p, s in found}
    assert normalised == {
        (prefix + "1", "AlexNet", "Adaptation", "4"),
        (prefix + "1", "AlphaFold 2", "Conceptual", "3"),
        (prefix + "2", "ResNet-50", "Deployment", "5"),
        (prefix + "6", "U-Net", "Adaptation", "1"),
        (prefix + "6", "U-Net", "Deployment", "1"),
        (prefix + "6", "BERT", None, ""),
        (prefix + "8", "AlexNet", "Adaptation", "4|5"),
        (prefix + "8", "SignalP", None, "2"),
    }


def test_labels_outside_the_vocabulary_stay_visible(database, build_store):
    store = build_store(database)
    assert rows(store, "SELECT ?label WHERE { ?r ptm:patternLabel ?label }") == {
        ("transfer_reuse",)
    }
    assert rows(store, "SELECT ?label WHERE { ?r ptm:stageLabel ?label }") == {("Interpretation",)}


def test_failed_analyses_are_kept_and_never_read_as_no_reuse(database, build_store, tmp_path):
    store = build_store(database)
    failed = rows(
        store,
        """
        SELECT ?kind ?reason WHERE {
          ?a ptm:analysisSucceeded false ; ptm:analysisKind ?kind ; ptm:failureReason ?reason ;
             ptm:rawResponse ?raw ; ptm:analysedPaper/bibo:doi "10.1371/journal.pone.1004" }""",
    )
    assert failed == {
        ("uses_dl", "the answer is empty"),
        ("uses_ptms", "the analysis reported an error: context length exceeded"),
        ("identify_ptms", "the answer is empty"),
        ("identify_ptm_reuse", "the answer is not JSON (Expecting value at column 1)"),
    }
    flags = rows(
        store,
        """
        SELECT ?flag WHERE { ?p bibo:doi "10.1371/journal.pone.1004" .
          { ?p ptm:usesDeepLearning ?flag } UNION { ?p ptm:reusesPretrainedModels ?flag } }""",
    )
    assert flags == set()  # unknown, not False
    problems_file = tmp_path / "rejects" / "results.db.problems.csv"
    with problems_file.open() as handle:
        problems = list(csv.DictReader(handle))
    assert {(p["doi"][-4:], p["where"], p["problem"]) for p in problems} == {
        ("1004", "uses_dl_analysis row 4", "failed analysis: the answer is empty"),
        (
            "1004",
            "uses_ptms_analysis row 4",
            "failed analysis: the analysis reported an error: context length exceeded",
        ),
        ("1004", "identify_ptms_analysis row 4", "failed analysis: the answer is empty"),
        (
            "1004",
            "identify_ptm_reuse_analysis row 4",
            "failed analysis: the answer is not JSON (Expecting value at column 1)",
        ),
        (
            "1006",
            "identify_ptm_impact_analysis",
            "model 'BERT' has a reuse pattern but no stage of impact",
        ),
        (
            "1008",
            "identify_ptm_reuse_analysis",
            "model 'SignalP' has a stage of impact but no reuse pattern",
        ),
    }


def test_provenance_on_every_reuse_instance(database, build_store):
    store = build_store(database)
    provenance = rows(
        store,
        """
        SELECT ?kind ?tag ?seconds ?evidence ?source WHERE {
          ?r ptm:inPaper/bibo:doi "10.1371/journal.pone.1001" ; ptm:reusedModel/rdfs:label "AlexNet" ;
             ptm:evidence ?evidence ; prov:wasGeneratedBy ?a ; prov:wasDerivedFrom ?source .
          ?a ptm:analysisKind ?kind ; ptm:promptTag ?tag ; ptm:computeTimeSeconds ?seconds }""",
    )
    source = "https://w3id.org/ptmkg/id/source/results.db"
    assert provenance == {
        (kind, f"{kind}-v1", 1.5, "We fine-tuned AlexNet.", source)
        for kind in ("identify_ptms", "identify_ptm_reuse", "identify_ptm_impact")
    }


def test_the_later_of_two_rows_wins(database, build_store):
    store = build_store(database)
    assert rows(
        store,
        'SELECT ?dl WHERE { ?p bibo:doi "10.1371/journal.pone.1008" ; ptm:usesDeepLearning ?dl }',
    ) == {(True,)}


@pytest.mark.parametrize(("rule", "kept"), [("v1", 4), ("v2", 5)])
def test_natural_science_filter_at_build_time(database, tmp_path, rule, kept):
    store = kg.EmbeddedStore(tmp_path / "s")
    report = kg.build(store, [database], natural_science=rule, rejects_dir=tmp_path)
    source = report.sources[0]
    assert (source.read, source.accepted, source.rejected, source.skipped) == (9, kept, 2, 7 - kept)
    assert source.skip_reason == f"outside the natural-science rule {rule}"
    store = kg.EmbeddedStore(tmp_path / "s")
    assert kg.stats(store).summary["papers"] == kept
    assert rows(store, "SELECT ?rule WHERE { ?s ptm:naturalScienceFilter ?rule }") == {(rule,)}


def test_a_missing_table_is_named(tmp_path):
    path = make_database(tmp_path / "r.db")
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE identify_ptm_impact_analysis")
    with pytest.raises(kg.SourceError, match="the table 'identify_ptm_impact_analysis' is missing"):
        kg.build(kg.EmbeddedStore(None), [path])


def test_an_unknown_schema_version_is_named(tmp_path):
    path = make_database(tmp_path / "r.db")
    with sqlite3.connect(path) as connection:
        connection.execute("ALTER TABLE openalex RENAME COLUMN topic_2 TO topic_third")
    with pytest.raises(
        kg.SourceError,
        match=r"unknown aius schema version: the table 'openalex' has no column.s. 'topic_2'",
    ):
        kg.build(kg.EmbeddedStore(None), [path])


def test_other_sqlite_files_and_non_sqlite_files_are_refused(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE things(x)")
    with pytest.raises(kg.SourceError, match="without the aius tables"):
        kg.build(kg.EmbeddedStore(None), [other])
    text = tmp_path / "results.csv"
    text.write_text("doi\n10.1/x\n")
    with pytest.raises(kg.SourceError, match="not a SQLite database"):
        kg.build(kg.EmbeddedStore(None), [text], source_format="aius")


def test_cli_reports_database_rejects_and_problems(cli, database, tmp_path):
    result = cli("build", database, "--store", tmp_path / "s")
    assert result.exit_code == 0
    assert "9 read = 7 accepted + 2 rejected" in result.stdout
    assert "results.db, openalex row 7: json_data of DOI" in result.stderr
    assert "fix them in results.db and build it again" in result.stderr
    assert "6 problem(s) that did not stop a paper" in result.stderr


def _write_parquet_run(database: Path, folder: Path, backend: str = "ollama-llama3") -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = []
    with sqlite3.connect(database) as connection:
        for kind in ANALYSIS:
            cursor = connection.execute(f"SELECT * FROM {kind}_analysis ORDER BY _id")
            names = [d[0] for d in cursor.description]
            data = [dict(zip(names, row, strict=True)) for row in cursor]
            table = pa.Table.from_pylist(data)
            path = folder / f"aius_{backend}_{kind}_index-0_stride-1000.parquet"
            pq.write_table(table, path)
            paths.append(path)
    return paths


def test_parquet_runs_give_the_same_analyses(database, tmp_path, build_store):
    pytest.importorskip("pyarrow")
    paths = _write_parquet_run(database, tmp_path)
    report = kg.build(kg.EmbeddedStore(None), paths, rejects_dir=tmp_path)
    (source,) = report.sources  # the five files of one run are one source
    assert source.name == "aius_ollama-llama3_index-0_stride-1000.parquet"
    assert (source.read, source.accepted, source.rejected) == (8, 8, 0)
    store = build_store(*paths)
    summary = kg.stats(store).summary
    # Without the articles and OpenAlex tables P7 is not rejected: 8 papers, 6 using DL.
    assert summary == {
        "papers": 8,
        "dl_papers": 6,
        "ptm_papers": 5,
        "models": 6,
        "model_reuses": 8,
        "reuse_instances": 6,
        "without_pattern": 2,
    }
    assert rows(store, "SELECT DISTINCT ?llm WHERE { ?a ptm:llm ?llm }") == {("ollama-llama3",)}
    assert kg.validate(store).conforms


def test_parquet_next_to_the_database_merges_papers(database, tmp_path, build_store):
    pytest.importorskip("pyarrow")
    paths = _write_parquet_run(database, tmp_path)
    store = build_store(database, *paths)
    assert kg.stats(store).summary["papers"] == 8  # P7 comes from the parquet run only
    assert (
        count(store, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?a a ptm:Analysis } }")
        == 2
    )


def test_badly_named_parquet_is_refused(tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "results.parquet"
    pq.write_table(pa.Table.from_pylist([{"doi": "10.1/x"}]), path)
    with pytest.raises(kg.SourceError, match="cannot tell which analysis"):
        kg.build(kg.EmbeddedStore(None), [path])
