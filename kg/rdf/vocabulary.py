"""The controlled vocabularies (reuse patterns, stages, fields), read from the ontology.

The ontology file is the single source of truth: labels, notations and
alternative labels in ``ontology/ptmkg.ttl`` decide which spellings an importer
accepts, so adding an alternative label there is all it takes to accept it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from kg.rdf.iris import name_key
from kg.rdf.namespaces import PTM, RDF, SKOS
from kg.resources import ontology_file


@dataclass(frozen=True)
class Concept:
    iri: str
    label: str
    notation: str
    alt_labels: tuple[str, ...] = ()
    exact_matches: tuple[str, ...] = ()


@dataclass
class ConceptScheme:
    """The concepts of one class, looked up by any of their spellings."""

    name: str
    concepts: list[Concept] = field(default_factory=list)
    _by_key: dict[str, Concept] = field(default_factory=dict)

    def add(self, concept: Concept) -> None:
        self.concepts.append(concept)
        for spelling in (concept.label, concept.notation, *concept.alt_labels):
            self._by_key[name_key(spelling)] = concept
        for iri in (concept.iri, *concept.exact_matches):
            self._by_key[iri] = concept

    def lookup(self, text: str) -> Concept | None:
        text = text.strip()
        return self._by_key.get(text) or self._by_key.get(name_key(text))

    def labels(self) -> list[str]:
        return [c.label for c in self.concepts]


@dataclass(frozen=True)
class Vocabulary:
    patterns: ConceptScheme
    stages: ConceptScheme
    fields: ConceptScheme
    natural_science_fields: frozenset[str]


def _literal_values(store: ox.Store, subject: ox.NamedNode, predicate: str) -> list[str]:
    return sorted(
        q.object.value
        for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)
        if not isinstance(q.object, ox.Triple)
    )


@cache
def vocabulary() -> Vocabulary:
    store = ox.Store()
    store.load(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
    schemes = {
        "ReusePattern": ConceptScheme("reuse pattern"),
        "Stage": ConceptScheme("stage"),
        "Field": ConceptScheme("field"),
    }
    natural: set[str] = set()
    for class_name, scheme in schemes.items():
        members = [
            q.subject
            for q in store.quads_for_pattern(
                None, ox.NamedNode(RDF + "type"), ox.NamedNode(PTM + class_name)
            )
            if isinstance(q.subject, ox.NamedNode)
        ]
        concepts = []
        for subject in members:
            notation = _literal_values(store, subject, SKOS + "notation")[0]
            concepts.append(
                Concept(
                    iri=subject.value,
                    label=_literal_values(store, subject, SKOS + "prefLabel")[0],
                    notation=notation,
                    alt_labels=tuple(_literal_values(store, subject, SKOS + "altLabel")),
                    exact_matches=tuple(_literal_values(store, subject, SKOS + "exactMatch")),
                )
            )
            if _literal_values(store, subject, PTM + "isNaturalScience") == ["true"]:
                natural.add(subject.value)
        order = {
            "ReusePattern": lambda c: [
                "conceptual_reuse",
                "adaptation_reuse",
                "deployment_reuse",
            ].index(c.notation)
        }
        for concept in sorted(concepts, key=order.get(class_name, lambda c: int(c.notation))):
            scheme.add(concept)
    return Vocabulary(
        patterns=schemes["ReusePattern"],
        stages=schemes["Stage"],
        fields=schemes["Field"],
        natural_science_fields=frozenset(natural),
    )


#: Versions of the study's natural-science rule: how many of a paper's three topic
#: fields (OpenAlex "slots") must be natural sciences. Both also need a citation.
NATURAL_SCIENCE_RULES = {"v1": 2, "v2": 1}


def natural_science_rules(
    slot_fields: list[str | None], cited_by_count: int | None
) -> tuple[str, ...]:
    """The rule versions a paper meets, from the field IRIs of its first three topics."""
    natural = sum(1 for f in slot_fields[:3] if f in vocabulary().natural_science_fields)
    return tuple(
        version
        for version, needed in NATURAL_SCIENCE_RULES.items()
        if natural >= needed and (cited_by_count or 0) > 0
    )
