"""``ptmkg link wikidata``: Wikidata items for the graph's papers and models.

Papers are matched by DOI. Wikidata keeps DOIs (property P356) in upper case,
and since the 2025 split scholarly articles are on their own query service
(``query-scholarly.wikidata.org``), so papers are looked up there::

    SELECT ?doi ?item WHERE { VALUES ?doi { "10.1371/JOURNAL.PONE.0001" ... } ?item wdt:P356 ?doi }

Models are matched on the main query service (``query.wikidata.org``):

1. a model whose registry entry names its Wikidata item (``ptm:wikidataItem`` in
   a graph other than this link's) is checked: an item that exists is kept
   ("registry"); one that does not is reported, and the model is matched by name;
2. otherwise by name: the model's ``rdfs:label`` and ``skos:altLabel`` values are
   compared with Wikidata labels and aliases (languages ``en`` and ``mul``),
   counting only items that are instances or subclasses of the allowed classes
   (by default artificial neural network, Q192776, and everything below it).
   The model's own label is tried before its aliases, and Wikidata labels before
   Wikidata aliases; a model whose best match names more than one item is
   reported as ambiguous and not linked.

Lookups are batched with ``VALUES``, paced, retried and cached like every
outside request (:mod:`kg.http`). The links go into their own named graph,
``<base>source/link-wikidata``, each with an SSSOM mapping node recording
the endpoint, when the answer was fetched, how it matched and on what: a rerun
replaces the graph, and :func:`drop_wikidata_links` removes it.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.defaults import WIKIDATA_BATCH, WIKIDATA_MAIN, WIKIDATA_RATE, WIKIDATA_SCHOLARLY
from kg.errors import PtmkgError
from kg.http import (
    CachedAnswer,
    HttpClient,
    ResponseCache,
    RetryPolicy,
    now_utc,
    sparql_select,
    user_agent,
    validate_endpoint,
)
from kg.links.common import (
    LinkProgress,
    batches,
    check_own_graph,
    default_cache_path,
    minter_for,
    select,
)
from kg.rdf.iris import IriMinter
from kg.rdf.namespaces import DCTERMS, DEFAULT_BASE_IRI, OWL, PROV, PTM, RDF, SEMAPV, SSSOM, XSD
from kg.rdf.triples import checksum_quads
from kg.read.values import InvalidDoi, normalize_doi
from kg.stores.embedded import GraphStore

WD = "http://www.wikidata.org/entity/"
#: Artificial neural network: models are its instances or subclasses, at any depth.
MODEL_CLASSES: tuple[str, ...] = ("Q192776",)
LANGUAGES: tuple[str, ...] = ("en", "mul")  # "mul": Wikidata's language-neutral labels
SOURCE_NAME = "link-wikidata"
SOURCE_FORMAT = "Wikidata SPARQL query services"
METHODS = ("doi", "registry", "label", "alias")

_ITEM = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_WIKIDATA_PREFIXES = (
    "PREFIX wd: <http://www.wikidata.org/entity/>\n"
    "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX schema: <http://schema.org/>\n"
)

#: Called with (what is being looked up, answered so far, to ask) after each batch.
#: Queries per second, at most, by default: Wikimedia asks tools to go one at a time.

_PAPERS = """
SELECT DISTINCT ?paper ?doi WHERE {
  { ?paper a ptm:Paper . OPTIONAL { ?paper bibo:doi ?doi } }
  UNION
  { ?model ptm:introducedIn ?paper . OPTIONAL { ?paper bibo:doi ?doi } }
  FILTER(isIRI(?paper))
}
"""
_MODEL_NAMES = """
SELECT DISTINCT ?model ?name ?kind WHERE {
  ?model a ptm:PretrainedModel .
  { ?model rdfs:label ?name BIND("label" AS ?kind) }
  UNION
  { ?model skos:altLabel ?name BIND("alias" AS ?kind) }
}
"""
_REGISTRY_ITEMS = """
SELECT DISTINCT ?model ?item WHERE {
  VALUES ?link_graph { %s }
  ?model a ptm:PretrainedModel .
  GRAPH ?graph { ?model ptm:wikidataItem ?item }
  FILTER(?graph != ?link_graph)
}
"""


@dataclass(frozen=True)
class WikidataMatch:
    """One link: our node, the Wikidata item, and how it was found."""

    subject: str  # the paper's or model's IRI
    label: str  # the DOI of a paper, the label of a model
    item: str
    method: str  # doi, registry, label or alias
    matched: str  # the DOI (as Wikidata stores it), registry id or name that matched
    endpoint: str
    fetched_at: str  # when the answer was fetched (ISO 8601, UTC)


@dataclass
class WikidataLinkReport:
    graph: str
    papers_endpoint: str
    models_endpoint: str
    papers: int = 0  # papers (with a DOI) looked up
    models: int = 0  # models looked up
    paper_matches: list[WikidataMatch] = field(default_factory=list)
    model_matches: list[WikidataMatch] = field(default_factory=list)
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)  # (model, items)
    unverified: list[tuple[str, str]] = field(default_factory=list)  # (model, registry item)
    warnings: list[str] = field(default_factory=list)
    from_cache: int = 0  # lookups the cache answered
    asked: int = 0  # lookups sent to an endpoint in this run
    requests: int = 0  # HTTP requests, retries included
    triples: int = 0
    cache: Path | None = None
    endpoints_asked: list[str] = field(default_factory=list)

    @property
    def matches(self) -> list[WikidataMatch]:
        return self.paper_matches + self.model_matches


def qid_iri(qid: str) -> str:
    """``Q192776`` (or its entity IRI) -> ``http://www.wikidata.org/entity/Q192776``."""
    text = qid.strip().removeprefix(WD)
    if not _QID.match(text):
        raise PtmkgError(f"{qid!r} is not a Wikidata item id (Q followed by digits)")
    return WD + text


