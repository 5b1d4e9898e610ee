"""Concurrent writers on the real Neo4j: 8 overlapping batches at once create no
duplicate node or edge (in particular no two current edges with one identity), lose no
update, and two batches that each add half of a reporting cycle cannot both commit."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from service.domain.errors import Conflict
from service.domain.ingest import depart_stakeholder, ingest_batch, validate_batch
from service.domain.ingest.batch import write_params, write_recorded
from service.domain.ingest.plan import plan_units, write_set_of
from service.graph import ingest as store
from service.graph.check import check_graph
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_ingest_support import current_edges, edge_counts, node

WRITERS = 8
SHARED = [f"shared{i:02d}" for i in range(12)]

# Identities of time-bound and history-less edges; any count above 1 is a duplicate.
DUPLICATE_IDENTITIES = {
    "WORKS_AT": """
        MATCH (s:Stakeholder)-[r:WORKS_AT]->() WHERE r.until IS NULL
        WITH s, count(r) AS n WHERE n > 1 RETURN s.id AS id, n""",
    "solid REPORTS_TO": """
        MATCH (s:Stakeholder)-[r:REPORTS_TO]->() WHERE r.kind = 'solid' AND r.until IS NULL
        WITH s, count(r) AS n WHERE n > 1 RETURN s.id AS id, n""",
    "dotted REPORTS_TO": """
        MATCH (s:Stakeholder)-[r:REPORTS_TO]->(m) WHERE r.kind = 'dotted' AND r.until IS NULL
        WITH s, m, count(r) AS n WHERE n > 1 RETURN s.id + '>' + m.id AS id, n""",
    "HAS_ROLE": """
        MATCH (s:Stakeholder)-[r:HAS_ROLE]->(t) WHERE r.until IS NULL
        WITH s, t, r.role AS role, count(r) AS n WHERE n > 1 RETURN s.id + '>' + t.id AS id, n""",
    "CONTROLS": """
        MATCH (s:Stakeholder)-[r:CONTROLS]->(b) WHERE r.until IS NULL
        WITH s, b, count(r) AS n WHERE n > 1 RETURN s.id + '>' + b.id AS id, n""",
    "KNOWS": """
        MATCH (t:TeamMember)-[r:KNOWS]->(s) WHERE r.until IS NULL
        WITH t, s, count(r) AS n WHERE n > 1 RETURN t.id + '>' + s.id AS id, n""",
    "INFLUENCES, COVERS": """
        MATCH (a)-[r:INFLUENCES|COVERS]->(b) WHERE r.until IS NULL
        WITH a, b, type(r) AS type, count(r) AS n WHERE n > 1 RETURN a.id + '>' + b.id AS id, n""",
    "history-less": """
        MATCH (a)-[r:OF|FOR|WITH|ATTENDED]->(b)
        WITH a, b, type(r) AS type, count(r) AS n WHERE n > 1 RETURN a.id + '>' + b.id AS id, n""",
    "nodes": """
        MATCH (n) WHERE n.id IS NOT NULL AND NOT n:ApiKey
        WITH labels(n) AS labels, n.id AS nid, count(n) AS n WHERE n > 1 RETURN nid AS id, n""",
}


COUNT_BY_LABEL = """
MATCH (n) WHERE NOT n:ApiKey AND NOT n:ChangeSet AND NOT n:__Migration AND NOT n:__MigrationLock
RETURN labels(n)[0] AS label, count(n) AS n
"""


def writer_batch(w: int) -> dict[str, Any]:
    """Writer ``w``'s batch: everything shared with the others, plus its own rows."""
    shared_people: list[dict[str, Any]] = []
    for i, pid in enumerate(SHARED):
        row: dict[str, Any] = {
            "id": pid,
            "account_id": "acme",
            "name": f"Shared {i}",
            "title": f"title by writer {w}",
        }
        if i >= 2:  # shared00 is the top; shared01 reports to it; others alternate
            row["reports_to"] = SHARED[w % 2]
            row["dotted_reports_to"] = [SHARED[(w + i) % 2]]
        elif i == 1:
            row["reports_to"] = SHARED[0]
        shared_people.append(row)
    return {
        "accounts": [{"id": "acme", "name": "Acme", "tier": "strategic"}],
        "stakeholders": [
            *shared_people,
            {"id": f"own{w}", "account_id": "acme", "name": f"Own {w}", "reports_to": SHARED[0]},
        ],
        "team_members": [{"id": f"t{w}", "name": f"Member {w}"}, {"id": "lead", "name": "Lead"}],
        "budgets": [{"id": "b1", "account_id": "acme", "name": "IT", "amount": 1000.0 * w}],
        "controls": [
            {
                "stakeholder_id": SHARED[0],
                "budget_id": "b1",
                "authority": ("owner", "approver")[w % 2],
            }
        ],
        "roles": [
            {
                "stakeholder_id": SHARED[0],
                "role": "champion",
                "stance": w % 5 - 2,
                "account_id": "acme",
            }
        ],
        "influences": [
            {"from_id": SHARED[0], "to_id": f"own{w}", "strength": 0.5},
            {"from_id": SHARED[0], "to_id": SHARED[1], "strength": w / 10},
        ],
        "relationships": [
            *(
                {"team_member_id": f"t{w}", "stakeholder_id": pid, "strength": 0.5}
                for pid in SHARED
            ),
            {"team_member_id": "lead", "stakeholder_id": SHARED[0], "strength": (w + 1) / 10},
        ],
        "coverage": [
            {"team_member_id": f"t{w}", "account_id": "acme"},
            {"team_member_id": "lead", "account_id": "acme", "role": "sales_director"},
        ],
        "interactions": [
            {
                "id": f"i{w}",
                "kind": "meeting",
                "at": "2026-10-01T10:00:00Z",
                "team_member_ids": [f"t{w}", "lead"],
                "stakeholder_ids": SHARED[:3],
            }
        ],
    }


