"""The generic annotation format as CSV, TSV and JSON Lines."""

from __future__ import annotations

import json

import pytest

import kg

CSV = """doi,title,year,journal,fields,uses_dl,uses_ptms,model,pattern,stages,evidence
10.2000/g1,"Protein folds, revisited",2021,PLOS ONE,"Biochemistry, Genetics and Molecular Biology; 28",True,True,AF2,Adaptation,Hypothesis; Test,"We fine-tuned AlphaFold 2 on ""our"" data."
10.2000/g1,"Protein folds, revisited",2021,PLOS ONE,"Biochemistry, Genetics and Molecular Biology; 28",True,True,ResNet-50,conceptual_reuse,Analysis,
10.2000/g2,Rivers,2019,BMJ Open,Environmental Science,True,False,,,,
10.2000/g3,No deep learning,2005,,Medicine,False,False,,,,
10.2000/g4,Flagged without a model,2022,,https://openalex.org/fields/13,True,True,,,,
"""
# By hand: 4 papers; DL papers g1, g2, g4 = 3; PTM papers g1, g4 = 2; models AlphaFold 2 and
# ResNet-50 = 2; reuse instances 2. Field 13 has g1 and g4 (2 papers, both PTM); Neuroscience
# (28) has g1; Environmental Science g2; Medicine g3.


def _jsonl() -> str:
    lines = [
        {
            "doi": "10.2000/g1",
            "title": "Protein folds, revisited",
            "year": 2021,
            "journal": "PLOS ONE",
            "fields": ["Biochemistry, Genetics and Molecular Biology", "28"],
            "uses_dl": True,
            "uses_ptms": True,
            "model": "AF2",
            "pattern": "Adaptation",
            "stages": ["Hypothesis", "Test"],
            "evidence": 'We fine-tuned AlphaFold 2 on "our" data.',
        },
        {
            "doi": "10.2000/g1",
            "model": "ResNet-50",
            "pattern": "conceptual_reuse",
            "stages": "Analysis",
        },
        {
            "doi": "10.2000/g2",
            "title": "Rivers",
            "year": "2019",
            "journal": "BMJ Open",
            "fields": "Environmental Science",
            "uses_dl": "True",
            "uses_ptms": False,
        },
        {
            "doi": "10.2000/g3",
            "title": "No deep learning",
            "year": 2005,
            "fields": ["Medicine"],
            "uses_dl": False,
            "uses_ptms": False,
        },
        {
            "doi": "10.2000/g4",
            "title": "Flagged without a model",
            "year": 2022,
            "fields": ["https://openalex.org/fields/13"],
            "uses_dl": True,
            "uses_ptms": True,
        },
    ]
    return "\n".join(json.dumps(line) for line in lines) + "\n"


def _tsv() -> str:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(CSV)))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "container"),
    [
        ("g.csv", CSV, "csv"),
        ("g.tsv", _tsv(), "tsv"),
        ("g.jsonl", _jsonl(), "jsonl"),
        ("g.txt", _tsv(), "tsv"),
        ("g.data", _jsonl(), "jsonl"),
    ],
)
def test_generic_format_in_every_container(write, build_store, tmp_path, name, content, container):
    path = write(name, content)
    report = kg.build(kg.EmbeddedStore(None), [path], rejects_dir=tmp_path)
    assert report.sources[0].format == container
    assert report.sources[0].layout == "generic annotations"
    store = build_store(path)
    figures = kg.stats(store)
    assert figures.summary == {
        "papers": 4,
        "dl_papers": 3,
        "ptm_papers": 2,
        "models": 2,
        "model_reuses": 2,
        "reuse_instances": 2,
        "without_pattern": 0,
    }
    by_field = {r["field_label"]: (r["papers"], r["ptm_papers"]) for r in figures.by_field.rows}
    assert by_field == {
        "Biochemistry, Genetics and Molecular Biology": (2, 2),
        "Neuroscience": (1, 1),
        "Environmental Science": (1, 0),
        "Medicine": (1, 0),
    }
    stages = {r["stage_label"]: r["model_reuses"] for r in figures.by_stage.rows}
    assert stages == {"Hypothesis": 1, "Test": 1, "Analysis": 1}
    assert kg.validate(store).conforms


def test_metadata_and_evidence_survive_byte_for_byte(write, build_store):
    store = build_store(write("g.csv", CSV))
    rows = kg.run_sparql(
        store,
        """
        SELECT ?title ?year ?venue ?evidence WHERE {
          ?p bibo:doi "10.2000/g1" ; dcterms:title ?title ; fabio:hasPublicationYear ?year ;
             ptm:publishedIn/rdfs:label ?venue ; ptm:hasReuse/ptm:evidence ?evidence }""",
    ).rows
    assert rows == [
        {
            "title": "Protein folds, revisited",
            "year": "2021",
            "venue": "PLOS ONE",
            "evidence": 'We fine-tuned AlphaFold 2 on "our" data.',
        }
    ]


def test_format_option_overrides_detection(write, tmp_path):
    path = write("annotations.txt", CSV.replace(",", ";", 0))
    report = kg.build(kg.EmbeddedStore(None), [path], source_format="csv", rejects_dir=tmp_path)
    assert report.sources[0].format == "csv"
    assert report.sources[0].accepted == 5


def test_unknown_columns_are_reported_not_silently_used(write, tmp_path):
    path = write("g.csv", "doi,feilds\n10.2000/x,Chemistry\n")
    report = kg.build(kg.EmbeddedStore(None), [path], rejects_dir=tmp_path)
    assert any("feilds" in w for w in report.sources[0].warnings)
