"""An account's org chart as of a date: the solid-line reporting tree, dotted lines alongside.

The graph layer pulls everyone in the account at that date in one round trip
(``service/graph/reads.py``); :func:`build_org_chart` assembles the tree in Python, a
pure function so it can be tested on hand-made inputs. The JSON shape is fixed in
docs/graph-conventions.md ("Org chart").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from service.domain.access import Principal
from service.domain.errors import NotFound
from service.graph import reads
from service.graph.driver import Graph

__all__ = [
    "AccountRef",
    "Coverage",
    "DottedLine",
    "OrgChart",
    "OrgNode",
    "PersonAtDate",
    "RoleAtDate",
    "StrongestRelationship",
    "TieAtDate",
    "build_org_chart",
    "coverage_of",
    "org_chart",
    "stance_of",
    "valid_at",
]

CoverageState = Literal["dark", "single", "multi"]


@dataclass(frozen=True)
class RoleAtDate:
    role: str
    stance: int | None
    target_type: str  # "account" or "opportunity"
    target_id: str


@dataclass(frozen=True)
class TieAtDate:
    """One of our team members' relationships to the person, valid at the date."""

    team_member_id: str
    team_member_name: str | None
    strength: float


@dataclass(frozen=True)
class PersonAtDate:
    """A person in the account at the date, as the graph layer reads them."""

    id: str
    name: str | None
    title: str | None = None
    department: str | None = None
    status: str = "active"
    manager_ids: tuple[str, ...] = ()  # valid solid managers, preferred first
    dotted_manager_ids: tuple[str, ...] = ()
    roles: tuple[RoleAtDate, ...] = ()
    ties: tuple[TieAtDate, ...] = ()


@dataclass(frozen=True)
class AccountRef:
    id: str
    name: str | None
    tier: str | None


@dataclass(frozen=True)
class Coverage:
    state: CoverageState
    count: int
    team_member_ids: list[str]


@dataclass(frozen=True)
class StrongestRelationship:
    team_member_id: str
    team_member_name: str | None
    strength: float


@dataclass
class OrgNode:
    id: str
    name: str | None
    title: str | None
    department: str | None
    status: str
    roles: list[RoleAtDate]
    stance: int | None
    coverage: Coverage
    strongest_relationship: StrongestRelationship | None
    children: list[OrgNode] = field(default_factory=list)


@dataclass(frozen=True)
class DottedLine:
    from_id: str
    to_id: str


@dataclass(frozen=True)
class OrgChart:
    account: AccountRef
    as_of: date
    people_count: int
    roots: list[OrgNode]
    dotted_lines: list[DottedLine]


def valid_at(as_of: date) -> datetime:
    """The instant an as-of date stands for: the end of that day, UTC.

    >>> valid_at(date(2026, 3, 31)).isoformat()
    '2026-04-01T00:00:00+00:00'
    """
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)


def coverage_of(ties: Iterable[TieAtDate], threshold: float) -> Coverage:
    """Distinct team members with an active tie (strength >= threshold).

    docs/definitions.md, "Coverage".

    >>> coverage_of([TieAtDate("t2", None, 0.2), TieAtDate("t1", None, 0.1)], 0.2)
    Coverage(state='single', count=1, team_member_ids=['t2'])
    """
    ids = sorted({t.team_member_id for t in ties if t.strength >= threshold})
    state: CoverageState = "dark" if not ids else "single" if len(ids) == 1 else "multi"
    return Coverage(state=state, count=len(ids), team_member_ids=ids)


def stance_of(roles: Iterable[RoleAtDate]) -> int | None:
    """The stance of the most strongly held role (largest |stance|), or None.

    On a tie between opposite signs the negative one wins: a detractor signal should
    not be hidden by an equally strong supportive one.

    >>> stance_of([RoleAtDate("user", 1, "account", "a"), RoleAtDate("coach", -2, "account", "a")])
    -2
    """
    stances = [r.stance for r in roles if r.stance is not None]
    if not stances:
        return None
    return min(stances, key=lambda s: (-abs(s), s))


def _strongest(ties: Iterable[TieAtDate]) -> StrongestRelationship | None:
    # Any valid tie counts here, active or not: it is the warmest contact we have.
    best = min(ties, key=lambda t: (-t.strength, t.team_member_id), default=None)
    if best is None:
        return None
    return StrongestRelationship(best.team_member_id, best.team_member_name, best.strength)


def _name_key(node: OrgNode) -> tuple[str, str]:
    return ((node.name or "").casefold(), node.id)


