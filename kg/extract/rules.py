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
from dataclasses import dataclass, replace

from kg.extract import FoundReuse, ModelCandidate, PaperExtraction
from kg.extract.open_vocabulary import find_open_mentions
from kg.models.key import model_key
from kg.models.registry import ModelRegistry, RegistryEntry
from kg.models.resolve import ModelResolver, UnresolvableMention
from kg.rdf.iris import name_key
from kg.read.jats import Article, Section

RULES_VERSION = "rules-2"

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
    r"ethics|consent|abbreviation|supplementary|supporting information|references|"
    # Help with writing or coding is not reuse in the paper's science.
    r"\bAI (?:usage|use|assistance|disclosure)|use of (?:generative )?AI|generative AI|"
    r"(?:LLM|language model) (?:usage|use) (?:statement|disclosure)",
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
    r"(?:based on|inspired by|following) the (?:\S+ ){0,3}architecture|no pre-?trained weights|"
    r"(?:a |an )?(?:modified|adapted|customi[sz]ed) (?:version|variant) of",
    re.IGNORECASE,
)
# Words that make "a modified version of X" an adaptation of weights, not of an idea.
_WEIGHTS_WORDS = re.compile(r"pre-?trained|weights|checkpoint|fine-?tun", re.IGNORECASE)
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
    r"settings|weights|options)|deployed|exported|converted (?:\w+ ){0,3}to|"
    r"\binference\b|(?:wrapper|interface) (?:for|to|around)",
    re.IGNORECASE,
)
_USED = re.compile(
    r"\b(?:used|using|use of|applied|applying|employed|employing|ran|run|running|"
    r"(?:predicted|segmented|tracked|detected|annotated|identified|classified|generated|"
    r"computed|obtained|estimated|modell?ed|processed|extracted|embedded|transcribed|"
    r"encoded|searched) (?:[\w-]+ ){0,8}(?:with|by|using|from)|via|by means of|leverag\w*|"
    r"integrat(?:es|ed|ing)|implementation of|support(?:s|ing) (?:[\w-]+ ){0,3}(?:APIs?|"
    r"models?|backends?))\b",
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
    (
        "Hypothesis",
        re.compile(
            r"hypothes|candidate|prioriti|(?:was|were|is|are) predicted to|initial (?:conformation|"
            r"structure|model)|starting (?:point|structure)",
            re.IGNORECASE,
        ),
    ),
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
    network: bool = True  # a neural network (the registry's wikidata_class), not a plain tool


class MentionFinder:
    """Finds the registry's model names in text, on word boundaries and in their case."""

    def __init__(self, registry: ModelRegistry | None = None) -> None:
        registry = registry or ModelRegistry.from_environment()
        self.spellings: dict[str, _Spelling] = {}
        for entry in registry.entries.values():
            for spelling in (entry.name, *entry.aliases):
                key = name_key(spelling)
                ambiguous = len(key) <= 3 or spelling.casefold() in _COMMON_WORDS
                network = bool(entry.wikidata_class)
                for variant in _case_variants(spelling):
                    self.spellings.setdefault(variant, _Spelling(entry.name, ambiguous, network))
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
class _Mention:
    """A model named in a sentence: where, as written, and the model it resolves to."""

    start: int
    end: int
    text: str
    model: str
    ambiguous: bool
    known: bool = True
    tool: str = ""
    candidate: ModelCandidate | None = None
    network: bool = True  # False for a registry tool that is not a neural network
    via: int = -1  # where the wrapper that ran it is named


@dataclass
class _Candidate:
    model: str
    mention: str
    pattern: str
    strength: float  # of the cue
    sentence: str
    section: Section
    confidence: float
    tool: str = ""
    known: bool = True


# A size written after a model's name is part of it: ESM-2 3B, ESM-2 650M, Llama 2 70B.
_SIZE = re.compile(r"[\s-](\d+(?:\.\d+)?[BMK])\b")
# A name used as an adjective for data or compatibility is not the model being used:
# "AlphaFold2 predicted structures", "Foldseek-compatible", "the AlphaFold database".
_NOT_USED_AFTER = re.compile(
    r"(?:-compatible|-like|-style|-derived|[\s-](?:predicted|derived|generated) "
    r"(?:structures?|models?|data|sequences?|proteomes?)|\s+(?:database|DB|data ?set|"
    r"UniProt\d*|structures? database))\b",
    re.IGNORECASE,
)
# The paper reuses a pre-trained model it does not name.
_UNNAMED_PTM = re.compile(
    r"(?:pre-?trained|pretrained) (?:[\w-]+ ){0,2}(?:models?|networks?|weights|CNNs?|"
    r"encoders?|backbones?)|transfer learning",
    re.IGNORECASE,
)
_UNNAMED_USE = re.compile(
    r"\b(?:adapt\w*|fine-?tun\w*|using|use[sd]?|appl(?:y|ied|ying)|load\w*|from "
    r"torchvision|download\w*)\b",
    re.IGNORECASE,
)
# What the paper might do, not what it did.
_HYPOTHETICAL = re.compile(
    r"\b(?:future (?:work|studies|research|versions?)|could (?:be|also)|might|would|should be|"
    r"will be able)\b",
    re.IGNORECASE,
)
_PASSIVE_USE = re.compile(
    r"[^.;]{0,40}?\b(?:was|were|is|are|been|being)\s+(?:\w+\s+)?(?:used|applied|employed|run|"
    r"ran|deployed|adopted|utili[sz]ed)\b",
    re.IGNORECASE,
)
_DEEP_SAID = re.compile(r"deep[- ]learning|neural[- ]network", re.IGNORECASE)
USED_STRENGTH = 0.6  # of a cue that only says the model was used
_NOT_DONE = re.compile(
    r"\b(?:future|could|might|would|may be|should|not (?:use|used)|no pre-?trained)\b",
    re.IGNORECASE,
)


class RuleExtractor:
    """The offline extractor; one instance serves many articles (it compiles its regex once)."""

    version = RULES_VERSION
    name = "rules"

    def __init__(self, registry: ModelRegistry | None = None) -> None:
        self.registry = registry or ModelRegistry.from_environment()
        self.finder = MentionFinder(self.registry)
        self.resolver = ModelResolver(registry=self.registry)

    def extract(self, article: Article) -> PaperExtraction:
        candidates: list[_Candidate] = []
        deep_learning: str | None = None
        unnamed: str | None = None
        new_models: dict[str, ModelCandidate] = {}
        for section in article.sections:
            if _SKIPPED_SECTIONS.search(section.heading):
                continue
            citing = bool(_CITING_SECTIONS.search(section.heading))
            for paragraph in section.paragraphs:
                if deep_learning is None:
                    deep_learning = _deep_learning_sentence(paragraph)
                for sentence in split_sentences(paragraph):
                    if unnamed is None and _unnamed_reuse(sentence, citing):
                        unnamed = sentence
                    found = list(self._sentence(sentence, section, citing, new_models))
                    candidates.extend(found)
        reuses = self._specific(_decide(candidates))
        uses_ptms = bool(reuses) or unnamed is not None
        if uses_ptms and deep_learning is None:
            deep_learning = reuses[0].evidence if reuses else unnamed
        reused = {model_key(r.model) for r in reuses}
        return PaperExtraction.of(
            article,
            uses_dl=deep_learning is not None,
            uses_ptms=uses_ptms,
            reuses=tuple(reuses),
            extractor=self.name,
            version=self.version,
            uses_dl_evidence=deep_learning,
            candidates=tuple(c for k, c in new_models.items() if k in reused),
        )

    def _mentions(self, sentence: str) -> list[_Mention]:
        """Registry names, then names found by naming cues, then wrappers read as the model."""
        mentions: list[_Mention] = []
        for match, spelling in self.finder.find(sentence):
            if _is_person(sentence, match) or _NOT_USED_AFTER.match(sentence, match.end()):
                continue
            mention = _Mention(
                match.start(),
                match.end(),
                match.group(0),
                spelling.model,
                spelling.ambiguous,
                network=spelling.network,
            )
            size = _SIZE.match(sentence, match.end())
            if size is not None:
                resolved = self._resolve(match.group(0) + size.group(0))
                if resolved is not None:
                    mention.end = size.end()
                    mention.text = sentence[mention.start : mention.end]
                    mention.model, mention.known = resolved
            mentions.append(mention)
        for found in find_open_mentions(sentence):
            if any(m.start < found.end and found.start < m.end for m in mentions):
                continue
            if _NOT_USED_AFTER.match(sentence, found.end):
                continue
            resolved = self._resolve(found.text)
            if resolved is None:
                continue
            name, known = resolved
            mention = _Mention(found.start, found.end, found.text, name, False, known)
            if not known:
                version_of = self.resolver.resolve(found.text).version_of
                mention.candidate = ModelCandidate(
                    name=name,
                    mention=found.text,
                    cue=found.cue,
                    evidence=sentence,
                    version_of=version_of.name if version_of else "",
                    huggingface_id=found.huggingface_id,
                    link=found.link,
                )
            mentions.append(mention)
        return self._unwrap(sorted(mentions, key=lambda m: m.start))

    def _resolve(self, text: str) -> tuple[str, bool] | None:
        try:
            resolved = self.resolver.resolve(text)
        except UnresolvableMention:
            return None
        # A new size or version of a registry family still names a model the registry knows of.
        return resolved.name, resolved.known or resolved.version_of is not None

    def _unwrap(self, mentions: list[_Mention]) -> list[_Mention]:
        """A wrapper (ColabFold runs AlphaFold 2) is the tool; the model is what it runs."""
        kept: list[_Mention] = []
        for mention in mentions:
            wrapped = self._wrapped(mention.model)
            if wrapped is None:
                kept.append(mention)
                continue
            runs = [m for m in mentions if m is not mention and self._within(m.model, wrapped)]
            if runs:
                for other in runs:
                    other.tool = other.tool or mention.model
                    other.via = mention.start
                continue
            mention.tool, mention.model = mention.model, wrapped.name
            kept.append(mention)
        return kept

    def _wrapped(self, model: str) -> RegistryEntry | None:
        """The model a wrapper runs: its backbone, when the two do the same task."""
        entry = self.registry.entry(model)
        if entry is None or not entry.backbone:
            return None
        backbone = self.registry.entry(entry.backbone)
        if backbone is None or not entry.task or entry.task != backbone.task:
            return None  # DeepVariant is built on Inception v3; it does not run it
        return backbone

    def _within(self, model: str, general: RegistryEntry) -> bool:
        """Whether ``model`` is ``general`` or a version of it (by the registry or the key)."""
        if model_key(model) == general.key:
            return True
        entry = self.registry.entry(model)
        for _ in range(8):  # version_of chains are short; a cycle must not hang
            if entry is None or not entry.version_of:
                break
            if model_key(entry.version_of) == general.key:
                return True
            entry = self.registry.entry(entry.version_of)
        version_of = self.resolver.resolve(model).version_of
        return version_of is not None and version_of.key == general.key

    def _specific(self, reuses: list[FoundReuse]) -> list[FoundReuse]:
        """A model also named by one more specific version in the paper is that version."""
        names = list(dict.fromkeys(r.model for r in reuses))
        into: dict[str, str] = {}
        for name in names:
            general = self.registry.entry(name)
            if general is None:
                continue
            specific = [n for n in names if n != name and self._within(n, general)]
            if len(specific) == 1:
                into[name] = specific[0]
        # The architecture a reused tool is built on is that tool's (DeepVariant's Inception v3).
        built_on = set()
        for name in names:
            entry = self.registry.entry(name)
            if entry is not None and entry.backbone and self._wrapped(name) is None:
                built_on.add(model_key(entry.backbone))
        merged: dict[tuple[str, str], tuple[tuple[bool, float], FoundReuse]] = {}
        for reuse in reuses:
            if model_key(reuse.model) in built_on:
                continue
            target = into.get(reuse.model, reuse.model)
            # A sentence naming the specific version is better evidence than one naming the
            # family, however sure each is.
            rank = (target == reuse.model, reuse.confidence or 0)
            if target != reuse.model:
                reuse = replace(reuse, model=target)
            key = (target, reuse.pattern)
            current = merged.get(key)
            if current is None or rank > current[0]:
                tool = reuse.tool or (current[1].tool if current else "")
                merged[key] = (rank, replace(reuse, tool=tool))
        order = {CONCEPTUAL: 0, ADAPTATION: 1, DEPLOYMENT: 2}
        return sorted(
            (reuse for _, reuse in merged.values()),
            key=lambda r: (names.index(r.model) if r.model in names else 0, order[r.pattern]),
        )

    def _sentence(
        self,
        sentence: str,
        section: Section,
        citing: bool,
        new_models: dict[str, ModelCandidate],
    ) -> Iterable[_Candidate]:
        mentions = self._mentions(sentence)
        if not mentions or _HYPOTHETICAL.search(sentence):
            return
        # Cue words are read with the names blanked: "Pre-training" in CLIP's name is no cue.
        blanked = _without(sentence, mentions)
        machine_learning = bool(_ML_CONTEXT.search(blanked))
        mentions = [m for m in mentions if machine_learning or not m.ambiguous]
        # A tool that is not a neural network (TMHMM; DIA-NN unless its deep learning is on)
        # is a PTM only where the sentence says deep learning ran.
        deep = bool(_DEEP_SAID.search(blanked))
        mentions = [m for m in mentions if m.network or deep]
        if not mentions:
            return
        if citing and not _FIRST_PERSON.search(sentence):
            return
        cues = _pattern_cues(blanked, machine_learning)
        place = 0.9 if citing else 1.0
        done: set[tuple[str, str]] = set()
        for pattern, strength, where in cues:
            for mention in mentions:
                if (mention.model, pattern) in done or not _closest(
                    mention, mentions, where, blanked
                ):
                    continue
                if strength == USED_STRENGTH and not _object_of_use(mention, where, sentence):
                    continue
                done.add((mention.model, pattern))
                if mention.candidate is not None:
                    new_models.setdefault(model_key(mention.model), mention.candidate)
                mention_strength = 0.8 if mention.ambiguous else 1.0 if mention.known else 0.7
                yield _Candidate(
                    model=mention.model,
                    mention=mention.text,
                    pattern=pattern,
                    strength=strength,
                    sentence=sentence,
                    section=section,
                    confidence=round(mention_strength * strength * place, 2),
                    tool=mention.tool,
                    known=mention.known,
                )


def _object_of_use(mention: _Mention, where: int, sentence: str) -> bool:
    """Whether "used" speaks of the model: "computed using X", "via X", or "X was used"."""
    if mention.start >= where or mention.via >= where:
        return True
    return bool(_PASSIVE_USE.match(sentence, mention.end))


def _closest(mention: _Mention, mentions: list[_Mention], where: int, blanked: str) -> bool:
    """Whether a cue at ``where`` speaks of this mention: the nearest one, or one listed
    with it ("SPIDEX and SpliceAI", "A, B and C"; ``blanked`` has the names blanked)."""
    if len(mentions) == 1:
        return True

    def distance(m: _Mention) -> int:
        return 0 if m.start <= where < m.end else min(abs(where - m.start), abs(where - m.end))

    nearest = min(mentions, key=distance)
    if nearest is mention:
        return True
    first, last = sorted((nearest, mention), key=lambda m: m.start)
    between = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "", blanked[first.end : last.start])
    return bool(re.fullmatch(r"[\s,;]*(?:and|or|&)?[\s,]*", between))


