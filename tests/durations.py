"""Which tests count as slow: those whose last recorded run took a second or more.

``pytest --store-durations`` records how long each test took (setup, call and teardown)
in ``tests/durations.json``; every later run marks a test recorded at
:data:`SLOW_SECONDS` or more as ``slow``, beside the tests marked slow by hand (the ones
that kill processes or run the benchmark harness). ``pytest -m "not slow" -n auto`` is
then the fast suite a developer runs while working; CI runs every test. A test not yet
recorded counts as fast until the next ``--store-durations`` run.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

#: The recorded durations, by test id (written by ``--store-durations``).
DURATIONS = Path(__file__).with_name("durations.json")
#: A test recorded at this many seconds or more is slow.
SLOW_SECONDS = 0.7


class SlowTests:
    """A pytest plugin: marks the tests recorded as slow; records durations if asked."""

    def __init__(self, path: Path, store: bool) -> None:
        self.path = path
        self.store = store
        self.seconds: dict[str, float] = defaultdict(float)

    def recorded(self) -> dict[str, float]:
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): float(v) for k, v in found.items()}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        durations = self.recorded()
        for item in items:
            if durations.get(item.nodeid, 0.0) >= SLOW_SECONDS:
                item.add_marker(pytest.mark.slow)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # On xdist's controller the reports of every worker arrive here too.
        self.seconds[report.nodeid] += report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # Stored once, by the process that runs the session, not by each xdist worker.
        if not self.store or hasattr(session.config, "workerinput"):
            return
        # Merged into the file (tests not run this time keep their figure), atomically.
        merged = self.recorded() | {k: round(v, 3) for k, v in self.seconds.items()}
        text = json.dumps(dict(sorted(merged.items())), indent=0) + "\n"
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, self.path)
