"""The model registry: well-known pre-trained models, their names and their identifiers.

``kg/data/model_registry.csv`` lists, one model a row: the canonical ``name``,
its ``aliases`` (separated by ``|``), ``family``, ``version``, ``version_of`` (the
model this one is a version, size or variant of: ``AlphaFold 2`` of ``AlphaFold``,
``ResNet-50`` of ``ResNet``), ``backbone`` (a model it wraps: ColabFold runs
AlphaFold 2), ``task``, ``year``, the DOI and OpenAlex id of the paper that
introduced it (``origin_doi``, ``origin_openalex``), its ``huggingface_id``, its
``wikidata_id`` and ``wikidata_class`` where verified (an id is left empty rather
than guessed; ``ptmkg link wikidata`` can find it), and ``sources``: where the
row's facts were taken from (``|``-separated, see README). Versions are rows of
their own, never aliases: an alias is another spelling of the same model.

Users extend or override the registry with files of the same shape, where only
``name`` is required: ``--aliases FILE`` or ``PTMKG_ALIASES``. A later file's row
for a model replaces the earlier one's non-empty cells. They are read as annotation
sheets are (:func:`kg.read.tables.open_table`): comma, semicolon or tab separated, with
a ``sep=`` line or a BOM, or XLSX, in UTF-8 unless an encoding is given.

The registry does two jobs: its names and aliases resolve model mentions
(:mod:`kg.models.names`), and its rows become the registry graph, which every
build loads.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from kg.defaults import SOURCE_ENCODING
from kg.errors import PtmkgError, SourceError
from kg.models.key import model_key
from kg.read.tables import open_table
from kg.read.values import InvalidDoi, normalize_doi
from kg.resources import data_file

ALIASES_ENV = "PTMKG_ALIASES"
REGISTRY_SOURCE_NAME = "model-registry"
_CHECKS = {
    "year": (re.compile(r"^\d{4}$"), "a four-digit year"),
    "sources": (re.compile(r"^[a-z0-9.-]+(\|[a-z0-9.-]+)*$"), "source names such as paper|timm"),
    "origin_openalex": (re.compile(r"^W\d+$"), "an OpenAlex work id such as W2163605009"),
    "huggingface_id": (re.compile(r"^[\w.-]+(/[\w.-]+)?$"), "a Hugging Face id such as org/name"),
    "wikidata_id": (re.compile(r"^Q\d+$"), "a Wikidata id such as Q28325009"),
    "wikidata_class": (re.compile(r"^Q\d+$"), "a Wikidata id such as Q17084460"),
}


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    aliases: tuple[str, ...] = ()
    family: str = ""
    version: str = ""
    version_of: str = ""
    backbone: str = ""
    task: str = ""
    year: str = ""
    origin_doi: str = ""
    origin_openalex: str = ""
    huggingface_id: str = ""
    wikidata_id: str = ""
    wikidata_class: str = ""
    sources: str = ""
    defined_in: str = field(default="", compare=False)  # 'file, line N' of its last row

    @property
    def key(self) -> str:
        return model_key(self.name)


_READ: dict[tuple[object, str], ModelRegistry] = {}


class ModelRegistry:
    """Registry entries by model key, and the key of every alias."""

    def __init__(self, files: Iterable[Path] = (), encoding: str = SOURCE_ENCODING) -> None:
        """The shipped registry, extended by ``files`` (read in ``encoding``)."""
        self.files = [data_file("model_registry.csv"), *(Path(f) for f in files)]
        self.encoding = encoding  # of the files added to the shipped registry
        self.entries: dict[str, RegistryEntry] = {}
        self.canonical: dict[str, str] = {}  # key of any spelling -> canonical name
        self._by_hub: dict[str, RegistryEntry] | None = None
        for path in self.files:
            self._load(path, SOURCE_ENCODING if path == self.files[0] else encoding)
        self._check_links()

    @classmethod
    def from_environment(
        cls, extra: Iterable[Path] = (), encoding: str = SOURCE_ENCODING
    ) -> ModelRegistry:
        """The registry with ``$PTMKG_ALIASES`` and ``extra``: read once per process while
        its files are unchanged (reading it took 48 ms, as long as the query a model
        parameter names at 10k papers)."""
        env = [Path(p) for p in os.environ.get(ALIASES_ENV, "").split(os.pathsep) if p]
        files = [*env, *extra]
        try:
            signature = tuple(
                (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
                for path in [data_file("model_registry.csv"), *map(Path, files)]
                for stat in [path.stat()]
            )
        except OSError:
            return cls(files, encoding)  # it says which file cannot be read
        key = (signature, encoding)
        found = _READ.get(key)
        if found is None:
            found = cls(files, encoding)
            _READ.clear()  # one registry: the files' last state
            _READ[key] = found
        return found

    def digest(self) -> str:
        digest = hashlib.sha256()
        for path in self.files:
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def entry(self, name: str) -> RegistryEntry | None:
        """The entry a name or alias denotes."""
        canonical = self.canonical.get(model_key(name))
        return self.entries[model_key(canonical)] if canonical is not None else None

    def _check_links(self) -> None:
        for entry in self.entries.values():
            for column in ("version_of", "backbone"):
                target = getattr(entry, column)
                if not target:
                    continue
                linked = self.entry(target)
                if linked is None:
                    raise PtmkgError(
                        f"{entry.defined_in}: {column} {target!r} is not a model of the registry "
                        f"(add a row for it)"
                    )
                if linked.key == entry.key:
                    raise PtmkgError(f"{entry.defined_in}: {entry.name!r} is its own {column}")

    def by_huggingface_id(self, hf_id: str) -> RegistryEntry | None:
        if self._by_hub is None:
            self._by_hub = {
                e.huggingface_id.casefold(): e for e in self.entries.values() if e.huggingface_id
            }
        return self._by_hub.get(hf_id.strip().casefold())

    def _load(self, path: Path, encoding: str) -> None:
        try:
            table = open_table(path, encoding)
            if "name" not in table.columns:
                raise PtmkgError(
                    f"{path}: a model registry or alias table needs a 'name' column (and 'aliases')"
                )
            for row in table.rows:
                if row.problem:
                    raise PtmkgError(f"{path}, line {row.line}: {row.problem}")
                self._add(path, row.line, row.values)
        except SourceError as exc:
            raise PtmkgError(f"{path}: cannot read alias table: {exc.reason}") from None

    def _add(self, path: Path, line: int, row: dict[str, str | None]) -> None:
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        name = cells.get("name", "")
        if not model_key(name):
            raise PtmkgError(f"{path}, line {line}: empty model name")
        for column, (pattern, expected) in _CHECKS.items():
            value = cells.get(column, "")
            if value and not pattern.match(value):
                raise PtmkgError(f"{path}, line {line}: {column} {value!r} is not {expected}")
        if cells.get("origin_doi"):
            try:
                cells["origin_doi"] = normalize_doi(cells["origin_doi"])
            except InvalidDoi as exc:
                raise PtmkgError(f"{path}, line {line}: origin_doi: {exc}") from None
        aliases = tuple(a.strip() for a in cells.get("aliases", "").split("|") if model_key(a))
        known = {f.name for f in fields(RegistryEntry)} - {"name", "aliases", "defined_in"}
        where = f"{path.name if path == self.files[0] else path}, line {line}"
        entry = RegistryEntry(
            name=name,
            aliases=aliases,
            defined_in=where,
            **{k: v for k, v in cells.items() if k in known},
        )
        previous = self.entries.get(entry.key)
        if previous is not None:
            entry = replace(
                previous,
                aliases=tuple(dict.fromkeys((*previous.aliases, *aliases))),
                defined_in=where,
                **{k: v for k, v in cells.items() if k in known and v},
            )
        self.entries[entry.key] = entry
        for spelling in (name, *aliases):
            self.canonical[model_key(spelling)] = entry.name
