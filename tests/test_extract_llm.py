"""The LLM extractor against a local fake chat API (127.0.0.1) with scripted answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from chat_server import chat_server, llm_options

import kg
from kg.extract.llm import PROMPT_VERSION, LlmError, LlmExtractor, LlmSettings, parse_answer
from kg.read.jats import read_article

ARTICLES = Path(__file__).parent / "data" / "jats"
KEY = "sk-test-SECRET-never-shown"
GOOD = {
    "uses_dl": '{"result": true, "prose": "We fine-tuned a ResNet-50."}',
    "uses_ptms": '{"result": true, "prose": "We fine-tuned a ResNet-50 pre-trained on ImageNet."}',
    "identify_ptms": '{"models": [{"model": "ResNet50", "prose": "a ResNet-50 pre-trained"}]}',
    "identify_ptm_reuse": json.dumps(
        {
            "reuses": [
                {
                    "model": "ResNet-50",
                    "classification": "adaptation_reuse",
                    "section": "Materials and methods",
                    "confidence": 0.95,
                    "prose": "We fine-tuned a ResNet-50 pre-trained on ImageNet.",
                }
            ]
        }
    ),
    # A bare list under 'response' and 'method' for 'model': quirks the study's pipeline met.
    "identify_ptm_impact": '{"response": [{"method": "ResNet 50", "step": "Test", "prose": "x"}]}',
}


class FakeChat:
    """Answers each question (found in the prompt) from a script: a list of answers per step,
    the last one repeated; an int is an HTTP status to fail with."""

    def __init__(self) -> None:
        self.script: dict[str, list[str | int]] = {k: [v] for k, v in GOOD.items()}
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.served: dict[str, int] = {}

    def answer(self, body: dict) -> str | int:
        prompt = body["messages"][1]["content"]
        step = prompt.split("(", 1)[1].split(")", 1)[0]
        count = self.served.get(step, 0)
        self.served[step] = count + 1
        answers = self.script[step]
        return answers[min(count, len(answers) - 1)]


@pytest.fixture
def chat() -> Iterator[tuple[FakeChat, str]]:
    fake = FakeChat()

    def answer(body: dict, headers: dict) -> str | int:
        fake.requests.append(body)
        fake.headers.append(headers)
        return fake.answer(body)

    with chat_server(answer) as url:
        yield fake, url


def extractor(url: str, cache: Path | None = None, retries: int = 2) -> LlmExtractor:
    settings = LlmSettings.from_options(url, "fake-model", KEY, cache, retries=retries, backoff=0)
    return LlmExtractor(settings)


def article(name: str = "plos-transfer-learning.xml"):
    return read_article((ARTICLES / name).read_bytes(), name)


def test_five_steps_give_reuses_with_provenance(chat) -> None:
    fake, url = chat
    found = extractor(url).extract(article())
    assert [r["messages"][1]["content"].split(")")[0] for r in fake.requests] == [
        "Question (uses_dl",
        "Question (uses_ptms",
        "Question (identify_ptms",
        "Question (identify_ptm_reuse",
        "Question (identify_ptm_impact",
    ]
    assert fake.requests[0]["model"] == "fake-model"
    assert fake.headers[0]["Authorization"] == f"Bearer {KEY}"
    assert "Krizhevsky" not in fake.requests[0]["messages"][1]["content"]  # no references
    [reuse] = found.reuses
    assert (reuse.model, reuse.pattern, reuse.stages) == ("ResNet-50", "Adaptation", ("Test",))
    assert (reuse.section, reuse.confidence) == ("Materials and methods", 0.95)
    assert (found.uses_dl, found.uses_ptms, found.problems) == (True, True, ())
    assert (found.extractor, found.llm, found.version) == ("llm", "fake-model", PROMPT_VERSION)
    assert found.extracted_at and found.extracted_at.endswith("+00:00")


def test_a_paper_without_ptms_is_asked_two_questions(chat) -> None:
    fake, url = chat
    fake.script["uses_ptms"] = ['{"result": false, "prose": null}']
    found = extractor(url).extract(article())
    assert len(fake.requests) == 2 and found.reuses == () and found.uses_ptms is False


def test_malformed_answers_are_asked_again(chat) -> None:
    fake, url = chat
    fake.script["uses_dl"] = ["Sure! The answer is yes.", '```json\n{"result": true}\n```']
    fake.script["identify_ptms"] = ['{"models": [{"prose": "no name"}]}', GOOD["identify_ptms"]]
    found = extractor(url).extract(article())
    assert found.problems == () and found.uses_dl is True and len(found.reuses) == 1
    assert fake.served["uses_dl"] == 2 and fake.served["identify_ptms"] == 2
    reminder = fake.requests[1]["messages"][2]["content"]
    assert reminder.startswith("Your answer was invalid: not JSON")


def test_a_question_that_stays_malformed_is_left_unanswered(chat) -> None:
    fake, url = chat
    fake.script["identify_ptm_reuse"] = ['{"reuses": [{"model": "ResNet-50"}]}']
    fake.script["uses_dl"] = ['{"error": "context length exceeded"}']
    found = extractor(url, retries=1).extract(article())
    assert found.problems == (
        "uses_dl: an error object: context length exceeded (after 2 tries)",
        "identify_ptm_reuse: item 1 has no text 'classification' (after 2 tries)",
    )
    assert found.uses_dl is None
    # The model is still named, without a pattern (never guessed), with its stage.
    [reuse] = found.reuses
    assert (reuse.model, reuse.pattern, reuse.stages) == ("ResNet50", "", ("Test",))


def test_server_errors_are_retried_and_a_refused_key_is_not_shown(chat) -> None:
    fake, url = chat
    fake.script["uses_dl"] = [503, 429, GOOD["uses_dl"]]
    found = extractor(url).extract(article())
    assert found.uses_dl is True and fake.served["uses_dl"] == 3
    fake.script["uses_dl"] = [401]
    fake.served.clear()
    with pytest.raises(LlmError) as refused:
        extractor(url).extract(article())
    assert "refused the API key (HTTP 401)" in str(refused.value)
    assert KEY not in str(refused.value)
    assert KEY not in repr(LlmSettings.from_options(url, "m", KEY))


def test_answers_are_cached_by_article_prompt_version_and_model(chat, tmp_path: Path) -> None:
    fake, url = chat
    first = extractor(url, tmp_path / "cache").extract(article())
    assert len(fake.requests) == 5
    again = extractor(url, tmp_path / "cache").extract(article())
    assert len(fake.requests) == 5 and again == first  # nothing asked, same time
    other = LlmSettings.from_options(url, "other-model", KEY, tmp_path / "cache", backoff=0)
    LlmExtractor(other).extract(article())
    assert len(fake.requests) == 10
    extractor(url, tmp_path / "cache").extract(article("bmj-clinical-notes.xml"))
    assert len(fake.requests) == 15
    assert not any(KEY in p.read_text() for p in (tmp_path / "cache").rglob("*.json"))


@pytest.mark.parametrize(
    ("step", "text", "expected"),
    [
        ("identify_ptms", '[{"model": "AF2"}]', [{"model": "AF2"}]),
        ("identify_ptms", '{"model": "AF2", "prose": null}', [{"model": "AF2", "prose": None}]),
        ("identify_ptms", '{"result": [{"model": "AF2"}]}', [{"model": "AF2"}]),
        ("uses_dl", '{"result": false, "prose": null}', {"result": False, "prose": None}),
    ],
)
def test_answer_quirks_are_accepted(step, text, expected) -> None:
    assert parse_answer(step, text) == expected


def test_cli_llm_records_carry_provenance_into_the_graph(
    chat, cli, tmp_path: Path, monkeypatch
) -> None:
    _, url = chat
    monkeypatch.setenv("PTMKG_LLM_API_KEY", KEY)
    for name in ("PTMKG_LLM_BASE_URL", "OPENAI_BASE_URL", "PTMKG_LLM_MODEL", "PTMKG_LLM_CACHE"):
        monkeypatch.delenv(name, raising=False)
    records = tmp_path / "llm.jsonl"
    result = cli(
        "extract",
        *llm_options(url, "fake-model"),
        ARTICLES / "plos-transfer-learning.xml",
        "-o",
        records,
    )
    assert result.exit_code == 0, result.output
    assert KEY not in result.output
    store = kg.EmbeddedStore(tmp_path / "s")
    kg.build(store, [records], rejects_dir=tmp_path / "rejects")
    result = kg.run_sparql(
        store,
        """SELECT ?method ?llm ?version ?time ?confidence WHERE {
        ?r ptm:extractionMethod ?method ; ptm:extractionLlm ?llm ; ptm:extractionVersion ?version ;
           prov:generatedAtTime ?time ; ptm:extractionConfidence ?confidence }""",
    )
    [row] = [[t.value for t in terms] for terms in result.terms]
    assert row[:3] == ["llm", "fake-model", PROMPT_VERSION] and row[4] == "0.95"
    missing = cli("extract", "--llm", ARTICLES / "plos-transfer-learning.xml")
    assert missing.exit_code == 1 and "--llm-base-url" in missing.stderr
