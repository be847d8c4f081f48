"""``ptmkg link wikidata`` against two real Oxigraph servers on 127.0.0.1.

One holds the scholarly articles, the other everything else (as Wikidata since
2025); a counting proxy in front of each answers 429 or 500 on cue. The expected
links are worked out by hand in tests/wikidata_fixture.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.http import HttpClient, RetryPolicy
from kg.links import drop_wikidata_links, link_wikidata
from tests.link_servers import SparqlProxy
from tests.wikidata_fixture import MODEL_LINKS, PAPER_LINKS, WD, our_store

LINK_GRAPH = f"{kg.DEFAULT_BASE_IRI}source/link-wikidata"
FAST = ("--rate", "1000", "--backoff", "0.01")


@pytest.fixture
def proxies(wikidata):
    scholarly, main = SparqlProxy(wikidata[0]), SparqlProxy(wikidata[1])
    yield scholarly, main
    scholarly.close()
    main.close()


@pytest.fixture
def store(store_path):
    return our_store(store_path)


def run(store, proxies, **options):
    options.setdefault("policy", RetryPolicy(1000, backoff=0.01))
    options.setdefault("papers_endpoint", proxies[0].endpoint)
    options.setdefault("models_endpoint", proxies[1].endpoint)
    return link_wikidata(store, **options)


def links_in_graph(store) -> tuple[set, set]:
    rows = kg.run_sparql(
        store,
        f"""
        SELECT ?subject ?label ?doi ?item ?method ?matched ?endpoint ?when WHERE {{
          GRAPH <{LINK_GRAPH}> {{
            ?subject ptm:wikidataItem ?item .
            ?match a owl:Axiom ; owl:annotatedSource ?subject ; owl:annotatedProperty ptm:wikidataItem ;
                   owl:annotatedTarget ?item ; sssom:mapping_justification ?justification ;
                   ptm:matchMethod ?method ; sssom:match_string ?matched ; ptm:endpoint ?endpoint ;
                   prov:generatedAtTime ?when ; prov:wasDerivedFrom <{LINK_GRAPH}> .
          }}
          OPTIONAL {{ ?subject rdfs:label ?label }}
        }}""",
    ).rows
    papers = {
        (r["subject"].rsplit("/paper/", 1)[1], r["item"].removeprefix(WD))
        for r in rows
        if "/paper/" in r["subject"]
    }
    models = {
        (r["label"], r["item"].removeprefix(WD), r["method"], r["matched"])
        for r in rows
        if "/model/" in r["subject"]
    }
    return papers, models, rows


def test_papers_by_doi_and_models_by_registry_label_and_alias(store, proxies):
    report = run(store, proxies)
    papers, models, rows = links_in_graph(store)
    assert papers == PAPER_LINKS
    assert models == MODEL_LINKS
    assert report.ambiguous == [("Mask R-CNN", [WD + "Q2008", WD + "Q2009"])]
    assert report.unverified == [("DeepLoc", WD + "Q9999999")]
    assert (report.papers, report.models) == (5, 9)
    # Papers were asked on the scholarly server, models on the main one.
    paper_rows = [r for r in rows if "/paper/" in r["subject"]]
    assert {r["endpoint"] for r in paper_rows} == {proxies[0].endpoint}
    assert {r["endpoint"] for r in rows} - {proxies[0].endpoint} == {proxies[1].endpoint}
    assert all(str(r["when"]).startswith("20") for r in rows)
    # DOIs went out in upper case, batched into one VALUES block.
    assert len(proxies[0].requests) == 1
    assert '"10.5000/A"' in proxies[0].queries[0] and "10.5000/a" not in proxies[0].queries[0]


def test_lookups_are_batched_with_values(store, proxies):
    run(store, proxies, batch_size=2)
    # Five DOIs, two per query: three queries. One check of the registry's two items; then
    # the names of the eight models not settled by the registry (AlexNet is): ten names
    # (ResNet-50 and VGG-16 bring an alias each), two per query: five queries.
    assert len(proxies[0].requests) == 3
    assert all("VALUES ?doi" in q for q in proxies[0].queries)
    assert len(proxies[1].requests) == 1 + 5


def test_a_rerun_comes_from_the_cache_and_replaces_the_graph(cli, store, store_path, proxies):
    store.close()
    args = (
        "link", "wikidata", "--store", store_path, "--papers-endpoint", proxies[0].endpoint,
        "--models-endpoint", proxies[1].endpoint, *FAST,
    )  # fmt: skip
    first = cli(*args)
    assert first.exit_code == 0, first.output
    # a, b (two items) and AlexNet's origin paper; c and d are not found.
    assert "papers: 3 of 5 linked by DOI" in first.stdout
    assert "models: 7 of 9 linked" in first.stdout
    assert "ambiguous: Mask R-CNN matches Q2008, Q2009; not linked" in first.stderr
    assert "the registry's item Q9999999 for DeepLoc is not at" in first.stderr
    asked = len(proxies[0].requests) + len(proxies[1].requests)
    before = links_in_graph(kg.EmbeddedStore(store_path))[:2]
    again = cli(*args)
    assert again.exit_code == 0, again.output
    assert len(proxies[0].requests) + len(proxies[1].requests) == asked
    assert "0 asked in 0 request(s)" in again.stdout
    after = kg.EmbeddedStore(store_path)
    assert links_in_graph(after)[:2] == before
    # Replaced, not added to: one match node per link.
    count = kg.run_sparql(
        after,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{LINK_GRAPH}> {{ ?m sssom:mapping_justification ?how }} }}",
    ).rows[0]["n"]
    assert count == len(PAPER_LINKS) + len(MODEL_LINKS)


def test_drop_removes_the_links_and_only_them(cli, store, store_path, proxies):
    run(store, proxies)
    store.close()
    dropped = cli("link", "wikidata", "--store", store_path, "--drop")
    assert dropped.exit_code == 0 and "dropped the Wikidata links" in dropped.stdout
    after = kg.EmbeddedStore(store_path)
    assert LINK_GRAPH not in after.named_graphs()
    assert "urn:test:corpus" in after.named_graphs()
    assert not drop_wikidata_links(after)
    assert (
        "there were no Wikidata links"
        in cli("link", "wikidata", "--store", store_path, "--drop").stdout
    )


def test_only_papers_or_only_models(store, proxies):
    report = run(store, proxies, models=False)
    assert proxies[1].requests == []
    papers, models, _ = links_in_graph(store)
    assert (papers, models) == (PAPER_LINKS, set())
    assert report.endpoints_asked == [proxies[0].endpoint]


def test_model_classes_restrict_the_matches(store, proxies):
    # Only large language models: BERT (by label) and AlexNet (the registry's id, which is
    # checked for existence, not class) remain.
    run(store, proxies, papers=False, model_classes=["Q115305900"])
    assert {m[0] for m in links_in_graph(store)[1]} == {"AlexNet", "BERT"}


def test_429_and_500_are_retried(store, proxies):
    proxies[0].fail_next(429, retry_after="2")
    proxies[1].fail_next(500, times=2)
    waits: list[float] = []
    client = HttpClient(RetryPolicy(1000, backoff=0.25), sleep=waits.append)
    run(store, proxies, client=client)
    assert waits == [2.0, 0.25, 0.5]
    assert links_in_graph(store)[:2] == (PAPER_LINKS, MODEL_LINKS)


def test_an_outage_leaves_the_store_alone_and_a_rerun_resumes(cli, store, store_path, proxies):
    store.close()
    args = (
        "link", "wikidata", "--store", store_path, "--papers-endpoint", proxies[0].endpoint,
        "--models-endpoint", proxies[1].endpoint, "--retries", "1", "--batch-size", "4", *FAST,
    )  # fmt: skip
    proxies[1].outage_after = 1  # the registry check is answered, then the main server fails
    failed = cli(*args)
    assert failed.exit_code == 1
    assert "HTTP 500" in failed.stderr and "run the same command again to resume" in failed.stderr
    assert LINK_GRAPH not in kg.EmbeddedStore(store_path).named_graphs()
    proxies[1].outage_after = None
    scholarly_before = len(proxies[0].requests)
    proxies[1].requests.clear()
    resumed = cli(*args)
    assert resumed.exit_code == 0, resumed.output
    assert len(proxies[0].requests) == scholarly_before  # the papers were all cached
    assert not any("?item ?property ?value" in q for q in proxies[1].queries)  # so was the check
    assert links_in_graph(kg.EmbeddedStore(store_path))[:2] == (PAPER_LINKS, MODEL_LINKS)


def test_an_endpoint_that_is_not_sparql(store, proxies):
    with pytest.raises(kg.PtmkgError, match="no SPARQL endpoint"):
        run(store, proxies, papers_endpoint=proxies[0].url + "/nothing/here")


def test_endpoints_and_classes_are_checked(cli, store, store_path, proxies):
    store.close()
    bad = cli("link", "wikidata", "--store", store_path, "--papers-endpoint", "ftp://x/sparql")
    assert bad.exit_code == 1 and "not an http(s) endpoint" in bad.stderr
    hostile = cli(
        "link", "wikidata", "--store", store_path, "--models-endpoint",
        "http://x/> } DROP ALL { <", "--only", "models",
    )  # fmt: skip
    assert hostile.exit_code == 1 and "not a valid endpoint IRI" in hostile.stderr
    klass = cli("link", "wikidata", "--store", store_path, "--model-class", "neural net", *FAST,
                "--papers-endpoint", proxies[0].endpoint, "--models-endpoint", proxies[1].endpoint)  # fmt: skip
    assert klass.exit_code == 1 and "not a Wikidata item id" in klass.stderr
    only = cli("link", "wikidata", "--store", store_path, "--only", "authors")
    assert only.exit_code == 1 and "--only takes 'papers' or 'models'" in only.stderr
    assert proxies[0].requests == [] and proxies[1].requests == []


def test_the_cache_lives_beside_the_store(store, store_path, proxies):
    report = run(store, proxies)
    assert report.cache == Path(store_path) / "link-cache.sqlite"
    assert report.cache.exists()


def test_links_on_a_built_graph_conform_to_the_shapes(write, build_store, proxies):
    sheet = "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n"
    store = build_store(
        write("s.csv", sheet + '10.5000/a,True,True,"[AlexNet, Adaptation]; [BERT, Adaptation]"\n')
    )
    run(store, proxies)
    papers, models, _ = links_in_graph(store)
    assert ("10.5000/a", "Q1001") in papers
    assert {"AlexNet", "BERT"} <= {m[0] for m in models}
    report = kg.validate(store)
    assert report.conforms, report.violations
