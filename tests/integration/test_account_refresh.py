"""Refresh-ahead on the real Neo4j: after a write, the accounts requests used are read
again before anyone asks, so the next request is a cache hit and sees the write.

Counted by the cache's counters, never by timing; the refresher's polls are driven
one by one with ``step()`` (one test lets the app's own thread do it).
The scene is ``tests/api/analytics_scene.py`` (acme with budget b1; beta; empty).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from service.analytics.engagement import engagement_graph
from service.analytics.model import AnalyticsParams
from service.analytics.power_map import engagement_betweenness
from service.api.app import create_app
from service.domain.access import Scope, create_key
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.account_refresher import AccountRefresher
from service.domain.analytics.power_map import PowerMapOut, account_power_map
from service.domain.ingest import ingest_batch
from service.graph.account_subgraph import PulledAccount
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_account_cache import plain_cypher, ties_to

TODAY = datetime.now(UTC).date()
PARAMS = AnalyticsParams()


@pytest.fixture
def cache(scene: Graph, settings: Settings) -> AccountCache:
    return AccountCache(scene, 16)


def refresher_of(cache: AccountCache, max_accounts: int = 8) -> AccountRefresher:
    refresher = AccountRefresher(cache, interval_s=60.0, max_accounts=max_accounts)
    assert refresher.step() == 0  # the first poll only learns the version
    return refresher


def account(cache: AccountCache, account_id: str = "acme") -> PulledAccount:
    pulled = cache.reads().account(account_id, TODAY)
    assert pulled is not None
    return pulled


def tie_t2_cfo(scene: Graph, settings: Settings, strength: float = 0.9) -> None:
    ingest_batch(
        scene,
        settings,
        {
            "relationships": [
                {"team_member_id": "t2", "stakeholder_id": "cfo", "strength": strength}
            ]
        },
    )


def test_after_a_write_the_next_read_is_a_hit_and_sees_the_write(
    scene: Graph, settings: Settings, cache: AccountCache
) -> None:
    refresher = refresher_of(cache)
    assert ties_to(account(cache), "cfo") == []
    tie_t2_cfo(scene, settings)
    assert refresher.step() == 0  # the version moved: wait one quiet poll
    assert refresher.step() == 1  # acme read again
    assert refresher.step() == 0  # nothing new
    before = cache.stats()
    assert ties_to(account(cache), "cfo") == [("t2", 0.9)]
    after = cache.stats()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 0)
    assert after.refreshed == 1


def test_a_write_burst_is_refreshed_once_it_is_quiet(
    scene: Graph, settings: Settings, cache: AccountCache
) -> None:
    refresher = refresher_of(cache)
    account(cache)
    tie_t2_cfo(scene, settings, 0.4)
    assert refresher.step() == 0
    tie_t2_cfo(scene, settings, 0.9)  # still writing
    assert refresher.step() == 0
    assert cache.stats().refreshed == 0
    assert refresher.step() == 1
    assert ties_to(account(cache), "cfo") == [("t2", 0.9)]
    stats = cache.stats()
    # Pulls: the first read and the refresh, once for the whole burst; then a hit.
    assert (stats.misses, stats.hits, stats.refreshed) == (2, 1, 1)


def test_betweenness_is_reused_while_the_topology_is_unchanged(
    scene: Graph, settings: Settings, cache: AccountCache
) -> None:
    refresher = refresher_of(cache)
    first = cache.reads().betweenness(account(cache), PARAMS)
    # A write to another account: acme is read again, its betweenness kept.
    plain_cypher(scene, settings, "MATCH (s:Stakeholder) WHERE s.id STARTS WITH 'b' SET s.x = 1")
    plain_cypher(scene, settings, "MATCH (a:Account {id: 'beta'}) SET a.name = 'Beta 2'")
    refresher.step()
    assert refresher.step() == 1
    assert cache.stats().topology_hits == 1
    derived_made = cache.stats().derived_misses
    pulled = account(cache)
    assert cache.reads().betweenness(pulled, PARAMS) is first
    assert cache.stats().derived_misses == derived_made  # made by the refresh, not now
    # A stronger existing active tie changes strengths, not who is joined: reused again.
    plain_cypher(
        scene,
        settings,
        "MATCH (:TeamMember {id: 't1'})-[k:KNOWS]->(:Stakeholder {id: 'champ'}) "
        "SET k.strength = 0.95",
    )
    refresher.step()
    refresher.step()
    assert cache.reads().betweenness(account(cache), PARAMS) is first
    assert cache.stats().topology_hits == 2


def test_a_new_tie_changes_the_topology_and_the_betweenness(
    scene: Graph, settings: Settings, cache: AccountCache
) -> None:
    refresher = refresher_of(cache)
    first = cache.reads().betweenness(account(cache), PARAMS)
    tie_t2_cfo(scene, settings)
    refresher.step()
    refresher.step()
    assert cache.stats().topology_hits == 0
    fresh = account(cache)
    again = cache.reads().betweenness(fresh, PARAMS)
    assert again != first
    assert again == engagement_betweenness(engagement_graph(fresh.graph, PARAMS))


def test_the_power_maps_rows_are_made_again_by_the_refresh_not_by_the_next_request(
    scene: Graph, settings: Settings, cache: AccountCache
) -> None:
    refresher = refresher_of(cache)

    def power_map() -> PowerMapOut:
        return account_power_map(
            cache, settings, "acme", sort="pagerank", descending=True, as_of=TODAY
        )

    before = power_map()
    tie_t2_cfo(scene, settings)
    refresher.step()
    assert refresher.step() == 1
    made = cache.stats().derived_misses
    after = power_map()
    assert cache.stats().derived_misses == made  # the rows came with the refresh
    coverage = {e.stakeholder_id: e.coverage_count for e in after.entries}
    assert (
        coverage["cfo"] == 1 + {e.stakeholder_id: e.coverage_count for e in before.entries}["cfo"]
    )
    assert after == account_power_map(
        AccountCache(scene, 0), settings, "acme", sort="pagerank", descending=True, as_of=TODAY
    )


def test_a_budget_lookup_is_answered_from_the_refreshed_account(
    scene: Graph, settings: Settings, cache: AccountCache
) -> None:
    refresher = refresher_of(cache)
    assert cache.reads().budget_account("b1", TODAY) is not None
    assert cache.reads().person("t1", TODAY) is not None
    plain_cypher(scene, settings, "MATCH (b:Budget {id: 'b1'}) SET b.name = 'Renamed'")
    refresher.step()
    assert refresher.step() == 3  # acme, the b1 lookup, the t1 lookup
    misses = cache.stats().misses
    by_budget = cache.reads().budget_account("b1", TODAY)
    assert by_budget is not None and [b.name for b in by_budget.graph.budgets] == ["Renamed"]
    person = cache.reads().person("t1", TODAY)
    assert person is not None and person.account_ids == ("acme", "beta")
    assert cache.stats().misses == misses


def test_only_recently_used_accounts_and_at_most_the_limit_are_refreshed(
    scene: Graph, settings: Settings
) -> None:
    stale = AccountCache(scene, 16, refresh_window_s=1e-9)
    refresher = refresher_of(stale)
    account(stale)
    time.sleep(0.01)  # older than the 1 ns window (a precondition, not a timing check)
    tie_t2_cfo(scene, settings)
    refresher.step()
    assert refresher.step() == 0

    limited = AccountCache(scene, 16)
    refresher = refresher_of(limited, max_accounts=1)
    account(limited, "beta")
    account(limited, "acme")  # the most recent
    tie_t2_cfo(scene, settings, 0.5)
    refresher.step()
    assert refresher.step() == 1
    misses = limited.stats().misses
    account(limited, "acme")
    assert limited.stats().misses == misses
    account(limited, "beta")
    assert limited.stats().misses == misses + 1


@pytest.fixture
def refreshing_client(scene: Graph, settings: Settings) -> Iterator[tuple[TestClient, str]]:
    quick = settings.model_copy(update={"analytics_refresh_interval_s": 0.05})
    key = create_key(scene, "refresh", [Scope.READ, Scope.WRITE])
    with TestClient(create_app(quick)) as client:
        yield client, key.secret


def test_the_apps_own_refresher_reads_again_after_an_ingest_through_the_api(
    refreshing_client: tuple[TestClient, str],
) -> None:
    client, token = refreshing_client
    headers = {"Authorization": f"Bearer {token}"}
    cache: AccountCache = client.app.state.powermap.account_cache  # type: ignore[attr-defined]
    threading = client.get("/v1/accounts/acme/threading", headers=headers)
    assert threading.status_code == 200
    response = client.post(
        "/v1/ingest",
        headers=headers,
        json={
            "relationships": [{"team_member_id": "t2", "stakeholder_id": "cfo", "strength": 0.9}]
        },
    )
    assert response.status_code == 200, response.text
    deadline = time.monotonic() + 30.0  # a bound for a stuck thread, not a speed claim
    while cache.stats().refreshed == 0:
        assert time.monotonic() < deadline, "the app's refresher never refreshed acme"
        time.sleep(0.02)
    misses = cache.stats().misses
    after = client.get("/v1/accounts/acme/threading", headers=headers)
    assert after.status_code == 200
    assert cache.stats().misses == misses
    cfo = next(s for s in after.json()["key_stakeholders"] if s["stakeholder_id"] == "cfo")
    assert cfo["coverage"]["count"] == 1 and cfo["coverage"]["ties"][0]["team_member_id"] == "t2"
