"""The registry of input formats, :data:`IMPORTERS`.

Each format is one :class:`~kg.formats.Format` entry: a name (what ``--format`` takes),
its extensions, a description, a sniff function that recognises it from a file's first
kilobytes (:class:`~kg.formats.Sample`), and the path of the function that opens a
source and yields records, imported only when a source of that format is read. Adding a
format is adding an entry here, not editing a chain of ``if``\\s.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

from kg.defaults import REJECTS_DIR
from kg.errors import SourceError
from kg.formats import (
    OLD_EXCEL_MAGIC,
    XLSX_SUFFIXES,
    Format,
    Registry,
    Sample,
    UnknownFormat,
    is_workbook,
    plain_text,
    text_table_format,
)
from kg.importers.reading import ImportOptions, SourceReading
from kg.read.jats import ARTICLE_SUFFIXES
from kg.read.tables import check_readable

__all__ = [
    "IMPORTERS",
    "ImportOptions",
    "SourceReading",
    "detect",
    "expand_sources",
    "open_source",
    "open_sources",
]


# ------------------------------------------------------------------ sniffing

SQLITE_MAGIC = b"SQLite format 3\x00"
PARQUET_MAGIC = b"PAR1"
_MODEL_CARD_KEYS = ("base_model", "pipeline_tag", "library_name", "base_model_relation")
_OPENALEX_KEYS = ('"results"', '"publication_year"', '"authorships"', '"topics"')
_JATS_HEAD = 4096


def _aius(sample: Sample) -> bool:
    return sample.head.startswith(SQLITE_MAGIC)


def _parquet(sample: Sample) -> bool:
    return sample.head.startswith(PARQUET_MAGIC)


def _model_card(sample: Sample) -> bool:
    """A README.md whose YAML header is a model card, or a Hub API answer about a model."""
    if sample.container:
        return False
    text = sample.head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if text.startswith("---") and sample.suffix in (".md", ".markdown", ""):
        return True
    if text.lstrip().startswith("{"):
        return (
            '"modelId"' in text
            or '"cardData"' in text
            or (
                '"id"' in text
                and any(f'"{key}"' in text for key in _MODEL_CARD_KEYS)
                and '"doi"' not in text
            )
        )
    return False


def _openalex(sample: Sample) -> bool:
    """One work, an API list response, or snapshot JSON Lines (plain or gzip)."""
    if sample.container == "zip":
        return False
    head = sample.content.decode("utf-8", errors="replace").lstrip("\ufeff")
    if not head.lstrip().startswith("{"):
        return False
    if "openalex.org/W" in head and any(key in head for key in _OPENALEX_KEYS):
        return True
    # A page without works (the last page of a paged query) names no work: its "meta"
    # object, with the keys only OpenAlex's list responses have, tells what it is.
    return '"results"' in head and _OPENALEX_LIST_META.search(head) is not None


_OPENALEX_LIST_META = re.compile(
    r'"meta"\s*:\s*\{[^{}]*"(?:db_response_time_ms|per_page|groups_count)"'
)


def looks_like_jats(head: bytes) -> bool:
    """Whether the first bytes of a document are those of a JATS article."""
    return b"<article" in head and (
        b"JATS" in head
        or b"NLM" in head
        or b"<front" in head
        or b"article-type" in head
        or b"dtd-version" in head
        or b"xmlns:xlink" in head
    )


def _jats(sample: Sample) -> bool:
    """A JATS document, a gzip of one, or a zip archive whose first article is one."""
    if sample.container == "zip":
        for member in sample.members:
            if member.lower().endswith(ARTICLE_SUFFIXES):
                return looks_like_jats(sample.member_head(member)[:_JATS_HEAD])
        return False
    return looks_like_jats(sample.content[:_JATS_HEAD])


def _jsonl(sample: Sample) -> bool:
    text = plain_text(sample)
    return text is not None and text.startswith(b"{")


def _csv(sample: Sample) -> bool:
    return text_table_format(sample) == "csv"


def _csv_semicolon(sample: Sample) -> bool:
    return text_table_format(sample) == "csv-semicolon"


def _tsv(sample: Sample) -> bool:
    return text_table_format(sample) == "tsv"


def _unrecognised(sample: Sample) -> str:
    """Why no input format accepts a file, in the user's terms."""
    head = sample.head
    if sample.container == "gzip":
        return "a gzip file that does not hold OpenAlex works"
    if sample.container == "zip":
        return "a ZIP archive that is not an XLSX workbook"
    if head.startswith(OLD_EXCEL_MAGIC):
        return "an old binary Excel (.xls) file; save it as .xlsx or CSV"
    if b"\x00" in head:
        return "a binary file in no supported format (CSV, TSV, XLSX, JSON Lines)"
    if sample.suffix in XLSX_SUFFIXES:
        return "has an .xlsx name but is not an XLSX workbook"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        return "a JSON array; ptmkg reads JSON Lines (one JSON object per line)"
    return "unsupported format: not CSV, TSV, XLSX or JSON Lines (use --format to say which)"


