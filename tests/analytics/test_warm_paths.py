"""Warm paths: best, k best, from one team member, and the one-pass reach to everyone."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.analytics.engagement import engagement_graph
from service.analytics.model import (
    AccountGraph,
    Influences,
    Knows,
    ReportsTo,
    Stakeholder,
    TeamMember,
)
from service.analytics.warm_paths import WarmPath, best_warm_path, warm_paths, warm_reach
from tests.analytics.reference import (
    AS_OF,
    accounts,
    path_strength,
    reference_graph,
    simple_warm_paths,
    team_nodes,
)


def _account() -> AccountGraph:
    """Team t1, t2; target x.

    Warm paths to x within 4 hops, worked out by hand:
      t2 → x                 0.8                (direct tie)
      t1 → a → b → x         0.9 · 0.9 · 0.5 = 0.405
      t2 → c → x             0.6 · 0.6 = 0.36
    Not warm paths: t1 → d → t2 → x (passes through team member t2, would be 0.8) and
    t1 → p1 → p2 → p3 → p4 → x (5 hops, would be 1.0).
    """
    return AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[Stakeholder(s, s.upper()) for s in ("a", "b", "c", "d", "x")]
        + [Stakeholder(f"p{i}", f"P{i}") for i in range(1, 5)],
        team_members=[TeamMember("t1", "T1"), TeamMember("t2", "T2")],
        knows=[
            Knows("t1", "a", 0.9),
            Knows("t1", "d", 1.0),
            Knows("t1", "p1", 1.0),
            Knows("t2", "d", 1.0),
            Knows("t2", "x", 0.8),
            Knows("t2", "c", 0.6),
        ],
        influences=[
            Influences("a", "b", 0.9),
            Influences("c", "x", 0.6),
            Influences("p1", "p2", 1.0),
            Influences("p2", "p3", 1.0),
            Influences("p3", "p4", 1.0),
            Influences("p4", "x", 1.0),
        ],
        reports_to=[ReportsTo("b", "x")],  # solid, default strength 0.5
    )


def test_best_warm_path_from_anyone_is_the_direct_tie() -> None:
    path = best_warm_path(engagement_graph(_account()), "x")
    assert path is not None
    assert path.people == ("t2", "x")
    assert path.strength == pytest.approx(0.8)
    assert path.introducer_id is None


def test_best_warm_path_from_one_team_member_never_passes_another() -> None:
    path = best_warm_path(engagement_graph(_account()), "x", from_team_member="t1")
    assert path is not None
    # 0.405 via a and b; t1 → d → t2 → x (0.8) is not allowed through t2.
    assert path.people == ("t1", "a", "b", "x")
    assert path.strength == pytest.approx(0.405)
    assert [h.relationship for h in path.hops] == ["KNOWS", "INFLUENCES", "REPORTS_TO"]
    assert [h.strength for h in path.hops] == [0.9, 0.9, 0.5]
    assert path.introducer_id == "b"
    assert path.hop_count == 3


def test_hop_limit_is_a_search_constraint() -> None:
    graph = engagement_graph(_account())
    # With 5 hops the all-1.0 chain through p1..p4 becomes t1's best path.
    five = best_warm_path(graph, "x", from_team_member="t1", max_hops=5)
    assert five is not None and five.strength == pytest.approx(1.0) and five.hop_count == 5
    # With 2 hops t1 has no path at all (its shortest is 3 hops).
    assert best_warm_path(graph, "x", from_team_member="t1", max_hops=2) is None


def test_k_strongest_paths_in_order() -> None:
    paths = warm_paths(engagement_graph(_account()), "x", k=3)
    assert [p.people for p in paths] == [("t2", "x"), ("t1", "a", "b", "x"), ("t2", "c", "x")]
    assert [p.strength for p in paths] == pytest.approx([0.8, 0.405, 0.36])
    # Only three warm paths exist within 4 hops.
    assert len(warm_paths(engagement_graph(_account()), "x", k=10)) == 3


def test_reach_gives_every_stakeholder_in_one_pass() -> None:
    reach = warm_reach(engagement_graph(_account()))
    # b: max(t1-a-b 0.81, t2-x-b 0.8·0.5 = 0.4) = 0.81; p4: t1-p1-p2-p3-p4 = 1.0 (4 hops).
    assert reach.strength_to("b") == pytest.approx(0.81)
    assert reach.strength_to("p4") == pytest.approx(1.0)
    assert reach.strength_to("t1") == 0.0  # team members are not targets
    assert reach.strength_to("unknown") == 0.0


def test_no_path_gives_none_and_zero() -> None:
    account = AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[Stakeholder("a", "A"), Stakeholder("lonely", "L")],
        team_members=[TeamMember("t", "T")],
        knows=[Knows("t", "a", 0.9)],
    )
    graph = engagement_graph(account)
    assert best_warm_path(graph, "lonely") is None
    assert warm_paths(graph, "lonely") == []
    assert warm_reach(graph).strength_to("lonely") == 0.0
    assert warm_paths(graph, "not-in-account") == []


def _check_valid(graph: Any, path: WarmPath, max_hops: int) -> None:
    team = team_nodes(graph)
    assert path.people[0] in team and path.people[0] == path.team_member_id
    assert all(p not in team for p in path.people[1:])
    assert len(set(path.people)) == len(path.people)
    assert 1 <= path.hop_count <= max_hops
    assert path.strength == pytest.approx(path_strength(graph, list(path.people)))


@settings(max_examples=300, deadline=None)
@given(accounts(), st.integers(1, 4), st.integers(1, 4), st.data())
def test_warm_paths_match_exhaustive_enumeration(
    account: AccountGraph, max_hops: int, k: int, data: st.DataObject
) -> None:
    ref = reference_graph(account)
    graph = engagement_graph(account)
    reach = warm_reach(graph, max_hops=max_hops)
    team = sorted(team_nodes(ref))
    source = data.draw(st.sampled_from([None, *team]))
    for target in sorted(n for n in ref.nodes if n not in team):
        candidates = [
            p for p in simple_warm_paths(ref, target, max_hops) if source is None or p[0] == source
        ]
        strengths = sorted((path_strength(ref, p) for p in candidates), reverse=True)
        best = strengths[0] if strengths else 0.0
        if source is None:
            assert reach.strength_to(target) == pytest.approx(best)
        path = best_warm_path(graph, target, from_team_member=source, max_hops=max_hops)
        if best == 0.0:
            assert path is None
        else:
            assert path is not None
            _check_valid(ref, path, max_hops)
            assert path.strength == pytest.approx(best)
        top = warm_paths(graph, target, from_team_member=source, k=k, max_hops=max_hops)
        assert [p.strength for p in top] == pytest.approx(strengths[:k])
        assert len({p.people for p in top}) == len(top)
        for p in top:
            _check_valid(ref, p, max_hops)
