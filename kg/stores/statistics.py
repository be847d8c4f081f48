"""Prepared statistics: the counts the slow canned queries group, computed once per write.

At a million papers the canned queries that count distinct papers per field, year, pattern
or stage take seconds: the engine scans millions of triples and hashes every paper. So
every write transaction of an embedded store (a build, ``sparql --update``, ``sources
drop``, a link) is followed by computing those counts once, for every value each query's
parameters can take, written as RDF into a small store of their own beside the
generation's database (``<generation>/ptmkg-statistics``, graph
:data:`STATISTICS_GRAPH`, vocabulary ``ontology/statistics.ttl``). On disk a process of
their own computes them after the generation is published (:mod:`kg.stores.preparing`);
a reader that needs them waits for it. A canned query that has
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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from kg.rdf.namespaces import (
    FABIO,
    PATTERN,
    PREFIXES,
    PTM,
    RDF,
    RDFS,
    SKOS,
    XSD,
)
from kg.stores.kept_answers import Keeping

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
    "co-reuse",
    "corpus-summary",
    "labels-outside-vocabulary",
    "model-by-field",
    "models",
    "models-in-field",
    "papers-by-field",
    "pattern-by-field",
    "ptm-papers-without-models",
    "ptm-share",
    "reuse-by-pattern",
    "reuse-by-stage",
    "reuse-by-year",
    "stage-by-field",
    "stage-by-pattern",
    "study-funnel",
    "top-models",
)

_GRAPH = ox.NamedNode(STATISTICS_GRAPH)
_STATISTICS = ox.NamedNode(STATISTICS_GRAPH)  # the graph describes itself
_ROWS = ox.NamedNode(PSTAT + "rows")
_KEPT_ROWS = ox.NamedNode(PSTAT + "keptRows")
#: The layout of the statistics this version writes; others' are answered live.
FORMAT = "3"
_INTEGER = ox.NamedNode(XSD + "integer")
_INTEGER_TEXT = re.compile(r"^[+-]?[0-9]+$")
_DATABASE_LOGS = ("LOG", "LOCK")  # RocksDB's own log and lock: no data in them


def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(PSTAT + name)


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
#: instance (either way round, or by the paper-to-model shortcut) and those flagged as
#: reusing PTMs (a few percent of a corpus).
_REUSE_PAPERS = """
  SELECT DISTINCT ?paper WHERE {
      { ?reuse ptm:inPaper ?paper } UNION { ?paper ptm:hasReuse ?reuse }
      UNION { ?paper ptm:reusesModel ?model } UNION { ?paper ptm:reusesPretrainedModels true }
  }
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
    reuses_of: dict[Term, set[Term]]  # ptm:hasReuse, from the paper
    models_of_paper: dict[Term, set[Term]]  # ptm:reusesModel
    rule_values: set[Term] = field(default_factory=set)
    vocabulary_patterns: list[Term] = field(default_factory=list)

    @cached_property
    def by_paper(self) -> dict[Term, list[tuple[Term, Term]]]:
        """Each paper's (reuse, model) pairs."""
        found: dict[Term, list[tuple[Term, Term]]] = defaultdict(list)
        for reuse, p, m in _instances(self):
            found[p].append((reuse, m))
        return found


def _read_facts(store: ox.Store) -> _Facts:
    # Looked up paper by paper: a few thousand look-ups cost less than joining the few
    # papers with a scan of every paper's fields.
    reuse_papers = [solution[0] for solution in _select(store, _REUSE_PAPERS)]

    def of_reuse_papers(predicate: str) -> dict[Term, set[Term]]:
        node = ox.NamedNode(predicate)
        found: dict[Term, set[Term]] = defaultdict(set)
        for paper in reuse_papers:
            for quad in store.quads_for_pattern(paper, node, None):
                found[paper].add(quad.object)
        return found

    facts = _Facts(
        paper_of=_pairs(store, "SELECT ?r ?p WHERE { ?r ptm:inPaper ?p }"),
        model_of=_pairs(store, "SELECT ?r ?m WHERE { ?r ptm:reusedModel ?m }"),
        pattern_of=_pairs(store, "SELECT ?r ?t WHERE { ?r ptm:reusePattern ?t }"),
        stage_of=_pairs(store, "SELECT ?r ?s WHERE { ?r ptm:impactStage ?s }"),
        fields=of_reuse_papers(PTM + "hasField"),
        years=of_reuse_papers(FABIO + "hasPublicationYear"),
        rules=of_reuse_papers(PTM + "meetsNaturalScienceRule"),
        ptm_papers={
            s[0] for s in _select(store, "SELECT ?p WHERE { ?p ptm:reusesPretrainedModels true }")
        },
        reuses_of=_pairs(store, "SELECT ?p ?r WHERE { ?p ptm:hasReuse ?r }"),
        models_of_paper=_pairs(store, "SELECT ?p ?m WHERE { ?p ptm:reusesModel ?m }"),
    )
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
    """The node holding one query's rows for one combination of parameter members: the
    query's name and each member's value, percent-encoded, ``pstat:all`` for "every"."""
    parts = [slice_name, *(quote(str(k.value), safe="") for k in keys)]  # type: ignore[union-attr]
    return ox.NamedNode(GROUPS + "/".join(parts))


