"""The records importers yield, and the reject that stands for a bad row.

An importer turns each row of a source into a :class:`PaperRecord` (what the
row says about one paper and the models it reuses), a :class:`ModelRecord`
(what a registry row or a model card says about one model), or a
:class:`Reject` (why the row could not be used, with the row kept verbatim so
that it can be fixed and loaded again). Nothing else leaves an importer, and
every record reaches the graph through :mod:`kg.rdf.triples`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


def file_name(location: str) -> str:
    """The name of an article's file, wherever it was read from: the last part of a path
    (either slash) or of an archive member (``archive.zip!dir/x.xml`` is ``x.xml``). A paper
    known by its file is known by this name, so moving the folder keeps its IRI."""
    trimmed = location.strip().rstrip("/\\")
    return re.split(r"[/\\!]", trimmed)[-1] or trimmed


@dataclass(frozen=True)
class Extraction:
    """How a reuse instance was found in a paper's full text (``ptmkg extract``)."""

    method: str  # "rules" (the offline extractor) or "llm"
    prompt_version: str | None = None  # the rules' or the prompts' version
    llm: str | None = None  # the LLM's model name
    time: str | None = None  # ISO 8601 date and time of the LLM's answer


@dataclass(frozen=True)
class Reuse:
    """One model reused with (at most) one pattern, as a source wrote it."""

    mention: str  # the model name exactly as written
    pattern: str | None = None  # IRI of a reuse pattern concept
    stages: tuple[str, ...] = ()  # IRIs of stage concepts
    evidence: str | None = None
    # Labels outside the vocabularies, kept as written (never mapped silently).
    pattern_label: str | None = None
    stage_labels: tuple[str, ...] = ()
    stage_evidence: tuple[str, ...] = ()  # text supporting the stages
    generated_by: tuple[str, ...] = ()  # kinds of the analyses that produced it
    section: str | None = None  # the article section holding the evidence
    confidence: float | None = None  # an extractor's confidence, 0 to 1
    extraction: Extraction | None = None
    tool: str | None = None  # the software the model ran through (ColabFold runs AlphaFold 2)


@dataclass(frozen=True)
class Topic:
    """An OpenAlex topic with its place in the OpenAlex hierarchy."""

    iri: str  # https://openalex.org/T...
    label: str
    subfield_iri: str | None = None
    subfield_label: str | None = None
    field_iri: str | None = None  # our field concept


@dataclass(frozen=True)
class Institution:
    iri: str  # https://openalex.org/I...
    name: str | None = None
    ror: str | None = None  # https://ror.org/...
    country: str | None = None  # ISO 3166-1 alpha-2 code, as OpenAlex gives it
    kind: str | None = None  # OpenAlex's institution type: education, company, facility...


@dataclass(frozen=True)
class Author:
    iri: str  # https://openalex.org/A...
    name: str | None = None
    orcid: str | None = None  # https://orcid.org/...


@dataclass(frozen=True)
class Authorship:
    """One author's part in one work: its place in the author list and the affiliations
    the work gives (an author's institutions differ from work to work)."""

    author: Author
    position: int  # 1 for the first author, in the work's order
    author_position: str | None = None  # OpenAlex's "first", "middle" or "last"
    raw_author_name: str | None = None  # the name as the work prints it
    raw_affiliations: tuple[str, ...] = ()  # affiliation strings as the work prints them
    institutions: tuple[Institution, ...] = ()
    corresponding: bool | None = None


@dataclass(frozen=True)
class Analysis:
    """One automated analysis of a paper (one of the study pipeline's five questions)."""

    kind: str  # uses_dl, uses_ptms, identify_ptms, identify_ptm_reuse, identify_ptm_impact
    succeeded: bool
    failure: str | None = None  # why it failed (empty answer, not JSON, an error object)
    result: bool | None = None  # the yes/no answer of uses_dl and uses_ptms
    evidence: str | None = None
    prompt_tag: str | None = None
    llm: str | None = None
    compute_seconds: float | None = None
    source_row: str | None = None  # e.g. "uses_dl_analysis row 17"
    raw_response: str | None = None  # kept when the analysis failed


