from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import PtmkgError
from kg.models.names import ModelResolver, UnresolvableMention


@pytest.fixture(scope="module")
def resolver() -> ModelResolver:
    return ModelResolver()


@pytest.mark.parametrize(
    "mention", ["ResNet-50", "resnet50", "ResNet 50", "RESNET_50", "pre-trained ResNet-50"]
)
def test_spelling_variants_meet(resolver: ModelResolver, mention: str) -> None:
    resolved = resolver.resolve(mention)
    assert (resolved.name, resolved.key) == ("ResNet-50", "resnet50")


def test_af2_is_alphafold_2_and_alphafold_stays_apart(resolver: ModelResolver) -> None:
    assert resolver.resolve("AF2").name == "AlphaFold 2"
    assert resolver.resolve("AlphaFold2").name == "AlphaFold 2"
    assert resolver.resolve("AlphaFold").name == "AlphaFold"
    assert resolver.resolve("AlphaFold").key != resolver.resolve("AF2").key


def test_a_tool_named_with_its_backbone_is_linked_to_it(resolver: ModelResolver) -> None:
    cellpose = resolver.resolve("Cellpose (Modified U-Net)")
    assert cellpose.name == "Cellpose"
    assert cellpose.backbone is not None and cellpose.backbone.name == "U-Net"
    dlc = resolver.resolve("DeepLabCut (ResNet-50)")
    assert (dlc.name, dlc.backbone.name if dlc.backbone else None) == ("DeepLabCut", "ResNet-50")
    unknown_tool = resolver.resolve("LeafNet3000 (ResNet-50)")
    assert unknown_tool.name == "LeafNet3000" and not unknown_tool.known
    assert unknown_tool.backbone is not None and unknown_tool.backbone.name == "ResNet-50"


def test_a_family_name_with_its_variant_is_the_variant(resolver: ModelResolver) -> None:
    assert resolver.resolve("VGGNet (VGG-16)").name == "VGG-16"
    assert resolver.resolve("VGG16").name == "VGG-16"
    assert resolver.resolve("ResNet (ResNet-101)").name == "ResNet-101"
    assert resolver.resolve("AlphaFold (AF2)").name == "AlphaFold 2"


def test_unknown_models_keep_their_name(resolver: ModelResolver) -> None:
    resolved = resolver.resolve("  My   Custom Net (v2, large) ")
    assert resolved.name == "My Custom Net (v2, large)"
    assert not resolved.known and resolved.backbone is None


def test_a_mention_without_letters_or_digits_is_refused(resolver: ModelResolver) -> None:
    with pytest.raises(UnresolvableMention):
        resolver.resolve(" -- ")


def test_users_extend_the_alias_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "aliases.csv"
    table.write_text("name,aliases\nLeafNet,LN-1|leaf net v1\nResNet-50,RN50\n", encoding="utf-8")
    extended = ModelResolver([table])
    assert extended.resolve("ln1").name == "LeafNet"
    assert extended.resolve("RN50").name == "ResNet-50"
    monkeypatch.setenv("PTMKG_ALIASES", str(table))
    assert ModelResolver.from_environment().resolve("leaf net v1").name == "LeafNet"


def test_a_broken_alias_table_is_a_clear_error(tmp_path: Path) -> None:
    table = tmp_path / "aliases.csv"
    table.write_text("model;alias\nx;y\n", encoding="utf-8")
    with pytest.raises(PtmkgError, match="needs a 'name' column"):
        ModelResolver([table])
    with pytest.raises(PtmkgError, match="cannot read alias table"):
        ModelResolver([tmp_path / "missing.csv"])
