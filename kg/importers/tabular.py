"""Tabular sources: the study's annotation sheets and the generic annotation format.

The column layout is recognised from the header, whatever the container
(CSV, TSV, XLSX, JSON Lines):

* annotation sheet, layout 1: ``DOI, Uses DL, Uses PTMs, PTM Reuse Pairings``
* annotation sheet, layout 2: ``DOI, Review Date, Uses DL?, Are PTMs Used?,
  PTM and PTM Reuse Method Pairings``
* generic: ``doi`` plus any of ``title, year, journal, fields, uses_dl,
  uses_ptms, model, pattern, stages, evidence`` (one row per reuse instance),
  and from ``ptmkg extract`` also ``section, confidence, extractor, llm,
  prompt_version, extracted_at, tool, file``. A paper without a DOI is known by
  its ``id``, else by its ``file`` and title; a row with none of them is rejected.

Column names match whatever their case, spacing, underscores and question marks.
Columns whose name starts with ``_`` are ignored, so a rejects file (which adds
``_line`` and ``_reason``) loads again as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import SourceError
from kg.formats import SEPARATORS
from kg.importers.reading import ImportOptions, SourceReading
from kg.models.key import model_key as _model_key
from kg.rdf.iris import name_key
from kg.rdf.vocabulary import ConceptScheme
from kg.read.pairings import PairingSyntaxError, parse_pairings
from kg.read.tables import GENERIC_FORMAT_COLUMNS, Row, read_table
from kg.read.values import (
    InvalidDoi,
    is_blank,
    is_normal_doi,
    normalize_doi,
    parse_bool,
    parse_date,
    parse_number,
    parse_year,
    split_list,
    text_or_none,
)
from kg.records import Extraction, PaperRecord, Reject, Reuse, file_name, paper_key
from kg.text import spreadsheet_cell


class RowRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SheetLayout:
    name: str
    doi: str
    uses_dl: str
    uses_ptms: str
    pairings: str
    review_date: str | None = None


SHEET_LAYOUTS = (
    SheetLayout("annotation sheet (layout 1)", "doi", "usesdl", "usesptms", "ptmreusepairings"),
    SheetLayout(
        "annotation sheet (layout 2)",
        "doi",
        "usesdl",
        "areptmsused",
        "ptmandptmreusemethodpairings",
        review_date="reviewdate",
    ),
)
GENERIC_COLUMNS = {name_key(column) for column in GENERIC_FORMAT_COLUMNS} | {"venue"}
#: Distinct cell values whose parsed form a converter keeps (list cells, model names):
#: a corpus repeats a few values on many rows, and the bound keeps memory flat.
_CACHED_CELLS = 16_384
#: A key no row has, for a column the source lacks (``values.get`` then gives None).
#: A column key no header gives, so rows' .get() of an absent column is None.
_ABSENT = "\x00absent"


def _text(value: Any) -> str | None:
    """:func:`text_or_none`, without its checks for the usual case of a text cell."""
    if type(value) is str:
        return value.strip() or None
    return None if value is None else text_or_none(value)


def _column_keys(columns: list[str]) -> dict[str, str]:
    """Normalised key -> column name as written, for columns that are not ignored."""
    return {name_key(c): c for c in columns if c and not c.startswith("_")}


def open_tabular(path: Path, table_format: str, options: ImportOptions) -> SourceReading:
    table = read_table(path, table_format, options.encoding)
    keys = _column_keys(table.columns)
    converter: _Converter
    for layout in SHEET_LAYOUTS:
        if layout.pairings in keys:
            wanted = [layout.doi, layout.uses_dl, layout.uses_ptms, layout.pairings]
            if layout.review_date:
                wanted.append(layout.review_date)
            missing = [w for w in wanted if w not in keys]
            if missing:
                raise SourceError(
                    path,
                    f"looks like an {layout.name} but lacks the column(s) "
                    + ", ".join(repr(m) for m in missing),
                )
            converter = _SheetConverter(layout, keys, options)
            break
    else:
        if not {"doi", "id", "file"} & keys.keys():
            raise SourceError(
                path,
                "no 'DOI' column; expected an annotation sheet (DOI, Uses DL, Uses PTMs, "
                "PTM Reuse Pairings) or the generic format (doi, title, year, fields, model, "
                "pattern, stages, evidence; 'id' or 'file' identify papers without a DOI)",
            )
        converter = _GenericConverter(keys, options, table.decimal_comma)
    reading = SourceReading(
        path=path,
        format=table_format,
        layout=converter.layout,
        columns=[c for c in table.columns if not c.startswith("_")],
        items=iter(()),
        # Rejects are written as the source is: a semicolon sheet's with semicolons.
        reject_format=table_format if table_format in _REJECTS_AS_SOURCE else "csv",
        size_bytes=table.size_bytes,
        progress=table.progress,
    )
    unknown = sorted(c for k, c in keys.items() if k not in converter.known_keys)
    if unknown:
        reading.warnings.append(f"{path}: {_ignored_columns(unknown)}")
    rows = table.rows
    if table_format in SEPARATORS and REJECTS_MARKER in table.columns:
        rows = _as_written(rows)
    reading.items = _convert_rows(rows, converter, reading.columns)
    return reading


#: Sources whose rejects file is written in their own format (kg.rejects); others' in CSV.
_REJECTS_AS_SOURCE = frozenset({*SEPARATORS, "jsonl"})
#: The column every CSV or TSV rejects file has, and no source of ours.
REJECTS_MARKER = "_reason"


def _as_written(rows: Iterator[Row]) -> Iterator[Row]:
    """A rejects file's cells as the source had them: its writer made cells that a
    spreadsheet would run as formulas into text (:func:`kg.text.spreadsheet_safe`)."""
    for row in rows:
        row.values = {
            k: spreadsheet_cell(v) if isinstance(v, str) else v for k, v in row.values.items()
        }
        yield row


#: Ignored columns a warning names; a sheet with thousands gets a count for the rest.
NAMED_IGNORED_COLUMNS = 5


def _ignored_columns(unknown: list[str]) -> str:
    def shown(name: str) -> str:
        return repr(name if len(name) <= 40 else name[:37] + "...")

    named = ", ".join(shown(u) for u in unknown[:NAMED_IGNORED_COLUMNS])
    if len(unknown) <= NAMED_IGNORED_COLUMNS:
        return f"ignored column(s) {named}"
    rest = len(unknown) - NAMED_IGNORED_COLUMNS
    return f"{len(unknown):,} ignored column(s): {named} and {rest:,} more"


def _convert_rows(
    rows: Iterator[Row], converter: _Converter, columns: list[str]
) -> Iterator[PaperRecord | Reject]:
    for row in rows:
        if row.problem:
            yield Reject(row.line, row.problem, _kept(row), tuple(columns))
            continue
        try:
            yield converter.convert(row)
        except RowRejected as rejected:
            yield Reject(row.line, rejected.reason, _kept(row), tuple(columns))


def _kept(row: Row) -> dict[str, Any]:
    """The row as a rejects file keeps it."""
    return {k: v for k, v in row.values.items() if not k.startswith("_") or k in ("_extra", "_raw")}


def _shown(key: str) -> str:
    """A paper's key (:attr:`PaperRecord.key`) as a message names the paper."""
    if key.startswith("id:"):
        return f"the paper of id {key[3:]!r}"
    if key.startswith("file:"):
        name, _, title = key[5:].partition("\x1f")
        return f"the paper of file {name!r}" + (f" titled {title!r}" if title else "")
    return f"DOI {key}"


