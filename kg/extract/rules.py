"""The offline extractor: model mentions from the registry, context rules, cue words.

For each article, the running text (abstract, body and back-matter sections;
never references, figure or table captions, or appended reviews) is searched
for the names and aliases of the model registry. A mention is a reuse only when
its sentence says the paper did something with the model, and its pattern and
stage come from cue words. Rules, in order:

1. **Mentions.** A name matches on word boundaries, so ``Roberts`` is not BERT
   and ``scBERT`` not BERT. Names are matched in the registry's case, and in
   lower or upper case only when they hold a digit or mixed case (``resnet50``
   is ResNet-50); so a person (``Roberta``, ``Bert``, ``Sam``) is never a model.
   A name followed by ``et al.`` or preceded by an initial is a person. Short
   or common-word names (``SAM``, ``T5``, ``CLIP``, ``Llama``) count only when
   their sentence speaks of machine learning.
2. **Sections.** Acknowledgements, funding, author contributions and competing
   interests are skipped. In the introduction, background, related work and
   discussion, a sentence must also speak of this paper (``we``, ``our``,
   ``here``), since those sections mostly cite others' work.
3. **Patterns** (``domain.md``): *conceptual* for an architecture trained from
   scratch, randomly initialised, re-implemented or rebuilt (this wins over
   "trained" and "fine-tuned": a from-scratch model was not adapted);
   *adaptation* for fine-tuning, transfer learning, distillation, LoRA, PEFT,
   re-training, starting from pre-trained weights; *deployment* for conversion
   and serving (ONNX, TorchScript, quantisation, ...), use "as is", "with default
   parameters" or "without fine-tuning". "Fine-tuned" is an adaptation cue only
   in a sentence that speaks of machine learning: "SAM synthetase activity is
   fine-tuned by methionine" is biology. A sentence that only says the model
   was used (``using``, ``predicted with``, ``segmented with``) is deployment,
   with less confidence, and only when no other sentence gives the model a
   pattern; "trained" alone is conceptual, with less confidence still.
4. **Deep learning.** The paper uses deep learning if it reuses a model or its
   text speaks of deep learning, CNNs, transformers or artificial neural
   networks; "Neural Networks" capitalised mid-sentence is the journal, and a
   spiking, simulated or biological neural network is not deep learning.
5. **Stages** come from cue words of the evidence sentence (``analysed``,
   ``hypotheses``, ``observed``...), else from its section: introduction ->
   Background, methods -> Test, results -> Analysis, discussion -> Conclusion.

Each reuse keeps its evidence sentence, section and a confidence: the product
of how sure the mention is (an unambiguous name 1.0; a name of three characters
or fewer, or a common word, with context 0.8), how strong the cue is (explicit
0.9, "used" 0.6, "trained" 0.5) and where it is (0.9 in an introduction or
discussion).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.extract import FoundReuse, PaperExtraction
from kg.models.registry import ModelRegistry
from kg.rdf.iris import name_key
from kg.read.jats import Article, Section

RULES_VERSION = "rules-1"

CONCEPTUAL, ADAPTATION, DEPLOYMENT = "Conceptual", "Adaptation", "Deployment"
STAGE_ORDER = ("Observation", "Background", "Hypothesis", "Test", "Analysis", "Conclusion")
# Common words and short names that are also something else (SAM is S-adenosylmethionine,
# T5 a vertebra, CLIP a sequencing method, a llama an animal).
_COMMON_WORDS = {
    "whisper",
    "llama",
    "glove",
    "clip",
    "swin",
    "sam",
    "bert",
    "elmo",
    "yolo",
    "enformer",
    "stable diffusion",
    "segment anything",
}

_ML_CONTEXT = re.compile(
    r"deep[- ]learning|machine[- ]learning|neural net|pre-?trained|weights|checkpoint|"
    r"transformer|convolutional|\bCNNs?\b|architecture|backbone|embedding|language model|"
    r"classifier|\bGPUs?\b|PyTorch|TensorFlow|Keras|Hugging ?Face|ImageNet|\bCOCO\b|"
    r"inference|encoder|decoder|token|epoch|training (?:set|data)|\bmodels?\b|\bnetworks?\b|"
    r"segmentation|annotated|labell?ed (?:images|frames|data|examples)|dataset",
    re.IGNORECASE,
)
_SKIPPED_SECTIONS = re.compile(
    r"acknowledg|funding|financial|author(?:s'?)? contribution|competing|conflicts? of|"
    r"ethics|consent|abbreviation|supplementary|supporting information|references",
    re.IGNORECASE,
)
_CITING_SECTIONS = re.compile(
    r"introduction|background|related work|prior work|discussion|literature|review",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:we|our|us|here|this (?:study|work|paper))\b", re.IGNORECASE)

_FROM_SCRATCH = re.compile(
    r"from scratch|randomly initiali[sz]ed|random initiali[sz]ation|without pre-?training|"
    r"re-?implement|reimplement|re-?built|rebuilt|recreat|reproduc(?:e|ed|ing) the architecture|"
    r"implemented (?:\w+ ){0,6}in (?:PyTorch|TensorFlow|Keras|JAX)|"
    r"(?:based on|inspired by|following) the (?:\S+ ){0,3}architecture|no pre-?trained weights",
    re.IGNORECASE,
)
_NOT_ADAPTED = re.compile(
    r"without (?:any )?(?:further |additional )?(?:fine-?tuning|re-?training|training)|"
    r"no (?:further |additional )?(?:fine-?tuning|re-?training)|not (?:been )?fine-?tuned",
    re.IGNORECASE,
)
_ADAPTATION = re.compile(
    r"transfer learning|knowledge distillation|distill|\bLoRA\b|\bPEFT\b|\bre-?train|"
    r"initiali[sz]ed (?:\w+ ){0,3}(?:with|from) (?:\w+ ){0,3}(?:pre-?trained|ImageNet|COCO)|"
    r"further trained|continued training|domain adaptation|adapted (?:\w+ ){0,4}to",
    re.IGNORECASE,
)
_FINE_TUNE = re.compile(r"fine-?tun", re.IGNORECASE)
_DEPLOYMENT = re.compile(
    r"\bONNX\b|TorchScript|quanti[sz]|TensorRT|LiteRT|TF ?Lite|ExecuTorch|\bvLLM\b|\bMLIR\b|"
    r"inference server|off-the-shelf|out of the box|as is\b|as-is\b|default (?:parameters|"
    r"settings|weights|options)|deployed|exported|converted (?:\w+ ){0,3}to",
    re.IGNORECASE,
)
_USED = re.compile(
    r"\b(?:used|using|use of|applied|applying|employed|employing|ran|run|running|"
    r"(?:predicted|segmented|tracked|detected|annotated|identified|classified|generated|"
    r"computed|obtained|estimated|modell?ed|processed|extracted|embedded|transcribed) "
    r"(?:\w+ ){0,2}(?:with|by|using|from)|via|by means of)\b",
    re.IGNORECASE,
)
_TRAINED = re.compile(r"\btrain(?:ed|ing)\b", re.IGNORECASE)

_DEEP_LEARNING = re.compile(
    r"deep[- ]learning|deep neural|convolutional neural|\bCNNs?\b|transformer|"
    r"pre-?trained (?:model|network|weights)|[Nn]eural [Nn]etworks?",
)
_NOT_DEEP = re.compile(
    r"(?:spiking|simulated|biological|neuronal|cortical|recurrent spiking|rate-based|attractor|"
    r"Hopfield|integrate-and-fire)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)

_STAGE_CUES = (
    ("Observation", re.compile(r"\bobserv|monitor|survey|camera[- ]trap|recording", re.IGNORECASE)),
    ("Hypothesis", re.compile(r"hypothes|candidate|prioriti", re.IGNORECASE)),
    ("Analysis", re.compile(r"analy[sz]|quantif|segment|measur|track|count", re.IGNORECASE)),
    ("Test", re.compile(r"\btest|experiment|evaluat|validat|benchmark", re.IGNORECASE)),
    ("Background", re.compile(r"literature|prior work|previous studies", re.IGNORECASE)),
    ("Conclusion", re.compile(r"conclu|interpret", re.IGNORECASE)),
)
_SECTION_STAGES = (
    (re.compile(r"introduction|background|related work", re.IGNORECASE), "Background"),
    (
        re.compile(r"method|material|experiment|procedure|implementation|approach", re.IGNORECASE),
        "Test",
    ),
    (re.compile(r"result|finding|analys", re.IGNORECASE), "Analysis"),
    (re.compile(r"discussion|conclusion|summary", re.IGNORECASE), "Conclusion"),
)

_ABBREVIATIONS = {
    "al",
    "e.g",
    "i.e",
    "fig",
    "figs",
    "eq",
    "ref",
    "refs",
    "vs",
    "approx",
    "ca",
    "cf",
    "no",
    "dr",
    "prof",
    "st",
    "mr",
    "ms",
    "sect",
    "tab",
    "suppl",
    "etc",
}
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9(\[\"'])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; ``et al.``, ``e.g.``, ``Fig.`` and initials do not end one."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start : match.start()].split()
        word = before[-1].lstrip("([").lower() if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        sentences.append(text[start : match.start() + 1].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


@dataclass(frozen=True)
class _Spelling:
    model: str  # canonical name
    ambiguous: bool  # short or a common word: needs machine-learning context


class MentionFinder:
    """Finds the registry's model names in text, on word boundaries and in their case."""

    def __init__(self, registry: ModelRegistry | None = None) -> None:
        registry = registry or ModelRegistry.from_environment()
        self.spellings: dict[str, _Spelling] = {}
        for entry in registry.entries.values():
            for spelling in (entry.name, *entry.aliases):
                key = name_key(spelling)
                ambiguous = len(key) <= 3 or spelling.casefold() in _COMMON_WORDS
                for variant in _case_variants(spelling):
                    self.spellings.setdefault(variant, _Spelling(entry.name, ambiguous))
        # A cheap first pass: the regex runs only on text holding a name's first word.
        self.first_words = {
            re.split(r"[\s_-]+", s.lower())[0].split("/")[0].split(".")[0] for s in self.spellings
        }
        alternatives = sorted(self.spellings, key=lambda s: (-len(s), s))
        self._by_form = {_loose(s): s for s in alternatives}
        pattern = "|".join(_flexible(s) for s in alternatives)
        self.regex = re.compile(rf"(?<![\w-])(?:{pattern})(?![\w]|-\d)")

    def find(self, text: str) -> list[tuple[re.Match[str], _Spelling]]:
        found: list[tuple[re.Match[str], _Spelling]] = []
        if self.first_words.isdisjoint(_WORD.findall(text.lower())):
            return found
        for match in self.regex.finditer(text):
            spelling = self.spellings.get(match.group(0)) or self.spellings.get(
                self._by_form.get(_loose(match.group(0)), "")
            )
            if spelling is not None:
                found.append((match, spelling))
        return found