_GROUP_MARKER = re.compile(r"^(?P<indent>[ \t]*)#@rows[ \t]+(?P<slice>[a-z-]+)(?P<names>.*)$", re.M)


def bind_rows(
    text: str, terms: dict[str, list[ox.NamedNode | ox.Literal]], statistics: ox.Store
) -> str | None:
    """A prepared query's ``#@rows SLICE PARAMETER...`` line replaced by the rows prepared
    for the parameters' values ("all" for a parameter left out), as a ``VALUES`` block; no
    rows when none were prepared for them (the live query has none either). None when a
    parameter has several values (the query is then answered live)."""
    found = _GROUP_MARKER.search(text)
    if found is None:
        raise ValueError("a prepared query names the rows it reads with #@rows")
    keys: list[Term] = []
    for name in found.group("names").split():
        values = terms.get(name, [])
        if len(values) > 1:
            return None
        keys.append(values[0] if values else ALL)
    group = group_iri(found.group("slice"), tuple(keys))
    rows = [q.object for q in statistics.quads_for_pattern(group, _ROWS, None, _GRAPH)]
    block = rows[0].value if rows and isinstance(rows[0], ox.Literal) else "VALUES () { }"
    # In a subquery of its own: Oxigraph joins a subquery's rows by hashing; inline, beside
    # the grouped label subqueries, it ran those once per row or spent seconds planning
    # (co-reuse's 23,000 rows at a million papers: 2 s, 0.4 s as a subquery).
    indent = found.group("indent")
    block = f"{{ SELECT * WHERE {{\n{block}\n{indent}}} }}"
    return text[: found.start()] + indent + block + text[found.end() :]


def _sparql_term(value: Term | int | None) -> str:
    """A value as a VALUES block writes it: a term in N-Triples syntax (which SPARQL reads
    as it is), an integer as its digits, UNDEF for an unknown count."""
    return "UNDEF" if value is None else str(value)


