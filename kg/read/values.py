"""Parsing the cell values that annotation sources share: booleans, years, dates, lists, DOIs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import unquote

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def parse_bool(value: Any, column: str) -> bool | None:
    """``True``/``False`` (any case), yes/no, 1/0; blank is unknown (None)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{column} is {value!r}, expected True or False")


def parse_year(value: Any, column: str = "year") -> int | None:
    if is_blank(value):
        return None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not re.fullmatch(r"\d{4}", text) or not 1000 <= int(text) <= 2999:
        raise ValueError(f"{column} is {value!r}, expected a four-digit year")
    return int(text)


def parse_date(value: Any, column: str) -> str | None:
    """``9/8/2016`` (month/day/year, as the study's sheets write it) or ISO ``2016-09-08``."""
    if is_blank(value):
        return None
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text).isoformat()
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if match:
            month, day, year = (int(g) for g in match.groups())
            return dt.date(year, month, day).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{column} is {value!r}, expected a date such as 9/8/2016 or 2016-09-08")


_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")


def parse_number(value: Any, decimal_comma: bool = False) -> float:
    """A number cell: a number, or text such as ``0.8`` (and, with ``decimal_comma``,
    ``0,8``, as spreadsheets that use a decimal comma write it); ValueError otherwise."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if decimal_comma and _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def split_list(value: Any) -> list[str]:
    """A list cell: a JSON list, or text with items separated by ``;`` or ``|``."""
    if is_blank(value):
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if not is_blank(item)]
    return [item.strip() for item in re.split(r"[;|]", str(value)) if item.strip()]


def text_or_none(value: Any) -> str | None:
    if is_blank(value):
        return None
    text = str(value) if not isinstance(value, str) else value
    return text.strip() or None


# ------------------------------------------------------------------ DOIs

_DOI_URL_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")


class InvalidDoi(ValueError):
    """The text is not a DOI."""


def normalize_doi(raw: str) -> str:
    """Return the DOI in its canonical form: lower case, no resolver prefix.

    >>> normalize_doi("https://doi.org/10.1371/Journal.PONE.0001")
    '10.1371/journal.pone.0001'
    """
    text = raw.strip()
    if not text:
        raise InvalidDoi("the DOI is empty")
    match = _DOI_URL_PREFIX.match(text)
    if match:
        text = text[match.end() :].strip()
        if match.group(0).lower().startswith("http"):
            text = unquote(text)
    text = text.lower()
    if not _DOI_SHAPE.match(text):
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        raise InvalidDoi(f"{shown!r} is not a DOI (expected 10.<registrant>/<suffix>)")
    return text


_NORMAL_DOI = re.compile(r"10\.\d{4,9}/\S+")


def is_normal_doi(text: str) -> bool:
    """Whether ``normalize_doi(text)`` is ``text`` itself: a lower-case DOI, nothing around it.

    A quick test for the usual case; any other text goes through :func:`normalize_doi`.
    """
    return _NORMAL_DOI.fullmatch(text) is not None and text == text.lower()
