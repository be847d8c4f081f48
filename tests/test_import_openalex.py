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
    # Each authorship keeps its place, the work's affiliation strings and institutions.
    authorships = kg.run_sparql(
        store,
        f"""SELECT ?position ?label ?name ?corresponding WHERE {{ {PAPER}
        ?p ptm:hasAuthorship ?s . ?s ptm:authorPosition ?position ; ptm:author/schema:name ?name ;
        ptm:authorPositionLabel ?label ; ptm:isCorresponding ?corresponding }}
        ORDER BY ?position""",
    ).rows
    assert [(r["position"], r["label"], r["name"]) for r in authorships] == [
        (n, a["author_position"], a["author"]["display_name"])
        for n, a in enumerate(real_work["authorships"], start=1)
    ]
    assert authorships[2]["name"] == "Vincent Larivière"
    assert {r["corresponding"] for r in authorships} == {False}
    affiliations = rows(
        store,
        f"""SELECT ?institution ?ror ?country ?type WHERE {{ {PAPER}
        ?p ptm:hasAuthorship ?s . ?s ptm:authorPosition 3 ; ptm:affiliation ?i .
        ?i schema:name ?institution ; schema:sameAs ?ror ; schema:addressCountry ?country ;
           ptm:institutionType ?type }}""",
    )
    assert affiliations == {
        ("Université de Montréal", "https://ror.org/0161xgx34", "CA", "funder"),
        ("Université du Québec à Montréal", "https://ror.org/002rjbv21", "CA", "funder"),
    }
    raw = rows(
        store,
        f"""SELECT ?text WHERE {{ {PAPER} ?p ptm:hasAuthorship ?s .
        ?s ptm:authorPosition 3 ; ptm:rawAffiliation ?text }}""",
    )
    assert {t for (t,) in raw} == set(real_work["authorships"][2]["raw_affiliation_strings"])
    # Affiliation hangs on the authorship, not on the person.
    assert rows(store, "SELECT ?a WHERE { ?a a schema:Person ; ptm:affiliation ?i }") == set()
    assert rows(store, f"SELECT ?c WHERE {{ {PAPER} ?p a ?c }}") >= {
        ("http://purl.org/spar/fabio/JournalArticle",)
    }
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
    assert (source.format, source.read, source.accepted, source.rejected) == ("openalex", 5, 3, 2)
    assert [(r.location, r.reason) for r in source.rejects] == [
        ("results[3]", "the work has no OpenAlex id (https://openalex.org/W...)"),
        ("results[4]", "duplicate work: DOI 10.5000/oa.2 already came from results[1]"),
    ]
    store = kg.EmbeddedStore(tmp_path / "s")
    assert kg.stats(store).summary["papers"] == 3
    # The work without a DOI is a paper keyed by its OpenAlex id, with all it says.
    assert rows(
        store,
        """SELECT ?p ?title WHERE { ?p a ptm:Paper ; ptm:openAlexWork <https://openalex.org/W3> ;
        dcterms:title ?title FILTER NOT EXISTS { ?p bibo:doi ?d } }""",
    ) == {("https://w3id.org/ptmkg/id/paper/openalex/W3", real_work["title"])}
    store.close()
    # The rejects hold the whole records: fixed, they build as they are.
    lines = source.rejects_file.read_text(encoding="utf-8").splitlines()
    kept = [json.loads(line) for line in lines]
    assert [k["_reason"] for k in kept] == [r.reason for r in source.rejects]
    assert {k: v for k, v in kept[0].items() if not k.startswith("_")} == no_id
    assert {k: v for k, v in kept[1].items() if not k.startswith("_")} == duplicate
    kept[0]["id"] = "https://openalex.org/W4"
    kept[1]["doi"] = "https://doi.org/10.5000/oa.5"
    source.rejects_file.write_text("".join(json.dumps(k) + "\n" for k in kept))
    again = kg.build(
        kg.EmbeddedStore(tmp_path / "s"), [source.rejects_file], rejects_dir=tmp_path / "r2"
    )
    assert (again.sources[0].accepted, again.sources[0].rejected) == (2, 0)
    assert kg.stats(kg.EmbeddedStore(tmp_path / "s")).summary["papers"] == 5