# ------------------------------------------------------------------ registry

_TABLES = "kg.importers.tabular:open_tabular"

IMPORTERS = Registry(
    "input format",
    (
        Format(
            "csv",
            (".csv",),
            _TABLES,
            "comma-separated annotation sheet or generic annotations",
            _csv,
        ),
        Format(
            "csv-semicolon",
            (),
            _TABLES,
            "semicolon-separated CSV, as spreadsheets in many European languages save it "
            "(a 'sep=;' first line allowed; decimal commas read in numeric columns)",
            _csv_semicolon,
        ),
        Format(
            "tsv",
            (".tsv", ".tab"),
            _TABLES,
            "tab-separated annotation sheet or generic annotations",
            _tsv,
        ),
        Format(
            "xlsx",
            XLSX_SUFFIXES,
            _TABLES,
            "Excel workbook (first worksheet) in either layout",
            is_workbook,
        ),
        Format(
            "jsonl",
            (".jsonl", ".ndjson", ".json"),
            _TABLES,
            "generic annotations as JSON Lines, one object per line",
            _jsonl,
        ),
        Format(
            "aius",
            (".db", ".sqlite", ".sqlite3"),
            "kg.importers.aius:open_aius",
            "the study pipeline's SQLite database",
            _aius,
        ),
        Format(
            "openalex",
            (),
            "kg.importers.openalex:open_openalex",
            "OpenAlex works: one work, an API list response, or snapshot JSON Lines (gzip or not)",
            _openalex,
        ),
        Format(
            "model-card",
            (),
            "kg.importers.model_cards:open_model_card",
            "Hugging Face model card metadata: README.md YAML header or JSON",
            _model_card,
        ),
        Format(
            "jats",
            ARTICLE_SUFFIXES,
            "kg.importers.jats:open_jats",
            "JATS XML articles (a file, a gzip file, or a zip of articles), read with the "
            "offline PTM reuse extractor",
            _jats,
        ),
        Format(
            "parquet",
            (".parquet",),
            "kg.importers.aius_parquet:open_parquet_runs",
            "the study pipeline's analysis runs as parquet files "
            "(aius_<backend>_<prompt>_index-<i>_stride-<s>.parquet)",
            _parquet,
            # Reads all the files of this format given to one build at once (files
            # that together form one source): called with the list of paths.
            options={"together": True},
        ),
    ),
    # Most specific content first; the text tables, which accept almost any text, last.
    sniff_order=(
        "aius",
        "parquet",
        "model-card",
        "openalex",
        "jats",
        "xlsx",
        "jsonl",
        "csv",
        "csv-semicolon",
        "tsv",
    ),
    unrecognised=_unrecognised,
)
"""Every input format: its ``--format`` name, how it is recognised, which module reads it.

A reader is called ``open(path, format_name, options) -> SourceReading``, or, for a format
whose ``options["together"]`` is set, ``open(paths, format_name, options) ->
list[SourceReading]``."""


