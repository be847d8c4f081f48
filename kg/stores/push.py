"""Copying the built graph to a SPARQL server: ``ptmkg push --endpoint URL``.

Each named graph is **replaced**, never added to: the first batch of a graph
replaces it (Graph Store Protocol ``PUT``, or ``DROP SILENT GRAPH`` then
``INSERT DATA`` through SPARQL Update) and later batches add to it. A push
interrupted part-way therefore leaves some graphs complete and one partial, and
running it again replaces them all: it ends with the same triples as an
uninterrupted push. After the last batch the server's count of triples in each
graph is compared with the local count.

A graph whose count differs is sent again, whole (the repair pass, at most
:data:`REPAIR_ROUNDS` times): a push killed part-way may leave a request the server
had received but not yet committed, which then lands during the next run, after
that run replaced the graph (blank nodes are new in every request, so their
triples add up instead of merging). By the time every graph was sent that late
commit has landed, and sending the graph again replaces it. A difference that
stays after the repair is an error.

The Graph Store Protocol is used where the server offers it (a GSP URL, given
or known for the server's layout); a server that answers the first ``PUT`` with
404, 405 or 501 gets SPARQL Update instead. Readers of the server see a graph
fill up batch by batch while it is pushed.

Blank nodes are scoped to one request, so a graph that has any goes in one
request (ptmkg's own graphs have none).

Before anything is sent, the server is asked whether its default graph is the union of
its named graphs (:meth:`~kg.stores.remote.RemoteStore.default_graph_is_union`, one probe
triple in a graph of its own, dropped at once), as ptmkg's queries need: a server where
it is not (Oxigraph's default) is refused with advice, unless the push is told to go on
(``check_union=False``), and the report says what was found.

Progress is reported through one callback, given a :class:`PushProgress` at every step:
the server's check, each graph's preparation (written out and counted locally, when its
size is not yet known), every batch sent, and the count check and repair passes.
"""

from __future__ import annotations

import functools
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import pyoxigraph as ox

from kg.defaults import PUSH_BATCH_SIZE
from kg.errors import PtmkgError
from kg.stores.embedded import GraphStore
from kg.stores.remote import EndpointError, NotUnionDefaultGraph, RemoteStore

#: Triples per request; a few MB of N-Triples, which every server tested takes in one go.
DEFAULT_BATCH_SIZE = PUSH_BATCH_SIZE
#: Times a graph whose count differs after the push is sent again before that is an error.
REPAIR_ROUNDS = 2
REPAIR_PAUSE_SECONDS = 1.0
#: Statuses by which a server says it has no Graph Store Protocol at that URL.
NO_GSP_STATUSES = frozenset({404, 405, 501})
_BLANK_NODE = re.compile(rb'(?:^_:|\s_:[^\s"<>]+\s*\.\s*$)')


@dataclass(frozen=True)
class PushProgress:
    """Where a push is: given to the ``progress`` callback at every step."""

    step: str
    """``"checking"`` (the server's default graph), ``"preparing"`` (a graph written out and
    counted here), ``"sending"`` (after each batch), ``"verifying"`` (the server's count of
    a graph) or ``"repairing"`` (a graph whose count differed, sent again)."""
    graph: str | None = None
    number: int = 0
    """Which graph, from 1 (0 while the server is checked)."""
    graphs: int = 0
    """How many graphs the push sends."""
    sent: int = 0
    """Triples of this graph sent so far."""
    total: int | None = None
    """Triples in this graph; None while it is being counted."""


Progress = Callable[[PushProgress], None]


@dataclass
class GraphPush:
    graph: str
    local_triples: int
    remote_triples: int = 0
    batches: int = 0
    method: str = ""
    blank_nodes: bool = False
    repairs: int = 0  # times the graph was sent again because its count differed

    @property
    def matches(self) -> bool:
        return self.local_triples == self.remote_triples


@dataclass
class PushReport:
    endpoint: str
    graphs: list[GraphPush] = field(default_factory=list)
    union_default_graph: bool | None = None
    """Whether the server's default graph is the union of its graphs (None: not checked)."""

    @property
    def triples(self) -> int:
        return sum(g.local_triples for g in self.graphs)


class PushMismatch(PtmkgError):
    """After a push, the server holds a different number of triples in some graph."""


