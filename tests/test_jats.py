"""Reading JATS articles: each publisher's flavour, what is kept apart, every kind of input."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from kg.read.jats import Article, ArticleProblem, iter_articles, read_article

ARTICLES = Path(__file__).parent / "data" / "jats"


def article(name: str) -> Article:
    return read_article((ARTICLES / name).read_bytes(), name)


@pytest.mark.parametrize(
    ("name", "flavour", "doi", "journal", "year"),
    [
        ("plos-transfer-learning.xml", "PLOS", "10.1371/journal.pone.ptmkg01", "PLOS ONE", 2021),
        ("elife-structure-tracking.xml", "eLife", "10.7554/elife.ptmkg02", "eLife", 2022),
        (
            "frontiers-plant-negative.xml",
            "Frontiers",
            "10.3389/fpls.2020.ptmkg03",
            "Frontiers in Plant Science",
            2020,
        ),
        ("bmj-clinical-notes.xml", "BMJ", "10.1136/bmjopen-2019-ptmkg04", "BMJ Open", 2020),
        (
            "f1000-back-methods.xml",
            "F1000",
            "10.12688/f1000research.ptmkg05.2",
            "F1000Research",
            2023,
        ),
        ("biorxiv-from-scratch.xml", "bioRxiv", "10.1101/2021.04.01.ptmkg06", "bioRxiv", 2021),
    ],
)
def test_each_flavour_gives_title_doi_journal_year(name, flavour, doi, journal, year) -> None:
    read = article(name)
    assert (read.flavour, read.doi, read.journal, read.year) == (flavour, doi, journal, year)
    assert read.title


def test_plos_sections_with_titles_and_entities() -> None:
    read = article("plos-transfer-learning.xml")
    assert read.title == "Leaf disease classification with a pre-trained convolutional network"
    assert [s.heading for s in read.sections] == [
        "Abstract",
        "Introduction",
        "Materials and methods > Model training",
        "Results",
    ]
    introduction = read.sections[1].paragraphs[0]
    assert "followed [2]" in introduction  # &nbsp; from the JATS DTD, spaces normalised
    training = read.sections[2].paragraphs[0]
    assert "30 epochs\u2013with" in training  # &ndash;


def test_references_figures_and_tables_are_kept_apart() -> None:
    read = article("plos-transfer-learning.xml")
    running = " ".join(p for s in read.sections for p in s.paragraphs)
    assert "VGG16" not in running and "MobileNet" not in running and "Krizhevsky" not in running
    assert read.figures[0].label == "Fig 1"
    assert read.figures[0].text == (
        "Comparison with VGG16. Accuracy of VGG16 and Inception v3 reported by others."
    )
    assert read.tables[0].label == "Table 1" and "MobileNet v2" in read.tables[0].text
    assert len(read.references) == 2 and "AlexNet" in read.references[0]
    assert "Acknowledg" not in " ".join(s.heading for s in read.sections)


def test_elife_reviews_and_digest_are_kept_apart() -> None:
    read = article("elife-structure-tracking.xml")
    running = " ".join(p for s in read.sections for p in s.paragraphs)
    assert "BERT" not in running and "ESMFold" not in running
    assert read.sub_articles == ("Decision letter", "Author response")
    assert read.sections[0].paragraphs == (
        "We link grooming behaviour to the structure of a mechanosensory receptor.",
    )


def test_f1000_methods_after_the_references_are_read() -> None:
    read = article("f1000-back-methods.xml")
    methods = [s for s in read.sections if s.part == "back"]
    assert [s.heading for s in methods] == ["Methods > Image analysis"]
    assert methods[0].paragraphs[0].startswith("Nuclei were segmented with Cellpose")
    assert "StarDist" not in " ".join(p for s in read.sections for p in s.paragraphs)
    assert read.sub_articles == ("Referee response for version 1",)


def test_bmj_structured_abstract_and_untitled_biorxiv_methods() -> None:
    bmj = article("bmj-clinical-notes.xml")
    assert bmj.sections[0].paragraphs == (
        "To detect adverse drug events in discharge letters.",
        "Retrospective study of 12 000 letters.",
    )
    biorxiv = article("biorxiv-from-scratch.xml")
    assert [s.heading for s in biorxiv.sections] == ["Introduction", "Methods", "Results"]


def test_namespaced_elements_are_read() -> None:
    xml = b"""<article xmlns="http://jats.nlm.nih.gov/ns/archiving/1.3/"><front><journal-meta>
    <journal-title-group><journal-title>PLOS ONE</journal-title></journal-title-group>
    </journal-meta><article-meta><article-id pub-id-type="doi">10.1371/x.1</article-id>
    <pub-date><year>2020</year></pub-date></article-meta></front>
    <body><sec><title>Methods</title><p>Text.</p></sec></body></article>"""
    read = read_article(xml)
    assert (read.doi, read.journal, read.year) == ("10.1371/x.1", "PLOS ONE", 2020)
    assert read.sections[0].heading == "Methods"


def test_folders_zips_and_gzip_files(tmp_path: Path) -> None:
    plos = (ARTICLES / "plos-transfer-learning.xml").read_bytes()
    elife = (ARTICLES / "elife-structure-tracking.xml").read_bytes()
    folder = tmp_path / "articles"
    (folder / "nested").mkdir(parents=True)
    (folder / "nested" / "a.xml.gz").write_bytes(gzip.compress(plos))
    (folder / "notes.txt").write_text("not an article")
    with zipfile.ZipFile(folder / "batch.zip", "w") as archive:
        archive.writestr("one/elife.xml", elife)
        archive.writestr("readme.txt", "skipped")
    plain = tmp_path / "b.nxml"
    plain.write_bytes(plos)
    found = list(iter_articles([folder, plain]))
    assert [type(a) for a in found] == [Article] * 3
    assert [a.doi for a in found] == [
        "10.1371/journal.pone.ptmkg01",
        "10.7554/elife.ptmkg02",
        "10.1371/journal.pone.ptmkg01",
    ]
    assert found[1].location == f"{folder / 'batch.zip'}!one/elife.xml"


def test_unreadable_documents_are_problems_and_the_stream_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<article><front>")
    (tmp_path / "other.xml").write_text("<html><body/></html>")
    (tmp_path / "bad.xml.gz").write_bytes(b"\x1f\x8b not gzip")
    (tmp_path / "z.xml").write_bytes((ARTICLES / "bmj-clinical-notes.xml").read_bytes())
    found = list(iter_articles([tmp_path]))
    problems = {Path(p.location).name: p.reason for p in found if isinstance(p, ArticleProblem)}
    assert problems["broken.xml"].startswith("not well-formed XML")
    assert problems["other.xml"] == "not a JATS article (the root element is <html>)"
    assert problems["bad.xml.gz"].startswith("not a readable gzip file")
    assert [a.doi for a in found if isinstance(a, Article)] == ["10.1136/bmjopen-2019-ptmkg04"]
