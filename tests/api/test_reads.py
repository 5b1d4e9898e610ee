"""The read endpoints through the real app on the real Neo4j: lists, lookups, org chart,
pagination, and the 404 / 422 problems."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.pagination import encode_cursor
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.graph_builders import EPOCH, GraphBuilder

LEFT_AT = "2026-03-01T00:00:00Z"  # s4 leaves a1
MOVED_AT = "2026-06-01T00:00:00Z"  # s5 moves from a1 to a2
TIERS = {
    "a1": "strategic",
    "a2": "key",
    "a3": "standard",
    "a4": "strategic",
    "a5": "key",
    "a6": "strategic",
    "a7": "standard",
}


@pytest.fixture
def portfolio(graph: Graph, settings: Settings) -> GraphBuilder:
    """Seven accounts; a1 has people, budgets, an opportunity and a team.

    a1: s1 "Alice Ceo" (root) > s2 "Bob Champion", s3 "Carol Engineer" (dotted to s2);
        s4 left on LEFT_AT; s5 moved to a2 on MOVED_AT.
        b1 owned by s1, b2 approved by s2; o1; t1 covers; t2 has left (and so covers nothing:
        a departure removes COVERS).
    """
    g = GraphBuilder(graph)
    # Created out of order: the list must still come back by id.
    for aid in ["a5", "a2", "a7", "a1", "a4", "a3", "a6"]:
        g.account(aid, name=f"Account {aid[1]}", tier=TIERS[aid], annual_revenue=float(aid[1]))
    g.stakeholder("s1", "a1", name="Alice Ceo", title="CEO", seniority="c_level")
    g.stakeholder("s2", "a1", name="Bob Champion", title="VP IT", email="bob@a1.example")
    g.stakeholder("s3", "a1", name="Carol Engineer", title="Engineer")
    g.stakeholder("s4", "a1", name="Dan Leaver", title="Buyer")
    g.stakeholder("s5", "a1", name="Eve Mover", title="Analyst")
    g.reports_to("s2", "s1")
    g.reports_to("s3", "s1")
    g.reports_to("s4", "s1")
    g.reports_to("s3", "s2", kind="dotted")
    g.budget("b1", "a1", name="IT Opex")
    g.budget("b2", "a1", name="Capex")
    g.opportunity("o1", "a1")
    g.controls("s1", "b1", "owner")
    g.controls("s2", "b2", "approver")
    g.role("s1", "economic_buyer", 1, "a1")
    g.role("s2", "champion", 2, "o1")
    g.influences("s2", "s1", 0.7)
    g.team_member("t1", name="Sam Manager")
    g.team_member("t2", name="Tia Sponsor", status="left", left_at="2026-01-01T00:00:00Z")
    g.covers("t1", "a1", "account_manager")
    g.knows("t1", "s1", 0.8, last_contact="2026-10-01")
    g.knows("t1", "s4", 0.5)
    g.depart("s4", at=LEFT_AT)
    g.move_employer("s5", "a2", at=MOVED_AT)
    return g


def dt(iso: str) -> str:
    """How the API writes a stored UTC DateTime."""
    return datetime.fromisoformat(iso).astimezone(UTC).isoformat().replace("+00:00", "Z")


def get(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    response = client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# --- accounts ----------------------------------------------------------------------


def test_walk_all_pages_of_seven_accounts(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    seen: list[list[str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = get(client, headers, "/v1/accounts", **params)
        seen.append([item["id"] for item in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # 7 accounts by 3: two full pages and one of 1, each id once, in id order.
    assert seen == [["a1", "a2", "a3"], ["a4", "a5", "a6"], ["a7"]]


def test_tier_filter_pages(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    first = get(client, headers, "/v1/accounts", tier="strategic", limit=2)
    assert [a["id"] for a in first["items"]] == ["a1", "a4"]
    second = get(
        client, headers, "/v1/accounts", tier="strategic", limit=2, cursor=first["next_cursor"]
    )
    assert [a["id"] for a in second["items"]] == ["a6"]
    assert second["next_cursor"] is None
    keys = get(client, headers, "/v1/accounts", tier="key")
    assert [a["id"] for a in keys["items"]] == ["a2", "a5"]
    assert keys["next_cursor"] is None


def test_exact_page_size_has_no_dangling_cursor(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    page = get(client, auth_headers("read"), "/v1/accounts", limit=7)
    assert len(page["items"]) == 7
    assert page["next_cursor"] is None


def test_account_items_carry_counts(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    items = get(client, auth_headers("read"), "/v1/accounts", limit=2)["items"]
    assert items[0] == {
        "id": "a1",
        "name": "Account 1",
        "tier": "strategic",
        "industry": "Manufacturing",
        "annual_revenue": 1.0,
        # s1, s2, s3 (s4 left, s5 moved); b1, b2; o1; t1 (t2 has left).
        "counts": {"active_stakeholders": 3, "budgets": 2, "opportunities": 1, "team_members": 1},
    }
    assert items[1]["counts"] == {
        "active_stakeholders": 1,  # s5 since MOVED_AT
        "budgets": 0,
        "opportunities": 0,
        "team_members": 0,
    }


def test_account_detail_with_team(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    body = get(client, auth_headers("read"), "/v1/accounts/a1")
    assert body["counts"] == {
        "active_stakeholders": 3,
        "budgets": 2,
        "opportunities": 1,
        "team_members": 1,
    }
    assert body["team"] == [
        {"id": "t1", "name": "Sam Manager", "role": "account_manager", "status": "active"},
    ]
    assert (body["id"], body["tier"], body["industry"]) == ("a1", "strategic", "Manufacturing")


# --- stakeholders ------------------------------------------------------------------


def test_account_stakeholders_by_status(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    active = get(client, headers, "/v1/accounts/a1/stakeholders")
    assert [s["id"] for s in active["items"]] == ["s1", "s2", "s3"]
    assert active["next_cursor"] is None
    s2 = active["items"][1]
    assert s2 == {
        "id": "s2",
        "name": "Bob Champion",
        "title": "VP IT",
        "email": "bob@a1.example",
        "department": "Operations",
        "seniority": "manager",
        "status": "active",
        "left_at": None,
        "manager_id": "s1",
        "roles": [
            {"role": "champion", "stance": 2, "target_type": "opportunity", "target_id": "o1"}
        ],
    }
    assert active["items"][0]["manager_id"] is None
    assert active["items"][0]["roles"] == [
        {"role": "economic_buyer", "stance": 1, "target_type": "account", "target_id": "a1"}
    ]

    left = get(client, headers, "/v1/accounts/a1/stakeholders", status="left")["items"]
    assert [(s["id"], s["status"], s["left_at"], s["manager_id"]) for s in left] == [
        ("s4", "left", dt(LEFT_AT), None)  # the departure closed the solid line
    ]
    # s5 moved away: in a2's list, in none of a1's.
    every = get(client, headers, "/v1/accounts/a1/stakeholders", status="all")["items"]
    assert [s["id"] for s in every] == ["s1", "s2", "s3", "s4"]
    a2 = get(client, headers, "/v1/accounts/a2/stakeholders", status="all")["items"]
    assert [s["id"] for s in a2] == ["s5"]


def test_account_stakeholders_pages(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    first = get(client, headers, "/v1/accounts/a1/stakeholders", status="all", limit=3)
    assert [s["id"] for s in first["items"]] == ["s1", "s2", "s3"]
    second = get(
        client,
        headers,
        "/v1/accounts/a1/stakeholders",
        status="all",
        limit=3,
        cursor=first["next_cursor"],
    )
    assert [s["id"] for s in second["items"]] == ["s4"]
    assert second["next_cursor"] is None
    empty = get(client, headers, "/v1/accounts/a3/stakeholders")
    assert empty == {"items": [], "next_cursor": None}


def test_stakeholder_detail(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    s1 = get(client, headers, "/v1/stakeholders/s1")
    assert (s1["name"], s1["title"], s1["seniority"], s1["status"]) == (
        "Alice Ceo",
        "CEO",
        "c_level",
        "active",
    )
    assert s1["current_employer"] == {
        "account_id": "a1",
        "account_name": "Account 1",
        "since": dt(EPOCH),
    }
    assert s1["manager"] is None
    # s4's line was closed by the departure: only s2 and s3 report to s1 now.
    assert [(r["id"], r["name"]) for r in s1["direct_reports"]] == [
        ("s2", "Bob Champion"),
        ("s3", "Carol Engineer"),
    ]
    assert [(b["budget_id"], b["authority"], b["account_id"]) for b in s1["budgets"]] == [
        ("b1", "owner", "a1")
    ]
    # The hand-built scene (tests/integration/graph_builders.py) marks no provenance
    # but the tie's source.
    none = {"source": None, "source_record_id": None}
    assert s1["influenced_by"] == [{"id": "s2", "name": "Bob Champion", "strength": 0.7, **none}]
    assert s1["influences"] == []
    assert s1["relationships"] == [
        {
            "team_member_id": "t1",
            "team_member_name": "Sam Manager",
            "strength": 0.8,
            "source": "api",
            "source_record_id": None,
            "last_contact": "2026-10-01",
            "since": dt(EPOCH),
        }
    ]
    assert [(r["role"], r["target_id"], r["target_name"]) for r in s1["roles"]] == [
        ("economic_buyer", "a1", "Account 1")
    ]

    s2 = get(client, headers, "/v1/stakeholders/s2")
    assert s2["manager"] == {
        "id": "s1",
        "name": "Alice Ceo",
        "title": "CEO",
        "since": dt(EPOCH),
        **none,
    }
    assert s2["influences"] == [{"id": "s1", "name": "Alice Ceo", "strength": 0.7, **none}]
    assert [(b["budget_id"], b["authority"]) for b in s2["budgets"]] == [("b2", "approver")]

    s3 = get(client, headers, "/v1/stakeholders/s3")
    assert [m["id"] for m in s3["dotted_managers"]] == ["s2"]


def test_stakeholder_history_after_move_and_departure(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    none = {"source": None, "source_record_id": None}  # the hand-built scene marks none
    s5 = get(client, headers, "/v1/stakeholders/s5")
    assert s5["employment"] == [
        {
            "account_id": "a1",
            "account_name": "Account 1",
            "since": dt(EPOCH),
            "until": dt(MOVED_AT),
            **none,
        },
        {
            "account_id": "a2",
            "account_name": "Account 2",
            "since": dt(MOVED_AT),
            "until": None,
            **none,
        },
    ]
    assert s5["current_employer"]["account_id"] == "a2"

    s4 = get(client, headers, "/v1/stakeholders/s4")
    assert (s4["status"], s4["left_at"], s4["current_employer"]) == ("left", dt(LEFT_AT), None)
    assert s4["employment"] == [
        {
            "account_id": "a1",
            "account_name": "Account 1",
            "since": dt(EPOCH),
            "until": dt(LEFT_AT),
            **none,
        }
    ]
    assert s4["manager"] is None
    assert s4["relationships"] == []  # our tie to s4 was closed


def test_team_member_detail(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    t1 = get(client, auth_headers("read"), "/v1/team-members/t1")
    assert (t1["id"], t1["name"], t1["role"], t1["status"]) == (
        "t1",
        "Sam Manager",
        "account_manager",
        "active",
    )
    assert t1["accounts"] == [
        {
            "account_id": "a1",
            "account_name": "Account 1",
            "tier": "strategic",
            "role": "account_manager",
        }
    ]
    # The tie to s4 closed with the departure; only s1 remains.
    assert t1["relationships"] == [
        {
            "stakeholder_id": "s1",
            "stakeholder_name": "Alice Ceo",
            "account_id": "a1",
            "account_name": "Account 1",
            "strength": 0.8,
            "source": "api",
            "source_record_id": None,
            "last_contact": "2026-10-01",
            "since": dt(EPOCH),
        }
    ]


# --- org chart ---------------------------------------------------------------------


def test_org_chart_json_shape(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    body = get(client, auth_headers("read"), "/v1/accounts/a1/org-chart", as_of="2026-07-01")
    dark = {"state": "dark", "count": 0, "team_member_ids": []}
    # By hand: on 1 July 2026 s4 has left and s5 works at a2; s1 heads s2 and s3.
    assert body == {
        "account": {"id": "a1", "name": "Account 1", "tier": "strategic"},
        "as_of": "2026-07-01",
        "people_count": 3,
        "roots": [
            {
                "id": "s1",
                "name": "Alice Ceo",
                "title": "CEO",
                "department": "Operations",
                "status": "active",
                "roles": [
                    {
                        "role": "economic_buyer",
                        "stance": 1,
                        "target_type": "account",
                        "target_id": "a1",
                    }
                ],
                "stance": 1,
                "coverage": {"state": "single", "count": 1, "team_member_ids": ["t1"]},
                "strongest_relationship": {
                    "team_member_id": "t1",
                    "team_member_name": "Sam Manager",
                    "strength": 0.8,
                },
                "children": [
                    {
                        "id": "s2",
                        "name": "Bob Champion",
                        "title": "VP IT",
                        "department": "Operations",
                        "status": "active",
                        "roles": [
                            {
                                "role": "champion",
                                "stance": 2,
                                "target_type": "opportunity",
                                "target_id": "o1",
                            }
                        ],
                        "stance": 2,
                        "coverage": dark,
                        "strongest_relationship": None,
                        "children": [],
                    },
                    {
                        "id": "s3",
                        "name": "Carol Engineer",
                        "title": "Engineer",
                        "department": "Operations",
                        "status": "active",
                        "roles": [],
                        "stance": None,
                        "coverage": dark,
                        "strongest_relationship": None,
                        "children": [],
                    },
                ],
            }
        ],
        "dotted_lines": [{"from_id": "s3", "to_id": "s2"}],
    }


def test_org_chart_defaults_to_today(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    body = get(client, auth_headers("read"), "/v1/accounts/a1/org-chart")
    assert body["as_of"] == datetime.now(UTC).date().isoformat()
    assert body["people_count"] == 3
    # Before the departure and the move (28 Feb 2026) s4 and s5 were there too.
    before = get(client, auth_headers("read"), "/v1/accounts/a1/org-chart", as_of="2026-02-28")
    assert before["people_count"] == 5
    assert [c["id"] for c in before["roots"][0]["children"]] == ["s2", "s3", "s4"]
    assert [r["id"] for r in before["roots"]] == ["s1", "s5"]  # s5 has no manager


# --- problems ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/accounts/nope",
        "/v1/accounts/nope/stakeholders",
        "/v1/accounts/nope/org-chart",
        "/v1/stakeholders/nope",
        "/v1/team-members/nope",
    ],
)
def test_unknown_ids_are_404_problems(
    path: str, portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    response = client.get(path, headers=auth_headers("read"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "/problems/not-found"
    assert "nope" in body["detail"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/accounts", {"limit": 0}, "limit"),
        ("/v1/accounts", {"limit": 501}, "limit"),
        ("/v1/accounts", {"limit": "ten"}, "limit"),
        ("/v1/accounts", {"tier": "gold"}, "tier"),
        ("/v1/accounts", {"cursor": "not a cursor!"}, "cursor"),
        ("/v1/accounts", {"cursor": encode_cursor("a1")[:-2]}, "cursor"),
        ("/v1/accounts", {"cursor": "eyJ2IjoyLCJhZnRlciI6ImExIn0"}, "cursor"),  # {"v":2,...}
        ("/v1/accounts/a1/stakeholders", {"status": "gone"}, "status"),
        ("/v1/accounts/a1/stakeholders", {"limit": 1000}, "limit"),
        ("/v1/accounts/a1/org-chart", {"as_of": "2026-13-01"}, "as_of"),
        ("/v1/accounts/a1/org-chart", {"as_of": "yesterday"}, "as_of"),
    ],
)
def test_invalid_parameters_are_422_problems_naming_them(
    path: str,
    params: dict[str, Any],
    field: str,
    portfolio: GraphBuilder,
    client: TestClient,
    auth_headers: KeyFactory,
) -> None:
    response = client.get(path, headers=auth_headers("read"), params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "/problems/validation-error"
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["location"] == f"query.{field}"


def test_limit_bounds_are_inclusive(
    portfolio: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    assert len(get(client, headers, "/v1/accounts", limit=1)["items"]) == 1
    assert len(get(client, headers, "/v1/accounts", limit=500)["items"]) == 7
    assert len(get(client, headers, "/v1/accounts")["items"]) == 7  # default 50
