"""Departure impact: what the account loses if a set of people leaves.

docs/definitions.md, "Departure impact": compare the account with and without a set X of people
(stakeholders and/or team members, several at once for a reorg):

- active ties lost;
- key stakeholders newly dark (coverage ≥ 1 → 0) or newly single-threaded (≥ 2 → 1);
- budgets left without an owner or approver (they had an active one, all of them
  leave), each with a suggested successor: the nearest active manager up the solid
  reporting line of a departing holder who is not leaving too;
- the account and its opportunities losing their last champion, decision maker or
  economic buyer;
- key stakeholders no longer reachable from the team (no path to any team member);
- the drop in best warm-path strength to every remaining key stakeholder;
- fragmentation (KPP-Neg) before and after;
- an impact score 0–100 (below) and recommended actions.

**Cost.** X is removed once: the "after" graph is the "before" graph with a vectorised
mask (:meth:`EngagementGraph.without`), and each side needs one component labelling
and one hop-bounded multi-source warm-path pass (:func:`warm_reach`), so the whole
analysis is linear in the account's size whatever the size of X — nothing is
recomputed per removed person. Recommendations for newly single-threaded key
stakeholders need one extra warm-path pass per *remaining covering team member*
(at most the team size, usually one or two).

**Impact score.** Seven fractions in [0, 1], each multiplied by its weight in points
(:class:`ImpactWeights`, default in brackets; they sum to 100, so the score is 0–100).
``K`` is the number of key stakeholders who stay.

- ``key_coverage`` [25]: ``(newly dark + ½ · newly single-threaded) / K``;
- ``reachability`` [15]: ``newly unreachable / K``;
- ``warm_paths`` [15]: ``Σ drop in best warm-path strength / K`` (mean drop);
- ``budget_authority`` [15]: budgets newly without owner or approver / budgets
  that had an active owner or approver;
- ``buying_roles`` [15]: (target, role) slots of champion / decision maker / economic
  buyer on the account and its opportunities left empty / such slots filled before;
- ``fragmentation`` [10]: ``max(0, F_after − F_before)``;
- ``ties_lost`` [5]: active ties lost / active ties before.

A fraction with a zero denominator is 0 (nothing to lose). Every numerator and
denominator is returned in :class:`ScoreComponent`.

**Recommended actions.** For each key stakeholder newly dark, newly single-threaded or
newly unreachable: the team member at the start of the best remaining warm path (for
a single-threaded one, the best path from anyone *but* the team member who still
covers them, since the point is a second relationship) and the stakeholder who would
introduce them (the last person before the target on that path).

>>> from datetime import datetime, timezone
>>> from service.analytics.model import AccountGraph, Knows, Role, Stakeholder, TeamMember
>>> account = AccountGraph(
...     "acme", datetime(2026, 1, 31, tzinfo=timezone.utc),
...     stakeholders=[Stakeholder("cfo", "Cleo")],
...     team_members=[TeamMember("am", "Ann"), TeamMember("se", "Sam")],
...     knows=[Knows("am", "cfo", 0.8), Knows("se", "cfo", 0.4)],
...     roles=[Role("cfo", "economic_buyer", "account", "acme")],
... )
>>> impact = departure_impact(account, ["am"])
>>> [c.stakeholder_id for c in impact.newly_single_threaded], len(impact.active_ties_lost)
(['cfo'], 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from service.analytics.engagement import (
    EngagementGraph,
    engagement_graph_of,
    key_stakeholders,
)
from service.analytics.fragmentation import (
    Fragmentation,
    component_labels,
    fragmentation_of,
    reachable_from_team,
)
from service.analytics.influence import solid_managers
from service.analytics.model import (
    KEY_ROLES,
    AccountGraph,
    AnalyticsParams,
    RoleName,
    RoleTargetKind,
    Stakeholder,
)
from service.analytics.warm_paths import WarmPath, WarmReach, warm_reach

__all__ = [
    "AccountPerson",
    "BudgetGap",
    "CoverageChange",
    "DepartureImpact",
    "DepartureImpactSummary",
    "Exposure",
    "LostTie",
    "RecommendedAction",
    "RoleLoss",
    "ScoreComponent",
    "WarmPathChange",
    "combine_departure_impacts",
    "departure_impact",
    "suggested_successor",
]

Exposure = Literal["newly_dark", "newly_single_threaded", "newly_unreachable"]
_GAP_AUTHORITIES: tuple[Literal["owner", "approver"], ...] = ("owner", "approver")


@dataclass(frozen=True, slots=True)
class LostTie:
    team_member_id: str
    stakeholder_id: str
    strength: float


@dataclass(frozen=True, slots=True)
class CoverageChange:
    """A key stakeholder's coverage before and after, and who still covers them."""

    stakeholder_id: str
    name: str
    before: int
    after: int
    remaining_team_member_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BudgetGap:
    """A budget left without any active holder of ``authority``.

    ``successor_id`` is the nearest active solid-line manager of a departing holder
    (``successor_levels_up`` levels above them), or None when the line runs out.
    """

    budget_id: str
    budget_name: str
    authority: Literal["owner", "approver"]
    departed_ids: tuple[str, ...]
    successor_id: str | None
    successor_name: str | None
    successor_levels_up: int | None


