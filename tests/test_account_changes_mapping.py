"""How one change set becomes feed items (service/domain/account_changes.py), for the
shapes today's writes do not record yet but the issue-11 ending and sync paths will:
COVERS closed with an ``until``, COVERS closed and reopened with another role, a
person marked as left without a current employment, an employment re-dated at the
same account, and a change set touching two accounts. Pure: no database involved (the
feed over real writes is tested in tests/api/test_account_changes.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from service.domain.account_changes import CHANGE_TYPES, FeedEntry, feed_entries
from service.domain.changes import ChangeSet, EdgeChange, NodeChange, PropertyChange

T0 = datetime(2025, 12, 1, tzinfo=UTC)
T1 = datetime(2026, 1, 1, tzinfo=UTC)
T2 = datetime(2026, 2, 1, tzinfo=UTC)
WRITTEN = datetime(2026, 11, 30, tzinfo=UTC)


def change_set(
    *edges: EdgeChange, nodes: tuple[NodeChange, ...] = (), source: str = "salesforce"
) -> ChangeSet:
    return ChangeSet(
        id="cs-1",
        at=WRITTEN,
        effective_at=T2,
        source=source,  # type: ignore[arg-type]
        accounts=("acme", "globex"),
        nodes=nodes,
        edges=edges,
    )


def said(entries: list[FeedEntry]) -> list[tuple[object, ...]]:
    return [(e.at, e.type, e.person_id, e.before, e.after, e.source) for e in entries]


def test_a_closed_covers_with_until_ends_coverage_at_its_until() -> None:
    cs = change_set(
        EdgeChange("closed", "COVERS", "t1", "acme", "acme", T0, T1, {"role": "account_manager"})
    )
    assert said(feed_entries(cs, "acme")) == [
        (T1, "coverage_ended", "t1", {"role": "account_manager"}, None, "salesforce")
    ]
    assert feed_entries(cs, "acme")[0].person_label == "TeamMember"


def test_a_covers_reopened_with_another_role_is_one_new_coverage_item() -> None:
    cs = change_set(
        EdgeChange("closed", "COVERS", "t1", "acme", "acme", T0, T1, {"role": "account_manager"}),
        EdgeChange("opened", "COVERS", "t1", "acme", "acme", T1, None, {"role": "exec_sponsor"}),
    )
    assert said(feed_entries(cs, "acme")) == [
        (
            T1,
            "coverage_started",
            "t1",
            {"role": "account_manager"},
            {"role": "exec_sponsor"},
            "salesforce",
        )
    ]


def test_a_person_marked_as_left_without_a_current_employer_left_at_left_at() -> None:
    left = NodeChange(
        "changed",
        "Stakeholder",
        "p1",
        "acme",
        changed=("left_at", "status"),
        values=(
            PropertyChange("left_at", None, "2026-01-01T00:00:00+00:00"),
            PropertyChange("status", "active", "left"),
        ),
    )
    assert said(feed_entries(change_set(nodes=(left,)), "acme")) == [
        (T1, "left", "p1", {"account_id": "acme"}, None, "salesforce")
    ]


def test_a_departure_with_its_employment_closed_is_one_left_item() -> None:
    left = NodeChange(
        "left",
        "Stakeholder",
        "p1",
        "acme",
        changed=("left_at", "status"),
        values=(
            PropertyChange("left_at", None, "2026-01-01T00:00:00+00:00"),
            PropertyChange("status", "active", "left"),
        ),
    )
    cs = change_set(EdgeChange("closed", "WORKS_AT", "p1", "acme", "acme", T0, T1), nodes=(left,))
    assert [e.type for e in feed_entries(cs, "acme")] == ["left"]


def test_employment_re_dated_at_the_same_account_is_no_item() -> None:
    cs = change_set(
        EdgeChange("closed", "WORKS_AT", "p1", "acme", "acme", T0, T1),
        EdgeChange("opened", "WORKS_AT", "p1", "acme", "acme", T1, None),
    )
    assert feed_entries(cs, "acme") == []


def test_each_account_sees_its_side_of_a_move_and_names_come_from_the_change_set() -> None:
    renamed = NodeChange(
        "changed",
        "Stakeholder",
        "p1",
        "globex",
        changed=("name", "title"),
        values=(PropertyChange("name", "Dana", "Dana Lee"), PropertyChange("title", "CFO", "CEO")),
    )
    cs = change_set(
        EdgeChange("closed", "WORKS_AT", "p1", "acme", "acme", T0, T2),
        EdgeChange("opened", "WORKS_AT", "p1", "globex", "globex", T2, None),
        nodes=(renamed,),
    )
    move = ({"account_id": "acme"}, {"account_id": "globex"})
    assert said(feed_entries(cs, "acme")) == [(T2, "moved_out", "p1", *move, "salesforce")]
    at_globex = feed_entries(cs, "globex")
    assert said(at_globex) == [
        (T2, "moved_in", "p1", *move, "salesforce"),
        (T2, "title_changed", "p1", {"title": "CFO"}, {"title": "CEO"}, "salesforce"),
    ]
    assert [e.recorded_name for e in at_globex] == ["Dana Lee", "Dana Lee"]
    # Positions: the instant, the write, the change set, then the item's place in it.
    assert [e.key for e in at_globex] == [
        (e.key[0], e.key[1], "cs-1", i) for i, e in enumerate(at_globex)
    ]


def test_a_change_set_of_other_accounts_says_nothing_here() -> None:
    cs = change_set(
        EdgeChange("opened", "WORKS_AT", "p9", "globex", "globex", T1, None),
        EdgeChange("opened", "REPORTS_TO", "p9", "p8", "globex", T1, None, {"kind": "solid"}),
    )
    assert feed_entries(cs, "acme") == []


def test_the_types_are_the_issue_s_fourteen() -> None:
    assert CHANGE_TYPES == (
        "joined",
        "left",
        "moved_in",
        "moved_out",
        "manager_changed",
        "title_changed",
        "role_started",
        "role_ended",
        "control_started",
        "control_ended",
        "coverage_started",
        "coverage_ended",
        "tie_activated",
        "tie_went_dark",
    )


def test_a_mover_s_lines_ended_by_the_move_are_the_old_account_s() -> None:
    # The ending rules close the mover's line to their old manager at the move; the change
    # set files it under the mover's account after the write (globex).
    solid = {"kind": "solid"}
    cs = change_set(
        EdgeChange("closed", "WORKS_AT", "p1", "acme", "acme", T0, T2),
        EdgeChange("opened", "WORKS_AT", "p1", "globex", "globex", T2, None),
        EdgeChange("closed", "REPORTS_TO", "p1", "p0", "globex", T0, T2, solid),
        EdgeChange("opened", "REPORTS_TO", "p1", "g0", "globex", T2, None, solid),
    )
    assert said(feed_entries(cs, "acme")) == [
        (T2, "moved_out", "p1", {"account_id": "acme"}, {"account_id": "globex"}, "salesforce"),
        (T2, "manager_changed", "p1", {"manager_id": "p0", "kind": "solid"}, None, "salesforce"),
    ]
    assert said(feed_entries(cs, "globex")) == [
        (T2, "moved_in", "p1", {"account_id": "acme"}, {"account_id": "globex"}, "salesforce"),
        (T2, "manager_changed", "p1", None, {"manager_id": "g0", "kind": "solid"}, "salesforce"),
    ]
