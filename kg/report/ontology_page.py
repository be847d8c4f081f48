"""The ontology as one HTML page: every class and property, its definition, alignments and
an example from a built graph.

Our own generator rather than pyLODE: pyLODE 3.4.1 (the version PyPI serves for Python 3.11)
does not import from an installed wheel (it reads a pyproject.toml that the wheel does not
ship). The page is one self-contained file, its styles inline and no script, so it opens
offline from a file: URL.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.rdf.namespaces import ONTOLOGY_IRI, PREFIXES, PTM
from kg.resources import ontology_file
from kg.stores.embedded import GraphStore

DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
_KINDS = (
    ("Classes", OWL.Class),
    ("Object properties", OWL.ObjectProperty),
    ("Datatype properties", OWL.DatatypeProperty),
)
_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1d2433; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #d0d7e2; }
section.term { border: 1px solid #d0d7e2; border-radius: 6px; padding: 0.6rem 1rem;
               margin: 1rem 0; }
section.term h3 { margin: 0.2rem 0; font-size: 1.1rem; }
.iri, code { font-family: ui-monospace, monospace; font-size: 0.9em; color: #4a5568; }
dl { display: grid; grid-template-columns: 9rem 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
dt { font-weight: 600; } dd { margin: 0; }
.deprecated { color: #a0301e; font-weight: 600; }
pre { background: #f4f6fa; padding: 0.4rem 0.6rem; overflow-x: auto; white-space: pre-wrap; }
nav ul { columns: 3; }
"""


@dataclass
class TermDoc:
    iri: str
    kind: str
    label: str
    definition: str
    comments: list[str] = field(default_factory=list)
    alignments: list[tuple[str, str]] = field(default_factory=list)  # (relation, term)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    deprecated: bool = False
    example: str | None = None


def _short(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    if isinstance(node, rdflib.BNode):
        union = graph.value(node, OWL.unionOf)
        if union is not None:
            members = rdflib.collection.Collection(graph, union)
            return " or ".join(_short(graph, m) for m in members)
        inverse = graph.value(node, OWL.inverseOf)
        if inverse is not None:
            return f"inverse of {_short(graph, inverse)}"
        return "(an anonymous class)"
    text = str(node)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>"


def terms(graph: rdflib.Graph) -> list[TermDoc]:
    """Every class and property of the ptm: namespace, in label order within each kind."""
    docs = []
    for kind, rdf_type in _KINDS:
        for subject in sorted(set(graph.subjects(RDF.type, rdf_type)), key=str):
            if not str(subject).startswith(PTM):
                continue
            relation = RDFS.subClassOf if rdf_type == OWL.Class else RDFS.subPropertyOf
            alignments = [
                ("subclass of" if rdf_type == OWL.Class else "subproperty of", o)
                for o in graph.objects(subject, relation)
            ]
            alignments += [("inverse of", o) for o in graph.objects(subject, OWL.inverseOf)]
            alignments += [("replaced by", o) for o in graph.objects(subject, DCTERMS.isReplacedBy)]
            docs.append(
                TermDoc(
                    iri=str(subject),
                    kind=kind,
                    label=str(graph.value(subject, RDFS.label) or _short(graph, subject)),
                    definition=str(graph.value(subject, SKOS.definition) or ""),
                    comments=sorted(str(c) for c in graph.objects(subject, RDFS.comment)),
                    alignments=sorted(
                        ((name, _short(graph, o)) for name, o in alignments), key=str
                    ),
                    domain=sorted(_short(graph, o) for o in graph.objects(subject, RDFS.domain)),
                    range=sorted(_short(graph, o) for o in graph.objects(subject, RDFS.range)),
                    deprecated=(subject, OWL.deprecated, rdflib.Literal(True)) in graph,
                )
            )
    return docs


def _data(store: GraphStore) -> ox.Store:
    """The store's quads in memory, to look terms up in (a built graph, for a page)."""
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_QUADS)
    data = ox.Store()
    data.load(buffer.getvalue(), format=ox.RdfFormat.N_QUADS)
    return data


