"""Validating a graph against the SHACL shapes in ``ontology/shapes.ttl``.

Each constraint is one SPARQL query the store answers itself (see :mod:`kg.query.shacl`),
so validation streams through the store's indexes instead of copying the graph: it runs
on the embedded store and on any SPARQL server alike, with memory that does not grow
with the graph.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox
import rdflib

from kg.query.shacl import RDFS_SUBCLASS, Check, ShapeCompiler
from kg.resources import shapes_file
from kg.stores.embedded import EmbeddedStore, GraphStore

#: Violations kept in a report; the count beyond is still exact.
MAX_KEPT_VIOLATIONS = 100_000

#: Checks run at once on an embedded store: Oxigraph answers each on one core and lets go
#: of the interpreter meanwhile (at 100k papers two at once took 22 s, one at a time 38 s).
#: A server is asked one at a time (its pacing is the user's).
CHECKS_AT_ONCE = min(2, os.cpu_count() or 1)

#: What one check found: how many, and the first MAX_KEPT_VIOLATIONS (focus, value).
_Found = tuple[int, list[tuple[str, str | None]]]

#: Called after each check with (checks done, checks in all, the check just done).
ValidationProgress = Callable[[int, int, Check], None]


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str
    value: str | None
    #: The SHACL constraint component, such as "MinCountConstraintComponent".
    component: str = ""
    #: The node shape whose target the focus node is.
    shape: str = ""


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation]
    #: Statements checked: the quads of every graph, the ontology's included.
    triples: int
    #: Every violation found; ``violations`` keeps the first MAX_KEPT_VIOLATIONS.
    violation_count: int = 0
    checks: int = 0
    warnings: list[Violation] = field(default_factory=list)


@cache
def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(shapes_file(), format="turtle")


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def _default_message(check: Check, value: str | None) -> str:
    path = f" of {check.path}" if check.path else ""
    name = check.component.removesuffix("ConstraintComponent")
    if value is None:
        return f"{name} constraint{path} not met"
    return f"value {value!r}{path} does not satisfy the {name} constraint"


def checks() -> list[Check]:
    """The shapes' constraints, each as the query that finds its violations."""
    return ShapeCompiler(_shapes(), _subclasses_in_shapes).checks()


def _subclasses_in_shapes(class_iri: str) -> list[str]:  # the shapes alone, for inspection
    return [class_iri]


def _count_statements(store: GraphStore) -> int:
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, ox.QuerySolutions)
    quads = int(next(iter(result))["n"].value)
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QuerySolutions)
    return max(quads, int(next(iter(result))["n"].value))


def store_checks(store: GraphStore) -> list[Check]:
    """The shapes' constraints as the queries that find their violations in ``store``
    (its own subclasses of each target class included)."""
    known: dict[str, list[str]] = {}

    def subclasses(class_iri: str) -> list[str]:
        if class_iri not in known:
            result = store.query(
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASS}>* <{class_iri}> }}"
            )
            assert isinstance(result, ox.QuerySolutions)
            found = {s["c"].value for s in result if isinstance(s["c"], ox.NamedNode)}
            known[class_iri] = sorted(found | {class_iri})
        return known[class_iri]

    return ShapeCompiler(_shapes(), subclasses).checks()


def validate(store: GraphStore, progress: ValidationProgress | None = None) -> ValidationReport:
    """Check the union of all the store's graphs (ontology included) against the shapes."""
    compiled = store_checks(store)

    def run(check: Check) -> _Found:
        # Answered and read on the worker's own thread (pyoxigraph's solutions stay there).
        result = store.query(check.query)
        assert isinstance(result, ox.QuerySolutions)
        has_value = any(variable.value == "value" for variable in result.variables)
        count, first = 0, list[tuple[str, str | None]]()
        for solution in result:
            count += 1
            if len(first) < MAX_KEPT_VIOLATIONS:
                value = _value(solution["value"]) if has_value else None
                first.append((_value(solution["focus"]) or "", value))
        del result
        return count, first

    violations: list[Violation] = []
    warnings: list[Violation] = []
    count = 0
    workers = CHECKS_AT_ONCE if isinstance(store, EmbeddedStore) else 1
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ptmkg-validate") as pool:
        # Counted beside the checks (two scans of every statement: a second at 100k papers).
        statements = pool.submit(_count_statements, store)
        # Taken in the checks' order, whatever order they finish in: the same report.
        for done, (check, future) in enumerate(
            zip(compiled, [pool.submit(run, c) for c in compiled], strict=True), start=1
        ):
            found, first = future.result()
            kept = warnings if check.severity != "Violation" else violations
            for focus, value in first[: max(0, MAX_KEPT_VIOLATIONS - len(kept))]:
                kept.append(
                    Violation(
                        focus=focus,
                        path=check.path,
                        message=check.message or _default_message(check, value),
                        severity=check.severity,
                        value=value,
                        component=check.component,
                        shape=check.shape,
                    )
                )
            if check.severity == "Violation":
                count += found
            if progress is not None:
                progress(done, len(compiled), check)
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
    warnings.sort(key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
    return ValidationReport(
        conforms=count == 0,
        violations=violations,
        triples=statements.result(),
        violation_count=count,
        checks=len(compiled),
        warnings=warnings,
    )
