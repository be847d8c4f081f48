"""Comparing extractions with labels: precision, recall and F1, a confusion table, disagreements.

Labels are read by the ordinary importers, so they may be an annotation sheet
(either layout, CSV or XLSX) or the generic format. Articles without a DOI (drafts,
preprints) are labelled by file instead: a table in the generic format whose
``file`` column names the article, relative to the labels file, where the
``doi`` column would be. Both are read by the common table reader, so a label file
may be comma, semicolon or tab separated (a ``sep=`` line, a BOM) as a sheet may.
Models are compared by the model resolver's key (``AF2`` and ``AlphaFold 2``
agree), patterns by concept. Only papers both labelled and extracted are
compared; the others are counted.

Three measures, each micro-averaged over the compared papers:

* **reuses PTMs**: one yes/no per paper (a paper with a labelled or extracted
  model counts as yes);
* **models**: the (paper, model) pairs;
* **patterns**: the (paper, model, pattern) triples, so a model found with the
  wrong pattern counts once as a false positive and once as a false negative.

The confusion table crosses, for every (paper, model) pair found on either side,
the labelled pattern(s) with the extracted one(s); ``(none)`` stands for a model
one side does not have.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.defaults import SOURCE_ENCODING
from kg.errors import PtmkgError, SourceError
from kg.extract import PaperExtraction
from kg.importers import ImportOptions, open_source
from kg.models.names import ModelResolver, UnresolvableMention
from kg.rdf.vocabulary import vocabulary
from kg.read.tables import Table, open_table
from kg.read.values import parse_bool
from kg.records import PaperRecord, Reject

NONE = "(none)"


@dataclass
class PaperView:
    """One side's answer for one paper: whether it reuses PTMs, and each model's patterns."""

    reuses_ptms: bool
    shown: str = ""  # how the paper is named in disagreements: its DOI, or its file as labelled
    models: dict[str, set[str]] = field(default_factory=dict)  # model key -> pattern labels
    names: dict[str, str] = field(default_factory=dict)  # model key -> display name
    evidence: dict[tuple[str, str], str] = field(default_factory=dict)  # (key, pattern) -> text

    def add(self, key: str, name: str, pattern: str | None, evidence: str | None = None) -> None:
        """A model of this paper, with its pattern (label) if one is named."""
        self.names.setdefault(key, name)
        patterns = self.models.setdefault(key, set())
        if pattern:
            patterns.add(pattern)
        if evidence is not None:
            if pattern:
                self.evidence.setdefault((key, pattern), evidence)
            self.evidence.setdefault((key, ""), evidence)


@dataclass(frozen=True)
class Scores:
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int | None = None  # only for the yes/no measure

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / denominator if denominator else 0.0


@dataclass(frozen=True)
class Disagreement:
    doi: str
    kind: str  # "reuses PTMs", "model", "pattern"
    label: str  # what the labels say
    extracted: str  # what the extractor says
    evidence: str  # the extractor's sentence, if it found one


@dataclass
class Evaluation:
    papers: int  # compared
    reuses_ptms: Scores
    models: Scores
    patterns: Scores
    confusion: Counter[tuple[str, str]]  # (labelled patterns, extracted patterns) -> pairs
    disagreements: list[Disagreement]
    labelled_only: list[str]  # DOIs labelled but not among the articles
    extracted_only: list[str]  # DOIs extracted but not labelled

    def measures(self) -> list[tuple[str, Scores]]:
        return [
            ("reuses PTMs", self.reuses_ptms),
            ("models", self.models),
            ("patterns", self.patterns),
        ]

    def confusion_labels(self) -> list[str]:
        seen = {label for pair in self.confusion for label in pair}
        order = ["Conceptual", "Adaptation", "Deployment"]
        return sorted(seen, key=lambda s: (s == NONE, s.count("+"), _rank(s, order), s))


def _rank(label: str, order: list[str]) -> int:
    first = label.split("+")[0]
    return order.index(first) if first in order else len(order)


def _pattern_label(text: str | None) -> str | None:
    if not text:
        return None
    concept = vocabulary().patterns.lookup(text)
    return concept.label if concept else text


def _model_key(resolver: ModelResolver, name: str) -> tuple[str, str] | None:
    try:
        resolved = resolver.resolve(name)
    except UnresolvableMention:
        return None
    return resolved.key, resolved.name


def file_key(location: str | Path) -> str:
    """What identifies an article without a DOI: its file's absolute path (or archive member)."""
    archive, bang, member = str(location).partition("!")
    return str(Path(archive).resolve()) + bang + member


