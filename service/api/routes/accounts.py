"""Accounts: the portfolio list, one account, its stakeholders, its org chart and its
changes feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from service.api.deps import AsOfParam, ReadPrincipal, StateDep
from service.api.pagination import CursorParam, LimitParam, decode_cursor, encode_cursor
from service.api.routing import OneHopRoute
from service.api.schemas.accounts import AccountDetail, AccountSummary, StakeholderStatus, Tier
from service.api.schemas.common import ItemsPage, problem_responses
from service.api.schemas.org_chart import OrgChartOut
from service.api.schemas.people import StakeholderSummary
from service.domain import account_changes, directory, org_chart
from service.domain.account_changes import ChangeItem
from service.domain.analytics.subgraphs import today
from service.domain.values import Id, IsoDateOrDateTime

router = APIRouter(prefix="/v1/accounts", tags=["accounts"], route_class=OneHopRoute)


@router.get(
    "",
    summary="List accounts, by id, optionally of one tier",
    responses=problem_responses(401, 403, 422, 503),
)
def list_accounts(
    state: StateDep,
    principal: ReadPrincipal,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
    tier: Annotated[Tier | None, Query(description="Only accounts of this tier.")] = None,
) -> ItemsPage[AccountSummary]:
    page = directory.accounts(
        state.graph,
        principal=principal,
        after=decode_cursor(cursor),
        limit=limit,
        tier=tier,
    )
    return ItemsPage[AccountSummary].model_validate(
        {
            "items": page.items,
            "next_cursor": encode_cursor(page.next_after) if page.next_after else None,
        }
    )


@router.get(
    "/{account_id}",
    summary="One account with its counts and covering team",
    responses=problem_responses(401, 403, 404, 422, 503),
)
async def get_account(account_id: Id, state: StateDep, principal: ReadPrincipal) -> AccountDetail:
    principal.require_account(account_id)
    # One read through the async driver, on the event loop (docs/architecture.md).
    if state.async_graph is not None:
        found = await directory.account_async(state.async_graph, account_id)
    else:
        found = await run_in_threadpool(directory.account, state.graph, account_id)
    return AccountDetail.model_validate(found)


@router.get(
    "/{account_id}/stakeholders",
    summary="The account's stakeholders, by id",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_account_stakeholders(
    account_id: Id,
    state: StateDep,
    principal: ReadPrincipal,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
    status: Annotated[
        StakeholderStatus,
        Query(description="`active` (default), `left` (people who left it) or `all`."),
    ] = "active",
) -> ItemsPage[StakeholderSummary]:
    principal.require_account(account_id)
    page = directory.account_stakeholders(
        state.graph,
        account_id,
        principal=principal,
        status=status,
        after=decode_cursor(cursor),
        limit=limit,
    )
    return ItemsPage[StakeholderSummary].model_validate(
        {
            "items": page.items,
            "next_cursor": encode_cursor(page.next_after) if page.next_after else None,
        }
    )


@router.get(
    "/{account_id}/org-chart",
    summary="The solid-line reporting tree as of a date, with dotted lines alongside",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_org_chart(
    account_id: Id,
    state: StateDep,
    principal: ReadPrincipal,
    as_of: AsOfParam = None,
) -> OrgChartOut:
    principal.require_account(account_id)
    chart = org_chart.org_chart(
        state.graph,
        account_id,
        as_of=as_of or today(),
        threshold=state.settings.active_tie_threshold,
        principal=principal,
    )
    return OrgChartOut.model_validate(chart)


# The window of the changes feed: a date means 00:00 UTC of that day.
WindowParam = Annotated[
    IsoDateOrDateTime | None,
    Query(
        description="A date (00:00 UTC of that day) or an ISO-8601 date-time; "
        "1900-01-01 … 2199-12-31."
    ),
]


@router.get(
    "/{account_id}/changes",
    summary="The account's changes in time order: joins, departures, moves, new managers "
    "and titles, roles, budget control, coverage and ties crossing the activity threshold",
    description=(
        "Read from the recorded change set of every write (docs/changes-feed.md). Each "
        "item's `at` is when the change took effect (an edge's since/until, a batch's "
        "effective_at), not when it was written; the window is `since <= at < until`. "
        "Ordered by `at`, then write order; `next_cursor` continues the list."
    ),
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_account_changes(
    account_id: Id,
    state: StateDep,
    principal: ReadPrincipal,
    since: WindowParam = None,
    until: WindowParam = None,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
) -> ItemsPage[ChangeItem]:
    principal.require_account(account_id)
    items, next_after = account_changes.account_changes(
        state.graph,
        account_id,
        since=since,
        until=until,
        after=decode_cursor(cursor),
        limit=limit,
    )
    return ItemsPage[ChangeItem](
        items=items, next_cursor=encode_cursor(next_after) if next_after else None
    )
