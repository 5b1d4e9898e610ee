"""Change sets against the real Neo4j: what a write returns as changed, worked out by hand
for small batches and departures; the ChangeSet node recorded in the same transaction
holds exactly that; a re-sent batch, a refused batch and a rolled-back write record
nothing; and the recorded change sets of random sequences of writes rebuild the
since/until history of every time-bound edge in the graph."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from service.domain.changes import (
    ChangeSet,
    EdgeChange,
    NodeChange,
    PropertyChange,
    TieActivity,
    recorded_change_sets,
)
from service.domain.errors import Conflict, InvalidInput
from service.domain.ingest import (
    depart_stakeholder,
    depart_team_member,
    import_batches,
    ingest_batch,
)
from service.domain.ingest.batch import validate_batch, write_params, write_recorded
from service.domain.ingest.plan import plan_units, write_set_of
from service.graph import ingest as store
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory, _clean
from tests.integration.test_graph_invariants_hypothesis import START, steps
from tests.integration.test_graph_invariants_hypothesis import _step as random_step

T1 = datetime(2026, 1, 1, tzinfo=UTC)
T2 = datetime(2026, 3, 1, tzinfo=UTC)
T3 = datetime(2026, 5, 1, tzinfo=UTC)

FIRST: dict[str, Any] = {
    "effective_at": "2026-01-01T00:00:00Z",
    "accounts": [{"id": "acme", "name": "Acme", "tier": "key"}],
    "stakeholders": [
        {"id": "p0", "account_id": "acme", "name": "Pat", "title": "CEO"},
        {"id": "p1", "account_id": "acme", "name": "Dana", "title": "CFO", "reports_to": "p0"},
        {"id": "p2", "account_id": "acme", "name": "Lee", "title": "CIO", "reports_to": "p0"},
    ],
    "roles": [
        {"stakeholder_id": "p1", "role": "economic_buyer", "stance": 1, "account_id": "acme"}
    ],
}


def write(graph: Graph, settings: Settings, batch: dict[str, Any]) -> ChangeSet:
    changes = ingest_batch(graph, settings, batch).changes
    assert changes is not None
    return changes


def recorded(graph: Graph, settings: Settings) -> list[ChangeSet]:
    return recorded_change_sets(graph)


def change_set_count(graph: Graph, settings: Settings) -> int:
    rows = graph.read("MATCH (c:ChangeSet) RETURN count(c) AS n")
    return int(rows[0]["n"])


def test_a_first_batch_creates_its_nodes_and_opens_its_edges(
    graph: Graph, settings: Settings
) -> None:
    changes = write(graph, settings, FIRST)

    assert changes.id is not None and changes.source == "api"
    assert changes.effective_at == T1
    assert changes.accounts == ("acme",)
    assert changes.nodes == (
        NodeChange(
            "created",
            "Account",
            "acme",
            "acme",
            changed=("name", "tier"),
            values=(PropertyChange("name", None, "Acme"), PropertyChange("tier", None, "key")),
        ),
        *(
            NodeChange(
                "created",
                "Stakeholder",
                pid,
                "acme",
                changed=("name", "title"),
                values=(PropertyChange("name", None, name), PropertyChange("title", None, title)),
            )
            for pid, name, title in (
                ("p0", "Pat", "CEO"),
                ("p1", "Dana", "CFO"),
                ("p2", "Lee", "CIO"),
            )
        ),
    )
    assert changes.edges == (
        EdgeChange(
            "opened",
            "HAS_ROLE",
            "p1",
            "acme",
            "acme",
            since=T1,
            identity={"role": "economic_buyer", "stance": 1, "target": "account"},
        ),
        EdgeChange(
            "opened", "REPORTS_TO", "p1", "p0", "acme", since=T1, identity={"kind": "solid"}
        ),
        EdgeChange(
            "opened", "REPORTS_TO", "p2", "p0", "acme", since=T1, identity={"kind": "solid"}
        ),
        *(
            EdgeChange("opened", "WORKS_AT", p, "acme", "acme", since=T1)
            for p in ("p0", "p1", "p2")
        ),
    )
    assert changes.ties == ()
    # The record is the returned change set, written in the same transaction.
    assert recorded(graph, settings) == [changes]


def test_a_title_and_a_manager_change(graph: Graph, settings: Settings) -> None:
    write(graph, settings, FIRST)
    changes = write(
        graph,
        settings,
        {
            "effective_at": "2026-03-01T00:00:00Z",
            "stakeholders": [
                {
                    "id": "p1",
                    "account_id": "acme",
                    "name": "Dana",
                    "title": "Chief Financial Officer",
                    "email": "dana@acme.example",
                    "reports_to": "p2",
                },
                {"id": "p2", "account_id": "acme", "name": "Lee", "title": "CIO"},  # no-op
            ],
        },
    )

    assert changes.accounts == ("acme",)
    assert changes.nodes == (
        NodeChange(
            "changed",
            "Stakeholder",
            "p1",
            "acme",
            changed=("email", "title"),  # email is listed, its values are not kept
            values=(PropertyChange("title", "CFO", "Chief Financial Officer"),),
        ),
    )
    assert changes.edges == (
        EdgeChange("closed", "REPORTS_TO", "p1", "p0", "acme", T1, T2, identity={"kind": "solid"}),
        EdgeChange("opened", "REPORTS_TO", "p1", "p2", "acme", T2, identity={"kind": "solid"}),
        # The position (title) is history: the employment at acme closes and reopens.
        EdgeChange("closed", "WORKS_AT", "p1", "acme", "acme", T1, T2),
        EdgeChange("opened", "WORKS_AT", "p1", "acme", "acme", T2),
    )
    assert recorded(graph, settings)[-1] == changes


def test_a_re_sent_batch_changes_nothing_and_records_nothing(
    graph: Graph, settings: Settings
) -> None:
    first = write(graph, settings, FIRST)
    again = ingest_batch(graph, settings, FIRST)

    assert again.changes is not None and again.changes.empty
    assert again.changes.id is None and again.changes.accounts == ()
    assert again.as_dict()["changes"]["change_set_ids"] == []
    assert recorded(graph, settings) == [first]


def test_a_departure_ends_the_roles_and_records_it(graph: Graph, settings: Settings) -> None:
    write(graph, settings, FIRST)
    write(
        graph,
        settings,
        {
            "effective_at": "2026-01-01T00:00:00Z",
            "team_members": [{"id": "t1", "name": "Sam"}],
            "relationships": [{"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.8}],
            "coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "account_manager"}],
        },
    )

    done = depart_stakeholder(graph, "p1", left_at=T3)

    changes = done.changes
    assert changes is not None and changes.id is not None
    assert changes.effective_at == T3 and changes.accounts == ("acme",)
    assert changes.nodes == (
        NodeChange(
            "left",
            "Stakeholder",
            "p1",
            "acme",  # their last employer
            changed=("left_at", "status"),
            values=(
                PropertyChange("left_at", None, T3.isoformat()),
                PropertyChange("status", "active", "left"),
            ),
        ),
    )
    explicit = {"source": "api", "strength": 0.8}
    assert changes.edges == (
        EdgeChange(
            "closed",
            "HAS_ROLE",
            "p1",
            "acme",
            "acme",
            T1,
            T3,
            identity={"role": "economic_buyer", "stance": 1, "target": "account"},
        ),
        EdgeChange("closed", "KNOWS", "t1", "p1", "acme", T1, T3, identity=explicit),
        EdgeChange("closed", "REPORTS_TO", "p1", "p0", "acme", T1, T3, identity={"kind": "solid"}),
        EdgeChange("closed", "WORKS_AT", "p1", "acme", "acme", T1, T3),
    )
    # Our only tie to them was active (0.8 ≥ θ = 0.2): it went dark with the departure.
    assert changes.ties == (TieActivity("tie_went_dark", "t1", "p1", "acme", T3, 0.8, None),)
    assert recorded(graph, settings)[-1] == changes

    again = depart_stakeholder(graph, "p1", left_at=T3)
    assert again.changes is not None and again.changes.empty
    assert recorded(graph, settings)[-1] == changes  # nothing new recorded

    gone = depart_team_member(graph, "t1", left_at=T3).changes
    assert gone is not None
    assert [(n.change, n.id, n.account) for n in gone.nodes] == [("left", "t1", None)]
    # The tie was closed by p1's departure already; the coverage closes (history kept).
    assert gone.edges == (
        EdgeChange(
            "closed", "COVERS", "t1", "acme", "acme", T1, T3, identity={"role": "account_manager"}
        ),
    )
    assert gone.accounts == ("acme",)


def test_a_derived_tie_crossing_the_threshold_is_noted_at_the_batch_that_crossed_it(
    graph: Graph, settings: Settings
) -> None:
    write(graph, settings, FIRST)
    meeting = {"id": "i1", "kind": "meeting", "team_member_ids": ["t1"], "stakeholder_ids": ["p2"]}
    opened = write(
        graph,
        settings,
        {
            "effective_at": "2026-03-01T00:00:00Z",
            "team_members": [{"id": "t1", "name": "Sam"}],
            "interactions": [{**meeting, "at": "2026-03-01T00:00:00Z"}],
        },
    )
    strength = 1 - math.exp(-1.0)  # one meeting of weight 1, age 0
    [tie] = [e for e in opened.edges if e.type == "KNOWS"]
    assert (tie.change, tie.from_id, tie.to_id, tie.account, tie.since) == (
        "opened",
        "t1",
        "p2",
        "acme",
        T2,
    )
    assert tie.identity["source"] == "interactions"
    assert tie.identity["strength"] == pytest.approx(strength)
    assert [(t.change, t.stakeholder_id, t.strength_before) for t in opened.ties] == [
        ("tie_activated", "p2", None)
    ]
    # The meeting was really three years earlier: the tie is updated in place, far below θ.
    moved = write(
        graph,
        settings,
        {
            "effective_at": "2026-03-01T00:00:00Z",
            "interactions": [{**meeting, "at": "2023-03-01T00:00:00Z"}],
        },
    )
    [tie] = moved.edges
    assert (tie.change, tie.type, tie.since, tie.until) == ("changed", "KNOWS", T2, None)
    assert [v.name for v in tie.values] == ["strength", "last_contact"]
    assert tie.values[0].before == pytest.approx(strength) and tie.values[0].after < 0.01
    assert tie.values[1] == PropertyChange(
        "last_contact", "2026-03-01T00:00:00+00:00", "2023-03-01T00:00:00+00:00"
    )
    [dark] = moved.ties
    assert (dark.change, dark.team_member_id, dark.stakeholder_id, dark.at) == (
        "tie_went_dark",
        "t1",
        "p2",
        T2,
    )
    assert moved.accounts == ("acme",)


def test_a_refused_batch_and_a_rolled_back_write_record_nothing(
    graph: Graph, settings: Settings
) -> None:
    write(graph, settings, FIRST)
    before = recorded(graph, settings)

    bad = {
        "stakeholders": [
            {"id": "p3", "account_id": "acme", "name": "New", "title": "VP"},
            {"id": "p4", "account_id": "nowhere", "name": "Lost"},
        ]
    }
    with pytest.raises(InvalidInput):
        ingest_batch(graph, settings, bad)
    assert recorded(graph, settings) == before

    # A write that changed things and then rolled back (a reporting cycle found at the
    # end of the transaction) leaves no change set either.
    cycle = {
        "stakeholders": [{"id": "p0", "account_id": "acme", "name": "Pat", "reports_to": "p1"}]
    }
    valid = validate_batch(
        graph,
        {"stakeholders": [{"id": "p4", "account_id": "acme", "name": "X"}]},
    )
    units = write_set_of(plan_units(valid))
    units[store.Statement.SOLID_REPORTS_TO] = [{"id": "p0", "manager_id": "p1"}]
    with pytest.raises(Conflict):
        write_recorded(graph, units, write_params(settings, T2, datetime.now(UTC)))
    with pytest.raises(InvalidInput):  # validation refuses the same cycle up front
        ingest_batch(graph, settings, cycle)
    assert recorded(graph, settings) == before
    assert change_set_count(graph, settings) == len(before) == 1


def test_an_import_records_one_change_set_per_committed_chunk(
    graph: Graph, settings: Settings
) -> None:
    batch = {
        "effective_at": "2026-01-01T00:00:00Z",
        "accounts": [{"id": f"a{i}", "name": f"A{i}"} for i in range(3)],
        "stakeholders": [
            {"id": f"a{i}-p{j}", "account_id": f"a{i}", "name": f"P{j}"}
            for i in range(3)
            for j in range(4)
        ],
    }
    seen: list[ChangeSet] = []
    summary = import_batches(graph, settings, batch, chunk_rows=10, on_change_set=seen.append)

    assert summary.transactions == len(seen) == 3  # one account of 9 statement rows each
    assert [cs.accounts for cs in seen] == [("a0",), ("a1",), ("a2",)]
    assert sorted(seen, key=lambda cs: cs.accounts) == sorted(
        recorded(graph, settings), key=lambda cs: cs.accounts
    )
    assert summary.as_dict()["changes"]["accounts"] == ["a0", "a1", "a2"]
    assert summary.as_dict()["changes"]["nodes"] == {"created": 15, "changed": 0, "left": 0}
    # The full-text index finds a touched account's change sets.
    [of_a1] = recorded_change_sets(graph, "a1")
    assert of_a1 == next(cs for cs in seen if cs.accounts == ("a1",))
    assert recorded_change_sets(graph, "a") == []


# -- the recorded change sets rebuild the history -------------------------------------

TIME_BOUND = ("WORKS_AT", "REPORTS_TO", "HAS_ROLE", "CONTROLS", "KNOWS", "INFLUENCES", "COVERS")
IDENTITY = {"REPORTS_TO": ("kind",), "HAS_ROLE": ("role", "stance"), "CONTROLS": ("authority",)}
IDENTITY["KNOWS"] = ("source",)
IDENTITY["INFLUENCES"] = ("strength",)
IDENTITY["COVERS"] = ("role",)

STORED_HISTORY = """
MATCH (a)-[r]->(b) WHERE type(r) IN $types
RETURN type(r) AS type, a.id AS source, b.id AS target, r.since AS since, r.until AS until,
       properties(r) AS props
