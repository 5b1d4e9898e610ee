"""The generic version-keyed LRU and single-flight guard (service/single_flight.py)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from service.single_flight import SingleFlight, VersionedLru


def test_lru_drops_the_least_recently_used_beyond_its_bound() -> None:
    lru: VersionedLru[str, int] = VersionedLru(2)
    assert lru.put("a", 1) == 0
    assert lru.put("b", 2) == 0
    assert lru.get("a") == (True, 1)  # "a" is now the most recently used
    assert lru.put("c", 3) == 1
    assert [k for k, _ in lru.items()] == ["a", "c"]
    assert lru.get("b") == (False, None)
    assert len(lru) == 2
    lru.clear()
    assert len(lru) == 0


def test_a_zero_bound_holds_nothing_and_a_negative_one_is_refused() -> None:
    lru: VersionedLru[str, int] = VersionedLru(0)
    assert lru.put("a", 1) == 1
    assert len(lru) == 0
    with pytest.raises(ValueError, match="bound"):
        VersionedLru(-1)


def test_dropping_other_versions_keeps_the_current_one_and_unversioned_keys() -> None:
    lru: VersionedLru[Any, str] = VersionedLru(10)
    lru.put(("acme", "v1"), "old")
    lru.put(("acme", "v2"), "new")
    lru.put(("beta", "v1"), "old too")
    lru.put("plain", "kept")
    dropped = lru.drop_other_versions("v2")
    assert dropped == [(("acme", "v1"), "old"), (("beta", "v1"), "old too")]
    assert sorted(map(str, (k for k, _ in lru.items()))) == ["('acme', 'v2')", "plain"]


def _store() -> tuple[dict[str, int], Any, Any]:
    held: dict[str, int] = {}

    def get(key: str) -> Any:
        return lambda: (True, held[key]) if key in held else (False, None)

    def put(key: str) -> Any:
        return lambda value: held.setdefault(key, value)

    return held, get, put


def test_a_hit_does_not_make() -> None:
    flight = SingleFlight()
    held, get, put = _store()
    held["k"] = 7
    assert flight.run("k", get("k"), put("k"), lambda: pytest.fail("made")) == (7, "hit")


def test_identical_concurrent_misses_make_once_and_share_the_result() -> None:
    flight = SingleFlight()
    _, get, put = _store()
    release = threading.Event()
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        release.wait(5)
        return 42

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(flight.run, "k", get("k"), put("k"), make) for _ in range(4)]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with flight.lock:
                if flight.waiting == 3:
                    break
            time.sleep(0.005)
        with flight.lock:
            assert flight.waiting == 3
        release.set()
        results = sorted(f.result(5) for f in futures)
    assert calls == [1]
    assert results == [(42, "made"), (42, "shared"), (42, "shared"), (42, "shared")]
    assert flight.waiting == 0
    # Stored by put: the next call is a hit.
    assert flight.run("k", get("k"), put("k"), lambda: 0) == (42, "hit")


def test_different_flights_do_not_wait_for_each_other() -> None:
    flight = SingleFlight()
    _, get, put = _store()
    release = threading.Event()
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(flight.run, "a", get("a"), put("a"), lambda: release.wait(5) and 1)
        assert flight.run("b", get("b"), put("b"), lambda: 2) == (2, "made")
        release.set()
        assert slow.result(5) == (1, "made")


def test_when_the_maker_fails_it_gets_the_error_and_a_waiter_makes_it_again() -> None:
    flight = SingleFlight()
    _, get, put = _store()
    started = threading.Event()
    release = threading.Event()

    def failing() -> int:
        started.set()
        release.wait(5)
        raise RuntimeError("Neo4j went away")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(flight.run, "k", get("k"), put("k"), failing)
        assert started.wait(5)
        second = pool.submit(flight.run, "k", get("k"), put("k"), lambda: 5)
        deadline = time.monotonic() + 5
        while flight.waiting != 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert flight.waiting == 1
        release.set()
        with pytest.raises(RuntimeError, match="went away"):
            first.result(5)
        assert second.result(5) == (5, "made")


def test_a_value_stored_meanwhile_wins_over_the_one_made() -> None:
    flight = SingleFlight()
    held, get, put = _store()

    def make() -> int:
        held["k"] = 1  # another path stored it while this one was making
        return 2

    assert flight.run("k", get("k"), put("k"), make) == (1, "made")