def drop_wikidata_links(store: GraphStore, base_iri: str = DEFAULT_BASE_IRI) -> bool:
    """Remove the Wikidata link graph; False if there was none."""
    graph = minter_for(base_iri).source(SOURCE_NAME)
    if graph not in store.named_graphs():
        return False
    check_own_graph(store, graph, SOURCE_FORMAT)
    with store.writing() as writer:
        writer.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
    return True


class _Lookup:
    """Cached, batched lookups against one endpoint."""

    def __init__(
        self,
        client: HttpClient,
        cache: ResponseCache,
        endpoint: str,
        report: WikidataLinkReport,
        refresh: bool,
        batch_size: int,
        progress: LinkProgress | None,
    ) -> None:
        self.client, self.cache, self.endpoint = client, cache, endpoint
        self.report, self.refresh, self.batch_size = report, refresh, batch_size
        self.progress = progress

    def run(
        self,
        what: str,
        keys: Iterable[str],
        ask: Callable[[list[str]], dict[str, object]],
    ) -> dict[str, CachedAnswer]:
        """Answers for ``keys``: from the cache, else by ``ask`` in batches (each cached)."""
        keys = sorted(set(keys))
        namespace = f"wikidata {what} {self.endpoint}"
        known = {} if self.refresh else self.cache.get_many(namespace, keys)
        wanted = [key for key in keys if key not in known]
        self.report.from_cache += len(known)
        self.report.asked += len(wanted)
        done = 0
        for batch in batches(wanted, self.batch_size):
            answers = ask(batch)
            self.cache.put_many(namespace, {key: answers.get(key) for key in batch}, now_utc())
            done += len(batch)
            if self.progress is not None:
                self.progress(what, done, len(wanted))
        return self.cache.get_many(namespace, keys)

    def select(self, query: str) -> list[dict]:
        return sparql_select(self.client, self.endpoint, _WIKIDATA_PREFIXES + query)[1]


