"""The study pipeline's SQLite database (package ``aius``).

The database holds the papers (``articles``, ``searches``), their OpenAlex
metadata (``openalex``) and five analysis tables, one per question the pipeline
asked an LLM. Every table is read in DOI order, and the tables are merged by
DOI as they stream, so a database of any size is read with little memory.

For each paper the importer yields one record: its metadata, the three topic
fields and both versions of the natural-science rule, each analysis (failed
ones included, with their reason and raw answer), and its reuse instances,
joined across the reuse and impact analyses through normalised model names.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import SourceError
from kg.importers.pipeline_responses import Item, parse_response
from kg.importers.reading import ImportOptions, SourceReading
from kg.rdf.vocabulary import natural_science_rules, vocabulary
from kg.read.values import InvalidDoi, normalize_doi
from kg.records import Analysis, PaperRecord, Reject, Reuse, Topic

ANALYSIS_COLUMNS = (
    "_id",
    "doi",
    "system_prompt",
    "user_prompt",
    "model_response",
    "model_reasoning",
    "compute_time_seconds",
)
#: analysis table -> the kind of analysis it holds
ANALYSIS_TABLES = {
    "uses_dl_analysis": "uses_dl",
    "uses_ptms_analysis": "uses_ptms",
    "identify_ptms_analysis": "identify_ptms",
    "identify_ptm_reuse_analysis": "identify_ptm_reuse",
    "identify_ptm_impact_analysis": "identify_ptm_impact",
}
REQUIRED_TABLES: dict[str, tuple[str, ...]] = {
    "articles": ("_id", "search_id", "doi", "title", "megajournal", "journal"),
    "searches": (
        "_id",
        "timestamp",
        "megajournal",
        "search_keyword",
        "year",
        "url",
        "page",
        "status_code",
        "json_data",
    ),
    "openalex": (
        "_id",
        "timestamp",
        "doi",
        "cited_by_count",
        "open_access",
        "topic_0",
        "topic_1",
        "topic_2",
        "json_data",
    ),
    **{table: ANALYSIS_COLUMNS for table in ANALYSIS_TABLES},
}
OPTIONAL_TABLES: dict[str, tuple[str, ...]] = {"_llm_prompts": ("_id", "tag", "prompt")}
_KNOWN_TABLES = frozenset(REQUIRED_TABLES) | frozenset(OPTIONAL_TABLES)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        # SQLite itself knows its files (the input registry only sniffed when no --format).
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            raise SourceError(
                path, "not a SQLite database (the aius format is the study pipeline's SQLite file)"
            ) from None
        raise SourceError(path, f"cannot read the SQLite database ({exc})") from None
    return connection


def check_schema(path: Path, connection: sqlite3.Connection) -> set[str]:
    """Refuse a database that is not the pipeline's; return the optional tables present."""
    kinds = dict(
        connection.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')")
    )
    # A view is a query, and a recursive one never ends (filling the disk with SQLite's
    # temporary sort on the way): the pipeline writes tables, so only tables are read.
    views = sorted(n for n, kind in kinds.items() if kind == "view" and n in _KNOWN_TABLES)
    if views:
        raise SourceError(
            path,
            f"{', '.join(repr(v) for v in views)} is a view, not a table; ptmkg reads the "
            f"pipeline's tables only (a view runs a query, which may never end)",
        )
    tables = set(kinds)
    if not {"articles", "openalex"} & tables:
        raise SourceError(
            path,
            "a SQLite database without the aius tables (articles, openalex, "
            "and the five *_analysis tables)",
        )
    for table, columns in REQUIRED_TABLES.items():
        if table not in tables:
            raise SourceError(path, f"not a complete aius database: the table {table!r} is missing")
        present = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        missing = [c for c in columns if c not in present]
        if missing:
            raise SourceError(
                path,
                f"unknown aius schema version: the table {table!r} has no column(s) "
                + ", ".join(repr(m) for m in missing)
                + f" (it has {', '.join(present)})",
            )
    return {t for t in OPTIONAL_TABLES if t in tables}


