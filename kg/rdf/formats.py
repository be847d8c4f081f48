"""The registry of RDF serialisations ptmkg writes (``dump``, CONSTRUCT and DESCRIBE results).

Each entry's implementation is the engine's own format value (a ``pyoxigraph.RdfFormat``),
so :meth:`Format.load` gives what ``pyoxigraph.serialize`` and ``Store.dump`` take.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.formats import Format, Registry

RDF_OUTPUT_FORMATS = Registry(
    "RDF format",
    (
        Format("turtle", (".ttl",), "pyoxigraph:RdfFormat.TURTLE", "Turtle", aliases=("ttl",)),
        Format(
            "ntriples",
            (".nt",),
            "pyoxigraph:RdfFormat.N_TRIPLES",
            "N-Triples",
            aliases=("nt", "n-triples"),
        ),
        Format(
            "nquads",
            (".nq",),
            "pyoxigraph:RdfFormat.N_QUADS",
            "N-Quads, with the named graphs",
            aliases=("nq", "n-quads"),
        ),
        Format("trig", (".trig",), "pyoxigraph:RdfFormat.TRIG", "TriG, with the named graphs"),
        Format(
            "jsonld", (".jsonld",), "pyoxigraph:RdfFormat.JSON_LD", "JSON-LD", aliases=("json-ld",)
        ),
        Format(
            "rdfxml",
            (".rdf",),
            "pyoxigraph:RdfFormat.RDF_XML",
            "RDF/XML",
            aliases=("xml", "rdf/xml", "owl"),
        ),
    ),
    default="nquads",
)
"""What ``ptmkg dump`` writes, N-Quads unless a name or an extension says otherwise."""


def oxigraph_format(fmt: Format) -> ox.RdfFormat:
    """The engine's format for a registry entry."""
    found = fmt.load()
    assert isinstance(found, ox.RdfFormat)
    return found


def choose_rdf_format(
    name: str | None, path: Path | str | None = None, default: str | None = None
) -> Format:
    """The format named, else the one ``path``'s extension names, else ``default`` (N-Quads
    unless given): an extension no RDF format has is written in the default."""
    return RDF_OUTPUT_FORMATS.choose(name, path, default, lenient=True)
