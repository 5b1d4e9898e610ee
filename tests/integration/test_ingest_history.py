"""History of time-bound edges (docs/graph-conventions.md) and departures, on the real Neo4j:
a change closes the current edge at the effective time and opens a new one; nothing is
deleted; departures close every current edge of the person and are idempotent."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from service.domain.errors import NotFound
from service.domain.ingest import depart_stakeholder, depart_team_member, ingest_batch
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_ingest_support import (
    current_edges,
    edge_counts,
    edges_from,
    node,
)

T1 = "2026-01-01T00:00:00Z"
T2 = "2026-06-01T00:00:00Z"
T3 = "2026-09-01T00:00:00Z"
T4 = "2030-01-01T00:00:00Z"  # after any "now" the departures below take


def ingest(graph: Graph, settings: Settings, effective_at: str, **sections: Any) -> dict[str, Any]:
    batch = {"effective_at": effective_at, **sections}
    return ingest_batch(graph, settings, batch).as_dict()


def person(pid: str, account: str = "acme", **fields: Any) -> dict[str, Any]:
    return {"id": pid, "account_id": account, "name": f"Person {pid}", **fields}


ACCOUNTS = [{"id": "acme", "name": "Acme"}, {"id": "globex", "name": "Globex"}]


def test_manager_change_closes_the_old_line_and_opens_a_new_one(
    graph: Graph, settings: Settings
) -> None:
    ingest(
        graph,
        settings,
        T1,
        accounts=ACCOUNTS,
        stakeholders=[person("p0"), person("p1"), person("p2", reports_to="p0")],
    )

    summary = ingest(graph, settings, T2, stakeholders=[person("p2", reports_to="p1")])

    assert summary["edges"]["REPORTS_TO"] == {"created": 1, "updated": 0, "closed": 1, "removed": 0}
    assert edges_from(graph, settings, "p2", "REPORTS_TO") == [
        {"target": "p0", "props": {"source": "api", "kind": "solid", "since": T1, "until": T2}},
        {"target": "p1", "props": {"source": "api", "kind": "solid", "since": T2}},
    ]

    # reports_to: null means "no solid-line manager any more": closed, nothing opened.
    ingest(graph, settings, T3, stakeholders=[person("p2", reports_to=None)])
    assert edges_from(graph, settings, "p2", "REPORTS_TO") == [
        {"target": "p0", "props": {"source": "api", "kind": "solid", "since": T1, "until": T2}},
        {"target": "p1", "props": {"source": "api", "kind": "solid", "since": T2, "until": T3}},
    ]
    # An omitted reports_to leaves the line alone (here: still none).
    ingest(graph, settings, T3, stakeholders=[person("p1", reports_to="p0")])
    ingest(graph, settings, T3, stakeholders=[person("p1", title="VP")])
    assert [e["source"] for e in current_edges(graph, settings, "REPORTS_TO")] == ["p1"]


def test_role_stance_change_is_history(graph: Graph, settings: Settings) -> None:
    role = {"stakeholder_id": "p1", "role": "champion", "account_id": "acme"}
    ingest(
        graph,
        settings,
        T1,
        accounts=ACCOUNTS,
        stakeholders=[person("p1")],
        roles=[{**role, "stance": 1}],
    )

    same = ingest(graph, settings, T2, roles=[{**role, "stance": 1}])
    assert same["edges"]["HAS_ROLE"]["created"] == 0

    ingest(graph, settings, T2, roles=[{**role, "stance": -1}])

    assert edges_from(graph, settings, "p1", "HAS_ROLE") == [
        {
            "target": "acme",
            "props": {"source": "api", "role": "champion", "stance": 1, "since": T1, "until": T2},
        },
        {
            "target": "acme",
            "props": {"source": "api", "role": "champion", "stance": -1, "since": T2},
        },
    ]
    # Another role on the same target is another edge, not a change.
    ingest(graph, settings, T3, roles=[{**role, "role": "coach", "stance": 0}])
    assert len(current_edges(graph, settings, "HAS_ROLE")) == 2


def test_employer_change_is_history(graph: Graph, settings: Settings) -> None:
    ingest(graph, settings, T1, accounts=ACCOUNTS, stakeholders=[person("p1")])

    ingest(graph, settings, T2, stakeholders=[person("p1", account="globex")])

    assert edges_from(graph, settings, "p1", "WORKS_AT") == [
        {"target": "acme", "props": {"source": "api", "since": T1, "until": T2}},
        {"target": "globex", "props": {"source": "api", "since": T2}},
    ]


def test_budget_authority_change_is_history(graph: Graph, settings: Settings) -> None:
    budget = {"id": "b1", "account_id": "acme", "name": "IT Opex"}
    control = {"stakeholder_id": "p1", "budget_id": "b1"}
    ingest(
        graph,
        settings,
        T1,
        accounts=ACCOUNTS,
        stakeholders=[person("p1")],
        budgets=[budget],
        controls=[{**control, "authority": "approver"}],
    )

    ingest(graph, settings, T2, controls=[{**control, "authority": "owner"}])

    assert edges_from(graph, settings, "p1", "CONTROLS") == [
        {
            "target": "b1",
            "props": {"source": "api", "authority": "approver", "since": T1, "until": T2},
        },
        {"target": "b1", "props": {"source": "api", "authority": "owner", "since": T2}},
    ]


def test_explicit_strength_change_is_history(graph: Graph, settings: Settings) -> None:
    rel = {"team_member_id": "t1", "stakeholder_id": "p1"}
    ingest(
        graph,
        settings,
        T1,
        accounts=ACCOUNTS,
        stakeholders=[person("p1")],
        team_members=[{"id": "t1", "name": "Sam"}],
        relationships=[{**rel, "strength": 0.5, "last_contact": "2025-12-20"}],
    )
    # Same strength, newer contact: updated in place, no new edge.
    touched = ingest(
        graph, settings, T2, relationships=[{**rel, "strength": 0.5, "last_contact": "2026-05-30"}]
    )
    assert touched["edges"]["KNOWS"] == {"created": 0, "updated": 1, "closed": 0, "removed": 0}

    ingest(graph, settings, T3, relationships=[{**rel, "strength": 0.9}])

    assert edges_from(graph, settings, "t1", "KNOWS") == [
        {
            "target": "p1",
            "props": {
                "strength": 0.5,
                "source": "api",
                "since": T1,
                "until": T3,
                "last_contact": "2026-05-30T00:00:00Z",
            },
        },
        # last_contact omitted: the one already known carries over.
        {
            "target": "p1",
            "props": {
                "strength": 0.9,
                "source": "api",
                "since": T3,
                "last_contact": "2026-05-30T00:00:00Z",
            },
        },
    ]


def test_dotted_lines_are_replaced_as_a_set(graph: Graph, settings: Settings) -> None:
    ingest(
        graph,
        settings,
        T1,
        accounts=ACCOUNTS,
        stakeholders=[
            person("p0"),
            person("p2"),
            person("p3"),
            person("p1", dotted_reports_to=["p0", "p2"]),
        ],
    )

    ingest(graph, settings, T2, stakeholders=[person("p1", dotted_reports_to=["p3", "p2"])])

    assert edges_from(graph, settings, "p1", "REPORTS_TO") == [
        {"target": "p0", "props": {"source": "api", "kind": "dotted", "since": T1, "until": T2}},
        {"target": "p2", "props": {"source": "api", "kind": "dotted", "since": T1}},
        {"target": "p3", "props": {"source": "api", "kind": "dotted", "since": T2}},
    ]
    ingest(graph, settings, T3, stakeholders=[person("p1", dotted_reports_to=[])])
    assert current_edges(graph, settings, "REPORTS_TO") == []


def test_a_late_batch_never_makes_history_run_backwards(graph: Graph, settings: Settings) -> None:
    ingest(graph, settings, T2, accounts=ACCOUNTS, stakeholders=[person("p1")])

    ingest(graph, settings, T1, stakeholders=[person("p1", account="globex")])  # older than T2

    # The change takes effect at the current edge's since (T2), not before it.
    assert edges_from(graph, settings, "p1", "WORKS_AT") == [
        {"target": "acme", "props": {"source": "api", "since": T2, "until": T2}},
        {"target": "globex", "props": {"source": "api", "since": T2}},
    ]


def _departure_scene(graph: Graph, settings: Settings) -> None:
    ingest(
        graph,
        settings,
        T1,
        accounts=ACCOUNTS,
        stakeholders=[
            person("p0"),
            person("p1", reports_to="p0", dotted_reports_to=["p3"]),
            person("p2", reports_to="p1"),
            person("p3"),
        ],
        team_members=[{"id": "t1", "name": "Sam"}, {"id": "t2", "name": "Kim"}],
        budgets=[{"id": "b1", "account_id": "acme", "name": "IT Opex"}],
        controls=[{"stakeholder_id": "p1", "budget_id": "b1", "authority": "owner"}],
        roles=[{"stakeholder_id": "p1", "role": "champion", "stance": 2, "account_id": "acme"}],
        influences=[{"from_id": "p1", "to_id": "p2", "strength": 0.6}],
        relationships=[
            {"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.7},
            {"team_member_id": "t2", "stakeholder_id": "p1", "strength": 0.4},
            {"team_member_id": "t1", "stakeholder_id": "p0", "strength": 0.3},
        ],
        coverage=[{"team_member_id": "t1", "account_id": "acme", "role": "account_manager"}],
    )


def test_stakeholder_departure_closes_every_current_edge(graph: Graph, settings: Settings) -> None:
    _departure_scene(graph, settings)
    counts_before = edge_counts(graph, settings)

    done = depart_stakeholder(graph, "p1", left_at=None)
    assert done.already_left is False
    # p1's WORKS_AT; REPORTS_TO to p0 (solid), to p3 (dotted), from p2; HAS_ROLE;
    # CONTROLS; KNOWS from t1 and t2; INFLUENCES (time-bound since issue 11).
    assert done.closed == {
        "CONTROLS": 1,
        "HAS_ROLE": 1,
        "INFLUENCES": 1,
        "KNOWS": 2,
        "REPORTS_TO": 3,
        "WORKS_AT": 1,
    }

    assert edge_counts(graph, settings) == counts_before  # closed, never deleted
    p1 = node(graph, settings, "p1")
    assert p1["status"] == "left"
    left_at = p1["left_at"]
    assert done.left_at.isoformat().replace("+00:00", "Z") == left_at
    touching_p1 = [
        e
        for rel in ("WORKS_AT", "REPORTS_TO", "HAS_ROLE", "CONTROLS", "KNOWS", "INFLUENCES")
        for e in current_edges(graph, settings, rel)
        if "p1" in (e["source"], e["target"])
    ]
    assert touching_p1 == []
    assert [e["props"]["until"] for e in edges_from(graph, settings, "p2", "REPORTS_TO")] == [
        left_at
    ]
    # Others keep theirs: p0's employment, t1's tie to p0.
    assert {(e["source"], e["target"]) for e in current_edges(graph, settings, "KNOWS")} == {
        ("t1", "p0")
    }

    again = depart_stakeholder(graph, "p1", left_at=None)
    assert again.already_left is True
    assert again.closed == {}
    assert node(graph, settings, "p1")["left_at"] == left_at  # the first left_at stays


def test_departure_with_a_date_and_unknown_person(graph: Graph, settings: Settings) -> None:
    _departure_scene(graph, settings)

    done = depart_stakeholder(graph, "p2", left_at=date(2026, 3, 1))
    assert done.closed == {"INFLUENCES": 1, "REPORTS_TO": 1, "WORKS_AT": 1}
    assert node(graph, settings, "p2")["left_at"] == "2026-03-01T00:00:00Z"

    with pytest.raises(NotFound):
        depart_stakeholder(graph, "nobody")
    with pytest.raises(NotFound):
        depart_team_member(graph, "nobody")


def test_team_member_departure_closes_ties_and_leaves_the_account_team(
    graph: Graph, settings: Settings
) -> None:
    _departure_scene(graph, settings)

    done = depart_team_member(graph, "t1")

    assert done.closed == {"COVERS": 1, "KNOWS": 2}  # t1 -> p1, t1 -> p0; t1 -> acme
    assert done.uncovered_accounts == ["acme"]
    assert node(graph, settings, "t1")["status"] == "left"
    assert {(e["source"], e["target"]) for e in current_edges(graph, settings, "KNOWS")} == {
        ("t2", "p1")
    }
    assert current_edges(graph, settings, "COVERS") == []  # closed (history kept)
    assert edge_counts(graph, settings)["COVERS"] == 1
    assert edge_counts(graph, settings)["KNOWS"] == 3  # closed, not deleted

    again = depart_team_member(graph, "t1")
    assert (again.already_left, again.closed, again.uncovered_accounts) == (True, {}, [])


def test_ingesting_a_departed_person_again_reactivates_them(
    graph: Graph, settings: Settings
) -> None:
    _departure_scene(graph, settings)
    depart_stakeholder(graph, "p2")

    ingest(graph, settings, T4, stakeholders=[person("p2", reports_to="p0")])

    p2 = node(graph, settings, "p2")
    assert p2["status"] == "active"
    assert "left_at" not in p2
    works_at = edges_from(graph, settings, "p2", "WORKS_AT")
    assert [e["props"].get("until") is None for e in works_at] == [False, True]
    assert works_at[1]["props"]["since"] == T4
