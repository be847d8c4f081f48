"""The offline extractor on the shipped articles: each trap, patterns, stages, evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import PaperExtraction
from kg.extract.rules import MentionFinder, RuleExtractor, split_sentences
from kg.extract.run import extract_articles
from kg.read.jats import read_article

ARTICLES = Path(__file__).parent / "data" / "jats"


@pytest.fixture(scope="module")
def extractor() -> RuleExtractor:
    return RuleExtractor()


def extract(extractor: RuleExtractor, name: str) -> PaperExtraction:
    return extractor.extract(read_article((ARTICLES / name).read_bytes(), name))


def pairs(extraction: PaperExtraction) -> set[tuple[str, str]]:
    return {(r.model, r.pattern) for r in extraction.reuses}


def test_adaptation_with_its_sentence_section_stage_and_confidence(extractor) -> None:
    found = extract(extractor, "plos-transfer-learning.xml")
    assert (found.uses_dl, found.uses_ptms) == (True, True)
    [reuse] = found.reuses  # AlexNet and VGG-16 in the introduction, a figure, references: not
    assert (reuse.model, reuse.pattern, reuse.stages) == ("ResNet-50", "Adaptation", ("Test",))
    assert reuse.evidence.startswith("We fine-tuned a ResNet-50 pre-trained on ImageNet")
    assert reuse.section == "Materials and methods > Model training"
    assert reuse.confidence == 0.9


def test_trap_fine_tuned_in_its_biological_sense(extractor) -> None:
    found = extract(extractor, "plos-trap-fine-tuned.xml")
    # SAM (S-adenosylmethionine), CLIP (crosslinking) and T5 (a spinal segment), "fine-tuned".
    assert (found.uses_dl, found.uses_ptms, found.reuses) == (False, False, ())
    elife = extract(extractor, "elife-structure-tracking.xml")
    # "loop dynamics are fine-tuned by phosphorylation" does not make AlphaFold 2 adapted.
    assert pairs(elife) == {("DeepLabCut", "Adaptation"), ("AlphaFold 2", "Deployment")}


def test_trap_neural_network_as_a_journal_and_a_simulation(extractor) -> None:
    found = extract(extractor, "ploscb-trap-neural-network.xml")
    assert (found.uses_dl, found.uses_ptms, found.reuses) == (False, False, ())


def test_trap_people_named_like_models(extractor) -> None:
    found = extract(extractor, "frontiers-trap-person.xml")
    assert pairs(found) == {("YOLOv5", "Adaptation")}
    assert found.reuses[0].stages == ("Observation",)  # camera traps


@pytest.mark.parametrize(
    "text",
    [
        "Following Roberts et al. we counted.",
        "Robertson's protocol.",
        "Frames were annotated by Roberta Bianchi.",
        "Dr. Bert Lindqvist designed them.",
        "Albert and Sam helped.",
        "LeafBERT and BERTopic are other tools.",
        "SAMtools sorted the reads.",
    ],
)
def test_a_name_inside_a_word_or_a_person_is_no_model(text: str) -> None:
    assert MentionFinder().find(text) == []


def test_a_registry_tool_named_after_a_backbone_is_that_tool() -> None:
    # scBERT is in the registry: it is found as itself, never as BERT.
    found = MentionFinder().find("scBERT and BERTopic are other tools.")
    assert [(m.group(0), s.model) for m, s in found] == [("scBERT", "scBERT")]


def test_spellings_of_a_model_are_found() -> None:
    finder = MentionFinder()
    text = "We used resnet50, ResNet 50, VGG16, AF2 and BERT-based (RoBERTa) models."
    assert [s.model for _, s in finder.find(text)] == [
        "ResNet-50",
        "ResNet-50",
        "VGG-16",
        "AlphaFold 2",
        "BERT",
        "RoBERTa",
    ]


def test_trap_architecture_trained_from_scratch_is_conceptual(extractor) -> None:
    found = extract(extractor, "biorxiv-from-scratch.xml")
    assert pairs(found) == {("U-Net", "Conceptual")}
    assert found.reuses[0].section == "Methods"


def test_one_model_with_two_patterns_and_several_models(extractor) -> None:
    found = extract(extractor, "plos-multi-model.xml")
    assert pairs(found) == {
        ("VGG-16", "Adaptation"),
        ("ResNet-50", "Adaptation"),
        ("ResNet-50", "Deployment"),
        ("Inception v3", "Adaptation"),
    }
    deployment = next(r for r in found.reuses if r.pattern == "Deployment")
    assert "converted to ONNX" in deployment.evidence


def test_back_matter_methods_deployment_as_is(extractor) -> None:
    found = extract(extractor, "f1000-back-methods.xml")
    [reuse] = found.reuses
    assert (reuse.model, reuse.pattern, reuse.stages) == ("Cellpose", "Deployment", ("Analysis",))
    assert reuse.section == "Methods > Image analysis"


def test_a_model_cited_in_the_introduction_is_not_reuse(extractor) -> None:
    found = extract(extractor, "frontiers-plant-negative.xml")
    assert (found.uses_dl, found.uses_ptms, found.reuses) == (False, False, ())


def test_weak_cues_have_less_confidence(extractor) -> None:
    embeddings = extract(extractor, "elife-embeddings.xml")
    # SegFormer, once missing from the registry, is found now, with the labelled pattern.
    assert [(r.model, r.pattern, r.confidence) for r in embeddings.reuses] == [
        ("ESM-2", "Conceptual", 0.5),
        ("SegFormer", "Deployment", 0.6),
    ]
    writing = extract(extractor, "bmj-trap-writing-aid.xml")
    assert [(r.model, r.pattern, r.confidence) for r in writing.reuses] == [
        ("GPT-3.5", "Deployment", 0.6)
    ]


def test_sentences_do_not_end_at_abbreviations() -> None:
    text = "As Roberts et al. (2018) showed, e.g. in Fig. 2, it works. We used J. Smith's data."
    assert split_sentences(text) == [
        "As Roberts et al. (2018) showed, e.g. in Fig. 2, it works.",
        "We used J. Smith's data.",
    ]


def test_rows_are_the_generic_annotation_format(extractor) -> None:
    rows = extract(extractor, "plos-multi-model.xml").rows()
    assert len(rows) == 4
    assert rows[0] | {"evidence": "..."} == {
        "doi": "10.1371/journal.pone.ptmkg10",
        "title": "Ageing fish from otolith images on board",
        "year": 2023,
        "journal": "PLOS ONE",
        "uses_dl": True,
        "uses_ptms": True,
        "model": "VGG-16",
        "pattern": "Adaptation",
        "stages": ["Test"],
        "evidence": "...",
        "section": "Methods",
        "confidence": 0.9,
        "extractor": "rules",
        "llm": None,
        "prompt_version": "rules-2",
        "extracted_at": None,
        "tool": None,  # no wrapper ran it
        "file": None,  # the paper has a DOI
    }
    negative = extract(extractor, "plos-trap-fine-tuned.xml").rows()
    assert len(negative) == 1 and negative[0]["model"] is None


def test_several_processes_give_the_same_records_in_order(extractor) -> None:
    one = [e.rows() for e in extract_articles([ARTICLES], extractor)]
    two = [e.rows() for e in extract_articles([ARTICLES], extractor, jobs=2)]
    assert one == two and len(one) == 12