@dataclass
class _Cells:
    """Each group's rows (one query, one member of each of its parameters' dimensions),
    each row a mapping from the prepared query's variable names to values."""

    groups: dict[tuple, list[dict[str, Term | int | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(
        self, slice_name: str, keys: tuple[Term, ...], values: dict[str, Term | int | None]
    ) -> None:
        self.groups[slice_name, keys].append(values)

    def quads(self) -> Iterator[ox.Quad]:
        """One quad a group: its rows as the text of a SPARQL ``VALUES`` block (a few
        thousand quads at a million papers, where a quad per count made hundreds of
        thousands to write and join)."""
        for (slice_name, keys), rows in self.groups.items():
            columns = list(dict.fromkeys(name for row in rows for name in row))
            lines = [f"VALUES ({' '.join('?' + c for c in columns)}) {{"]
            lines += [
                "  (" + " ".join(_sparql_term(row.get(c)) for c in columns) + ")" for row in rows
            ]
            lines.append("}")
            text = ox.Literal("\n".join(lines))
            yield ox.Quad(group_iri(slice_name, keys), _ROWS, text, _GRAPH)


def _keys(values: Iterable[Term]) -> list[Term]:
    """A dimension's members for one fact: each of its values, and "all"."""
    return [*values, ALL]


def _tally(
    facts: _Facts,
    members: Callable[[Term], Iterable[tuple]],
    rows_of: Callable[[list[tuple[Term, Term]]], Counter[tuple]],
) -> tuple[Counter[tuple], Counter[tuple]]:
    """Rows and distinct papers per (member, key), a paper at a time: ``rows_of`` counts a
    paper's distinct rows per key from its (reuse, model) pairs, and they count under each
    member the paper meets (each field or rule filter is EXISTS on the paper). Counting a
    paper's rows before multiplying them by its fields was three to four times faster
    than a set of every (member, row) at a million papers."""
    rows: Counter[tuple] = Counter()
    papers: Counter[tuple] = Counter()
    for p, pairs in facts.by_paper.items():
        found = rows_of(pairs)
        if not found:
            continue
        for member in members(p):
            for key, count in found.items():
                rows[member, key] += count
                papers[member, key] += 1
    return rows, papers


def _member_keys(facts: _Facts, paper: Term) -> list[tuple[Term, Term]]:
    """The (field, rule) members a paper counts under, "all" among them."""
    rules = _keys(facts.rules.get(paper, ()))
    return [(fk, rk) for fk in _keys(facts.fields.get(paper, ())) for rk in rules]


def _field_keys(facts: _Facts, paper: Term) -> list[tuple[Term]]:
    """The field members a paper counts under, "all" among them."""
    return [(fk,) for fk in _keys(facts.fields.get(paper, ()))]


def _fields(facts: _Facts, paper: Term) -> list[tuple[Term]]:
    """The fields of a paper (queries that group by the field)."""
    return [(f,) for f in facts.fields.get(paper, ())]


def _with_pattern_keys(facts: _Facts, reuse: Term) -> list[Term]:
    """The pattern members a reuse instance counts under: its patterns (EXISTS), and all."""
    return _keys(facts.pattern_of.get(reuse, ()))


def _optional_patterns(facts: _Facts, reuse: Term) -> list[Term | None]:
    """OPTIONAL { ?reuse ptm:reusePattern ?reuse_pattern }: each pattern, or one unbound."""
    return list(facts.pattern_of.get(reuse, ())) or [None]


# A paper's distinct rows, counted per key, from its (reuse, model) pairs.


def _per_pattern(facts: _Facts, pairs: list[tuple[Term, Term]]) -> Counter[tuple]:
    """Distinct (model, pattern), the pattern joined: per (pattern,)."""
    found = {(m, t) for reuse, m in pairs for t in facts.pattern_of.get(reuse, ())}
    return Counter((t,) for _m, t in found)


def _per_pattern_member(facts: _Facts, pairs: list[tuple[Term, Term]]) -> Counter[tuple]:
    """Distinct models, under each pattern member (EXISTS on the reuse): per (member,)."""
    found = {(m, tk) for reuse, m in pairs for tk in _with_pattern_keys(facts, reuse)}
    return Counter((tk,) for _m, tk in found)


def _per_model_of_pattern_member(facts: _Facts, pairs: list[tuple[Term, Term]]) -> Counter[tuple]:
    """Distinct models under each pattern member (EXISTS): per (member, model)."""
    found = {(tk, m) for reuse, m in pairs for tk in _with_pattern_keys(facts, reuse)}
    return Counter(found)


def _per_stage_of_pattern_member(facts: _Facts, pairs: list[tuple[Term, Term]]) -> Counter[tuple]:
    """Distinct (model, stage) under each pattern member (EXISTS): per (member, stage)."""
    members: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
    for reuse, m in pairs:
        for s in facts.stage_of.get(reuse, ()):
            members[m, s].update(_with_pattern_keys(facts, reuse))
    return Counter((tk, s) for (_m, s), found in members.items() for tk in found)


def _per_optional_pattern(facts: _Facts, pairs: list[tuple[Term, Term]]) -> Counter[tuple]:
    """Distinct (model, pattern), the pattern OPTIONAL: per (model, pattern or None), and
    per (model,) for all its rows."""
    found = {(m, t) for reuse, m in pairs for t in _optional_patterns(facts, reuse)}
    counted: Counter[tuple] = Counter(found)
    counted.update((m,) for m, _t in found)
    return counted


def _pattern_by_field(facts: _Facts, cells: _Cells) -> None:
    rows, papers = _tally(facts, partial(_fields, facts), partial(_per_pattern, facts))
    totals: Counter[tuple] = Counter()
    for (member, _key), count in rows.items():
        totals[member] += count
    for ((f,), (t,)), count in rows.items():
        cells.add(
            "pattern-by-field",
            (),
            {
                "field": f,
                "pattern": t,
                "reuse_instances": count,
                "papers": papers[(f,), (t,)],
                "field_total": totals[f,],
            },
        )


def _stage_by_field(facts: _Facts, cells: _Cells) -> None:
    members = partial(_fields, facts)
    totals, _papers = _tally(facts, members, partial(_per_pattern_member, facts))
    rows, papers = _tally(facts, members, partial(_per_stage_of_pattern_member, facts))
    for ((f,), (tk, s)), count in rows.items():
        cells.add(
            "stage-by-field",
            (tk,),
            {
                "field": f,
                "stage": s,
                "model_reuses": count,
                "papers": papers[(f,), (tk, s)],
                "field_total": totals[(f,), (tk,)],
            },
        )


def _model_by_field(facts: _Facts, cells: _Cells) -> None:
    _rows, papers = _tally(
        facts, partial(_fields, facts), partial(_per_model_of_pattern_member, facts)
    )
    for ((f,), (tk, m)), count in papers.items():
        cells.add("model-by-field", (tk,), {"model": m, "field": f, "papers": count})


_PATTERN_COLUMNS = {
    ox.NamedNode(PATTERN + "conceptual"): "conceptual",
    ox.NamedNode(PATTERN + "adaptation"): "adaptation",
    ox.NamedNode(PATTERN + "deployment"): "deployment",
}


def _models_in_field(facts: _Facts, cells: _Cells) -> None:
    rows, papers = _tally(facts, partial(_fields, facts), partial(_per_optional_pattern, facts))
    for ((f,), key), count in rows.items():
        if len(key) != 1:
            continue
        (m,) = key
        values: dict[str, Term | int | None] = {
            "model": m,
            "papers": papers[(f,), key],
            "reuse_instances": count,
        }
        for term, column in _PATTERN_COLUMNS.items():
            values[column] = rows.get(((f,), (m, term)), 0)
        cells.add("models-in-field", (f,), values)


def _member_rows(facts: _Facts, with_year: bool) -> set[tuple]:
    """Distinct (field, pattern, rule members, year, paper, model, pattern) of every reuse
    instance: the rows reuse-by-year counts, under every member they meet (a field or
    rule filter is EXISTS on the paper; a pattern filter keeps the rows whose OPTIONAL
    pattern equals it)."""
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
    """Per field, pattern and rule member: each model's papers, its distinct (paper,
    model, pattern) rows (a pattern member keeps the rows whose OPTIONAL pattern is it),
    and its rank by papers."""
    found, papers = _tally(
        facts, partial(_member_keys, facts), partial(_per_optional_pattern, facts)
    )
    groups: dict[tuple, dict[Term, tuple[int, int]]] = defaultdict(dict)
    for ((fk, rk), key), count in found.items():
        if len(key) == 1:  # all the model's rows: the member "all" of the pattern
            groups[fk, ALL, rk][key[0]] = (papers[(fk, rk), key], count)
        elif key[1] is not None:
            groups[fk, key[1], rk][key[0]] = (papers[(fk, rk), key], count)
    for keys, models in groups.items():
        ascending = sorted(n for n, _count in models.values())
        for m, (n, count) in models.items():
            # one more than the number of models reused by more papers
            rank = 1 + len(ascending) - bisect_right(ascending, n)
            cells.add(
                "top-models",
                keys,
                {"model": m, "papers": n, "reuse_instances": count, "rank": rank},
            )


def _reuse_by_pattern(facts: _Facts, cells: _Cells) -> None:
    """Distinct (paper, model, pattern) per field and rule member: per pattern its rows
    and papers, and all the group's rows (the share's denominator)."""
    rows, papers = _tally(facts, partial(_member_keys, facts), partial(_per_pattern, facts))
    totals: Counter[tuple] = Counter()
    for (member, _key), count in rows.items():
        totals[member] += count
    for (member, (t,)), count in rows.items():
        cells.add(
            "reuse-by-pattern",
            member,
            {
                "pattern": t,
                "reuse_instances": count,
                "papers": papers[member, (t,)],
                "total": totals[member],
            },
        )


def _reuse_by_stage(facts: _Facts, cells: _Cells) -> None:
    """Distinct (paper, model, stage) per field, pattern (EXISTS on the reuse) and rule
    member: per stage its rows and papers."""
    rows, papers = _tally(
        facts, partial(_member_keys, facts), partial(_per_stage_of_pattern_member, facts)
    )
    for ((fk, rk), (tk, s)), count in rows.items():
        cells.add(
            "reuse-by-stage",
            (fk, tk, rk),
            {"stage": s, "model_reuses": count, "papers": papers[(fk, rk), (tk, s)]},
        )


def _per_stage_of_pattern(facts: _Facts, pairs: list[tuple[Term, Term]]) -> Counter[tuple]:
    """Distinct (pattern, stage, model), both joined: per (pattern, stage)."""
    found = {
        (t, s, m)
        for reuse, m in pairs
        for t in facts.pattern_of.get(reuse, ())
        for s in facts.stage_of.get(reuse, ())
    }
    return Counter((t, s) for t, s, _m in found)


def _stage_by_pattern(facts: _Facts, cells: _Cells) -> None:
    """Distinct (pattern, stage, paper, model) per field member, and per pattern its
    distinct (paper, model) pairs (the share's denominator)."""
    members = partial(_field_keys, facts)
    totals, _papers = _tally(facts, members, partial(_per_pattern, facts))
    rows, papers = _tally(facts, members, partial(_per_stage_of_pattern, facts))
    for ((fk,), (t, s)), count in rows.items():
        cells.add(
            "stage-by-pattern",
            (fk,),
            {
                "pattern": t,
                "stage": s,
                "model_reuses": count,
                "papers": papers[(fk,), (t, s)],
                "pattern_total": totals[(fk,), (t,)],
            },
        )


def _optional_pattern_rows(facts: _Facts) -> set[tuple[Term, Term, Term | None]]:
    """Distinct (paper, model, pattern) with the pattern OPTIONAL (None: unbound)."""
    return {
        (p, m, t) for reuse, p, m in _instances(facts) for t in _optional_patterns(facts, reuse)
    }


#: models lists the reused models and the backbones of reused models (its FILTER), and
#: each one's backbone label (its OPTIONAL subquery, as it is): a few dozen models.
_BACKBONES = """SELECT DISTINCT ?model WHERE {
  ?tool ptm:hasBackbone ?model . ?tool_reuse ptm:reusedModel ?tool }"""
_BACKBONE_LABELS = """SELECT ?model (MIN(STR(?backbone_name)) AS ?backbone_label) WHERE {
  ?model ptm:hasBackbone ?backbone . ?backbone rdfs:label ?backbone_name } GROUP BY ?model"""


def _models(store: ox.Store, facts: _Facts, cells: _Cells) -> bool:
    """Every model the live query lists, with its papers and reuse instances (0 for a
    backbone no paper reuses itself). False when a model is not an IRI (a VALUES block
    cannot hold a blank node)."""
    models = {m for found in facts.model_of.values() for m in found}
    models |= {s[0] for s in _select(store, _BACKBONES)}
    if not all(isinstance(m, ox.NamedNode) for m in models):
        return False
    labels = {s[0]: s[1] for s in _select(store, _BACKBONE_LABELS)}
    rows: dict[Term, list[Term]] = defaultdict(list)
    for p, m, _t in _optional_pattern_rows(facts):
        rows[m].append(p)
    for m in models:
        cells.add(
            "models",
            (),
            {
                "model": m,
                "backbone_label": labels.get(m),
                "papers": len(set(rows.get(m, ()))),
                "reuse_instances": len(rows.get(m, ())),
            },
        )
    return True


def _co_reuse(facts: _Facts, cells: _Cells) -> None:
    """Per field member, the distinct papers reusing each pair of models (ptm:reusesModel),
    the pair once, in the order of their IRIs (the STR() of anything else is an error or
    has no label: the live query drops it)."""
    papers: dict[tuple, int] = defaultdict(int)
    for p, found in facts.models_of_paper.items():
        models = sorted((m for m in found if isinstance(m, ox.NamedNode)), key=lambda m: m.value)
        fields = _keys(facts.fields.get(p, ()))
        for i, a in enumerate(models):
            for b in models[i + 1 :]:
                for fk in fields:
                    papers[fk, a, b] += 1
    for (fk, a, b), count in papers.items():
        cells.add("co-reuse", (fk,), {"model_a": a, "model_b": b, "papers": count})


# ------------------------------------------------------------------ the engine's counts
#
# Counts over every paper (a million at the largest) are the engine's: each is one scan
# and a hash set, run on worker threads (the engine lets go of Python's lock while it
# works) while this thread groups the few reuse instances.

#: Distinct papers per year, by field and by rule: reuse-by-year's paper counts. Look-ups
#: per field assignment, not hash joins: at a million papers the joins of every paper, its
#: year and its fields held 0.9 GiB (the look-ups 0.25 GiB, in twice the time).
_PAPERS_PER_YEAR = {
    (False, False): "",
    (True, False): "?paper ptm:hasField ?field .",
    (False, True): "?paper ptm:meetsNaturalScienceRule ?rule .",
    (True, True): "?paper ptm:hasField ?field ; ptm:meetsNaturalScienceRule ?rule .",
}

#: Per field (and rule): distinct papers, whether a source gives any of them the DL flag
#: (none: unknown), how many the PTM flag (the share's denominator; none: unknown), and
#: the papers flagged true. Three queries, each holding at most one set of distinct papers
#: over the field assignments: one pass with four COUNT(DISTINCT ...) held 2.0 GiB at a
#: million papers (2.65M field assignments), the papers' set alone 0.27 GiB. (The counts of
#: flags that are true are the live query's sums of IF(?flag, 1, 0) when every flag is the
#: boolean true or false: see :func:`_flags_are_booleans`.)
_FIELD_MEASURES = {
    "papers": """SELECT KEYS (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
      ?paper ptm:hasField ?field .
      RULE
    }
    GROUP BY KEYS""",
    "dl": """SELECT KEYS (COUNT(?dl_flag) AS ?dl_known) (COUNT(DISTINCT ?dl) AS ?dl_papers)
    WHERE {
      ?paper ptm:usesDeepLearning ?dl_flag ; ptm:hasField ?field .
      RULE
      BIND(IF(?dl_flag, ?paper, ?nothing) AS ?dl)
    }
    GROUP BY KEYS""",
    "ptm": """SELECT KEYS (COUNT(DISTINCT ?paper) AS ?ptm_known)
           (COUNT(DISTINCT ?ptm) AS ?ptm_papers)
    WHERE {
      ?paper ptm:reusesPretrainedModels ?ptm_flag ; ptm:hasField ?field .
      RULE
      BIND(IF(?ptm_flag, ?paper, ?nothing) AS ?ptm)
    }
    GROUP BY KEYS""",
}

#: A paper and the works it is (itself, or each DOI paper owl:sameAs it): the live
#: queries count works this way.
_WORK = """
      OPTIONAL { SELECT ?paper ?doi_paper WHERE { ?doi_paper owl:sameAs ?paper } }
      BIND(COALESCE(?doi_paper, ?paper) AS ?work)"""

#: Counts over every paper: corpus-summary's works, ptm-share's papers, study-funnel's
#: cited works (one pass: the owl:sameAs join is hashed once), and per flag the papers a
#: source flags true, whether any source gives it, and how many flags are neither the
#: boolean true nor false.
_CORPUS_MEASURES = {
    "papers": f"""SELECT ?kind (COUNT(DISTINCT ?work) AS ?works) (COUNT(DISTINCT ?typed) AS ?n)
    WHERE {{
      {{ ?paper a ptm:Paper . BIND("all" AS ?kind) BIND(?paper AS ?typed) }}
      UNION
      {{ ?paper ptm:citedByCount ?cited . FILTER(?cited > 0) BIND("cited" AS ?kind) }}
      {_WORK}
    }}
    GROUP BY ?kind""",
    **{
        measure: f"""SELECT (COUNT(DISTINCT ?flagged) AS ?n) (COUNT(?flag) AS ?flags)
               (SUM(?odd) AS ?odd_flags) WHERE {{
          ?paper {predicate} ?flag .
          BIND(IF(?flag, ?paper, ?nothing) AS ?flagged)
          BIND(IF(sameTerm(?flag, true) || sameTerm(?flag, false), 0, 1) AS ?odd)
        }}"""
        for measure, predicate in (
            ("dl_papers", "ptm:usesDeepLearning"),
            ("ptm_papers", "ptm:reusesPretrainedModels"),
        )
    },
    # ptm-share's papers flagged true for both, the DL papers hash-joined to the few PTM
    # papers (a look-up per PTM paper took ten times as long).
    "dl_ptm_papers": """SELECT (COUNT(DISTINCT ?paper) AS ?n) WHERE {
      ?paper ptm:reusesPretrainedModels true .
      { SELECT ?paper WHERE { ?paper ptm:usesDeepLearning true } } }""",
}

#: study-funnel's counts per natural-science rule: the works meeting it, and the papers
#: among them that a source says use deep learning.
_RULE_MEASURES = f"""
    SELECT ?rule (COUNT(DISTINCT ?work) AS ?works) (COUNT(DISTINCT ?dl) AS ?dl_papers) WHERE {{
      ?paper ptm:meetsNaturalScienceRule ?rule .
      {_WORK}
      OPTIONAL {{ SELECT ?paper (true AS ?dl_true) WHERE {{ ?paper ptm:usesDeepLearning true }} }}
      BIND(IF(BOUND(?dl_true), ?paper, ?nothing) AS ?dl)
    }}
    GROUP BY ?rule
"""


def _engine_queries(with_rules: bool) -> dict[tuple, str]:
    """Every count over all papers, keyed by what it counts, the longest first (two
    worker threads take them in this order)."""
    queries: dict[tuple, str] = {}
    for by_rule in (False, True) if with_rules else (False,):
        rule = (
            "{ SELECT ?paper ?rule WHERE { ?paper ptm:meetsNaturalScienceRule ?rule } }"
            if by_rule
            else ""
        )
        keys = "?rule ?field" if by_rule else "?field"
        for part, sparql in _FIELD_MEASURES.items():
            queries["field", by_rule, part] = sparql.replace("KEYS", keys).replace("RULE", rule)
    for (by_field, by_rule), pattern in _PAPERS_PER_YEAR.items():
        if by_rule and not with_rules:
            continue
        keys = " ".join(k for k, on in (("?field", by_field), ("?rule", by_rule)) if on)
        queries["year", by_field, by_rule] = f"""
            SELECT {keys} ?year (COUNT(DISTINCT ?paper) AS ?n) WHERE {{
              {pattern}
              ?paper fabio:hasPublicationYear ?published .
              ?paper a ptm:Paper .
              BIND(xsd:integer(STR(?published)) AS ?year)
            }}
            GROUP BY {keys} ?year
        """
    for measure, sparql in _CORPUS_MEASURES.items():
        queries["corpus", measure] = sparql
    if with_rules:
        queries["rule",] = _RULE_MEASURES
    return queries


def _solutions(store: ox.Store, sparql: str) -> list[dict[str, Term]]:
    solutions = store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    found: list[dict[str, Term]] = []
    for solution in solutions:
        found.append({n: solution[i] for i, n in enumerate(names) if solution[i] is not None})
    return found


_Counts = dict[tuple, list[dict[str, Term]]]


def _reuse_by_year(facts: _Facts, counts: _Counts, cells: _Cells) -> bool:
    """reuse-by-year's three groupings; False when a year is not an integer (the live
    query then groups an unbound year, which the prepared form does not reproduce)."""
    papers: dict[tuple, int] = {}
    for key, solutions in counts.items():
        if key[0] != "year":
            continue
        _kind, by_field, by_rule = key
        for solution in solutions:
            published = solution.get("year")
            if not isinstance(published, ox.Literal):
                return False
            fk = solution["field"] if by_field else ALL
            rk = solution["rule"] if by_rule else ALL
            papers[fk, rk, int(published.value)] = int(solution["n"].value)  # type: ignore[union-attr]
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
                    "ptm_papers": len(ptm_papers.get((fk, tk, rk, year), ())),
                    "reuse_instances": len(reused),
                    "models": len(set(reused)),
                },
            )
    return True


def _integer(solution: dict[str, Term], name: str) -> int:
    return int(solution[name].value)  # type: ignore[union-attr]


def _flags_are_booleans(counts: _Counts) -> bool:
    """Whether every DL and PTM flag is the boolean true or false: only then is a count
    of the papers flagged true the live queries' sum of IF(?flag, 1, 0) (another value
    is true, false or an error as its type says)."""
    return all(
        _integer(counts["corpus", measure][0], "odd_flags") == 0
        for measure in ("dl_papers", "ptm_papers")
    )


def _known(count: int, known: int) -> int | None:
    """A count of flagged papers, or unknown (None) when no source gives the flag."""
    return count if known else None


def _field_measures(counts: _Counts, by_rule: bool) -> list[dict[str, Term]]:
    """The three field-measure queries' rows joined on their keys (a field no paper of
    which has a flag has no row in that flag's query: its counts are zero)."""
    zero = ox.Literal("0", datatype=_INTEGER)
    joined: dict[tuple, dict[str, Term]] = {}
    for solution in counts["field", by_rule, "papers"]:
        key = (solution.get("rule"), solution["field"])
        joined[key] = {
            **solution,
            **{n: zero for n in ("dl_known", "dl_papers", "ptm_known", "ptm_papers")},
        }
    for part in ("dl", "ptm"):
        for solution in counts["field", by_rule, part]:
            joined[solution.get("rule"), solution["field"]].update(solution)
    return list(joined.values())


def _papers_by_field(counts: _Counts, cells: _Cells) -> None:
    """Distinct papers per field (and rule), with its DL and PTM papers where known."""
    for by_rule in sorted({key[1] for key in counts if key[0] == "field"}):
        for solution in _field_measures(counts, by_rule):
            ptm_known = _integer(solution, "ptm_known")
            cells.add(
                "papers-by-field",
                (solution["rule"] if by_rule else ALL,),
                {
                    "field": solution["field"],
                    "papers": _integer(solution, "papers"),
                    "dl_papers": _known(
                        _integer(solution, "dl_papers"), _integer(solution, "dl_known")
                    ),
                    "ptm_papers": _known(_integer(solution, "ptm_papers"), ptm_known),
                    "ptm_known": ptm_known or None,
                },
            )


def _papers(counts: _Counts, kind: str, count: str) -> int:
    """A count of the corpus papers query (0 where it has no row of that kind)."""
    found = [s for s in counts["corpus", "papers"] if s["kind"] == ox.Literal(kind)]
    return _integer(found[0], count) if found else 0


def _flagged(counts: _Counts, measure: str) -> int | None:
    """The papers a source flags true, or unknown (None) when no source gives the flag."""
    found = counts["corpus", measure][0]
    return _known(_integer(found, "n"), _integer(found, "flags"))


def _corpus_summary(facts: _Facts, counts: _Counts, cells: _Cells) -> None:
    """corpus-summary's paper counts from the engine (a scan each), the rest from the
    reuse instances: the live query's definitions, one by one."""
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
            "papers": _papers(counts, "all", "works"),
            "dl_papers": _flagged(counts, "dl_papers"),
            "ptm_papers": _flagged(counts, "ptm_papers"),
            "models": len(models),
            "reuse_instances": len(with_pattern),
            "without_pattern": len(without),
            "model_reuses": len(with_pattern) + len(without),
        },
    )


