"""Resolving model mentions to model entities.

Sources spell one model many ways (``ResNet-50``, ``resnet50``, ``ResNet 50``)
and name tools together with their backbone (``DeepLabCut (ResNet-50)``). The
resolver maps a mention to a canonical model, using a spelling-insensitive key
and the names and aliases of the model registry (:mod:`kg.models.registry`),
which users extend with files of the same shape (``name,aliases`` at least,
aliases separated by ``|``).

Rules, in order:

1. A mention whose key is in the alias table is that model (``AF2`` is
   AlphaFold 2; AlphaFold and AlphaFold 2 are different entries, so they stay
   apart).
2. ``Outer (Inner)`` where Inner is a known model: if one name is the other
   made more specific (``VGGNet (VGG-16)``, ``AlphaFold (AF2)``) the mention is
   the more specific model; otherwise Outer is a tool with Inner as backbone
   (``Cellpose (Modified U-Net)`` is Cellpose, backbone U-Net).
3. A mention made of a qualifier and a known model (``pre-trained ResNet-50``,
   ``modified U-Net``) is the known model.
4. Anything else is a model of its own, named as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kg.models.registry import ModelRegistry
from kg.rdf.iris import name_key

_QUALIFIER = re.compile(
    r"^(?:pre-?trained|modified|custom|fine-?tuned|original|standard|adapted)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # canonical display name
    key: str  # spelling-insensitive key, used in the model's IRI
    known: bool  # whether the alias table knows it
    backbone: ResolvedModel | None = None


class UnresolvableMention(ValueError):
    """The mention cannot name a model (it has no letters or digits)."""


class ModelResolver:
    def __init__(self, alias_files: Iterable[Path] = (), registry: ModelRegistry | None = None
                 ) -> None:
        self.registry = registry or ModelRegistry(alias_files)
        self._canonical = self.registry.canonical

    @classmethod
    def from_environment(cls, extra: Iterable[Path] = ()) -> ModelResolver:
        return cls(registry=ModelRegistry.from_environment(extra))

    def resolve(self, mention: str) -> ResolvedModel:
        text = " ".join(mention.split())
        key = name_key(text)
        if not key:
            raise UnresolvableMention(f"model name {mention!r} has no letters or digits")
        known = self._known(text)
        if known:
            return known
        split = _split_trailing_parenthesis(text)
        if split:
            outer_text, inner_text = split
            inner = self._known(inner_text) or self._known(_strip_qualifier(inner_text))
            if inner and name_key(outer_text):
                outer = self._known(outer_text) or ResolvedModel(
                    outer_text, name_key(outer_text), known=False
                )
                if _same_model(outer.key, inner.key):
                    return inner if len(inner.key) >= len(outer.key) else outer
                return ResolvedModel(outer.name, outer.key, outer.known, backbone=inner)
        stripped = self._known(_strip_qualifier(text))
        if stripped:
            return stripped
        return ResolvedModel(text, key, known=False)

    def _known(self, text: str) -> ResolvedModel | None:
        name = self._canonical.get(name_key(text))
        if name is None:
            return None
        return ResolvedModel(name, name_key(name), known=True)


def _strip_qualifier(text: str) -> str:
    return _QUALIFIER.sub("", text.strip())


def _split_trailing_parenthesis(text: str) -> tuple[str, str] | None:
    """``'Cellpose (Modified U-Net)'`` -> ``('Cellpose', 'Modified U-Net')``."""
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                outer, inner = text[:index].strip(), text[index + 1 : -1].strip()
                return (outer, inner) if outer and inner else None
    return None


def _same_model(outer_key: str, inner_key: str) -> bool:
    """Whether one name is the other made more specific (VGGNet / VGG-16, ResNet / ResNet-50)."""
    stem = outer_key.removesuffix("net") or outer_key
    return inner_key.startswith(stem) or outer_key.startswith(inner_key)
