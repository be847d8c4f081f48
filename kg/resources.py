"""Where the ontology, shapes, canned queries and data files are.

They are package data of ``kg``, read through :mod:`importlib.resources`, so an
installed wheel, an editable install and a source checkout find them the same way.
In the checkout, ``kg/ontology`` and ``kg/queries`` are links to the top-level
``ontology/`` and ``queries/`` folders, which a wheel build copies into the package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _package_path(*parts: str) -> Path:
    return Path(str(files("kg").joinpath(*parts)))


def ontology_dir() -> Path:
    return _package_path("ontology")


def ontology_file() -> Path:
    return ontology_dir() / "ptmkg.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def queries_dir() -> Path:
    return _package_path("queries")


def data_file(name: str) -> Path:
    return _package_path("data", name)
