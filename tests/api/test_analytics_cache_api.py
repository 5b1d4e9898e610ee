"""The analytics routes through the app's account cache (real Neo4j, the scene of
``analytics_scene``): repeated questions on an unchanged graph are answered from the
cache (its counters say so), and every kind of write — the ingest route, the departure
route, plain Cypher in another session — shows in the very next answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.domain.analytics.account_cache import AccountCache, CacheStats
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory


@pytest.fixture
def client(graph: Graph, settings: Settings) -> Iterator[TestClient]:
    """An app with the default cache size, whatever the environment sets."""
    app = create_app(settings.model_copy(update={"analytics_cache_entries": 16}))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def headers(scene: Graph, auth_headers: KeyFactory) -> dict[str, str]:
    # Read and write: the tests write through the API between two reads. The key is
    # made before any read (making it is a write too).
    return auth_headers("read", "write")


def cache(client: TestClient) -> AccountCache:
    app: Any = client.app
    found: AccountCache = app.state.powermap.account_cache
    return found


def stats(client: TestClient) -> CacheStats:
    return cache(client).stats()


def get_ok(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def coverage_levels(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    body = get_ok(client, "/v1/accounts/acme/threading", headers)
    return {k["stakeholder_id"]: k["coverage"]["level"] for k in body["key_stakeholders"]}


def test_each_app_has_its_own_cache(client: TestClient, settings: Settings) -> None:
    with TestClient(create_app(settings)) as other:
        assert stats(other).max_entries == settings.analytics_cache_entries
        assert cache(other) is not cache(client)
    assert stats(client).max_entries == 16
    assert Settings.model_fields["analytics_cache_entries"].default == 16


def test_repeated_questions_on_an_unchanged_graph_hit_the_cache(
    client: TestClient, headers: dict[str, str]
) -> None:
    first = get_ok(client, "/v1/accounts/acme/threading", headers)
    assert (stats(client).hits, stats(client).misses) == (0, 1)
    assert get_ok(client, "/v1/accounts/acme/threading", headers) == first
    # The budget's account, the power map, a departure and health reuse the same pull.
    get_ok(client, "/v1/budgets/b1/control", headers)
    get_ok(client, "/v1/accounts/acme/power-map", headers)
    response = client.post(
        "/v1/accounts/acme/departure-impact", json={"person_ids": ["champ"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    get_ok(client, "/v1/accounts/acme/health", headers)
    get_ok(client, "/v1/paths/warm", headers, to="cfo")
    s = stats(client)
    # Two pulls: acme, and the budget's anchor (which account b1 belongs to is only known
    # by pulling it; the account entry held stays). Every other answer was a hit.
    assert (s.misses, s.hits, s.entries) == (2, 5, 1)


def test_the_power_maps_betweenness_is_computed_once_per_graph_version(
    client: TestClient, headers: dict[str, str]
) -> None:
    first = get_ok(client, "/v1/accounts/acme/power-map", headers, sort="betweenness")
    made = stats(client).derived_misses
    again = get_ok(client, "/v1/accounts/acme/power-map", headers, sort="betweenness")
    assert again == first
    assert stats(client).derived_misses == made and stats(client).derived_hits >= 1
    # dir's only link is vp (t2–dir is below θ): vp's betweenness is positive.
    betweenness = {e["stakeholder_id"]: e["betweenness"] for e in first["entries"]}
    assert betweenness["vp"] > 0 and betweenness["dir"] == 0.0
    # A strong t2–dir tie bypasses vp for dir: vp brokers less after the write.
    response = client.post(
        "/v1/ingest",
        json={
            "relationships": [{"team_member_id": "t2", "stakeholder_id": "dir", "strength": 0.9}]
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    after = get_ok(client, "/v1/accounts/acme/power-map", headers, sort="betweenness")
    fresh = {e["stakeholder_id"]: e["betweenness"] for e in after["entries"]}
    assert fresh["vp"] < betweenness["vp"]
    assert stats(client).derived_misses > made


def test_a_write_through_the_ingest_route_shows_in_the_next_answer(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert coverage_levels(client, headers)["cfo"] == "dark"
    assert coverage_levels(client, headers)["cfo"] == "dark"
    assert stats(client).hits == 1
    response = client.post(
        "/v1/ingest",
        json={
            "relationships": [{"team_member_id": "t2", "stakeholder_id": "cfo", "strength": 0.9}]
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert coverage_levels(client, headers)["cfo"] == "single"
    assert (stats(client).hits, stats(client).misses) == (1, 2)


def test_a_departure_through_the_api_shows_in_the_next_answer(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = get_ok(client, "/v1/people/t1/departure-impact", headers)
    assert "champ" in {t["stakeholder_id"] for t in before["active_ties_lost"]}
    assert get_ok(client, "/v1/people/t1/departure-impact", headers) == before
    hits = stats(client).hits
    assert hits >= 2  # acme and beta, the second time
    response = client.post("/v1/stakeholders/champ/departure", headers=headers)
    assert response.status_code == 200, response.text
    after = get_ok(client, "/v1/people/t1/departure-impact", headers)
    assert "champ" not in {t["stakeholder_id"] for t in after["active_ties_lost"]}
    assert stats(client).hits == hits
    # The team member's departure route too.
    assert "champ" not in coverage_levels(client, headers)
    response = client.post("/v1/team-members/t1/departure", headers=headers)
    assert response.status_code == 200, response.text
    assert coverage_levels(client, headers)["vp"] == "dark"


def test_plain_cypher_in_another_session_shows_in_the_next_answer(
    client: TestClient, headers: dict[str, str], scene: Graph, settings: Settings
) -> None:
    budget = get_ok(client, "/v1/budgets/b1/control", headers)
    assert [c["stakeholder_id"] for c in budget["controllers"]["owner"]] == ["cfo"]
    assert get_ok(client, "/v1/budgets/b1/control", headers) == budget
    assert stats(client).hits >= 1
    with scene.driver.session(database=scene.database) as session:
        session.run(
            "MATCH (:Stakeholder {id: 'cfo'})-[c:CONTROLS]->(:Budget {id: 'b1'}) "
            "SET c.authority = 'signatory'"
        ).consume()
    after = get_ok(client, "/v1/budgets/b1/control", headers)
    assert after["controllers"]["owner"] == []
    assert [c["stakeholder_id"] for c in after["controllers"]["signatory"]] == ["cfo"]


@pytest.fixture
def uncached(graph: Graph, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"analytics_cache_entries": 0}))
    with TestClient(app) as test_client:
        yield test_client


def test_with_the_cache_disabled_answers_stay_right(
    uncached: TestClient, headers: dict[str, str]
) -> None:
    assert not cache(uncached).enabled
    assert coverage_levels(uncached, headers)["cfo"] == "dark"
    assert coverage_levels(uncached, headers)["cfo"] == "dark"
    response = uncached.post(
        "/v1/ingest",
        json={
            "relationships": [{"team_member_id": "t2", "stakeholder_id": "cfo", "strength": 0.9}]
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert coverage_levels(uncached, headers)["cfo"] == "single"
    s = stats(uncached)
    assert (s.hits, s.misses, s.entries) == (0, 3, 0)