def _unnamed_reuse(sentence: str, citing: bool) -> bool:
    """Whether the sentence says the paper reused a pre-trained model, named or not."""
    if not _UNNAMED_PTM.search(sentence) or not _UNNAMED_USE.search(sentence):
        return False
    if _NOT_DONE.search(sentence):
        return False
    return not citing or bool(_FIRST_PERSON.search(sentence))


def _without(sentence: str, mentions: list[_Mention]) -> str:
    """The sentence with the model names blanked (same length), so a name is not its own
    context and cue positions stay where they were."""
    for mention in mentions:
        width = mention.end - mention.start
        sentence = sentence[: mention.start] + " " * width + sentence[mention.end :]
    return sentence


def _is_person(sentence: str, match: re.Match[str]) -> bool:
    """A person (``Roberts et al.``, ``J. Bert``), or a figure's label (``[fig:lenet]``)."""
    after = sentence[match.end() : match.end() + 12]
    before = sentence[max(0, match.start() - 6) : match.start()]
    return bool(
        re.match(r"\s+(?:et al|and colleagues|and co-workers)", after)
        or re.search(r"(?:\b[A-Z]\.\s*|Dr\.?\s+|Prof\.?\s+)$", before)
        or re.search(r"(?:fig|tab|table|eq)[:.]\s*$", before, re.IGNORECASE)
    )


