"""The alert conditions on the real Neo4j, through the real writes (the ingest batch and
the departure) and the evaluator (docs/alerts.md, "Conditions"): each condition fires
exactly once for the write that causes it and not for an unrelated write, ``*.resolved``
fires when it stops holding, a replayed write makes no event, a watch created where a
condition already holds does not fire, and the change sets are marked evaluated in the
same transaction as the events.

Watches are written directly in the contract's shape (``Watch`` nodes): the routes that
create them are another part of the issue.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.domain.alerts import evaluation
from service.domain.alerts.condition_specs import dump_conditions, parse_conditions
from service.domain.alerts.evaluation import (
    EvaluationReport,
    establish_baseline,
    evaluate_pending,
)
from service.domain.analytics.account_cache import AccountCache
from service.domain.ingest import depart_stakeholder, ingest_batch
from service.graph import alert_evaluation as store
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory

CREATE_WATCH = """
CREATE (w:Watch {id: $id, name: $name, created_at: datetime(), created_by: null,
                 scope_kind: $scope_kind, account_ids: $account_ids, tier: $tier,
                 conditions: $conditions, webhook_url: $webhook_url,
                 webhook_secret: $webhook_secret, webhook_enabled: $webhook_url IS NOT NULL,
                 webhook_disabled_reason: null, next_seq: 1})
"""
EVENTS = """
MATCH (e:AlertEvent)
RETURN e.id AS id, e.seq AS seq, e.watch_id AS watch_id, e.watch_seq AS watch_seq,
       e.account_id AS account_id, e.type AS type, e.data AS data, e.delivery AS delivery,
       e.change_set_ids AS change_set_ids
