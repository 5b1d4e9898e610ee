"""Relationship analytics: budget control, threading, departure impact, warm paths,
power map and health (docs/definitions.md).

Plain ``def`` routes: FastAPI runs them in its thread pool, so the CPU-bound analytics
never block the event loop. Each route checks the caller's account limit (embed
tokens see one account), hands over to :mod:`service.domain.analytics` and returns its
answer as it is: the answer models declared there are the routes' response models.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from service.api.deps import AsOfParam, ReadPrincipal, StateDep
from service.api.pagination import CursorParam, LimitParam, decode_cursor, encode_cursor
from service.api.routing import OneHopRoute
from service.api.schemas.accounts import Tier
from service.api.schemas.analytics import DepartureImpactRequest, PortfolioThreadingPage
from service.api.schemas.common import problem_responses
from service.domain import analytics as intel
from service.domain.analytics.account_health import HealthOut
from service.domain.analytics.account_threading import ThreadingOut
from service.domain.analytics.budget_control import BudgetControlOut
from service.domain.analytics.departure_impact import (
    AccountDepartureImpactOut,
    PersonDepartureImpactOut,
)
from service.domain.analytics.power_map import PowerMapOut
from service.domain.analytics.subgraphs import today
from service.domain.analytics.warm_paths import WarmPathsOut
from service.domain.values import Id, IsoDate

router = APIRouter(prefix="/v1", tags=["analytics"], route_class=OneHopRoute)


@router.get(
    "/budgets/{budget_id}/control",
    summary="Who controls the budget: controllers, escalation chain, influencers, our access",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_budget_control(
    budget_id: Id, state: StateDep, principal: ReadPrincipal, as_of: AsOfParam = None
) -> BudgetControlOut:
    return intel.budget_control(
        state.account_cache,
        state.settings,
        budget_id,
        as_of=as_of or today(),
        principal=principal,
    )


@router.get(
    "/accounts/{account_id}/threading",
    summary="Single-threaded relationships: key stakeholders, opportunities, sides, cut points",
    responses=problem_responses(401, 403, 404, 422, 503),
)
async def get_account_threading(
    account_id: Id, state: StateDep, principal: ReadPrincipal, as_of: AsOfParam = None
) -> ThreadingOut:
    principal.require_account(account_id)
    day = as_of or today()
    # A cached answer is served on the event loop after one version read through the
    # async driver; anything to pull or compute runs in the thread pool, reusing that read.
    held = await intel.account_threading_held(
        state.account_cache, state.async_graph, state.settings, account_id, as_of=day
    )
    if held is not None:
        return held
    return await run_in_threadpool(
        intel.account_threading, state.account_cache, state.settings, account_id, as_of=day
    )


@router.get(
    "/portfolio/threading",
    summary="Every account ranked by threading risk (riskiest first), computed in Cypher",
    responses=problem_responses(401, 403, 422, 503),
)
def get_portfolio_threading(
    state: StateDep,
    principal: ReadPrincipal,
    limit: LimitParam = 50,
    cursor: CursorParam = None,
    tier: Annotated[Tier | None, Query(description="Only accounts of this tier.")] = None,
    as_of: AsOfParam = None,
) -> PortfolioThreadingPage:
    page, next_after = intel.portfolio_threading(
        state.graph,
        state.settings,
        principal=principal,
        as_of=as_of or today(),
        after=decode_cursor(cursor),
        limit=limit,
        tier=tier,
    )
    next_cursor = encode_cursor(next_after) if next_after else None
    return PortfolioThreadingPage(**dict(page), next_cursor=next_cursor)


@router.post(
    "/accounts/{account_id}/departure-impact",
    summary="What the account loses if these people leave (all at once)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def post_departure_impact(
    account_id: Id,
    body: DepartureImpactRequest,
    state: StateDep,
    principal: ReadPrincipal,
    as_of: AsOfParam = None,
) -> AccountDepartureImpactOut:
    return intel.account_departure_impact(
        state.account_cache,
        state.settings,
        account_id,
        body.person_ids,
        as_of=as_of or today(),
        principal=principal,
    )


@router.get(
    "/people/{person_id}/departure-impact",
    summary="What is lost if this person leaves: their account, or every account a team "
    "member is in",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_person_departure_impact(
    person_id: Id,
    state: StateDep,
    principal: ReadPrincipal,
    as_of: AsOfParam = None,
    account_id: Annotated[
        str | None, Query(description="Only this one of the person's accounts.")
    ] = None,
) -> PersonDepartureImpactOut:
    return intel.person_departure_impact(
        state.account_cache,
        state.settings,
        person_id,
        as_of=as_of or today(),
        principal=principal,
        account_id=account_id,
    )


@router.get(
    "/paths/warm",
    summary="The k strongest warm paths (at most 4 hops) from our team to a stakeholder",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_warm_paths(
    state: StateDep,
    principal: ReadPrincipal,
    to: Annotated[Id, Query(description="The stakeholder to reach.")],
    from_: Annotated[
        Id | None,
        Query(alias="from", description="Only paths from this team member."),
    ] = None,
    k: Annotated[int, Query(ge=1, le=20, description="How many paths, 1..20.")] = 3,
    as_of: AsOfParam = None,
) -> WarmPathsOut:
    return intel.warm_paths(
        state.account_cache,
        state.settings,
        to=to,
        from_team_member=from_,
        k=k,
        as_of=as_of or today(),
        principal=principal,
    )


@router.get(
    "/accounts/{account_id}/power-map",
    summary="Stakeholders with roles, stance, influence PageRank, betweenness, coverage, access",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_power_map(
    account_id: Id,
    state: StateDep,
    principal: ReadPrincipal,
    sort: Annotated[intel.PowerMapSort, Query(description="The column to sort by.")] = "pagerank",
    order: Annotated[Literal["asc", "desc"], Query(description="Sort direction.")] = "desc",
    as_of: AsOfParam = None,
) -> PowerMapOut:
    principal.require_account(account_id)
    return intel.account_power_map(
        state.account_cache,
        state.settings,
        account_id,
        sort=sort,
        descending=order == "desc",
        as_of=as_of or today(),
    )


@router.get(
    "/accounts/{account_id}/health",
    summary="Relationship health 0–100 with its components, now and at as_of",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_account_health(
    account_id: Id,
    state: StateDep,
    principal: ReadPrincipal,
    as_of: Annotated[
        IsoDate | None,
        Query(description="YYYY-MM-DD; also score the account at the end of that day (UTC)."),
    ] = None,
) -> HealthOut:
    principal.require_account(account_id)
    return intel.account_health(
        state.account_cache,
        state.settings,
        account_id,
        today=today(),
        as_of=as_of,
    )
