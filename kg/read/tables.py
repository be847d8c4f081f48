"""Reading tabular sources (CSV, semicolon-separated CSV, TSV, XLSX, JSON Lines) into
numbered rows.

One function, :func:`read_table`, sniffs nothing but reads the format it is given
(the input registry, :data:`kg.importers.IMPORTERS`, recognises formats). Every
importer of tabular data goes through here, and so do the tables that are not sources
(alias files, label files: :func:`open_table`), so line numbers, encodings and malformed
rows are handled once.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.defaults import SOURCE_ENCODING
from kg.errors import SourceError
from kg.formats import EXCEL_SEPARATOR_LINE, SEPARATORS, Sample, table_format

MAX_CELL_CHARS = 1024 * 1024
"""A longer value rejects its row (kept whole in the rejects file): no field of the
annotation formats is anywhere near a million characters, and such a cell is far more
likely a file pasted by mistake or an attack on memory."""

MAX_FIELD_CHARS = 64 * 1024 * 1024
"""The CSV parser's own limit: past it a row's end is lost, so the file stops there."""

#: The generic annotation format's columns, in the order ``ptmkg extract`` writes them (the
#: generic importer reads them; here, below both, so neither depends on the other).
GENERIC_FORMAT_COLUMNS = (
    "doi",
    "id",  # what identifies a paper without a DOI, where the source has an identifier
    "title",
    "year",
    "journal",
    "fields",
    "uses_dl",
    "uses_ptms",
    "model",
    "pattern",
    "stages",
    "evidence",
    # written by ptmkg extract
    "section",
    "confidence",
    "extractor",
    "llm",
    "prompt_version",
    "extracted_at",
    "tool",  # the software that ran the model (ColabFold runs AlphaFold 2)
    "file",  # the article's file: what identifies a paper without a DOI
)

TOO_DEEP = "JSON nested too deeply to read (thousands of levels)"

MAX_XLSX_PART_BYTES = 512 * 1024 * 1024
"""An XLSX part (a sheet, the shared strings) larger than this when unpacked is refused."""


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    problem: str | None = None  # set when the row itself is unreadable (encoding, JSON)


@dataclass
class Table:
    format: str
    columns: list[str]
    rows: Iterator[Row]
    size_bytes: int = 0
    progress: list[int] = field(default_factory=lambda: [0])  # bytes consumed so far
    decimal_comma: bool = False
    """Whether numbers may be written with a decimal comma (``0,8``), as in the
    semicolon-separated CSV of spreadsheets that use one; numeric columns then read both."""


def check_readable(path: Path) -> None:
    if not path.exists():
        raise SourceError(path, "no such file")
    if path.is_dir():
        raise SourceError(path, "is a directory; give the files in it")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        raise SourceError(path, f"cannot be read ({exc.strerror})") from None
    if size == 0:
        raise SourceError(path, "the file is empty")


def read_table(path: Path, table_format: str, encoding: str = SOURCE_ENCODING) -> Table:
    readers = {
        "csv": _read_delimited,
        "csv-semicolon": _read_delimited,
        "tsv": _read_delimited,
        "xlsx": _read_xlsx,
        "jsonl": _read_json_lines,
    }
    if table_format not in readers:
        raise SourceError(path, f"unknown table format {table_format!r}")
    if table_format != "xlsx":
        check_encoding(path, encoding)
    return readers[table_format](path, table_format, encoding)


def open_table(path: Path, encoding: str = SOURCE_ENCODING) -> Table:
    """A file that is read as a table but is not a source (an alias file, a label file),
    in any form a sheet may take: comma, semicolon or tab separated (a ``sep=`` first
    line, a BOM), or an XLSX workbook; read by :func:`read_table` as a sheet is."""
    check_readable(path)
    found = table_format(Sample.of(path))
    if found is None:
        raise SourceError(path, "not a table: give a CSV, TSV or XLSX file")
    return read_table(path, found, encoding)


# ------------------------------------------------------------------ encodings

#: The encoding Excel on Windows saves "CSV" in (western European languages): what a
#: file that is not UTF-8 most often is, offered as advice, never assumed.
WINDOWS_ENCODING = "cp1252"
_SCAN_CHUNK = 1024 * 1024
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_SHOWN_BYTES = 80  # of the line around a byte that is not UTF-8, in the message


def check_encoding(path: Path, encoding: str) -> None:
    """Refuse an encoding Python does not know and, for UTF-8, a file whose first
    non-ASCII byte does not begin UTF-8 text: a file saved in another encoding (cp1252,
    as Excel on Windows saves CSV), refused whole, before any row is read, with the
    line and byte offset, what the line says as cp1252, and the ``--encoding`` to pass.

    Not guessed: on the few words of a title, detectors choose among cp1252, cp1250 and
    their cousins by chance, and a wrong guess changes letters silently ("naïve"
    becomes "naďve"). A stray byte after UTF-8 text is left to the row it is in, which
    is rejected and kept as it is (see :func:`has_undecodable`).
    """
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise SourceError(
            path, f"unknown text encoding {encoding!r} (try utf-8, {WINDOWS_ENCODING} or latin-1)"
        ) from None
    if codec not in ("utf-8", "utf-8-sig"):
        return
    with path.open("rb") as handle:
        offset, lines = 0, 0
        while chunk := handle.read(_SCAN_CHUNK):
            found = None if chunk.isascii() else _NON_ASCII.search(chunk)
            if found is None:
                offset += len(chunk)
                lines += chunk.count(b"\n")
                continue
            bad = offset + found.start()
            line = lines + chunk.count(b"\n", 0, found.start()) + 1
            handle.seek(bad)
            try:
                codecs.getincrementaldecoder("utf-8")().decode(handle.read(4))
            except UnicodeDecodeError as exc:
                if exc.start == 0:
                    raise SourceError(path, _not_utf8(path, bad, line)) from None
            return


def _not_utf8(path: Path, offset: int, line: int) -> str:
    """The reason a file is not UTF-8, with its line read as cp1252 when it can be."""
    with path.open("rb") as handle:
        handle.seek(max(0, offset - _SHOWN_BYTES))
        around = handle.read(2 * _SHOWN_BYTES)
    at = min(offset, _SHOWN_BYTES)
    start = around.rfind(b"\n", 0, at) + 1
    end = around.find(b"\n", at)
    text = around[start : end if end >= 0 else None].rstrip(b"\r")
    where = f"line {line}, byte offset {offset}: 0x{around[at]:02x} is not UTF-8"
    try:
        shown = text.decode(WINDOWS_ENCODING)
    except UnicodeDecodeError:
        return f"{where}: pass --encoding with the file's encoding, or save it as UTF-8"
    return (
        f"{where}; read as {WINDOWS_ENCODING} (Windows-1252, as Excel on Windows saves CSV) "
        f"the line is {shown!r}: if that is right, pass --encoding {WINDOWS_ENCODING}, else "
        f"save the file as UTF-8"
    )


# ------------------------------------------------------------------ CSV, TSV


def _decoded_lines(path: Path, encoding: str, table: Table) -> Iterator[str]:
    """Lines decoded so that undecodable bytes survive (as lone surrogates)."""
    with path.open("rb") as handle:
        first = True
        for raw in handle:
            table.progress[0] += len(raw)
            if first:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
                first = False
            yield raw.decode(encoding, errors="surrogateescape")


# Bytes the decoder could not read survive as lone surrogates (surrogateescape).
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def has_undecodable(value: str) -> bool:
    # A regular expression scans in C; a generator over every character of every line
    # was a fifth of a build's reading time.
    return not value.isascii() and _UNDECODABLE.search(value) is not None


def _undecodable_problem(values: dict[str, Any], encoding: str) -> str | None:
    for column, value in values.items():
        if isinstance(value, str) and has_undecodable(value):
            byte = next(ord(ch) - 0xDC00 for ch in value if "\udc80" <= ch <= "\udcff")
            return (
                f"not valid {encoding.upper()} text (byte 0x{byte:02x} in column {column!r}); "
                f"save the file as UTF-8 or pass --encoding"
            )
    return None


def _oversized(values: dict[str, Any]) -> str | None:
    for column, value in values.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            return (
                f"a value of {len(value):,} characters in column {column!r} (the limit is "
                f"{MAX_CELL_CHARS:,})"
            )
    return None


class _RecordedLines:
    """The decoded lines, keeping the text of the record being parsed (for rejects)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.record: list[str] = []

    def __iter__(self) -> _RecordedLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record.append(line)
        return line


