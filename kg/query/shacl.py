"""SHACL Core shapes as SPARQL queries the store itself answers.

Validating by copying the graph into rdflib for pySHACL costs the whole graph three times
in memory (90 s and 1.5 GB at 20k papers, over 15 GB at a million). Every constraint our
shapes use is a question about one focus node and its values, so each becomes one SPARQL
SELECT that the store answers by streaming its indexes: memory stays flat and the work is
the engine's. pySHACL remains the reference: tests/test_validate.py checks that both
report the same violations on graphs broken in every way the shapes can see.

Supported, as SHACL 1.0 defines them: targets (``sh:targetClass`` with instances of
subclasses, ``sh:targetNode``, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``), property
shapes over a predicate or an inverse predicate, and the components ``sh:minCount``,
``sh:maxCount``, ``sh:datatype`` (with lexical validity of the common XSD types),
``sh:nodeKind``, ``sh:class``, ``sh:pattern`` (with ``sh:flags``), ``sh:minLength``,
``sh:maxLength``, ``sh:in``, ``sh:hasValue``, ``sh:node``, ``sh:or``, ``sh:and``,
``sh:not``, plus ``sh:message``, ``sh:severity`` and ``sh:deactivated``. A shape using
anything else is refused by name, never silently skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import rdflib
from rdflib.collection import Collection
from rdflib.term import BNode, Literal, Node, URIRef

from kg.errors import PtmkgError

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Lexical forms of the XSD types the shapes name (XML Schema 1.1 Part 2), so an
#: ill-typed literal such as "2021a"^^xsd:gYear is a violation, as pySHACL finds it.
_TZ = r"(Z|[+-][0-9]{2}:[0-9]{2})?"
LEXICAL_FORMS: dict[str, str] = {
    XSD + "integer": r"^[+-]?[0-9]+$",
    XSD + "int": r"^[+-]?[0-9]+$",
    XSD + "long": r"^[+-]?[0-9]+$",
    XSD + "nonNegativeInteger": r"^[+]?[0-9]+$|^-0+$",
    XSD + "decimal": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    XSD + "double": r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    XSD + "float": r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    XSD + "boolean": r"^(true|false|1|0)$",
    XSD + "gYear": r"^-?([1-9][0-9]{4,}|[0-9]{4})" + _TZ + "$",
    XSD + "date": r"^-?([1-9][0-9]{4,}|[0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    + _TZ
    + "$",
    XSD + "dateTime": r"^-?([1-9][0-9]{4,}|[0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)" + _TZ + "$",
    XSD + "hexBinary": r"^([0-9a-fA-F]{2})*$",
}

_NODE_KINDS: dict[str, str] = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})",
    "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})",
}

#: Predicates of a shape that are not constraints (or are read with another one).
_NOT_CONSTRAINTS = {
    SH.path,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.flags,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    rdflib.RDF.type,
    rdflib.RDFS.label,
    rdflib.RDFS.comment,
}


def term(node: Node) -> str:
    """A term in SPARQL syntax."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise PtmkgError(f"a blank node cannot be named in a query: {node}")


def _string(text: str) -> str:
    return Literal(text).n3()


@dataclass
class Check:
    """One constraint of one shape, and the query that finds the nodes violating it."""

    shape: str
    path: str | None
    component: str
    message: str | None
    severity: str
    #: SELECT ?focus ?value ... (``?value`` unbound where a constraint has no one value)
    query: str


@dataclass
class _Names:
    counter: itertools.count = field(default_factory=itertools.count)

    def fresh(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self.counter)}"


