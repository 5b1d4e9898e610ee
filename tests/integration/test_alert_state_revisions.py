"""The evaluation's transaction reads again the text of a state only when it was written
since the evaluator read it (service/graph/alert_evaluation.py, ``commit_evaluation``'s
``known``): every write gives a state a new random revision. A state written meanwhile
(by another evaluator, or by a service that keeps no revisions) is read whole; one
unchanged is the one read before. On the real Neo4j."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from service.graph import alert_evaluation as store
from service.graph.alert_evaluation import Decision, LockedWatch, StoredState
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_alert_conditions import make_watch


def _store(graph: Graph, watch: str, key: str, text: str, view_at_us: int) -> None:
    """Write one state as an evaluation does."""

    def decide(_stored: Mapping[str, StoredState], _w: Mapping[str, LockedWatch]) -> Decision:
        state = {"state": text, "view_at_us": view_at_us}
        return Decision(
            states=[{"key": key, "watch_id": watch, "account_id": "acme", "props": state}]
        )

    store.commit_evaluation(
        graph,
        watch_ids=[watch],
        state_keys=[key],
        change_set_ids=[],
        now=datetime.now(UTC),
        decide=decide,
    )


def _given(
    graph: Graph, watch: str, keys: list[str], known: Mapping[str, StoredState]
) -> dict[str, StoredState]:
    """The states ``decide`` is given in the transaction, with ``known`` read before."""
    seen: dict[str, StoredState] = {}

    def decide(stored: Mapping[str, StoredState], _w: Mapping[str, LockedWatch]) -> Decision:
        seen.update(stored)
        return Decision()

    store.commit_evaluation(
        graph,
        watch_ids=[watch],
        state_keys=keys,
        change_set_ids=[],
        now=datetime.now(UTC),
        decide=decide,
        known=known,
    )
    return seen


def _seen(graph: Graph, watch: str, key: str, known: Mapping[str, StoredState]) -> StoredState:
    """The state ``decide`` is given in the transaction, with ``known`` read before."""
    return _given(graph, watch, [key], known)[key]


def test_a_state_written_after_it_was_read_is_read_again(graph: Graph, settings: Settings) -> None:
    watch = make_watch(graph, settings, ["key_stakeholder_left"], baseline=False)
    key = f"{watch}|acme"
    _store(graph, watch, key, '{"a":1}', 1)
    known = store.read_states(graph, [key])
    assert known[key].state == '{"a":1}' and known[key].rev is not None
    _store(graph, watch, key, '{"a":2}', 2)  # another evaluator, meanwhile
    now = _seen(graph, watch, key, known)
    assert (now.state, now.view_at_us) == ('{"a":2}', 2)
    assert now.rev not in (None, known[key].rev)


def test_an_unchanged_state_is_the_one_read_before(graph: Graph, settings: Settings) -> None:
    watch = make_watch(graph, settings, ["key_stakeholder_left"], baseline=False)
    key = f"{watch}|acme"
    _store(graph, watch, key, '{"a":1}', 1)
    _store(graph, watch, key, '{"a":1,"b":2}', 1)  # a new text, the same view time
    known = store.read_states(graph, [key])
    assert _seen(graph, watch, key, known) is known[key]


def test_a_state_written_without_a_revision_is_read_again(graph: Graph, settings: Settings) -> None:
    """A service that keeps no revisions writes the text and the view time and leaves
    the revision as it was, or the state has none (written before revisions were kept)."""
    watch = make_watch(graph, settings, ["key_stakeholder_left"], baseline=False)
    key = f"{watch}|acme"
    _store(graph, watch, key, '{"a":1}', 1)
    known = store.read_states(graph, [key])
    graph.write(
        "MATCH (s:AlertState {key: $key}) SET s.state = $text, s.view_at_us = 3",
        key=key,
        text='{"a":3}',
    )
    assert _seen(graph, watch, key, known).state == '{"a":3}'
    graph.write("MATCH (s:AlertState {key: $key}) REMOVE s.rev", key=key)
    known = store.read_states(graph, [key])
    assert known[key].rev is None
    stale = {key: StoredState(key, '{"a":0}', 3, None)}  # as if read before a write
    assert _seen(graph, watch, key, stale).state == '{"a":3}'


def test_a_state_gone_since_it_was_read_is_not_given(graph: Graph, settings: Settings) -> None:
    watch = make_watch(graph, settings, ["key_stakeholder_left"], baseline=False)
    key = f"{watch}|acme"
    other = f"{watch}|globex"
    _store(graph, watch, key, '{"a":1}', 1)
    known = store.read_states(graph, [key])
    graph.write("MATCH (s:AlertState {key: $key}) DETACH DELETE s", key=key)
    assert _given(graph, watch, [key, other], known) == {}


def test_the_revisions_of_many_states_arrive_in_one_record(
    graph: Graph, settings: Settings
) -> None:
    """``state_revisions.cypher`` answers with one record of [key, rev, view_at_us]
    (a key without a state left out), and the states given from it are those read
    whole: the known ones unchanged as they were, the others as stored now."""
    watch = make_watch(graph, settings, ["key_stakeholder_left"], baseline=False)
    keys = [f"{watch}|acme{i}" for i in range(6)]
    for i, key in enumerate(keys[:5]):
        _store(graph, watch, key, f'{{"a":{i}}}', i)
    known = store.read_states(graph, keys)
    _store(graph, watch, keys[1], '{"a":10}', 10)  # written since
    graph.write("MATCH (s:AlertState {key: $key}) REMOVE s.rev", key=keys[2])
    graph.write("MATCH (s:AlertState {key: $key}) DETACH DELETE s", key=keys[3])
    now = store.read_states(graph, keys)

    def revisions(tx: ManagedTransaction) -> list[list[Any]]:
        return store._revisions(tx, [*keys, "nobody|acme"])

    answered = graph.read_tx(revisions)
    assert sorted(answered, key=lambda r: r[0]) == [
        [k, now[k].rev, now[k].view_at_us] for k in sorted(now)
    ]
    given = _given(graph, watch, keys, known)
    assert given == now
    assert given[keys[0]] is known[keys[0]] and given[keys[4]] is known[keys[4]]
    assert given[keys[1]].state == '{"a":10}' and given[keys[2]].rev is None
    assert keys[3] not in given and keys[5] not in given
