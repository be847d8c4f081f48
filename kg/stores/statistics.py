"""Prepared statistics: the counts the slow canned queries group, computed once per write.

At a million papers the canned queries that count distinct papers per field, year, pattern
or stage take seconds: the engine scans millions of triples and hashes every paper. So
every write transaction of an embedded store (a build, ``sparql --update``, ``sources
drop``, a link) ends by computing those counts once, for every value each query's
parameters can take, and writes them as RDF into a small store of their own beside the
generation's database (``<generation>/ptmkg-statistics``, graph
:data:`STATISTICS_GRAPH`, vocabulary ``ontology/statistics.ttl``). A canned query that has
a prepared form (``queries/prepared/NAME.rq``) then reads its grouped counts there
instead of computing them: the same joins to labels, the same shares and the same order,
over a few thousand cells instead of millions of triples.

The statistics never outlive the database they describe: they sit inside its generation
folder, a new generation gets new ones, and they record a fingerprint of the database's
files (names and sizes). A reader compares that fingerprint with the files it opens; any
write to the database (even by another tool) changes the files, and the query is
answered live, saying why (:func:`open_statistics`). An in-memory store counts its write
transactions instead.

Each grouped count is computed the way the live query's grouping defines it (distinct
tuples per group; filters per reuse instance where the live query tests the reuse), and
``tests/test_statistics.py`` compares every prepared query with its live query for every
parameter value on the hand-counted graphs and a synthetic corpus.
"""

from __future__ import annotations

import os
import re
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from kg.rdf.namespaces import (
    PATTERN,
    PREFIXES,
    PTM,
    RDF,
    RDFS,
    SKOS,
    XSD,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

STATISTICS_GRAPH = "https://w3id.org/ptmkg/statistics"
PSTAT = "https://w3id.org/ptmkg/statistics#"
#: Where the prepared queries find each group of cells (see :func:`group_iri`).
GROUPS = "https://w3id.org/ptmkg/statistics/"
#: The statistics store's folder inside a generation's database folder.
STATISTICS_FOLDER = "ptmkg-statistics"
#: The member of every dimension that stands for "all values" (a parameter left out).
ALL = ox.NamedNode(PSTAT + "all")
#: The canned queries the statistics answer (each has ``queries/prepared/NAME.rq``).
PREPARED_QUERIES = (
    "corpus-summary",
    "labels-outside-vocabulary",
    "model-by-field",
    "models-in-field",
    "papers-by-field",
    "pattern-by-field",
    "reuse-by-year",
    "stage-by-field",
    "top-models",
)

_GRAPH = ox.NamedNode(STATISTICS_GRAPH)
_STATISTICS = ox.NamedNode(STATISTICS_GRAPH)  # the graph describes itself
_INTEGER = ox.NamedNode(XSD + "integer")
_CELL = ox.NamedNode(PSTAT + "cell")
_INTEGER_TEXT = re.compile(r"^[+-]?[0-9]+$")
_DATABASE_LOGS = ("LOG", "LOCK")  # RocksDB's own log and lock: no data in them


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(PSTAT + name)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INTEGER)


# ------------------------------------------------------------------ fingerprints


def database_fingerprint(folder: Path) -> str:
    """The names and sizes of a database folder's data files: any write changes them."""
    entries = sorted(
        f"{entry.name}:{entry.stat().st_size}"
        for entry in os.scandir(folder)
        if entry.is_file() and not entry.name.startswith(_DATABASE_LOGS)
    )
    return " ".join(entries)


# ------------------------------------------------------------------ reading the facts


def _select(store: ox.Store, sparql: str) -> Iterator[ox.QuerySolution]:
    solutions = store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return iter(solutions)


def _pairs(store: ox.Store, sparql: str) -> dict[Term, set[Term]]:
    found: dict[Term, set[Term]] = defaultdict(set)
    for solution in _select(store, sparql):
        found[solution[0]].add(solution[1])
    return found


def _year(published: Term) -> int | None:
    """``xsd:integer(STR(?published))``, as the live queries compute a year."""
    text = published.value if isinstance(published, ox.Literal) else None
    return int(text) if text is not None and _INTEGER_TEXT.match(text) else None


#: The papers the reuse counts need the fields, years and rules of: those with a reuse
#: instance and those flagged as reusing PTMs (a few percent of a corpus).
_REUSE_PAPERS = """
  { SELECT DISTINCT ?paper WHERE {
      { ?reuse ptm:inPaper ?paper } UNION { ?paper ptm:reusesPretrainedModels true }
  } }
"""


