"""ptmkg: a knowledge graph of how science reuses pre-trained deep learning models.

The library is the product; the ``ptmkg`` command is a thin skin over it::

    from pathlib import Path
    import kg

    store = kg.EmbeddedStore(Path("my-store"))
    report = kg.build(store, [Path("annotations.csv")])
    print(kg.stats(store).summary)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each public name and where it lives. They are imported on first use (PEP 562), so
# `import kg` and the command line start without loading the RDF, SHACL and network
# libraries a command does not need.
_EXPORTS: dict[str, tuple[str, str]] = {
    "BooleanResult": ("kg.query.results", "BooleanResult"),
    "BuildReport": ("kg.pipeline", "BuildReport"),
    "DEFAULT_BASE_IRI": ("kg.rdf.namespaces", "DEFAULT_BASE_IRI"),
    "EmbeddedStore": ("kg.stores.embedded", "EmbeddedStore"),
    "EndpointError": ("kg.stores.remote", "EndpointError"),
    "EndpointSettings": ("kg.stores.remote", "EndpointSettings"),
    "GraphResult": ("kg.query.results", "GraphResult"),
    "GraphStore": ("kg.stores.embedded", "GraphStore"),
    "IriMinter": ("kg.rdf.iris", "IriMinter"),
    "ModelResolver": ("kg.models.names", "ModelResolver"),
    "PARAMETER_TYPES": ("kg.query.parameters", "PARAMETER_TYPES"),
    "PREFIXES": ("kg.rdf.namespaces", "PREFIXES"),
    "PtmkgError": ("kg.errors", "PtmkgError"),
    "NotUnionDefaultGraph": ("kg.stores.remote", "NotUnionDefaultGraph"),
    "PushMismatch": ("kg.stores.push", "PushMismatch"),
    "PushProgress": ("kg.stores.push", "PushProgress"),
    "PushReport": ("kg.stores.push", "PushReport"),
    "QueryResult": ("kg.query.named", "QueryResult"),
    "RESULT_FORMATS": ("kg.query.results", "RESULT_FORMATS"),
    "ReadOnlyServer": ("kg.stores.serve", "ReadOnlyServer"),
    "RemoteStore": ("kg.stores.remote", "RemoteStore"),
    "SourceError": ("kg.errors", "SourceError"),
    "SourceReport": ("kg.pipeline", "SourceReport"),
    "SparqlSyntaxError": ("kg.query.sparql", "SparqlSyntaxError"),
    "Stats": ("kg.query.stats", "Stats"),
    "StoreInUseError": ("kg.errors", "StoreInUseError"),
    "StrictBuildError": ("kg.errors", "StrictBuildError"),
    "UpdateRefused": ("kg.query.sparql", "UpdateRefused"),
    "UpdateResult": ("kg.query.results", "UpdateResult"),
    "ValidationReport": ("kg.query.validate", "ValidationReport"),
    "build": ("kg.pipeline", "build"),
    "build_report": ("kg.report.document", "build_report"),
    "default_store_path": ("kg.stores.embedded", "default_store_path"),
    "execute_sparql": ("kg.query.sparql", "execute"),
    "get_query": ("kg.query.named", "get_query"),
    "load_queries": ("kg.query.named", "load_queries"),
    "network": ("kg.networks.graph", "network"),
    "network_stats": ("kg.networks.statistics", "network_stats"),
    "normalize_doi": ("kg.read.values", "normalize_doi"),
    "parse_assignments": ("kg.query.parameters", "parse_assignments"),
    "prepare_query": ("kg.query.named", "prepare_query"),
    "push": ("kg.stores.push", "push"),
    "rich_table": ("kg.query.results", "rich_table"),
    "run_query": ("kg.query.named", "run_query"),
    "run_sparql": ("kg.query.named", "run_sparql"),
    "stats": ("kg.query.stats", "stats"),
    "validate": ("kg.query.validate", "validate"),
    "write_network": ("kg.networks.formats", "write_network"),
    "write_report": ("kg.report.document", "write_report"),
    "write_result": ("kg.query.results", "write_result"),
}

__all__ = [
    "DEFAULT_BASE_IRI",
    "PARAMETER_TYPES",
    "PREFIXES",
    "RESULT_FORMATS",
    "BooleanResult",
    "BuildReport",
    "EmbeddedStore",
    "EndpointError",
    "EndpointSettings",
    "GraphResult",
    "GraphStore",
    "IriMinter",
    "ModelResolver",
    "NotUnionDefaultGraph",
    "PtmkgError",
    "PushMismatch",
    "PushProgress",
    "PushReport",
    "QueryResult",
    "ReadOnlyServer",
    "RemoteStore",
    "SourceError",
    "SourceReport",
    "SparqlSyntaxError",
    "Stats",
    "StoreInUseError",
    "StrictBuildError",
    "UpdateRefused",
    "UpdateResult",
    "ValidationReport",
    "build",
    "build_report",
    "default_store_path",
    "execute_sparql",
    "get_query",
    "load_queries",
    "network",
    "network_stats",
    "normalize_doi",
    "parse_assignments",
    "prepare_query",
    "push",
    "rich_table",
    "run_query",
    "run_sparql",
    "stats",
    "validate",
    "write_network",
    "write_report",
    "write_result",
]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'kg' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from kg.errors import PtmkgError, SourceError, StoreInUseError, StrictBuildError
    from kg.models.names import ModelResolver
    from kg.networks.formats import write_network
    from kg.networks.graph import network
    from kg.networks.statistics import network_stats
    from kg.pipeline import BuildReport, SourceReport, build
    from kg.query.named import (
        QueryResult,
        get_query,
        load_queries,
        prepare_query,
        run_query,
        run_sparql,
    )
    from kg.query.parameters import PARAMETER_TYPES, parse_assignments
    from kg.query.results import (
        RESULT_FORMATS,
        BooleanResult,
        GraphResult,
        UpdateResult,
        rich_table,
        write_result,
    )
    from kg.query.sparql import SparqlSyntaxError, UpdateRefused
    from kg.query.sparql import execute as execute_sparql
    from kg.query.stats import Stats, stats
    from kg.query.validate import ValidationReport, validate
    from kg.rdf.iris import IriMinter
    from kg.rdf.namespaces import DEFAULT_BASE_IRI, PREFIXES
    from kg.read.values import normalize_doi
    from kg.report.document import build_report, write_report
    from kg.stores.embedded import EmbeddedStore, GraphStore, default_store_path
    from kg.stores.push import PushMismatch, PushProgress, PushReport, push
    from kg.stores.remote import (
        EndpointError,
        EndpointSettings,
        NotUnionDefaultGraph,
        RemoteStore,
    )
    from kg.stores.serve import ReadOnlyServer
