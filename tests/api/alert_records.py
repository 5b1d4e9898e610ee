"""Test helpers writing the alerts' bookkeeping nodes in the shape the evaluator and the
deliverer write them (docs/alerts.md; the storage contract of issue 12): the API tests
of watches and the feed read what these write, without running an evaluation."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from service.graph.driver import Graph

ADD_EVENT = """
OPTIONAL MATCH (other:AlertEvent)
WITH coalesce(max(other.seq), 0) + 1 AS seq
OPTIONAL MATCH (mine:AlertEvent {watch_id: $watch_id})
WITH seq, coalesce(max(mine.watch_seq), 0) + 1 AS watch_seq
CREATE (e:AlertEvent {
  id: $id, seq: seq, watch_id: $watch_id, watch_seq: watch_seq, account_id: $account_id,
  type: $type, at: $at, data: $data, change_set_ids: $change_set_ids,
  delivery: $delivery, attempts: 0, next_attempt_at: $at, claimed_by: null,
  claim_expires_at: null
})
RETURN e.seq AS seq
"""
ADD_DELIVERY = """
CREATE (d:WebhookDelivery {
  id: $id, event_id: $event_id, watch_id: $watch_id, attempt: $attempt, at: $at,
  url: $url, status_code: $status_code, error: $error, duration_ms: $duration_ms,
  outcome: $outcome, next_attempt_at: $next_attempt_at
})
"""
ADD_STATE = """
CREATE (s:AlertState {
  key: $watch_id + '|' + $account_id, watch_id: $watch_id, account_id: $account_id,
  state: $state, updated_at: datetime(), change_set_ids: []
})
"""
EVENT = """
MATCH (e:AlertEvent {id: $id})
RETURN e {.*} AS event
"""
STATES = """
MATCH (s:AlertState)
RETURN s.watch_id AS watch_id, s.account_id AS account_id
ORDER BY watch_id, account_id
"""
# AlertState nodes carry a `key`, not an `id`: a test that leaves some removes them.
DROP_STATES = "MATCH (s:AlertState) DELETE s"


def add_event(
    graph: Graph,
    watch_id: str,
    account_id: str,
    *,
    type_: str = "champion_lost",
    data: dict[str, Any] | None = None,
    delivery: str = "pending",
    at: datetime | None = None,
) -> tuple[str, int]:
    """An AlertEvent as the evaluator makes it (the next global seq and watch seq):
    its id and seq."""
    event_id = "evt_" + secrets.token_hex(16)
    rows = graph.write(
        ADD_EVENT,
        id=event_id,
        watch_id=watch_id,
        account_id=account_id,
        type=type_,
        at=at or datetime.now(UTC),
        data=json.dumps(data if data is not None else {"account": {"id": account_id}}),
        change_set_ids=["cs-test"],
        delivery=delivery,
    )
    return event_id, int(rows[0]["seq"])


def add_delivery(
    graph: Graph,
    watch_id: str,
    event_id: str,
    *,
    attempt: int,
    at: datetime,
    outcome: str = "retry",
    status_code: int | None = 500,
    error: str | None = None,
    duration_ms: float = 12.0,
    next_attempt_at: datetime | None = None,
) -> str:
    """A WebhookDelivery as the deliverer records one attempt: its id."""
    delivery_id = "dlv_" + secrets.token_hex(8)
    graph.write(
        ADD_DELIVERY,
        id=delivery_id,
        event_id=event_id,
        watch_id=watch_id,
        attempt=attempt,
        at=at,
        url="http://127.0.0.1:9/hook",
        status_code=status_code,
        error=error,
        duration_ms=duration_ms,
        outcome=outcome,
        next_attempt_at=next_attempt_at,
    )
    return delivery_id


def add_state(graph: Graph, watch_id: str, account_id: str) -> None:
    """An AlertState as the evaluator remembers a (watch, account)."""
    graph.write(
        ADD_STATE,
        watch_id=watch_id,
        account_id=account_id,
        state=json.dumps({"0:champion_lost": {"facts": {}}}),
    )


def stored_event(graph: Graph, event_id: str) -> dict[str, Any]:
    rows = graph.read(EVENT, id=event_id)
    assert rows, f"no AlertEvent {event_id}"
    event: dict[str, Any] = rows[0]["event"]
    return event


def states(graph: Graph) -> list[tuple[str, str]]:
    return [(r["watch_id"], r["account_id"]) for r in graph.read(STATES)]


def drop_states(graph: Graph) -> None:
    graph.write(DROP_STATES)
