"""Query parameters: declared in a query's header, bound as RDF terms, never pasted as text.

A canned query declares its parameters in its comment header::

    # param: field field Restrict to papers in this field (label, id or IRI).
    # param: limit integer default=10 How many ranks to show.
    # param: model model required The model (a name, an alias or its IRI).
    # param: rule string default=v2 values=v1|v2 The natural-science rule version.

that is ``NAME TYPE [required | default=VALUE] [min=N] [max=N] [values=A|B...] DESCRIPTION``;
``values`` lists every value a string parameter may take, and any other is refused with
that list (a value that matches nothing in the graph would otherwise give no rows). In
the query body, a comment line ``#@bind field limit`` marks where the parameters are bound.

Binding is the one place where user input meets SPARQL. Each value is first
turned into an RDF term by its type (a field label becomes the field concept's
IRI, a model name becomes the IRIs of the matching models in the graph, a
string becomes a literal); pyoxigraph builds the term, which validates IRIs and
escapes literals. The term's N-Triples form then replaces the marker as
``VALUES ?field { <...> }``. User text therefore only ever reaches the query
as one escaped RDF term and cannot change the query's structure, whatever
quotes, braces, ``#`` or keywords it holds.

A parameter left out (no value, no default) binds nothing: its variable stays
unbound, and the queries read an unbound filter variable as "all". A query
writes such a filter as ``FILTER(!BOUND(?field) || ...)``; with no value for
``field`` that filter keeps every solution, so binding drops it (the SPARQL
analysis of :mod:`kg.sparql.analysis` finds it) rather than have the engine test
it once per solution (which at a million papers costs seconds). The text run as
it is, without binding, means the same.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pyoxigraph as ox

from kg.errors import PtmkgError
from kg.rdf.namespaces import XSD
from kg.rdf.vocabulary import ConceptScheme, vocabulary
from kg.read.values import parse_bool
from kg.sparql.analysis import Edit, analyse, apply_edits, order_by_edit

if TYPE_CHECKING:
    from kg.stores.embedded import GraphStore

Term = ox.NamedNode | ox.Literal

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BIND_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)#@bind(?P<names>(?:[ \t]+[A-Za-z_][A-Za-z0-9_]*)+)[ \t]*$",
    re.MULTILINE,
)
#: Integer parameters count, rank or date things: never negative, and within the 64-bit
#: integers the engine computes with (past them a comparison fails and no row is left).
INTEGER_MIN = 0
INTEGER_MAX = 2**63 - 1
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


class ParameterError(PtmkgError):
    """A parameter value that cannot be used (unknown name, wrong type, no such field)."""


@dataclass(frozen=True)
class Parameter:
    """One parameter a canned query declares; an integer's values lie in its range."""

    name: str
    type: str
    description: str = ""
    default: str | None = None
    required: bool = False
    minimum: int = INTEGER_MIN
    maximum: int = INTEGER_MAX
    allowed: tuple[str, ...] = ()
    """Every value a string parameter may take; () for any."""

    def describe(self) -> str:
        if self.required:
            given = "required"
        elif self.default is not None:
            given = f"default {self.default}"
        else:
            given = "optional (all when left out)"
        if self.allowed:
            return f"{given}; one of {', '.join(self.allowed)}"
        return f"{given}; {self.range()}" if self.type == "integer" else given

    def range(self) -> str:
        if self.maximum == INTEGER_MAX:
            return f"{self.minimum} or more"
        return f"{self.minimum} to {self.maximum}"

    def check(self, terms: list[Term]) -> list[Term]:
        """The terms, if an integer's value lies in the parameter's range and a value is
        one of those allowed."""
        for term in terms:
            if self.allowed and term.value not in self.allowed:
                raise ParameterError(
                    f"{term.value!r} is not one of the values {self.name} takes: "
                    f"{', '.join(self.allowed)}"
                )
            if self.type == "integer" and not self.minimum <= int(term.value) <= self.maximum:
                raise ParameterError(
                    f"{term.value} is out of range: {self.name} is a whole number from "
                    f"{self.minimum} to {self.maximum}"
                )
        return terms


# ------------------------------------------------------------ parameter types


@dataclass(frozen=True)
class ParameterType:
    """How a text value becomes RDF terms (one or more: a model name can match several)."""

    name: str
    description: str
    to_terms: Callable[[str, GraphStore | None], list[Term]]


def _integer(value: str, _store: GraphStore | None) -> list[Term]:
    text = value.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ParameterError(f"{value!r} is not a whole number")
    return [ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD + "integer"))]


def _boolean(value: str, _store: GraphStore | None) -> list[Term]:
    try:
        parsed = parse_bool(value, "the value")
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    if parsed is None:
        raise ParameterError("the value is empty, expected True or False")
    return [ox.Literal("true" if parsed else "false", datatype=ox.NamedNode(XSD + "boolean"))]


def _string(value: str, _store: GraphStore | None) -> list[Term]:
    return [ox.Literal(value)]


