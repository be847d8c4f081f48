"""``ptmkg link openalex``: OpenAlex metadata for the papers that lack it, fetched by DOI.

The papers in the graph without an OpenAlex work (no ``ptm:openAlexWork`` from
any source but this link's own graph) are looked up in batches with the works
API's DOI filter, many DOIs per request::

    GET /works?filter=doi:10.1371/a|10.1371/b|...&per_page=200&mailto=you@example.org

Each batch's answers go into the cache as soon as they arrive: the work for each
DOI found, and "not found" for each DOI that is not. The works are then turned
into records by the OpenAlex importer (:func:`kg.importers.openalex.work_to_record`,
the same code ``ptmkg build`` uses for OpenAlex files) and written as one source
graph, ``<base>source/link-openalex``, in one store transaction. Paper IRIs are
minted from DOIs, so the works land on the papers that are already there.

The origin papers of the models (``ptm:introducedIn``, from the model registry or
model cards) that no source gives an OpenAlex work are looked up the same way,
after the papers, and written without ``ptm:Paper`` (they are not part of the
corpus): their OpenAlex work is what ``model-origins`` counts citations of.

The graph is rebuilt from the cache on every run, for every paper that still
lacks OpenAlex metadata elsewhere: a rerun asks nothing it asked before, and a
paper that later gets its metadata from a build drops out of this graph.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.defaults import OPENALEX_API, OPENALEX_BATCH, OPENALEX_RATE
from kg.errors import PtmkgError
from kg.http import (
    HttpClient,
    ResponseCache,
    RetryPolicy,
    now_utc,
    user_agent,
    validate_endpoint,
)
from kg.importers import ImportOptions
from kg.importers.openalex import work_to_record as openalex_work_to_record
from kg.links.common import (
    LinkProgress,
    batches,
    check_own_graph,
    check_papers_under_base,
    default_cache_path,
    minter_for,
    select,
)
from kg.models.names import ModelResolver
from kg.rdf.namespaces import DEFAULT_BASE_IRI, PROV, PTM, XSD
from kg.rdf.triples import SourceGraphWriter
from kg.read.values import InvalidDoi, normalize_doi
from kg.records import PaperRecord, Reject
from kg.stores.embedded import GraphStore

SOURCE_NAME = "link-openalex"
SOURCE_FORMAT = "OpenAlex works API"
#: OpenAlex combines at most 100 values in one filter with ``|``.
MAX_BATCH = 100
PER_PAGE = 200  # OpenAlex's largest page; room for a DOI that has two works
# Characters that would split a filter value; such DOIs are asked one at a time.
_FILTER_SEPARATORS = frozenset("|,")

#: Requests per second, at most, by default: OpenAlex's polite pool allows ten.

WorkToRecord = Callable[[dict, ImportOptions], PaperRecord | Reject]

_PAPERS_WITHOUT_OPENALEX = """
SELECT DISTINCT ?paper ?doi WHERE {
  VALUES ?link_graph { %s }
  GRAPH ?graph { ?paper a ptm:Paper ; bibo:doi ?doi }
  FILTER(?graph != ?link_graph)
  FILTER NOT EXISTS {
    GRAPH ?other { ?paper ptm:openAlexWork ?work }
    FILTER(?other != ?link_graph)
  }
}
"""


_ORIGINS_WITHOUT_OPENALEX = """
SELECT DISTINCT ?origin ?doi WHERE {
  VALUES ?link_graph { %s }
  ?model ptm:introducedIn ?origin .
  ?origin bibo:doi ?doi .
  FILTER NOT EXISTS { ?origin a ptm:Paper }
  FILTER NOT EXISTS {
    GRAPH ?other { ?origin ptm:openAlexWork ?work }
    FILTER(?other != ?link_graph)
  }
}
"""


@dataclass
class OpenAlexLinkReport:
    graph: str
    endpoint: str
    papers: int = 0  # papers without OpenAlex metadata from another source
    from_cache: int = 0  # of those, answered by the cache
    asked: int = 0  # DOIs asked of the API in this run
    requests: int = 0  # HTTP requests sent, retries included
    found: int = 0  # papers with a work (written, or rejected by the importer)
    written: int = 0  # papers written into the link graph
    not_found: list[str] = field(default_factory=list)  # DOIs OpenAlex does not know
    invalid: list[str] = field(default_factory=list)  # DOIs in the graph that are not DOIs
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    triples: int = 0
    cache: Path | None = None
    origins: int = 0  # origin papers of models without OpenAlex metadata from another source
    origins_written: int = 0
    origins_not_found: list[str] = field(default_factory=list)


def papers_without_openalex(store: GraphStore, graph: str) -> list[tuple[str, str]]:
    """(paper IRI, DOI) of the papers no source but ``graph`` gives an OpenAlex work."""
    solutions = select(store, _PAPERS_WITHOUT_OPENALEX % ox.NamedNode(graph))
    return sorted({(s["paper"].value, s["doi"].value) for s in solutions}, key=lambda p: p[1])


def origins_without_openalex(store: GraphStore, graph: str) -> list[tuple[str, str]]:
    """(paper IRI, DOI) of the models' origin papers, outside the corpus, that no source but
    ``graph`` gives an OpenAlex work."""
    solutions = select(store, _ORIGINS_WITHOUT_OPENALEX % ox.NamedNode(graph))
    return sorted({(s["origin"].value, s["doi"].value) for s in solutions}, key=lambda p: p[1])


def link_openalex(
    store: GraphStore,
    *,
    base_url: str = OPENALEX_API,
    mailto: str | None = None,
    batch_size: int = OPENALEX_BATCH,
    policy: RetryPolicy | None = None,
    cache_path: Path | None = None,
    refresh: bool = False,
    base_iri: str = DEFAULT_BASE_IRI,
    work_to_record: WorkToRecord | None = None,
    client: HttpClient | None = None,
    progress: LinkProgress | None = None,
    origins: bool = True,
) -> OpenAlexLinkReport:
    """Fetch OpenAlex works for the graph's papers that lack them, and write them as a graph.

    With ``origins``, the models' origin papers that lack them too, after the papers.

    Nothing in the store changes unless every batch was answered; what was
    answered is cached, so running again resumes.
    """
    if not 1 <= batch_size <= MAX_BATCH:
        raise PtmkgError(f"the batch size must be between 1 and {MAX_BATCH} (OpenAlex's limit)")
    base_url = validate_endpoint(base_url).rstrip("/")
    minter = minter_for(base_iri)
    to_record = work_to_record or openalex_work_to_record
    graph = minter.source(SOURCE_NAME)
    cache_path = cache_path or default_cache_path(store)
    report = OpenAlexLinkReport(graph=graph, endpoint=base_url, cache=cache_path)
    client = client or HttpClient(
        policy or RetryPolicy(requests_per_second=OPENALEX_RATE), user_agent=user_agent(mailto)
    )
    if store.is_empty():
        raise PtmkgError(f"no graph in {store.location} yet: run 'ptmkg build SOURCE...' first")
    check_own_graph(store, graph, SOURCE_FORMAT)  # before asking anything
    papers = papers_without_openalex(store, graph)
    check_papers_under_base([iri for iri, _ in papers], minter)
    dois: list[str] = []
    for _, raw in papers:
        try:
            dois.append(normalize_doi(raw))
        except InvalidDoi:
            report.invalid.append(raw)
    dois = sorted(set(dois))
    report.papers = len(dois)
    origin_dois: list[str] = []
    if origins:
        paper_dois = set(dois)
        for _, raw in origins_without_openalex(store, graph):
            try:
                doi = normalize_doi(raw)
            except InvalidDoi:
                report.invalid.append(raw)
                continue
            if doi not in paper_dois:
                origin_dois.append(doi)
        origin_dois = sorted(set(origin_dois))
    report.origins = len(origin_dois)
    namespace = f"openalex {base_url}"
    with ResponseCache(cache_path) as cache:
        every = dois + origin_dois
        known = {} if refresh else cache.get_many(namespace, every)
        report.from_cache = len(known)
        answered = [0]
        total = len([doi for doi in every if doi not in known])
        report.asked = total
        for group, name in ((dois, "DOIs"), (origin_dois, "origin DOIs")):
            wanted = [doi for doi in group if doi not in known]
            _fetch_all(
                client,
                base_url,
                wanted,
                batch_size,
                mailto,
                report,
                cache,
                namespace,
                functools.partial(_advance, progress, name, answered, total),
            )
        report.requests = client.requests
        answers = cache.get_many(namespace, every)
    _write_graph(store, graph, answers, dois, to_record, minter, base_url, report, origin_dois)
    return report


def _advance(progress: LinkProgress | None, name: str, answered: list[int], total: int) -> None:
    answered[0] += 1
    if progress is not None:
        progress(name, answered[0], total)


def _fetch_all(
    client: HttpClient,
    base_url: str,
    wanted: list[str],
    batch_size: int,
    mailto: str | None,
    report: OpenAlexLinkReport,
    cache: ResponseCache,
    namespace: str,
    advance: Callable[[], None],
) -> None:
    """Ask for the works of ``wanted``, many DOIs a request, caching each batch's answers."""
    together = [doi for doi in wanted if not _FILTER_SEPARATORS & set(doi)]
    alone = [doi for doi in wanted if _FILTER_SEPARATORS & set(doi)]
    for batch in batches(together, batch_size):
        works = _fetch_batch(client, base_url, batch, mailto, report)
        cache.put_many(namespace, {doi: works.get(doi) for doi in batch}, now_utc())
        for _ in batch:
            advance()
    for doi in alone:
        work = _fetch_one(client, base_url, doi, mailto)
        cache.put_many(namespace, {doi: work}, now_utc())
        advance()


