"""Linking the graph to outside scholarly graphs: OpenAlex and Wikidata.

Each link command asks an outside service about the papers and models already
in the graph and writes what it learns into its own named graph
(``<base>source/link-openalex``, ``<base>source/link-wikidata``), which a rerun
replaces and which can be dropped without touching anything else. Answers are
cached on disk (see :mod:`kg.http`), so a rerun or a resumed run asks only what
it does not know yet.
"""

from kg.links.common import LinkProgress, default_cache_path
from kg.links.openalex import OPENALEX_API, OPENALEX_RATE, OpenAlexLinkReport, link_openalex
from kg.links.wikidata import (
    MODEL_CLASSES,
    WIKIDATA_MAIN,
    WIKIDATA_RATE,
    WIKIDATA_SCHOLARLY,
    WikidataLinkReport,
    drop_wikidata_links,
    link_wikidata,
)

__all__ = [
    "MODEL_CLASSES",
    "OPENALEX_API",
    "OPENALEX_RATE",
    "WIKIDATA_MAIN",
    "WIKIDATA_RATE",
    "WIKIDATA_SCHOLARLY",
    "LinkProgress",
    "OpenAlexLinkReport",
    "WikidataLinkReport",
    "default_cache_path",
    "drop_wikidata_links",
    "link_openalex",
    "link_wikidata",
]
