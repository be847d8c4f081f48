"""Every default the library and the command line share, defined once.

The modules that use a default import it from here, and so does ``cli.py`` for its
options and help texts: nothing here imports anything, so reading a default (and
starting the command line) loads none of the heavy libraries.
"""

from __future__ import annotations

#: The environment variable naming the store folder.
STORE_ENV = "PTMKG_STORE"
#: Where rejects files go unless a build is told otherwise.
REJECTS_DIR = "ptmkg-rejects"
#: Text encoding of CSV, TSV and JSON Lines sources.
SOURCE_ENCODING = "utf-8"
#: Processes (offline) or parallel questions (LLM) of an extraction.
EXTRACT_JOBS = 1
#: Rows of a ranking shown on a terminal.
TERMINAL_ROWS = 10

# ------------------------------------------------------------- HTTP (kg.http)

#: Statuses that mean "try again later", for every kind of request.
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
#: Tries after the first, for endpoints, links, federation and the LLM alike.
HTTP_RETRIES = 3
#: Seconds before the first retry; doubles for each one after.
HTTP_BACKOFF = 1.0
#: A server asking to wait longer than this (Retry-After) stops the run.
HTTP_MAX_WAIT = 120.0
#: Seconds per request: connect, send, each read.
HTTP_TIMEOUT = 60.0
#: Seconds an LLM may take for one answer.
LLM_TIMEOUT = 120.0

# ------------------------------------------------------------- links

OPENALEX_API = "https://api.openalex.org"
#: Requests per second to OpenAlex (its polite pool allows 10).
OPENALEX_RATE = 5.0
WIKIDATA_SCHOLARLY = "https://query-scholarly.wikidata.org/sparql"
WIKIDATA_MAIN = "https://query.wikidata.org/sparql"
#: Requests per second to Wikidata's query services.
WIKIDATA_RATE = 1.0
#: DOIs per OpenAlex request (its filter takes at most 100).
OPENALEX_BATCH = 50
#: DOIs, items or names per Wikidata query.
WIKIDATA_BATCH = 100

# ------------------------------------------------------------- servers

#: Triples per request when pushing a graph to a SPARQL server.
PUSH_BATCH_SIZE = 10_000
SERVE_HOST = "127.0.0.1"
SERVE_PORT = 7878

# ------------------------------------------------------------- outputs

#: A drawing's size in pixels (PNG, SVG).
DRAWING_WIDTH = 1200
DRAWING_HEIGHT = 900
REPORT_TITLE = "Pre-trained model reuse in science"
#: The ontology's documentation page.
ONTOLOGY_PAGE = "ontology.html"

# ------------------------------------------------------------- synthetic data

#: The study's v2 corpus size.
SYNTH_PAPERS = 17_718
SYNTH_SEED = 7
