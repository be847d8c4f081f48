"""Format registries: names, extensions and sniffing, the same way for every kind."""

from __future__ import annotations

import gzip
import tracemalloc
import zipfile
from pathlib import Path

import pytest

import kg
from kg.importers import detect

REPO = Path(__file__).resolve().parent.parent
JATS = REPO.parent / "shared" / "data" / "jats-dev" / "articles"
OPENALEX_WORK = REPO.parent / "shared" / "data" / "openalex" / "W2741809807.json"

#: What sniffing one file may hold in memory at its peak: a few times what it reads.
SNIFF_MEMORY = 4 * 1024 * 1024


def _gzip_bomb(path: Path, head: bytes, unpacked: int) -> Path:
    """A gzip file that unpacks to ``unpacked`` bytes (blanks after ``head``), written in
    pieces so the test itself never holds it."""
    block = b" " * (1 << 20)
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(head)
        for _ in range(unpacked // len(block)):
            out.write(block)
    return path


def _peak_while(call) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


JATS_HEAD = (
    b'<?xml version="1.0"?><!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal '
    b'Publishing DTD v1.2 20190208//EN" "JATS-journalpublishing1.dtd">'
    b'<article article-type="research-article"><front><article-meta/></front><body><p>'
)


def test_sniffing_a_gzip_bomb_unpacks_only_its_first_kilobytes(tmp_path):
    bomb = _gzip_bomb(tmp_path / "bomb.xml.gz", JATS_HEAD, 256 * 1024 * 1024)
    name, peak = _peak_while(lambda: detect(bomb))
    assert name == "jats"
    assert peak < SNIFF_MEMORY, f"sniffing held {peak:,} bytes"


def test_sniffing_a_zip_whose_first_member_is_a_bomb_unpacks_only_its_start(tmp_path):
    path = tmp_path / "articles.zip"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("first.xml", "w") as member,
    ):
        member.write(JATS_HEAD)
        for _ in range(256):
            member.write(b" " * (1 << 20))
    name, peak = _peak_while(lambda: detect(path))
    assert name == "jats"
    assert peak < SNIFF_MEMORY, f"sniffing held {peak:,} bytes"


def test_sniffing_a_gzipped_jats_member_inside_a_zip(tmp_path):
    article = sorted(JATS.glob("*.xml"))[0].read_bytes()
    path = tmp_path / "articles.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", b"not an article")
        archive.writestr("a/first.xml.gz", gzip.compress(article))
    assert detect(path) == "jats"


def test_a_gzip_openalex_file_is_sniffed_from_its_unpacked_start(tmp_path):
    path = tmp_path / "works.jsonl.gz"
    work = OPENALEX_WORK.read_bytes().replace(b"\n", b"")
    path.write_bytes(gzip.compress(work + b"\n"))
    assert detect(path) == "openalex"


def test_a_damaged_gzip_file_is_a_clear_message_not_a_traceback(tmp_path, cli):
    packed = gzip.compress(b'{"id": "https://openalex.org/W1"}\n' * 1000)
    path = tmp_path / "works.jsonl.gz"
    path.write_bytes(packed[:12] + b"\x00" * 64 + packed[76:])
    result = cli("build", path, "--store", tmp_path / "store")
    assert result.exit_code != 0
    assert "Traceback" not in result.output + result.stderr
    assert "works.jsonl.gz: not a readable gzip file" in result.stderr


def test_a_gzip_file_of_neither_works_nor_articles_says_so(tmp_path):
    path = tmp_path / "notes.txt.gz"
    path.write_bytes(gzip.compress(b"just some words\n"))
    with pytest.raises(kg.SourceError, match="a gzip file that does not hold OpenAlex works"):
        detect(path)


# ------------------------------------------------------------ one registry pattern


def test_every_kind_of_format_is_one_registry_of_the_same_records():
    from kg.formats import Format, Registry
    from kg.importers import IMPORTERS
    from kg.query.results import RESULT_FORMATS
    from kg.rdf.formats import RDF_OUTPUT_FORMATS
    from kg.synth import SYNTH_FORMATS

    for registry in (IMPORTERS, RESULT_FORMATS, RDF_OUTPUT_FORMATS, SYNTH_FORMATS):
        assert isinstance(registry, Registry)
        for name, fmt in registry.items():
            assert isinstance(fmt, Format) and fmt.name == name
            assert fmt.load() is not None, f"{registry.kind} {name} has no implementation"


def test_a_format_is_found_by_name_alias_or_extension_the_same_way_in_every_registry():
    from kg.query.results import RESULT_FORMATS
    from kg.rdf.formats import RDF_OUTPUT_FORMATS, choose_rdf_format
    from kg.synth import SYNTH_FORMATS

    assert RDF_OUTPUT_FORMATS["TTL"].name == "turtle"
    assert RDF_OUTPUT_FORMATS.choose(None, "graph.trig").name == "trig"
    assert choose_rdf_format(None, "graph.txt").name == "nquads"  # dump's default
    assert RESULT_FORMATS["markdown"].name == "md"
    assert RESULT_FORMATS.choose(None, "answers.srj").name == "json"
    assert SYNTH_FORMATS.choose(None, "corpus.sqlite3").name == "aius"
    with pytest.raises(kg.PtmkgError, match="unknown RDF format 'yaml': choose one of turtle"):
        RDF_OUTPUT_FORMATS["yaml"]
    with pytest.raises(kg.PtmkgError, match=r"cannot tell the synthetic format from 'c\.txt'"):
        SYNTH_FORMATS.choose(None, "c.txt")


def test_adding_a_format_is_one_entry_and_its_code_is_imported_only_when_used(tmp_path):
    from kg.formats import Format, Registry

    registry = Registry(
        "greeting",
        (
            Format("upper", (".up",), "string:ascii_uppercase", sniff=lambda s: s.head.isupper()),
            Format("lower", (".low",), "string:ascii_lowercase", sniff=lambda s: s.head.islower()),
        ),
        sniff_order=("lower",),
    )
    path = tmp_path / "note.txt"
    path.write_bytes(b"HELLO")
    assert registry.detect(path).name == "upper"
    assert registry.for_path("x.low").load() == "abcdefghijklmnopqrstuvwxyz"
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(Format("UPPER"))


def test_importing_kg_and_sniffing_loads_no_reader():
    import subprocess
    import sys

    script = (
        "import sys, pathlib, kg\n"
        "from kg.importers import detect\n"
        f"assert detect(pathlib.Path({str(REPO / 'examples' / 'illustrative-corpus.csv')!r}))"
        " == 'csv'\n"
        "heavy = ('openpyxl', 'pyarrow', 'matplotlib', 'yaml', 'kg.importers.tabular',"
        " 'kg.importers.jats', 'kg.extract')\n"
        "print([name for name in heavy if name in sys.modules])\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_a_damaged_zip_archive_is_a_clear_message(tmp_path):
    path = tmp_path / "articles.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("first.xml", JATS_HEAD)
    path.write_bytes(path.read_bytes()[:40])  # the central directory is gone
    with pytest.raises(kg.SourceError, match=r"articles\.zip: not a readable zip archive"):
        detect(path)
