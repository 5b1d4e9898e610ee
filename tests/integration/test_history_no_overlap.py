"""Intervals of one edge identity never overlap (docs/graph-conventions.md, "Invariants").

Issue 9, item 7: a derived KNOWS that was closed and is opened again must not start
before the closed one's ``until`` (it used to start at the pair's first interaction,
inside the closed interval). The same class of bug for every other time-bound edge:
a new edge opened at an ``effective_at`` older than the ``until`` of a closed edge of
the same identity (closed by a later batch or by a departure).
"""

from __future__ import annotations

from typing import Any

from service.domain.ingest import depart_stakeholder, depart_team_member, ingest_batch
from service.graph.check import Violation, check_graph
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_ingest_support import edges_from

T0 = "2026-01-01T00:00:00Z"
T1 = "2026-02-01T00:00:00Z"
T2 = "2026-03-01T00:00:00Z"
T3 = "2026-04-01T00:00:00Z"
T4 = "2026-05-01T00:00:00Z"

SCENE: dict[str, Any] = {
    "accounts": [{"id": "acme", "name": "Acme"}, {"id": "globex", "name": "Globex"}],
    "stakeholders": [
        {"id": "p0", "account_id": "acme", "name": "Ann"},
        {"id": "p9", "account_id": "acme", "name": "Ben"},
        {"id": "p1", "account_id": "acme", "name": "Dana"},
    ],
    "team_members": [{"id": "t1", "name": "Sam"}],
    "budgets": [{"id": "b1", "account_id": "acme", "name": "Opex"}],
}


def ingest(graph: Graph, settings: Settings, effective_at: str, **sections: Any) -> None:
    batch = {"effective_at": effective_at, **sections}
    ingest_batch(graph, settings, batch)


def overlaps(graph: Graph, settings: Settings) -> list[Violation]:
    return [v for v in check_graph(graph) if v.kind == "overlap"]


def intervals(graph: Graph, settings: Settings, source: str, rel: str) -> list[Any]:
    return [
        (e["target"], e["props"]["since"], e["props"].get("until"))
        for e in edges_from(graph, settings, source, rel)
    ]


def meeting(iid: str, at: str, people: list[str]) -> dict[str, Any]:
    return {
        "id": iid,
        "kind": "meeting",
        "at": at,
        "team_member_ids": ["t1"],
        "stakeholder_ids": people,
    }


def test_a_reopened_derived_tie_starts_after_the_closed_one(
    graph: Graph, settings: Settings
) -> None:
    # Three sequential batches (issue 9, item 7): a meeting opens a derived tie at the
    # pair's first interaction; the meeting is re-sent without p1, which closes the tie;
    # a new meeting reopens it. The new tie used to start at T0 again, inside [T0, T2].
    ingest(graph, settings, T1, **SCENE, interactions=[meeting("i1", T0, ["p1"])])
    ingest(graph, settings, T2, interactions=[meeting("i1", T0, ["p0"])])
    ingest(graph, settings, T3, interactions=[meeting("i2", T0, ["p1"])])

    assert intervals(graph, settings, "t1", "KNOWS") == [
        ("p0", T0, None),
        ("p1", T0, T2),
        ("p1", T2, None),
    ]
    assert overlaps(graph, settings) == []


def test_a_derived_tie_after_a_departure_and_return_starts_after_the_closed_one(
    graph: Graph, settings: Settings
) -> None:
    ingest(graph, settings, T1, **SCENE, interactions=[meeting("i1", T0, ["p1"])])
    depart_stakeholder(graph, "p1", left_at=None)  # now, after T4
    ingest(graph, settings, T2, stakeholders=[SCENE["stakeholders"][2]])
    ingest(graph, settings, T3, interactions=[meeting("i2", T1, ["p1"])])

    history = intervals(graph, settings, "t1", "KNOWS")
    assert len(history) == 2
    assert history[1][1] == history[0][2]  # opened when the closed one ended
    assert overlaps(graph, settings) == []


def test_an_explicit_tie_of_an_older_batch_starts_after_the_closed_one(
    graph: Graph, settings: Settings
) -> None:
    tie = {"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.5}
    ingest(graph, settings, T1, **SCENE, relationships=[tie])
    depart_team_member(graph, "t1", left_at=None)
    closed = intervals(graph, settings, "t1", "KNOWS")[0][2]
    ingest(graph, settings, T2, team_members=SCENE["team_members"], relationships=[tie])

    assert intervals(graph, settings, "t1", "KNOWS") == [
        ("p1", T1, closed),
        ("p1", closed, None),
    ]
    assert overlaps(graph, settings) == []


def test_a_solid_line_of_an_older_batch_starts_after_the_closed_one(
    graph: Graph, settings: Settings
) -> None:
    p1 = SCENE["stakeholders"][2]
    ingest(graph, settings, T1, **SCENE)
    ingest(graph, settings, T1, stakeholders=[{**p1, "reports_to": "p0"}])
    ingest(graph, settings, T3, stakeholders=[{**p1, "reports_to": None}])
    ingest(graph, settings, T2, stakeholders=[{**p1, "reports_to": "p9"}])  # late batch

    assert intervals(graph, settings, "p1", "REPORTS_TO") == [
        ("p0", T1, T3),
        ("p9", T3, None),
    ]
    assert overlaps(graph, settings) == []


def test_a_dotted_line_of_an_older_batch_starts_after_the_closed_one(
    graph: Graph, settings: Settings
) -> None:
    p1 = SCENE["stakeholders"][2]
    ingest(graph, settings, T1, **SCENE)
    ingest(graph, settings, T1, stakeholders=[{**p1, "dotted_reports_to": ["p9"]}])
    ingest(graph, settings, T3, stakeholders=[{**p1, "dotted_reports_to": []}])
    ingest(graph, settings, T2, stakeholders=[{**p1, "dotted_reports_to": ["p9"]}])

    assert intervals(graph, settings, "p1", "REPORTS_TO") == [
        ("p9", T1, T3),
        ("p9", T3, None),
    ]
    assert overlaps(graph, settings) == []


def test_edges_reopened_after_a_return_start_after_the_departure(
    graph: Graph, settings: Settings
) -> None:
    # WORKS_AT, CONTROLS and HAS_ROLE are closed only by a departure; the person comes
    # back with a batch dated before the departure.
    p1 = SCENE["stakeholders"][2]
    facts: dict[str, Any] = {
        "controls": [{"stakeholder_id": "p1", "budget_id": "b1", "authority": "owner"}],
        "roles": [{"stakeholder_id": "p1", "role": "champion", "stance": 1, "account_id": "acme"}],
    }
    ingest(graph, settings, T1, **SCENE, **facts)
    depart_stakeholder(graph, "p1", left_at=None)
    ingest(graph, settings, T2, stakeholders=[{**p1, "account_id": "globex"}], **facts)

    for rel in ("WORKS_AT", "CONTROLS", "HAS_ROLE"):
        first, second = intervals(graph, settings, "p1", rel)
        assert first[1] == T1
        assert second[1] == first[2], rel  # opened when the departure closed the first
    assert overlaps(graph, settings) == []