def _example(store: ox.Store, doc: TermDoc) -> str | None:
    """One statement of the graph that uses the term, in Turtle-like short form."""
    iri = ox.NamedNode(doc.iri)
    ontology = ox.NamedNode(ONTOLOGY_IRI)
    if doc.kind == "Classes":
        pattern: Iterable[ox.Quad] = store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), iri)
    else:
        pattern = store.quads_for_pattern(None, iri, None)
    for quad in pattern:
        if quad.graph_name == ontology:
            continue
        subject, predicate, obj = (
            _short_term(t) for t in (quad.subject, quad.predicate, quad.object)
        )
        return f"{subject} {predicate} {obj} ."
    return None


def _short_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return _short(rdflib.Graph(), rdflib.URIRef(term.value))
    if isinstance(term, ox.Literal):
        text = term.value if len(term.value) <= 120 else term.value[:117] + "..."
        return '"' + text.replace('"', '\\"') + '"'
    return str(term)


def ontology_page(store: GraphStore | None = None) -> str:
    """The HTML page of the ontology; with a store, each term shows an example from its graph."""
    graph = rdflib.Graph().parse(ontology_file(), format="turtle")
    ontology = rdflib.URIRef(ONTOLOGY_IRI)
    docs = terms(graph)
    if store is not None:
        data = _data(store)
        for doc in docs:
            doc.example = _example(data, doc)
    e = html.escape
    title = str(graph.value(ontology, DCTERMS.title) or "ptmkg ontology")
    version = str(graph.value(ontology, OWL.versionInfo) or "")
    metadata = [
        ("IRI", ONTOLOGY_IRI),
        ("Version IRI", str(graph.value(ontology, OWL.versionIRI) or "")),
        ("Version", version),
        ("Prior version", str(graph.value(ontology, OWL.priorVersion) or "")),
        ("Creator", str(graph.value(ontology, DCTERMS.creator) or "")),
        ("Issued", str(graph.value(ontology, DCTERMS.issued) or "")),
        ("Licence", str(graph.value(ontology, DCTERMS.license) or "")),
        ("Preferred prefix", "ptm: " + PTM),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>{e(title)} {e(version)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{e(str(graph.value(ontology, DCTERMS.description) or ''))}</p>",
        "<dl>",
        *(f'<dt>{e(k)}</dt><dd class="iri">{e(v)}</dd>' for k, v in metadata if v),
        "</dl>",
        "<nav><h2>Contents</h2><ul>",
        *(f'<li><a href="#{e(_anchor(d.iri))}">{e(d.label)}</a></li>' for d in docs),
        "</ul></nav>",
    ]
    for kind, _ in _KINDS:
        out.append(f"<h2>{e(kind)}</h2>")
        for doc in (d for d in docs if d.kind == kind):
            out.append(_term_html(doc))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _anchor(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


def _term_html(doc: TermDoc) -> str:
    e = html.escape
    rows = [("Definition", e(doc.definition))]
    rows += [("Note", e(c)) for c in doc.comments]
    if doc.alignments:
        rows.append(
            ("Alignments", "<br>".join(f"{e(n)} <code>{e(t)}</code>" for n, t in doc.alignments))
        )
    if doc.domain:
        rows.append(("Domain", ", ".join(f"<code>{e(t)}</code>" for t in doc.domain)))
    if doc.range:
        rows.append(("Range", ", ".join(f"<code>{e(t)}</code>" for t in doc.range)))
    example = f"<pre>{e(doc.example)}</pre>" if doc.example else "<em>not in this graph</em>"
    rows.append(("Example", example))
    deprecated = ' <span class="deprecated">deprecated</span>' if doc.deprecated else ""
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return (
        f'<section class="term" id="{e(_anchor(doc.iri))}"><h3>{e(doc.label)}{deprecated}</h3>'
        f'<div class="iri">{e(doc.iri)}</div><dl>{body}</dl></section>'
    )


def write_ontology_page(output: Path, store: GraphStore | None = None) -> int:
    """Write the page; returns how many terms it documents."""
    page = ontology_page(store)
    output.write_text(page, encoding="utf-8")
    return page.count('<section class="term"')
