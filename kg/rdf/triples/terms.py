"""N-Triples terms as text, and the buffer every part of a source's graph writes to."""

from __future__ import annotations

import re
from typing import IO

from kg.rdf.namespaces import PTM, RDF, XSD

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
SAFE_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
"""IRIs taken from source data must be plain absolute IRIs; anything else is not written."""

TYPE = f"<{RDF}type>"
WIKIDATA = "http://www.wikidata.org/entity/"
#: Distinct venues and fields whose quad endings a buffer keeps (a corpus has few).
_CACHED_ENDINGS = 65_536


def literal(text: str) -> str:
    """An N-Triples string literal."""
    # Most text needs no escaping; four scans in C are cheaper than translate().
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.translate(_ESCAPES) + '"'
    return '"' + text + '"'


def typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{XSD}{datatype}>'


def boolean(value: bool) -> str:
    return typed("true" if value else "false", "boolean")


def p(term: str, namespace: str = PTM) -> str:
    return f"<{namespace}{term}>"


class QuadLines:
    """The quads of the record being written, in one named graph, sent out in one write.

    Every part writer of a source's graph appends whole N-Quads lines here; :meth:`flush`
    writes them to ``out`` at once, so a record's quads are never half-written.
    """

    def __init__(self, out: IO[str], graph: str) -> None:
        self.out = out
        self.graph = graph
        self.end = f" {graph} .\n"
        self.lines: list[str] = []
        self.put = self.lines.append
        self.count = 0
        self._endings: dict[tuple[str, str], str] = {}

    def emit(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"{subject} {predicate} {obj}{self.end}")

    def emit_text(self, subject: str, predicate: str, text: str | None) -> None:
        """A string literal, if there is any text: an empty or missing value is no triple."""
        if text:
            self.lines.append(f"{subject} {predicate} {literal(text)}{self.end}")

    def ending(self, predicate: str, iri: str) -> str:
        """What follows the subject in a quad whose object is an IRI, kept for repeated ones."""
        ending = self._endings.get((predicate, iri))
        if ending is None:
            ending = f" {predicate} <{iri}>{self.end}"
            if len(self._endings) < _CACHED_ENDINGS:
                self._endings[predicate, iri] = ending
        return ending

    def flush(self) -> None:
        lines = self.lines
        if lines:
            # A triple said twice in one write is stored once: count what is stored.
            distinct = dict.fromkeys(lines)
            self.out.write("".join(distinct))
            self.count += len(distinct)
            lines.clear()
