"""The ontology's documentation page: every term, with an example, opened in real headless Chromium."""

from __future__ import annotations

import re

import rdflib
from conftest import EXAMPLES
from rdflib.namespace import OWL, RDF
from test_network_browser import run_chromium

from kg.resources import ontology_file

PTM = "https://w3id.org/ptmkg/ontology#"


def test_the_page_lists_every_class_and_property_and_opens_offline(cli, tmp_path):
    store = tmp_path / "store"
    built = cli("build", EXAMPLES / "illustrative-corpus.csv", "--store", store)
    assert built.exit_code == 0, built.output
    page = tmp_path / "ontology.html"
    result = cli("ontology", "docs", "-o", page, "--store", store)
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    graph = rdflib.Graph().parse(ontology_file(), format="turtle")
    terms = {
        str(s)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in graph.subjects(RDF.type, kind)
        if str(s).startswith(PTM)
    }
    assert len(terms) > 70
    for term in terms:
        assert f'<div class="iri">{term}</div>' in text, term
    # the definitions and alignments are on the page, and examples come from the graph
    assert "subproperty of <code>schema:sameAs</code>" in text
    assert "subclass of <code>fair4ml:MLModel</code>" in text
    assert re.search(
        r"<pre>&lt;https://w3id\.org/ptmkg/id/paper/10\.\S+&gt; rdf:type ptm:Paper \.</pre>", text
    )
    assert text.count("<pre>") > 25
    # Chromium renders it from a file: URL with every network path closed.
    dom = run_chromium(page, tmp_path / "profile", "--dump-dom")
    assert dom.stdout.count('class="term"') == len(terms)
    assert "Pre-trained model" in dom.stdout
