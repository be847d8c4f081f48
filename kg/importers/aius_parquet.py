"""The study pipeline's analysis runs as parquet files.

The pipeline also wrote each analysis run as parquet files named
``aius_<backend>_<prompt>_index-<i>_stride-<s>.parquet`` with the columns of
the database's analysis tables. The files of one run (same backend, index and
stride; one per prompt) form one source, named
``aius_<backend>_index-<i>_stride-<s>.parquet``, so that the reuse and impact
answers for a paper are joined as they are for a database. A run holds one
stride of papers, which is read into memory one run at a time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import SourceError
from kg.importers.aius import ANALYSIS_COLUMNS, ANALYSIS_TABLES, _Group, _PaperConverter
from kg.importers.reading import ImportOptions, SourceReading
from kg.records import PaperRecord, Reject

_PROMPTS = "|".join(sorted((kind for kind in ANALYSIS_TABLES.values()), key=len, reverse=True))
RUN_FILE = re.compile(
    rf"^aius_(?P<backend>.+)_(?P<prompt>{_PROMPTS})_index-(?P<index>\d+)_stride-(?P<stride>\d+)"
    r"\.parquet$"
)
_TABLE_OF_KIND = {kind: table for table, kind in ANALYSIS_TABLES.items()}
_READ_COLUMNS = ["_id", "doi", "system_prompt", "model_response", "compute_time_seconds"]


def _pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SourceError(
            "parquet", "reading parquet files needs pyarrow: pip install 'ptmkg[parquet]'"
        ) from None
    return pq


def open_parquet_runs(
    paths: list[Path], format_name: str, options: ImportOptions
) -> list[SourceReading]:
    pq = _pyarrow_parquet()
    runs: dict[tuple[str, str, str], dict[str, Path]] = defaultdict(dict)
    for path in paths:
        match = RUN_FILE.match(path.name)
        if match is None:
            raise SourceError(
                path,
                "cannot tell which analysis this parquet file holds: name it "
                "aius_<backend>_<prompt>_index-<i>_stride-<s>.parquet, with <prompt> one of "
                + ", ".join(ANALYSIS_TABLES.values()),
            )
        try:
            columns = pq.read_schema(path).names
        except Exception as exc:  # pyarrow raises several kinds for a damaged file
            raise SourceError(path, f"not a readable parquet file ({exc})") from None
        missing = [c for c in ANALYSIS_COLUMNS if c not in columns]
        if missing:
            raise SourceError(
                path,
                "not an aius analysis file: no column(s) " + ", ".join(repr(m) for m in missing),
            )
        key = (match["backend"], match["index"], match["stride"])
        if match["prompt"] in runs[key]:
            raise SourceError(path, f"two files for the {match['prompt']} analysis of one run")
        runs[key][match["prompt"]] = path
    readings = []
    for (backend, index, stride), files in sorted(runs.items()):
        ordered = [files[kind] for kind in ANALYSIS_TABLES.values() if kind in files]
        reading = SourceReading.of_records(
            ordered[0],
            format_name,
            f"aius analysis run ({backend}, {len(ordered)} of 5 analyses)",
            size_bytes=sum(p.stat().st_size for p in ordered),
            name=f"aius_{backend}_index-{index}_stride-{stride}.parquet",
            paths=ordered,
            rejects_reloadable=False,
        )
        reading.items = _records(files, backend, reading, options)
        readings.append(reading)
    return readings


def _records(
    files: dict[str, Path], backend: str, reading: SourceReading, options: ImportOptions
) -> Iterator[PaperRecord | Reject]:
    pq = _pyarrow_parquet()
    groups: dict[str, list[_Group]] = defaultdict(list)
    nulls: list[tuple[str, Any]] = []
    for kind, path in files.items():
        table = _TABLE_OF_KIND[kind]
        rows_by_doi: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for batch in pq.ParquetFile(path).iter_batches(columns=_READ_COLUMNS, batch_size=4096):
            for row in batch.to_pylist():
                doi = row.get("doi")
                if doi is None or not str(doi).strip():
                    nulls.append((f"{path.name}", row.get("_id")))
                    continue
                rows_by_doi[str(doi)].append(row)
        for doi, rows in rows_by_doi.items():
            rows.sort(key=lambda r: (r.get("_id") is None, r.get("_id") or 0))
            groups[doi].append(_Group(doi, table, rows))
        reading.progress[0] += path.stat().st_size
    converter = _PaperConverter(reading, options, searches={}, prompt_tags={})
    converter.llm = backend
    for doi in sorted(groups):
        yield from converter.convert(groups[doi])
    for name, row_id in nulls:
        yield Reject(
            0, "the row has no DOI", {"file": name, "_id": row_id}, where=f"{name} row {row_id}"
        )
