"""Every canned query against a graph whose answers were counted by hand (see hand_counted.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from hand_counted import FIELD, PATTERN, STAGE, STUDY_A, build_hand_counted, model, paper
from test_federated import FEDERATED_ANSWERS

import kg
from kg.query.named import load_queries


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_hand_counted(tmp_path_factory.mktemp("hand-counted"))


def rows(result: kg.QueryResult, *columns: str) -> list[tuple]:
    return [tuple(row[c] for c in columns) for row in result.rows]


def approx(fraction: Fraction):
    return pytest.approx(float(fraction), abs=1e-9)


def test_every_query_has_a_header_and_declares_what_it_binds():
    queries = load_queries()
    assert len(queries) >= 17
    for query in queries.values():
        assert query.title and query.title != query.name, query.name
        assert query.description, query.name
        for parameter in query.parameters:
            assert parameter.description, f"{query.name}: {parameter.name}"


@dataclass(frozen=True)
class Answer:
    """What a query answers on the hand-counted graph: ``rows`` of ``columns``, counted by
    hand from the tables in hand_counted.py (in the query's order unless ``ordered`` is
    False; only the rows ``where`` keeps, if given)."""

    columns: tuple[str, ...]
    rows: list[tuple]
    params: dict = field(default_factory=dict)
    ordered: bool = True
    where: Callable[[dict], bool] | None = None


NEURO, CS, CHEM = FIELD + "28", FIELD + "17", FIELD + "16"


def reuse(number: int, key: str, fields: list[str], pattern: str, stages: list[str], year: int):
    """network-reuse's rows for one reuse instance: one per field of its paper and stage."""
    return [
        (paper(number), model(key), f, PATTERN + pattern, STAGE + s, year)
        for f in fields
        for s in stages
    ]


