"""JATS articles as a source: ``ptmkg build article.xml`` extracts on the way.

A JATS file, a gzip of one, or a zip of many is read with :mod:`kg.read.jats` and
run through the offline extractor (:mod:`kg.extract.rules`); its rows are the
same generic-format rows ``ptmkg extract`` writes, and go through the generic
format's own checks, so building the articles and building the records file
``ptmkg extract`` wrote for them give the same graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.extract import RECORD_COLUMNS
from kg.extract.rules import RuleExtractor
from kg.extract.run import extract_articles
from kg.importers.reading import ImportOptions, SourceReading
from kg.importers.tabular import _column_keys, _convert_rows, _GenericConverter
from kg.read.jats import ArticleProblem
from kg.read.tables import Row
from kg.records import PaperRecord, Reject

LAYOUT = "JATS articles, offline extraction"


def open_jats(path: Path, format_name: str, options: ImportOptions) -> SourceReading:
    columns = list(RECORD_COLUMNS)
    reading = SourceReading(
        path=path,
        format=format_name,
        layout=LAYOUT,
        columns=columns,
        items=iter(()),
        reject_format="jsonl",
        size_bytes=path.stat().st_size,
    )
    extractor = RuleExtractor(options.resolver.registry)
    converter = _GenericConverter(_column_keys(columns), options)
    reading.items = _records(path, extractor, converter, columns, reading)
    return reading


def _records(
    path: Path,
    extractor: RuleExtractor,
    converter: _GenericConverter,
    columns: list[str],
    reading: SourceReading,
) -> Iterator[PaperRecord | Reject]:
    number = 0
    for item in extract_articles([path], extractor):
        number += 1
        if isinstance(item, ArticleProblem):
            yield Reject(
                number, item.reason, {"location": item.location}, ("location",), where=item.location
            )
            continue
        rows = [Row(number, dict(row)) for row in item.rows()]
        for record in _convert_rows(iter(rows), converter, columns):
            if isinstance(record, Reject):
                record = Reject(
                    record.line, record.reason, record.row, record.columns, where=item.location
                )
            yield record
    reading.progress[0] = reading.size_bytes
