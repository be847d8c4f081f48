"""A ``push`` killed mid-way and run again ends with the server's counts matching, on the
first run again (issue 18, item 4), against a real Oxigraph server on 127.0.0.1.

The push is a real child process, killed with SIGKILL while the server is still
loading the request it had just received. That request lands during the next run,
after it replaced the graph: a graph with blank nodes (sent in one request, its blank
nodes new in each) then holds two copies, unless the run checks and repairs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import oxigraph_server, require_program

import kg
from kg.stores.remote import RemoteStore

REPO = Path(__file__).resolve().parent.parent
BLANK_GRAPH = "urn:example:measurements"
NODES = 5_000

# The child pushes one graph and says when it starts sending it.
CHILD = """
import sys
import kg
from kg.stores.remote import RemoteStore

def progress(step):
    if step.step == "sending" and step.sent == 0:
        print("sending", step.graph, flush=True)

kg.push(kg.EmbeddedStore(sys.argv[1]), RemoteStore.from_options(sys.argv[2]),
        graphs=[sys.argv[3]], progress=progress)
print("done", flush=True)
"""


@pytest.fixture(scope="module")
def store_with_blank_nodes(tmp_path_factory) -> kg.EmbeddedStore:
    folder = tmp_path_factory.mktemp("blank")
    source = folder / "papers.csv"
    source.write_text(
        "doi,title,year,fields,model,pattern,stages\n"
        "10.7000/k1,Killed,2021,Neuroscience,BERT,Adaptation,Test\n",
        encoding="utf-8",
    )
    store = kg.EmbeddedStore(folder / "store")
    kg.build(store, [source], rejects_dir=folder)
    quads = folder / "blank.nq"
    with quads.open("w", encoding="utf-8") as out:
        for n in range(NODES):
            out.write(f'_:m{n} <urn:example:value> "{n}" <{BLANK_GRAPH}> .\n')
            out.write(f"_:m{n} <urn:example:next> _:m{n + 1} <{BLANK_GRAPH}> .\n")
    with store.writing() as writer:
        writer.replace_graph(BLANK_GRAPH, quads, ox.RdfFormat.N_QUADS)
    return kg.EmbeddedStore(folder / "store")


def _killed_while_sending(store: kg.EmbeddedStore, endpoint: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, store.location, endpoint, BLANK_GRAPH],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("sending"), line
        # The graph's one request is a few MB: on its way, or being loaded by the server.
        time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_a_killed_push_run_again_matches_on_the_first_run(store_with_blank_nodes, tmp_path):
    require_program("oxigraph", "pip install oxigraph")
    server = oxigraph_server(tmp_path / "oxigraph")
    server.start()
    try:
        local_count = 2 * NODES
        for attempt in range(3):
            _killed_while_sending(store_with_blank_nodes, server.query_url)
            remote = RemoteStore.from_options(server.query_url)
            report = kg.push(store_with_blank_nodes, remote, graphs=[BLANK_GRAPH])  # no mismatch
            assert [g.remote_triples for g in report.graphs] == [local_count], attempt
            assert remote.count_triples(BLANK_GRAPH) == local_count
    finally:
        server.stop()
