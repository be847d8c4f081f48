"""Model identity a curator would sign: the hand-written evaluation set, the registry, the graph.

``tests/data/model_mentions.csv`` holds mentions as papers, model cards and the study's
annotation sheets write them, each with the model a curator reads in it, the backbone and the
family link where there is one, and the rule of :data:`kg.models.resolve.RULES` it tests.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import Counter
from pathlib import Path

import pytest

import kg
from kg.models.key import model_key, parse
from kg.models.registry import ModelRegistry
from kg.models.resolve import RULES, ModelResolver

MENTIONS = Path(__file__).resolve().parent / "data" / "model_mentions.csv"
THRESHOLD = 0.98


def mention_rows() -> list[dict[str, str]]:
    with MENTIONS.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def resolver() -> ModelResolver:
    return ModelResolver()


def test_the_evaluation_set_is_large_and_covers_every_rule() -> None:
    rows = mention_rows()
    assert len(rows) >= 300
    assert len({r["mention"] for r in rows}) == len(rows), "a mention is written twice"
    rules = Counter(r["rule"] for r in rows)
    assert set(rules) <= set(RULES), set(rules) - set(RULES)
    assert {rule for rule in RULES if rules[rule] < 3} == set(), rules
    assert {r["seen_in"] for r in rows} == {"paper", "model-card", "study-sheet", "curator"}
    mentions = {r["mention"] for r in rows}
    # Every case of the issue is in the set.
    assert {
        "SignalP 5.0",
        "SignalP 6.0",
        "SignalP 4.1",
        "ResNet50V2",
        "TargetP 2.0",
        "Target P v2.0",
        "TargetP-2.0",
        "Segment Anything Model (SAM)",
        "Convolutional Block Attention Module (CBAM)",
        "SAM",
        "CBAM",
        "Segment Anything Model",
        "Convolutional Block Attention Module",
        "BERT (BioBERT)",
        "C++",
        "C",
        "=1+2",
        "12",
        "ColabFold",
    } <= mentions


def _pairs(labels: list[str]) -> set[tuple[int, int]]:
    """Pairs of rows (by index) given the same label: the merges a labelling makes."""
    groups: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    return {pair for members in groups.values() for pair in itertools.combinations(members, 2)}


def test_merges_have_the_precision_and_recall_of_a_curator(resolver: ModelResolver) -> None:
    rows = mention_rows()
    expected = _pairs([model_key(r["model"]) for r in rows])
    found = _pairs([resolver.resolve(r["mention"]).key for r in rows])
    right = expected & found
    precision = len(right) / len(found) if found else 1.0
    recall = len(right) / len(expected) if expected else 1.0
    wrong_merges = sorted((rows[a]["mention"], rows[b]["mention"]) for a, b in found - expected)
    missed = sorted((rows[a]["mention"], rows[b]["mention"]) for a, b in expected - found)
    print(
        f"\nmodel identity on {len(rows)} mentions: {len(expected)} merges expected, "
        f"{len(found)} made; precision {precision:.4f}, recall {recall:.4f}"
    )
    assert precision >= THRESHOLD, f"precision {precision:.4f}; wrongly merged: {wrong_merges}"
    assert recall >= THRESHOLD, f"recall {recall:.4f}; not merged: {missed}"
    # Two models must not become one, nor one two: these pairs are the issue's own.
    assert ("C", "C++") not in wrong_merges and ("=1+2", "12") not in wrong_merges


def test_each_mention_is_read_by_the_rule_it_tests(resolver: ModelResolver) -> None:
    rows = mention_rows()
    disagreements = []
    for row in rows:
        resolved = resolver.resolve(row["mention"])
        backbone = resolved.backbone.name if resolved.backbone else ""
        family = resolved.version_of.name if resolved.version_of else ""
        got = (resolved.key, resolved.rule, backbone)
        wanted = (model_key(row["model"]), row["rule"], row["backbone"])
        if got != wanted or (row["version_of"] and family != row["version_of"]):
            disagreements.append((row["mention"], wanted, got, family))
    agreement = 1 - len(disagreements) / len(rows)
    print(f"\nrule, backbone and family agree on {agreement:.4f} of {len(rows)} mentions")
    assert agreement >= THRESHOLD, disagreements


def test_uncertain_parentheses_are_kept_whole_and_reported(resolver: ModelResolver) -> None:
    for mention in ("ResNet-50 (ResNet-101)", "Cellpose (cyto2)", "YOLOv5 (YOLOv8)"):
        resolved = resolver.resolve(mention)
        assert (resolved.name, resolved.backbone, resolved.known) == (mention, None, False)
        assert resolved.uncertain and resolved.note
    # An abbreviation the registry knows for another model is not that model.
    other = resolver.resolve("Spatial Attention Module (SAM)")
    assert (other.name, other.aliases, other.known) == ("Spatial Attention Module", ("SAM",), False)
    assert "Segment Anything Model" in other.note


# ------------------------------------------------------------------ the registry


@pytest.fixture(scope="module")
def registry() -> ModelRegistry:
    return ModelRegistry()


def test_the_registry_knows_the_field(registry: ModelRegistry) -> None:
    entries = list(registry.entries.values())
    assert len(entries) >= 400
    for entry in entries:
        assert entry.family and entry.task and entry.year and entry.sources, entry.name
    tasks = {e.task for e in entries}
    for needed in (
        "protein structure prediction",
        "signal peptide prediction",
        "cell segmentation",
        "variant calling",
        "molecular property prediction",
        "speech recognition",
        "language model",
        "image classification",
        "weather forecasting",
    ):
        assert needed in tasks, needed
    # Every row with a paper says so among its sources, and every source name is documented.
    documented = set(re.findall(r"^\| `([a-z0-9.-]+)` \|", _readme(), re.MULTILINE))
    for entry in entries:
        sources = set(entry.sources.split("|"))
        assert sources <= documented, (entry.name, sources - documented)
        assert ("paper" in sources) == bool(entry.origin_doi), entry.name


def _readme() -> str:
    return (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_versions_are_rows_of_their_own_never_aliases(registry: ModelRegistry) -> None:
    signalp = {v: registry.entry(f"SignalP {v}") for v in ("4.1", "5.0", "6.0")}
    assert len({e.key for e in signalp.values() if e}) == 3
    assert signalp["5.0"].origin_doi == "10.1038/s41587-019-0036-z"  # type: ignore[union-attr]
    assert signalp["6.0"].origin_doi == "10.1038/s41587-021-01156-3"  # type: ignore[union-attr]
    assert {e.version_of for e in signalp.values() if e} == {"SignalP", "SignalP 4.0"}
    assert registry.entry("ResNet50V2").name == "ResNet-50 V2"  # type: ignore[union-attr]
    assert registry.entry("ResNet50").name == "ResNet-50"  # type: ignore[union-attr]
    assert registry.entry("ColabFold").backbone == "AlphaFold 2"  # type: ignore[union-attr]
    assert registry.entry("AF2").version_of == "AlphaFold"  # type: ignore[union-attr]
    assert registry.entry("DeepTMHMM").name == "DeepTMHMM"  # type: ignore[union-attr]
    assert registry.entry("TargetP 1.1").key != registry.entry("TargetP 2.0").key  # type: ignore[union-attr]
    # No alias writes a version other than its row's: 'SignalP 6.0' cannot be SignalP's alias.
    for entry in registry.entries.values():
        for alias in entry.aliases:
            written = parse(alias).version
            if written and parse(alias).family == parse(entry.name).family:
                assert written == parse(f"v{entry.version}").version, (entry.name, alias)


def test_no_spelling_names_two_models(registry: ModelRegistry) -> None:
    owners: dict[str, set[str]] = {}
    for entry in registry.entries.values():
        for spelling in (entry.name, *entry.aliases):
            owners.setdefault(model_key(spelling), set()).add(entry.name)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_a_broken_link_names_file_and_line(write) -> None:
    path = write("mine.csv", "name,version_of\nLeafNet 2,LeafNet\n")
    with pytest.raises(kg.PtmkgError, match=r"mine.csv, line 2: version_of 'LeafNet' is not"):
        ModelRegistry([path])


# ------------------------------------------------------------------ the graph

SHEET = (
    "doi,model,pattern\n"
    "10.6000/a,SignalP 5.0,Deployment\n"
    "10.6000/a,SignalP 6.0,Deployment\n"
    "10.6000/b,SignalP 7.0,Deployment\n"
    "10.6000/b,Segment Anything Model (SAM),Adaptation\n"
    "10.6000/c,SAM,Adaptation\n"
    "10.6000/c,BERT (BioBERT),Adaptation\n"
    "10.6000/d,ColabFold,Deployment\n"
    "10.6000/d,C++,Deployment\n"
    "10.6000/d,C,Deployment\n"
)


def rows(store, sparql: str) -> set[tuple]:
    return {tuple(r.values()) for r in kg.run_sparql(store, sparql).rows}


def test_the_graph_keeps_versions_apart_and_every_mention(build_store, write) -> None:
    store = build_store(write("sheet.csv", SHEET))
    reused = rows(
        store,
        "SELECT ?paper ?label WHERE { ?p bibo:doi ?paper ; ptm:reusesModel/rdfs:label ?label }",
    )
    assert reused == {
        ("10.6000/a", "SignalP 5.0"),
        ("10.6000/a", "SignalP 6.0"),
        ("10.6000/b", "SignalP 7.0"),
        ("10.6000/b", "Segment Anything Model"),
        ("10.6000/c", "Segment Anything Model"),
        ("10.6000/c", "BioBERT"),
        ("10.6000/d", "ColabFold"),
        ("10.6000/d", "C++"),
        ("10.6000/d", "C"),
    }
    assert rows(
        store,
        """SELECT ?version ?family WHERE {
        ?v rdfs:label ?version ; ptm:versionOf/rdfs:label ?family
        FILTER(?version IN ("SignalP 5.0", "SignalP 6.0", "SignalP 7.0", "AlphaFold 2")) }""",
    ) == {
        ("SignalP 5.0", "SignalP"),
        ("SignalP 6.0", "SignalP"),
        ("SignalP 7.0", "SignalP"),
        ("AlphaFold 2", "AlphaFold"),
    }
    assert rows(
        store,
        """SELECT ?backbone WHERE {
        ?m rdfs:label "ColabFold" ; ptm:hasBackbone/rdfs:label ?backbone }""",
    ) == {("AlphaFold 2",)}
    mentions = rows(store, "SELECT ?mention WHERE { ?r ptm:modelMention ?mention }")
    assert {m for (m,) in mentions} == {line.split(",")[1] for line in SHEET.splitlines()[1:]}
    assert kg.validate(store).conforms


def test_a_better_registry_changes_only_what_it_decides(build_store, write, tmp_path) -> None:
    sheet = write("sheet.csv", SHEET)
    before = build_store(sheet)
    query = """SELECT ?mention ?model WHERE {
        ?r ptm:modelMention ?mention ; ptm:reusedModel ?model }"""
    first = rows(before, query)
    before.close()
    better = write(
        "better.csv",
        "name,family,version,version_of,task,year,sources\n"
        "SignalP 7.0,SignalP,7,SignalP,signal peptide prediction,2026,tool\n",
    )
    after = build_store(sheet, alias_files=[better])
    # Every mention keeps its model: a model's IRI is its key, so the row adds facts about
    # SignalP 7.0 and changes no reuse.
    assert rows(after, query) == first
    assert rows(after, 'SELECT ?task WHERE { ?m rdfs:label "SignalP 7.0" ; ptm:task ?task }') == {
        ("signal peptide prediction",)
    }


def test_a_build_reports_the_mentions_it_kept_whole(tmp_path, write) -> None:
    sheet = write(
        "uncertain.csv",
        "doi,model,pattern\n10.6000/u,ResNet-50 (ResNet-101),Adaptation\n"
        "10.6000/u,Spatial Attention Module (SAM),Adaptation\n10.6000/v,AlexNet,Adaptation\n",
    )
    report = kg.build(kg.EmbeddedStore(None), [sheet], rejects_dir=tmp_path / "rejects")
    warnings = report.sources[0].warnings
    assert [w.split(":")[0] for w in warnings] == [
        "model mention 'ResNet-50 (ResNet-101)' was kept as written",
        "model mention 'Spatial Attention Module (SAM)' was kept as written",
        "see why with",
    ]
    assert report.rejected == 0
