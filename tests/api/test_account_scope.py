"""An embed token sees only its account, whatever a person's history: an authorization
matrix over every route an embed token may call, on a graph where a person moved from
one account to the other (built through the ingest API, as a CRM would).

Northwind's director ``n-mover`` moves to Bluebird and keeps edges into Northwind:
influence both ways with a Northwind peer and our Northwind account manager's tie
(a move keeps those), and, because the CRM states them again at the move (a move
ends them otherwise, docs/graph-conventions.md "Moves"), a Northwind report whose line
still points at them, their Northwind roles and budget, and a dotted line from a
Northwind peer. Each token's answers are searched, whole, for the other
account's ids and names.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import KeyFactory

NORTH_ONLY = [
    "northwind",
    "Northwind Bank",
    "n-ceo",
    "Nora North",
    "n-peer",
    "Pia Peer",
    "n-report",
    "Rick Report",
    "n-bud",
    "Branch budget",
    "n-opp",
    "Branch renewal",
]
BLUE_ONLY = ["bluebird", "Bluebird Retail", "b-ceo", "Bea Blue", "b-bud", "VP Customer"]
MOVER = ["n-mover", "Max Mover"]

BEFORE_MOVE = {
    "effective_at": "2025-01-01T00:00:00Z",
    "accounts": [
        {"id": "northwind", "name": "Northwind Bank", "tier": "strategic"},
        {"id": "bluebird", "name": "Bluebird Retail", "tier": "key"},
    ],
    "stakeholders": [
        {"id": "n-ceo", "account_id": "northwind", "name": "Nora North", "title": "CEO"},
        {
            "id": "n-mover",
            "account_id": "northwind",
            "name": "Max Mover",
            "title": "Director, Branch Operations",
            "reports_to": "n-ceo",
        },
        {
            "id": "n-peer",
            "account_id": "northwind",
            "name": "Pia Peer",
            "title": "Director, Cards",
            "reports_to": "n-ceo",
            "dotted_reports_to": ["n-mover"],
        },
        {
            "id": "n-report",
            "account_id": "northwind",
            "name": "Rick Report",
            "title": "Branch manager",
            "reports_to": "n-mover",
        },
        {"id": "b-ceo", "account_id": "bluebird", "name": "Bea Blue", "title": "CEO"},
    ],
    "team_members": [
        {"id": "t-north", "name": "Tess North", "role": "account_manager"},
        {"id": "t-blue", "name": "Tom Blue", "role": "account_manager"},
    ],
    "budgets": [
        {"id": "n-bud", "account_id": "northwind", "name": "Branch budget", "amount": 100},
        {"id": "b-bud", "account_id": "bluebird", "name": "Stores budget", "amount": 200},
    ],
    "opportunities": [
        {"id": "n-opp", "account_id": "northwind", "name": "Branch renewal", "stage": "proposal"}
    ],
    "controls": [
        {"stakeholder_id": "n-mover", "budget_id": "n-bud", "authority": "owner"},
        {"stakeholder_id": "b-ceo", "budget_id": "b-bud", "authority": "owner"},
    ],
    "roles": [
        {"stakeholder_id": "n-mover", "role": "champion", "stance": 2, "account_id": "northwind"},
        {
            "stakeholder_id": "n-mover",
            "role": "economic_buyer",
            "stance": 1,
            "opportunity_id": "n-opp",
        },
        {
            "stakeholder_id": "b-ceo",
            "role": "economic_buyer",
            "stance": 1,
            "account_id": "bluebird",
        },
    ],
    "influences": [
        {"from_id": "n-mover", "to_id": "n-peer", "strength": 0.8},
        {"from_id": "n-peer", "to_id": "n-mover", "strength": 0.6},
        {"from_id": "n-ceo", "to_id": "n-peer", "strength": 0.5},
    ],
    "relationships": [
        {"team_member_id": "t-north", "stakeholder_id": "n-mover", "strength": 0.7},
        {"team_member_id": "t-north", "stakeholder_id": "n-peer", "strength": 0.6},
        {"team_member_id": "t-blue", "stakeholder_id": "b-ceo", "strength": 0.9},
    ],
    "coverage": [
        {"team_member_id": "t-north", "account_id": "northwind", "role": "account_manager"},
        {"team_member_id": "t-blue", "account_id": "bluebird", "role": "account_manager"},
    ],
}
THE_MOVE = {
    "effective_at": "2025-06-01T00:00:00Z",
    "stakeholders": [
        {
            "id": "n-mover",
            "account_id": "bluebird",
            "name": "Max Mover",
            "title": "VP Customer Experience",
            "reports_to": "b-ceo",
        },
        {
            "id": "b-new",
            "account_id": "bluebird",
            "name": "Ned New",
            "title": "Store lead",
            "reports_to": "n-mover",
        },
        # Stated again at the move: cross-account edges that outlive it on purpose.
        {
            "id": "n-peer",
            "account_id": "northwind",
            "name": "Pia Peer",
            "title": "Director, Cards",
            "reports_to": "n-ceo",
            "dotted_reports_to": ["n-mover"],
        },
        {
            "id": "n-report",
            "account_id": "northwind",
            "name": "Rick Report",
            "title": "Branch manager",
            "reports_to": "n-mover",
        },
    ],
    "controls": [{"stakeholder_id": "n-mover", "budget_id": "n-bud", "authority": "owner"}],
    "roles": [
        {"stakeholder_id": "n-mover", "role": "champion", "stance": 2, "account_id": "northwind"},
        {
            "stakeholder_id": "n-mover",
            "role": "economic_buyer",
            "stance": 1,
            "opportunity_id": "n-opp",
        },
    ],
}


@pytest.fixture
def moved(client: TestClient, auth_headers: KeyFactory) -> dict[str, dict[str, str]]:
    """The two accounts after the move; one embed token for each."""
    writer = auth_headers("write")
    for batch in (BEFORE_MOVE, THE_MOVE):
        response = client.post("/v1/ingest", json=batch, headers=writer)
        assert response.status_code == 200, response.text
    reader = auth_headers("read")
    tokens = {}
    for account in ("northwind", "bluebird"):
        minted = client.post("/v1/embed-tokens", json={"account_id": account}, headers=reader)
        assert minted.status_code == 201, minted.text
        tokens[account] = {"Authorization": f"Bearer {minted.json()['token']}"}
    return tokens


def _leaked(body: Any, forbidden: list[str]) -> list[str]:
    text = json.dumps(body)
    return [word for word in forbidden if word in text]


# (token's account, path, expected status, strings that must not appear anywhere)
MATRIX: list[tuple[str, str, int, list[str]]] = [
    ("bluebird", "/v1/stakeholders/n-mover", 200, NORTH_ONLY),
    ("bluebird", "/v1/stakeholders/b-new", 200, NORTH_ONLY),
    ("bluebird", "/v1/stakeholders/b-ceo", 200, NORTH_ONLY),
    ("bluebird", "/v1/stakeholders/n-peer", 403, NORTH_ONLY),
    ("bluebird", "/v1/stakeholders/n-report", 403, NORTH_ONLY),
    ("bluebird", "/v1/accounts/bluebird", 200, NORTH_ONLY),
    ("bluebird", "/v1/accounts/bluebird/stakeholders", 200, NORTH_ONLY),
    ("bluebird", "/v1/accounts/bluebird/stakeholders?status=all", 200, NORTH_ONLY),
    ("bluebird", "/v1/accounts/bluebird/org-chart", 200, NORTH_ONLY),
    ("bluebird", "/v1/accounts/northwind", 403, NORTH_ONLY),
    ("bluebird", "/v1/accounts/northwind/org-chart", 403, NORTH_ONLY),
    ("bluebird", "/v1/accounts/northwind/stakeholders", 403, NORTH_ONLY),
    ("bluebird", "/v1/team-members/t-north", 200, NORTH_ONLY),
    ("bluebird", "/v1/team-members/t-blue", 200, NORTH_ONLY),
    ("bluebird", "/v1/people/n-mover/departure-impact", 200, NORTH_ONLY),
    ("bluebird", "/v1/people/t-north/departure-impact", 200, NORTH_ONLY),
    ("bluebird", "/v1/people/n-peer/departure-impact", 403, NORTH_ONLY),
    (
        "bluebird",
        "/v1/people/n-mover/departure-impact?account_id=northwind",
        422,
        NORTH_ONLY[1:],
    ),
    ("northwind", "/v1/stakeholders/n-peer", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/stakeholders/n-report", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/stakeholders/n-ceo", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/stakeholders/n-mover", 403, BLUE_ONLY),
    ("northwind", "/v1/stakeholders/b-new", 403, BLUE_ONLY + MOVER),
    ("northwind", "/v1/accounts/northwind", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/accounts/northwind/stakeholders", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/accounts/northwind/stakeholders?status=all", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/accounts/northwind/org-chart", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/team-members/t-north", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/team-members/t-blue", 403, BLUE_ONLY + MOVER),
    ("northwind", "/v1/people/n-peer/departure-impact", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/people/t-north/departure-impact", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/people/n-mover/departure-impact", 403, BLUE_ONLY),
    ("northwind", "/v1/people/t-blue/departure-impact", 403, BLUE_ONLY + MOVER),
    # The account's graph (docs/export.md): scoped by construction, in every format.
    ("bluebird", "/v1/accounts/bluebird/graph", 200, NORTH_ONLY),
    ("bluebird", "/v1/accounts/bluebird/graph?format=cytoscape", 200, NORTH_ONLY),
    ("bluebird", "/v1/accounts/northwind/graph", 403, NORTH_ONLY),
    ("northwind", "/v1/accounts/northwind/graph", 200, BLUE_ONLY + MOVER),
    ("northwind", "/v1/accounts/bluebird/graph", 403, BLUE_ONLY + MOVER),
    ("northwind", "/v1/accounts/northwind/graph?as_of=2025-03-01", 200, BLUE_ONLY),
    # Before the move the mover was Northwind's: its past shows them, not their new job.
    ("northwind", "/v1/accounts/northwind/org-chart?as_of=2025-03-01", 200, BLUE_ONLY),
    ("northwind", "/v1/people/n-mover/departure-impact?as_of=2025-03-01", 200, BLUE_ONLY),
    ("bluebird", "/v1/people/n-mover/departure-impact?as_of=2025-03-01", 403, NORTH_ONLY),
]


@pytest.mark.parametrize(
    ("account", "path", "status", "forbidden"),
    MATRIX,
    ids=[f"{a}:{p}" for a, p, _, _ in MATRIX],
)
def test_an_embed_token_sees_only_its_account(
    client: TestClient,
    moved: dict[str, dict[str, str]],
    account: str,
    path: str,
    status: int,
    forbidden: list[str],
) -> None:
    response = client.get(path, headers=moved[account])
    assert response.status_code == status, response.text
    body = response.json()
    if status >= 400:
        assert body["instance"] == path.split("?")[0]
        del body["instance"]  # the caller's own request, echoed
    assert not _leaked(body, forbidden)


def test_the_mover_seen_from_the_new_account(
    client: TestClient, moved: dict[str, dict[str, str]]
) -> None:
    body = client.get("/v1/stakeholders/n-mover", headers=moved["bluebird"]).json()
    assert body["current_employer"]["account_id"] == "bluebird"
    assert [e["account_id"] for e in body["employment"]] == ["bluebird"]
    assert body["manager"]["id"] == "b-ceo"
    assert [r["id"] for r in body["direct_reports"]] == ["b-new"]
    assert body["roles"] == [] and body["budgets"] == []
    assert body["influences"] == [] and body["influenced_by"] == []
    # Our team's tie to the person themselves carried over with them.
    assert [r["team_member_id"] for r in body["relationships"]] == ["t-north"]
    member = client.get("/v1/team-members/t-north", headers=moved["bluebird"]).json()
    assert member["accounts"] == []
    assert [r["stakeholder_id"] for r in member["relationships"]] == ["n-mover"]


def test_an_api_key_still_sees_the_whole_history(
    client: TestClient, moved: dict[str, dict[str, str]], auth_headers: KeyFactory
) -> None:
    body = client.get("/v1/stakeholders/n-mover", headers=auth_headers("read")).json()
    assert [e["account_id"] for e in body["employment"]] == ["northwind", "bluebird"]
    assert {r["id"] for r in body["influences"]} == {"n-peer"}
    assert {r["id"] for r in body["direct_reports"]} == {"n-report", "b-new"}
    assert {b["budget_id"] for b in body["budgets"]} == {"n-bud"}
    rows = client.get("/v1/accounts/northwind/stakeholders", headers=auth_headers("read")).json()[
        "items"
    ]
    assert {r["id"]: r["manager_id"] for r in rows}["n-report"] == "n-mover"
