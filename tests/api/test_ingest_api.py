"""`POST /v1/ingest` and the departure routes through the real app and a real Neo4j:
auth, problem+json for 413/422/404, the summary, and departures."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.test_ingest_support import example_batch, node, node_count

PROBLEM = "application/problem+json"


def test_ingest_needs_the_write_scope(client: TestClient, auth_headers: KeyFactory) -> None:
    batch = {"accounts": [{"id": "acme", "name": "Acme"}]}

    missing = client.post("/v1/ingest", json=batch)
    assert missing.status_code == 401
    assert missing.headers["content-type"].startswith(PROBLEM)
    assert missing.headers["WWW-Authenticate"] == "Bearer"

    read_only = client.post("/v1/ingest", json=batch, headers=auth_headers("read"))
    assert read_only.status_code == 403
    assert read_only.json()["type"] == "/problems/forbidden"

    assert client.post("/v1/ingest", json=batch, headers=auth_headers("write")).status_code == 200
    assert client.post("/v1/ingest", json=batch, headers=auth_headers("admin")).status_code == 200


def test_ingest_returns_a_summary(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    response = client.post("/v1/ingest", json=example_batch(), headers=auth_headers("write"))

    assert response.status_code == 200
    body = response.json()
    assert body["effective_at"] == "2026-11-01T00:00:00Z"
    assert body["rows"] == 15 and body["transactions"] == 1
    assert body["received"]["stakeholders"] == 4
    assert body["nodes"]["Stakeholder"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert body["edges"]["REPORTS_TO"] == {"created": 3, "updated": 0, "closed": 0, "removed": 0}
    assert node(graph, settings, "acme")["name"] == "Acme Corp"


def test_bad_rows_are_422_problem_json_with_every_location(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    batch: dict[str, Any] = {
        "accounts": [{"id": "acme", "name": "Acme"}],
        "stakeholders": [
            {"id": "p1", "account_id": "acme", "name": "A", "reports_to": "p2"},
            {"id": "p2", "account_id": "acme", "name": "B", "reports_to": "p1"},
            {"id": "p3", "account_id": "acme", "name": "C", "seniority": "boss"},
        ],
        "relationships": [{"team_member_id": "t9", "stakeholder_id": "p1", "strength": "0.5"}],
    }

    response = client.post("/v1/ingest", json=batch, headers=auth_headers("write"))

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == "/problems/validation-error"
    assert "nothing was written" in body["detail"]
    assert [e["location"] for e in body["errors"]] == [
        "stakeholders[0].reports_to",  # cycle
        "stakeholders[1].reports_to",  # cycle
        "stakeholders[2].seniority",  # enum
        "relationships[0].strength",  # a string, not a number
    ]
    assert body["errors"][3] == {
        "location": "relationships[0].strength",
        "section": "relationships",
        "index": 0,
        "field": "strength",
        "reason": "Input should be a valid number",
    }
    assert node_count(graph, settings) == 0  # nothing of the batch (API keys not counted)


def test_wrong_json_shapes_are_422(client: TestClient, auth_headers: KeyFactory) -> None:
    headers = auth_headers("write")

    not_an_object = client.post("/v1/ingest", json=[{"id": "acme"}], headers=headers)
    assert not_an_object.status_code == 422
    assert not_an_object.json()["errors"][0]["location"] == "body"

    not_a_list = client.post("/v1/ingest", json={"accounts": {"id": "acme"}}, headers=headers)
    assert not_a_list.status_code == 422
    assert not_a_list.json()["errors"] == [
        {"location": "accounts", "section": "accounts", "reason": "must be a list of objects"}
    ]

    not_json = client.post(
        "/v1/ingest", content=b"{nope", headers={**headers, "content-type": "application/json"}
    )
    assert not_json.status_code == 422


def test_oversized_batch_is_413(graph: Graph, settings: Settings, auth_headers: KeyFactory) -> None:
    capped = settings.model_copy(update={"ingest_max_rows": 3})
    batch = {"accounts": [{"id": f"a{i}", "name": "A"} for i in range(4)]}

    with TestClient(create_app(capped)) as small:
        response = small.post("/v1/ingest", json=batch, headers=auth_headers("write"))

    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"] == "/problems/payload-too-large"
    assert node_count(graph, settings) == 0  # API keys are not counted


def test_stakeholder_departure_route(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    headers = auth_headers("write")
    client.post("/v1/ingest", json=example_batch(), headers=headers)
    url = "/v1/stakeholders/p1/departure"

    assert client.post(url, json={}, headers=auth_headers("read")).status_code == 403
    response = client.post(url, json={"left_at": "2026-11-15"}, headers=headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": "p1",
        "status": "left",
        "left_at": "2026-11-15T00:00:00Z",
        "already_left": False,
        # WORKS_AT; solid to p0, dotted to p9; economic buyer; owner of b1; t1's tie;
        # p2's influence on them
        "closed": {
            "CONTROLS": 1,
            "HAS_ROLE": 1,
            "INFLUENCES": 1,
            "KNOWS": 1,
            "REPORTS_TO": 2,
            "WORKS_AT": 1,
        },
    }
    again = client.post(url, headers=headers)  # no body: now, but the first left_at stays
    assert again.json()["already_left"] is True
    assert again.json()["left_at"] == "2026-11-15T00:00:00Z"
    assert again.json()["closed"] == {}

    unknown = client.post("/v1/stakeholders/nobody/departure", headers=headers)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith(PROBLEM)

    bad = client.post(url, json={"left_at": "soon"}, headers=headers)
    assert bad.status_code == 422


def test_team_member_departure_route(client: TestClient, auth_headers: KeyFactory) -> None:
    headers = auth_headers("write")
    client.post("/v1/ingest", json=example_batch(), headers=headers)

    response = client.post(
        "/v1/team-members/t1/departure", json={"left_at": "2026-11-20T12:00:00Z"}, headers=headers
    )

    assert response.status_code == 200
    body = response.json()
    assert body["closed"] == {"COVERS": 1, "KNOWS": 2}  # explicit to p1, derived to p2; acme
    assert body["uncovered_accounts"] == ["acme"]
    assert body["left_at"] == "2026-11-20T12:00:00Z"
    assert client.post("/v1/team-members/zz/departure", headers=headers).status_code == 404
