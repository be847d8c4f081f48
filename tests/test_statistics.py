"""Prepared statistics: every prepared query gives exactly the live query's rows, for every
parameter value, and a statistics graph that no longer describes its graph is never used."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EXAMPLES, SHARED_DATA
from hand_counted import FIELD, PATTERN, STAGE, build_hand_counted
from pipeline_fixture import make_database

import kg
from kg.query.named import get_query, prepared_queries, run_query
from kg.query.sources import drop_source
from kg.query.stats import stats_text
from kg.stores import preparing, statistics
from kg.stores.kept_answers import KEPT

NOWHERE_FIELD = FIELD + "12"  # a field of the vocabulary no test paper is in


def parameter_values(store: kg.EmbeddedStore, name: str) -> list[dict[str, str]]:
    """Every combination of values the query's parameters can take on this graph: each
    field, pattern and rule the graph has, one it lacks (for a parameter that declares its
    values: each of those), and none (where allowed)."""
    fields = sorted(
        {s["f"].value for s in store.query("SELECT DISTINCT ?f WHERE { ?p ptm:hasField ?f }")}
    )
    rules = sorted(
        {
            s["r"].value
            for s in store.query("SELECT DISTINCT ?r WHERE { ?p ptm:meetsNaturalScienceRule ?r }")
        }
    )
    domains = {
        "field": [*fields, NOWHERE_FIELD],
        "pattern": [PATTERN + p for p in ("conceptual", "adaptation", "deployment")],
        "rule": [*rules, "v9"],
        "natural_science": ["true", "false"],
        "limit": ["1", "2", "1000"],
        "ptm_rule": ["uses_ptms", "pattern", "neither"],
        "min_papers": ["1", "2", "3"],
    }
    choices = []
    for parameter in get_query(name).parameters:
        # A parameter that declares its values takes each of them (the graph may lack some).
        declared = list(parameter.allowed)
        values: list[str | None] = declared or list(domains[parameter.name])
        if not parameter.required:
            values.append(None)
        choices.append([(parameter.name, v) for v in values])
    return [
        {k: v for k, v in combination if v is not None}
        for combination in itertools.product(*choices)
    ]


STAGES = [STAGE + s for s in ("observation", "background", "hypothesis", "test", "analysis")]


def kept_parameter_values(store: kg.EmbeddedStore, name: str) -> list[dict[str, str]]:
    """For a kept query: none, each parameter alone with each value it can take on this
    graph (and one it lacks), and pairs of them (their filters combine)."""
    fields = sorted(
        {s["f"].value for s in store.query("SELECT DISTINCT ?f WHERE { ?p ptm:hasField ?f }")}
    )
    years = sorted(
        {
            int(s["y"].value[:4])
            for s in store.query("SELECT DISTINCT ?y WHERE { ?p fabio:hasPublicationYear ?y }")
            if s["y"].value[:4].isdigit()
        }
    )
    middle = [str(years[len(years) // 2])] if years else []
    domains = {
        "field": [*fields, NOWHERE_FIELD],
        "pattern": [PATTERN + p for p in ("conceptual", "adaptation", "deployment")],
        "stage": [*STAGES, STAGE + "conclusion"],
        "year_from": [*middle, "1900", "3000"],
        "year_to": [*middle, "1900", "3000"],
        "papers": ["true", "false"],
    }
    names = [p.name for p in get_query(name).parameters]
    combinations: list[dict[str, str]] = [{}]
    combinations += [{n: v} for n in names for v in domains[n]]
    for first, second in itertools.combinations(names, 2):
        combinations += [
            {first: a, second: b} for a in domains[first][:3] for b in domains[second][:3]
        ]
    return combinations


def assert_prepared_equals_live(store: kg.EmbeddedStore, names: list[str] | None = None) -> int:
    """Compare every prepared and kept query (or those named) with its live query; return
    the combinations compared."""
    compared = 0
    assert store.statistics().store is not None, store.statistics().reason
    for name in names or [*prepared_queries(), *KEPT]:
        kept = name in KEPT
        values = kept_parameter_values(store, name) if kept else parameter_values(store, name)
        for params in values:
            live = run_query(store, name, params, prepared=False)
            answer = run_query(store, name, params)
            how = "from the rows kept" if kept else "from the prepared statistics"
            assert answer.answered.startswith(how), (name, params, answer.answered)
            assert answer.columns == live.columns, (name, params)
            assert answer.terms == live.terms, (name, params)
            assert answer.rows == live.rows, (name, params)
            compared += 1
    return compared


def test_every_prepared_query_has_the_live_querys_parameters():
    assert set(prepared_queries()) == set(statistics.PREPARED_QUERIES)
    for name, prepared in prepared_queries().items():
        assert prepared.parameters == get_query(name).parameters, name


def test_prepared_answers_equal_live_ones_on_the_hand_counted_graph(tmp_path):
    store = build_hand_counted(tmp_path)
    assert assert_prepared_equals_live(store) > 200
    # a value a person counted in hand_counted.py, from the prepared cells
    summary = run_query(store, "corpus-summary")
    assert summary.answered.startswith("from the prepared statistics")
    assert (summary.rows[0]["papers"], summary.rows[0]["reuse_instances"]) == (8, 8)
    # p6 uses no deep learning, p5 and p6 reuse no PTMs: 7 of 8, 6 of 8, 6 of the 7
    share = run_query(store, "ptm-share")
    assert share.answered.startswith("from the prepared statistics")
    assert [(r["papers"], r["of_papers"]) for r in share.rows] == [(7, 8), (6, 8), (6, 7)]
    # the eight reuse instances: four adaptations (p1 twice, p3 twice), two each of the rest
    patterns = run_query(store, "reuse-by-pattern")
    assert patterns.answered.startswith("from the prepared statistics")
    counted = {r["pattern_label"]: (r["reuse_instances"], r["papers"]) for r in patterns.rows}
    assert counted == {"Adaptation": (4, 2), "Conceptual": (2, 2), "Deployment": (2, 2)}
    # models reused together: p1's ResNet-50 and BERT, p3's AlphaFold 2 and ResNet-50
    pairs = run_query(store, "co-reuse").rows
    assert sorted(tuple(sorted((r["model_a_label"], r["model_b_label"]))) for r in pairs) == [
        ("AlphaFold 2", "ResNet-50"),
        ("BERT", "ResNet-50"),
    ]


def test_prepared_answers_equal_live_ones_on_the_illustrative_corpus(illustrative_store):
    assert assert_prepared_equals_live(illustrative_store) > 100


def test_prepared_answers_equal_live_ones_on_the_pipeline_database(tmp_path):
    """The pipeline's database records natural-science rules: the rule dimension."""
    database = make_database(tmp_path / "pipeline.db")
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [database], rejects_dir=tmp_path / "rejects")
    store.close()
    store = kg.EmbeddedStore(tmp_path / "store")
    rules = list(store.query("SELECT DISTINCT ?r WHERE { ?p ptm:meetsNaturalScienceRule ?r }"))
    assert rules
    assert assert_prepared_equals_live(store) > 200


