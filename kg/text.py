"""Text that is safe to show on a terminal.

File names, zip member names and data can hold control characters: an ESC sequence
that clears the screen or recolours it, an OSC sequence that sets the window title or
writes to the clipboard, a bidirectional override that makes text read backwards.
Whatever ptmkg shows on a terminal passes through :func:`printable`, which writes each
such character as a visible escape (``\\x1b``, ``\\u202e``); files and pipes get the data
exactly.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every terminal control character written as a visible escape."""
    return _UNSAFE.sub(_visible, text)
