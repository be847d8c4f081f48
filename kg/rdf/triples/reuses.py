"""How a paper reuses models: one reuse instance per model and pattern, the analyses that
found it, and where in the text and by what method it was found."""

from __future__ import annotations

import math

from kg.rdf.iris import IriMinter
from kg.rdf.namespaces import PROV
from kg.rdf.triples.models import ModelTriples
from kg.rdf.triples.terms import TYPE, QuadLines, boolean, literal, p, typed
from kg.records import Analysis, PaperRecord, Reuse


class ReuseTriples:
    """A paper's reuse instances and analyses, in the graph of the source they came from."""

    def __init__(
        self,
        quads: QuadLines,
        minter: IriMinter,
        source_name: str,
        source: str,
        models: ModelTriples,
    ) -> None:
        self.quads = quads
        self.minter = minter
        self.source_name = source_name
        self.source = source  # the source node, as an N-Triples term
        self.models = models

    def add(self, paper: str, record: PaperRecord) -> None:
        if not record.analyses and not record.reuses:
            return
        emit = self.quads.emit
        emit_text = self.quads.emit_text
        analyses = {}
        for analysis in record.analyses:
            analyses[analysis.kind] = self._add_analysis(paper, record.key, analysis)
        for reuse in record.reuses:
            model = self.models.resolve(reuse.mention)
            model_iri = self.models.iri(model.key)
            pattern_identity = reuse.pattern or (
                f"label:{reuse.pattern_label}" if reuse.pattern_label else None
            )
            reuse_iri = self.minter.reuse(self.source_name, record.key, model.key, pattern_identity)
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
            emit_text(instance, p("evidence"), reuse.evidence)
            emit(instance, p("modelMention"), literal(reuse.mention))
            if reuse.tool:
                # The wrapper is a model mention like any other: the registry names it.
                tool = self.models.resolve(reuse.tool)
                if tool.key != model.key:
                    emit(instance, p("viaTool"), self.models.iri(tool.key))
            self._add_extraction(instance, reuse)
            emit_text(instance, p("patternLabel"), reuse.pattern_label)
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
        emit = self.quads.emit
        emit_text = self.quads.emit_text
        emit_text(instance, p("evidenceSection"), reuse.section)
        if reuse.confidence is not None:
            emit(instance, p("extractionConfidence"), typed(repr(reuse.confidence), "double"))
        extraction = reuse.extraction
        if extraction is None:
            return
        emit(instance, p("extractionMethod"), literal(extraction.method))
        emit_text(instance, p("extractionVersion"), extraction.prompt_version)
        emit_text(instance, p("extractionLlm"), extraction.llm)
        if extraction.time:
            emit(instance, p("generatedAtTime", PROV), typed(extraction.time, "dateTime"))

    def _add_analysis(self, paper: str, doi: str, analysis: Analysis) -> str:
        emit = self.quads.emit
        emit_text = self.quads.emit_text
        node = f"<{self.minter.analysis(self.source_name, doi, analysis.kind)}>"
        emit(node, TYPE, p("Analysis"))
        emit(node, TYPE, p("Activity", PROV))
        emit(node, p("analysedPaper"), paper)
        emit(node, p("analysisKind"), literal(analysis.kind))
        emit(node, p("analysisSucceeded"), boolean(analysis.succeeded))
        emit_text(node, p("failureReason"), analysis.failure)
        if analysis.raw_response is not None:
            emit(node, p("rawResponse"), literal(analysis.raw_response))
        if analysis.result is not None:
            emit(node, p("analysisResult"), boolean(analysis.result))
        emit_text(node, p("evidence"), analysis.evidence)
        emit_text(node, p("promptTag"), analysis.prompt_tag)
        emit_text(node, p("llm"), analysis.llm)
        if analysis.compute_seconds is not None and math.isfinite(analysis.compute_seconds):
            emit(node, p("computeTimeSeconds"), typed(repr(analysis.compute_seconds), "double"))
        emit_text(node, p("sourceRecord"), analysis.source_row)
        emit(node, p("recordedIn"), self.source)
        return node
