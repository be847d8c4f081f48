"""Pre-trained models: what a registry row or model card says, their lineage, and the model
nodes every mention resolves to (typed, labelled and given their spellings once, at the end,
so that labels do not depend on row order)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.models.names import ModelResolver, ResolvedModel
from kg.rdf.iris import IriMinter, doi_url
from kg.rdf.namespaces import BIBO, DCTERMS, FAIR4ML, OWL, PTM, RDFS, SCHEMA, SKOS
from kg.rdf.triples.papers import PAPER_TYPES
from kg.rdf.triples.terms import TYPE, WIKIDATA, QuadLines, literal, p, typed
from kg.records import ModelRecord

_MODEL_TYPES = (f"<{PTM}PretrainedModel>", f"<{FAIR4ML}MLModel>")
# Hugging Face's base_model_relation values, as properties from a model to its base.
_LINEAGE = {
    "finetune": f"<{PTM}fineTunedFrom>",
    "adapter": f"<{PTM}adapterOf>",
    "merge": f"<{PTM}mergedFrom>",
    "quantized": f"<{PTM}quantizedFrom>",
}


@dataclass
class _ModelNode:
    name: str
    known: bool
    mentions: set[str] = field(default_factory=set)
    backbone: str | None = None  # key of the backbone model
    version_of: str | None = None  # key of the model this is a version or variant of


class ModelTriples:
    """Model descriptions and the model nodes that a source's mentions resolve to."""

    def __init__(
        self,
        quads: QuadLines,
        minter: IriMinter,
        resolver: ModelResolver,
        describes_registry_models: bool = False,
    ) -> None:
        self.quads = quads
        self.minter = minter
        self.resolver = resolver
        # True only for the registry graph itself, which types and names the known models.
        self.describes_registry_models = describes_registry_models
        self._models: dict[str, _ModelNode] = {}
        # Mentions whose reading was uncertain (kept whole), with what a curator should check.
        self.uncertain: dict[str, str] = {}

    def resolve(self, mention: str) -> ResolvedModel:
        """The model a mention names, remembered so that its node is written at the end."""
        resolved = self.resolver.resolve(mention)
        if resolved.uncertain:
            self.uncertain.setdefault(" ".join(mention.split()), resolved.note)
        self._remember(resolved, mention)
        return resolved

    def iri(self, key: str) -> str:
        return f"<{self.minter.model(key)}>"

    def add(self, record: ModelRecord) -> None:
        """A model as a registry row or a model card describes it, with its lineage."""
        emit = self.quads.emit
        emit_text = self.quads.emit_text
        model = self.resolve(record.name)
        iri = self.iri(model.key)
        self._models[model.key].mentions.update(record.aliases)
        emit_text(iri, p("modelFamily"), record.family)
        emit_text(iri, p("task"), record.task)
        if record.year is not None:
            emit(iri, p("releaseYear"), typed(f"{record.year:04d}", "gYear"))
        if record.origin_doi or record.origin_openalex:
            # Keyed as every paper is: by its DOI, else by its OpenAlex work.
            origin = f"<{self.minter.paper_of(record.origin_doi, record.origin_openalex)}>"
            emit(iri, p("introducedIn"), origin)
            # Typed as a scholarly article but not as ptm:Paper: an origin paper is not
            # part of the corpus unless a source says something about it.
            for paper_type in PAPER_TYPES[1:]:
                emit(origin, TYPE, paper_type)
            if record.origin_doi:
                emit(origin, p("doi", BIBO), literal(record.origin_doi))
                emit(origin, p("sameAs", SCHEMA), f"<{doi_url(record.origin_doi)}>")
            if record.origin_openalex:
                work = f"https://openalex.org/{record.origin_openalex}"
                emit(origin, p("openAlexWork"), f"<{work}>")
                if record.origin_doi:
                    emit(origin, p("sameAs", OWL), f"<{self.minter.openalex_paper(work)}>")
        if record.huggingface_id:
            emit(iri, p("huggingFaceId"), literal(record.huggingface_id))
            emit(iri, p("sameAs", SCHEMA), f"<https://huggingface.co/{record.huggingface_id}>")
        if record.wikidata_id:
            emit(iri, p("wikidataItem"), f"<{WIKIDATA}{record.wikidata_id}>")
        if record.wikidata_class:
            emit(iri, p("additionalType", SCHEMA), f"<{WIKIDATA}{record.wikidata_class}>")
        emit_text(iri, p("pipelineTag"), record.pipeline_tag)
        emit_text(iri, p("libraryName"), record.library_name)
        emit_text(iri, p("license", DCTERMS), record.license)
        for base_name, relation in record.base_models:
            base_iri = self.iri(self.resolve(base_name).key)
            emit(iri, _LINEAGE.get(relation or "", p("derivedFromModel")), base_iri)
            if relation == "finetune":  # FAIR4ML's own term too, for its readers
                emit(iri, p("fineTunedFrom", FAIR4ML), base_iri)

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

    def finish(self) -> None:
        emit = self.quads.emit
        for key in sorted(self._models):
            node = self._models[key]
            iri = self.iri(key)
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
                emit(iri, p("hasBackbone"), self.iri(node.backbone))
            # The registry's links (versions, the backbones it records) are stated once, in
            # the registry graph, like its models' names.
            registry_row = self.resolver.registry.entries.get(key)
            if node.version_of and (self.describes_registry_models or not node.known):
                emit(iri, p("versionOf"), self.iri(node.version_of))
            if self.describes_registry_models and registry_row and registry_row.backbone:
                backbone = self.resolver.resolve(registry_row.backbone).key
                if backbone != node.backbone:
                    emit(iri, p("hasBackbone"), self.iri(backbone))
