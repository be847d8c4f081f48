"""Who wrote a paper: its creators, each a person once, and their institutions."""

from __future__ import annotations

from kg.rdf.namespaces import DCTERMS, SCHEMA
from kg.rdf.triples.terms import TYPE, QuadLines, literal, p
from kg.records import Author, Institution, PaperRecord


class AuthorTriples:
    """A paper's authors, and the person and organisation nodes, written once at the end."""

    def __init__(self, quads: QuadLines) -> None:
        self.quads = quads
        self._authors: dict[str, Author] = {}

    def add(self, paper: str, record: PaperRecord) -> None:
        emit = self.quads.emit
        for author in record.authors:
            self._authors.setdefault(author.iri, author)
            emit(paper, p("creator", DCTERMS), f"<{author.iri}>")

    def finish(self) -> None:
        emit = self.quads.emit
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
