"""Turning records into RDF: N-Quads lines for one source's named graph.

Records stream through :class:`SourceGraphWriter`, which writes N-Quads text
that Oxigraph's bulk loader then reads; no triple is built as a Python object.
Model and venue nodes are written once, at the end, so that their labels do not
depend on row order. A record's quads go out in one ``write`` of whole lines.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from kg.models.names import ModelResolver, ResolvedModel
from kg.rdf.iris import IriMinter, doi_url
from kg.rdf.namespaces import (
    BIBO,
    CITO,
    DCTERMS,
    FABIO,
    FAIR4ML,
    PROV,
    PTM,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    SPDX,
    XSD,
)
from kg.records import (
    Analysis,
    Author,
    Institution,
    ModelRecord,
    PaperRecord,
    Reuse,
    Topic,
)

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
# IRIs taken from source data must be plain absolute IRIs; anything else is not written.
_SAFE_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+$")

TYPE = f"<{RDF}type>"
WIKIDATA = "http://www.wikidata.org/entity/"
# Hugging Face's base_model_relation values, as properties from a model to its base.
_LINEAGE = {
    "finetune": f"<{PTM}fineTunedFrom>",
    "adapter": f"<{PTM}adapterOf>",
    "merge": f"<{PTM}mergedFrom>",
    "quantized": f"<{PTM}quantizedFrom>",
}
_PAPER_TYPES = (f"<{PTM}Paper>", f"<{FABIO}Expression>", f"<{SCHEMA}ScholarlyArticle>")
_MODEL_TYPES = (f"<{PTM}PretrainedModel>", f"<{FAIR4ML}MLModel>")
_VENUE_TYPES = (f"<{PTM}Venue>", f"<{FABIO}Journal>")


def literal(text: str) -> str:
    """An N-Triples string literal."""
    # Most text needs no escaping; four scans in C are cheaper than translate().
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.translate(_ESCAPES) + '"'
    return '"' + text + '"'


def typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{XSD}{datatype}>'


def boolean(value: bool) -> str:
    return typed("true" if value else "false", "boolean")


def p(term: str, namespace: str = PTM) -> str:
    return f"<{namespace}{term}>"


def checksum_quads(source: str, sha256: str) -> list[tuple[str, str, str]]:
    """A source's SHA-256 as an SPDX checksum node (``<source/sha256>``), as DCAT 3 has one."""
    node = source[:-1] + "/sha256>"
    return [
        (source, p("checksum", SPDX), node),
        (node, TYPE, p("Checksum", SPDX)),
        (node, p("algorithm", SPDX), p("checksumAlgorithm_sha256", SPDX)),
        (node, p("checksumValue", SPDX), typed(sha256, "hexBinary")),
    ]


# The predicates of a paper's own quads, written for every record.
_DOI = p("doi", BIBO)
_SAME_AS = p("sameAs", SCHEMA)
_TITLE = p("title", DCTERMS)
_YEAR = p("hasPublicationYear", FABIO)
_PUBLISHED_IN = p("publishedIn")
_HAS_FIELD = p("hasField")
_USES_DL = p("usesDeepLearning")
_REUSES_PTMS = p("reusesPretrainedModels")
_GYEAR = f"^^<{XSD}gYear>"
#: Distinct venues and fields whose quad endings a writer keeps (a corpus has few).
_CACHED_ENDINGS = 65_536


def _flushed(method: Callable[..., None]) -> Callable[..., None]:
    """A writer's method whose quads go out in one write when it returns (or fails)."""

    @functools.wraps(method)
    def flushing(self: SourceGraphWriter, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, *args, **kwargs)
        finally:
            self._flush()

    return flushing


@dataclass
class _ModelNode:
    name: str
    known: bool
    mentions: set[str] = field(default_factory=set)
    backbone: str | None = None  # key of the backbone model
    version_of: str | None = None  # key of the model this is a version or variant of


