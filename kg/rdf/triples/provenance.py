"""A source's own node: what it is, its checksum, its format and how many records it gave."""

from __future__ import annotations

from typing import NotRequired, TypedDict, Unpack

from kg.rdf.namespaces import DCTERMS, PROV, SPDX
from kg.rdf.triples.terms import TYPE, QuadLines, literal, p, typed


def checksum_quads(source: str, sha256: str) -> list[tuple[str, str, str]]:
    """A source's SHA-256 as an SPDX checksum node (``<source/sha256>``), as DCAT 3 has one."""
    node = source[:-1] + "/sha256>"
    return [
        (source, p("checksum", SPDX), node),
        (node, TYPE, p("Checksum", SPDX)),
        (node, p("algorithm", SPDX), p("checksumAlgorithm_sha256", SPDX)),
        (node, p("checksumValue", SPDX), typed(sha256, "hexBinary")),
    ]


class SourceFacts(TypedDict):
    """What a source's node says besides its name: its checksum, its format, its counts."""

    sha256: str
    source_format: str
    read: int
    accepted: int
    rejected: int
    skipped: NotRequired[int]
    natural_science_rule: NotRequired[str | None]
    location: NotRequired[str | None]  # the file read, a ``file:`` IRI
    modified: NotRequired[str | None]  # that file's modification time, an xsd:dateTime


def write_source_node(
    quads: QuadLines, source: str, source_name: str, **facts: Unpack[SourceFacts]
) -> None:
    """The source node (``source``, an N-Triples term) with its checksum and counts, and
    where it was read from (``location``, as ``prov:atLocation``) and that file's
    modification time (``modified``, as ``dcterms:modified``)."""
    emit = quads.emit
    emit_text = quads.emit_text
    emit(source, TYPE, p("Source"))
    emit(source, TYPE, p("Entity", PROV))
    emit(source, p("title", DCTERMS), literal(source_name))
    for quad in checksum_quads(source, facts["sha256"]):
        emit(*quad)
    emit(source, p("sourceFormat"), literal(facts["source_format"]))
    emit(source, p("recordsRead"), typed(str(facts["read"]), "integer"))
    emit(source, p("recordsAccepted"), typed(str(facts["accepted"]), "integer"))
    emit(source, p("recordsRejected"), typed(str(facts["rejected"]), "integer"))
    if facts.get("skipped"):
        emit(source, p("recordsSkipped"), typed(str(facts["skipped"]), "integer"))
    emit_text(source, p("naturalScienceFilter"), facts.get("natural_science_rule"))
    location, modified = facts.get("location"), facts.get("modified")
    if location:
        emit(source, p("atLocation", PROV), f"<{location}>")
    if modified:
        emit(source, p("modified", DCTERMS), typed(modified, "dateTime"))
