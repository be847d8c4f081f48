"""The model registry, Hugging Face lineage, and reuse versus citation of origin papers."""

from __future__ import annotations

import json

import pytest

import kg
from kg.errors import PtmkgError
from kg.models.registry import ModelRegistry

WD = "http://www.wikidata.org/entity/"


def rows(store, sparql: str) -> set[tuple]:
    return {tuple(r.values()) for r in kg.run_sparql(store, sparql).rows}


def test_the_shipped_registry_is_well_formed_and_keeps_known_ids():
    registry = ModelRegistry()
    alexnet = registry.entries["alexnet"]
    assert (alexnet.wikidata_id, alexnet.wikidata_class) == ("Q28325009", "Q17084460")
    assert registry.entries["unet"].wikidata_id == "Q55636383"
    assert registry.entries["resnet50"].wikidata_class == "Q43744058"
    assert registry.entries["gpt3"].wikidata_class == "Q115305900"
    assert registry.entries["alphafold2"].origin_doi == "10.1038/s41586-021-03819-2"
    assert registry.entries["alphafold"].origin_doi != registry.entries["alphafold2"].origin_doi
    assert registry.by_huggingface_id("google-bert/bert-base-uncased").name == "BERT"
    # Ids are left empty rather than guessed: only verified Wikidata items are filled in.
    assert {e.name for e in registry.entries.values() if e.wikidata_id} == {"AlexNet", "U-Net"}


def test_the_registry_graph_links_models_to_origins_and_wikidata(build_store, write):
    store = build_store(write("a.csv", "doi,model,pattern\n10.6000/a,AlexNet,Adaptation\n"))
    assert rows(
        store,
        """SELECT ?family ?task ?year ?origin ?item ?class WHERE {
        ?m rdfs:label "AlexNet" ; ptm:modelFamily ?family ; ptm:task ?task ;
           ptm:releaseYear ?year ; ptm:introducedIn/bibo:doi ?origin ;
           ptm:wikidataItem ?item ; schema:additionalType ?class }""",
    ) == {
        (
            "AlexNet",
            "image classification",
            "2012",
            "10.1145/3065386",
            WD + "Q28325009",
            WD + "Q17084460",
        )
    }
    # Origin papers are scholarly articles, not papers of the corpus.
    assert kg.stats(store).summary["papers"] == 1
    assert kg.validate(store).conforms


def test_users_extend_the_registry(tmp_path, write, build_store):
    extra = write(
        "mine.csv",
        "name,aliases,family,origin_doi,wikidata_id\n"
        "LeafNet,LN-1,LeafNet,https://doi.org/10.6000/LEAFNET,Q999\n"
        "AlexNet,AN,,,\n",
    )
    registry = ModelRegistry([extra])
    assert registry.entries["leafnet"].origin_doi == "10.6000/leafnet"
    assert registry.entries["alexnet"].wikidata_id == "Q28325009"  # kept: the cell was empty
    assert "AN" in registry.entries["alexnet"].aliases
    store = build_store(
        write("a.csv", "doi,model,pattern\n10.6000/a,ln-1,Adaptation\n"), alias_files=[extra]
    )
    assert rows(store, "SELECT ?l WHERE { ?r ptm:reusedModel/rdfs:label ?l }") == {("LeafNet",)}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("X,,,,Q12x", "wikidata_id 'Q12x' is not a Wikidata id"),
        ("X,,,not-a-doi,", "origin_doi: 'not-a-doi' is not a DOI"),
    ],
)
def test_a_bad_registry_row_names_file_and_line(write, row, message):
    path = write("bad.csv", "name,aliases,family,origin_doi,wikidata_id\n" + row + "\n")
    with pytest.raises(PtmkgError, match="bad.csv, line 2: " + message.split("'")[0]):
        ModelRegistry([path])


CARDS = {
    # A fine-tune of BERT, by its Hub id; the card's id comes from its file name.
    "my-lab__bert-ner.md": "---\nbase_model: google-bert/bert-base-uncased\n"
    "base_model_relation: finetune\npipeline_tag: token-classification\n"
    "library_name: transformers\nlicense: apache-2.0\n---\n# BERT NER\n",
    # A LoRA adapter of the fine-tune.
    "my-lab__bert-ner-lora.md": "---\nbase_model: my-lab/bert-ner\nbase_model_relation: adapter\n"
    "library_name: peft\n---\n",
    # A merge of two models, as JSON from the Hub API, with a quantized child on the next line.
    "cards.jsonl": json.dumps(
        {
            "id": "my-lab/merged",
            "cardData": {
                "base_model": ["my-lab/bert-ner", "FacebookAI/roberta-base"],
                "base_model_relation": "merge",
            },
        }
    )
    + "\n"
    + json.dumps(
        {
            "modelId": "my-lab/merged-gguf",
            "base_model": "my-lab/merged",
            "base_model_relation": "quantized",
            "pipeline_tag": "fill-mask",
        }
    )
    + "\n",
    # A card that names a base but not how it was made from it.
    "other__plain.md": "---\nbase_model: microsoft/resnet-50\n---\n",
}


