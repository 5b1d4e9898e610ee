"""What the alert conditions read of one account: built once per account and evaluation,
shared by every watch whose scope includes the account.

The view holds the account's analytics input (:class:`AccountGraph`, from
``AccountReads`` like every analytics use case) plus the few things a condition needs
that the account pull does not carry — read by the evaluator beforehand, so that the
conditions stay pure:

- ``former_roles``: key roles (champion, economic buyer, decision maker) that people now
  employed at the account held at *another* account (``former_champion_joined``);
- ``whereabouts``: where people the previous states remember are now (left, moved to
  which account), for those no longer at the account;
- ``queries``: the rows of the saved queries the watches run on the account.

Everything derived from the account (key stakeholders, coverage, warm paths, single
points of failure, health, …) is computed on first use with the pure analytics of
``service/analytics`` (docs/definitions.md), once for all watches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Final

from service.analytics.engagement import (
    Coverage,
    EngagementGraph,
    KeyStakeholder,
    coverage_of,
    engagement_graph,
    key_stakeholders,
)
from service.analytics.health import HealthReport, account_health
from service.analytics.influence import solid_managers
from service.analytics.model import AccountGraph, AnalyticsParams, Budget
from service.analytics.threading import SinglePointsOfFailure, single_points_of_failure
from service.analytics.warm_paths import WarmPath, WarmReach, warm_reach

__all__ = [
    "FORMER_CHAMPION_ROLES",
    "AccountView",
    "FormerRole",
    "QueryRows",
    "Whereabouts",
]

#: The roles that make someone a "former champion" when they join another account.
FORMER_CHAMPION_ROLES: Final = ("champion", "economic_buyer", "decision_maker")

JSON = Any


@dataclass(frozen=True, slots=True)
class FormerRole:
    """A key role a person now employed at the account held at another account."""

    person_id: str
    role: str
    target_kind: str  # "account" or "opportunity"
    target_id: str
    target_name: str | None
    account_id: str  # the other account (the opportunity's account for an opportunity)
    account_name: str | None
    since: datetime | None
    until: datetime | None  # None: the role is still current


@dataclass(frozen=True, slots=True)
class Whereabouts:
    """Where a person is now: ``status`` (``active``/``left``), when they left, and the
    account they currently work at (None: none)."""

    person_id: str
    name: str | None
    status: str
    left_at: datetime | None
    account_id: str | None
    account_name: str | None


@dataclass(frozen=True, slots=True)
class QueryRows:
    """A saved query's answer as a condition compares it: each row as canonical JSON
    text (keys sorted), in the query's order; ``error`` when it could not run."""

    rows: tuple[str, ...] = ()
    truncated: bool = False
    error: str | None = None


