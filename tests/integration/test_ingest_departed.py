"""A batch never opens a current edge of a person who has left (docs/graph-conventions.md,
"Invariants"). Found by `powermap check` after the suite's tests and the hypothesis test:
a row naming a stored, departed person (a reporting line to them, their budget control
or role, our tie to them, a team member's coverage) used to open a current edge of that
person. It is now refused with a 422 naming the row, unless the batch reactivates the
person with their own row; a departure committed after validation is still respected
by the write itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.domain.errors import InvalidInput
from service.domain.ingest import depart_stakeholder, depart_team_member, ingest_batch
from service.domain.ingest.batch import validate_batch, write_params, write_recorded
from service.domain.ingest.plan import plan_units, write_set_of
from service.graph.check import check_graph
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_ingest_support import current_edges, dump

T1 = "2026-01-01T00:00:00Z"
T2 = "2026-02-01T00:00:00Z"
P0 = {"id": "p0", "account_id": "acme", "name": "Ann"}
P1 = {"id": "p1", "account_id": "acme", "name": "Dana"}
T_1 = {"id": "t1", "name": "Sam"}
SCENE: dict[str, Any] = {
    "accounts": [{"id": "acme", "name": "Acme"}],
    "stakeholders": [P0, P1],
    "team_members": [T_1],
    "budgets": [{"id": "b1", "account_id": "acme", "name": "Opex"}],
    "opportunities": [{"id": "o1", "account_id": "acme", "name": "Renewal"}],
}

# (section rows naming p0 or t1 who has left, the location of the error)
NAMING_THE_DEPARTED: list[tuple[dict[str, Any], str, str]] = [
    ({"stakeholders": [{**P1, "reports_to": "p0"}]}, "stakeholders[0].reports_to", "p0"),
    (
        {"stakeholders": [{**P1, "dotted_reports_to": ["p0"]}]},
        "stakeholders[0].dotted_reports_to[0]",
        "p0",
    ),
    (
        {"controls": [{"stakeholder_id": "p0", "budget_id": "b1", "authority": "owner"}]},
        "controls[0].stakeholder_id",
        "p0",
    ),
    (
        {"roles": [{"stakeholder_id": "p0", "role": "coach", "stance": 1, "account_id": "acme"}]},
        "roles[0].stakeholder_id",
        "p0",
    ),
    (
        {"relationships": [{"team_member_id": "t1", "stakeholder_id": "p0", "strength": 0.6}]},
        "relationships[0].stakeholder_id",
        "p0",
    ),
    (
        {"relationships": [{"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.6}]},
        "relationships[0].team_member_id",
        "t1",
    ),
    (
        {"coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "exec_sponsor"}]},
        "coverage[0].team_member_id",
        "t1",
    ),
]


def ingest(graph: Graph, settings: Settings, effective_at: str, **sections: Any) -> None:
    ingest_batch(graph, settings, {"effective_at": effective_at, **sections})


def depart(graph: Graph, settings: Settings, person: str) -> None:
    at = datetime(2026, 1, 15, tzinfo=UTC)
    if person.startswith("t"):
        depart_team_member(graph, person, left_at=at)
    else:
        depart_stakeholder(graph, person, left_at=at)


@pytest.mark.parametrize(
    ("rows", "location", "person"),
    NAMING_THE_DEPARTED,
    ids=[loc for _, loc, _ in NAMING_THE_DEPARTED],
)
def test_a_row_naming_a_departed_person_is_refused(
    graph: Graph, settings: Settings, rows: dict[str, Any], location: str, person: str
) -> None:
    ingest(graph, settings, T1, **SCENE)
    depart(graph, settings, person)
    before = dump(graph, settings)

    with pytest.raises(InvalidInput) as refused:
        ingest(graph, settings, T2, **rows)

    assert [(e.location, e.reason) for e in refused.value.errors] == [
        (
            location,
            f"{'team member' if person == 't1' else 'stakeholder'} {person!r} has left; send "
            f"their {'team_members' if person == 't1' else 'stakeholders'} row in this batch "
            "to reactivate them",
        )
    ]
    assert dump(graph, settings) == before  # nothing written


@pytest.mark.parametrize(
    ("rows", "person"),
    [(rows, person) for rows, _, person in NAMING_THE_DEPARTED],
    ids=[loc for _, loc, _ in NAMING_THE_DEPARTED],
)
def test_the_same_row_with_the_person_reactivated_is_written(
    graph: Graph, settings: Settings, rows: dict[str, Any], person: str
) -> None:
    ingest(graph, settings, T1, **SCENE)
    depart(graph, settings, person)
    revived = {"team_members": [T_1]} if person == "t1" else {"stakeholders": [P0]}
    merged = {**revived, **rows}
    if "stakeholders" in rows and "stakeholders" in revived:
        merged["stakeholders"] = revived["stakeholders"] + rows["stakeholders"]

    ingest(graph, settings, T2, **merged)

    assert check_graph(graph) == []


def test_influences_and_interactions_may_name_a_departed_person(
    graph: Graph, settings: Settings
) -> None:
    ingest(graph, settings, T1, **SCENE)
    depart(graph, settings, "p0")

    ingest(
        graph,
        settings,
        T2,
        influences=[{"from_id": "p0", "to_id": "p1", "strength": 0.4}],
        interactions=[
            {
                "id": "i1",
                "kind": "call",
                "at": T1,
                "team_member_ids": ["t1"],
                "stakeholder_ids": ["p0", "p1"],
            }
        ],
    )

    # Our derived tie to p1 opens; none to p0, who has left. The influence row is
    # accepted, but no current influence line of a person who left opens.
    assert [(e["source"], e["target"]) for e in current_edges(graph, settings, "KNOWS")] == [
        ("t1", "p1")
    ]
    assert current_edges(graph, settings, "INFLUENCES") == []


@pytest.mark.parametrize(
    ("rows", "person"),
    [(rows, person) for rows, _, person in NAMING_THE_DEPARTED],
    ids=[loc for _, loc, _ in NAMING_THE_DEPARTED],
)
def test_a_departure_committed_after_validation_wins(
    graph: Graph, settings: Settings, rows: dict[str, Any], person: str
) -> None:
    # The batch is validated while the person is active; their departure commits before
    # the batch is written (a concurrent request). The write opens no current edge of
    # theirs: the departure is the later fact.
    ingest(graph, settings, T1, **SCENE)
    valid = validate_batch(graph, {"effective_at": T2, **rows})
    depart(graph, settings, person)

    now = datetime.now(UTC)
    params = write_params(settings, datetime(2026, 2, 1, tzinfo=UTC), now)
    write_recorded(graph, write_set_of(plan_units(valid)), params)

    assert check_graph(graph) == []
