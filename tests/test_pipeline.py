"""One build pipeline for every store: the same graph, rejects, strictness and progress
whether the store loads while sources are read (on disk) or after (in memory)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.pipeline import LOADING

SHEET = "DOI,Uses DL,Uses PTMs,PTM Reuse Pairings\n"
GOOD = '10.5555/a,True,True,"[BERT, Adaptation]"\n'
BAD = 'not-a-doi,True,True,"[BERT, Adaptation]"\n'


def _stores(tmp_path: Path) -> dict[str, kg.EmbeddedStore]:
    return {"on disk": kg.EmbeddedStore(tmp_path / "store"), "in memory": kg.EmbeddedStore(None)}


@pytest.mark.parametrize("where", ["on disk", "in memory"])
def test_strict_refuses_and_leaves_the_graph_as_it_was(tmp_path, write, where):
    store = _stores(tmp_path)[where]
    kg.build(store, [write("first.csv", SHEET + GOOD)], rejects_dir=tmp_path / "r")
    before = sorted(str(q) for q in store._store())
    with pytest.raises(kg.StrictBuildError, match="1 record"):
        kg.build(
            store,
            [write("second.csv", SHEET + GOOD.replace("10.5555/a", "10.5555/b") + BAD)],
            strict=True,
            fresh=True,
            rejects_dir=tmp_path / "r",
        )
    assert sorted(str(q) for q in store._store()) == before
    # The rejects are kept even when the build is refused, so they can be fixed.
    assert "not-a-doi" in (tmp_path / "r" / "second.csv.rejects.csv").read_text()


def test_both_stores_get_the_same_quads_rejects_and_reports(tmp_path, write):
    sources = [write("one.csv", SHEET + GOOD + BAD), write("two.csv", SHEET + GOOD)]
    reports, quads, rejects = {}, {}, {}
    for where, store in _stores(tmp_path).items():
        folder = tmp_path / where
        reports[where] = kg.build(store, sources, rejects_dir=folder)
        quads[where] = {str(q) for q in store._store()}
        rejects[where] = (folder / "one.csv.rejects.csv").read_text()
        assert not (folder / "two.csv.rejects.csv").exists()
    assert quads["on disk"] == quads["in memory"]
    assert rejects["on disk"] == rejects["in memory"]
    counts = {
        where: [(s.name, s.read, s.accepted, s.rejected, s.triples) for s in report.sources]
        for where, report in reports.items()
    }
    assert (
        counts["on disk"]
        == counts["in memory"]
        == [
            ("one.csv", 2, 1, 1, counts["in memory"][0][4]),
            ("two.csv", 1, 1, 0, counts["in memory"][1][4]),
        ]
    )


@pytest.mark.parametrize("where", ["on disk", "in memory"])
def test_loading_is_announced_once_after_every_source_is_read(tmp_path, write, where):
    calls: list[str] = []
    kg.build(
        _stores(tmp_path)[where],
        [write("one.csv", SHEET + GOOD), write("two.csv", SHEET + GOOD)],
        rejects_dir=tmp_path / "r",
        progress=lambda name, done, total: calls.append(name),
    )
    assert calls.count(LOADING) == 1
    assert calls[-1] == LOADING
    assert {"one.csv", "two.csv"} <= set(calls)
