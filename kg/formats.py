"""One registry pattern for every kind of format ptmkg reads or writes.

Each kind (input sources, query results, RDF serialisations, networks, synthetic
corpora) has one :class:`Registry` of :class:`Format` records: a name, the file
extensions that mean it, an optional sniff function over a :class:`Sample` of a file's
start, and the implementation as a ``"module:attribute"`` path imported only when the
format is used, so that importing :mod:`kg` never loads openpyxl, matplotlib or pyarrow.
A registry is a read-only mapping from names to formats, so ``", ".join(REGISTRY)``,
``name in REGISTRY`` and ``REGISTRY[name]`` work as they do for a dict.

The choice of an output format follows one convention everywhere
(:meth:`Registry.choose`): an explicit name wins, else the file's extension, else the
kind's default; an unknown name or extension is refused with the list of known ones.
An input's format is found by :meth:`Registry.detect`: the registered sniff functions
are asked in order, each seeing the same :class:`Sample`.

Sniffing reads the first :data:`SNIFF_BYTES` of a file and, for a gzip file or a zip
archive, of what it unpacks to, streaming and never past that cap: a decompression bomb
costs a sniff no more than any other file.

A text table's separator (comma, semicolon as European spreadsheets write CSV, or tab)
is found by :func:`table_delimiter`, for every registry that reads text tables.
"""

from __future__ import annotations

import csv
import importlib
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from kg.errors import PtmkgError, SourceError

SNIFF_BYTES = 64 * 1024
"""How much of a file's start (and of its unpacked content) a sniff function sees."""

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
_READ_CHUNK = 16 * 1024
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around deflate data


class UnknownFormat(PtmkgError, KeyError):
    """A format name or file extension that the registry does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def container(head: bytes) -> str | None:
    """``"gzip"`` or ``"zip"`` when a file's first bytes say it is packed, else None."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    return None


def container_of(path: Path) -> str | None:
    """:func:`container` for a file on disk."""
    with Path(path).open("rb") as handle:
        return container(handle.read(len(ZIP_MAGIC)))


