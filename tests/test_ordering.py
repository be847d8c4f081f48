"""Rows sorted in Python (kg.sparql.ordering) come out exactly as Oxigraph's own ORDER BY
puts them, for every kind of value sorted there; other kinds are left to the engine."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.rdf.namespaces import XSD
from kg.sparql.analysis import analyse
from kg.sparql.ordering import sorted_rows

EX = "https://example.org/"


def literal(text: str, datatype: str = "string") -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


# Texts that sort differently by code point, by byte, by case and by locale.
TEXTS = ["", "a", "B", "b", "ab", "a b", "Z", "é", "e", "ǅ", "日本", "😀", "\u00a0x", "10", "9"]
IRIS = [ox.NamedNode(EX + t) for t in ("a", "B", "b", "a/b", "a#b", "%C3%A9", "Z9", "z10")]
COLUMNS = {
    "iri": IRIS,
    "string": [literal(t) for t in TEXTS],
    "integer": [literal(t, "integer") for t in ("0", "-1", "7", "10", "-12", "123456789012")],
    "decimal": [literal(t, "decimal") for t in ("0.5", "-1.25", "10.0", "2.75", "3", "-0")],
    "boolean": [literal(t, "boolean") for t in ("true", "false")],
    "language": [
        ox.Literal(text, language=tag)
        for text, tag in [
            ("a", "en"),
            ("a", "de"),
            ("a", "en-GB"),
            ("b", "en"),
            ("B", "fr"),
            ("", "en"),
            ("é", "fr"),
            ("ab", "de"),
            ("Neuroscience", "en"),
        ]
    ],
    "iri-or-string": [*IRIS[:3], *[literal(t) for t in TEXTS[:4]]],
}


def engine_order(columns, rows, keys):
    """The rows as Oxigraph's ORDER BY returns them (a VALUES block, ties broken by ?row)."""
    names = [*columns, "row"]
    values = "\n".join(
        "("
        + " ".join("UNDEF" if v is None else str(v) for v in [*row, literal(str(i), "integer")])
        + ")"
        for i, row in enumerate(rows)
    )
    order = " ".join(f"DESC(?{n})" if desc else f"?{n}" for n, desc in keys)  # then ?row
    query = (
        f"SELECT {' '.join('?' + n for n in names)} WHERE {{ VALUES ({' '.join('?' + n for n in names)}) {{ {values} }} }}"
        f" ORDER BY {order} ?row"
    )
    return [list(s)[:-1] for s in ox.Store().query(query)]


@st.composite
def tables(draw):
    kinds = draw(st.lists(st.sampled_from(sorted(COLUMNS)), min_size=1, max_size=3))
    columns = [f"c{i}" for i in range(len(kinds))]
    pools = [[None, *COLUMNS[k]] for k in kinds]
    rows = draw(st.lists(st.tuples(*(st.sampled_from(p) for p in pools)), max_size=30))
    keys = draw(
        st.lists(st.tuples(st.sampled_from(columns), st.booleans()), min_size=1, max_size=3)
    )
    return columns, [list(r) for r in rows], keys


@settings(max_examples=300, deadline=None)
@given(tables())
def test_rows_come_out_in_the_engines_order(table):
    columns, rows, keys = table
    rows = engine_order(columns, rows, [])  # the values as the engine gives them back
    # A final key on the row number makes the engine's order total; in Python the stable
    # sort keeps rows that tie in their given order, which is the same thing.
    assert sorted_rows(columns, rows, keys) == engine_order(columns, rows, keys)


def test_values_the_engine_must_sort_are_left_to_it():
    for mixed in (
        [[literal("a")], [literal("1", "integer")]],
        [[literal("a")], [ox.Literal("a", language="en")]],
    ):
        assert sorted_rows(["c"], mixed, [("c", False)]) is None
    for value in (
        ox.BlankNode("b0"),
        literal("1.5e3", "double"),
        literal("2024-01-01", "date"),
        literal("1_0", "integer"),  # ill-typed: int() would read it
        literal(" 5", "integer"),
        literal("yes", "boolean"),
    ):
        assert sorted_rows(["c"], [[value], [None]], [("c", False)]) is None, value
    assert sorted_rows(["c"], [[literal("a")]], [("d", False)]) is None


def test_the_analysis_gives_order_keys_only_for_variables():
    keys = analyse("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s DESC(?p) ASC(?o) (?s)").order_keys
    assert keys == (("s", False), ("p", True), ("o", False), ("s", False))
    assert analyse("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s STR(?o)").order_keys is None
    assert analyse("SELECT * WHERE { ?s ?p ?o }").order_keys is None