def _params(mailto: str | None, **more: str) -> dict[str, str]:
    params = dict(more)
    if mailto:
        params["mailto"] = mailto  # OpenAlex's polite pool: faster, more reliable answers
    return params


def _fetch_batch(
    client: HttpClient,
    base_url: str,
    batch: list[str],
    mailto: str | None,
    report: OpenAlexLinkReport,
) -> dict[str, dict]:
    answer = client.get_json(
        f"{base_url}/works",
        _params(mailto, filter="doi:" + "|".join(batch), per_page=str(PER_PAGE)),
    )
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise PtmkgError(f"{base_url}/works did not answer with a list of works")
    wanted = set(batch)
    works: dict[str, dict] = {}
    for work in answer["results"]:
        doi = _work_doi(work)
        if doi not in wanted:
            continue
        if doi in works:
            # OpenAlex sometimes holds two works for one DOI: keep the most cited, then the
            # lowest id, so that every run keeps the same one.
            kept = min(works[doi], work, key=_work_preference)
            report.warnings.append(
                f"OpenAlex has more than one work for {doi}; kept {kept.get('id')}"
            )
            works[doi] = kept
        else:
            works[doi] = work
    return works


def _fetch_one(client: HttpClient, base_url: str, doi: str, mailto: str | None) -> dict | None:
    url = f"{base_url}/works/doi:{urllib.parse.quote(doi, safe='/')}"
    work = client.get_json(url, _params(mailto))
    return work if isinstance(work, dict) and _work_doi(work) == doi else None


