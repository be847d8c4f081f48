"""The key of a model name: what two spellings must share to name one model.

A curator reads ``TargetP 2.0``, ``Target P v2.0`` and ``TargetP-2.0`` as one tool and
``ResNet50V2`` as a different network from ``ResNet-50``. The key reads a name as tokens
(words, numbers, and the symbols that change a name's meaning) and applies these rules:

* case, spaces, hyphens, underscores, slashes and other punctuation do not matter
  (``ResNet-50``, ``resnet50`` and ``ResNet 50`` meet), so ``Target P`` is ``TargetP``;
* a ``v`` before a number marks a version and is dropped (``v2``, ``V2``, ``MobileNetV2``);
* a version's trailing zeros do not matter (``2.0`` is ``2``) but its other parts do
  (``SignalP 4.1`` is not ``SignalP 4`` and ``GPT-3.5`` is not ``GPT-35``);
* two numbers in a row stay apart (``ResNet50V2`` keys as ``resnet50-2``, never ``resnet502``);
* ``+``, ``#``, ``*`` and ``=`` are part of the name (``C++`` is not ``C``, ``=1+2`` is not
  ``12``, ``DeepLabv3+`` is not ``DeepLabv3``).

Every part (family words, version, size or variant) therefore has to match for two names to
share a key. :func:`parse` splits a name into those parts for explanations and for linking
an unknown version to its known family.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Words, numbers (with their dotted parts), and the symbols that are part of a name.
_TOKEN = re.compile(r"\d+(?:\.\d+)*|[^\W\d_]+|[+#*=]")
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_SIZE_WORDS = frozenset(
    {"tiny", "mini", "small", "base", "medium", "large", "huge", "giant", "xl", "xxl", "lite"}
)


@dataclass(frozen=True)
class Token:
    text: str
    number: bool  # a run of digits, with dotted parts
    version_marked: bool = False  # written with a 'v' before it
    dotted: bool = False  # written with a dot ('2.0', '4.1'): a version, not a size


@dataclass(frozen=True)
class NameParts:
    """A name read as family words, a version and the rest (sizes, variants, qualifiers)."""

    family: str  # the leading words, joined: 'targetp', 'resnet', 'segmentanythingmodel'
    version: str  # '2', '4.1', '' when none is written
    variant: str  # what follows: '50', 'large', 'b16', '50-2'
    key: str

    def describe(self) -> str:
        parts = [f"family {self.family!r}" if self.family else "no family word"]
        if self.version:
            parts.append(f"version {self.version!r}")
        if self.variant:
            parts.append(f"variant {self.variant!r}")
        return ", ".join(parts)


def _normal_number(text: str) -> str:
    """``2.0`` -> ``2``, ``2.0.0`` -> ``2``, ``4.1`` stays, ``1.10`` stays."""
    parts = text.split(".")
    while len(parts) > 1 and parts[-1].strip("0") == "":
        parts.pop()
    return ".".join(parts)


@functools.lru_cache(maxsize=65536)
def tokens(name: str) -> tuple[Token, ...]:
    folded = unicodedata.normalize("NFKC", name).casefold()
    raw = _TOKEN.findall(folded)
    out: list[Token] = []
    for index, text in enumerate(raw):
        following = raw[index + 1] if index + 1 < len(raw) else ""
        before_number = bool(_NUMBER.fullmatch(following))
        if _NUMBER.fullmatch(text):
            marked = bool(out) and out[-1].text == "" and out[-1].version_marked
            if marked:
                out.pop()
            out.append(
                Token(_normal_number(text), number=True, version_marked=marked, dotted="." in text)
            )
        elif before_number and text == "v":
            out.append(Token("", number=False, version_marked=True))  # dropped below
        elif before_number and len(text) > 3 and text.endswith("v"):
            # 'YOLOv8', 'MobileNetV2', 'DeepLabv3': the v marks the version (but 'wav2vec'
            # keeps its v: a word of two letters before it is too short to be a name).
            out.append(Token(text[:-1], number=False))
            out.append(Token("", number=False, version_marked=True))
        else:
            out.append(Token(text, number=False))
    return tuple(t for t in out if t.text)


@functools.lru_cache(maxsize=1 << 16)
def model_key(name: str) -> str:
    """The key two spellings of one model share; empty when the name has no letter or digit.

    Remembered: the registry's 4,500 spellings are keyed each time it is read, and a
    model parameter keys every spelling in the graph."""
    return _key(tokens(name))


def _key(parts: tuple[Token, ...] | list[Token]) -> str:
    if not any(ch.isalnum() for t in parts for ch in t.text):
        return ""
    pieces: list[str] = []
    previous_number = False
    for index, token in enumerate(parts):
        if token.number and previous_number:
            pieces.append("-")
        elif pieces and not previous_number and _kept_v_before_number(parts, index):
            # 'a aav0' keys as 'a-aav0': joined, 'aaav0' would read as family 'aaa',
            # version 0, and a key read again must give itself.
            pieces.append("-")
        pieces.append(token.text)
        previous_number = token.number
    return "".join(pieces)


def _kept_v_before_number(parts: tuple[Token, ...] | list[Token], index: int) -> bool:
    """Whether the token is a word whose final v was kept (too short to mark a version)
    and a number follows it."""
    token = parts[index]
    following = parts[index + 1] if index + 1 < len(parts) else None
    return (
        not token.number
        and token.text.endswith("v")
        and following is not None
        and following.number
        and not following.version_marked
    )


def parse(name: str) -> NameParts:
    """Family, version and variant of a name (``ResNet-50 v2``: resnet50, 2; ``BERT-large``:
    bert, large). A version is a number written with a ``v`` or a dot; the family is what
    comes before it, or the leading words when no version is written."""
    parts = list(tokens(name))
    marked = next((i for i, t in enumerate(parts) if t.version_marked or t.dotted), None)
    if marked is not None:
        family, version, rest = parts[:marked], parts[marked].text, parts[marked + 1 :]
    else:
        index = 0
        while index < len(parts) and not parts[index].number and parts[index].text.isalpha():
            if parts[index].text in _SIZE_WORDS and index > 0:
                break
            index += 1
        family, version, rest = parts[:index], "", parts[index:]
    return NameParts(_key(family), version, _key(rest), model_key(name))
