"""OpenAlex work records: a single work, an API list response, or snapshot files.

Accepted shapes, recognised from the content:

* one work object (``{"id": "https://openalex.org/W...", ...}``), as the API's
  ``/works/W...`` returns it;
* a list response (``{"meta": ..., "results": [work, ...]}``), the empty last page
  of a paged query (``"results": []``) included;
* JSON Lines with one work per line, as in the OpenAlex snapshot, plain or gzip.

Each work becomes one paper record keyed by its DOI, so it merges with what
annotation sheets and the pipeline database say about the same paper; a work
without a DOI is keyed by its OpenAlex id (see :mod:`kg.rdf.papers` for how the two
meet when a DOI is learned later). Real records vary (no DOI, no abstract,
``grants`` or ``awards``, new keys); a work without an OpenAlex id, or a second
work for the same DOI or id, is rejected with the reason and kept whole in the
rejects file, which builds again as it is once fixed.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from kg.errors import SourceError
from kg.formats import container_of
from kg.importers.reading import ImportOptions, SourceReading
from kg.rdf.vocabulary import natural_science_rules, vocabulary
from kg.read.tables import TOO_DEEP
from kg.read.values import InvalidDoi, normalize_doi
from kg.records import Author, Authorship, Institution, PaperRecord, Reject, Topic

_WORK_ID = re.compile(r"^https://openalex\.org/(W\d+)$")
_ENTITY = {
    "author": re.compile(r"^https://openalex\.org/A\d+$"),
    "institution": re.compile(r"^https://openalex\.org/I\d+$"),
    "source": re.compile(r"^https://openalex\.org/S\d+$"),
    "topic": re.compile(r"^https://openalex\.org/T\d+$"),
    "subfield": re.compile(r"^https://openalex\.org/subfields/\d+$"),
}
_ORCID = re.compile(r"^https://orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ROR = re.compile(r"^https://ror\.org/[0-9a-z]+$")


def _open_text(path: Path) -> IO[str]:
    if container_of(path) == "gzip":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8-sig", errors="replace")


def open_openalex(path: Path, format_name: str, options: ImportOptions) -> SourceReading:
    reading = SourceReading.of_records(path, format_name, "OpenAlex works")
    reading.items = _records(path, reading, options)
    return reading


MAX_LINE_CHARS = 64 * 1024 * 1024
"""A longer line of JSON Lines is rejected unread (a work is a few kilobytes)."""

MAX_DOCUMENT_CHARS = 512 * 1024 * 1024
"""A larger whole-file JSON document (a list response) is refused."""


def _bounded_lines(handle: IO[str]) -> Iterator[str | None]:
    """The file's lines, or None for a line longer than :data:`MAX_LINE_CHARS` (skipped
    without being held in memory: a gzip file can unpack to gigabytes on one line)."""
    while True:
        line = handle.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            while (rest := handle.readline(MAX_LINE_CHARS)) and not rest.endswith("\n"):
                pass
            yield None
            continue
        yield line


_LONG_LINE = f"a line longer than {MAX_LINE_CHARS // (1024 * 1024)} MiB; not read"


def _works(path: Path, reading: SourceReading) -> Iterator[tuple[int, str | None, Any]]:
    """(line, location, work) for every work in the file, streaming JSON Lines."""
    with _open_text(path) as handle:
        lines = _bounded_lines(handle)
        first = next(lines, "")
        value: Any = None
        whole_file = False
        if first is None:
            yield 1, None, _BadJson(_LONG_LINE, "")
            first = ""
        else:
            try:
                value = json.loads(first)
                whole_file = isinstance(value, dict) and "results" in value and "id" not in value
            except RecursionError:
                value = _BadJson(TOO_DEEP, first.rstrip("\n"))
            except json.JSONDecodeError:
                whole_file = True  # a pretty-printed work or list response
        if whole_file:
            rest = handle.read(MAX_DOCUMENT_CHARS + 1)
            if len(first) + len(rest) > MAX_DOCUMENT_CHARS:
                raise SourceError(
                    path,
                    f"a JSON document larger than {MAX_DOCUMENT_CHARS // (1024 * 1024)} MiB; "
                    f"split it, or give the works as JSON Lines (one a line)",
                )
            try:
                document = json.loads(first + rest)
            except json.JSONDecodeError as exc:
                raise SourceError(
                    path, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
                ) from None
            except RecursionError:
                raise SourceError(path, TOO_DEEP) from None
            if isinstance(document, dict) and isinstance(document.get("results"), list):
                if not document["results"]:
                    reading.warnings.append(_empty_page(document))
                for index, work in enumerate(document["results"]):
                    yield 0, f"results[{index}]", work
            else:
                yield 1, None, document
            return
        if value is not None:
            yield 1, None, value
        for number, line in enumerate(lines, start=2):
            if line is None:
                yield number, None, _BadJson(_LONG_LINE, "")
                continue
            if not line.strip():
                continue
            try:
                work = json.loads(line)
            except RecursionError:
                yield number, None, _BadJson(TOO_DEEP, line.rstrip("\n"))
                continue
            except json.JSONDecodeError as exc:
                yield (
                    number,
                    None,
                    _BadJson(f"invalid JSON ({exc.msg} at column {exc.colno})", line.rstrip("\n")),
                )
                continue
            yield number, None, work


def _empty_page(document: dict[str, Any]) -> str:
    meta = _object(document.get("meta"))
    count, page = meta.get("count"), meta.get("page")
    said = f" (meta: count {count}, page {page})" if count is not None else ""
    return f"an OpenAlex list response without works{said}, as the last page of a query is"


class _BadJson:
    def __init__(self, reason: str, raw: str) -> None:
        self.reason, self.raw = reason, raw


def _records(
    path: Path, reading: SourceReading, options: ImportOptions
) -> Iterator[PaperRecord | Reject]:
    seen: dict[str, str] = {}
    for line, where, work in _works(path, reading):
        if isinstance(work, _BadJson):
            yield Reject(line, work.reason, {"_raw": work.raw}, where=where)
            continue
        item = work_to_record(work, options, line=line)
        if isinstance(item, Reject):
            yield Reject(line, item.reason, item.row, where=where)
            continue
        here = where or f"line {line}"
        earlier = [
            (what, seen[key])
            for what, key in (("DOI", item.doi), ("OpenAlex id", item.openalex_id))
            if key is not None and key in seen
        ]
        if earlier:
            what, place = earlier[0]
            key = item.doi if what == "DOI" else item.openalex_id
            yield Reject(
                line, f"duplicate work: {what} {key} already came from {place}", work, where=where
            )
            continue
        for key in (item.doi, item.openalex_id):
            if key is not None:
                seen[key] = here
        refused = junk_doi(work)
        if refused:
            reading.problems.append(
                ("", here, f"work {item.openalex_id}: {refused}; the work is kept by its id")
            )
        yield item


JOURNAL_DOI = re.compile(r"^10\.\d{4,9}/[^0-9]+$")
"""A DOI whose suffix holds no digit: OpenAlex gives some works the DOI of their
journal (``10.1126/science`` for a work titled "Science", ``10.1038/nature``), which
would merge every such work into one paper. A work's own DOI carries a number (an
article number, a volume and page, a sequence)."""


def _raw_doi(work: dict[str, Any]) -> str | None:
    ids = _object(work.get("ids"))
    return _text(work.get("doi")) or _text(ids.get("doi"))


def junk_doi(work: Any) -> str | None:
    """Why the work's DOI is refused as not the work's own, or None."""
    raw = _raw_doi(work) if isinstance(work, dict) else None
    if raw is None:
        return None
    try:
        doi = normalize_doi(raw)
    except InvalidDoi:
        return None
    if JOURNAL_DOI.match(doi):
        return f"DOI {doi} names a journal or publisher, not one work (no number in it)"
    return None


def work_to_record(
    work: Any, options: ImportOptions | None = None, line: int = 0
) -> PaperRecord | Reject:
    """One OpenAlex work as a paper record, or a reject saying why it cannot be used."""
    if not isinstance(work, dict):
        return Reject(
            line,
            f"expected an OpenAlex work object, found {type(work).__name__}",
            {"_raw": json.dumps(work, ensure_ascii=False)},
        )
    work_id = _text(work.get("id"))
    if work_id and re.fullmatch(r"W\d+", work_id):
        work_id = f"https://openalex.org/{work_id}"
    if not work_id or not _WORK_ID.match(work_id):
        return Reject(line, "the work has no OpenAlex id (https://openalex.org/W...)", work)
    ids = _object(work.get("ids"))
    raw_doi = _raw_doi(work)
    doi: str | None = None
    if raw_doi:
        try:
            doi = normalize_doi(raw_doi)
        except InvalidDoi as exc:
            return Reject(line, f"work {work_id}: malformed DOI: {exc}", work)
        if JOURNAL_DOI.match(doi):
            doi = None  # the journal's DOI, not the work's (see junk_doi)
    fields_scheme = vocabulary().fields
    topics = tuple(_topics(work, fields_scheme))
    slot_fields = [t.field_iri for t in topics[:3]]
    cited = work.get("cited_by_count")
    cited = cited if isinstance(cited, int) and cited >= 0 else None
    year = work.get("publication_year")
    location = _object(work.get("primary_location"))
    source = _object(location.get("source"))
    open_access = _object(work.get("open_access"))
    return PaperRecord(
        doi=doi,
        line=line,
        title=_text(work.get("title")) or _text(work.get("display_name")),
        year=year if isinstance(year, int) and 1000 <= year <= 2999 else None,
        venue=_text(source.get("display_name")),
        venue_iri=_entity("source", source.get("id")),
        fields=tuple(dict.fromkeys(f for f in slot_fields if f)),
        openalex_id=work_id,
        cited_by_count=cited,
        open_access=open_access.get("is_oa")
        if isinstance(open_access.get("is_oa"), bool)
        else None,
        open_access_status=_text(open_access.get("oa_status")),
        topics=topics,
        natural_science_rules=natural_science_rules(slot_fields, cited),
        work_type=_text(work.get("type")),
        authorships=tuple(_authorships(work)),
        cites=tuple(
            dict.fromkeys(
                w
                for w in (work.get("referenced_works") or [])
                if isinstance(w, str) and _WORK_ID.match(w)
            )
        ),
        pmid=_pmid(ids.get("pmid")),
        pmcid=_pmcid(ids.get("pmcid")),
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _entity(kind: str, value: Any) -> str | None:
    text = _text(value)
    return text if text and _ENTITY[kind].match(text) else None


def _topics(work: dict[str, Any], fields_scheme: Any) -> Iterator[Topic]:
    entries = work.get("topics")
    if not isinstance(entries, list) or not entries:
        primary = work.get("primary_topic")
        entries = [primary] if isinstance(primary, dict) else []
    for entry in entries:
        if not isinstance(entry, dict) or not _entity("topic", entry.get("id")):
            continue
        subfield = _object(entry.get("subfield"))
        field = _object(entry.get("field"))
        concept = fields_scheme.lookup(str(field.get("id") or "")) if field.get("id") else None
        yield Topic(
            iri=entry["id"],
            label=_text(entry.get("display_name")) or entry["id"],
            subfield_iri=_entity("subfield", subfield.get("id")),
            subfield_label=_text(subfield.get("display_name")),
            field_iri=concept.iri if concept else None,
        )


def _authorships(work: dict[str, Any]) -> Iterator[Authorship]:
    corresponding_ids = work.get("corresponding_author_ids")
    corresponding_ids = set(corresponding_ids) if isinstance(corresponding_ids, list) else None
    entries = work.get("authorships")
    for position, authorship in enumerate(entries if isinstance(entries, list) else [], 1):
        if not isinstance(authorship, dict) or not isinstance(authorship.get("author"), dict):
            continue
        author = authorship["author"]
        iri = _entity("author", author.get("id"))
        if iri is None:
            continue
        orcid = _text(author.get("orcid"))
        corresponding = authorship.get("is_corresponding")
        if not isinstance(corresponding, bool):
            corresponding = iri in corresponding_ids if corresponding_ids is not None else None
        yield Authorship(
            author=Author(
                iri=iri,
                name=_text(author.get("display_name")),
                orcid=orcid if orcid and _ORCID.match(orcid) else None,
            ),
            position=position,
            author_position=_text(authorship.get("author_position")),
            raw_author_name=_text(authorship.get("raw_author_name")),
            raw_affiliations=_raw_affiliations(authorship),
            institutions=tuple(
                dict.fromkeys(
                    _institution(inst)
                    for inst in authorship.get("institutions") or []
                    if isinstance(inst, dict) and _entity("institution", inst.get("id"))
                )
            ),
            corresponding=corresponding,
        )


def _raw_affiliations(authorship: dict[str, Any]) -> tuple[str, ...]:
    strings = authorship.get("raw_affiliation_strings")
    if not isinstance(strings, list):  # older records: only the affiliations list has them
        affiliations = authorship.get("affiliations")
        strings = [
            a.get("raw_affiliation_string")
            for a in (affiliations if isinstance(affiliations, list) else [])
            if isinstance(a, dict)
        ]
    return tuple(dict.fromkeys(text for s in strings if (text := _text(s))))


def _institution(inst: dict[str, Any]) -> Institution:
    ror = _text(inst.get("ror"))
    country = _text(inst.get("country_code"))
    return Institution(
        iri=inst["id"],
        name=_text(inst.get("display_name")),
        ror=ror if ror and _ROR.match(ror) else None,
        country=country.upper() if country and re.fullmatch(r"[A-Za-z]{2}", country) else None,
        kind=_text(inst.get("type")),
    )


def _pmid(value: Any) -> str | None:
    match = re.search(r"(\d+)/?$", _text(value) or "")
    return match.group(1) if match else None


def _pmcid(value: Any) -> str | None:
    match = re.search(r"(?:PMC)?(\d+)/?$", _text(value) or "", re.IGNORECASE)
    return f"PMC{match.group(1)}" if match else None
