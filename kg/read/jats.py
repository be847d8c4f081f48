"""Reading JATS XML articles: metadata, section text, and what is kept apart.

Open-access publishers write JATS each in their own flavour: PLOS, eLife,
Frontiers, BMJ, F1000Research and bioRxiv differ in where the journal title,
the publication date and the methods sit, and eLife and F1000 append reviews as
``<sub-article>``. :func:`read_article` turns one document into an
:class:`Article`: title, DOI, journal, year, and the text of the abstract, the
body sections and the back-matter sections (such as methods placed after the
references), each with its title. Reference lists, figure captions, tables and
sub-articles are kept apart, so a model named in a citation or a referee's
report is never taken for a model the paper used.

:func:`iter_articles` streams articles from folders, files, zip archives and
gzip files, one document at a time; a document that cannot be read becomes an
:class:`ArticleProblem` and the stream goes on.
"""

from __future__ import annotations

import gzip
import html.entities
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree import ElementTree as ET

from kg.formats import container
from kg.read.values import InvalidDoi, normalize_doi

#: File names read as articles, inside folders and zip archives.
ARTICLE_SUFFIXES = (".xml", ".nxml", ".xml.gz", ".nxml.gz")

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""A larger document (after unpacking) is skipped: real articles are a few megabytes,
and a gzip or zip member that unpacks past this is a decompression bomb."""

MAX_DEPTH = 200
"""A document nested deeper is skipped: JATS nests about twenty levels."""
# Elements whose text is not part of the running text of a section.
_APART = {
    "fig",
    "fig-group",
    "table-wrap",
    "table-wrap-group",
    "supplementary-material",
    "ref-list",
    "sub-article",
    "response",
    "title",
    "label",
}
# Children of a section that hold its running text.
_RUNNING = {"p", "list", "disp-quote", "boxed-text", "statement"}
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]*);")
_SPACE = re.compile(r"\s+")
_FLAVOURS = {
    "10.1371/": "PLOS",
    "10.7554/": "eLife",
    "10.3389/": "Frontiers",
    "10.1136/": "BMJ",
    "10.12688/": "F1000",
    "10.1101/": "bioRxiv",
}


@dataclass(frozen=True)
class Section:
    """A titled piece of running text: the abstract, a body section or a back section."""

    title: str  # the section's own title ("" for untitled text)
    path: tuple[str, ...]  # titles from the outermost section down to this one
    part: str  # "abstract", "body" or "back"
    paragraphs: tuple[str, ...]
    sec_type: str = ""  # JATS sec-type, e.g. "methods", "materials|methods"

    @property
    def heading(self) -> str:
        """The titles from the outermost section down, as shown to a reader."""
        return " > ".join(t for t in self.path if t) or self.part


@dataclass(frozen=True)
class Caption:
    """A figure or table, kept apart from the running text."""

    label: str
    text: str


@dataclass(frozen=True)
class Article:
    location: str  # file name, or "archive.zip!member.xml"
    doi: str | None
    title: str | None
    journal: str | None
    year: int | None
    flavour: str  # PLOS, eLife, Frontiers, BMJ, F1000, bioRxiv or JATS
    sections: tuple[Section, ...] = ()
    references: tuple[str, ...] = ()
    figures: tuple[Caption, ...] = ()
    tables: tuple[Caption, ...] = ()
    sub_articles: tuple[str, ...] = ()  # titles of reviews and replies appended to the article
    keywords: tuple[str, ...] = field(default=())

    @property
    def text_sections(self) -> tuple[Section, ...]:
        return self.sections


@dataclass(frozen=True)
class ArticleProblem:
    """A document that could not be read as an article, and why."""

    location: str
    reason: str


class NotJats(ValueError):
    """The document is XML but not a JATS article."""


# ------------------------------------------------------------------ inputs


def iter_documents(paths: Iterable[Path]) -> Iterator[tuple[str, bytes] | ArticleProblem]:
    """``(location, XML bytes)`` for every article in folders, files, zips and gzip files."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if p.is_file() and _is_article_name(p.name))
            zips = sorted(p for p in path.rglob("*.zip") if p.is_file())
            yield from iter_documents([*members, *zips])
            continue
        try:
            with path.open("rb") as handle:
                head = handle.read(4)
        except OSError as exc:
            yield ArticleProblem(str(path), f"cannot be read ({exc.strerror})")
            continue
        packed = container(head)
        if packed == "zip":
            yield from _zip_members(path)
        elif packed == "gzip":
            try:
                with gzip.open(path, "rb") as handle:
                    yield _bounded(str(path), handle)
            except (OSError, EOFError) as exc:
                yield ArticleProblem(str(path), f"not a readable gzip file ({exc})")
        else:
            with path.open("rb") as handle:
                yield _bounded(str(path), handle)