def push(
    local: GraphStore,
    remote: RemoteStore,
    graphs: list[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    check_union: bool = True,
) -> PushReport:
    """Replace each named graph (all, or ``graphs``) of ``remote`` with the local one.

    ``progress`` is given a :class:`PushProgress` at every step (after every batch among
    them). Before anything is sent, a server whose default graph is not the union of its
    graphs raises :class:`~kg.stores.remote.NotUnionDefaultGraph`, unless ``check_union``
    is False (then the push goes on and the report's ``union_default_graph`` says so).
    Raises :class:`PushMismatch` if a graph's triple count on the server differs
    afterwards, and :class:`kg.stores.remote.EndpointError` if the server fails part-way
    (run the push again to complete it).
    """
    if batch_size < 1:
        raise PtmkgError("the batch size must be at least 1")
    available = local.named_graphs()
    chosen = graphs or available
    missing = [g for g in chosen if g not in available]
    if missing:
        raise PtmkgError(
            f"no graph {', '.join(missing)} in {local.location} (its graphs: "
            f"{', '.join(available) or 'none'})"
        )
    if not chosen:
        raise PtmkgError(f"{local.location} has no graphs to push: run 'ptmkg build' first")

    def say(step: str, number: int = 0, sent: int = 0, total: int | None = None) -> None:
        if progress:
            graph = chosen[number - 1] if number else None
            progress(PushProgress(step, graph, number, len(chosen), sent, total))

    report = PushReport(endpoint=remote.location)
    say("checking")
    report.union_default_graph = remote.default_graph_is_union()
    if not report.union_default_graph and check_union:
        raise NotUnionDefaultGraph(
            f"{remote.not_union_message()}. Nothing was pushed. To copy the graphs there "
            f"anyway (for queries that name their graphs; ptmkg's own commands will refuse "
            f"that server), push with --no-union-check"
        )
    use_gsp = bool(remote.settings.gsp_url)
    for number, graph in enumerate(chosen, start=1):
        say("preparing", number)
        with tempfile.TemporaryFile() as spool:
            local.dump(spool, ox.RdfFormat.N_TRIPLES, graph)
            spool.seek(0)
            lines = sum(1 for line in spool if line.strip())
            spool.seek(0)
            has_blank_nodes = any(_BLANK_NODE.search(line) for line in spool)
            size = max(lines, 1) if has_blank_nodes else batch_size
            outcome = GraphPush(graph=graph, local_triples=lines, blank_nodes=has_blank_nodes)
            report.graphs.append(outcome)
            say("sending", number, 0, lines)
            use_gsp = _send_graph(
                remote,
                graph,
                spool,
                size,
                use_gsp,
                outcome,
                functools.partial(say, "sending", number, total=lines),
            )
    for number, outcome in enumerate(report.graphs, start=1):
        say("verifying", number, outcome.local_triples, outcome.local_triples)
        outcome.remote_triples = remote.count_triples(outcome.graph)
    for _ in range(REPAIR_ROUNDS):
        wrong = [g for g in report.graphs if not g.matches]
        if not wrong:
            break
        time.sleep(REPAIR_PAUSE_SECONDS)  # let a request left by a killed push land first
        for outcome in wrong:
            number = chosen.index(outcome.graph) + 1
            say("repairing", number, 0, outcome.local_triples)
            with tempfile.TemporaryFile() as spool:
                local.dump(spool, ox.RdfFormat.N_TRIPLES, outcome.graph)
                size = outcome.local_triples if outcome.blank_nodes else batch_size
                again = functools.partial(say, "repairing", number, total=outcome.local_triples)
                use_gsp = _send_graph(
                    remote, outcome.graph, spool, max(size, 1), use_gsp, outcome, again
                )
            outcome.repairs += 1
            outcome.remote_triples = remote.count_triples(outcome.graph)
    wrong = [g for g in report.graphs if not g.matches]
    if wrong:
        details = "; ".join(
            f"{g.graph}: {g.remote_triples:,} on the server, {g.local_triples:,} here"
            for g in wrong
        )
        raise PushMismatch(
            f"after the push the server's triple counts differ: {details}. A server that "
            f"rewrites literals or drops triples it cannot store would do this; the push "
            f"was not complete"
        )
    return report


def _send_graph(
    remote: RemoteStore,
    graph: str,
    spool: IO[bytes],
    batch_size: int,
    use_gsp: bool,
    outcome: GraphPush,
    sent_so_far: Callable[[int], None],
) -> bool:
    """Send one graph in batches; returns whether the GSP is (still) the way to send."""
    spool.seek(0)
    sent = 0
    first = True
    for batch in _batches(spool, batch_size):
        body = b"".join(batch)
        if first and use_gsp:
            try:
                remote.store_triples(graph, body, replace=True)
            except EndpointError as exc:
                if exc.status not in NO_GSP_STATUSES:
                    raise
                use_gsp = False  # no Graph Store Protocol there: SPARQL Update from now on
        if use_gsp:
            if not first:
                remote.store_triples(graph, body, replace=False)
        else:
            if first:
                remote.drop_graph(graph)
            remote.insert_triples(graph, body)
        outcome.method = "graph store protocol" if use_gsp else "SPARQL update"
        first = False
        sent += len(batch)
        outcome.batches += 1
        sent_so_far(sent)
    if first:  # an empty graph: make sure none is left on the server
        remote.drop_graph(graph)
        outcome.method = "SPARQL update"
    return use_gsp


def _batches(lines: IO[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for line in lines:
        if not line.strip():
            continue
        batch.append(line if line.endswith(b"\n") else line + b"\n")
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
