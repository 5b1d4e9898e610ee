"""The graph side of watches, the events feed and the delivery log (docs/alerts.md).

Every function runs one statement of ``cypher/watches/`` in a managed transaction and
returns plain Python data (temporal values as ``datetime``). The webhook secret is
written once, by :func:`create_watch`, and no read here returns it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Record
from service.graph.values import to_native

__all__ = [
    "create_watch",
    "delete_watch",
    "deliveries_page",
    "event",
    "events_page",
    "existing_accounts",
    "watch",
    "watch_exists",
    "watches_page",
]


def existing_accounts(graph: Graph, ids: Iterable[str]) -> set[str]:
    """The given ids that are stored as ``Account``."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    rows = graph.read(cypher("watches/existing_accounts"), ids=wanted)
    return {r["id"] for r in rows}


def create_watch(graph: Graph, props: dict[str, Any]) -> datetime:
    """Store a new ``Watch`` with ``props``; its ``created_at`` (the transaction's clock)."""
    rows = graph.write(cypher("watches/create_watch"), props=props)
    created: datetime = to_native(rows[0]["created_at"])
    return created


def watch(graph: Graph, watch_id: str) -> Record | None:
    """One watch (without its secret), or None when there is none with this id."""
    rows = graph.read(cypher("watches/watch"), id=watch_id)
    return to_native(rows[0]) if rows else None


def watch_exists(graph: Graph, watch_id: str) -> bool:
    rows = graph.read(cypher("watches/watch_exists"), id=watch_id)
    return bool(rows[0]["exists"])


def watches_page(graph: Graph, *, after: str, limit: int) -> list[Record]:
    """Up to ``limit`` watches with ids greater than ``after``, in id order."""
    rows = graph.read(cypher("watches/watches_page"), after=after, limit=limit)
    return [to_native(r) for r in rows]


def delete_watch(graph: Graph, watch_id: str) -> Record | None:
    """Delete the watch and its AlertStates and cancel its pending events, in one
    transaction: ``{"cancelled": n, "states": m}``, or None when there is no such watch."""
    rows = graph.write(cypher("watches/delete_watch"), id=watch_id)
    return dict(rows[0]) if rows else None


def events_page(graph: Graph, *, after: int, limit: int, watch_id: str | None) -> list[Record]:
    """Up to ``limit`` events with ``seq`` greater than ``after`` in ``seq`` order, of one
    watch when ``watch_id`` is given."""
    if watch_id is None:
        rows = graph.read(cypher("watches/events_page"), after=after, limit=limit)
    else:
        rows = graph.read(
            cypher("watches/events_page_of_watch"), after=after, limit=limit, watch_id=watch_id
        )
    return [to_native(r) for r in rows]


def event(graph: Graph, event_id: str) -> Record | None:
    """One event, or None when there is none with this id."""
    rows = graph.read(cypher("watches/event"), id=event_id)
    return to_native(rows[0]) if rows else None


def deliveries_page(
    graph: Graph,
    watch_id: str,
    *,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[Record]:
    """Up to ``limit`` delivery attempts of the watch, newest first (``at``, then ``id``,
    descending), older than ``before`` when given."""
    rows = graph.read(
        cypher("watches/deliveries_page"),
        watch_id=watch_id,
        before_at=before[0] if before else None,
        before_id=before[1] if before else None,
        limit=limit,
    )
    return [to_native(r) for r in rows]
