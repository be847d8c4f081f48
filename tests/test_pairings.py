from __future__ import annotations

import pytest

from kg.rdf.vocabulary import vocabulary
from kg.read.pairings import PairingSyntaxError, parse_pairings


def is_pattern(label: str) -> bool:
    return vocabulary().patterns.lookup(label) is not None


def pairs(cell: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.model, p.pattern_labels) for p in parse_pairings(cell, is_pattern)]


def test_the_studys_example_cell() -> None:
    cell = "[AlexNet, Adaptation]; [VGGNet (VGG-16), Adaptation]; [GoogLeNet, Adaptation]"
    assert pairs(cell) == [
        ("AlexNet", ("Adaptation",)),
        ("VGGNet (VGG-16)", ("Adaptation",)),
        ("GoogLeNet", ("Adaptation",)),
    ]


def test_model_names_with_parentheses_commas_and_brackets() -> None:
    assert pairs("[Cellpose (Modified U-Net), Deployment]") == [
        ("Cellpose (Modified U-Net)", ("Deployment",))
    ]
    assert pairs("[Foo (bar, baz) Net, Conceptual]") == [("Foo (bar, baz) Net", ("Conceptual",))]
    assert pairs("[Mask R-CNN [Detectron2], Adaptation]") == [
        ("Mask R-CNN [Detectron2]", ("Adaptation",))
    ]
    assert pairs("[Large, Small Model, adaptation_reuse]") == [
        ("Large, Small Model", ("adaptation_reuse",))
    ]


def test_one_model_with_several_patterns() -> None:
    assert pairs("[ResNet-50, Adaptation, Deployment]") == [
        ("ResNet-50", ("Adaptation", "Deployment"))
    ]


def test_blank_cells_and_loose_spacing() -> None:
    assert pairs("") == []
    assert pairs("   ") == []
    assert pairs("[A , Adaptation];[B,Conceptual] ;") == [
        ("A", ("Adaptation",)),
        ("B", ("Conceptual",)),
    ]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("AlexNet, Adaptation", "expected '['"),
        ("[AlexNet Adaptation]", "needs a model and a pattern"),
        ("[AlexNet, Adaptation", "never closed"),
        ("[AlexNet (v2, Adaptation]", "unbalanced"),
        ("[AlexNet, Adaptation] [VGG, Adaptation]", "missing '; '"),
        ("[, Adaptation]", "no model name"),
        ("[AlexNet, ]", "no reuse pattern"),
        ("; [AlexNet, Adaptation]", "separator"),
    ],
)
def test_unparseable_cells_say_where(cell: str, message: str) -> None:
    with pytest.raises(PairingSyntaxError) as caught:
        parse_pairings(cell, is_pattern)
    assert message in str(caught.value)
    assert "at character" in str(caught.value)