def test_eight_overlapping_writers_make_no_duplicates_and_lose_nothing(
    graph: Graph, settings: Settings
) -> None:
    start = threading.Barrier(WRITERS)

    def run(w: int) -> dict[str, Any]:
        start.wait()
        return ingest_batch(graph, settings, writer_batch(w)).as_dict()

    with ThreadPoolExecutor(WRITERS) as pool:
        summaries = list(pool.map(run, range(WRITERS)))

    assert all(s["transactions"] == 1 for s in summaries)
    for what, query in DUPLICATE_IDENTITIES.items():
        assert graph.read(query) == [], f"duplicate {what}"

    # Every node exactly once: 12 shared + 8 own people, 8 members + the lead.
    labels = {r["label"]: r["n"] for r in graph.read(COUNT_BY_LABEL)}
    assert labels == {
        "Account": 1,
        "Stakeholder": 20,
        "TeamMember": 9,
        "Budget": 1,
        "Interaction": 8,
    }
    # No lost update: each writer's own rows are all there. Current ties: 8 writers x 12
    # explicit ones + the lead's explicit one to shared00 + the lead's derived ones to
    # shared01 and shared02 (the meetings' other pairs have explicit ties, which win) = 99.
    assert len(current_edges(graph, settings, "KNOWS")) == 99
    assert edge_counts(graph, settings)["COVERS"] == WRITERS + 1
    influenced = {e["target"] for e in current_edges(graph, settings, "INFLUENCES")}
    assert influenced == {SHARED[1], *(f"own{w}" for w in range(WRITERS))}
    # Whole batches won, never a mix: all shared people carry one writer's title.
    titles = {node(graph, settings, pid)["title"] for pid in SHARED}
    assert len(titles) == 1
    # Exactly one current edge per identity even where all eight disagreed.
    assert len(current_edges(graph, settings, "HAS_ROLE")) == 1
    assert len(current_edges(graph, settings, "CONTROLS")) == 1
    assert check_graph(graph) == []  # every invariant of `powermap check`


def test_two_halves_of_a_cycle_cannot_both_commit(graph: Graph, settings: Settings) -> None:
    ingest_batch(
        graph,
        settings,
        {
            "accounts": [{"id": "acme", "name": "Acme"}],
            "stakeholders": [
                {"id": "x", "account_id": "acme", "name": "X"},
                {"id": "y", "account_id": "acme", "name": "Y"},
            ],
        },
    )
    halves = [
        {"stakeholders": [{"id": "x", "account_id": "acme", "name": "X", "reports_to": "y"}]},
        {"stakeholders": [{"id": "y", "account_id": "acme", "name": "Y", "reports_to": "x"}]},
    ]
    # Both validate against the stored graph (no lines yet): the race is in the writes.
    write_sets = [write_set_of(plan_units(validate_batch(graph, half))) for half in halves]
    now = datetime.now(UTC)
    params = write_params(settings, now, now)
    start = threading.Barrier(2)

    def write(i: int) -> str:
        start.wait()
        try:
            store.write_batch(graph, write_sets[i], params)
        except store.ReportingCycleFormed:
            return "refused"
        return "written"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(write, range(2)))

    assert outcomes == ["refused", "written"]
    assert len(current_edges(graph, settings, "REPORTS_TO")) == 1

    # The domain's write step turns the refusal into a 409 Conflict, and rolls back.
    [line] = current_edges(graph, settings, "REPORTS_TO")
    backwards = {
        store.Statement.SOLID_REPORTS_TO: [{"id": line["target"], "manager_id": line["source"]}]
    }
    with pytest.raises(Conflict):
        write_recorded(graph, backwards, params)
    assert current_edges(graph, settings, "REPORTS_TO") == [line]
    assert check_graph(graph) == []