@pytest.mark.parametrize("form", ["jsonl", "db"])
def test_prepared_answers_equal_live_ones_on_a_synthetic_corpus(tmp_path, form):
    corpus = tmp_path / f"corpus.{form}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "synth",
            "-o",
            str(corpus),
            "--papers",
            "3000",
            "--seed",
            "5",
        ],
        check=True,
        capture_output=True,
    )
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [corpus], rejects_dir=tmp_path / "rejects")
    store.close()
    store = kg.EmbeddedStore(tmp_path / "store")
    assert assert_prepared_equals_live(store) > 200


def test_an_in_memory_store_prepares_them_too():
    store = kg.EmbeddedStore(None)
    kg.build(
        store,
        [EXAMPLES / "illustrative-corpus.csv", EXAMPLES / "illustrative-sheet.csv"],
        rejects_dir=Path("rejects"),
    )
    assert assert_prepared_equals_live(store) > 100


def test_papers_known_only_from_openalex_are_unknown_not_zero_live_and_prepared(tmp_path):
    """The pipeline's database says of each paper whether it uses deep learning and reuses
    PTMs; an OpenAlex record says neither. Its fields' DL and PTM counts are unknown, and a
    field holding both kinds shares PTM reuse among the papers a source gives it of."""
    database = make_database(tmp_path / "pipeline.db")
    work = SHARED_DATA / "openalex" / "W2741809807.json"
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [database, work], rejects_dir=tmp_path / "rejects")
    store = reopened(store)
    assert assert_prepared_equals_live(store) > 100
    for prepared in (True, False):
        rows = run_query(store, "papers-by-field", prepared=prepared).rows
        by_label = {row["field_label"]: row for row in rows}
        # Decision Sciences: the OpenAlex work alone
        decision = by_label["Decision Sciences"]
        assert decision["papers"] == 1
        assert (decision["dl_papers"], decision["ptm_papers"], decision["ptm_share"]) == (
            None,
            None,
            None,
        )
        # Computer Science: one pipeline paper (uses DL, reuses PTMs) and the OpenAlex work
        computing = by_label["Computer Science"]
        assert (computing["papers"], computing["dl_papers"], computing["ptm_papers"]) == (2, 1, 1)
        assert computing["ptm_share"] == 1.0
        summary = run_query(store, "corpus-summary", prepared=prepared).rows[0]
        assert (summary["papers"], summary["dl_papers"], summary["ptm_papers"]) == (8, 5, 4)


