"""Shared pieces of the ingest tests: the issue's example batch and a full graph dump.

The dump reads every node and relationship with all its properties from the real
Neo4j, so "identical graph" assertions compare everything that is stored.
"""

from __future__ import annotations

import copy
from typing import Any

from service.graph.driver import Graph
from service.graph.model_schema import BOOKKEEPING_LABELS
from service.settings import Settings

# The model's nodes only: bookkeeping nodes (API keys, change sets, migrations) are
# the service's, and a change set's id and time differ between two equal writes.
DUMP_NODES = """
MATCH (n) WHERE NOT any(l IN labels(n) WHERE l IN $bookkeeping)
RETURN labels(n) AS labels, properties(n) AS props
"""
DUMP_EDGES = """
MATCH (a)-[r]->(b) WHERE NOT a:ApiKey
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
"""
COUNT_EDGES = """
MATCH (n)-[r]->() WHERE NOT n:ApiKey
RETURN type(r) AS type, count(r) AS n
"""
CURRENT_EDGES = """
MATCH (a)-[r]->(b) WHERE type(r) = $type AND r.until IS NULL
RETURN a.id AS source, b.id AS target, properties(r) AS props
ORDER BY source, target
"""
ALL_EDGES_OF = """
MATCH (a {id: $source})-[r]->(b) WHERE type(r) = $type
RETURN b.id AS target, properties(r) AS props
ORDER BY r.since, b.id
"""
NODE = "MATCH (n {id: $id}) RETURN labels(n) AS labels, properties(n) AS props"
NODE_COUNT = """
MATCH (n) WHERE NOT any(l IN labels(n) WHERE l IN $bookkeeping)
RETURN count(n) AS n
"""


def plain(value: Any) -> Any:
    """neo4j.time values as ISO strings, recursively, so dumps compare and print well."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "to_native"):  # neo4j.time.Date / DateTime
        text: str = value.to_native().isoformat()
        return text.replace("+00:00", "Z")
    return value


def dump(graph: Graph, settings: Settings) -> tuple[list[Any], list[Any]]:
    nodes = sorted(
        repr(plain(r)) for r in graph.read(DUMP_NODES, bookkeeping=list(BOOKKEEPING_LABELS))
    )
    edges = sorted(repr(plain(r)) for r in graph.read(DUMP_EDGES))
    return nodes, edges


def edge_counts(graph: Graph, settings: Settings) -> dict[str, int]:
    return {r["type"]: r["n"] for r in graph.read(COUNT_EDGES)}


def node_count(graph: Graph, settings: Settings) -> int:
    rows = graph.read(NODE_COUNT, bookkeeping=list(BOOKKEEPING_LABELS))
    return int(rows[0]["n"])


def current_edges(graph: Graph, settings: Settings, rel_type: str) -> list[dict[str, Any]]:
    return [plain(r) for r in graph.read(CURRENT_EDGES, type=rel_type)]


def edges_from(graph: Graph, settings: Settings, source: str, rel_type: str) -> list[Any]:
    rows = graph.read(ALL_EDGES_OF, source=source, type=rel_type)
    return [plain(r) for r in rows]


def node(graph: Graph, settings: Settings, node_id: str) -> dict[str, Any]:
    rows = graph.read(NODE, id=node_id)
    assert len(rows) == 1, f"expected exactly one node {node_id!r}, found {len(rows)}"
    props: dict[str, Any] = plain(rows[0]["props"])
    return props


EXAMPLE_BATCH: dict[str, Any] = {
    "effective_at": "2026-11-01T00:00:00Z",
    "accounts": [
        {
            "id": "acme",
            "name": "Acme Corp",
            "tier": "strategic",
            "industry": "Manufacturing",
            "annual_revenue": 5.2e9,
        }
    ],
    "stakeholders": [
        {"id": "p0", "account_id": "acme", "name": "Acme CEO", "title": "CEO"},
        {"id": "p9", "account_id": "acme", "name": "Acme COO", "title": "COO"},
        {"id": "p2", "account_id": "acme", "name": "Acme CIO", "title": "CIO", "reports_to": "p0"},
        {
            "id": "p1",
            "account_id": "acme",
            "name": "Acme CFO",
            "title": "CFO",
            "email": "dana@acme.example",
            "department": "Finance",
            "seniority": "c_level",
            "reports_to": "p0",
            "dotted_reports_to": ["p9"],
        },
    ],
    "team_members": [
        {
            "id": "t1",
            "name": "Account manager one",
            "email": "sam@ourco.example",
            "role": "account_manager",
        }
    ],
    "budgets": [
        {
            "id": "b1",
            "account_id": "acme",
            "name": "IT Opex FY27",
            "amount": 1200000,
            "currency": "USD",
            "fiscal_year": 2027,
            "category": "it",
        }
    ],
    "opportunities": [
        {
            "id": "o1",
            "account_id": "acme",
            "name": "Platform renewal",
            "stage": "negotiation",
            "amount": 400000,
            "close_date": "2027-03-31",
        }
    ],
    "controls": [{"stakeholder_id": "p1", "budget_id": "b1", "authority": "owner"}],
    "roles": [
        {"stakeholder_id": "p1", "role": "economic_buyer", "stance": 1, "account_id": "acme"},
        {"stakeholder_id": "p2", "role": "champion", "stance": 2, "opportunity_id": "o1"},
    ],
    "influences": [{"from_id": "p2", "to_id": "p1", "strength": 0.7}],
    "relationships": [
        {
            "team_member_id": "t1",
            "stakeholder_id": "p1",
            "strength": 0.8,
            "last_contact": "2026-10-01",
        }
    ],
    "coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "account_manager"}],
    "interactions": [
        {
            "id": "i1",
            "kind": "meeting",
            "at": "2026-10-01T10:00:00Z",
            "team_member_ids": ["t1"],
            "stakeholder_ids": ["p1", "p2"],
        }
    ],
}


def example_batch() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE_BATCH)


def people(account: str, count: int, *, prefix: str = "p") -> list[dict[str, Any]]:
    """``count`` stakeholders of ``account`` in a chain of command: each reports to the
    previous one (the first to nobody)."""
    rows: list[dict[str, Any]] = []
    for i in range(count):
        row: dict[str, Any] = {"id": f"{prefix}{i}", "account_id": account, "name": f"Person {i}"}
        if i:
            row["reports_to"] = f"{prefix}{i - 1}"
        rows.append(row)
    return rows
