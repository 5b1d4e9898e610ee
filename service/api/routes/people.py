"""People: one stakeholder and one of our team members, with what surrounds them."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from service.api.deps import AsOfParam, ReadPrincipal, StateDep
from service.api.routing import OneHopRoute
from service.api.schemas.common import problem_responses
from service.api.schemas.people import StakeholderDetail, TeamMemberDetail
from service.domain import directory
from service.domain.values import Id

router = APIRouter(prefix="/v1", tags=["people"], route_class=OneHopRoute)


@router.get(
    "/stakeholders/{stakeholder_id}",
    summary="One stakeholder: employer, lines, roles, budgets, influence, our ties, history",
    responses=problem_responses(401, 403, 404, 422, 503),
)
async def get_stakeholder(
    stakeholder_id: Id, state: StateDep, principal: ReadPrincipal, as_of: AsOfParam = None
) -> StakeholderDetail:
    """With ``as_of``, title, department and seniority are those of that date (the rest
    is the current state; ``positions`` holds the whole history)."""
    # One read through the async driver, on the event loop (docs/architecture.md).
    if state.async_graph is not None:
        found = await directory.stakeholder_async(
            state.async_graph, stakeholder_id, principal=principal, as_of=as_of
        )
    else:
        found = await run_in_threadpool(
            directory.stakeholder, state.graph, stakeholder_id, principal=principal, as_of=as_of
        )
    return StakeholderDetail.model_validate(found)


@router.get(
    "/team-members/{team_member_id}",
    summary="One of our team members: accounts covered and relationships",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_team_member(
    team_member_id: Id, state: StateDep, principal: ReadPrincipal
) -> TeamMemberDetail:
    return TeamMemberDetail.model_validate(
        directory.team_member(state.graph, team_member_id, principal=principal)
    )
