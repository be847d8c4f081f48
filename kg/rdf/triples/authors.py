"""Who wrote a paper: one authorship node per place in its author list, each with the
institutions and affiliation strings of that paper, and the person and organisation
nodes, each once.

An author's institutions differ from work to work, so they hang on the authorship
(as SemOpenAlex's author positions and schema.org's roles have them), not on the
person::

    <paper> ptm:hasAuthorship <authorship> ; dcterms:creator <A...> .
    <authorship> a ptm:Authorship ; ptm:author <A...> ; ptm:authorPosition 1 ;
        ptm:authorPositionLabel "first" ; ptm:rawAffiliation "..." ;
        ptm:affiliation <I...> ; ptm:isCorresponding false .
    <I...> a schema:Organization ; schema:sameAs <https://ror.org/...> ;
        schema:addressCountry "US" ; ptm:institutionType "company" .
"""

from __future__ import annotations

from kg.rdf.iris import IriMinter
from kg.rdf.namespaces import DCTERMS, SCHEMA
from kg.rdf.triples.terms import TYPE, QuadLines, boolean, literal, p, typed
from kg.records import Author, Institution, PaperRecord


class AuthorTriples:
    """A paper's authorships, and the person and organisation nodes, written once at the end."""

    def __init__(self, quads: QuadLines, minter: IriMinter) -> None:
        self.quads = quads
        self.minter = minter
        self._authors: dict[str, Author] = {}
        self._organisations: dict[str, Institution] = {}

    def add(self, paper: str, record: PaperRecord) -> None:
        emit = self.quads.emit
        emit_text = self.quads.emit_text
        for authorship in record.authorships:
            author = authorship.author
            self._authors.setdefault(author.iri, author)
            emit(paper, p("creator", DCTERMS), f"<{author.iri}>")
            node = f"<{self.minter.authorship(paper, authorship.position, author.iri)}>"
            emit(paper, p("hasAuthorship"), node)
            emit(node, TYPE, p("Authorship"))
            emit(node, p("author"), f"<{author.iri}>")
            emit(node, p("authorPosition"), typed(str(authorship.position), "integer"))
            emit_text(node, p("authorPositionLabel"), authorship.author_position)
            emit_text(node, p("rawAuthorName"), authorship.raw_author_name)
            for text in authorship.raw_affiliations:
                emit(node, p("rawAffiliation"), literal(text))
            for institution in authorship.institutions:
                self._organisations.setdefault(institution.iri, institution)
                emit(node, p("affiliation"), f"<{institution.iri}>")
            if authorship.corresponding is not None:
                emit(node, p("isCorresponding"), boolean(authorship.corresponding))

    def finish(self) -> None:
        for iri, author in sorted(self._authors.items()):
            self._agent(iri, p("Person", SCHEMA), author.name, author.orcid)
        for iri, organisation in sorted(self._organisations.items()):
            node = self._agent(iri, p("Organization", SCHEMA), organisation.name, organisation.ror)
            self.quads.emit_text(node, p("addressCountry", SCHEMA), organisation.country)
            self.quads.emit_text(node, p("institutionType"), organisation.kind)

    def _agent(self, iri: str, kind: str, name: str | None, identifier: str | None) -> str:
        """A person's or an organisation's node: its type, its name, its ORCID or ROR."""
        node = f"<{iri}>"
        self.quads.emit(node, TYPE, kind)
        self.quads.emit_text(node, p("name", SCHEMA), name)
        if identifier:
            self.quads.emit(node, p("sameAs", SCHEMA), f"<{identifier}>")
        return node
