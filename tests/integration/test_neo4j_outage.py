"""Issue 9 item 5: with Neo4j down every route fails fast (503 problem+json with
Retry-After within 2 s), /readyz says why, and the same app recovers when Neo4j returns.

These tests stop the suite's *own* local instance (tests/integration/local_server.py)
and leave it running and migrated.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from service import local_neo4j
from service.api.app import create_app
from service.domain.embed_tokens import mint
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.local_server import own_instance, restart, stop

__all__ = ["own_instance"]  # the fixture, imported for the tests below

PROBLEM = "application/problem+json"
FAIL_FAST_S = 2.0
#: Routes that never need Neo4j.
NO_DATABASE = {"/healthz"}


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """Every documented (method, path), path parameters and required query parameters
    filled in (so a request is valid up to what only the database can tell)."""
    out = []
    for path, operations in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if path in NO_DATABASE:
            continue
        concrete = path.replace("{", "").replace("}", "")  # {account_id} -> account_id
        for method, operation in operations.items():
            required = [
                p
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            ]
            query = "&".join(
                f"{p['name']}={'1' if p.get('schema', {}).get('type') == 'integer' else 'x'}"
                for p in required
            )
            out.append((method.upper(), f"{concrete}?{query}" if query else concrete))
    return sorted(out)


def _call(
    client: TestClient, method: str, path: str, headers: dict[str, str]
) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    body: Any = None
    if method == "POST":
        # A valid body where the route's validation would refuse {} before any query.
        body = {"person_ids": ["person_id"]} if path.endswith("/departure-impact") else {}
    response = client.request(method, path, json=body, headers=headers)
    return response, time.monotonic() - started


def _assert_unavailable(response: httpx.Response, elapsed: float, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith(PROBLEM), what
    assert int(response.headers["Retry-After"]) > 0, what
    assert elapsed < FAIL_FAST_S, f"{what} took {elapsed:.1f} s"


def test_every_route_fails_fast_while_neo4j_is_down_and_recovers(
    graph: Graph,
    settings: Settings,
    auth_headers: KeyFactory,
    own_instance: local_neo4j.LocalInstance,
) -> None:
    admin = auth_headers("admin")
    # For the account the filled-in paths name, so the account check passes.
    embed = {"Authorization": f"Bearer {mint(settings, 'account_id').token}"}
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        routes = _routes(client)
        assert len(routes) >= 20  # the whole API, not a sample

        stop(own_instance)

        for method, path in routes:
            response, elapsed = _call(client, method, path, admin)
            if path == "/readyz":
                _assert_unavailable(response, elapsed, path)
                body = response.json()
                assert body["reason"] == "neo4j-unreachable"
                assert body["neo4j"] is False and body["status"] == 503
                continue
            _assert_unavailable(response, elapsed, f"{method} {path} (API key)")

        # An embed token is checked without Neo4j, so its routes reach their queries.
        reached = 0
        for method, path in routes:
            response, elapsed = _call(client, method, path, embed)
            assert elapsed < FAIL_FAST_S, f"{method} {path} (embed) took {elapsed:.1f} s"
            if response.status_code == 503:
                _assert_unavailable(response, elapsed, f"{method} {path} (embed)")
                reached += 1
            else:  # refused before any query: not an embed route, or the wrong account
                assert response.status_code in (401, 403), (path, response.status_code)
        assert reached >= 5

        # The process itself stays up.
        assert client.get("/healthz").json() == {"status": "ok"}

        restart(own_instance)
        deadline = time.monotonic() + 15
        while (ready := client.get("/readyz")).status_code != 200:
            assert time.monotonic() < deadline, f"not ready again: {ready.text}"
            time.sleep(0.2)  # polling the readiness route
        # Reads and writes work again through the same app, without a restart.
        batch = {"accounts": [{"id": "back", "name": "Back again"}]}
        assert client.post("/v1/ingest", json=batch, headers=admin).status_code == 200
        accounts = client.get("/v1/accounts", headers=admin)
        assert accounts.status_code == 200
        assert "back" in accounts.text
        # The hot reads' async driver reconnects too (docs/operations.md, "Two drivers").
        assert client.get("/v1/accounts/back", headers=admin).json()["name"] == "Back again"


def test_readyz_says_when_neo4j_refuses_the_credentials(graph: Graph, settings: Settings) -> None:
    # Another user name than the real one, so no lock-out of the real user follows.
    wrong = settings.model_copy(update={"neo4j_user": "powermap-no-such-user"})
    with TestClient(create_app(wrong)) as client:
        started = time.monotonic()
        response = client.get("/readyz")
    assert time.monotonic() - started < FAIL_FAST_S
    assert response.status_code == 503
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["reason"] == "neo4j-auth"


def test_readyz_says_when_migrations_are_pending(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    directory = tmp_path / "migrations"
    shutil.copytree(settings.migrations_dir, directory)
    (directory / "V9999__pending_for_the_test.cypher").write_text(
        "CREATE INDEX pending_test IF NOT EXISTS FOR (n:PendingTest) ON (n.id);\n"
    )
    pending = settings.model_copy(update={"migrations_dir": directory})
    with TestClient(create_app(pending)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["reason"] == "migrations-pending" and body["neo4j"] is True
    assert "powermap migrate" in body["detail"]


@pytest.mark.parametrize("path", ["/readyz", "/v1/accounts"])
def test_an_unreachable_address_fails_fast_too(graph: Graph, settings: Settings, path: str) -> None:
    """Nothing listens on the port (a refused connection), e.g. a wrong NEO4J_URI."""
    nowhere = settings.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:9"})
    with TestClient(create_app(nowhere)) as client:
        started = time.monotonic()
        response = client.get(path, headers={"Authorization": "Bearer pm_abc_def"})
    _assert_unavailable(response, time.monotonic() - started, path)