def _keyed_by_file(path: Path, encoding: str) -> Table | None:
    """The table of a label file keyed by file (a 'file' column, no 'doi'), else None (a
    sheet, or what the importers are left to read and explain)."""
    try:
        table = open_table(path, encoding)
    except SourceError:
        return None
    names = {column.lower() for column in table.columns}
    return table if "file" in names and "doi" not in names else None


def labels_from_files(
    paths: Iterable[Path], resolver: ModelResolver, encoding: str = SOURCE_ENCODING
) -> dict[str, PaperView]:
    """The labels of several files, by DOI or file; a paper labelled twice is an error."""
    labels: dict[str, PaperView] = {}
    for path in paths:
        for key, view in labels_from_file(path, resolver, encoding).items():
            if key in labels:
                raise PtmkgError(f"{path}: {view.shown} is labelled in two label files")
            labels[key] = view
    return labels


def _labels_by_file(path: Path, table: Table, resolver: ModelResolver) -> dict[str, PaperView]:
    """Labels keyed by the article's file, for articles without a DOI."""
    labels: dict[str, PaperView] = {}
    columns = {name.lower(): name for name in table.columns}

    def cell(values: dict[str, object], name: str) -> str:
        return str(values.get(columns.get(name, "")) or "").strip()

    for row in table.rows:
        where = f"{path}, line {row.line}"
        if row.problem:
            raise PtmkgError(f"{where}: {row.problem}")
        written = cell(row.values, "file")
        if not written:
            raise PtmkgError(f"{where}: no file named in the 'file' column")
        try:
            uses_ptms = parse_bool(cell(row.values, "uses_ptms") or None, "uses_ptms")
        except ValueError as exc:
            raise PtmkgError(f"{where}: {exc}") from None
        view = labels.setdefault(
            file_key(path.parent / written), PaperView(reuses_ptms=False, shown=written)
        )
        view.reuses_ptms = view.reuses_ptms or bool(uses_ptms)
        mention, pattern_text = cell(row.values, "model"), cell(row.values, "pattern")
        if not mention:
            if pattern_text:
                raise PtmkgError(f"{where}: a pattern is given but no model")
            continue
        found = _model_key(resolver, mention)
        if found is None:
            raise PtmkgError(f"{where}: model name {mention!r} has no letters or digits")
        pattern = _pattern_label(pattern_text)
        if pattern_text and vocabulary().patterns.lookup(pattern_text) is None:
            raise PtmkgError(f"{where}: unknown reuse pattern {pattern_text!r}")
        key, name = found
        view.names.setdefault(key, name)
        patterns = view.models.setdefault(key, set())
        if pattern:
            patterns.add(pattern)
        view.reuses_ptms = True
    return labels


def labels_from_file(
    path: Path, resolver: ModelResolver, encoding: str = SOURCE_ENCODING
) -> dict[str, PaperView]:
    """Labels by DOI, from an annotation sheet or the generic format (or by file, see above),
    its text read in ``encoding``."""
    by_file = _keyed_by_file(path, encoding)
    if by_file is not None:
        return _labels_by_file(path, by_file, resolver)
    reading = open_source(path, None, ImportOptions(resolver=resolver, encoding=encoding))
    labels: dict[str, PaperView] = {}
    problems: list[str] = []
    for item in reading.items:
        if isinstance(item, Reject):
            problems.append(f"{path}, {item.location}: {item.reason}")
            continue
        if not isinstance(item, PaperRecord):
            problems.append(f"{path}: a model description, not a paper's labels")
            continue
        key = item.doi or item.openalex_id
        if key is None:
            problems.append(f"{path}, line {item.line}: a paper without a DOI or an OpenAlex id")
            continue
        view = labels.setdefault(key, PaperView(reuses_ptms=False, shown=key))
        view.reuses_ptms = view.reuses_ptms or bool(item.reuses_pretrained_models)
        for reuse in item.reuses:
            found = _model_key(resolver, reuse.mention)
            if found is None:
                continue
            view.add(*found, _pattern_label(reuse.pattern))
        view.reuses_ptms = view.reuses_ptms or bool(view.models)
    if problems:
        shown = "; ".join(problems[:3])
        raise PtmkgError(f"the labels have {len(problems)} unreadable row(s): {shown}")
    return labels


def view_of(extraction: PaperExtraction, resolver: ModelResolver) -> PaperView:
    view = PaperView(
        reuses_ptms=bool(extraction.uses_ptms) or bool(extraction.reuses),
        shown=extraction.doi or extraction.location,
    )
    for reuse in extraction.reuses:
        found = _model_key(resolver, reuse.model)
        if found is None:
            continue
        view.add(*found, _pattern_label(reuse.pattern), reuse.evidence)
    return view