def link_wikidata(
    store: GraphStore,
    *,
    papers_endpoint: str = WIKIDATA_SCHOLARLY,
    models_endpoint: str = WIKIDATA_MAIN,
    papers: bool = True,
    models: bool = True,
    model_classes: Iterable[str] = MODEL_CLASSES,
    batch_size: int = WIKIDATA_BATCH,
    policy: RetryPolicy | None = None,
    cache_path: Path | None = None,
    refresh: bool = False,
    base_iri: str = DEFAULT_BASE_IRI,
    mailto: str | None = None,
    client: HttpClient | None = None,
    progress: LinkProgress | None = None,
) -> WikidataLinkReport:
    """Find Wikidata items for the graph's papers and models; replace the link graph with them.

    The store changes only when every lookup was answered; answers are cached as
    they come, so running again resumes.
    """
    if store.is_empty():
        raise PtmkgError(f"no graph in {store.location} yet: run 'ptmkg build SOURCE...' first")
    papers_endpoint = validate_endpoint(papers_endpoint)
    models_endpoint = validate_endpoint(models_endpoint)
    classes = sorted({qid_iri(c) for c in model_classes})
    if models and not classes:
        raise PtmkgError("model matching needs at least one Wikidata class")
    minter = minter_for(base_iri)
    graph = minter.source(SOURCE_NAME)
    check_own_graph(store, graph, SOURCE_FORMAT)  # before asking anything
    cache_path = cache_path or default_cache_path(store)
    report = WikidataLinkReport(graph, papers_endpoint, models_endpoint, cache=cache_path)
    client = client or HttpClient(
        policy or RetryPolicy(requests_per_second=WIKIDATA_RATE), user_agent=user_agent(mailto)
    )
    with ResponseCache(cache_path) as cache:

        def lookup(endpoint: str) -> _Lookup:
            return _Lookup(client, cache, endpoint, report, refresh, batch_size, progress)

        if papers:
            report.endpoints_asked.append(papers_endpoint)
            _link_papers(store, lookup(papers_endpoint), minter, report)
        if models:
            report.endpoints_asked.append(models_endpoint)
            _link_models(store, lookup(models_endpoint), graph, classes, report)
    report.requests = client.requests
    _write_graph(store, graph, minter, report)
    return report


# ------------------------------------------------------------------ papers


def _link_papers(
    store: GraphStore, lookup: _Lookup, minter: IriMinter, report: WikidataLinkReport
) -> None:
    by_doi: dict[str, set[str]] = {}
    for solution in select(store, _PAPERS):
        paper = solution["paper"].value
        raw = solution["doi"].value if solution["doi"] is not None else None
        if raw is None:
            try:
                raw = minter.doi_of_paper(paper)
            except ValueError:
                continue
        try:
            by_doi.setdefault(normalize_doi(raw), set()).add(paper)
        except InvalidDoi:
            report.warnings.append(f"{paper} has {raw!r}, which is not a DOI; not looked up")
    report.papers = len(by_doi)

    def ask(dois: list[str]) -> dict[str, object]:
        values = " ".join(str(ox.Literal(doi.upper())) for doi in dois)
        rows = lookup.select(
            f"SELECT ?doi ?item WHERE {{ VALUES ?doi {{ {values} }} ?item wdt:P356 ?doi . }}"
        )
        found: dict[str, set[str]] = {}
        wanted = {doi.upper(): doi for doi in dois}
        for row in rows:
            doi, item = row.get("doi"), row.get("item")
            if doi is None or item is None or not _ITEM.match(item.value):
                continue
            if doi.value in wanted:
                found.setdefault(wanted[doi.value], set()).add(item.value)
        return {doi: sorted(items) for doi, items in found.items()}

    answers = lookup.run("doi", by_doi, ask)
    for doi in sorted(by_doi):
        answer = answers.get(doi)
        if answer is None:
            continue
        for item in answer.value or []:
            for paper in sorted(by_doi[doi]):
                report.paper_matches.append(
                    WikidataMatch(
                        paper, doi, item, "doi", doi.upper(), lookup.endpoint, answer.fetched_at
                    )
                )


# ------------------------------------------------------------------ models

# How good a name match is: our label before our aliases, their label before their aliases.
_RANK = {("label", "label"): 0, ("label", "alias"): 1, ("alias", "label"): 2, ("alias", "alias"): 3}