def _bounded(
    location: str, handle: IO[bytes] | gzip.GzipFile
) -> tuple[str, bytes] | ArticleProblem:
    """The document's bytes, read up to :data:`MAX_DOCUMENT_BYTES` and no further."""
    data = handle.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        return ArticleProblem(
            location,
            f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB once unpacked; not read "
            f"(an article is a few megabytes)",
        )
    return location, data


def _is_article_name(name: str) -> bool:
    return name.lower().endswith(ARTICLE_SUFFIXES)


def _zip_members(path: Path) -> Iterator[tuple[str, bytes] | ArticleProblem]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        yield ArticleProblem(str(path), f"not a readable zip archive ({exc})")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not _is_article_name(info.filename):
                continue
            location = f"{path}!{info.filename}"
            try:
                with archive.open(info) as member:
                    if info.filename.lower().endswith(".gz"):
                        with gzip.GzipFile(fileobj=member) as unpacked:
                            yield _bounded(location, unpacked)
                    else:
                        yield _bounded(location, member)
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                yield ArticleProblem(location, f"cannot be read from the archive ({exc})")


def iter_articles(paths: Iterable[Path]) -> Iterator[Article | ArticleProblem]:
    """Every article in ``paths``, read one document at a time."""
    for item in iter_documents(paths):
        if isinstance(item, ArticleProblem):
            yield item
        else:
            yield parse_document(*item)


def parse_document(location: str, data: bytes) -> Article | ArticleProblem:
    """One document as an article, or the reason it is not one."""
    try:
        return read_article(data, location)
    except ET.ParseError as exc:
        return ArticleProblem(location, f"not well-formed XML ({exc})")
    except NotJats as exc:
        return ArticleProblem(location, str(exc))


# ------------------------------------------------------------------ parsing