@dataclass(frozen=True, slots=True)
class RoleLoss:
    """The account or an opportunity loses its last holder of a decision role."""

    target_kind: RoleTargetKind
    target_id: str
    target_name: str
    role: RoleName
    departed_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WarmPathChange:
    """Best warm-path strength to a remaining key stakeholder, before and after."""

    stakeholder_id: str
    before: float
    after: float
    drop: float


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """One score term: ``fraction = numerator / denominator``, ``points = weight × fraction``."""

    name: str
    numerator: float
    denominator: float
    fraction: float
    weight: float
    points: float


@dataclass(frozen=True, slots=True)
class RecommendedAction:
    """Who should build a relationship with an exposed key stakeholder, introduced by whom.

    ``path`` is the warm path to use (None when none is left within the hop limit).
    """

    stakeholder_id: str
    name: str
    exposures: tuple[Exposure, ...]
    team_member_id: str | None
    introducer_id: str | None
    path: WarmPath | None
    note: str


@dataclass(frozen=True, slots=True)
class DepartureImpact:
    """Everything the departure-impact endpoints return for one account."""

    account_id: str
    departed_ids: tuple[str, ...]
    departed_team_member_ids: tuple[str, ...]
    departed_stakeholder_ids: tuple[str, ...]
    departed_key_stakeholder_ids: tuple[str, ...]
    ignored_ids: tuple[str, ...]
    active_ties_lost: tuple[LostTie, ...]
    newly_dark: tuple[CoverageChange, ...]
    newly_single_threaded: tuple[CoverageChange, ...]
    newly_unreachable: tuple[str, ...]
    budgets_without_authority: tuple[BudgetGap, ...]
    role_losses: tuple[RoleLoss, ...]
    warm_path_changes: tuple[WarmPathChange, ...]
    fragmentation_before: Fragmentation
    fragmentation_after: Fragmentation
    score: float
    score_components: tuple[ScoreComponent, ...]
    recommended_actions: tuple[RecommendedAction, ...]