def evaluate(
    extractions: Iterable[PaperExtraction],
    labels: dict[str, PaperView],
    resolver: ModelResolver,
) -> Evaluation:
    # Papers meet by DOI, and those without one by file.
    predicted = {e.doi or file_key(e.location): view_of(e, resolver) for e in extractions}
    compared = sorted(set(predicted) & set(labels), key=lambda k: labels[k].shown)
    paper_counts = Counter[str]()
    model_counts = Counter[str]()
    pattern_counts = Counter[str]()
    confusion: Counter[tuple[str, str]] = Counter()
    disagreements: list[Disagreement] = []
    for paper in compared:
        gold, found = labels[paper], predicted[paper]
        doi = gold.shown
        if gold.reuses_ptms and found.reuses_ptms:
            paper_counts["tp"] += 1
        elif found.reuses_ptms:
            paper_counts["fp"] += 1
        elif gold.reuses_ptms:
            paper_counts["fn"] += 1
        else:
            paper_counts["tn"] += 1
        if gold.reuses_ptms != found.reuses_ptms:
            evidence = next(iter(found.evidence.values()), "")
            disagreements.append(
                Disagreement(
                    doi, "reuses PTMs", str(gold.reuses_ptms), str(found.reuses_ptms), evidence
                )
            )
        for key in sorted(set(gold.models) | set(found.models)):
            name = gold.names.get(key) or found.names.get(key) or key
            in_gold, in_found = key in gold.models, key in found.models
            model_counts["tp" if in_gold and in_found else "fp" if in_found else "fn"] += 1
            gold_patterns = gold.models.get(key, set())
            found_patterns = found.models.get(key, set())
            confusion[(_joined(gold_patterns, in_gold), _joined(found_patterns, in_found))] += 1
            if in_gold != in_found:
                disagreements.append(
                    Disagreement(
                        doi,
                        "model",
                        name if in_gold else NONE,
                        name if in_found else NONE,
                        found.evidence.get((key, ""), ""),
                    )
                )
            pattern_counts["tp"] += len(gold_patterns & found_patterns)
            pattern_counts["fp"] += len(found_patterns - gold_patterns)
            pattern_counts["fn"] += len(gold_patterns - found_patterns)
            if in_gold and in_found and gold_patterns != found_patterns:
                wrong = sorted(found_patterns - gold_patterns)
                disagreements.append(
                    Disagreement(
                        doi,
                        "pattern",
                        f"{name}: {_joined(gold_patterns, True)}",
                        f"{name}: {_joined(found_patterns, True)}",
                        found.evidence.get((key, wrong[0] if wrong else ""), "")
                        or found.evidence.get((key, ""), ""),
                    )
                )
    return Evaluation(
        papers=len(compared),
        reuses_ptms=_scores(paper_counts, with_negatives=True),
        models=_scores(model_counts),
        patterns=_scores(pattern_counts),
        confusion=confusion,
        disagreements=disagreements,
        labelled_only=sorted(labels[k].shown for k in set(labels) - set(predicted)),
        extracted_only=sorted(predicted[k].shown for k in set(predicted) - set(labels)),
    )


def _joined(patterns: set[str], present: bool) -> str:
    if not present:
        return NONE
    order = ["Conceptual", "Adaptation", "Deployment"]
    return "+".join(sorted(patterns, key=lambda p: _rank(p, order))) or "(no pattern)"


def _scores(counts: Counter[str], with_negatives: bool = False) -> Scores:
    return Scores(
        counts["tp"], counts["fp"], counts["fn"], counts["tn"] if with_negatives else None
    )


def markdown_table(evaluations: list[tuple[str, Evaluation]]) -> list[str]:
    """Precision, recall and F1 of each measure, one row per (extractor, measure)."""
    lines = [
        "| extractor | measure | TP | FP | FN | TN | precision | recall | F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, evaluation in evaluations:
        for measure, scores in evaluation.measures():
            negatives = "" if scores.true_negatives is None else str(scores.true_negatives)
            lines.append(
                f"| {name} | {measure} | {scores.true_positives} | {scores.false_positives} | "
                f"{scores.false_negatives} | {negatives} | {scores.precision:.3f} | "
                f"{scores.recall:.3f} | {scores.f1:.3f} |"
            )
    return lines


def markdown_disagreements(evaluation: Evaluation) -> list[str]:
    """The disagreements as a Markdown list, with the extractor's evidence."""
    lines = []
    for d in evaluation.disagreements:
        line = f"- `{d.doi}` {d.kind}: label {d.label}, extracted {d.extracted}"
        if d.evidence:
            line += f' (evidence: "{" ".join(d.evidence.split())[:200]}")'
        lines.append(line)
    return lines or ["(none)"]