#: Every canned query but the federated ones (tests/test_federated.py has theirs).
HAND_COUNTED = {
    "co-reuse": Answer(
        ("model_a_label", "model_b_label", "papers"),
        # p1 reuses BERT and ResNet-50; p3 AlphaFold 2 and ResNet-50.
        [("AlphaFold 2", "ResNet-50", 1), ("BERT", "ResNet-50", 1)],
    ),
    "corpus-summary": Answer(
        ("papers", "dl_papers", "ptm_papers", "models", "reuse_instances"), [(8, 7, 6, 5, 8)]
    ),
    # Labels and every spelling a source used: p2 wrote "resnet50", p7 "DeepLabCut (ResNet-50)".
    "find-models": Answer(
        ("model_label", "matched_name", "papers"),
        [
            ("DeepLabCut", "DeepLabCut (ResNet-50)", 1),
            ("ResNet-50", "ResNet-50", 3),
            ("ResNet-50", "resnet50", 3),
        ],
        {"text": "RESNET"},
    ),
    # Every pattern and stage label in the two sources is in the vocabularies.
    "labels-outside-vocabulary": Answer(("kind", "label"), []),
    "model-by-field": Answer(
        ("model_label", "field_label", "papers"),
        [
            ("AlphaFold", "Computer Science", 1),
            ("AlphaFold 2", "Chemistry", 1),
            ("AlphaFold 2", "Neuroscience", 1),
            ("BERT", "Computer Science", 1),
            ("BERT", "Neuroscience", 1),
            ("DeepLabCut", "Chemistry", 1),
            ("ResNet-50", "Chemistry", 1),
            ("ResNet-50", "Computer Science", 1),
            ("ResNet-50", "Neuroscience", 3),
        ],
    ),
    # The sources hold no model cards, so no model derives from another.
    "model-lineage": Answer(("model_label", "relation", "base_label"), []),
    # Origins come from the model registry; CSV sources carry no citations.
    "model-origins": Answer(
        ("model_label", "reusing_papers", "citing_papers", "reusing_and_citing"),
        [
            ("ResNet-50", 3, 0, 0),
            ("AlphaFold", 1, 0, 0),
            ("AlphaFold 2", 1, 0, 0),
            ("BERT", 1, 0, 0),
            ("DeepLabCut", 1, 0, 0),
        ],
    ),
    "models-in-field": Answer(
        ("model_label", "papers", "reuse_instances", "conceptual", "adaptation", "deployment"),
        [("ResNet-50", 3, 3, 1, 2, 0), ("BERT", 1, 2, 0, 1, 1), ("AlphaFold 2", 1, 1, 0, 1, 0)],
        {"field": "Neuroscience"},
    ),
    "models": Answer(
        ("model_label", "backbone_label", "papers", "reuse_instances"),
        [
            ("AlphaFold", None, 1, 1),
            ("AlphaFold 2", None, 1, 1),
            ("BERT", None, 1, 2),
            ("DeepLabCut", "ResNet-50", 1, 1),
            ("ResNet-50", None, 3, 3),
        ],
    ),
    # The paper nodes: every paper with a reuse, once.
    "network-nodes": Answer(
        ("doi", "title", "year"),
        [
            ("10.1000/p1", "Paper one", 2020),
            ("10.1000/p2", "Paper two", 2020),
            ("10.1000/p3", "Paper three", 2021),
            ("10.1000/p7", "Paper seven", 2022),
            ("10.1000/p8", "Paper eight", 2021),
        ],
        where=lambda row: row["node_type"] == "paper",
    ),
    # One row per reuse instance, field of its paper and stage; p1's ResNet-50 adaptation,
    # asserted by both sources, once.
    "network-reuse": Answer(
        ("paper", "model", "paper_field", "reuse_pattern", "reuse_stage", "year"),
        reuse(1, "resnet50", [NEURO, CS], "adaptation", ["test", "analysis"], 2020)
        + reuse(1, "bert", [NEURO, CS], "adaptation", ["test"], 2020)
        + reuse(1, "bert", [NEURO, CS], "deployment", ["test"], 2020)
        + reuse(2, "resnet50", [NEURO], "conceptual", ["hypothesis"], 2020)
        + reuse(3, "alphafold2", [CHEM, NEURO], "adaptation", ["test"], 2021)
        + reuse(3, "resnet50", [CHEM, NEURO], "adaptation", ["observation"], 2021)
        + reuse(7, "deeplabcut", [CHEM], "deployment", ["analysis"], 2022)
        + reuse(8, "alphafold", [CS], "conceptual", ["background"], 2021),
        ordered=False,
    ),
    # p1 has Neuroscience in two of its topic slots but counts once: 3, not 4.
    "papers-by-field": Answer(
        ("field_label", "natural_science", "papers", "dl_papers", "ptm_papers"),
        [
            ("Chemistry", True, 4, 4, 3),
            ("Neuroscience", True, 3, 3, 3),
            ("Computer Science", False, 2, 2, 2),
            ("Physics and Astronomy", True, 1, 0, 0),
        ],
    ),
    # "resnet50" is how p2 spelled it; any spelling of the model finds it.
    "papers-reusing-model": Answer(
        ("doi", "year", "reused_model_label", "pattern_label"),
        [
            ("10.1000/p1", 2020, "ResNet-50", "Adaptation"),
            ("10.1000/p2", 2020, "ResNet-50", "Conceptual"),
            ("10.1000/p3", 2021, "ResNet-50", "Adaptation"),
        ],
        {"model": "resnet50"},
    ),
    # p3's AlphaFold 2 ran through ColabFold, p7's DeepLabCut through napari-deeplabcut.
    "reuse-via-tool": Answer(
        ("tool_label", "model_label", "pattern_label", "reuse_instances", "papers"),
        [
            ("ColabFold", "AlphaFold 2", "Adaptation", 1, 1),
            ("napari-deeplabcut", "DeepLabCut", "Deployment", 1, 1),
        ],
    ),
    "pattern-by-field": Answer(
        ("field_label", "pattern_label", "reuse_instances", "papers"),
        [
            ("Chemistry", "Adaptation", 2, 1),
            ("Chemistry", "Deployment", 1, 1),
            ("Computer Science", "Adaptation", 2, 1),
            ("Computer Science", "Conceptual", 1, 1),
            ("Computer Science", "Deployment", 1, 1),
            ("Neuroscience", "Adaptation", 4, 2),
            ("Neuroscience", "Conceptual", 1, 1),
            ("Neuroscience", "Deployment", 1, 1),
        ],
    ),
    "ptm-papers-without-models": Answer(
        ("doi", "title", "year"), [("10.1000/p4", "Paper four", 2021)]
    ),
    # p1-p8; DL: all but p6 (7); PTMs: p1, p2, p3, p4, p7, p8 (6), all of them DL papers.
    "ptm-share": Answer(
        ("measure", "papers", "of_papers"),
        [
            ("papers using deep learning, of all papers", 7, 8),
            ("papers reusing PTMs, of all papers", 6, 8),
            ("papers reusing PTMs, of those using deep learning", 6, 7),
        ],
    ),
    # CSV sources carry no citations, so no paper meets either version of the rule.
    "ptm-paper-rules": Answer(
        ("rule", "natural_science_papers", "uses_ptms_papers", "pattern_papers"),
        [("v2", 0, 0, 0)],
    ),
    "reuse-by-pattern": Answer(
        ("pattern_label", "reuse_instances", "papers"),
        [("Adaptation", 4, 2), ("Conceptual", 2, 2), ("Deployment", 2, 2)],
    ),
    # Test: (p1 ResNet-50) asserted by both sources and (p1 BERT) with two patterns
    # each count once, plus (p3 AlphaFold 2).
    "reuse-by-stage": Answer(
        ("stage_label", "model_reuses", "papers"),
        [
            ("Observation", 1, 1),
            ("Background", 1, 1),
            ("Hypothesis", 1, 1),
            ("Test", 3, 2),
            ("Analysis", 2, 2),
        ],
    ),
    "reuse-by-year": Answer(
        ("year", "papers", "ptm_papers", "reuse_instances", "models"),
        [(2020, 2, 2, 4, 2), (2021, 3, 3, 3, 3), (2022, 3, 1, 1, 1)],
    ),
    # study-a.csv has nine rows and study-b.csv two, all accepted (the build is strict).
    "sources": Answer(
        ("name", "read", "accepted", "rejected", "skipped"),
        [("study-a.csv", 9, 9, 0, 0), ("study-b.csv", 2, 2, 0, 0)],
        where=lambda row: row["name"] != "model-registry",
    ),
    "stage-by-field": Answer(
        ("field_label", "stage_label", "model_reuses"),
        [
            ("Chemistry", "Observation", 1),  # p3 ResNet-50
            ("Chemistry", "Test", 1),  # p3 AlphaFold 2
            ("Chemistry", "Analysis", 1),  # p7 DeepLabCut
            ("Computer Science", "Background", 1),  # p8 AlphaFold
            ("Computer Science", "Test", 2),  # p1 ResNet-50, p1 BERT
            ("Computer Science", "Analysis", 1),  # p1 ResNet-50
            ("Neuroscience", "Observation", 1),
            ("Neuroscience", "Hypothesis", 1),
            ("Neuroscience", "Test", 3),
            ("Neuroscience", "Analysis", 1),
        ],
    ),
    "stage-by-pattern": Answer(
        ("pattern_label", "stage_label", "model_reuses", "papers"),
        [
            ("Adaptation", "Observation", 1, 1),
            ("Adaptation", "Test", 3, 2),
            ("Adaptation", "Analysis", 1, 1),
            ("Conceptual", "Background", 1, 1),
            ("Conceptual", "Hypothesis", 1, 1),
            ("Deployment", "Test", 1, 1),
            ("Deployment", "Analysis", 1, 1),
        ],
    ),
    # CSV sources carry no citation counts, so no paper passes the rule's "cited" step.
    "study-funnel": Answer(
        ("rule", "papers", "cited_papers", "natural_science_papers", "dl_papers", "ptm_papers"),
        [("v2", 8, 0, 0, 0, 0)],  # v2, the published corpus's rule, by default
    ),
    # ResNet-50 is reused by p1, p2, p3; the other four by one paper each and tie at 2.
    "top-models": Answer(
        ("rank", "model_label", "papers", "reuse_instances"),
        [
            (1, "ResNet-50", 3, 3),
            (2, "BERT", 1, 2),
            (2, "AlphaFold", 1, 1),
            (2, "AlphaFold 2", 1, 1),
            (2, "DeepLabCut", 1, 1),
        ],
    ),
}


