"""Relationship health of an account: a 0–100 score and every component behind it.

Five components, each a fraction in [0, 1], weighted in points by
:class:`HealthWeights` (defaults in brackets, summing to 100):

- ``threading_breadth`` [30]: how well key stakeholders are threaded,
  ``(multi-threaded + ½ · single-threaded) / key stakeholders``. No key stakeholder
  identified gives 0: not knowing who decides is itself unhealthy.
- ``tie_strength`` [20]: mean strength of the active ties (0 without any).
- ``recency`` [15]: mean over active ties of ``2^(−days since last contact / H)``,
  ``H`` = :attr:`AnalyticsParams.recency_half_life_days` (90, the tie half-life). A tie
  with no recorded contact counts 0 (we cannot show it is recent); a contact dated
  after ``as_of`` counts as today.
- ``role_coverage`` [25]: for champion, economic buyer and decision maker each:
  1 if some active stakeholder holds the role and at least one holder is engaged
  (coverage ≥ 1), ½ if known but nobody holding it is engaged, 0 if unknown; averaged.
- ``detractor_exposure`` [10]: ``1 − exposure`` with ``exposure`` the detractors'
  share of influence among the people who matter, ``Σ PR(detractors) /
  Σ PR(key stakeholders ∪ detractors)`` (PR = influence PageRank). A detractor is an
  active stakeholder with the ``detractor`` role or a negative stance on any role.
  Measuring the share among decision-relevant people (not among all stakeholders)
  keeps one hostile CFO visible in an account of thousands.

Threading breadth and role coverage weigh most because they are what a KAM can act on
(who to meet); strength and recency describe the quality of what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from service.analytics.engagement import active_ties, coverage, key_stakeholders
from service.analytics.influence import influence_pagerank
from service.analytics.model import AccountGraph, AnalyticsParams, RoleName

__all__ = [
    "Detractor",
    "HealthChange",
    "HealthComponent",
    "HealthReport",
    "RoleStatus",
    "account_health",
    "health_change",
]

_DECISION_ROLES: tuple[RoleName, ...] = ("champion", "economic_buyer", "decision_maker")
_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class HealthComponent:
    """One term: ``points = weight × value``; ``detail`` says how ``value`` was reached."""

    name: str
    value: float
    weight: float
    points: float
    detail: str


@dataclass(frozen=True, slots=True)
class RoleStatus:
    """Whether a decision role is known at the account and engaged by our team."""

    role: RoleName
    holder_ids: tuple[str, ...]
    engaged_holder_ids: tuple[str, ...]
    value: float


@dataclass(frozen=True, slots=True)
class Detractor:
    stakeholder_id: str
    name: str
    pagerank: float
    coverage_count: int


@dataclass(frozen=True, slots=True)
class HealthReport:
    """Account health at ``as_of``: the score, its components and the people behind them."""

    account_id: str
    as_of: datetime
    score: float
    components: tuple[HealthComponent, ...]
    key_stakeholder_count: int
    active_tie_count: int
    ties_without_last_contact: int
    roles: tuple[RoleStatus, ...]
    detractors: tuple[Detractor, ...]


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def account_health(account: AccountGraph, params: AnalyticsParams | None = None) -> HealthReport:
    """Health score 0–100 of ``account`` at ``account.as_of`` (see the module docstring).

    >>> from datetime import datetime, timezone
    >>> from service.analytics.model import AccountGraph
    >>> empty = AccountGraph("acme", datetime(2026, 1, 31, tzinfo=timezone.utc))
    >>> account_health(empty).score
    10.0
    """
    params = params or AnalyticsParams()
    weights = params.health_weights
    as_of = _as_utc(account.as_of)
    keys = key_stakeholders(account)
    covered = coverage(account, params)
    ties = active_ties(account, params)

    multi = sum(1 for k in keys if covered[k].level == "multi")
    single = sum(1 for k in keys if covered[k].level == "single")
    breadth = (multi + 0.5 * single) / len(keys) if keys else 0.0
    breadth_detail = (
        f"{multi} multi- and {single} single-threaded of {len(keys)} key stakeholders"
        if keys
        else "no key stakeholder identified"
    )

    strength = sum(t.strength for t in ties) / len(ties) if ties else 0.0
    strength_detail = f"mean of {len(ties)} active ties" if ties else "no active tie"

    recency_sum = 0.0
    undated = 0
    for tie in ties:
        if tie.last_contact is None:
            undated += 1
            continue
        age = max(0.0, (as_of - _as_utc(tie.last_contact)).total_seconds() / _SECONDS_PER_DAY)
        recency_sum += 2.0 ** (-age / params.recency_half_life_days)
    recency = recency_sum / len(ties) if ties else 0.0
    recency_detail = (
        f"mean decay over {len(ties)} active ties, {undated} without a recorded contact"
        if ties
        else "no active tie"
    )

    active_ids = set(covered)
    holders: dict[str, list[str]] = {r: [] for r in _DECISION_ROLES}
    for role in account.roles:
        if (
            role.role in holders
            and role.stakeholder_id in active_ids
            and role.stakeholder_id not in holders[role.role]
        ):
            holders[role.role].append(role.stakeholder_id)
    statuses = []
    for name in _DECISION_ROLES:
        people = holders[name]
        engaged = tuple(p for p in people if covered[p].count > 0)
        value = 1.0 if engaged else (0.5 if people else 0.0)
        statuses.append(RoleStatus(name, tuple(people), engaged, value))
    role_value = sum(s.value for s in statuses) / len(statuses)
    role_detail = ", ".join(
        f"{s.role}: {'engaged' if s.value == 1.0 else 'known' if s.value else 'unknown'}"
        for s in statuses
    )

    detractor_ids = list(
        dict.fromkeys(
            r.stakeholder_id
            for r in account.roles
            if r.stakeholder_id in active_ids
            and (r.role == "detractor" or (r.stance is not None and r.stance < 0))
        )
    )
    ranks = influence_pagerank(account, params) if detractor_ids else {}
    names = {s.id: s.name for s in account.stakeholders}
    detractors = tuple(
        sorted(
            (Detractor(d, names[d], ranks[d], covered[d].count) for d in detractor_ids),
            key=lambda d: (-d.pagerank, d.stakeholder_id),
        )
    )
    relevant = set(keys) | set(detractor_ids)
    relevant_rank = sum(ranks.get(p, 0.0) for p in relevant)
    exposure = sum(d.pagerank for d in detractors) / relevant_rank if relevant_rank > 0 else 0.0
    detractor_detail = (
        f"{len(detractors)} detractors hold {exposure:.0%} of the influence of key "
        "stakeholders and detractors"
        if detractors
        else "no detractor"
    )

    components = tuple(
        HealthComponent(name, value, weight, weight * value, detail)
        for name, value, weight, detail in (
            ("threading_breadth", breadth, weights.threading_breadth, breadth_detail),
            ("tie_strength", strength, weights.tie_strength, strength_detail),
            ("recency", recency, weights.recency, recency_detail),
            ("role_coverage", role_value, weights.role_coverage, role_detail),
            (
                "detractor_exposure",
                1.0 - exposure,
                weights.detractor_exposure,
                detractor_detail,
            ),
        )
    )
    return HealthReport(
        account_id=account.account_id,
        as_of=account.as_of,
        score=sum(c.points for c in components),
        components=components,
        key_stakeholder_count=len(keys),
        active_tie_count=len(ties),
        ties_without_last_contact=undated,
        roles=tuple(statuses),
        detractors=detractors,
    )


@dataclass(frozen=True, slots=True)
class HealthChange:
    """How health moved between two snapshots: score and per-component point deltas."""

    account_id: str
    baseline_as_of: datetime
    current_as_of: datetime
    score_delta: float
    points_delta: dict[str, float]


def health_change(current: HealthReport, baseline: HealthReport) -> HealthChange:
    """Compare health now with health at an earlier ``as_of`` (same account)."""
    if current.account_id != baseline.account_id:
        raise ValueError("health can only be compared for the same account")
    before = {c.name: c.points for c in baseline.components}
    return HealthChange(
        account_id=current.account_id,
        baseline_as_of=baseline.as_of,
        current_as_of=current.as_of,
        score_delta=current.score - baseline.score,
        points_delta={c.name: c.points - before.get(c.name, 0.0) for c in current.components},
    )
