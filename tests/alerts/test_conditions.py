"""Each alert condition on hand-made accounts, with the answers worked out by hand
(docs/alerts.md, "Conditions"): the baseline makes no event, the change that makes a
condition hold makes exactly one event, the same account evaluated again makes none, an
unrelated change makes none, and ``.resolved`` comes when it stops holding."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

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
from service.domain.alerts.account_view import FormerRole, QueryRows, Whereabouts
from service.domain.alerts.condition_specs import (
    BudgetWithoutOwner,
    ChampionLost,
    FormerChampionJoined,
    HealthDropped,
    KeyStakeholderDark,
    KeyStakeholderLeft,
    KeyStakeholderSingleThreaded,
    SavedQueryChanged,
    SinglePointOfFailureAppeared,
)
from service.domain.alerts.conditions.saved_query_changed import query_key
from tests.alerts.views import AS_OF, run, types, view

T1 = TeamMember("t1", "Tom")
T2 = TeamMember("t2", "Tess")


def acme(**parts: object) -> AccountGraph:
    return AccountGraph("acme", AS_OF, account_name="Acme", **parts)  # type: ignore[arg-type]


# -- key_stakeholder_left ----------------------------------------------------------------

CFO = Stakeholder("cfo", "Cleo", "CFO")
VP = Stakeholder("vp", "Vic", "VP Ops")
LEFT_BEFORE = acme(
    stakeholders=[CFO, VP],
    team_members=[T1],
    knows=[Knows("t1", "cfo", 0.8)],
    roles=[Role("cfo", "economic_buyer", "account", "acme")],
    budgets=[Budget("b1", "IT 2026", 500_000.0, "EUR")],
    controls=[Controls("cfo", "b1", "owner")],
)
LEFT_AFTER = acme(stakeholders=[VP], team_members=[T1])
MOVED = {"cfo": Whereabouts("cfo", "Cleo", "active", None, "globex", "Globex")}


def test_key_stakeholder_left_fires_once_when_a_key_stakeholder_moves_away() -> None:
    spec = KeyStakeholderLeft()
    state, drafts = run(LEFT_BEFORE, spec, None)
    assert drafts == []  # baseline
    state, drafts = run(view(LEFT_AFTER, whereabouts=MOVED), spec, state)
    assert types(drafts) == ["key_stakeholder_left"]
    data = drafts[0].data
    assert data["stakeholder"] == {"id": "cfo", "name": "Cleo", "title": "CFO"}
    assert data["roles"] == [
        {"role": "economic_buyer", "target": {"kind": "account", "id": "acme", "name": "Acme"}}
    ]
    assert data["budgets"] == [
        {
            "id": "b1",
            "name": "IT 2026",
            "amount": 500_000.0,
            "currency": "EUR",
            "authority": "owner",
        }
    ]
    assert data["whereabouts"] == {"status": "moved", "account": {"id": "globex", "name": "Globex"}}
    # Evaluated again (a replayed write): nothing new.
    again, drafts = run(view(LEFT_AFTER, whereabouts=MOVED), spec, state)
    assert drafts == [] and again == state
    # Back at the account: resolved.
    _, drafts = run(LEFT_BEFORE, spec, state)
    assert types(drafts) == ["key_stakeholder_left.resolved"]
    assert drafts[0].data["reason"] == "returned"


def test_key_stakeholder_left_says_when_they_left() -> None:
    state, _ = run(LEFT_BEFORE, KeyStakeholderLeft(), None)
    left = {"cfo": Whereabouts("cfo", "Cleo", "left", datetime(2026, 2, 1, tzinfo=UTC), None, None)}
    _, drafts = run(view(LEFT_AFTER, whereabouts=left), KeyStakeholderLeft(), state)
    assert drafts[0].data["whereabouts"] == {
        "status": "left",
        "left_at": "2026-02-01T00:00:00+00:00",
    }


def test_key_stakeholder_left_ignores_people_who_were_not_key_and_unrelated_changes() -> None:
    state, _ = run(LEFT_BEFORE, KeyStakeholderLeft(), None)
    vp_gone = replace(LEFT_BEFORE, stakeholders=[CFO])  # vp was not key
    _, drafts = run(vp_gone, KeyStakeholderLeft(), state)
    assert drafts == []
    retitled = replace(LEFT_BEFORE, stakeholders=[replace(CFO, title="CFO & COO"), VP])
    _, drafts = run(retitled, KeyStakeholderLeft(), state)
    assert drafts == []


# -- champion_lost -----------------------------------------------------------------------

CHAMP = Stakeholder("ch", "Chen")
CHAMP_BEFORE = acme(
    stakeholders=[CHAMP, VP],
    team_members=[T1],
    knows=[Knows("t1", "ch", 0.8)],
    roles=[Role("ch", "champion", "opportunity", "o1")],
    opportunities=[Opportunity("o1", "Renewal", "proposal")],
)


def test_champion_lost_when_the_last_engaged_champion_of_an_opportunity_goes_cold() -> None:
    spec = ChampionLost()
    state, drafts = run(CHAMP_BEFORE, spec, None)
    assert drafts == []
    cold = replace(CHAMP_BEFORE, knows=[Knows("t1", "ch", 0.1)])  # below θ = 0.2
    state, drafts = run(cold, spec, state)
    # The account never had a champion: only the opportunity's loss is an event.
    assert types(drafts) == ["champion_lost"]
    assert drafts[0].data == {
        "target": {"kind": "opportunity", "id": "o1", "name": "Renewal"},
        "former_champions": [{"id": "ch", "name": "Chen", "now": "not_engaged"}],
        "champions_not_engaged": [{"id": "ch", "name": "Chen"}],
    }
    assert run(cold, spec, state)[1] == []
    _, drafts = run(CHAMP_BEFORE, spec, state)
    assert types(drafts) == ["champion_lost.resolved"]
    assert drafts[0].data["reason"] == "champion_engaged"
    assert drafts[0].data["champions"] == [{"id": "ch", "name": "Chen"}]


def test_champion_lost_when_the_champion_leaves_and_resolved_when_the_deal_closes() -> None:
    spec = ChampionLost()
    state, _ = run(CHAMP_BEFORE, spec, None)
    gone = replace(CHAMP_BEFORE, stakeholders=[VP], knows=[], roles=[])
    left = {"ch": Whereabouts("ch", "Chen", "left", datetime(2026, 2, 1, tzinfo=UTC), None, None)}
    state, drafts = run(view(gone, whereabouts=left), spec, state)
    assert drafts[0].data["former_champions"] == [
        {"id": "ch", "name": "Chen", "now": "left", "left_at": "2026-02-01T00:00:00+00:00"}
    ]
    closed = replace(gone, opportunities=[])  # closed deals are not pulled
    _, drafts = run(closed, spec, state)
    assert types(drafts) == ["champion_lost.resolved"]
    assert drafts[0].data["reason"] == "target_closed"


def test_champion_lost_not_for_a_new_opportunity_that_never_had_one() -> None:
    spec = ChampionLost()
    state, _ = run(CHAMP_BEFORE, spec, None)
    more = replace(
        CHAMP_BEFORE,
        opportunities=[*CHAMP_BEFORE.opportunities, Opportunity("o2", "Upsell", "prospecting")],
    )
    assert run(more, spec, state)[1] == []


# -- key_stakeholder_dark / single_threaded ----------------------------------------------

K = Stakeholder("k", "Kim", "CIO")
X = Stakeholder("x", "Xia")
COVERED = acme(
    stakeholders=[K, X],
    team_members=[T1, T2],
    knows=[Knows("t1", "k", 0.8), Knows("t2", "k", 0.6), Knows("t2", "x", 0.5)],
    influences=[Influences("x", "k", 0.6)],
    roles=[Role("k", "decision_maker", "account", "acme")],
)


def test_key_stakeholder_single_threaded_then_dark_then_covered_again() -> None:
    single, dark = KeyStakeholderSingleThreaded(), KeyStakeholderDark()
    s_state, drafts = run(COVERED, single, None)
    d_state, drafts2 = run(COVERED, dark, None)
    assert drafts == drafts2 == []

    # t2 no longer knows k: k single-threaded (t1 only), not dark.
    one = replace(COVERED, knows=[Knows("t1", "k", 0.8), Knows("t2", "x", 0.5)])
    s_state, drafts = run(one, single, s_state)
    d_state, drafts2 = run(one, dark, d_state)
    assert types(drafts) == ["key_stakeholder_single_threaded"] and drafts2 == []
    data = drafts[0].data
    assert data["coverage_before"] == 2 and data["coverage_now"] == 1
    assert data["covered_before"] == [{"id": "t1", "name": "Tom"}, {"id": "t2", "name": "Tess"}]
    assert data["covered_now"] == [{"id": "t1", "name": "Tom", "strength": 0.8}]
    # The second relationship must come from someone but t1: t2 → x → k, 0.5 × 0.6.
    path = data["best_warm_path"]
    assert [p["id"] for p in path["people"]] == ["t2", "x", "k"]
    assert path["strength"] == pytest.approx(0.3)
    assert data["roles"][0]["role"] == "decision_maker"

    # t1 gone too: dark (and single-threaded resolves, reason dark).
    none = replace(COVERED, knows=[Knows("t2", "x", 0.5)])
    s_state, drafts = run(none, single, s_state)
    d_state, drafts2 = run(none, dark, d_state)
    assert types(drafts) == ["key_stakeholder_single_threaded.resolved"]
    assert drafts[0].data["reason"] == "dark"
    assert types(drafts2) == ["key_stakeholder_dark"]
    assert drafts2[0].data["covered_before"] == [{"id": "t1", "name": "Tom"}]
    assert drafts2[0].data["best_warm_path"]["strength"] == pytest.approx(0.3)
    assert run(none, dark, d_state)[1] == []

    # Covered again by two: dark resolves (covered); single-threaded stays quiet.
    _, drafts = run(COVERED, single, s_state)
    _, drafts2 = run(COVERED, dark, d_state)
    assert drafts == []
    assert types(drafts2) == ["key_stakeholder_dark.resolved"]
    assert drafts2[0].data["reason"] == "covered"
    assert drafts2[0].data["coverage_now"] == 2


def test_coverage_falls_only_for_stakeholders_who_were_covered_and_key() -> None:
    state, _ = run(COVERED, KeyStakeholderDark(), None)
    # A new key stakeholder who was never covered is not "fallen" to dark.
    newcomer = replace(
        COVERED,
        stakeholders=[K, X, Stakeholder("n", "Nia")],
        roles=[*COVERED.roles, Role("n", "champion", "account", "acme")],
    )
    assert run(newcomer, KeyStakeholderDark(), state)[1] == []
    # x (not key) losing t2's tie is not an event either.
    x_dark = replace(COVERED, knows=[Knows("t1", "k", 0.8), Knows("t2", "k", 0.6)])
    assert run(x_dark, KeyStakeholderDark(), state)[1] == []


# -- single_point_of_failure_appeared ----------------------------------------------------

A = Stakeholder("a", "Abe")


def test_single_point_of_failure_appears_and_resolves() -> None:
    spec = SinglePointOfFailureAppeared()
    two = acme(
        stakeholders=[K],
        team_members=[T1, T2],
        knows=[Knows("t1", "k", 0.8), Knows("t2", "k", 0.8)],
        roles=[Role("k", "decision_maker", "account", "acme")],
    )
    state, drafts = run(two, spec, None)
    assert drafts == [] and state["facts"] == {}
    # Only t1 – k is left: that tie is a bridge cutting k off (t1, in one block, is no
    # articulation point).
    one = replace(two, knows=[Knows("t1", "k", 0.8)])
    state, drafts = run(one, spec, state)
    assert types(drafts) == ["single_point_of_failure_appeared"]
    assert drafts[0].data == {
        "kind": "relationship",
        "relationship": {
            "from": {"id": "t1", "name": "Tom"},
            "to": {"id": "k", "name": "Kim"},
            "type": "KNOWS",
            "strength": 0.8,
        },
        "cuts_off": [{"id": "k", "name": "Kim", "title": "CIO"}],
        "cuts_off_count": 1,
    }
    assert run(one, spec, state)[1] == []
    # t1 – a – k instead: a is an articulation point, both ties bridges; the old bridge
    # t1 – k is gone (resolved).
    chain = replace(
        two,
        stakeholders=[K, A],
        knows=[Knows("t1", "a", 0.9)],
        reports_to=[ReportsTo("a", "k")],
    )
    state, drafts = run(chain, spec, state)
    assert types(drafts) == [
        "single_point_of_failure_appeared",
        "single_point_of_failure_appeared",
        "single_point_of_failure_appeared",
        "single_point_of_failure_appeared.resolved",
    ]
    assert sorted(state["facts"]) == ["person:a", "relationship:a|k", "relationship:a|t1"]
    assert drafts[3].data["reason"] == "no_longer_cuts_off"
    # Back to two team members on k: everything resolves.
    _, drafts = run(replace(two, stakeholders=[K, A]), spec, state)
    assert types(drafts) == ["single_point_of_failure_appeared.resolved"] * 3


# -- budget_without_owner ----------------------------------------------------------------

OWNER = Stakeholder("o", "Olu", "Director IT")
MANAGER = Stakeholder("m", "Mo", "CIO")
APPROVER = Stakeholder("ap", "Ari", "Controller")
BUDGET = acme(
    stakeholders=[OWNER, MANAGER, APPROVER],
    team_members=[T1],
    knows=[Knows("t1", "m", 0.5)],
    reports_to=[ReportsTo("o", "m")],
    budgets=[Budget("b1", "IT 2026", 500_000.0, "EUR")],
    controls=[Controls("o", "b1", "owner"), Controls("ap", "b1", "approver")],
)


def test_budget_without_owner_with_the_suggested_successor_remembered() -> None:
    spec = BudgetWithoutOwner()
    state, drafts = run(BUDGET, spec, None)
    assert drafts == []
    # The owner left: their CONTROLS and their reporting line are closed.
    gone = replace(
        BUDGET, stakeholders=[MANAGER, APPROVER], reports_to=[], controls=[BUDGET.controls[1]]
    )
    left = {"o": Whereabouts("o", "Olu", "left", datetime(2026, 2, 1, tzinfo=UTC), None, None)}
    state, drafts = run(view(gone, whereabouts=left), spec, state)
    assert types(drafts) == ["budget_without_owner"]  # the approver stays: one slot
    assert drafts[0].data == {
        "budget": {"id": "b1", "name": "IT 2026", "amount": 500_000.0, "currency": "EUR"},
        "authority": "owner",
        "former_holders": [{"id": "o", "name": "Olu", "now": "left"}],
        "suggested_successor": {"id": "m", "name": "Mo", "levels_up": 1},
    }
    assert run(gone, spec, state)[1] == []
    owned = replace(gone, controls=[*gone.controls, Controls("m", "b1", "owner")])
    _, drafts = run(owned, spec, state)
    assert types(drafts) == ["budget_without_owner.resolved"]
    assert drafts[0].data["reason"] == "holder_again"
    assert drafts[0].data["holders"] == [{"id": "m", "name": "Mo"}]


def test_budget_without_owner_not_for_a_budget_that_never_had_one() -> None:
    spec = BudgetWithoutOwner()
    state, _ = run(BUDGET, spec, None)
    more = replace(BUDGET, budgets=[*BUDGET.budgets, Budget("b2", "Travel")])
    assert run(more, spec, state)[1] == []


# -- health_dropped ----------------------------------------------------------------------

HEALTHY = acme(
    stakeholders=[K],
    team_members=[T1, T2],
    knows=[Knows("t1", "k", 1.0, AS_OF), Knows("t2", "k", 1.0, AS_OF)],
    roles=[
        Role("k", "champion", "account", "acme"),
        Role("k", "economic_buyer", "account", "acme"),
        Role("k", "decision_maker", "account", "acme"),
    ],
)
# By hand: breadth 30 (k multi-threaded) + strength 20 + recency 15 + roles 25 +
# detractors 10 = 100. One tie fewer: breadth 15 → 85. Then t1's tie at 0.5: strength
# 10 → 75.
ONE_TIE = replace(HEALTHY, knows=[Knows("t1", "k", 1.0, AS_OF)])
WEAK_TIE = replace(HEALTHY, knows=[Knows("t1", "k", 0.5, AS_OF)])


def test_health_dropped_by_at_least_by_points_since_the_last_event() -> None:
    spec = HealthDropped(by=10)
    state, drafts = run(HEALTHY, spec, None)
    assert drafts == [] and state["score"] == pytest.approx(100.0)
    state, drafts = run(ONE_TIE, spec, state)
    assert types(drafts) == ["health_dropped"]
    data = drafts[0].data
    assert data["score"] == pytest.approx(85.0)
    assert data["previous_score"] == pytest.approx(100.0)
    assert data["drop"] == pytest.approx(15.0)
    breadth = next(c for c in data["components"] if c["name"] == "threading_breadth")
    assert breadth["points"] == pytest.approx(15.0) and breadth["points_before"] == 30.0
    # The reference is now 85: 75 is a drop of 10, another event.
    _, drafts = run(WEAK_TIE, spec, state)
    assert [round(d.data["drop"], 6) for d in drafts] == [10.0]


def test_health_dropped_small_falls_add_up_and_a_rise_does_not_move_the_reference() -> None:
    spec = HealthDropped(by=20)
    state, _ = run(HEALTHY, spec, None)
    state, drafts = run(ONE_TIE, spec, state)  # −15: not yet
    assert drafts == [] and state["score"] == pytest.approx(100.0)
    state, drafts = run(HEALTHY, spec, state)  # back up: nothing
    assert drafts == []
    state, drafts = run(WEAK_TIE, spec, state)  # −25 from the reference 100
    assert types(drafts) == ["health_dropped"]
    assert drafts[0].data["drop"] == pytest.approx(25.0)


# -- former_champion_joined --------------------------------------------------------------

P = Stakeholder("p", "Pia", "VP Finance")
CFO_K = Stakeholder("k", "Kim", "CFO")
HELD = FormerRole(
    "p",
    "champion",
    "opportunity",
    "g-o1",
    "Globex renewal",
    "globex",
    "Globex",
    datetime(2025, 1, 1, tzinfo=UTC),
    datetime(2026, 2, 1, tzinfo=UTC),
)
JOINED = acme(
    stakeholders=[CFO_K, P],
    team_members=[T1],
    knows=[Knows("t1", "p", 0.9)],
    reports_to=[ReportsTo("p", "k")],  # solid, strength 0.5 by default
    roles=[Role("k", "economic_buyer", "account", "acme")],
)
BEFORE_JOIN = replace(JOINED, stakeholders=[CFO_K], knows=[], reports_to=[])


def test_former_champion_joined_with_our_warm_path_through_them() -> None:
    spec = FormerChampionJoined()
    state, drafts = run(view(BEFORE_JOIN), spec, None)
    assert drafts == []
    state, drafts = run(view(JOINED, former_roles=(HELD,)), spec, state)
    assert types(drafts) == ["former_champion_joined"]
    data = drafts[0].data
    assert data["person"] == {"id": "p", "name": "Pia", "title": "VP Finance"}
    assert data["held_elsewhere"] == [
        {
            "role": "champion",
            "account": {"id": "globex", "name": "Globex"},
            "target": {"kind": "opportunity", "id": "g-o1", "name": "Globex renewal"},
            "since": "2025-01-01T00:00:00+00:00",
            "until": "2026-02-01T00:00:00+00:00",
        }
    ]
    assert data["our_ties"] == [{"id": "t1", "name": "Tom", "strength": 0.9}]
    assert data["warm_path"]["strength"] == pytest.approx(0.9)
    # The CFO's best warm path is t1 → p → k: 0.9 × 0.5.
    assert data["key_stakeholders_reached_through_them"] == [
        {"id": "k", "name": "Kim", "title": "CFO", "warm_path_strength": 0.45}
    ]
    assert run(view(JOINED, former_roles=(HELD,)), spec, state)[1] == []
    _, drafts = run(view(BEFORE_JOIN), spec, state)
    assert types(drafts) == ["former_champion_joined.resolved"]


def test_former_champion_already_there_at_the_baseline_does_not_fire() -> None:
    spec = FormerChampionJoined()
    state, drafts = run(view(JOINED, former_roles=(HELD,)), spec, None)
    assert drafts == [] and list(state["facts"]) == ["p"]
    assert run(view(JOINED, former_roles=(HELD,)), spec, state)[1] == []


def test_a_role_at_the_same_account_does_not_make_a_former_champion() -> None:
    here = replace(HELD, account_id="acme", account_name="Acme")
    state, _ = run(view(BEFORE_JOIN), FormerChampionJoined(), None)
    assert run(view(JOINED, former_roles=(here,)), FormerChampionJoined(), state)[1] == []


# -- saved_query_changed -----------------------------------------------------------------


def rows(*values: dict[str, object]) -> QueryRows:
    return QueryRows(rows=tuple(json.dumps(v, sort_keys=True) for v in values))


def test_saved_query_changed_reports_rows_added_and_removed() -> None:
    spec = SavedQueryChanged(query="key_stakeholder_coverage", params={"theta": 0.3})
    key = query_key(spec)
    r1, r2, r3 = {"id": "a", "n": 1}, {"id": "b", "n": 2}, {"id": "c", "n": 3}
    state, drafts = run(view(COVERED, queries={key: rows(r1, r2)}), spec, None)
    assert drafts == []
    state, drafts = run(view(COVERED, queries={key: rows(r2, r3)}), spec, state)
    assert types(drafts) == ["saved_query_changed"]
    assert drafts[0].data == {
        "query": "key_stakeholder_coverage",
        "params": {"theta": 0.3},
        "added": [r3],
        "removed": [r1],
        "added_count": 1,
        "removed_count": 1,
        "row_count": 2,
        "truncated": False,
    }
    # Same rows in another order: no change.
    assert run(view(COVERED, queries={key: rows(r3, r2)}), spec, state)[1] == []
    # A failed run changes nothing.
    failed = QueryRows(error="timeout")
    kept, drafts = run(view(COVERED, queries={key: failed}), spec, state)
    assert drafts == [] and kept == state


def test_saved_query_changed_keeps_the_event_small() -> None:
    spec = SavedQueryChanged(query="key_stakeholder_coverage")
    key = query_key(spec)
    big = [{"id": f"r{i}", "text": "x" * 1_000} for i in range(30)]
    state, _ = run(view(COVERED, queries={key: rows()}), spec, None)
    _, drafts = run(view(COVERED, queries={key: rows(*big)}), spec, state)
    data = drafts[0].data
    assert data["added_count"] == 30
    assert 1 <= len(data["added"]) <= 6  # ≈ 6 KB of rows
    assert len(json.dumps(data)) < 8_000