def test_every_query_has_an_answer_counted_by_hand():
    expected = set(HAND_COUNTED) | set(FEDERATED_ANSWERS)
    assert set(load_queries()) == expected


@pytest.mark.parametrize("name", sorted(n for n in load_queries() if n not in FEDERATED_ANSWERS))
def test_every_query_answers_as_counted_by_hand(store, name):
    answer = HAND_COUNTED[name]
    result = kg.run_query(store, name, answer.params)
    assert set(answer.columns) <= set(result.columns)
    kept = [row for row in result.rows if answer.where is None or answer.where(row)]
    got = [tuple(row[c] for c in answer.columns) for row in kept]
    if answer.ordered:
        assert got == answer.rows
    else:
        assert sorted(got) == sorted(answer.rows)


def test_corpus_summary(store):
    summary = kg.run_query(store, "corpus-summary").rows
    # p1..p8; p6 does not use DL; p5 and p6 do not reuse PTMs; five models; eight
    # distinct reuse instances although nine ReuseInstance nodes exist.
    assert summary == [
        {
            "papers": 8,
            "dl_papers": 7,
            "ptm_papers": 6,
            "models": 5,
            "model_reuses": 8,
            "reuse_instances": 8,
            "without_pattern": 0,
        }
    ]


# The tests below check what a query answers beyond its rows in HAND_COUNTED (which
# test_every_query_answers_as_counted_by_hand checks): shares, IRIs, and other parameters.


