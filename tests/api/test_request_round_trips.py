"""Round trips to Neo4j per request (issue 13), and keys verified from memory.

A read with a key the process already verified costs one round trip, its own: the key
is confirmed by the graph version that read saw (service/domain/access.py,
``ApiKeyCache``; service/api/key_confirmation.py). Revocations and other writes still
take effect on the next request, whatever made them, and a request that may write is
refused before it writes. The request log says how many transactions each request ran
(``db_transactions``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from service.domain.access import Scope, create_key, revoke_key
from service.graph.driver import Graph
from service.graph.graph_version import current_graph_version
from service.settings import Settings
from tests.api.test_auth import assert_problem


def logged(client: TestClient, path: str, headers: dict[str, str]) -> tuple[Any, dict[str, Any]]:
    """The response and its request-log line."""
    with capture_logs() as logs:
        response = client.get(path, headers=headers)
    [line] = [entry for entry in logs if entry["event"] == "request"]
    return response, line


def quiet(graph: Graph) -> None:
    """Wait until the graph version holds still: a commit by anyone else (say a
    running service's alert evaluator claiming the scene's change sets) makes the key
    be read again — correct, but not what these tests count."""
    versions = [current_graph_version(graph)]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (len(versions) >= 4 and len(set(versions[-4:])) == 1):
        time.sleep(0.25)
        versions.append(current_graph_version(graph))


def bearer(graph: Graph, *scopes: Scope) -> tuple[str, dict[str, str]]:
    created = create_key(graph, "round trips", list(scopes))
    quiet(graph)
    return created.key_id, {"Authorization": f"Bearer {created.secret}"}


@pytest.mark.parametrize(
    "path", ["/v1/stakeholders/cfo", "/v1/accounts/acme", "/v1/accounts/acme/threading"]
)
def test_a_read_with_a_known_key_is_one_round_trip(
    scene: Graph, client: TestClient, path: str
) -> None:
    _, headers = bearer(scene, Scope.READ)
    first, first_line = logged(client, path, headers)
    assert first.status_code == 200, first.text
    # The first use reads the graph version and the key, then the route reads.
    assert first_line["db_transactions"] >= 2
    second, line = logged(client, path, headers)
    assert second.status_code == 200
    assert second.json() == first.json()
    # The key from memory, confirmed by the version the route's own read saw; an
    # analytics answer from the cache needs nothing but that version.
    assert line["db_transactions"] == 1
    assert line["status"] == 200 and line["key_id"] == headers["Authorization"].split("_")[1]


def test_a_write_by_anyone_makes_the_next_request_read_the_key_again(
    scene: Graph, client: TestClient
) -> None:
    _, headers = bearer(scene, Scope.READ)
    assert logged(client, "/v1/stakeholders/cfo", headers)[0].status_code == 200
    scene.write("MATCH (s:Stakeholder {id: 'cfo'}) SET s.title = 'Chief Financial Officer'")
    quiet(scene)
    response, line = logged(client, "/v1/stakeholders/cfo", headers)
    assert response.status_code == 200
    assert response.json()["title"] == "Chief Financial Officer"
    assert line["db_transactions"] == 2  # the route's read, then the key again
    assert logged(client, "/v1/stakeholders/cfo", headers)[1]["db_transactions"] == 1


def test_a_key_revoked_elsewhere_is_refused_by_a_route_that_reads_nothing(
    graph: Graph, client: TestClient
) -> None:
    # GET /v1/queries lists the catalog from files: no read of its own confirms the
    # key, so the key is read again before the answer leaves.
    key_id, headers = bearer(graph, Scope.QUERY_RUN)
    assert client.get("/v1/queries", headers=headers).status_code == 200
    assert client.get("/v1/queries", headers=headers).status_code == 200
    assert revoke_key(graph, key_id) is True
    response = client.get("/v1/queries", headers=headers)
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "revoked" in response.json()["detail"]
    assert response.headers["X-Request-ID"] == response.json()["request_id"]


def test_a_key_revoked_elsewhere_gets_no_data_from_a_read(scene: Graph, client: TestClient) -> None:
    key_id, headers = bearer(scene, Scope.READ)
    assert client.get("/v1/accounts/acme/threading", headers=headers).status_code == 200
    assert revoke_key(scene, key_id) is True
    for path in ("/v1/accounts/acme/threading", "/v1/stakeholders/cfo", "/v1/nowhere-at-all"):
        response = client.get(path, headers=headers)
        if path == "/v1/nowhere-at-all":
            assert response.status_code == 404  # no route, no key asked for
            continue
        assert_problem(response, 401, "unauthenticated")
        assert "revoked" in response.json()["detail"]
        assert "Cora CEO" not in response.text and "cfo" not in response.json()["detail"]


def test_a_held_key_with_another_secret_is_refused(graph: Graph, client: TestClient) -> None:
    _, headers = bearer(graph, Scope.READ)
    assert client.get("/v1/accounts", headers=headers).status_code == 200
    forged = headers["Authorization"][:-4] + "AAAA"
    if forged == headers["Authorization"]:
        forged = headers["Authorization"][:-4] + "BBBB"
    response = client.get("/v1/accounts", headers={"Authorization": forged})
    assert_problem(response, 401, "unauthenticated")
    assert "not valid" in response.json()["detail"]


def test_a_write_with_a_key_revoked_after_it_was_held_writes_nothing(
    scene: Graph, client: TestClient, settings: Settings
) -> None:
    key_id, headers = bearer(scene, Scope.READ, Scope.WRITE)
    assert client.get("/v1/stakeholders/cfo", headers=headers).status_code == 200
    assert revoke_key(scene, key_id) is True
    response = client.post(
        "/v1/stakeholders/cfo/departure", json={"left_at": "2026-03-01"}, headers=headers
    )
    assert_problem(response, 401, "unauthenticated")
    [row] = scene.read(
        "MATCH (s:Stakeholder {id: 'cfo'})-[w:WORKS_AT]->() RETURN w.until IS NULL AS current"
    )
    assert row["current"] is True


def test_keys_are_held_per_app_and_bounded(graph: Graph, settings: Settings) -> None:
    from service.domain.access import ApiKeyCache

    cache = ApiKeyCache(graph, max_entries=2)
    tokens = [create_key(graph, f"k{i}", [Scope.READ]).secret for i in range(3)]
    for token in tokens:
        assert cache.authenticate(token).principal.has(Scope.READ)
    assert len(cache) == 2