@dataclass
class _Facts:
    """The reuse instances and what the counts need of their papers, as sets of terms."""

    paper_of: dict[Term, set[Term]]
    model_of: dict[Term, set[Term]]
    pattern_of: dict[Term, set[Term]]
    stage_of: dict[Term, set[Term]]
    fields: dict[Term, set[Term]]
    years: dict[Term, set[Term]]
    rules: dict[Term, set[Term]]
    ptm_papers: set[Term]
    rule_values: set[Term] = field(default_factory=set)
    vocabulary_patterns: list[Term] = field(default_factory=list)


def _read_facts(store: ox.Store) -> _Facts:
    def of_reuse_papers(predicate: str) -> dict[Term, set[Term]]:
        return _pairs(
            store,
            f"SELECT ?paper ?value WHERE {{ {_REUSE_PAPERS} ?paper {predicate} ?value }}",
        )

    facts = _Facts(
        paper_of=_pairs(store, "SELECT ?r ?p WHERE { ?r ptm:inPaper ?p }"),
        model_of=_pairs(store, "SELECT ?r ?m WHERE { ?r ptm:reusedModel ?m }"),
        pattern_of=_pairs(store, "SELECT ?r ?t WHERE { ?r ptm:reusePattern ?t }"),
        stage_of=_pairs(store, "SELECT ?r ?s WHERE { ?r ptm:impactStage ?s }"),
        fields=of_reuse_papers("ptm:hasField"),
        years=of_reuse_papers("fabio:hasPublicationYear"),
        rules=of_reuse_papers("ptm:meetsNaturalScienceRule"),
        ptm_papers={
            s[0] for s in _select(store, "SELECT ?p WHERE { ?p ptm:reusesPretrainedModels true }")
        },
    )
    rules = "SELECT DISTINCT ?rule WHERE { ?p ptm:meetsNaturalScienceRule ?rule }"
    facts.rule_values = {s[0] for s in _select(store, rules)}
    patterns = "SELECT DISTINCT ?pattern WHERE { ?pattern a ptm:ReusePattern }"
    facts.vocabulary_patterns = sorted(
        {s[0] for s in _select(store, patterns)}
        | {t for found in facts.pattern_of.values() for t in found},
        key=str,
    )
    return facts


def _instances(facts: _Facts) -> Iterator[tuple[Term, Term, Term]]:
    """(reuse, paper, model) for every reuse instance with a paper and a model."""
    for reuse, papers in facts.paper_of.items():
        for model in facts.model_of.get(reuse, ()):
            for paper in papers:
                yield reuse, paper, model


# ------------------------------------------------------------------ the cells


def group_iri(slice_name: str, keys: tuple[Term, ...]) -> ox.NamedNode:
    """The node holding one query's cells for one combination of parameter members, as
    the prepared queries mint it: ``IRI(CONCAT(..., ENCODE_FOR_URI(STR(?key)), ...))``."""
    parts = [slice_name, *(quote(str(k.value), safe="") for k in keys)]  # type: ignore[union-attr]
    return ox.NamedNode(GROUPS + "/".join(parts))


_GROUP_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)#@group[ \t]+(?P<slice>[a-z-]+)(?P<names>.*)$", re.M
)


def bind_group(text: str, terms: dict[str, list[ox.NamedNode | ox.Literal]]) -> str | None:
    """A prepared query's ``#@group SLICE PARAMETER...`` line as ``VALUES ?group { <...> }``:
    the node holding its cells for the parameters' values ("all" for a parameter left out).
    None when a parameter has several values (the query is then answered live)."""
    found = _GROUP_MARKER.search(text)
    if found is None:
        raise ValueError("a prepared query names its cells' group with #@group")
    keys: list[Term] = []
    for name in found.group("names").split():
        values = terms.get(name, [])
        if len(values) > 1:
            return None
        keys.append(values[0] if values else ALL)
    group = group_iri(found.group("slice"), tuple(keys))
    values_block = f"{found.group('indent')}VALUES ?group {{ {group} }}"
    return text[: found.start()] + values_block + text[found.end() :]


