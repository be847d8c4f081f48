"""Turning records into RDF: N-Quads lines for one source's named graph.

Records stream through :class:`SourceGraphWriter`, which writes N-Quads text that
Oxigraph's bulk loader then reads; no triple is built as a Python object. The writer
only routes each record to the part that knows its triples, all writing to one
:class:`~kg.rdf.triples.terms.QuadLines` buffer, so a record's quads go out in one
``write`` of whole lines:

- :mod:`~kg.rdf.triples.papers`: the paper, its venue, fields, topics and citations;
- :mod:`~kg.rdf.triples.authors`: its creators, their persons and organisations;
- :mod:`~kg.rdf.triples.models`: model descriptions, lineage and the model nodes;
- :mod:`~kg.rdf.triples.reuses`: reuse instances, analyses and extraction details;
- :mod:`~kg.rdf.triples.provenance`: the source node, its checksum and counts.

Nodes that many records name (models, venues, topics, authors) are written once, at the
end, so that their labels do not depend on row order.
"""

from __future__ import annotations

from typing import IO, Unpack

from kg.models.names import ModelResolver
from kg.rdf.iris import IriMinter
from kg.rdf.triples.authors import AuthorTriples
from kg.rdf.triples.models import ModelTriples
from kg.rdf.triples.papers import PaperTriples
from kg.rdf.triples.provenance import SourceFacts, checksum_quads, write_source_node
from kg.rdf.triples.reuses import ReuseTriples
from kg.rdf.triples.terms import QuadLines, boolean, literal, p, typed
from kg.records import ModelRecord, PaperRecord

__all__ = ["SourceGraphWriter", "boolean", "checksum_quads", "literal", "p", "typed"]


class SourceGraphWriter:
    """Writes the named graph of one source as N-Quads."""

    def __init__(
        self,
        out: IO[str],
        source_name: str,
        minter: IriMinter,
        resolver: ModelResolver,
        describes_registry_models: bool = False,  # true only for the registry graph itself
    ) -> None:
        self.source_name = source_name
        self.minter = minter
        self.graph = self.source = f"<{minter.source(source_name)}>"
        self.quads = QuadLines(out, self.graph)
        self.papers = PaperTriples(self.quads, minter)
        self.authors = AuthorTriples(self.quads, minter)
        self.models = ModelTriples(self.quads, minter, resolver, describes_registry_models)
        self.reuses = ReuseTriples(self.quads, minter, source_name, self.source, self.models)

    @property
    def uncertain(self) -> dict[str, str]:
        """Mentions whose reading was uncertain (kept whole), with what to check."""
        return self.models.uncertain

    @property
    def triples(self) -> int:
        """How many quads have been written so far."""
        return self.quads.count

    def add(self, record: PaperRecord, *, in_corpus: bool = True) -> None:
        """A paper with its authors and reuses (``in_corpus=False``: a paper outside the
        corpus, such as a model's origin paper, is not typed ``ptm:Paper``)."""
        try:
            paper = self.papers.add(record, in_corpus=in_corpus)
            self.authors.add(paper, record)
            self.reuses.add(paper, record)
        finally:
            self.quads.flush()

    def add_model(self, record: ModelRecord) -> None:
        """A model as a registry row or a model card describes it, with its lineage."""
        try:
            self.models.add(record)
        finally:
            self.quads.flush()

    def finish(self, **facts: Unpack[SourceFacts]) -> None:
        """The shared nodes, then the source node with its checksum, counts and file."""
        try:
            self.models.finish()
            self.papers.finish()
            self.authors.finish()
            write_source_node(self.quads, self.source, self.source_name, **facts)
        finally:
            self.quads.flush()
