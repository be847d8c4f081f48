"""Synthetic corpora calibrated to the PTM-reuse study, in every format ptmkg reads.

``write_corpus(path, "jsonl", papers=1_000_000)`` writes a corpus that looks like
the study's at any size: the share of papers reusing PTMs, the reuse-pattern
shares (adaptation near 70%), Test as the most common stage, a long tail of
models headed by the five the study names, fields led by Biochemistry, Genetics
and Molecular Biology for PTM reuse, and papers spread over 2000 to 2025 (the
targets are :data:`TARGETS`, taken from the study's published figures).

The headline shares are reached by quota rather than by chance: each pick goes to
the choice furthest behind its share (:class:`_Quota`), so even a corpus of a few
thousand papers matches them. Everything else (years, fields, how many models a
paper reuses, spellings, citations) is drawn from a seeded random generator, so
the same ``seed`` and ``papers`` always give the same files.

Every file says it is synthetic: DOIs use Crossref's test prefix ``10.5555``,
titles start with "Synthetic paper", the first row of a sheet or JSON Lines file
carries a ``_synthetic`` note (ptmkg ignores columns starting with ``_``), and
the aius database's ``searches`` rows say so in their URL and JSON. Papers are
generated and written one at a time, so a million papers need little memory.

Formats (:data:`SYNTH_FORMATS`): ``csv`` (an annotation sheet, layout 1),
``jsonl`` (the generic format, one line per reuse instance) and ``aius`` (a
SQLite database with the study pipeline's exact schema, :data:`AIUS_SCHEMA`).
"""

from __future__ import annotations

import bisect
import csv
import json
import random
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, TextIO

from kg.defaults import SYNTH_PAPERS, SYNTH_SEED
from kg.errors import PtmkgError
from kg.formats import Format, Registry, UnknownFormat

#: Papers in the study's second version (Jun 2026).
DEFAULT_PAPERS = SYNTH_PAPERS
DEFAULT_SEED = SYNTH_SEED
DOI_PREFIX = "10.5555/ptmkg-synth."  # 10.5555 is Crossref's prefix for test DOIs
SYNTHETIC_NOTE = (
    "synthetic corpus written by 'ptmkg synth' (seed {seed}, {papers} papers); not real papers"
)

# ------------------------------------------------------------------ the study's schema

#: The five analyses the study pipeline ran, each in its own ``<kind>_analysis`` table.
ANALYSIS_KINDS = (
    "uses_dl",
    "uses_ptms",
    "identify_ptms",
    "identify_ptm_reuse",
    "identify_ptm_impact",
)
#: The study pipeline's view of its natural-science papers, as its database creates it:
#: cited papers with at least two of their three topic fields (``topic_0`` to ``topic_2``)
#: among ``_openalex_natural_science_fields`` (rule v1; the published v2 corpus needs one,
#: which the graph records beside it as ``ptm:meetsNaturalScienceRule "v2"``). A topic
#: slot that is NULL is not a natural-science field.
NATURAL_SCIENCE_VIEW = """CREATE VIEW natural_science_article_dois AS
SELECT DISTINCT doi FROM openalex
WHERE cited_by_count > 0
  AND COALESCE(topic_0 IN (SELECT field FROM _openalex_natural_science_fields), 0)
    + COALESCE(topic_1 IN (SELECT field FROM _openalex_natural_science_fields), 0)
    + COALESCE(topic_2 IN (SELECT field FROM _openalex_natural_science_fields), 0) >= 2;
"""
#: The study pipeline's SQLite schema (package ``aius``), column lists and types exact
#: (``_openalex_natural_science_fields.openalex_id`` is the field's integer id).
AIUS_SCHEMA = (
    """
CREATE TABLE articles(_id INTEGER PRIMARY KEY, search_id INTEGER, doi TEXT, title TEXT,
                      megajournal TEXT, journal TEXT);
CREATE TABLE searches(_id INTEGER PRIMARY KEY, timestamp TEXT, megajournal TEXT,
                      search_keyword TEXT, year INTEGER, url TEXT, page INTEGER,
                      status_code TEXT, json_data TEXT);
CREATE TABLE openalex(_id INTEGER PRIMARY KEY, timestamp TEXT, doi TEXT, cited_by_count INTEGER,
                      open_access INTEGER, topic_0 TEXT, topic_1 TEXT, topic_2 TEXT,
                      json_data TEXT);
CREATE TABLE jats(_id INTEGER PRIMARY KEY, doi TEXT, jats_xml TEXT);
CREATE TABLE markdown(_id INTEGER PRIMARY KEY, doi TEXT, markdown TEXT);
CREATE TABLE _llm_prompts(_id INTEGER PRIMARY KEY, tag TEXT, prompt TEXT, json_string TEXT);
CREATE TABLE _openalex_natural_science_fields(_id INTEGER PRIMARY KEY, openalex_id INTEGER,
                                              field TEXT);
CREATE TABLE _search_keywords(_id INTEGER PRIMARY KEY, keyword TEXT);
CREATE TABLE _years(_id INTEGER PRIMARY KEY, year INTEGER);
"""
    + "".join(
        f"CREATE TABLE {kind}_analysis(_id INTEGER PRIMARY KEY, doi TEXT, system_prompt TEXT, "
        "user_prompt TEXT, model_response TEXT, model_reasoning TEXT, "
        "compute_time_seconds REAL);\n"
        for kind in ANALYSIS_KINDS
    )
    + NATURAL_SCIENCE_VIEW
)

