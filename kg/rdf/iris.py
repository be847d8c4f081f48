"""The one place where IRIs are minted (DOIs are normalised in :mod:`kg.read.values`).

Every node ptmkg writes gets its IRI here, so the same paper, model or source
always gets the same IRI, whichever importer saw it and however often a build
runs. IRIs carry no blank nodes and no timestamps: two builds of the same input
give the same graph.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote

from kg.rdf.namespaces import DEFAULT_BASE_IRI

# Characters kept as they are in the path of a DOI IRI; everything else is
# percent-encoded (so '#', '?', '%', '<', '"', spaces and non-ASCII are safe).
_DOI_SAFE = "/:;()"


#: Names of the graphs ptmkg writes itself: the model registry and the link commands'.
#: A source (named by its file) may not take one, or it would replace that graph, and a
#: command that replaces or drops the system graph would replace or drop the source.
SYSTEM_SOURCE_NAMES = frozenset({"model-registry", "link-openalex", "link-wikidata"})


# Letters, digits and the characters quote() keeps as they are with safe=_DOI_SAFE.
_NEEDS_NO_QUOTING = re.compile(r"[A-Za-z0-9_.~/:;()-]*")


def _quote_doi(doi: str) -> str:
    # Most DOIs need no escaping; quote() costs a few microseconds on each of millions.
    return doi if _NEEDS_NO_QUOTING.fullmatch(doi) else quote(doi, safe=_DOI_SAFE)


def doi_url(doi: str) -> str:
    """The doi.org IRI of a normalised DOI."""
    return "https://doi.org/" + _quote_doi(doi)


def name_key(name: str) -> str:
    """A spelling-insensitive key: case, spaces, hyphens and punctuation removed.

    ``ResNet-50``, ``resnet50`` and ``ResNet 50`` share the key ``resnet50``.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def slug(name: str) -> str:
    """A readable IRI segment: lower case words joined by hyphens."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    words = re.findall(r"\w+", folded)
    return "-".join(w.replace("_", "-") for w in words) or "unnamed"


@functools.lru_cache(maxsize=4096)
def _venue_segment(name: str) -> str:
    # A corpus names few venues, each on many papers; slugging every time was costly.
    return quote(slug(name), safe="-")


@dataclass(frozen=True)
class IriMinter:
    """Mints the IRIs of instance data under one base IRI."""

    base: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+[/#]$", self.base):
            raise ValueError(f"base IRI {self.base!r} must be an absolute IRI ending in '/' or '#'")

    def paper(self, doi: str) -> str:
        return f"{self.base}paper/{_quote_doi(doi)}"

    def openalex_paper(self, work: str) -> str:
        """The IRI of a paper known only by its OpenAlex work (``https://openalex.org/W...``
        or ``W...``). DOIs start with ``10.``, so it never meets a DOI's IRI."""
        return f"{self.base}paper/openalex/{work.rsplit('/', 1)[-1]}"

    def identified_paper(self, identifier: str) -> str:
        """The IRI of a paper without a DOI that its source identifies (an ``id`` column:
        a preprint server's id, a review number). Never meets a DOI's IRI either."""
        return f"{self.base}paper/id/{quote(identifier.strip(), safe='')}"

    def file_paper(self, name: str, title: str | None) -> str:
        """The IRI of a paper known only by its article's file name and its title (a draft
        without a DOI): readable from the name, told apart by a digest of both, since drafts
        of different papers are often all called ``paper.xml``."""
        identity = "\x1f".join((name, title or ""))
        digest = hashlib.sha1(identity.encode("utf-8")).hexdigest()[:12]
        stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
        return f"{self.base}paper/file/{quote(slug(stem), safe='-')}-{digest}"

    def paper_of(
        self,
        doi: str | None,
        openalex_work: str | None,
        *,
        identifier: str | None = None,
        file_name: str | None = None,
        title: str | None = None,
    ) -> str:
        """A paper's IRI: from its DOI when it has one, else from its OpenAlex work, else
        from the identifier its source gives, else from its file's name and title."""
        if doi:
            return self.paper(doi)
        if openalex_work:
            return self.openalex_paper(openalex_work)
        if identifier:
            return self.identified_paper(identifier)
        if file_name:
            return self.file_paper(file_name, title)
        raise ValueError("a paper needs a DOI, an OpenAlex work, an identifier or a file")

    def doi_of_paper(self, iri: str) -> str:
        prefix = f"{self.base}paper/"
        if not iri.startswith(prefix) or iri.startswith(
            tuple(f"{prefix}{kind}/" for kind in ("openalex", "id", "file"))
        ):
            raise ValueError(f"{iri} is not the IRI of a paper's DOI under {self.base}")
        return unquote(iri[len(prefix) :])

    def authorship(self, paper: str, position: int, author: str) -> str:
        """One author's place in one paper's author list."""
        identity = "\x1f".join((paper, str(position), author))
        digest = hashlib.sha1(identity.encode("utf-8")).hexdigest()[:20]
        return f"{self.base}authorship/{digest}"

    def model(self, key: str) -> str:
        return f"{self.base}model/{quote(key, safe='')}"

    def venue(self, name: str) -> str:
        return f"{self.base}venue/{_venue_segment(name)}"

    def source(self, name: str) -> str:
        return f"{self.base}source/{quote(name, safe='')}"

    def analysis(self, source_name: str, doi: str, kind: str) -> str:
        identity = "\x1f".join((source_name, doi, kind))
        digest = hashlib.sha1(identity.encode("utf-8")).hexdigest()[:20]
        return f"{self.base}analysis/{digest}"

    def link(self, subject: str, target: str, method: str) -> str:
        """A link between one of our nodes and an outside item, found one way."""
        identity = "\x1f".join((subject, target, method))
        digest = hashlib.sha1(identity.encode("utf-8")).hexdigest()[:20]
        return f"{self.base}link/{digest}"

    def reuse(self, source_name: str, doi: str, model_key: str, pattern: str | None) -> str:
        identity = "\x1f".join((source_name, doi, model_key, pattern or ""))
        digest = hashlib.sha1(identity.encode("utf-8")).hexdigest()[:20]
        return f"{self.base}reuse/{digest}"
