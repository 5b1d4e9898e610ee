"""Access control and operations endpoints through the real app and a real Neo4j."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import KeyFactory


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


def test_request_log_is_one_json_line_per_request_without_the_secret(
    client: TestClient, auth_headers: KeyFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    headers = auth_headers("read")
    secret = headers["Authorization"].removeprefix("Bearer ")
    capfd.readouterr()
    response = client.get("/v1/accounts", headers={**headers, "X-Request-ID": "req-42"})
    assert response.status_code == 200
    generated = client.get("/healthz").headers["X-Request-ID"]
    out = capfd.readouterr().out
    logged = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    lines = [line for line in logged if line.get("event") == "request"]
    assert [(line["request_id"], line["path"], line["status"]) for line in lines] == [
        ("req-42", "/v1/accounts", 200),
        (generated, "/healthz", 200),
    ]
    assert all(c in "0123456789abcdef" for c in generated) and len(generated) == 32
    assert lines[0]["method"] == "GET" and lines[0]["level"] == "info"
    assert lines[0]["key_id"] == secret.split("_")[1]  # the key's id, never its secret
    assert lines[0]["db_transactions"] >= 1 and lines[1]["db_transactions"] == 0
    assert lines[0]["timestamp"].endswith("Z")
    assert secret not in out
