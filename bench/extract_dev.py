"""Benchmark: the extractors on the real labelled development set (``jats-dev``).

Extracts the 37 real open-access JATS articles of ``../shared/data/jats-dev`` (28 with a
DOI, 9 drafts without one, labelled by file) with the offline rules and, when an
OpenAI-compatible server is given, with the LLM; compares each with the labels ("reuses
PTMs", models, patterns: precision, recall, F1) side by side, with what each cost (seconds,
requests, characters sent), and writes ``bench/results/extract-dev.md``.

    python bench/extract_dev.py                   # rules only
    python bench/extract_dev.py --llm-base-url http://127.0.0.1:8000/v1 --llm-model qwen
    python bench/extract_dev.py --no-write        # print, keep the results file
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from kg.extract.evaluate import (  # noqa: E402
    Evaluation,
    evaluate,
    labels_from_files,
    markdown_disagreements,
    markdown_table,
)
from kg.extract.rules import RuleExtractor  # noqa: E402
from kg.extract.run import Extractor, run_extraction  # noqa: E402
from kg.models.names import ModelResolver  # noqa: E402

DEV = REPO.parent / "shared" / "data" / "jats-dev"
RESULTS = REPO / "bench" / "results" / "extract-dev.md"


def dev_paths(dev: Path = DEV) -> tuple[list[Path], list[Path]]:
    """The articles (with and without a DOI) and their two label files."""
    return [dev / "articles", dev / "no-doi"], [dev / "labels.csv", dev / "no-doi-labels.csv"]


def run(extractor: Extractor, resolver: ModelResolver, dev: Path = DEV) -> tuple[Evaluation, dict]:
    articles, label_files = dev_paths(dev)
    labels = labels_from_files(label_files, resolver)
    started = time.perf_counter()
    summary = run_extraction(articles, extractor, None, keep=True)
    seconds = time.perf_counter() - started
    cost = {"seconds": seconds, "articles": summary.articles, "problems": len(summary.problems)}
    client = getattr(extractor, "client", None)
    if client is not None:
        cost["requests"] = client.requests
        cost["characters"] = getattr(extractor, "sent_characters", 0)
    cost["candidates"] = sorted(summary.candidates)
    return evaluate(summary.kept, labels, resolver), cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-base-url")
    parser.add_argument("--llm-model")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    resolver = ModelResolver()
    results: list[tuple[str, Evaluation, dict]] = []
    rules = RuleExtractor(resolver.registry)
    results.append(("rules", *run(rules, resolver)))
    if args.llm_base_url:
        from kg.extract.llm import LlmExtractor, LlmSettings

        settings = LlmSettings.from_options(args.llm_base_url, args.llm_model)
        llm = LlmExtractor(settings, resolver)
        results.append((f"llm ({settings.model})", *run(llm, resolver)))
    lines = [
        "# Extraction on the real development set",
        "",
        f"{results[0][1].papers} real open-access JATS articles of `../shared/data/jats-dev` "
        "(28 with a DOI, 9 JOSS drafts without one, compared by file), against their labels.",
        f"Machine: {platform.machine()}, Python {platform.python_version()}. "
        "Measured with `python bench/extract_dev.py` (add `--llm-base-url URL --llm-model NAME` "
        "for the LLM side by side; `ptmkg extract ARTICLES --evaluate LABELS` prints the same).",
        "",
        *markdown_table([(name, evaluation) for name, evaluation, _ in results]),
        "",
        "| extractor | articles | seconds | requests | characters sent |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, _, cost in results:
        lines.append(
            f"| {name} | {cost['articles']} | {cost['seconds']:.2f} | "
            f"{cost.get('requests', 0)} | {cost.get('characters', 0):,} |"
        )
    for name, evaluation, cost in results:
        lines += ["", f"## Disagreements of {name}", "", *markdown_disagreements(evaluation)]
        if cost["candidates"]:
            lines += [
                "",
                f"Models not in the registry found by {name}: " + ", ".join(cost["candidates"]),
            ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
