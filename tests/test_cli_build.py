"""The build, stats, validate and dump commands, driven as a user drives them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from conftest import UNUSABLE_SOURCES

import kg

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHEET = "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n"


@pytest.mark.parametrize("command", ["build", "stats", "validate", "dump"])
def test_every_command_explains_itself_with_an_example(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"ptmkg {command}" in result.stdout


def test_build_reports_read_accepted_rejected_and_where_the_rejects_went(cli, write, tmp_path):
    path = write(
        "sheet.csv",
        SHEET + '10.5000/a,True,True,"[BERT, Adaptation]"\n10.5000/b,True,Yes please,""\n',
    )
    result = cli("build", path, "--store", tmp_path / "s")
    assert result.exit_code == 0
    assert "2 read = 1 accepted + 1 rejected" in result.stdout
    assert "sheet.csv, line 3: Uses PTMs is 'Yes please', expected True or False" in result.stderr
    assert "ptmkg-rejects/sheet.csv.rejects.csv" in result.stderr
    assert (tmp_path / "ptmkg-rejects" / "sheet.csv.rejects.csv").exists()


@pytest.mark.parametrize(("make", "message"), UNUSABLE_SOURCES)
def test_unusable_sources_give_one_line_and_no_traceback(cli, tmp_path, make, message):
    folder = tmp_path / "sources"
    folder.mkdir()
    bad = make(folder)
    result = cli("build", bad, "--store", tmp_path / "s")
    assert result.exit_code == 1
    assert message in result.stderr and bad.name in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.output
    assert not (tmp_path / "s" / "current").exists()


def test_strict_exits_non_zero_and_changes_nothing(cli, write, tmp_path):
    good = write("good.csv", SHEET + '10.5000/a,True,True,"[BERT, Adaptation]"\n')
    assert cli("build", good, "--store", tmp_path / "s").exit_code == 0
    bad = write("bad.csv", SHEET + '10.5000/c,True,True,"[GPT-2, Adaptation]"\nxyz,True,True,\n')
    result = cli("build", "--strict", bad, "--store", tmp_path / "s")
    assert result.exit_code == 1
    assert "--strict: 1 record(s) rejected, the store was not changed" in result.stderr
    assert kg.stats(kg.EmbeddedStore(tmp_path / "s")).summary["papers"] == 1


def test_store_location_comes_from_the_environment(cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("PTMKG_STORE", str(tmp_path / "env-store"))
    path = write("g.csv", "doi,model,pattern\n10.5000/a,BERT,Adaptation\n")
    assert cli("build", path).exit_code == 0
    assert (tmp_path / "env-store" / "current").is_symlink()
    result = cli("stats", "--json")
    assert json.loads(result.stdout)["summary"]["papers"] == 1


def test_stats_prints_the_illustrative_figures(cli, tmp_path):
    cli(
        "build",
        EXAMPLES / "illustrative-corpus.csv",
        EXAMPLES / "illustrative-sheet.csv",
        "--store",
        tmp_path / "s",
    )
    result = cli("stats", "--store", tmp_path / "s", "--json")
    figures = json.loads(result.stdout)
    # The corpus CSV has 40 papers and the sheet 6 more.
    assert figures["summary"]["papers"] == 46
    table = cli("stats", "--store", tmp_path / "s")
    assert table.exit_code == 0
    assert "papers reusing PTMs" in table.stdout and "Adaptation" in table.stdout


def test_stats_on_a_missing_store_is_a_clear_error(cli, tmp_path):
    result = cli("stats", "--store", tmp_path / "none")
    assert result.exit_code == 1
    assert "run 'ptmkg build SOURCE...' first" in result.stderr


def test_validate_passes_on_a_built_graph(cli, tmp_path):
    cli("build", EXAMPLES / "illustrative-sheet.csv", "--store", tmp_path / "s")
    result = cli("validate", "--store", tmp_path / "s")
    assert result.exit_code == 0
    assert "conform to the shapes" in result.stdout


def test_validate_fails_with_a_readable_report_on_a_broken_graph(cli, tmp_path):
    cli("build", EXAMPLES / "illustrative-sheet.csv", "--store", tmp_path / "s")
    store = kg.EmbeddedStore(tmp_path / "s")
    with store.writing() as writer:
        writer.update("""
            PREFIX bibo: <http://purl.org/ontology/bibo/>
            PREFIX ptm: <https://w3id.org/ptmkg/ontology#>
            INSERT DATA { GRAPH <urn:broken> {
              <https://w3id.org/ptmkg/id/paper/10.5555/ptmkg.illustrative.101> bibo:doi "DOI?" .
              <urn:orphan-reuse> a ptm:ReuseInstance .
            } }""")
    result = cli("validate", "--store", tmp_path / "s")
    assert result.exit_code == 1
    assert "SHACL violation" in result.stdout
    assert "A paper has at most one DOI" in result.stdout
    assert "A reuse instance belongs to exactly one paper" in result.stdout
    assert "urn:orphan-reuse" in result.stdout
    report = kg.validate(kg.EmbeddedStore(tmp_path / "s"))
    assert not report.conforms
    assert {v.focus for v in report.violations} >= {
        "https://w3id.org/ptmkg/id/paper/10.5555/ptmkg.illustrative.101",
        "urn:orphan-reuse",
    }


def test_build_memory_with_validation(cli, tmp_path):
    result = cli("build", "--memory", "--validate", EXAMPLES / "illustrative-corpus.csv")
    assert result.exit_code == 0
    assert "Built 1 source(s) into memory" in result.stdout
    assert "conform to the shapes" in result.stdout


def test_a_memory_build_writes_nothing_into_the_working_folder(cli, write, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    clean = write("clean.csv", SHEET + '10.5000/a,True,True,"[BERT, Adaptation]"\n')
    assert cli("build", "--memory", clean).exit_code == 0
    assert list(work.iterdir()) == [] and list(scratch.iterdir()) == []
    draft = write("draft.csv", SHEET + "10.5000/a,True,True,\n10.5000/b,True,Yes please,\n")
    result = cli("build", "--memory", draft)
    assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == []
    (made,) = scratch.iterdir()
    assert made.name.startswith("ptmkg-rejects-")
    rejects = made / "draft.csv.rejects.csv"
    assert "Yes please" in rejects.read_text()
    assert f"rejected rows are in {rejects}" in " ".join(result.stderr.split())
    # --strict names the folder it wrote the rejects to; --rejects puts them where told.
    strict = cli("build", "--memory", "--strict", draft)
    assert strict.exit_code == 1
    assert "the store was not changed; see the rejects files in " + str(scratch) in (
        " ".join(strict.stderr.split())
    )
    assert cli("build", "--memory", "--rejects", tmp_path / "mine", draft).exit_code == 0
    assert (tmp_path / "mine" / "draft.csv.rejects.csv").exists()
    assert list(work.iterdir()) == []


@pytest.mark.parametrize(
    ("fmt", "rdflib_format", "quads"),
    [
        ("turtle", "turtle", False),
        ("ntriples", "nt", False),
        ("nquads", "nquads", True),
        ("trig", "trig", True),
        ("jsonld", "json-ld", True),
        ("rdfxml", "xml", False),
    ],
)
def test_dump_formats_parse_back(cli, tmp_path, fmt, rdflib_format, quads):
    cli("build", EXAMPLES / "illustrative-sheet.csv", "--store", tmp_path / "s")
    reference = rdflib.Graph()
    reference.parse(
        data=cli("dump", "--store", tmp_path / "s", "--format", "ntriples").stdout, format="nt"
    )
    output = tmp_path / f"graph.{fmt}"
    result = cli("dump", "--store", tmp_path / "s", "--format", fmt, "-o", output)
    assert result.exit_code == 0, result.output
    if quads:
        dataset = rdflib.Dataset()
        dataset.parse(output, format=rdflib_format)
        union = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
        graphs = {str(g) for _, _, _, g in dataset.quads((None, None, None, None))}
        assert "https://w3id.org/ptmkg/id/source/illustrative-sheet.csv" in graphs
    else:
        union = set(rdflib.Graph().parse(output, format=rdflib_format))
    assert union == set(reference)


def test_dump_picks_the_format_from_the_file_name(cli, tmp_path):
    cli("build", EXAMPLES / "illustrative-sheet.csv", "--store", tmp_path / "s")
    assert cli("dump", "--store", tmp_path / "s", "-o", tmp_path / "g.ttl").exit_code == 0
    assert len(rdflib.Graph().parse(tmp_path / "g.ttl", format="turtle")) > 500
    bad = cli("dump", "--store", tmp_path / "s", "--format", "yaml")
    assert bad.exit_code == 1 and "unknown RDF format 'yaml'" in bad.stderr


def _installed_ptmkg() -> Path | None:
    script = Path(sys.executable).parent / "ptmkg"
    return script if script.exists() else (Path(p) if (p := shutil.which("ptmkg")) else None)


def test_the_installed_command_works_from_anywhere(tmp_path):
    """After a plain `pip install .` the ontology, shapes and queries travel with the package."""
    script = _installed_ptmkg()
    if script is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the ptmkg command is not installed")
        pytest.skip("ptmkg is not installed in this environment (pip install . first)")
    env = {**os.environ, "PTMKG_STORE": str(tmp_path / "s"), "PYTHONPATH": ""}
    run = subprocess.run(
        [str(script), "build", str(EXAMPLES / "illustrative-sheet.csv"), "--validate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "6 read = 6 accepted + 0 rejected" in run.stdout
    assert "conform to the shapes" in run.stdout
    stats = subprocess.run(
        [str(script), "stats", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(stats.stdout)["summary"]["ptm_papers"] == 4


@pytest.mark.slow
def test_an_editable_install_runs_from_the_checkout(tmp_path):
    """`pip install -e .`: the command, the ontology, the shapes and the queries come from
    the checkout itself. Made offline: a new environment sees this one's dependencies
    (and its build backend) through a .pth file, and pip installs only ptmkg."""
    import sysconfig
    import venv

    environment = tmp_path / "env"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "zz-test-dependencies.pth").write_text("\n".join(sorted(here)) + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-build-isolation", "--no-index", "-e", str(REPO)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PYTHONPATH": ""}
    where = subprocess.run(
        [str(python), "-c", "import kg; print(kg.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert Path(where.stdout.strip()) == REPO / "kg" / "__init__.py"
    script = environment / "bin" / "ptmkg"
    store = tmp_path / "store"

    def ptmkg(*args: str) -> str:
        run = subprocess.run(
            [str(script), *args], capture_output=True, text=True, check=False, cwd=tmp_path,
            env=env,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        return run.stdout

    built = ptmkg(
        "build", str(EXAMPLES / "illustrative-sheet.csv"), "--store", str(store), "--validate"
    )
    assert "6 read = 6 accepted + 0 rejected" in built and "conform to the shapes" in built
    top = json.loads(ptmkg("query", "top-models", "--store", str(store), "--format", "json"))
    labels = {row["model_label"]["value"] for row in top["results"]["bindings"]}
    assert "DeepLabCut" in labels  # reused twice by one paper of the sheet: rank 1


def test_build_takes_folders_recursively_and_glob_patterns(cli, write, tmp_path):
    data = tmp_path / "input" / "data"
    write("data/2023/sheet.csv", SHEET + '10.5000/a,True,True,"[BERT, Adaptation]"\n')
    write("data/2024/sheet.csv", SHEET + '10.5000/b,True,True,"[GPT-2, Deployment]"\n')
    write(
        "data/2024/deep/more.jsonl", '{"doi": "10.5000/c", "uses_dl": true, "uses_ptms": false}\n'
    )
    write("data/notes.txt", "the sheets of two years\n")  # no format a build reads: left out
    write("data/.hidden/sheet.csv", SHEET + "10.5000/h,True,False,\n")
    write("data/ptmkg-rejects/sheet.csv.rejects.csv", "_line,_reason," + SHEET)
    store = tmp_path / "store"
    result = cli("build", data, "--store", store)
    assert result.exit_code == 0, result.output
    assert "Built 3 source(s)" in result.stdout
    names = sorted(s.name for s in kg.query.sources.list_sources(kg.EmbeddedStore(store)))
    assert names == ["2023/sheet.csv", "2024/sheet.csv", "model-registry", "more.jsonl"]
    assert kg.stats(kg.EmbeddedStore(store)).summary["papers"] == 3
    # A pattern the shell did not expand is expanded here, ** at any depth.
    other = tmp_path / "other"
    globbed = cli("build", str(data / "**" / "*.csv"), "--store", other)
    assert globbed.exit_code == 0, globbed.output
    assert "Built 2 source(s)" in globbed.stdout
    # --format keeps a folder's files of that format only.
    only = cli("build", data, "--format", "jsonl", "--store", tmp_path / "only")
    assert "Built 1 source(s)" in only.stdout, only.output
    nothing = cli("build", str(data / "*.xlsx"), "--store", other)
    assert nothing.exit_code == 1
    assert "*.xlsx: no file matches this pattern" in nothing.stderr
