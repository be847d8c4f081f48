"""Shared fixtures: real on-disk Oxigraph stores built from small files written by the tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from tests.durations import DURATIONS, SlowTests
from tests.link_servers import oxigraph_endpoint
from tests.wikidata_fixture import MAIN, SCHOLARLY

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHARED_DATA = REPO.parent / "shared" / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store-durations",
        action="store_true",
        help="record each test's duration in tests/durations.json (a second or more: slow)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(
        SlowTests(DURATIONS, store=config.getoption("--store-durations")), "ptmkg-slow-tests"
    )


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's default store or reads their alias files."""
    monkeypatch.setenv("PTMKG_STORE", str(tmp_path / "default-store"))
    monkeypatch.setenv("PTMKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PTMKG_ALIASES", raising=False)
    monkeypatch.delenv("PTMKG_BASE_IRI", raising=False)
    for name in (
        "PTMKG_ENDPOINT",
        "PTMKG_ENDPOINT_USER",
        "PTMKG_ENDPOINT_PASSWORD",
        "PTMKG_ENDPOINT_TOKEN",
        "PTMKG_ENDPOINT_AUTH",
        "PTMKG_ENDPOINT_TIMEOUT",
        "PTMKG_ENDPOINT_RETRIES",
        "PTMKG_ENDPOINT_BACKOFF",
    ):
        monkeypatch.delenv(name, raising=False)
    # Endpoint settings are read from the test's own (absent) file, never the user's.
    monkeypatch.setenv("PTMKG_ENDPOINT_CONFIG", str(tmp_path / "no-endpoints.toml"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file under the test's folder and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "input" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def big_sheet(write: Callable[[str, str | bytes], Path]) -> Callable[[int], Path]:
    """Write ``big.csv``, a sheet of ``rows`` reuse rows (10.8000/big.N): big enough that
    a build of it takes seconds, for the tests that interrupt one."""

    def _big_sheet(rows: int) -> Path:
        lines = [
            f"10.8000/big.{i},Paper {i},{2000 + i % 25},Chemistry,"
            f"{('BERT', 'U-Net', 'AlexNet')[i % 3]},Adaptation,Test,Evidence {i}\n"
            for i in range(rows)
        ]
        header = "doi,title,year,fields,model,pattern,stages,evidence\n"
        return write("big.csv", header + "".join(lines))

    return _big_sheet


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def build_store(store_path: Path, tmp_path: Path) -> Callable[..., kg.EmbeddedStore]:
    """Build the given sources into a fresh on-disk store and return it opened for reading."""

    def _build(*sources: Path, **options: object) -> kg.EmbeddedStore:
        store = kg.EmbeddedStore(store_path)
        options.setdefault("rejects_dir", tmp_path / "rejects")
        kg.build(store, list(sources), **options)
        store.close()
        return kg.EmbeddedStore(store_path)

    return _build


@pytest.fixture(scope="session")
def illustrative_store(tmp_path_factory: pytest.TempPathFactory) -> kg.EmbeddedStore:
    """The shipped illustrative corpus and sheet, built once per test session."""
    path = tmp_path_factory.mktemp("illustrative") / "store"
    store = kg.EmbeddedStore(path)
    kg.build(
        store,
        [EXAMPLES / "illustrative-corpus.csv", EXAMPLES / "illustrative-sheet.csv"],
        rejects_dir=path.parent / "rejects",
    )
    store.close()
    return kg.EmbeddedStore(path)


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(scholarly query URL, main query URL) of two Oxigraph servers holding the fixture
    Wikidata (tests/wikidata_fixture.py), for the module."""
    folder = tmp_path_factory.mktemp("wikidata")
    with (
        oxigraph_endpoint(folder / "scholarly", SCHOLARLY) as scholarly,
        oxigraph_endpoint(folder / "main", MAIN) as main,
    ):
        yield scholarly, main


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | os.PathLike[str], input: str | None = None):
        return self.runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture
def cli() -> Cli:
    """Run ptmkg commands in-process; results have .exit_code, .stdout, .stderr, .output."""
    return Cli()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 3 MB file system, so that a build runs out of space (needs root and tmpfs)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield mount_point
    import gc

    gc.collect()  # close stores the in-process commands left open on it
    if subprocess.run(["umount", str(mount_point)], check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def evaluation_figures(stdout: str) -> dict[str, tuple[str, ...]]:
    """The rows of ``ptmkg extract --evaluate``'s figures table: measure -> its cells
    (true and false positives, false negatives, true negatives, precision, recall, F1)."""
    figures = {}
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│┃").split("│")]
        if cells and cells[0] in ("reuses PTMs", "models", "patterns"):
            figures[cells[0]] = tuple(cells[1:])
    return figures


def evaluation_text(stdout: str, figures: str) -> str:
    """Check the figures of ``ptmkg extract --evaluate``, given as "reuses / models /
    patterns", each measure's cells space-separated (models and patterns have no true-
    negative cell), and give its text with white space folded, for the disagreements."""
    reuses, models, patterns = figures.split(" / ")
    assert evaluation_figures(stdout) == {
        "reuses PTMs": tuple(reuses.split()),
        "models": (*models.split()[:3], "", *models.split()[3:]),
        "patterns": (*patterns.split()[:3], "", *patterns.split()[3:]),
    }
    return " ".join(stdout.split())


def make_file(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


#: Files no importer can use: (id, file name, its bytes, what the message says).
_UNUSABLE_FILES = [
    ("empty", "empty.csv", b"", "the file is empty"),
    ("binary", "image.png", b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
    ("unsupported", "notes.txt", b"just some words\n", "unsupported format"),
    ("xls", "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
    ("fake-xlsx", "fake.xlsx", b"DOI,Uses DL\n", "not an XLSX workbook"),
    ("json-array", "array.json", b'[{"doi": "10.1/x"}]', "JSON array"),
    ("no-doi", "other.csv", b"name,age\nx,1\n", "no 'DOI' column"),
    ("half-sheet", "half.csv", b"DOI,PTM Reuse Pairings\n", "lacks the column(s)"),
    ("duplicate-column", "dup.csv", b"doi,title,Title\n", "repeats the column"),
]
#: Sources no build can read, each made in a folder by its function, with what the one
#: error line about it says (the library's exception and the CLI's message alike).
UNUSABLE_SOURCES = [
    pytest.param(lambda d: d / "missing.csv", "no such file", id="missing"),
    pytest.param(lambda d: d, "is a folder with no file in a format it reads", id="directory"),
    *(
        pytest.param(
            lambda d, name=name, content=content: make_file(d / name, content), message, id=key
        )
        for key, name, content, message in _UNUSABLE_FILES
    ),
]
