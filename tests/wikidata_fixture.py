"""A small Wikidata, shaped like the real one, and a small graph of ours to link to it.

Scholarly articles live on one server and everything else on another, as on
Wikidata since the 2025 split. What each lookup should find, worked out by hand:

Papers (by DOI, upper case in Wikidata, property P356):

- 10.5000/a is Q1001; 10.5000/b has two items, Q1004 and Q1005 (both linked);
- 10.5000/c is stored in lower case on its item (Q1003): no match, as on Wikidata;
- 10.5000/d is not there;
- AlexNet's origin paper 10.1145/3065386 (no paper node of its own, only the
  model's ptm:introducedIn) is Q1010.

Models (labels and aliases, under artificial neural network Q192776):

- AlexNet: the registry says Q28325009, which exists: kept ("registry");
- DeepLoc: the registry says Q9999999, which does not exist: reported, then
  matched by its label to Q2007 ("label");
- ResNet-50: label "ResNet-50"@en on Q2001, an instance of residual neural
  network, a subclass of CNN, a subclass of ANN ("label");
- BERT: Q2002 (instance of large language model, subclass of language model,
  subclass of ANN) matches; Q2003 has the same label but is a human: ignored;
- VGG-16: Q2004 has the label "VGG16" and the alias "VGG-16"; our label matches
  their alias (rank 1) before our alias "VGG16" matches their label (rank 2): "alias";
- ResNet (our label) is the alias of the class residual neural network Q43744058,
  itself under ANN: "alias";
- Cellpose: label "Cellpose"@mul (language-neutral) on Q2006: "label";
- Mask R-CNN: two items labelled so (Q2008, Q2009): ambiguous, not linked;
- SignalP: not on Wikidata.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

import kg

BASE = kg.DEFAULT_BASE_IRI
WD = "http://www.wikidata.org/entity/"

PREFIXES = """\
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
"""

SCHOLARLY = (
    PREFIXES
    + """
wd:Q1001 wdt:P31 wd:Q13442814 ; wdt:P356 "10.5000/A" ; rdfs:label "Alpha paper"@en ;
    wdt:P921 wd:Q197536 , wd:Q7190 .
wd:Q1003 wdt:P31 wd:Q13442814 ; wdt:P356 "10.5000/c" ; rdfs:label "Gamma paper"@en ;
    wdt:P921 wd:Q7190 .
wd:Q1004 wdt:P31 wd:Q13442814 ; wdt:P356 "10.5000/B" ; rdfs:label "Beta paper"@en ;
    wdt:P921 wd:Q197536 .
wd:Q1005 wdt:P31 wd:Q13442814 ; wdt:P356 "10.5000/B" ; rdfs:label "Beta paper (duplicate)"@en .
wd:Q1010 wdt:P31 wd:Q13442814 ; wdt:P356 "10.1145/3065386" ;
    rdfs:label "ImageNet classification with deep convolutional neural networks"@en .
wd:Q197536 rdfs:label "deep learning"@en , "apprentissage profond"@fr .
"""
)

MAIN = (
    PREFIXES
    + """
wd:Q192776 rdfs:label "artificial neural network"@en .
wd:Q17084460 rdfs:label "convolutional neural network"@en ; wdt:P279 wd:Q192776 .
wd:Q43744058 rdfs:label "residual neural network"@en ; skos:altLabel "ResNet"@en ;
    wdt:P279 wd:Q17084460 .
wd:Q3 rdfs:label "language model"@en ; wdt:P279 wd:Q192776 .
wd:Q115305900 rdfs:label "large language model"@en ; wdt:P279 wd:Q3 .
wd:Q5 rdfs:label "human"@en .

wd:Q28325009 rdfs:label "AlexNet"@en ; wdt:P31 wd:Q17084460 ;
    schema:description "convolutional neural network for image classification"@en ,
        "réseau de neurones convolutif"@fr .
wd:Q2001 rdfs:label "ResNet-50"@en ; wdt:P31 wd:Q43744058 ;
    schema:description "50-layer residual network"@en .
wd:Q2002 rdfs:label "BERT"@en ; wdt:P31 wd:Q115305900 ;
    schema:description "language model by Google"@en .
