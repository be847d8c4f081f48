"""The registry of RDF serialisations ptmkg writes (``dump``, and later query results)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import PtmkgError


@dataclass(frozen=True)
class RdfOutputFormat:
    name: str
    format: ox.RdfFormat
    extension: str
    aliases: tuple[str, ...] = ()


RDF_OUTPUT_FORMATS: dict[str, RdfOutputFormat] = {
    f.name: f
    for f in (
        RdfOutputFormat("turtle", ox.RdfFormat.TURTLE, ".ttl", ("ttl",)),
        RdfOutputFormat("ntriples", ox.RdfFormat.N_TRIPLES, ".nt", ("nt", "n-triples")),
        RdfOutputFormat("nquads", ox.RdfFormat.N_QUADS, ".nq", ("nq", "n-quads")),
        RdfOutputFormat("trig", ox.RdfFormat.TRIG, ".trig"),
        RdfOutputFormat("jsonld", ox.RdfFormat.JSON_LD, ".jsonld", ("json-ld",)),
        RdfOutputFormat("rdfxml", ox.RdfFormat.RDF_XML, ".rdf", ("xml", "rdf/xml", "owl")),
    )
}


def rdf_output_format(name: str) -> RdfOutputFormat:
    wanted = name.strip().lower()
    for candidate in RDF_OUTPUT_FORMATS.values():
        if wanted in (candidate.name, *candidate.aliases):
            return candidate
    known = ", ".join(RDF_OUTPUT_FORMATS)
    raise PtmkgError(f"unknown RDF format {name!r} (known: {known})")


def rdf_format_for_file(filename: str) -> RdfOutputFormat | None:
    lowered = filename.lower()
    for candidate in RDF_OUTPUT_FORMATS.values():
        if lowered.endswith(candidate.extension):
            return candidate
    return None
