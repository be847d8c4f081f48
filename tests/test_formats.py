"""Format registries: names, extensions and sniffing, the same way for every kind."""

from __future__ import annotations

import gzip
import io
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
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("first.xml", "w") as member:
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