def _pattern_cues(sentence: str, machine_learning: bool) -> list[tuple[str, float, int]]:
    """The patterns a sentence's cue words give, how strong each cue is, and where it is."""
    scratch = _FROM_SCRATCH.search(sentence)
    if scratch and not (
        scratch.group(0).lower().endswith(" of") and _WEIGHTS_WORDS.search(sentence)
    ):
        return [(CONCEPTUAL, 0.9, scratch.start())]
    cues: list[tuple[str, float, int]] = []
    not_adapted = _NOT_ADAPTED.search(sentence)
    adapted = _ADAPTATION.search(sentence) or (
        _FINE_TUNE.search(sentence) if machine_learning else None
    )
    if scratch:  # "a modified version of" a pre-trained model: its weights were adapted
        adapted = adapted or scratch
    if adapted and not not_adapted:
        cues.append((ADAPTATION, 0.9, adapted.start()))
    deployed = _DEPLOYMENT.search(sentence) or not_adapted
    if deployed:
        cues.append((DEPLOYMENT, 0.9, deployed.start()))
    if cues:
        return cues
    trained = _TRAINED.search(sentence)
    if trained and not re.search(r"pre-?trained", sentence, re.IGNORECASE):
        return [(CONCEPTUAL, 0.5, trained.start())]
    # Each "used" speaks of the model nearest to it: "encoded using A ... processed via B".
    return [(DEPLOYMENT, USED_STRENGTH, used.start()) for used in _USED.finditer(sentence)]


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
        tool = next((c.tool for c in found if c.tool), "")
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
                        tool=tool if pattern == DEPLOYMENT else chosen.tool,
                        known=chosen.known,
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
