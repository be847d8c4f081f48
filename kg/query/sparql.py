"""Ad-hoc SPARQL: a user's own queries, read-only unless they ask for an update.

The common prefixes (:data:`kg.rdf.namespaces.PREFIXES`) are predeclared, so
``ptm:Paper`` works without a ``PREFIX`` line. A query is classified before it
runs, by the one SPARQL analysis (:mod:`kg.sparql.analysis`): an update (INSERT,
DELETE, LOAD, CLEAR, DROP, ...) is refused unless the caller allows updates, and
then runs as one atomic write. A syntax error
becomes a :class:`SparqlSyntaxError` that says where it is and shows the line.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from kg.errors import PtmkgError
from kg.query.results import AnyResult, QueryResult, UpdateResult, from_solutions
from kg.rdf.namespaces import PREFIXES
from kg.sparql.analysis import SparqlSyntaxError, analyse, update_reads_further
from kg.sparql.services import check_services
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

_POSITION = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.DOTALL)


class UpdateRefused(PtmkgError):
    """An update was given where only queries are allowed."""


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


def _starts_with_a_word(text: str) -> bool:
    start = _PROLOGUE_TEXT.match(text)
    rest = text[start.end() if start else 0 :]
    return rest[:1].isalpha()


def is_update(text: str) -> bool:
    analysis = analyse(text)
    return analysis.is_update if analysis is not None else update_reads_further(text)


def has_order_by(text: str) -> bool:
    """Whether the outermost query orders its solutions (its own ORDER BY, not a subquery's)."""
    analysis = analyse(text)
    return analysis is not None and analysis.order_by is not None


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
    """Run any SPARQL: a query gives its result; an update runs only if ``allow_update``,
    and ``SERVICE`` may ask only the endpoints in ``allowed_services`` (``*``: any; see
    :mod:`kg.sparql.services`).

    Which of the two a text is, and whether it orders its solutions, is read by
    :func:`kg.sparql.analysis.analyse`. Text that grammar cannot read goes to the engine
    as a query (which cannot write), unless it reads further as an update and updates
    are allowed; the engine then says what is wrong with it.
    """
    analysis = analyse(text) if text.strip() else None
    if not text.strip() or (analysis is not None and analysis.is_empty):
        raise SparqlSyntaxError("the query is empty")
    if analysis is None and not _starts_with_a_word(text):
        raise _no_form(text)  # a string or an IRI where the query form should be
    updating = analysis.is_update if analysis is not None else update_reads_further(text)
    check_services(text, allowed_services, update=updating)
    if updating:
        # Text only Oxigraph reads (SPARQL 1.2) is an update of no form we can name.
        form = analysis.form if analysis is not None else "SPARQL"
        if not allow_update:
            kind = f"is a SPARQL update ({form})" if analysis else "looks like a SPARQL update"
            raise UpdateRefused(
                f"this {kind}; queries are read-only unless you allow updates "
                f"(ptmkg sparql --update)"
            )
        try:
            store.update(text)
        except SyntaxError as exc:
            raise syntax_error(exc, text) from None
        return UpdateResult(form=form, store=store.location)
    failure: PtmkgError | None = None
    try:
        result = from_solutions(store.query(text))
    except SyntaxError as exc:
        failure = syntax_error(exc, text)
    except OSError as exc:
        failure = PtmkgError(f"the query failed: {exc}")
    except RuntimeError as exc:
        # Oxigraph's word for an evaluation that failed, such as a SERVICE endpoint that
        # answered something other than SPARQL results.
        reason = " ".join(str(exc).split())[:600]
        services = [s.endpoint for s in analysis.services if s.endpoint] if analysis else []
        failure = PtmkgError(
            f"the query failed: a SERVICE endpoint ({', '.join(services)}) gave no usable "
            f"answer: {reason}"
            if services
            else f"the query failed: {reason}"
        )
    if failure is not None:
        # Raised here, once the engine's exception (and the solutions its traceback holds)
        # is gone: pyoxigraph's solutions must be dropped on the thread that made them.
        raise failure
    if isinstance(result, QueryResult) and analysis is not None and analysis.order_by is None:
        # Without ORDER BY the solution order is the engine's; sort so output can be diffed.
        result = result.sorted()
    return result


def prefixes() -> dict[str, str]:
    """The prefixes every query may use without declaring them."""
    return dict(PREFIXES)
