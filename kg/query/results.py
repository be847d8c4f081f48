"""Query results and the formats they are written in.

A query gives one of three results: :class:`QueryResult` (SELECT: columns and
rows), :class:`BooleanResult` (ASK) or :class:`GraphResult` (CONSTRUCT and
DESCRIBE: triples). Each keeps the RDF terms, so that the SPARQL 1.1 results
formats are written exactly (datatypes, language tags), and offers plain
Python values for everything else.

Formats live in one registry, :data:`RESULT_FORMATS`; graph results are written
in any format of :data:`kg.rdf.formats.RDF_OUTPUT_FORMATS`. Writers take a
binary stream and always write the same bytes for the same result, so outputs
can be diffed.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from kg.errors import PtmkgError
from kg.rdf.formats import RDF_OUTPUT_FORMATS, RdfOutputFormat, rdf_output_format
from kg.rdf.namespaces import PREFIXES, XSD
from kg.text import markdown_text, printable, spreadsheet_safe

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

_NUMERIC: dict[str, Callable[[str], Any]] = {
    XSD + "integer": int,
    XSD + "int": int,
    XSD + "long": int,
    XSD + "short": int,
    XSD + "nonNegativeInteger": int,
    XSD + "positiveInteger": int,
    XSD + "decimal": lambda v: float(decimal.Decimal(v)),
    XSD + "double": float,
    XSD + "float": float,
}


def to_python(term: Term | None) -> Any:
    """A term as a plain Python value: IRIs as strings, typed literals as numbers or booleans."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _NUMERIC:
            try:
                return _NUMERIC[datatype](term.value)
            except (ValueError, decimal.InvalidOperation):
                return term.value
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


# ------------------------------------------------------------ result types


@dataclass
class QueryResult:
    """The solutions of a SELECT query: ``rows`` are dicts of Python values."""

    columns: list[str]
    rows: list[dict[str, Any]]
    terms: list[list[Term | None]] = field(default_factory=list)

    @classmethod
    def from_terms(cls, columns: list[str], terms: list[list[Term | None]]) -> QueryResult:
        rows = [dict(zip(columns, (to_python(t) for t in row), strict=True)) for row in terms]
        return cls(columns=columns, rows=rows, terms=terms)

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def _term_rows(self) -> list[list[Term | None]]:
        if self.terms:
            return self.terms
        return [[_term_of(row.get(c)) for c in self.columns] for row in self.rows]

    def sorted(self) -> QueryResult:
        """The rows in a stable order: by each column in turn, unbound first."""
        order = sorted(
            range(len(self.rows)),
            key=lambda i: [_sort_key(self.rows[i].get(c)) for c in self.columns],
        )
        terms = self._term_rows()
        return QueryResult(
            columns=list(self.columns),
            rows=[self.rows[i] for i in order],
            terms=[terms[i] for i in order],
        )

    def pivot(self, index: str, columns: str, values: str) -> QueryResult:
        """A long table as a matrix: one row per ``index`` value, one column per ``columns`` value.

        Rows keep their first-seen order (the query's ORDER BY decides it); columns are
        sorted by name. Empty cells are None.
        """
        row_keys: list[Any] = []
        column_keys: list[Any] = []
        cells: dict[tuple[Any, Any], Any] = {}
        for row in self.rows:
            if row[index] not in row_keys:
                row_keys.append(row[index])
            if row[columns] not in column_keys:
                column_keys.append(row[columns])
            cells[(row[index], row[columns])] = row[values]
        column_keys.sort(key=str)
        names = [index, *(str(k) for k in column_keys)]
        rows = [{index: r, **{str(c): cells.get((r, c)) for c in column_keys}} for r in row_keys]
        return QueryResult(columns=names, rows=rows)

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (pandas is optional: ``pip install pandas``)."""
        try:
            import pandas
        except ImportError:
            raise PtmkgError(
                "to_dataframe() needs pandas, which ptmkg does not install: pip install pandas"
            ) from None
        return pandas.DataFrame.from_records(self.rows, columns=self.columns)


@dataclass
class BooleanResult:
    """The answer of an ASK query."""

    value: bool

    def __bool__(self) -> bool:
        return self.value


@dataclass
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query, in a stable order."""

    triples: list[ox.Triple]

    def __len__(self) -> int:
        return len(self.triples)


@dataclass
class UpdateResult:
    """A SPARQL update that was applied: its form (INSERT, DELETE, ...) and the store."""

    form: str
    store: str


AnyResult = QueryResult | BooleanResult | GraphResult


def from_solutions(solutions: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> AnyResult:
    if isinstance(solutions, ox.QuerySolutions):
        columns = [v.value for v in solutions.variables]
        # A solution iterates over its values in the order of the variables (None when
        # unbound): a third faster than looking each one up by name.
        terms = [list(solution) for solution in solutions]
        return QueryResult.from_terms(columns, terms)
    if isinstance(solutions, ox.QueryBoolean):
        return BooleanResult(bool(solutions))
    return GraphResult(sorted(solutions, key=str))


def _term_of(value: Any) -> Term | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    return ox.Literal(str(value))


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | float):
        return (2, value)
    return (3, str(value))


