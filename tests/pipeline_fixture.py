"""A small database with exactly the study pipeline's schema, and rows that exercise its quirks.

Hand counts for the rows below (P7 is rejected for its corrupt json_data, and one
articles row has no DOI, so 9 read = 7 accepted + 2 rejected):

* cited papers (cited_by_count > 0): P1, P2, P4, P5, P6, P8 = 6
* natural-science rule v1 (>= 2 of 3 topic fields natural, cited): P1, P4, P6, P8 = 4
* rule v2 (>= 1 natural, cited): P1, P2, P4, P6, P8 = 5
* papers using DL: P1, P2, P3, P6, P8 = 5 (P4's analysis failed, P5 says no)
* papers reusing PTMs: P1, P2, P6, P8 = 4
* reuse instances with a pattern: P1 AlexNet adaptation, P1 AlphaFold 2 conceptual,
  P2 ResNet-50 deployment, P6 U-Net adaptation, P6 U-Net deployment, P8 AlexNet adaptation
  = 6 (adaptation 3, deployment 2, conceptual 1); P6 BERT has the pattern label
  'transfer_reuse' (outside the vocabulary) and P8 SignalP a stage but no pattern
* stages (distinct paper, model, stage): Test 2 (P1 AlexNet, P8 AlexNet), Analysis 2
  (P2 ResNet-50, P8 AlexNet), Hypothesis 1, Observation 1, Background 1 (P8 SignalP);
  P2 also has the stage label 'Interpretation' (outside the vocabulary)
* failed analyses: P4 uses_dl (empty), uses_ptms (error), identify_ptms (empty),
  identify_ptm_reuse (not JSON) = 4
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from kg.synth import AIUS_SCHEMA, ANALYSIS_KINDS

# The study's exact schema lives with the synthetic corpus writer, which writes it too.
SCHEMA = AIUS_SCHEMA
ANALYSIS = ANALYSIS_KINDS

BIO, CS, NEURO, MED = (
    "Biochemistry, Genetics and Molecular Biology",
    "Computer Science",
    "Neuroscience",
    "Medicine",
)


def work(doi: str, year: int, field_id: int, field_name: str, work_id: str) -> str:
    topic = {
        "id": f"https://openalex.org/T{work_id[1:]}",
        "display_name": f"Topic of {work_id}",
        "subfield": {
            "id": f"https://openalex.org/subfields/{field_id}01",
            "display_name": f"Subfield {field_id}01",
        },
        "field": {"id": f"https://openalex.org/fields/{field_id}", "display_name": field_name},
        "domain": {"id": "https://openalex.org/domains/1", "display_name": "Life Sciences"},
    }
    return json.dumps(
        {
            "id": f"https://openalex.org/{work_id}",
            "doi": f"https://doi.org/{doi}",
            "title": f"Work {work_id}",
            "publication_year": year,
            "topics": [topic],
            "grants": [],
            "extra_key": {"ignored": True},
        }
    )


# doi, cited, open access, topic slots, year, OpenAlex work id (json_data override)
PAPERS = {
    "P1": ("10.1371/journal.pone.1001", 5, 1, (BIO, BIO, CS), 2020, "W1001"),
    "P2": ("10.1371/journal.pone.1002", 3, 1, (NEURO, MED, MED), 2019, "W1002"),
    "P3": (
        "10.1371/journal.pone.1003",
        0,
        0,
        ("Chemistry", "Chemistry", "Physics and Astronomy"),
        2018,
        "W1003",
    ),
    "P4": (
        "10.1371/journal.pone.1004",
        10,
        1,
        ("Earth and Planetary Sciences", "Environmental Science", "Engineering"),
        2021,
        "W1004",
    ),
    "P5": (
        "10.1371/journal.pone.1005",
        2,
        0,
        ("Economics, Econometrics and Finance", "Psychology", "Arts and Humanities"),
        2017,
        "W1005",
    ),
    "P6": (
        "10.1371/journal.pone.1006",
        1,
        1,
        ("Immunology and Microbiology", "Agricultural and Biological Sciences", MED),
        2022,
        "W1006",
    ),
    "P7": ("10.1371/journal.pone.1007", 4, 1, (BIO, NEURO, "Chemistry"), 2024, "W1007"),
    "P8": ("https://doi.org/10.1371/JOURNAL.PONE.1008", 7, 1, (BIO, BIO, BIO), 2023, "W1008"),
}

J = json.dumps
YES = J({"result": True, "prose": "The methods use a convolutional network."})
NO = J({"result": False, "prose": None})
ANSWERS: dict[str, dict[str, list[str]]] = {
    "P1": {
        "uses_dl": [YES],
        "uses_ptms": [YES],
        "identify_ptms": [
            J(
                {
                    "models": [
                        {"model": "AlexNet", "prose": "AlexNet"},
                        {"model": "AF2", "prose": "AF2"},
                    ]
                }
            )
        ],
        "identify_ptm_reuse": [
            J(
                [
                    {
                        "model": "AlexNet",
                        "form": "fine-tuning",
                        "classification": "adaptation_reuse",
                        "prose": "We fine-tuned AlexNet.",
                    },
                    {
                        "model": "AlphaFold 2",
                        "form": "reimplementation",
                        "classification": "conceptual_reuse",
                        "prose": "We re-implemented AlphaFold 2.",
                    },
                ]
            )
        ],
        "identify_ptm_impact": [
            J(
                [
                    {"model": "alexnet", "step": "Test", "prose": "tested"},
                    {"method": "AlphaFold2", "step": "Hypothesis", "prose": "hypothesised"},
                ]
            )
        ],
    },
    "P2": {
        "uses_dl": [YES],
        "uses_ptms": [YES],
        "identify_ptms": [J({"model": "ResNet-50", "prose": "a bare object"})],
        "identify_ptm_reuse": [
            J(
                {
                    "response": [
                        {
                            "model": "ResNet50",
                            "form": "as is",
                            "classification": "deployment_reuse",
                            "prose": "Ran ResNet50 as released.",
                        }
                    ]
                }
            )
        ],
        "identify_ptm_impact": [
            J(
                {
                    "result": [
                        {"model": "ResNet 50", "step": "Analysis"},
                        {"model": "ResNet-50", "step": "Interpretation"},
                    ]
                }
            )
        ],
    },
    "P3": {
        "uses_dl": [YES],
        "uses_ptms": [NO],
        "identify_ptms": [J([])],
        "identify_ptm_reuse": [J([])],
        "identify_ptm_impact": [J([])],
    },
    "P4": {
        "uses_dl": [""],
        "uses_ptms": [J({"error": "context length exceeded"})],
        "identify_ptms": [J("")],
        "identify_ptm_reuse": ["this is not JSON"],
    },
    "P5": {"uses_dl": [NO], "uses_ptms": [NO]},
    "P6": {
        "uses_dl": [YES],
        "uses_ptms": [YES],
        "identify_ptms": [J({"model": [{"model": "U-Net"}, {"model": "BERT"}]})],
        "identify_ptm_reuse": [
            J(
                [
                    {"model": "U-Net", "classification": "adaptation_reuse", "prose": "fine-tuned"},
                    {"model": "U-Net", "classification": "deployment_reuse", "prose": "deployed"},
                    {"model": "BERT", "classification": "transfer_reuse", "prose": "transferred"},
                ]
            )
        ],
        "identify_ptm_impact": [J([{"model": "UNet", "step": "Observation"}])],
    },
    "P7": {"uses_dl": [YES], "uses_ptms": [YES]},
    "P8": {
        "uses_dl": [NO, YES],  # a rerun: the later row wins
        "uses_ptms": [YES],
        "identify_ptms": [J([{"model": "AlexNet"}])],
        "identify_ptm_reuse": [J([{"model": "AlexNet", "classification": "adaptation_reuse"}])],
        "identify_ptm_impact": [
            J(
                [
                    {"model": "AlexNet", "step": "Test"},
                    {"model": "AlexNet", "step": "Analysis"},
                    {"model": "SignalP", "step": "Background"},
                ]
            )
        ],
    },
}


def make_database(path: Path, *, corrupt_p7: bool = True) -> Path:
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    connection.execute(
        "INSERT INTO searches VALUES (1, 't', 'PLOS', 'Deep Learning', 2020, "
        "'https://example.org', 1, 200, '{}')"
    )
    connection.execute(
        "INSERT INTO searches VALUES (2, 't', 'PLOS', 'Pre-Trained Model', 2020, "
        "'https://example.org', 1, 200, '{}')"
    )
    for number, kind in enumerate(ANALYSIS, start=1):
        connection.execute(
            "INSERT INTO _llm_prompts VALUES (?, ?, ?, '{}')",
            (number, f"{kind}-v1", f"System prompt for {kind}."),
        )
    for label, (doi, cited, oa, slots, year, work_id) in PAPERS.items():
        connection.execute(
            "INSERT INTO articles(search_id, doi, title, megajournal, journal) "
            "VALUES (1, ?, ?, 'PLOS', 'PLOS ONE')",
            (doi, f"Paper {label}"),
        )
        json_data = work(doi, year, 13, BIO, work_id)
        if label == "P7" and corrupt_p7:
            json_data = '{"id": "https://openalex.org/W1007", "topics": [ not json'
        connection.execute(
            "INSERT INTO openalex(timestamp, doi, cited_by_count, open_access, topic_0, topic_1, "
            "topic_2, json_data) VALUES ('t', ?, ?, ?, ?, ?, ?, ?)",
            (doi, cited, oa, *slots, json_data),
        )
        for kind, responses in ANSWERS[label].items():
            for response in responses:
                connection.execute(
                    f"INSERT INTO {kind}_analysis(doi, system_prompt, user_prompt, "
                    "model_response, model_reasoning, compute_time_seconds) "
                    "VALUES (?, ?, 'the paper', ?, NULL, 1.5)",
                    (doi, f"System prompt for {kind}.", response),
                )
    # P1 was found by a second search too, and one article row lost its DOI.
    connection.execute(
        "INSERT INTO articles(search_id, doi, title, megajournal, journal) "
        "VALUES (2, '10.1371/journal.pone.1001', 'Paper P1', 'PLOS', 'PLOS ONE')"
    )
    connection.execute(
        "INSERT INTO articles(search_id, doi, title, megajournal, journal) "
        "VALUES (1, NULL, 'Lost DOI', 'PLOS', 'PLOS ONE')"
    )
    connection.commit()
    connection.close()
    return path
