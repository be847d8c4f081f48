"""Resolving model mentions to models: the names other stages import.

The resolver lives in :mod:`kg.models.resolve`, the key in :mod:`kg.models.key`, the
parenthesis reading in :mod:`kg.models.parentheses` and the registry in
:mod:`kg.models.registry`; this module keeps the names importers and writers use.
"""

from __future__ import annotations

from kg.models.key import model_key
from kg.models.resolve import (
    RULES,
    Explanation,
    ModelResolver,
    ResolvedModel,
    UnresolvableMention,
)

__all__ = [
    "RULES",
    "Explanation",
    "ModelResolver",
    "ResolvedModel",
    "UnresolvableMention",
    "model_key",
]
