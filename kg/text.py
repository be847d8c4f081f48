"""Text that is safe to show on a terminal.

File names, zip member names and data can hold control characters: an ESC sequence
that clears the screen or recolours it, an OSC sequence that sets the window title or
writes to the clipboard, a bidirectional override that makes text read backwards.
Whatever ptmkg shows on a terminal passes through :func:`printable`, which writes each
such character as a visible escape (``\\x1b``, ``\\u202e``); files and pipes get the data
exactly.
"""

from __future__ import annotations

import html
import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every terminal control character written as a visible escape."""
    return _UNSAFE.sub(_visible, text)


# ------------------------------------------------------------------ Markdown

#: Characters Markdown (CommonMark and GitHub's tables and strikethrough) reads as markup
#: anywhere in a line: emphasis, code, links and images, table cells, escapes.
_MARKDOWN_MARKUP = re.compile(r"[\\`*_\[\]()!|~]")
#: Where GitHub-flavoured Markdown makes a link of bare text (``https://…``, ``www.…``).
_BARE_LINK = re.compile(r"(?<=:)(?=//)|(?<=\bwww)(?=\.)", re.IGNORECASE)


def markdown_text(text: str) -> str:
    """``text`` as Markdown inline text that reads as itself: never a link, an image,
    emphasis, code or a table cell's end.

    Whitespace runs (newlines included) become one space, so the text stays on its line;
    ``& < >`` become HTML entities, so no HTML tag or ``<…>`` autolink is formed; every
    markup character is escaped with a backslash; ``://`` and ``www.`` are broken by an
    escape so that a bare address is not made a link either.
    """
    text = html.escape(" ".join(text.split()), quote=False)
    text = _MARKDOWN_MARKUP.sub(r"\\\g<0>", text)
    return _BARE_LINK.sub(r"\\", text)


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span, shown exactly: inside one, nothing is markup (no
    escape or entity either), so it is fenced by more backticks than it holds in a row."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ------------------------------------------------------------------ spreadsheets

#: A cell a spreadsheet would read as a formula starts with one of these (OWASP's list).
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as a spreadsheet shows it but never runs it: a leading ``'``.

    A cell starting with ``= + - @``, a tab or a carriage return is read as a formula
    by Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, ``=cmd|...``); a
    leading apostrophe makes it text, and spreadsheets do not show the apostrophe.
    Numbers (``-5``, ``+1.5e3``) stay as they are. Cells already starting with
    apostrophes before such a character get one more, so :func:`spreadsheet_cell`
    gives every cell back exactly.
    """
    if _FORMULA_START.match(cell) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def spreadsheet_cell(cell: str) -> str:
    """The cell :func:`spreadsheet_safe` was given: one leading apostrophe removed where
    it added one."""
    if cell.startswith("'") and _FORMULA_START.match(cell, 1):
        return cell[1:]
    return cell
