from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import PtmkgError
from kg.models.key import model_key, parse
from kg.models.names import RULES, ModelResolver, UnresolvableMention
from kg.models.registry import ModelRegistry


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
    # Read once while the table is unchanged; a changed table is read again.
    assert ModelRegistry.from_environment() is ModelRegistry.from_environment()
    table.write_text("name,aliases\nLeafNet,LN-1|leaf net v1|LeafNet One\n", encoding="utf-8")
    assert ModelResolver.from_environment().resolve("leafnet one").name == "LeafNet"
    monkeypatch.delenv("PTMKG_ALIASES")
    assert ModelResolver.from_environment().resolve("leafnet one").name != "LeafNet"


def test_a_broken_alias_table_is_a_clear_error(tmp_path: Path) -> None:
    table = tmp_path / "aliases.csv"
    table.write_text("model;alias\nx;y\n", encoding="utf-8")
    with pytest.raises(PtmkgError, match="needs a 'name' column"):
        ModelResolver([table])
    with pytest.raises(PtmkgError, match="cannot read alias table"):
        ModelResolver([tmp_path / "missing.csv"])


# ------------------------------------------------------------------ issue 15: keys, versions,
# abbreviations, parentheses read the right way, and the models commands


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("C++", "C"),
        ("=1+2", "12"),
        ("ResNet50V2", "ResNet-50"),
        ("GPT-3.5", "GPT-35"),
        ("SignalP 4.1", "SignalP 4.0"),
        ("SignalP 5.0", "SignalP 6.0"),
        ("DeepLabv3+", "DeepLabv3"),
        ("1 2", "12"),
    ],
)
def test_keys_keep_apart_what_differs(one: str, other: str) -> None:
    assert model_key(one) != model_key(other)


@pytest.mark.parametrize(
    "spellings",
    [
        ("TargetP 2.0", "Target P v2.0", "TargetP-2.0", "TargetP v2", "targetp2"),
        ("MobileNetV2", "MobileNet v2", "MobileNet-V2", "mobilenet_v2"),
        ("YOLOv5", "YOLO v5", "YOLO-5", "yolov5"),
        ("Wav2Vec 2.0", "wav2vec2", "wav2vec 2"),
        ("ResNet50V2", "ResNet-50 v2", "ResNet 50 V2"),
    ],
)
def test_keys_meet_for_spellings_of_one_version(spellings: tuple[str, ...]) -> None:
    assert len({model_key(s) for s in spellings}) == 1


def test_a_name_reads_as_family_version_and_variant() -> None:
    assert (parse("ResNet-50 v2").family, parse("ResNet-50 v2").version) == ("resnet50", "2")
    assert (parse("SignalP 6.0").family, parse("SignalP 6.0").version) == ("signalp", "6")
    assert (parse("BERT-large").family, parse("BERT-large").variant) == ("bert", "large")


def test_versions_are_models_of_their_own_linked_to_their_family(
    resolver: ModelResolver,
) -> None:
    five, six, four = (resolver.resolve(f"SignalP {v}") for v in ("5.0", "6.0", "4.1"))
    assert (five.name, six.name, four.name) == ("SignalP 5.0", "SignalP 6.0", "SignalP 4.1")
    assert len({five.key, six.key, four.key, resolver.resolve("SignalP").key}) == 4
    assert five.version_of is not None and five.version_of.name == "SignalP"
    assert resolver.resolve("ResNet50V2").name == "ResNet-50 V2"
    unknown = resolver.resolve("SignalP 7.0")
    assert (unknown.known, unknown.rule) == (False, "unknown-version")
    assert unknown.version_of is not None and unknown.version_of.name == "SignalP"


def test_an_abbreviation_in_parentheses_is_an_alias_not_a_backbone(
    resolver: ModelResolver,
) -> None:
    for long, short in [
        ("Segment Anything Model", "SAM"),
        ("Convolutional Block Attention Module", "CBAM"),
    ]:
        keys = {resolver.resolve(m).key for m in (f"{long} ({short})", long, short)}
        assert len(keys) == 1
        assert resolver.resolve(f"{long} ({short})").backbone is None
    # Unknown to the registry: still one model, the abbreviation kept as its alias.
    lddn = resolver.resolve("Leaf Disease Detection Network (LDDN)")
    assert (lddn.name, lddn.aliases, lddn.backbone) == (
        "Leaf Disease Detection Network",
        ("LDDN",),
        None,
    )


def test_the_more_specific_model_inside_a_family_name_is_that_model(
    resolver: ModelResolver,
) -> None:
    bert = resolver.resolve("BERT (BioBERT)")
    assert (bert.name, bert.backbone, bert.rule) == ("BioBERT", None, "specific-in-family")
    assert resolver.resolve("AlphaFold2 (ColabFold)").name == "ColabFold"


def test_models_resolve_and_explain_on_the_command_line(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    result = runner.invoke(
        app, ["models", "resolve", "--json", "Target P v2.0", "BERT (BioBERT)", "LeafNet-2"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["model"], r["rule"], r["version_of"]) for r in records] == [
        ("TargetP 2.0", "registry", "TargetP"),
        ("BioBERT", "specific-in-family", "BERT"),
        ("LeafNet-2", "unknown", ""),
    ]
    table = tmp_path / "mine.csv"
    table.write_text("name,aliases,family,version_of\nLeafNet,,LeafNet,\n", encoding="utf-8")
    explained = runner.invoke(app, ["models", "explain", "LeafNet-2", "--aliases", str(table)])
    assert explained.exit_code == 0, explained.output
    assert "rule: unknown-version" in explained.stdout
    assert "version of: LeafNet" in explained.stdout
    why = runner.invoke(app, ["models", "explain", "Cellpose (Modified U-Net)"])
    assert (
        "backbone: U-Net" in why.stdout and "registry row: model_registry.csv, line" in why.stdout
    )
    refused = runner.invoke(app, ["models", "resolve", " -- "])
    assert refused.exit_code == 1 and "has no letters or digits" in refused.stderr


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_a_key_is_its_own_key_and_every_mention_resolves_or_is_refused(text: str) -> None:
    key = model_key(text)
    assert model_key(key) == key  # a model's IRI ends in its key: reading it back changes nothing
    try:
        resolved = _RESOLVER.resolve(text)
    except UnresolvableMention:
        assert key == ""
        return
    assert resolved.key == model_key(resolved.key) and resolved.rule in RULES


_RESOLVER = ModelResolver()


@pytest.mark.parametrize("name", ["A:AAV0", "Foo wav2vec 2", "deep wav2vec"])
def test_a_short_word_ending_in_v_stays_apart_from_the_word_before(name):
    """Joined, 'a' and 'aav' would read as 'aaav', whose v marks a version: 'aaa', 0."""
    key = model_key(name)
    assert model_key(key) == key
    assert parse(key).family == parse(name).family