def test_edge_only_batches_on_stored_people_make_no_duplicate_current_edges(
    graph: Graph, settings: Settings
) -> None:
    # The people exist already; the eight batches carry only edges to them, so the only
    # thing serialising the writers is the lock each edge statement takes on its owner.
    ingest_batch(
        graph,
        settings,
        {
            "accounts": [{"id": "acme", "name": "Acme"}],
            "stakeholders": [{"id": p, "account_id": "acme", "name": p} for p in SHARED],
            "team_members": [{"id": "lead", "name": "Lead"}],
            "budgets": [{"id": "b1", "account_id": "acme", "name": "IT"}],
        },
    )
    start = threading.Barrier(WRITERS)

    def run(w: int) -> None:
        batch = {
            "relationships": [
                {"team_member_id": "lead", "stakeholder_id": p, "strength": (w + 1) / 10}
                for p in SHARED
            ],
            "roles": [
                {"stakeholder_id": p, "role": "coach", "stance": w % 5 - 2, "account_id": "acme"}
                for p in SHARED
            ],
            "controls": [
                {"stakeholder_id": p, "budget_id": "b1", "authority": ("owner", "approver")[w % 2]}
                for p in SHARED
            ],
            "influences": [
                {"from_id": SHARED[0], "to_id": p, "strength": w / 10} for p in SHARED[1:]
            ],
        }
        start.wait()
        ingest_batch(graph, settings, batch)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(run, range(WRITERS)))

    for what, query in DUPLICATE_IDENTITIES.items():
        assert graph.read(query) == [], f"duplicate {what}"
    assert len(current_edges(graph, settings, "KNOWS")) == len(SHARED)  # 12
    assert len(current_edges(graph, settings, "HAS_ROLE")) == len(SHARED)
    assert len(current_edges(graph, settings, "CONTROLS")) == len(SHARED)
    assert len(current_edges(graph, settings, "INFLUENCES")) == len(SHARED) - 1  # 11
    assert check_graph(graph) == []


def test_concurrent_interaction_batches_and_departures_keep_history_without_overlap(
    graph: Graph, settings: Settings
) -> None:
    # Issue 9, item 7: after a concurrent-writer run, derived ties had been reopened
    # inside their closed intervals. Eight writers send batches whose interactions share
    # ids (so a re-sent one drops and regains pairs, closing and reopening derived
    # ties), dated out of order, while one writer makes people leave and come back.
    people = SHARED[:4]
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": "2026-01-01T00:00:00Z",
            "accounts": [{"id": "acme", "name": "Acme"}],
            "stakeholders": [{"id": p, "account_id": "acme", "name": p} for p in people],
            "team_members": [{"id": f"t{w}", "name": f"T{w}"} for w in range(2)],
        },
    )
    months = ["03", "01", "05", "02", "06", "04"]
    start = threading.Barrier(WRITERS)

    def run(w: int) -> None:
        start.wait()
        for k in range(6):
            month = months[(w + k) % len(months)]
            if w == 0 and k % 2 == 0:
                depart_stakeholder(graph, people[k % 4])
                continue
            batch = {
                "effective_at": f"2026-{month}-15T00:00:00Z",
                "interactions": [
                    {
                        "id": f"i{(w + k) % 3}",
                        "kind": "meeting",
                        "at": f"2026-{months[k]}-01T00:00:00Z",
                        "team_member_ids": [f"t{(w + k) % 2}"],
                        "stakeholder_ids": people[(w + k) % 3 : (w + k) % 3 + 2],
                    }
                ],
            }
            if w == 1:  # people come back
                batch["stakeholders"] = [{"id": people[k % 4], "account_id": "acme", "name": "x"}]
            ingest_batch(graph, settings, batch)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(run, range(WRITERS)))

    assert check_graph(graph) == []
    closed = graph.read("MATCH ()-[r:KNOWS]->() WHERE r.until IS NOT NULL RETURN count(r) AS n")
    assert closed[0]["n"] > 0  # ties were closed (and some reopened): history was made
