"""Finding models the registry does not know, from the way articles name them.

A paper names a model it reuses in a few telling ways, and these are the cues read here:

* **next to a model word**: ``the pre-trained Wiki-2019LSTM model``, ``the pre-trained
  NN_FAP model``, ``the deep-learning model X``;
* **with a citation and a description**: ``nnInteractive (Isensee et al., 2025), a
  promptable deep learning-based framework``, ``deepNF (55), that uses a multimodal deep
  autoencoder``;
* **a Hugging Face id** (``org/name``) in a link to the hub or next to "Hugging Face";
* **a GitHub or Zenodo link** in a sentence about weights, checkpoints or a pre-trained model;
* ``implemented in/with X`` and ``the X implementation of Y``, where X is not a
  programming framework.

Only names that look like a model's are taken: a word with a digit, an underscore, or a
capital inside (``ProstT5``, ``NN_FAP``, ``deepNF``), or a hub or repository name; plain
words, acronyms in capitals (``CNN``, ``LSTM``) and the frameworks and libraries papers
name beside models (PyTorch, NumPy, GitHub, ...) are not. Each name found is resolved
through :mod:`kg.models` (so a size of a known family, ``ESM-2 3B``, becomes a version of
it) and reported with its cue and sentence, so a curator can add it to the registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Software, frameworks, companies and hardware that papers name next to models.
_NOT_MODELS = {
    "pytorch",
    "tensorflow",
    "numpy",
    "scipy",
    "matplotlib",
    "pandas",
    "scikit-learn",
    "sklearn",
    "openmmlab",
    "mmsegmentation",
    "fastapi",
    "chromadb",
    "macos",
    "ios",
    "github",
    "gitlab",
    "javascript",
    "typescript",
    "huggingface",
    "openai",
    "deepmind",
    "onednn",
    "macbook",
    "geforce",
    "pymol",
    "simpleitk",
    "nibabel",
    "nilearn",
    "mne-python",
    "pytorch-lightning",
    "jupyterlab",
    "colab",
    "tensorboard",
    "cuda",
    "cudnn",
    "onnx",
    "onnxruntime",
    "litert",
    "tflite",
    "openvino",
    "tensorrt",
    "python3",
    "keras",
    "jax",
    "flax",
    "xgboost",
    "lightgbm",
    "hugging",
    "wandb",
    "mlflow",
    "docker",
    "conda",
    "pypi",
}
# A name: letters and digits, joined by hyphens, underscores or dots.
_NAME = r"[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*\+?"
_VERSION = r"(?:[\s-]v?\d+(?:\.\d+)*\b)?"
_MODEL_WORD = (
    r"(?:models?|networks?|weights|checkpoints?|classifiers?|encoders?|LSTMs?|CNNs?|"
    r"transformers?|autoencoders?|predictors?)"
)
_DEEP = (
    r"(?:deep[- ]learning|neural[- ]network|pre-?trained|transformer|language model|"
    r"foundation model|autoencoder|\bCNN\b|convolutional|\bLSTM\b|embedding model)"
)
_CITATION = r"(?:\s*[\(\[][^\)\]]{1,80}[\)\]])"
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "pre-trained",
        re.compile(
            rf"pre-?trained (?:[\w-]+ )?(?P<name>{_NAME}{_VERSION}) {_MODEL_WORD}", re.IGNORECASE
        ),
    ),
    (
        "model word",
        re.compile(
            rf"{_DEEP}(?:-based)? {_MODEL_WORD},? (?:called |named |termed )?"
            rf"(?P<name>{_NAME}{_VERSION})"
        ),
    ),
    (
        "citation",
        re.compile(
            rf"(?P<name>{_NAME}{_VERSION}){_CITATION},? (?:(?:a|an|the|is|that uses|which uses|"
            rf"which is|based on) )(?:[\w-]+ ){{0,5}}{_DEEP}",
            re.IGNORECASE,
        ),
    ),
    (
        "implementation",
        re.compile(rf"(?:implemented (?:in|with)|implementation of) (?P<name>{_NAME}{_VERSION})"),
    ),
)
_HUB = re.compile(r"huggingface\.co/(?P<id>[\w.-]+/[\w.-]+)")
_HUB_ID = re.compile(r"(?<![\w/.:])(?P<id>[A-Za-z][\w.-]*/[\w.-]*[A-Za-z0-9])(?![\w/])")
_HUB_CONTEXT = re.compile(r"Hugging ?Face|\bHF\b|from_pretrained|model hub", re.IGNORECASE)
_REPOSITORY = re.compile(
    r"(?:github\.com|gitlab\.com)/[\w.-]+/(?P<repo>[\w.-]+)|zenodo\.org/(?:records?|record)/\d+"
)
_WEIGHTS = re.compile(
    r"weights|checkpoints?|pre-?trained (?:\w+ )?models?|trained models? (?:is|are) available",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OpenMention:
    """A name found by a naming cue: where it is, as written, and how it was found."""

    start: int
    end: int
    text: str
    cue: str
    huggingface_id: str = ""
    link: str = ""


def model_like(name: str) -> bool:
    """Whether a word looks like a model's name rather than an ordinary word or acronym."""
    bare = re.sub(rf"{_VERSION}$", "", name).strip()
    if len(bare) < 3 or bare.casefold() in _NOT_MODELS:
        return False
    letters = sum(c.isalpha() for c in bare)
    if letters < 2:
        return False
    if bare.isupper() and not any(c.isdigit() for c in bare) and "_" not in bare:
        return False  # an acronym: CNN, LSTM, DNA
    return bool(
        any(c.isdigit() for c in bare)
        or "_" in bare
        or re.search(r"[a-z][A-Z]", bare)
        or re.match(r"[a-z]+[A-Z]", bare)
    )


# Every cue needs one of these words; a sentence without any is not searched further.
_ANY_CUE = re.compile(rf"{_DEEP}|implement|hugging ?face|github|gitlab|zenodo", re.IGNORECASE)


def find_open_mentions(sentence: str) -> list[OpenMention]:
    """Names the naming cues point at in one sentence, leftmost first, without overlaps."""
    found: list[OpenMention] = []
    if not _ANY_CUE.search(sentence):
        return found
    for cue, pattern in _CUES:
        for match in pattern.finditer(sentence):
            name = match.group("name").rstrip(".")
            if model_like(name):
                start = match.start("name")
                found.append(OpenMention(start, start + len(name), name, cue))
    for match in _HUB.finditer(sentence):
        hub_id = match.group("id").rstrip(".")
        start = match.start("id")
        found.append(OpenMention(start, start + len(hub_id), hub_id, "hub id", hub_id))
    if _HUB_CONTEXT.search(sentence):
        for match in _HUB_ID.finditer(sentence):
            hub_id = match.group("id")
            org, _, name = hub_id.partition("/")
            if "." in org or (not model_like(name) and not re.search(r"[\d_-]", name)):
                continue  # a path or a plain pair of words ("and/or")
            found.append(OpenMention(match.start(), match.end(), hub_id, "hub id", hub_id))
    if _WEIGHTS.search(sentence):
        for match in _REPOSITORY.finditer(sentence):
            repo = (match.group("repo") or "").removesuffix(".git").rstrip(".")
            if repo and model_key_letters(repo):
                found.append(
                    OpenMention(match.start(), match.end(), repo, "repository", link=match.group(0))
                )
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[OpenMention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def model_key_letters(name: str) -> bool:
    return sum(c.isalpha() for c in name) >= 2 and name.casefold() not in _NOT_MODELS