class _Converter:
    layout: str
    known_keys: set[str]

    def __init__(self, keys: dict[str, str], options: ImportOptions) -> None:
        self.keys = keys
        self.options = options
        self.vocabulary = options.vocabulary

    def value(self, row: Row, key: str) -> Any:
        column = self.keys.get(key)
        return None if column is None else row.values.get(column)

    def column(self, key: str) -> str:
        return self.keys.get(key, key)

    def doi(self, row: Row) -> str:
        raw = self.value(row, "doi")
        if type(raw) is str and is_normal_doi(raw):
            return raw  # already as normalize_doi would give it
        if is_blank(raw):
            raise RowRejected("the DOI is missing")
        try:
            return normalize_doi(str(raw))
        except InvalidDoi as exc:
            raise RowRejected(f"malformed DOI: {exc}") from None

    def boolean(self, row: Row, key: str) -> bool | None:
        value = self.value(row, key)
        if value is True or value is False or value is None:
            return value
        try:
            return parse_bool(value, self.column(key))
        except ValueError as exc:
            raise RowRejected(str(exc)) from None

    def concept_cell(
        self, cache: dict[str, tuple[str, ...]], scheme: ConceptScheme, value: Any, what: str
    ) -> tuple[str, ...]:
        """:meth:`concepts` of a list cell, remembered for text cells that other rows repeat."""
        if value is None:
            return ()
        if type(value) is not str:
            return self.concepts(scheme, split_list(value), what)
        iris = cache.get(value)
        if iris is None:
            iris = self.concepts(scheme, split_list(value), what)
            if len(cache) < _CACHED_CELLS:
                cache[value] = iris
        return iris

    def concepts(self, scheme: ConceptScheme, labels: list[str], what: str) -> tuple[str, ...]:
        iris: list[str] = []
        for label in labels:
            concept = scheme.lookup(label)
            if concept is None:
                expected = (
                    ", ".join(scheme.labels())
                    if len(scheme.labels()) < 10
                    else "an OpenAlex field name or id (11-36)"
                )
                raise RowRejected(f"unknown {what} {label!r} (expected {expected})")
            if concept.iri not in iris:
                iris.append(concept.iri)
        return tuple(iris)

    def convert(self, row: Row) -> PaperRecord:
        raise NotImplementedError