def paper_key(
    identity: str | None, identifier: str | None, file: str | None, title: str | None
) -> str:
    """:attr:`PaperRecord.key` from its parts (``identity``: the DOI, else the OpenAlex
    work IRI), for a reader that knows them before it makes the record."""
    if identity is not None:
        return identity
    if identifier is not None:
        return f"id:{identifier}"
    if file is not None:
        return f"file:{file_name(file)}\x1f{title or ''}"
    raise ValueError("a paper record needs a DOI, an OpenAlex id, an identifier or a file")


@dataclass(frozen=True)
class PaperRecord:
    """What one row of a source says about one paper."""

    doi: str | None  # normalised; None for a work known only by its OpenAlex id
    line: int  # line (text files) or row (spreadsheets) the record came from
    title: str | None = None
    year: int | None = None
    venue: str | None = None
    fields: tuple[str, ...] = ()  # IRIs of field concepts
    uses_deep_learning: bool | None = None
    reuses_pretrained_models: bool | None = None
    review_date: str | None = None  # ISO 8601 date
    reuses: tuple[Reuse, ...] = ()
    # OpenAlex metadata and the study pipeline's results, where the source has them.
    openalex_id: str | None = None  # https://openalex.org/W...
    cited_by_count: int | None = None
    open_access: bool | None = None
    topics: tuple[Topic, ...] = ()
    natural_science_rules: tuple[str, ...] = ()  # the rule versions the paper meets ("v1", "v2")
    megajournal: str | None = None
    search_keywords: tuple[str, ...] = ()
    analyses: tuple[Analysis, ...] = ()
    work_type: str | None = None  # OpenAlex type: article, review, preprint...
    open_access_status: str | None = None  # gold, green, hybrid, bronze, diamond, closed
    venue_iri: str | None = None  # https://openalex.org/S...
    authorships: tuple[Authorship, ...] = ()  # in the work's author order
    cites: tuple[str, ...] = ()  # OpenAlex work IRIs of the references
    pmid: str | None = None
    pmcid: str | None = None
    # What identifies a paper that has neither a DOI nor an OpenAlex id: an identifier the
    # source gives (a preprint server's, a review's), else the file the article was read
    # from (``ptmkg extract`` writes it for articles without a DOI), with the title.
    identifier: str | None = None
    file: str | None = None  # as the source wrote it (a path, or "archive.zip!member.xml")

    @property
    def key(self) -> str:
        """What identifies the paper: its DOI, else its OpenAlex work IRI, else its
        identifier (``id:...``), else its file's name and its title (``file:...``)."""
        return paper_key(self.doi or self.openalex_id, self.identifier, self.file, self.title)

    @property
    def authors(self) -> tuple[Author, ...]:
        return tuple(authorship.author for authorship in self.authorships)


@dataclass(frozen=True)
class ModelRecord:
    """What a source says about one model: the registry's rows and model cards."""

    name: str  # a name or alias the resolver knows, or a Hugging Face id
    line: int
    aliases: tuple[str, ...] = ()
    family: str | None = None
    task: str | None = None
    year: int | None = None
    origin_doi: str | None = None  # normalised DOI of the paper that introduced the model
    origin_openalex: str | None = None  # OpenAlex work id (W...)
    huggingface_id: str | None = None
    wikidata_id: str | None = None  # Q...
    wikidata_class: str | None = None  # Q...
    # Lineage from a model card: (base model name or Hugging Face id, relation), where the
    # relation is adapter, merge, quantized, finetune or None when the card does not say.
    base_models: tuple[tuple[str, str | None], ...] = ()
    pipeline_tag: str | None = None
    library_name: str | None = None
    license: str | None = None


@dataclass(frozen=True)
class Reject:
    """A row that could not be used, with everything needed to fix and reload it."""

    line: int
    reason: str
    row: dict[str, Any] = field(default_factory=dict)  # the row as read, column -> value
    columns: tuple[str, ...] = ()  # the source's columns, in order
    where: str | None = None  # for sources without lines, e.g. "openalex row 17"

    @property
    def location(self) -> str:
        return self.where or f"line {self.line}"
