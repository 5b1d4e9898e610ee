"""The graph's invariants (docs/graph-conventions.md, "Invariants"), checked on the server.

Each invariant is one read query in ``cypher/check/<name>.cypher`` returning one row per
violation (``subject``, ``detail``); :func:`check_graph` runs them all and returns typed
:class:`Violation` values, :func:`run_checks` the same per invariant with counts (what
``powermap check`` prints). A violation is a defect of the writer that left it: the
service's own writes keep every invariant, and the test suite checks so after every test
that writes (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from neo4j import ManagedTransaction

from service.graph.cypher_files import cypher
from service.graph.driver import Graph


class Invariant(StrEnum):
    """The invariants, in the order they are checked; the value names the query file."""

    NODE_ID = "node_without_id"
    BOOKKEEPING_ALONE = "bookkeeping_with_relationships"
    MODEL_RELATIONSHIPS = "unknown_relationships"
    EDGE_PROPERTIES = "edge_properties"
    INTERVALS = "bad_interval"
    ONE_CURRENT = "several_current"
    NO_OVERLAP = "overlapping_intervals"
    NO_SOLID_CYCLE = "solid_cycles"
    PERSON_STATUS = "person_status"
    DEPARTED_CLOSED = "departed_with_current_edges"
    NO_LOCK_PROPERTY = "lock_property"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]

    @property
    def kind(self) -> str:
        """The short name a violation of this invariant is reported under."""
        return KINDS[self]


DESCRIPTIONS: dict[Invariant, str] = {
    Invariant.NODE_ID: "every node (but __ bookkeeping) has a non-empty string id",
    Invariant.BOOKKEEPING_ALONE: "nodes outside the model (ApiKey, __Migration…) stand alone",
    Invariant.MODEL_RELATIONSHIPS: "every relationship is a model type between its model labels",
    Invariant.EDGE_PROPERTIES: "REPORTS_TO kind, HAS_ROLE role, CONTROLS authority, edge sources",
    Invariant.INTERVALS: "every time-bound edge has since, and until is not before since",
    Invariant.ONE_CURRENT: "one current edge per edge identity (one employer, one solid manager…)",
    Invariant.NO_OVERLAP: "no overlapping intervals per edge identity",
    Invariant.NO_SOLID_CYCLE: "no cycle of current solid reporting lines",
    Invariant.PERSON_STATUS: "status is active or left, and left_at is set exactly when left",
    Invariant.DEPARTED_CLOSED: "a person who left has no current edge",
    Invariant.NO_LOCK_PROPERTY: "no committed _lock property",
}
KINDS: dict[Invariant, str] = {
    Invariant.NODE_ID: "missing_id",
    Invariant.BOOKKEEPING_ALONE: "bookkeeping_edge",
    Invariant.MODEL_RELATIONSHIPS: "unknown_relationship",
    Invariant.EDGE_PROPERTIES: "edge_property",
    Invariant.INTERVALS: "bad_interval",
    Invariant.ONE_CURRENT: "several_current",
    Invariant.NO_OVERLAP: "overlap",
    Invariant.NO_SOLID_CYCLE: "solid_cycle",
    Invariant.PERSON_STATUS: "person_status",
    Invariant.DEPARTED_CLOSED: "departed_current_edge",
    Invariant.NO_LOCK_PROPERTY: "lock_property",
}


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which, where (a node id or an edge) and what is wrong."""

    invariant: Invariant
    subject: str
    detail: str

    @property
    def kind(self) -> str:
        return self.invariant.kind

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}: {self.detail}"


@dataclass(frozen=True)
class InvariantResult:
    """One invariant's outcome: the total number of violations and the first ``limit``."""

    invariant: Invariant
    total: int
    violations: tuple[Violation, ...]

    @property
    def ok(self) -> bool:
        return self.total == 0


def _check_one(invariant: Invariant, limit: int) -> Callable[[ManagedTransaction], InvariantResult]:
    def work(tx: ManagedTransaction) -> InvariantResult:
        kept: list[Violation] = []
        total = 0
        # Streamed: a badly broken graph (thousands of rows) keeps only ``limit`` here.
        for record in tx.run(cypher(f"check/{invariant.value}")):
            total += 1
            if len(kept) < limit:
                kept.append(Violation(invariant, str(record["subject"]), str(record["detail"])))
        return InvariantResult(invariant, total, tuple(kept))

    return work


def run_checks(graph: Graph, limit: int = 1000) -> Iterator[InvariantResult]:
    """Check every invariant (one read transaction each), yielding each result as it is
    known, with at most ``limit`` violations listed per invariant."""
    for invariant in Invariant:
        yield graph.read_tx(_check_one(invariant, limit))


def check_graph(graph: Graph, limit: int = 1000) -> list[Violation]:
    """Every violation of the graph's invariants (at most ``limit`` per invariant);
    an empty list means the graph is clean."""
    return [v for result in run_checks(graph, limit) for v in result.violations]
