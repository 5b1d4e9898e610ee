"""Watches and their events (docs/alerts.md): create, read, list and delete watches,
read a watch's delivery log, and read the events feed.

The routes check the request's shape and hand over to ``service.domain.alerts``
(``watches``, ``events_feed``); they hold no Cypher. Embed tokens reach none of them
(they are not on the embed allow-list, service/domain/embed_tokens.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.api.deps import ReadPrincipal, StateDep, WritePrincipal
from service.api.pagination import (
    CURSOR_PATTERN,
    CursorParam,
    LimitParam,
    decode_cursor,
    encode_cursor,
)
from service.api.routes.queries import CatalogDep
from service.api.schemas.common import ItemsPage, problem_responses
from service.api.state import AppState
from service.domain.alerts import events_feed, watches
from service.domain.alerts.evaluation import establish_baseline
from service.domain.alerts.events_feed import EventsPage, FeedEvent
from service.domain.alerts.watches import CreatedWatch, DeliveryAttempt, NewWatch, Watch
from service.domain.errors import InvalidInput
from service.domain.values import Id

router = APIRouter(tags=["alerts"])


def watch_baseline(state: AppState) -> watches.Baseline:
    """The evaluator's baseline of a new watch, called once the watch is stored: every
    account in its scope is evaluated now and remembered without making events."""

    def baseline(watch_id: str) -> None:
        establish_baseline(state.graph, state.account_cache, watch_id, state.settings)

    return baseline


@router.post(
    "/v1/watches",
    status_code=201,
    summary="Watch accounts for conditions; events go to the feed and the webhook",
    description=(
        "Scope: `account_ids` (stored accounts), a `tier` or the `portfolio`. Each "
        "condition is evaluated per account in scope after every write "
        "(docs/alerts.md, Conditions). With a `webhook`, events are posted to it signed "
        "per Standard Webhooks; its `secret` is generated unless given, and shown in "
        "this answer only. Every problem of the body is reported at once (422, naming "
        "the field); a refused request stores nothing."
    ),
    response_model=CreatedWatch,
    responses={
        201: {
            "description": "The watch, with its webhook secret (this once)",
            "headers": {
                "Location": {
                    "description": "The watch's URL",
                    "schema": {"type": "string"},
                }
            },
        },
        **problem_responses(401, 403, 422, 503),
    },
)
def create_watch(
    body: NewWatch,
    response: Response,
    state: StateDep,
    catalog: CatalogDep,
    principal: WritePrincipal,
) -> CreatedWatch:
    created = watches.create_watch(
        state.graph,
        body,
        catalog=catalog,
        allowed_hosts=state.settings.alerts_webhook_allowed_hosts,
        created_by=principal.key_id,
        baseline=watch_baseline(state),
    )
    response.headers["Location"] = f"/v1/watches/{created.id}"
    return created


@router.get(
    "/v1/watches",
    summary="List the watches, by id",
    responses=problem_responses(401, 403, 422, 503),
)
def list_watches(
    state: StateDep,
    principal: ReadPrincipal,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> ItemsPage[Watch]:
    items, next_after = watches.list_watches(state.graph, after=decode_cursor(cursor), limit=limit)
    return ItemsPage[Watch](
        items=items, next_cursor=encode_cursor(next_after) if next_after else None
    )


@router.get(
    "/v1/watches/{watch_id}",
    summary="One watch (without its webhook secret)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_watch(watch_id: Id, state: StateDep, principal: ReadPrincipal) -> Watch:
    return watches.get_watch(state.graph, watch_id)


@router.delete(
    "/v1/watches/{watch_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a watch; its undelivered events are cancelled, its events stay in the feed",
    responses={
        204: {"description": "Deleted"},
        **problem_responses(401, 403, 404, 422, 503),
    },
)
def delete_watch(watch_id: Id, state: StateDep, principal: WritePrincipal) -> None:
    watches.delete_watch(state.graph, watch_id)


@router.get(
    "/v1/watches/{watch_id}/deliveries",
    summary="The watch's webhook delivery attempts, newest first",
    description=(
        "One item per attempt: the event, the attempt's number, when, the receiver's "
        "status (or the error), how long it took, the outcome and when it is tried again."
    ),
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_deliveries(
    watch_id: Id,
    state: StateDep,
    principal: ReadPrincipal,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> ItemsPage[DeliveryAttempt]:
    before = watches.delivery_position_after(decode_cursor(cursor))
    items, last = watches.deliveries(state.graph, watch_id, before=before, limit=limit)
    return ItemsPage[DeliveryAttempt](
        items=items,
        next_cursor=encode_cursor(watches.delivery_position_of(last)) if last else None,
    )


SinceParam = Annotated[
    str | None,
    Query(
        max_length=683,  # as `cursor`: base64url of at most 512 bytes
        pattern=CURSOR_PATTERN,
        description="`next_cursor` of the previous page; omit it (or leave it empty) to "
        "start at the first event. Any other value is refused with 422.",
    ),
]


@router.get(
    "/v1/events",
    summary="The events feed: every alert event in commit order, after a cursor",
    description=(
        "For consumers that poll instead of receiving webhooks: pass `next_cursor` back "
        "as `since` (it is always given, the same again when nothing new came). "
        "`watch_id` keeps one watch's events (a deleted watch's too)."
    ),
    responses=problem_responses(401, 403, 422, 503),
)
def list_events(
    state: StateDep,
    principal: ReadPrincipal,
    since: SinceParam = None,
    watch_id: Annotated[Id | None, Query(description="Only this watch's events.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size, 1..500.")] = 100,
) -> EventsPage:
    try:
        position = decode_cursor(since)
    except InvalidInput:
        raise events_feed.invalid_since() from None
    items, last = events_feed.feed(
        state.graph, after=events_feed.seq_after(position), watch_id=watch_id, limit=limit
    )
    return EventsPage(items=items, next_cursor=encode_cursor(events_feed.position_of(last)))


@router.get(
    "/v1/events/{event_id}",
    summary="One alert event (the link a truncated webhook body carries)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_event(event_id: Id, state: StateDep, principal: ReadPrincipal) -> FeedEvent:
    return events_feed.event(state.graph, event_id)