def test_papers_by_field(store):
    result = kg.run_query(store, "papers-by-field")
    assert result.column("ptm_share") == [approx(Fraction(3, 4)), 1, 1, 0]
    assert result.column("field")[0] == FIELD + "16"


def test_papers_by_field__natural_science_false(store):
    result = kg.run_query(store, "papers-by-field", {"natural_science": "False"})
    assert rows(result, "field_label", "papers", "ptm_papers") == [("Computer Science", 2, 2)]


def test_reuse_by_pattern(store):
    result = kg.run_query(store, "reuse-by-pattern")
    assert result.column("share") == [0.5, 0.25, 0.25]


def test_reuse_by_pattern__within_a_field(store):
    result = kg.run_query(store, "reuse-by-pattern", {"field": "Neuroscience"})
    assert rows(result, "pattern_label", "reuse_instances", "papers") == [
        ("Adaptation", 4, 2),
        ("Conceptual", 1, 1),
        ("Deployment", 1, 1),
    ]
    assert result.column("share") == [
        approx(Fraction(4, 6)),
        approx(Fraction(1, 6)),
        approx(Fraction(1, 6)),
    ]


def test_pattern_by_field(store):
    result = kg.run_query(store, "pattern-by-field")
    assert result.column("share") == [
        approx(Fraction(2, 3)),
        approx(Fraction(1, 3)),
        0.5,
        0.25,
        0.25,
        approx(Fraction(4, 6)),
        approx(Fraction(1, 6)),
        approx(Fraction(1, 6)),
    ]


