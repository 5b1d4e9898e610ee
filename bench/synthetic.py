"""Synthetic portfolios for the benchmarks: deterministic, sized by parameters.

:func:`generate` builds one ingest batch (the format of ``POST /v1/ingest``) from a
:class:`SyntheticSpec`; the same spec always gives the same batch. Org charts are
trees filled breadth-first with a random span of control (so a manager always comes
before their reports and solid lines cannot form a cycle); seniority follows depth
(CEO, C-suite, VPs, directors, managers, individual contributors) and department
follows the C-level branch. Each account has its own team (``team_per_account`` of the
``team_members``, spread round-robin so people cover several accounts); our explicit
ties, interactions, roles and budgets stay inside an account.

Presets (see :data:`PRESETS`):

``ingest-100k``
    issue 2's ingest benchmark: 200 accounts × 500 stakeholders = 100,000 people,
    400 team members, ≈ 500,000 edges in ≈ 355,000 rows.
``account-5k``
    issue 3's per-account analytics benchmarks: one account of 5,000 stakeholders,
    50 team members, ≈ 50,000 edges.
``portfolio-200k``
    issue 3's portfolio threading benchmark: 400 accounts × 500 = 200,000 people.

>>> batch = generate(SyntheticSpec(accounts=2, stakeholders_per_account=30, team_members=4,
...                                team_per_account=2))
>>> len(batch["accounts"]), len(batch["stakeholders"]), len(batch["team_members"])
(2, 60, 4)
>>> generate(SyntheticSpec(accounts=1, stakeholders_per_account=30)) == generate(
...     SyntheticSpec(accounts=1, stakeholders_per_account=30))
True
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_args

from service.analytics.model import RoleName

__all__ = [
    "PRESETS",
    "SyntheticSpec",
    "count_edges",
    "count_rows",
    "generate",
    "preset",
]

Batch = dict[str, Any]

# The C-level branches an org chart is split into: (department, C-level title).
DEPARTMENTS = (
    ("Finance", "Chief Financial Officer"),
    ("Information Technology", "Chief Information Officer"),
    ("Operations", "Chief Operating Officer"),
    ("Procurement", "Chief Procurement Officer"),
    ("Engineering", "Chief Technology Officer"),
    ("Human Resources", "Chief Human Resources Officer"),
    ("Sales", "Chief Revenue Officer"),
    ("Marketing", "Chief Marketing Officer"),
    ("Legal", "General Counsel"),
    ("Risk", "Chief Risk Officer"),
    ("Data", "Chief Data Officer"),
)
# Below the CEO (depth 0): depth 1 is the C-suite, then VPs, directors and managers;
# deeper people are individual contributors.
SENIORITY_BY_DEPTH = ("c_level", "c_level", "vp", "director", "manager")
TITLE_BY_DEPTH = ("Chief Executive Officer", "{c}", "VP {d}", "Director, {d}", "Manager, {d}")
TIERS = ("strategic", "key", "key", "standard", "standard", "standard")
INDUSTRIES = ("Manufacturing", "Financial services", "Retail", "Healthcare", "Energy", "Telecom")
TEAM_ROLES = ("account_manager", "solution_engineer", "customer_success", "exec_sponsor")
BUYING_ROLES: tuple[str, ...] = get_args(RoleName)
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")
KINDS = ("meeting", "call", "email", "event")
KIND_WEIGHTS = (0.35, 0.3, 0.25, 0.1)


@dataclass(frozen=True)
class SyntheticSpec:
    """What to generate. Densities are per account unless named per stakeholder."""

    accounts: int = 200
    stakeholders_per_account: int = 500
    team_members: int = 400
    team_per_account: int = 5
    span: tuple[int, int] = (3, 9)  # direct reports per manager
    dotted_ratio: float = 0.05  # share of stakeholders with one dotted-line manager
    influences_per_stakeholder: float = 1.35
    ties_per_team_member: int = 80  # explicit KNOWS from each team member of the account
    roles_per_account: int = 50
    budgets_per_account: int = 10
    controls_per_budget: int = 3
    opportunities_per_account: int = 5
    interactions_per_account: int = 100
    max_stakeholders_per_interaction: int = 3
    seed: int = 7
    today: date = date(2026, 1, 1)  # interactions and contacts fall in the year before

    @property
    def stakeholders(self) -> int:
        return self.accounts * self.stakeholders_per_account


PRESETS: Mapping[str, SyntheticSpec] = {
    "ingest-100k": SyntheticSpec(),
    "account-5k": SyntheticSpec(
        accounts=1,
        stakeholders_per_account=5_000,
        team_members=50,
        team_per_account=50,
        influences_per_stakeholder=2.4,
        ties_per_team_member=220,
        roles_per_account=300,
        budgets_per_account=40,
        opportunities_per_account=20,
        interactions_per_account=5_500,
    ),
    "portfolio-200k": SyntheticSpec(accounts=400, team_members=800),
}


def preset(name: str, **overrides: Any) -> SyntheticSpec:
    """A named preset, optionally with some fields replaced (e.g. ``today``)."""
    return replace(PRESETS[name], **overrides)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _org_chart(rng: random.Random, size: int, span: tuple[int, int]) -> list[int]:
    """Parent index of each position (−1 for the root), filled breadth-first."""
    parents = [-1]
    manager = 0
    while len(parents) < size:
        for _ in range(rng.randint(*span)):
            if len(parents) == size:
                break
            parents.append(manager)
        manager += 1
    return parents


def _account(spec: SyntheticSpec, a: int, rng: random.Random, batch: Batch) -> None:
    acc = f"a{a:04d}"
    n = spec.stakeholders_per_account
    start = spec.today - timedelta(days=365)
    batch["accounts"].append(
        {
            "id": acc,
            "name": f"Account {a:04d}",
            "tier": TIERS[a % len(TIERS)],
            "industry": INDUSTRIES[a % len(INDUSTRIES)],
            "annual_revenue": float(rng.randrange(100, 50_000)) * 1e6,
        }
    )
    parents = _org_chart(rng, n, spec.span)
    ids = [f"{acc}-s{i:05d}" for i in range(n)]
    depth = [0] * n
    branch = [0] * n  # which C-level branch (department) a position belongs to
    for i in range(1, n):
        depth[i] = depth[parents[i]] + 1
        branch[i] = (i - 1) % len(DEPARTMENTS) if parents[i] == 0 else branch[parents[i]]
    for i in range(n):
        department, c_title = DEPARTMENTS[branch[i]]
        if i == 0:
            title, department, seniority = "Chief Executive Officer", "Executive Office", "c_level"
        elif depth[i] < len(TITLE_BY_DEPTH):  # depth ≥ 1 here
            title = TITLE_BY_DEPTH[depth[i]].format(c=c_title, d=department)
            seniority = SENIORITY_BY_DEPTH[depth[i]]
        else:
            title, seniority = f"{department} Specialist", "individual_contributor"
        row: dict[str, Any] = {
            "id": ids[i],
            "account_id": acc,
            "name": f"Person {acc}-{i}",
            "title": title,
            "email": f"s{i}@{acc}.example",
            "department": department,
            "seniority": seniority,
        }
        if i:
            row["reports_to"] = ids[parents[i]]
            if rng.random() < spec.dotted_ratio:
                dotted = rng.randrange(n)
                if dotted not in (i, parents[i]):
                    row["dotted_reports_to"] = [ids[dotted]]
        batch["stakeholders"].append(row)

    # Influence: mostly between people close in the chart (same neighbourhood of ids).
    seen: set[tuple[int, int]] = set()
    for _ in range(round(n * spec.influences_per_stakeholder)):
        src = rng.randrange(n)
        dst = (
            min(n - 1, max(0, src + rng.randint(-40, 40)))
            if rng.random() < 0.7
            else rng.randrange(n)
        )
        if src == dst or (src, dst) in seen:
            continue
        seen.add((src, dst))
        batch["influences"].append(
            {"from_id": ids[src], "to_id": ids[dst], "strength": round(rng.uniform(0.05, 1.0), 2)}
        )

    team = [
        f"tm-{(a * spec.team_per_account + k) % spec.team_members:05d}"
        for k in range(spec.team_per_account)
    ]
    team = list(dict.fromkeys(team))
    for k, tm in enumerate(team):
        batch["coverage"].append(
            {"team_member_id": tm, "account_id": acc, "role": TEAM_ROLES[k % len(TEAM_ROLES)]}
        )
    known: dict[str, list[int]] = {}
    for tm in team:
        # seniors are better known: half the ties go to the top tenth of the chart
        top = max(1, n // 10)
        picks = {rng.randrange(top) for _ in range(spec.ties_per_team_member // 2)}
        while len(picks) < min(n, spec.ties_per_team_member):
            picks.add(rng.randrange(n))
        known[tm] = sorted(picks)
        for i in known[tm]:
            contact = spec.today - timedelta(days=rng.randint(1, 364))
            batch["relationships"].append(
                {
                    "team_member_id": tm,
                    "stakeholder_id": ids[i],
                    "strength": round(rng.uniform(0.05, 0.95), 2),
                    "last_contact": contact.isoformat(),
                }
            )

    opportunities = [f"{acc}-o{k:03d}" for k in range(spec.opportunities_per_account)]
    for k, oid in enumerate(opportunities):
        batch["opportunities"].append(
            {
                "id": oid,
                "account_id": acc,
                "name": f"Opportunity {k} of {acc}",
                "stage": STAGES[rng.randrange(len(STAGES))],
                "amount": float(rng.randrange(10, 5_000)) * 1_000,
                "close_date": (start + timedelta(days=rng.randint(0, 730))).isoformat(),
            }
        )
    roles: set[tuple[int, str, str]] = set()
    senior = max(2, n // 5)
    while len(roles) < min(spec.roles_per_account, senior * len(BUYING_ROLES)):
        target = acc if rng.random() < 0.4 or not opportunities else rng.choice(opportunities)
        key = (rng.randrange(senior), rng.choice(BUYING_ROLES), target)
        if key in roles:
            continue
        roles.add(key)
        i, role, target = key
        row = {"stakeholder_id": ids[i], "role": role, "stance": rng.randint(-2, 2)}
        row["opportunity_id" if target != acc else "account_id"] = target
        batch["roles"].append(row)

    for k in range(spec.budgets_per_account):
        bid = f"{acc}-b{k:03d}"
        batch["budgets"].append(
            {
                "id": bid,
                "account_id": acc,
                "name": f"Budget {k} of {acc}",
                "amount": float(rng.randrange(50, 20_000)) * 1_000,
                "currency": "USD",
                "fiscal_year": spec.today.year,
                "category": rng.choice(("it", "capex", "operations", "marketing")),
            }
        )
        authorities = ("owner", "approver", "recommender", "signatory")
        holders = rng.sample(range(min(n, senior)), min(spec.controls_per_budget, senior))
        for i, authority in zip(holders, authorities, strict=False):
            batch["controls"].append(
                {"stakeholder_id": ids[i], "budget_id": bid, "authority": authority}
            )

    known_sets = {tm: set(people) for tm, people in known.items()}
    for k in range(spec.interactions_per_account):
        tm = rng.choice(team)
        people = rng.sample(
            known[tm], min(len(known[tm]), rng.randint(1, spec.max_stakeholders_per_interaction))
        )
        attendees = [tm]
        # A colleague joins only where they know everyone present, so interactions
        # never create interaction-derived ties (count_edges relies on that).
        other = rng.choice(team)
        if other != tm and rng.random() < 0.3 and known_sets[other].issuperset(people):
            attendees.append(other)
        moment = datetime.combine(
            spec.today - timedelta(days=rng.randint(1, 364)), datetime.min.time(), UTC
        ) + timedelta(minutes=rng.randrange(8 * 60, 18 * 60, 15))
        batch["interactions"].append(
            {
                "id": f"{acc}-i{k:05d}",
                "kind": rng.choices(KINDS, KIND_WEIGHTS)[0],
                "at": _iso(moment),
                "team_member_ids": attendees,
                "stakeholder_ids": [ids[i] for i in people],
            }
        )


def generate(spec: SyntheticSpec) -> Batch:
    """One batch holding the whole synthetic portfolio described by ``spec``."""
    rng = random.Random(spec.seed)
    batch: Batch = {
        section: []
        for section in (
            "accounts",
            "stakeholders",
            "team_members",
            "budgets",
            "opportunities",
            "controls",
            "roles",
            "influences",
            "relationships",
            "coverage",
            "interactions",
        )
    }
    batch["team_members"] = [
        {
            "id": f"tm-{k:05d}",
            "name": f"Team member {k}",
            "email": f"tm{k}@ourco.example",
            "role": TEAM_ROLES[k % len(TEAM_ROLES)],
        }
        for k in range(spec.team_members)
    ]
    for a in range(spec.accounts):
        _account(spec, a, rng, batch)
    return batch


def count_rows(batch: Mapping[str, Any]) -> int:
    """Rows over all sections (what the ingest counts)."""
    return sum(len(v) for v in batch.values() if isinstance(v, list))


def count_edges(batch: Mapping[str, Any]) -> dict[str, int]:
    """The relationships the ingest will create from ``batch``, by type.

    Interaction-derived KNOWS edges are not counted: the synthetic interactions only
    join pairs that already have an explicit tie, and an explicit tie wins.
    """
    people = batch.get("stakeholders", [])
    interactions = batch.get("interactions", [])
    return {
        "WORKS_AT": len(people),
        "REPORTS_TO": sum(
            ("reports_to" in r) + len(r.get("dotted_reports_to") or []) for r in people
        ),
        "INFLUENCES": len(batch.get("influences", [])),
        "KNOWS": len(batch.get("relationships", [])),
        "HAS_ROLE": len(batch.get("roles", [])),
        "CONTROLS": len(batch.get("controls", [])),
        "COVERS": len(batch.get("coverage", [])),
        "OF": len(batch.get("budgets", [])),
        "FOR": len(batch.get("opportunities", [])),
        "WITH": sum(len(set(i["stakeholder_ids"])) for i in interactions),
        "ATTENDED": sum(len(set(i["team_member_ids"])) for i in interactions),
    }
