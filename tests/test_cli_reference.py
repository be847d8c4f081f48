"""docs/cli.md is the commands' own --help: regenerate it when a help text changes."""

from __future__ import annotations

import importlib.util

from conftest import REPO


def test_cli_reference_is_current() -> None:
    spec = importlib.util.spec_from_file_location(
        "cli_reference", REPO / "docs" / "cli_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    generated = module.reference()
    assert written == generated, (
        "docs/cli.md is out of date: run  python docs/cli_reference.py > docs/cli.md"
    )
    # Every command is in it, with its options.
    for heading in ("## ptmkg build", "## ptmkg sources drop", "## ptmkg link openalex"):
        assert heading in written
    assert "--strict" in written
