"""A source's own node: what it is, its checksum, its format and how many records it gave."""

from __future__ import annotations

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


def write_source_node(
    quads: QuadLines,
    source: str,
    source_name: str,
    *,
    sha256: str,
    source_format: str,
    read: int,
    accepted: int,
    rejected: int,
    skipped: int = 0,
    natural_science_rule: str | None = None,
    location: str | None = None,
    modified: str | None = None,
) -> None:
    """The source node (``source``, an N-Triples term) with its checksum and counts, and
    where it was read from (``location``, a ``file:`` IRI, as ``prov:atLocation``) and that
    file's modification time (``modified``, an xsd:dateTime, as ``dcterms:modified``)."""
    emit = quads.emit
    emit(source, TYPE, p("Source"))
    emit(source, TYPE, p("Entity", PROV))
    emit(source, p("title", DCTERMS), literal(source_name))
    for quad in checksum_quads(source, sha256):
        emit(*quad)
    emit(source, p("sourceFormat"), literal(source_format))
    emit(source, p("recordsRead"), typed(str(read), "integer"))
    emit(source, p("recordsAccepted"), typed(str(accepted), "integer"))
    emit(source, p("recordsRejected"), typed(str(rejected), "integer"))
    if skipped:
        emit(source, p("recordsSkipped"), typed(str(skipped), "integer"))
    if natural_science_rule:
        emit(source, p("naturalScienceFilter"), literal(natural_science_rule))
    if location:
        emit(source, p("atLocation", PROV), f"<{location}>")
    if modified:
        emit(source, p("modified", DCTERMS), typed(modified, "dateTime"))
