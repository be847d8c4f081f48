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


def test_papers_without_a_doi_are_known_by_id_or_file_and_rows_with_neither_rejected(
    write, build_store, tmp_path
):
    path = write(
        "drafts.csv",
        "doi,id,file,title,year,uses_dl,uses_ptms,model,pattern,tool\n"
        # 2: known by its id; 3: by its id again (the same paper, a second model)
        ",joss-1234,,Folding drafts,2025,True,True,AF2,Deployment,ColabFold\n"
        ",joss-1234,,Folding drafts,2025,True,True,ESM-2 3B,Deployment,\n"
        # 4, 5: by the file and its title; 6: the same file without the title
        ",,/drafts/a/paper.xml,Rivers,2024,True,True,U-Net,Conceptual,\n"
        ",,/drafts/b/paper.xml,Lakes,2024,True,False,,,\n"
        ",,/drafts/a/paper.xml,,2024,True,True,ResNet-50,Adaptation,\n"
        # 7: nothing identifies it; 8: a DOI that is no DOI, though a file is given
        ",,,Orphan,2024,True,True,BERT,Deployment,\n"
        "not-a-doi,,/drafts/c/paper.xml,Ponds,2024,True,False,,,\n",
    )
    store = build_store(path)
    # By hand: papers joss-1234, a/paper.xml (Rivers) and b/paper.xml (Lakes) = 3; PTM papers
    # joss-1234 and Rivers = 2; reuse instances AF2, ESM-2 3B, U-Net = 3.
    summary = kg.stats(store).summary
    assert (summary["papers"], summary["ptm_papers"], summary["reuse_instances"]) == (3, 2, 3)
    rejects = (tmp_path / "rejects" / "drafts.csv.rejects.csv").read_text(encoding="utf-8")
    assert "no title for the paper known by its file 'paper.xml', which line 4 gave 'Rivers'" in (
        rejects
    )
    assert "the DOI is missing, and no 'id' or 'file' identifies the paper instead" in rejects
    assert "malformed DOI" in rejects
    assert len(rejects.strip().splitlines()) == 4  # the header and lines 6, 7 and 8
    ids = kg.run_sparql(
        store,
        "SELECT ?paper ?id WHERE { ?paper a ptm:Paper ; dcterms:identifier ?id }",
    )
    assert [(str(r["paper"]), str(r["id"])) for r in ids.rows] == [
        (f"{kg.DEFAULT_BASE_IRI}paper/id/joss-1234", "joss-1234")
    ]
    tool = kg.run_query(store, "reuse-via-tool").rows
    assert [(r["tool_label"], r["model_label"]) for r in tool] == [("ColabFold", "AlphaFold 2")]
    assert kg.validate(store).conforms


def test_rows_of_a_paper_without_a_doi_that_contradict_each_other_are_named_by_it(
    write, build_store, tmp_path
):
    path = write(
        "contradicting.csv",
        "id,file,title,year\njoss-1,,Rivers,2024\njoss-1,,Rivers,2025\n"
        ",paper.xml,Lakes,2023\n,paper.xml,Lakes,2022\n",
    )
    build_store(path)
    rejects = (tmp_path / "rejects" / "contradicting.csv.rejects.csv").read_text(encoding="utf-8")
    assert "year 2025 contradicts 2024 given for the paper of id 'joss-1' on line 2" in rejects
    assert (
        "year 2022 contradicts 2023 given for the paper of file 'paper.xml' titled 'Lakes' "
        "on line 4"
    ) in rejects
