"""Turning records into RDF: N-Quads lines for one source's named graph.

Records stream through :class:`SourceGraphWriter`, which writes N-Quads text
that Oxigraph's bulk loader then reads; no triple is built as a Python object.
Model and venue nodes are written once, at the end, so that their labels do not
depend on row order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TextIO

from kg.iris import IriMinter, doi_url
from kg.model_names import ModelResolver, ResolvedModel
from kg.namespaces import BIBO, DCTERMS, FABIO, FAIR4ML, PROV, PTM, RDF, RDFS, SCHEMA, SKOS, XSD
from kg.records import PaperRecord

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})

TYPE = f"<{RDF}type>"
_PAPER_TYPES = (f"<{PTM}Paper>", f"<{FABIO}ResearchPaper>", f"<{SCHEMA}ScholarlyArticle>")
_MODEL_TYPES = (f"<{PTM}PretrainedModel>", f"<{FAIR4ML}MLModel>")
_VENUE_TYPES = (f"<{PTM}Venue>", f"<{FABIO}Journal>")


def literal(text: str) -> str:
    """An N-Triples string literal."""
    return '"' + text.translate(_ESCAPES) + '"'


def typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{XSD}{datatype}>'


def boolean(value: bool) -> str:
    return typed("true" if value else "false", "boolean")


def p(term: str, namespace: str = PTM) -> str:
    return f"<{namespace}{term}>"


@dataclass
class _ModelNode:
    name: str
    known: bool
    mentions: set[str] = field(default_factory=set)
    backbone: str | None = None  # key of the backbone model


@dataclass
class SourceGraphWriter:
    """Writes the named graph of one source as N-Quads."""

    out: TextIO
    source_name: str
    minter: IriMinter
    resolver: ModelResolver
    triples: int = 0
    _models: dict[str, _ModelNode] = field(default_factory=dict)
    _venues: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.graph = f"<{self.minter.source(self.source_name)}>"
        self.source = self.graph

    def _emit(self, subject: str, predicate: str, obj: str) -> None:
        self.out.write(f"{subject} {predicate} {obj} {self.graph} .\n")
        self.triples += 1

    def add(self, record: PaperRecord) -> None:
        emit = self._emit
        paper = f"<{self.minter.paper(record.doi)}>"
        for paper_type in _PAPER_TYPES:
            emit(paper, TYPE, paper_type)
        emit(paper, p("doi", BIBO), literal(record.doi))
        emit(paper, p("sameAs", SCHEMA), f"<{doi_url(record.doi)}>")
        if record.title:
            emit(paper, p("title", DCTERMS), literal(record.title))
        if record.year is not None:
            emit(paper, p("hasPublicationYear", FABIO), typed(f"{record.year:04d}", "gYear"))
        if record.venue:
            self._venues.add(record.venue)
            emit(paper, p("publishedIn"), f"<{self.minter.venue(record.venue)}>")
        for field_iri in record.fields:
            emit(paper, p("hasField"), f"<{field_iri}>")
        if record.uses_deep_learning is not None:
            emit(paper, p("usesDeepLearning"), boolean(record.uses_deep_learning))
        if record.reuses_pretrained_models is not None:
            emit(paper, p("reusesPretrainedModels"), boolean(record.reuses_pretrained_models))
        if record.review_date:
            emit(paper, p("reviewDate"), typed(record.review_date, "date"))
        for reuse in record.reuses:
            model = self._model(reuse.mention)
            model_iri = f"<{self.minter.model(model.key)}>"
            instance = (
                f"<{self.minter.reuse(self.source_name, record.doi, model.key, reuse.pattern)}>"
            )
            emit(paper, p("hasReuse"), instance)
            emit(paper, p("reusesModel"), model_iri)
            emit(instance, TYPE, p("ReuseInstance"))
            emit(instance, TYPE, p("Entity", PROV))
            emit(instance, p("inPaper"), paper)
            emit(instance, p("reusedModel"), model_iri)
            if reuse.pattern:
                emit(instance, p("reusePattern"), f"<{reuse.pattern}>")
            for stage in reuse.stages:
                emit(instance, p("impactStage"), f"<{stage}>")
            if reuse.evidence:
                emit(instance, p("evidence"), literal(reuse.evidence))
            emit(instance, p("modelMention"), literal(reuse.mention))
            emit(instance, p("sourceLine"), typed(str(record.line), "integer"))
            emit(instance, p("wasDerivedFrom", PROV), self.source)

    def _model(self, mention: str) -> ResolvedModel:
        resolved = self.resolver.resolve(mention)
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

    def finish(
        self, *, sha256: str, source_format: str, read: int, accepted: int, rejected: int
    ) -> None:
        emit = self._emit
        for key in sorted(self._models):
            node = self._models[key]
            iri = f"<{self.minter.model(key)}>"
            for model_type in _MODEL_TYPES:
                emit(iri, TYPE, model_type)
            emit(iri, p("label", RDFS), literal(node.name))
            for mention in sorted(node.mentions - {node.name}):
                emit(iri, p("altLabel", SKOS), literal(mention))
            if node.backbone:
                emit(iri, p("hasBackbone"), f"<{self.minter.model(node.backbone)}>")
        for venue in sorted(self._venues):
            iri = f"<{self.minter.venue(venue)}>"
            for venue_type in _VENUE_TYPES:
                emit(iri, TYPE, venue_type)
            emit(iri, p("label", RDFS), literal(venue))
        source = self.source
        emit(source, TYPE, p("Source"))
        emit(source, TYPE, p("Entity", PROV))
        emit(source, p("title", DCTERMS), literal(self.source_name))
        emit(source, p("sha256"), literal(sha256))
        emit(source, p("sourceFormat"), literal(source_format))
        emit(source, p("recordsRead"), typed(str(read), "integer"))
        emit(source, p("recordsAccepted"), typed(str(accepted), "integer"))
        emit(source, p("recordsRejected"), typed(str(rejected), "integer"))