# ------------------------------------------------------------ display


def display_value(column: str, value: Any) -> str:
    """How a value reads in a table for people: shares as percentages, counts with separators."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}" if column != "year" else str(value)
    if isinstance(value, float):
        if column.endswith("share"):
            return f"{value:.1%}"
        return f"{value:,.4g}"
    return str(value)


def _lexical(term: Term | None) -> str:
    """A term's plain value, as the SPARQL 1.1 CSV results format writes it."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


# ------------------------------------------------------------ writers


def _write_text(output: IO[bytes], text: str) -> None:
    output.write(text.encode("utf-8"))


def _boolean_as_rows(result: BooleanResult) -> QueryResult:
    return QueryResult.from_terms(
        ["boolean"],
        [[ox.Literal("true" if result.value else "false", datatype=ox.NamedNode(XSD + "boolean"))]],
    )


def rich_table(result: QueryResult | BooleanResult, title: str | None = None) -> Table:
    """A table for people: labels left, numbers right, shares as percentages."""
    if isinstance(result, BooleanResult):
        result = _boolean_as_rows(result)
    table = Table(title=title, title_justify="left")
    numeric = {
        c
        for c in result.columns
        if any(isinstance(r.get(c), int | float) for r in result.rows)
        and all(isinstance(r.get(c), int | float | None) for r in result.rows)
    }
    for column in result.columns:
        table.add_column(column, justify="right" if column in numeric else "left")
    for row in result.rows:
        table.add_row(*(printable(display_value(c, row.get(c))) for c in result.columns))
    if not result.rows:
        table.caption = "(no results)"
    return table


def write_table(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None, highlight=False, markup=False)
    console.print(rich_table(result))
    _write_text(output, buffer.getvalue())


def write_csv(
    result: QueryResult | BooleanResult, output: IO[bytes], cell: Callable[[str], str] = str
) -> None:
    """SPARQL 1.1 CSV results: a header of variable names, then plain values."""
    if isinstance(result, BooleanResult):
        result = _boolean_as_rows(result)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(c) for c in result.columns])
    for row in result._term_rows():
        writer.writerow([cell(_lexical(term)) for term in row])
    _write_text(output, buffer.getvalue())


