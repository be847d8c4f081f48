"""Finding PTM reuse in full-text articles.

Two extractors read :class:`kg.read.jats.Article` objects and answer the study's
questions for each paper (uses deep learning? reuses PTMs? which? how? at which
stage?): :mod:`kg.extract.rules`, offline and fast, and :mod:`kg.extract.llm`,
which asks any OpenAI-compatible chat API. Both give a :class:`PaperExtraction`,
whose :meth:`~PaperExtraction.rows` are rows of the generic annotation format
(one per reuse instance), so ``ptmkg build`` loads what ``ptmkg extract``
writes. :mod:`kg.extract.run` streams articles through an extractor, in several
processes if asked; :mod:`kg.extract.evaluate` compares extractions with labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.read.jats import Article
from kg.read.tables import GENERIC_FORMAT_COLUMNS

#: The generic-format columns ``ptmkg extract`` writes, in order (it knows no fields, and
#: knows an article without a DOI by its file, not by an identifier).
RECORD_COLUMNS = tuple(
    column for column in GENERIC_FORMAT_COLUMNS if column not in ("fields", "id")
)


@dataclass(frozen=True)
class FoundReuse:
    """One model reused with one pattern, as an extractor found it."""

    model: str  # the registry's name where it knows the model, else as written
    pattern: str  # Conceptual, Adaptation, Deployment, an LLM's own label, or "" (not given)
    stages: tuple[str, ...]
    evidence: str  # the sentence supporting the pattern
    section: str  # the heading of the section holding it
    confidence: float | None  # None when the extractor does not say
    mention: str = ""  # the model's name as the article wrote it
    tool: str = ""  # the wrapper that ran the model, where the article names one
    known: bool = True  # whether the model registry knows the model


@dataclass(frozen=True)
class ModelCandidate:
    """A model name the registry does not know, with what a curator needs to add it."""

    name: str  # as the resolver names it
    mention: str  # as the article wrote it
    cue: str  # how it was recognised (pre-trained, citation, hub id, repository link, ...)
    evidence: str  # the sentence
    version_of: str = ""  # a registry model it is a version or size of
    huggingface_id: str = ""
    link: str = ""  # a model repository named next to it


@dataclass(frozen=True)
class PaperExtraction:
    """What an extractor found in one article."""

    location: str
    doi: str | None
    title: str | None
    journal: str | None
    year: int | None
    uses_dl: bool | None
    uses_ptms: bool | None
    reuses: tuple[FoundReuse, ...]
    extractor: str  # "rules" or "llm"
    version: str  # of the rules or the prompts
    llm: str | None = None
    extracted_at: str | None = None
    uses_dl_evidence: str | None = None
    problems: tuple[str, ...] = ()  # steps that failed (LLM), kept visible
    # Names the registry does not know, found by how the article names them.
    candidates: tuple[ModelCandidate, ...] = ()

    @classmethod
    def of(cls, article: Article, **found: Any) -> PaperExtraction:
        """What was found in ``article``, with the article's own details (file, DOI,
        title, journal, year) copied from it."""
        return cls(
            location=article.location,
            doi=article.doi,
            title=article.title,
            journal=article.journal,
            year=article.year,
            **found,
        )

    @property
    def key(self) -> str:
        """What identifies the paper: its DOI, else its file."""
        return self.doi or self.location

    def rows(self) -> list[dict[str, Any]]:
        """Rows of the generic annotation format: one per reuse, or one for a paper without."""
        paper = {
            "doi": self.doi,
            "title": self.title,
            "year": self.year,
            "journal": self.journal,
            "uses_dl": self.uses_dl,
            "uses_ptms": self.uses_ptms,
        }
        found_by = {
            "extractor": self.extractor,
            "llm": self.llm,
            "prompt_version": self.version,
            "extracted_at": self.extracted_at,
            "file": None if self.doi else self.location,
        }
        if not self.reuses:
            blank = dict.fromkeys(
                ("model", "pattern", "stages", "evidence", "section", "confidence", "tool")
            )
            return [{**paper, **blank, **found_by}]
        return [
            {
                **paper,
                "model": reuse.model,
                "pattern": reuse.pattern,
                "stages": list(reuse.stages),
                "evidence": reuse.evidence,
                "section": reuse.section,
                "confidence": reuse.confidence,
                "tool": reuse.tool or None,
                **found_by,
            }
            for reuse in self.reuses
        ]
