"""Kept answers: canned queries whose answer is the data itself, run once per write.

``network-reuse`` (a row per paper, model, field, pattern and stage), ``network-nodes``
(a row per model, paper and field) and ``sources`` (the triples of every graph counted)
are not counts a few cells can hold: their answers grow with the corpus (195,000 rows at
a million papers) and the engine needs seconds to find them (network-reuse 8.9 s before
the first row is sorted, sources 5.5 s counting the triples of every graph). So every
write of an embedded store runs each of them once, while the statistics are counted (the
engine writes the rows to a file on a thread of its own, without the interpreter's
lock), sorts the rows in ORDER BY's order, and keeps them with the statistics, one
literal a query: JSON of each distinct term (an IRI as its text, a literal as its text and
datatype, which make the term again without a parser: 40% faster than parsing each term's
TSV text; the rest as TSV text) and the rows as a matrix of the positions of their terms.
A query then reads them and applies its parameters here, to whole columns of positions at
once (numpy): network-reuse's 195,499 rows at a million papers come back in 0.3-0.4 s
(rows made Python dicts), where reading them as TSV took 2.3 s and as lists of positions
1.2 s. Tables kept in the older form (every term as its TSV text) are still read.
network-reuse's filters test the reuse instance or the paper that the kept rows name (its
table has a last ``reuse`` column the answer leaves out), network-nodes' ``papers`` drops
the paper rows. Freshness is the statistics': the same
fingerprint, the same generation.

``tests/test_statistics.py`` compares every kept answer with its live query for every
parameter value on the test graphs and synthetic corpora; ``tests/test_kept_answers.py``
adds the cases the filters must get right.
"""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.rdf.namespaces import PREFIXES
from kg.resources import queries_dir
from kg.sparql.analysis import analyse
from kg.sparql.ordering import sort_order

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
if TYPE_CHECKING:
    import numpy as np

Terms = Mapping[str, Sequence[Term]]

_TSV = ox.QueryResultsFormat.TSV
_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@dataclass
class Table:
    """Kept rows: the columns, every distinct term (the first: unbound), and the rows as a
    matrix of the positions of their terms (in a hidden column: the number of its group),
    so that filters and projections run over whole columns at once (numpy)."""

    columns: list[str]
    terms: list[Term | None]
    rows: np.ndarray  # (rows, columns) of int32

    def column(self, name: str) -> int:
        return self.columns.index(name)

    def position(self, term: Term | None) -> int:
        """Where the table holds ``term``; -1 where it does not (no cell equals it)."""
        return next((i for i, t in enumerate(self.terms) if t == term), -1)

    def to_json(self) -> str:
        matrix = base64.b64encode(self.rows.astype("<i4").tobytes()).decode("ascii")
        cells = [_cell(t) for t in self.terms]
        return json.dumps({"columns": self.columns, "cells": cells, "rows": matrix})

    @classmethod
    def from_json(cls, text: str) -> Table:
        import numpy as np

        data = json.loads(text)
        columns = data["columns"]
        flat = np.frombuffer(base64.b64decode(data["rows"]), dtype="<i4")
        # "terms": each term's TSV text, as kept before the terms were kept as "cells".
        terms = _terms(data["cells"]) if "cells" in data else _parse_cells(data["terms"])
        return cls(columns, terms, flat.reshape(-1, len(columns)))


#: What a kept answer keeps of its table's rows (a matrix) for the parameters' terms.
Filter = Callable[[Table, "np.ndarray", Terms], "np.ndarray"]


@dataclass(frozen=True)
class Kept:
    """A canned query answered from rows kept at write time."""

    name: str
    #: The query run at write time (in ``queries/``): the live one, or a table of it.
    table: str
    #: Applies the parameters to the table's rows; None for a query without parameters.
    keep: Filter | None = None
    #: The table's last columns, which the answer leaves out (it is then DISTINCT over
    #: the others); filters group rows by them (a reuse instance's rows).
    hidden: tuple[str, ...] = ()

    def table_text(self) -> str:
        return (queries_dir() / self.table).read_text(encoding="utf-8")

    def order_keys(self) -> tuple[tuple[str, bool], ...] | None:
        """The live query's ORDER BY, which the kept rows are sorted by."""
        analysis = analyse((queries_dir() / f"{self.name}.rq").read_text("utf-8"), remember=True)
        if analysis is None or analysis.limited or not analysis.order_keys:
            return None
        return analysis.order_keys


def _one(terms: Terms, name: str) -> Term | None:
    values = terms.get(name, [])
    return values[0] if values else None


