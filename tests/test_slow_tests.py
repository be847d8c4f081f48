"""The fast suite: tests recorded at a second or more are marked slow and left out of
``pytest -m "not slow"``; ``--store-durations`` records them (tests/durations.py)."""

from __future__ import annotations

import json

import pytest

from tests.durations import DURATIONS, SLOW_SECONDS, SlowTests

pytest_plugins = ["pytester"]

TESTS = """
import time

def test_quick():
    pass

def test_sleepy():
    time.sleep(SECONDS)
"""


def run(pytester: pytest.Pytester, plugin: SlowTests, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_pair=TESTS.replace("SECONDS", str(SLOW_SECONDS + 0.1)))
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args, plugins=[plugin])


def test_recorded_durations_mark_the_slow_tests_and_the_fast_suite_leaves_them_out(pytester):
    durations = pytester.path / "durations.json"
    recording = run(pytester, SlowTests(durations, store=True))
    recording.assert_outcomes(passed=2)
    recorded = json.loads(durations.read_text(encoding="utf-8"))
    assert recorded["test_pair.py::test_sleepy"] >= SLOW_SECONDS
    assert recorded["test_pair.py::test_quick"] < SLOW_SECONDS

    fast = run(pytester, SlowTests(durations, store=False), "-m", "not slow", "-v")
    fast.assert_outcomes(passed=1, deselected=1)
    assert "test_quick PASSED" in fast.stdout.str()
    slow = run(pytester, SlowTests(durations, store=False), "-m", "slow", "-v")
    slow.assert_outcomes(passed=1, deselected=1)
    assert "test_sleepy PASSED" in slow.stdout.str()
    # a run without --store-durations leaves the record as it was
    assert json.loads(durations.read_text(encoding="utf-8")) == recorded


def test_a_second_recording_keeps_the_figures_of_tests_it_did_not_run(pytester):
    durations = pytester.path / "durations.json"
    durations.write_text(json.dumps({"test_gone.py::test_elsewhere": 4.5}), encoding="utf-8")
    run(pytester, SlowTests(durations, store=True), "-k", "quick")
    recorded = json.loads(durations.read_text(encoding="utf-8"))
    assert set(recorded) == {"test_gone.py::test_elsewhere", "test_pair.py::test_quick"}
    assert recorded["test_gone.py::test_elsewhere"] == 4.5


def test_the_recorded_file_names_tests_that_exist():
    recorded = json.loads(DURATIONS.read_text(encoding="utf-8"))
    files = {nodeid.split("::")[0] for nodeid in recorded}
    assert files and all((DURATIONS.parent.parent / f).is_file() for f in files)
