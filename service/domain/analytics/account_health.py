"""The relationship health of an account, now and at a date: the answer and the use case.

The score's components and weights: docs/analytics.md and :mod:`service.analytics.health`.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from service.analytics.health import HealthReport, health_change
from service.analytics.health import account_health as analyse_health
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.answers import (
    AccountRef,
    Answer,
    Names,
    PersonRef,
    ScoreComponentOut,
    account_ref,
    analytics_params,
)
from service.domain.analytics.subgraphs import account_at
from service.settings import Settings

__all__ = ["HealthOut", "account_health"]


class RoleStatusOut(Answer):
    role: str
    holders: list[PersonRef]
    engaged_holders: list[PersonRef]
    value: float


class DetractorOut(Answer):
    stakeholder_id: str
    name: str
    pagerank: float
    coverage_count: int


class HealthReportOut(Answer):
    as_of: date
    score: float = Field(description="0–100; Σ points of the components")
    components: list[ScoreComponentOut]
    key_stakeholder_count: int
    active_tie_count: int
    ties_without_last_contact: int
    roles: list[RoleStatusOut]
    detractors: list[DetractorOut] = Field(description="By influence PageRank, highest first")


class HealthChangeOut(Answer):
    score_delta: float
    points_delta: dict[str, float]


class HealthOut(Answer):
    account: AccountRef
    current: HealthReportOut
    at_as_of: HealthReportOut | None
    change: HealthChangeOut | None = Field(description="current − at_as_of")


def _report(report: HealthReport, names: Names, as_of: date) -> HealthReportOut:
    return HealthReportOut(
        as_of=as_of,
        score=report.score,
        components=report.components,
        key_stakeholder_count=report.key_stakeholder_count,
        active_tie_count=report.active_tie_count,
        ties_without_last_contact=report.ties_without_last_contact,
        roles=[
            RoleStatusOut(
                role=r.role,
                holders=names.refs(r.holder_ids),
                engaged_holders=names.refs(r.engaged_holder_ids),
                value=r.value,
            )
            for r in report.roles
        ],
        detractors=report.detractors,
    )


def account_health(
    cache: AccountCache,
    settings: Settings,
    account_id: str,
    *,
    today: date,
    as_of: date | None,
) -> HealthOut:
    """Health now (at the end of ``today``) and, with ``as_of``, then and the change."""
    params = analytics_params(settings)
    reads = cache.reads()
    pulled = account_at(reads, account_id, today)
    current = analyse_health(pulled.graph, params)
    at_as_of = change = None
    if as_of is not None:
        then = account_at(reads, account_id, as_of)
        baseline = analyse_health(then.graph, params)
        at_as_of = _report(baseline, Names.of(then.graph), as_of)
        change = HealthChangeOut.model_validate(health_change(current, baseline))
    return HealthOut(
        account=account_ref(pulled.graph, pulled.tier),
        current=_report(current, Names.of(pulled.graph), today),
        at_as_of=at_as_of,
        change=change,
    )
