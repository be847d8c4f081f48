"""Query results and the formats they are written in.

A query gives one of three results: :class:`QueryResult` (SELECT: columns and
rows), :class:`BooleanResult` (ASK) or :class:`GraphResult` (CONSTRUCT and
DESCRIBE: triples). Each keeps the RDF terms, so that the SPARQL 1.1 results
formats are written exactly (datatypes, language tags), and offers plain
Python values for everything else.

Formats live in one registry, :data:`RESULT_FORMATS`; graph results are written
in any format of :data:`kg.rdf.formats.RDF_OUTPUT_FORMATS`. The SPARQL 1.1
results formats (CSV, TSV, JSON, XML) are written by pyoxigraph's own
serializers; only what adds something for people is ours: the text table and
Markdown. Writers take a binary stream and always write the same bytes for the
same result, so outputs can be diffed.
"""

from __future__ import annotations

import decimal
import html
import importlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from kg.errors import PtmkgError
from kg.rdf.formats import RDF_OUTPUT_FORMATS, RdfOutputFormat, rdf_output_format
from kg.rdf.namespaces import PREFIXES, XSD
from kg.text import printable

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

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
            # Imported by name: pandas is optional, and its type stubs are not installed.
            pandas: Any = importlib.import_module("pandas")
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
        return _boolean_term(value)
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


# ------------------------------------------------------------ writers


def _write_text(output: IO[bytes], text: str) -> None:
    output.write(text.encode("utf-8"))


def _boolean_term(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))


def _boolean_as_rows(result: BooleanResult) -> QueryResult:
    return QueryResult.from_terms(["boolean"], [[_boolean_term(result.value)]])


def _tsv_term(term: Term | None) -> str:
    """A term as SPARQL 1.1 TSV writes it: pyoxigraph's own N-Triples form."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        parts = " ".join(_tsv_term(part) for part in (term.subject, term.predicate, term.object))
        return f"<<( {parts} )>>"
    return str(term)


def as_solutions(columns: list[str], rows: Iterable[list[Term | None]]) -> ox.QuerySolutions:
    """Rows of terms as pyoxigraph solutions, so its own serializers can write them.

    pyoxigraph makes ``QuerySolutions`` only by running or parsing, so the rows are
    read by its SPARQL TSV parser, whose term syntax is exactly pyoxigraph's ``str`` of
    a term: nothing is re-encoded by hand, and a term the parser would read otherwise
    fails here instead of being written wrong.
    """
    lines = ["\t".join(f"?{name}" for name in columns)]
    lines.extend("\t".join(_tsv_term(term) for term in row) for row in rows)
    solutions = ox.parse_query_results(
        ("\n".join(lines) + "\n").encode("utf-8"), format=ox.QueryResultsFormat.TSV
    )
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _engine_answer(
    result: QueryResult | BooleanResult, results_format: ox.QueryResultsFormat
) -> ox.QuerySolutions | ox.QueryBoolean:
    if isinstance(result, BooleanResult):
        if results_format in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML):
            answer = ox.Store().query("ASK {}" if result.value else "ASK { FILTER(false) }")
            assert isinstance(answer, ox.QueryBoolean)
            return answer
        # CSV and TSV define no boolean answer: it is written as a one-cell table.
        result = _boolean_as_rows(result)
    return as_solutions(result.columns, result._term_rows())


def _engine_writer(
    results_format: ox.QueryResultsFormat,
) -> Callable[[QueryResult | BooleanResult, IO[bytes]], None]:
    """A writer that hands the result to pyoxigraph's serializer for ``results_format``."""
    document = results_format in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML)

    def write(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
        _engine_answer(result, results_format).serialize(output, results_format)
        if document:
            output.write(b"\n")  # a text file ends its last line

    write.__doc__ = f"{results_format.name}, written by pyoxigraph."
    return write


write_csv = _engine_writer(ox.QueryResultsFormat.CSV)
write_tsv = _engine_writer(ox.QueryResultsFormat.TSV)
write_json = _engine_writer(ox.QueryResultsFormat.JSON)
write_xml = _engine_writer(ox.QueryResultsFormat.XML)


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


def _md_cell(text: str) -> str:
    """A cell's text on one line, with the characters Markdown would read as markup escaped."""
    text = html.escape(text, quote=False).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split())


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
        ResultFormat("tsv", "SPARQL 1.1 TSV results (RDF terms)", (".tsv", ".tab"), write_tsv),
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
        quads = (
            ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result.triples
        )
        ox.serialize(quads, output, rdf_format.format, prefixes=PREFIXES)
    else:
        ox.serialize(result.triples, output, rdf_format.format, prefixes=PREFIXES)


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
