"""Independent reference implementations and random accounts for the property tests.

Everything here is written straight from the definitions of docs/definitions.md with networkx and
plain Python, sharing no code with ``service.analytics`` beyond the input model, so
that the property tests compare two independent implementations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import networkx as nx
from hypothesis import strategies as st

from service.analytics.model import (
    AccountGraph,
    Budget,
    Controls,
    Influences,
    Knows,
    Opportunity,
    ReportsTo,
    Role,
    Stakeholder,
    TeamMember,
)

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
STRENGTHS = st.sampled_from([0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.8, 0.9, 1.0])
KEY_ROLE_CHOICES = st.sampled_from(["champion", "decision_maker", "economic_buyer", "user"])


@st.composite
def accounts(draw: st.DrawFn, max_stakeholders: int = 9, max_team: int = 3) -> AccountGraph:
    """A small random account: any mix of statuses, ties, influence, reporting and roles."""
    n_s = draw(st.integers(1, max_stakeholders))
    n_t = draw(st.integers(0, max_team))
    status = st.sampled_from(["active"] * 6 + ["left"])
    stakeholders = [Stakeholder(f"s{i}", f"S{i}", status=draw(status)) for i in range(n_s)]
    team = [TeamMember(f"t{i}", f"T{i}", status=draw(status)) for i in range(n_t)]
    knows: list[Knows] = []
    if n_t:
        for t, s, strength in draw(
            st.lists(
                st.tuples(st.integers(0, n_t - 1), st.integers(0, n_s - 1), STRENGTHS),
                max_size=3 * n_s,
            )
        ):
            knows.append(Knows(f"t{t}", f"s{s}", strength))
    pairs = st.tuples(st.integers(0, n_s - 1), st.integers(0, n_s - 1))
    influences = [
        Influences(f"s{a}", f"s{b}", strength)
        for (a, b), strength in draw(st.lists(st.tuples(pairs, STRENGTHS), max_size=2 * n_s))
    ]
    reports = [
        ReportsTo(f"s{a}", f"s{b}", kind, strength)
        for (a, b), kind, strength in draw(
            st.lists(
                st.tuples(pairs, st.sampled_from(["solid", "dotted"]), st.none() | STRENGTHS),
                max_size=n_s,
            )
        )
    ]
    roles = [
        Role(f"s{s}", role, "account", "acc")
        for s, role in draw(
            st.lists(st.tuples(st.integers(0, n_s - 1), KEY_ROLE_CHOICES), max_size=n_s)
        )
    ]
    return AccountGraph(
        "acc",
        AS_OF,
        stakeholders=stakeholders,
        team_members=team,
        knows=knows,
        influences=influences,
        reports_to=reports,
        roles=roles,
        controls=[Controls(f"s{i}", "b", "owner") for i in draw(st.sets(st.integers(0, n_s - 1)))],
        budgets=[Budget("b", "Budget")],
        opportunities=[Opportunity("o", "Opp")],
    )


def reference_graph(account: AccountGraph, theta: float = 0.2, default: float = 0.5) -> Any:
    """The engagement graph (docs/definitions.md), built edge by edge in networkx."""
    stakeholders = {s.id for s in account.stakeholders if s.status == "active"}
    team = {t.id for t in account.team_members if t.status == "active"}
    graph: Any = nx.Graph()
    graph.add_nodes_from(stakeholders, kind="stakeholder")

    def offer(a: str, b: str, strength: float) -> None:
        if strength <= 0 or a == b:
            return
        if not graph.has_edge(a, b) or graph[a][b]["strength"] < strength:
            graph.add_edge(a, b, strength=strength)

    for k in account.knows:
        active_tie = k.strength >= theta and k.strength > 0
        if active_tie and k.team_member_id in team and k.stakeholder_id in stakeholders:
            graph.add_node(k.team_member_id, kind="team_member")
            offer(k.team_member_id, k.stakeholder_id, k.strength)
    for i in account.influences:
        if i.from_id in stakeholders and i.to_id in stakeholders:
            offer(i.from_id, i.to_id, i.strength)
    for r in account.reports_to:
        if r.from_id in stakeholders and r.to_id in stakeholders:
            offer(r.from_id, r.to_id, default if r.strength is None else r.strength)
    return graph


def team_nodes(graph: Any) -> set[str]:
    return {n for n, kind in graph.nodes(data="kind") if kind == "team_member"}


def reference_keys(account: AccountGraph) -> set[str]:
    """The key stakeholders (docs/definitions.md), written out again."""
    key_roles = {"champion", "decision_maker", "economic_buyer"}
    key_authorities = {"owner", "approver", "signatory"}
    active = {s.id for s in account.stakeholders if s.status == "active"}
    keyed = {r.stakeholder_id for r in account.roles if r.role in key_roles}
    keyed |= {c.stakeholder_id for c in account.controls if c.authority in key_authorities}
    return keyed & active


def reachable_from_team(graph: Any) -> set[str]:
    """Nodes with a path to some team member (plain BFS)."""
    seen = set(team_nodes(graph))
    frontier = list(seen)
    while frontier:
        node = frontier.pop()
        for other in graph.neighbors(node):
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    return seen


def simple_warm_paths(graph: Any, target: str, max_hops: int = 4) -> Iterator[list[str]]:
    """Every simple path team member → … → target of ≤ max_hops hops, stakeholders inside."""
    team = team_nodes(graph)

    def extend(path: list[str]) -> Iterator[list[str]]:
        if len(path) - 1 > max_hops:
            return
        if path[-1] == target:
            yield path
            return
        for other in graph.neighbors(path[-1]):
            if other not in path and other not in team:
                yield from extend([*path, other])

    if target in graph and target not in team:
        for member in sorted(team):
            yield from extend([member])


def path_strength(graph: Any, path: list[str]) -> float:
    strength = 1.0
    for a, b in zip(path, path[1:], strict=False):
        strength *= graph[a][b]["strength"]
    return strength


def connected_ordered_pairs(graph: Any) -> int:
    """Ordered pairs (i, j), i ≠ j, with a path between them, by a BFS from every node."""
    total = 0
    for node in graph.nodes:
        seen = {node}
        frontier = [node]
        while frontier:
            current = frontier.pop()
            for other in graph.neighbors(current):
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
        total += len(seen) - 1
    return total


def without(graph: Any, people: Iterable[str]) -> Any:
    """The reference graph minus some people; team members left without ties drop out."""
    reduced = graph.copy()
    reduced.remove_nodes_from([p for p in people if p in reduced])
    reduced.remove_nodes_from(
        [n for n in team_nodes(reduced) if reduced.degree(n) == 0]  # no active tie left
    )
    return reduced