def test_reuse_by_stage__per_pattern_and_per_field(store):
    deployment = kg.run_query(store, "reuse-by-stage", {"pattern": "deployment"})
    assert rows(deployment, "stage_label", "model_reuses", "papers") == [
        ("Test", 1, 1),
        ("Analysis", 1, 1),
    ]
    chemistry = kg.run_query(store, "reuse-by-stage", {"field": "16"})
    assert rows(chemistry, "stage_label", "model_reuses", "papers") == [
        ("Observation", 1, 1),
        ("Test", 1, 1),
        ("Analysis", 1, 1),
    ]


def test_stage_by_pattern(store):
    result = kg.run_query(store, "stage-by-pattern")
    # Shares of each pattern's reused models: adaptation has 4, the others 2.
    assert result.column("share") == [0.25, 0.75, 0.25, 0.5, 0.5, 0.5, 0.5]


def test_stage_by_field(store):
    result = kg.run_query(store, "stage-by-field")
    neuroscience = [r for r in result.rows if r["field_label"] == "Neuroscience"]
    # Neuroscience (p1, p2, p3) has five reused models: p1 ResNet-50, p1 BERT,
    # p2 ResNet-50, p3 AlphaFold 2, p3 ResNet-50.
    assert [(r["stage_label"], r["model_reuses"], r["papers"]) for r in neuroscience] == [
        ("Observation", 1, 1),
        ("Hypothesis", 1, 1),
        ("Test", 3, 2),
        ("Analysis", 1, 1),
    ]
    assert [r["share"] for r in neuroscience] == [0.2, 0.2, approx(Fraction(3, 5)), 0.2]


def test_top_models(store):
    result = kg.run_query(store, "top-models")
    assert result.column("model")[0] == model("resnet50")


def test_top_models__limit_keeps_ties(store):
    assert kg.run_query(store, "top-models", {"limit": 1}).column("model_label") == ["ResNet-50"]
    assert len(kg.run_query(store, "top-models", {"limit": "2"}).rows) == 5


def test_top_models__within_a_field_or_pattern(store):
    chemistry = kg.run_query(store, "top-models", {"field": "Chemistry"})
    assert rows(chemistry, "rank", "model_label", "papers") == [
        (1, "AlphaFold 2", 1),
        (1, "DeepLabCut", 1),
        (1, "ResNet-50", 1),
    ]
    adaptation = kg.run_query(store, "top-models", {"pattern": "Adaptation"})
    assert rows(adaptation, "rank", "model_label", "papers", "reuse_instances") == [
        (1, "ResNet-50", 2, 2),
        (2, "AlphaFold 2", 1, 1),
        (2, "BERT", 1, 1),
    ]


def test_reuse_by_year(store):
    result = kg.run_query(store, "reuse-by-year")
    assert result.column("ptm_share") == [1, 1, approx(Fraction(1, 3))]


def test_reuse_by_year__per_pattern_and_per_field(store):
    adaptation = kg.run_query(store, "reuse-by-year", {"pattern": "adaptation"})
    assert rows(adaptation, "year", "papers", "ptm_papers", "reuse_instances", "models") == [
        (2020, 2, 1, 2, 2),
        (2021, 3, 1, 2, 2),
        (2022, 3, 0, 0, 0),
    ]
    neuroscience = kg.run_query(store, "reuse-by-year", {"field": "Neuroscience"})
    assert rows(neuroscience, "year", "papers", "ptm_papers", "reuse_instances", "models") == [
        (2020, 2, 2, 4, 2),
        (2021, 1, 1, 2, 2),
    ]


def test_model_by_field(store):
    result = kg.run_query(store, "model-by-field")
    matrix = result.pivot("model_label", "field_label", "papers")
    assert matrix.columns == ["model_label", "Chemistry", "Computer Science", "Neuroscience"]
    assert matrix.rows[0] == {
        "model_label": "AlphaFold",
        "Chemistry": None,
        "Computer Science": 1,
        "Neuroscience": None,
    }
    assert matrix.rows[-1] == {
        "model_label": "ResNet-50",
        "Chemistry": 1,
        "Computer Science": 1,
        "Neuroscience": 3,
    }


