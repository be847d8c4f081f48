"""``ptmkg link openalex`` against a local stand-in for the OpenAlex API on 127.0.0.1.

The graph is built from a small sheet of five papers. The server knows four of
them (one is the real work object from ../shared/data), answers in batches, and
fails on cue: 429 with Retry-After, 500s, an outage part-way through.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kg
from kg.http import HttpClient, RetryPolicy, retry_after_seconds
from kg.importers.openalex import work_to_record
from kg.links import link_openalex
from kg.records import PaperRecord, Reject
from tests.conftest import SHARED_DATA
from tests.link_servers import FakeOpenAlex

SHEET = "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n"
_REAL_WORK_FILE = SHARED_DATA / "openalex" / "W2741809807.json"
if not _REAL_WORK_FILE.exists():
    pytest.skip("the shared OpenAlex sample is not beside the repository", allow_module_level=True)
REAL_WORK = json.loads(_REAL_WORK_FILE.read_text())
# The sheet's DOIs, sorted as the link command asks for them.
DOIS = ["10.5000/a1", "10.5000/b2", "10.5000/c3", "10.5000/unknown4", "10.7717/peerj.4375"]
# The papers' own look-ups; the origin papers of the registry's models have their tests.
FAST = ("--rate", "1000", "--backoff", "0.01", "--no-origins")


def work(doi: str, number: int, title: str, cited: int = 3, year: int = 2020) -> dict:
    return {
        "id": f"https://openalex.org/W{number}",
        "doi": f"https://doi.org/{doi}",
        "title": title,
        "display_name": title,
        "publication_year": year,
        "type": "article",
        "cited_by_count": cited,
        "topics": [],
        "authorships": [],
        "referenced_works": [],
        "ids": {"openalex": f"https://openalex.org/W{number}", "doi": f"https://doi.org/{doi}"},
    }


WORKS = [
    work("10.5000/a1", 1, "Alpha"),
    # OpenAlex writes DOIs as it likes; the link matches them case-insensitively.
    work("10.5000/B2", 2, "Beta", year=2021),
    work("10.5000/c3", 3, "Gamma", cited=0),
    REAL_WORK,
]


@pytest.fixture
def openalex():
    server = FakeOpenAlex([dict(w) for w in WORKS])
    yield server
    server.close()


@pytest.fixture
def graph(write, build_store):
    rows = "".join(f"{doi},True,False,\n" for doi in DOIS)
    return build_store(write("sheet.csv", SHEET + rows))


def openalex_rows(store) -> dict[str, tuple]:
    result = kg.run_sparql(
        store,
        """
        SELECT ?doi ?work ?title ?cited WHERE {
          ?paper a ptm:Paper ; bibo:doi ?doi ; ptm:openAlexWork ?work .
          OPTIONAL { ?paper dcterms:title ?title }
          OPTIONAL { ?paper ptm:citedByCount ?cited }
        } ORDER BY ?doi""",
    )
    return {row["doi"]: (row["work"], row["title"], row["cited"]) for row in result.rows}


def paper_count(store) -> int:
    return kg.run_sparql(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ptm:Paper }").rows[
        0
    ]["n"]


def asked(server) -> list[str]:
    return [doi for request in server.requests for doi in request.dois]


def test_link_fetches_works_in_batches_and_merges_them_into_the_papers(
    cli, graph, store_path, openalex
):
    graph.close()
    result = cli(
        "link", "openalex", "--store", store_path, "--base-url", openalex.url,
        "--mailto", "me@example.org", "--batch-size", "2", *FAST,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # Five DOIs, two per request: three requests, each from the polite pool.
    assert len(openalex.requests) == 3
    assert [r.dois for r in openalex.requests] == [DOIS[0:2], DOIS[2:4], DOIS[4:]]
    assert all(r.params["mailto"] == ["me@example.org"] for r in openalex.requests)
    assert all(r.params["per_page"] == ["200"] for r in openalex.requests)
    assert "5 paper(s) without OpenAlex metadata: 4 linked, 1 not in OpenAlex" in result.stdout
    assert "not in OpenAlex: 10.5000/unknown4" in result.stderr
    store = kg.EmbeddedStore(store_path)
    rows = openalex_rows(store)
    assert rows == {
        "10.5000/a1": ("https://openalex.org/W1", "Alpha", 3),
        "10.5000/b2": ("https://openalex.org/W2", "Beta", 3),
        "10.5000/c3": ("https://openalex.org/W3", "Gamma", 0),
        "10.7717/peerj.4375": (
            "https://openalex.org/W2741809807",
            REAL_WORK["title"],
            REAL_WORK["cited_by_count"],
        ),
    }
    # One node per DOI: the works merged into the sheet's papers.
    assert paper_count(store) == 5
    assert f"{kg.DEFAULT_BASE_IRI}source/link-openalex" in store.named_graphs()


def test_the_link_graph_records_endpoint_and_time(graph, openalex):
    link_openalex(graph, base_url=openalex.url, policy=RetryPolicy(1000), origins=False)
    row = kg.run_sparql(
        graph,
        """
        SELECT ?endpoint ?when ?accepted WHERE {
          GRAPH ?g { ?g a ptm:Source ; ptm:endpoint ?endpoint ; prov:generatedAtTime ?when ;
                        ptm:recordsAccepted ?accepted }
        }""",
    ).rows
    assert len(row) == 1
    assert row[0]["endpoint"] == openalex.url
    assert row[0]["accepted"] == 4
    assert str(row[0]["when"])[:2] == "20"


def test_a_rerun_asks_nothing_and_gives_the_same_graph(cli, graph, store_path, openalex):
    graph.close()
    args = ("link", "openalex", "--store", store_path, "--base-url", openalex.url, *FAST)
    assert cli(*args).exit_code == 0
    first = len(openalex.requests)
    before = openalex_rows(kg.EmbeddedStore(store_path))
    again = cli(*args)
    assert again.exit_code == 0, again.output
    assert len(openalex.requests) == first  # every DOI, found or not, came from the cache
    assert "5 answered from the cache" in again.stdout
    assert "0 asked in 0 request(s)" in again.stdout
    assert openalex_rows(kg.EmbeddedStore(store_path)) == before
    refreshed = cli(*args, "--refresh")
    assert refreshed.exit_code == 0
    assert len(openalex.requests) == first + 1


def test_papers_with_openalex_metadata_from_a_source_are_not_asked(graph, openalex):
    graph.update(
        "INSERT DATA { GRAPH <urn:example:other-source> { "
        f"<{kg.DEFAULT_BASE_IRI}paper/10.5000/a1> ptm:openAlexWork <https://openalex.org/W9> "
        "} }"
    )
    report = link_openalex(graph, base_url=openalex.url, policy=RetryPolicy(1000), origins=False)
    assert report.papers == 4
    assert "10.5000/a1" not in asked(openalex)


def test_429_waits_as_long_as_retry_after_says(graph, openalex):
    openalex.fail_next(429, retry_after="7")
    waits: list[float] = []
    client = HttpClient(RetryPolicy(1000, backoff=0.01), sleep=waits.append)
    report = link_openalex(graph, base_url=openalex.url, client=client, origins=False)
    assert waits[0] == 7.0  # Retry-After, not the backoff
    assert report.written == 4
    assert report.requests == 2  # the refused request and its retry


def test_429_on_the_command_line(cli, graph, store_path, openalex):
    graph.close()
    openalex.fail_next(429, retry_after="1")
    result = cli("link", "openalex", "--store", store_path, "--base-url", openalex.url, *FAST)
    assert result.exit_code == 0, result.output
    assert len(openalex.requests) == 2
    assert openalex.requests[0].dois == openalex.requests[1].dois


def test_server_errors_are_retried_with_growing_waits(graph, openalex):
    openalex.fail_next(500, times=2)
    openalex.fail_next(503)
    waits: list[float] = []
    client = HttpClient(RetryPolicy(1000, backoff=0.5), sleep=waits.append)
    report = link_openalex(graph, base_url=openalex.url, client=client, origins=False)
    assert waits == [0.5, 1.0, 2.0]
    assert report.written == 4


def test_a_client_error_is_not_retried(cli, graph, store_path, openalex):
    graph.close()
    openalex.fail_next(400)
    result = cli("link", "openalex", "--store", store_path, "--base-url", openalex.url, *FAST)
    assert result.exit_code == 1
    assert len(openalex.requests) == 1
    assert "answered HTTP 400" in result.stderr
    assert "the store is unchanged" in result.stderr


def test_an_outage_stops_the_run_and_a_rerun_resumes_where_it_stopped(
    cli, graph, store_path, openalex
):
    graph.close()
    args = ("link", "openalex", "--store", store_path, "--base-url", openalex.url,
            "--batch-size", "2", "--retries", "2", *FAST)  # fmt: skip
    openalex.outage_after = 1  # the first batch is answered, then only 500s
    failed = cli(*args)
    assert failed.exit_code == 1
    assert "HTTP 500" in failed.stderr and "after 3 attempt(s)" in failed.stderr
    assert "run the same command again to resume" in failed.stderr
    assert openalex_rows(kg.EmbeddedStore(store_path)) == {}  # the store is unchanged
    assert len(openalex.requests) == 1 + 3
    openalex.outage_after = None
    openalex.requests.clear()
    resumed = cli(*args)
    assert resumed.exit_code == 0, resumed.output
    # The first batch (a, b) was cached before the outage and is not asked again.
    assert asked(openalex) == DOIS[2:]
    assert "2 answered from the cache" in resumed.stdout
    assert len(openalex_rows(kg.EmbeddedStore(store_path))) == 4


def test_an_interrupted_run_resumes(graph, openalex):
    def interrupt(what: str, done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        link_openalex(
            graph, base_url=openalex.url, batch_size=3, policy=RetryPolicy(1000), origins=False,
            cache_path=Path("cache.sqlite"), progress=interrupt,
        )  # fmt: skip
    assert asked(openalex) == DOIS[:3]
    assert kg.DEFAULT_BASE_IRI + "source/link-openalex" not in graph.named_graphs()
    openalex.requests.clear()
    report = link_openalex(
        graph, base_url=openalex.url, batch_size=3, policy=RetryPolicy(1000), origins=False,
        cache_path=Path("cache.sqlite"),
    )  # fmt: skip
    assert asked(openalex) == DOIS[3:]
    assert (report.from_cache, report.asked, report.written) == (3, 2, 4)


def test_a_doi_that_would_split_the_filter_is_asked_alone(write, build_store, openalex):
    openalex.works.append(work("10.5000/x,y6", 7, "Comma"))
    store = build_store(
        write("s.csv", SHEET + '"10.5000/x,y6",True,False,\n10.5000/a1,True,False,\n')
    )
    report = link_openalex(store, base_url=openalex.url, policy=RetryPolicy(1000), origins=False)
    assert [r.dois for r in openalex.requests] == [["10.5000/a1"], ["10.5000/x,y6"]]
    assert openalex.requests[1].path == "/works/doi:10.5000/x%2Cy6"
    assert report.written == 2
    assert openalex_rows(store)["10.5000/x,y6"][0] == "https://openalex.org/W7"


def test_two_works_for_one_doi_keep_the_most_cited(graph, openalex):
    openalex.works.append(work("10.5000/a1", 99, "Alpha again", cited=50))
    report = link_openalex(graph, base_url=openalex.url, policy=RetryPolicy(1000), origins=False)
    assert openalex_rows(graph)["10.5000/a1"][0] == "https://openalex.org/W99"
    assert report.warnings == [
        "OpenAlex has more than one work for 10.5000/a1; kept https://openalex.org/W99"
    ]


def test_works_the_importer_rejects_are_reported(graph, openalex):
    def picky(work: dict, options) -> PaperRecord | Reject:
        if work.get("cited_by_count") == 0:
            return Reject(0, "never cited", where=work["doi"])
        return work_to_record(work, options)

    report = link_openalex(
        graph, base_url=openalex.url, policy=RetryPolicy(1000), origins=False, work_to_record=picky
    )
    assert [r.reason for r in report.rejects] == ["never cited"]
    assert (report.found, report.written) == (4, 3)
    assert "10.5000/c3" not in openalex_rows(graph)


def test_papers_under_another_base_iri_are_refused(cli, write, tmp_path, openalex):
    sheet = write("s.csv", SHEET + "10.5000/a1,True,False,\n")
    store = tmp_path / "other"
    assert (
        cli("build", sheet, "--store", store, "--base-iri", "https://example.org/").exit_code == 0
    )
    result = cli("link", "openalex", "--store", store, "--base-url", openalex.url, *FAST)
    assert result.exit_code == 1
    assert "pass the --base-iri the graph was built with" in result.stderr
    assert openalex.requests == []
    ok = cli("link", "openalex", "--store", store, "--base-url", openalex.url,
             "--base-iri", "https://example.org/", *FAST)  # fmt: skip
    assert ok.exit_code == 0, ok.output


def test_an_empty_store_and_bad_options_are_messages(cli, tmp_path, openalex):
    empty = cli("link", "openalex", "--store", tmp_path / "none", "--base-url", openalex.url)
    assert empty.exit_code == 1 and "run 'ptmkg build" in empty.stderr
    bad = cli("link", "openalex", "--store", tmp_path / "none", "--base-url", "file:///etc")
    assert bad.exit_code == 1 and "not an http(s) endpoint" in bad.stderr
    big = cli("link", "openalex", "--store", tmp_path / "none", "--batch-size", "500")
    assert big.exit_code == 1 and "between 1 and 100" in big.stderr
    assert openalex.requests == []


# ------------------------------------------------------------ the HTTP client


def test_requests_are_paced_to_the_rate():
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    client = HttpClient(RetryPolicy(requests_per_second=4), sleep=sleep, clock=lambda: clock[0])
    for _ in range(3):
        client._pace()
    assert waits == [0.25, 0.25]


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_a_server_asking_to_wait_too_long_stops_the_run(graph, openalex):
    openalex.fail_next(429, retry_after="3600")
    with pytest.raises(kg.PtmkgError, match="asks to wait 3600 s"):
        link_openalex(graph, base_url=openalex.url, policy=RetryPolicy(1000), origins=False)


def test_no_server_at_all(graph):
    client = HttpClient(RetryPolicy(1000, attempts=2, backoff=0.0))
    with pytest.raises(kg.PtmkgError, match="no answer"):
        link_openalex(graph, base_url="http://127.0.0.1:9", client=client, origins=False)
    assert client.requests == 2


def test_the_linked_graph_conforms_to_the_shapes(graph, openalex):
    link_openalex(graph, base_url=openalex.url, policy=RetryPolicy(1000), origins=False)
    report = kg.validate(graph)
    assert report.conforms, report.violations


@pytest.mark.parametrize("command", ["openalex", "wikidata"])
def test_link_commands_explain_themselves_with_examples(cli, command):
    result = cli("link", command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout and f"ptmkg link {command}" in result.stdout


# ------------------------------------------------------------ the models' origin papers


def _registry_origins() -> dict[str, str]:
    """Origin DOI of every registered model that names one, by model name."""
    from kg.models.registry import ModelRegistry

    return {
        entry.name: entry.origin_doi.lower()
        for entry in ModelRegistry().entries.values()
        if entry.origin_doi
    }


def test_link_fills_in_the_origin_papers_of_every_registered_model(write, build_store):
    origins = _registry_origins()
    distinct = sorted(set(origins.values()))
    works = [work(doi, 5000 + n, f"Origin {n}") for n, doi in enumerate(distinct)]
    alexnet_work = works[distinct.index(origins["AlexNet"])]["id"]
    # A corpus paper that cites AlexNet's origin paper and reuses AlexNet, one that only
    # cites it, and one that only reuses it.
    citing = work("10.5000/cites1", 1, "Cites and reuses")
    citing["referenced_works"] = [alexnet_work]
    only_citing = work("10.5000/cites2", 2, "Only cites")
    only_citing["referenced_works"] = [alexnet_work]
    server = FakeOpenAlex([*works, citing, only_citing, work("10.5000/reuses3", 3, "Reuses")])
    try:
        store = build_store(
            write(
                "s.csv",
                SHEET + '10.5000/cites1,True,True,"[AlexNet, Adaptation]"\n'
                "10.5000/cites2,True,False,\n"
                '10.5000/reuses3,True,True,"[AlexNet, Deployment]"\n',
            )
        )
        before = kg.run_query(store, "model-origins", {"model": "AlexNet"}).rows
        assert [(r["reusing_papers"], r["citing_papers"]) for r in before] == [(2, 0)]
        report = link_openalex(store, base_url=server.url, policy=RetryPolicy(1000))
    finally:
        server.close()
    assert (report.papers, report.written) == (3, 3)
    assert (report.origins, report.origins_written, report.origins_not_found) == (
        len(distinct),
        len(distinct),
        [],
    )
    # Every registered model's origin paper now has its OpenAlex work.
    without = kg.run_sparql(
        store,
        """SELECT DISTINCT ?model WHERE { ?model ptm:introducedIn ?origin .
        FILTER NOT EXISTS { ?origin ptm:openAlexWork ?work } }""",
    ).rows
    assert without == []
    rows_after = kg.run_query(store, "model-origins", {"model": "AlexNet"}).rows
    (alexnet,) = rows_after
    assert (alexnet["origin_doi"], alexnet["reusing_papers"]) == (origins["AlexNet"], 2)
    assert (alexnet["citing_papers"], alexnet["reusing_and_citing"]) == (2, 1)
    # Origin papers are not papers of the corpus.
    assert paper_count(store) == 3
    assert kg.run_query(store, "corpus-summary").rows[0]["papers"] == 3


def test_origins_are_asked_after_the_papers_and_a_rerun_asks_nothing(graph, openalex):
    first = link_openalex(graph, base_url=openalex.url, policy=RetryPolicy(1000), batch_size=100)
    origins = sorted(set(_registry_origins().values()))
    assert first.origins == len(origins)
    asked = [r.dois for r in openalex.requests]
    assert asked[0] == DOIS  # the papers first, then the origins, 100 DOIs a request at most
    assert sorted(d for dois in asked[1:] for d in dois) == origins
    assert all(len(dois) <= 100 for dois in asked[1:])
    assert first.origins_not_found == origins  # the stand-in knows none of them
    openalex.requests.clear()
    again = link_openalex(graph, base_url=openalex.url, policy=RetryPolicy(1000))
    assert (again.asked, openalex.requests) == (0, [])
