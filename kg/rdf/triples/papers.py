"""A paper's own triples: identity, title, year, venue, fields, flags, OpenAlex metadata,
citations, and the venue and topic nodes its records name."""

from __future__ import annotations

from kg.rdf.iris import IriMinter, doi_url
from kg.rdf.namespaces import BIBO, CITO, DCTERMS, FABIO, OWL, PTM, RDFS, SCHEMA, SKOS, XSD
from kg.rdf.triples.terms import SAFE_IRI, TYPE, QuadLines, boolean, literal, p, typed
from kg.records import PaperRecord, Topic, file_name

PAPER_TYPES = (f"<{PTM}Paper>", f"<{FABIO}Expression>", f"<{SCHEMA}ScholarlyArticle>")
_VENUE_TYPES = (f"<{PTM}Venue>", f"<{FABIO}Journal>")

#: The FaBiO and schema.org classes of an OpenAlex work type, beside the classes every
#: paper has. FaBiO's classes here are expressions (as ptm:Paper is); a type not listed
#: (peer-review, paratext, other, ...) keeps only those and its ptm:workType.
WORK_TYPE_CLASSES: dict[str, tuple[str, ...]] = {
    "article": (f"{FABIO}JournalArticle",),
    "review": (f"{FABIO}ReviewArticle",),
    "preprint": (f"{FABIO}Preprint",),
    "letter": (f"{FABIO}Letter",),
    "editorial": (f"{FABIO}Editorial",),
    "book": (f"{FABIO}Book", f"{SCHEMA}Book"),
    "book-chapter": (f"{FABIO}BookChapter", f"{SCHEMA}Chapter"),
    "dissertation": (f"{FABIO}Thesis", f"{SCHEMA}Thesis"),
    "report": (f"{FABIO}ReportDocument", f"{SCHEMA}Report"),
    "dataset": (f"{SCHEMA}Dataset",),
}

# The predicates of a paper's own quads, written for every record.
_DOI = p("doi", BIBO)
_SAME_AS = p("sameAs", SCHEMA)
_TITLE = p("title", DCTERMS)
_IDENTIFIER = p("identifier", DCTERMS)
_ARTICLE_FILE = p("articleFile")
_YEAR = p("hasPublicationYear", FABIO)
_PUBLISHED_IN = p("publishedIn")
_HAS_FIELD = p("hasField")
_USES_DL = p("usesDeepLearning")
_REUSES_PTMS = p("reusesPretrainedModels")
_GYEAR = f"^^<{XSD}gYear>"
_OWL_SAME_AS = p("sameAs", OWL)