def _read_delimited(path: Path, table_format: str, encoding: str) -> Table:
    table = Table(
        format=table_format,
        columns=[],
        rows=iter(()),
        size_bytes=path.stat().st_size,
        decimal_comma=table_format == "csv-semicolon",
    )
    lines = _RecordedLines(_decoded_lines(path, encoding, table))
    csv.field_size_limit(MAX_FIELD_CHARS)
    delimiter = SEPARATORS[table_format]
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
        separator = EXCEL_SEPARATOR_LINE.fullmatch("".join(lines.record).rstrip("\r\n"))
        if separator:  # Excel's first line naming the separator
            if separator.group(1) != delimiter:
                raise SourceError(
                    path,
                    f"line {reader.line_num} says the separator is {separator.group(1)!r} but "
                    f"the file is read as {table_format} (separator {delimiter!r}): leave out "
                    f"--format, or name the format that uses {separator.group(1)!r}",
                )
            header = next(reader)
            while not any(cell.strip() for cell in header):
                header = next(reader)
    except StopIteration:
        raise SourceError(path, "the file has no header row") from None
    except csv.Error as exc:
        raise SourceError(path, f"line {reader.line_num}: unreadable header ({exc})") from None
    if any(has_undecodable(cell) for cell in header):
        raise SourceError(path, f"line {reader.line_num}: the header is not valid {encoding} text")
    columns = [cell.strip() for cell in header]
    _check_columns(path, columns)
    table.columns = columns

    def rows() -> Iterator[Row]:
        last = reader.line_num
        while True:
            lines.record = []
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raw = {"_raw": "".join(lines.record)}
                if "field larger than field limit" in str(exc):
                    # The parser lost the row's end: what follows cannot be split safely.
                    yield Row(
                        last + 1,
                        raw,
                        f"a field longer than {MAX_FIELD_CHARS:,} characters; the rest of "
                        f"the file from here is not read",
                    )
                    return
                yield Row(last + 1, raw, f"unreadable CSV ({exc})")
                last = reader.line_num
                continue
            start, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            values: dict[str, Any] = dict(zip(columns, cells, strict=False))
            oversized = _oversized(values)
            if oversized:
                yield Row(start, values, oversized)
                continue
            if len(cells) > len(columns):
                extra = cells[len(columns) :]
                values["_extra"] = extra
                yield Row(
                    start, values, f"{len(cells)} values but the header has {len(columns)} columns"
                )
                continue
            yield Row(start, values, _undecodable_problem(values, encoding))

    table.rows = rows()
    return table