def _ptm_share(counts: _Counts, cells: _Cells) -> None:
    """ptm-share's four counts of distinct papers (its shares are the prepared query's)."""
    cells.add(
        "ptm-share",
        (),
        {
            "all": _papers(counts, "all", "n"),
            "dl": _flagged(counts, "dl_papers") or 0,
            "ptm": _flagged(counts, "ptm_papers") or 0,
            "dl_ptm": _integer(counts["corpus", "dl_ptm_papers"][0], "n"),
        },
    )


def _study_funnel(facts: _Facts, counts: _Counts, cells: _Cells) -> None:
    """study-funnel's counts for each rule its parameter allows (zero where no paper meets
    it), the PTM papers by both of its ways of counting them."""
    from kg.resources import queries_dir

    # The values the rule parameter declares, read from the query's header (the query
    # layer sits above the stores, so its parser is not imported here).
    header = (queries_dir() / "study-funnel.rq").read_text(encoding="utf-8")
    declared = re.search(r"^# param: rule \S+ .*?values=(\S+)", header, re.M)
    assert declared is not None
    allowed = declared.group(1).split("|")
    per_rule = {s["rule"]: s for s in counts.get(("rule",), [])}
    pattern_papers = {
        p for p, reuses in facts.reuses_of.items() if any(r in facts.pattern_of for r in reuses)
    }
    for value in allowed:
        rule = ox.Literal(value)  # as the parameter binds it: a plain literal
        found = per_rule.get(rule)
        meeting = {p for p, rules in facts.rules.items() if rule in rules}
        cells.add(
            "study-funnel",
            (rule,),
            {
                "papers": _papers(counts, "all", "works"),
                "cited_papers": _papers(counts, "cited", "works"),
                "natural_science_papers": _integer(found, "works") if found else 0,
                "dl_papers": _integer(found, "dl_papers") if found else 0,
                "uses_ptms_papers": len(meeting & facts.ptm_papers),
                "pattern_papers": len(meeting & pattern_papers),
            },
        )


