"""The study's tables from the pipeline database, under both natural-science rules.

Hand counts come from pipeline_fixture.py: rule v1 keeps P1, P4, P6, P8; rule v2
adds P2. P4's analyses failed, so it counts as a natural-science paper but neither
as a deep-learning nor as a PTM paper.
"""

from __future__ import annotations

import pytest
from pipeline_fixture import make_database

import kg


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> kg.EmbeddedStore:
    folder = tmp_path_factory.mktemp("study")
    path = folder / "store"
    kg.build(
        kg.EmbeddedStore(path),
        [make_database(folder / "results.db")],
        rejects_dir=folder / "rejects",
    )
    return kg.EmbeddedStore(path)


def table(store, name, key, *columns, **params):
    result = kg.run_query(store, name, params)
    return {row[key]: tuple(row[c] for c in columns) for row in result.rows}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "v1",
            {
                "rule": "v1",
                "papers": 7,
                "cited_papers": 6,
                "natural_science_papers": 4,
                "dl_papers": 3,
                "ptm_papers": 3,
            },
        ),
        (
            "v2",
            {
                "rule": "v2",
                "papers": 7,
                "cited_papers": 6,
                "natural_science_papers": 5,
                "dl_papers": 4,
                "ptm_papers": 4,
            },
        ),
    ],
)
def test_the_filtering_funnel(store, rule, expected):
    assert kg.run_query(store, "study-funnel", {"rule": rule}).rows == [expected]


def test_the_funnel_defaults_to_rule_v1(store):
    assert kg.run_query(store, "study-funnel").rows[0]["natural_science_papers"] == 4


def test_ptm_reusing_papers_by_field_under_rule_v1(store):
    assert table(
        store, "papers-by-field", "field_label", "papers", "dl_papers", "ptm_papers", rule="v1"
    ) == {
        "Biochemistry, Genetics and Molecular Biology": (2, 2, 2),
        "Computer Science": (1, 1, 1),
        "Immunology and Microbiology": (1, 1, 1),
        "Agricultural and Biological Sciences": (1, 1, 1),
        "Medicine": (1, 1, 1),
        "Earth and Planetary Sciences": (1, 0, 0),
        "Environmental Science": (1, 0, 0),
        "Engineering": (1, 0, 0),
    }


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("v1", {"Adaptation": (3, 0.6), "Conceptual": (1, 0.2), "Deployment": (1, 0.2)}),
        ("v2", {"Adaptation": (3, 0.5), "Deployment": (2, 2 / 6), "Conceptual": (1, 1 / 6)}),
    ],
)
def test_pattern_shares(store, rule, expected):
    found = table(store, "reuse-by-pattern", "pattern_label", "reuse_instances", "share", rule=rule)
    assert {k: (n, pytest.approx(share)) for k, (n, share) in found.items()} == expected


def test_stage_counts_under_rule_v1(store):
    assert table(store, "reuse-by-stage", "stage_label", "model_reuses", rule="v1") == {
        "Observation": (1,),
        "Background": (1,),
        "Hypothesis": (1,),
        "Test": (2,),
        "Analysis": (1,),
    }


def test_top_models_under_rule_v1(store):
    assert table(store, "top-models", "model_label", "rank", "papers", rule="v1", limit=1) == {
        "AlexNet": (1, 2)
    }


def test_reuse_by_year_under_rule_v1(store):
    assert table(store, "reuse-by-year", "year", "papers", "ptm_papers", rule="v1") == {
        2020: (1, 1),
        2021: (1, 0),
        2022: (1, 1),
        2023: (1, 1),
    }


def test_the_funnel_through_the_cli(cli, store):
    result = cli(
        "query", "study-funnel", "--param", "rule=v2", "--store", store.location, "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "rule,papers,cited_papers,natural_science_papers,dl_papers,ptm_papers",
        "v2,7,6,5,4,4",
    ]
