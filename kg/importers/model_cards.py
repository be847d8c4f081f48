"""Hugging Face model cards: the lineage between models, read offline from files.

A model card's metadata is the YAML header of its ``README.md``, or the same
fields as JSON (the Hub API's ``cardData``): ``base_model`` (one id or a list),
``base_model_relation`` (``adapter``, ``merge``, ``quantized``, ``finetune``),
``pipeline_tag``, ``library_name`` and ``license``. Each card becomes a model
record whose lineage edges point at its base models (``fair4ml:fineTunedFrom``
for fine-tunes, ``ptm:adapterOf``, ``ptm:mergedFrom``, ``ptm:quantizedFrom``,
or ``ptm:derivedFromModel`` when the card does not say how).

The card's own model id comes from, in order: an ``id`` or ``modelId`` field
(JSON) or ``model_id`` in the YAML header; a folder named like the Hub's cache,
``models--org--name``; a ``org/name/README.md`` path; a file named
``org__name.md``. Hub ids that the model registry knows become the registry's
models (``google-bert/bert-base-uncased`` is BERT).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import SourceError
from kg.importers.reading import ImportOptions, SourceReading
from kg.models.registry import ModelRegistry
from kg.read.tables import TOO_DEEP
from kg.records import ModelRecord, Reject

RELATIONS = ("adapter", "merge", "quantized", "finetune")
_HUB_ID = re.compile(r"^[\w.-]+(/[\w.-]+)?$")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.DOTALL)


def open_model_card(path: Path, format_name: str, options: ImportOptions) -> SourceReading:
    return SourceReading.of_records(
        path,
        format_name,
        "Hugging Face model card",
        _records(path, options),
        rejects_reloadable=False,
    )


def _records(path: Path, options: ImportOptions) -> Iterator[ModelRecord | Reject]:
    registry = options.resolver.registry
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    if text.lstrip().startswith("{"):
        cards: list[tuple[int, Any]] = []
        try:
            cards = [(1, json.loads(text))]
        except (json.JSONDecodeError, RecursionError):
            for number, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    try:
                        cards.append((number, json.loads(line)))
                    except json.JSONDecodeError as exc:
                        cards.append((number, _Invalid(f"invalid JSON ({exc.msg})", line)))
                    except RecursionError:
                        cards.append((number, _Invalid(TOO_DEEP, line)))
        for number, card in cards:
            if isinstance(card, _Invalid):
                yield Reject(number, card.reason, {"_raw": card.raw})
                continue
            if not isinstance(card, dict):
                yield Reject(number, "expected a model card object", {"_raw": str(card)[:500]})
                continue
            card_data = card.get("cardData")
            data: dict[str, Any] = card_data if isinstance(card_data, dict) else card
            merged = {**card, **data}
            yield _record(
                merged, _text(card.get("id")) or _text(card.get("modelId")), number, registry
            )
        return
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise SourceError(path, "a Markdown file without a YAML metadata header (--- ... ---)")
    import yaml

    try:
        metadata = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        yield Reject(1, f"the YAML header is not valid YAML{where}", {"_raw": match.group(1)})
        return
    except RecursionError:
        yield Reject(1, "the YAML header is nested too deeply to read", {"_raw": match.group(1)})
        return
    if not isinstance(metadata, dict):
        yield Reject(1, "the YAML header is not a mapping of keys to values", {})
        return
    yield _record(metadata, _text(metadata.get("model_id")) or _id_from_path(path), 1, registry)


class _Invalid:
    def __init__(self, reason: str, raw: str) -> None:
        self.reason, self.raw = reason, raw


def _id_from_path(path: Path) -> str | None:
    for part in reversed(path.resolve().parts):
        if part.startswith("models--"):
            return part.removeprefix("models--").replace("--", "/", 1)
    if path.name.lower() == "readme.md" and len(path.resolve().parts) >= 3:
        return f"{path.resolve().parent.parent.name}/{path.resolve().parent.name}"
    if "__" in path.stem:
        return path.stem.replace("__", "/", 1)
    return None


def _record(
    card: dict[str, Any], hub_id: str | None, line: int, registry: ModelRegistry
) -> ModelRecord | Reject:
    if not hub_id or not _HUB_ID.match(hub_id):
        return Reject(
            line,
            "cannot tell which model the card describes: give its Hub id as "
            "'id' (JSON) or 'model_id' (YAML), or name the file org__name.md",
            {"id": hub_id},
        )
    bases = card.get("base_model")
    bases = [bases] if isinstance(bases, str) else bases if isinstance(bases, list) else []
    base_ids = [b.strip() for b in bases if isinstance(b, str) and _HUB_ID.match(b.strip())]
    relation = _text(card.get("base_model_relation"))
    if relation is not None and relation not in RELATIONS:
        return Reject(
            line,
            f"base_model_relation {relation!r} is not one of {', '.join(RELATIONS)}",
            {"id": hub_id, "relation": relation},
        )
    license_ = card.get("license")
    return ModelRecord(
        name=_registry_name(registry, hub_id),
        line=line,
        huggingface_id=hub_id,
        base_models=tuple((_registry_name(registry, b), relation) for b in base_ids),
        pipeline_tag=_text(card.get("pipeline_tag")),
        library_name=_text(card.get("library_name")),
        license=_text(license_) if isinstance(license_, str) else None,
    )


def _registry_name(registry: ModelRegistry, hub_id: str) -> str:
    entry = registry.by_huggingface_id(hub_id)
    return entry.name if entry is not None else hub_id


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
