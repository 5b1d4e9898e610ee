"""The events feed (docs/alerts.md, "The events feed"): every alert event in the order
it was committed, for consumers that poll instead of receiving webhooks.

Each event carries a global sequence number (``seq``), taken in the transaction that
writes it from one counter node, so events commit in ``seq`` order and a reader never
sees a later number before an earlier one. The cursor is the last ``seq`` a page held
(opaque to clients: base64url, as every cursor of this API). A page always gives the
cursor to continue from — the same one again when nothing new came — so a poller just
keeps passing ``next_cursor`` back. Events outlive their watch: a deleted watch's
events stay in the feed (those not yet delivered marked ``cancelled``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.domain.errors import FieldError, InvalidInput, NotFound
from service.graph import watches as store
from service.graph.driver import Graph, Record

__all__ = ["EventsPage", "FeedEvent", "event", "feed", "invalid_since", "position_of", "seq_after"]

Delivery = Literal["pending", "delivered", "failed", "cancelled", "none"]
_SEQ = re.compile(r"^(?:0|[1-9][0-9]{0,17})$")


class FeedEvent(BaseModel):
    """One alert event, as the webhook receives it, with its delivery state."""

    id: str = Field(description="`evt_…`; the `webhook-id` of its deliveries")
    type: str = Field(description="The condition's type, or `<type>.resolved`")
    at: datetime = Field(description="When the event was made (UTC)")
    watch_id: str
    account_id: str
    data: dict[str, Any] = Field(description="The evidence (docs/alerts.md, per type)")
    delivery: Delivery = Field(
        description="`pending` (not yet delivered), `delivered`, `failed` (retries "
        "exhausted), `cancelled` (the watch was deleted or its webhook disabled), "
        "`none` (the watch has no webhook)"
    )


class EventsPage(BaseModel):
    items: list[FeedEvent]
    next_cursor: str = Field(
        description="Always given: pass it as `since` to get the events after this page "
        "(the same cursor again when there was nothing new)."
    )


def invalid_since() -> InvalidInput:
    """The 422 of a ``since`` cursor this service did not issue."""
    return InvalidInput(
        "the cursor is not one this service issued; pass next_cursor of the previous page "
        "as since, or omit since to start at the beginning",
        errors=[FieldError(location="query.since", field="since", reason="not a valid cursor")],
    )


def position_of(seq: int) -> str:
    """The position after the event numbered ``seq``, as the string the API's opaque
    cursor wraps (0: the beginning of the feed)."""
    return str(seq)


def seq_after(position: str) -> int:
    """Parse :func:`position_of`'s string (``""``: the beginning); 422 naming ``since``
    when malformed.

    >>> seq_after(position_of(42)), seq_after("")
    (42, 0)
    """
    if not position:
        return 0
    if not _SEQ.match(position):
        raise invalid_since()
    return int(position)


def _event_of(record: Record) -> FeedEvent:
    data = json.loads(record["data"]) if record.get("data") else {}
    return FeedEvent.model_validate({**record, "data": data})


def feed(
    graph: Graph, *, after: int, watch_id: str | None, limit: int
) -> tuple[list[FeedEvent], int]:
    """The events numbered after ``after`` in commit order, of one watch when
    ``watch_id`` is given, at most ``limit``; and the number to continue after (the
    last one of the page, else ``after`` again)."""
    rows = store.events_page(graph, after=after, limit=limit, watch_id=watch_id)
    items = [_event_of(r) for r in rows]
    return items, int(rows[-1]["seq"]) if rows else after


def event(graph: Graph, event_id: str) -> FeedEvent:
    """One event; NotFound (404) when there is none with this id."""
    record = store.event(graph, event_id)
    if record is None:
        raise NotFound(f"no event with id {event_id!r}")
    return _event_of(record)