ORDER BY e.seq
"""
PENDING = "MATCH (c:ChangeSet) WHERE c.alerts_pending = true RETURN count(c) AS n"


def make_watch(
    graph: Graph,
    settings: Settings,
    conditions: list[Any],
    *,
    account_ids: list[str] | None = None,
    tier: str | None = None,
    webhook_url: str | None = None,
    baseline: bool = True,
) -> str:
    """A watch as POST /v1/watches stores it, then its baseline."""
    watch_id = "wat_" + uuid.uuid4().hex[:26]
    kind = "accounts" if account_ids else "tier" if tier else "portfolio"
    graph.write(
        CREATE_WATCH,
        id=watch_id,
        name="test watch",
        scope_kind=kind,
        account_ids=account_ids or [],
        tier=tier,
        conditions=dump_conditions(parse_conditions(json.dumps(conditions))),
        webhook_url=webhook_url,
        webhook_secret="whsec_" + "A" * 43 if webhook_url else None,
    )
    if baseline:
        establish_baseline(graph, AccountCache(graph, 100), watch_id, settings)
    return watch_id


def events(graph: Graph) -> list[dict[str, Any]]:
    rows = graph.read(EVENTS)
    for row in rows:
        row["data"] = json.loads(row["data"])
    return rows


def evaluate(graph: Graph, settings: Settings, **more: Any) -> EvaluationReport:
    report = evaluate_pending(graph, AccountCache(graph, 100), settings, **more)
    return report


def write(graph: Graph, settings: Settings, batch: dict[str, Any]) -> list[str]:
    """Ingest a batch; the ids of the change sets it recorded."""
    summary = ingest_batch(graph, settings, batch)
    assert summary.changes is not None
    return [] if summary.changes.id is None else [summary.changes.id]


def new_events(graph: Graph, settings: Settings, before: int) -> list[dict[str, Any]]:
    evaluate(graph, settings)
    return events(graph)[before:]


def pending(graph: Graph) -> int:
    return int(graph.read(PENDING)[0]["n"])


TODAY = datetime.now(UTC).date().isoformat()

SCENE: dict[str, Any] = {
    "accounts": [
        {"id": "acme", "name": "Acme", "tier": "strategic"},
        {"id": "globex", "name": "Globex", "tier": "key"},
    ],
    "team_members": [{"id": "t1", "name": "Tom"}, {"id": "t2", "name": "Tess"}],
    "stakeholders": [
        {"id": "ceo", "account_id": "acme", "name": "Cora", "title": "CEO"},
        {"id": "cfo", "account_id": "acme", "name": "Cleo", "title": "CFO", "reports_to": "ceo"},
        {"id": "champ", "account_id": "acme", "name": "Chen", "title": "IT lead"},
        {"id": "ap", "account_id": "acme", "name": "Ari", "title": "Controller"},
        {"id": "gch", "account_id": "globex", "name": "Gus", "title": "VP Finance"},
    ],
    "budgets": [{"id": "b1", "account_id": "acme", "name": "IT 2026", "amount": 500000}],
    "opportunities": [
        {"id": "o1", "account_id": "acme", "name": "Renewal", "stage": "proposal"},
    ],
    "roles": [
        {"stakeholder_id": "cfo", "role": "economic_buyer", "stance": 1, "account_id": "acme"},
        {"stakeholder_id": "champ", "role": "champion", "stance": 2, "opportunity_id": "o1"},
        {"stakeholder_id": "gch", "role": "champion", "stance": 2, "account_id": "globex"},
    ],
    "controls": [
        {"stakeholder_id": "cfo", "budget_id": "b1", "authority": "owner"},
        {"stakeholder_id": "ap", "budget_id": "b1", "authority": "approver"},
    ],
    "relationships": [
        {"team_member_id": "t1", "stakeholder_id": "cfo", "strength": 0.8, "last_contact": TODAY},
        {"team_member_id": "t2", "stakeholder_id": "cfo", "strength": 0.7, "last_contact": TODAY},
        {"team_member_id": "t1", "stakeholder_id": "champ", "strength": 0.8},
        {"team_member_id": "t2", "stakeholder_id": "ap", "strength": 0.6},
        {"team_member_id": "t1", "stakeholder_id": "gch", "strength": 0.9},
    ],
}
#: Changes nothing any condition looks at: a new colleague with no role and no tie.
UNRELATED = {
    "stakeholders": [{"id": "intern", "account_id": "acme", "name": "Ina", "title": "Intern"}]
}


def end_tie(team_member: str, stakeholder: str) -> dict[str, Any]:
    until = datetime.now(UTC).isoformat()
    return {
        "relationships": [
            {"team_member_id": team_member, "stakeholder_id": stakeholder, "until": until}
        ]
    }


def tie(team_member: str, stakeholder: str, strength: float = 0.8) -> dict[str, Any]:
    return {
        "relationships": [
            {"team_member_id": team_member, "stakeholder_id": stakeholder, "strength": strength}
        ]
    }


@pytest.fixture
def scene(graph: Graph, settings: Settings) -> Graph:
    write(graph, settings, SCENE)
    evaluate(graph, settings)  # no watch yet: the scene's change set is just marked done
    assert pending(graph) == 0 and events(graph) == []
    return graph


def test_key_stakeholder_left_fires_once_for_the_departure(
    scene: Graph, settings: Settings
) -> None:
    watch = make_watch(scene, settings, ["key_stakeholder_left"], account_ids=["acme"])
    write(scene, settings, UNRELATED)
    assert new_events(scene, settings, 0) == []

    depart_stakeholder(scene, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    assert pending(scene) == 1
    [event] = new_events(scene, settings, 0)
    assert pending(scene) == 0  # marked in the events' transaction
    assert event["type"] == "key_stakeholder_left"
    assert event["watch_id"] == watch and event["account_id"] == "acme"
    assert event["seq"] >= 1 and event["watch_seq"] == 1
    assert event["delivery"] == "none"  # a feed-only watch
    data = event["data"]
    assert data["stakeholder"] == {"id": "cfo", "name": "Cleo", "title": "CFO"}
    assert data["whereabouts"]["status"] == "left"
    assert {r["role"] for r in data["roles"]} == {"economic_buyer"}
    assert data["budgets"][0]["id"] == "b1" and data["budgets"][0]["authority"] == "owner"

    # The departure replayed changes nothing and records nothing: no event.
    depart_stakeholder(scene, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    assert new_events(scene, settings, 1) == []
    # The same account evaluated again (a re-run after a crash): no event.
    evaluate(scene, settings)
    assert len(events(scene)) == 1

    # Back (a row without left_at reactivates them): resolved.
    write(scene, settings, {"stakeholders": [SCENE["stakeholders"][1]]})
    [resolved] = new_events(scene, settings, 1)
    assert resolved["type"] == "key_stakeholder_left.resolved"
    assert resolved["data"]["reason"] == "returned"
    assert resolved["watch_seq"] == 2 and resolved["seq"] > event["seq"]


def test_champion_lost_and_resolved_for_a_tier_watch(scene: Graph, settings: Settings) -> None:
    make_watch(scene, settings, ["champion_lost"], tier="strategic")
    write(scene, settings, UNRELATED)
    write(scene, settings, end_tie("t1", "gch"))  # globex: not in the strategic tier
    assert new_events(scene, settings, 0) == []

    write(scene, settings, end_tie("t1", "champ"))
    [event] = new_events(scene, settings, 0)
    assert event["type"] == "champion_lost"
    assert event["data"]["target"] == {"kind": "opportunity", "id": "o1", "name": "Renewal"}
    assert event["data"]["former_champions"] == [
        {"id": "champ", "name": "Chen", "now": "not_engaged"}
    ]
    write(scene, settings, tie("t2", "champ"))
    [resolved] = new_events(scene, settings, 1)
    assert resolved["type"] == "champion_lost.resolved"
    assert resolved["data"]["champions"] == [{"id": "champ", "name": "Chen"}]


def test_single_threaded_then_dark_and_a_replayed_batch_makes_nothing(
    scene: Graph, settings: Settings
) -> None:
    make_watch(
        scene,
        settings,
        ["key_stakeholder_single_threaded", "key_stakeholder_dark"],
        account_ids=["acme"],
    )
    ending = end_tie("t2", "cfo")
    write(scene, settings, ending)
    [single] = new_events(scene, settings, 0)
    assert single["type"] == "key_stakeholder_single_threaded"
    assert single["data"]["stakeholder"]["id"] == "cfo"
    assert single["data"]["covered_before"] == [
        {"id": "t1", "name": "Tom"},
        {"id": "t2", "name": "Tess"},
    ]
    assert [t["id"] for t in single["data"]["covered_now"]] == ["t1"]

    assert write(scene, settings, ending) == []  # the same batch again: nothing recorded
    assert new_events(scene, settings, 1) == []

    write(scene, settings, end_tie("t1", "cfo"))
    later = new_events(scene, settings, 1)
    assert sorted(e["type"] for e in later) == [
        "key_stakeholder_dark",
        "key_stakeholder_single_threaded.resolved",
    ]
    dark = next(e for e in later if e["type"] == "key_stakeholder_dark")
    assert dark["data"]["covered_before"] == [{"id": "t1", "name": "Tom"}]
    # One write, one watch: its events are numbered in order.
    assert sorted(e["watch_seq"] for e in later) == [2, 3]


def test_single_point_of_failure_appears_once_and_resolves(
    scene: Graph, settings: Settings
) -> None:
    make_watch(scene, settings, ["single_point_of_failure_appeared"], account_ids=["acme"])
    write(scene, settings, UNRELATED)
    assert new_events(scene, settings, 0) == []
    # ap (approver, key) is reached only through t2 – ap: t2 and that tie cut ap off
    # since before the watch. A second tie to ap resolves both.
    write(scene, settings, tie("t1", "ap", 0.5))
    resolved = new_events(scene, settings, 0)
    assert [e["type"] for e in resolved] == ["single_point_of_failure_appeared.resolved"] * 2
    assert sorted(e["data"]["kind"] for e in resolved) == ["person", "relationship"]
    assert {e["data"].get("person", {}).get("id") for e in resolved} == {"t2", None}
    # The first tie goes: the new one is a bridge (t1 already cut champ off: no event).
    write(scene, settings, end_tie("t2", "ap"))
    [event] = new_events(scene, settings, 2)
    assert event["type"] == "single_point_of_failure_appeared"
    assert event["data"]["kind"] == "relationship"
    assert event["data"]["relationship"]["from"] == {"id": "t1", "name": "Tom"}
    assert event["data"]["relationship"]["to"] == {"id": "ap", "name": "Ari"}
    assert event["data"]["cuts_off"] == [{"id": "ap", "name": "Ari", "title": "Controller"}]
    write(scene, settings, tie("t2", "ap"))
    [again] = new_events(scene, settings, 3)
    assert again["type"] == "single_point_of_failure_appeared.resolved"
    assert again["data"]["relationship"]["to"] == {"id": "ap", "name": "Ari"}


def test_a_watch_created_where_a_condition_already_holds_does_not_fire(
    scene: Graph, settings: Settings
) -> None:
    # t1 – champ is already a bridge that cuts champ off (and so is t2 – ap).
    make_watch(scene, settings, ["single_point_of_failure_appeared"], account_ids=["acme"])
    states = scene.read("MATCH (s:AlertState) RETURN s.key AS key, s.state AS state")
    assert len(states) == 1
    facts = json.loads(states[0]["state"])["0:single_point_of_failure_appeared"]["facts"]
    assert "relationship:champ|t1" in facts
    write(scene, settings, UNRELATED)
    assert new_events(scene, settings, 0) == []


def test_budget_without_owner_names_the_suggested_successor(
    scene: Graph, settings: Settings
) -> None:
    make_watch(scene, settings, ["budget_without_owner"], account_ids=["acme"])
    write(scene, settings, UNRELATED)
    assert new_events(scene, settings, 0) == []
    depart_stakeholder(scene, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    [event] = new_events(scene, settings, 0)
    assert event["type"] == "budget_without_owner"
    assert event["data"]["authority"] == "owner"
    assert event["data"]["budget"]["id"] == "b1"
    assert event["data"]["former_holders"] == [{"id": "cfo", "name": "Cleo", "now": "left"}]
    # The CFO reported to the CEO (a line the departure closed): the suggested successor.
    assert event["data"]["suggested_successor"] == {"id": "ceo", "name": "Cora", "levels_up": 1}
    write(
        scene,
        settings,
        {"controls": [{"stakeholder_id": "ceo", "budget_id": "b1", "authority": "owner"}]},
    )
    [resolved] = new_events(scene, settings, 1)
    assert resolved["type"] == "budget_without_owner.resolved"
    assert resolved["data"]["holders"] == [{"id": "ceo", "name": "Cora"}]


def test_health_dropped_fires_on_the_drop_only(scene: Graph, settings: Settings) -> None:
    make_watch(scene, settings, [{"type": "health_dropped", "by": 5}], account_ids=["acme"])
    write(scene, settings, UNRELATED)
    assert new_events(scene, settings, 0) == []
    # cfo multi → single: threading breadth loses ½ of 30 points over 3 key
    # stakeholders (cfo, champ, ap) = 5 points, and more in tie strength/recency.
    write(scene, settings, end_tie("t2", "cfo"))
    [event] = new_events(scene, settings, 0)
    assert event["type"] == "health_dropped"
    data = event["data"]
    assert data["drop"] >= 5 and data["by"] == 5
    assert data["previous_score"] - data["score"] == pytest.approx(data["drop"])
    breadth = next(c for c in data["components"] if c["name"] == "threading_breadth")
    assert breadth["points_before"] - breadth["points"] == pytest.approx(5.0)
    assert new_events(scene, settings, 1) == []


def test_former_champion_joined_with_our_tie_that_moved_with_them(
    scene: Graph, settings: Settings
) -> None:
    make_watch(scene, settings, ["former_champion_joined"], account_ids=["acme"])
    write(scene, settings, UNRELATED)
    # A newcomer who was never a champion anywhere: nothing.
    write(
        scene,
        settings,
        {"stakeholders": [{"id": "nb", "account_id": "acme", "name": "Nia", "title": "PM"}]},
    )
    assert new_events(scene, settings, 0) == []
    # Gus, Globex's champion, moves to Acme and reports to the CEO.
    moved = {"id": "gch", "account_id": "acme", "name": "Gus", "title": "VP Finance"}
    write(scene, settings, {"stakeholders": [moved | {"reports_to": "cfo"}]})
    [event] = new_events(scene, settings, 0)
    assert event["type"] == "former_champion_joined" and event["account_id"] == "acme"
    data = event["data"]
    assert data["person"] == {"id": "gch", "name": "Gus", "title": "VP Finance"}
    [held] = data["held_elsewhere"]
    assert held["role"] == "champion"
    assert held["account"] == {"id": "globex", "name": "Globex"}
    assert held["until"] is not None  # the move closed it
    assert data["our_ties"] == [{"id": "t1", "name": "Tom", "strength": 0.9}]
    assert data["warm_path"]["strength"] == pytest.approx(0.9)
    assert [p["id"] for p in data["warm_path"]["people"]] == ["t1", "gch"]
    # Replayed: nothing recorded, nothing new.
    assert write(scene, settings, {"stakeholders": [moved | {"reports_to": "cfo"}]}) == []
    assert new_events(scene, settings, 1) == []
    # Back to Globex: resolved for Acme.
    write(scene, settings, {"stakeholders": [moved | {"account_id": "globex"}]})
    [resolved] = new_events(scene, settings, 1)
    assert resolved["type"] == "former_champion_joined.resolved"


def test_saved_query_changed_reports_the_rows_added(scene: Graph, settings: Settings) -> None:
    # Key stakeholders covered by at most one team member, for the evaluated account.
    make_watch(
        scene,
        settings,
        [{"type": "saved_query_changed", "query": "key_stakeholder_coverage"}],
        account_ids=["acme"],
    )
    write(scene, settings, UNRELATED)
    assert new_events(scene, settings, 0) == []
    write(scene, settings, end_tie("t2", "cfo"))
    [event] = new_events(scene, settings, 0)
    assert event["type"] == "saved_query_changed"
    data = event["data"]
    assert data["query"] == "key_stakeholder_coverage"
    assert data["added_count"] == 1 and data["removed_count"] == 0
    assert data["added"][0]["stakeholder_id"] == "cfo"
    assert data["added"][0]["state"] == "single"
    assert new_events(scene, settings, 1) == []


def test_each_watch_gets_its_own_event_and_the_webhook_ones_are_pending(
    scene: Graph, settings: Settings
) -> None:
    portfolio = make_watch(
        scene, settings, ["key_stakeholder_left"], webhook_url="http://127.0.0.1:9/hook"
    )
    mine = make_watch(scene, settings, ["key_stakeholder_left"], account_ids=["acme"])
    other = make_watch(scene, settings, ["key_stakeholder_left"], account_ids=["globex"])
    depart_stakeholder(scene, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    got = new_events(scene, settings, 0)
    assert sorted((e["watch_id"], e["delivery"]) for e in got) == sorted(
        [(portfolio, "pending"), (mine, "none")]
    )
    assert other not in {e["watch_id"] for e in got}
    assert sorted(e["seq"] for e in got) == [got[0]["seq"], got[0]["seq"] + 1]
    pending_event = scene.read(
        "MATCH (e:AlertEvent {watch_id: $w}) RETURN e.attempts AS attempts, "
        "e.next_attempt_at IS NOT NULL AS due",
        w=portfolio,
    )
    assert pending_event == [{"attempts": 0, "due": True}]


def test_a_claimed_change_set_waits_for_its_claim_to_lapse(
    scene: Graph, settings: Settings
) -> None:
    make_watch(scene, settings, ["key_stakeholder_left"], account_ids=["acme"])
    depart_stakeholder(scene, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    now = datetime.now(UTC)
    # An evaluator claims the change set and crashes before storing anything.
    [claimed] = store.claim_change_sets(
        scene, claimer="crashed", now=now, expires_at=now + timedelta(seconds=60), limit=10
    )
    assert evaluate(scene, settings, now=now).claimed == 0  # held by the other
    assert events(scene) == [] and pending(scene) == 1
    report = evaluate(scene, settings, now=now + timedelta(seconds=61))
    assert report.change_set_ids == [claimed.id]
    assert [e["type"] for e in events(scene)] == ["key_stakeholder_left"]
    assert events(scene)[0]["change_set_ids"] == [claimed.id]
    assert pending(scene) == 0


def test_two_evaluators_at_once_make_each_event_once(scene: Graph, settings: Settings) -> None:
    make_watch(
        scene,
        settings,
        ["key_stakeholder_left", "budget_without_owner", "key_stakeholder_dark"],
        tier="strategic",
    )
    for person in ("cfo", "champ", "ap"):
        depart_stakeholder(scene, person, datetime.now(UTC) - timedelta(minutes=1))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            barrier.wait()
            while evaluate(scene, settings, claimer=name, limit=1).claimed:
                pass
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"e{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    got = events(scene)
    kinds = sorted((e["type"], json.dumps(e["data"], sort_keys=True)) for e in got)
    assert len(kinds) == len(set(kinds))  # nothing twice
    assert sorted(e["type"] for e in got).count("key_stakeholder_left") == 3
    assert [e["seq"] for e in got] == sorted({e["seq"] for e in got})
    assert sorted(e["watch_seq"] for e in got) == list(range(1, len(got) + 1))
    assert pending(scene) == 0


def test_the_service_evaluates_after_a_write_without_waiting_for_the_poll(
    scene: Graph, settings: Settings, auth_headers: KeyFactory
) -> None:
    make_watch(scene, settings, ["key_stakeholder_left"], account_ids=["acme"])
    slow_poll = settings.model_copy(update={"alerts_evaluation_interval_s": 60.0})
    with TestClient(create_app(slow_poll)) as client:
        started = time.monotonic()
        response = client.post(
            "/v1/stakeholders/cfo/departure", json={}, headers=auth_headers("write")
        )
        assert response.status_code == 200, response.text
        wait_for(lambda: len(events(scene)) == 1, seconds=20)
        assert time.monotonic() - started < 20  # woken, not the 60 s poll
    assert events(scene)[0]["type"] == "key_stakeholder_left"


def wait_for(check: Callable[[], bool], *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s")


def test_conditions_run_again_in_the_transaction_on_a_state_that_moved_on(
    scene: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The conditions run before the transaction on the states read then; one stored
    meanwhile (here: the evaluator is made to have read none) is evaluated again."""
    make_watch(scene, settings, ["key_stakeholder_left"], account_ids=["acme"])
    real = evaluation._precompute

    def stale(*args: Any, **kwargs: Any) -> None:
        units, views, _stored, outcomes = args
        real(units, views, {}, outcomes, **kwargs)  # as if no state was there yet

    monkeypatch.setattr(evaluation, "_precompute", stale)
    depart_stakeholder(scene, "cfo", datetime.now(UTC) - timedelta(minutes=1))
    evaluate(scene, settings)
    [event] = events(scene)
    assert event["type"] == "key_stakeholder_left"
    assert event["data"]["stakeholder"]["id"] == "cfo"