#: Canned queries whose few rows are stored as the live query gives them, computed by the
#: engine on the worker threads: labels-outside-vocabulary reads only the rare labels, and
#: ptm-papers-without-models is asked only when some paper is flagged as reusing PTMs
#: without a reuse instance naming a model (else it has no rows).
_STORED_AS_LIVE = ("labels-outside-vocabulary", "ptm-papers-without-models")


def _live_text(name: str) -> str:
    from kg.resources import queries_dir

    return (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")


def _flagged_without_models(facts: _Facts) -> bool:
    """Whether a paper flagged as reusing PTMs has no reuse instance with a model (the
    live query's MINUS)."""
    return bool(facts.ptm_papers - {p for _reuse, p, _m in _instances(facts)})


def _stored_as_live(name: str, solutions: list[dict[str, Term]], cells: _Cells) -> None:
    for solution in solutions:
        row: dict[str, Term | int | None] = {**solution}
        cells.add(name, (), row)


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
    # The kept answers are found by the engine on a thread of their own meanwhile.
    keeping = Keeping(store)
    try:
        quads, answers = _count(store)
    except BaseException:
        keeping.abandon()
        raise
    kept = keeping.finish()
    quads += [
        ox.Quad(_kept_iri(name), _KEPT_ROWS, ox.Literal(rows), _GRAPH)
        for name, rows in kept.items()
    ]
    return quads, answers | frozenset(kept), time.perf_counter() - started


def _kept_iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{GROUPS}kept/{name}")


def kept_rows(statistics: ox.Store, name: str) -> str | None:
    """A kept answer's rows as SPARQL TSV (see :mod:`kg.stores.kept_answers`)."""
    for quad in statistics.quads_for_pattern(_kept_iri(name), _KEPT_ROWS, None, _GRAPH):
        if isinstance(quad.object, ox.Literal):
            return quad.object.value
    return None


def _count(store: ox.Store) -> tuple[list[ox.Quad], frozenset[str]]:
    rules = "SELECT DISTINCT ?rule WHERE { ?p ptm:meetsNaturalScienceRule ?rule }"
    rule_values = {s[0] for s in _select(store, rules)}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ptmkg-statistics") as pool:
        pending = {
            key: pool.submit(_solutions, store, sparql)
            for key, sparql in _engine_queries(bool(rule_values)).items()
        }
        live = "labels-outside-vocabulary"
        pending["live", live] = pool.submit(_solutions, store, _live_text(live))
        facts = _read_facts(store)
        facts.rule_values = rule_values
        if _flagged_without_models(facts):
            live = "ptm-papers-without-models"
            pending["live", live] = pool.submit(_solutions, store, _live_text(live))
        cells = _Cells()
        answers = set(PREPARED_QUERIES)
        _pattern_by_field(facts, cells)
        _stage_by_field(facts, cells)
        _model_by_field(facts, cells)
        _models_in_field(facts, cells)
        _top_models(facts, cells)
        _reuse_by_pattern(facts, cells)
        _reuse_by_stage(facts, cells)
        _stage_by_pattern(facts, cells)
        if not _models(store, facts, cells):
            answers.discard("models")
        _co_reuse(facts, cells)
        counts = {key: future.result() for key, future in pending.items()}
    year_cells = _Cells()
    if _reuse_by_year(facts, counts, year_cells):
        cells.groups.update(year_cells.groups)
    else:
        answers.discard("reuse-by-year")
    if _flags_are_booleans(counts):
        _papers_by_field(counts, cells)
        _corpus_summary(facts, counts, cells)
        _ptm_share(counts, cells)
    else:
        answers -= {"papers-by-field", "corpus-summary", "ptm-share"}
    _study_funnel(facts, counts, cells)
    for name in _STORED_AS_LIVE:
        _stored_as_live(name, counts.get(("live", name), []), cells)
    return [*cells.quads(), *_label_quads(store)], frozenset(answers)


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
    described.append(ox.Quad(_STATISTICS, _p("format"), ox.Literal(FORMAT), _GRAPH))
    target.bulk_extend(described)


def record_cost(target: ox.Store, seconds: float, peak_mib: float) -> None:
    """Record what preparing the statistics in a process of their own cost."""
    decimal = ox.NamedNode(XSD + "decimal")
    for name, value in (("preparationSeconds", seconds), ("peakMemoryMiB", peak_mib)):
        target.add(
            ox.Quad(_STATISTICS, _p(name), ox.Literal(f"{value:.3f}", datatype=decimal), _GRAPH)
        )


def cost(statistics: ox.Store) -> dict[str, float]:
    """What the statistics' computation cost: ``seconds`` (the counts), and when they were
    prepared in the background ``preparationSeconds`` and ``peakMemoryMiB``."""
    found: dict[str, float] = {}
    for name in ("seconds", "preparationSeconds", "peakMemoryMiB"):
        for quad in statistics.quads_for_pattern(_STATISTICS, _p(name), None, _GRAPH):
            if isinstance(quad.object, ox.Literal):
                found[name] = float(quad.object.value)
    return found


def seal(target: ox.Store, fingerprint: str) -> None:
    """Record what the statistics were computed from (the last write to them): the
    fingerprint of that database, in place of one recorded before (statistics copied to
    a compacted copy of their database, which holds the same graph in other files)."""
    for quad in list(target.quads_for_pattern(_STATISTICS, _p("fingerprint"), None, _GRAPH)):
        target.remove(quad)
    target.add(ox.Quad(_STATISTICS, _p("fingerprint"), ox.Literal(fingerprint), _GRAPH))
    target.flush()


def prepare(database: ox.Store, folder: Path | None) -> ox.Store:
    """Compute a database's statistics into a new store (on disk in ``folder``)."""
    quads, answers, seconds = compute(database)
    target = ox.Store(str(folder)) if folder is not None else ox.Store()
    write(target, quads, answers, seconds)
    return target


def in_memory(statistics: ox.Store) -> ox.Store:
    """A copy in memory of a statistics store read from disk (0.1 s at a million papers):
    Oxigraph looks up every term of a query's VALUES block, and of its answers, in the
    store's dictionary, which on disk took a second and a half for model-by-field's 17,000
    rows, in memory a few milliseconds."""
    memory = ox.Store()
    memory.bulk_extend(statistics.quads_for_pattern(None, None, None))
    return memory


def describe(statistics: ox.Store) -> tuple[str | None, frozenset[str], str | None]:
    """The fingerprint a statistics store records, the queries it answers, its format."""
    fingerprint = layout = None
    answers: set[str] = set()
    for quad in statistics.quads_for_pattern(_STATISTICS, None, None, _GRAPH):
        if not isinstance(quad.object, ox.Literal):
            continue
        if quad.predicate == _p("fingerprint"):
            fingerprint = quad.object.value
        elif quad.predicate == _p("answers"):
            answers.add(quad.object.value)
        elif quad.predicate == _p("format"):
            layout = quad.object.value
    return fingerprint, frozenset(answers), layout


def check(statistics: ox.Store | None, fingerprint: str, what: str) -> Statistics:
    """Whether ``statistics`` describe the database whose fingerprint is ``fingerprint``."""
    if statistics is None:
        return Statistics(None, frozenset(), f"no prepared statistics for {what}")
    recorded, answers, layout = describe(statistics)
    if layout != FORMAT:
        return Statistics(
            None,
            frozenset(),
            f"the prepared statistics of {what} were written by another version of ptmkg "
            f"(format {layout or 1}, this version reads {FORMAT}); a write prepares them anew",
        )
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
    "cost",
    "database_fingerprint",
    "kept_rows",
    "prepare",
    "seal",
]