def _case_variants(spelling: str) -> set[str]:
    """The spelling as written, and in lower and upper case if that cannot be a word or name."""
    variants = {spelling}
    distinctive = any(c.isdigit() for c in spelling) or re.search(r"[a-z][A-Z]", spelling)
    if distinctive:
        variants |= {spelling.lower(), spelling.upper()}
    return variants


def _loose(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text)


def _flexible(spelling: str) -> str:
    """A regex for the spelling where a hyphen, a space or nothing may separate its parts."""
    parts = re.split(r"[\s_-]+", spelling)
    return r"[\s-]?".join(re.escape(p) for p in parts)


@dataclass
class _Candidate:
    model: str
    mention: str
    pattern: str
    strength: float  # of the cue
    sentence: str
    section: Section
    confidence: float


class RuleExtractor:
    """The offline extractor; one instance serves many articles (it compiles its regex once)."""

    version = RULES_VERSION
    name = "rules"

    def __init__(self, registry: ModelRegistry | None = None) -> None:
        self.finder = MentionFinder(registry)

    def extract(self, article: Article) -> PaperExtraction:
        candidates: list[_Candidate] = []
        deep_learning: str | None = None
        for section in article.sections:
            if _SKIPPED_SECTIONS.search(section.heading):
                continue
            citing = bool(_CITING_SECTIONS.search(section.heading))
            for paragraph in section.paragraphs:
                if deep_learning is None:
                    deep_learning = _deep_learning_sentence(paragraph)
                mentions = self.finder.find(paragraph)
                if not mentions:
                    continue
                for sentence in split_sentences(paragraph):
                    candidates.extend(self._sentence(sentence, section, citing))
        reuses = _decide(candidates)
        uses_ptms = bool(reuses)
        if uses_ptms and deep_learning is None:
            deep_learning = reuses[0].evidence
        return PaperExtraction(
            location=article.location,
            doi=article.doi,
            title=article.title,
            journal=article.journal,
            year=article.year,
            uses_dl=deep_learning is not None,
            uses_ptms=uses_ptms,
            reuses=tuple(reuses),
            extractor=self.name,
            version=self.version,
            uses_dl_evidence=deep_learning,
        )

    def _sentence(self, sentence: str, section: Section, citing: bool) -> Iterable[_Candidate]:
        mentions = [m for m in self.finder.find(sentence) if not _is_person(sentence, m[0])]
        if not mentions:
            return
        machine_learning = bool(_ML_CONTEXT.search(_without(sentence, mentions)))
        mentions = [m for m in mentions if machine_learning or not m[1].ambiguous]
        if not mentions:
            return
        if citing and not _FIRST_PERSON.search(sentence):
            return
        cues = _pattern_cues(sentence, machine_learning)
        if not cues:
            return
        place = 0.9 if citing else 1.0
        seen: set[str] = set()
        for match, spelling in mentions:
            if spelling.model in seen:
                continue
            seen.add(spelling.model)
            mention_strength = 0.8 if spelling.ambiguous else 1.0
            for pattern, strength in cues:
                yield _Candidate(
                    model=spelling.model,
                    mention=match.group(0),
                    pattern=pattern,
                    strength=strength,
                    sentence=sentence,
                    section=section,
                    confidence=round(mention_strength * strength * place, 2),
                )


