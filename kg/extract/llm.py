"""The LLM extractor: the study's five questions, asked of any OpenAI-compatible chat API.

For each article, in order: does it use deep learning? does it reuse PTMs?
which PTMs? each one's reuse pattern? each one's stage of the scientific
process? The last three are asked only when the paper reuses PTMs. Every
answer must be JSON matching the question's schema; the quirks the study's own
pipeline met are accepted (a list wrapped in an object under ``response``,
``model``, ``models`` or ``result``, a bare object for a list of one,
``method`` for ``model``, code fences). A malformed answer is asked again (up
to ``retries`` times, with a reminder); a question that still fails is left
unanswered and listed in the extraction's problems, never guessed.

Valid answers are cached on disk, keyed by the article's text, the prompt
version, the model and the question, so a rerun costs nothing and a new prompt
version or model asks again. The API key comes from an option or the
environment and appears in no message, log or file.

Requests go through the one transport of :mod:`kg.http` (its retry policy, and
its rule that the key is sent only to the base URL's own scheme, host and port);
the base URL must be http(s).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.credentials import Credentials
from kg.defaults import LLM_TIMEOUT
from kg.errors import PtmkgError
from kg.extract import FoundReuse, PaperExtraction
from kg.http import DEFAULT_POLICY, HttpClient, HttpError, RetryPolicy, check_url, excerpt
from kg.models.names import ModelResolver, UnresolvableMention
from kg.rdf.vocabulary import vocabulary
from kg.read.jats import Article

PROMPT_VERSION = "five-steps-1"
BASE_URL_ENV = ("PTMKG_LLM_BASE_URL", "OPENAI_BASE_URL")
MODEL_ENV = ("PTMKG_LLM_MODEL",)
KEY_ENV = ("PTMKG_LLM_API_KEY", "OPENAI_API_KEY")
CACHE_ENV = "PTMKG_LLM_CACHE"
#: Seconds to wait for one answer: a chat model reading a whole article is slow.
DEFAULT_TIMEOUT = LLM_TIMEOUT
DEFAULT_RETRIES = DEFAULT_POLICY.retries
EXAMPLE_BASE_URL = "http://127.0.0.1:8000/v1"

SYSTEM_PROMPT = (
    "You read scientific articles and answer questions about how they use deep learning and "
    "pre-trained deep learning models (PTMs). Answer with one JSON object and nothing else: no "
    "prose around it, no code fences. Quote the article's own sentence as evidence in 'prose'."
)
QUESTIONS = {
    "uses_dl": (
        "Does this paper use deep learning in its own work (not only cite it)? "
        'Answer {"result": true or false, "prose": "the supporting sentence or null"}.'
    ),
    "uses_ptms": (
        "Does this paper reuse pre-trained deep learning models (PTMs) in its own work? "
        'Answer {"result": true or false, "prose": "the supporting sentence or null"}.'
    ),
    "identify_ptms": (
        "Which pre-trained deep learning models does this paper reuse? Name each as the paper "
        'does. Answer {"models": [{"model": "name", "prose": "the supporting sentence"}]}.'
    ),
    "identify_ptm_reuse": (
        "For each of these models: {models}, how was it reused? classification is one of "
        "conceptual_reuse (re-implementing the architecture or idea), adaptation_reuse "
        "(fine-tuning, transfer learning, distillation), deployment_reuse (running the "
        "pre-trained model as is, converted or served). A model may have several. Answer "
        '{{"reuses": [{{"model": "name", "classification": "...", "section": "the section '
        'title", "confidence": 0.0 to 1.0, "prose": "the supporting sentence"}}]}}.'
    ),
    "identify_ptm_impact": (
        "For each of these models: {models}, at which step of the scientific process did it "
        "have impact? step is one of Observation, Background, Hypothesis, Test, Analysis, "
        'Conclusion. Answer {{"impacts": [{{"model": "name", "step": "...", "prose": "the '
        'supporting sentence"}}]}}.'
    ),
}
_LIST_KEYS = {
    "identify_ptms": "models",
    "identify_ptm_reuse": "reuses",
    "identify_ptm_impact": "impacts",
}
_ITEM_FIELDS = {
    "identify_ptms": ("model",),
    "identify_ptm_reuse": ("model", "classification"),
    "identify_ptm_impact": ("model", "step"),
}


class LlmError(PtmkgError):
    """The chat API cannot be used at all (refused key, unknown model, unreachable)."""


class MalformedAnswer(ValueError):
    """An answer that is not JSON or does not match the question's schema."""


