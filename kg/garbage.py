"""Pausing Python's cyclic garbage collector while many acyclic objects are made.

Turning a million-paper answer into Python makes hundreds of thousands of dicts and lists
at once; while they pile up the collector walks every object the process holds again and
again (in a process that already holds much, such as a network export or the benchmark,
that took longer than making them), yet none is part of a cycle: reference counting frees
them all the same.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


def without_cyclic_gc(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``function`` with the cyclic collector paused (as it was, after)."""

    @wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


__all__ = ["without_cyclic_gc"]