def _without(sentence: str, mentions: list[tuple[re.Match[str], _Spelling]]) -> str:
    """The sentence with the model names blanked, so a name is not its own context."""
    for match, _ in sorted(mentions, key=lambda m: -m[0].start()):
        sentence = sentence[: match.start()] + " " + sentence[match.end() :]
    return sentence


def _is_person(sentence: str, match: re.Match[str]) -> bool:
    after = sentence[match.end() : match.end() + 12]
    before = sentence[max(0, match.start() - 6) : match.start()]
    return bool(
        re.match(r"\s+(?:et al|and colleagues|and co-workers)", after)
        or re.search(r"(?:\b[A-Z]\.\s*|Dr\.?\s+|Prof\.?\s+)$", before)
    )


def _pattern_cues(sentence: str, machine_learning: bool) -> list[tuple[str, float]]:
    """The patterns a sentence's cue words give, with how strong each cue is."""
    if _FROM_SCRATCH.search(sentence):
        return [(CONCEPTUAL, 0.9)]
    cues: list[tuple[str, float]] = []
    not_adapted = _NOT_ADAPTED.search(sentence)
    if not not_adapted and (
        _ADAPTATION.search(sentence) or (machine_learning and _FINE_TUNE.search(sentence))
    ):
        cues.append((ADAPTATION, 0.9))
    if _DEPLOYMENT.search(sentence) or not_adapted:
        cues.append((DEPLOYMENT, 0.9))
    if cues:
        return cues
    if _TRAINED.search(sentence) and not re.search(r"pre-?trained", sentence, re.IGNORECASE):
        return [(CONCEPTUAL, 0.5)]
    if _USED.search(sentence):
        return [(DEPLOYMENT, 0.6)]
    return []


