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

import csv
import decimal
import importlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import IO, TYPE_CHECKING, Any, overload

import pyoxigraph as ox

if TYPE_CHECKING:
    import numpy as np
from rich.console import Console
from rich.table import Table

from kg.errors import PtmkgError
from kg.formats import Format, Registry, UnknownFormat
from kg.garbage import without_cyclic_gc
from kg.query.terminal import display_value, shown_columns, terminal_table
from kg.rdf.formats import RDF_OUTPUT_FORMATS, choose_rdf_format, oxigraph_format
from kg.rdf.namespaces import PREFIXES, XSD
from kg.sparql.answers import Term, as_solutions
from kg.text import markdown_text, spreadsheet_safe

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
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        # Looked up by the datatype itself: its IRI as a string is not made.
        datatype = term.datatype
        convert = _NUMERIC_BY_DATATYPE.get(datatype)
        if convert is not None:
            try:
                return convert(term.value)
            except (ValueError, decimal.InvalidOperation):
                return term.value
        if datatype == _BOOLEAN:
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


_NUMERIC_BY_DATATYPE = {ox.NamedNode(iri): convert for iri, convert in _NUMERIC.items()}
_BOOLEAN = ox.NamedNode(XSD + "boolean")


# ------------------------------------------------------------ result types


@dataclass(frozen=True, eq=False)
class Positions:
    """Rows as a matrix of positions (rows x columns, int32) in a list of distinct terms
    (the first, ``None``: unbound), as :mod:`kg.stores.kept_answers` keeps them."""

    terms: list[Term | None]
    rows: np.ndarray


@cache
def row_dicts(columns: tuple[str, ...]) -> Callable[[Iterable[tuple[Any, ...]]], list[dict]]:
    """A function making each row's dict (``{column: value}``) from tuples of its values.

    Written out as a dict display (``{"paper": v0, "model": v1, ...}``), which Python
    builds in one step, where ``dict(zip(columns, row))`` calls and iterates per row: it
    makes network-reuse's 195,499 dicts at a million papers in half the time. The column
    names are in the code as string literals (their ``repr``), so any name is safe.
    """
    if not columns:
        return lambda cells: [{} for _ in cells]
    names = [f"v{i}" for i in range(len(columns))]
    display = ", ".join(f"{column!r}: {name}" for column, name in zip(columns, names, strict=True))
    source = f"lambda cells: [{{{display}}} for {', '.join(names)}, in cells]"
    made: Callable[[Iterable[tuple[Any, ...]]], list[dict]] = eval(source, {})
    return made


class _NotGiven:
    """The terms of a result that were not given (see :class:`_TermRows`)."""


_NOT_GIVEN = _NotGiven()


class _TermRows:
    """``QueryResult.terms``: the terms given, else made from the result's positions when
    first read (most callers read only the dicts: a kept answer then makes no list per
    row, which for network-reuse at a million papers were 195,499 lists for the cyclic
    collector to walk), else none."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = "_" + name

    @overload
    def __get__(self, result: None, owner: type | None = None) -> _NotGiven: ...

    @overload
    def __get__(
        self, result: QueryResult, owner: type | None = None
    ) -> list[list[Term | None]]: ...

    def __get__(
        self, result: QueryResult | None, owner: type | None = None
    ) -> list[list[Term | None]] | _NotGiven:
        if result is None:
            return _NOT_GIVEN  # the default dataclass asks the class for
        found = result.__dict__.get(self.name, _NOT_GIVEN)
        if isinstance(found, _NotGiven):
            found = result.__dict__[self.name] = _term_rows(result.positions)
        return found

    def __set__(self, result: QueryResult, value: list[list[Term | None]] | _NotGiven) -> None:
        result.__dict__[self.name] = value


def _term_rows(positions: Positions | None) -> list[list[Term | None]]:
    """Each row's terms, from a matrix of their positions."""
    if positions is None or not len(positions.rows):
        return []
    import numpy as np

    found = np.fromiter(positions.terms, dtype=object, count=len(positions.terms))
    cells = [found[positions.rows[:, i]].tolist() for i in range(positions.rows.shape[1])]
    return list(map(list, zip(*cells, strict=True)))