def write_spreadsheet_csv(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
    """CSV for spreadsheets: as SPARQL CSV, but a value a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``) is written as text (:func:`kg.text.spreadsheet_safe`)."""
    write_csv(result, output, spreadsheet_safe)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def write_tsv(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
    """Tab-separated plain values; tabs, newlines and backslashes in values are escaped."""
    if isinstance(result, BooleanResult):
        result = _boolean_as_rows(result)
    lines = ["\t".join(c.translate(_TSV_ESCAPES) for c in result.columns)]
    for row in result._term_rows():
        lines.append("\t".join(_lexical(term).translate(_TSV_ESCAPES) for term in row))
    _write_text(output, "\n".join(lines) + "\n")


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    encoded: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        encoded["datatype"] = term.datatype.value
    return encoded


def write_json(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
    """SPARQL 1.1 Query Results JSON Format."""
    if isinstance(result, BooleanResult):
        document: dict[str, Any] = {"head": {}, "boolean": result.value}
    else:
        bindings = [
            {c: _json_term(t) for c, t in zip(result.columns, row, strict=True) if t is not None}
            for row in result._term_rows()
        ]
        document = {"head": {"vars": result.columns}, "results": {"bindings": bindings}}
    _write_text(output, json.dumps(document, ensure_ascii=False, indent=1) + "\n")


def _xml_term(parent: ET.Element, term: Term) -> None:
    if isinstance(term, ox.NamedNode):
        ET.SubElement(parent, "uri").text = term.value
    elif isinstance(term, ox.BlankNode):
        ET.SubElement(parent, "bnode").text = term.value
    elif isinstance(term, ox.Triple):
        triple = ET.SubElement(parent, "triple")
        for part in ("subject", "predicate", "object"):
            _xml_term(ET.SubElement(triple, part), getattr(term, part))
    else:
        literal = ET.SubElement(parent, "literal")
        if term.language:
            literal.set("xml:lang", term.language)
        elif term.datatype.value != XSD + "string":
            literal.set("datatype", term.datatype.value)
        literal.text = term.value


def write_xml(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
    """SPARQL Query Results XML Format."""
    root = ET.Element("sparql", xmlns=SPARQL_RESULTS_NS)
    head = ET.SubElement(root, "head")
    if isinstance(result, BooleanResult):
        ET.SubElement(root, "boolean").text = "true" if result.value else "false"
    else:
        for column in result.columns:
            ET.SubElement(head, "variable", name=column)
        results = ET.SubElement(root, "results")
        for row in result._term_rows():
            solution = ET.SubElement(results, "result")
            for column, term in zip(result.columns, row, strict=True):
                if term is not None:
                    _xml_term(ET.SubElement(solution, "binding", name=column), term)
    ET.indent(root, space=" ")
    _write_text(output, '<?xml version="1.0" encoding="utf-8"?>\n')
    _write_text(output, ET.tostring(root, encoding="unicode") + "\n")


def _md_cell(text: str) -> str:
    """A cell's text on one line, with the characters Markdown would read as markup escaped."""
    return markdown_text(text)


def markdown_table(
    result: QueryResult | BooleanResult, headings: dict[str, str] | None = None
) -> str:
    """A GitHub-flavoured Markdown table; ``headings`` picks and names the columns."""
    if isinstance(result, BooleanResult):
        result = _boolean_as_rows(result)
    headings = headings or {c: c for c in result.columns}
    numeric = {c for c in headings if any(isinstance(r.get(c), int | float) for r in result.rows)}
    lines = [
        "| " + " | ".join(_md_cell(h) for h in headings.values()) + " |",
        "| " + " | ".join("---:" if c in numeric else "---" for c in headings) + " |",
    ]
    for row in result.rows:
        cells = (_md_cell(display_value(c, row.get(c))) for c in headings)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_markdown(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
    _write_text(output, markdown_table(result))


@dataclass(frozen=True)
class ResultFormat:
    name: str
    description: str
    extensions: tuple[str, ...]
    write: Callable[[QueryResult | BooleanResult, IO[bytes]], None]


RESULT_FORMATS: dict[str, ResultFormat] = {
    f.name: f
    for f in (
        ResultFormat("table", "a text table for people", (".txt",), write_table),
        ResultFormat("csv", "SPARQL 1.1 CSV results (plain values)", (".csv",), write_csv),
        ResultFormat(
            "spreadsheet",
            "CSV safe to open in a spreadsheet: no value runs as a formula",
            (),
            write_spreadsheet_csv,
        ),
        ResultFormat("tsv", "tab-separated plain values", (".tsv", ".tab"), write_tsv),
        ResultFormat("json", "SPARQL 1.1 Query Results JSON", (".json", ".srj"), write_json),
        ResultFormat("xml", "SPARQL Query Results XML", (".xml", ".srx"), write_xml),
        ResultFormat("md", "a Markdown table", (".md", ".markdown"), write_markdown),
    )
}


def result_format(name: str) -> ResultFormat:
    wanted = name.strip().lower()
    aliases = {"markdown": "md", "text": "table", "txt": "table"}
    wanted = aliases.get(wanted, wanted)
    if wanted not in RESULT_FORMATS:
        raise PtmkgError(
            f"unknown result format {name!r} (known: {', '.join(RESULT_FORMATS)}; "
            f"CONSTRUCT and DESCRIBE results take {', '.join(RDF_OUTPUT_FORMATS)})"
        )
    return RESULT_FORMATS[wanted]


def result_format_for_file(filename: str) -> ResultFormat | None:
    lowered = filename.lower()
    for candidate in RESULT_FORMATS.values():
        if lowered.endswith(candidate.extensions):
            return candidate
    return None


def write_graph(result: GraphResult, output: IO[bytes], rdf_format: RdfOutputFormat) -> None:
    """Serialise triples; quad formats put them in the default graph."""
    if rdf_format.format.supports_datasets:
        quads: Iterable[ox.Triple | ox.Quad] = (
            ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result.triples
        )
    else:
        quads = result.triples
    ox.serialize(quads, output, rdf_format.format, prefixes=PREFIXES)


def write_result(
    result: AnyResult,
    output: IO[bytes],
    format_name: str | None = None,
    filename: str | None = None,
) -> str:
    """Write any result in the named format, else the one the file name suggests.

    Defaults: CSV for solutions and booleans, Turtle for graphs. Returns the
    format's name.
    """
    if isinstance(result, GraphResult):
        chosen_rdf = _graph_format(format_name, filename)
        write_graph(result, output, chosen_rdf)
        return chosen_rdf.name
    if format_name:
        chosen = result_format(format_name)
    else:
        chosen = (result_format_for_file(filename) if filename else None) or RESULT_FORMATS["csv"]
    chosen.write(result, output)
    return chosen.name


def _graph_format(format_name: str | None, filename: str | None) -> RdfOutputFormat:
    from kg.rdf.formats import rdf_format_for_file

    if format_name:
        try:
            return rdf_output_format(format_name)
        except PtmkgError:
            raise PtmkgError(
                f"{format_name!r} is not an RDF format; CONSTRUCT and DESCRIBE results are "
                f"graphs, written as {', '.join(RDF_OUTPUT_FORMATS)}"
            ) from None
    return (rdf_format_for_file(filename) if filename else None) or rdf_output_format("turtle")


__all__ = [
    "RESULT_FORMATS",
    "BooleanResult",
    "GraphResult",
    "QueryResult",
    "ResultFormat",
    "UpdateResult",
    "display_value",
    "from_solutions",
    "markdown_table",
    "result_format",
    "rich_table",
    "to_python",
    "write_result",
]