def _work_doi(work: Any) -> str | None:
    if not isinstance(work, dict) or not isinstance(work.get("doi"), str):
        return None
    try:
        return normalize_doi(work["doi"])
    except InvalidDoi:
        return None


def _work_preference(work: dict) -> tuple[int, str]:
    cited = work.get("cited_by_count")
    return (-(cited if isinstance(cited, int) else 0), str(work.get("id")))


def _write_graph(
    store: GraphStore,
    graph: str,
    answers: dict,
    dois: list[str],
    to_record: WorkToRecord,
    minter,
    base_url: str,
    report: OpenAlexLinkReport,
    origin_dois: list[str],
) -> None:
    options = ImportOptions(resolver=ModelResolver.from_environment())
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="ptmkg-link-") as scratch:
        nquads = Path(scratch) / "link-openalex.nq"
        with nquads.open("w", encoding="utf-8") as out:
            writer = SourceGraphWriter(out, SOURCE_NAME, minter, options.resolver)

            def write_works(
                wanted: list[str], missing: list[str], in_corpus: bool
            ) -> tuple[int, int]:
                """Each DOI's work, as a paper if the importer accepts it (the DOIs with no
                work go to ``missing``, the refused works to the rejects): (found, written)."""
                found = written = 0
                for doi in wanted:
                    answer = answers.get(doi)
                    work = answer.value if answer is not None else None
                    if work is None:
                        missing.append(doi)
                        continue
                    found += 1
                    digest.update(json.dumps(work, sort_keys=True).encode("utf-8"))
                    item = to_record(work, options)
                    if isinstance(item, Reject):
                        report.rejects.append(item)
                    elif item.doi != doi:
                        report.rejects.append(
                            Reject(0, f"the work's DOI {item.doi} is not {doi}", where=doi)
                        )
                    else:
                        writer.add(item, in_corpus=in_corpus)
                        written += 1
                return found, written

            report.found, report.written = write_works(dois, report.not_found, in_corpus=True)
            # A model's origin paper is written as a paper, but not as one of the corpus.
            origins_found, report.origins_written = write_works(
                origin_dois, report.origins_not_found, in_corpus=False
            )
            writer.finish(
                sha256=digest.hexdigest(),
                source_format=f"{SOURCE_FORMAT} ({base_url})",
                read=report.found + origins_found,
                accepted=report.written + report.origins_written,
                rejected=len(report.rejects),
            )
            source = f"<{graph}>"
            endpoint = ox.NamedNode(base_url)
            out.write(f"{source} <{PTM}endpoint> {endpoint} {source} .\n")
            out.write(
                f'{source} <{PROV}generatedAtTime> "{now_utc()}"^^<{XSD}dateTime> {source} .\n'
            )
            report.triples = writer.triples + 2
        check_own_graph(store, graph, SOURCE_FORMAT)
        with store.writing() as graph_writer:
            graph_writer.replace_graph(graph, nquads, ox.RdfFormat.N_QUADS)