def test_a_corpus_no_source_flags_says_unknown_in_stats(tmp_path):
    store = kg.EmbeddedStore(tmp_path / "store")
    kg.build(store, [SHARED_DATA / "openalex" / "W2741809807.json"], rejects_dir=tmp_path / "r")
    store = reopened(store)
    summary = run_query(store, "corpus-summary")
    assert summary.answered.startswith("from the prepared statistics")
    assert (summary.rows[0]["dl_papers"], summary.rows[0]["ptm_papers"]) == (None, None)
    assert summary.rows[0]["papers"] == 1
    text = stats_text(kg.stats(store))
    deep = next(line for line in text.splitlines() if "papers using deep learning" in line)
    assert "unknown" in deep and "0" not in deep
    computing = next(line for line in text.splitlines() if "Computer Science" in line)
    assert computing.count("unknown") == 3 and "0.0%" not in computing


def test_statistics_another_version_wrote_are_not_read(tmp_path):
    store = build_hand_counted(tmp_path)
    generation = store.current_generation()
    assert generation is not None
    assert preparing.wait(generation) is None  # prepared in the background: done
    store.close()
    written = ox.Store(str(generation / statistics.STATISTICS_FOLDER))
    described = ox.NamedNode(statistics.STATISTICS_GRAPH)
    layout = ox.NamedNode(statistics.PSTAT + "format")
    for quad in list(written.quads_for_pattern(described, layout, None)):
        written.remove(quad)
    written.add(ox.Quad(described, layout, ox.Literal("1"), quad.graph_name))
    written.flush()
    del written
    store = kg.EmbeddedStore(store.path)
    result = run_query(store, "top-models")
    assert result.answered.startswith("live: the prepared statistics of")
    assert "another version of ptmkg" in result.answered
    assert result.rows == run_query(store, "top-models", prepared=False).rows


# ------------------------------------------------------------------ staleness


def answered(store: kg.EmbeddedStore) -> str:
    return run_query(store, "papers-by-field").answered


def reopened(store: kg.EmbeddedStore) -> kg.EmbeddedStore:
    store.close()
    return kg.EmbeddedStore(store.path)


