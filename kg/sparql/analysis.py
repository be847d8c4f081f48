"""The one reading of SPARQL text: what a query is, and where its parts are.

Every question ptmkg asks of a query's text is answered here, by one parser:
its form (SELECT, ASK, ... or an update), whether the outermost query orders
its solutions, its ``SERVICE`` blocks, the filters that only test whether a
parameter is bound, and where its ``WHERE`` group and ``ORDER BY`` clause sit.
Parameter binding (:mod:`kg.query.parameters`), federation
(:mod:`kg.query.federation`), ad-hoc queries (:mod:`kg.query.sparql`) and the
network export all ask here, so none of them tokenises SPARQL on its own.

The parser is rdflib's SPARQL 1.1 grammar (pyparsing; rdflib is a dependency
already). ptmkg works on a private copy of it, whose parse tree also records
where each node of interest starts and ends in the text, so a rewrite replaces
exactly the characters the parser read as that node: no regular expression
guesses where a string, an IRI or a comment begins. Comments are not part of
the grammar, so the ``#@bind`` and ``#@join`` markers (whole comment lines) are
the only thing read line by line.

The engine stays the judge of what runs: text this grammar cannot read (Oxigraph
reads some SPARQL 1.2 that rdflib does not) has no :class:`Analysis`, and is
handed to Oxigraph as it is, read-only unless the caller allows updates.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kg.atomic import atomic_write
from kg.errors import PtmkgError

#: The first keyword of each kind of update operation, as rdflib's grammar names them.
_UPDATE_KEYWORDS = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT",
    "DeleteData": "DELETE",
    "DeleteWhere": "DELETE",
}
_QUERY_KEYWORDS = {
    "SelectQuery": "SELECT",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
    "AskQuery": "ASK",
}
#: Nodes whose place in the text is recorded, by the name of their grammar rule.
_LOCATED = ("ServiceGraphPattern", "Filter", "OrderClause", *_QUERY_KEYWORDS)
#: The attribute of a parse-tree node that holds its (start, end) in the text.
_SPAN = "ptmkg_span"
#: ... and, on the node inside a ``{ ... }`` group, the group's braces.
_GROUP = "ptmkg_group"
_RECURSION_LIMIT = 6000
_PARSING = threading.Lock()
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class SparqlSyntaxError(PtmkgError):
    """The text is not valid SPARQL; ``line`` and ``column`` say where (1-based)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Span:
    """Characters ``start`` to ``end`` (exclusive) of the analysed text."""

    start: int
    end: int


@dataclass(frozen=True)
class ServiceBlock:
    """A ``SERVICE`` block: where it sits, and what it asks."""

    start: int  # index of the SERVICE keyword
    end: int  # index just after the block's closing brace
    pattern: str  # the text between the block's braces
    silent: bool
    endpoint: str | None  # the IRI written after SERVICE (None for a variable)
    joins: tuple[str, ...]  # the variables its '#@join' lines name, without '?'
    pattern_start: int  # index of the pattern, just after the block's opening brace


@dataclass(frozen=True)
class GuardFilter:
    """``FILTER(!BOUND(?name) || ...)``: a filter that keeps everything while ?name is unbound."""

    span: Span
    variable: str


@dataclass(frozen=True)
class Analysis:
    """What one parse of a SPARQL text found. Spans index :attr:`text`."""

    text: str
    form: str  # SELECT, CONSTRUCT, DESCRIBE, ASK, or the first update's keyword
    operations: tuple[str, ...]  # an update's operations (INSERT, DROP, ...); () for a query
    query: Span | None  # the query form's keyword to the end (its prologue is before)
    where: Span | None  # the outermost WHERE group, braces included
    order_by: Span | None  # the outermost ORDER BY clause
    limited: bool  # whether the outermost query has LIMIT or OFFSET (then order picks rows)
    services: tuple[ServiceBlock, ...]
    guard_filters: tuple[GuardFilter, ...]
    #: The outermost ORDER BY as (variable, descending) pairs when every condition is a
    #: variable (ASC or DESC of one); None without ORDER BY or with any other expression.
    order_keys: tuple[tuple[str, bool], ...] | None = None
    #: The outermost SELECT's variables, in order; None for ``SELECT *`` or another form.
    projected: tuple[str, ...] | None = None

    @property
    def sortable_keys(self) -> tuple[tuple[str, bool], ...] | None:
        """:attr:`order_keys` when the rows alone can be sorted by them: no LIMIT or
        OFFSET picks the rows by the order, and each key is a column of the rows."""
        if self.limited or self.order_keys is None:
            return None
        if self.projected is None or any(k not in self.projected for k, _ in self.order_keys):
            return None
        return self.order_keys

    @property
    def is_update(self) -> bool:
        return bool(self.operations)

    @property
    def is_empty(self) -> bool:
        """Nothing but comments and declarations (the grammar reads that as an empty update)."""
        return self.form == ""

    @property
    def prologue(self) -> str:
        """BASE and PREFIX declarations (and comments) before the query form."""
        return self.text[: self.query.start] if self.query else ""