"""

Interval = tuple[str, str, str, tuple[Any, ...], datetime, datetime | None]


def _key(t: str, source: str, target: str, identity: dict[str, Any]) -> tuple[Any, ...]:
    return (t, source, target, tuple(identity.get(k) for k in IDENTITY.get(t, ())))


def _order(interval: Interval) -> tuple[str, datetime, datetime]:
    return (repr(interval[:4]), interval[4], interval[5] or datetime.max.replace(tzinfo=UTC))


def _utc(value: Any) -> datetime | None:
    return None if value is None else value.to_native().astimezone(UTC)


def stored_history(graph: Graph, settings: Settings) -> list[Interval]:
    rows = graph.read(STORED_HISTORY, types=list(TIME_BOUND))
    intervals: list[Interval] = []
    for r in rows:
        t, source, target, identity = _key(r["type"], r["source"], r["target"], r["props"])
        since = _utc(r["since"])
        assert since is not None
        intervals.append((t, source, target, identity, since, _utc(r["until"])))
    return sorted(intervals, key=_order)


def rebuilt_history(change_sets: list[ChangeSet]) -> list[Interval]:
    """Replay the recorded changes: an opened edge starts an interval, a closed one ends
    the open interval of that edge (same type, ends, identity and since). An edge closed
    at its own since and reopened at that instant (a change at the same effective time)
    shares its key with the new one: a change set lists closings before openings. An edge
    a write opens and closes (a row with left_at: its departure closes what the same
    write opened) is opened first: only an open edge can close."""
    intervals: dict[tuple[Any, ...], list[datetime | None]] = {}

    def key_of(e: EdgeChange) -> tuple[Any, ...]:
        assert e.since is not None  # a time-bound edge's change names its interval
        return (*_key(e.type, e.from_id, e.to_id, dict(e.identity)), e.since)

    def edges() -> Iterator[EdgeChange]:
        for cs in change_sets:
            listed = [e for e in cs.edges if e.type in TIME_BOUND]
            opened_here = {key_of(e) for e in listed if e.change == "opened"}
            first = {k for k in opened_here if None not in intervals.get(k, [])}
            yield from (e for e in listed if e.change == "opened" and key_of(e) in first)
            yield from (e for e in listed if not (e.change == "opened" and key_of(e) in first))

    for e in edges():
        key = key_of(e)
        untils = intervals.setdefault(key, [])
        if e.change == "opened":
            assert None not in untils, f"opened twice: {key}"
            untils.append(None)
        else:  # closed, or changed in place (strength, last contact): an open interval
            assert untils.count(None) == 1, f"{e.change} but not open: {key}"
            if e.change == "closed":
                untils[untils.index(None)] = e.until
    return sorted(
        ((*key[:4], key[4], until) for key, untils in intervals.items() for until in untils),
        key=_order,
    )


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps)
def test_recorded_change_sets_rebuild_the_edge_history(
    graph: Graph, settings: Settings, sequence: list[tuple[Any, ...]]
) -> None:
    _clean(graph)
    ingest_batch(graph, settings, START)
    for step in sequence:
        random_step(graph, settings, step)
    history = stored_history(graph, settings)
    assert history  # START alone opens four WORKS_AT
    assert rebuilt_history(recorded(graph, settings)) == history


def test_the_ingest_response_summarises_the_change_set(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    headers = auth_headers("write")
    body = client.post("/v1/ingest", json=FIRST, headers=headers).json()

    [change_set_id] = body["changes"]["change_set_ids"]
    assert body["changes"] == {
        "change_set_ids": [change_set_id],
        "accounts": ["acme"],
        "nodes": {"created": 4, "changed": 0, "left": 0},
        "edges": {"opened": 6, "closed": 0, "changed": 0},
        "ties": {"tie_activated": 0, "tie_went_dark": 0},
    }
    assert [cs.id for cs in recorded(graph, settings)] == [change_set_id]
    again = client.post("/v1/ingest", json=FIRST, headers=headers).json()
    assert again["changes"]["change_set_ids"] == [] and again["changes"]["accounts"] == []


def test_times_before_1970_with_fractions_come_back_exact(graph: Graph, settings: Settings) -> None:
    """Neo4j's ``epochSeconds`` rounds a pre-1970 instant with a fraction towards zero
    (``1969-12-31T23:59:58.5Z`` gives -1, not -2), so times encoded from it were one second
    late; the statements encode ``epochMillis`` (floored) and the sub-millisecond part."""
    t1 = datetime(1969, 6, 1, 8, 30, 0, 250_400, tzinfo=UTC)
    t2 = datetime(1969, 12, 31, 23, 59, 58, 500_000, tzinfo=UTC)
    write(graph, settings, {**FIRST, "effective_at": t1.isoformat()})
    moved = {"id": "p1", "account_id": "acme", "name": "Dana", "title": "CFO", "reports_to": "p2"}
    changes = write(graph, settings, {"effective_at": t2.isoformat(), "stakeholders": [moved]})

    assert changes.edges == (
        EdgeChange("closed", "REPORTS_TO", "p1", "p0", "acme", t1, t2, identity={"kind": "solid"}),
        EdgeChange("opened", "REPORTS_TO", "p1", "p2", "acme", t2, identity={"kind": "solid"}),
    )
    assert recorded(graph, settings)[-1] == changes