# ------------------------------------------------------------------ calibration


@dataclass(frozen=True)
class Targets:
    """The study's published figures (domain.md, v1 unless said) the corpus is calibrated to."""

    ptm_share: float = 631 / 17_511  # papers reusing PTMs
    cited_share: float = 13_815 / 17_511  # papers with at least one citation
    natural_science_v1_share: float = 4_384 / 17_511  # cited, two of three slots natural
    adaptation_share: float = 0.7029  # of reuse instances with a pattern
    test_instances_per_paper: float = 422 / 17_511  # (paper, model, Test) per paper
    leading_field: str = "Biochemistry, Genetics and Molecular Biology"
    #: the most reused models and their papers per 631 PTM papers, in order
    top_models: tuple[tuple[str, int], ...] = (
        ("AlexNet", 25),
        ("AlphaFold 2", 23),
        ("VGG-16", 19),
        ("ResNet-50", 18),
        ("AlphaFold", 18),
    )
    first_year: int = 2000
    last_year: int = 2025


TARGETS = Targets()
_PTM_PAPERS = 631

# Not published; chosen so that the published figures come out (see Targets).
_DL_SHARE = 0.45  # papers using deep learning (the searches asked for deep learning)
_MODELS_PER_PTM_PAPER = {1: 0.60, 2: 0.25, 3: 0.10, 4: 0.05}  # mean 1.6
_SECOND_PATTERN = 0.08  # a model reused in two ways in one paper
_STAGES_PER_REUSE = {1: 0.75, 2: 0.25}  # mean 1.25
# Pattern shares of picks; the second-pattern draws that repeat a pattern are dropped,
# which moves adaptation's share of instances down by about a point.
_PATTERNS = {"Adaptation": 0.715, "Conceptual": 0.165, "Deployment": 0.12}
# Test's share of stage picks: 422 Test instances / (631 papers x 1.6 models x 1.25 stages).
_STAGES = {
    "Test": 0.334,
    "Analysis": 0.24,
    "Observation": 0.14,
    "Background": 0.11,
    "Hypothesis": 0.10,
    "Conclusion": 0.076,
}
# Models after the study's top five (papers per 631 PTM papers), then a long random tail.
_MIDDLE_MODELS = (
    ("U-Net", 14),
    ("BERT", 12),
    ("Inception v3", 10),
    ("YOLOv5", 9),
    ("DenseNet-121", 8),
    ("ESM-2", 7),
    ("Cellpose", 7),
    ("DeepLabCut", 6),
    ("GoogLeNet", 6),
    ("MobileNet v2", 5),
    ("Vision Transformer", 5),
    ("SignalP", 5),
    ("ResNet-18", 5),
)
#: Spellings a source may use for a model (the resolver must merge them).
_SPELLINGS = {
    "AlexNet": ("AlexNet", "AlexNet", "Alexnet", "Alex Net"),
    "AlphaFold 2": ("AlphaFold 2", "AlphaFold2", "AF2"),
    "VGG-16": ("VGG16", "VGG-16", "VGGNet (VGG-16)"),
    "ResNet-50": ("ResNet-50", "resnet50", "ResNet 50"),
    "AlphaFold": ("AlphaFold", "AlphaFold", "AlphaFold v1"),
    "U-Net": ("U-Net", "UNet"),
    "Cellpose": ("Cellpose", "Cellpose (Modified U-Net)"),
    "DeepLabCut": ("DeepLabCut", "DeepLabCut (ResNet-50)"),
}
_TAIL_REGISTRY_MODELS = (
    "ResNet-101", "ResNet-152", "VGG-19", "Xception", "EfficientNet-B0", "MobileNet",
    "DenseNet-201", "Swin Transformer", "CLIP", "Segment Anything Model", "DINOv2", "BioBERT",
    "SciBERT", "PubMedBERT", "RoBERTa", "DistilBERT", "ProtBERT", "ESM-1b", "ESMFold", "GPT-2",
    "GPT-3.5", "GPT-4", "AlphaFold 3", "YOLOv3", "YOLOv8", "nnU-Net", "Inception-ResNet v2",
    "SqueezeNet", "ResNeXt-50", "EfficientNet-B7",
)  # fmt: skip
_TAIL_SYNTHETIC_MODELS = 1_000
_TAIL_OFFSET = 30  # tail weights 1/(rank + offset): the tail's head stays well below the top 5