def test_papers_reusing_model(store):
    result = kg.run_query(store, "papers-reusing-model", {"model": "resnet50"})
    assert result.column("paper")[0] == paper(1)
    assert result.column("title")[0] == "Paper one"


def test_papers_reusing_model__via_backbone_and_by_alias(store):
    result = kg.run_query(
        store, "papers-reusing-model", {"model": "ResNet 50", "via_backbone": True}
    )
    assert rows(result, "doi", "reused_model_label", "pattern_label")[-1] == (
        "10.1000/p7",
        "DeepLabCut",
        "Deployment",
    )
    assert len(result.rows) == 4
    alias = kg.run_query(store, "papers-reusing-model", {"model": "AlphaFold2"})
    assert rows(alias, "doi", "reused_model_label") == [("10.1000/p3", "AlphaFold 2")]


def test_papers_reusing_model__the_tool_a_model_ran_through(store):
    colabfold = kg.run_query(store, "papers-reusing-model", {"model": "AF2"})
    assert rows(colabfold, "doi", "reused_model_label", "tool_label") == [
        ("10.1000/p3", "AlphaFold 2", "ColabFold")
    ]
    # With the backbone, DeepLabCut's napari-deeplabcut comes along; ResNet-50 ran through none.
    backbone = kg.run_query(
        store, "papers-reusing-model", {"model": "ResNet-50", "via_backbone": True}
    )
    assert [row["tool_label"] for row in backbone.rows] == [None, None, None, "napari-deeplabcut"]


def test_reuse_via_tool__one_tool_by_any_name(store):
    # LocalColabFold is a registry alias of ColabFold; AlphaFold 2 ran through no tool.
    result = kg.run_query(store, "reuse-via-tool", {"tool": "LocalColabFold"})
    assert rows(result, "tool", "model", "papers") == [(model("colabfold"), model("alphafold2"), 1)]
    assert kg.run_query(store, "reuse-via-tool", {"tool": "AF2"}).rows == []


def test_papers_reusing_model__unknown_model_is_a_clear_error(store):
    with pytest.raises(kg.PtmkgError, match=r"no model called 'ResNet-5O'.*did you mean"):
        kg.run_query(store, "papers-reusing-model", {"model": "ResNet-5O"})
    with pytest.raises(kg.PtmkgError, match="needs --param model="):
        kg.run_query(store, "papers-reusing-model")


def test_co_reuse__min_papers_and_within_a_field(store):
    assert kg.run_query(store, "co-reuse", {"min_papers": 2}).rows == []
    chemistry = kg.run_query(store, "co-reuse", {"field": "Chemistry"})
    assert rows(chemistry, "model_a_label", "model_b_label", "papers") == [
        ("AlphaFold 2", "ResNet-50", 1)
    ]


def test_ptm_papers_without_models(store):
    result = kg.run_query(store, "ptm-papers-without-models")
    assert result.rows[0]["source"] == f"{kg.DEFAULT_BASE_IRI}source/study-a.csv"


