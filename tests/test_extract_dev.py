"""The offline extractor on the real labelled development set (../shared/data/jats-dev).

37 real open-access articles: 28 with a DOI (labels.csv) and 9 JOSS drafts without one,
labelled by file (no-doi-labels.csv); 14 reuse PTMs, 23 do not (hard negatives among
them). The floors are the figures the rules reach (bench/results/extract-dev.md):
"reuses PTMs" P 13/13, R 13/14; models P 14/15, R 14/16; patterns P 15/16, R 15/17.
"""

from __future__ import annotations

import pytest
from conftest import SHARED_DATA

from kg.extract.evaluate import evaluate, labels_from_files
from kg.extract.rules import RuleExtractor
from kg.extract.run import run_extraction
from kg.models.names import ModelResolver

DEV = SHARED_DATA / "jats-dev"


@pytest.fixture(scope="module")
def extracted():
    resolver = ModelResolver()
    summary = run_extraction(
        [DEV / "articles", DEV / "no-doi"], RuleExtractor(resolver.registry), None, keep=True
    )
    labels = labels_from_files([DEV / "labels.csv", DEV / "no-doi-labels.csv"], resolver)
    return summary, evaluate(summary.kept, labels, resolver)


def test_every_article_is_extracted_and_compared_with_or_without_a_doi(extracted) -> None:
    summary, evaluation = extracted
    assert summary.articles == 37 and not summary.problems
    assert evaluation.papers == 37
    assert evaluation.labelled_only == [] and evaluation.extracted_only == []
    assert sum(1 for e in summary.kept if e.doi is None) == 9


def test_no_negative_is_flagged_and_figures_stay_above_the_floors(extracted) -> None:
    _, evaluation = extracted
    papers, models, patterns = evaluation.reuses_ptms, evaluation.models, evaluation.patterns
    assert papers.false_positives == 0 and papers.true_negatives == 23
    assert papers.recall >= 13 / 14
    assert models.precision >= 14 / 15 and models.recall >= 14 / 16
    assert patterns.f1 >= 30 / 33  # P 15/16, R 15/17
    # The floors, whatever the figures above become.
    assert models.precision >= 0.85 and models.recall >= 0.8 and patterns.f1 >= 0.7


def _reuses(summary, key: str) -> dict[str, tuple]:
    [paper] = [e for e in summary.kept if e.key == key or e.location.endswith(key)]
    return {(r.model, r.pattern): (r.tool, r.stages, r.evidence, r.known) for r in paper.reuses}


def test_a_wrapper_is_the_tool_of_the_model_it_runs(extracted) -> None:
    summary, _ = extracted
    # "predicted by ColabFold implementation of AlphaFold-Multimer": AlphaFold-Multimer ran.
    found = _reuses(summary, "10.1101/2023.05.18.541272")
    assert list(found) == [("AlphaFold-Multimer", "Deployment")]
    tool, stages, evidence, _ = found[("AlphaFold-Multimer", "Deployment")]
    assert tool == "ColabFold" and "Hypothesis" in stages
    assert evidence.startswith("The initial conformation of AncA0 ACD")
    # "AlphaFold2 structures were computed using local ColabFold"; ESM-2 3B both ways.
    found = _reuses(summary, "10.1101/2023.07.26.550718")
    assert found[("AlphaFold 2", "Deployment")][0] == "ColabFold"
    assert {("ESM-2 3B", "Adaptation"), ("ESM-2 3B", "Deployment")} <= set(found)
    assert ("ProstT5", "Deployment") in found


def test_patterns_and_stages_from_what_the_paper_did(extracted) -> None:
    summary, _ = extracted
    # A modified deepNF trained on the paper's own networks: the architecture, not weights.
    assert list(_reuses(summary, "10.1101/2023.04.05.535764")) == [("deepNF", "Conceptual")]
    # SpliceAI's prediction is what the mini-gene assay then tested.
    [(_, stages, evidence, _)] = _reuses(summary, "10.1101/2023.10.08.561407").values()
    assert stages == ("Hypothesis",) and "SpliceAI tools" in evidence
    # DeepVariant's Inception v3 quantised to INT8: DeepVariant deployed, not Inception v3.
    found = _reuses(summary, "joss-draft-DeepVariant-ARM64.xml")
    assert list(found) == [("DeepVariant", "Deployment")]


def test_models_the_registry_lacks_are_found_and_offered_to_a_curator(extracted) -> None:
    summary, _ = extracted
    assert sorted(summary.candidates) == ["NN_FAP", "Wiki-2019LSTM"]
    candidate, papers = summary.candidates["Wiki-2019LSTM"]
    assert papers == ["10.1101/2021.06.21.449261"] and candidate.cue == "pre-trained"
    found = _reuses(summary, "10.1101/2021.06.21.449261")
    assert found[("Wiki-2019LSTM", "Deployment")][3] is False  # not in the registry
