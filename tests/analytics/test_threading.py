"""Single-threaded relationships and single points of failure."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings

from service.analytics.engagement import engagement_graph, key_stakeholders
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
from service.analytics.threading import single_points_of_failure, threading_report
from service.analytics.warm_paths import best_warm_path
from tests.analytics.reference import (
    AS_OF,
    accounts,
    reachable_from_team,
    reference_graph,
    reference_keys,
)

FINANCE = ["cfo", "champ", "controller", "fin_analyst"]
IT = ["cio", "it_dir", "architect", "it_mgr"]
OTHERS = ["proc_head", "buyer", "ops_vp", "ops_mgr"]


def twelve_person_account() -> AccountGraph:
    """Case (a): 12 stakeholders; the champion is our only bridge to the CFO.

    Finance hangs off the champion: champ –(INFLUENCES 0.7)– cfo, and cfo's org
    (controller, fin_analyst) reports up to cfo. Nobody in our team has an active tie
    into finance except to the champion (csm–fin_analyst 0.1 < θ). IT, procurement and
    ops are covered on their own and joined to each other through the CIO.

    Key stakeholders: cfo (economic buyer, budget owner), champ (champion),
    controller (budget approver), cio (decision maker), it_dir (champion of o2).
    """
    people = FINANCE + IT + OTHERS
    return AccountGraph(
        "acme",
        AS_OF,
        stakeholders=[Stakeholder(p, p.replace("_", " ").title()) for p in people],
        team_members=[TeamMember("am", "Ann"), TeamMember("se", "Sam"), TeamMember("csm", "Cy")],
        knows=[
            Knows("am", "champ", 0.8),
            Knows("se", "champ", 0.5),
            Knows("se", "architect", 0.7),
            Knows("se", "it_dir", 0.4),
            Knows("am", "cio", 0.3),
            Knows("csm", "ops_mgr", 0.6),
            Knows("am", "proc_head", 0.5),
            Knows("csm", "fin_analyst", 0.1),  # not active
        ],
        influences=[
            Influences("champ", "cfo", 0.7),
            Influences("it_dir", "cio", 0.6),
            Influences("proc_head", "cio", 0.3),
            Influences("ops_vp", "cio", 0.4),
        ],
        reports_to=[
            ReportsTo("champ", "cfo"),
            ReportsTo("controller", "cfo"),
            ReportsTo("fin_analyst", "controller"),
            ReportsTo("it_dir", "cio"),
            ReportsTo("architect", "it_dir"),
            ReportsTo("it_mgr", "it_dir"),
            ReportsTo("buyer", "proc_head"),
            ReportsTo("ops_mgr", "ops_vp"),
        ],
        roles=[
            Role("cfo", "economic_buyer", "account", "acme", 0),
            Role("champ", "champion", "account", "acme", 2),
            Role("cio", "decision_maker", "account", "acme", 1),
            Role("champ", "champion", "opportunity", "o1"),
            Role("cfo", "economic_buyer", "opportunity", "o1"),
            Role("controller", "user", "opportunity", "o1"),
            Role("cio", "decision_maker", "opportunity", "o2"),
            Role("architect", "technical_buyer", "opportunity", "o2"),
            Role("it_dir", "champion", "opportunity", "o2"),
        ],
        controls=[Controls("cfo", "b1", "owner"), Controls("controller", "b1", "approver")],
        budgets=[Budget("b1", "Finance transformation", 2_000_000, "EUR")],
        opportunities=[Opportunity("o1", "FP&A platform"), Opportunity("o2", "IT analytics")],
    )


def test_champion_is_the_single_point_of_failure_to_the_cfo() -> None:
    report = threading_report(twelve_person_account())
    spof = {p.person_id: p.cut_off for p in report.single_points_of_failure}
    # Without champ, finance (cfo, controller, fin_analyst) has no path to the team:
    # keys cut off = cfo, controller. Without cfo, controller and fin_analyst are cut
    # off: key = controller. Nobody else cuts a key stakeholder off (controller only
    # cuts fin_analyst, who is not key; am and se both reach champ and IT).
    assert spof == {"champ": ("cfo", "controller"), "cfo": ("controller",)}
    assert report.single_points_of_failure[0].person_id == "champ"  # most cut off first
    assert report.single_points_of_failure[0].kind == "stakeholder"
    bridges = {frozenset((b.from_id, b.to_id)): (b.relationship, b.cut_off) for b in report.bridges}
    # champ–cfo is INFLUENCES 0.7 (beats REPORTS_TO 0.5); cfo–controller REPORTS_TO.
    assert bridges == {
        frozenset(("champ", "cfo")): ("INFLUENCES", ("cfo", "controller")),
        frozenset(("cfo", "controller")): ("REPORTS_TO", ("controller",)),
    }


def test_key_stakeholder_coverage_and_who_covers() -> None:
    report = threading_report(twelve_person_account())
    rows = {k.stakeholder_id: k for k in report.key_stakeholders}
    assert set(rows) == {"cfo", "champ", "controller", "cio", "it_dir"}
    assert rows["cfo"].coverage.level == "dark" and rows["cfo"].reachable
    assert rows["controller"].coverage.level == "dark"
    assert rows["champ"].coverage.team_member_ids == ("am", "se")  # 0.8, 0.5
    assert rows["cio"].coverage.team_member_ids == ("am",)
    assert rows["it_dir"].coverage.team_member_ids == ("se",)
    # dark: cfo, controller; single: cio, it_dir; multi: champ.
    assert report.key_coverage_counts == {"dark": 2, "single": 2, "multi": 1}
    # Risk (2 + ½·2) / 5 = 0.6.
    assert report.risk == pytest.approx(0.6)


def test_warm_path_to_the_cfo_runs_through_the_champion() -> None:
    path = best_warm_path(engagement_graph(twelve_person_account()), "cfo")
    # am–champ–cfo = 0.8 · 0.7 = 0.56 beats se–champ–cfo = 0.5 · 0.7 = 0.35.
    assert path is not None and path.people == ("am", "champ", "cfo")
    assert path.strength == 0.8 * 0.7


def test_opportunity_threading() -> None:
    report = threading_report(twelve_person_account())
    opps = {o.opportunity_id: o for o in report.opportunities}
    # o1: champ engaged; cfo and controller dark → one engaged stakeholder, and the
    # economic buyer is not engaged.
    assert opps["o1"].engaged_count == 1
    assert opps["o1"].engaged_champion_ids == ("champ",)
    assert opps["o1"].risks == ("single_threaded", "no_engaged_economic_buyer")
    # o2: cio, architect, it_dir all engaged, it_dir is an engaged champion, no
    # economic buyer on it at all.
    assert opps["o2"].engaged_count == 3
    assert opps["o2"].risks == ("no_engaged_economic_buyer",)
    assert opps["o2"].at_risk


def test_account_verdicts_on_both_sides() -> None:
    report = threading_report(twelve_person_account())
    # 7 active ties: am 3 (champ, cio, proc_head), se 3 (champ, architect, it_dir), csm 1.
    assert report.our_side.level == "multi"
    assert report.our_side.active_tie_count == 7
    assert report.our_side.people_with_ties == 3
    assert report.our_side.largest_share == 3 / 7
    # 6 stakeholders hold those ties; champ has 2 of them.
    assert report.their_side.level == "multi"
    assert report.their_side.people_with_ties == 6
    assert report.their_side.top_people[0].person_id == "champ"


def test_single_threaded_on_both_sides() -> None:
    account = AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[Stakeholder("a", "A"), Stakeholder("k", "K")],
        team_members=[TeamMember("t", "T"), TeamMember("idle", "I")],
        knows=[Knows("t", "a", 0.9), Knows("idle", "k", 0.05)],
        reports_to=[ReportsTo("k", "a")],
        roles=[Role("k", "decision_maker", "account", "acc")],
    )
    report = threading_report(account)
    assert (report.our_side.level, report.our_side.through_id) == ("single", "t")
    assert (report.their_side.level, report.their_side.through_id) == ("single", "a")
    # a is an articulation point (t – a – k) cutting k off; t is a leaf, so it is not
    # an articulation point even though losing it darkens everything.
    assert [(p.person_id, p.cut_off) for p in report.single_points_of_failure] == [("a", ("k",))]


def test_team_member_as_articulation_point() -> None:
    # a – t – b – k: only t joins a to the rest; removing t leaves nobody on our side.
    account = AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[Stakeholder("a", "A"), Stakeholder("b", "B"), Stakeholder("k", "K")],
        team_members=[TeamMember("t", "T")],
        knows=[Knows("t", "a", 0.9), Knows("t", "b", 0.9)],
        influences=[Influences("b", "k", 0.5)],
        roles=[Role("k", "champion", "account", "acc"), Role("a", "champion", "account", "acc")],
    )
    spof = threading_report(account).single_points_of_failure
    # t cuts off a and k; b cuts off k.
    assert {(p.person_id, p.kind, p.cut_off) for p in spof} == {
        ("t", "team_member", ("a", "k")),
        ("b", "stakeholder", ("k",)),
    }


def test_who_is_cut_off_is_listed_by_id_whatever_the_order_people_came_in() -> None:
    # t – hub – {z, m, a}: hub cuts off three key stakeholders, given out of id order.
    # The order must not follow the input (a pull's order may differ between processes,
    # and alert events carry this list).
    account = AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[
            Stakeholder("z", "Z"),
            Stakeholder("hub", "H"),
            Stakeholder("m", "M"),
            Stakeholder("a", "A"),
        ],
        team_members=[TeamMember("t", "T")],
        knows=[Knows("t", "hub", 0.9)],
        influences=[Influences("hub", k, 0.5) for k in ("z", "m", "a")],
        roles=[Role(k, "champion", "account", "acc") for k in ("z", "m", "a")],
    )
    report = threading_report(account)
    spof = {p.person_id: p.cut_off for p in report.single_points_of_failure}
    assert spof["hub"] == ("a", "m", "z")
    bridges = {b.to_id if b.from_id == "hub" else b.from_id: b.cut_off for b in report.bridges}
    assert bridges["z"] == ("z",)


def test_empty_accounts_are_explained_not_errors() -> None:
    empty = threading_report(AccountGraph("acc", AS_OF))
    assert empty.key_stakeholders == () and empty.our_side.level == "dark"
    assert empty.risk == 1.0  # nobody known to decide
    assert any("no active stakeholders" in n for n in empty.notes)
    uncovered = threading_report(
        AccountGraph(
            "acc",
            AS_OF,
            stakeholders=[Stakeholder("k", "K")],
            roles=[Role("k", "champion", "account", "acc")],
        )
    )
    assert uncovered.key_stakeholders[0].coverage.level == "dark"
    assert not uncovered.key_stakeholders[0].reachable
    assert uncovered.single_points_of_failure == ()
    assert any("No team member" in n for n in uncovered.notes)


def _components(graph: nx.Graph) -> int:
    return nx.number_connected_components(graph)


@settings(max_examples=300, deadline=None)
@given(accounts(max_stakeholders=10, max_team=3))
def test_single_points_of_failure_match_remove_each_and_check(account: AccountGraph) -> None:
    ref = reference_graph(account)
    keys = reference_keys(account) & set(ref.nodes)
    reachable_before = reachable_from_team(ref)
    expected_people = {}
    for node in ref.nodes:
        reduced = ref.copy()
        reduced.remove_node(node)
        if _components(reduced) <= _components(ref):
            continue  # not an articulation point
        after = reachable_from_team(reduced)
        cut = {k for k in keys - {node} if k in reachable_before and k not in after}
        if cut:
            expected_people[node] = cut
    expected_bridges = {}
    for u, v in ref.edges:
        reduced = ref.copy()
        reduced.remove_edge(u, v)
        if _components(reduced) == _components(ref):
            continue  # not a bridge
        after = reachable_from_team(reduced)
        cut = {k for k in keys if k in reachable_before and k not in after}
        if cut:
            expected_bridges[frozenset((u, v))] = cut

    result = single_points_of_failure(engagement_graph(account), key_stakeholders(account))
    assert {p.person_id: set(p.cut_off) for p in result.people} == expected_people
    assert {
        frozenset((r.from_id, r.to_id)): set(r.cut_off) for r in result.relationships
    } == expected_bridges
