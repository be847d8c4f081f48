"""Write the CLI reference (docs/cli.md) from the commands' own --help texts.

    python docs/cli_reference.py > docs/cli.md

tests/test_cli_reference.py fails when docs/cli.md differs from what this writes, so the
reference and ``ptmkg --help`` cannot drift apart (as sqlite-utils does with its docs).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

WIDTH = 100


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name in sorted(group.commands):
        command = group.commands[name]
        if getattr(command, "hidden", False):
            continue
        path = (*prefix, name)
        yield path
        if hasattr(command, "commands"):
            yield from _commands(command, path)


def reference() -> str:
    """The whole reference, as Markdown."""
    import typer.main
    import typer.rich_utils

    from kg.cli import app

    settings = {"MAX_WIDTH": WIDTH, "COLOR_SYSTEM": None, "FORCE_TERMINAL": False}
    saved = {name: getattr(typer.rich_utils, name) for name in settings}
    for name, value in settings.items():
        setattr(typer.rich_utils, name, value)
    try:
        return _render(app)
    finally:
        for name, value in saved.items():
            setattr(typer.rich_utils, name, value)


def _render(app: Any) -> str:
    import typer.main
    from typer.testing import CliRunner

    runner = CliRunner()
    root = typer.main.get_command(app)
    parts = [
        "# ptmkg command reference",
        "",
        "Written by `python docs/cli_reference.py > docs/cli.md` from each command's",
        "`--help`; a test fails when the two differ.",
        "",
    ]
    for path in [(), *_commands(root)]:
        done = runner.invoke(app, [*path, "--help"], prog_name="ptmkg", env={"COLUMNS": "100"})
        if done.exit_code != 0:
            raise SystemExit(f"ptmkg {' '.join(path)} --help failed: {done.output}")
        text = "\n".join(line.rstrip() for line in done.stdout.strip("\n").splitlines())
        parts += [f"## ptmkg {' '.join(path)}".rstrip(), "", "```text", text, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.stdout.write(reference())