# ------------------------------------------------------------ the parser


@cache
def _grammar() -> tuple[Any, Any, Any]:
    """rdflib's query and update grammars, copied, recording the spans of located nodes;
    and a grammar of one update operation (whose failure says how far an update got: the
    update grammar's own operations are optional, so it fails where it began)."""
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.pyparsing_compat import rest_of_line

    originals = {name: getattr(parser, name) for name in _LOCATED}
    memo: dict[int, Any] = {}
    query, update = copy.deepcopy((parser.Query, parser.UpdateUnit), memo)

    def nothing(*_args: object) -> None:
        return None

    def stamp(attribute: str) -> Any:
        def on_match(
            _text: str, start: int, end: int, _element: object, tokens: Any, _cached: bool
        ) -> None:
            for token in tokens:
                if isinstance(token, dict):  # a CompValue: a node of the parse tree
                    token.__dict__[attribute] = (start, end)

        return on_match

    for original in originals.values():
        memo[id(original)].set_debug_actions(nothing, stamp(_SPAN), nothing)
    memo[id(parser.GroupGraphPattern)].set_debug_actions(nothing, stamp(_GROUP), nothing)
    operation = memo[id(parser.Prologue)] + memo[id(parser.Update1)]
    operation.ignore("#" + rest_of_line)
    return query, update, operation


def _expand_escapes(text: str) -> str:
    r"""``\uXXXX`` and ``\UXXXXXXXX`` as the characters they stand for (SPARQL reads them first)."""

    def character(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group(0)

    return _CODEPOINT_ESCAPE.sub(character, text)


@dataclass(frozen=True)
class _Failure:
    loc: int


class _Unreadable(Exception):
    def __init__(self, query_error: Any, update_error: Any) -> None:
        self.query_error = query_error
        self.update_error = update_error


def _parse(text: str) -> tuple[Any, Any]:
    """(query tree, None) or (None, update tree); raises _Unreadable with both failures.

    One parse at a time: the recursion limit it raises is the whole process's.
    """
    with _PARSING:
        return _parse_alone(text)


def _parse_alone(text: str) -> tuple[Any, Any]:
    import pyparsing

    query_grammar, update_grammar, operation_grammar = _grammar()
    # The grammar recurses some thirty frames per nested group: room for about 200 levels
    # (Oxigraph itself crashes on some ten thousand, so deeper text never reaches it).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        try:
            return query_grammar.parse_string(text, parse_all=True), None
        except pyparsing.ParseBaseException as exc:
            query_error = exc
        try:
            return None, update_grammar.parse_string(text, parse_all=True)[0]
        except pyparsing.ParseBaseException:
            pass
        try:
            operation_grammar.parse_string(text)
        except pyparsing.ParseBaseException as exc:
            raise _Unreadable(query_error, exc) from None
        # One operation reads, but not all of the text: it fails after that operation.
        raise _Unreadable(query_error, _Failure(len(text)))
    except RecursionError:
        raise SparqlSyntaxError(
            "the query nests its groups or expressions too deeply to read "
            "(more than about 200 levels)"
        ) from None
    finally:
        sys.setrecursionlimit(limit)


def _nodes(value: Any) -> Iterator[Any]:
    """Every node of a parse tree, depth first, in text order."""
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, list | tuple) or type(value).__name__ == "ParseResults":
        for child in value:
            yield from _nodes(child)


