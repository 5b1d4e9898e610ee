"""Single-threaded relationships of one account: the answer and the use case that gives it.

Definitions (coverage, single point of failure, threading risk): docs/definitions.md and
:mod:`service.analytics.threading`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from service.analytics import threading_report
from service.analytics.model import AnalyticsParams
from service.analytics.threading import SideVerdict, threading_risk
from service.domain.analytics.account_cache import AccountCache, AccountReads
from service.domain.analytics.answers import (
    AccountRef,
    Answer,
    CoverageCounts,
    CoverageLevel,
    CoverageOut,
    Names,
    PersonRef,
    Relationship,
    ScoreComponentOut,
    account_ref,
    analytics_params,
    coverage_answer,
)
from service.domain.analytics.subgraphs import account_at
from service.graph.account_subgraph import PulledAccount
from service.graph.driver import AsyncGraph
from service.graph.graph_version import current_graph_version_async
from service.settings import Settings

__all__ = ["ThreadingOut", "account_threading", "account_threading_held"]


class KeyReasonOut(Answer):
    kind: Literal["role", "authority"]
    value: str
    target_kind: Literal["account", "opportunity", "budget"]
    target_id: str


class KeyStakeholderOut(Answer):
    stakeholder_id: str
    name: str
    title: str | None
    reasons: list[KeyReasonOut]
    coverage: CoverageOut
    reachable: bool = Field(description="Some path joins them to a team member")


class OpportunityStakeholderOut(Answer):
    stakeholder_id: str
    name: str | None
    roles: list[str]
    coverage_count: int
    engaged: bool


class OpportunityThreadingOut(Answer):
    opportunity_id: str
    name: str
    stage: str | None
    stakeholders: list[OpportunityStakeholderOut]
    engaged_count: int
    engaged_champions: list[PersonRef]
    engaged_economic_buyers: list[PersonRef]
    risks: list[Literal["single_threaded", "no_engaged_champion", "no_engaged_economic_buyer"]]
    at_risk: bool


class SidePersonOut(Answer):
    id: str
    name: str | None
    active_ties: int


class SideVerdictOut(Answer):
    side: Literal["ours", "theirs"]
    level: CoverageLevel
    through_id: str | None = Field(description="The one person everything goes through")
    through_name: str | None
    people_with_ties: int
    active_tie_count: int
    largest_share: float
    top_people: list[SidePersonOut]


class CutPersonOut(Answer):
    person_id: str
    name: str | None
    kind: Literal["team_member", "stakeholder"]
    cut_off: list[PersonRef] = Field(description="Key stakeholders their loss cuts off")


class CutRelationshipOut(Answer):
    from_id: str
    from_name: str | None
    to_id: str
    to_name: str | None
    relationship: Relationship
    strength: float
    cut_off: list[PersonRef]


class RiskOut(Answer):
    score: float = Field(description="0–100; Σ points of the components")
    components: list[ScoreComponentOut]


class ThreadingOut(Answer):
    account: AccountRef
    as_of: date
    risk: RiskOut
    key_stakeholders: list[KeyStakeholderOut]
    key_coverage_counts: CoverageCounts
    opportunities: list[OpportunityThreadingOut]
    our_side: SideVerdictOut
    their_side: SideVerdictOut
    single_points_of_failure: list[CutPersonOut]
    bridges: list[CutRelationshipOut]
    notes: list[str]


def _side(verdict: SideVerdict, names: Names) -> SideVerdictOut:
    return SideVerdictOut(
        side=verdict.side,
        level=verdict.level,
        through_id=verdict.through_id,
        through_name=names.name(verdict.through_id),
        people_with_ties=verdict.people_with_ties,
        active_tie_count=verdict.active_tie_count,
        largest_share=verdict.largest_share,
        top_people=[
            SidePersonOut(id=p.person_id, name=names.name(p.person_id), active_ties=p.active_ties)
            for p in verdict.top_people
        ],
    )


def account_threading(
    cache: AccountCache, settings: Settings, account_id: str, *, as_of: date
) -> ThreadingOut:
    """Key stakeholders' coverage, opportunities at risk, side verdicts, cut points.

    Made once per cached account, date and parameters (:meth:`AccountReads.answer`,
    re-made by the refresher after a write): a warm request builds nothing again.
    """
    reads = cache.reads()
    pulled = account_at(reads, account_id, as_of)
    return reads.answer(pulled, threading_answer, (analytics_params(settings), as_of))


async def account_threading_held(
    cache: AccountCache,
    graph: AsyncGraph | None,
    settings: Settings,
    account_id: str,
    *,
    as_of: date,
) -> ThreadingOut | None:
    """:func:`account_threading` when the cache holds the answer under the graph's
    current version, read with one round trip through the async driver (an ``async
    def`` route, no thread-pool hop); None otherwise. Then call
    :func:`account_threading` (in the thread pool): inside a request it reuses the
    version read here (service/graph/request_trace.py). None at once without ``graph``."""
    if graph is None or not cache.enabled:
        return None
    reads = cache.reads_at(await current_graph_version_async(graph))
    return reads.held_answer(
        account_id, as_of, threading_answer, (analytics_params(settings), as_of)
    )


def threading_answer(
    reads: AccountReads, pulled: PulledAccount, arg: tuple[AnalyticsParams, date]
) -> ThreadingOut:
    """The threading answer of ``pulled`` under ``arg`` (the parameters and the date asked)."""
    params, as_of = arg
    names = Names.of(pulled.graph)
    report = threading_report(pulled.graph, params, graph=reads.engagement_graph(pulled, params))
    counts = report.key_coverage_counts
    risk = threading_risk(
        key_stakeholders=len(report.key_stakeholders),
        key_dark=counts["dark"],
        key_single=counts["single"],
        our_side=report.our_side.people_with_ties,
        their_side=report.their_side.people_with_ties,
    )
    return ThreadingOut(
        account=account_ref(pulled.graph, pulled.tier),
        as_of=as_of,
        risk=RiskOut(score=risk.score, components=risk.components),
        key_stakeholders=[
            KeyStakeholderOut(
                stakeholder_id=k.stakeholder_id,
                name=k.name,
                title=k.title,
                reasons=k.reasons,
                coverage=coverage_answer(k.coverage, names),
                reachable=k.reachable,
            )
            for k in report.key_stakeholders
        ],
        key_coverage_counts=dict(counts),
        opportunities=[
            OpportunityThreadingOut(
                opportunity_id=o.opportunity_id,
                name=o.name,
                stage=o.stage,
                stakeholders=[
                    OpportunityStakeholderOut(
                        stakeholder_id=s.stakeholder_id,
                        name=names.name(s.stakeholder_id),
                        roles=s.roles,
                        coverage_count=s.coverage_count,
                        engaged=s.engaged,
                    )
                    for s in o.stakeholders
                ],
                engaged_count=o.engaged_count,
                engaged_champions=names.refs(o.engaged_champion_ids),
                engaged_economic_buyers=names.refs(o.engaged_economic_buyer_ids),
                risks=o.risks,
                at_risk=o.at_risk,
            )
            for o in report.opportunities
        ],
        our_side=_side(report.our_side, names),
        their_side=_side(report.their_side, names),
        single_points_of_failure=[
            CutPersonOut(
                person_id=p.person_id,
                name=names.name(p.person_id),
                kind=p.kind,
                cut_off=names.refs(p.cut_off),
            )
            for p in report.single_points_of_failure
        ],
        bridges=[
            CutRelationshipOut(
                from_id=b.from_id,
                from_name=names.name(b.from_id),
                to_id=b.to_id,
                to_name=names.name(b.to_id),
                relationship=b.relationship,
                strength=b.strength,
                cut_off=names.refs(b.cut_off),
            )
            for b in report.bridges
        ],
        notes=report.notes,
    )