class PaperTriples:
    """Papers, and the venues and topics they are published in and about."""

    def __init__(self, quads: QuadLines, minter: IriMinter) -> None:
        self.quads = quads
        self.minter = minter
        self._venues: set[str] = set()
        self._venue_ids: dict[str, str] = {}
        self._topics: dict[str, Topic] = {}
        end = quads.end
        # What follows the subject in quads that do not depend on the record.
        self._paper_types = tuple(f" {TYPE} {t}{end}" for t in PAPER_TYPES)
        self._flags = {
            (predicate, value): f" {predicate} {boolean(value)}{end}"
            for predicate in (_USES_DL, _REUSES_PTMS)
            for value in (True, False)
        }

    def add(self, record: PaperRecord, *, in_corpus: bool = True) -> str:
        """The paper's quads; returns its IRI as an N-Triples term.

        A paper is keyed by its DOI, else by its OpenAlex work. A record that knows both
        says so with ``owl:sameAs`` from the DOI's paper to the OpenAlex work's, so a paper
        that another source (or an earlier build) knew only by its OpenAlex id is the
        same node, whichever graph was built first. ``in_corpus=False`` (the origin paper
        of a model, say) leaves out ``ptm:Paper``.
        """
        put = self.quads.put
        ending = self.quads.ending
        end = self.quads.end
        doi = record.doi
        paper = f"<{self.paper_iri(record)}>"
        for paper_type in self._paper_types if in_corpus else self._paper_types[1:]:
            put(paper + paper_type)
        for work_class in WORK_TYPE_CLASSES.get(record.work_type or "", ()):
            put(paper + ending(TYPE, work_class))
        if doi:
            put(f"{paper} {_DOI} {literal(doi)}{end}")
            put(f"{paper} {_SAME_AS} <{doi_url(doi)}>{end}")
            if record.openalex_id and SAFE_IRI.match(record.openalex_id):
                alias = self.minter.openalex_paper(record.openalex_id)
                put(paper + ending(_OWL_SAME_AS, alias))
        if record.identifier:
            put(f"{paper} {_IDENTIFIER} {literal(record.identifier)}{end}")
        if record.file:
            put(f"{paper} {_ARTICLE_FILE} {literal(record.file)}{end}")
        if record.title:
            put(f"{paper} {_TITLE} {literal(record.title)}{end}")
        if record.year is not None:
            put(f'{paper} {_YEAR} "{record.year:04d}"{_GYEAR}{end}')
        if record.venue:
            self._venues.add(record.venue)
            put(paper + ending(_PUBLISHED_IN, self.minter.venue(record.venue)))
            if record.venue_iri:
                self._venue_ids[record.venue] = record.venue_iri
        for field_iri in record.fields:
            put(paper + ending(_HAS_FIELD, field_iri))
        if record.uses_deep_learning is not None:
            put(paper + self._flags[_USES_DL, bool(record.uses_deep_learning)])
        if record.reuses_pretrained_models is not None:
            put(paper + self._flags[_REUSES_PTMS, bool(record.reuses_pretrained_models)])
        if record.review_date:
            self.quads.emit(paper, p("reviewDate"), typed(record.review_date, "date"))
        self._add_openalex(paper, record)
        return paper

    def paper_iri(self, record: PaperRecord) -> str:
        """The paper's IRI, from what identifies it (:attr:`PaperRecord.key`)."""
        return self.minter.paper_of(
            record.doi,
            record.openalex_id,
            identifier=record.identifier,
            file_name=file_name(record.file) if record.file else None,
            title=record.title,
        )

    def _add_openalex(self, paper: str, record: PaperRecord) -> None:
        emit = self.quads.emit
        emit_text = self.quads.emit_text
        if record.openalex_id and SAFE_IRI.match(record.openalex_id):
            emit(paper, p("openAlexWork"), f"<{record.openalex_id}>")
        if record.cited_by_count is not None:
            emit(paper, p("citedByCount"), typed(str(record.cited_by_count), "integer"))
        if record.open_access is not None:
            emit(paper, p("isOpenAccess"), boolean(record.open_access))
        for rule in record.natural_science_rules:
            emit(paper, p("meetsNaturalScienceRule"), literal(rule))
        emit_text(paper, p("megajournal"), record.megajournal)
        for keyword in record.search_keywords:
            emit(paper, p("searchKeyword"), literal(keyword))
        for topic in record.topics:
            if SAFE_IRI.match(topic.iri):
                self._topics.setdefault(topic.iri, topic)
                emit(paper, p("hasTopic"), f"<{topic.iri}>")
        emit_text(paper, p("workType"), record.work_type)
        emit_text(paper, p("openAccessStatus"), record.open_access_status)
        for cited in record.cites:
            emit(paper, p("cites", CITO), f"<{cited}>")
        emit_text(paper, p("hasPubMedId", FABIO), record.pmid)
        emit_text(paper, p("hasPubMedCentralId", FABIO), record.pmcid)

    def finish(self) -> None:
        """The topic and venue nodes, once each, in a fixed order."""
        emit = self.quads.emit
        for iri in sorted(self._topics):
            topic = self._topics[iri]
            emit(f"<{iri}>", TYPE, p("Topic"))
            emit(f"<{iri}>", p("label", RDFS), literal(topic.label))
            broader = (
                topic.subfield_iri
                if topic.subfield_iri and SAFE_IRI.match(topic.subfield_iri)
                else None
            )
            if broader:
                emit(f"<{iri}>", p("broader", SKOS), f"<{broader}>")
                emit(f"<{broader}>", TYPE, p("Subfield"))
                emit(f"<{broader}>", p("label", RDFS), literal(topic.subfield_label or broader))
                if topic.field_iri:
                    emit(f"<{broader}>", p("broader", SKOS), f"<{topic.field_iri}>")
            elif topic.field_iri:
                emit(f"<{iri}>", p("broader", SKOS), f"<{topic.field_iri}>")
        for venue in sorted(self._venues):
            iri = f"<{self.minter.venue(venue)}>"
            for venue_type in _VENUE_TYPES:
                emit(iri, TYPE, venue_type)
            emit(iri, p("label", RDFS), literal(venue))
            if venue in self._venue_ids:
                emit(iri, p("sameAs", SCHEMA), f"<{self._venue_ids[venue]}>")