def _get(node: Any, key: str) -> Any:
    """A node's child (rdflib's own ``CompValue.get`` answers a missing key with the key)."""
    return dict.get(node, key) if isinstance(node, dict) else None


def _name(node: Any) -> str:
    return str(getattr(node, "name", "")) if isinstance(node, dict) else ""


def _span(node: Any, attribute: str = _SPAN) -> Span | None:
    found = node.__dict__.get(attribute) if isinstance(node, dict) else None
    return Span(*found) if found else None


def _single(node: Any) -> Any:
    """An expression node that only wraps another (``expr`` and nothing else) as that other."""
    while _name(node).endswith("Expression") and set(node) == {"expr"}:
        node = _get(node, "expr")
    return node


def _guard_variable(filter_node: Any) -> str | None:
    """?name if the filter is ``!BOUND(?name) || ...``, else None."""
    expression = _get(filter_node, "expr")
    if _name(expression) != "ConditionalOrExpression" or not _get(expression, "other"):
        return None
    first = _single(_get(expression, "expr"))
    if _name(first) != "UnaryNot":
        return None
    bound = _single(_get(first, "expr"))
    argument = _get(bound, "arg") if _name(bound) == "Builtin_BOUND" else None
    return str(argument) if type(argument).__name__ == "Variable" else None


_JOIN_MARKER = re.compile(r"^[ \t]*#@join((?:[ \t]+[A-Za-z_][A-Za-z0-9_]*)+)[ \t]*$", re.MULTILINE)


def _service(text: str, node: Any) -> ServiceBlock:
    span = _span(node)
    group = _span(_get(node, "graph"), _GROUP)
    assert span is not None and group is not None
    pattern = text[group.start + 1 : group.end - 1]
    term = _get(node, "term")
    endpoint = str(term) if type(term).__name__ == "URIRef" else _prefixed_iri(text, term)
    joins = tuple(name for m in _JOIN_MARKER.finditer(pattern) for name in m.group(1).split())
    silent = _get(node, "silent") is not None
    return ServiceBlock(span.start, group.end, pattern, silent, endpoint, joins, group.start + 1)


_DECLARED_PREFIX = re.compile(r"PREFIX\s+([^\s:]*):\s*<([^<>]*)>", re.IGNORECASE)


def _prefixed_iri(text: str, term: Any) -> str | None:
    """The IRI a prefixed name (``e:q``) stands for: the text's own PREFIX declarations,
    else the predeclared ones; None for a variable or an undeclared prefix."""
    if _name(term) != "pname":
        return None
    from kg.rdf.namespaces import PREFIXES

    declared = {m.group(1): m.group(2) for m in _DECLARED_PREFIX.finditer(text)}
    prefix = str(_get(term, "prefix") or "")
    namespace = declared.get(prefix, PREFIXES.get(prefix))
    if namespace is None:
        return None
    return namespace + str(_get(term, "localname") or "")


def analyse(text: str, *, remember: bool = False) -> Analysis | None:
    """The analysis of a SPARQL query or update, or None if the grammar cannot read it.

    Texts holding ``\\u`` escapes are analysed, and spans given, with the escapes
    expanded (:attr:`Analysis.text`), as SPARQL reads them. Analyses are kept in
    memory; ``remember=True`` (query templates, such as the canned queries) keeps
    them on disk too (:func:`cache_folder`), because reading a long query takes the
    grammar a tenth of a second, once per process otherwise.
    """
    with contextlib.suppress(KeyError):  # another thread may drop it meanwhile
        _MEMORY.move_to_end(text)
        return _MEMORY[text]
    analysis = _load(text) if remember else None
    if analysis is None:
        analysis = _analyse(text)
        if remember and analysis is not None:
            _save(text, analysis)
    _MEMORY[text] = analysis
    if len(_MEMORY) > _MEMORY_SIZE:
        with contextlib.suppress(KeyError):
            _MEMORY.popitem(last=False)
    return analysis