def _consistent_flags(
    uses_dl: bool | None,
    uses_ptms: bool | None,
    has_models: bool,
    dl_column: str,
    ptms_column: str,
) -> tuple[bool | None, bool | None]:
    """Reuse of a named model implies PTM use, and PTM use implies deep learning."""
    if has_models:
        if uses_ptms is False:
            raise RowRejected(f"models are named but {ptms_column} is False")
        uses_ptms = True
    if uses_ptms:
        if uses_dl is False:
            raise RowRejected(f"{ptms_column} is True but {dl_column} is False")
        uses_dl = True
    return uses_dl, uses_ptms


class _SheetConverter(_Converter):
    def __init__(self, layout: SheetLayout, keys: dict[str, str], options: ImportOptions) -> None:
        super().__init__(keys, options)
        self.sheet = layout
        self.layout = layout.name
        self.known_keys = {layout.doi, layout.uses_dl, layout.uses_ptms, layout.pairings}
        if layout.review_date:
            self.known_keys.add(layout.review_date)
        self.first_line: dict[str, int] = {}

    def convert(self, row: Row) -> PaperRecord:
        sheet = self.sheet
        doi = self.doi(row)
        if doi in self.first_line:
            raise RowRejected(f"duplicate row: DOI {doi} is already on line {self.first_line[doi]}")
        uses_dl = self.boolean(row, sheet.uses_dl)
        uses_ptms = self.boolean(row, sheet.uses_ptms)
        review_date = None
        if sheet.review_date:
            try:
                review_date = parse_date(
                    self.value(row, sheet.review_date), self.column(sheet.review_date)
                )
            except ValueError as exc:
                raise RowRejected(str(exc)) from None
        cell = self.value(row, sheet.pairings)
        reuses = self.parse_pairing_cell("" if cell is None else str(cell))
        uses_dl, uses_ptms = _consistent_flags(
            uses_dl,
            uses_ptms,
            bool(reuses),
            self.column(sheet.uses_dl),
            self.column(sheet.uses_ptms),
        )
        self.first_line[doi] = row.line
        return PaperRecord(
            doi=doi,
            line=row.line,
            uses_deep_learning=uses_dl,
            reuses_pretrained_models=uses_ptms,
            review_date=review_date,
            reuses=reuses,
        )

    def parse_pairing_cell(self, cell: str) -> tuple[Reuse, ...]:
        patterns = self.vocabulary.patterns
        column = self.column(self.sheet.pairings)
        try:
            pairings = parse_pairings(cell, lambda label: patterns.lookup(label) is not None)
        except PairingSyntaxError as exc:
            raise RowRejected(f"{column}: cannot parse {cell!r}: {exc}") from None
        reuses: list[Reuse] = []
        for number, pairing in enumerate(pairings, start=1):
            if not name_key(pairing.model):
                raise RowRejected(f"{column}: pairing {number} has no model name")
            for label in pairing.pattern_labels:
                concept = patterns.lookup(label)
                if concept is None:
                    raise RowRejected(
                        f"{column}: unknown reuse pattern {label!r} in pairing {number} "
                        f"(expected {', '.join(patterns.labels())})"
                    )
                reuses.append(Reuse(mention=pairing.model, pattern=concept.iri))
        return tuple(reuses)


