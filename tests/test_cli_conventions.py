"""The command line as a new user meets it: whole numbers at 80 columns, -h and --version,
help that reads at any width, plain metavars, and a quiet end when a pipe closes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.cli import app

COMMAND = [sys.executable, "-m", "kg.cli"]


def _run(*args: str, columns: int = 80, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "dumb"}
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, env=env, check=False, **kwargs
    )


@pytest.mark.parametrize("columns", [80, 60])
def test_stats_prints_whole_numbers_and_headings_when_not_a_terminal(
    illustrative_store: kg.EmbeddedStore, columns: int
) -> None:
    done = _run("stats", "--store", str(illustrative_store.path), columns=columns)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    # Counted by hand in examples/illustrative-corpus.csv: 18 papers in Biochemistry,
    # Genetics and Molecular Biology, 14 of them use deep learning, 11 reuse PTMs.
    row = next(line for line in done.stdout.splitlines() if "Biochem" in line)
    assert re.findall(r"\d+(?:\.\d+%)?", row) == ["18", "14", "11", "61.1%"]
    headings = "\n".join(done.stdout.splitlines()[:16])
    for word in ("papers", "share", "natural"):
        assert word in headings
    assert all(len(line) <= columns for line in done.stdout.splitlines())


def test_query_table_hides_iris_behind_labels_and_columns_chooses(
    illustrative_store: kg.EmbeddedStore,
) -> None:
    table = kg.rich_table(kg.run_query(illustrative_store, "top-models", {"limit": 3}))
    assert [c.header for c in table.columns] == ["rank", "model_label", "papers", "reuse_instances"]
    chosen = kg.rich_table(
        kg.run_query(illustrative_store, "top-models", {"limit": 3}), columns=["model", "papers"]
    )
    assert [c.header for c in chosen.columns] == ["model", "papers"]
    with pytest.raises(kg.PtmkgError, match=r"no column doi.*its columns are rank, model"):
        kg.rich_table(kg.run_query(illustrative_store, "top-models", {}), columns=["doi"])


def test_short_help_option_and_version(cli) -> None:
    assert cli("-h").exit_code == 0
    for command in ("build", "query", "link", "queries"):
        done = cli(command, "-h")
        assert done.exit_code == 0, (command, done.output)
        assert "Usage:" in done.output
    done = cli("--version")
    assert done.exit_code == 0
    from importlib.metadata import version

    assert done.output.strip() == f"ptmkg {version('ptmkg')}"


def test_shell_completion_is_offered(cli) -> None:
    done = cli("--help")
    assert "--install-completion" in done.output
    assert "--show-completion" in done.output


def _commands(group=None, prefix=()):
    import typer.main

    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, path)
        else:
            yield path


def test_help_texts_flow_at_80_columns_with_plain_metavars() -> None:
    commands = list(_commands())
    assert ("build",) in commands and ("link", "openalex") in commands
    for path in commands:
        done = _run(*path, "--help", columns=80)
        assert done.returncode == 0, (path, done.stderr)
        text = done.stdout
        for python_type in ("<bool>", "<str>", "<path>", "<int", "<float", "list["):
            assert python_type not in text, (path, python_type)
        description = text.split("╭─", 1)[0]
        lines = [line.strip() for line in description.splitlines()]
        # A paragraph that flows never leaves one word alone on a line of its own
        # between two lines of text (hard-wrapped help did: "JSON" / "Lines), ...").
        for before, line, after in zip(lines, lines[1:], lines[2:], strict=False):
            if before and after and line:
                assert len(line.split()) > 1, (path, line)


def test_flags_show_no_type_and_values_show_a_plain_one() -> None:
    done = _run("build", "--help", columns=120)
    memory = next(line for line in done.stdout.splitlines() if "--memory" in line)
    assert re.search(r"--memory\s+Build", memory), memory
    store = next(line for line in done.stdout.splitlines() if "--store" in line)
    assert re.search(r"--store\s+PATH\s", store), store
    sources = next(line for line in done.stdout.splitlines() if "│" in line and "sources" in line)
    assert "PATH..." in sources


def test_a_closed_pipe_ends_quietly(illustrative_store: kg.EmbeddedStore, tmp_path: Path) -> None:
    """`ptmkg dump | head -1`: the reader stops early; no error, no traceback."""
    process = subprocess.Popen(
        [*COMMAND, "dump", "--store", str(illustrative_store.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, stderr
    assert first.startswith(b"<")
    assert stderr == ""


def test_progress_keeps_a_readable_bar_at_80_columns_and_no_unknown_sizes() -> None:
    import io as _io

    from rich.console import Console

    from kg import cli as cli_module

    progress = cli_module._progress("bytes")
    reading = progress.add_task(
        "reading " + "a-long-source-file-name" * 3 + ".csv", total=4_000_000
    )
    progress.update(reading, completed=3_000_000)
    progress.add_task("loading into the store", total=None)
    buffer = _io.StringIO()
    Console(file=buffer, width=80, force_terminal=False, color_system=None).print(
        progress.make_tasks_table(progress.tasks)
    )
    lines = buffer.getvalue().splitlines()
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
    bar = re.search(r"[━╸╺]+", lines[0])
    # Three quarters done: at least 15 of a bar of at least 20 characters are drawn.
    assert bar and len(bar.group()) >= 15, lines[0]
    assert "3.0/4.0 MB" in lines[0]
    assert "?" not in lines[1] and "bytes" not in lines[1]


def test_a_failed_first_strict_build_leaves_no_store_folder(write, tmp_path: Path, cli) -> None:
    sheet = write(
        "sheet.csv",
        "DOI,Title,Year,Fields,Model,Pattern,Stages\n"
        "10.5555/a1,A one,2021,Neuroscience,ResNet-50,adaptation,test\n"
        "not-a-doi,A two,2022,Chemistry,BERT,deployment,analysis\n",
    )
    store = tmp_path / "new" / "store"
    done = cli("build", "--strict", "--store", store, sheet)
    assert done.exit_code == 1
    assert "not changed" in done.output
    assert not (tmp_path / "new").exists()
    # A store that had a graph keeps its folder and its graph after a failed strict build.
    good = write("good.csv", "DOI,Title,Year\n10.5555/a1,A one,2021\n")
    assert cli("build", "--store", store, good).exit_code == 0
    assert cli("build", "--strict", "--store", store, sheet).exit_code == 1
    assert "1" in cli("stats", "--store", store, "--json").stdout
    assert kg.EmbeddedStore(store).named_graphs()


def test_every_output_is_o_and_format_and_unknown_extensions_are_refused(
    illustrative_store: kg.EmbeddedStore, tmp_path: Path, cli
) -> None:
    store = illustrative_store.path
    # The format from the extension, in a folder that did not exist yet.
    done = cli("stats", "--store", store, "-o", tmp_path / "new" / "stats.json")
    assert done.exit_code == 0, done.output
    import json as _json

    assert _json.loads((tmp_path / "new" / "stats.json").read_text())["summary"]["papers"] == 46
    assert cli("stats", "--store", store, "--format", "json").stdout.lstrip().startswith("{")
    # A .txt file holds the tables a terminal shows, in plain text.
    assert cli("stats", "--store", store, "-o", tmp_path / "stats.txt").exit_code == 0
    text = (tmp_path / "stats.txt").read_text()
    assert "papers reusing PTMs" in text and "By reuse pattern" in text and "\x1b" not in text
    for command in (
        ["stats", "-o", tmp_path / "s.parquet"],
        ["dump", "-o", tmp_path / "g.xyz"],
        ["query", "top-models", "-o", tmp_path / "t.parquet"],
        ["sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "-o", tmp_path / "g.csv"],
    ):
        refused = cli(*command[:1], "--store", store, *command[1:])
        assert refused.exit_code == 1, command
        assert "cannot tell the" in refused.output and "give --format" in refused.output
        assert not Path(command[-1]).exists()
    assert cli("dump", "--store", store, "-o", tmp_path / "deep" / "g.ttl").exit_code == 0
    assert (tmp_path / "deep" / "g.ttl").read_text().startswith("@prefix")


def test_synth_writes_with_o_and_still_takes_the_file_as_an_argument(tmp_path: Path, cli) -> None:
    assert cli("synth", "-o", tmp_path / "a.csv", "--papers", "20").exit_code == 0
    assert cli("synth", tmp_path / "b.csv", "--papers", "20").exit_code == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    missing = cli("synth", "--papers", "20")
    assert missing.exit_code == 1 and "give -o FILE" in missing.output


HEAVY_LIBRARIES = (
    "networkx",
    "pyoxigraph",
    "rdflib",
    "pandas",
    "matplotlib",
    "numpy",
    "openpyxl",
    "pyarrow",
    "httpx",
    "yaml",
    "pyshacl",
)


@pytest.mark.parametrize(
    ("arguments", "allowed"),
    [
        (["--help"], set()),
        (["--version"], set()),
        (["stats", "--help"], set()),
        # Help that lists a registry loads that registry, and no more.
        (["build", "--help"], {"pyoxigraph"}),
        (["network", "--help"], {"networkx", "pyoxigraph"}),
    ],
)
def test_starting_the_command_line_loads_no_heavy_library(
    arguments: list[str], allowed: set[str]
) -> None:
    """Start-up and help load typer and rich, not the RDF, network or table libraries."""
    probe = (
        "import sys\n"
        f"sys.argv = ['ptmkg', *{arguments!r}]\n"
        "from kg.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}), file=sys.stderr)\n"
    )
    env = {**os.environ, "COLUMNS": "250", "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=False
    )
    loaded = set(eval(done.stderr.strip().splitlines()[-1]))
    assert loaded & set(HEAVY_LIBRARIES) <= allowed, loaded & set(HEAVY_LIBRARIES)
    shown = " ".join(done.stdout.split())
    if arguments[0] == "build":
        # The list of source formats is filled in when the help is shown.
        assert "this format: csv, csv-semicolon, tsv, xlsx, jsonl" in shown
    if arguments[0] == "network":
        assert "model-field:" in shown and "graphml" in shown


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--retries", "the number of retries cannot be negative"),
        ("--backoff", "the backoff cannot be negative"),
    ],
)
def test_link_settings_are_checked_by_the_library_before_anything_is_asked(
    illustrative_store: kg.EmbeddedStore, cli, option: str, message: str
) -> None:
    done = cli(
        "link",
        "openalex",
        "--store",
        illustrative_store.path,
        "--base-url",
        "http://127.0.0.1:9/",
        option,
        "-1",
    )
    assert done.exit_code == 1
    assert message in done.output and "Traceback" not in done.output


def test_a_refused_parameter_is_one_line_on_stderr(illustrative_store: kg.EmbeddedStore) -> None:
    """The engine's answers behind the refusal are let go in the thread that made them, so
    nothing follows the message (no RuntimeError from a dropped answer at exit)."""
    done = _run(
        "query", "papers-reusing-model", "-p", "model=Nope", "--store", str(illustrative_store.path)
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: parameter model: no model called 'Nope' in the graph "
        "('ptmkg query models' lists them)"
    ]