class ShapeCompiler:
    """Compiles a shapes graph into :class:`Check` queries.

    ``subclasses`` answers, for a class IRI, the IRIs of it and all its subclasses in the
    data graph (the ontology is part of it), so that ``sh:class`` and ``sh:targetClass``
    match instances of subclasses without a property path per value.
    """

    def __init__(self, shapes: rdflib.Graph, subclasses: Callable[[str], list[str]]) -> None:
        self.shapes = shapes
        self.subclasses = subclasses
        self.names = _Names()

    # ---------------------------------------------------------------- reading

    def _one(self, shape: Node, predicate: URIRef) -> Node | None:
        values = list(self.shapes.objects(shape, predicate))
        if len(values) > 1:
            raise PtmkgError(f"shape {shape} has {len(values)} values of {predicate}")
        return values[0] if values else None

    def _list(self, node: Node) -> list[Node]:
        return list(Collection(self.shapes, node))

    def _is_deactivated(self, shape: Node) -> bool:
        value = self._one(shape, SH.deactivated)
        return isinstance(value, Literal) and value.toPython() is True

    def _path(self, shape: Node) -> tuple[str, str] | None:
        """(pattern template with {s} and {o}, readable path) of a property shape."""
        path = self._one(shape, SH.path)
        if path is None:
            return None
        if isinstance(path, URIRef):
            return "{s} " + term(path) + " {o}", str(path)
        inverse = self._one(path, SH.inversePath) if isinstance(path, BNode) else None
        if isinstance(inverse, URIRef):
            return "{o} " + term(inverse) + " {s}", f"^{inverse}"
        raise PtmkgError(f"shape {shape}: only predicate and inverse paths are supported")

    def _class_test(self, value: str, class_iri: str) -> str:
        return self._instance_test(value, self.subclasses(class_iri))

    @staticmethod
    def _instance_test(node: str, classes: list[str]) -> str:
        """A test that ``node`` is an instance of one of ``classes``: a look-up of each.
        A ``VALUES`` of them made Oxigraph join every instance of them first: the checks
        at 100k papers took 24 s one at a time that way, 21.5 s this way."""
        tests = " UNION ".join(f"{{ {node} <{RDF_TYPE}> <{c}> }}" for c in dict.fromkeys(classes))
        return f"EXISTS {{ {tests} }}"

    # -------------------------------------------------------------- conditions

    def _value_condition(self, shape: Node, predicate: URIRef, obj: Node, v: str) -> str | None:
        """A SPARQL expression true when value ``v`` satisfies the constraint, or None
        when the constraint is not about single values."""
        if predicate == SH.datatype:
            datatype = str(obj)
            test = f"isLiteral({v}) && sameTerm(DATATYPE({v}), <{datatype}>)"
            if datatype in LEXICAL_FORMS:
                test += f" && REGEX(STR({v}), {_string(LEXICAL_FORMS[datatype])})"
            if datatype == str(rdflib.RDF.langString):
                test = f"isLiteral({v}) && LANG({v}) != ''"
            return f"({test})"
        if predicate == SH.nodeKind:
            kind = str(obj).rsplit("#", 1)[-1]
            if kind not in _NODE_KINDS:
                raise PtmkgError(f"shape {shape}: unknown sh:nodeKind {obj}")
            return "(" + _NODE_KINDS[kind].format(v=v) + ")"
        if predicate == SH["class"]:
            return self._class_test(v, str(obj))
        if predicate == SH.pattern:
            flags = self._one(shape, SH.flags)
            arguments = f"STR({v}), {_string(str(obj))}"
            if flags is not None:
                arguments += f", {_string(str(flags))}"
            return f"(!isBlank({v}) && REGEX({arguments}))"
        if predicate == SH.minLength:
            return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(obj)})"  # type: ignore[call-overload]
        if predicate == SH.maxLength:
            return f"(!isBlank({v}) && STRLEN(STR({v})) <= {int(obj)})"  # type: ignore[call-overload]
        if predicate == SH["in"]:
            members = self._list(obj)
            if not members:
                return "false"
            return "(" + " || ".join(self._is_member(v, m) for m in members) + ")"
        if predicate == SH.node:
            return f"!({self.nonconforming(obj, v)})"
        if predicate == SH["not"]:
            return f"({self.nonconforming(obj, v)})"
        if predicate == SH["or"]:
            either = [f"!({self.nonconforming(m, v)})" for m in self._list(obj)]
            return "(" + (" || ".join(either) or "false") + ")"
        if predicate == SH["and"]:
            every = [f"!({self.nonconforming(m, v)})" for m in self._list(obj)]
            return "(" + (" && ".join(every) or "true") + ")"
        return None

    @staticmethod
    def _is_member(v: str, member: Node) -> str:
        """``v`` is the member: the same term, or for a plain string the same string (some
        engines, Virtuoso among them, keep "x" and "x"^^xsd:string apart under sameTerm)."""
        if (
            isinstance(member, Literal)
            and member.language is None
            and member.datatype
            in (
                None,
                rdflib.XSD.string,
            )
        ):
            return f"(isLiteral({v}) && LANG({v}) = '' && STR({v}) = {_string(str(member))})"
        return f"sameTerm({v}, {term(member)})"

    def _constraints(self, shape: Node) -> Iterator[tuple[URIRef, Node]]:
        for predicate, obj in sorted(self.shapes.predicate_objects(shape)):
            assert isinstance(predicate, URIRef)
            if predicate in _NOT_CONSTRAINTS or not str(predicate).startswith(str(SH)):
                continue
            if predicate == SH.inversePath:
                continue
            yield predicate, obj

    def _property_violation(
        self, shape: Node, path: str, predicate: URIRef, obj: Node, focus: str
    ) -> tuple[str, str | None]:
        """(group pattern matching a violation for ``focus``, the value variable or None)."""
        if predicate == SH.minCount:
            wanted = int(obj)  # type: ignore[call-overload]
            if wanted <= 0:
                return "FILTER(false)", None
            values = [self.names.fresh() for _ in range(wanted)]
            return f"FILTER NOT EXISTS {{ {self._distinct_values(path, focus, values)} }}", None
        if predicate == SH.maxCount:
            values = [self.names.fresh() for _ in range(int(obj) + 1)]  # type: ignore[call-overload]
            return f"FILTER EXISTS {{ {self._distinct_values(path, focus, values)} }}", None
        if predicate == SH.hasValue:
            return f"FILTER NOT EXISTS {{ {path.format(s=focus, o=term(obj))} }}", None
        value = self.names.fresh("value")
        condition = self._value_condition(shape, predicate, obj, value)
        if condition is None:
            raise PtmkgError(f"shape {shape}: SHACL constraint {predicate} is not supported")
        return f"{path.format(s=focus, o=value)} FILTER(!({condition}))", value

    def _distinct_values(self, path: str, focus: str, values: list[str]) -> str:
        patterns = [path.format(s=focus, o=v) + " ." for v in values]
        different = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(values, 2)]
        if different:
            patterns.append(f"FILTER({' && '.join(different)})")
        return " ".join(patterns)

    def nonconforming(self, shape: Node, focus: str) -> str:
        """A SPARQL expression true when ``focus`` does not conform to ``shape``."""
        if self._is_deactivated(shape):
            return "false"
        tests: list[str] = []
        path = self._path(shape)
        for predicate, obj in self._constraints(shape):
            if path is not None:
                pattern, _ = self._property_violation(shape, path[0], predicate, obj, focus)
                tests.append(_as_exists(pattern))
            else:
                condition = self._value_condition(shape, predicate, obj, focus)
                if condition is None:
                    raise PtmkgError(
                        f"shape {shape}: SHACL constraint {predicate} is not supported"
                    )
                tests.append(f"!({condition})")
        for nested in self.shapes.objects(shape, SH.property):
            tests.append(f"({self.nonconforming(nested, focus)})")
        return " || ".join(tests) or "false"

    # ----------------------------------------------------------------- targets

    def _target(self, shape: Node, focus: str) -> str | None:
        """The shape's focus nodes, each once: a subquery binding ``focus``."""
        patterns = self._target_patterns(shape, focus)
        if not patterns:
            return None
        return "{ SELECT DISTINCT " + focus + " WHERE { " + " UNION ".join(patterns) + " } }"

    def _membership(self, shape: Node, focus: str) -> str | None:
        """A test that a bound ``focus`` is one of the shape's focus nodes, where they are
        all instances of classes; else None."""
        if any(
            next(self.shapes.objects(shape, p), None) is not None
            for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        ):
            return None
        classes = [
            c for target in self.shapes.objects(shape, SH.targetClass)
            for c in self.subclasses(str(target))
        ]  # fmt: skip
        return self._instance_test(focus, classes) if classes else None

    def _target_patterns(self, shape: Node, focus: str) -> list[str]:
        patterns = []
        for class_iri in self.shapes.objects(shape, SH.targetClass):
            kind = self.names.fresh("type")
            classes = " ".join(f"<{c}>" for c in self.subclasses(str(class_iri)))
            patterns.append(f"{{ {focus} <{RDF_TYPE}> {kind} . VALUES {kind} {{ {classes} }} }}")
        for node in self.shapes.objects(shape, SH.targetNode):
            patterns.append(f"{{ VALUES {focus} {{ {term(node)} }} }}")
        for predicate in self.shapes.objects(shape, SH.targetSubjectsOf):
            patterns.append(f"{{ {focus} {term(predicate)} {self.names.fresh()} }}")
        for predicate in self.shapes.objects(shape, SH.targetObjectsOf):
            patterns.append(f"{{ {self.names.fresh()} {term(predicate)} {focus} }}")
        return patterns

    # ------------------------------------------------------------------ checks

    def checks(self) -> list[Check]:
        """One check per constraint of every targeted shape, in a stable order."""
        found: list[Check] = []
        shapes = sorted(
            {
                s
                for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                for s in self.shapes.subjects(p, None)
            },
            key=str,
        )
        for shape in shapes:
            if self._is_deactivated(shape):
                continue
            target = self._target(shape, "?focus")
            assert target is not None
            membership = self._membership(shape, "?focus")
            found.extend(self._shape_checks(shape, shape, target, membership))
        return found

    def _severity(self, shape: Node) -> str:
        """The constraint's shape's own severity (SHACL does not inherit it), else Violation."""
        return str(self._one(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]

    def _key(self, shape: Node) -> str:
        """A stable order for blank-node property shapes: by path, then constraints."""
        path = self._path(shape)
        constraints = sorted(
            f"{p} {o}" for p, o in self.shapes.predicate_objects(shape) if not isinstance(o, BNode)
        )
        return f"{path[1] if path else ''} {' '.join(constraints)}"

    def _message(self, shape: Node) -> str | None:
        messages = list(self.shapes.objects(shape, SH.message))
        if not messages:
            return None
        english = [m for m in messages if isinstance(m, Literal) and m.language in (None, "en")]
        return str((english or messages)[0])

    def _shape_checks(
        self, shape: Node, outer: Node, target: str, membership: str | None
    ) -> list[Check]:
        """``target`` binds the outer shape's focus nodes; ``membership``, where there is
        one, tests a bound node instead (see :meth:`_membership`)."""
        checks = []
        path = self._path(shape)
        for predicate, obj in self._constraints(shape):
            component = str(predicate).rsplit("#", 1)[-1]
            component = component[0].upper() + component[1:] + "ConstraintComponent"
            where = target
            if path is not None:
                pattern, value = self._property_violation(shape, path[0], predicate, obj, "?focus")
                select = f"?focus ({value} AS ?value)" if value else "?focus"
                distinct = "DISTINCT " if value is None else ""
                if value is not None and membership is not None:
                    # A constraint on each value: the values that break it first (a scan
                    # of the path's statements), then whether their node is a focus node,
                    # rather than every focus node's values (0.6 s against 1.6 s for the
                    # pattern of bibo:doi at 100k papers).
                    values, _, test = pattern.partition(" FILTER(")
                    where, pattern = "", f"{values} FILTER({test[:-1]} && {membership})"
            else:
                condition = self._value_condition(shape, predicate, obj, "?focus")
                if condition is None:
                    raise PtmkgError(
                        f"shape {shape}: SHACL constraint {predicate} is not supported"
                    )
                # A node shape's own constraint is about the focus node: it is the value.
                pattern, select, distinct = (
                    f"FILTER(!({condition}))",
                    "?focus (?focus AS ?value)",
                    "",
                )
            checks.append(
                Check(
                    shape=str(outer),
                    path=path[1] if path else None,
                    component=component,
                    message=self._message(shape),
                    severity=self._severity(shape),
                    query=f"SELECT {distinct}{select} WHERE {{ {where} {pattern} }}",
                )
            )
        for nested in sorted(self.shapes.objects(shape, SH.property), key=self._key):
            if not self._is_deactivated(nested):
                checks.extend(self._shape_checks(nested, outer, target, membership))
        return checks


def _as_exists(pattern: str) -> str:
    """A violation pattern ("... FILTER(...)" or "FILTER [NOT] EXISTS {...}") as a test."""
    if pattern.startswith("FILTER NOT EXISTS "):
        return "NOT EXISTS " + pattern.removeprefix("FILTER NOT EXISTS ")
    if pattern.startswith("FILTER EXISTS "):
        return "EXISTS " + pattern.removeprefix("FILTER EXISTS ")
    if pattern == "FILTER(false)":
        return "false"
    return f"EXISTS {{ {pattern} }}"


__all__ = ["LEXICAL_FORMS", "Check", "ShapeCompiler"]