@pytest.fixture
def lineage_store(write, build_store):
    return build_store(*(write(name, text) for name, text in CARDS.items()))


def test_model_cards_become_lineage_edges(lineage_store):
    result = kg.run_query(lineage_store, "model-lineage")
    assert [(r["model_label"], r["relation"], r["base_label"]) for r in result.rows] == [
        ("my-lab/bert-ner", "finetune", "BERT"),
        ("my-lab/bert-ner-lora", "adapter", "my-lab/bert-ner"),
        ("my-lab/merged", "merge", "RoBERTa"),
        ("my-lab/merged", "merge", "my-lab/bert-ner"),
        ("my-lab/merged-gguf", "quantized", "my-lab/merged"),
        ("other/plain", "unstated", "ResNet-50"),
    ]
    ancestry = kg.run_query(lineage_store, "model-lineage", {"model": "my-lab/merged-gguf"})
    assert {(r["model_label"], r["base_label"]) for r in ancestry.rows} == {
        ("my-lab/merged-gguf", "my-lab/merged"),
        ("my-lab/merged", "RoBERTa"),
        ("my-lab/merged", "my-lab/bert-ner"),
        ("my-lab/bert-ner", "BERT"),
    }
    assert rows(
        lineage_store,
        """SELECT ?tag ?library ?license WHERE {
        ?m ptm:huggingFaceId "my-lab/bert-ner" ; ptm:pipelineTag ?tag ; ptm:libraryName ?library ;
           dcterms:license ?license }""",
    ) == {("token-classification", "transformers", "apache-2.0")}
    assert kg.validate(lineage_store).conforms


def test_bad_model_cards_are_rejected_with_reasons(write, tmp_path):
    path = write(
        "cards.jsonl",
        json.dumps({"id": "a/b", "base_model": "c/d", "base_model_relation": "distilled"})
        + "\n"
        + json.dumps({"cardData": {"base_model": "c/d"}, "modelId": ""})
        + "\n",
    )
    report = kg.build(kg.EmbeddedStore(None), [path], rejects_dir=tmp_path)
    assert [r.reason for r in report.sources[0].rejects] == [
        "base_model_relation 'distilled' is not one of adapter, merge, quantized, finetune",
        "cannot tell which model the card describes: give its Hub id as 'id' (JSON) or "
        "'model_id' (YAML), or name the file org__name.md",
    ]
    broken = write("x__y.md", "---\nbase_model: [unclosed\n---\n")
    report = kg.build(kg.EmbeddedStore(None), [broken], rejects_dir=tmp_path)
    assert report.sources[0].rejects[0].reason.startswith("the YAML header is not valid YAML")


def test_reusing_a_model_versus_citing_its_origin(write, build_store, tmp_path):
    registry = write("mine.csv", "name,origin_doi,origin_openalex\nLeafNet,10.6000/leafnet,W900\n")
    # Papers r1 and r2 reuse LeafNet; works r2, c1 and c2 cite its origin paper W900.
    annotations = write(
        "a.csv",
        "doi,model,pattern\n10.6000/r1,LeafNet,Adaptation\n"
        "10.6000/r2,LeafNet,Deployment\n10.6000/c1,,\n",
    )

    def work(number: int, doi: str, cites: list[str]) -> str:
        return json.dumps(
            {
                "id": f"https://openalex.org/W{number}",
                "doi": f"https://doi.org/{doi}",
                "publication_year": 2022,
                "referenced_works": [f"https://openalex.org/{w}" for w in cites],
            }
        )

    works = write(
        "works.jsonl",
        "\n".join(
            [
                work(1, "10.6000/r2", ["W900"]),
                work(2, "10.6000/c1", ["W900", "W5"]),
                work(3, "10.6000/c2", ["W900"]),
                work(4, "10.6000/other", ["W5"]),
            ]
        )
        + "\n",
    )
    store = build_store(annotations, works, alias_files=[registry])
    result = kg.run_query(store, "model-origins", {"model": "LeafNet"})
    assert [
        (
            r["model_label"],
            r["origin_doi"],
            r["reusing_papers"],
            r["citing_papers"],
            r["reusing_and_citing"],
        )
        for r in result.rows
    ] == [("LeafNet", "10.6000/leafnet", 2, 3, 1)]
