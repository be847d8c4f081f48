from __future__ import annotations

import pytest

from kg.rdf.iris import IriMinter, doi_url, name_key
from kg.read.values import InvalidDoi, is_normal_doi, normalize_doi


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1371/journal.pone.0000001", "10.1371/journal.pone.0000001"),
        ("https://doi.org/10.1371/Journal.PONE.0000001", "10.1371/journal.pone.0000001"),
        ("http://dx.doi.org/10.1000/ABC", "10.1000/abc"),
        ("doi:10.1000/xyz", "10.1000/xyz"),
        ("  10.1000/with-spaces-around  ", "10.1000/with-spaces-around"),
        ("https://doi.org/10.1000%2Fencoded", "10.1000/encoded"),
    ],
)
def test_dois_are_normalised(raw: str, expected: str) -> None:
    assert normalize_doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("10.1371/journal.pone.0000001", True),
        ("10.1000/ünïcödé", True),
        ("10.1000/123", True),
        ("10.1371/Journal.PONE.0000001", False),
        ("10.1000/ÜBER", False),
        (" 10.1000/x", False),
        ("10.1000/x\n", False),
        ("doi:10.1000/x", False),
        ("10.1/too-short-registrant", False),
    ],
)
def test_dois_already_normal_are_told_apart(raw: str, normal: bool) -> None:
    assert is_normal_doi(raw) is normal
    if normal:
        assert normalize_doi(raw) == raw


@pytest.mark.parametrize(
    "raw", ["", "   ", "not a doi", "10.1/too-short-registrant", "11.1000/x", "10.1000/has space"]
)
def test_malformed_dois_are_refused(raw: str) -> None:
    with pytest.raises(InvalidDoi):
        normalize_doi(raw)


@pytest.mark.parametrize(
    "doi",
    [
        "10.1002/(sici)1097-4636(199706)35:4<423::aid-jbm3>3.0.co;2-n",
        '10.1000/quote"and>angle#hash?query%percent',
        "10.1000/ünïcödé",
        "10.1000/back\\slash{}|^`",
    ],
)
def test_any_doi_character_is_safe_in_the_iri_and_maps_back(doi: str) -> None:
    minter = IriMinter()
    iri = minter.paper(doi)
    for forbidden in '<>"{}|\\^` ':
        assert forbidden not in iri
    assert "#" not in iri and "?" not in iri
    assert minter.doi_of_paper(iri) == doi
    assert doi_url(doi).startswith("https://doi.org/10.")


def test_the_same_doi_from_two_spellings_gives_one_iri() -> None:
    minter = IriMinter()
    assert minter.paper(normalize_doi("https://doi.org/10.1000/ABC")) == minter.paper(
        normalize_doi("10.1000/abc")
    )


def test_base_iri_is_overridable_and_checked() -> None:
    assert (
        IriMinter("https://example.org/kg/")
        .paper("10.1000/x")
        .startswith("https://example.org/kg/paper/")
    )
    with pytest.raises(ValueError, match="must be an absolute IRI"):
        IriMinter("not-an-iri")


def test_name_keys_ignore_case_spaces_and_hyphens() -> None:
    assert name_key("ResNet-50") == name_key("resnet50") == name_key("ResNet 50") == "resnet50"
    assert name_key("AlphaFold") != name_key("AlphaFold 2")


def test_papers_without_a_doi_get_iris_of_their_own() -> None:
    minter = IriMinter()
    base = minter.base
    assert minter.paper_of(None, None, identifier="JOSS review 1234") == (
        f"{base}paper/id/JOSS%20review%201234"
    )
    draft = minter.paper_of(None, None, file_name="paper.xml", title="Rivers")
    assert draft.startswith(f"{base}paper/file/paper-")
    # The same name and title give the same IRI; drafts of one name but other titles do not.
    assert draft == minter.file_paper("paper.xml", "Rivers")
    assert draft != minter.file_paper("paper.xml", "Lakes")
    # The DOI wins, then the OpenAlex work, then the identifier, then the file.
    assert minter.paper_of("10.1000/x", "W1", identifier="i", file_name="f.xml") == (
        minter.paper("10.1000/x")
    )
    assert minter.paper_of(None, None, identifier="i", file_name="f.xml") == (
        minter.identified_paper("i")
    )
    with pytest.raises(ValueError, match="needs a DOI, an OpenAlex work, an identifier or a file"):
        minter.paper_of(None, None)
    # None of them reads as the IRI of a DOI.
    for iri in (draft, minter.identified_paper("10.1000/x"), minter.openalex_paper("W1")):
        with pytest.raises(ValueError, match="not the IRI of a paper's DOI"):
            minter.doi_of_paper(iri)


def test_a_file_is_known_by_its_name_wherever_it_was_read() -> None:
    from kg.records import PaperRecord, file_name

    for location in (
        "/work/a/drafts/paper.xml",
        "drafts\\paper.xml",
        "drafts.zip!2024/paper.xml",
        "paper.xml",
        " /moved/paper.xml/ ",
    ):
        assert file_name(location) == "paper.xml", location
    one = PaperRecord(doi=None, line=1, file="/a/paper.xml", title="Rivers")
    moved = PaperRecord(doi=None, line=9, file="b.zip!paper.xml", title="Rivers")
    assert one.key == moved.key == "file:paper.xml\x1fRivers"
    assert PaperRecord(doi=None, line=1, identifier="x", file="/a/paper.xml").key == "id:x"
