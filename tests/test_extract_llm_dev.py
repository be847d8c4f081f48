"""The LLM path evaluated on the real development set the same way as the rules, in one
command, against a small OpenAI-compatible server on 127.0.0.1.

The server answers the study's five questions from the labels themselves (found by the
article's title in the prompt), except that it misses the SpliceAI article, as a real
model might. Hand count over the 37 articles: "reuses PTMs" 13 TP + 1 FN (SpliceAI), 23 TN;
models 15 of the 16 labelled (paper, model) pairs, none extra; patterns 16 of 17.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator

import pytest
from chat_server import chat_server, llm_options
from conftest import SHARED_DATA, evaluation_text

DEV = SHARED_DATA / "jats-dev"
MISSED = "Identification of CFAP52 as a novel diagnostic target"


def _title(text: str) -> str:
    return " ".join(text.split()).casefold()


def _labels() -> dict[str, list[dict[str, str]]]:
    by_title: dict[str, list[dict[str, str]]] = {}
    for name in ("labels.csv", "no-doi-labels.csv"):
        with (DEV / name).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                by_title.setdefault(_title(row["title"]), []).append(row)
    return by_title


def _answer(prompt: str, labels: dict[str, list[dict[str, str]]]) -> str:
    step = prompt.split("(", 1)[1].split(")", 1)[0]
    title = re.search(r"^# (.*)$", prompt, re.MULTILINE)
    rows = labels.get(_title(title.group(1)) if title else "", [])
    if title and title.group(1).startswith(MISSED):
        rows = [{**row, "uses_ptms": "False", "model": ""} for row in rows]
    named = [row for row in rows if row["model"]]
    if step in ("uses_dl", "uses_ptms"):
        flag = any(row[step] == "True" for row in rows)
        return json.dumps({"result": flag, "prose": rows[0]["evidence"] if rows else None})
    if step == "identify_ptms":
        models = list(dict.fromkeys(row["model"] for row in named))
        return json.dumps({"models": [{"model": m, "prose": "as labelled"} for m in models]})
    if step == "identify_ptm_reuse":
        reuses = [
            {"model": r["model"], "classification": r["pattern"], "prose": r["evidence"]}
            for r in named
        ]
        return json.dumps({"reuses": reuses})
    impacts = [
        {"model": r["model"], "step": stage.strip()}
        for r in named
        for stage in r["stages"].split(";")
        if stage.strip()
    ]
    return json.dumps({"impacts": impacts})


@pytest.fixture
def oracle() -> Iterator[tuple[str, list[int]]]:
    labels = _labels()
    asked: list[int] = []

    def answer(body: dict, headers: dict) -> str:
        prompt = body["messages"][1]["content"]
        asked.append(len(prompt))
        return _answer(prompt, labels)

    with chat_server(answer) as url:
        yield url, asked


def test_one_command_evaluates_the_llm_on_the_development_set(cli, oracle) -> None:
    url, asked = oracle
    result = cli(
        "extract",
        *llm_options(url, "oracle"),
        DEV / "articles",
        DEV / "no-doi",
        "--evaluate",
        DEV / "labels.csv",
        "--evaluate",
        DEV / "no-doi-labels.csv",
    )
    assert result.exit_code == 0, result.output
    text = evaluation_text(
        result.stdout,
        "13 0 1 23 1.000 0.929 0.963 / 15 0 1 1.000 0.938 0.968 / 16 0 1 1.000 0.941 0.970",
    )
    assert "Extraction against labels (37 papers)" in text
    assert "10.1101/2023.10.08.561407 reuses PTMs: label True, extracted False" in text
    # Two questions for each paper without reuse, five for each with a named model.
    assert len(asked) == 2 * 24 + 5 * 11 + 3 * 2  # the two unnamed-model papers: three
