"""Reading the study pipeline's LLM answers (``model_response``), quirks included.

The five analyses answer in JSON:

* ``uses_dl``, ``uses_ptms``: ``{"result": bool, "prose": str | null}``
* ``identify_ptms``: a list of ``{"model", "prose"}``
* ``identify_ptm_reuse``: a list of ``{"model", "form", "classification", "prose"}``
* ``identify_ptm_impact``: a list of ``{"model", "step", "prose"}``

Real answers vary: a list may come wrapped in an object under ``response``,
``model``, ``models`` or ``result``, or as one bare object; older rows say
``method`` instead of ``model``; failures are ``""`` or ``{"error": ...}``. A
failure is returned as such, with its reason, never as an empty answer: "the
analysis failed" and "no PTMs" must stay different.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

YES_NO_KINDS = ("uses_dl", "uses_ptms")
LIST_KINDS = ("identify_ptms", "identify_ptm_reuse", "identify_ptm_impact")
_WRAPPERS = ("response", "models", "model", "result", "results")


@dataclass(frozen=True)
class Item:
    model: str
    prose: str | None = None
    form: str | None = None
    classification: str | None = None
    step: str | None = None


@dataclass
class ParsedResponse:
    failure: str | None = None
    result: bool | None = None  # yes/no kinds
    prose: str | None = None  # yes/no kinds
    items: list[Item] = field(default_factory=list)  # list kinds
    problems: list[str] = field(default_factory=list)  # items that had to be skipped

    @property
    def succeeded(self) -> bool:
        return self.failure is None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.strip() or None


def parse_response(kind: str, response: str | bytes | None) -> ParsedResponse:
    if isinstance(response, bytes):
        response = response.decode("utf-8", errors="replace")
    if response is None or not str(response).strip():
        return ParsedResponse(failure="the answer is empty")
    try:
        value = json.loads(response)
    except json.JSONDecodeError as exc:
        return ParsedResponse(failure=f"the answer is not JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return ParsedResponse(failure="the answer is JSON nested too deeply to read")
    if isinstance(value, str) and not value.strip():
        return ParsedResponse(failure="the answer is empty")
    if isinstance(value, dict) and "error" in value:
        return ParsedResponse(failure=f"the analysis reported an error: {_text(value['error'])}")
    if kind in YES_NO_KINDS:
        return _yes_no(value)
    return _items(kind, value)


def _yes_no(value: Any) -> ParsedResponse:
    if isinstance(value, dict):
        for wrapper in ("response",):
            if isinstance(value.get(wrapper), dict):
                value = value[wrapper]
        result = value.get("result")
        if isinstance(result, str) and result.strip().lower() in ("true", "false"):
            result = result.strip().lower() == "true"
        if isinstance(result, bool):
            return ParsedResponse(result=result, prose=_text(value.get("prose")))
        return ParsedResponse(failure=f"'result' is {result!r}, not true or false")
    if isinstance(value, bool):
        return ParsedResponse(result=value)
    return ParsedResponse(failure=f"expected an object with 'result', found {type(value).__name__}")


def _unwrap(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for wrapper in _WRAPPERS:
            if isinstance(value.get(wrapper), list):
                return value[wrapper]
            if isinstance(value.get(wrapper), dict) and wrapper != "model":
                inner = _unwrap(value[wrapper])
                if inner is not None:
                    return inner
        if any(isinstance(value.get(k), str) for k in ("model", "method")):
            return [value]  # one bare object instead of a list
        if not value:
            return []
    return None


def _items(kind: str, value: Any) -> ParsedResponse:
    entries = _unwrap(value)
    if entries is None:
        return ParsedResponse(failure=f"expected a list of models, found {_describe(value)}")
    parsed = ParsedResponse()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            parsed.problems.append(f"item {number} is {_describe(entry)}, not an object")
            continue
        model = _text(entry.get("model")) or _text(entry.get("method"))
        if model is None:
            parsed.problems.append(f"item {number} names no model")
            continue
        parsed.items.append(
            Item(
                model=model,
                prose=_text(entry.get("prose")),
                form=_text(entry.get("form")),
                classification=_text(entry.get("classification")),
                step=_text(entry.get("step")),
            )
        )
    return parsed


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(sorted(value)[:5])
        return f"an object with keys ({keys})"
    return type(value).__name__
