"""Access control and operations endpoints through the real app and a real Neo4j."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_and_readyz_need_no_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["migrations_current"] is True


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/v1/definitely-not-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/not-found"


def test_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
