"""The org chart as of a date: the pure tree assembly, then the whole use case on Neo4j."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from service.domain import org_chart
from service.domain.errors import NotFound
from service.domain.org_chart import (
    AccountRef,
    OrgNode,
    PersonAtDate,
    RoleAtDate,
    TieAtDate,
    build_org_chart,
    coverage_of,
    stance_of,
    valid_at,
)
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.graph_builders import GraphBuilder

ACME = AccountRef("acme", "Acme Corp", "strategic")
Shape = tuple[str, list[Any]]


def shape(node: OrgNode) -> Shape:
    """A node as (id, [children's shapes]) so whole trees compare in one assert."""
    return (node.id, [shape(c) for c in node.children])


def by_id(roots: list[OrgNode]) -> dict[str, OrgNode]:
    found: dict[str, OrgNode] = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        found[node.id] = node
        stack.extend(node.children)
    return found


# --- the pure assembly -------------------------------------------------------------


def test_valid_at_is_the_end_of_the_day_utc() -> None:
    assert valid_at(date(2026, 12, 31)).isoformat() == "2027-01-01T00:00:00+00:00"


def test_children_nest_under_managers_and_sort_by_name() -> None:
    people = [
        PersonAtDate("p0", "Zoe Boss"),
        PersonAtDate("p3", "Carl", manager_ids=("p0",)),
        PersonAtDate("p1", "anna", manager_ids=("p0",)),  # sorts case-insensitively
        PersonAtDate("p2", "Bob", manager_ids=("p1",)),
    ]
    chart = build_org_chart(ACME, people, as_of=date(2026, 1, 1), threshold=0.2)
    # By hand: Zoe Boss > [anna > [Bob], Carl]
    assert [shape(r) for r in chart.roots] == [("p0", [("p1", [("p2", [])]), ("p3", [])])]
    assert chart.people_count == 4


def test_manager_outside_the_chart_or_self_makes_a_root() -> None:
    people = [
        PersonAtDate("p1", "Bea", manager_ids=("gone",)),  # manager not in the account then
        PersonAtDate("p2", "Al", manager_ids=("p2",)),  # a self-line is ignored
        PersonAtDate("p3", "Cy", manager_ids=("missing", "p1")),  # first one present wins
    ]
    chart = build_org_chart(ACME, people, as_of=date(2026, 1, 1), threshold=0.2)
    # By hand: roots Al and Bea (by name); Cy under Bea.
    assert [shape(r) for r in chart.roots] == [("p2", []), ("p1", [("p3", [])])]


def test_a_solid_cycle_is_cut_at_its_smallest_id_and_nobody_is_lost() -> None:
    people = [
        PersonAtDate("c", "C", manager_ids=("b",)),
        PersonAtDate("b", "B", manager_ids=("c",)),  # b <-> c is a cycle
        PersonAtDate("a", "A", manager_ids=("b",)),  # hangs off the cycle; smallest id overall
    ]
    chart = build_org_chart(ACME, people, as_of=date(2026, 1, 1), threshold=0.2)
    # The cycle is {b, c}; its smallest id b becomes the root; a and c stay under b.
    assert [shape(r) for r in chart.roots] == [("b", [("a", []), ("c", [])])]


def test_dotted_lines_only_between_people_in_the_chart() -> None:
    people = [
        PersonAtDate("p1", "A", dotted_manager_ids=("p2", "outsider", "p1")),
        PersonAtDate("p2", "B"),
    ]
    chart = build_org_chart(ACME, people, as_of=date(2026, 1, 1), threshold=0.2)
    assert [(d.from_id, d.to_id) for d in chart.dotted_lines] == [("p1", "p2")]


def test_coverage_states_and_threshold_edge() -> None:
    theta = 0.2
    assert coverage_of([], theta).state == "dark"
    assert coverage_of([TieAtDate("t1", None, 0.19)], theta).state == "dark"
    at_edge = coverage_of([TieAtDate("t1", None, 0.2)], theta)  # exactly θ is active
    assert (at_edge.state, at_edge.count, at_edge.team_member_ids) == ("single", 1, ["t1"])
    multi = coverage_of(
        [TieAtDate("t2", None, 0.9), TieAtDate("t1", None, 0.3), TieAtDate("t1", None, 0.5)],
        theta,
    )
    # Distinct team members: t1 twice counts once.
    assert (multi.state, multi.count, multi.team_member_ids) == ("multi", 2, ["t1", "t2"])


def test_stance_is_the_most_extreme_with_negative_on_a_tie() -> None:
    def r(stance: int | None) -> RoleAtDate:
        return RoleAtDate("user", stance, "account", "acme")

    assert stance_of([]) is None
    assert stance_of([r(None)]) is None
    assert stance_of([r(1), r(-1)]) == -1
    assert stance_of([r(1), r(2), r(-1)]) == 2
    assert stance_of([r(0)]) == 0


# --- the use case against Neo4j ----------------------------------------------------

CHANGE_AT = "2026-03-15T12:00:00Z"  # x moves from manager a to manager b
LEFT_AT = "2026-02-01T00:00:00Z"  # lea leaves


@pytest.fixture
def acme(graph: Graph, settings: Settings) -> GraphBuilder:
    """An account whose org chart changes over time (the expected trees are in the tests).

    ceo "Ada CEO" > a "Ben A" > x "Xavier" (until CHANGE_AT, then under b), y "Yuri"
                  > b "Cara B" > lea "Lea" (left at LEFT_AT)
    zed "Zed" reports to "olga", who works at another account: zed is a root.
    Dotted: y -> b (in the chart), zed -> olga (outside, not shown).
    """
    g = GraphBuilder(graph)
    g.account("acme", name="Acme Corp", tier="strategic")
    g.account("other", name="Other Inc", tier="key")
    for pid, name, title in [
        ("ceo", "Ada CEO", "CEO"),
        ("a", "Ben A", "VP Operations"),
        ("b", "Cara B", "VP Finance"),
        ("x", "Xavier", "Buyer"),
        ("y", "Yuri", "Engineer"),
        ("lea", "Lea", "Analyst"),
        ("zed", "Zed", "Plant manager"),
    ]:
        g.stakeholder(pid, "acme", name=name, title=title)
    g.stakeholder("olga", "other", name="Olga")
    g.reports_to("a", "ceo")
    g.reports_to("b", "ceo")
    g.reports_to("x", "a")
    g.change_manager("x", "b", at=CHANGE_AT)
    g.reports_to("y", "a")
    g.reports_to("lea", "b")
    g.reports_to("zed", "olga")
    g.reports_to("y", "b", kind="dotted")
    g.reports_to("zed", "olga", kind="dotted")
    g.depart("lea", at=LEFT_AT)
    return g


def chart_at(graph: Graph, settings: Settings, day: date) -> org_chart.OrgChart:
    return org_chart.org_chart(
        graph,
        "acme",
        as_of=day,
        threshold=settings.active_tie_threshold,
    )


def test_reporting_line_change_shows_on_its_day(
    acme: GraphBuilder, graph: Graph, settings: Settings
) -> None:
    before = chart_at(graph, settings, date(2026, 3, 14))
    # End of 14 March is before the change at noon on the 15th: x is under a.
    assert [shape(r) for r in before.roots] == [
        ("ceo", [("a", [("x", []), ("y", [])]), ("b", [])]),
        ("zed", []),
    ]
    after = chart_at(graph, settings, date(2026, 3, 15))
    # End of 15 March is after the change: x is under b.
    assert [shape(r) for r in after.roots] == [
        ("ceo", [("a", [("y", [])]), ("b", [("x", [])])]),
        ("zed", []),
    ]
    assert after.people_count == 6  # 7 acme people minus lea
    assert after.account == AccountRef("acme", "Acme Corp", "strategic")
    assert after.as_of == date(2026, 3, 15)


def test_dotted_lines_alongside_only_inside_the_account(
    acme: GraphBuilder, graph: Graph, settings: Settings
) -> None:
    chart = chart_at(graph, settings, date(2026, 6, 1))
    assert [(d.from_id, d.to_id) for d in chart.dotted_lines] == [("y", "b")]


def test_left_person_shown_at_a_past_date_not_after(
    acme: GraphBuilder, graph: Graph, settings: Settings
) -> None:
    # lea left at 2026-02-01T00:00Z; the end of 31 January is exactly that instant and
    # `left_at >= t` keeps her in, with her closed edges still valid (`until >= t`).
    last_day = chart_at(graph, settings, date(2026, 1, 31))
    people = by_id(last_day.roots)
    assert "lea" in people
    assert people["lea"].status == "active"  # active as of that date
    assert [shape(r) for r in last_day.roots][0] == (
        "ceo",
        [("a", [("x", []), ("y", [])]), ("b", [("lea", [])])],
    )
    assert last_day.people_count == 7
    next_day = chart_at(graph, settings, date(2026, 2, 1))
    assert "lea" not in by_id(next_day.roots)
    assert next_day.people_count == 6
    today = chart_at(graph, settings, date.today())
    assert "lea" not in by_id(today.roots)


def test_people_before_they_joined_are_not_shown(
    acme: GraphBuilder, graph: Graph, settings: Settings
) -> None:
    acme.stakeholder("newbie", "acme", name="Newbie", since="2026-05-10T09:00:00Z")
    acme.reports_to("newbie", "b", since="2026-05-10T09:00:00Z")
    assert "newbie" not in by_id(chart_at(graph, settings, date(2026, 5, 9)).roots)
    later = by_id(chart_at(graph, settings, date(2026, 5, 10)).roots)
    assert [c.id for c in later["b"].children] == ["newbie", "x"]  # "Newbie" < "Xavier"


def test_moved_employer_is_a_root_in_the_new_account_and_gone_from_the_old(
    acme: GraphBuilder, graph: Graph, settings: Settings
) -> None:
    # y moves to "other" on 1 July; the solid line to a stays open (another account's
    # manager is not in the chart), so y is a root there.
    acme.move_employer("y", "other", at="2026-07-01T00:00:00Z")
    assert "y" not in by_id(chart_at(graph, settings, date(2026, 7, 1)).roots)
    other = org_chart.org_chart(graph, "other", as_of=date(2026, 7, 1), threshold=0.2)
    assert sorted(shape(r) for r in other.roots) == [("olga", []), ("y", [])]


def test_roles_stance_and_coverage_at_a_date(graph: Graph, settings: Settings) -> None:
    theta = settings.active_tie_threshold
    g = GraphBuilder(graph)
    g.account("acme", name="Acme Corp", tier="strategic")
    g.account("other")
    g.opportunity("o1", "acme")
    g.opportunity("o9", "other")
    for pid in ["dark", "edge", "multi", "weak"]:
        g.stakeholder(pid, "acme", name=pid.title())
    g.team_member("t1")
    g.team_member("t2")
    g.team_member("t3", status="left", left_at="2026-01-01T00:00:00Z")
    g.team_member("t4")
    g.knows("t1", "dark", round(theta - 0.01, 2))  # below θ: dark, but still the strongest
    g.knows("t1", "edge", theta)  # exactly θ: active
    g.knows("t1", "multi", 0.5)
    g.knows("t2", "multi", 0.9)
    g.knows("t3", "multi", 0.95)  # t3 left on 1 Jan 2026: not counted after
    g.knows("t4", "multi", 0.8, until="2026-02-01T00:00:00Z")  # closed tie
    g.role("edge", "economic_buyer", 1, "acme")
    g.role("edge", "champion", -2, "o1")
    g.role("edge", "user", 2, "o9")  # another account's opportunity: not on this chart
    g.role("multi", "coach", 2, "acme", until="2026-02-01T00:00:00Z")

    chart = org_chart.org_chart(graph, "acme", as_of=date(2026, 3, 1), threshold=theta)
    people = by_id(chart.roots)
    assert [r.id for r in chart.roots] == ["dark", "edge", "multi", "weak"]  # by name

    dark = people["dark"]
    assert (dark.coverage.state, dark.coverage.count, dark.coverage.team_member_ids) == (
        "dark",
        0,
        [],
    )
    assert dark.strongest_relationship is not None
    assert dark.strongest_relationship.team_member_id == "t1"
    assert dark.strongest_relationship.strength == pytest.approx(theta - 0.01)

    edge = people["edge"]
    assert (edge.coverage.state, edge.coverage.team_member_ids) == ("single", ["t1"])
    # Roles sorted by role name; o9 belongs to another account and is left out.
    assert [(r.role, r.stance, r.target_type, r.target_id) for r in edge.roles] == [
        ("champion", -2, "opportunity", "o1"),
        ("economic_buyer", 1, "account", "acme"),
    ]
    assert edge.stance == -2  # |−2| beats |1|

    multi = people["multi"]
    # t1 (0.5) and t2 (0.9); t3 left before 1 March, t4's tie closed 1 Feb.
    assert (multi.coverage.state, multi.coverage.count) == ("multi", 2)
    assert multi.coverage.team_member_ids == ["t1", "t2"]
    assert multi.strongest_relationship is not None
    assert multi.strongest_relationship.team_member_id == "t2"
    assert multi.roles == []  # the coach role ended 1 Feb
    assert multi.stance is None

    weak = people["weak"]
    assert weak.coverage.state == "dark"
    assert weak.strongest_relationship is None

    # On 31 December 2025 t3 was still with us and t4's tie open; the coach role held.
    earlier = by_id(
        org_chart.org_chart(graph, "acme", as_of=date(2025, 12, 31), threshold=theta).roots
    )
    assert earlier["multi"].coverage.team_member_ids == ["t1", "t2", "t3", "t4"]
    assert earlier["multi"].strongest_relationship is not None
    assert earlier["multi"].strongest_relationship.team_member_id == "t3"
    assert earlier["multi"].stance == 2


def test_unknown_account_is_not_found(graph: Graph, settings: Settings) -> None:
    with pytest.raises(NotFound):
        chart_at(graph, settings, date(2026, 1, 1))


def test_five_thousand_people_in_one_round_trip(graph: Graph, settings: Settings) -> None:
    g = GraphBuilder(graph)
    g.account("big", name="Big Corp", tier="strategic")
    g.team_member("t1")
    g.team_member("t2")
    n = 5000
    g.bulk_people(
        "big",
        [
            {
                "id": f"p{i:04d}",
                "name": f"Person {i:04d}",
                "title": "Manager",
                "department": "Ops",
                "seniority": "manager",
            }
            for i in range(n)
        ],
    )
    # A 5-ary tree: p(i) reports to p((i-1)//5); p0000 is the only root.
    g.bulk_solid_lines(
        [{"id": f"p{i:04d}", "manager_id": f"p{(i - 1) // 5:04d}"} for i in range(1, n)]
    )
    g.bulk_knows(
        [
            {"team_member_id": "t1", "stakeholder_id": f"p{i:04d}", "strength": 0.5}
            for i in range(0, n, 2)
        ]
        + [
            {"team_member_id": "t2", "stakeholder_id": f"p{i:04d}", "strength": 0.5}
            for i in range(0, n, 3)
        ]
    )

    chart = org_chart.org_chart(graph, "big", as_of=date.today(), threshold=0.2)

    assert chart.people_count == n
    assert [r.id for r in chart.roots] == ["p0000"]
    people = by_id(chart.roots)
    assert len(people) == n
    assert [c.id for c in people["p0000"].children] == ["p0001", "p0002", "p0003", "p0004", "p0005"]
    # Coverage by hand: multiples of 6 have t1 and t2 (multi); other evens t1 only,
    # other multiples of 3 t2 only (single); the rest dark.
    states = {"dark": 0, "single": 0, "multi": 0}
    for node in people.values():
        states[node.coverage.state] += 1
    multi = len(range(0, n, 6))  # 834
    single = len(range(0, n, 2)) + len(range(0, n, 3)) - 2 * multi  # 2500 + 1667 - 1668
    assert states == {"multi": multi, "single": single, "dark": n - multi - single}
