"""The evaluator's outcomes: each condition run once per account, condition and
previous state, and a watch's state text exactly what ``json.dumps`` of the whole
state would be (no Neo4j)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from service.analytics.model import (
    AccountGraph,
    Budget,
    Controls,
    Knows,
    Role,
    Stakeholder,
    TeamMember,
)
from service.domain.alerts import conditions
from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import (
    BudgetWithoutOwner,
    ChampionLost,
    ConditionSpec,
    HealthDropped,
    KeyStakeholderDark,
    KeyStakeholderLeft,
)
from service.domain.alerts.outcomes import Outcomes, keyed_conditions, split_state
from tests.alerts.views import AS_OF, view

T1, T2 = TeamMember("t1", "Tom"), TeamMember("t2", "Tess")
CFO, CHAMP = Stakeholder("cfo", "Cléo", "CFO"), Stakeholder("champ", "Chen", "VP")


def acme(knows: list[Knows], stakeholders: Sequence[Stakeholder] = (CFO, CHAMP)) -> AccountGraph:
    return AccountGraph(
        "acme",
        AS_OF,
        account_name="Acme",
        stakeholders=list(stakeholders),
        team_members=[T1, T2],
        knows=knows,
        roles=[
            Role("cfo", "economic_buyer", "account", "acme"),
            Role("champ", "champion", "account", "acme"),
        ],
        budgets=[Budget("b1", "IT", 1000.0, None)],
        controls=[Controls("cfo", "b1", "owner")],
    )


BEFORE = acme([Knows("t1", "cfo", 0.8), Knows("t2", "cfo", 0.7), Knows("t1", "champ", 0.9)])
AFTER = acme([Knows("t2", "champ", 0.1)], stakeholders=[CHAMP])


def reference(
    v: AccountView, numbered: Sequence[tuple[int, ConditionSpec]], text: str | None
) -> tuple[str, list[tuple[str, str]]]:
    """What the evaluator did before: parse the whole state, run every condition, dump."""
    previous = None if text is None else json.loads(text)
    state: dict[str, Any] = {}
    events: list[tuple[str, str]] = []
    for i, spec in numbered:
        key = conditions.condition_key(i, spec)
        after, drafts = conditions.evaluate(
            v, spec, None if previous is None else previous.get(key)
        )
        state[key] = after
        events += [(d.type, json.dumps(d.data, separators=(",", ":"), default=str)) for d in drafts]
    return json.dumps(state, separators=(",", ":"), sort_keys=True), events


WATCHES: list[list[tuple[int, ConditionSpec]]] = [
    [(0, KeyStakeholderLeft()), (1, ChampionLost()), (2, KeyStakeholderDark())],
    [(0, ChampionLost()), (1, BudgetWithoutOwner()), (2, HealthDropped(by=1))],
    # Ten conditions: "10:…" sorts before "2:…", as json.dumps sorts the keys.
    list(enumerate([KeyStakeholderLeft()] * 10 + [ChampionLost()])),
]


@pytest.mark.parametrize("numbered", WATCHES)
def test_a_state_is_the_text_json_dumps_gives_and_the_events_are_the_same(
    numbered: list[tuple[int, ConditionSpec]],
) -> None:
    keyed = keyed_conditions(numbered)
    signature = json.dumps([[i, c.model_dump(mode="json")] for i, c in numbered])
    outcomes = Outcomes()
    baseline = outcomes.outcome(view(BEFORE), signature, keyed, None)
    assert baseline == reference(view(BEFORE), numbered, None)
    assert baseline[1] == []
    after = Outcomes().outcome(view(AFTER), signature, keyed, baseline[0])
    assert after == reference(view(AFTER), numbered, baseline[0])
    assert after[1], "the account changed: events"


def test_each_condition_runs_once_per_account_and_previous_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs: list[str] = []
    real = conditions.evaluate

    def counting(
        v: AccountView, spec: ConditionSpec, previous: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], list[conditions.Draft]]:
        runs.append(spec.type)
        return real(v, spec, previous)

    monkeypatch.setattr(conditions, "evaluate", counting)
    outcomes = Outcomes()
    v = view(BEFORE)
    # Two watches sharing champion_lost (at other places), each with its own state text.
    a: list[tuple[int, ConditionSpec]] = [(0, KeyStakeholderLeft()), (1, ChampionLost())]
    b: list[tuple[int, ConditionSpec]] = [(0, ChampionLost()), (1, HealthDropped(by=1))]
    state_a, _ = outcomes.outcome(v, "a", keyed_conditions(a), None)
    state_b, _ = outcomes.outcome(v, "b", keyed_conditions(b), None)
    assert sorted(runs) == ["champion_lost", "health_dropped", "key_stakeholder_left"]
    runs.clear()
    w = view(AFTER)
    moved_a = outcomes.outcome(w, "a", keyed_conditions(a), state_a)
    moved_b = outcomes.outcome(w, "b", keyed_conditions(b), state_b)
    assert sorted(runs) == ["champion_lost", "health_dropped", "key_stakeholder_left"]
    assert [t for t, _ in moved_a[1]] == ["key_stakeholder_left", "champion_lost"]
    assert [t for t, _ in moved_b[1]] == ["champion_lost", "health_dropped"]
    runs.clear()
    # The same state again: not even put together again.
    assert outcomes.outcome(w, "a", keyed_conditions(a), state_a) == moved_a
    assert runs == []


def test_a_failing_condition_keeps_its_previous_state_and_the_others_go_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    numbered: list[tuple[int, ConditionSpec]] = [(0, ChampionLost()), (1, KeyStakeholderLeft())]
    keyed = keyed_conditions(numbered)
    state, _ = Outcomes().outcome(view(BEFORE), "s", keyed, None)
    real = conditions.evaluate

    def broken(
        v: AccountView, spec: ConditionSpec, previous: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], list[conditions.Draft]]:
        if spec.type == "champion_lost":
            raise RuntimeError("a bug")
        return real(v, spec, previous)

    monkeypatch.setattr(conditions, "evaluate", broken)
    after, events = Outcomes().outcome(view(AFTER), "s", keyed, state)
    assert json.loads(after)["0:champion_lost"] == json.loads(state)["0:champion_lost"]
    assert (
        json.loads(after)["1:key_stakeholder_left"] != json.loads(state)["1:key_stakeholder_left"]
    )
    assert [t for t, _ in events] == ["key_stakeholder_left"]


def test_split_state_gives_each_part_as_stored_and_reads_any_json() -> None:
    state = {"1:b": {"x": [1, 2.5, None, "é"]}, "0:a": {}, "2:c": "text, with: {signs}"}
    text = json.dumps(state, separators=(",", ":"), sort_keys=True)
    parts = split_state(text)
    assert parts is not None
    assert {k: v for k, (_, v) in parts.items()} == state
    assert {k: t for k, (t, _) in parts.items()} == {
        k: json.dumps(v, separators=(",", ":"), sort_keys=True) for k, v in state.items()
    }
    # Hand-written (spaces, keys unsorted): the same values.
    loose = split_state(
        ' { "1:b" : {"x": [1, 2.5, null, "\\u00e9"]} , "0:a":{}, "2:c": "text, with: {signs}" } '
    )
    assert loose is not None and {k: v for k, (_, v) in loose.items()} == state
    assert split_state("{}") == {}
    assert split_state("[1, 2]") is None  # JSON, but not a state
    for broken in ('{"a": 1', '{"a": 1} x', "{1: 2}", "nope"):
        with pytest.raises(ValueError):
            split_state(broken)