@dataclass(order=True)
class _Group:
    doi: str
    table: str = field(compare=False)
    #: sqlite3 rows, or dicts of the same columns (parquet files): read by column name.
    rows: list[Any] = field(compare=False)


def _grouped(
    connection: sqlite3.Connection, table: str, columns: str, nulls: list
) -> Iterator[_Group]:
    """Rows of a table grouped by DOI, in DOI order; rows without a DOI go to ``nulls``."""
    cursor = connection.execute(f"SELECT {columns} FROM {table} ORDER BY doi, _id")
    group: _Group | None = None
    for row in cursor:
        doi = row["doi"]
        if doi is None or not str(doi).strip():
            nulls.append((table, row["_id"]))
            continue
        doi = str(doi)
        if group is not None and group.doi == doi:
            group.rows.append(row)
            continue
        if group is not None:
            yield group
        group = _Group(doi, table, [row])
    if group is not None:
        yield group


def open_aius(path: Path, format_name: str, options: ImportOptions) -> SourceReading:
    connection = _connect(path)
    optional = check_schema(path, connection)
    connection.row_factory = sqlite3.Row
    reading = SourceReading.of_records(
        path, format_name, "aius pipeline database", rejects_reloadable=False
    )
    if options.natural_science:
        reading.skip_reason = f"outside the natural-science rule {options.natural_science}"
    reading.items = _records(connection, optional, reading, options)
    return reading


def _load_searches(connection: sqlite3.Connection) -> dict[Any, tuple[str | None, str | None]]:
    return {
        row["_id"]: (row["search_keyword"], row["megajournal"])
        for row in connection.execute("SELECT _id, search_keyword, megajournal FROM searches")
    }


def _load_prompt_tags(connection: sqlite3.Connection, optional: set[str]) -> dict[str, str]:
    if "_llm_prompts" not in optional:
        return {}
    return {
        str(row["prompt"]).strip(): row["tag"]
        for row in connection.execute("SELECT tag, prompt FROM _llm_prompts")
        if row["prompt"] is not None
    }


def _records(
    connection: sqlite3.Connection,
    optional: set[str],
    reading: SourceReading,
    options: ImportOptions,
) -> Iterator[PaperRecord | Reject]:
    searches = _load_searches(connection)
    prompt_tags = _load_prompt_tags(connection, optional)
    nulls: list[tuple[str, Any]] = []
    streams = [
        _grouped(connection, "articles", "_id, search_id, doi, title, megajournal, journal", nulls),
        _grouped(
            connection,
            "openalex",
            "_id, doi, cited_by_count, open_access, topic_0, topic_1, topic_2, json_data",
            nulls,
        ),
        *(
            _grouped(
                connection,
                table,
                "_id, doi, system_prompt, model_response, compute_time_seconds",
                nulls,
            )
            for table in ANALYSIS_TABLES
        ),
    ]
    converter = _PaperConverter(reading, options, searches, prompt_tags)
    total = connection.execute("SELECT count(DISTINCT doi) FROM articles").fetchone()[0] or 1
    count = 0
    pending: list[_Group] = []
    for group in heapq.merge(*streams):
        if pending and group.doi != pending[0].doi:
            count += 1
            reading.progress[0] = min(reading.size_bytes, int(reading.size_bytes * count / total))
            yield from converter.convert(pending)
            pending = []
        pending.append(group)
    if pending:
        yield from converter.convert(pending)
    for table, row_id in nulls:
        yield Reject(
            0, "the row has no DOI", {"table": table, "_id": row_id}, where=f"{table} row {row_id}"
        )
    if converter.superseded:
        reading.warnings.append(
            f"{reading.name}: {converter.superseded:,} analysis row(s) were superseded by a later "
            f"row for the same DOI and table; the latest row (highest _id) was used"
        )
    connection.close()


