"""Long engine calls that Ctrl-C and a deadline can stop.

The embedded Oxigraph engine evaluates a query in native code with Python's lock
released; while it runs, the calling thread cannot see a Ctrl-C, and the engine has no
way to be cancelled. :func:`run_interruptibly` runs a call in a worker thread and
waits for it in short steps, so that an interrupt or a deadline reaches the caller at
once. The worker cannot be stopped: it is a daemon thread, and a program that gets
:class:`KeyboardInterrupt` or :class:`DeadlineExceeded` from here should exit, as the
``ptmkg`` command does.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from kg.errors import PtmkgError

T = TypeVar("T")

_STEP_SECONDS = 0.05


class DeadlineExceeded(PtmkgError):
    """A call that did not finish in the time it was given."""


def run_interruptibly(
    call: Callable[[], T], *, timeout: float | None = None, what: str = "the command"
) -> T:
    """``call()``, waited for so that Ctrl-C and ``timeout`` (seconds) stop the wait."""
    if timeout is not None and timeout <= 0:
        raise PtmkgError(f"the timeout must be a positive number of seconds, not {timeout:g}")
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the waiting thread as it is
            _drop_locals(exc)
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="ptmkg-engine", daemon=True)
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        worker.join(_STEP_SECONDS)
        if timeout is not None and worker.is_alive() and time.monotonic() - started > timeout:
            raise DeadlineExceeded(
                f"{what} did not finish in {timeout:g} s (raise --timeout, or ask for less)"
            )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _drop_locals(exc: BaseException) -> None:
    """Let go, in this thread, of what the frames of ``exc`` (and of the errors it
    arose from) hold. The engine's answers may only be dropped by the thread that made
    them: dropped later by the waiting thread, they would each print a RuntimeError."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__
