"""The evaluator keeps the states it read and wrote, parsed, in the process's
StateCache (service/domain/alerts/state_cache.py), and uses an entry only when the
state's revision and view time in Neo4j are still the entry's: a state another process
wrote since (another revision) or a service that keeps no revisions wrote (another view
time) is read again. Two caches here stand for two service processes. On the real Neo4j.
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.domain.alerts import evaluation
from service.domain.alerts.evaluation import evaluate_pending
from service.domain.alerts.outcomes import split_state
from service.domain.alerts.state_cache import StateCache
from service.domain.analytics.account_cache import AccountCache
from service.domain.ingest import depart_stakeholder
from service.graph import alert_evaluation as store
from service.graph.alert_evaluation import StoredState
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_alert_conditions import (
    SCENE,
    UNRELATED,
    events,
    make_watch,
    pending,
    write,
)


def run(graph: Graph, settings: Settings, cache: StateCache) -> None:
    while evaluate_pending(graph, AccountCache(graph, 100), settings, states=cache).claimed:
        pass


@pytest.fixture
def acme(graph: Graph, settings: Settings) -> Graph:
    write(graph, settings, SCENE)
    run(graph, settings, StateCache())
    assert pending(graph) == 0
    return graph


def stored_now(graph: Graph, key: str) -> StoredState:
    return store.read_states(graph, [key])[key]


def test_the_cache_holds_each_state_as_stored_with_its_revision_and_parts(
    acme: Graph, settings: Settings
) -> None:
    cache = StateCache()
    watch = make_watch(acme, settings, ["key_stakeholder_left"], account_ids=["acme"])
    key = f"{watch}|acme"
    write(acme, settings, UNRELATED)
    run(acme, settings, cache)  # reads the baseline's state: kept, parsed
    held = cache.get([key])[key]
    assert held.stored == stored_now(acme, key) and held.parsed
    assert held.parts == split_state(held.stored.state or "")
    depart_stakeholder(acme, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    run(acme, settings, cache)  # writes a new state: kept with the revision it made
    assert [e["type"] for e in events(acme)] == ["key_stakeholder_left"]
    held = cache.get([key])[key]
    now = stored_now(acme, key)
    assert held.stored == now and held.stored.rev is not None and held.parsed
    assert held.parts == split_state(now.state or "")


def test_an_entry_whose_state_is_unchanged_is_used_without_reading_it_again(
    acme: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = StateCache()
    watch = make_watch(acme, settings, ["key_stakeholder_left"], account_ids=["acme"])
    key = f"{watch}|acme"
    write(acme, settings, UNRELATED)
    run(acme, settings, cache)
    held = cache.get([key])[key]
    given = spy_precompute(monkeypatch)
    write(acme, settings, {"stakeholders": [{**UNRELATED["stakeholders"][0], "title": "Ex"}]})
    run(acme, settings, cache)
    assert given[-1][key] is held.stored  # the entry itself: its text was not read


def spy_precompute(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, StoredState]]:
    """The states each evaluation read before its transaction (what the conditions ran
    on first)."""
    given: list[dict[str, StoredState]] = []
    real = evaluation._precompute

    def spy(*args: Any, **kwargs: Any) -> None:
        given.append(dict(args[2]))
        real(*args, **kwargs)

    monkeypatch.setattr(evaluation, "_precompute", spy)
    return given


def test_a_state_another_process_wrote_since_is_read_again_not_taken_from_the_cache(
    acme: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = StateCache(), StateCache()  # two service processes
    watch = make_watch(acme, settings, ["key_stakeholder_left"], account_ids=["acme"])
    key = f"{watch}|acme"
    write(acme, settings, UNRELATED)
    run(acme, settings, mine)
    old = mine.get([key])[key].stored
    depart_stakeholder(acme, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    run(acme, settings, theirs)  # the other process evaluates the departure
    [event] = events(acme)
    assert event["type"] == "key_stakeholder_left"
    moved = stored_now(acme, key)
    assert moved.state != old.state and moved.rev != old.rev
    assert mine.get([key])[key].stored is old  # this process still holds the old one

    given = spy_precompute(monkeypatch)
    write(acme, settings, {"stakeholders": [{**UNRELATED["stakeholders"][0], "title": "Ex"}]})
    run(acme, settings, mine)
    assert given[-1][key] == moved  # read again: the revision moved
    assert len(events(acme)) == 1  # the departure is not told twice
    assert mine.get([key])[key].stored == moved

    # A service that keeps no revisions rewrites the text and the view time only.
    acme.write(
        "MATCH (s:AlertState {key: $key}) SET s.state = $text, s.view_at_us = 7",
        key=key,
        text=old.state,
    )
    write(acme, settings, {"stakeholders": [{**UNRELATED["stakeholders"][0], "title": "Ox"}]})
    run(acme, settings, mine)
    assert given[-1][key].state == old.state and given[-1][key].view_at_us == 7


def test_the_collector_is_paused_during_an_evaluation_and_back_after_even_a_failed_one(
    acme: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """service/heap.py: a batch's container objects are acyclic; collecting them took
    ≈ 125–170 ms of a 100-account batch for nothing."""
    make_watch(acme, settings, ["key_stakeholder_left"], account_ids=["acme"])
    enabled: list[bool] = []
    real = evaluation._precompute

    def spy(*args: Any, **kwargs: Any) -> None:
        enabled.append(gc.isenabled())
        real(*args, **kwargs)

    monkeypatch.setattr(evaluation, "_precompute", spy)
    assert gc.isenabled()
    depart_stakeholder(acme, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    run(acme, settings, StateCache())
    assert enabled == [False] and gc.isenabled()
    assert [e["type"] for e in events(acme)] == ["key_stakeholder_left"]

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluation, "_precompute", broken)
    write(acme, settings, UNRELATED)
    with pytest.raises(RuntimeError):
        run(acme, settings, StateCache())
    assert gc.isenabled()