wd:Q2003 rdfs:label "BERT"@en ; wdt:P31 wd:Q5 ; schema:description "a person called Bert"@en .
wd:Q2004 rdfs:label "VGG16"@en ; skos:altLabel "VGG-16"@en ; wdt:P31 wd:Q17084460 .
wd:Q2006 rdfs:label "Cellpose"@mul ; wdt:P31 wd:Q17084460 .
wd:Q2007 rdfs:label "DeepLoc"@en ; wdt:P31 wd:Q192776 .
wd:Q2008 rdfs:label "Mask R-CNN"@en ; wdt:P31 wd:Q17084460 .
wd:Q2009 rdfs:label "Mask R-CNN"@en ; wdt:P279 wd:Q17084460 .
"""
)

# Our graph: four papers, nine models, who reuses what, and registry-style Wikidata ids.
# AlexNet is reused by three papers, ResNet-50 by two, BERT by one.
OUR_GRAPH = """\
@prefix ptm: <https://w3id.org/ptmkg/ontology#> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix id: <https://w3id.org/ptmkg/id/> .
@prefix paper: <https://w3id.org/ptmkg/id/paper/> .
@prefix model: <https://w3id.org/ptmkg/id/model/> .

<urn:test:corpus> {
  paper:10.5000\\/a a ptm:Paper ; bibo:doi "10.5000/a" .
  paper:10.5000\\/b a ptm:Paper ; bibo:doi "10.5000/b" .
  paper:10.5000\\/c a ptm:Paper ; bibo:doi "10.5000/c" .
  paper:10.5000\\/d a ptm:Paper ; bibo:doi "10.5000/d" .
  id:reuse-1 ptm:inPaper paper:10.5000\\/a ; ptm:reusedModel model:alexnet .
  id:reuse-2 ptm:inPaper paper:10.5000\\/b ; ptm:reusedModel model:alexnet .
  id:reuse-3 ptm:inPaper paper:10.5000\\/c ; ptm:reusedModel model:alexnet .
  id:reuse-4 ptm:inPaper paper:10.5000\\/a ; ptm:reusedModel model:resnet50 .
  id:reuse-5 ptm:inPaper paper:10.5000\\/d ; ptm:reusedModel model:resnet50 .
  id:reuse-6 ptm:inPaper paper:10.5000\\/b ; ptm:reusedModel model:bert .
  model:alexnet a ptm:PretrainedModel ; rdfs:label "AlexNet" ; skos:altLabel "Alex Net" .
  model:resnet50 a ptm:PretrainedModel ; rdfs:label "ResNet-50" ; skos:altLabel "resnet50" .
  model:bert a ptm:PretrainedModel ; rdfs:label "BERT" .
  model:vgg16 a ptm:PretrainedModel ; rdfs:label "VGG-16" ; skos:altLabel "VGG16" .
  model:resnet a ptm:PretrainedModel ; rdfs:label "ResNet" .
  model:cellpose a ptm:PretrainedModel ; rdfs:label "Cellpose" .
  model:deeploc a ptm:PretrainedModel ; rdfs:label "DeepLoc" .
  model:maskrcnn a ptm:PretrainedModel ; rdfs:label "Mask R-CNN" .
  model:signalp a ptm:PretrainedModel ; rdfs:label "SignalP" .
}

<urn:test:registry> {
  model:alexnet ptm:wikidataItem wd:Q28325009 ; ptm:introducedIn paper:10.1145\\/3065386 .
  model:deeploc ptm:wikidataItem wd:Q9999999 .
}
"""

PAPER_LINKS = {
    ("10.5000/a", "Q1001"),
    ("10.5000/b", "Q1004"),
    ("10.5000/b", "Q1005"),
    ("10.1145/3065386", "Q1010"),
}
MODEL_LINKS = {
    ("AlexNet", "Q28325009", "registry", "Q28325009"),
    ("DeepLoc", "Q2007", "label", "DeepLoc"),
    ("ResNet-50", "Q2001", "label", "ResNet-50"),
    ("BERT", "Q2002", "label", "BERT"),
    ("VGG-16", "Q2004", "alias", "VGG-16"),
    ("ResNet", "Q43744058", "alias", "ResNet"),
    ("Cellpose", "Q2006", "label", "Cellpose"),
}


def our_store(path: Path) -> kg.EmbeddedStore:
    """Our small graph in an on-disk store (written directly: no importer in between)."""
    trig = path.parent / "our-graph.trig"
    trig.write_text(OUR_GRAPH, encoding="utf-8")
    store = kg.EmbeddedStore(path)
    with store.writing() as writer:
        writer.replace_graph("urn:test:corpus", trig, ox.RdfFormat.TRIG)
    store.close()
    return kg.EmbeddedStore(path)