def _link_models(
    store: GraphStore,
    lookup: _Lookup,
    graph: str,
    classes: list[str],
    report: WikidataLinkReport,
) -> None:
    names: dict[str, dict[str, str]] = {}  # model -> name -> "label" or "alias"
    labels: dict[str, str] = {}
    for solution in select(store, _MODEL_NAMES):
        model, name = solution["model"].value, solution["name"].value.strip()
        kind = solution["kind"].value
        if not name:
            continue
        if kind == "label":
            labels[model] = min(labels.get(model, name), name)
        spellings = names.setdefault(model, {})
        if spellings.get(name) != "label":
            spellings[name] = kind
    registry: dict[str, set[str]] = {}
    for solution in select(store, _REGISTRY_ITEMS % ox.NamedNode(graph)):
        item = solution["item"]
        if isinstance(item, ox.NamedNode) and _ITEM.match(item.value):
            registry.setdefault(solution["model"].value, set()).add(item.value)
    report.models = len(names)

    registry_items = {item for items in registry.values() for item in items}
    verified = lookup.run("item", registry_items, _verify(lookup))
    by_name: list[str] = []
    for model in sorted(names):
        label = labels.get(model, min(names[model]))
        kept = False
        for item in sorted(registry.get(model, ())):
            answer = verified.get(item)
            if answer is not None and answer.value:
                report.model_matches.append(
                    WikidataMatch(
                        model,
                        label,
                        item,
                        "registry",
                        item.removeprefix(WD),
                        lookup.endpoint,
                        answer.fetched_at,
                    )
                )
                kept = True
            else:
                report.unverified.append((label, item))
        if not kept:
            by_name.append(model)

    wanted_names = {name for model in by_name for name in names[model]}
    candidates = lookup.run(f"name {' '.join(classes)}", wanted_names, _by_name(lookup, classes))
    for model in by_name:
        label = labels.get(model, min(names[model]))
        best: dict[str, tuple[int, str, str, str]] = {}  # item -> (rank, how, name, fetched)
        for name, our_kind in names[model].items():
            answer = candidates.get(name)
            if answer is None:
                continue
            for item, their_kind in answer.value or []:
                rank = _RANK[(our_kind, their_kind)]
                if item not in best or rank < best[item][0]:
                    best[item] = (rank, their_kind, name, answer.fetched_at)
        if not best:
            continue
        top = min(rank for rank, *_ in best.values())
        items = sorted(item for item, found in best.items() if found[0] == top)
        if len(items) > 1:
            report.ambiguous.append((label, items))
            continue
        _, how, name, fetched_at = best[items[0]]
        report.model_matches.append(
            WikidataMatch(model, label, items[0], how, name, lookup.endpoint, fetched_at)
        )


def _verify(lookup: _Lookup) -> Callable[[list[str]], dict[str, object]]:
    """Registry items exist if the endpoint knows anything about them."""

    def ask(items: list[str]) -> dict[str, object]:
        values = " ".join(str(ox.NamedNode(item)) for item in items)
        rows = lookup.select(
            "SELECT DISTINCT ?item WHERE "
            f"{{ VALUES ?item {{ {values} }} ?item ?property ?value . }}"
        )
        present = {row["item"].value for row in rows if "item" in row}
        return {item: item in present for item in items}

    return ask


def _by_name(lookup: _Lookup, classes: list[str]) -> Callable[[list[str]], dict[str, object]]:
    """Items whose label or alias is the name, under one of the classes."""
    class_values = " ".join(str(ox.NamedNode(c)) for c in classes)

    def ask(names: list[str]) -> dict[str, object]:
        values = " ".join(
            str(ox.Literal(name, language=language)) for name in names for language in LANGUAGES
        )
        rows = lookup.select(
            "SELECT DISTINCT ?name ?item ?how WHERE {\n"
            f"  VALUES ?name {{ {values} }}\n"
            '  { ?item rdfs:label ?name BIND("label" AS ?how) }\n'
            '  UNION { ?item skos:altLabel ?name BIND("alias" AS ?how) }\n'
            f"  VALUES ?class {{ {class_values} }}\n"
            "  ?item (wdt:P31|wdt:P279)/wdt:P279* ?class .\n"
            "}"
        )
        found: dict[str, set[tuple[str, str]]] = {}
        wanted = set(names)
        for row in rows:
            name, item, how = row.get("name"), row.get("item"), row.get("how")
            if name is None or item is None or how is None or not _ITEM.match(item.value):
                continue
            if name.value in wanted and how.value in ("label", "alias"):
                found.setdefault(name.value, set()).add((item.value, how.value))
        return {name: sorted(pairs) for name, pairs in found.items()}

    return ask


