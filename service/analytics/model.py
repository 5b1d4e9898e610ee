"""The input of every analysis: one account's subgraph, as pulled from Neo4j in one round trip.

The graph layer fills an :class:`AccountGraph` with plain values (strings, floats,
datetimes) and hands it to the pure functions of this package. Only edges valid at
``as_of`` are passed in (the graph layer filters ``since``/``until``); people who left
may still appear with ``status="left"`` and every analysis ignores them, so a stale
edge to someone who left can never count as coverage, influence or authority.

Edges whose endpoints are not listed in the same :class:`AccountGraph` are outside this
account's subgraph (for example a KNOWS edge to someone who moved to another account)
and are ignored by the analyses.

Semantics are those of ``docs/definitions.md``; the numbers that tune
them (active-tie threshold θ, default REPORTS_TO strength, warm-path hop limit, score
weights) are collected in :class:`AnalyticsParams`.

>>> from datetime import datetime, timezone
>>> account = AccountGraph(
...     account_id="acme",
...     as_of=datetime(2026, 1, 31, tzinfo=timezone.utc),
...     stakeholders=(Stakeholder("s1", "Ada"),),
...     team_members=(TeamMember("t1", "Tom"),),
...     knows=(Knows("t1", "s1", 0.7),),
... )
>>> len(account.stakeholders), AnalyticsParams().active_tie_threshold
(1, 0.2)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Final, Literal, get_args

__all__ = [
    "KEY_AUTHORITIES",
    "KEY_ROLES",
    "AccountGraph",
    "AnalyticsParams",
    "Authority",
    "Budget",
    "Controls",
    "HealthWeights",
    "ImpactWeights",
    "Influences",
    "Knows",
    "Opportunity",
    "PersonStatus",
    "ReportsTo",
    "ReportsToKind",
    "Role",
    "RoleName",
    "RoleTargetKind",
    "Stakeholder",
    "TeamMember",
    "UnknownIdError",
]

PersonStatus = Literal["active", "left"]
ReportsToKind = Literal["solid", "dotted"]
Authority = Literal["owner", "approver", "signatory", "recommender"]
RoleName = Literal[
    "champion",
    "gatekeeper",
    "influencer",
    "detractor",
    "decision_maker",
    "economic_buyer",
    "technical_buyer",
    "user",
    "coach",
    "executive_sponsor",
    "evaluator",
]
RoleTargetKind = Literal["account", "opportunity"]

#: Roles that make an active stakeholder a key stakeholder (docs/definitions.md, "Key stakeholder").
KEY_ROLES: Final[frozenset[str]] = frozenset({"decision_maker", "economic_buyer", "champion"})
#: CONTROLS authorities that make an active stakeholder a key stakeholder.
KEY_AUTHORITIES: Final[frozenset[str]] = frozenset({"owner", "approver", "signatory"})

_STATUSES: Final = frozenset(get_args(PersonStatus))
_REPORTS_KINDS: Final = frozenset(get_args(ReportsToKind))
_AUTHORITIES: Final = frozenset(get_args(Authority))
_ROLES: Final = frozenset(get_args(RoleName))
_TARGET_KINDS: Final = frozenset(get_args(RoleTargetKind))


class UnknownIdError(LookupError):
    """An id asked about is not part of the account (the API maps it to 404)."""


def _check_choice(value: str, allowed: frozenset[str], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {sorted(allowed)}, got {value!r}")


def _check_strength(value: float, what: str) -> None:
    # NaN fails both comparisons, so it is rejected too.
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} must be within [0, 1], got {value!r}")


@dataclass(frozen=True, slots=True)
class Stakeholder:
    """A person at the customer (``(:Stakeholder)-[:WORKS_AT]->(:Account)``)."""

    id: str
    name: str
    title: str | None = None
    department: str | None = None
    status: PersonStatus = "active"
    seniority: str | None = None  # no analysis reads it; the graph export shows it

    def __post_init__(self) -> None:
        _check_choice(self.status, _STATUSES, "Stakeholder.status")


@dataclass(frozen=True, slots=True)
class TeamMember:
    """One of our people (``(:TeamMember)``); ``role`` is e.g. ``account_manager``."""

    id: str
    name: str
    status: PersonStatus = "active"
    role: str | None = None

    def __post_init__(self) -> None:
        _check_choice(self.status, _STATUSES, "TeamMember.status")


@dataclass(frozen=True, slots=True)
class Knows:
    """Our relationship ``(TeamMember)-[:KNOWS]->(Stakeholder)``.

    ``strength`` is the tie strength at ``as_of`` (explicit, or derived with
    :func:`service.analytics.tie_strength.tie_strength`); ``last_contact`` feeds the
    recency component of account health.
    """

    team_member_id: str
    stakeholder_id: str
    strength: float
    last_contact: datetime | None = None
    source: str | None = None  # provenance (docs/graph-conventions.md); no analysis reads it
    source_record_id: str | None = None

    def __post_init__(self) -> None:
        _check_strength(self.strength, "Knows.strength")


@dataclass(frozen=True, slots=True)
class Influences:
    """Informal influence ``(from)-[:INFLUENCES {strength}]->(to)``: ``from`` sways ``to``."""

    from_id: str
    to_id: str
    strength: float

    def __post_init__(self) -> None:
        _check_strength(self.strength, "Influences.strength")


@dataclass(frozen=True, slots=True)
class ReportsTo:
    """Org chart line ``(from)-[:REPORTS_TO {kind, strength?}]->(to)``: ``to`` is the manager.

    ``strength`` is optional; the engagement graph uses
    :attr:`AnalyticsParams.reports_to_default_strength` when it is ``None``.
    """

    from_id: str
    to_id: str
    kind: ReportsToKind = "solid"
    strength: float | None = None
    source: str | None = None  # provenance (docs/graph-conventions.md); no analysis reads it
    source_record_id: str | None = None

    def __post_init__(self) -> None:
        _check_choice(self.kind, _REPORTS_KINDS, "ReportsTo.kind")
        if self.strength is not None:
            _check_strength(self.strength, "ReportsTo.strength")


@dataclass(frozen=True, slots=True)
class Role:
    """A buying role ``(Stakeholder)-[:HAS_ROLE {role, stance}]->(Account|Opportunity)``.

    ``stance`` is −2 (hostile) … +2 (strong supporter), ``None`` when unknown.
    """

    stakeholder_id: str
    role: RoleName
    target_kind: RoleTargetKind
    target_id: str
    stance: int | None = None
    source: str | None = None  # provenance (docs/graph-conventions.md); no analysis reads it
    source_record_id: str | None = None

    def __post_init__(self) -> None:
        _check_choice(self.role, _ROLES, "Role.role")
        _check_choice(self.target_kind, _TARGET_KINDS, "Role.target_kind")
        if self.stance is not None and not -2 <= self.stance <= 2:
            raise ValueError(f"Role.stance must be within -2..2, got {self.stance!r}")


@dataclass(frozen=True, slots=True)
class Controls:
    """Budget authority ``(Stakeholder)-[:CONTROLS {authority}]->(Budget)``."""

    stakeholder_id: str
    budget_id: str
    authority: Authority

    def __post_init__(self) -> None:
        _check_choice(self.authority, _AUTHORITIES, "Controls.authority")


@dataclass(frozen=True, slots=True)
class Budget:
    """A budget of the account (``(:Budget)-[:OF]->(:Account)``)."""

    id: str
    name: str
    amount: float | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Opportunity:
    """A deal of the account (``(:Opportunity)-[:FOR]->(:Account)``).

    Pass the opportunities that should be analysed (typically the open ones); the
    analyses do not interpret ``stage``.
    """

    id: str
    name: str
    stage: str | None = None
    amount: float | None = None


@dataclass(frozen=True, slots=True)
class AccountGraph:
    """Everything the analyses know about one account at one instant.

    ``as_of`` is the instant described (the end of the as-of day, UTC); recency is
    measured against it. Team members are the ones who KNOW someone at the account
    (or COVER it); their relationships to other accounts are not part of this graph.
    Ids must be unique per kind; edges that reference ids not listed here are ignored.
    """

    account_id: str
    as_of: datetime
    stakeholders: Sequence[Stakeholder] = ()
    team_members: Sequence[TeamMember] = ()
    knows: Sequence[Knows] = ()
    influences: Sequence[Influences] = ()
    reports_to: Sequence[ReportsTo] = ()
    roles: Sequence[Role] = ()
    controls: Sequence[Controls] = ()
    budgets: Sequence[Budget] = ()
    opportunities: Sequence[Opportunity] = ()
    account_name: str | None = None

    def __post_init__(self) -> None:
        for attr, items in (
            ("stakeholders", self.stakeholders),
            ("team_members", self.team_members),
            ("budgets", self.budgets),
            ("opportunities", self.opportunities),
        ):
            counts = Counter(item.id for item in items)
            if len(counts) != len(items):
                dupes = sorted(i for i, c in counts.items() if c > 1)
                raise ValueError(f"AccountGraph.{attr} has duplicate ids: {dupes}")
        overlap = {s.id for s in self.stakeholders} & {t.id for t in self.team_members}
        if overlap:
            raise ValueError(f"ids used both as stakeholder and team member: {sorted(overlap)}")


def _check_weights(obj: object, total: float) -> None:
    values = [float(getattr(obj, f.name)) for f in fields(obj)]  # type: ignore[arg-type]
    if any(v < 0 or math.isnan(v) for v in values):
        raise ValueError(f"{type(obj).__name__} weights must be non-negative")
    if not math.isclose(sum(values), total, abs_tol=1e-9):
        raise ValueError(f"{type(obj).__name__} weights must sum to {total}, got {sum(values)}")


@dataclass(frozen=True, slots=True)
class ImpactWeights:
    """Points of each departure-impact component; they sum to 100.

    Each component is a fraction in [0, 1] (see :mod:`service.analytics.departure_impact`),
    so the impact score is ``Σ weight × fraction`` and stays within 0–100.
    Losing coverage of key stakeholders weighs most because it is the loss a KAM
    must repair first; ties lost weigh least because the other components already
    count the ties that mattered.
    """

    key_coverage: float = 25.0
    reachability: float = 15.0
    warm_paths: float = 15.0
    budget_authority: float = 15.0
    buying_roles: float = 15.0
    fragmentation: float = 10.0
    ties_lost: float = 5.0

    def __post_init__(self) -> None:
        _check_weights(self, 100.0)


@dataclass(frozen=True, slots=True)
class HealthWeights:
    """Points of each account-health component; they sum to 100.

    See :mod:`service.analytics.health` for each component's definition.
    """

    threading_breadth: float = 30.0
    tie_strength: float = 20.0
    recency: float = 15.0
    role_coverage: float = 25.0
    detractor_exposure: float = 10.0

    def __post_init__(self) -> None:
        _check_weights(self, 100.0)


@dataclass(frozen=True, slots=True)
class AnalyticsParams:
    """The tunable numbers of the definitions (docs/definitions.md), with their defaults.

    - ``active_tie_threshold`` (θ): a KNOWS tie is active when ``strength ≥ θ``.
    - ``reports_to_default_strength``: strength of a REPORTS_TO edge without one.
    - ``max_warm_path_hops``: a warm path has at most this many hops.
    - ``warm_path_k``: how many alternative warm paths ``warm_paths`` returns.
    - ``pagerank_alpha``: damping factor of the influence PageRank.
    - ``recency_half_life_days``: a contact this many days old counts half in health.
    """

    active_tie_threshold: float = 0.2
    reports_to_default_strength: float = 0.5
    max_warm_path_hops: int = 4
    warm_path_k: int = 3
    pagerank_alpha: float = 0.85
    recency_half_life_days: float = 90.0
    impact_weights: ImpactWeights = field(default_factory=ImpactWeights)
    health_weights: HealthWeights = field(default_factory=HealthWeights)

    def __post_init__(self) -> None:
        _check_strength(self.active_tie_threshold, "active_tie_threshold")
        if not 0.0 < self.reports_to_default_strength <= 1.0:
            raise ValueError("reports_to_default_strength must be within (0, 1]")
        if self.max_warm_path_hops < 1:
            raise ValueError("max_warm_path_hops must be at least 1")
        if self.warm_path_k < 1:
            raise ValueError("warm_path_k must be at least 1")
        if not 0.0 < self.pagerank_alpha < 1.0:
            raise ValueError("pagerank_alpha must be within (0, 1)")
        if not self.recency_half_life_days > 0:
            raise ValueError("recency_half_life_days must be positive")
