"""ptmkg: a knowledge graph of how science reuses pre-trained deep learning models.

The library is the product; the ``ptmkg`` command is a thin skin over it::

    from pathlib import Path
    import kg

    store = kg.EmbeddedStore(Path("my-store"))
    report = kg.build(store, [Path("annotations.csv")])
    print(kg.stats(store).summary)
"""

from kg.build import BuildReport, SourceReport, build
from kg.errors import PtmkgError, SourceError, StoreInUseError, StrictBuildError
from kg.iris import IriMinter, normalize_doi
from kg.model_names import ModelResolver
from kg.namespaces import DEFAULT_BASE_IRI, PREFIXES
from kg.queries import QueryResult, get_query, load_queries, run_query, run_sparql
from kg.stats import Stats, stats
from kg.store import EmbeddedStore, GraphStore, default_store_path
from kg.validate import ValidationReport, validate

__all__ = [
    "DEFAULT_BASE_IRI",
    "PREFIXES",
    "BuildReport",
    "EmbeddedStore",
    "GraphStore",
    "IriMinter",
    "ModelResolver",
    "PtmkgError",
    "QueryResult",
    "SourceError",
    "SourceReport",
    "Stats",
    "StoreInUseError",
    "StrictBuildError",
    "ValidationReport",
    "build",
    "default_store_path",
    "get_query",
    "load_queries",
    "normalize_doi",
    "run_query",
    "run_sparql",
    "stats",
    "validate",
]