def _first_env(names: tuple[str, ...]) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


@dataclass
class LlmSettings:
    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES  # after HTTP failures, and after malformed answers
    backoff: float = DEFAULT_POLICY.backoff
    cache_dir: Path | None = None
    max_chars: int = 60_000

    def __post_init__(self) -> None:
        self.base_url = check_url(self.base_url, "--llm-base-url", EXAMPLE_BASE_URL).rstrip("/")

    @property
    def credentials(self) -> Credentials | None:
        """The API key, sent as ``Authorization: Bearer KEY``."""
        return Credentials.bearer(self.api_key) if self.api_key else None

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy.with_retries(self.retries, backoff=self.backoff, timeout=self.timeout)

    @classmethod
    def from_options(
        cls,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        cache_dir: Path | None = None,
        **options: Any,
    ) -> LlmSettings:
        """Options first, then PTMKG_LLM_* (or OPENAI_*) variables."""
        base_url = base_url or _first_env(BASE_URL_ENV)
        model = model or _first_env(MODEL_ENV)
        if not base_url:
            raise LlmError(
                "--llm needs the chat API's base URL: --llm-base-url URL or PTMKG_LLM_BASE_URL "
                f"(e.g. {EXAMPLE_BASE_URL} for a local server)"
            )
        if not model:
            raise LlmError("--llm needs a model name: --llm-model NAME or PTMKG_LLM_MODEL")
        if cache_dir is None and os.environ.get(CACHE_ENV):
            cache_dir = Path(os.environ[CACHE_ENV])
        return cls(
            base_url=base_url,
            model=model,
            api_key=api_key or _first_env(KEY_ENV),
            cache_dir=cache_dir,
            **options,
        )