def _fraction(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else 0.0


def _component(name: str, numerator: float, denominator: float, weight: float) -> ScoreComponent:
    fraction = min(1.0, max(0.0, _fraction(numerator, denominator)))
    return ScoreComponent(name, numerator, denominator, fraction, weight, weight * fraction)


def _covering_team_members(graph: EngagementGraph, node: int) -> list[int]:
    start, stop = int(graph.indptr[node]), int(graph.indptr[node + 1])
    neighbours = graph.indices[start:stop]
    return sorted(int(x) for x in neighbours[neighbours < graph.n_team])


def departure_impact(
    account: AccountGraph,
    person_ids: Iterable[str],
    params: AnalyticsParams | None = None,
    *,
    graph: EngagementGraph | None = None,
) -> DepartureImpact:
    """Impact on ``account`` of everyone in ``person_ids`` leaving at once.

    Ids that are not active people of this account (unknown here, or already left)
    are reported in ``ignored_ids`` and otherwise ignored, so the same list can be
    sent to every account a team member covers. ``graph``, when given, must be
    ``engagement_graph(account, params)`` (a cache's copy; built here otherwise).
    """
    params = params or AnalyticsParams()
    weights = params.impact_weights
    requested = list(dict.fromkeys(person_ids))
    before = engagement_graph_of(account, params, graph)
    departed = tuple(p for p in requested if p in before.index)
    ignored = tuple(p for p in requested if p not in before.index)
    gone = set(departed)
    after = before.without(departed)
    t = before.n_team
    ids = before.node_ids
    names = {s.id: s.name for s in account.stakeholders}

    # Ties lost: KNOWS edges (edge_u < n_team) with an endpoint leaving.
    removed = np.zeros(len(ids), dtype=np.bool_)
    removed[[before.index[p] for p in departed]] = True
    lost_mask = (before.edge_u < t) & (removed[before.edge_u] | removed[before.edge_v])
    lost = tuple(
        LostTie(ids[u], ids[v], s)
        for u, v, s in zip(
            before.edge_u[lost_mask].tolist(),
            before.edge_v[lost_mask].tolist(),
            before.edge_strength[lost_mask].tolist(),
            strict=True,
        )
    )
    ties_before = int(np.count_nonzero(before.edge_u < t))

    keys = key_stakeholders(account)
    remaining_keys = [k for k in keys if k not in gone]
    key_nodes = np.array([before.index[k] for k in remaining_keys], dtype=np.int64)
    cov_before = before.coverage_counts()
    cov_after = after.coverage_counts()

    newly_dark: list[CoverageChange] = []
    newly_single: list[CoverageChange] = []
    for key, node in zip(remaining_keys, key_nodes.tolist(), strict=True):
        b, a = int(cov_before[node]), int(cov_after[node])
        change = CoverageChange(
            key, names[key], b, a, tuple(ids[m] for m in _covering_team_members(after, node))
        )
        if b >= 1 and a == 0:
            newly_dark.append(change)
        elif b >= 2 and a == 1:
            newly_single.append(change)

    labels_before = component_labels(before)
    labels_after = component_labels(after)
    reach_ok_before = reachable_from_team(before, labels_before)
    reach_ok_after = reachable_from_team(after, labels_after)
    newly_unreachable = tuple(
        k
        for k, node in zip(remaining_keys, key_nodes.tolist(), strict=True)
        if reach_ok_before[node] and not reach_ok_after[node]
    )

    hops = params.max_warm_path_hops
    warm_before = warm_reach(before, max_hops=hops)
    warm_after = warm_reach(after, max_hops=hops)
    best_before, best_after = warm_before.best, warm_after.best
    changes = [
        WarmPathChange(k, b, a, b - a)
        for k, b, a in zip(
            remaining_keys,
            best_before[key_nodes].tolist(),
            best_after[key_nodes].tolist(),
            strict=True,
        )
    ]
    changes.sort(key=lambda c: (-c.drop, c.stakeholder_id))

    gaps = _budget_gaps(account, gone)
    losses = _role_losses(account, gone)
    frag_before = fragmentation_of(before, labels_before)
    frag_after = fragmentation_of(after, labels_after)

    slots_before = _role_slot_count(account)
    budgets_before = _budgets_with_authority(account)
    k_count = len(remaining_keys)
    components = (
        _component(
            "key_coverage",
            len(newly_dark) + 0.5 * len(newly_single),
            k_count,
            weights.key_coverage,
        ),
        _component("reachability", len(newly_unreachable), k_count, weights.reachability),
        _component("warm_paths", sum(c.drop for c in changes), k_count, weights.warm_paths),
        _component(
            "budget_authority",
            len({g.budget_id for g in gaps}),
            budgets_before,
            weights.budget_authority,
        ),
        _component("buying_roles", len(losses), slots_before, weights.buying_roles),
        _component(
            "fragmentation",
            max(0.0, frag_after.value - frag_before.value),
            1.0,
            weights.fragmentation,
        ),
        _component("ties_lost", len(lost), ties_before, weights.ties_lost),
    )
    score = min(100.0, sum(c.points for c in components))

    actions = _recommend(
        after,
        warm_after,
        names,
        remaining_keys,
        {c.stakeholder_id for c in newly_dark},
        {c.stakeholder_id for c in newly_single},
        set(newly_unreachable),
        hops,
    )
    return DepartureImpact(
        account_id=account.account_id,
        departed_ids=departed,
        departed_team_member_ids=tuple(p for p in departed if before.index[p] < t),
        departed_stakeholder_ids=tuple(p for p in departed if before.index[p] >= t),
        departed_key_stakeholder_ids=tuple(k for k in keys if k in gone),
        ignored_ids=ignored,
        active_ties_lost=lost,
        newly_dark=tuple(newly_dark),
        newly_single_threaded=tuple(newly_single),
        newly_unreachable=newly_unreachable,
        budgets_without_authority=gaps,
        role_losses=losses,
        warm_path_changes=tuple(changes),
        fragmentation_before=frag_before,
        fragmentation_after=frag_after,
        score=score,
        score_components=components,
        recommended_actions=actions,
    )


def _budgets_with_authority(account: AccountGraph) -> int:
    active = {s.id for s in account.stakeholders if s.status == "active"}
    budgets = {b.id for b in account.budgets}
    return len(
        {
            c.budget_id
            for c in account.controls
            if c.authority in _GAP_AUTHORITIES
            and c.stakeholder_id in active
            and c.budget_id in budgets
        }
    )


def _budget_gaps(account: AccountGraph, gone: set[str]) -> tuple[BudgetGap, ...]:
    people = {s.id: s for s in account.stakeholders}
    holders: dict[tuple[str, str], list[str]] = {}
    for control in account.controls:
        person = people.get(control.stakeholder_id)
        if (
            control.authority in _GAP_AUTHORITIES
            and person is not None
            and person.status == "active"
        ):
            holders.setdefault((control.budget_id, control.authority), []).append(person.id)
    managers = solid_managers(account)
    gaps = []
    for budget in account.budgets:
        for authority in _GAP_AUTHORITIES:
            current = holders.get((budget.id, authority), [])
            if not current or any(h not in gone for h in current):
                continue
            best: tuple[int, str] | None = None
            for holder in current:
                found = _nearest_active_manager(holder, managers, people, gone)
                if found is not None and (best is None or found[0] < best[0]):
                    best = found
            gaps.append(
                BudgetGap(
                    budget.id,
                    budget.name,
                    authority,
                    tuple(current),
                    best[1] if best else None,
                    people[best[1]].name if best else None,
                    best[0] if best else None,
                )
            )
    return tuple(gaps)


def suggested_successor(
    account: AccountGraph, holder_ids: Iterable[str], managers: dict[str, str] | None = None
) -> tuple[str, int] | None:
    """The successor departure impact suggests for a budget whose holders ``holder_ids``
    all leave: the nearest active manager up the solid reporting line of one of them
    who is not leaving too, as ``(id, levels up)``; None when every line runs out.

    The same rule as :attr:`BudgetGap.successor_id` (the alerts' budget condition
    remembers it per budget slot while the holders are still there). ``managers``, when
    given, must be ``solid_managers(account)``.
    """
    gone = set(holder_ids)
    people = {s.id: s for s in account.stakeholders}
    managers = solid_managers(account) if managers is None else managers
    best: tuple[int, str] | None = None
    for holder in sorted(gone):
        found = _nearest_active_manager(holder, managers, people, gone)
        if found is not None and (best is None or found[0] < best[0]):
            best = found
    return None if best is None else (best[1], best[0])


def _nearest_active_manager(
    person: str, managers: dict[str, str], people: dict[str, Stakeholder], gone: set[str]
) -> tuple[int, str] | None:
    """(levels up, id) of the nearest manager who is active and not leaving."""
    seen = {person}
    level, current = 0, person
    while current in managers:
        current = managers[current]
        level += 1
        if current in seen:
            return None  # a cycle in the solid line: bad data, no successor
        seen.add(current)
        if current not in gone and people[current].status == "active":
            return level, current
    return None


def _role_holders(account: AccountGraph) -> dict[tuple[RoleTargetKind, str, RoleName], list[str]]:
    active = {s.id for s in account.stakeholders if s.status == "active"}
    targets = {account.account_id} | {o.id for o in account.opportunities}
    holders: dict[tuple[RoleTargetKind, str, RoleName], list[str]] = {}
    for role in account.roles:
        if role.role in KEY_ROLES and role.stakeholder_id in active and role.target_id in targets:
            slot = holders.setdefault((role.target_kind, role.target_id, role.role), [])
            if role.stakeholder_id not in slot:
                slot.append(role.stakeholder_id)
    return holders


def _role_slot_count(account: AccountGraph) -> int:
    return len(_role_holders(account))


def _role_losses(account: AccountGraph, gone: set[str]) -> tuple[RoleLoss, ...]:
    target_names = {o.id: o.name for o in account.opportunities}
    target_names.setdefault(account.account_id, account.account_name or account.account_id)
    return tuple(
        RoleLoss(kind, target, target_names[target], role, tuple(holders))
        for (kind, target, role), holders in _role_holders(account).items()
        if all(h in gone for h in holders)
    )


def _recommend(
    after: EngagementGraph,
    warm_after: WarmReach,
    names: dict[str, str],
    remaining_keys: Sequence[str],
    dark: set[str],
    single: set[str],
    unreachable: set[str],
    hops: int,
) -> tuple[RecommendedAction, ...]:
    reach_without: dict[int, WarmReach] = {}
    actions = []
    for key in remaining_keys:
        exposures: list[Exposure] = []
        if key in dark:
            exposures.append("newly_dark")
        if key in single:
            exposures.append("newly_single_threaded")
        if key in unreachable:
            exposures.append("newly_unreachable")
        if not exposures:
            continue
        node = after.index[key]
        covering = _covering_team_members(after, node)
        if len(covering) == 1:
            # A second relationship must come from someone else.
            holder = covering[0]
            if holder not in reach_without:
                reach_without[holder] = warm_reach(
                    after, exclude=[after.node_ids[holder]], max_hops=hops
                )
            path = reach_without[holder].path_to(key)
        else:
            path = warm_after.path_to(key)
        if path is None:
            note = (
                f"No warm path within {hops} hops is left to {names[key]}: ask for a cold "
                "introduction (for example through an executive sponsor)."
            )
            actions.append(
                RecommendedAction(key, names[key], tuple(exposures), None, None, None, note)
            )
            continue
        introducer = path.introducer_id
        via = f", introduced by {names.get(introducer, introducer)}" if introducer else ""
        note = (
            f"{path.team_member_id} should build a relationship with {names[key]}{via} "
            f"(warm path strength {path.strength:.2f})."
        )
        actions.append(
            RecommendedAction(
                key, names[key], tuple(exposures), path.team_member_id, introducer, path, note
            )
        )
    return tuple(actions)


@dataclass(frozen=True, slots=True)
class AccountPerson:
    account_id: str
    person_id: str


@dataclass(frozen=True, slots=True)
class DepartureImpactSummary:
    """Departure impact across several accounts (e.g. every account a team member covers).

    Analytics run per account; this adds them up. ``worst_score`` is the highest
    account score (the account that needs attention first), ``mean_score`` the mean.
    """

    person_ids: tuple[str, ...]
    accounts: tuple[DepartureImpact, ...]
    active_ties_lost: int
    newly_dark: tuple[AccountPerson, ...]
    newly_single_threaded: tuple[AccountPerson, ...]
    newly_unreachable: tuple[AccountPerson, ...]
    budgets_without_authority: int
    role_losses: int
    worst_score: float
    worst_account_id: str | None
    mean_score: float


def combine_departure_impacts(
    person_ids: Iterable[str], impacts: Sequence[DepartureImpact]
) -> DepartureImpactSummary:
    """Add up per-account departure impacts (accounts sorted by score, highest first)."""
    ordered = tuple(sorted(impacts, key=lambda i: (-i.score, i.account_id)))
    return DepartureImpactSummary(
        person_ids=tuple(dict.fromkeys(person_ids)),
        accounts=ordered,
        active_ties_lost=sum(len(i.active_ties_lost) for i in ordered),
        newly_dark=tuple(
            AccountPerson(i.account_id, c.stakeholder_id) for i in ordered for c in i.newly_dark
        ),
        newly_single_threaded=tuple(
            AccountPerson(i.account_id, c.stakeholder_id)
            for i in ordered
            for c in i.newly_single_threaded
        ),
        newly_unreachable=tuple(
            AccountPerson(i.account_id, s) for i in ordered for s in i.newly_unreachable
        ),
        budgets_without_authority=sum(len(i.budgets_without_authority) for i in ordered),
        role_losses=sum(len(i.role_losses) for i in ordered),
        worst_score=ordered[0].score if ordered else 0.0,
        worst_account_id=ordered[0].account_id if ordered else None,
        mean_score=sum(i.score for i in ordered) / len(ordered) if ordered else 0.0,
    )