def _analyse(text: str) -> Analysis | None:
    text = _expand_escapes(text) if "\\u" in text or "\\U" in text else text
    try:
        query_tree, update_tree = _parse(text)
    except _Unreadable:
        return None
    if update_tree is not None:
        operations = tuple(_operation(r) for r in _get(update_tree, "request") or [])
        services = tuple(
            _service(text, n) for n in _nodes(update_tree) if _name(n) == "ServiceGraphPattern"
        )
        return Analysis(text, operations[0] if operations else "", operations,
                        None, None, None, False, services, ())  # fmt: skip
    top = query_tree[-1]
    where = _span(_get(top, "where"), _GROUP)
    order = _get(top, "orderby")
    nodes = list(_nodes(top))
    services = tuple(_service(text, n) for n in nodes if _name(n) == "ServiceGraphPattern")
    guards = tuple(
        GuardFilter(span, variable)
        for n in nodes
        if _name(n) == "Filter"
        and (variable := _guard_variable(n)) is not None
        and (span := _span(n)) is not None
    )
    return Analysis(
        text=text,
        form=_QUERY_KEYWORDS[_name(top)],
        operations=(),
        query=_span(top),
        where=where,
        order_by=_span(order) if order is not None else None,
        limited=_get(top, "limitoffset") is not None,
        services=services,
        guard_filters=guards,
        order_keys=_order_keys(order) if order is not None else None,
        projected=_projected(top),
    )


def _projected(top: Any) -> tuple[str, ...] | None:
    if _name(top) != "SelectQuery" or not _get(top, "projection"):
        return None
    names = [_get(p, "var") or _get(p, "evar") for p in _get(top, "projection")]
    return tuple(str(n) for n in names) if all(n is not None for n in names) else None


def _order_keys(order: Any) -> tuple[tuple[str, bool], ...] | None:
    keys = []
    for condition in _get(order, "condition") or []:
        expression = _single(_get(condition, "expr") if _name(condition) else condition)
        if type(expression).__name__ != "Variable":
            return None
        keys.append((str(expression), _get(condition, "order") == "DESC"))
    return tuple(keys) or None


def _operation(request: Any) -> str:
    name = _name(request)
    if name == "Modify":
        if _get(request, "withClause") is not None:
            return "WITH"
        return "DELETE" if _get(request, "delete") is not None else "INSERT"
    return _UPDATE_KEYWORDS.get(name, name.upper())


def read_error(text: str) -> SparqlSyntaxError | None:
    """Where the grammar stops reading the text (for texts Oxigraph cannot run either)."""
    try:
        _parse(_expand_escapes(text))
    except _Unreadable as exc:
        error = max(exc.query_error, exc.update_error, key=lambda e: e.loc)
        line = text.count("\n", 0, error.loc) + 1
        column = error.loc - (text.rfind("\n", 0, error.loc) + 1) + 1
        message = f"SPARQL syntax error at line {line}, column {column}"
        return SparqlSyntaxError(message, line, column)
    return None


def update_reads_further(text: str) -> bool:
    """Whether, of a text neither grammar reads, the update grammar read more of it."""
    try:
        _parse(_expand_escapes(text))
    except _Unreadable as exc:
        return bool(exc.update_error.loc > exc.query_error.loc)
    return False


# ------------------------------------------------------------ analyses kept on disk

CACHE_ENV = "PTMKG_CACHE_DIR"
#: Bump when what an analysis holds, or how it is written, changes.
_CACHE_FORMAT = "2"
_MEMORY: OrderedDict[str, Analysis | None] = OrderedDict()
_MEMORY_SIZE = 512


