"""The study's tables from the pipeline database, under both natural-science rules.

Hand counts come from pipeline_fixture.py: rule v1 keeps P1, P4, P6, P8; rule v2
adds P2. P4's analyses failed, so it counts as a natural-science paper but neither
as a deep-learning nor as a PTM paper.

The two ways of counting PTM papers are told apart by a second database, the same
rows plus two natural-science papers on which the rules disagree: P9's uses-PTMs answer
is yes but its reuse analysis failed (not JSON), and P10's uses-PTMs analysis failed
(an error object) while its reuse answer names adaptation.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pipeline_fixture import BIO, YES, make_database, work
from servers import oxigraph_server, virtuoso_server

import kg
from kg.credentials import Credentials
from kg.query.named import load_queries
from kg.query.results import write_csv
from kg.query.sparql import has_order_by
from kg.stores.remote import EndpointSettings, RemoteStore


def _add_paper(connection: sqlite3.Connection, number: int, answers: dict[str, str]) -> None:
    doi = f"10.1371/journal.pone.{1000 + number}"
    connection.execute(
        "INSERT INTO articles(search_id, doi, title, megajournal, journal) "
        "VALUES (1, ?, ?, 'PLOS', 'PLOS ONE')",
        (doi, f"Paper P{number}"),
    )
    connection.execute(
        "INSERT INTO openalex(timestamp, doi, cited_by_count, open_access, topic_0, topic_1, "
        "topic_2, json_data) VALUES ('t', ?, 3, 1, ?, ?, ?, ?)",
        (doi, BIO, BIO, BIO, work(doi, 2021, 13, BIO, f"W{1000 + number}")),
    )
    for kind, response in answers.items():
        connection.execute(
            f"INSERT INTO {kind}_analysis(doi, system_prompt, user_prompt, model_response, "
            "model_reasoning, compute_time_seconds) VALUES (?, 'p', 'u', ?, NULL, 1.0)",
            (doi, response),
        )


def make_disagreeing_database(path: Path) -> Path:
    make_database(path)
    reuse = json.dumps([{"model": "AlexNet", "classification": "adaptation_reuse"}])
    with sqlite3.connect(path) as connection:
        _add_paper(connection, 9, {"uses_dl": YES, "uses_ptms": YES, "identify_ptm_reuse": "{"})
        _add_paper(
            connection,
            10,
            {
                "uses_dl": YES,
                "uses_ptms": json.dumps({"error": "timeout"}),
                "identify_ptm_reuse": reuse,
            },
        )
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> kg.EmbeddedStore:
    folder = tmp_path_factory.mktemp("study")
    path = folder / "store"
    kg.build(
        kg.EmbeddedStore(path),
        [make_database(folder / "results.db")],
        rejects_dir=folder / "rejects",
    )
    return kg.EmbeddedStore(path)


def table(store, name, key, *columns, **params):
    result = kg.run_query(store, name, params)
    return {row[key]: tuple(row[c] for c in columns) for row in result.rows}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "v1",
            {
                "rule": "v1",
                "ptm_rule": "uses_ptms",
                "papers": 7,
                "cited_papers": 6,
                "natural_science_papers": 4,
                "dl_papers": 3,
                "ptm_papers": 3,
            },
        ),
        (
            "v2",
            {
                "rule": "v2",
                "ptm_rule": "uses_ptms",
                "papers": 7,
                "cited_papers": 6,
                "natural_science_papers": 5,
                "dl_papers": 4,
                "ptm_papers": 4,
            },
        ),
    ],
)
def test_the_filtering_funnel(store, rule, expected):
    assert kg.run_query(store, "study-funnel", {"rule": rule}).rows == [expected]


def test_the_funnel_defaults_to_rule_v2_the_published_corpus(store):
    (row,) = kg.run_query(store, "study-funnel").rows
    assert (row["rule"], row["natural_science_papers"]) == ("v2", 5)


@pytest.fixture(scope="module")
def disagreeing(tmp_path_factory: pytest.TempPathFactory) -> kg.EmbeddedStore:
    folder = tmp_path_factory.mktemp("disagreeing")
    database = make_disagreeing_database(folder / "results.db")
    kg.build(kg.EmbeddedStore(folder / "store"), [database], rejects_dir=folder / "rejects")
    return kg.EmbeddedStore(folder / "store")


@pytest.mark.parametrize(
    ("ptm_rule", "ptm_papers"),
    # uses_ptms: P1, P2, P6, P8 and P9 (yes, whatever the reuse analysis did);
    # pattern: P1, P2, P6, P8 and P10 (adaptation named, though uses_ptms failed).
    [("uses_ptms", 5), ("pattern", 5)],
)
def test_the_two_ptm_rules_count_different_papers(disagreeing, ptm_rule, ptm_papers):
    (row,) = kg.run_query(disagreeing, "study-funnel", {"ptm_rule": ptm_rule}).rows
    assert (row["natural_science_papers"], row["ptm_rule"], row["ptm_papers"]) == (
        7,
        ptm_rule,
        ptm_papers,
    )
    papers = kg.run_sparql(
        disagreeing,
        "SELECT ?doi WHERE { ?p bibo:doi ?doi ; ptm:reusesPretrainedModels true }"
        if ptm_rule == "uses_ptms"
        else "SELECT DISTINCT ?doi WHERE { ?p bibo:doi ?doi ; ptm:hasReuse/ptm:reusePattern ?x }",
    ).column("doi")
    assert ("10.1371/journal.pone.1009" in papers) == (ptm_rule == "uses_ptms")
    assert ("10.1371/journal.pone.1010" in papers) == (ptm_rule == "pattern")


def test_both_rules_side_by_side_with_the_failed_analyses_between(disagreeing):
    (row,) = kg.run_query(disagreeing, "ptm-paper-rules").rows
    assert row == {
        "rule": "v2",
        "natural_science_papers": 7,  # P1, P2, P4, P6, P8, P9, P10
        "uses_ptms_papers": 5,  # P1, P2, P6, P8, P9
        "yes_reuse_failed": 1,  # P9
        "yes_no_pattern": 0,
        "failed_uses_ptms": 2,  # P4, P10
        "failed_reuse": 2,  # P4, P9
        "pattern_uses_ptms_failed": 1,  # P10
        "pattern_not_yes": 0,
        "pattern_papers": 5,  # P1, P2, P6, P8, P10
    }
    assert (
        row["uses_ptms_papers"]
        - row["yes_reuse_failed"]
        - row["yes_no_pattern"]
        + row["pattern_uses_ptms_failed"]
        + row["pattern_not_yes"]
        == row["pattern_papers"]
    )
    (v1,) = kg.run_query(disagreeing, "ptm-paper-rules", {"rule": "v1"}).rows
    assert (v1["natural_science_papers"], v1["uses_ptms_papers"], v1["pattern_papers"]) == (
        6,
        4,
        4,
    )


def test_ptm_reusing_papers_by_field_under_rule_v1(store):
    assert table(
        store, "papers-by-field", "field_label", "papers", "dl_papers", "ptm_papers", rule="v1"
    ) == {
        "Biochemistry, Genetics and Molecular Biology": (2, 2, 2),
        "Computer Science": (1, 1, 1),
        "Immunology and Microbiology": (1, 1, 1),
        "Agricultural and Biological Sciences": (1, 1, 1),
        "Medicine": (1, 1, 1),
        # P4 alone: its analyses failed, so whether it uses DL or reuses PTMs is unknown
        # (not "no": a field of failed analyses only is not a field without PTM reuse).
        "Earth and Planetary Sciences": (1, None, None),
        "Environmental Science": (1, None, None),
        "Engineering": (1, None, None),
    }


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("v1", {"Adaptation": (3, 0.6), "Conceptual": (1, 0.2), "Deployment": (1, 0.2)}),
        ("v2", {"Adaptation": (3, 0.5), "Deployment": (2, 2 / 6), "Conceptual": (1, 1 / 6)}),
    ],
)
def test_pattern_shares(store, rule, expected):
    found = table(store, "reuse-by-pattern", "pattern_label", "reuse_instances", "share", rule=rule)
    assert {k: (n, pytest.approx(share)) for k, (n, share) in found.items()} == expected


def test_stage_counts_under_rule_v1(store):
    assert table(store, "reuse-by-stage", "stage_label", "model_reuses", rule="v1") == {
        "Observation": (1,),
        "Background": (1,),
        "Hypothesis": (1,),
        "Test": (2,),
        "Analysis": (1,),
    }


def test_top_models_under_rule_v1(store):
    assert table(store, "top-models", "model_label", "rank", "papers", rule="v1", limit=1) == {
        "AlexNet": (1, 2)
    }


def test_reuse_by_year_under_rule_v1(store):
    assert table(store, "reuse-by-year", "year", "papers", "ptm_papers", rule="v1") == {
        2020: (1, 1),
        2021: (1, 0),
        2022: (1, 1),
        2023: (1, 1),
    }


def test_the_funnel_through_the_cli(cli, store):
    result = cli(
        "query",
        "study-funnel",
        "--param",
        "rule=v1",
        "--param",
        "ptm_rule=pattern",
        "--store",
        store.location,
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "rule,ptm_rule,papers,cited_papers,natural_science_papers,dl_papers,ptm_papers",
        "v1,pattern,7,6,4,3,3",
    ]


# ------------------------------------------------------------ every canned query orders its rows

REAL_WORK = Path(__file__).resolve().parent.parent.parent / "shared/data/openalex/W2741809807.json"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
#: A value for each parameter a canned query requires.
REQUIRED = {
    "model": "AlexNet",
    "text": "net",
    "field": "Biochemistry, Genetics and Molecular Biology",
}


def local_queries() -> dict[str, object]:
    """The canned queries that ask no other endpoint (SERVICE), with their required values."""
    return {
        name: {p.name: REQUIRED[p.name] for p in query.parameters if p.required}
        for name, query in sorted(load_queries().items())
        if "SERVICE" not in query.body.upper()
    }


def order_variables(sparql: str) -> list[str]:
    """The variables of the outermost ORDER BY (it follows the query's last brace)."""
    tail = sparql[sparql.rindex("}") :]
    clause = tail[tail.upper().index("ORDER BY") :]
    return re.findall(r"\?([A-Za-z_][A-Za-z0-9_]*)", clause)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> kg.EmbeddedStore:
    """The examples, a pipeline database, OpenAlex works with and without a DOI, and
    annotations of papers without a DOI that ran models through tools."""
    folder = tmp_path_factory.mktemp("ordered")
    sources = [
        EXAMPLES / "illustrative-corpus.csv",
        EXAMPLES / "illustrative-sheet.csv",
        make_disagreeing_database(folder / "results.db"),
    ]
    if REAL_WORK.exists():
        work_without_doi = json.loads(REAL_WORK.read_text(encoding="utf-8"))
        work_without_doi.update(id="https://openalex.org/W90", doi=None, ids={})
        (folder / "works.jsonl").write_text(
            REAL_WORK.read_text(encoding="utf-8").replace("\n", " ")
            + "\n"
            + json.dumps(work_without_doi)
            + "\n",
            encoding="utf-8",
        )
        sources.append(folder / "works.jsonl")
    # Papers without a DOI (by id, by file), and reuse through tools.
    drafts = folder / "drafts.csv"
    drafts.write_text(
        "doi,id,file,title,year,uses_dl,uses_ptms,model,pattern,tool\n"
        ",joss-1,,Folding,2024,True,True,AF2,Deployment,ColabFold\n"
        ",,drafts/paper.xml,Rivers,2024,True,True,U-Net,Deployment,RiverTool 2\n"
        ",,drafts/paper.xml,Rivers,2024,True,True,AF2,Deployment,ColabFold\n",
        encoding="utf-8",
    )
    sources.append(drafts)
    kg.build(kg.EmbeddedStore(folder / "store"), sources, rejects_dir=folder / "rejects")
    return kg.EmbeddedStore(folder / "store")


@pytest.mark.parametrize(("name", "params"), list(local_queries().items()))
def test_every_canned_query_orders_its_rows_completely(corpus, name, params):
    sparql = kg.prepare_query(corpus, name, params)
    assert has_order_by(sparql), f"{name} has no ORDER BY"
    result = kg.run_query(corpus, name, params)
    keys = [v for v in dict.fromkeys(order_variables(sparql)) if v in result.columns]
    assert keys, f"{name} orders by no column it returns"
    ordered_on = [tuple(str(row[k]) for k in keys) for row in result.rows]
    # No two rows tie on what they are ordered by: no engine may choose their order.
    assert len(set(ordered_on)) == len(ordered_on), f"{name}: rows tie on {keys}"


def test_the_ordering_check_sees_real_answers(corpus):
    empty = [
        name
        for name, params in local_queries().items()
        if len(kg.run_query(corpus, name, params)) < 1
    ]
    # model-lineage needs model cards; the others all answer from this corpus.
    assert empty == ["model-lineage"]


def _csv(result) -> bytes:
    output = io.BytesIO()
    write_csv(result, output)
    return output.getvalue()


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def engine(request, tmp_path_factory, corpus) -> Iterator[RemoteStore]:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "oxigraph":
        server = oxigraph_server(folder)
        server.start()
        writer = reader = RemoteStore(
            EndpointSettings(
                query_url=server.query_url, update_url=server.update_url, gsp_url=server.gsp_url
            )
        )
    else:
        server = virtuoso_server(folder)
        server.start()
    try:
        if request.param == "virtuoso":
            password = "pw-" + secrets.token_hex(6)
            server.create_user("ptmkg", password)
            writer = RemoteStore(
                EndpointSettings(
                    query_url=server.update_url,
                    update_url=server.update_url,
                    gsp_url=server.gsp_url,
                    credentials=Credentials(user="ptmkg", password=password, scheme="digest"),
                )
            )
            reader = RemoteStore(EndpointSettings(query_url=server.query_url))
        kg.push(corpus, writer, batch_size=700)
        yield reader
    finally:
        server.stop()


@pytest.mark.parametrize(("name", "params"), list(local_queries().items()))
def test_every_canned_query_gives_the_same_bytes_on_every_engine(engine, corpus, name, params):
    local = _csv(kg.run_query(corpus, name, params))
    assert _csv(kg.run_query(engine, name, params)) == local
