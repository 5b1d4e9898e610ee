"""Who controls budget X, as of a date: the answer and the use case that gives it.

Definitions and weights: docs/definitions.md, "Budget control", and
:mod:`service.analytics.influence`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from service.analytics.influence import BudgetController
from service.analytics.influence import budget_control as analyse_budget_control
from service.domain.access import Principal
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.answers import (
    AccountRef,
    Answer,
    CoverageLevel,
    CoverageOut,
    Names,
    WarmPathOut,
    account_ref,
    analytics_params,
    coverage_answer,
    warm_path_answer,
)
from service.domain.analytics.subgraphs import analytics_not_found, budget_account_at
from service.settings import Settings

__all__ = ["BudgetControlOut", "budget_control"]

Authority = Literal["owner", "approver", "signatory", "recommender"]


class InfluencerOut(Answer):
    stakeholder_id: str
    name: str
    title: str | None
    influence_strength: float
    pagerank: float
    score: float = Field(description="influence_strength × pagerank")
    coverage_count: int
    coverage_level: CoverageLevel
    best_warm_path_strength: float


class ControllerOut(Answer):
    stakeholder_id: str
    name: str
    title: str | None
    authority: Authority
    pagerank: float
    coverage: CoverageOut
    best_warm_path: WarmPathOut | None
    influencers: list[InfluencerOut] = Field(description="Ranked by score, highest first")


class EscalationStepOut(Answer):
    level: int
    stakeholder_id: str
    name: str
    title: str | None
    status: str


class EscalationChainOut(Answer):
    stakeholder_id: str
    cycle_at: str | None
    steps: list[EscalationStepOut] = Field(description="Up the solid line, nearest first")


class DepartedControllerOut(Answer):
    stakeholder_id: str
    name: str
    authority: str


class BudgetOut(Answer):
    id: str
    name: str
    amount: float | None
    currency: str | None


class BudgetControlOut(Answer):
    account: AccountRef
    as_of: date
    budget: BudgetOut
    controllers: dict[Authority, list[ControllerOut]]
    escalation_chains: list[EscalationChainOut]
    departed_controllers: list[DepartedControllerOut]
    influencer_score: str
    notes: list[str]


def _controller(c: BudgetController, names: Names) -> ControllerOut:
    return ControllerOut(
        stakeholder_id=c.stakeholder_id,
        name=c.name,
        title=c.title,
        authority=c.authority,
        pagerank=c.pagerank,
        coverage=coverage_answer(c.coverage, names),
        best_warm_path=warm_path_answer(c.best_warm_path, names),
        influencers=c.influencers,  # Influencer dataclasses, validated from attributes
    )


def budget_control(
    cache: AccountCache,
    settings: Settings,
    budget_id: str,
    *,
    as_of: date,
    principal: Principal,
) -> BudgetControlOut:
    """Controllers by authority, the owner's escalation chain, influencers, our access."""
    reads = cache.reads()
    pulled = budget_account_at(reads, budget_id, as_of)
    principal.require_account(pulled.graph.account_id)
    names = Names.of(pulled.graph)
    params = analytics_params(settings)
    with analytics_not_found():
        result = analyse_budget_control(
            pulled.graph,
            budget_id,
            params,
            indexed=reads.indexed(pulled),
            graph=reads.engagement_graph(pulled, params),
        )
    notes = list(result.notes)
    if not pulled.graph.team_members:
        notes.append("No team member covers the account or knows anyone in it: no warm path.")
    return BudgetControlOut(
        account=account_ref(pulled.graph, pulled.tier),
        as_of=as_of,
        budget=result.budget,
        controllers={
            authority: [_controller(c, names) for c in people]
            for authority, people in result.controllers.items()
        },
        escalation_chains=result.escalation_chains,
        departed_controllers=result.departed_controllers,
        influencer_score="influence_strength × influencer_pagerank",
        notes=notes,
    )
