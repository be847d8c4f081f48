"""IRIs of the ontology and of the vocabularies ptmkg aligns with."""

from __future__ import annotations

ONTOLOGY_IRI = "https://w3id.org/ptmkg/ontology"
PTM = "https://w3id.org/ptmkg/ontology#"
PATTERN = "https://w3id.org/ptmkg/pattern/"
STAGE = "https://w3id.org/ptmkg/stage/"
FIELD = "https://w3id.org/ptmkg/field/"
DOMAIN = "https://w3id.org/ptmkg/domain/"

#: Instance data is minted under this base unless the user gives another
#: (``--base-iri`` or ``PTMKG_BASE_IRI``).
DEFAULT_BASE_IRI = "https://w3id.org/ptmkg/id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FABIO = "http://purl.org/spar/fabio/"
BIBO = "http://purl.org/ontology/bibo/"
CITO = "http://purl.org/spar/cito/"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "http://schema.org/"
FAIR4ML = "https://w3id.org/fair4ml#"
MLS = "http://www.w3.org/ns/mls#"
SH = "http://www.w3.org/ns/shacl#"
SPDX = "http://spdx.org/rdf/terms#"
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
VANN = "http://purl.org/vocab/vann/"
OPENALEX = "https://openalex.org/"

#: Prefixes predeclared for queries and used when serialising.
PREFIXES: dict[str, str] = {
    "ptm": PTM,
    "pattern": PATTERN,
    "stage": STAGE,
    "field": FIELD,
    "domain": DOMAIN,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "fabio": FABIO,
    "bibo": BIBO,
    "cito": CITO,
    "prov": PROV,
    "schema": SCHEMA,
    "fair4ml": FAIR4ML,
    "mls": MLS,
    "sh": SH,
    "spdx": SPDX,
    "sssom": SSSOM,
    "semapv": SEMAPV,
}
