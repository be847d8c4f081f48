"""Evaluation on the shipped labelled set, against figures computed by hand.

Hand count (tests/data/jats/labels.csv against what the offline rules find):

* reuses PTMs, 12 papers: 8 labelled yes, all found (TP 8); the ChatGPT spelling
  check (bmj-2023-ptmkg12) is found but labelled no (FP 1); 3 true negatives.
  P = 8/9, R = 8/8, F1 = 16/17.
* models, 12 labelled (paper, model) pairs: SegFormer (not in the registry) is
  missed (FN 1), GPT-3.5 is extra (FP 1), the other 11 agree. P = R = F1 = 11/12.
* patterns, 13 labelled (paper, model, pattern) triples: ESM-2 read as Conceptual
  instead of Adaptation (FP 1 + FN 1), SegFormer Deployment missed (FN 1),
  GPT-3.5 Deployment extra (FP 1); 11 agree. P = R = F1 = 11/13.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract.evaluate import NONE, evaluate, labels_from_file
from kg.extract.rules import RuleExtractor
from kg.extract.run import extract_articles
from kg.models.names import ModelResolver

ARTICLES = Path(__file__).parent / "data" / "jats"


@pytest.fixture(scope="module")
def evaluation():
    resolver = ModelResolver()
    labels = labels_from_file(ARTICLES / "labels.csv", resolver)
    return evaluate(list(extract_articles([ARTICLES], RuleExtractor())), labels, resolver)


def test_reuses_ptms(evaluation) -> None:
    scores = evaluation.reuses_ptms
    assert evaluation.papers == 12
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (8, 1, 0)
    assert scores.true_negatives == 3
    assert scores.precision == pytest.approx(8 / 9)
    assert scores.recall == 1.0
    assert scores.f1 == pytest.approx(16 / 17)


def test_models_per_paper(evaluation) -> None:
    # SegFormer, which the registry lacked, is found since the registry knows the field.
    scores = evaluation.models
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (12, 1, 0)
    assert scores.precision == pytest.approx(12 / 13) and scores.recall == 1.0


def test_pattern_per_model(evaluation) -> None:
    scores = evaluation.patterns
    assert (scores.true_positives, scores.false_positives, scores.false_negatives) == (12, 2, 1)
    assert scores.f1 == pytest.approx(24 / 27)


def test_confusion_table(evaluation) -> None:
    assert dict(evaluation.confusion) == {
        ("Adaptation", "Adaptation"): 6,
        ("Deployment", "Deployment"): 3,
        ("Conceptual", "Conceptual"): 1,
        ("Adaptation+Deployment", "Adaptation+Deployment"): 1,
        ("Adaptation", "Conceptual"): 1,
        (NONE, "Deployment"): 1,
    }
    assert evaluation.confusion_labels() == [
        "Conceptual",
        "Adaptation",
        "Deployment",
        "Adaptation+Deployment",
        NONE,
    ]


def test_disagreements_with_their_evidence(evaluation) -> None:
    found = [(d.doi, d.kind, d.label, d.extracted, d.evidence) for d in evaluation.disagreements]
    spelling = "ChatGPT was used only to check the spelling of this manuscript."
    embeddings = (
        "We computed ESM-2 embeddings for every protein and trained a logistic regression "
        "classifier on them."
    )
    assert found == [
        ("10.1136/bmj-2023-ptmkg12", "reuses PTMs", "False", "True", spelling),
        ("10.1136/bmj-2023-ptmkg12", "model", NONE, "GPT-3.5", spelling),
        ("10.7554/elife.ptmkg11", "pattern", "ESM-2: Adaptation", "ESM-2: Conceptual", embeddings),
    ]
    assert evaluation.labelled_only == [] and evaluation.extracted_only == []


def test_papers_on_one_side_only_are_listed_not_compared(write) -> None:
    resolver = ModelResolver()
    labels_file = write(
        "labels.csv",
        "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n"
        '10.1101/2021.04.01.ptmkg06,True,True,"[UNet, Conceptual]"\n'
        "10.5555/absent,False,False,\n",
    )
    labels = labels_from_file(labels_file, resolver)
    extractions = list(
        extract_articles(
            [ARTICLES / "biorxiv-from-scratch.xml", ARTICLES / "bmj-clinical-notes.xml"],
            RuleExtractor(),
        )
    )
    result = evaluate(extractions, labels, resolver)
    assert result.papers == 1 and result.models.f1 == 1.0  # UNet and U-Net are one model
    assert result.labelled_only == ["10.5555/absent"]
    assert result.extracted_only == ["10.1136/bmjopen-2019-ptmkg04"]
