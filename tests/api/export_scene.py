"""A hand-built account for the export tests, written through the ingest path.

Account ``gx`` (Globex, strategic), from 2026-01-01::

    boss ── mgr ── eng          solid lines (eng also dotted to boss)
             └── gone           gone leaves on 2026-02-01

    tA ─0.8─ boss   tA ─0.5─ gone   tB ─0.1─ eng (not active: θ = 0.2)
    eng ─0.7→ boss  influence;  mgr ─0.3→ eng until 2026-02-01
    boss owns budget bud, mgr recommends it; boss economic buyer of gx,
    mgr champion of opp ``op``, eng user of the closed opp ``opc``.

Account ``ox`` (Other, key): ``out``, whom tA (0.6) and tC (0.9) know; tC covers ox.
``out`` influences boss and boss influences ``out``: neither crosses into gx's graph.
"""

from __future__ import annotations

from typing import Any

from service.domain.ingest import ingest_batch
from service.graph.driver import Graph
from service.settings import Settings

FIRST = "2026-01-01T00:00:00Z"
LEAVE = "2026-02-01T00:00:00Z"
BEFORE = "2026-01-15"  # gone still there, mgr still influences eng
AFTER = "2026-03-01"

BATCH_1: dict[str, Any] = {
    "effective_at": FIRST,
    "accounts": [
        {"id": "gx", "name": "Globex", "tier": "strategic"},
        {"id": "ox", "name": "Other", "tier": "key"},
    ],
    "stakeholders": [
        {
            "id": "boss",
            "account_id": "gx",
            "name": "Bo Boss",
            "title": "CEO",
            "department": "Exec",
            "seniority": "c_level",
        },
        {
            "id": "mgr",
            "account_id": "gx",
            "name": "Mia Manager",
            "title": "VP Sales",
            "department": "Sales",
            "seniority": "vp",
            "reports_to": "boss",
        },
        {
            "id": "eng",
            "account_id": "gx",
            "name": "Eli Engineer",
            "title": "Engineer",
            "department": "IT",
            "seniority": "individual_contributor",
            "reports_to": "mgr",
            "dotted_reports_to": ["boss"],
        },
        {"id": "gone", "account_id": "gx", "name": "Gus Gone", "reports_to": "mgr"},
        {"id": "out", "account_id": "ox", "name": "Otto Outside"},
    ],
    "team_members": [
        {"id": "tA", "name": "Tara A", "role": "account_manager"},
        {"id": "tB", "name": "Tim B", "role": "solution_engineer"},
        {"id": "tC", "name": "Tess C", "role": "exec_sponsor"},
    ],
    "coverage": [
        {"team_member_id": "tA", "account_id": "gx"},
        {"team_member_id": "tC", "account_id": "ox"},
    ],
    "relationships": [
        {
            "team_member_id": "tA",
            "stakeholder_id": "boss",
            "strength": 0.8,
            "source_record_id": "crm-1",
        },
        {"team_member_id": "tA", "stakeholder_id": "gone", "strength": 0.5},
        {"team_member_id": "tB", "stakeholder_id": "eng", "strength": 0.1},
        {"team_member_id": "tA", "stakeholder_id": "out", "strength": 0.6},
        {"team_member_id": "tC", "stakeholder_id": "out", "strength": 0.9},
    ],
    "influences": [
        {"from_id": "eng", "to_id": "boss", "strength": 0.7},
        {"from_id": "mgr", "to_id": "eng", "strength": 0.3},
        {"from_id": "out", "to_id": "boss", "strength": 0.4},
        {"from_id": "boss", "to_id": "out", "strength": 0.2},
    ],
    "budgets": [
        {"id": "bud", "account_id": "gx", "name": "Cloud", "amount": 50000, "currency": "USD"}
    ],
    "controls": [
        {"stakeholder_id": "boss", "budget_id": "bud", "authority": "owner"},
        {"stakeholder_id": "mgr", "budget_id": "bud", "authority": "recommender"},
    ],
    "opportunities": [
        {"id": "op", "account_id": "gx", "name": "Deal", "stage": "proposal", "amount": 1000},
        {"id": "opc", "account_id": "gx", "name": "Closed", "stage": "closed_won"},
    ],
    "roles": [
        {"stakeholder_id": "boss", "role": "economic_buyer", "stance": 1, "account_id": "gx"},
        {"stakeholder_id": "mgr", "role": "champion", "stance": 2, "opportunity_id": "op"},
        {"stakeholder_id": "eng", "role": "user", "stance": 0, "opportunity_id": "opc"},
    ],
}

