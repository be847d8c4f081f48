"""ptmkg extract on the command line, and ptmkg build from articles and from extracted records."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from conftest import evaluation_text

import kg

ARTICLES = Path(__file__).parent / "data" / "jats"

REUSES = """
SELECT ?doi ?model ?pattern ?section ?confidence ?method ?version WHERE {
  ?reuse ptm:inPaper/bibo:doi ?doi ; ptm:reusedModel/rdfs:label ?model ;
         ptm:reusePattern/skos:prefLabel ?pattern ; ptm:evidenceSection ?section ;
         ptm:extractionConfidence ?confidence ; ptm:extractionMethod ?method ;
         ptm:extractionVersion ?version .
} ORDER BY ?doi ?model ?pattern"""


def rows(store: kg.EmbeddedStore, query: str) -> list[tuple[str, ...]]:
    result = kg.run_sparql(store, query)
    return [tuple(term.value if term else "" for term in row) for row in result.terms]


def test_extract_writes_records_that_build_loads(cli, tmp_path: Path, build_store) -> None:
    records = tmp_path / "records.jsonl"
    result = cli("extract", ARTICLES, "-o", records)
    assert result.exit_code == 0, result.output
    # 17 records: SegFormer (elife-embeddings) is found since the registry knows it.
    assert "12 article(s), 9 with PTM reuse: 17 record(s)" in result.stderr
    lines = [json.loads(line) for line in records.read_text().splitlines()]
    assert len(lines) == 17
    store = build_store(records)
    assert kg.stats(store).summary["reuse_instances"] == 14
    found = rows(store, REUSES)
    assert (
        "10.12688/f1000research.ptmkg05.2",
        "Cellpose",
        "Deployment",
        "Methods > Image analysis",
        "0.9",
        "rules",
        "rules-2",
    ) in found


def test_build_reads_articles_directly_and_gives_the_same_graph(cli, tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    assert cli("extract", ARTICLES, "-o", records).exit_code == 0
    archive = tmp_path / "articles.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(ARTICLES.glob("*.xml")):
            out.write(path, path.name)
    from_records = kg.EmbeddedStore(tmp_path / "a")
    kg.build(from_records, [records], rejects_dir=tmp_path / "rejects")
    result = cli("build", "--store", tmp_path / "b", archive)
    assert result.exit_code == 0, result.output
    assert "(jats, JATS articles, offline extraction): 17 read = 17 accepted" in result.stdout
    from_articles = kg.EmbeddedStore(tmp_path / "b")
    assert rows(from_articles, REUSES) == rows(from_records, REUSES)
    assert kg.stats(from_articles).summary == kg.stats(from_records).summary


def test_extract_to_stdout_csv_and_bad_inputs(cli, tmp_path: Path) -> None:
    result = cli("extract", ARTICLES / "biorxiv-from-scratch.xml")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["model"] == "U-Net"
    broken = tmp_path / "broken.xml"
    broken.write_text("<article>")
    result = cli("extract", broken, ARTICLES / "bmj-clinical-notes.xml", "-o", tmp_path / "r.csv")
    assert result.exit_code == 0
    assert f"skipped {broken}: not well-formed XML" in result.stderr
    header = (tmp_path / "r.csv").read_text().splitlines()[0]
    assert header.startswith("doi,title,year,journal,uses_dl,uses_ptms,model,pattern,stages")
    assert cli("extract", tmp_path / "missing").exit_code == 1
    assert cli("extract", ARTICLES, "-o", tmp_path / "r.txt").exit_code == 1


def test_evaluate_prints_figures_confusion_and_disagreements(cli) -> None:
    result = cli("extract", ARTICLES, "--evaluate", ARTICLES / "labels.csv")
    assert result.exit_code == 0, result.output
    # SegFormer is found since the registry knows it: one miss fewer than before.
    text = evaluation_text(
        result.stdout,
        "8 1 0 3 0.889 1.000 0.941 / 12 1 0 0.923 1.000 0.960 / 12 2 1 0.857 0.923 0.889",
    )
    assert "Disagreements (3)" in text
    assert "pattern: label ESM-2: Adaptation, extracted ESM-2: Conceptual" in text
    assert "evidence: ChatGPT was used only to check the spelling" in text


def test_generic_format_rejects_a_bad_confidence_or_time(write, build_store, tmp_path) -> None:
    source = write(
        "r.csv",
        "doi,model,pattern,confidence,extractor,extracted_at\n"
        "10.5555/1,BERT,Adaptation,1.5,llm,\n"
        "10.5555/2,BERT,Adaptation,0.5,llm,yesterday\n"
        "10.5555/3,BERT,Adaptation,0.5,llm,2026-03-01T12:00:00+00:00\n",
    )
    store = kg.EmbeddedStore(tmp_path / "s")
    report = kg.build(store, [source], rejects_dir=tmp_path / "rejects")
    reasons = [r.reason for r in report.sources[0].rejects]
    assert reasons == [
        "confidence is '1.5', expected a number from 0 to 1",
        "extracted_at is 'yesterday', expected an ISO 8601 date and time such as "
        "2026-03-01T12:00:00+00:00",
    ]
    assert rows(store, "SELECT ?t WHERE { ?r prov:generatedAtTime ?t }") == [
        ("2026-03-01T12:00:00Z",)
    ]
