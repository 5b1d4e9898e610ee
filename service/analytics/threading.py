"""Single-threaded relationships: where the account hangs on one person, on either side.

- **Key stakeholders** with their coverage (docs/definitions.md, "Coverage": dark / single / multi)
  and who covers them.
- **Opportunities** at risk: at most one *engaged* stakeholder (a stakeholder with a
  role on the opportunity and coverage ≥ 1), or no engaged champion, or no engaged
  economic buyer.
- **Account verdicts**: our side is single-threaded when every active tie goes
  through one team member, their side when every active tie goes to one stakeholder
  (``dark`` when there is no active tie at all).
- **Threading risk** (0–100, for ranking accounts; :func:`threading_risk`):
  ``60 · key_exposure + 20 · side(ours) + 20 · side(theirs)`` with
  ``key_exposure = (dark + ½ · single) / key stakeholders`` (1 when none is identified)
  and ``side(n) = 1`` when nobody on that side holds an active tie, ``½`` when one person
  does, ``0`` from two on. The portfolio computes the same formula in Cypher
  (``service/graph/cypher/analytics/portfolio_threading_scores.cypher``) and a property
  test (``tests/integration/test_portfolio_threading.py``) checks both agree.
- **Single points of failure** (docs/definitions.md): articulation points of the engagement graph
  whose removal leaves a key stakeholder with no path to any team member, and bridges
  (the edge analogue), each with the key stakeholders it would cut off.

Single points of failure come from one pass over the *block-cut tree*: the
biconnected components (rustworkx, linear time) joined to the people they contain
form a tree; removing an articulation point splits its component into exactly the
subtrees hanging off it, so with subtree counts of team members (prefix sums over a
preorder) each cut vertex is settled by looking at its neighbours in the tree, instead
of removing each person and searching again (O(n · m)). Key stakeholders already
unreachable before the cut are never reported as cut off by it, and the removed
person is never counted as cut off from themselves.

>>> from datetime import datetime, timezone
>>> from service.analytics.model import AccountGraph, Influences, Knows, Role, Stakeholder
>>> from service.analytics.model import TeamMember
>>> account = AccountGraph(
...     "acme", datetime(2026, 1, 31, tzinfo=timezone.utc),
...     stakeholders=[Stakeholder("champ", "Cho"), Stakeholder("cfo", "Cleo")],
...     team_members=[TeamMember("am", "Ann")],
...     knows=[Knows("am", "champ", 0.9)],
...     influences=[Influences("champ", "cfo", 0.5)],
...     roles=[Role("cfo", "economic_buyer", "account", "acme")],
... )
>>> report = threading_report(account)
>>> [(p.person_id, p.cut_off) for p in report.single_points_of_failure]
[('champ', ('cfo',))]
>>> report.our_side.level, report.our_side.through_id
('single', 'am')
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import rustworkx as rx

from service.analytics.engagement import (
    Coverage,
    CoverageLevel,
    EngagementGraph,
    KeyReason,
    Relationship,
    active_ties,
    coverage_level,
    coverage_of,
    engagement_graph_of,
    key_stakeholders,
)
from service.analytics.fragmentation import reachable_from_team
from service.analytics.model import AccountGraph, AnalyticsParams, Knows, RoleName

__all__ = [
    "RISK_WEIGHTS",
    "CutPerson",
    "CutRelationship",
    "KeyStakeholderThreading",
    "OpportunityRisk",
    "OpportunityStakeholder",
    "OpportunityThreading",
    "PersonTies",
    "RiskComponent",
    "SidePerspective",
    "SideVerdict",
    "SinglePointsOfFailure",
    "ThreadingReport",
    "ThreadingRisk",
    "key_exposure",
    "opportunity_threading",
    "side_exposure",
    "side_verdicts",
    "single_points_of_failure",
    "threading_report",
    "threading_risk",
]

SidePerspective = Literal["ours", "theirs"]
OpportunityRisk = Literal["single_threaded", "no_engaged_champion", "no_engaged_economic_buyer"]
_TOP_PEOPLE = 10

#: Points of each component of :func:`threading_risk` (they sum to 100).
RISK_WEIGHTS: Final = {"key_exposure": 60.0, "our_side": 20.0, "their_side": 20.0}


@dataclass(frozen=True, slots=True)
class CutPerson:
    """An articulation point and the key stakeholders its departure cuts off from the team."""

    person_id: str
    kind: Literal["team_member", "stakeholder"]
    cut_off: tuple[str, ...]  # the key stakeholders cut off, by id


@dataclass(frozen=True, slots=True)
class CutRelationship:
    """A bridge of the engagement graph and the key stakeholders its loss cuts off."""

    from_id: str
    to_id: str
    relationship: Relationship
    strength: float
    cut_off: tuple[str, ...]  # the key stakeholders cut off, by id


@dataclass(frozen=True, slots=True)
class SinglePointsOfFailure:
    """People and relationships whose loss cuts the team off from key stakeholders.

    Both lists are sorted by how many key stakeholders they cut off (most first).
    """

    people: tuple[CutPerson, ...]
    relationships: tuple[CutRelationship, ...]


@dataclass(frozen=True, slots=True)
class KeyStakeholderThreading:
    """A key stakeholder, why they are key, who covers them, and whether the team reaches them."""

    stakeholder_id: str
    name: str
    title: str | None
    reasons: tuple[KeyReason, ...]
    coverage: Coverage
    reachable: bool


@dataclass(frozen=True, slots=True)
class OpportunityStakeholder:
    """A stakeholder with a role on an opportunity; engaged when coverage ≥ 1."""

    stakeholder_id: str
    roles: tuple[RoleName, ...]
    coverage_count: int
    engaged: bool


@dataclass(frozen=True, slots=True)
class OpportunityThreading:
    """How well an opportunity is threaded, with the reasons it is at risk (if any)."""

    opportunity_id: str
    name: str
    stage: str | None
    stakeholders: tuple[OpportunityStakeholder, ...]
    engaged_count: int
    engaged_champion_ids: tuple[str, ...]
    engaged_economic_buyer_ids: tuple[str, ...]
    risks: tuple[OpportunityRisk, ...]
    at_risk: bool


@dataclass(frozen=True, slots=True)
class PersonTies:
    person_id: str
    active_ties: int


@dataclass(frozen=True, slots=True)
class SideVerdict:
    """Account-level threading on one side.

    ``level`` is ``dark`` (no active tie), ``single`` (every active tie goes through
    ``through_id``) or ``multi``. ``top_people`` are the people on this side with the
    most active ties (at most 10), ``largest_share`` the share of ties of the first.
    """

    side: SidePerspective
    level: CoverageLevel
    through_id: str | None
    people_with_ties: int
    active_tie_count: int
    largest_share: float
    top_people: tuple[PersonTies, ...]


@dataclass(frozen=True, slots=True)
class ThreadingReport:
    """Everything ``GET /v1/accounts/{id}/threading`` returns, with the people behind it.

    ``risk`` is the key exposure in [0, 1] (:func:`key_exposure`), the first component
    of the 0–100 :func:`threading_risk` the API reports.
    """

    account_id: str
    key_stakeholders: tuple[KeyStakeholderThreading, ...]
    key_coverage_counts: dict[CoverageLevel, int]
    risk: float
    opportunities: tuple[OpportunityThreading, ...]
    our_side: SideVerdict
    their_side: SideVerdict
    single_points_of_failure: tuple[CutPerson, ...]
    bridges: tuple[CutRelationship, ...]
    notes: tuple[str, ...]


def single_points_of_failure(
    graph: EngagementGraph, key_stakeholder_ids: Iterable[str]
) -> SinglePointsOfFailure:
    """Articulation points and bridges that cut every team member off from a key stakeholder.

    One block-cut-tree pass, O(nodes + edges) (see the module docstring). Key
    stakeholder ids not in the graph are ignored.
    """
    n = len(graph.node_ids)
    is_key = np.zeros(n, dtype=np.bool_)
    for person in key_stakeholder_ids:
        i = graph.index.get(person)
        if i is not None and i >= graph.n_team and graph.present[i]:
            is_key[i] = True
    rx_graph, universe = graph.to_rustworkx()
    p = int(universe.shape[0])
    components = rx.biconnected_components(rx_graph)
    if not components:
        return SinglePointsOfFailure((), ())

    # Block-cut tree: vertex j is tree node j, block b is tree node p + b.
    ends = np.array(list(components.keys()), dtype=np.int64).reshape(-1, 2)
    _, block = np.unique(np.array(list(components.values()), dtype=np.int64), return_inverse=True)
    block = block.astype(np.int64)
    n_blocks = int(block.max()) + 1
    edges_in_block = np.bincount(block, minlength=n_blocks)
    incidence = np.unique(np.concatenate((block * p + ends[:, 0], block * p + ends[:, 1])))
    inc_block, inc_vertex = incidence // p + p, incidence % p
    size = p + n_blocks
    tree_src = np.concatenate((inc_vertex, inc_block))
    tree_dst = np.concatenate((inc_block, inc_vertex))
    order = np.argsort(tree_src)
    tree_adj: list[int] = tree_dst[order].tolist()
    tree_ptr: list[int] = [0, *np.cumsum(np.bincount(tree_src, minlength=size)).tolist()]

    # Iterative DFS: preorder positions, parents, subtree ends, component roots. Roots
    # are the lowest indices, so a component with a team member is rooted at one and
    # the "parent side" of a cut below never lacks one; the checks stay for clarity.
    parent = [-1] * size
    root_of = [-1] * size
    tin = [0] * size
    preorder: list[int] = []
    for root in range(p):
        if root_of[root] != -1 or tree_ptr[root] == tree_ptr[root + 1]:
            continue
        root_of[root] = root
        stack = [root]
        while stack:
            x = stack.pop()
            tin[x] = len(preorder)
            preorder.append(x)
            for y in tree_adj[tree_ptr[x] : tree_ptr[x + 1]]:
                if root_of[y] == -1:
                    root_of[y] = root
                    parent[y] = x
                    stack.append(y)
    subtree = [1] * size
    for x in reversed(preorder):
        if parent[x] != -1:
            subtree[parent[x]] += subtree[x]

    universe_list: list[int] = universe.tolist()
    t = graph.n_team
    team_prefix = [0]
    key_positions: list[int] = []
    for position, x in enumerate(preorder):
        is_vertex = x < p
        team_prefix.append(team_prefix[-1] + int(is_vertex and universe_list[x] < t))
        if is_vertex and is_key[universe_list[x]]:
            key_positions.append(position)

    def team_in(x: int) -> int:
        return team_prefix[tin[x] + subtree[x]] - team_prefix[tin[x]]

    def keys_between(lo: int, hi: int) -> list[int]:
        a, b = bisect.bisect_left(key_positions, lo), bisect.bisect_left(key_positions, hi)
        return [universe_list[preorder[pos]] for pos in key_positions[a:b]]

    def keys_outside(x: int) -> list[int]:
        root = root_of[x]
        return keys_between(tin[root], tin[x]) + keys_between(
            tin[x] + subtree[x], tin[root] + subtree[root]
        )

    ids = graph.node_ids
    people: list[CutPerson] = []
    for x in range(p):
        if tree_ptr[x + 1] - tree_ptr[x] < 2:
            continue  # in fewer than two blocks: not an articulation point
        total = team_in(root_of[x])
        if total == 0:
            continue  # nobody in this component was reachable before
        cut: list[int] = []
        for b in tree_adj[tree_ptr[x] : tree_ptr[x + 1]]:
            if parent[b] == x and team_in(b) == 0:
                cut += keys_between(tin[b], tin[b] + subtree[b])
        if parent[x] != -1 and total - team_in(x) == 0:
            cut += keys_outside(x)
        if cut:
            node = universe_list[x]
            kind: Literal["team_member", "stakeholder"] = (
                "team_member" if node < t else "stakeholder"
            )
            people.append(CutPerson(ids[node], kind, tuple(sorted(ids[i] for i in cut))))

    relationships: list[CutRelationship] = []
    for b in np.flatnonzero(edges_in_block == 1).tolist():
        node_b = p + b
        child = next(
            y for y in tree_adj[tree_ptr[node_b] : tree_ptr[node_b + 1]] if y != parent[node_b]
        )
        total = team_in(root_of[node_b])
        if total == 0:
            continue
        if team_in(child) == 0:
            cut = keys_between(tin[child], tin[child] + subtree[child])
        elif total - team_in(child) == 0:
            cut = keys_outside(child)
        else:
            continue
        if cut:
            a, c = universe_list[parent[node_b]], universe_list[child]
            edge = graph.find_edge(a, c)
            assert edge is not None  # a block edge is an edge of the graph
            u, v = int(graph.edge_u[edge]), int(graph.edge_v[edge])
            relationships.append(
                CutRelationship(
                    ids[u],
                    ids[v],
                    graph.relationship(edge),
                    float(graph.edge_strength[edge]),
                    tuple(sorted(ids[i] for i in cut)),
                )
            )
    people.sort(key=lambda c: (-len(c.cut_off), c.person_id))
    relationships.sort(key=lambda c: (-len(c.cut_off), c.from_id, c.to_id))
    return SinglePointsOfFailure(tuple(people), tuple(relationships))


@dataclass(frozen=True, slots=True)
class RiskComponent:
    """One part of a score: its value in [0, 1], weight, points (= weight · value), why."""

    name: str
    value: float
    weight: float
    points: float
    detail: str


@dataclass(frozen=True, slots=True)
class ThreadingRisk:
    """The threading risk score (0–100, rounded to 6 decimals) and its components."""

    score: float
    components: tuple[RiskComponent, ...]


def key_exposure(*, key_stakeholders: int, key_dark: int, key_single: int) -> float:
    """``(dark + ½ · single) / key stakeholders`` in [0, 1]; 1.0 when none is identified.

    Not knowing who decides is the worst exposure.

    >>> key_exposure(key_stakeholders=4, key_dark=1, key_single=2)
    0.5
    >>> key_exposure(key_stakeholders=0, key_dark=0, key_single=0)
    1.0
    """
    if key_stakeholders == 0:
        return 1.0
    return (key_dark + 0.5 * key_single) / key_stakeholders


def side_exposure(people: int) -> float:
    """One side's exposure: 1 when nobody holds an active tie, ½ for one person, else 0.

    >>> [side_exposure(n) for n in (0, 1, 2, 7)]
    [1.0, 0.5, 0.0, 0.0]
    """
    return 1.0 if people == 0 else 0.5 if people == 1 else 0.0


def threading_risk(
    *, key_stakeholders: int, key_dark: int, key_single: int, our_side: int, their_side: int
) -> ThreadingRisk:
    """The account's threading risk (0–100) and its three components.

    ``risk = 60 · key_exposure + 20 · side(ours) + 20 · side(theirs)``
    (:data:`RISK_WEIGHTS`, :func:`key_exposure`, :func:`side_exposure`); ``our_side`` is
    the number of team members, ``their_side`` the number of stakeholders, holding an
    active tie. Key stakeholders weigh most because losing them loses deals; the two
    side verdicts say whether the whole account hangs on one person. It needs only
    counts, so the portfolio ranking computes the same number in Cypher next to the
    data (rounded to 6 decimals there and here); this function is its reference.

    >>> threading_risk(key_stakeholders=4, key_dark=1, key_single=2, our_side=1, their_side=3).score
    40.0
    """
    exposure = key_exposure(
        key_stakeholders=key_stakeholders, key_dark=key_dark, key_single=key_single
    )
    parts = (
        (
            "key_exposure",
            exposure,
            f"{key_dark} dark and {key_single} single-threaded of {key_stakeholders} "
            "key stakeholders"
            if key_stakeholders
            else "no key stakeholder identified",
        ),
        ("our_side", side_exposure(our_side), f"{our_side} team members hold active ties"),
        (
            "their_side",
            side_exposure(their_side),
            f"{their_side} stakeholders hold active ties",
        ),
    )
    components = tuple(
        RiskComponent(name, value, RISK_WEIGHTS[name], RISK_WEIGHTS[name] * value, detail)
        for name, value, detail in parts
    )
    return ThreadingRisk(round(sum(c.points for c in components), 6), components)


def opportunity_threading(
    account: AccountGraph, coverage_by_stakeholder: dict[str, Coverage]
) -> list[OpportunityThreading]:
    """Engagement of each opportunity's stakeholders (roles on that opportunity only)."""
    roles_by_opportunity: dict[str, dict[str, list[RoleName]]] = {}
    for role in account.roles:
        if role.target_kind == "opportunity" and role.stakeholder_id in coverage_by_stakeholder:
            people = roles_by_opportunity.setdefault(role.target_id, {})
            people.setdefault(role.stakeholder_id, []).append(role.role)
    result = []
    for opportunity in account.opportunities:
        people = roles_by_opportunity.get(opportunity.id, {})
        entries = []
        for stakeholder_id, roles in people.items():
            count = coverage_by_stakeholder[stakeholder_id].count
            entries.append(OpportunityStakeholder(stakeholder_id, tuple(roles), count, count > 0))
        engaged = [e for e in entries if e.engaged]
        champions = tuple(e.stakeholder_id for e in engaged if "champion" in e.roles)
        buyers = tuple(e.stakeholder_id for e in engaged if "economic_buyer" in e.roles)
        risks: list[OpportunityRisk] = []
        if len(engaged) <= 1:
            risks.append("single_threaded")
        if not champions:
            risks.append("no_engaged_champion")
        if not buyers:
            risks.append("no_engaged_economic_buyer")
        result.append(
            OpportunityThreading(
                opportunity.id,
                opportunity.name,
                opportunity.stage,
                tuple(entries),
                len(engaged),
                champions,
                buyers,
                tuple(risks),
                bool(risks),
            )
        )
    return result