def cache_folder() -> Path:
    """``$PTMKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/ptmkg`` (``~/.cache/ptmkg``)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ptmkg"


def _cache_file(text: str) -> Path:
    from rdflib import __version__ as grammar_version

    key = hashlib.sha256(f"{_CACHE_FORMAT}\0{grammar_version}\0{text}".encode()).hexdigest()
    return cache_folder() / "sparql-analysis" / f"{key}.json"


def _save(text: str, analysis: Analysis) -> None:
    """Keep the analysis (spans and names only, not the text) for the next process."""
    record = {
        "form": analysis.form,
        "operations": list(analysis.operations),
        "query": _pair(analysis.query),
        "where": _pair(analysis.where),
        "order_by": _pair(analysis.order_by),
        "limited": analysis.limited,
        "services": [
            {
                "start": s.start,
                "end": s.end,
                "pattern_start": s.pattern_start,
                "silent": s.silent,
                "endpoint": s.endpoint,
                "joins": list(s.joins),
            }
            for s in analysis.services
        ],
        "guard_filters": [[g.span.start, g.span.end, g.variable] for g in analysis.guard_filters],
        "order_keys": None if analysis.order_keys is None else list(analysis.order_keys),
        "projected": None if analysis.projected is None else list(analysis.projected),
    }
    with (
        contextlib.suppress(OSError, PtmkgError),
        atomic_write(_cache_file(text), "w", encoding="utf-8") as handle,
    ):
        json.dump(record, handle)


def _pair(span: Span | None) -> list[int] | None:
    return [span.start, span.end] if span else None


def _load(text: str) -> Analysis | None:
    """A kept analysis of exactly this text, if there is one that fits it; else None."""
    try:
        record = json.loads(_cache_file(text).read_text(encoding="utf-8"))
        expanded = _expand_escapes(text) if "\\u" in text or "\\U" in text else text

        def span(pair: list[int] | None) -> Span | None:
            if pair is None:
                return None
            start, end = (int(n) for n in pair)
            if not 0 <= start <= end <= len(expanded):
                raise ValueError("a span outside the text")
            return Span(start, end)

        services = []
        for s in record["services"]:
            outer = span([s["start"], s["end"]])
            inner = span([s["pattern_start"], s["end"] - 1])
            assert outer is not None and inner is not None
            pattern = expanded[inner.start : inner.end]
            silent, endpoint, joins = bool(s["silent"]), s["endpoint"], tuple(s["joins"])
            services.append(
                ServiceBlock(outer.start, outer.end, pattern, silent, endpoint, joins, inner.start)
            )
        analysis = Analysis(
            text=expanded,
            form=str(record["form"]),
            operations=tuple(record["operations"]),
            query=span(record["query"]),
            where=span(record["where"]),
            order_by=span(record["order_by"]),
            limited=bool(record["limited"]),
            services=tuple(services),
            guard_filters=tuple(
                GuardFilter(span(g[:2]), str(g[2]))  # type: ignore[arg-type]
                for g in record["guard_filters"]
            ),
            order_keys=None
            if record["order_keys"] is None
            else tuple((str(name), bool(descending)) for name, descending in record["order_keys"]),
            projected=None
            if record["projected"] is None
            else tuple(str(name) for name in record["projected"]),
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AssertionError):
        return None
    where = analysis.where
    if where is not None and (expanded[where.start] != "{" or expanded[where.end - 1] != "}"):
        return None  # not this text's analysis after all
    return analysis


# ------------------------------------------------------------ rewriting


@dataclass(frozen=True)
class Edit:
    """Replace characters ``start`` to ``end`` of a text by ``text``."""

    start: int
    end: int
    text: str


def apply_edits(text: str, edits: list[Edit]) -> str:
    """The text with every edit made; edits may not overlap."""
    out: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < position:
            raise PtmkgError("two rewrites of the query overlap (a marker inside a filter?)")
        out.append(text[position : edit.start])
        out.append(edit.text)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


def order_by_edit(analysis: Analysis) -> Edit | None:
    """The edit that drops the outermost ORDER BY, if dropping it keeps the same solutions
    (not when LIMIT or OFFSET follows it: then the order picks the rows)."""
    span = analysis.order_by
    if span is None or analysis.limited:
        return None
    return Edit(span.start, span.end, "")


def without_order_by(text: str) -> str:
    """The query without its outermost ORDER BY: the same solutions, in the engine's order."""
    analysis = analyse(text)
    if analysis is None:
        return text
    edit = order_by_edit(analysis)
    return apply_edits(analysis.text, [edit] if edit else [])


def query_form(text: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE``, ``ASK``, or the keyword of the first update
    operation (:mod:`kg.sparql.analysis` reads it); ``""`` for text the grammar cannot read."""
    analysis = analyse(text)
    if analysis is None:
        return ""
    if analysis.is_empty:
        raise SparqlSyntaxError("the query is empty")
    return analysis.form