def test_every_write_path_leaves_fresh_statistics_that_follow_the_change(tmp_path, write):
    store = build_hand_counted(tmp_path)
    before = run_query(store, "corpus-summary").rows[0]["papers"]
    generation = store.current_generation()
    # sparql --update
    store.update("INSERT DATA { GRAPH <urn:x> { <urn:p> a ptm:Paper ; ptm:hasField field:28 } }")
    store = reopened(store)
    assert store.current_generation() != generation
    assert run_query(store, "corpus-summary").rows[0]["papers"] == before + 1
    assert assert_prepared_equals_live(store) > 200
    # sources drop
    drop_source(store, "study-b.csv")
    store = reopened(store)
    assert assert_prepared_equals_live(store) > 100
    # a later build
    sheet = write(
        "more.csv",
        "doi,fields,uses_dl,uses_ptms,model,pattern,stages\n"
        "10.5555/more.1,Neuroscience,True,True,BERT,Adaptation,Test\n",
    )
    kg.build(store, [sheet], rejects_dir=tmp_path / "rejects")
    store = reopened(store)
    assert assert_prepared_equals_live(store) > 100


def test_a_write_the_statistics_did_not_see_is_detected_and_answered_live(tmp_path):
    store = build_hand_counted(tmp_path)
    assert answered(store).startswith("from the prepared statistics")
    expected = run_query(store, "papers-by-field", prepared=False)
    generation = store.current_generation()
    assert generation is not None
    assert preparing.wait(generation) is None  # prepared in the background: done
    store.close()
    # Another tool writes to the published database itself.
    database = ox.Store(str(generation))
    database.add(
        ox.Quad(
            ox.NamedNode("urn:p"),
            ox.NamedNode("https://w3id.org/ptmkg/ontology#hasField"),
            ox.NamedNode(FIELD + "28"),
            ox.NamedNode("urn:x"),
        )
    )
    del database
    store = kg.EmbeddedStore(store.path)
    result = run_query(store, "papers-by-field")
    assert result.answered.startswith("live: the prepared statistics of")
    assert "stale" in result.answered
    neuroscience = {r["field"]: r["papers"] for r in result.rows}[FIELD + "28"]
    assert neuroscience == {r["field"]: r["papers"] for r in expected.rows}[FIELD + "28"] + 1


def test_a_store_without_statistics_answers_live(tmp_path):
    store = build_hand_counted(tmp_path)
    generation = store.current_generation()
    assert generation is not None
    assert preparing.wait(generation) is None  # prepared in the background: done
    store.close()
    import shutil

    shutil.rmtree(generation / statistics.STATISTICS_FOLDER)
    store = kg.EmbeddedStore(store.path)
    result = run_query(store, "top-models")
    assert result.answered.startswith("live: no prepared statistics")
    assert [r["model_label"] for r in result.rows][:1] == ["ResNet-50"]


def test_an_in_memory_write_outside_a_transaction_is_not_served_stale():
    store = kg.EmbeddedStore(None)
    kg.build(store, [EXAMPLES / "illustrative-sheet.csv"], rejects_dir=Path("rejects"))
    assert answered(store).startswith("from the prepared statistics")
    with pytest.raises(RuntimeError), store.writing() as writer:
        writer.update("INSERT DATA { <urn:p> a ptm:Paper ; ptm:hasField field:28 }")
        raise RuntimeError("stopped half-way")
    assert "stale" in answered(store)


def test_a_flag_that_is_not_a_boolean_leaves_the_flag_counts_live(tmp_path):
    """The prepared DL and PTM counts are of flags that are true; a flag of another value
    (a sparql --update may write one) is true or false as its type says, so the queries
    that count flags are answered live there, and the rest still from the statistics."""
    store = build_hand_counted(tmp_path)
    store.update(
        "INSERT DATA { GRAPH <urn:x> { <urn:p> a ptm:Paper ; ptm:hasField field:28 ; "
        'ptm:usesDeepLearning "yes" } }'
    )
    store = reopened(store)
    for name in ("papers-by-field", "corpus-summary", "ptm-share"):
        result = run_query(store, name)
        assert result.answered.startswith("live: the prepared statistics"), name
        assert result.terms == run_query(store, name, prepared=False).terms
    assert run_query(store, "top-models").answered.startswith("from the prepared statistics")