class _GenericConverter(_Converter):
    layout = "generic annotations"
    known_keys = GENERIC_COLUMNS

    def __init__(
        self, keys: dict[str, str], options: ImportOptions, decimal_comma: bool = False
    ) -> None:
        super().__init__(keys, options)
        self.decimal_comma = decimal_comma
        self.papers: dict[str, tuple[int, tuple[Any, ...]]] = {}
        self.instances: dict[tuple[str, str | None, tuple[str, ...]], int] = {}
        # Each row reads these columns; where they are is known once the header is.
        column = {key: keys.get(key, _ABSENT) for key in GENERIC_COLUMNS}
        self._doi, self._id, self._file = column["doi"], column["id"], column["file"]
        self._tool = column["tool"]
        # A paper known by its file is known by its file's name and its title: the title
        # that identifies each file name, with the line that gave it first.
        self._file_titles: dict[tuple[str, str | None], int] = {}
        self._titles_of_file: dict[str, tuple[int, str | None]] = {}
        self._title, self._journal, self._venue = (column[k] for k in ("title", "journal", "venue"))
        self._year, self._fields, self._model = (column[k] for k in ("year", "fields", "model"))
        self._pattern, self._stages = column["pattern"], column["stages"]
        self._evidence, self._dl, self._ptms = (
            column[k] for k in ("evidence", "usesdl", "usesptms")
        )
        self._dl_name, self._ptms_name = self.column("usesdl"), self.column("usesptms")
        self._year_name = self.column("year")
        # Without these columns, found_how has nothing to find.
        self._extracted = any(k in keys for k in ("section", "confidence", "extractor"))
        self._field_cells: dict[str, tuple[str, ...]] = {}
        self._pattern_cells: dict[str, tuple[str, ...]] = {}
        self._stage_cells: dict[str, tuple[str, ...]] = {}
        self._model_keys: dict[str, str] = {}

    def convert(self, row: Row) -> PaperRecord:
        # The checks of the generic format, in the order that decides a row's reason to be
        # rejected; cells that rows repeat (lists, model names) are parsed once.
        get = row.values.get
        doi = get(self._doi)
        identifier = file = None
        if type(doi) is not str or not is_normal_doi(doi):
            identifier, file = _text(get(self._id)), _text(get(self._file))
            if not is_blank(doi):
                doi = self.doi(row)
            elif identifier is None and file is None:
                raise RowRejected(
                    "the DOI is missing, and no 'id' or 'file' identifies the paper instead"
                )
            else:
                doi = None
        title = _text(get(self._title))
        if doi is None and identifier is None and file is not None:
            self.check_file_title(file, title, row.line)
        venue = _text(get(self._journal)) or _text(get(self._venue))
        year = get(self._year)
        if type(year) is not int or not 1000 <= year <= 2999:
            try:
                year = parse_year(year, self._year_name)
            except ValueError as exc:
                raise RowRejected(str(exc)) from None
        vocabulary = self.vocabulary
        fields = self.concept_cell(self._field_cells, vocabulary.fields, get(self._fields), "field")
        model = _text(get(self._model))
        patterns = self.concept_cell(
            self._pattern_cells, vocabulary.patterns, get(self._pattern), "reuse pattern"
        )
        stages = self.concept_cell(self._stage_cells, vocabulary.stages, get(self._stages), "stage")
        evidence = _text(get(self._evidence))
        found = self.found_how(row) if self._extracted else (None, None, None)
        model_key = None
        if model is None:
            if patterns or stages or evidence:
                raise RowRejected("a pattern, stages or evidence are given but no model")
        else:
            model_key = self._model_keys.get(model)
            if model_key is None:
                model_key = _model_key(model)
                if len(self._model_keys) < _CACHED_CELLS:
                    self._model_keys[model] = model_key
            if not model_key:
                raise RowRejected(f"model name {model!r} has no letters or digits")
        uses_dl, uses_ptms = get(self._dl), get(self._ptms)
        if not (uses_dl is None or uses_dl is True or uses_dl is False):
            uses_dl = self.boolean(row, "usesdl")
        if not (uses_ptms is None or uses_ptms is True or uses_ptms is False):
            uses_ptms = self.boolean(row, "usesptms")
        uses_dl, uses_ptms = _consistent_flags(
            uses_dl, uses_ptms, model is not None, self._dl_name, self._ptms_name
        )
        metadata = (title, year, venue, fields, uses_dl, uses_ptms)
        key = paper_key(doi, identifier, file, title)
        if key in self.papers:
            self.check_paper(key, row.line, metadata)
        else:
            self.papers[key] = (row.line, metadata)
        reuses: tuple[Reuse, ...] = ()
        if model is not None:
            identity = (key, model_key, patterns)
            if identity in self.instances:
                raise RowRejected(
                    f"duplicate row: the same paper, model and pattern as line "
                    f"{self.instances[identity]}"
                )
            self.instances[identity] = row.line
            section, confidence, extraction = found
            reuses = tuple(
                Reuse(
                    mention=model,
                    pattern=p,
                    stages=stages,
                    evidence=evidence,
                    section=section,
                    confidence=confidence,
                    extraction=extraction,
                    tool=_text(get(self._tool)),
                )
                for p in (patterns or (None,))
            )
        return PaperRecord(
            doi=doi,
            line=row.line,
            identifier=identifier,
            file=file,
            title=title,
            year=year,
            venue=venue,
            fields=fields,
            uses_deep_learning=uses_dl,
            reuses_pretrained_models=uses_ptms,
            reuses=reuses,
        )

    def found_how(self, row: Row) -> tuple[str | None, float | None, Extraction | None]:
        """The columns ptmkg extract adds: section, confidence and the extractor's provenance."""
        section = text_or_none(self.value(row, "section"))
        raw = self.value(row, "confidence")
        confidence = None
        if not is_blank(raw):
            try:
                confidence = parse_number(raw, self.decimal_comma)
            except ValueError:
                confidence = -1.0
            if not 0.0 <= confidence <= 1.0:
                raise RowRejected(
                    f"{self.column('confidence')} is {raw!r}, expected a number from 0 to 1"
                )
        method = text_or_none(self.value(row, "extractor"))
        extraction = None
        if method is not None:
            extracted_at = text_or_none(self.value(row, "extractedat"))
            if extracted_at is not None:
                try:
                    extracted_at = dt.datetime.fromisoformat(extracted_at).isoformat()
                except ValueError:
                    raise RowRejected(
                        f"{self.column('extractedat')} is {extracted_at!r}, expected an ISO "
                        f"8601 date and time such as 2026-03-01T12:00:00+00:00"
                    ) from None
            extraction = Extraction(
                method=method,
                prompt_version=text_or_none(self.value(row, "promptversion")),
                llm=text_or_none(self.value(row, "llm")),
                time=extracted_at,
            )
        return section, confidence, extraction

    _METADATA = ("title", "year", "journal", "fields", "uses_dl", "uses_ptms")

    def check_file_title(self, file: str, title: str | None, line: int) -> None:
        """A paper known by its file is known by the file's name and its title, so each row
        of it gives the same title (or each none): a row without the title would make it
        another paper. Two files of one name with different titles are two papers."""
        name = file_name(file)
        if (name, title) in self._file_titles:
            return
        earlier = self._titles_of_file.get(name)
        if earlier is not None and (title is None or earlier[1] is None):
            first_line, first_title = earlier
            given = "no title" if title is None else f"the title {title!r}"
            raise RowRejected(
                f"{given} for the paper known by its file {name!r}, which line {first_line} "
                f"gave {'no title' if first_title is None else repr(first_title)}: without a "
                "DOI or an id, a paper is known by its file's name and its title, so give the "
                "same title on each of its rows (or an 'id' column)"
            )
        self._file_titles[name, title] = line
        self._titles_of_file.setdefault(name, (line, title))

    def check_paper(self, key: str, line: int, metadata: tuple[Any, ...]) -> None:
        """Rows of one paper must not contradict each other; blanks agree with anything."""
        known = self.papers.get(key)
        if known is None:
            self.papers[key] = (line, metadata)
            return
        first_line, first = known
        merged = list(first)
        for index, (old, new) in enumerate(zip(first, metadata, strict=True)):
            if is_blank(new) or new == ():
                continue
            if is_blank(old) or old == ():
                merged[index] = new
            elif old != new:
                raise RowRejected(
                    f"{self._METADATA[index]} {new!r} contradicts {old!r} given for "
                    f"{_shown(key)} on line {first_line}"
                )
        self.papers[key] = (first_line, tuple(merged))
