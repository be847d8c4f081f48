"""Streaming articles through an extractor, and writing what it finds as records.

:func:`extract_articles` reads documents one at a time and yields one
:class:`~kg.extract.PaperExtraction` (or :class:`~kg.read.jats.ArticleProblem`) per
article, in input order. With ``jobs > 1`` the offline extractor parses and
extracts in that many processes (the parent only reads files), and the LLM
extractor asks that many questions at once (threads: it waits on the network).
:func:`write_records` writes the generic annotation format as JSON Lines or CSV.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from kg.defaults import EXTRACT_JOBS
from kg.errors import PtmkgError
from kg.extract import RECORD_COLUMNS, ModelCandidate, PaperExtraction
from kg.formats import Format, Registry
from kg.read.jats import Article, ArticleProblem, iter_documents, parse_document

Extracted = PaperExtraction | ArticleProblem


class Extractor(Protocol):
    name: str
    version: str

    def extract(self, article: Article) -> PaperExtraction: ...


def _extract_one(extractor: Extractor, location: str, data: bytes) -> Extracted:
    article = parse_document(location, data)
    if isinstance(article, ArticleProblem):
        return article
    # An article without a DOI (a preprint, a draft) is extracted too, known by its file.
    return extractor.extract(article)


# The offline extractor of a worker process, built once per process.
_WORKER_EXTRACTOR: Extractor | None = None


def _init_worker(added_files: list[str], encoding: str) -> None:
    from kg.extract.rules import RuleExtractor
    from kg.models.registry import ModelRegistry

    global _WORKER_EXTRACTOR
    registry = ModelRegistry([Path(f) for f in added_files], encoding)
    _WORKER_EXTRACTOR = RuleExtractor(registry)


def _work(item: tuple[str, bytes]) -> Extracted:
    assert _WORKER_EXTRACTOR is not None
    return _extract_one(_WORKER_EXTRACTOR, *item)


def extract_articles(
    paths: Iterable[Path],
    extractor: Extractor,
    *,
    jobs: int = EXTRACT_JOBS,
) -> Iterator[Extracted]:
    """One extraction (or problem) per article in ``paths``, in order, as they are read."""
    documents = iter_documents(paths)

    def ready() -> Iterator[tuple[str, bytes]]:
        # Problems reading a file pass straight through, in their place.
        for item in documents:
            if isinstance(item, ArticleProblem):
                pending_problems.append(item)
                continue
            yield item

    pending_problems: list[ArticleProblem] = []
    if jobs <= 1:
        for item in documents:
            yield item if isinstance(item, ArticleProblem) else _extract_one(extractor, *item)
        return
    if extractor.name == "rules":
        # spawn, not fork: a forked copy of a process with threads can deadlock.
        context = multiprocessing.get_context("spawn")
        # Each worker reads the extractor's registry files again (the shipped one first).
        registry = extractor.registry  # type: ignore[attr-defined]
        added = [str(f) for f in registry.files[1:]]
        with context.Pool(
            jobs, initializer=_init_worker, initargs=(added, registry.encoding)
        ) as pool:
            for result in pool.imap(_work, ready(), chunksize=8):
                yield from _drain(pending_problems)
                yield result
        yield from _drain(pending_problems)
        return
    with ThreadPoolExecutor(jobs) as threads:
        for result in threads.map(lambda item: _extract_one(extractor, *item), ready()):
            yield from _drain(pending_problems)
            yield result
    yield from _drain(pending_problems)


def _drain(problems: list[ArticleProblem]) -> Iterator[ArticleProblem]:
    while problems:
        yield problems.pop(0)


RECORD_FORMATS = Registry(
    "record format",
    (
        Format(
            "jsonl",
            (".jsonl", ".ndjson", ".json"),
            "kg.extract.run:RecordWriter",
            "generic annotations as JSON Lines",
        ),
        Format("csv", (".csv",), "kg.extract.run:RecordWriter", "generic annotations as CSV"),
        Format("tsv", (".tsv",), "kg.extract.run:RecordWriter", "generic annotations as TSV"),
    ),
    default="jsonl",
)
"""What ``ptmkg extract`` writes records in, the generic annotation format's three forms."""