class ChatClient:
    """POSTs to ``{base_url}/chat/completions`` through :class:`kg.http.HttpClient`."""

    def __init__(self, settings: LlmSettings) -> None:
        self.settings = settings
        self.http = HttpClient(settings.policy)

    @property
    def requests(self) -> int:
        return self.http.requests

    def ask(self, messages: list[dict[str, str]]) -> str:
        settings = self.settings
        body = json.dumps(
            {"model": settings.model, "messages": messages, "temperature": 0}
        ).encode()
        url = f"{settings.base_url}/chat/completions"
        try:
            answer = self.http.request(
                "POST",
                url,
                content=body,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                credentials=settings.credentials,
            )
        except HttpError as exc:
            if exc.status in (401, 403):
                raise LlmError(
                    f"{url}: the server refused the API key (HTTP {exc.status}); set "
                    f"--llm-api-key or PTMKG_LLM_API_KEY"
                ) from None
            raise LlmError(str(exc)) from None
        try:
            return str(json.loads(answer.body)["choices"][0]["message"]["content"] or "")
        except (ValueError, KeyError, IndexError, TypeError, RecursionError):
            shown = excerpt(answer.body.decode("utf-8", "replace"), settings.credentials)
            raise MalformedAnswer(f"not a chat completion: {shown}") from None


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_answer(step: str, text: str) -> dict[str, Any] | list[dict[str, Any]]:
    """The answer to ``step`` as validated JSON: an object for yes/no, else a list of items."""
    cleaned = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", cleaned, re.DOTALL)
    if fenced:
        cleaned = fenced.group(1)
    if not cleaned:
        raise MalformedAnswer("an empty answer")
    try:
        value = json.loads(cleaned)
    except json.JSONDecodeError as exc:
        raise MalformedAnswer(f"not JSON ({exc.msg} at character {exc.pos + 1})") from None
    except RecursionError:
        raise MalformedAnswer("JSON nested too deeply") from None
    if isinstance(value, dict) and "error" in value and len(value) == 1:
        raise MalformedAnswer(f"an error object: {_short(str(value['error']))}")
    if step in ("uses_dl", "uses_ptms"):
        if not isinstance(value, dict) or not isinstance(value.get("result"), bool):
            raise MalformedAnswer('expected {"result": true|false, "prose": ...}')
        if value.get("prose") is not None and not isinstance(value["prose"], str):
            raise MalformedAnswer("'prose' must be text or null")
        return value
    items = value
    if isinstance(value, dict):
        for key in (_LIST_KEYS[step], "response", "models", "model", "result"):
            if isinstance(value.get(key), list):
                items = value[key]
                break
        else:
            items = [value]  # a bare object: a list of one
    if not isinstance(items, list):
        raise MalformedAnswer(f"expected a list under {_LIST_KEYS[step]!r}")
    checked: list[dict[str, Any]] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise MalformedAnswer(f"item {number} is not an object")
        if "model" not in item and "method" in item:
            item = {**item, "model": item["method"]}
        for name in _ITEM_FIELDS[step]:
            if not isinstance(item.get(name), str) or not item[name].strip():
                raise MalformedAnswer(f"item {number} has no text {name!r}")
        confidence = item.get("confidence")
        if confidence is not None and (
            isinstance(confidence, bool)
            or not isinstance(confidence, int | float)
            or not 0 <= confidence <= 1
        ):
            raise MalformedAnswer(f"item {number}: 'confidence' must be a number from 0 to 1")
        checked.append(item)
    return checked


