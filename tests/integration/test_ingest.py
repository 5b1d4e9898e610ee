"""Ingest against the real Neo4j: what a batch writes, idempotency, all-or-nothing
validation with every bad row reported, reporting-cycle rejection and the size cap."""

from __future__ import annotations

import math
from typing import Any

import pytest

from service.domain.errors import InvalidInput, PayloadTooLarge
from service.domain.ingest import ingest_batch
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_ingest_support import (
    current_edges,
    dump,
    edge_counts,
    edges_from,
    example_batch,
    node,
    node_count,
    people,
)


def ingest(graph: Graph, settings: Settings, batch: dict[str, Any]) -> dict[str, Any]:
    return ingest_batch(graph, settings, batch).as_dict()


def rejected(graph: Graph, settings: Settings, batch: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(InvalidInput) as caught:
        ingest_batch(graph, settings, batch)
    return [e.as_dict() for e in caught.value.errors]


def test_example_batch_writes_the_model(graph: Graph, settings: Settings) -> None:
    summary = ingest(graph, settings, example_batch())

    # 1 account + 4 stakeholders + 1 team member + 1 budget + 1 opportunity + 1 interaction
    assert node_count(graph, settings) == 9
    assert edge_counts(graph, settings) == {
        "WORKS_AT": 4,  # p0, p1, p2, p9
        "REPORTS_TO": 3,  # p1->p0 solid, p2->p0 solid, p1->p9 dotted
        "OF": 1,
        "FOR": 1,
        "CONTROLS": 1,
        "HAS_ROLE": 2,
        "INFLUENCES": 1,
        "KNOWS": 2,  # t1->p1 explicit, t1->p2 derived from the meeting
        "COVERS": 1,
        "WITH": 2,
        "ATTENDED": 1,
    }
    assert summary["rows"] == 15
    assert summary["transactions"] == 1
    assert summary["nodes"]["Stakeholder"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert summary["edges"]["REPORTS_TO"]["created"] == 3
    assert summary["edges"]["KNOWS"]["created"] == 2

    p1 = node(graph, settings, "p1")
    assert p1["status"] == "active"
    assert p1["seniority"] == "c_level"
    assert p1["email"] == "dana@acme.example"
    assert node(graph, settings, "o1")["close_date"] == "2027-03-31"  # stored as a Date
    assert node(graph, settings, "b1")["amount"] == 1200000.0

    effective = "2026-11-01T00:00:00Z"
    # Ordered by since: the derived tie dates from the meeting, the explicit one from
    # the batch's effective time.
    knows = edges_from(graph, settings, "t1", "KNOWS")
    assert [e["target"] for e in knows] == ["p2", "p1"]
    assert knows[1]["props"] == {
        "strength": 0.8,
        "source": "api",
        "since": effective,
        "last_contact": "2026-10-01T00:00:00Z",
    }
    derived = knows[0]["props"]
    # One meeting 30 days 14 hours before the effective time:
    # s = 1 - exp(-1.0 * 2^(-30.5833/90)) = 1 - exp(-0.79013) ~ 0.5462
    age_days = 30 + 14 / 24
    assert derived["strength"] == pytest.approx(1 - math.exp(-(2 ** (-age_days / 90))), abs=1e-12)
    assert derived["strength"] == pytest.approx(0.5462, abs=1e-4)
    assert derived["source"] == "interactions"
    assert derived["last_contact"] == "2026-10-01T10:00:00Z"

    solid = edges_from(graph, settings, "p1", "REPORTS_TO")
    assert solid == [
        {"target": "p0", "props": {"source": "api", "kind": "solid", "since": effective}},
        {"target": "p9", "props": {"source": "api", "kind": "dotted", "since": effective}},
    ]


def test_same_batch_twice_leaves_the_graph_identical(graph: Graph, settings: Settings) -> None:
    batch = example_batch()
    del batch["effective_at"]  # default "now": a second run must still change nothing
    ingest(graph, settings, batch)
    first = dump(graph, settings)

    again = ingest(graph, settings, batch)

    assert dump(graph, settings) == first  # every node and edge, every property
    assert all(c["created"] == 0 and c["updated"] == 0 for c in again["nodes"].values())
    assert all(sum(c.values()) == 0 for c in again["edges"].values())
    assert again["nodes"]["Stakeholder"]["unchanged"] == 4


def test_later_values_win_omitted_fields_stay_nulls_clear(graph: Graph, settings: Settings) -> None:
    base = {"id": "p1", "account_id": "acme", "name": "Dana"}
    ingest(
        graph,
        settings,
        {
            "accounts": [{"id": "acme", "name": "Acme"}],
            "stakeholders": [{**base, "title": "CFO", "department": "Finance"}],
        },
    )
    stamped = node(graph, settings, "p1")["updated_at"]

    ingest(graph, settings, {"stakeholders": [{**base, "title": "CFO"}]})  # same values
    assert node(graph, settings, "p1")["updated_at"] == stamped  # nothing changed

    ingest(graph, settings, {"stakeholders": [{**base, "department": "Treasury"}]})
    after = node(graph, settings, "p1")
    assert after["title"] == "CFO"  # omitted: kept
    assert after["department"] == "Treasury"  # later value wins
    assert after["updated_at"] > stamped

    ingest(graph, settings, {"stakeholders": [{**base, "title": None}]})
    assert "title" not in node(graph, settings, "p1")  # explicit null: cleared


def test_one_bad_row_among_a_thousand_writes_nothing(graph: Graph, settings: Settings) -> None:
    rows = people("acme", 1000)
    rows[617]["seniority"] = "chief"  # not a seniority of the model
    batch = {"accounts": [{"id": "acme", "name": "Acme"}], "stakeholders": rows}

    errors = rejected(graph, settings, batch)

    assert errors == [
        {
            "location": "stakeholders[617].seniority",
            "section": "stakeholders",
            "index": 617,
            "field": "seniority",
            "reason": "Input should be 'c_level', 'vp', 'director', 'manager' or "
            "'individual_contributor'",
        }
    ]
    assert node_count(graph, settings) == 0
    assert edge_counts(graph, settings) == {}


def test_every_bad_row_of_every_kind_is_reported(graph: Graph, settings: Settings) -> None:
    batch: dict[str, Any] = {
        "effective_at": "yesterday",
        "accounts": [{"id": "acme", "name": "Acme", "tier": "gold"}],
        "stakeholders": [
            {"id": "p1", "account_id": "acme", "name": "A"},
            {"id": "p1", "account_id": "acme", "name": "B"},
            {"id": "p2", "account_id": "nowhere", "name": "C"},
            {"id": "p3", "account_id": "acme", "name": 42},
            {"id": "p4", "account_id": "acme", "name": "D", "dotted_reports_to": ["p1", "p4"]},
            {"id": "p5", "account_id": "acme", "name": "E", "nickname": "e"},
            {"id": "p6", "account_id": "acme"},
        ],
        "budgets": [{"id": "b1", "account_id": "acme", "name": "B", "amount": "1000"}],
        "controls": "not a list",
        "roles": [
            {"stakeholder_id": "p1", "role": "champion", "stance": 3, "account_id": "acme"},
            {"stakeholder_id": "p1", "role": "champion", "stance": 1},
            {"stakeholder_id": "p1", "role": "boss", "stance": 1, "account_id": "acme"},
            {
                "stakeholder_id": "p3",
                "role": "coach",
                "stance": 0,
                "account_id": "acme",
                "opportunity_id": "o1",
            },
        ],
        "influences": [
            {"from_id": "p1", "to_id": "p1", "strength": 0.5},
            {"from_id": "p1", "to_id": "p4", "strength": -0.1},
        ],
        "relationships": [
            {"team_member_id": "ghost", "stakeholder_id": "p1", "strength": 0.5},
            {"team_member_id": "ghost", "stakeholder_id": "p1", "strength": 0.6},
        ],
        "extras": [],
    }

    errors = rejected(graph, settings, batch)

    by_location = {e["location"]: e for e in errors}
    assert set(by_location) == {
        "extras",  # unknown section
        "effective_at",  # not a datetime
        "accounts[0].tier",  # enum
        "stakeholders[1].id",  # duplicate id
        "stakeholders[2].account_id",  # unknown reference
        "stakeholders[3].name",  # wrong JSON type
        "stakeholders[4].dotted_reports_to[1]",  # dotted self-loop
        "stakeholders[5].nickname",  # unknown field
        "stakeholders[6].name",  # missing field
        "budgets[0].amount",  # a string for a number
        "controls",  # not a list
        "roles[0].stance",  # outside -2..2
        "roles[1].account_id",  # neither target
        "roles[2].role",  # enum
        "roles[3].opportunity_id",  # both targets, and 'o1' is unknown: two errors
        "influences[0].to_id",  # self-influence
        "influences[1].strength",  # outside 0..1
        "relationships[0].team_member_id",  # unknown reference
        "relationships[1].team_member_id",  # unknown reference
        "relationships[1]",  # the same edge twice
    }
    assert len(errors) == 21  # the 20 locations above, roles[3].opportunity_id twice
    assert (
        by_location["stakeholders[1].id"]["reason"]
        == "duplicate id 'p1' (first at stakeholders[0])"
    )
    assert by_location["stakeholders[2].account_id"] == {
        "location": "stakeholders[2].account_id",
        "section": "stakeholders",
        "index": 2,
        "field": "account_id",
        "reason": "unknown account 'nowhere' (neither in this batch nor stored)",
    }
    assert by_location["roles[0].stance"]["reason"] == "Input should be less than or equal to 2"
    assert by_location["stakeholders[4].dotted_reports_to[1]"]["field"] == "dotted_reports_to"
    assert node_count(graph, settings) == 0


def test_references_resolve_against_stored_nodes(graph: Graph, settings: Settings) -> None:
    ingest(graph, settings, {"accounts": [{"id": "acme", "name": "Acme"}]})

    summary = ingest(
        graph, settings, {"stakeholders": [{"id": "p1", "account_id": "acme", "name": "Dana"}]}
    )

    assert summary["edges"]["WORKS_AT"]["created"] == 1
    assert current_edges(graph, settings, "WORKS_AT")[0]["target"] == "acme"


def test_direct_and_indirect_cycles_are_rejected(graph: Graph, settings: Settings) -> None:
    account = {"accounts": [{"id": "acme", "name": "Acme"}]}
    direct = rejected(
        graph,
        settings,
        {
            **account,
            "stakeholders": [
                {"id": "p1", "account_id": "acme", "name": "A", "reports_to": "p2"},
                {"id": "p2", "account_id": "acme", "name": "B", "reports_to": "p1"},
            ],
        },
    )
    assert [(e["location"], e["reason"]) for e in direct] == [
        ("stakeholders[0].reports_to", "solid reporting cycle: p1 -> p2 -> p1"),
        ("stakeholders[1].reports_to", "solid reporting cycle: p1 -> p2 -> p1"),
    ]

    indirect = rejected(
        graph,
        settings,
        {
            **account,
            "stakeholders": [
                {"id": "p0", "account_id": "acme", "name": "Top"},
                {"id": "p1", "account_id": "acme", "name": "A", "reports_to": "p2"},
                {"id": "p2", "account_id": "acme", "name": "B", "reports_to": "p3"},
                {"id": "p3", "account_id": "acme", "name": "C", "reports_to": "p1"},
            ],
        },
    )
    assert [e["location"] for e in indirect] == [
        "stakeholders[1].reports_to",
        "stakeholders[2].reports_to",
        "stakeholders[3].reports_to",
    ]
    assert indirect[0]["reason"] == "solid reporting cycle: p1 -> p2 -> p3 -> p1"

    itself = rejected(
        graph,
        settings,
        {
            **account,
            "stakeholders": [{"id": "p1", "account_id": "acme", "name": "A", "reports_to": "p1"}],
        },
    )
    assert itself == [
        {
            "location": "stakeholders[0].reports_to",
            "section": "stakeholders",
            "index": 0,
            "field": "reports_to",
            "reason": "a person cannot report to themself",
        }
    ]
    assert node_count(graph, settings) == 0


def test_cycle_through_stored_reporting_lines_is_rejected(graph: Graph, settings: Settings) -> None:
    # Stored: p3 -> p2 -> p1 -> p0 (solid). The batch makes p0 report to p3.
    ingest(
        graph,
        settings,
        {"accounts": [{"id": "acme", "name": "Acme"}], "stakeholders": people("acme", 4)},
    )
    before = dump(graph, settings)

    errors = rejected(
        graph,
        settings,
        {
            "stakeholders": [
                {"id": "p0", "account_id": "acme", "name": "Person 0", "reports_to": "p3"}
            ]
        },
    )

    assert errors == [
        {
            "location": "stakeholders[0].reports_to",
            "section": "stakeholders",
            "index": 0,
            "field": "reports_to",
            "reason": "solid reporting cycle: p0 -> p3 -> p2 -> p1 -> p0",
        }
    ]
    assert dump(graph, settings) == before

    # The same line is fine when the batch also cuts the stored chain (p1 loses its
    # manager): the batch's values override the stored ones before cycles are sought.
    ingest(
        graph,
        settings,
        {
            "stakeholders": [
                {"id": "p0", "account_id": "acme", "name": "Person 0", "reports_to": "p3"},
                {"id": "p1", "account_id": "acme", "name": "Person 1", "reports_to": None},
            ]
        },
    )
    solid = {e["source"]: e["target"] for e in current_edges(graph, settings, "REPORTS_TO")}
    assert solid == {"p0": "p3", "p2": "p1", "p3": "p2"}


def test_dotted_lines_may_cycle_but_not_loop(graph: Graph, settings: Settings) -> None:
    account = {"accounts": [{"id": "acme", "name": "Acme"}]}
    ingest(
        graph,
        settings,
        {
            **account,
            "stakeholders": [
                {"id": "p1", "account_id": "acme", "name": "A", "dotted_reports_to": ["p2"]},
                {"id": "p2", "account_id": "acme", "name": "B", "dotted_reports_to": ["p1"]},
            ],
        },
    )
    dotted = [(e["source"], e["target"]) for e in current_edges(graph, settings, "REPORTS_TO")]
    assert dotted == [("p1", "p2"), ("p2", "p1")]

    errors = rejected(
        graph,
        settings,
        {
            "stakeholders": [
                {"id": "p1", "account_id": "acme", "name": "A", "dotted_reports_to": ["p1"]}
            ]
        },
    )
    assert [e["location"] for e in errors] == ["stakeholders[0].dotted_reports_to[0]"]


def test_oversized_batch_is_refused_before_anything_else(graph: Graph, settings: Settings) -> None:
    small = settings.model_copy(update={"ingest_max_rows": 3})
    # Four rows, and invalid ones: the cap is checked first.
    batch = {"stakeholders": [{"id": 1}, {"id": 2}], "accounts": [{}, {}]}

    with pytest.raises(PayloadTooLarge) as caught:
        ingest_batch(graph, small, batch)

    assert caught.value.status == 413
    assert "4 rows" in caught.value.detail
    assert node_count(graph, settings) == 0


def test_statements_are_chunked_inside_one_transaction(graph: Graph, settings: Settings) -> None:
    chunked = settings.model_copy(update={"ingest_unwind_chunk": 7})
    batch = {"accounts": [{"id": "acme", "name": "Acme"}], "stakeholders": people("acme", 50)}

    summary = ingest_batch(graph, chunked, batch).as_dict()

    assert summary["transactions"] == 1
    assert summary["nodes"]["Stakeholder"]["created"] == 50  # 8 chunks of <= 7 rows
    assert edge_counts(graph, settings) == {"WORKS_AT": 50, "REPORTS_TO": 49}