NATURAL_FIELDS = {
    11: "Agricultural and Biological Sciences",
    13: "Biochemistry, Genetics and Molecular Biology",
    16: "Chemistry",
    19: "Earth and Planetary Sciences",
    23: "Environmental Science",
    24: "Immunology and Microbiology",
    28: "Neuroscience",
    31: "Physics and Astronomy",
}
OTHER_FIELDS = {
    12: "Arts and Humanities",
    14: "Business, Management and Accounting",
    15: "Chemical Engineering",
    17: "Computer Science",
    18: "Decision Sciences",
    20: "Economics, Econometrics and Finance",
    21: "Energy",
    22: "Engineering",
    25: "Materials Science",
    26: "Mathematics",
    27: "Medicine",
    29: "Nursing",
    30: "Pharmacology, Toxicology and Pharmaceutics",
    32: "Psychology",
    33: "Social Sciences",
    34: "Veterinary",
    35: "Dentistry",
    36: "Health Professions",
}
FIELD_NAMES = {**NATURAL_FIELDS, **OTHER_FIELDS}
_DOMAINS = {  # OpenAlex domain of each field
    **dict.fromkeys((11, 13, 24, 28, 30, 34), (1, "Life Sciences")),
    **dict.fromkeys((12, 14, 18, 20, 32, 33), (2, "Social Sciences")),
    **dict.fromkeys((15, 16, 17, 19, 21, 22, 23, 25, 26, 31), (3, "Physical Sciences")),
    **dict.fromkeys((27, 29, 35, 36), (4, "Health Sciences")),
}
# Field weights for one topic slot: all papers, and papers reusing PTMs.
_NATURAL_WEIGHTS = {13: 30, 11: 16, 28: 14, 23: 12, 24: 10, 16: 7, 19: 6, 31: 5}
_NATURAL_WEIGHTS_PTM = {13: 42, 28: 14, 11: 12, 23: 8, 24: 8, 16: 7, 19: 5, 31: 4}
_OTHER_WEIGHTS = {
    27: 35, 17: 10, 22: 8, 32: 7, 30: 6, 33: 5, 36: 4, 29: 4, 26: 3, 25: 3, 15: 3,
    20: 3, 21: 2, 34: 2, 35: 2, 14: 1, 18: 1, 12: 1,
}  # fmt: skip
_OTHER_WEIGHTS_PTM = {17: 30, 27: 25, 22: 15, 26: 5, 32: 5, 25: 4, 30: 4, 21: 3, 33: 3, 36: 2,
                      15: 2, 34: 2}  # fmt: skip
# How many of a PTM paper's three topic slots are natural-science fields (0..3).
_NATURAL_SLOTS_PTM = (0.15, 0.15, 0.35, 0.35)

