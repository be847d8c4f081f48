"""Ad-hoc SPARQL: a user's own queries, read-only unless they ask for an update.

The common prefixes (:data:`kg.rdf.namespaces.PREFIXES`) are predeclared, so
``ptm:Paper`` works without a ``PREFIX`` line. A query is classified before it
runs: an update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) is refused unless the
caller allows updates, and then runs as one atomic write. A syntax error
becomes a :class:`SparqlSyntaxError` that says where it is and shows the line.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from kg.errors import PtmkgError
from kg.query.results import AnyResult, QueryResult, UpdateResult, from_solutions
from kg.query.services import check_services
from kg.rdf.namespaces import PREFIXES
from kg.stores.embedded import GraphStore

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_FORMS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_PROLOGUE = re.compile(r"\s*(?:(?:BASE\s+I|PREFIX\s+[^\s:]*:\s*I)\s*)*", re.IGNORECASE)
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_POSITION = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.DOTALL)


class SparqlSyntaxError(PtmkgError):
    """The text is not valid SPARQL; ``line`` and ``column`` say where (1-based)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class UpdateRefused(PtmkgError):
    """An update was given where only queries are allowed."""


def skeleton(text: str) -> str:
    """The query with comments removed and every string and IRI replaced by a placeholder.

    What is left shows the query's structure: its keywords and braces.
    """
    out: list[str] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end
        elif char in "'\"":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote)
            while index < length and not text.startswith(quote, index):
                index += 2 if text[index] == "\\" else 1
            index += len(quote)
            out.append('""')
        elif char == "<" and (match := _IRIREF.match(text, index)):
            out.append("I")
            index = match.end()
        else:
            out.append(char)
            index += 1
    return "".join(out)


def query_form(text: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE``, ``ASK``, or the update keyword it starts with."""
    structure = skeleton(text)
    prologue = _PROLOGUE.match(structure)
    match = _FIRST_WORD.match(structure, prologue.end() if prologue else 0)
    word = match.group(0).upper() if match else ""
    if word in QUERY_FORMS or word in UPDATE_FORMS:
        return word
    if not word:
        if not structure.strip():
            raise SparqlSyntaxError("the query is empty")
        raise _no_form(text)
    return word  # not SPARQL; the parser will say what it expected


# Whitespace, comments and PREFIX or BASE declarations, as written in the query.
_PROLOGUE_TEXT = re.compile(
    r"(?:\s+|#[^\n]*|BASE\s*<[^<>]*>|PREFIX\s+[^\s:]*:\s*<[^<>]*>)*", re.IGNORECASE
)


def _no_form(text: str) -> SparqlSyntaxError:
    """The query begins with something other than a word: a string, an IRI, punctuation."""
    start = _PROLOGUE_TEXT.match(text)
    position = start.end() if start else 0
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    shown = text.splitlines()[line - 1]
    gutter = f"{line} | "
    caret = " " * (len(gutter) + column - 1) + "^"
    return SparqlSyntaxError(
        f"SPARQL syntax error at line {line}, column {column}: expected SELECT, CONSTRUCT, "
        f"DESCRIBE or ASK (a query) or INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, "
        f"ADD or WITH (an update)\n  {gutter}{shown.expandtabs(1)}\n  {caret}",
        line,
        column,
    )


def is_update(text: str) -> bool:
    return query_form(text) in UPDATE_FORMS


def has_order_by(text: str) -> bool:
    """Whether the outermost query orders its solutions (ORDER BY after its WHERE group)."""
    depth = 0
    closed_first_group = False
    outer: list[str] = []
    for char in skeleton(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                closed_first_group = True
        elif depth == 0 and closed_first_group:
            outer.append(char)
    return bool(_ORDER_BY.search("".join(outer)))


def syntax_error(exc: SyntaxError, text: str) -> SparqlSyntaxError:
    """Oxigraph's ``error at L:C: expected ...`` as a message with the line and a caret."""
    message = " ".join(str(exc).split())
    match = _POSITION.match(str(exc))
    if not match:
        return SparqlSyntaxError(f"SPARQL syntax error: {message}")
    line, column = int(match.group(1)), int(match.group(2))
    expected = " ".join(match.group(3).split())
    if len(expected) > 160:
        expected = expected[:157] + "..."
    lines = text.splitlines() or [""]
    shown = lines[line - 1] if 0 < line <= len(lines) else ""
    if "Prefix not found" in expected:
        before = re.search(r"([A-Za-z][\w.-]*)?:[\w.-]*$", shown[: max(column - 1, 0)])
        prefix = f"{before.group(1) or ''}: " if before else ""
        expected = (
            f"unknown prefix {prefix}(declare it with PREFIX; 'ptmkg prefixes' lists the "
            "predeclared ones)"
        )
    gutter = f"{line} | "
    caret = " " * (len(gutter) + max(column - 1, 0)) + "^"
    return SparqlSyntaxError(
        f"SPARQL syntax error at line {line}, column {column}: {expected}\n"
        f"  {gutter}{shown.expandtabs(1)}\n  {caret}",
        line,
        column,
    )


def execute(
    store: GraphStore,
    text: str,
    allow_update: bool = False,
    allowed_services: Collection[str] = (),
) -> AnyResult | UpdateResult:
    """Run any SPARQL: a query gives its result; an update runs only if ``allow_update``.

    ``SERVICE`` may ask only the endpoints in ``allowed_services`` (``*``: any); see
    :mod:`kg.query.services`.
    """
    if not text.strip():
        raise SparqlSyntaxError("the query is empty")
    form = query_form(text)
    check_services(text, allowed_services, update=form in UPDATE_FORMS)
    if form in UPDATE_FORMS:
        if not allow_update:
            raise UpdateRefused(
                f"this is a SPARQL update ({form}); queries are read-only unless you allow "
                f"updates (ptmkg sparql --update)"
            )
        try:
            store.update(text)
        except SyntaxError as exc:
            raise syntax_error(exc, text) from None
        return UpdateResult(form=form, store=store.location)
    try:
        result = from_solutions(store.query(text))
    except SyntaxError as exc:
        raise syntax_error(exc, text) from None
    except OSError as exc:
        raise PtmkgError(f"the query failed: {exc}") from None
    if isinstance(result, QueryResult) and not has_order_by(text):
        # Without ORDER BY the solution order is the engine's; sort so output can be diffed.
        result = result.sorted()
    return result


def prefixes() -> dict[str, str]:
    """The prefixes every query may use without declaring them."""
    return dict(PREFIXES)
