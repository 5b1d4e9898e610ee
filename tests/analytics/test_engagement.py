"""Engagement graph, key stakeholders and coverage (docs/definitions.md)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings

from service.analytics import budget_control, threading_report
from service.analytics.departure_impact import departure_impact
from service.analytics.engagement import (
    active_ties,
    coverage,
    coverage_level,
    engagement_graph,
    engagement_graph_of,
    index_account,
    key_stakeholders,
)
from service.analytics.model import (
    AccountGraph,
    AnalyticsParams,
    Controls,
    Influences,
    Knows,
    ReportsTo,
    Role,
    Stakeholder,
    TeamMember,
)
from service.analytics.power_map import power_map
from tests.analytics.reference import AS_OF, accounts, reference_graph


def _mixed_account() -> AccountGraph:
    return AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[
            Stakeholder("a", "A"),
            Stakeholder("b", "B"),
            Stakeholder("c", "C"),
            Stakeholder("d", "D", status="left"),
            Stakeholder("e", "E"),
            Stakeholder("f", "F"),
        ],
        team_members=[
            TeamMember("t1", "T1"),
            TeamMember("t2", "T2", status="left"),
            TeamMember("t3", "T3"),
            TeamMember("t4", "T4"),
        ],
        knows=[
            Knows("t1", "a", 0.8),
            Knows("t1", "a", 0.6),  # duplicate pair: the stronger 0.8 counts
            Knows("t2", "b", 0.9),  # t2 left
            Knows("t3", "b", 0.19),  # below θ = 0.2, so t3 has no active tie
            Knows("t1", "d", 0.9),  # d left
            Knows("t1", "x", 0.9),  # x is not in this account
            Knows("t4", "a", 0.5),
            Knows("t4", "b", 0.2),  # exactly θ: active
        ],
        influences=[
            Influences("a", "b", 0.3),
            Influences("b", "a", 0.7),  # same pair, stronger: INFLUENCES 0.7
            Influences("a", "c", 0.4),
            Influences("e", "f", 0.5),
        ],
        reports_to=[
            ReportsTo("c", "a"),  # default 0.5 beats INFLUENCES a→c 0.4
            ReportsTo("b", "c", "dotted", 0.0),  # zero strength carries nothing
            ReportsTo("e", "f", "dotted"),  # 0.5 = INFLUENCES e→f 0.5: REPORTS_TO named
        ],
    )


def _edges(account: AccountGraph, params: AnalyticsParams | None = None) -> dict:
    graph = engagement_graph(account, params).to_networkx()
    return {
        frozenset((u, v)): (round(d["strength"], 9), d["relationship"])
        for u, v, d in graph.edges(data=True)
    }


def test_engagement_graph_keeps_the_strongest_active_relationship_per_pair() -> None:
    graph = engagement_graph(_mixed_account())
    # Nodes: t1 and t4 (active ties); a, b, c, e, f (active). Not t2 (left), not t3
    # (0.19 < θ), not d (left).
    assert set(graph.to_networkx().nodes) == {"t1", "t4", "a", "b", "c", "e", "f"}
    assert graph.node_count == 7
    assert _edges(_mixed_account()) == {
        frozenset(("t1", "a")): (0.8, "KNOWS"),
        frozenset(("t4", "a")): (0.5, "KNOWS"),
        frozenset(("t4", "b")): (0.2, "KNOWS"),
        frozenset(("a", "b")): (0.7, "INFLUENCES"),
        frozenset(("a", "c")): (0.5, "REPORTS_TO"),
        frozenset(("e", "f")): (0.5, "REPORTS_TO"),
    }


def test_threshold_and_reports_to_default_are_configurable() -> None:
    params = AnalyticsParams(active_tie_threshold=0.5, reports_to_default_strength=0.9)
    edges = _edges(_mixed_account(), params)
    # θ = 0.5 drops t4–b (0.2); REPORTS_TO now counts 0.9 and wins e–f and a–c.
    assert frozenset(("t4", "b")) not in edges
    assert edges[frozenset(("t4", "a"))] == (0.5, "KNOWS")
    assert edges[frozenset(("a", "c"))] == (0.9, "REPORTS_TO")
    assert edges[frozenset(("e", "f"))] == (0.9, "REPORTS_TO")


def test_edge_cost_is_minus_log_strength() -> None:
    graph = engagement_graph(_mixed_account()).to_networkx()
    assert graph["a"]["b"]["cost"] == pytest.approx(-math.log(0.7))


def test_without_removes_people_and_team_members_left_without_ties() -> None:
    graph = engagement_graph(_mixed_account())
    # t1 knows only a, t4 knows a and b: without a and b both have no tie left and
    # drop out too. Unknown ids are ignored.
    after = graph.without(["a", "b", "nobody"])
    assert set(after.to_networkx().nodes) == {"c", "e", "f"}
    assert after.edge_count == 1  # only e–f is left
    assert graph.edge_count == 6  # the original is unchanged


def test_coverage_counts_distinct_active_team_members() -> None:
    cov = coverage(_mixed_account())
    # a: t1 (0.8) and t4 (0.5), strongest first; b: t4 only (t2 left, t3 < θ); c: none.
    assert cov["a"].level == "multi"
    assert cov["a"].team_member_ids == ("t1", "t4")
    assert cov["b"].level == "single" and cov["b"].team_member_ids == ("t4",)
    assert cov["c"].level == "dark" and cov["c"].count == 0
    assert "d" not in cov  # people who left have no coverage entry
    counts = engagement_graph(_mixed_account()).coverage_counts()
    index = engagement_graph(_mixed_account()).index
    assert [int(counts[index[s]]) for s in "abc"] == [2, 1, 0]


def test_active_ties_drop_inactive_people_and_weak_ties() -> None:
    ties = {(t.team_member_id, t.stakeholder_id, t.strength) for t in active_ties(_mixed_account())}
    assert ties == {("t1", "a", 0.8), ("t4", "a", 0.5), ("t4", "b", 0.2)}


def test_coverage_level_boundaries() -> None:
    assert [coverage_level(n) for n in (0, 1, 2, 3)] == ["dark", "single", "multi", "multi"]


def test_key_stakeholders_by_role_or_authority() -> None:
    account = AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[
            Stakeholder("champ", "C"),
            Stakeholder("owner", "O"),
            Stakeholder("rec", "R"),
            Stakeholder("user", "U"),
            Stakeholder("gone", "G", status="left"),
        ],
        roles=[
            Role("champ", "champion", "opportunity", "o1", 2),
            Role("user", "user", "account", "acc"),
            Role("gone", "economic_buyer", "account", "acc"),
        ],
        controls=[
            Controls("owner", "b1", "owner"),
            Controls("rec", "b1", "recommender"),
            Controls("champ", "b1", "signatory"),
        ],
    )
    keys = key_stakeholders(account)
    # champion and owner are key; a recommender, a user and someone who left are not.
    assert list(keys) == ["champ", "owner"]
    assert {(r.kind, r.value) for r in keys["champ"].reasons} == {
        ("role", "champion"),
        ("authority", "signatory"),
    }


@settings(max_examples=200, deadline=None)
@given(accounts())
def test_engagement_graph_matches_an_edge_by_edge_reference(account: AccountGraph) -> None:
    ours = engagement_graph(account).to_networkx()
    ref = reference_graph(account)
    assert set(ours.nodes) == set(ref.nodes)
    assert {frozenset(e) for e in ours.edges} == {frozenset(e) for e in ref.edges}
    for u, v, data in ref.edges(data=True):
        assert ours[u][v]["strength"] == data["strength"]
    for node, kind in ref.nodes(data="kind"):
        assert ours.nodes[node]["kind"] == kind


@settings(max_examples=60, deadline=None)
@given(accounts(max_stakeholders=10, max_team=3))
def test_prebuilt_graphs_give_the_same_answers(account: AccountGraph) -> None:
    """What the account cache hands the analyses equals what they would build."""
    params = AnalyticsParams()
    indexed = index_account(account)
    graph = engagement_graph(indexed, params)
    people = [t.id for t in account.team_members][:1] + [s.id for s in account.stakeholders][:1]
    assert departure_impact(account, people, params, graph=graph) == departure_impact(
        account, people, params
    )
    assert threading_report(account, params, graph=graph) == threading_report(account, params)
    assert power_map(account, params, indexed=indexed, graph=graph) == power_map(account, params)
    for budget in account.budgets:
        assert budget_control(
            account, budget.id, params, indexed=indexed, graph=graph
        ) == budget_control(account, budget.id, params)


def test_a_graph_of_another_account_is_refused() -> None:
    other = engagement_graph(AccountGraph("other", AS_OF))
    with pytest.raises(ValueError, match="'other' given for 'acme'"):
        engagement_graph_of(AccountGraph("acme", AS_OF), AnalyticsParams(), other)