def _network_reuse(table: Table, rows: np.ndarray, terms: Terms) -> np.ndarray:
    """The live query's filters: papers in ``field``, reuse instances with ``pattern`` or
    ``stage`` (their other patterns and stages stay), rows whose year is in range."""
    import numpy as np

    reuse, paper, year = (table.column(n) for n in ("reuse", "paper", "year"))
    for name, column, holder in (
        ("field", "paper_field", paper),
        ("pattern", "reuse_pattern", reuse),
        ("stage", "reuse_stage", reuse),
    ):
        value = _one(terms, name)
        if value is not None:
            wanted = table.position(value)
            holders = np.unique(rows[rows[:, table.column(column)] == wanted, holder])
            rows = rows[np.isin(rows[:, holder], holders)]
    low, high = (_one(terms, n) for n in ("year_from", "year_to"))
    if low is not None or high is not None:
        # Each term's year (NaN where it is not one: an unbound year is in no range, as
        # the live query's BOUND(?year) fails).
        years = np.array(
            [
                float(t.value) if isinstance(t, ox.Literal) and t.datatype == _INTEGER else np.nan
                for t in table.terms
            ]
        )
        of_row = years[rows[:, year]]
        keep = ~np.isnan(of_row)
        if isinstance(low, ox.Literal):
            keep &= of_row >= int(low.value)
        if isinstance(high, ox.Literal):
            keep &= of_row <= int(high.value)
        rows = rows[keep]
    return rows


def _network_nodes(table: Table, rows: np.ndarray, terms: Terms) -> np.ndarray:
    """``papers`` false leaves out the paper rows (the live query's FILTER(?papers))."""
    papers = _one(terms, "papers")
    if papers is None or (isinstance(papers, ox.Literal) and papers.value in ("true", "1")):
        return rows
    node_type, paper = table.column("node_type"), table.position(ox.Literal("paper"))
    return rows[rows[:, node_type] != paper]


#: The canned queries answered from kept rows.
KEPT: dict[str, Kept] = {
    kept.name: kept
    for kept in (
        Kept("network-reuse", "kept/network-reuse.rq", _network_reuse, hidden=("reuse",)),
        Kept("network-nodes", "network-nodes.rq", _network_nodes),
        Kept("sources", "sources.rq"),
    )
}


# ------------------------------------------------------------------ terms as JSON cells

_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


#: A term as JSON (see :func:`_cell`).
Cell = str | list[str] | dict[str, str] | None