def _side(side: SidePerspective, ties_per_person: Counter[str]) -> SideVerdict:
    total = sum(ties_per_person.values())
    top = ties_per_person.most_common(_TOP_PEOPLE)
    level = coverage_level(len(ties_per_person))
    return SideVerdict(
        side=side,
        level=level,
        through_id=top[0][0] if level == "single" else None,
        people_with_ties=len(ties_per_person),
        active_tie_count=total,
        largest_share=top[0][1] / total if total else 0.0,
        top_people=tuple(PersonTies(person, count) for person, count in top),
    )


def side_verdicts(
    account: AccountGraph, params: AnalyticsParams | None = None
) -> tuple[SideVerdict, SideVerdict]:
    """Our-side and their-side verdicts from the account's active ties."""
    return _sides(active_ties(account, params))


def _sides(ties: Iterable[Knows]) -> tuple[SideVerdict, SideVerdict]:
    ties = list(ties)
    ours = Counter(t.team_member_id for t in ties)
    theirs = Counter(t.stakeholder_id for t in ties)
    return _side("ours", ours), _side("theirs", theirs)


def threading_report(
    account: AccountGraph,
    params: AnalyticsParams | None = None,
    *,
    graph: EngagementGraph | None = None,
) -> ThreadingReport:
    """The full threading analysis of one account (see the module docstring).

    An account with no stakeholders or no team coverage gives a valid report whose
    ``notes`` explain it. ``graph``, when given, must be ``engagement_graph(account,
    params)`` (a cache's copy; built here otherwise).
    """
    params = params or AnalyticsParams()
    graph = engagement_graph_of(account, params, graph)
    keys = key_stakeholders(account)
    # Coverage is needed for key stakeholders and people with a role on an opportunity.
    with_roles = {r.stakeholder_id for r in account.roles if r.target_kind == "opportunity"}
    covered = coverage_of(account, set(keys) | with_roles, params)
    spof = single_points_of_failure(graph, keys)

    reachable = reachable_from_team(graph)

    key_rows = tuple(
        KeyStakeholderThreading(
            k.stakeholder_id,
            k.name,
            k.title,
            k.reasons,
            covered[k.stakeholder_id],
            bool(reachable[graph.index[k.stakeholder_id]]),
        )
        for k in keys.values()
    )
    counts: dict[CoverageLevel, int] = {"dark": 0, "single": 0, "multi": 0}
    for row in key_rows:
        counts[row.coverage.level] += 1
    ours, theirs = side_verdicts(account, params)

    notes = []
    if len(graph.node_ids) == graph.n_team:  # no active stakeholder at all
        notes.append("The account has no active stakeholders.")
    elif not keys:
        notes.append(
            "No key stakeholder is identified (no champion, decision maker, economic buyer "
            "or budget owner/approver/signatory among active stakeholders)."
        )
    if ours.level == "dark":
        notes.append("No team member has an active tie at this account: everyone is dark.")
    return ThreadingReport(
        account_id=account.account_id,
        key_stakeholders=key_rows,
        key_coverage_counts=counts,
        risk=key_exposure(
            key_stakeholders=len(key_rows), key_dark=counts["dark"], key_single=counts["single"]
        ),
        opportunities=tuple(opportunity_threading(account, covered)),
        our_side=ours,
        their_side=theirs,
        single_points_of_failure=spof.people,
        bridges=spof.relationships,
        notes=tuple(notes),
    )