def build_org_chart(
    account: AccountRef,
    people: Sequence[PersonAtDate],
    *,
    as_of: date,
    threshold: float,
) -> OrgChart:
    """Nest ``people`` under their solid managers; several roots allowed.

    A person whose solid manager is not among ``people`` (gone, or in another account at
    that date) is a root. Children and roots are sorted by name (then id). Should the
    data ever hold a solid-line cycle, the cycle is cut at its smallest id so nobody is
    lost. Dotted lines are kept when both ends are in the chart.
    """
    nodes: dict[str, OrgNode] = {}
    for p in people:
        roles = sorted(p.roles, key=lambda r: (r.role, r.target_type, r.target_id))
        nodes[p.id] = OrgNode(
            id=p.id,
            name=p.name,
            title=p.title,
            department=p.department,
            status=p.status,
            roles=roles,
            stance=stance_of(roles),
            coverage=coverage_of(p.ties, threshold),
            strongest_relationship=_strongest(p.ties),
        )

    parent: dict[str, str] = {}
    for p in people:
        manager = next((m for m in p.manager_ids if m in nodes and m != p.id), None)
        if manager is not None:
            parent[p.id] = manager

    children: dict[str, list[str]] = {pid: [] for pid in nodes}
    for child, manager in parent.items():
        children[manager].append(child)

    root_ids = [pid for pid in nodes if pid not in parent]
    reached = _reach(root_ids, children)
    # Only a cycle leaves people unreached; cut each at its smallest id.
    while len(reached) < len(nodes):
        cut = min(_cycle_from(min(pid for pid in nodes if pid not in reached), parent))
        children[parent.pop(cut)].remove(cut)
        root_ids.append(cut)
        reached |= _reach([cut], children)

    for pid, kids in children.items():
        nodes[pid].children = sorted((nodes[k] for k in kids), key=_name_key)
    roots = sorted((nodes[r] for r in root_ids), key=_name_key)

    dotted = sorted(
        {
            DottedLine(p.id, m)
            for p in people
            for m in p.dotted_manager_ids
            if m in nodes and m != p.id
        },
        key=lambda d: (d.from_id, d.to_id),
    )
    return OrgChart(
        account=account,
        as_of=as_of,
        people_count=len(nodes),
        roots=roots,
        dotted_lines=dotted,
    )


def _cycle_from(start: str, parent: dict[str, str]) -> list[str]:
    """The solid-line cycle met by climbing from ``start`` (which must not reach a root)."""
    order: dict[str, int] = {}
    pid = start
    while pid not in order:
        order[pid] = len(order)
        pid = parent[pid]
    return [p for p, i in order.items() if i >= order[pid]]


def _reach(starts: Iterable[str], children: dict[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        stack.extend(children[pid])
    return seen


def _person(row: dict[str, Any], *, elsewhere_hidden: bool) -> PersonAtDate:
    # Title and department are stored once per person, so for someone who has moved on
    # they describe the new employer's job: not shown to a caller limited to this account.
    hide = elsewhere_hidden and row["home_account_id"] != row["account_id"]
    return PersonAtDate(
        id=row["id"],
        name=row["name"],
        title=None if hide else row["title"],
        department=None if hide else row["department"],
        status=row["status"],
        manager_ids=tuple(row["manager_ids"]),
        dotted_manager_ids=tuple(row["dotted_manager_ids"]),
        roles=tuple(
            RoleAtDate(r["role"], r["stance"], r["target_type"], r["target_id"])
            for r in row["roles"]
        ),
        ties=tuple(
            TieAtDate(t["team_member_id"], t["team_member_name"], float(t["strength"]))
            for t in row["ties"]
            if t["strength"] is not None
        ),
    )


def org_chart(
    graph: Graph,
    account_id: str,
    *,
    as_of: date,
    threshold: float,
    principal: Principal | None = None,
) -> OrgChart:
    """The org chart of ``account_id`` at the end of ``as_of`` (UTC).

    A ``principal`` limited to the account does not see the title and department of a
    person who has since moved to another account (they are the new employer's).
    """
    row = reads.org_chart_people(graph, account_id, valid_at=valid_at(as_of))
    if row is None:
        raise NotFound(f"no account with id {account_id!r}")
    account = AccountRef(id=row["id"], name=row["name"], tier=row["tier"])
    scoped = principal is not None and principal.account_id is not None
    people = [
        _person({**p, "account_id": account.id}, elsewhere_hidden=scoped) for p in row["people"]
    ]
    return build_org_chart(account, people, as_of=as_of, threshold=threshold)
