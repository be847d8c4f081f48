"""Where the ontology, shapes, canned queries and data files are.

In an installed distribution they sit in ``kg/_resources``; in a source checkout
they are the top-level ``ontology/`` and ``queries/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    installed = _PACKAGE_DIR / "_resources" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def ontology_dir() -> Path:
    return _resource_dir("ontology")


def ontology_file() -> Path:
    return ontology_dir() / "ptmkg.ttl"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def queries_dir() -> Path:
    return _resource_dir("queries")


def data_file(name: str) -> Path:
    return _PACKAGE_DIR / "data" / name
