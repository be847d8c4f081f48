"""A small graph whose answers were counted by hand, for the canned-query tests.

Two sources. Source A (``study-a.csv``)::

    paper  year  fields (topic slots)                      DL  PTMs  model (as written)       pattern(s)                stages
    p1     2020  Neuroscience; Neuroscience; Computer Sci.  T   T     ResNet-50                Adaptation                Test; Analysis
    p1                                                            BERT                     Adaptation; Deployment    Test
    p2     2020  Neuroscience                              T   T     resnet50 (= ResNet-50)   Conceptual                Hypothesis
    p3     2021  Chemistry; Neuroscience                   T   T     AF2 (= AlphaFold 2)      Adaptation                Test
    p3                                                            ResNet-50                Adaptation                Observation
    p4     2021  Chemistry                                 T   T     (none: a data-quality case)
    p5     2022  Chemistry                                 T   F
    p6     2022  Physics and Astronomy                     F   F
    p7     2022  Chemistry                                 T   T     DeepLabCut (ResNet-50)   Deployment                Analysis

Two reuse instances ran through a tool (the ``tool`` column): p3's AlphaFold 2 through
ColabFold (a registry model), p7's DeepLabCut through napari-deeplabcut (unknown to it).

Source B (``study-b.csv``) asserts p1's ResNet-50 adaptation a second time (so
it is two ReuseInstance nodes but one reuse instance) and adds::

    p8     2021  Computer Science                          T   T     AlphaFold                Conceptual                Background

The distinct reuse instances (paper, model, pattern) are therefore eight:
(p1 ResNet-50 adaptation), (p1 BERT adaptation), (p1 BERT deployment),
(p2 ResNet-50 conceptual), (p3 AlphaFold 2 adaptation), (p3 ResNet-50
adaptation), (p7 DeepLabCut deployment), (p8 AlphaFold conceptual).
The expected answers in the tests are counted from these tables by hand.
"""

from __future__ import annotations

from pathlib import Path

import kg

HEADER = "doi,title,year,journal,fields,uses_dl,uses_ptms,model,pattern,stages,evidence,tool\n"

P1 = "10.1000/p1,Paper one,2020,J,Neuroscience; Neuroscience; Computer Science,True,True"
P3 = "10.1000/p3,Paper three,2021,J,Chemistry; Neuroscience,True,True"

STUDY_A = (
    HEADER
    + "\n".join(
        [
            f"{P1},ResNet-50,Adaptation,Test; Analysis,fine-tuned ResNet-50",
            f"{P1},BERT,Adaptation; Deployment,Test,fine-tuned and served BERT",
            "10.1000/p2,Paper two,2020,J,Neuroscience,True,True,resnet50,Conceptual,Hypothesis,",
            f"{P3},AF2,Adaptation,Test,,ColabFold",
            f"{P3},ResNet-50,Adaptation,Observation,",
            "10.1000/p4,Paper four,2021,J,Chemistry,True,True,,,,",
            "10.1000/p5,Paper five,2022,J,Chemistry,True,False,,,,",
            "10.1000/p6,Paper six,2022,J,Physics and Astronomy,False,False,,,,",
            "10.1000/p7,Paper seven,2022,J,Chemistry,True,True,DeepLabCut (ResNet-50),Deployment,"
            "Analysis,,napari-deeplabcut",
        ]
    )
    + "\n"
)

STUDY_B = (
    HEADER
    + "\n".join(
        [
            "10.1000/p1,Paper one,2020,J,Neuroscience,True,True,ResNet-50,Adaptation,Test,",
            "10.1000/p8,Paper eight,2021,J,Computer Science,True,True,AlphaFold,Conceptual,"
            "Background,",
        ]
    )
    + "\n"
)

BASE = kg.DEFAULT_BASE_IRI
FIELD = "https://w3id.org/ptmkg/field/"
PATTERN = "https://w3id.org/ptmkg/pattern/"
STAGE = "https://w3id.org/ptmkg/stage/"


def paper(number: int) -> str:
    return f"{BASE}paper/10.1000/p{number}"


def model(key: str) -> str:
    return f"{BASE}model/{key}"


def build_hand_counted(folder: Path) -> kg.EmbeddedStore:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study-a.csv").write_text(STUDY_A, encoding="utf-8")
    (folder / "study-b.csv").write_text(STUDY_B, encoding="utf-8")
    store = kg.EmbeddedStore(folder / "store")
    report = kg.build(
        store,
        [folder / "study-a.csv", folder / "study-b.csv"],
        rejects_dir=folder / "rejects",
        strict=True,
    )
    assert report.rejected == 0
    store.close()
    return kg.EmbeddedStore(folder / "store")