def _replace_entity(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    if name in _XML_ENTITIES:
        return match.group(0)
    codepoint = html.entities.name2codepoint.get(name)
    return f"&#{codepoint};".encode() if codepoint else b"?"


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_namespaces(root: ET.Element) -> None:
    for element in root.iter():
        element.tag = _local(element.tag)


def read_article(data: bytes, location: str = "<article>") -> Article:
    """Parse one JATS document. Raises :class:`ET.ParseError` or :class:`NotJats`."""
    # Publishers' files use HTML entities declared in the JATS DTD (&nbsp;, &ndash;),
    # which a parser that never fetches the DTD does not know.
    if b"&" in data:
        data = _ENTITY.sub(_replace_entity, data)
    root = ET.fromstring(data)
    _check_depth(root)
    _strip_namespaces(root)
    if root.tag != "article":
        article = root.find(".//article")
        if article is None:
            raise NotJats(f"not a JATS article (the root element is <{root.tag}>)")
        root = article
    front = root.find("front")
    meta = front.find("article-meta") if front is not None else None
    if meta is None:
        raise NotJats("not a JATS article (no <front>/<article-meta>)")
    doi = _doi(meta)
    journal = _journal(front)
    sections: list[Section] = []
    abstract = _abstract(meta)
    if abstract is not None:
        sections.append(abstract)
    figures: list[Caption] = []
    tables: list[Caption] = []
    body = root.find("body")
    if body is not None:
        sections.extend(_sections(body, "body", ()))
        _captions(body, figures, tables)
    references: list[str] = []
    back = root.find("back")
    if back is not None:
        sections.extend(_back_sections(back))
        _captions(back, figures, tables)
        for ref in back.iter("ref"):
            text = _text(ref)
            if text:
                references.append(text)
    sub_articles = tuple(
        _text(sub.find(".//article-title")) or sub.get("article-type", "sub-article")
        for sub in root.iter("sub-article")
    )
    keywords = tuple(_text(k) for k in meta.iter("kwd") if _text(k))
    return Article(
        location=location,
        doi=doi,
        title=_text(meta.find("title-group/article-title")) or None,
        journal=journal,
        year=_year(meta),
        flavour=_flavour(doi, journal, front),
        sections=tuple(sections),
        references=tuple(references),
        figures=tuple(figures),
        tables=tuple(tables),
        sub_articles=sub_articles,
        keywords=keywords,
    )


def _doi(meta: ET.Element) -> str | None:
    for article_id in meta.findall("article-id"):
        if article_id.get("pub-id-type") == "doi":
            try:
                return normalize_doi(_text(article_id))
            except InvalidDoi:
                return None
    return None


def _journal(front: ET.Element | None) -> str | None:
    if front is None:
        return None
    journal_meta = front.find("journal-meta")
    if journal_meta is None:
        return None
    # JATS 1.x nests the title in <journal-title-group>; NLM 2.x (older BMJ) does not.
    for path in ("journal-title-group/journal-title", "journal-title", "abbrev-journal-title"):
        title = _text(journal_meta.find(path))
        if title:
            return title
    for journal_id in journal_meta.findall("journal-id"):
        if _text(journal_id):
            return _text(journal_id)
    return None


def _year(meta: ET.Element) -> int | None:
    """The publication year: the electronic publication date first, then any other."""

    def year_of(date: ET.Element) -> int | None:
        text = _text(date.find("year"))
        return int(text) if re.fullmatch(r"\d{4}", text) else None

    dates = meta.findall("pub-date")
    preferred = [
        d
        for d in dates
        if d.get("pub-type") in ("epub", "ppub", "epub-ppub", "collection")
        or d.get("date-type") == "pub"
    ]
    for date in [*preferred, *dates, *meta.findall("history/date")]:
        year = year_of(date)
        if year:
            return year
    copyright_year = _text(meta.find("permissions/copyright-year"))
    return int(copyright_year) if re.fullmatch(r"\d{4}", copyright_year) else None


def _flavour(doi: str | None, journal: str | None, front: ET.Element | None) -> str:
    for prefix, name in _FLAVOURS.items():
        if doi and doi.startswith(prefix):
            return name
    publisher = _text(front.find("journal-meta/publisher/publisher-name")) if front else ""
    for name in _FLAVOURS.values():
        if name.lower() in f"{journal} {publisher}".lower():
            return name
    return "JATS"


def _abstract(meta: ET.Element) -> Section | None:
    abstracts = [a for a in meta.findall("abstract") if a.get("abstract-type") is None]
    abstract = abstracts[0] if abstracts else meta.find("abstract")
    if abstract is None:
        return None
    paragraphs = tuple(t for p in abstract.iter("p") if (t := _text(p)))
    if not paragraphs:
        return None
    return Section("Abstract", ("Abstract",), "abstract", paragraphs)


def _sections(parent: ET.Element, part: str, path: tuple[str, ...]) -> Iterator[Section]:
    """The running text directly under ``parent``, then each of its sections in order."""
    own = tuple(t for child in parent if child.tag in _RUNNING and (t := _text(child)))
    if own:
        title = path[-1] if path else ""
        yield Section(title, path, part, own, parent.get("sec-type", ""))
    for child in parent:
        if child.tag in ("sec", "app"):
            title = _text(child.find("title")) or (child.get("sec-type") or "").title()
            yield from _sections(child, part, (*path, title))


def _back_sections(back: ET.Element) -> Iterator[Section]:
    """Sections of the back matter (methods after the references, appendices, notes)."""
    for child in back:
        if child.tag in ("sec", "app"):
            title = _text(child.find("title")) or (child.get("sec-type") or "").title()
            yield from _sections(child, "back", (title,))
        elif child.tag in ("app-group", "notes"):
            title = _text(child.find("title"))
            yield from _sections(child, "back", (title,) if title else ())


def _captions(parent: ET.Element, figures: list[Caption], tables: list[Caption]) -> None:
    for element in parent.iter():
        if element.tag in ("fig", "table-wrap"):
            label = _text(element.find("label"))
            caption = element.find("caption")
            text = ""
            if caption is not None:
                parts = [_text(caption.find("title")), *(_text(p) for p in caption.iter("p"))]
                text = " ".join(part for part in parts if part)
            if element.tag == "table-wrap":
                table = element.find("table")
                cells = _text(table) if table is not None else ""
                text = f"{text} {cells}".strip()
            (figures if element.tag == "fig" else tables).append(Caption(label, text))


def _check_depth(root: ET.Element) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` (the reading recurses)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise NotJats(
                f"elements nested more than {MAX_DEPTH} levels deep; not read (JATS nests "
                f"about twenty)"
            )
        stack.extend((child, depth + 1) for child in element)


def _text(element: ET.Element | None) -> str:
    """The element's text with space normalised, leaving out what is kept apart."""
    if element is None:
        return ""
    pieces: list[str] = []
    _collect(element, pieces, top=True)
    return _SPACE.sub(" ", "".join(pieces)).strip()


def _collect(element: ET.Element, pieces: list[str], top: bool = False) -> None:
    if not top and element.tag in _APART:
        return
    if element.text:
        pieces.append(element.text)
    for child in element:
        if child.tag in ("p", "title", "sec", "list-item", "td", "th", "tr"):
            pieces.append(" ")
        _collect(child, pieces)
        if child.tail:
            pieces.append(child.tail)