@dataclass(frozen=True, eq=False)
class AccountView:
    """One account as the conditions see it now (see the module docstring)."""

    account: AccountGraph
    read_at: datetime  # when the account was read (newer views win; evaluation.py)
    tier: str | None = None
    params: AnalyticsParams = field(default_factory=AnalyticsParams)
    former_roles: tuple[FormerRole, ...] = ()
    whereabouts: Mapping[str, Whereabouts] = field(default_factory=dict)
    queries: Mapping[str, QueryRows] = field(default_factory=dict)
    #: The engagement graph under ``params`` when a cache already holds it.
    given_graph: EngagementGraph | None = None

    @property
    def account_id(self) -> str:
        return self.account.account_id

    # -- who is who ---------------------------------------------------------------------

    @cached_property
    def names(self) -> dict[str, str]:
        names = {s.id: s.name for s in self.account.stakeholders}
        names.update({t.id: t.name for t in self.account.team_members})
        return names

    @cached_property
    def titles(self) -> dict[str, str | None]:
        return {s.id: s.title for s in self.account.stakeholders}

    @cached_property
    def active_stakeholders(self) -> frozenset[str]:
        return frozenset(s.id for s in self.account.stakeholders if s.status == "active")

    @cached_property
    def budgets(self) -> dict[str, Budget]:
        return {b.id: b for b in self.account.budgets}

    @cached_property
    def targets(self) -> dict[str, dict[str, JSON]]:
        """The account and its open opportunities, by ``kind:id``, as event data."""
        out = {
            f"account:{self.account_id}": {
                "kind": "account",
                "id": self.account_id,
                "name": self.account.account_name,
            }
        }
        for o in self.account.opportunities:
            out[f"opportunity:{o.id}"] = {"kind": "opportunity", "id": o.id, "name": o.name}
        return out

    def ref(self, person_id: str) -> dict[str, JSON]:
        return {"id": person_id, "name": self.names.get(person_id)}

    def stakeholder_ref(self, person_id: str) -> dict[str, JSON]:
        return {
            "id": person_id,
            "name": self.names.get(person_id),
            "title": self.titles.get(person_id),
        }

    def target_name(self, kind: str, target_id: str) -> str | None:
        if kind == "budget":
            budget = self.budgets.get(target_id)
            return None if budget is None else budget.name
        found = self.targets.get(f"{kind}:{target_id}")
        return None if found is None else found["name"]

    # -- the definitions (docs/definitions.md), computed once ----------------------------

    @cached_property
    def keys(self) -> dict[str, KeyStakeholder]:
        """The key stakeholders ("Key stakeholder")."""
        return key_stakeholders(self.account)

    @cached_property
    def key_coverage(self) -> dict[str, Coverage]:
        """Coverage of every key stakeholder ("Coverage")."""
        return coverage_of(self.account, self.keys, self.params)

    @cached_property
    def graph(self) -> EngagementGraph:
        """The engagement graph ("Engagement graph")."""
        if self.given_graph is not None:
            return self.given_graph
        return engagement_graph(self.account, self.params)

    @cached_property
    def reach(self) -> WarmReach:
        """Best warm paths from the whole team ("Warm path")."""
        return warm_reach(self.graph, max_hops=self.params.max_warm_path_hops)

    def reach_without(self, team_member_id: str) -> WarmReach:
        """Warm paths from everyone but one team member (a second relationship)."""
        return warm_reach(
            self.graph, exclude=[team_member_id], max_hops=self.params.max_warm_path_hops
        )

    @cached_property
    def single_points_of_failure(self) -> SinglePointsOfFailure:
        """People and relationships that cut the team off from a key stakeholder."""
        return single_points_of_failure(self.graph, self.keys)

    @cached_property
    def champions(self) -> dict[str, list[str]]:
        """Active champions of each target (the account, its open opportunities)."""
        out: dict[str, list[str]] = {key: [] for key in self.targets}
        for role in self.account.roles:
            key = f"{role.target_kind}:{role.target_id}"
            if (
                role.role == "champion"
                and key in out
                and role.stakeholder_id in self.active_stakeholders
                and role.stakeholder_id not in out[key]
            ):
                out[key].append(role.stakeholder_id)
        return out

    @cached_property
    def coverage_counts(self) -> dict[str, int]:
        """Coverage count of every active stakeholder with at least one active tie."""
        counts: dict[str, int] = {}
        for stakeholder, n in zip(
            self.graph.node_ids[self.graph.n_team :],
            self.graph.coverage_counts()[self.graph.n_team :].tolist(),
            strict=True,
        ):
            if n:
                counts[stakeholder] = int(n)
        return counts

    def engaged(self, stakeholder_id: str) -> bool:
        """Coverage ≥ 1 (docs/definitions.md, "Threading risk": engaged)."""
        return self.coverage_counts.get(stakeholder_id, 0) >= 1

    @cached_property
    def budget_holders(self) -> dict[str, list[str]]:
        """Active owners and approvers of each budget, by ``budget_id|authority``."""
        out: dict[str, list[str]] = {}
        for c in self.account.controls:
            if (
                c.authority in ("owner", "approver")
                and c.budget_id in self.budgets
                and c.stakeholder_id in self.active_stakeholders
            ):
                holders = out.setdefault(f"{c.budget_id}|{c.authority}", [])
                if c.stakeholder_id not in holders:
                    holders.append(c.stakeholder_id)
        return out

    @cached_property
    def solid_managers(self) -> dict[str, str]:
        """Each stakeholder's solid-line manager."""
        return solid_managers(self.account)

    @cached_property
    def health(self) -> HealthReport:
        """Account health ("Account health")."""
        return account_health(self.account, self.params)

    @cached_property
    def former_champions(self) -> dict[str, list[FormerRole]]:
        """People active at the account now who held a key role at another account."""
        out: dict[str, list[FormerRole]] = {}
        for r in self.former_roles:
            if r.person_id in self.active_stakeholders and r.account_id != self.account_id:
                out.setdefault(r.person_id, []).append(r)
        return out

    # -- event data ---------------------------------------------------------------------

    def key_evidence(self, stakeholder_id: str) -> dict[str, JSON]:
        """Why a key stakeholder is key: their roles and the budgets they control."""
        key = self.keys[stakeholder_id]
        roles = [
            {
                "role": r.value,
                "target": {
                    "kind": r.target_kind,
                    "id": r.target_id,
                    "name": self.target_name(r.target_kind, r.target_id),
                },
            }
            for r in key.reasons
            if r.kind == "role"
        ]
        budgets = []
        for r in key.reasons:
            if r.kind == "authority":
                budget = self.budgets.get(r.target_id)
                budgets.append(self.budget_data(r.target_id, budget) | {"authority": r.value})
        return {
            "stakeholder": self.stakeholder_ref(stakeholder_id),
            "roles": roles,
            "budgets": budgets,
        }

    @staticmethod
    def budget_data(budget_id: str, budget: Budget | None) -> dict[str, JSON]:
        return {
            "id": budget_id,
            "name": None if budget is None else budget.name,
            "amount": None if budget is None else budget.amount,
            "currency": None if budget is None else budget.currency,
        }

    def path_data(self, path: WarmPath | None) -> dict[str, JSON] | None:
        """A warm path as event data: its strength and the people along it."""
        if path is None:
            return None
        return {
            "strength": round(path.strength, 6),
            "hops": path.hop_count,
            "people": [self.ref(p) for p in path.people],
            "relationships": [h.relationship for h in path.hops],
        }

    def covering(self, stakeholder_id: str) -> list[dict[str, JSON]]:
        """The team members covering a stakeholder now, strongest tie first."""
        cov = self.key_coverage.get(stakeholder_id)
        if cov is None:
            return []
        return [self.ref(t.team_member_id) | {"strength": round(t.strength, 6)} for t in cov.ties]

    def whereabouts_data(self, person_id: str) -> dict[str, JSON]:
        """Where a person no longer at the account is: ``left`` (with when), ``moved``
        (to which account), ``no_employer`` (active, employed nowhere), or ``unknown``."""
        where = self.whereabouts.get(person_id)
        if where is None:
            return {"status": "unknown"}
        if where.status == "left":
            return {
                "status": "left",
                "left_at": None if where.left_at is None else where.left_at.isoformat(),
            }
        if where.account_id is not None and where.account_id != self.account_id:
            return {
                "status": "moved",
                "account": {"id": where.account_id, "name": where.account_name},
            }
        if where.account_id is None:
            return {"status": "no_employer"}
        return {"status": "unknown"}


def locate(ids: Iterable[str], view_people: frozenset[str]) -> list[str]:
    """The ids a view needs whereabouts for: those not active at the account."""
    return sorted({i for i in ids if i not in view_people})
