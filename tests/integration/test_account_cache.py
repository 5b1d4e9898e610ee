"""The analytics account cache on the real Neo4j: served from the cache while the graph is
unchanged (checked by its counters, never by timing), and never stale after a write —
through ingest, through a departure, or through plain Cypher in another session.

The scene is ``tests/api/analytics_scene.py`` (acme: champ is covered by t1 and t2,
cfo by nobody; beta; empty).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from service.analytics.engagement import engagement_graph
from service.analytics.model import AnalyticsParams
from service.analytics.power_map import engagement_betweenness
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.account_threading import account_threading
from service.domain.analytics.power_map import PowerMapOut, PowerMapSort, account_power_map
from service.domain.ingest import depart_stakeholder, ingest_batch
from service.graph import account_subgraph as pulls
from service.graph.account_subgraph import PulledAccount
from service.graph.driver import Graph
from service.graph.graph_version import current_graph_version
from service.settings import Settings

TODAY = datetime.now(UTC).date()
PARAMS = AnalyticsParams()


def cache_of(graph: Graph, settings: Settings, entries: int = 16) -> AccountCache:
    return AccountCache(graph, entries)


def acme(cache: AccountCache) -> PulledAccount:
    pulled = cache.reads().account("acme", TODAY)
    assert pulled is not None
    return pulled


def ties_to(pulled: PulledAccount, stakeholder_id: str) -> list[tuple[str, float]]:
    return sorted(
        (k.team_member_id, k.strength)
        for k in pulled.graph.knows
        if k.stakeholder_id == stakeholder_id
    )


def active_people(pulled: PulledAccount) -> list[str]:
    return sorted(s.id for s in pulled.graph.stakeholders if s.status == "active")


def plain_cypher(graph: Graph, settings: Settings, query: str) -> None:
    """A write the service knows nothing about: another session, auto-commit."""
    with graph.driver.session(database=graph.database) as session:
        session.run(query).consume()


# -- the graph version ------------------------------------------------------------------


def test_the_graph_version_moves_only_when_a_write_commits(
    scene: Graph, settings: Settings
) -> None:
    database = settings.neo4j_database
    first = current_graph_version(scene)
    assert first  # the server sent a bookmark
    assert current_graph_version(scene) == first
    # Reads change nothing, in any session.
    with scene.driver.session(database=database) as session:
        session.run("MATCH (n) RETURN count(n)").consume()
    assert current_graph_version(scene) == first
    # A write transaction that matches nothing commits no change: same version.
    with scene.driver.session(database=database) as session:
        session.execute_write(lambda tx: tx.run("MATCH (x:Nothing) SET x.n = 1").consume())
    assert current_graph_version(scene) == first
    plain_cypher(scene, settings, "MATCH (s:Stakeholder {id: 'dir'}) SET s.title = 'Director'")
    second = current_graph_version(scene)
    assert second != first
    assert current_graph_version(scene) == second


# -- hits while nothing changes -----------------------------------------------------------


def test_an_unchanged_graph_is_served_from_the_cache(scene: Graph, settings: Settings) -> None:
    cache = cache_of(scene, settings)
    first = acme(cache)
    assert (cache.stats().hits, cache.stats().misses) == (0, 1)
    second = acme(cache)
    assert second is first
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (1, 1, 1)
    # Another as-of date is another entry.
    assert cache.reads().account("acme", datetime(2026, 1, 15, tzinfo=UTC).date()) is not None
    assert (cache.stats().misses, cache.stats().entries) == (2, 2)


def test_a_budget_lookup_and_its_account_share_one_pull(scene: Graph, settings: Settings) -> None:
    cache = cache_of(scene, settings)
    by_budget = cache.reads().budget_account("b1", TODAY)
    assert by_budget is not None and by_budget.graph.account_id == "acme"
    assert cache.reads().budget_account("b1", TODAY) is by_budget
    assert acme(cache) is by_budget
    assert cache.reads().budget_account("nope", TODAY) is None
    assert cache.reads().budget_account("nope", TODAY) is None
    stats = cache.stats()
    # Pulls: b1's account once, the unknown budget once; the rest are hits.
    assert (stats.misses, stats.hits) == (2, 3)


def test_a_team_members_accounts_come_from_the_cache_where_held(
    scene: Graph, settings: Settings
) -> None:
    cache = cache_of(scene, settings)
    held = acme(cache)
    reads = cache.reads()
    person = reads.person("t1", TODAY)
    assert person is not None and person.account_ids == ("acme", "beta")
    pulled = reads.accounts(person.account_ids, TODAY)
    assert [p.graph.account_id for p in pulled] == ["acme", "beta"]
    assert pulled[0] is held
    # acme was a hit, beta a pull (with acme's first pull: two misses).
    assert (cache.stats().hits, cache.stats().misses) == (1, 2)
    again = cache.reads().accounts(("beta", "acme", "unknown"), TODAY)
    assert [p.graph.account_id for p in again] == ["beta", "acme"]
    assert again[0] is pulled[1]


# -- never stale ------------------------------------------------------------------------


def test_a_write_through_ingest_is_seen_by_the_next_read(scene: Graph, settings: Settings) -> None:
    cache = cache_of(scene, settings)
    assert ties_to(acme(cache), "cfo") == []
    ingest_batch(
        scene,
        settings,
        {"relationships": [{"team_member_id": "t2", "stakeholder_id": "cfo", "strength": 0.9}]},
    )
    assert ties_to(acme(cache), "cfo") == [("t2", 0.9)]
    stats = cache.stats()
    assert (stats.hits, stats.misses) == (0, 2)
    # The old version's entry is gone, not just unreachable.
    assert (stats.entries, stats.invalidations) == (1, 1)


def test_a_departure_is_seen_by_the_next_read(scene: Graph, settings: Settings) -> None:
    cache = cache_of(scene, settings)
    assert "champ" in active_people(acme(cache))
    assert cache.reads().person("champ", TODAY) is not None
    depart_stakeholder(scene, "champ", None)
    after = acme(cache)
    assert "champ" not in active_people(after)
    assert ties_to(after, "champ") == []
    assert cache.stats().hits == 0


def test_plain_cypher_in_another_session_is_seen_by_the_next_read(
    scene: Graph, settings: Settings
) -> None:
    cache = cache_of(scene, settings)
    before = acme(cache)
    assert ties_to(before, "champ") == [("t1", 0.8), ("t2", 0.5)]
    assert acme(cache) is before  # held
    plain_cypher(
        scene,
        settings,
        "MATCH (:TeamMember {id: 't2'})-[k:KNOWS]->(:Stakeholder {id: 'champ'}) "
        "SET k.strength = 0.05",
    )
    after = acme(cache)
    assert after is not before
    assert ties_to(after, "champ") == [("t1", 0.8), ("t2", 0.05)]
    plain_cypher(scene, settings, "MATCH (b:Budget {id: 'b1'}) SET b.name = 'Renamed'")
    by_budget = cache.reads().budget_account("b1", TODAY)
    assert by_budget is not None and [b.name for b in by_budget.graph.budgets] == ["Renamed"]


def test_derived_results_are_reused_and_recomputed_after_a_write(
    scene: Graph, settings: Settings
) -> None:
    cache = cache_of(scene, settings)
    reads = cache.reads()
    pulled = acme(cache)
    first = reads.betweenness(pulled, PARAMS)
    # Betweenness, and on the way the engagement graph and the index arrays: 3 made.
    assert (cache.stats().derived_misses, cache.stats().derived_hits) == (3, 0)
    assert cache.reads().betweenness(acme(cache), PARAMS) is first
    assert cache.stats().derived_hits == 1
    assert first == engagement_betweenness(engagement_graph(pulled.graph, PARAMS))
    # dir hangs on vp only (dir's tie to t2 is below θ): vp brokers every path to dir.
    assert first["vp"] > 0 and first["dir"] == 0.0
    # Another θ is another engagement graph (the index arrays are shared).
    strict = AnalyticsParams(active_tie_threshold=0.7)
    assert (
        reads.engagement_graph(pulled, strict).edge_count
        < reads.engagement_graph(pulled, PARAMS).edge_count
    )
    # A new tie t2–cfo is a new shortest way between the team and cfo's side.
    ingest_batch(
        scene,
        settings,
        {"relationships": [{"team_member_id": "t2", "stakeholder_id": "cfo", "strength": 0.9}]},
    )
    fresh = acme(cache)
    recomputed = cache.reads().betweenness(fresh, PARAMS)
    assert recomputed == engagement_betweenness(engagement_graph(fresh.graph, PARAMS))
    assert recomputed != first and recomputed["cfo"] != first["cfo"]


def test_a_warm_power_map_builds_no_row_again_whatever_its_order(
    scene: Graph, settings: Settings
) -> None:
    """Regression: a warm power map rebuilt its 5,000 answer rows on every request (×2
    slower than before the answers became models, bench/RESULTS.md). The rows are now
    made once per cached account; each request only sorts them, and the answer does
    not change."""
    cache = cache_of(scene, settings)
    uncached = cache_of(scene, settings, entries=0)

    def ask(c: AccountCache, sort: PowerMapSort, descending: bool) -> PowerMapOut:
        return account_power_map(c, settings, "acme", sort=sort, descending=descending, as_of=TODAY)

    first = ask(cache, "pagerank", True)
    made = cache.stats().derived_misses
    by_name = ask(cache, "name", False)
    assert cache.stats().derived_misses == made
    rows = {id(e) for e in first.entries}
    assert len(first.entries) > 1 and {id(e) for e in by_name.entries} == rows
    assert [e.name for e in by_name.entries] == sorted(e.name for e in first.entries)
    orders: list[tuple[PowerMapSort, bool]] = [
        ("pagerank", True),
        ("name", False),
        ("betweenness", False),
    ]
    for sort, descending in orders:
        assert ask(cache, sort, descending) == ask(uncached, sort, descending)


def test_a_warm_threading_answer_is_made_once_and_again_after_a_write(
    scene: Graph, settings: Settings
) -> None:
    """Regression (issue 13): a cached threading answer re-ran the threading report and
    rebuilt every answer model on each request (half a warm request's CPU). It is now
    made once per cached account, date and parameters, equal to an uncached one, and
    made again once a write moved the graph."""
    cache = cache_of(scene, settings)
    uncached = cache_of(scene, settings, entries=0)
    first = account_threading(cache, settings, "acme", as_of=TODAY)
    made = cache.stats().derived_misses
    again = account_threading(cache, settings, "acme", as_of=TODAY)
    assert again is first
    assert cache.stats().derived_misses == made
    assert first == account_threading(uncached, settings, "acme", as_of=TODAY)
    ingest_batch(
        scene,
        settings,
        {"relationships": [{"team_member_id": "t2", "stakeholder_id": "cfo", "strength": 0.9}]},
    )
    after = account_threading(cache, settings, "acme", as_of=TODAY)
    assert after != first
    assert after == account_threading(uncached, settings, "acme", as_of=TODAY)


# -- bounds, and off --------------------------------------------------------------------


def test_the_lru_bound_is_respected(scene: Graph, settings: Settings) -> None:
    cache = cache_of(scene, settings, entries=2)
    for account_id in ("acme", "beta", "empty"):
        assert cache.reads().account(account_id, TODAY) is not None
    stats = cache.stats()
    assert (stats.entries, stats.evictions, stats.misses) == (2, 1, 3)
    # empty and beta are held; acme, the least recently used, was dropped.
    assert cache.reads().account("empty", TODAY) is not None
    assert cache.reads().account("beta", TODAY) is not None
    assert cache.stats().hits == 2
    assert acme(cache) is not None
    stats = cache.stats()
    assert (stats.misses, stats.entries, stats.evictions) == (4, 2, 2)
    assert stats.lookups <= 2 * 16


def test_a_disabled_cache_pulls_every_time_and_stays_correct(
    scene: Graph, settings: Settings
) -> None:
    cache = cache_of(scene, settings, entries=0)
    assert not cache.enabled
    first = acme(cache)
    second = acme(cache)
    assert second is not first and ties_to(second, "champ") == ties_to(first, "champ")
    reads = cache.reads()
    assert reads.betweenness(first, PARAMS) == reads.betweenness(first, PARAMS)
    depart_stakeholder(scene, "champ", None)
    assert "champ" not in active_people(acme(cache))
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries, stats.lookups) == (0, 3, 0, 0)
    assert stats.derived_hits == 0


# -- concurrency ------------------------------------------------------------------------


def test_identical_concurrent_misses_pull_once(
    scene: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first request pulls (from the real Neo4j); one arriving meanwhile waits for it."""
    cache = cache_of(scene, settings)
    real: Callable[..., Any] = pulls.account_subgraph
    inside, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def gated(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        inside.set()
        assert release.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr(pulls, "account_subgraph", gated)
    got: dict[str, PulledAccount | None] = {}

    def read(name: str) -> None:
        got[name] = cache.reads().account("acme", TODAY)

    first = threading.Thread(target=read, args=("first",))
    first.start()
    try:
        assert inside.wait(timeout=60), "the first pull never started"
        second = threading.Thread(target=read, args=("second",))
        second.start()
        for _ in range(6000):  # wait until the second request waits for the first pull
            if cache.stats().waiting == 1:
                break
            threading.Event().wait(0.01)
        assert cache.stats().waiting == 1
    finally:
        release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert calls == ["acme"]
    assert got["first"] is not None and got["second"] is got["first"]
    stats = cache.stats()
    assert (stats.misses, stats.shared, stats.waiting) == (1, 1, 0)


def test_a_failed_pull_is_not_cached(
    scene: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = cache_of(scene, settings)
    real: Callable[..., Any] = pulls.account_subgraph
    failures = [RuntimeError("connection lost")]

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(pulls, "account_subgraph", flaky)
    with pytest.raises(RuntimeError, match="connection lost"):
        acme(cache)
    assert cache.stats().entries == 0
    assert "champ" in active_people(acme(cache))
    assert cache.stats().entries == 1
