"""The process's state cache (service/domain/alerts/state_cache.py) and the parts the
outcomes give for the states they made (no Neo4j): bounded, least recently used first,
and parts exactly what splitting the stored text would give."""

from __future__ import annotations

import threading

import pytest

from service.domain.alerts.condition_specs import ConditionSpec
from service.domain.alerts.outcomes import Outcomes, keyed_conditions, split_state
from service.domain.alerts.state_cache import CachedState, StateCache
from service.graph.alert_evaluation import StoredState
from tests.alerts.test_outcomes import AFTER, BEFORE, WATCHES
from tests.alerts.views import view


def entry(key: str, rev: str | None = "r1", text: str = "{}") -> CachedState:
    return CachedState(StoredState(key, text, 1, rev), {}, parsed=True)


def test_the_least_recently_used_go_first_beyond_the_bound() -> None:
    cache = StateCache(max_entries=3)
    cache.put([entry("a"), entry("b"), entry("c")])
    assert set(cache.get(["a"])) == {"a"}  # a is used: b is now the oldest
    cache.put([entry("d")])
    assert len(cache) == 3
    assert set(cache.get(["a", "b", "c", "d"])) == {"a", "c", "d"}
    cache.put([entry(str(i)) for i in range(10)])
    assert len(cache) == 3 and set(cache.get([str(i) for i in range(10)])) == {"7", "8", "9"}
    with pytest.raises(ValueError):
        StateCache(max_entries=0)


def test_a_state_without_a_revision_is_not_kept_and_replaces_what_was() -> None:
    cache = StateCache()
    cache.put([entry("a", rev="r1")])
    cache.put([entry("a", rev=None, text='{"x":1}')])  # written by a service without revs
    assert cache.get(["a"]) == {}
    cache.put([entry("b", rev="r1"), entry("b", rev="r2", text='{"y":2}')])
    assert cache.get(["b"])["b"].stored.rev == "r2"
    cache.discard(["b"])
    assert cache.get(["b"]) == {}


def test_threads_putting_and_getting_at_once_keep_the_bound() -> None:
    cache = StateCache(max_entries=50)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(500):
                cache.put([entry(f"{n}-{i}")])
                cache.get([f"{n}-{i - 1}", f"{n}-{i}"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache) == 50


@pytest.mark.parametrize("numbered", WATCHES)
def test_the_parts_of_a_made_state_are_those_split_state_reads(
    numbered: list[tuple[int, ConditionSpec]],
) -> None:
    keyed = keyed_conditions(numbered)
    outcomes = Outcomes()
    first, _ = outcomes.outcome(view(BEFORE), "s", keyed, None)
    second, events = outcomes.outcome(view(AFTER), "s", keyed, first)
    assert events
    for text in (first, second):
        made = outcomes.parts_made(text)
        assert made is not None and made == split_state(text)
    assert outcomes.parts_made('{"0:other":1}') is None  # not made here


def test_a_seeded_state_is_not_split_again(monkeypatch: pytest.MonkeyPatch) -> None:
    keyed = keyed_conditions(WATCHES[0])
    text, _ = Outcomes().outcome(view(BEFORE), "s", keyed, None)
    expected = Outcomes().outcome(view(AFTER), "s", keyed, text)
    parts = split_state(text)
    outcomes = Outcomes()
    outcomes.seed(text, parts)

    def no_split(_text: str) -> None:
        raise AssertionError("split again")

    monkeypatch.setattr("service.domain.alerts.outcomes.split_state", no_split)
    assert outcomes.parsed(text) == (True, parts)
    assert outcomes.outcome(view(AFTER), "s", keyed, text) == expected
    assert expected[1], "the account changed: events"