def _cell(term: Term | None) -> Cell:
    """A term as JSON that makes it again without a parser: an IRI as its text, a literal
    as [text] or [text, datatype], anything else (language tags, blank nodes, triples)
    as its TSV text under "t". None (unbound) is null."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal) and term.language is None:
        if term.datatype == _STRING:
            return [term.value]
        return [term.value, term.datatype.value]
    return {"t": _tsv_text(term)}


def _terms(cells: list[Cell]) -> list[Term | None]:
    """The terms :func:`_cell` wrote (the TSV texts among them parsed as one column)."""
    terms: list[Term | None] = [None] * len(cells)
    named, literal = ox.NamedNode, ox.Literal
    texts: list[tuple[int, str]] = []
    for i, cell in enumerate(cells):
        if isinstance(cell, str):
            terms[i] = named(cell)
        elif isinstance(cell, list):
            terms[i] = (
                literal(cell[0]) if len(cell) == 1 else literal(cell[0], datatype=named(cell[1]))
            )
        elif cell is not None:
            texts.append((i, cell["t"]))
    if texts:
        parsed = _parse_cells([text for _i, text in texts])
        for (i, _text), term in zip(texts, parsed, strict=True):
            terms[i] = term
    return terms


# ------------------------------------------------------------------ terms as TSV cells


def _parse_cells(texts: list[str]) -> list[Term | None]:
    """Terms from their SPARQL TSV text ("" for unbound), parsed by Oxigraph as a column."""
    found: list[Term | None] = [None] * len(texts)
    given = [i for i, text in enumerate(texts) if text]
    if given:
        document = ("?t\n" + "\n".join(texts[i] for i in given) + "\n").encode("utf-8")
        parsed = ox.parse_query_results(document, format=_TSV)
        assert isinstance(parsed, ox.QuerySolutions)
        for i, solution in zip(given, parsed, strict=True):
            found[i] = solution[0]
    return found


def _tsv_text(term: Term) -> str:
    """A term as a SPARQL TSV cell: its N-Triples form (which TSV reads as it is), a
    triple term as ``<<( s p o )>>``."""
    if isinstance(term, ox.Triple):
        parts = (term.subject, term.predicate, term.object)
        return "<<( " + " ".join(_tsv_text(part) for part in parts) + " )>>"
    return str(term)


def decode(tsv: str, hidden: Sequence[str] = ()) -> Table:
    """A SPARQL TSV document as a table: each distinct cell's term once. The ``hidden``
    columns (the last ones) only group rows: their cells are numbered, not parsed."""
    import numpy as np

    lines = tsv.split("\n")
    columns = [name[1:] for name in lines[0].split("\t")] if lines[0] else []
    shown = len(columns) - len(hidden)
    if list(columns[shown:]) != list(hidden):
        raise ValueError(f"the hidden columns {hidden} are not the table's last ones")
    cells = [line.split("\t") for line in lines[1:] if line]
    texts = ["", *({cell for row in cells for cell in row[:shown]} - {""})]
    positions = {text: i for i, text in enumerate(texts)}
    groups: dict[str, int] = {}
    rows = [
        [
            *map(positions.__getitem__, row[:shown]),
            *(groups.setdefault(cell, len(groups)) for cell in row[shown:]),
        ]
        for row in cells
    ]
    matrix = np.array(rows, dtype=np.int32).reshape(-1, len(columns))
    return Table(columns, _parse_cells(texts), matrix)


class Keeping:
    """The kept queries, run on a thread of their own while the statistics are counted."""

    def __init__(self, store: ox.Store) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="ptmkg-kept-"))
        self._failures: dict[str, str] = {}
        self._thread = threading.Thread(
            target=self._run, args=(store,), name="ptmkg-kept-answers", daemon=True
        )
        self._thread.start()

    def _run(self, store: ox.Store) -> None:
        for kept in KEPT.values():
            try:
                solutions = store.query(
                    kept.table_text(), prefixes=PREFIXES, use_default_graph_as_union=True
                )
                assert isinstance(solutions, ox.QuerySolutions)
                # Written by the engine, which lets go of the interpreter meanwhile.
                solutions.serialize(str(self._folder / f"{kept.name}.tsv"), _TSV)
                del solutions
            except Exception as exc:  # the query is then answered live
                self._failures[kept.name] = str(exc)

    def finish(self) -> dict[str, str]:
        """Each kept query's table, sorted, as JSON (not those whose order is unsure)."""
        try:
            self._thread.join()
            found: dict[str, str] = {}
            for kept in KEPT.values():
                path = self._folder / f"{kept.name}.tsv"
                if kept.name in self._failures or not path.exists():
                    continue
                tsv = path.read_text(encoding="utf-8")
                table = _sorted(kept, decode(tsv, kept.hidden))
                if table is not None:
                    found[kept.name] = table.to_json()
            return found
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)

    def abandon(self) -> None:
        self._thread.join()
        shutil.rmtree(self._folder, ignore_errors=True)


def _sorted(kept: Kept, table: Table) -> Table | None:
    """The rows in the live query's order; None when their order is not certain here
    (:mod:`kg.sparql.ordering`)."""
    import numpy as np

    keys = kept.order_keys()
    if keys is None:
        return None
    terms, shown = table.terms, len(table.columns) - len(kept.hidden)
    rows = [[terms[i] for i in row] for row in table.rows[:, :shown].tolist()]
    order = sort_order(table.columns[:shown], rows, keys)
    if order is None:
        return None
    return Table(table.columns, terms, table.rows[np.array(order, dtype=np.int64)])


# ------------------------------------------------------------------ reading them


def answer(kept: Kept, kept_json: str, terms: Terms) -> Table | None:
    """The kept rows with the parameters applied, as the live query gives them; None when
    a parameter has several values (then answered live)."""
    if any(len(values) > 1 for values in terms.values()):
        return None
    table = Table.from_json(kept_json)
    rows = table.rows
    if kept.keep is not None:
        rows = kept.keep(table, rows, terms)
    columns = table.columns
    if kept.hidden:  # the last columns
        shown = len(columns) - len(kept.hidden)
        columns, rows = columns[:shown], _distinct(rows[:, :shown])
    return Table(columns, table.terms, rows)


def _distinct(rows: np.ndarray) -> np.ndarray:
    """Rows sorted on every column, duplicates dropped: equal rows are neighbours."""
    import numpy as np

    if len(rows) < 2:
        return rows
    differs = np.ones(len(rows), dtype=bool)
    differs[1:] = np.any(rows[1:] != rows[:-1], axis=1)
    return rows[differs]


__all__ = ["KEPT", "Keeping", "Kept", "Table", "answer", "decode"]
