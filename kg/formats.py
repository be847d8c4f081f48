"""One registry pattern for every kind of format ptmkg reads or writes.

Each kind (input sources, query results, RDF serialisations, networks, synthetic
corpora) has one :class:`Registry` of :class:`Format` records: a name, the file
extensions that mean it, an optional sniff function over a file's first bytes, and the
implementation as a ``"module:attribute"`` path imported only when the format is used,
so that importing :mod:`kg` never loads openpyxl, matplotlib or pyarrow.

The choice of a format follows one convention everywhere (:meth:`Registry.choose`):
an explicit name wins, else the file's extension, else the kind's default; an unknown
name or extension is refused with the list of known ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import PtmkgError

SNIFF_BYTES = 8192
"""How much of a file's start a sniff function sees."""


class UnknownFormat(PtmkgError):
    """A format name or file extension that the registry does not know."""


@dataclass(frozen=True)
class Format:
    """One format: what it is called, how it is recognised, where its code is."""

    name: str
    extensions: tuple[str, ...] = ()
    implementation: str = ""
    """``"package.module:attribute"``, imported on first use."""
    description: str = ""
    sniff: Callable[[bytes], bool] | None = None
    """True when a file's first :data:`SNIFF_BYTES` bytes are in this format."""
    options: dict[str, Any] = field(default_factory=dict)
    """Fixed settings passed to the implementation (a media type, an engine format)."""

    def load(self) -> Any:
        """The implementation, imported now."""
        module_name, _, attribute = self.implementation.partition(":")
        if not module_name or not attribute:
            raise PtmkgError(f"format {self.name!r} has no implementation")
        return getattr(importlib.import_module(module_name), attribute)


class Registry:
    """The formats of one kind, looked up by name, extension or content."""

    def __init__(self, kind: str, formats: tuple[Format, ...] = (), default: str | None = None):
        self.kind = kind
        self._formats: dict[str, Format] = {}
        self.default = default
        for each in formats:
            self.register(each)

    def register(self, fmt: Format) -> Format:
        if fmt.name in self._formats:
            raise ValueError(f"{self.kind} {fmt.name!r} is registered twice")
        self._formats[fmt.name] = fmt
        return fmt

    def __iter__(self) -> Iterator[Format]:
        return iter(self._formats.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _normal(name) in self._formats

    def __len__(self) -> int:
        return len(self._formats)

    def names(self) -> list[str]:
        return list(self._formats)

    def listing(self) -> str:
        return ", ".join(self._formats)

    def get(self, name: str) -> Format:
        """The format called ``name`` (case and a leading dot do not matter)."""
        found = self._formats.get(_normal(name))
        if found is None:
            raise UnknownFormat(f"unknown {self.kind} {name!r}: choose one of {self.listing()}")
        return found

    def for_path(self, path: Path | str) -> Format | None:
        """The format that a file's extension names, the longest match first."""
        name = Path(path).name.lower()
        best: tuple[int, Format] | None = None
        for fmt in self._formats.values():
            for extension in fmt.extensions:
                if name.endswith(extension) and (best is None or len(extension) > best[0]):
                    best = (len(extension), fmt)
        return best[1] if best else None

    def sniff(self, head: bytes) -> Format | None:
        """The first format whose sniff function accepts these leading bytes."""
        for fmt in self._formats.values():
            if fmt.sniff is not None and fmt.sniff(head):
                return fmt
        return None

    def choose(self, name: str | None = None, path: Path | str | None = None) -> Format:
        """The format for an output: ``name`` if given, else ``path``'s extension, else
        the default; an unknown name or extension is refused with the known ones."""
        if name:
            return self.get(name)
        if path is not None and Path(path).suffix:
            found = self.for_path(path)
            if found is None:
                extensions = ", ".join(
                    extension for fmt in self._formats.values() for extension in fmt.extensions
                )
                raise UnknownFormat(
                    f"cannot tell the {self.kind} from {Path(path).name!r}: use an extension "
                    f"({extensions}) or name one of {self.listing()}"
                )
            return found
        if self.default is None:
            raise UnknownFormat(f"name the {self.kind}: one of {self.listing()}")
        return self._formats[self.default]


def _normal(name: str) -> str:
    return name.strip().lower().lstrip(".")


def read_head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """A file's first bytes, for sniffing."""
    with path.open("rb") as handle:
        return handle.read(size)