def test_labels_outside_vocabulary(tmp_path):
    store = build_hand_counted(tmp_path / "graph")
    assert kg.run_query(store, "labels-outside-vocabulary").rows == []
    # A later importer keeps labels it cannot map as text; here an update plays that importer.
    store.update(
        f"""
        INSERT DATA {{
          GRAPH <urn:test:pipeline> {{
            <urn:test:r1> a ptm:ReuseInstance ; ptm:inPaper <{paper(2)}> ;
                ptm:reusedModel <{model("bert")}> ; ptm:patternLabel "finetune-ish" .
            <urn:test:r2> a ptm:ReuseInstance ; ptm:inPaper <{paper(3)}> ;
                ptm:reusedModel <{model("resnet50")}> ; ptm:patternLabel "finetune-ish" ;
                ptm:stageLabel "Deployment to production" .
            <urn:test:r3> a ptm:ReuseInstance ; ptm:inPaper <{paper(3)}> ;
                ptm:reusedModel <{model("resnet50")}> ; ptm:patternLabel "finetune-ish" .
            <urn:test:r4> a ptm:ReuseInstance ; ptm:inPaper <{paper(8)}> ;
                ptm:reusedModel <{model("alphafold")}> ; ptm:reusePattern <{PATTERN}forked> .
          }}
        }}
        """
    )
    result = kg.run_query(store, "labels-outside-vocabulary")
    # r2 and r3 are the same paper and model: one reused model, not two.
    assert rows(result, "kind", "label", "model_reuses", "papers") == [
        ("pattern", "finetune-ish", 2, 2),
        ("pattern", PATTERN + "forked", 1, 1),
        ("stage", "Deployment to production", 1, 1),
    ]


def test_the_illustrative_corpus_answers_every_query(illustrative_store):
    needs = {
        "papers-reusing-model": {"model": "AlexNet"},
        "models-in-field": {"field": "Neuroscience"},
        "find-models": {"text": "alpha"},
    }
    # The illustrative sources keep no raw labels, carry no model cards and name no tools.
    clean = {"labels-outside-vocabulary", "model-lineage", "reuse-via-tool"}
    for name in load_queries():
        if name.startswith("federated-"):
            continue  # they ask an outside endpoint: tests/test_federated.py runs them locally
        result = kg.run_query(illustrative_store, name, needs.get(name))
        assert bool(result.rows) != (name in clean), name


def test_a_model_parameter_reads_the_names_of_the_graph_it_asks(tmp_path):
    # In memory: a model added by a later write is found by its name at once.
    memory = kg.EmbeddedStore(None)
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "study-a.csv").write_text(STUDY_A, encoding="utf-8")
    kg.build(memory, [folder / "study-a.csv"], rejects_dir=tmp_path / "rejects", strict=True)
    assert kg.run_query(memory, "papers-reusing-model", {"model": "resnet50"}).rows
    with pytest.raises(kg.PtmkgError, match="no model called 'LeafNet'"):
        kg.run_query(memory, "papers-reusing-model", {"model": "LeafNet"})
    memory.update(
        f"INSERT DATA {{ GRAPH <urn:test> {{ <{model('leafnet')}> a ptm:PretrainedModel ; "
        f'rdfs:label "LeafNet" . <urn:r> ptm:reusedModel <{model("leafnet")}> ; '
        f"ptm:inPaper <{paper(1)}> }} }}"
    )
    found = kg.run_query(memory, "papers-reusing-model", {"model": "leaf-net"})
    assert rows(found, "paper", "reused_model_label") == [(paper(1), "LeafNet")]


def test_rows_ordered_by_a_variable_they_do_not_show_are_sorted_by_the_engine():
    from kg.sparql.analysis import analyse

    shown = analyse("SELECT ?a ?b WHERE { ?a ?p ?b } ORDER BY ?b DESC(?a)")
    assert shown is not None and shown.sortable_keys == (("b", False), ("a", True))
    hidden = analyse("SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a ?b")
    assert hidden is not None and hidden.order_keys == (("a", False), ("b", False))
    assert hidden.sortable_keys is None
    every = analyse("SELECT * WHERE { ?a ?p ?b } ORDER BY ?a")
    assert every is not None and every.sortable_keys is None
    limited = analyse("SELECT ?a WHERE { ?a ?p ?b } ORDER BY ?a LIMIT 2")
    assert limited is not None and limited.sortable_keys is None
    named = kg.get_query("papers-reusing-model")
    analysis = analyse(named.text)
    assert analysis is not None and analysis.sortable_keys is None  # ?reused_model