MEGAJOURNALS = {
    "PLOS": (("PLOS ONE", 8), ("PLOS Computational Biology", 1), ("PLOS Biology", 1)),
    "BMJ": (("BMJ Open", 3), ("BMJ Global Health", 1)),
    "F1000": (("F1000Research", 1),),
    "FrontiersIn": (
        ("Frontiers in Neuroscience", 2),
        ("Frontiers in Plant Science", 2),
        ("Frontiers in Microbiology", 2),
        ("Frontiers in Genetics", 1),
        ("Frontiers in Oncology", 1),
    ),
}
_MEGAJOURNAL_WEIGHTS = {"PLOS": 45, "FrontiersIn": 35, "BMJ": 15, "F1000": 5}
SEARCH_KEYWORDS = (
    "Deep Learning",
    "Deep Neural Network",
    "Hugging Face",
    "Model Checkpoint",
    "Model Weights",
    "Pre-Trained Model",
)
_FORMS = {
    "Adaptation": ("fine-tuning", "transfer learning", "knowledge distillation", "LoRA"),
    "Conceptual": ("reimplementation", "re-engineered architecture"),
    "Deployment": ("inference as released", "ONNX export", "quantized inference"),
}


# ------------------------------------------------------------------ drawing


class _Choice:
    """A seeded weighted random choice (O(log n) per draw)."""

    def __init__(self, weights: Mapping[Any, float], rng: random.Random) -> None:
        self.choices = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.rng = rng

    def __call__(self) -> Any:
        point = self.rng.random() * self.cumulative[-1]
        return self.choices[bisect.bisect_right(self.cumulative, point)]


class _Quota:
    """Choices in fixed shares: each pick goes to the choice furthest behind its share.

    Smooth weighted round-robin: after k picks every choice has been picked
    k x share times, give or take one. The seed only sets where the rotation starts.
    """

    def __init__(self, weights: dict[Any, float], rng: random.Random) -> None:
        total = sum(weights.values())
        self.choices = list(weights)
        self.shares = [w / total for w in weights.values()]
        self.credit = [rng.random() * share for share in self.shares]

    def __call__(self) -> Any:
        credit, shares = self.credit, self.shares
        best, best_credit = 0, -1.0
        for index, share in enumerate(shares):
            value = credit[index] + share
            credit[index] = value
            if value > best_credit:
                best, best_credit = index, value
        credit[best] -= 1.0
        return self.choices[best]


@dataclass(frozen=True)
class SyntheticReuse:
    model: str  # the registry name (or a synthetic tail model's name)
    mention: str  # the spelling the paper uses
    patterns: tuple[str, ...]  # vocabulary labels: Adaptation, Conceptual, Deployment
    stages: tuple[str, ...]  # vocabulary labels: Test, Analysis, ...
    forms: tuple[str, ...]  # how each pattern was done, as an LLM would say it


@dataclass(frozen=True)
class SyntheticPaper:
    number: int
    doi: str
    title: str
    year: int
    megajournal: str
    journal: str
    search_keyword: str
    slots: tuple[int, int, int]  # field ids of the first three topics (may repeat)
    topics: tuple[int, int, int]  # topic numbers within each slot's field
    cited_by_count: int
    open_access: bool
    uses_dl: bool
    uses_ptms: bool
    reuses: tuple[SyntheticReuse, ...] = ()

    @property
    def fields(self) -> tuple[int, ...]:
        """Distinct fields of the paper, in slot order."""
        return tuple(dict.fromkeys(self.slots))


