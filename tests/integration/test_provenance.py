"""Provenance on the real Neo4j (issue 11 §2, docs/graph-conventions.md "Provenance"):
every node created and every time-bound edge opened stores the write's ``source`` and
the row's ``source_record_id``; a re-assertion by another source keeps them; derived
ties say ``interactions``; the reads and the power map show where each fact came from;
migration V0005 marks data written before it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from service.domain.changes import recorded_change_sets
from service.domain.ingest import depart_stakeholder, ingest_batch
from service.graph import migrations
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.test_ingest_support import current_edges, edges_from, node

T1 = "2026-01-01T00:00:00Z"
T2 = "2026-03-01T00:00:00Z"

# Every row type with a CRM record id (Salesforce-like ids).
BATCH: dict[str, Any] = {
    "effective_at": T1,
    "accounts": [{"id": "acme", "name": "Acme", "source_record_id": "001A"}],
    "team_members": [{"id": "t1", "name": "Sam", "source_record_id": "005T"}],
    "stakeholders": [
        {"id": "p0", "account_id": "acme", "name": "Pat", "source_record_id": "003P0"},
        {
            "id": "p1",
            "account_id": "acme",
            "name": "Dana",
            "reports_to": "p0",
            "dotted_reports_to": ["p2"],
            "source_record_id": "003P1",
        },
        {"id": "p2", "account_id": "acme", "name": "Lee", "source_record_id": "003P2"},
    ],
    "budgets": [{"id": "b1", "account_id": "acme", "name": "Opex", "source_record_id": "B-1"}],
    "opportunities": [
        {"id": "o1", "account_id": "acme", "name": "Renewal", "source_record_id": "006O"}
    ],
    "controls": [
        {"stakeholder_id": "p1", "budget_id": "b1", "authority": "owner", "source_record_id": "C1"}
    ],
    "roles": [
        {
            "stakeholder_id": "p1",
            "role": "economic_buyer",
            "stance": 1,
            "account_id": "acme",
            "source_record_id": "07kACR",
        },
        {
            "stakeholder_id": "p2",
            "role": "champion",
            "stance": 2,
            "opportunity_id": "o1",
            "source_record_id": "00KOCR",
        },
    ],
    "influences": [{"from_id": "p2", "to_id": "p1", "strength": 0.6, "source_record_id": "I1"}],
    "relationships": [
        {"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.8, "source_record_id": "R1"}
    ],
    "coverage": [{"team_member_id": "t1", "account_id": "acme", "source_record_id": "01MATM"}],
    "interactions": [
        {
            "id": "i1",
            "kind": "meeting",
            "at": "2025-12-15T10:00:00Z",
            "team_member_ids": ["t1"],
            "stakeholder_ids": ["p1", "p2"],
            "source_record_id": "00UEVT",
        }
    ],
}


def _only(edges: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(edges) == 1, edges
    props: dict[str, Any] = edges[0]["props"]
    return props


def _provenance(props: dict[str, Any]) -> tuple[Any, Any]:
    return props.get("source"), props.get("source_record_id")


def test_every_node_and_opened_edge_stores_source_and_record_id(
    graph: Graph, settings: Settings
) -> None:
    summary = ingest_batch(graph, settings, BATCH, source="salesforce")

    for node_id, record in [
        ("acme", "001A"),
        ("t1", "005T"),
        ("p0", "003P0"),
        ("p1", "003P1"),
        ("b1", "B-1"),
        ("o1", "006O"),
        ("i1", "00UEVT"),
    ]:
        assert _provenance(node(graph, settings, node_id)) == ("salesforce", record), node_id
    # The person's record is the source record of their employment and lines.
    assert _provenance(_only(edges_from(graph, settings, "p1", "WORKS_AT"))) == (
        "salesforce",
        "003P1",
    )
    lines = {
        e["props"]["kind"]: e["props"] for e in edges_from(graph, settings, "p1", "REPORTS_TO")
    }
    assert _provenance(lines["solid"]) == ("salesforce", "003P1")
    assert _provenance(lines["dotted"]) == ("salesforce", "003P1")
    assert _provenance(_only(edges_from(graph, settings, "p1", "CONTROLS"))) == (
        "salesforce",
        "C1",
    )
    assert _provenance(_only(edges_from(graph, settings, "p1", "HAS_ROLE"))) == (
        "salesforce",
        "07kACR",
    )
    assert _provenance(_only(edges_from(graph, settings, "p2", "HAS_ROLE"))) == (
        "salesforce",
        "00KOCR",
    )
    assert _provenance(_only(edges_from(graph, settings, "p2", "INFLUENCES"))) == (
        "salesforce",
        "I1",
    )
    assert _provenance(_only(edges_from(graph, settings, "t1", "COVERS"))) == (
        "salesforce",
        "01MATM",
    )
    knows = {e["target"]: e["props"] for e in edges_from(graph, settings, "t1", "KNOWS")}
    # The explicit tie carries the write's source; the one derived from the meeting
    # says 'interactions' and has no record of its own.
    assert _provenance(knows["p1"]) == ("salesforce", "R1")
    assert _provenance(knows["p2"]) == ("interactions", None)
    # The change set records the write's source.
    assert [cs.source for cs in summary.change_sets] == ["salesforce"]
    assert recorded_change_sets(graph)[-1].source == "salesforce"


def test_a_row_without_record_id_stores_only_the_source(graph: Graph, settings: Settings) -> None:
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": T1,
            "accounts": [{"id": "acme", "name": "Acme"}],
            "stakeholders": [{"id": "p0", "account_id": "acme", "name": "Pat"}],
        },
        source="api",
    )
    assert "source_record_id" not in node(graph, settings, "p0")
    assert node(graph, settings, "p0")["source"] == "api"
    assert _only(edges_from(graph, settings, "p0", "WORKS_AT")) == {"since": T1, "source": "api"}


def test_a_resent_row_from_another_source_keeps_the_original_source(
    graph: Graph, settings: Settings
) -> None:
    ingest_batch(graph, settings, BATCH, source="api")
    before = recorded_change_sets(graph)

    # The same facts asserted by a CRM later: nothing changes, no history, no record.
    resent = {**BATCH, "effective_at": T2}
    summary = ingest_batch(graph, settings, resent, source="hubspot")

    assert summary.change_sets[0].empty
    assert recorded_change_sets(graph) == before
    role = _only(edges_from(graph, settings, "p1", "HAS_ROLE"))
    assert (role["since"], *_provenance(role)) == (T1, "api", "07kACR")
    knows = {e["target"]: e["props"] for e in edges_from(graph, settings, "t1", "KNOWS")}
    assert (knows["p1"]["since"], *_provenance(knows["p1"])) == (T1, "api", "R1")
    assert _provenance(node(graph, settings, "p1")) == ("api", "003P1")

    # A node updated by another source keeps its creator's provenance; an edge the other
    # source opens (a new stance closes the old role) is that source's.
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": T2,
            "stakeholders": [
                {
                    "id": "p1",
                    "account_id": "acme",
                    "name": "Dana",
                    "title": "CFO",
                    "source_record_id": "hs-contact-1",
                }
            ],
            "roles": [
                {
                    "stakeholder_id": "p1",
                    "role": "economic_buyer",
                    "stance": -1,
                    "account_id": "acme",
                    "source_record_id": "hs-role-1",
                }
            ],
        },
        source="hubspot",
    )
    p1 = node(graph, settings, "p1")
    assert (p1["title"], *_provenance(p1)) == ("CFO", "api", "003P1")
    roles = edges_from(graph, settings, "p1", "HAS_ROLE")
    assert [
        (r["props"]["stance"], r["props"].get("until"), *_provenance(r["props"])) for r in roles
    ] == [
        (1, T2, "api", "07kACR"),  # closed, keeps its source
        (-1, None, "hubspot", "hs-role-1"),
    ]


def test_an_explicit_tie_of_any_source_wins_over_interactions(
    graph: Graph, settings: Settings
) -> None:
    base = {k: BATCH[k] for k in ("effective_at", "accounts", "team_members", "stakeholders")}
    ingest_batch(graph, settings, base, source="api")
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": T1,
            "relationships": [{"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.3}],
        },
        source="hubspot",
    )
    # Many meetings with p1 later: the HubSpot tie is explicit, so it is not replaced by a
    # derived one (the rule is `source <> 'interactions'`, not `source = 'explicit'`).
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": T2,
            "interactions": [
                {
                    "id": f"m{i}",
                    "kind": "meeting",
                    "at": T2,
                    "team_member_ids": ["t1"],
                    "stakeholder_ids": ["p1", "p0"],
                }
                for i in range(3)
            ],
        },
        source="api",
    )
    knows = {e["target"]: e["props"] for e in current_edges(graph, settings, "KNOWS")}
    assert (knows["p1"]["source"], knows["p1"]["strength"]) == ("hubspot", 0.3)
    assert knows["p0"]["source"] == "interactions"
    assert len(edges_from(graph, settings, "t1", "KNOWS")) == 2  # nothing closed or reopened


def test_a_departure_records_its_source_and_closed_edges_keep_theirs(
    graph: Graph, settings: Settings
) -> None:
    ingest_batch(graph, settings, BATCH, source="salesforce")
    done = depart_stakeholder(graph, "p1", datetime(2026, 2, 1, tzinfo=UTC), source="demo")

    assert done.changes is not None and done.changes.source == "demo"
    assert recorded_change_sets(graph)[-1].source == "demo"
    role = _only(edges_from(graph, settings, "p1", "HAS_ROLE"))
    assert (role["until"], *_provenance(role)) == ("2026-02-01T00:00:00Z", "salesforce", "07kACR")


def test_a_bad_source_record_id_is_refused_naming_the_field(
    graph: Graph, settings: Settings, client: TestClient, auth_headers: KeyFactory
) -> None:
    body = {
        "accounts": [{"id": "acme", "name": "Acme", "source_record_id": 42}],
    }
    response = client.post("/v1/ingest", json=body, headers=auth_headers("write"))

    assert response.status_code == 422, response.text
    locations = [e["location"] for e in response.json()["errors"]]
    assert any("source_record_id" in loc for loc in locations), locations
    assert graph.read("MATCH (n:Account) RETURN count(n) AS n")[0]["n"] == 0


def test_the_api_writes_as_api_and_the_reads_show_provenance(
    graph: Graph, settings: Settings, client: TestClient, auth_headers: KeyFactory
) -> None:
    ingest_batch(graph, settings, BATCH, source="salesforce")
    # An API write adds a dotted line from p0 (a new edge: source api, no record id).
    response = client.post(
        "/v1/ingest",
        json={
            "effective_at": T2,
            "stakeholders": [
                {"id": "p0", "account_id": "acme", "name": "Pat", "dotted_reports_to": ["p2"]}
            ],
        },
        headers=auth_headers("write"),
    )
    assert response.status_code == 200, response.text
    assert recorded_change_sets(graph)[-1].source == "api"

    headers = auth_headers("read")
    p1 = client.get("/v1/stakeholders/p1", headers=headers).json()
    salesforce = {"source": "salesforce"}
    assert (p1["source"], p1["source_record_id"]) == ("salesforce", "003P1")
    assert [(r["role"], r["source"], r["source_record_id"]) for r in p1["roles"]] == [
        ("economic_buyer", "salesforce", "07kACR")
    ]
    assert p1["manager"]["id"] == "p0" and p1["manager"]["source_record_id"] == "003P1"
    assert p1["manager"]["source"] == salesforce["source"]
    assert [(m["id"], m["source"]) for m in p1["dotted_managers"]] == [("p2", "salesforce")]
    assert [
        (t["team_member_id"], t["source"], t["source_record_id"]) for t in p1["relationships"]
    ] == [("t1", "salesforce", "R1")]
    assert [(b["budget_id"], b["source_record_id"]) for b in p1["budgets"]] == [("b1", "C1")]
    assert [(e["account_id"], e["source"]) for e in p1["employment"]] == [("acme", "salesforce")]
    p0 = client.get("/v1/stakeholders/p0", headers=headers).json()
    assert [(m["id"], m["source"], m["source_record_id"]) for m in p0["dotted_managers"]] == [
        ("p2", "api", None)
    ]
    p2 = client.get("/v1/stakeholders/p2", headers=headers).json()
    assert [(t["team_member_id"], t["source"]) for t in p2["relationships"]] == [
        ("t1", "interactions")
    ]
    t1 = client.get("/v1/team-members/t1", headers=headers).json()
    assert [
        (r["stakeholder_id"], r["source"], r["source_record_id"]) for r in t1["relationships"]
    ] == [
        ("p1", "salesforce", "R1"),
        ("p2", "interactions", None),
    ]

    power = client.get(
        "/v1/accounts/acme/power-map", headers=headers, params={"sort": "name"}
    ).json()
    entries = {e["stakeholder_id"]: e for e in power["entries"]}
    assert [(r["role"], r["source"], r["source_record_id"]) for r in entries["p1"]["roles"]] == [
        ("economic_buyer", "salesforce", "07kACR")
    ]
    assert [(r["role"], r["target_id"], r["source_record_id"]) for r in entries["p2"]["roles"]] == [
        ("champion", "o1", "00KOCR")
    ]
    assert [
        (t["team_member_id"], t["team_member_name"], t["source"], t["source_record_id"])
        for t in entries["p1"]["ties"]
    ] == [("t1", "Sam", "salesforce", "R1")]
    assert [(t["team_member_id"], t["source"]) for t in entries["p2"]["ties"]] == [
        ("t1", "interactions")
    ]
    assert [
        (r["manager_id"], r["manager_name"], r["kind"], r["source"], r["source_record_id"])
        for r in entries["p1"]["reports_to"]
    ] == [
        ("p0", "Pat", "solid", "salesforce", "003P1"),
        ("p2", "Lee", "dotted", "salesforce", "003P1"),
    ]
    assert [(r["manager_id"], r["source"]) for r in entries["p0"]["reports_to"]] == [("p2", "api")]


# -- migration V0005 on data written before it ---------------------------------------

# The shape V0005 meets: data before provenance, after V0004 (time-bound INFLUENCES/COVERS).
OLD_SHAPED = """
CREATE (a:Account {id: 'acme', name: 'Acme'})
CREATE (p0:Stakeholder {id: 'p0', name: 'Pat', status: 'active'})
CREATE (p1:Stakeholder {id: 'p1', name: 'Dana', status: 'active'})
CREATE (t:TeamMember {id: 't1', name: 'Sam', status: 'active'})
CREATE (b:Budget {id: 'b1', name: 'Opex'})-[:OF]->(a)
CREATE (i:Interaction {id: 'i1', kind: 'call', at: datetime($t1)})
CREATE (p0)-[:WORKS_AT {since: datetime($t1)}]->(a)
CREATE (p1)-[:WORKS_AT {since: datetime($t1)}]->(a)
CREATE (p1)-[:REPORTS_TO {kind: 'solid', since: datetime($t1)}]->(p0)
CREATE (p1)-[:HAS_ROLE {role: 'champion', stance: 1, since: datetime($t1)}]->(a)
CREATE (p1)-[:CONTROLS {authority: 'owner', since: datetime($t1)}]->(b)
CREATE (p1)-[:INFLUENCES {strength: 0.5, since: datetime($t1)}]->(p0)
CREATE (t)-[:COVERS {role: 'account_manager', since: datetime($t1)}]->(a)
CREATE (t)-[:KNOWS {strength: 0.8, source: 'explicit', since: datetime($t1)}]->(p1)
CREATE (t)-[:KNOWS {strength: 0.4, source: 'interactions', since: datetime($t1)}]->(p0)
CREATE (t)-[:ATTENDED]->(i)-[:WITH]->(p0)
"""
SOURCES = """
MATCH (n) WHERE n:Account OR n:Stakeholder OR n:TeamMember OR n:Budget OR n:Interaction
RETURN 'node ' + n.id AS what, n.source AS source
UNION ALL
MATCH (a)-[r]->(b)
RETURN type(r) + ' ' + a.id + '->' + b.id AS what, r.source AS source
"""


def test_migration_v0005_marks_old_data(graph: Graph, settings: Settings) -> None:
    graph.write(OLD_SHAPED, t1=T1)
    # Apply V0005 as `powermap migrate` does: forget its record and migrate (the record
    # comes back with the same checksum; the other migrations stay applied).
    graph.write("MATCH (m:__Migration {version: 5}) DELETE m")
    applied = migrations.migrate(graph, settings.migrations_dir)
    assert [f.path.name for f in applied] == ["V0005__provenance.cypher"]

    sources = {r["what"]: r["source"] for r in graph.read(SOURCES)}
    assert sources == {
        "node acme": "api",
        "node p0": "api",
        "node p1": "api",
        "node t1": "api",
        "node b1": "api",
        "node i1": "api",
        "WORKS_AT p0->acme": "api",
        "WORKS_AT p1->acme": "api",
        "REPORTS_TO p1->p0": "api",
        "HAS_ROLE p1->acme": "api",
        "CONTROLS p1->b1": "api",
        "INFLUENCES p1->p0": "api",
        "COVERS t1->acme": "api",
        "KNOWS t1->p1": "api",  # was 'explicit'
        "KNOWS t1->p0": "interactions",  # derived stays derived
        "OF b1->acme": None,  # structural edges carry no provenance
        "ATTENDED t1->i1": None,
        "WITH i1->p0": None,
    }
    # Running it again changes nothing.
    graph.write("MATCH (m:__Migration {version: 5}) DELETE m")
    migrations.migrate(graph, settings.migrations_dir)
    assert {r["what"]: r["source"] for r in graph.read(SOURCES)} == sources
    assert migrations.is_current(graph, settings.migrations_dir)