def record_format(path: Path) -> str:
    """The record format an output file's extension names."""
    found = RECORD_FORMATS.for_path(path)
    if found is None:
        raise PtmkgError(f"{path}: write records as .jsonl, .csv or .tsv")
    return found.name


class RecordWriter:
    """Writes extraction rows in the generic annotation format, as they come."""

    def __init__(self, handle: IO[str], record_format: str) -> None:
        self.handle = handle
        self.format = record_format
        self.rows = 0
        self._csv: Any = None
        if record_format in ("csv", "tsv"):
            self._csv = csv.DictWriter(
                handle,
                fieldnames=list(RECORD_COLUMNS),
                delimiter="\t" if record_format == "tsv" else ",",
                lineterminator="\n",
            )
            self._csv.writeheader()

    def write(self, extraction: PaperExtraction) -> None:
        for row in extraction.rows():
            if self._csv is not None:
                self._csv.writerow({k: _cell(v) for k, v in row.items()})
            else:
                clean = {k: v for k, v in row.items() if v is not None}
                self.handle.write(json.dumps(clean, ensure_ascii=False) + "\n")
            self.rows += 1


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


@dataclass
class ExtractionSummary:
    articles: int = 0  # read as articles
    with_reuse: int = 0
    rows: int = 0
    problems: list[ArticleProblem] = field(default_factory=list)  # unreadable documents
    step_problems: list[tuple[str, str]] = field(default_factory=list)  # (DOI, LLM step failure)
    kept: list[PaperExtraction] = field(default_factory=list)  # when asked to keep them
    # Models the registry does not know, by name: the candidate and the papers naming it.
    candidates: dict[str, tuple[ModelCandidate, list[str]]] = field(default_factory=dict)


def run_extraction(
    paths: Iterable[Path],
    extractor: Extractor,
    writer: RecordWriter | None,
    *,
    jobs: int = EXTRACT_JOBS,
    keep: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ExtractionSummary:
    """Extract every article, writing records as they come; the counts, and problems, after."""
    summary = ExtractionSummary()
    for item in extract_articles(paths, extractor, jobs=jobs):
        if isinstance(item, ArticleProblem):
            summary.problems.append(item)
            continue
        summary.articles += 1
        summary.with_reuse += bool(item.reuses)
        summary.step_problems.extend((item.key, p) for p in item.problems)
        for candidate in item.candidates:
            found = summary.candidates.setdefault(candidate.name, (candidate, []))
            found[1].append(item.key)
        if writer is not None:
            before = writer.rows
            writer.write(item)
            summary.rows += writer.rows - before
        if keep:
            summary.kept.append(item)
        if progress is not None:
            progress(summary.articles)
    return summary


#: The columns of a candidates file: a model registry file (``--aliases`` reads it as it is;
#: the columns after ``sources`` say where each name was found, and the registry ignores them).
CANDIDATE_COLUMNS = (
    "name",
    "aliases",
    "version_of",
    "huggingface_id",
    "sources",
    "cue",
    "papers",
    "link",
    "evidence",
)


def write_candidates(handle: IO[str], summary: ExtractionSummary) -> int:
    """Write the models the registry does not know as registry rows for a curator to check."""
    writer = csv.DictWriter(handle, fieldnames=list(CANDIDATE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for name, (candidate, papers) in sorted(summary.candidates.items()):
        writer.writerow(
            {
                "name": name,
                "aliases": candidate.mention if candidate.mention != name else "",
                "version_of": candidate.version_of,
                "huggingface_id": candidate.huggingface_id,
                "sources": "",
                "cue": candidate.cue,
                "papers": "; ".join(dict.fromkeys(papers)),
                "link": candidate.link,
                "evidence": " ".join(candidate.evidence.split()),
            }
        )
    return len(summary.candidates)