@dataclass
class SourceGraphWriter:
    """Writes the named graph of one source as N-Quads."""

    out: TextIO
    source_name: str
    minter: IriMinter
    resolver: ModelResolver
    describes_registry_models: bool = False  # true only for the registry graph itself
    triples: int = 0
    _models: dict[str, _ModelNode] = field(default_factory=dict)
    # Mentions whose reading was uncertain (kept whole), with what a curator should check.
    uncertain: dict[str, str] = field(default_factory=dict)
    _venues: set[str] = field(default_factory=set)
    _topics: dict[str, Topic] = field(default_factory=dict)
    _venue_ids: dict[str, str] = field(default_factory=dict)
    _authors: dict[str, Author] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.graph = f"<{self.minter.source(self.source_name)}>"
        self.source = self.graph
        # Quads of the record being written, sent to ``out`` in one write by _flush.
        self._lines: list[str] = []
        end = self._end = f" {self.graph} .\n"
        # What follows the subject in quads that do not depend on the record.
        self._paper_types = tuple(f" {TYPE} {t}{end}" for t in _PAPER_TYPES)
        self._flags = {
            (predicate, value): f" {predicate} {boolean(value)}{end}"
            for predicate in (_USES_DL, _REUSES_PTMS)
            for value in (True, False)
        }
        self._endings: dict[tuple[str, str], str] = {}

    def _emit(self, subject: str, predicate: str, obj: str) -> None:
        self._lines.append(f"{subject} {predicate} {obj}{self._end}")

    def _ending(self, predicate: str, iri: str) -> str:
        """What follows the subject in a quad whose object is an IRI, kept for repeated ones."""
        ending = self._endings.get((predicate, iri))
        if ending is None:
            ending = f" {predicate} <{iri}>{self._end}"
            if len(self._endings) < _CACHED_ENDINGS:
                self._endings[predicate, iri] = ending
        return ending

    def _flush(self) -> None:
        lines = self._lines
        if lines:
            self.out.write("".join(lines))
            self.triples += len(lines)
            lines.clear()

    @_flushed
    def add(self, record: PaperRecord) -> None:
        emit = self._emit
        put = self._lines.append
        end = self._end
        doi = record.doi
        paper = f"<{self.minter.paper(doi)}>"
        for ending in self._paper_types:
            put(paper + ending)
        put(f"{paper} {_DOI} {literal(doi)}{end}")
        put(f"{paper} {_SAME_AS} <{doi_url(doi)}>{end}")
        if record.title:
            put(f"{paper} {_TITLE} {literal(record.title)}{end}")
        if record.year is not None:
            put(f'{paper} {_YEAR} "{record.year:04d}"{_GYEAR}{end}')
        if record.venue:
            self._venues.add(record.venue)
            put(paper + self._ending(_PUBLISHED_IN, self.minter.venue(record.venue)))
        for field_iri in record.fields:
            put(paper + self._ending(_HAS_FIELD, field_iri))
        if record.uses_deep_learning is not None:
            put(paper + self._flags[_USES_DL, bool(record.uses_deep_learning)])
        if record.reuses_pretrained_models is not None:
            put(paper + self._flags[_REUSES_PTMS, bool(record.reuses_pretrained_models)])
        if record.review_date:
            emit(paper, p("reviewDate"), typed(record.review_date, "date"))
        self._add_openalex(paper, record)
        self._add_openalex_work(paper, record)
        if not record.analyses and not record.reuses:
            return
        analyses = {}
        for analysis in record.analyses:
            analyses[analysis.kind] = self._add_analysis(paper, record.doi, analysis)
        for reuse in record.reuses:
            model = self._model(reuse.mention)
            model_iri = f"<{self.minter.model(model.key)}>"
            pattern_identity = reuse.pattern or (
                f"label:{reuse.pattern_label}" if reuse.pattern_label else None
            )
            reuse_iri = self.minter.reuse(self.source_name, record.doi, model.key, pattern_identity)
            instance = f"<{reuse_iri}>"
            emit(paper, p("hasReuse"), instance)
            emit(paper, p("reusesModel"), model_iri)
            emit(instance, TYPE, p("ReuseInstance"))
            emit(instance, TYPE, p("EntityInfluence", PROV))
            emit(instance, p("inPaper"), paper)
            emit(instance, p("reusedModel"), model_iri)
            if reuse.pattern:
                emit(instance, p("reusePattern"), f"<{reuse.pattern}>")
            for stage in reuse.stages:
                emit(instance, p("impactStage"), f"<{stage}>")
            if reuse.evidence:
                emit(instance, p("evidence"), literal(reuse.evidence))
            emit(instance, p("modelMention"), literal(reuse.mention))
            self._add_extraction(instance, reuse)
            if reuse.pattern_label:
                emit(instance, p("patternLabel"), literal(reuse.pattern_label))
            for label in reuse.stage_labels:
                emit(instance, p("stageLabel"), literal(label))
            for text in reuse.stage_evidence:
                emit(instance, p("impactEvidence"), literal(text))
            for kind in reuse.generated_by:
                if kind in analyses:
                    emit(instance, p("wasGeneratedBy", PROV), analyses[kind])
            if record.line > 0:
                emit(instance, p("sourceLine"), typed(str(record.line), "integer"))
            emit(instance, p("wasDerivedFrom", PROV), self.source)

    def _add_extraction(self, instance: str, reuse: Reuse) -> None:
        """Where in the full text a reuse was found, how sure the extractor was, and by what."""
        emit = self._emit
        if reuse.section:
            emit(instance, p("evidenceSection"), literal(reuse.section))
        if reuse.confidence is not None:
            emit(instance, p("extractionConfidence"), typed(repr(reuse.confidence), "double"))
        extraction = reuse.extraction
        if extraction is None:
            return
        emit(instance, p("extractionMethod"), literal(extraction.method))
        if extraction.prompt_version:
            emit(instance, p("extractionVersion"), literal(extraction.prompt_version))
        if extraction.llm:
            emit(instance, p("extractionLlm"), literal(extraction.llm))
        if extraction.time:
            emit(instance, p("generatedAtTime", PROV), typed(extraction.time, "dateTime"))

    def _add_openalex(self, paper: str, record: PaperRecord) -> None:
        emit = self._emit
        if record.openalex_id and _SAFE_IRI.match(record.openalex_id):
            emit(paper, p("openAlexWork"), f"<{record.openalex_id}>")
        if record.cited_by_count is not None:
            emit(paper, p("citedByCount"), typed(str(record.cited_by_count), "integer"))
        if record.open_access is not None:
            emit(paper, p("isOpenAccess"), boolean(record.open_access))
        for rule in record.natural_science_rules:
            emit(paper, p("meetsNaturalScienceRule"), literal(rule))
        if record.megajournal:
            emit(paper, p("megajournal"), literal(record.megajournal))
        for keyword in record.search_keywords:
            emit(paper, p("searchKeyword"), literal(keyword))
        for topic in record.topics:
            if _SAFE_IRI.match(topic.iri):
                self._topics.setdefault(topic.iri, topic)
                emit(paper, p("hasTopic"), f"<{topic.iri}>")

    def _add_openalex_work(self, paper: str, record: PaperRecord) -> None:
        emit = self._emit
        if record.work_type:
            emit(paper, p("workType"), literal(record.work_type))
        if record.open_access_status:
            emit(paper, p("openAccessStatus"), literal(record.open_access_status))
        if record.venue and record.venue_iri:
            self._venue_ids[record.venue] = record.venue_iri
        for author in record.authors:
            self._authors.setdefault(author.iri, author)
            emit(paper, p("creator", DCTERMS), f"<{author.iri}>")
        for cited in record.cites:
            emit(paper, p("cites", CITO), f"<{cited}>")
        if record.pmid:
            emit(paper, p("hasPubMedId", FABIO), literal(record.pmid))
        if record.pmcid:
            emit(paper, p("hasPubMedCentralId", FABIO), literal(record.pmcid))

    def _add_analysis(self, paper: str, doi: str, analysis: Analysis) -> str:
        emit = self._emit
        node = f"<{self.minter.analysis(self.source_name, doi, analysis.kind)}>"
        emit(node, TYPE, p("Analysis"))
        emit(node, TYPE, p("Activity", PROV))
        emit(node, p("analysedPaper"), paper)
        emit(node, p("analysisKind"), literal(analysis.kind))
        emit(node, p("analysisSucceeded"), boolean(analysis.succeeded))
        if analysis.failure:
            emit(node, p("failureReason"), literal(analysis.failure))
        if analysis.raw_response is not None:
            emit(node, p("rawResponse"), literal(analysis.raw_response))
        if analysis.result is not None:
            emit(node, p("analysisResult"), boolean(analysis.result))
        if analysis.evidence:
            emit(node, p("evidence"), literal(analysis.evidence))
        if analysis.prompt_tag:
            emit(node, p("promptTag"), literal(analysis.prompt_tag))
        if analysis.llm:
            emit(node, p("llm"), literal(analysis.llm))
        if analysis.compute_seconds is not None and math.isfinite(analysis.compute_seconds):
            emit(node, p("computeTimeSeconds"), typed(repr(analysis.compute_seconds), "double"))
        if analysis.source_row:
            emit(node, p("sourceRecord"), literal(analysis.source_row))
        emit(node, p("recordedIn"), self.source)
        return node

    @_flushed
    def add_model(self, record: ModelRecord) -> None:
        """A model as a registry row or a model card describes it, with its lineage."""
        emit = self._emit
        model = self._model(record.name)
        iri = f"<{self.minter.model(model.key)}>"
        self._models[model.key].mentions.update(record.aliases)
        if record.family:
            emit(iri, p("modelFamily"), literal(record.family))
        if record.task:
            emit(iri, p("task"), literal(record.task))
        if record.year is not None:
            emit(iri, p("releaseYear"), typed(f"{record.year:04d}", "gYear"))
        if record.origin_doi:
            origin = f"<{self.minter.paper(record.origin_doi)}>"
            emit(iri, p("introducedIn"), origin)
            # Typed as a scholarly article but not as ptm:Paper: an origin paper is not
            # part of the corpus unless a source says something about it.
            for paper_type in _PAPER_TYPES[1:]:
                emit(origin, TYPE, paper_type)
            emit(origin, p("doi", BIBO), literal(record.origin_doi))
            emit(origin, p("sameAs", SCHEMA), f"<{doi_url(record.origin_doi)}>")
            if record.origin_openalex:
                emit(origin, p("openAlexWork"), f"<https://openalex.org/{record.origin_openalex}>")
        if record.huggingface_id:
            emit(iri, p("huggingFaceId"), literal(record.huggingface_id))
            emit(iri, p("sameAs", SCHEMA), f"<https://huggingface.co/{record.huggingface_id}>")
        if record.wikidata_id:
            emit(iri, p("wikidataItem"), f"<{WIKIDATA}{record.wikidata_id}>")
        if record.wikidata_class:
            emit(iri, p("additionalType", SCHEMA), f"<{WIKIDATA}{record.wikidata_class}>")
        if record.pipeline_tag:
            emit(iri, p("pipelineTag"), literal(record.pipeline_tag))
        if record.library_name:
            emit(iri, p("libraryName"), literal(record.library_name))
        if record.license:
            emit(iri, p("license", DCTERMS), literal(record.license))
        for base_name, relation in record.base_models:
            base = self._model(base_name)
            base_iri = f"<{self.minter.model(base.key)}>"
            emit(iri, _LINEAGE.get(relation or "", p("derivedFromModel")), base_iri)
            if relation == "finetune":  # FAIR4ML's own term too, for its readers
                emit(iri, p("fineTunedFrom", FAIR4ML), base_iri)

    def _model(self, mention: str) -> ResolvedModel:
        resolved = self.resolver.resolve(mention)
        if resolved.uncertain:
            self.uncertain.setdefault(" ".join(mention.split()), resolved.note)
        self._remember(resolved, mention)
        return resolved

    def _remember(self, resolved: ResolvedModel, mention: str | None) -> None:
        node = self._models.get(resolved.key)
        if node is None:
            node = self._models[resolved.key] = _ModelNode(resolved.name, resolved.known)
        elif not node.known and resolved.name < node.name:
            node.name = resolved.name  # an unknown model is named by its first spelling in order
        if mention:
            node.mentions.add(" ".join(mention.split()))
        if resolved.backbone is not None:
            node.backbone = resolved.backbone.key
            self._remember(resolved.backbone, None)
        if resolved.version_of is not None:
            node.version_of = resolved.version_of.key
            self._remember(resolved.version_of, None)

    @_flushed
    def finish(
        self,
        *,
        sha256: str,
        source_format: str,
        read: int,
        accepted: int,
        rejected: int,
        skipped: int = 0,
        natural_science_rule: str | None = None,
    ) -> None:
        emit = self._emit
        for key in sorted(self._models):
            node = self._models[key]
            iri = f"<{self.minter.model(key)}>"
            # A model the registry knows is typed and named once, in the registry graph:
            # Oxigraph's union of graphs keeps a triple once per graph holding it, so
            # repeating it in every source would make simple queries count it twice.
            if self.describes_registry_models or not node.known:
                for model_type in _MODEL_TYPES:
                    emit(iri, TYPE, model_type)
                emit(iri, p("label", RDFS), literal(node.name))
            for mention in sorted(node.mentions - {node.name}):
                emit(iri, p("altLabel", SKOS), literal(mention))
            if node.backbone:
                emit(iri, p("hasBackbone"), f"<{self.minter.model(node.backbone)}>")
            # The registry's links (versions, the backbones it records) are stated once, in
            # the registry graph, like its models' names.
            registry_row = self.resolver.registry.entries.get(key)
            if node.version_of and (self.describes_registry_models or not node.known):
                emit(iri, p("versionOf"), f"<{self.minter.model(node.version_of)}>")
            if self.describes_registry_models and registry_row and registry_row.backbone:
                backbone = self.resolver.resolve(registry_row.backbone).key
                if backbone != node.backbone:
                    emit(iri, p("hasBackbone"), f"<{self.minter.model(backbone)}>")
        for iri in sorted(self._topics):
            topic = self._topics[iri]
            emit(f"<{iri}>", TYPE, p("Topic"))
            emit(f"<{iri}>", p("label", RDFS), literal(topic.label))
            broader = (
                topic.subfield_iri
                if topic.subfield_iri and _SAFE_IRI.match(topic.subfield_iri)
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
        organisations: dict[str, Institution] = {}
        for author_iri in sorted(self._authors):
            author = self._authors[author_iri]
            node = f"<{author_iri}>"
            emit(node, TYPE, p("Person", SCHEMA))
            if author.name:
                emit(node, p("name", SCHEMA), literal(author.name))
            if author.orcid:
                emit(node, p("sameAs", SCHEMA), f"<{author.orcid}>")
            for institution in author.institutions:
                organisations.setdefault(institution.iri, institution)
                emit(node, p("affiliation", SCHEMA), f"<{institution.iri}>")
        for organisation_iri in sorted(organisations):
            organisation = organisations[organisation_iri]
            node = f"<{organisation_iri}>"
            emit(node, TYPE, p("Organization", SCHEMA))
            if organisation.name:
                emit(node, p("name", SCHEMA), literal(organisation.name))
            if organisation.ror:
                emit(node, p("sameAs", SCHEMA), f"<{organisation.ror}>")
        source = self.source
        emit(source, TYPE, p("Source"))
        emit(source, TYPE, p("Entity", PROV))
        emit(source, p("title", DCTERMS), literal(self.source_name))
        for quad in checksum_quads(self.source, sha256):
            emit(*quad)
        emit(source, p("sourceFormat"), literal(source_format))
        emit(source, p("recordsRead"), typed(str(read), "integer"))
        emit(source, p("recordsAccepted"), typed(str(accepted), "integer"))
        emit(source, p("recordsRejected"), typed(str(rejected), "integer"))
        if skipped:
            emit(source, p("recordsSkipped"), typed(str(skipped), "integer"))
        if natural_science_rule:
            emit(source, p("naturalScienceFilter"), literal(natural_science_rule))