def test_an_empty_page_builds_beside_the_other_shapes(write, tmp_path, real_work, cli):
    """The last page of a paged query, a single work with and without a DOI, and a list."""
    empty = write(
        "page-3.json",
        json.dumps(
            {
                "meta": {
                    "count": 2,
                    "db_response_time_ms": 12,
                    "page": 3,
                    "per_page": 1,
                    "groups_count": None,
                },
                "results": [],
                "group_by": [],
            }
        ),
    )
    single = write("single.json", json.dumps(real_work, indent=2))
    no_doi = _variant(real_work, 31, doi=None)
    no_doi["ids"] = {"openalex": no_doi["id"]}
    single_no_doi = write("no-doi.json", json.dumps(no_doi))
    listed = write(
        "page-1.json", json.dumps({"meta": {"count": 2}, "results": [_variant(real_work, 32)]})
    )
    result = cli(
        "build",
        empty,
        single,
        single_no_doi,
        listed,
        "--store",
        tmp_path / "s",
        "--rejects",
        tmp_path / "r",
    )
    assert result.exit_code == 0, result.output
    assert "page-3.json (openalex, OpenAlex works): 0 read" in result.stdout
    assert "an OpenAlex list response without works (meta: count 2, page 3)" in result.stderr
    assert "Built 4 source(s)" in result.stdout and "3 accepted + 0 rejected" in result.stdout
    assert kg.stats(kg.EmbeddedStore(tmp_path / "s")).summary["papers"] == 3


def test_an_author_keeps_each_works_own_institutions(build_store, write, real_work):
    first = _variant(real_work, 40)
    second = _variant(real_work, 41)
    second["authorships"] = [copy.deepcopy(real_work["authorships"][2])]  # Larivière alone
    second["authorships"][0]["author_position"] = "first"
    second["authorships"][0]["is_corresponding"] = True
    second["authorships"][0]["institutions"] = [
        {
            "id": "https://openalex.org/I99",
            "display_name": "Elsewhere University",
            "ror": "https://ror.org/099zz9z99",
            "country_code": "fr",
            "type": "education",
        }
    ]
    second["authorships"][0]["raw_affiliation_strings"] = ["Elsewhere, Paris"]
    store = build_store(write("two.jsonl", json.dumps(first) + "\n" + json.dumps(second) + "\n"))
    found = rows(
        store,
        """SELECT ?doi ?position ?corresponding ?institution ?country WHERE {
        ?p bibo:doi ?doi ; ptm:hasAuthorship ?s .
        ?s ptm:author/schema:name "Vincent Larivière" ; ptm:authorPosition ?position ;
           ptm:isCorresponding ?corresponding ; ptm:affiliation ?i .
        ?i schema:name ?institution ; schema:addressCountry ?country }""",
    )
    assert found == {
        ("10.5000/oa.40", 3, False, "Université de Montréal", "CA"),
        ("10.5000/oa.40", 3, False, "Université du Québec à Montréal", "CA"),
        ("10.5000/oa.41", 1, True, "Elsewhere University", "FR"),
    }
    # One person node for the author of both works.
    larivière = real_work["authorships"][2]["author"]["id"]
    assert rows(store, 'SELECT ?a WHERE { ?a schema:name "Vincent Larivière" }') == {(larivière,)}


def test_journal_dois_are_refused_and_the_works_kept_by_their_ids(
    build_store, write, real_work, tmp_path
):
    one = _variant(real_work, 50, doi="https://doi.org/10.1126/science", title="Science")
    two = _variant(real_work, 51, doi="https://doi.org/10.1126/SCIENCE", title="Science")
    path = write("journal.jsonl", json.dumps(one) + "\n" + json.dumps(two) + "\n")
    report = kg.build(kg.EmbeddedStore(tmp_path / "s"), [path], rejects_dir=tmp_path / "r")
    (source,) = report.sources
    assert (source.accepted, source.rejected) == (2, 0)
    assert [problem for _, _, problem in source.problems] == [
        "work https://openalex.org/W50: DOI 10.1126/science names a journal or publisher, "
        "not one work (no number in it); the work is kept by its id",
        "work https://openalex.org/W51: DOI 10.1126/science names a journal or publisher, "
        "not one work (no number in it); the work is kept by its id",
    ]
    store = kg.EmbeddedStore(tmp_path / "s")
    assert rows(store, "SELECT ?doi WHERE { ?p a ptm:Paper ; bibo:doi ?doi }") == set()
    assert kg.stats(store).summary["papers"] == 2


def test_the_summary_counts_the_triples_stored(tmp_path, real_work, write):
    path = write(
        "w.json",
        json.dumps({"meta": {"count": 2}, "results": [real_work, _variant(real_work, 60)]}),
    )
    store = kg.EmbeddedStore(tmp_path / "s")
    (source,) = kg.build(store, [path], rejects_dir=tmp_path / "r").sources
    graph = kg.run_sparql(
        store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{source.graph}> {{ ?s ?p ?o }} }}"
    ).rows[0]["n"]
    assert source.triples == graph


