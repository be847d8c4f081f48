"""Benchmark: importing the study pipeline's database streams, it does not load it whole.

Generates aius databases (the study's exact schema) of 2,000 and 20,000 papers,
builds each into a fresh on-disk store with the ``ptmkg`` command in a child
process, and reports wall time, papers per second and the child's peak resident
memory, side by side. Streaming shows as peak memory that grows far less than
the 10x growth of the database.

    python bench/aius_import.py            # writes bench/results/aius-import.md
    python bench/aius_import.py --papers 500 5000 --no-write   # a quick look
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import child_process  # noqa: E402  (bench/, beside this script)

sys.path.insert(0, str(REPO / "tests"))
from pipeline_fixture import ANALYSIS, SCHEMA  # noqa: E402  (the schema the tests use)

FIELDS = [
    "Biochemistry, Genetics and Molecular Biology",
    "Neuroscience",
    "Chemistry",
    "Medicine",
    "Computer Science",
    "Environmental Science",
    "Physics and Astronomy",
    "Agricultural and Biological Sciences",
    "Psychology",
    "Engineering",
]
MODELS = [
    "AlexNet",
    "AlphaFold 2",
    "VGG16",
    "ResNet-50",
    "AlphaFold",
    "U-Net",
    "BERT",
    "Inception v3",
    "ESM-2",
    "YOLOv5",
    "SignalP",
    "DeepLabCut",
]
PATTERNS = ["adaptation_reuse"] * 7 + ["conceptual_reuse"] * 2 + ["deployment_reuse"]
STAGES = ["Test"] * 4 + ["Analysis"] * 3 + ["Observation", "Hypothesis", "Background"]


def generate(path: Path, papers: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    connection.execute(
        "INSERT INTO searches VALUES (1, 't', 'PLOS', 'Deep Learning', 2020, 'u', 1, 200, '{}')"
    )
    padding = "x" * 1500  # OpenAlex records are large; keep the rows realistic in size
    for number in range(papers):
        doi = f"10.9999/bench.{number:07d}"
        slots = [rng.choice(FIELDS) for _ in range(3)]
        work = {
            "id": f"https://openalex.org/W{number + 1}",
            "publication_year": rng.randint(2000, 2025),
            "topics": [],
            "abstract_inverted_index": padding,
        }
        connection.execute(
            "INSERT INTO articles(search_id, doi, title, megajournal, journal) "
            "VALUES (1, ?, ?, 'PLOS', 'PLOS ONE')",
            (doi, f"Paper {number}"),
        )
        connection.execute(
            "INSERT INTO openalex(timestamp, doi, cited_by_count, open_access, topic_0, topic_1, "
            "topic_2, json_data) VALUES ('t', ?, ?, 1, ?, ?, ?, ?)",
            (doi, rng.randint(0, 40), *slots, json.dumps(work)),
        )
        uses_dl = rng.random() < 0.6
        uses_ptms = uses_dl and rng.random() < 0.25
        models = rng.sample(MODELS, rng.randint(1, 3)) if uses_ptms else []
        answers = {
            "uses_dl": {"result": uses_dl, "prose": "p"},
            "uses_ptms": {"result": uses_ptms, "prose": "p"},
            "identify_ptms": [{"model": m, "prose": "p"} for m in models],
            "identify_ptm_reuse": [
                {"model": m, "form": "f", "classification": rng.choice(PATTERNS), "prose": "p"}
                for m in models
            ],
            "identify_ptm_impact": [
                {"model": m, "step": rng.choice(STAGES), "prose": "p"} for m in models
            ],
        }
        for kind in ANALYSIS:
            connection.execute(
                f"INSERT INTO {kind}_analysis(doi, system_prompt, user_prompt, model_response, "
                "model_reasoning, compute_time_seconds) VALUES (?, 'prompt', ?, ?, 'r', 2.5)",
                (doi, padding, json.dumps(answers[kind])),
            )
    connection.commit()
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for papers in args.papers:
            database = Path(scratch) / f"aius-{papers}.db"
            generate(database, papers)
            seconds, peak_kib = child_process.measure_build(
                database, Path(scratch) / f"store-{papers}"
            )
            rows.append(
                (
                    papers,
                    database.stat().st_size / 2**20,
                    seconds,
                    papers / seconds,
                    peak_kib / 1024,
                )
            )
    report = child_process.growth_report(
        "Importing an aius pipeline database",
        "aius_import.py",
        ["papers", "database (MiB)", "build (s)", "papers/s"],
        [
            ([f"{papers:,}", f"{size:,.1f}", f"{seconds:,.1f}", f"{rate:,.0f}"], rss)
            for papers, size, seconds, rate, rss in rows
        ],
        f"Database grows {rows[-1][0] / rows[0][0]:.0f}x",
    )
    child_process.publish(report, "aius-import.md", write=not args.no_write)


if __name__ == "__main__":
    main()