# ------------------------------------------------------------------ graph


def _integer(number: int) -> ox.Literal:
    return ox.Literal(str(number), datatype=ox.NamedNode(XSD + "integer"))


def _datetime(text: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + "dateTime"))


#: SEMAPV's name for each way a Wikidata item was found: the registry's items are curated
#: by people; a DOI, a label or an alias is matched as a string.
_JUSTIFICATION = {
    "doi": "LexicalMatching",
    "registry": "ManualMappingCuration",
    "label": "LexicalMatching",
    "alias": "LexicalMatching",
}


def _write_graph(
    store: GraphStore, graph: str, minter: IriMinter, report: WikidataLinkReport
) -> None:
    g = ox.NamedNode(graph)
    source = g

    def iri(text: str) -> ox.NamedNode:
        return ox.NamedNode(text)

    def quad(s, p: str, o) -> ox.Quad:
        return ox.Quad(s, iri(p), o, g)

    linked = {m.subject for m in report.matches}
    # The content's digest: the same answers give the same digest, whenever fetched.
    digest = hashlib.sha256(
        "\n".join(
            sorted(f"{m.subject} {m.item} {m.method} {m.matched}" for m in report.matches)
        ).encode("utf-8")
    ).hexdigest()
    quads = [
        quad(source, RDF + "type", iri(PTM + "Source")),
        quad(source, RDF + "type", iri(PROV + "Entity")),
        quad(source, DCTERMS + "title", ox.Literal(SOURCE_NAME)),
        quad(source, PTM + "sourceFormat", ox.Literal(SOURCE_FORMAT)),
        quad(source, PTM + "recordsRead", _integer(report.papers + report.models)),
        quad(source, PTM + "recordsAccepted", _integer(len(linked))),
        quad(source, PTM + "recordsRejected", _integer(len(report.ambiguous))),
        quad(source, PROV + "generatedAtTime", _datetime(now_utc())),
    ]
    checksum = "".join(
        f"{s} {p} {o} <{graph}> .\n" for s, p, o in checksum_quads(f"<{graph}>", digest)
    )
    quads += ox.parse(checksum.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    endpoints = set()
    for match in report.matches:
        endpoints.add(match.endpoint)
        subject, item = iri(match.subject), iri(match.item)
        node = iri(minter.link(match.subject, match.item, match.method))
        quads += [
            quad(subject, PTM + "wikidataItem", item),
            # An SSSOM mapping in SSSOM's RDF form: an owl:Axiom on the triple it describes.
            quad(node, RDF + "type", iri(OWL + "Axiom")),
            quad(node, RDF + "type", iri(PROV + "Entity")),
            quad(node, OWL + "annotatedSource", subject),
            quad(node, OWL + "annotatedProperty", iri(PTM + "wikidataItem")),
            quad(node, OWL + "annotatedTarget", item),
            quad(node, SSSOM + "mapping_justification", iri(SEMAPV + _JUSTIFICATION[match.method])),
            quad(node, SSSOM + "match_string", ox.Literal(match.matched)),
            quad(node, PTM + "matchMethod", ox.Literal(match.method)),
            quad(node, PTM + "endpoint", iri(match.endpoint)),
            quad(
                node,
                PROV + "generatedAtTime",
                _datetime(match.fetched_at),
            ),
            quad(node, PROV + "wasDerivedFrom", source),
        ]
    for endpoint in sorted(endpoints | set(report.endpoints_asked)):
        quads.append(quad(source, PTM + "endpoint", iri(endpoint)))
    with tempfile.TemporaryDirectory(prefix="ptmkg-link-") as scratch:
        path = Path(scratch) / "link-wikidata.nq"
        ox.serialize(quads, path, ox.RdfFormat.N_QUADS)
        report.triples = len(set(quads))
        check_own_graph(store, graph, SOURCE_FORMAT)
        with store.writing() as writer:
            writer.replace_graph(graph, path, ox.RdfFormat.N_QUADS)