@dataclass
class QueryResult:
    """The solutions of a SELECT query: ``rows`` are dicts of Python values, ``terms``
    the RDF terms of each row (for the formats that write them exactly)."""

    columns: list[str]
    rows: list[dict[str, Any]]
    terms: _TermRows = _TermRows()
    #: How a canned query was answered: live, or from prepared statistics (and why).
    answered: str = field(default="", compare=False)
    #: A kept answer's rows as the positions of their terms (see :meth:`from_positions`).
    positions: Positions | None = field(default=None, compare=False, repr=False)

    @classmethod
    @without_cyclic_gc
    def from_terms(cls, columns: list[str], terms: list[list[Term | None]]) -> QueryResult:
        # A column repeats its values (a model, a field, a year): each distinct term is
        # converted once (a third of the time for network-reuse's 20,000 rows).
        known = {t: to_python(t) for t in {t for row in terms for t in row}}
        rows = [dict(zip(columns, [known[t] for t in row], strict=True)) for row in terms]
        return cls(columns=columns, rows=rows, terms=terms)

    @classmethod
    @without_cyclic_gc
    def from_positions(
        cls, columns: list[str], terms: list[Term | None], rows: np.ndarray, *, python: bool = True
    ) -> QueryResult:
        """Rows given as a matrix of the positions of their terms in ``terms``: each term
        is converted once, and the cells are taken column-wise by numpy.

        The rows of terms (``result.terms``) are made when first read.
        ``python=False`` makes neither dicts nor term rows: the result's ``rows`` and
        ``terms`` stay empty and :attr:`positions` holds the answer (for callers that
        work on whole columns of positions, such as :mod:`kg.networks.graph`).
        """
        if not python:
            return cls(columns=columns, rows=[], terms=[], positions=Positions(terms, rows))
        import numpy as np

        values = np.fromiter(map(to_python, terms), dtype=object, count=len(terms))
        # Column by column: numpy takes a column's values in one step (a fifth of the time
        # of taking whole rows), and the rows are zipped back from the columns.
        cells = [values[rows[:, i]].tolist() for i in range(len(columns))] if len(rows) else []
        return cls(
            columns=columns,
            rows=row_dicts(tuple(columns))(zip(*cells, strict=True)) if len(rows) else [],
            positions=Positions(terms, rows),
        )

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


# ------------------------------------------------------------ writers


def _write_text(output: IO[bytes], text: str) -> None:
    output.write(text.encode("utf-8"))


def _boolean_term(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))


def _boolean_as_rows(result: BooleanResult) -> QueryResult:
    return QueryResult.from_terms(["boolean"], [[_boolean_term(result.value)]])


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


def rich_table(
    result: QueryResult | BooleanResult,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> Table:
    """A table for people: labels left, numbers right and never cut, IRIs behind labels."""
    if isinstance(result, BooleanResult):
        result = _boolean_as_rows(result)
    shown = shown_columns(result.columns, result.rows, columns)
    return terminal_table(result.rows, {c: c for c in shown}, title=title)


def write_table(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, color_system=None, highlight=False, markup=False)
    console.print(rich_table(result))
    _write_text(output, buffer.getvalue())


def write_spreadsheet_csv(result: QueryResult | BooleanResult, output: IO[bytes]) -> None:
    """CSV for spreadsheets: SPARQL CSV as the engine writes it, read back and written again
    with any value a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) made
    text (:func:`kg.text.spreadsheet_safe`)."""
    exact = io.BytesIO()
    write_csv(result, exact)
    rows = csv.reader(io.StringIO(exact.getvalue().decode("utf-8"), newline=""))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    _write_text(output, buffer.getvalue())


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
        Format(
            "spreadsheet",
            (),
            "kg.query.results:write_spreadsheet_csv",
            "CSV safe to open in a spreadsheet: no value runs as a formula",
        ),
        Format(
            "tsv",
            (".tsv", ".tab"),
            "kg.query.results:write_tsv",
            "SPARQL 1.1 TSV results (RDF terms)",
        ),
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


def write_graph(result: GraphResult, output: IO[bytes], chosen: Format) -> None:
    """Serialise triples; quad formats put them in the default graph."""
    engine_format = oxigraph_format(chosen)
    if engine_format.supports_datasets:
        quads = (
            ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result.triples
        )
        ox.serialize(quads, output, engine_format, prefixes=PREFIXES)
    else:
        ox.serialize(result.triples, output, engine_format, prefixes=PREFIXES)


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
    try:
        chosen = RESULT_FORMATS.choose(format_name, filename, lenient=True)
    except UnknownFormat:
        raise PtmkgError(
            f"unknown result format {format_name!r} (known: {RESULT_FORMATS.listing()}; "
            f"CONSTRUCT and DESCRIBE results take {RDF_OUTPUT_FORMATS.listing()})"
        ) from None
    chosen.load()(result, output)
    return chosen.name


def _graph_format(format_name: str | None, filename: str | None) -> Format:
    try:
        return choose_rdf_format(format_name, filename, default="turtle")
    except UnknownFormat:
        raise PtmkgError(
            f"{format_name!r} is not an RDF format; CONSTRUCT and DESCRIBE results are "
            f"graphs, written as {RDF_OUTPUT_FORMATS.listing()}"
        ) from None


__all__ = [
    "RESULT_FORMATS",
    "BooleanResult",
    "GraphResult",
    "QueryResult",
    "UpdateResult",
    "display_value",
    "from_solutions",
    "markdown_table",
    "rich_table",
    "to_python",
    "write_result",
]
