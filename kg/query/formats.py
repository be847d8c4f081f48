"""The registry of formats SPARQL solutions and booleans are written in.

Each entry's implementation is a writer ``write(result, output: IO[bytes]) -> None`` in
:mod:`kg.query.results`, imported when the format is used. Graph results (CONSTRUCT,
DESCRIBE) are written in the RDF formats of :data:`kg.rdf.formats.RDF_OUTPUT_FORMATS`.
"""

from __future__ import annotations

from kg.formats import Format, Registry

RESULT_FORMATS = Registry(
    "result format",
    (
        Format(
            "table",
            (".txt",),
            "kg.query.results:write_table",
            "a text table for people",
            aliases=("text", "txt"),
        ),
        Format(
            "csv", (".csv",), "kg.query.results:write_csv", "SPARQL 1.1 CSV results (plain values)"
        ),
        Format("tsv", (".tsv", ".tab"), "kg.query.results:write_tsv", "tab-separated plain values"),
        Format(
            "json",
            (".json", ".srj"),
            "kg.query.results:write_json",
            "SPARQL 1.1 Query Results JSON",
        ),
        Format("xml", (".xml", ".srx"), "kg.query.results:write_xml", "SPARQL Query Results XML"),
        Format(
            "md",
            (".md", ".markdown"),
            "kg.query.results:write_markdown",
            "a Markdown table",
            aliases=("markdown",),
        ),
    ),
    default="csv",
)
"""Formats of solutions and booleans; CSV unless a name or an extension says otherwise."""
