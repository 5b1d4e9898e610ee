"""The outbox's side of webhook delivery (docs/alerts.md, "Delivery"): which events are
due, claiming one across processes, and recording each attempt.

Every write of one watch's deliveries first takes that :class:`Watch` node's write
lock (``deliveries/lock_watch``) and only then reads the event's state, in a following
statement of the same transaction: two deliverers (threads or service processes) that
race for the same event are serialised on the lock, and the second one reads the
first one's committed claim and backs off. A claim carries an expiry, so one taken by a
process that died lapses and the event is sent again (at-least-once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import ManagedTransaction

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, run_rows

__all__ = [
    "AttemptRecord",
    "ClaimedEvent",
    "claim_head",
    "due_heads",
    "record_attempt",
]


@dataclass(frozen=True, slots=True)
class ClaimedEvent:
    """An event this worker may now send once, and where to."""

    id: str
    type: str
    at: str
    watch_id: str
    account_id: str
    data: str
    #: Attempts recorded before this one.
    attempts: int
    url: str
    secret: str = ""

    def __repr__(self) -> str:  # never show the secret
        return f"ClaimedEvent(id={self.id!r}, watch_id={self.watch_id!r})"


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """What one attempt did and what follows for its event."""

    delivery_id: str
    event_id: str
    watch_id: str
    worker_id: str
    attempt: int
    at: datetime
    url: str
    status_code: int | None
    error: str | None
    duration_ms: float
    #: 'delivered' | 'retry' | 'failed' | 'disabled'
    outcome: str
    next_attempt_at: datetime | None
    #: The event's new delivery state: 'delivered' | 'pending' | 'failed' | 'cancelled'.
    delivery: str
    #: Why the webhook was disabled (outcome 'disabled').
    disabled_reason: str | None = None


def due_heads(graph: Graph, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(watch id, event id) of the heads of outboxes due at ``now``, oldest due first."""
    rows = graph.read(cypher("deliveries/due_heads"), now=now, limit=limit)
    return [(r["watch_id"], r["event_id"]) for r in rows]


def claim_head(
    graph: Graph, watch_id: str, worker_id: str, now: datetime, claim_expires_at: datetime
) -> ClaimedEvent | None:
    """Claim the head of ``watch_id``'s outbox for ``worker_id`` when it is (still) due
    and unclaimed; None when another deliverer has it, it was delivered meanwhile, or
    the webhook was disabled."""

    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        if not run_rows(tx, cypher("deliveries/lock_watch"), {"watch_id": watch_id}):
            return []
        return run_rows(
            tx,
            cypher("deliveries/claim_head"),
            {
                "watch_id": watch_id,
                "worker_id": worker_id,
                "now": now,
                "claim_expires_at": claim_expires_at,
            },
        )

    rows = graph.write_tx(work)
    if not rows:
        return None
    row = rows[0]
    return ClaimedEvent(
        id=row["id"],
        type=row["type"],
        at=row["at"],
        watch_id=row["watch_id"],
        account_id=row["account_id"],
        data=row["data"] if row["data"] is not None else "null",
        attempts=int(row["attempts"]),
        url=row["url"],
        secret=row["secret"] or "",
    )


def record_attempt(graph: Graph, record: AttemptRecord) -> bool:
    """Store the attempt (once, whatever the retries) and, when the claim is still this
    worker's, the event's new state; a 410 also disables the watch's webhook and cancels
    its other waiting events. True when the event's state was this worker's to set."""

    def work(tx: ManagedTransaction) -> bool:
        run_rows(tx, cypher("deliveries/lock_watch"), {"watch_id": record.watch_id})
        rows = run_rows(
            tx,
            cypher("deliveries/record_attempt"),
            {
                "event_id": record.event_id,
                "delivery_id": record.delivery_id,
                "watch_id": record.watch_id,
                "worker_id": record.worker_id,
                "attempt": record.attempt,
                "at": record.at,
                "url": record.url,
                "status_code": record.status_code,
                "error": record.error,
                "duration_ms": record.duration_ms,
                "outcome": record.outcome,
                "next_attempt_at": record.next_attempt_at,
                "delivery": record.delivery,
                "delivered_at": record.at if record.delivery == "delivered" else None,
            },
        )
        if record.outcome == "disabled":
            # The receiver said the endpoint is gone, whoever's claim this was.
            run_rows(
                tx,
                cypher("deliveries/disable_watch"),
                {"watch_id": record.watch_id, "reason": record.disabled_reason, "at": record.at},
            )
        return bool(rows and rows[0]["ours"])

    return graph.write_tx(work)
