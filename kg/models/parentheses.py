"""Reading ``Outer (Inner)`` model mentions: abbreviation, version, qualifier or a second model.

Only the shape of the text is decided here; which model each part names is the resolver's
job (:mod:`kg.models.resolve`), since a backbone needs the registry to know both parts.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"^(?:v(?:ersion)?\s*\.?\s*)?(\d+(?:\.\d+)*)$", re.IGNORECASE)
# Words that say how a model was used or obtained, never which model it is.
_QUALIFIER_WORDS = frozenset(
    {
        *("pre", "trained", "pretrained", "fine", "tuned", "finetuned", "retrained", "re"),
        *("modified", "custom", "original", "standard", "adapted", "frozen", "default"),
        *("imagenet", "coco", "weights", "weight", "checkpoint", "checkpoints", "version"),
        *("on", "with", "the", "a", "an", "model", "network", "architecture", "backbone"),
        *("official", "public", "released", "transfer", "learning", "implementation"),
    }
)
_SMALL_WORDS = frozenset({"of", "for", "and", "the", "a", "an", "from", "in", "on", "with", "to"})
_LEADING_QUALIFIER = re.compile(
    r"^(?:(?:the|a|an)\s+)?(?:pre-?trained|modified|custom|fine-?tuned|original|standard|"
    r"adapted|frozen|imagenet-?pre-?trained)\s+",
    re.IGNORECASE,
)
_TRAILING_GENERIC = re.compile(
    r"\s+(?:(?:pre-?trained|fine-?tuned)(?:\s+(?:on|with)\s+[\w-]+)?|model|network|"
    r"architecture|backbone|weights|framework|tool|algorithm|pre-?trained model|cnn|software)$",
    re.IGNORECASE,
)


def split_trailing(text: str) -> tuple[str, str] | None:
    """``'Cellpose (Modified U-Net)'`` -> ``('Cellpose', 'Modified U-Net')``; ``None`` if the
    text does not end in a balanced parenthesis or a part is empty."""
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


def version_text(inner: str) -> str | None:
    """``'v2.0'``, ``'2'``, ``'version 2'`` -> the version number; else ``None``."""
    match = _VERSION.match(inner.strip())
    return match.group(1) if match else None


def is_qualifier(inner: str) -> bool:
    """Whether every word of the text only says how a model was used (``pre-trained on
    ImageNet``, ``fine-tuned``)."""
    words = re.findall(r"[^\W_]+", inner.casefold())
    return bool(words) and all(w in _QUALIFIER_WORDS for w in words)


def strip_qualifiers(text: str) -> str:
    """``'pre-trained ResNet-50 model'`` -> ``'ResNet-50'``."""
    stripped = _LEADING_QUALIFIER.sub("", text.strip())
    return _TRAILING_GENERIC.sub("", stripped).strip()


def _word_starts(long: str) -> set[int]:
    starts = set()
    for index, char in enumerate(long):
        if not char.isalnum():
            continue
        before = long[index - 1] if index else ""
        if (
            not before.isalnum()
            or (char.isupper() and before.islower())
            or (char.isdigit() != before.isdigit())
        ):
            starts.add(index)
    return starts


def abbreviates(short: str, long: str) -> bool:
    """Whether ``short`` is an abbreviation of ``long``, by Schwartz and Hearst's algorithm
    (PSB 2003): the short form's letters and digits appear in order in the long form, read
    from the end, its first character starting a word of the long form (here: its first
    word), and the long form has no more words than the short form can stand for. Kept
    here because it is twenty lines, while the libraries that ship it (scispaCy) bring a
    language pipeline with them.

    ``SAM`` abbreviates ``Segment Anything Model`` and ``CBAM`` ``Convolutional Block
    Attention Module``; ``BioBERT`` does not abbreviate ``BERT``.
    """
    chars = [c.casefold() for c in short if c.isalnum()]
    long = long.strip()
    long_chars = [c for c in long if c.isalnum()]
    if not 2 <= len(chars) <= 10 or not chars[0].isalpha() or len(chars) >= len(long_chars):
        return False
    words = [w for w in long.split() if any(c.isalnum() for c in w)]  # 'Pre-trained' is one
    if len(words) > min(len(chars) + 5, 2 * len(chars)):
        return False
    if long_chars[0].casefold() != chars[0]:
        return False
    if "".join(chars) in "".join(long_chars).casefold():
        return False  # a name inside a longer one ('BERT' in 'BioBERT') abbreviates nothing
    starts = _word_starts(long)
    position = len(long) - 1
    for index in range(len(chars) - 1, -1, -1):
        wanted = chars[index]
        while position >= 0 and (
            long[position].casefold() != wanted or (index == 0 and position not in starts)
        ):
            position -= 1
        if position < 0:
            return False
        position -= 1
    # Every word of the long form but small ones should give the short form a character:
    # 'Segment Anything Model' for 'SM' is not an abbreviation of the three words.
    initials = [long[i].casefold() for i in sorted(starts)]
    significant = [w for w in words if w.casefold() not in _SMALL_WORDS]
    return len(chars) >= len(significant) and sum(1 for c in initials if c in chars) >= min(
        len(significant), len(chars)
    )
