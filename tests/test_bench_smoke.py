"""The benchmark harness runs end to end at a small size (no timing is checked), so it cannot rot."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_benchmark_harness_writes_every_figure(tmp_path: Path) -> None:
    out, raw = tmp_path / "RESULTS.md", tmp_path / "raw"
    arguments = ["--papers", "400", "--repeat", "1", "--rdflib-cap", "20"]
    assert _bench().main([*arguments, "--out", str(out), "--raw", str(raw)]) == 0
    text = out.read_text()
    for heading in (
        "## Build",
        "## Memory",
        "## Canned queries",
        "### What the engine's steps cost",
        "### Build, then answer every canned query once",
        "## Network exports",
        "## Rebuild in place and validate",
        "## Against pandas and DuckDB, for the study's tables",
        "## Targets",
    ):
        assert heading in text
    assert "filled, then every canned query" in text
    result = json.loads((raw / "run-400.json").read_text())["result"]
    assert result["quads"] > 400 * 5
    assert result["bulk_load"]["quads"] == result["quads"]
    assert result["rebuild"]["seconds"] > 0 and result["validate"]["seconds"] > 0
    assert "rebuild in place within 1.5x a fresh build" in text
    comparison = result["comparison"]
    assert set(comparison["tables"]) == {
        "papers-by-field",
        "reuse-by-pattern",
        "reuse-by-stage",
        "top-models",
    }
    # The three ways answer the same question: as many fields, patterns and stages.
    for table in ("papers-by-field", "reuse-by-pattern", "reuse-by-stage"):
        rows = comparison["tables"][table]["rows"]
        assert rows["pandas"] == rows["duckdb"] > 0, (table, rows)
    assert set(result["networks"]) == {"model-field", "model-model", "field-field", "paper-model"}
    assert "top-models" in result["queries"] and "top-models" in result["rdflib"]["queries"]
    # A query with a prepared form is timed from it (fresh after the build) and live.
    top = result["queries"]["top-models"]
    assert top["prepared"] and top["live_median"] > 0 and top["rows"] > 0
    assert not result["queries"]["reuse-via-tool"]["prepared"]  # no prepared form
    assert result["queries"]["reuse-via-tool"]["median"] > 0
    assert result["rdflib"]["triples"] > 0
    assert all(step["median"] > 0 for step in result["engine_steps"].values())
    # The figures can be rendered again from the raw files alone.
    out.unlink()
    assert _bench().main(["--render", "--out", str(out), "--raw", str(raw)]) == 0
    assert "| 400 |" in out.read_text()


@pytest.mark.slow
def test_startup_benchmark_reports_the_ratio_to_importing_typer_and_rich(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_startup", REPO / "bench" / "startup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "startup.md"
    assert module.main(["--repeat", "1", "--out", str(out)]) == 0
    text = out.read_text()
    assert "(baseline) |" in text and "| `ptmkg --help` |" in text
    assert re.search(r"Target: `ptmkg --help` within 3x .*: (met|NOT met) \(\d+\.\d+x\)", text)