@pytest.mark.parametrize(
    ("work_type", "classes"),
    [
        ("article", {"http://purl.org/spar/fabio/JournalArticle"}),
        ("review", {"http://purl.org/spar/fabio/ReviewArticle"}),
        ("preprint", {"http://purl.org/spar/fabio/Preprint"}),
        ("dataset", {"http://schema.org/Dataset"}),
        ("book-chapter", {"http://purl.org/spar/fabio/BookChapter", "http://schema.org/Chapter"}),
        ("peer-review", set()),
    ],
)
def test_the_work_type_chooses_the_class(build_store, write, real_work, work_type, classes):
    store = build_store(write("w.json", json.dumps(_variant(real_work, 70, type=work_type))))
    found = {c for (c,) in rows(store, "SELECT ?c WHERE { ?p bibo:doi ?d ; a ?c }")}
    common = {
        "https://w3id.org/ptmkg/ontology#Paper",
        "http://purl.org/spar/fabio/Expression",
        "http://schema.org/ScholarlyArticle",
    }
    assert found == common | classes
    assert "http://purl.org/spar/fabio/ResearchPaper" not in found


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


@pytest.mark.parametrize(
    "order",
    [
        ("no-doi", "sheet", "with-doi"),
        ("with-doi", "no-doi", "sheet"),
        ("sheet", "with-doi", "no-doi"),
        ("with-doi", "sheet", "no-doi"),
    ],
)
def test_a_work_known_by_its_id_and_later_by_its_doi_is_one_paper(
    write, tmp_path, real_work, order
):
    """Builds one source at a time, in every order: once a source links the OpenAlex id to
    the DOI (owl:sameAs), the counts see one paper, whichever graph came first."""
    no_doi = _variant(real_work, 80, doi=None)
    no_doi["ids"] = {"openalex": no_doi["id"]}
    files = {
        "no-doi": write("no-doi.jsonl", json.dumps(no_doi) + "\n"),
        "sheet": write(
            "sheet.csv",
            "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n"
            '10.5000/OA.80,True,True,"[BERT, Adaptation]"\n',
        ),
        "with-doi": write("with-doi.jsonl", json.dumps(_variant(real_work, 80)) + "\n"),
    }
    store_path = tmp_path / "s"
    built: list[str] = []
    for name in order:
        kg.build(kg.EmbeddedStore(store_path), [files[name]], rejects_dir=tmp_path / "r")
        built.append(name)
        store = kg.EmbeddedStore(store_path)
        papers = kg.run_query(store, "corpus-summary").rows[0]["papers"]
        funnel = kg.run_query(store, "study-funnel").rows[0]
        store.close()
        linked = "with-doi" in built or built == ["no-doi"] or built == ["sheet"]
        assert papers == (1 if linked else 2), built
        if "with-doi" in built or "no-doi" in built:
            assert funnel["cited_papers"] == 1, built
    store = kg.EmbeddedStore(store_path)
    assert rows(store, "SELECT ?doi_paper ?id_paper WHERE { ?doi_paper owl:sameAs ?id_paper }") == {
        (
            "https://w3id.org/ptmkg/id/paper/10.5000/oa.80",
            "https://w3id.org/ptmkg/id/paper/openalex/W80",
        )
    }
    # What the sheet says and what the work without a DOI says meet through the link.
    assert rows(
        store,
        """SELECT ?model ?title WHERE {
        ?paper owl:sameAs ?alias ; ptm:reusesModel/rdfs:label ?model .
        ?alias dcterms:title ?title }""",
    ) == {("BERT", real_work["title"])}


def test_the_openalex_graph_is_declared_consistent_and_infers_nothing_absurd(
    build_store, write, tmp_path, real_work
):
    """Authorships, organisations, work-type classes and the owl:sameAs of identity, against
    the ontology: every ptm term declared, Pellet consistent, OWL RL closure sane."""
    import owlrl
    import rdflib
    from ontology_reasoning import absurdities, closed, store_graph
    from owl_checks import pellet_consistent

    from kg.resources import ontology_file

    no_doi = _variant(real_work, 91, doi=None, type="preprint")
    store = build_store(
        write(
            "w.jsonl",
            "".join(json.dumps(w) + "\n" for w in (real_work, _variant(real_work, 90), no_doi)),
        )
    )
    ontology = rdflib.Graph().parse(ontology_file(), format="turtle")
    declared = {str(s) for s in ontology.subjects() if str(s).startswith(PTM)}
    used = kg.run_sparql(
        store,
        f"""SELECT DISTINCT ?term WHERE {{ {{ ?s ?term ?o }} UNION {{ ?s a ?term }}
        FILTER(STRSTARTS(STR(?term), "{PTM}")) }}""",
    ).column("term")
    assert {f"{PTM}Authorship", f"{PTM}affiliation", f"{PTM}rawAffiliation"} <= set(used)
    assert set(used) <= declared
    data = store_graph(store)
    document = tmp_path / "openalex.owl"
    (ontology + data).serialize(document, format="xml")
    assert pellet_consistent(document)
    assert absurdities(data, closed(data, owlrl.OWLRL_Semantics)) == []


PTM = "https://w3id.org/ptmkg/ontology#"
