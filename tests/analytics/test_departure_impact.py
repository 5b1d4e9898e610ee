"""Departure impact of one person or several at once (a reorg)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import service.analytics.departure_impact as departure_module
from service.analytics.departure_impact import combine_departure_impacts, departure_impact
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
from tests.analytics.reference import (
    AS_OF,
    accounts,
    connected_ordered_pairs,
    path_strength,
    reachable_from_team,
    reference_graph,
    reference_keys,
    simple_warm_paths,
    team_nodes,
    without,
)


def acme() -> AccountGraph:
    """Case (c), account 1: am alone covers k1 and k2, and shares k3 with se.

    k1 champion, k2 economic buyer, k3 decision maker (on the account); u1 a user.
    Ties: am–k1 0.7, am–k2 0.5, am–k3 0.6, se–k3 0.4, se–u1 0.8.
    Also u1 –INFLUENCES 0.5– k1 and k3 –REPORTS_TO (0.5)– k2.
    """
    return AccountGraph(
        "acme",
        AS_OF,
        stakeholders=[Stakeholder(p, p.upper()) for p in ("k1", "k2", "k3", "u1")],
        team_members=[TeamMember("am", "Ann"), TeamMember("se", "Sam")],
        knows=[
            Knows("am", "k1", 0.7),
            Knows("am", "k2", 0.5),
            Knows("am", "k3", 0.6),
            Knows("se", "k3", 0.4),
            Knows("se", "u1", 0.8),
        ],
        influences=[Influences("u1", "k1", 0.5)],
        reports_to=[ReportsTo("k3", "k2")],
        roles=[
            Role("k1", "champion", "account", "acme"),
            Role("k2", "economic_buyer", "account", "acme"),
            Role("k3", "decision_maker", "account", "acme"),
            Role("u1", "user", "account", "acme"),
        ],
    )


def globex() -> AccountGraph:
    """Case (c), account 2: am alone covers k4; csm covers k5; k5 influences k4; n1 alone."""
    return AccountGraph(
        "globex",
        AS_OF,
        stakeholders=[Stakeholder(p, p.upper()) for p in ("k4", "k5", "n1")],
        team_members=[TeamMember("am", "Ann"), TeamMember("csm", "Cy")],
        knows=[Knows("am", "k4", 0.9), Knows("csm", "k5", 0.6)],
        influences=[Influences("k5", "k4", 0.5)],
        roles=[
            Role("k4", "economic_buyer", "account", "globex"),
            Role("k5", "champion", "account", "globex"),
        ],
    )


def test_team_member_departure_in_the_first_account() -> None:
    impact = departure_impact(acme(), ["am"])
    assert impact.departed_team_member_ids == ("am",)
    assert {c.stakeholder_id for c in impact.newly_dark} == {"k1", "k2"}
    assert [(c.stakeholder_id, c.before, c.after) for c in impact.newly_single_threaded] == [
        ("k3", 2, 1)
    ]
    assert impact.newly_single_threaded[0].remaining_team_member_ids == ("se",)
    assert impact.newly_unreachable == ()  # k1 via u1, k2 via k3
    assert len(impact.active_ties_lost) == 3
    # Warm paths: k1 0.7 → se–u1–k1 0.4; k2 0.5 → se–k3–k2 0.2; k3 0.6 → se–k3 0.4.
    drops = {c.stakeholder_id: (c.before, c.after) for c in impact.warm_path_changes}
    assert drops["k1"] == pytest.approx((0.7, 0.4))
    assert drops["k2"] == pytest.approx((0.5, 0.2))
    assert drops["k3"] == pytest.approx((0.6, 0.4))
    # Score, K = 3 remaining key stakeholders:
    #   key_coverage (2 + ½·1)/3 · 25 = 20.8333; warm_paths (0.3+0.3+0.2)/3 · 15 = 4.0;
    #   ties_lost 3/5 · 5 = 3.0; everything else 0 (no budget, no role holder left,
    #   the graph stays connected: F 0 → 0).  Total 27.8333.
    points = {c.name: c.points for c in impact.score_components}
    assert points["key_coverage"] == pytest.approx(25 * 2.5 / 3)
    assert points["warm_paths"] == pytest.approx(4.0)
    assert points["ties_lost"] == pytest.approx(3.0)
    assert points["reachability"] == points["fragmentation"] == points["buying_roles"] == 0
    assert impact.score == pytest.approx(25 * 2.5 / 3 + 4.0 + 3.0)
    assert sum(c.weight for c in impact.score_components) == 100


def test_recommended_actions_name_who_and_through_whom() -> None:
    actions = {a.stakeholder_id: a for a in departure_impact(acme(), ["am"]).recommended_actions}
    # k1: se–u1–k1 (0.4): se builds the relationship, introduced by u1.
    assert (actions["k1"].team_member_id, actions["k1"].introducer_id) == ("se", "u1")
    # k2: se–k3–k2 (0.2), introduced by k3.
    assert (actions["k2"].team_member_id, actions["k2"].introducer_id) == ("se", "k3")
    # k3 is left with se only and nobody else is on the team here: no second path.
    assert actions["k3"].exposures == ("newly_single_threaded",)
    assert actions["k3"].team_member_id is None and actions["k3"].path is None
    assert "cold" in actions["k3"].note


def test_team_member_darkens_three_key_stakeholders_across_two_accounts() -> None:
    first, second = departure_impact(acme(), ["am"]), departure_impact(globex(), ["am"])
    assert [c.stakeholder_id for c in second.newly_dark] == ["k4"]
    # Globex: K = 2. key_coverage ½ · 25 = 12.5; warm k4 0.9 → csm–k5–k4 0.3, k5 0.6 →
    # 0.6: (0.6 + 0)/2 · 15 = 4.5; fragmentation: before {am,csm,k4,k5}, {n1}: n = 5,
    # F = 1 − 12/20 = 0.4; after {csm,k5,k4}, {n1}: n = 4, F = 1 − 6/12 = 0.5;
    # +0.1 · 10 = 1.0; ties 1/2 · 5 = 2.5. Total 20.5.
    assert second.fragmentation_before.value == pytest.approx(0.4)
    assert second.fragmentation_after.value == pytest.approx(0.5)
    assert second.score == pytest.approx(20.5)
    (action,) = second.recommended_actions
    assert (action.team_member_id, action.introducer_id) == ("csm", "k5")

    summary = combine_departure_impacts(["am"], [second, first])
    assert {(p.account_id, p.person_id) for p in summary.newly_dark} == {
        ("acme", "k1"),
        ("acme", "k2"),
        ("globex", "k4"),
    }
    assert summary.active_ties_lost == 4  # 3 at acme + 1 at globex
    assert summary.worst_account_id == "acme"
    assert summary.worst_score == pytest.approx(first.score)
    assert summary.mean_score == pytest.approx((first.score + 20.5) / 2)
    assert [i.account_id for i in summary.accounts] == ["acme", "globex"]


def reorg_account() -> AccountGraph:
    """Case (d): hub1 (VP) and hub2 (director) hold the org together.

    Solid lines: a → hub1, b → hub1, hub2 → hub1, hub1 → ceo, c → hub2, d → hub2, e → d.
    Ties: t1–a 0.7, t2–d 0.6. Budget B1: hub1 owner, hub2 approver.
    Opportunity o1: b decision maker, c champion, hub1 economic buyer.
    """
    return AccountGraph(
        "initech",
        AS_OF,
        stakeholders=[Stakeholder(p, p.upper()) for p in ("ceo", "hub1", "hub2", *"abcde")],
        team_members=[TeamMember("t1", "T1"), TeamMember("t2", "T2")],
        knows=[Knows("t1", "a", 0.7), Knows("t2", "d", 0.6)],
        reports_to=[
            ReportsTo("a", "hub1"),
            ReportsTo("b", "hub1"),
            ReportsTo("hub2", "hub1"),
            ReportsTo("hub1", "ceo"),
            ReportsTo("c", "hub2"),
            ReportsTo("d", "hub2"),
            ReportsTo("e", "d"),
        ],
        controls=[Controls("hub1", "B1", "owner"), Controls("hub2", "B1", "approver")],
        budgets=[Budget("B1", "Ops budget")],
        roles=[
            Role("b", "decision_maker", "opportunity", "o1"),
            Role("c", "champion", "opportunity", "o1"),
            Role("hub1", "economic_buyer", "opportunity", "o1"),
        ],
        opportunities=[Opportunity("o1", "Rollout")],
    )


def test_reorg_of_two_people_splits_the_graph() -> None:
    impact = departure_impact(reorg_account(), ["hub1", "hub2"])
    # Before: all 10 people connected, F = 0.
    assert impact.fragmentation_before.value == 0.0
    assert impact.fragmentation_before.node_count == 10
    # After: {t1, a}, {t2, d, e}, {b}, {c}, {ceo}: n = 8,
    # F = 1 − (2·1 + 3·2) / (8·7) = 1 − 8/56 = 6/7.
    assert impact.fragmentation_after.component_sizes == (3, 2, 1, 1, 1)
    assert impact.fragmentation_after.value == pytest.approx(6 / 7)
    # b and c were reachable (through the hubs) and are not any more; they were dark
    # before, so they are not "newly dark".
    assert set(impact.newly_unreachable) == {"b", "c"}
    assert impact.newly_dark == ()
    assert impact.departed_key_stakeholder_ids == ("hub1", "hub2")
    # Both authorities of B1 are gone; the successor is the nearest active solid
    # manager not leaving: ceo, 1 level above hub1 and 2 above hub2.
    gaps = {
        (g.authority, g.successor_id, g.successor_levels_up)
        for g in impact.budgets_without_authority
    }
    assert gaps == {("owner", "ceo", 1), ("approver", "ceo", 2)}
    assert [(r.target_id, r.role) for r in impact.role_losses] == [("o1", "economic_buyer")]
    # Score, K = 2 (b, c):
    #   reachability 2/2 · 15 = 15; warm paths: b t1–a–hub1–b 0.7·0.5·0.5 = 0.175 → 0,
    #   c t2–d–hub2–c 0.6·0.5·0.5 = 0.15 → 0: (0.325/2) · 15 = 2.4375;
    #   budget 1/1 · 15 = 15; roles 1/3 · 15 = 5; fragmentation 6/7 · 10 = 8.5714;
    #   key coverage 0, ties lost 0. Total 46.0089.
    points = {c.name: c.points for c in impact.score_components}
    assert points["reachability"] == pytest.approx(15)
    assert points["warm_paths"] == pytest.approx(0.325 / 2 * 15)
    assert points["budget_authority"] == pytest.approx(15)
    assert points["buying_roles"] == pytest.approx(5)
    assert points["fragmentation"] == pytest.approx(60 / 7)
    assert impact.score == pytest.approx(15 + 2.4375 + 15 + 5 + 60 / 7)
    assert {a.stakeholder_id for a in impact.recommended_actions} == {"b", "c"}
    assert all(a.path is None for a in impact.recommended_actions)


def test_each_hub_alone_does_less_than_both() -> None:
    both = departure_impact(reorg_account(), ["hub1", "hub2"]).score
    assert departure_impact(reorg_account(), ["hub1"]).score < both
    assert departure_impact(reorg_account(), ["hub2"]).score < both


def test_unknown_and_already_departed_ids_are_ignored() -> None:
    account = acme()
    impact = departure_impact(account, ["ghost", "am", "am"])
    assert impact.departed_ids == ("am",) and impact.ignored_ids == ("ghost",)
    nothing = departure_impact(account, ["ghost"])
    assert nothing.score == 0.0 and nothing.active_ties_lost == ()


def test_the_set_is_removed_once_not_per_person(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"engagement_graph_of": 0, "component_labels": 0}
    for name in calls:
        original: Callable[..., Any] = getattr(departure_module, name)

        def counting(*args: Any, _name: str = name, _f: Callable[..., Any] = original) -> Any:
            calls[_name] += 1
            return _f(*args)

        monkeypatch.setattr(departure_module, name, counting)
    departure_impact(reorg_account(), ["hub1", "hub2", "a", "b", "t1"])
    # One graph for "before", a mask for "after", one labelling each: whatever |X|.
    assert calls == {"engagement_graph_of": 1, "component_labels": 2}


def _coverage(graph: Any, node: str) -> int:
    team = team_nodes(graph)
    return sum(1 for n in graph.neighbors(node) if n in team) if node in graph else 0


def _ties(graph: Any) -> int:
    team = team_nodes(graph)
    return sum(1 for u, v in graph.edges if (u in team) != (v in team))


def _best(graph: Any, target: str) -> float:
    return max((path_strength(graph, p) for p in simple_warm_paths(graph, target)), default=0.0)


@settings(max_examples=200, deadline=None)
@given(accounts(max_stakeholders=9), st.data())
def test_departure_matches_recomputing_the_account_without_them(
    account: AccountGraph, data: st.DataObject
) -> None:
    people = [s.id for s in account.stakeholders] + [t.id for t in account.team_members]
    leaving = data.draw(st.lists(st.sampled_from(people), max_size=3, unique=True))
    impact = departure_impact(account, leaving)

    before = reference_graph(account)
    after = without(before, leaving)
    keys = sorted(reference_keys(account) - set(leaving))
    dark = {k for k in keys if _coverage(before, k) >= 1 and _coverage(after, k) == 0}
    single = {k for k in keys if _coverage(before, k) >= 2 and _coverage(after, k) == 1}
    reach_before, reach_after = reachable_from_team(before), reachable_from_team(after)
    unreachable = {k for k in keys if k in reach_before and k not in reach_after}
    assert {c.stakeholder_id for c in impact.newly_dark} == dark
    assert {c.stakeholder_id for c in impact.newly_single_threaded} == single
    assert set(impact.newly_unreachable) == unreachable

    for graph, frag in ((before, impact.fragmentation_before), (after, impact.fragmentation_after)):
        n = graph.number_of_nodes()
        expected = 0.0 if n < 2 else 1 - connected_ordered_pairs(graph) / (n * (n - 1))
        assert frag.value == pytest.approx(expected)
        assert frag.node_count == n

    changes = {c.stakeholder_id: c for c in impact.warm_path_changes}
    assert set(changes) == set(keys)
    for k in keys:
        assert changes[k].before == pytest.approx(_best(before, k))
        assert changes[k].after == pytest.approx(_best(after, k))

    assert len(impact.active_ties_lost) == _ties(before) - _ties(after)
    assert 0.0 <= impact.score <= 100.0
    assert impact.score == pytest.approx(sum(c.points for c in impact.score_components))
    exposed = dark | single | unreachable
    assert {a.stakeholder_id for a in impact.recommended_actions} == exposed