class AnswerCache:
    """Valid answers on disk, one JSON file per (article text, prompt version, model, question)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = 0

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        if self.directory is None:
            return None
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        self.hits += 1
        return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        if self.directory is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)


def article_text(article: Article, max_chars: int) -> str:
    """What the LLM reads: title and running text with headings (no references or figures)."""
    lines = [f"# {article.title or ''}"]
    for section in article.sections:
        lines.append(f"\n## {section.heading}")
        lines.extend(section.paragraphs)
    text = "\n".join(lines)
    return text if len(text) <= max_chars else text[:max_chars] + "\n[... truncated]"


class LlmExtractor:
    name = "llm"
    version = PROMPT_VERSION

    def __init__(self, settings: LlmSettings, resolver: ModelResolver | None = None) -> None:
        self.settings = settings
        self.client = ChatClient(settings)
        self.cache = AnswerCache(settings.cache_dir)
        self.resolver = resolver or ModelResolver.from_environment()
        self.asked = 0
        self.sent_characters = 0  # of the messages asked (cached answers cost none)

    def extract(self, article: Article) -> PaperExtraction:
        text = article_text(article, self.settings.max_chars)
        content = hashlib.sha256(text.encode("utf-8")).hexdigest()
        problems: list[str] = []
        times: list[str] = []

        def answer(step: str, models: str = "") -> Any:
            try:
                value, when = self._answer(content, text, step, models)
            except MalformedAnswer as exc:
                problems.append(f"{step}: {exc}")
                return None
            times.append(when)
            return value

        uses_dl = answer("uses_dl")
        uses_ptms = answer("uses_ptms")
        reuses: list[FoundReuse] = []
        if uses_ptms is not None and uses_ptms["result"]:
            identified = answer("identify_ptms") or []
            names = [item["model"].strip() for item in identified]
            if names:
                listed = json.dumps(names, ensure_ascii=False)
                classified = answer("identify_ptm_reuse", listed) or []
                impacts = answer("identify_ptm_impact", listed) or []
                reuses = self._reuses(names, identified, classified, impacts)
        return PaperExtraction.of(
            article,
            uses_dl=None if uses_dl is None else uses_dl["result"] or bool(reuses),
            uses_ptms=None if uses_ptms is None else uses_ptms["result"] or bool(reuses),
            reuses=tuple(reuses),
            extractor=self.name,
            version=self.version,
            llm=self.settings.model,
            extracted_at=max(times) if times else None,
            uses_dl_evidence=(uses_dl or {}).get("prose"),
            problems=tuple(problems),
        )

    def _answer(self, content: str, text: str, step: str, models: str) -> tuple[Any, str]:
        key = hashlib.sha256(
            "\0".join((content, PROMPT_VERSION, self.settings.model, step, models)).encode()
        ).hexdigest()
        cached = self.cache.get(key)
        if cached is not None:
            return cached["answer"], cached["time"]
        question = QUESTIONS[step].format(models=models) if models else QUESTIONS[step]
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Question ({step}): {question}\n\nArticle:\n{text}"},
        ]
        problem: MalformedAnswer | None = None
        for _attempt in range(self.settings.retries + 1):
            self.asked += 1
            self.sent_characters += sum(len(m["content"]) for m in messages)
            try:
                raw = self.client.ask(messages)
                value = parse_answer(step, raw)
            except MalformedAnswer as exc:
                credentials = self.settings.credentials
                problem = MalformedAnswer(credentials.redact(str(exc)) if credentials else str(exc))
                messages = [
                    *messages[:2],
                    {
                        "role": "user",
                        "content": f"Your answer was invalid: {exc}. Answer the "
                        f"question ({step}) again with the JSON object only.",
                    },
                ]
                continue
            when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
            self.cache.put(
                key,
                {
                    "answer": value,
                    "time": when,
                    "step": step,
                    "prompt_version": PROMPT_VERSION,
                    "model": self.settings.model,
                },
            )
            return value, when
        assert problem is not None
        raise MalformedAnswer(f"{problem} (after {self.settings.retries + 1} tries)")

    def _reuses(
        self,
        names: list[str],
        identified: list[dict[str, Any]],
        classified: list[dict[str, Any]],
        impacts: list[dict[str, Any]],
    ) -> list[FoundReuse]:
        """Join the answers by normalised model name, as the study's tables join."""

        def key(name: str) -> str:
            try:
                return self.resolver.resolve(name).key
            except UnresolvableMention:
                return name

        stages: dict[str, list[str]] = {}
        for item in impacts:
            label = item["step"].strip()
            concept = vocabulary().stages.lookup(label)
            stage = concept.label if concept else label  # outside the list: kept as written
            stages.setdefault(key(item["model"]), [])
            if stage not in stages[key(item["model"])]:
                stages[key(item["model"])].append(stage)
        prose = {key(item["model"]): item.get("prose") or "" for item in identified}
        reuses: list[FoundReuse] = []
        classified_keys = set()
        for item in classified:
            model_key = key(item["model"])
            classified_keys.add(model_key)
            label = item["classification"].strip()
            concept = vocabulary().patterns.lookup(label)
            confidence = item.get("confidence")
            reuses.append(
                FoundReuse(
                    model=item["model"].strip(),
                    pattern=concept.label if concept else label,
                    stages=tuple(stages.get(model_key, ())),
                    evidence=(item.get("prose") or prose.get(model_key) or "").strip(),
                    section=str(item.get("section") or "").strip(),
                    confidence=float(confidence) if confidence is not None else None,
                    mention=item["model"].strip(),
                )
            )
        for name in names:
            if key(name) not in classified_keys:
                reuses.append(
                    FoundReuse(
                        name,
                        "",
                        tuple(stages.get(key(name), ())),
                        prose.get(key(name), ""),
                        "",
                        None,
                        name,
                    )
                )
        return reuses
