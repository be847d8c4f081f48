"""ptmkg: a knowledge graph of how science reuses pre-trained deep learning models.

The library is the product; the ``ptmkg`` command is a thin skin over it::

    from pathlib import Path
    import kg

    store = kg.EmbeddedStore(Path("my-store"))
    report = kg.build(store, [Path("annotations.csv")])
    print(kg.stats(store).summary)
"""

from kg.errors import PtmkgError, SourceError, StoreInUseError, StrictBuildError
from kg.models.names import ModelResolver
from kg.networks.formats import write_network
from kg.networks.graph import network, network_stats
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
from kg.rdf.iris import IriMinter, normalize_doi
from kg.rdf.namespaces import DEFAULT_BASE_IRI, PREFIXES
from kg.report.document import build_report, write_report
from kg.stores.embedded import EmbeddedStore, GraphStore, default_store_path
from kg.stores.push import PushMismatch, PushReport, push
from kg.stores.remote import EndpointError, EndpointSettings, RemoteStore
from kg.stores.serve import ReadOnlyServer

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
    "PtmkgError",
    "PushMismatch",
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