@dataclass
class _Cells:
    quads: list[ox.Quad] = field(default_factory=list)
    groups: dict[tuple, ox.NamedNode] = field(default_factory=dict)

    def add(
        self, slice_name: str, keys: tuple[Term, ...], values: dict[str, Term | int | None]
    ) -> None:
        group = self.groups.get((slice_name, keys))
        if group is None:
            group = self.groups[slice_name, keys] = group_iri(slice_name, keys)
        cell = ox.BlankNode()
        quads = self.quads
        quads.append(ox.Quad(group, _CELL, cell, _GRAPH))
        for name, value in values.items():
            if value is None:
                continue  # an unbound value: no triple, as the live query leaves it unbound
            term = _integer(value) if isinstance(value, int) else value
            quads.append(ox.Quad(cell, _p(name), term, _GRAPH))


def _keys(values: Iterable[Term]) -> list[Term]:
    """A dimension's members for one fact: each of its values, and "all"."""
    return [*values, ALL]


def _pattern_by_field(facts: _Facts, cells: _Cells) -> None:
    rows = {
        (f, p, m, t)
        for reuse, p, m in _instances(facts)
        for t in facts.pattern_of.get(reuse, ())
        for f in facts.fields.get(p, ())
    }
    groups: dict[tuple, list[Term]] = defaultdict(list)
    totals: dict[Term, int] = defaultdict(int)
    for f, p, _m, t in rows:
        groups[f, t].append(p)
        totals[f] += 1
    for (f, t), papers in groups.items():
        cells.add(
            "pattern-by-field",
            (),
            {
                "field": f,
                "pattern": t,
                "reuseInstances": len(papers),
                "papers": len(set(papers)),
                "total": totals[f],
            },
        )


def _with_pattern_keys(facts: _Facts, reuse: Term) -> list[Term]:
    """The pattern members a reuse instance counts under: its patterns (EXISTS), and all."""
    return _keys(facts.pattern_of.get(reuse, ()))


def _stage_by_field(facts: _Facts, cells: _Cells) -> None:
    staged: set[tuple] = set()
    pairs: set[tuple] = set()
    for reuse, p, m in _instances(facts):
        for key in _with_pattern_keys(facts, reuse):
            for f in facts.fields.get(p, ()):
                pairs.add((key, f, p, m))
                for s in facts.stage_of.get(reuse, ()):
                    staged.add((key, f, s, p, m))
    groups: dict[tuple, list[Term]] = defaultdict(list)
    for key, f, s, p, _m in staged:
        groups[key, f, s].append(p)
    totals: dict[tuple, int] = defaultdict(int)
    for key, f, _p, _m in pairs:
        totals[key, f] += 1
    for (key, f, s), papers in groups.items():
        cells.add(
            "stage-by-field",
            (key,),
            {
                "field": f,
                "stage": s,
                "modelReuses": len(papers),
                "papers": len(set(papers)),
                "total": totals[key, f],
            },
        )


def _model_by_field(facts: _Facts, cells: _Cells) -> None:
    groups: dict[tuple, set[Term]] = defaultdict(set)
    for reuse, p, m in _instances(facts):
        for key in _with_pattern_keys(facts, reuse):
            for f in facts.fields.get(p, ()):
                groups[key, m, f].add(p)
    for (key, m, f), papers in groups.items():
        cells.add("model-by-field", (key,), {"model": m, "field": f, "papers": len(papers)})


def _optional_patterns(facts: _Facts, reuse: Term) -> list[Term | None]:
    """OPTIONAL { ?reuse ptm:reusePattern ?reuse_pattern }: each pattern, or one unbound."""
    return list(facts.pattern_of.get(reuse, ())) or [None]


_PATTERN_COLUMNS = {
    ox.NamedNode(PATTERN + "conceptual"): "conceptual",
    ox.NamedNode(PATTERN + "adaptation"): "adaptation",
    ox.NamedNode(PATTERN + "deployment"): "deployment",
}


def _models_in_field(facts: _Facts, cells: _Cells) -> None:
    rows = {
        (f, p, m, t)
        for reuse, p, m in _instances(facts)
        for t in _optional_patterns(facts, reuse)
        for f in facts.fields.get(p, ())
    }
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for f, p, m, t in rows:
        groups[f, m].append((p, t))
    for (f, m), found in groups.items():
        values: dict[str, Term | int | None] = {
            "model": m,
            "papers": len({p for p, _t in found}),
            "reuseInstances": len(found),
        }
        for term, column in _PATTERN_COLUMNS.items():
            values[column] = sum(1 for _p, t in found if t == term)
        cells.add("models-in-field", (f,), values)