def _check_columns(path: Path, columns: list[str]) -> None:
    seen: set[str] = set()
    for column in columns:
        if column and column.casefold() in seen:
            raise SourceError(path, f"the header repeats the column {column!r}")
        seen.add(column.casefold())


# --------------------------------------------------------------------- XLSX


def _cell_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, table_format: str, encoding: str) -> Table:
    import openpyxl

    _check_xlsx_parts(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise SourceError(
            path, f"not a readable XLSX workbook ({exc.__class__.__name__})"
        ) from None
    sheet = workbook.worksheets[0]
    total_rows = sheet.max_row or 1  # as the sheet states it; for progress only
    # A sheet that claims cells far out (XFD1048576) is read as the rows it has, not
    # padded with empty ones up to its stated dimensions.
    sheet.reset_dimensions()
    table = Table(format=table_format, columns=[], rows=iter(()), size_bytes=path.stat().st_size)
    iterator = sheet.iter_rows(values_only=True)
    row_number = 0
    header: list[str] = []
    for cells in iterator:
        row_number += 1
        header = [_cell_text(c).strip() for c in cells]
        if any(header):
            break
    while header and not header[-1]:
        header.pop()
    if not header:
        workbook.close()
        raise SourceError(path, f"the first worksheet ({sheet.title!r}) has no header row")
    _check_columns(path, header)
    table.columns = header

    def rows() -> Iterator[Row]:
        number = row_number
        try:
            for cells in iterator:
                number += 1
                table.progress[0] = int(table.size_bytes * number / max(total_rows, 1))
                texts = [_cell_text(c) for c in cells]
                if not any(str(t).strip() for t in texts):
                    continue
                values = dict(zip(header, texts, strict=False))
                oversized = _oversized(values)
                if oversized:
                    yield Row(number, values, oversized)
                    continue
                extra = [t for t in texts[len(header) :] if str(t).strip()]
                if extra:
                    values["_extra"] = extra
                    yield Row(
                        number,
                        values,
                        f"{len(header) + len(extra)} values but the header has "
                        f"{len(header)} columns",
                    )
                    continue
                yield Row(number, values)
        finally:
            workbook.close()

    table.rows = rows()
    return table


def _check_xlsx_parts(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than :data:`MAX_XLSX_PART_BYTES`."""
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if member.file_size > MAX_XLSX_PART_BYTES:
                    raise SourceError(
                        path,
                        f"the workbook part {member.filename!r} unpacks to "
                        f"{member.file_size:,} bytes (the limit is {MAX_XLSX_PART_BYTES:,}); "
                        f"save the sheet as CSV",
                    )
    except zipfile.BadZipFile:
        raise SourceError(path, "not a readable XLSX workbook (a damaged ZIP archive)") from None


# --------------------------------------------------------------- JSON Lines


def _read_json_lines(path: Path, table_format: str, encoding: str) -> Table:
    table = Table(format=table_format, columns=[], rows=iter(()), size_bytes=path.stat().st_size)
    table.columns = _json_keys(path, encoding)
    lines = _decoded_lines(path, encoding, table)

    def rows() -> Iterator[Row]:
        known = set(table.columns)
        for number, text in enumerate(lines, start=1):
            if not text or text.isspace():
                continue
            if has_undecodable(text):
                yield Row(
                    number,
                    {"_raw": text},
                    f"not valid {encoding.upper()} text; save the file as UTF-8",
                )
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(
                    number,
                    {"_raw": text.rstrip("\r\n")},
                    f"invalid JSON ({exc.msg} at column {exc.colno})",
                )
                continue
            except RecursionError:
                yield Row(number, {"_raw": text.rstrip("\r\n")}, TOO_DEEP)
                continue
            if not isinstance(value, dict):
                yield Row(
                    number,
                    {"_raw": text.rstrip("\r\n")},
                    f"expected a JSON object, found {type(value).__name__}",
                )
                continue
            if not known.issuperset(value):
                for key in value:
                    if key not in known:
                        known.add(key)
                        table.columns.append(key)
            yield Row(number, value)

    table.rows = rows()
    return table


def _json_keys(path: Path, encoding: str, sample: int = 100) -> list[str]:
    """The keys of the first objects, so that the layout is known before rows stream."""
    keys: list[str] = []
    with path.open("r", encoding=encoding, errors="replace") as handle:
        for text in handle:
            if sample == 0:
                break
            try:
                value = json.loads(text.removeprefix("\ufeff"))
            except (json.JSONDecodeError, RecursionError):
                continue
            if isinstance(value, dict):
                sample -= 1
                keys.extend(k for k in value if k not in keys)
    return keys
