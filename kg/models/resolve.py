"""Resolving model mentions to model entities: the one place where model identity is decided.

Sources spell one model many ways (``ResNet-50``, ``resnet50``, ``ResNet 50``), write
versions many ways (``TargetP 2.0``, ``Target P v2.0``), name a tool with its backbone
(``DeepLabCut (ResNet-50)``) or with its own abbreviation (``Segment Anything Model (SAM)``).
The resolver maps a mention to a model using the structured key of :mod:`kg.models.key`, the
parenthesis reading of :mod:`kg.models.parentheses` and the model registry
(:mod:`kg.models.registry`). Each answer names the rule that decided it (:data:`RULES`), so
``ptmkg models explain`` can say why.

Versions, sizes and variants are models of their own, linked to the model they are a version
of (``version_of``, written as ``ptm:versionOf``); they are never merged with it. Where a
parenthesis cannot be read with confidence the mention is kept whole, as written, with the
rule ``uncertain-parenthesis``: a backbone is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.defaults import SOURCE_ENCODING
from kg.errors import PtmkgError
from kg.models.key import model_key, parse
from kg.models.parentheses import (
    abbreviates,
    is_qualifier,
    split_trailing,
    strip_qualifiers,
    version_text,
)
from kg.models.registry import ModelRegistry, RegistryEntry

RULES: dict[str, str] = {
    "registry": "the mention is a name or an alias of a registry row",
    "huggingface-id": "the mention is the Hugging Face id of a registry row",
    "qualifier": "words that say how the model was used (pre-trained, modified, ... model) "
    "were set aside; the rest is a registry model",
    "parenthesis-version": "the parenthesis holds a version: 'X (v2)' is 'X v2'",
    "parenthesis-qualifier": "the parenthesis only says how the model was used",
    "parenthesis-same": "both parts name the same registry model",
    "abbreviation": "one part abbreviates the other, so it is an alias, not a second model",
    "specific-in-family": "one part is a version or variant of the other: the mention is the "
    "more specific model",
    "tool-named-inside": "the registry says the model inside wraps the one outside "
    "(ColabFold runs AlphaFold 2): the mention is the model inside",
    "backbone": "a known model inside the parenthesis is the backbone of the tool outside",
    "uncertain-parenthesis": "the parenthesis could not be read with confidence, so the "
    "mention is kept whole as a model of its own",
    "unknown-version": "not in the registry, but its family is: a model of its own, linked "
    "to the family by version_of",
    "unknown": "not in the registry: a model of its own, named as written",
}
_CACHED = 65536


@dataclass(frozen=True)
class ResolvedModel:
    name: str  # canonical display name
    key: str  # structured key (kg.models.key), used in the model's IRI
    known: bool  # whether the registry knows it
    backbone: ResolvedModel | None = None
    version_of: ResolvedModel | None = None  # the model this is a version or variant of
    aliases: tuple[str, ...] = ()  # spellings the mention itself gave (an abbreviation)
    rule: str = "unknown"
    note: str = ""  # what a curator should look at, when the reading was uncertain
    entry: RegistryEntry | None = field(default=None, compare=False, repr=False)

    @property
    def uncertain(self) -> bool:
        return self.rule == "uncertain-parenthesis" or bool(self.note)


class UnresolvableMention(PtmkgError, ValueError):
    """The mention cannot name a model (it has no letters or digits)."""


@dataclass(frozen=True)
class Explanation:
    """Why a mention resolves as it does: its key, the rule, the registry rows used."""

    mention: str
    resolved: ResolvedModel
    # For 'Outer (Inner)': what each part resolves to on its own.
    parts: tuple[tuple[str, ResolvedModel], ...] = ()

    def record(self) -> dict[str, str | bool | list[str]]:
        """The resolution as plain values, for a table or JSON."""
        model = self.resolved
        return {
            "mention": self.mention,
            "model": model.name,
            "key": model.key,
            "known": model.known,
            "rule": model.rule,
            "backbone": model.backbone.name if model.backbone else "",
            "version_of": model.version_of.name if model.version_of else "",
            "aliases": list(model.aliases),
            "registry_row": model.entry.defined_in if model.entry else "",
            "check": model.note,
        }

    def lines(self) -> list[str]:
        model = self.resolved
        parts = parse(self.mention)
        out = [
            f"mention: {self.mention}",
            f"key: {parts.key} ({parts.describe()})",
            f"rule: {model.rule}: {RULES[model.rule]}",
            f"model: {model.name} (key {model.key}, "
            + ("in the registry)" if model.known else "not in the registry)"),
        ]
        for part, alone in self.parts:
            known = "in the registry" if alone.known else "not in the registry"
            out.append(f"part {part!r} alone: {alone.name} ({known}, rule {alone.rule})")
        out += _row_lines("registry row", model.entry)
        if model.aliases:
            out.append("alias given by the mention: " + ", ".join(model.aliases))
        if model.version_of is not None:
            out.append(f"version of: {model.version_of.name}")
        if model.backbone is not None:
            out.append(f"backbone: {model.backbone.name}")
            out += _row_lines("backbone's registry row", model.backbone.entry)
        if model.note:
            out.append(f"check: {model.note}")
        return out


def _row_lines(label: str, entry: RegistryEntry | None) -> list[str]:
    if entry is None:
        return []
    facts = [
        f"{name} {value}"
        for name, value in (
            ("family", entry.family),
            ("version", entry.version),
            ("version of", entry.version_of),
            ("backbone", entry.backbone),
            ("origin", entry.origin_doi),
            ("sources", entry.sources),
        )
        if value
    ]
    return [f"{label}: {entry.defined_in}" + (f" ({'; '.join(facts)})" if facts else "")]


class ModelResolver:
    def __init__(
        self, alias_files: Iterable[Path] = (), registry: ModelRegistry | None = None
    ) -> None:
        self.registry = registry or ModelRegistry(alias_files)
        self._canonical = self.registry.canonical
        self._cache: dict[str, ResolvedModel] = {}

    @classmethod
    def from_environment(
        cls, extra: Iterable[Path] = (), encoding: str = SOURCE_ENCODING
    ) -> ModelResolver:
        return cls(registry=ModelRegistry.from_environment(extra, encoding))

    def resolve(self, mention: str) -> ResolvedModel:
        text = " ".join(mention.split())
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        if not model_key(text):
            raise UnresolvableMention(f"model name {mention!r} has no letters or digits")
        resolved = self._resolve(text)
        if len(self._cache) < _CACHED:
            self._cache[text] = resolved
        return resolved

    def explain(self, mention: str) -> Explanation:
        text = " ".join(mention.split())
        resolved = self.resolve(text)
        parts = []
        for part in split_trailing(text) or ():
            if model_key(part):
                parts.append((part, self.resolve(part)))
        return Explanation(text, resolved, tuple(parts))

    def _resolve(self, text: str) -> ResolvedModel:
        split = split_trailing(text)
        if split and version_text(split[1]) is not None:
            return self._parenthesis(text, *split)
        known = self._known(text, "registry")
        if known:
            return known
        hub = self.registry.by_huggingface_id(text) if "/" in text else None
        if hub is not None:
            return self._known(hub.name, "huggingface-id") or self._unknown(text)
        if split:
            return self._parenthesis(text, *split)
        stripped = strip_qualifiers(text)
        if stripped != text and model_key(stripped):
            known = self._known(stripped, "qualifier")
            if known:
                return known
        return self._unknown(text)

    def _parenthesis(self, text: str, outer: str, inner: str) -> ResolvedModel:
        version = version_text(inner)
        if version is not None:
            joined = f"{outer} v{version}"
            known = self._known(joined, "parenthesis-version") or self._known(
                strip_qualifiers(joined), "parenthesis-version"
            )
            return known or self._unknown(text, key_text=joined)
        if is_qualifier(inner):
            known = self._known(outer, "parenthesis-qualifier") or self._known(
                strip_qualifiers(outer), "parenthesis-qualifier"
            )
            return known or self._unknown(outer, rule="parenthesis-qualifier")
        out = self._known(outer, "") or self._known(strip_qualifiers(outer), "")
        ins = self._known(inner, "") or self._known(strip_qualifiers(inner), "")
        if out and ins:
            return self._two_known(text, out, ins)
        if abbreviates(inner, outer) or abbreviates(outer, inner):
            long, short = (outer, inner) if abbreviates(inner, outer) else (inner, outer)
            long_model, short_model = (out, ins) if long == outer else (ins, out)
            if long_model:
                return replace(long_model, rule="abbreviation", aliases=(short,))
            note = ""
            if short_model:
                note = (
                    f"{short!r} is also the registry's name for {short_model.name}, but the "
                    f"words {long!r} name another model"
                )
            return self._unknown(long, rule="abbreviation", aliases=(short,), note=note)
        if ins and not out and not is_qualifier(outer):
            tool = self._unknown(outer)
            relative = tool.version_of
            family = self._family(relative) if relative else ""
            if relative and (relative.key == ins.key or (family and family == self._family(ins))):
                return self._uncertain(
                    text,
                    note=f"{outer!r} is a new model of the family of {ins.name}; whether "
                    f"{ins.name} is its backbone or another name for it is for a curator to say",
                )
            return replace(tool, rule="backbone", backbone=ins)
        return self._uncertain(
            text,
            note=f"neither {outer!r} nor {inner!r} is both known and clearly related; "
            f"add a registry row or an alias with --aliases",
        )

    def _two_known(self, text: str, out: ResolvedModel, ins: ResolvedModel) -> ResolvedModel:
        if out.key == ins.key:
            return replace(out, rule="parenthesis-same")
        if self._within(ins, out):
            return replace(ins, rule="specific-in-family")
        if self._within(out, ins):
            return replace(out, rule="specific-in-family")
        if ins.entry and ins.entry.backbone and model_key(ins.entry.backbone) == out.key:
            return replace(ins, rule="tool-named-inside")
        if out.entry and out.entry.backbone and model_key(out.entry.backbone) == ins.key:
            return replace(out, rule="backbone", backbone=ins)
        if self._family(out) and self._family(out) == self._family(ins):  # siblings
            return self._uncertain(
                text,
                note=f"{out.name} and {ins.name} are two models of one family; which one "
                f"is meant is for a curator to say",
            )
        return replace(out, rule="backbone", backbone=ins)

    def _family(self, model: ResolvedModel) -> str:
        return model_key(model.entry.family) if model.entry and model.entry.family else ""

    def _within(self, specific: ResolvedModel, general: ResolvedModel) -> bool:
        """Whether ``specific`` is a version or variant of ``general``, by the registry."""
        entry = specific.entry
        for _ in range(8):  # version_of chains are short; a cycle must not hang a build
            if entry is None or not entry.version_of:
                break
            if model_key(entry.version_of) == general.key:
                return True
            entry = self.registry.entry(entry.version_of)
        return False

    def _nearest_release(self, family: str, version: str) -> ResolvedModel | None:
        """The known release a finer version belongs to: AlphaFold v2.3 to AlphaFold 2."""
        numbers = version.split(".")
        joiner = "-" if family[-1:].isdigit() else ""
        for length in range(len(numbers) - 1, 0, -1):
            release = self._canonical.get(family + joiner + ".".join(numbers[:length]))
            if release is not None:
                return self._known(release, "registry")
        return None

    def _nearest_variant(self, key: str) -> ResolvedModel | None:
        """The known model a size or variant is written after: ESM-2 3B is a size of ESM-2."""
        parts = key.split("-")
        for length in range(len(parts) - 1, 0, -1):
            release = self._canonical.get("-".join(parts[:length]))
            if release is not None:
                return self._known(release, "registry")
        return None

    def _known(self, text: str, rule: str) -> ResolvedModel | None:
        entry = self.registry.entry(text) if text else None
        if entry is None:
            return None
        parent = self.registry.entry(entry.version_of) if entry.version_of else None
        version_of = (
            ResolvedModel(parent.name, parent.key, True, rule="registry", entry=parent)
            if parent
            else None
        )
        return ResolvedModel(
            entry.name, entry.key, True, version_of=version_of, rule=rule, entry=entry
        )

    def _uncertain(self, text: str, *, note: str) -> ResolvedModel:
        """A parenthesis whose reading is for a curator to say: ``text`` kept whole, with why."""
        return self._unknown(text, rule="uncertain-parenthesis", note=note)

    def _unknown(
        self,
        text: str,
        *,
        rule: str = "unknown",
        key_text: str | None = None,
        aliases: tuple[str, ...] = (),
        note: str = "",
    ) -> ResolvedModel:
        key = model_key(key_text or text)
        parts = parse(key_text or text)
        family = None
        if parts.family and parts.family != key and (parts.version or parts.variant):
            family = (
                self._nearest_variant(key)
                or self._nearest_release(parts.family, parts.version)
                or self._known(parts.family, "registry")
            )
            if family is not None and rule == "unknown":
                rule = "unknown-version"
        return ResolvedModel(
            text, key, False, version_of=family, aliases=aliases, rule=rule, note=note
        )


def uncertain_warnings(uncertain: dict[str, str], shown: int = 20) -> list[str]:
    """One line per mention kept whole because its reading was uncertain (the first few)."""
    lines = [
        f"model mention {mention!r} was kept as written: {note}"
        for mention, note in sorted(uncertain.items())[:shown]
    ]
    if len(uncertain) > shown:
        lines.append(f"... and {len(uncertain) - shown} more uncertain model mentions")
    if uncertain:
        lines.append("see why with: ptmkg models explain NAME; fix with --aliases FILE")
    return lines
