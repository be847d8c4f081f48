"""Answers made from rows of terms, as the engine's own types.

A remote store normalises some values of a server's answer (Virtuoso's booleans), and
Markdown or spreadsheet results come back to the engine's serializers for the exact
formats: both need ``QuerySolutions`` built from rows, which pyoxigraph makes only by
running a query or parsing an answer.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

#: A term of an answer's row (a quoted triple too).
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


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