class _Generator:
    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.ptm = _Quota({True: TARGETS.ptm_share, False: 1 - TARGETS.ptm_share}, rng)
        head = dict(TARGETS.top_models) | dict(_MIDDLE_MODELS)
        mean_models = sum(k * w for k, w in _MODELS_PER_PTM_PAPER.items())
        tail_weight = _PTM_PAPERS * mean_models - sum(head.values())
        self.model = _Quota({**head, None: tail_weight}, rng)
        tail = [*_TAIL_REGISTRY_MODELS] + [
            f"SynthNet-{n:04d}" for n in range(1, _TAIL_SYNTHETIC_MODELS + 1)
        ]
        rng.shuffle(tail)
        self.tail = _Choice(
            {name: 1 / (rank + _TAIL_OFFSET) for rank, name in enumerate(tail, 1)}, rng
        )
        self.models_per_paper = _Choice(_MODELS_PER_PTM_PAPER, rng)
        self.stages_per_reuse = _Choice(_STAGES_PER_REUSE, rng)
        self.pattern = _Quota(_PATTERNS, rng)
        self.stage = _Quota(_STAGES, rng)
        # Two of three slots natural for the v1 share, with PTM papers more often natural.
        ptm_v1 = _NATURAL_SLOTS_PTM[2] + _NATURAL_SLOTS_PTM[3]
        share = TARGETS.ptm_share
        v1 = (TARGETS.natural_science_v1_share / TARGETS.cited_share - share * ptm_v1) / (1 - share)
        self.natural_slots = _Choice({0: 0.55, 1: 0.45 - v1, 2: 0.6 * v1, 3: 0.4 * v1}, rng)
        self.natural_slots_ptm = _Choice(dict(enumerate(_NATURAL_SLOTS_PTM)), rng)
        self.natural = _Choice(_NATURAL_WEIGHTS, rng)
        self.natural_ptm = _Choice(_NATURAL_WEIGHTS_PTM, rng)
        self.other = _Choice(_OTHER_WEIGHTS, rng)
        self.other_ptm = _Choice(_OTHER_WEIGHTS_PTM, rng)
        first, last = TARGETS.first_year, TARGETS.last_year
        self.year = _Choice({y: 1.15 ** (y - first) for y in range(first, last + 1)}, rng)
        self.ptm_year = _Choice({y: 1.3 ** (y - 2012) for y in range(2013, last + 1)}, rng)
        self.megajournal = _Choice(_MEGAJOURNAL_WEIGHTS, rng)
        self.journals = {
            name: _Choice(dict(journals), rng) for name, journals in MEGAJOURNALS.items()
        }
        self.dl_share = (_DL_SHARE - share) / (1 - share)

    def paper(self, number: int) -> SyntheticPaper:
        rng = self.rng
        uses_ptms = self.ptm()
        uses_dl = uses_ptms or rng.random() < self.dl_share
        if uses_ptms:
            natural_count, natural, other = (
                self.natural_slots_ptm(),
                self.natural_ptm,
                self.other_ptm,
            )
        else:
            natural_count, natural, other = self.natural_slots(), self.natural, self.other
        slots = [natural() for _ in range(natural_count)]
        slots += [other() for _ in range(3 - natural_count)]
        rng.shuffle(slots)
        cited = rng.random() < TARGETS.cited_share
        megajournal = self.megajournal()
        return SyntheticPaper(
            number=number,
            doi=f"{DOI_PREFIX}{number:07d}",
            title=f"Synthetic paper {number}",
            year=self.ptm_year() if uses_ptms else self.year(),
            megajournal=megajournal,
            journal=self.journals[megajournal](),
            search_keyword=SEARCH_KEYWORDS[rng.randrange(len(SEARCH_KEYWORDS))],
            slots=(slots[0], slots[1], slots[2]),
            topics=(rng.randrange(20), rng.randrange(20), rng.randrange(20)),
            cited_by_count=int(rng.expovariate(1 / 12)) + 1 if cited else 0,
            open_access=rng.random() < 0.9,
            uses_dl=uses_dl,
            uses_ptms=uses_ptms,
            reuses=self.reuses() if uses_ptms else (),
        )

    def reuses(self) -> tuple[SyntheticReuse, ...]:
        rng = self.rng
        chosen: list[str] = []
        for _ in range(self.models_per_paper()):
            model = self.model() or self.tail()
            if model not in chosen:
                chosen.append(model)
        reuses = []
        for model in chosen:
            patterns = [self.pattern()]
            if rng.random() < _SECOND_PATTERN:
                second = self.pattern()
                if second not in patterns:
                    patterns.append(second)
            stages: list[str] = []
            for _ in range(self.stages_per_reuse()):
                stage = self.stage()
                if stage not in stages:
                    stages.append(stage)
            spellings = _SPELLINGS.get(model, (model,))
            reuses.append(
                SyntheticReuse(
                    model=model,
                    mention=spellings[rng.randrange(len(spellings))],
                    patterns=tuple(patterns),
                    stages=tuple(stages),
                    forms=tuple(_FORMS[p][rng.randrange(len(_FORMS[p]))] for p in patterns),
                )
            )
        return tuple(reuses)


