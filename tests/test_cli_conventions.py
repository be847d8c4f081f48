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