def detect(path: Path) -> str:
    """The input format of a file, from its first bytes (and, for text tables, its name)."""
    return IMPORTERS.detect(path).name


_GLOB_CHARACTERS = frozenset("*?[")
#: Folders a build never looks into for sources: its own rejects files would come back.
_SKIPPED_FOLDERS = frozenset({REJECTS_DIR, "__pycache__", "node_modules"})


def expand_sources(paths: list[Path], format_name: str | None = None) -> list[Path]:
    """The files a build reads for ``paths``: a file as it is; a folder's files, at any
    depth, that the registry detects as a format it reads (with ``format_name``, as that),
    leaving out hidden files and folders and ``ptmkg-rejects``; a glob's matches (``**``
    for any depth, hidden files and ``ptmkg-rejects`` left out), files or folders, for a
    pattern the shell did not expand. A folder or a
    glob with nothing to read is an error naming it; nothing is read twice.
    """
    found: list[Path] = []
    for path in paths:
        text = str(path)
        if not path.exists() and _GLOB_CHARACTERS & set(text):
            matches = [
                Path(m)
                for m in sorted(glob.glob(text, recursive=True))
                if not _SKIPPED_FOLDERS & set(Path(m).parent.parts)
            ]
            if not matches:
                raise SourceError(path, "no file matches this pattern")
            expanded = expand_sources(matches, format_name)
        elif path.is_dir():
            expanded = _folder_sources(path, format_name)
            if not expanded:
                known = ", ".join(IMPORTERS) if format_name is None else format_name
                raise SourceError(path, f"is a folder with no file in a format it reads ({known})")
        else:
            expanded = [path]
        found.extend(expanded)
    seen: set[Path] = set()
    unique = []
    for path in found:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def _folder_sources(folder: Path, format_name: str | None) -> list[Path]:
    files = []
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(
            f for f in folders if not f.startswith(".") and f not in _SKIPPED_FOLDERS
        )
        for name in sorted(names):
            path = Path(root) / name
            if name.startswith(".") or not path.is_file() or path.stat().st_size == 0:
                continue
            try:
                sniffed = IMPORTERS.sniff(Sample.of(path))  # what a build would detect
            except OSError:
                sniffed = None
            if sniffed is not None and format_name in (None, sniffed.name):
                files.append(path)
    return files


def open_sources(
    paths: list[Path], format_name: str | None, options: ImportOptions
) -> list[SourceReading]:
    """Open every source, each with the named importer or the one its content suggests;
    folders and glob patterns stand for the files in them (:func:`expand_sources`).

    Every file is checked before any is read, so one bad path fails the build early.
    """
    chosen: list[tuple[Path, Format]] = []
    for path in expand_sources(paths, format_name):
        check_readable(path)
        if format_name is None:
            chosen.append((path, IMPORTERS.detect(path)))
            continue
        try:
            chosen.append((path, IMPORTERS[format_name]))
        except UnknownFormat:
            known = ", ".join(sorted(IMPORTERS))
            raise SourceError(
                path, f"unknown format {format_name!r} (known formats: {known})"
            ) from None
    readings: list[SourceReading] = []
    together: dict[str, tuple[Format, list[Path]]] = {}
    for path, fmt in chosen:
        if fmt.options.get("together"):
            together.setdefault(fmt.name, (fmt, []))[1].append(path)
        else:
            readings.append(fmt.load()(path, fmt.name, options))
    for fmt, group in together.values():
        readings.extend(fmt.load()(group, fmt.name, options))
    return readings


def open_source(path: Path, format_name: str | None, options: ImportOptions) -> SourceReading:
    """Open one source file."""
    readings = open_sources([path], format_name, options)
    return readings[0]