def synthetic_papers(
    papers: int = DEFAULT_PAPERS, seed: int = DEFAULT_SEED
) -> Iterator[SyntheticPaper]:
    """The corpus's papers, one at a time (the same ``seed`` gives the same papers)."""
    if papers < 1:
        raise PtmkgError(f"--papers must be 1 or more, got {papers}")
    generator = _Generator(seed)
    for number in range(1, papers + 1):
        yield generator.paper(number)


# ------------------------------------------------------------------ writers


@dataclass
class SynthReport:
    path: Path
    format: str
    papers: int = 0
    ptm_papers: int = 0
    reuses: int = 0  # (paper, model) pairs
    rows: int = 0  # lines or rows written (JSON Lines and sheets), analysis rows (aius)
    seed: int = DEFAULT_SEED


def _note(papers: int, seed: int) -> str:
    return SYNTHETIC_NOTE.format(seed=seed, papers=f"{papers:,}")


def _evidence(reuse: SyntheticReuse) -> str:
    return f"Synthetic evidence: {reuse.mention} was used by {', '.join(reuse.forms)}."


def _write_sheet(out: TextIO, papers: Iterator[SyntheticPaper], report: SynthReport) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["DOI", "Uses DL", "Uses PTMs", "PTM Reuse Pairings", "_synthetic"])
    note = _note(report.papers, report.seed)
    for paper in papers:
        pairings = "; ".join(
            f"[{reuse.mention}, {pattern}]" for reuse in paper.reuses for pattern in reuse.patterns
        )
        writer.writerow([paper.doi, paper.uses_dl, paper.uses_ptms, pairings, note])
        note = ""
        _count(report, paper)
        report.rows += 1


def _write_generic(out: TextIO, papers: Iterator[SyntheticPaper], report: SynthReport) -> None:
    note: str | None = _note(report.papers, report.seed)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for paper in papers:
        base: dict[str, Any] = {
            "doi": paper.doi,
            "title": paper.title,
            "year": paper.year,
            "journal": paper.journal,
            "fields": "; ".join(str(f) for f in paper.fields),
            "uses_dl": paper.uses_dl,
            "uses_ptms": paper.uses_ptms,
        }
        if note:
            base = {"_synthetic": note, **base}
            note = None
        rows = [
            {
                **base,
                "model": reuse.mention,
                "pattern": "; ".join(reuse.patterns),
                "stages": "; ".join(reuse.stages),
                "evidence": _evidence(reuse),
            }
            for reuse in paper.reuses
        ] or [base]
        for row in rows:
            out.write(dumps(row))
            out.write("\n")
        report.rows += len(rows)
        _count(report, paper)


def _count(report: SynthReport, paper: SyntheticPaper) -> None:
    report.ptm_papers += paper.uses_ptms
    report.reuses += len(paper.reuses)


_PATTERN_LABELS = {
    "Adaptation": "adaptation_reuse",
    "Conceptual": "conceptual_reuse",
    "Deployment": "deployment_reuse",
}
_BATCH = 5_000


def _prompt(kind: str) -> str:
    return f"Synthetic system prompt for {kind}."