def _member_rows(facts: _Facts, with_year: bool) -> set[tuple]:
    """Distinct (field, pattern, rule members, year, paper, model, pattern) of every reuse
    instance: the rows top-models and reuse-by-year count, under every member they meet
    (a field or rule filter is EXISTS on the paper; a pattern filter keeps the rows whose
    OPTIONAL pattern equals it)."""
    rows: set[tuple] = set()
    for reuse, p, m in _instances(facts):
        years = [_year(y) for y in facts.years.get(p, ())] if with_year else [None]
        field_keys = _keys(facts.fields.get(p, ()))
        rule_keys = _keys(facts.rules.get(p, ()))
        for t in _optional_patterns(facts, reuse):
            pattern_keys = [ALL] if t is None else [t, ALL]
            for year in years:
                for fk in field_keys:
                    for rk in rule_keys:
                        for tk in pattern_keys:
                            rows.add((fk, tk, rk, year, p, m, t))
    return rows


def _top_models(facts: _Facts, cells: _Cells) -> None:
    groups: dict[tuple, dict[Term, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for fk, tk, rk, _year, p, m, _t in _member_rows(facts, with_year=False):
        groups[fk, tk, rk][m].append(p)
    for (fk, tk, rk), models in groups.items():
        papers = {m: len(set(found)) for m, found in models.items()}
        ascending = sorted(papers.values())
        for m, found in models.items():
            # one more than the number of models reused by more papers
            rank = 1 + len(ascending) - bisect_right(ascending, papers[m])
            cells.add(
                "top-models",
                (fk, tk, rk),
                {"model": m, "papers": papers[m], "reuseInstances": len(found), "rank": rank},
            )


def _reuse_by_year(store: ox.Store, facts: _Facts, cells: _Cells) -> bool:
    """reuse-by-year's three groupings; False when a year is not an integer (the live
    query then groups an unbound year, which the prepared form does not reproduce)."""
    # Papers per year: every paper, so the engine counts them, once per member pair.
    groupings = {
        (False, False): "",
        (True, False): "?paper ptm:hasField ?field .",
        (False, True): "?paper ptm:meetsNaturalScienceRule ?rule .",
        (True, True): "?paper ptm:hasField ?field ; ptm:meetsNaturalScienceRule ?rule .",
    }
    papers: dict[tuple, int] = {}
    for (by_field, by_rule), pattern in groupings.items():
        if by_rule and not facts.rule_values:
            continue
        keys = " ".join(k for k, on in (("?field", by_field), ("?rule", by_rule)) if on)
        sparql = f"""
            SELECT {keys} ?year (COUNT(DISTINCT ?paper) AS ?papers) WHERE {{
              {{ SELECT ?paper WHERE {{ ?paper a ptm:Paper }} }}
              {{ SELECT ?paper ?published WHERE {{ ?paper fabio:hasPublicationYear ?published }} }}
              {pattern}
              BIND(xsd:integer(STR(?published)) AS ?year)
            }}
            GROUP BY {keys} ?year
        """
        for solution in _select(store, sparql):
            year = solution["year"]
            if year is None:
                return False
            fk = solution["field"] if by_field else ALL
            rk = solution["rule"] if by_rule else ALL
            papers[fk, rk, int(year.value)] = int(solution["papers"].value)
    # PTM papers per year: the few papers flagged as reusing PTMs.
    patterns_of_paper: dict[Term, set[Term]] = defaultdict(set)
    for reuse, found in facts.paper_of.items():
        for p in found:
            patterns_of_paper[p].update(facts.pattern_of.get(reuse, ()))
    ptm_papers: dict[tuple, set[Term]] = defaultdict(set)
    for p in facts.ptm_papers:
        for published in facts.years.get(p, ()):
            year = _year(published)
            if year is None:
                return False
            for fk in _keys(facts.fields.get(p, ())):
                for rk in _keys(facts.rules.get(p, ())):
                    for tk in _keys(patterns_of_paper.get(p, ())):
                        ptm_papers[fk, tk, rk, year].add(p)
    # Reuse instances and models per year.
    instances: dict[tuple, list[Term]] = defaultdict(list)
    for fk, tk, rk, year, _p, m, _t in _member_rows(facts, with_year=True):
        if year is None:
            return False
        instances[fk, tk, rk, year].append(m)
    # One cell per year of the papers' counts, for every pattern member: a pattern leaves
    # the year's papers as they are and counts only its own reuse.
    for tk in [*facts.vocabulary_patterns, ALL]:
        for (fk, rk, year), count in papers.items():
            reused = instances.get((fk, tk, rk, year), [])
            cells.add(
                "reuse-by-year",
                (fk, tk, rk),
                {
                    "year": year,
                    "papers": count,
                    "ptmPapers": len(ptm_papers.get((fk, tk, rk, year), ())),
                    "reuseInstances": len(reused),
                    "models": len(set(reused)),
                },
            )
    return True


def _papers_by_field(store: ox.Store, facts: _Facts, cells: _Cells) -> None:
    """Distinct papers per field (and rule): every paper, so the engine counts them."""
    flags = {
        "papers": "",
        "dlPapers": "{ SELECT DISTINCT ?paper WHERE { ?paper ptm:usesDeepLearning true } }",
        "ptmPapers": "{ SELECT DISTINCT ?paper WHERE { ?paper ptm:reusesPretrainedModels true } }",
    }
    counts: dict[tuple, dict[str, int]] = defaultdict(dict)
    for by_rule in (False, True):
        if by_rule and not facts.rule_values:
            continue
        rule = "?paper ptm:meetsNaturalScienceRule ?rule ." if by_rule else ""
        keys = "?rule ?field" if by_rule else "?field"
        for measure, flag in flags.items():
            sparql = f"""
                SELECT {keys} (COUNT(DISTINCT ?paper) AS ?n) WHERE {{
                  ?paper ptm:hasField ?field .
                  {flag}
                  {rule}
                }}
                GROUP BY {keys}
            """
            for solution in _select(store, sparql):
                key = (solution["rule"] if by_rule else ALL, solution["field"])
                counts[key][measure] = int(solution["n"].value)
    for (rk, f), measures in counts.items():
        cells.add(
            "papers-by-field",
            (rk,),
            {
                "field": f,
                "papers": measures["papers"],
                "dlPapers": measures.get("dlPapers", 0),
                "ptmPapers": measures.get("ptmPapers", 0),
            },
        )


def _corpus_summary(store: ox.Store, facts: _Facts, cells: _Cells) -> None:
    """corpus-summary's paper counts from the engine (a scan each), the rest from the
    reuse instances: the live query's definitions, one by one."""
    counts = {}
    for column, sparql in {
        "papers": """SELECT (COUNT(DISTINCT ?work) AS ?n) WHERE {
              ?paper a ptm:Paper .
              OPTIONAL { ?doi_paper owl:sameAs ?paper }
              BIND(COALESCE(?doi_paper, ?paper) AS ?work) }""",
        "dlPapers": "SELECT (COUNT(DISTINCT ?paper) AS ?n) WHERE "
        "{ ?paper ptm:usesDeepLearning true }",
        "ptmPapers": "SELECT (COUNT(DISTINCT ?paper) AS ?n) WHERE "
        "{ ?paper ptm:reusesPretrainedModels true }",
    }.items():
        counts[column] = int(next(_select(store, sparql))["n"].value)
    models = {m for found in facts.model_of.values() for m in found}
    with_pattern = {
        (p, m, t) for reuse, p, m in _instances(facts) for t in facts.pattern_of.get(reuse, ())
    }
    patterned = {(p, m) for p, m, _t in with_pattern}
    without = {(p, m) for _r, p, m in _instances(facts)} - patterned
    cells.add(
        "corpus-summary",
        (),
        {
            **counts,
            "models": len(models),
            "reuseInstances": len(with_pattern),
            "withoutPattern": len(without),
            "modelReuses": len(with_pattern) + len(without),
        },
    )


def _labels_outside_vocabulary(store: ox.Store, cells: _Cells) -> None:
    """The live query's few rows, stored as they are (it reads only the rare labels)."""
    from kg.resources import queries_dir

    text = (queries_dir() / "labels-outside-vocabulary.rq").read_text(encoding="utf-8")
    for solution in _select(store, text):
        cells.add(
            "labels-outside-vocabulary",
            (),
            {
                "kind": solution["kind"],
                "label": solution["label"],
                "modelReuses": solution["model_reuses"],
                "papers": solution["papers"],
            },
        )


#: What the prepared queries join their counts to, copied quad by quad (each in its graph,
#: so a label two graphs assert joins twice, as in the live query).
_LABELS = (
    (None, SKOS + "prefLabel", None),
    (None, SKOS + "notation", None),
    (None, PTM + "isNaturalScience", None),
    (None, RDF + "type", PTM + "PretrainedModel"),
)


def _label_quads(store: ox.Store) -> Iterator[ox.Quad]:
    for subject, predicate, obj in _LABELS:
        yield from store.quads_for_pattern(
            subject, ox.NamedNode(predicate), ox.NamedNode(obj) if obj else None
        )
    for solution in _select(store, "SELECT DISTINCT ?model WHERE { ?model a ptm:PretrainedModel }"):
        yield from store.quads_for_pattern(solution[0], ox.NamedNode(RDFS + "label"), None)


# ------------------------------------------------------------------ writing and reading


@dataclass
class Statistics:
    """A store's prepared statistics, or why there are none to use."""

    store: ox.Store | None
    answers: frozenset[str]
    reason: str  # why they are used, or why not


def compute(store: ox.Store) -> tuple[list[ox.Quad], frozenset[str], float]:
    """The statistics quads of a database, the queries they answer, and the seconds taken."""
    started = time.perf_counter()
    facts = _read_facts(store)
    cells = _Cells()
    answers = set(PREPARED_QUERIES)
    _pattern_by_field(facts, cells)
    _stage_by_field(facts, cells)
    _model_by_field(facts, cells)
    _models_in_field(facts, cells)
    _top_models(facts, cells)
    _papers_by_field(store, facts, cells)
    year_cells = _Cells()
    if _reuse_by_year(store, facts, year_cells):
        cells.quads.extend(year_cells.quads)
    else:
        answers.discard("reuse-by-year")
    _corpus_summary(store, facts, cells)
    _labels_outside_vocabulary(store, cells)
    quads = cells.quads
    quads.extend(_label_quads(store))
    return quads, frozenset(answers), time.perf_counter() - started


def write(target: ox.Store, quads: list[ox.Quad], answers: frozenset[str], seconds: float) -> None:
    """Fill an empty statistics store (its fingerprint is added by :func:`seal`)."""
    target.bulk_extend(quads)
    described = [
        ox.Quad(_STATISTICS, ox.NamedNode(RDF + "type"), _p("Statistics"), _GRAPH),
        ox.Quad(
            _STATISTICS,
            _p("seconds"),
            ox.Literal(f"{seconds:.3f}", datatype=ox.NamedNode(XSD + "decimal")),
            _GRAPH,
        ),
    ]
    described += [ox.Quad(_STATISTICS, _p("answers"), ox.Literal(a), _GRAPH) for a in answers]
    target.bulk_extend(described)


def seal(target: ox.Store, fingerprint: str) -> None:
    """Record what the statistics were computed from (the last write to them)."""
    target.add(ox.Quad(_STATISTICS, _p("fingerprint"), ox.Literal(fingerprint), _GRAPH))
    target.flush()


def prepare(database: ox.Store, folder: Path | None) -> ox.Store:
    """Compute a database's statistics into a new store (on disk in ``folder``)."""
    quads, answers, seconds = compute(database)
    target = ox.Store(str(folder)) if folder is not None else ox.Store()
    write(target, quads, answers, seconds)
    return target


def describe(statistics: ox.Store) -> tuple[str | None, frozenset[str]]:
    """The fingerprint a statistics store records, and the queries it answers."""
    fingerprint = None
    answers: set[str] = set()
    for quad in statistics.quads_for_pattern(_STATISTICS, None, None, _GRAPH):
        if not isinstance(quad.object, ox.Literal):
            continue
        if quad.predicate == _p("fingerprint"):
            fingerprint = quad.object.value
        elif quad.predicate == _p("answers"):
            answers.add(quad.object.value)
    return fingerprint, frozenset(answers)


def check(statistics: ox.Store | None, fingerprint: str, what: str) -> Statistics:
    """Whether ``statistics`` describe the database whose fingerprint is ``fingerprint``."""
    if statistics is None:
        return Statistics(None, frozenset(), f"no prepared statistics for {what}")
    recorded, answers = describe(statistics)
    if recorded != fingerprint:
        return Statistics(
            None,
            frozenset(),
            f"the prepared statistics of {what} are stale (the graph changed after they "
            f"were computed)",
        )
    return Statistics(statistics, answers, f"prepared statistics of {what}, fresh")


__all__ = [
    "ALL",
    "PREPARED_QUERIES",
    "PSTAT",
    "STATISTICS_FOLDER",
    "STATISTICS_GRAPH",
    "Statistics",
    "check",
    "compute",
    "database_fingerprint",
    "prepare",
    "seal",
]