class _PaperConverter:
    def __init__(
        self,
        reading: SourceReading,
        options: ImportOptions,
        searches: dict[Any, tuple[str | None, str | None]],
        prompt_tags: dict[str, str],
    ) -> None:
        self.reading = reading
        self.options = options
        self.searches = searches
        self.prompt_tags = prompt_tags
        self.vocabulary = vocabulary()
        self.superseded = 0
        self.llm: str | None = None  # the LLM backend, where the source names it

    def problem(self, doi: str, where: str, what: str) -> None:
        self.reading.problems.append((doi, where, what))

    def convert(self, groups: list[_Group]) -> Iterator[PaperRecord | Reject]:
        by_table = {g.table: g.rows for g in groups}
        raw_doi = groups[0].doi
        first_row = groups[0].rows[0]
        where = f"{groups[0].table} row {first_row['_id']}"
        try:
            doi = normalize_doi(raw_doi)
        except InvalidDoi as exc:
            yield Reject(
                0,
                f"malformed DOI: {exc}",
                {"doi": raw_doi, "tables": sorted(by_table)},
                where=where,
            )
            return
        try:
            metadata = self.metadata(doi, by_table)
        except _RowRejected as rejected:
            yield Reject(0, rejected.reason, rejected.row, where=rejected.where)
            return
        rule = self.options.natural_science
        if (
            rule
            and metadata["cited_by_count"] is not None
            and rule not in metadata["natural_science_rules"]
        ):
            self.reading.skipped += 1
            return
        analyses, reuses = self.analyses(doi, by_table)
        results = {a.kind: a.result for a in analyses if a.succeeded}
        yield PaperRecord(
            doi=doi,
            line=0,
            **metadata,
            uses_deep_learning=results.get("uses_dl"),
            reuses_pretrained_models=results.get("uses_ptms"),
            analyses=tuple(analyses),
            reuses=tuple(reuses),
        )

    # ------------------------------------------------------------ metadata

    def metadata(self, doi: str, by_table: dict[str, list[sqlite3.Row]]) -> dict[str, Any]:
        articles = by_table.get("articles", [])
        title = next((r["title"] for r in articles if r["title"]), None)
        journal = next((r["journal"] for r in articles if r["journal"]), None)
        megajournal = next((r["megajournal"] for r in articles if r["megajournal"]), None)
        keywords = []
        for row in articles:
            keyword, search_megajournal = self.searches.get(row["search_id"], (None, None))
            if keyword and keyword not in keywords:
                keywords.append(keyword)
            megajournal = megajournal or search_megajournal
        result: dict[str, Any] = {
            "title": title,
            "venue": journal,
            "megajournal": megajournal,
            "search_keywords": tuple(keywords),
            "year": None,
            "openalex_id": None,
            "cited_by_count": None,
            "open_access": None,
            "topics": (),
            "fields": (),
            "natural_science_rules": (),
        }
        openalex_rows = by_table.get("openalex", [])
        if not openalex_rows:
            return result
        row = openalex_rows[-1]
        work = self.work_json(doi, row)
        cited = _integer(row["cited_by_count"])
        slots = [row[f"topic_{n}"] for n in range(3)]
        slot_fields = [self.vocabulary.fields.lookup(str(s)) if s else None for s in slots]
        for slot, concept in zip(slots, slot_fields, strict=True):
            if slot and concept is None:
                self.problem(
                    doi,
                    f"openalex row {row['_id']}",
                    f"topic field {slot!r} is not an OpenAlex field",
                )
        result.update(
            cited_by_count=cited,
            open_access=_boolean(row["open_access"]),
            fields=tuple(dict.fromkeys(c.iri for c in slot_fields if c is not None)),
            natural_science_rules=natural_science_rules(
                [c.iri if c else None for c in slot_fields], cited
            ),
        )
        if work:
            year = work.get("publication_year")
            result["year"] = year if isinstance(year, int) and 1000 <= year <= 2999 else None
            work_id = work.get("id")
            if isinstance(work_id, str) and work_id.startswith("https://openalex.org/W"):
                result["openalex_id"] = work_id
            result["topics"] = self.topics(work)
            result["title"] = result["title"] or (work.get("title") or None)
        return result

    def work_json(self, doi: str, row: sqlite3.Row) -> dict[str, Any] | None:
        text = row["json_data"]
        if text is None or not str(text).strip():
            return None
        try:
            work = json.loads(text)
        except RecursionError:
            raise _RowRejected(
                f"json_data of DOI {doi} is nested too deeply to read; fix or clear that cell",
                {"table": "openalex", "_id": row["_id"], "doi": doi, "json_data": str(text)[:2000]},
                f"openalex row {row['_id']}",
            ) from None
        except (json.JSONDecodeError, TypeError) as exc:
            detail = (
                f"{exc.msg} at line {exc.lineno} column {exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else str(exc)
            )
            raise _RowRejected(
                f"json_data of DOI {doi} is not valid JSON ({detail}); fix or clear that cell "
                f"and build again",
                {"table": "openalex", "_id": row["_id"], "doi": doi, "json_data": str(text)[:2000]},
                f"openalex row {row['_id']}",
            ) from None
        if not isinstance(work, dict):
            raise _RowRejected(
                f"json_data of DOI {doi} is a JSON {type(work).__name__}, not an OpenAlex work "
                f"object",
                {"table": "openalex", "_id": row["_id"], "doi": doi},
                f"openalex row {row['_id']}",
            )
        return work

    def topics(self, work: dict[str, Any]) -> tuple[Topic, ...]:
        topics: list[Topic] = []
        for entry in work.get("topics") or []:
            if not isinstance(entry, dict) or not str(entry.get("id", "")).startswith(
                "https://openalex.org/T"
            ):
                continue
            subfield: dict[str, Any] = (
                entry["subfield"] if isinstance(entry.get("subfield"), dict) else {}
            )
            field_: dict[str, Any] = entry["field"] if isinstance(entry.get("field"), dict) else {}
            concept = self.vocabulary.fields.lookup(str(field_.get("id", ""))) if field_ else None
            subfield_id = str(subfield.get("id") or "")
            topics.append(
                Topic(
                    iri=entry["id"],
                    label=str(entry.get("display_name") or entry["id"]),
                    subfield_iri=subfield_id
                    if subfield_id.startswith("https://openalex.org/subfields/")
                    else None,
                    subfield_label=subfield.get("display_name"),
                    field_iri=concept.iri if concept else None,
                )
            )
        return tuple(topics)

    # ------------------------------------------------------------ analyses

    def analyses(
        self, doi: str, by_table: dict[str, list[sqlite3.Row]]
    ) -> tuple[list[Analysis], list[Reuse]]:
        analyses: list[Analysis] = []
        items: dict[str, list[Item]] = {}
        succeeded: set[str] = set()
        for table, kind in ANALYSIS_TABLES.items():
            rows = by_table.get(table)
            if not rows:
                continue
            self.superseded += len(rows) - 1
            row = rows[-1]
            where = f"{table} row {row['_id']}"
            parsed = parse_response(kind, row["model_response"])
            for problem in parsed.problems:
                self.problem(doi, where, problem)
            if not parsed.succeeded:
                self.problem(doi, where, f"failed analysis: {parsed.failure}")
            else:
                succeeded.add(kind)
                items[kind] = parsed.items
            analyses.append(
                Analysis(
                    kind=kind,
                    succeeded=parsed.succeeded,
                    failure=parsed.failure,
                    result=parsed.result,
                    evidence=parsed.prose,
                    prompt_tag=self.prompt_tags.get(str(row["system_prompt"] or "").strip()),
                    llm=self.llm,
                    compute_seconds=_number(row["compute_time_seconds"]),
                    source_row=where,
                    raw_response=None if parsed.succeeded else _raw(row["model_response"]),
                )
            )
        return analyses, self.join(doi, items, succeeded)

    def join(self, doi: str, items: dict[str, list[Item]], succeeded: set[str]) -> list[Reuse]:
        """Reuse instances from the identify, reuse and impact answers, joined by model key."""
        resolver = self.options.resolver
        patterns = self.vocabulary.patterns
        stages = self.vocabulary.stages
        mentions: dict[str, str] = {}
        reuse_items: dict[str, list[Item]] = {}
        impact_items: dict[str, list[Item]] = {}
        for kind, target in (
            ("identify_ptms", None),
            ("identify_ptm_reuse", reuse_items),
            ("identify_ptm_impact", impact_items),
        ):
            for item in items.get(kind, []):
                try:
                    key = resolver.resolve(item.model).key
                except ValueError:
                    self.problem(doi, kind, f"model name {item.model!r} has no letters or digits")
                    continue
                mentions.setdefault(key, item.model)
                if target is not None:
                    target.setdefault(key, []).append(item)
        reuses: list[Reuse] = []
        for key, mention in mentions.items():
            stage_iris: list[str] = []
            stage_labels: list[str] = []
            stage_evidence: list[str] = []
            for item in impact_items.get(key, []):
                concept = stages.lookup(item.step) if item.step else None
                if concept is not None:
                    stage_iris.append(concept.iri)
                elif item.step:
                    stage_labels.append(item.step)
                if item.prose:
                    stage_evidence.append(item.prose)
            generated = ["identify_ptms"] if "identify_ptms" in items else []
            if key in impact_items:
                generated.append("identify_ptm_impact")
            both = {"identify_ptm_reuse", "identify_ptm_impact"} <= succeeded
            if both and key in reuse_items and key not in impact_items:
                self.problem(
                    doi,
                    "identify_ptm_impact_analysis",
                    f"model {mention!r} has a reuse pattern but no stage of impact",
                )
            if both and key in impact_items and key not in reuse_items:
                self.problem(
                    doi,
                    "identify_ptm_reuse_analysis",
                    f"model {mention!r} has a stage of impact but no reuse pattern",
                )
            seen: set[tuple[str | None, str | None]] = set()
            patterned: list[Item | None] = list(reuse_items.get(key, [])) or [None]
            for reuse_item in patterned:
                pattern_iri, pattern_label = None, None
                if reuse_item is not None:
                    concept = next(
                        (
                            patterns.lookup(label)
                            for label in (reuse_item.classification, reuse_item.form)
                            if label and patterns.lookup(label) is not None
                        ),
                        None,
                    )
                    if concept is not None:
                        pattern_iri = concept.iri
                    else:
                        pattern_label = reuse_item.classification or reuse_item.form
                if (pattern_iri, pattern_label) in seen:
                    continue
                seen.add((pattern_iri, pattern_label))
                reuses.append(
                    Reuse(
                        mention=reuse_item.model if reuse_item is not None else mention,
                        pattern=pattern_iri,
                        pattern_label=pattern_label,
                        stages=tuple(dict.fromkeys(stage_iris)),
                        stage_labels=tuple(dict.fromkeys(stage_labels)),
                        evidence=reuse_item.prose if reuse_item is not None else None,
                        stage_evidence=tuple(dict.fromkeys(stage_evidence)),
                        generated_by=tuple(
                            [*generated, "identify_ptm_reuse"]
                            if reuse_item is not None
                            else generated
                        ),
                    )
                )
        return reuses


class _RowRejected(Exception):
    def __init__(self, reason: str, row: dict[str, Any], where: str) -> None:
        super().__init__(reason)
        self.reason, self.row, self.where = reason, row, where


def _integer(value: Any) -> int | None:
    try:
        return int(value) if value is not None and str(value).strip() != "" else None
    except (TypeError, ValueError):
        return None


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None and str(value).strip() != "" else None
    except (TypeError, ValueError):
        return None


def _boolean(value: Any) -> bool | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("1", "true", "t", "yes"):
        return True
    if text in ("0", "false", "f", "no"):
        return False
    return None


def _raw(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)