BATCH_2: dict[str, Any] = {
    "effective_at": LEAVE,
    "stakeholders": [{"id": "gone", "account_id": "gx", "name": "Gus Gone", "left_at": LEAVE}],
    "influences": [{"from_id": "mgr", "to_id": "eng", "until": LEAVE}],
}


def seed(graph: Graph, settings: Settings) -> None:
    ingest_batch(graph, settings, BATCH_1)
    ingest_batch(graph, settings, BATCH_2)


def _stakeholder(**props: Any) -> dict[str, Any]:
    base = {
        "kind": "stakeholder",
        "account_id": "gx",
        "title": None,
        "department": None,
        "seniority": None,
        "status": "active",
        "stance": None,
        "is_key": False,
        "roles": [],
    }
    return {**base, **props}


def expected_nodes(as_of: str) -> dict[str, dict[str, Any]]:
    """Every node's properties but the analytics numbers (checked against the power map)."""
    nodes: dict[str, dict[str, Any]] = {
        "gx": {"kind": "account", "name": "Globex", "account_id": "gx", "tier": "strategic"},
        "boss": _stakeholder(
            name="Bo Boss",
            title="CEO",
            department="Exec",
            seniority="c_level",
            stance=1,
            is_key=True,
            roles=["economic_buyer"],
            coverage_count=1,
            coverage_level="single",
        ),
        "mgr": _stakeholder(
            name="Mia Manager",
            title="VP Sales",
            department="Sales",
            seniority="vp",
            stance=2,
            is_key=True,
            roles=["champion"],
            coverage_count=0,
            coverage_level="dark",
        ),
        "eng": _stakeholder(
            name="Eli Engineer",
            title="Engineer",
            department="IT",
            seniority="individual_contributor",
            stance=0,
            roles=["user"],
            coverage_count=0,
            coverage_level="dark",
        ),
        "bud": {
            "kind": "budget",
            "name": "Cloud",
            "account_id": "gx",
            "amount": 50000.0,
            "currency": "USD",
        },
        "op": {
            "kind": "opportunity",
            "name": "Deal",
            "account_id": "gx",
            "stage": "proposal",
            "amount": 1000.0,
        },
        "tA": {
            "kind": "team_member",
            "name": "Tara A",
            "role": "account_manager",
            "status": "active",
            "pagerank": None,
            "accounts": ["gx"],
            "covered_accounts": ["gx"],
        },
        "tB": {
            "kind": "team_member",
            "name": "Tim B",
            "role": "solution_engineer",
            "status": "active",
            "pagerank": None,
            "betweenness": None,  # no active tie: not in the engagement graph
            "accounts": ["gx"],
            "covered_accounts": [],
        },
    }
    if as_of == BEFORE:
        nodes["gone"] = _stakeholder(name="Gus Gone", coverage_count=1, coverage_level="single")
    return nodes


def _prov(record_id: str | None = None) -> dict[str, Any]:
    return {"provenance": "api", "provenance_record_id": record_id}


def expected_edges(as_of: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every edge (source, target, key) with its properties (last_contact: none sent)."""
    solid = {"kind": "reports_to", "line": "solid", "strength": None, **_prov()}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {
        ("mgr", "boss", "reports_to-solid"): solid,
        ("eng", "mgr", "reports_to-solid"): solid,
        ("eng", "boss", "reports_to-dotted"): {**solid, "line": "dotted"},
        ("eng", "boss", "influences"): {"kind": "influences", "strength": 0.7},
        ("tA", "boss", "knows"): {
            "kind": "knows",
            "strength": 0.8,
            "active": True,
            "last_contact": None,
            **_prov("crm-1"),
        },
        ("tB", "eng", "knows"): {
            "kind": "knows",
            "strength": 0.1,
            "active": False,
            "last_contact": None,
            **_prov(),
        },
        ("boss", "gx", "role-economic_buyer"): {
            "kind": "role",
            "role": "economic_buyer",
            "stance": 1,
            **_prov(),
        },
        ("mgr", "op", "role-champion"): {
            "kind": "role",
            "role": "champion",
            "stance": 2,
            **_prov(),
        },
        ("boss", "bud", "controls-owner"): {"kind": "controls", "authority": "owner"},
        ("mgr", "bud", "controls-recommender"): {"kind": "controls", "authority": "recommender"},
    }
    if as_of == BEFORE:
        edges[("gone", "mgr", "reports_to-solid")] = solid
        edges[("tA", "gone", "knows")] = {
            "kind": "knows",
            "strength": 0.5,
            "active": True,
            "last_contact": None,
            **_prov(),
        }
        edges[("mgr", "eng", "influences")] = {"kind": "influences", "strength": 0.3}
    return edges
