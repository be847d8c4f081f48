"""Parsing the annotation sheets' pairing cells.

A cell lists ``[Model name, Pattern]`` groups joined by ``; ``::

    [AlexNet, Adaptation]; [VGGNet (VGG-16), Adaptation]; [GoogLeNet, Adaptation]

A model name may itself hold parentheses, brackets and commas, so groups are
found by matching brackets, and the pattern is the text after the group's last
top-level comma. ``[Model, Adaptation, Deployment]`` gives the model two
patterns. A trailing separator is tolerated. The parser reports the position
of the first thing it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PatternTest = Callable[[str], bool]

_OPEN = {"[": "]", "(": ")"}
_CLOSE = {"]": "[", ")": "("}


class PairingSyntaxError(ValueError):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at character {position + 1}")
        self.position = position


@dataclass(frozen=True)
class Pairing:
    model: str
    pattern_labels: tuple[str, ...]
    position: int  # index of the group's '[' in the cell


def parse_pairings(cell: str, is_pattern: PatternTest = lambda label: False) -> list[Pairing]:
    """Split a pairing cell into pairings; an empty cell has none."""
    pairings: list[Pairing] = []
    index = 0
    length = len(cell)
    expecting_group = True
    while index < length:
        char = cell[index]
        if char.isspace():
            index += 1
            continue
        if char in ";,":
            if expecting_group:
                raise PairingSyntaxError("expected '[' but found a separator", index)
            expecting_group = True
            index += 1
            continue
        if char != "[":
            raise PairingSyntaxError(f"expected '[' but found {char!r}", index)
        if not expecting_group:
            raise PairingSyntaxError("missing '; ' between pairings", index)
        end = _matching_bracket(cell, index)
        pairings.append(_parse_group(cell, index, end, is_pattern))
        expecting_group = False
        index = end + 1
    return pairings


def _matching_bracket(cell: str, start: int) -> int:
    stack: list[str] = []
    for index in range(start, len(cell)):
        char = cell[index]
        if char in _OPEN:
            stack.append(char)
        elif char in _CLOSE:
            if not stack or stack[-1] != _CLOSE[char]:
                raise PairingSyntaxError(f"unbalanced {char!r}", index)
            stack.pop()
            if not stack:
                return index
    raise PairingSyntaxError("'[' is never closed", start)


def _parse_group(cell: str, start: int, end: int, is_pattern: PatternTest) -> Pairing:
    parts: list[str] = []
    depth = 0
    piece_start = start + 1
    for index in range(start + 1, end):
        char = cell[index]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(cell[piece_start:index].strip())
            piece_start = index + 1
    parts.append(cell[piece_start:end].strip())
    if len(parts) < 2:
        raise PairingSyntaxError(
            "a pairing needs a model and a pattern, as [Model, Pattern]", start
        )
    # The last item is always the pattern (an unknown one is reported by the
    # caller); items before it that are pattern labels too are more patterns.
    patterns = [parts.pop()]
    while len(parts) > 1 and is_pattern(parts[-1]):
        patterns.insert(0, parts.pop())
    model = ", ".join(parts).strip()
    if not model:
        raise PairingSyntaxError("the pairing has no model name", start)
    if not patterns[-1]:
        raise PairingSyntaxError("the pairing has no reuse pattern", start)
    return Pairing(model=model, pattern_labels=tuple(patterns), position=start)