def _write_aius(
    connection: sqlite3.Connection, papers: Iterator[SyntheticPaper], report: SynthReport
) -> None:
    connection.executescript(AIUS_SCHEMA)
    first, last = TARGETS.first_year, TARGETS.last_year
    years = range(first, last + 1)
    connection.executemany("INSERT INTO _years(year) VALUES (?)", [(y,) for y in years])
    connection.executemany(
        "INSERT INTO _search_keywords(keyword) VALUES (?)", [(k,) for k in SEARCH_KEYWORDS]
    )
    connection.executemany(
        "INSERT INTO _openalex_natural_science_fields(openalex_id, field) VALUES (?, ?)",
        [(int(i), name) for i, name in NATURAL_FIELDS.items()],
    )
    connection.executemany(
        "INSERT INTO _llm_prompts(tag, prompt, json_string) VALUES (?, ?, '{}')",
        [(f"{kind}-synthetic", _prompt(kind)) for kind in ANALYSIS_KINDS],
    )
    note = json.dumps({"synthetic": True, "note": _note(report.papers, report.seed)})
    search_ids: dict[tuple[str, str, int], int] = {}
    for megajournal in MEGAJOURNALS:
        for keyword in SEARCH_KEYWORDS:
            for year in years:
                search_ids[megajournal, keyword, year] = len(search_ids) + 1
                connection.execute(
                    "INSERT INTO searches VALUES (?, '2025-12-10T00:00:00', ?, ?, ?, ?, 1, 200, ?)",
                    (
                        len(search_ids),
                        megajournal,
                        keyword,
                        year,
                        f"https://example.org/synthetic/{megajournal}/{year}",
                        note,
                    ),
                )
    rows: dict[str, list[tuple[Any, ...]]] = {
        "articles": [],
        "openalex": [],
        **{kind: [] for kind in ANALYSIS_KINDS},
    }
    statements = {
        "articles": "INSERT INTO articles(search_id, doi, title, megajournal, journal) "
        "VALUES (?, ?, ?, ?, ?)",
        "openalex": "INSERT INTO openalex(timestamp, doi, cited_by_count, open_access, topic_0, "
        "topic_1, topic_2, json_data) VALUES ('2025-12-10T00:00:00', ?, ?, ?, ?, ?, ?, ?)",
        **{
            kind: f"INSERT INTO {kind}_analysis(doi, system_prompt, user_prompt, model_response, "
            "model_reasoning, compute_time_seconds) VALUES (?, ?, 'Synthetic paper text.', ?, "
            "NULL, ?)"
            for kind in ANALYSIS_KINDS
        },
    }

    def flush() -> None:
        for table, batch in rows.items():
            connection.executemany(statements[table], batch)
            batch.clear()

    for count, paper in enumerate(papers, start=1):
        search = search_ids[paper.megajournal, paper.search_keyword, paper.year]
        rows["articles"].append((search, paper.doi, paper.title, paper.megajournal, paper.journal))
        rows["openalex"].append(
            (
                paper.doi,
                paper.cited_by_count,
                int(paper.open_access),
                *(FIELD_NAMES[slot] for slot in paper.slots),
                _work_json(paper),
            )
        )
        for kind, response in _analyses(paper):
            rows[kind].append((paper.doi, _prompt(kind), response, 2.0 + (count % 97) / 10))
            report.rows += 1
        _count(report, paper)
        if count % _BATCH == 0:
            flush()
    flush()


def _work_json(paper: SyntheticPaper) -> str:
    topics = []
    for slot, topic in zip(paper.slots, paper.topics, strict=True):
        domain_id, domain = _DOMAINS[slot]
        subfield = f"{slot}{topic % 5 + 1:02d}"
        topics.append(
            {
                "id": f"https://openalex.org/T{slot}{topic:03d}",
                "display_name": f"Synthetic topic {topic} of {FIELD_NAMES[slot]}",
                "subfield": {
                    "id": f"https://openalex.org/subfields/{subfield}",
                    "display_name": f"Synthetic subfield {subfield}",
                },
                "field": {
                    "id": f"https://openalex.org/fields/{slot}",
                    "display_name": FIELD_NAMES[slot],
                },
                "domain": {
                    "id": f"https://openalex.org/domains/{domain_id}",
                    "display_name": domain,
                },
            }
        )
    return json.dumps(
        {
            "id": f"https://openalex.org/W9{paper.number:09d}",
            "doi": f"https://doi.org/{paper.doi}",
            "title": paper.title,
            "publication_year": paper.year,
            "cited_by_count": paper.cited_by_count,
            "topics": topics,
        },
        separators=(",", ":"),
    )


def _verdict(result: bool, prose: str) -> str:
    """A yes-or-no analysis's answer: the result, with its prose only when it is yes."""
    return json.dumps({"result": result, "prose": prose if result else None})