def _iri(value: str, _store: GraphStore | None) -> list[Term]:
    text = value.strip()
    if not _ABSOLUTE_IRI.match(text):
        raise ParameterError(f"{value!r} is not an absolute IRI")
    try:
        return [ox.NamedNode(text)]
    except ValueError as exc:
        raise ParameterError(f"{value!r} is not a valid IRI ({exc})") from None


def _concept(scheme_of: Callable[[], ConceptScheme]) -> Callable[..., list[Term]]:
    def to_terms(value: str, _store: GraphStore | None) -> list[Term]:
        scheme = scheme_of()
        concept = scheme.lookup(value)
        if concept is None:
            labels = scheme.labels()
            close = difflib.get_close_matches(value, labels, n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            known = (
                ", ".join(labels) if len(labels) < 10 else "an OpenAlex field name or id (11-36)"
            )
            raise ParameterError(f"unknown {scheme.name} {value!r} (expected {known}){hint}")
        return [ox.NamedNode(concept.iri)]

    return to_terms


_MODEL_NAMES = """
SELECT DISTINCT ?model ?name WHERE {
  ?model a ptm:PretrainedModel .
  { ?model rdfs:label ?name } UNION { ?model skos:altLabel ?name }
}
"""


def _model_names(store: GraphStore) -> dict[str, set[str]]:
    """Each model's IRI and its names (labels and aliases) in the graph."""
    names: dict[str, set[str]] = {}
    solutions = store.query(_MODEL_NAMES)
    assert isinstance(solutions, ox.QuerySolutions)
    for solution in solutions:
        names.setdefault(solution["model"].value, set()).add(solution["name"].value)
    return names


def _model(value: str, store: GraphStore | None) -> list[Term]:
    """The models in the graph that a name, an alias or an IRI denotes."""
    from kg.models.names import ModelResolver, UnresolvableMention, model_key

    if store is None:
        raise ParameterError("a model parameter needs a graph to look the model up in")
    text = value.strip()
    names = store.remembered("model names", lambda: _model_names(store))
    if text in names:
        return [ox.NamedNode(text)]
    wanted = {model_key(text)}
    try:
        resolved = ModelResolver.from_environment().resolve(text)
        wanted |= {resolved.key, model_key(resolved.name)}
    except UnresolvableMention:
        pass
    wanted.discard("")
    matches = sorted(
        iri
        for iri, spellings in names.items()
        # A model's IRI ends in its key (``.../model/resnet50``), whatever the base IRI.
        if model_key(unquote(iri.rsplit("/", 1)[-1])) in wanted
        or any(model_key(spelling) in wanted for spelling in spellings)
    )
    if not matches:
        labels = sorted({s for spellings in names.values() for s in spellings})
        close = difflib.get_close_matches(text, labels, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ParameterError(
            f"no model called {value!r} in the graph{hint} ('ptmkg query models' lists them)"
        )
    return [ox.NamedNode(iri) for iri in matches]


PARAMETER_TYPES: dict[str, ParameterType] = {
    t.name: t
    for t in (
        ParameterType("string", "any text, matched as a plain literal", _string),
        ParameterType("integer", "a whole number", _integer),
        ParameterType("boolean", "True or False", _boolean),
        ParameterType("iri", "an absolute IRI", _iri),
        ParameterType(
            "field",
            "an OpenAlex field: name, id (11-36) or IRI",
            _concept(lambda: vocabulary().fields),
        ),
        ParameterType(
            "pattern",
            "a reuse pattern: conceptual, adaptation or deployment",
            _concept(lambda: vocabulary().patterns),
        ),
        ParameterType(
            "stage",
            "a stage: observation, background, hypothesis, test, analysis or conclusion",
            _concept(lambda: vocabulary().stages),
        ),
        ParameterType("model", "a model name or alias as in the graph, or its IRI", _model),
    )
}


# ------------------------------------------------------------ declarations


def parse_parameter(declaration: str, where: str) -> Parameter:
    """``NAME TYPE [required] [default=VALUE] [min=N] [max=N] [values=A|B] DESCRIPTION`` ->
    :class:`Parameter`.

    ``min`` and ``max`` narrow an integer's range (by default 0 to 2^63 - 1); ``values``
    lists the values a string parameter takes.
    """
    parts = declaration.split(None, 2)
    if len(parts) < 2:
        raise PtmkgError(f"{where}: a parameter needs a name and a type: {declaration!r}")
    name, type_name = parts[0], parts[1]
    rest = parts[2] if len(parts) > 2 else ""
    if not _NAME.match(name):
        raise PtmkgError(f"{where}: bad parameter name {name!r}")
    if type_name not in PARAMETER_TYPES:
        known = ", ".join(PARAMETER_TYPES)
        raise PtmkgError(f"{where}: parameter {name} has unknown type {type_name!r} ({known})")
    options: dict[str, str] = {}
    required = False
    while True:
        first, _, after = rest.partition(" ")
        key, equals, value = first.partition("=")
        if first == "required":
            required = True
        elif equals and key in ("default", "min", "max", "values") and key not in options:
            options[key] = value
        else:
            break
        rest = after
    bounds = {}
    for key in ("min", "max"):
        if key not in options:
            continue
        if type_name != "integer" or not re.fullmatch(r"\d+", options[key]):
            raise PtmkgError(f"{where}: {key}= takes a whole number, for an integer parameter")
        if not INTEGER_MIN <= int(options[key]) <= INTEGER_MAX:
            raise PtmkgError(f"{where}: {key}={options[key]} is past 2^63 - 1")
        bounds["minimum" if key == "min" else "maximum"] = int(options[key])
    allowed: tuple[str, ...] = ()
    if "values" in options:
        allowed = tuple(value for value in options["values"].split("|") if value)
        if type_name != "string" or not allowed:
            raise PtmkgError(f"{where}: values= takes A|B|..., for a string parameter")
        if options.get("default") is not None and options["default"] not in allowed:
            raise PtmkgError(
                f"{where}: the default {options['default']!r} of {name} is not one of its "
                f"values ({', '.join(allowed)})"
            )
    return Parameter(
        name, type_name, rest.strip(), options.get("default"), required, **bounds, allowed=allowed
    )


def bind_markers(text: str) -> set[str]:
    """The parameter names the query's ``#@bind`` lines mention."""
    return {
        name
        for line in text.splitlines()
        if (match := _BIND_MARKER.match(line))
        for name in match.group("names").split()
    }


# ------------------------------------------------------------ binding


ParameterValue = str | int | bool | None


def resolve_parameters(
    declared: list[Parameter],
    values: Mapping[str, ParameterValue],
    store: GraphStore | None,
    query_name: str,
) -> dict[str, list[Term]]:
    """Turn the given values (and the defaults) into RDF terms, checking names and types."""
    by_name = {p.name: p for p in declared}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        known = ", ".join(by_name) or "none"
        raise ParameterError(
            f"query {query_name} has no parameter {', '.join(repr(u) for u in unknown)} "
            f"(its parameters: {known})"
        )
    bound: dict[str, list[Term]] = {}
    for parameter in declared:
        raw = values.get(parameter.name)
        if raw is None or (isinstance(raw, str) and raw == ""):
            raw = parameter.default
        if raw is None:
            if parameter.required:
                raise ParameterError(
                    f"query {query_name} needs --param {parameter.name}=... "
                    f"({PARAMETER_TYPES[parameter.type].description})"
                )
            continue
        if isinstance(raw, bool):
            raw = "true" if raw else "false"
        try:
            terms = PARAMETER_TYPES[parameter.type].to_terms(str(raw), store)
            bound[parameter.name] = parameter.check(terms)
        except ParameterError as exc:
            raise ParameterError(f"parameter {parameter.name}: {exc}") from None
    return bound


def bind(
    text: str,
    terms: Mapping[str, list[Term]],
    *,
    drop_unbound_filters: bool = True,
    ordered: bool = True,
) -> str:
    """Replace each ``#@bind`` line by ``VALUES`` blocks of the bound parameters' terms.

    The ``FILTER(!BOUND(?name) || ...)`` of a parameter the query binds with
    ``#@bind`` but that has no value here is dropped: it would keep every solution
    anyway. ``ordered=False`` drops the outermost ``ORDER BY`` too, for callers that
    key the rows themselves. Filters and ORDER BY are found by the one SPARQL
    analysis (:func:`kg.sparql.analysis.analyse`, cached per query text), and only the
    characters it read as them are replaced.
    """
    analysis = analyse(text, remember=True) if drop_unbound_filters or not ordered else None
    base = analysis.text if analysis is not None else text
    marked = bind_markers(base)
    edits: list[Edit] = []
    for match in _BIND_MARKER.finditer(base):
        indent = match.group("indent")
        blocks = [
            f"{indent}VALUES ?{name} {{ {' '.join(str(term) for term in terms[name])} }}"
            for name in match.group("names").split()
            if name in terms
        ]
        replacement = "\n".join(blocks) if blocks else f"{indent}# (no parameters given here)"
        edits.append(Edit(match.start(), match.end(), replacement))
    if analysis is not None and drop_unbound_filters:
        for guard in analysis.guard_filters:
            if guard.variable not in marked or guard.variable in terms:
                continue
            line_end = base.find("\n", guard.span.end)
            rest = base[guard.span.end : line_end if line_end >= 0 else len(base)]
            note = f"# (no {guard.variable} given: its filter keeps every row)"
            edits.append(Edit(guard.span.start, guard.span.end, "" if rest.strip() else note))
    if analysis is not None and not ordered and (unordered := order_by_edit(analysis)):
        edits.append(unordered)
    return apply_edits(base, edits)


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """``["field=Neuroscience", "limit=5"]`` -> ``{"field": "Neuroscience", "limit": "5"}``."""
    values: dict[str, str] = {}
    for assignment in assignments:
        name, separator, value = assignment.partition("=")
        if not separator or not name.strip():
            raise ParameterError(f"--param takes NAME=VALUE, got {assignment!r}")
        values[name.strip()] = value
    return values