def gunzip_head(read: Callable[[int], bytes], size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` unpacked bytes of a gzip stream, unpacking no more than that.

    ``read`` gives the packed bytes a chunk at a time. A stream cut short gives what it
    holds; damaged data raises :class:`zlib.error`.
    """
    unpacker = zlib.decompressobj(_GZIP_WBITS)
    unpacked = bytearray()
    packed = b""
    while len(unpacked) < size:
        if not packed:
            packed = read(_READ_CHUNK)
            if not packed:
                break
        unpacked += unpacker.decompress(packed, size - len(unpacked))
        packed = unpacker.unconsumed_tail
        if unpacker.eof:
            # Members may follow one another (and zeros may pad the end), as gzip allows.
            packed = unpacker.unused_data.lstrip(b"\x00")
            if packed and not packed.startswith(GZIP_MAGIC):
                break
            unpacker = zlib.decompressobj(_GZIP_WBITS)
    return bytes(unpacked)


@dataclass
class Sample:
    """What sniff functions see of one file: its name, its first bytes and, for a gzip file,
    the first bytes it unpacks to; for a zip archive, its member names and (on request)
    the start of any member. Built once per file by :meth:`of`."""

    path: Path
    head: bytes
    """The file's first :data:`SNIFF_BYTES` bytes, as stored."""
    container: str | None = None
    """``"gzip"``, ``"zip"`` or None."""
    content: bytes = b""
    """The first :data:`SNIFF_BYTES` of the content: unpacked for gzip, empty for zip."""
    problem: str | None = None
    """Why a gzip file or zip archive could not be sniffed (damaged data)."""
    _member_heads: dict[str, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, path: Path) -> Sample:
        path = Path(path)
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            packed = container(head)
            if packed != "gzip":
                return cls(path, head, packed, b"" if packed else head)
            handle.seek(0)
            try:
                content = gunzip_head(handle.read)
            except zlib.error as exc:
                return cls(path, head, packed, b"", f"not a readable gzip file ({exc})")
        return cls(path, head, packed, content)

    @property
    def suffix(self) -> str:
        """The file's last extension, lower case (``".gz"`` for ``works.jsonl.gz``)."""
        return self.path.suffix.lower()

    @cached_property
    def members(self) -> tuple[str, ...]:
        """A zip archive's member files (not folders) in archive order; () for other files."""
        if self.container != "zip":
            return ()
        try:
            with zipfile.ZipFile(self.path) as archive:
                return tuple(info.filename for info in archive.infolist() if not info.is_dir())
        except (zipfile.BadZipFile, OSError) as exc:
            self.problem = f"not a readable zip archive ({exc})"
            return ()

    def member_head(self, name: str) -> bytes:
        """The first :data:`SNIFF_BYTES` of a zip member, unpacked (a ``.gz`` member too)."""
        if name not in self._member_heads:
            head = b""
            try:
                with zipfile.ZipFile(self.path) as archive, archive.open(name) as member:
                    if name.lower().endswith(".gz"):
                        head = gunzip_head(member.read)
                    else:
                        head = member.read(SNIFF_BYTES)
            except (zipfile.BadZipFile, OSError, EOFError, KeyError, zlib.error):
                head = b""
            self._member_heads[name] = head
        return self._member_heads[name]


Sniff = Callable[[Sample], bool]

#: The separator of each delimited text format (inputs and rejects files alike).
SEPARATORS = {"csv": ",", "csv-semicolon": ";", "tsv": "\t"}
#: The separators a text table may use; a tie goes to the first.
TABLE_DELIMITERS = "".join(SEPARATORS.values())
#: Lines of a table's start that :func:`table_delimiter` looks at.
_DELIMITER_LINES = 64
#: The first line Excel writes to name a CSV file's separator (``sep=;``).
EXCEL_SEPARATOR_LINE = re.compile(r"sep=(.)")


def table_delimiter(head: bytes) -> str | None:
    """The separator of a text table, from the start of the file (a BOM and leading
    blank lines already gone): the one an Excel ``sep=;`` first line names, else the one
    :class:`csv.Sniffer` finds among :data:`TABLE_DELIMITERS` over the first complete
    lines, so that separators inside quoted fields count as text, provided it splits the
    header into columns; else the one that splits the header into the most columns.
    None when none splits it (a table of one column).

    The bytes are read as Latin-1, which maps every byte to a character: the separators
    are ASCII, so a UTF-8 and a cp1252 file are judged alike.
    """
    text = head.decode("latin-1")
    lines = text.splitlines(keepends=True)
    if not lines:
        return None
    named = EXCEL_SEPARATOR_LINE.fullmatch(lines[0].rstrip("\r\n"))
    if named:
        return named.group(1) if named.group(1) in TABLE_DELIMITERS else None
    if len(head) >= SNIFF_BYTES and len(lines) > 1:
        lines.pop()  # cut short by the sample's end
    header = lines[0]

    def columns(delimiter: str) -> int:
        return len(next(csv.reader([header], delimiter=delimiter), []))

    try:
        found = (
            csv.Sniffer()
            .sniff("".join(lines[:_DELIMITER_LINES]), delimiters=TABLE_DELIMITERS)
            .delimiter
        )
    except csv.Error:  # no separator is used consistently
        found = ""
    if found in TABLE_DELIMITERS and found and columns(found) > 1:
        return found
    widest = max(TABLE_DELIMITERS, key=columns)
    return widest if columns(widest) > 1 else None


#: Old binary Excel workbooks (.xls), which no importer reads.
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_TEXT_TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv"}
_BY_DELIMITER = {separator: name for name, separator in SEPARATORS.items()}


def is_workbook(sample: Sample) -> bool:
    """Whether a file is an XLSX workbook (a zip archive with a workbook part)."""
    return sample.container == "zip" and "xl/workbook.xml" in sample.members


def plain_text(sample: Sample) -> bytes | None:
    """The start of a file that may be a text table, without a BOM or leading blanks; None
    for a packed, binary or .xlsx-named file."""
    head = sample.head
    if (
        sample.container
        or head.startswith(OLD_EXCEL_MAGIC)
        or b"\x00" in head
        or sample.suffix in XLSX_SUFFIXES
    ):
        return None
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")


def text_table_format(sample: Sample) -> str | None:
    """``"csv"``, ``"csv-semicolon"`` or ``"tsv"``: a .tsv or .tab name says TSV, else the
    separator the start of the file uses (:func:`table_delimiter`); a .csv file of one
    column is CSV. None for what is not a text table (JSON, binary, packed)."""
    text = plain_text(sample)
    if text is None or text.startswith((b"{", b"[")):
        return None
    named = _TEXT_TABLE_SUFFIXES.get(sample.suffix)
    if named == "tsv":
        return named
    delimiter = table_delimiter(text)
    if delimiter is None:
        return named
    return _BY_DELIMITER[delimiter]


def table_format(sample: Sample) -> str | None:
    """The table format of a file that is read as a table but is not a source (an alias
    file, a label file): ``"xlsx"`` for a workbook, else :func:`text_table_format`, a text
    table of one column being CSV whatever its name; None for anything else."""
    if is_workbook(sample):
        return "xlsx"
    text = plain_text(sample)
    if text is None or text.startswith((b"{", b"[")):
        return None
    return text_table_format(sample) or "csv"


@dataclass(frozen=True)
class Format:
    """One format: what it is called, how it is recognised, where its code is."""

    name: str
    extensions: tuple[str, ...] = ()
    implementation: str = ""
    """``"package.module:attribute"`` (the attribute may be dotted), imported on first use."""
    description: str = ""
    sniff: Sniff | None = None
    """True when a :class:`Sample` is in this format (kept light: it runs on every input)."""
    aliases: tuple[str, ...] = ()
    """Other names the format answers to (``ttl`` for ``turtle``)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Fixed settings of the kind's own (a media type, whether a format is binary)."""

    def load(self) -> Any:
        """The implementation, imported now."""
        return _resolve(self.implementation, f"format {self.name!r} has no implementation")

    def sniffs(self, sample: Sample) -> bool:
        """Whether this format's sniff function accepts the sample (False without one)."""
        return self.sniff is not None and bool(self.sniff(sample))


def _resolve(path: str, missing: str) -> Any:
    module_name, _, attributes = path.partition(":")
    if not module_name or not attributes:
        raise PtmkgError(missing)
    found: Any = importlib.import_module(module_name)
    for attribute in attributes.split("."):
        found = getattr(found, attribute)
    return found


class Registry(Mapping[str, Format]):
    """The formats of one kind, looked up by name (or alias), extension or content."""

    def __init__(
        self,
        kind: str,
        formats: tuple[Format, ...] = (),
        default: str | None = None,
        sniff_order: tuple[str, ...] = (),
        unrecognised: Callable[[Sample], str] | None = None,
    ):
        self.kind = kind
        self._formats: dict[str, Format] = {}
        self._names: dict[str, str] = {}
        self.default = default
        # The order sniff functions are asked in, most specific first; formats it does not
        # name follow in registration order.
        self._sniff_order = sniff_order
        # Says why no sniff function accepted a file (for detect's message).
        self._unrecognised = unrecognised
        for each in formats:
            self.register(each)
        for name in (*([default] if default else []), *sniff_order):
            if name not in self._formats:
                raise ValueError(f"{kind} {name!r} is named but not registered")

    def register(self, fmt: Format) -> Format:
        """Add a format; adding one is one entry, not an edit of a chain of ``if``\\s."""
        for name in (fmt.name, *fmt.aliases):
            if _normal(name) in self._names:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._names[_normal(name)] = fmt.name
        self._formats[fmt.name] = fmt
        return fmt

    def __getitem__(self, name: str) -> Format:
        """The format called ``name`` or one of its aliases (case and a leading dot do not
        matter); an unknown name raises :class:`UnknownFormat` listing the known ones."""
        found = self._names.get(_normal(name)) if isinstance(name, str) else None
        if found is None:
            raise UnknownFormat(f"unknown {self.kind} {name!r}: choose one of {self.listing()}")
        return self._formats[found]

    def __iter__(self) -> Iterator[str]:
        return iter(self._formats)

    def __len__(self) -> int:
        return len(self._formats)

    def listing(self) -> str:
        return ", ".join(self._formats)

    def extensions(self) -> list[str]:
        return [extension for fmt in self._formats.values() for extension in fmt.extensions]

    def for_path(self, path: Path | str) -> Format | None:
        """The format that a file's extension names, the longest match first."""
        name = Path(path).name.lower()
        best: tuple[int, Format] | None = None
        for fmt in self._formats.values():
            for extension in fmt.extensions:
                if name.endswith(extension) and (best is None or len(extension) > best[0]):
                    best = (len(extension), fmt)
        return best[1] if best else None

    def sniff(self, sample: Sample) -> Format | None:
        """The first format whose sniff function accepts the sample."""
        first = [self._formats[name] for name in self._sniff_order]
        rest = [fmt for name, fmt in self._formats.items() if name not in self._sniff_order]
        for fmt in (*first, *rest):
            if fmt.sniffs(sample):
                return fmt
        return None

    def detect(self, path: Path | str) -> Format:
        """The format of an input file, from its content (and, where a sniff function asks,
        its name); a file no format accepts is a :class:`~kg.errors.SourceError` saying why."""
        sample = Sample.of(Path(path))
        found = self.sniff(sample)
        if found is not None:
            return found
        if sample.problem:
            raise SourceError(sample.path, sample.problem)
        reason = self._unrecognised(sample) if self._unrecognised else None
        raise SourceError(sample.path, reason or f"not in any known {self.kind} ({self.listing()})")

    def choose(
        self,
        name: str | None = None,
        path: Path | str | None = None,
        default: str | None = None,
        *,
        lenient: bool = False,
    ) -> Format:
        """The format for an output: ``name`` if given, else ``path``'s extension, else
        ``default`` (or the kind's). An unknown name is refused with the known ones, and so
        is an unknown extension unless ``lenient`` (then it means the default)."""
        if name:
            return self[name]
        if path is not None and Path(path).suffix:
            found = self.for_path(path)
            if found is not None:
                return found
            if not lenient:
                raise UnknownFormat(
                    f"cannot tell the {self.kind} from {Path(path).name!r}: use an extension "
                    f"({', '.join(self.extensions())}) or name one of {self.listing()}"
                )
        default = default or self.default
        if default is None:
            raise UnknownFormat(f"name the {self.kind}: one of {self.listing()}")
        return self[default]


def _normal(name: str) -> str:
    return name.strip().lower().lstrip(".")