def _analyses(paper: SyntheticPaper) -> Iterator[tuple[str, str]]:
    """The pipeline's answers: uses_dl always, uses_ptms for DL papers, the rest for PTM papers."""
    dumps = json.dumps
    yield "uses_dl", _verdict(paper.uses_dl, "Synthetic: a neural network is trained.")
    if not paper.uses_dl:
        return
    yield "uses_ptms", _verdict(paper.uses_ptms, "Synthetic: a released model is reused.")
    if not paper.uses_ptms:
        return
    yield "identify_ptms", dumps([{"model": r.mention, "prose": r.mention} for r in paper.reuses])
    yield (
        "identify_ptm_reuse",
        dumps(
            [
                {
                    "model": reuse.mention,
                    "form": form,
                    "classification": _PATTERN_LABELS[pattern],
                    "prose": _evidence(reuse),
                }
                for reuse in paper.reuses
                for pattern, form in zip(reuse.patterns, reuse.forms, strict=True)
            ]
        ),
    )
    yield (
        "identify_ptm_impact",
        dumps(
            [
                {"model": reuse.mention, "step": stage, "prose": f"Synthetic: {stage.lower()}."}
                for reuse in paper.reuses
                for stage in reuse.stages
            ]
        ),
    )


def write_generic(path: Path, papers: Iterator[SyntheticPaper], report: SynthReport) -> None:
    """The corpus as generic annotations in JSON Lines."""
    with path.open("w", encoding="utf-8", newline="") as out:
        _write_generic(out, papers, report)


def write_sheet(path: Path, papers: Iterator[SyntheticPaper], report: SynthReport) -> None:
    """The corpus as an annotation sheet (layout 1) in CSV."""
    with path.open("w", encoding="utf-8", newline="") as out:
        _write_sheet(out, papers, report)


def write_database(path: Path, papers: Iterator[SyntheticPaper], report: SynthReport) -> None:
    """The corpus as the study pipeline's SQLite database."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        with connection:
            _write_aius(connection, papers, report)
    finally:
        connection.close()


SYNTH_FORMATS = Registry(
    "synthetic format",
    (
        Format(
            "jsonl",
            (".jsonl", ".ndjson"),
            "kg.synth:write_generic",
            "generic annotations as JSON Lines (fields, years, patterns, stages, evidence)",
        ),
        Format(
            "csv",
            (".csv",),
            "kg.synth:write_sheet",
            "annotation sheet, layout 1 (DOI, Uses DL, Uses PTMs, PTM Reuse Pairings)",
        ),
        Format(
            "aius",
            (".db", ".sqlite", ".sqlite3"),
            "kg.synth:write_database",
            "the study pipeline's SQLite database (its exact schema), with OpenAlex topics",
        ),
    ),
)
"""Every format a synthetic corpus is written in; each writer is called
``write(path, papers, report)``."""


def synth_format_for(path: Path, format_name: str | None = None) -> Format:
    """The format asked for, else the one the file's extension names."""
    try:
        return SYNTH_FORMATS.choose(format_name, path)
    except UnknownFormat:
        if format_name:
            raise PtmkgError(
                f"unknown synthetic format {format_name!r}: choose one of {SYNTH_FORMATS.listing()}"
            ) from None
    raise PtmkgError(
        f"cannot tell the format from {path.name!r}: give --format ({SYNTH_FORMATS.listing()}) "
        "or an extension such as .jsonl, .csv or .db"
    )


def write_corpus(
    path: Path | str,
    format_name: str | None = None,
    *,
    papers: int = DEFAULT_PAPERS,
    seed: int = DEFAULT_SEED,
) -> SynthReport:
    """Write a calibrated synthetic corpus of ``papers`` papers to ``path``."""
    path = Path(path)
    chosen = synth_format_for(path, format_name)
    report = SynthReport(path=path, format=chosen.name, papers=papers, seed=seed)
    stream = synthetic_papers(papers, seed)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        chosen.load()(path, stream, report)
    except OSError as exc:
        raise PtmkgError(f"cannot write {path}: {exc.strerror or exc}") from None
    return report


__all__ = [
    "AIUS_SCHEMA",
    "ANALYSIS_KINDS",
    "DEFAULT_PAPERS",
    "DEFAULT_SEED",
    "SYNTH_FORMATS",
    "TARGETS",
    "SynthReport",
    "SyntheticPaper",
    "Targets",
    "synthetic_papers",
    "write_corpus",
]
