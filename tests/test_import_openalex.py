"""OpenAlex works: the real shared record, list responses, snapshots, and their variations."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import pytest

import kg

SHARED_WORK = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "data"
    / "openalex"
    / "W2741809807.json"
)


@pytest.fixture(scope="module")
def real_work() -> dict:
    if not SHARED_WORK.exists():
        pytest.skip("the shared OpenAlex sample is not beside the repository")
    return json.loads(SHARED_WORK.read_text(encoding="utf-8"))


def rows(store, sparql: str) -> set[tuple]:
    return {tuple(r.values()) for r in kg.run_sparql(store, sparql).rows}


PAPER = '?p bibo:doi "10.7717/peerj.4375" .'


def test_the_shared_real_work(build_store, real_work):
    store = build_store(SHARED_WORK)
    assert rows(
        store,
        f"""SELECT ?work ?title ?year ?type ?cited ?oa ?status ?pmid ?pmcid WHERE {{
        {PAPER} ?p ptm:openAlexWork ?work ; dcterms:title ?title ; fabio:hasPublicationYear ?year ;
        ptm:workType ?type ; ptm:citedByCount ?cited ; ptm:isOpenAccess ?oa ;
        ptm:openAccessStatus ?status ; fabio:hasPubMedId ?pmid ; fabio:hasPubMedCentralId ?pmcid }}
        """,
    ) == {
        (
            "https://openalex.org/W2741809807",
            "The state of OA: a large-scale analysis of "
            "the prevalence and impact of Open Access articles",
            "2018",
            "article",
            962,
            True,
            "gold",
            "29456894",
            "PMC5815332",
        )
    }
    assert rows(
        store,
        f"SELECT ?venue ?id WHERE {{ {PAPER} ?p ptm:publishedIn ?v . "
        "?v rdfs:label ?venue ; schema:sameAs ?id }",
    ) == {("PeerJ", "https://openalex.org/S1983995261")}
    authors = rows(
        store,
        f"""SELECT ?name ?orcid WHERE {{ {PAPER} ?p dcterms:creator ?a .
        ?a schema:name ?name ; schema:sameAs ?orcid }}""",
    )
    assert len(authors) == 9
    assert ("Heather Piwowar", "https://orcid.org/0000-0003-1613-5981") in authors
    affiliations = rows(
        store,
        """SELECT ?institution ?ror WHERE {
        ?a schema:name "Vincent Larivière" ; schema:affiliation ?i .
        ?i schema:name ?institution ; schema:sameAs ?ror }""",
    )
    assert {name for name, _ in affiliations} == {
        "Université de Montréal",
        "Université du Québec à Montréal",
    }
    assert all(ror.startswith("https://ror.org/") for _, ror in affiliations)
    # The first three topics give the fields: Decision Sciences twice, Computer Science once.
    assert rows(store, f"SELECT ?f WHERE {{ {PAPER} ?p ptm:hasField/skos:notation ?f }}") == {
        ("18",),
        ("17",),
    }
    topics = rows(
        store,
        f"""SELECT ?topic ?subfield ?field WHERE {{ {PAPER} ?p ptm:hasTopic ?t .
        ?t rdfs:label ?topic ; skos:broader ?s . ?s skos:broader/skos:notation ?field .
        BIND(STR(?s) AS ?subfield) }}""",
    )
    assert (
        "scientometrics and bibliometrics research",
        "https://openalex.org/subfields/1804",
        "18",
    ) in topics
    assert len(topics) == len(real_work["topics"])
    cited = rows(store, f"SELECT ?w WHERE {{ {PAPER} ?p cito:cites ?w }}")
    assert len(cited) == len(real_work["referenced_works"]) == 45
    # Not natural science under either rule: no slot is a natural-science field.
    assert rows(store, f"SELECT ?r WHERE {{ {PAPER} ?p ptm:meetsNaturalScienceRule ?r }}") == set()
    assert kg.validate(store).conforms


def _variant(work: dict, number: int, **changes) -> dict:
    changed = copy.deepcopy(work)
    changed["id"] = f"https://openalex.org/W{number}"
    changed["doi"] = f"https://doi.org/10.5000/OA.{number}"
    changed.update(changes)
    return changed


def test_a_list_response_with_the_variations_of_real_records(write, tmp_path, real_work):
    newer = _variant(real_work, 2, awards=[{"id": "x"}], brand_new_key={"a": 1})
    newer.pop("grants", None)
    newer.pop("abstract_inverted_index", None)
    no_doi = _variant(real_work, 3, doi=None)
    no_doi["ids"] = {"openalex": no_doi["id"]}
    no_id = _variant(real_work, 4, id=None)
    duplicate = _variant(real_work, 5, doi="https://doi.org/10.5000/oa.2")
    response = {
        "meta": {"count": 5, "page": 1},
        "results": [real_work, newer, no_doi, no_id, duplicate],
    }
    path = write("works.json", json.dumps(response, indent=2))
    report = kg.build(kg.EmbeddedStore(tmp_path / "s"), [path], rejects_dir=tmp_path / "r")
    (source,) = report.sources
    assert (source.format, source.read, source.accepted, source.rejected) == ("openalex", 5, 2, 3)
    assert [(r.location, r.reason) for r in source.rejects] == [
        ("results[2]", "work https://openalex.org/W3 has no DOI; ptmkg identifies papers by DOI"),
        ("results[3]", "the work has no OpenAlex id (https://openalex.org/W...)"),
        ("results[4]", "duplicate work: DOI 10.5000/oa.2 already came from results[1]"),
    ]
    store = kg.EmbeddedStore(tmp_path / "s")
    assert kg.stats(store).summary["papers"] == 2


def test_snapshot_files_gzip_or_not(tmp_path, real_work, build_store):
    plain = tmp_path / "part_000.jsonl"
    plain.write_text(
        "\n".join(json.dumps(_variant(real_work, n)) for n in (10, 11)) + "\n" + "{not json\n"
    )
    zipped = tmp_path / "part_001.gz"
    with gzip.open(zipped, "wt", encoding="utf-8") as handle:
        for n in (12, 13, 14):
            handle.write(json.dumps(_variant(real_work, n)) + "\n")
    report = kg.build(kg.EmbeddedStore(None), [plain, zipped], rejects_dir=tmp_path / "r")
    assert [(s.format, s.read, s.accepted, s.rejected) for s in report.sources] == [
        ("openalex", 3, 2, 1),
        ("openalex", 3, 3, 0),
    ]
    assert report.sources[0].rejects[0].line == 3
    assert kg.stats(build_store(plain, zipped)).summary["papers"] == 5


def test_works_merge_with_annotations_into_one_paper_node(write, build_store, real_work):
    sheet = write(
        "sheet.csv",
        "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n"
        'https://doi.org/10.7717/PEERJ.4375,True,True,"[BERT, Adaptation]"\n',
    )
    store = build_store(sheet, SHARED_WORK)
    assert kg.stats(store).summary["papers"] == 1
    merged = rows(
        store,
        f"""SELECT ?p ?year ?model WHERE {{ {PAPER}
        ?p a ptm:Paper ; fabio:hasPublicationYear ?year ; ptm:reusesModel/rdfs:label ?model }}""",
    )
    assert merged == {("https://w3id.org/ptmkg/id/paper/10.7717/peerj.4375", "2018", "BERT")}
    assert kg.validate(store).conforms


def test_natural_science_rules_from_the_first_three_topics(write, build_store, real_work):
    work = _variant(real_work, 20)
    for topic, field in zip(work["topics"], ("13", "28", "17"), strict=True):
        topic["field"] = {"id": f"https://openalex.org/fields/{field}", "display_name": "x"}
    uncited = _variant(work, 21, cited_by_count=0)
    store = build_store(write("w.jsonl", json.dumps(work) + "\n" + json.dumps(uncited) + "\n"))
    assert rows(
        store, "SELECT ?doi ?rule WHERE { ?p bibo:doi ?doi ; ptm:meetsNaturalScienceRule ?rule }"
    ) == {("10.5000/oa.20", "v1"), ("10.5000/oa.20", "v2")}


def test_work_to_record_is_the_one_way_in(real_work):
    from kg.importers.openalex import work_to_record
    from kg.records import PaperRecord

    record = work_to_record(real_work)
    assert isinstance(record, PaperRecord)
    assert record.doi == "10.7717/peerj.4375"
    assert record.openalex_id == "https://openalex.org/W2741809807"
    assert work_to_record(["not", "a", "work"]).reason.startswith("expected an OpenAlex work")


def test_a_gzip_file_without_works_is_refused(tmp_path):
    path = tmp_path / "other.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("hello\n")
    with pytest.raises(kg.SourceError, match="gzip file that does not hold OpenAlex works"):
        kg.build(kg.EmbeddedStore(None), [path])