def _decide(candidates: list[_Candidate]) -> list[FoundReuse]:
    """Per model, each pattern with its best sentence; weak cues only where no strong one is."""
    by_model: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        by_model.setdefault(candidate.model, []).append(candidate)
    reuses: list[FoundReuse] = []
    for model, found in by_model.items():
        strong = [c for c in found if c.strength >= 0.9]
        kept = strong or [max(found, key=lambda c: (c.strength, c.confidence))]
        best: dict[str, _Candidate] = {}
        for candidate in kept:
            current = best.get(candidate.pattern)
            if current is None or candidate.confidence > current.confidence:
                best[candidate.pattern] = candidate
        for pattern in (CONCEPTUAL, ADAPTATION, DEPLOYMENT):
            if pattern in best:
                chosen = best[pattern]
                reuses.append(
                    FoundReuse(
                        model=model,
                        pattern=pattern,
                        stages=stages_of(chosen.sentence, chosen.section),
                        evidence=chosen.sentence,
                        section=chosen.section.heading,
                        confidence=chosen.confidence,
                        mention=chosen.mention,
                    )
                )
    return reuses


def stages_of(sentence: str, section: Section) -> tuple[str, ...]:
    """Stages from the sentence's cue words, else from the section it is in."""
    found = {stage for stage, cue in _STAGE_CUES if cue.search(sentence)}
    if not found:
        for heading in (*section.path, section.part):
            for cue, stage in _SECTION_STAGES:
                if cue.search(heading):
                    found.add(stage)
                    break
            if found:
                break
    if not found:
        found.add("Test")
    return tuple(s for s in STAGE_ORDER if s in found)


def _deep_learning_sentence(paragraph: str) -> str | None:
    """The first sentence that speaks of deep learning, or None."""
    for match in _DEEP_LEARNING.finditer(paragraph):
        text = match.group(0)
        start = match.start()
        if text[0] == "N" and text.lower().startswith("neural"):
            # "Neural Networks" in mid-sentence is the journal's name.
            before = paragraph[:start].rstrip()
            if before and before[-1] not in ".!?":
                continue
        preceding = paragraph[max(0, start - 40) : start]
        if text.lower().startswith("neural") and _NOT_DEEP.search(preceding):
            continue
        for sentence in split_sentences(paragraph):
            if text in sentence:
                return sentence
        return paragraph
    return None
