"""Webhook delivery (docs/alerts.md, "Delivery"), on the real Neo4j, to a real HTTP
receiver on loopback that verifies every signature with the Standard Webhooks
reference implementation.

Watches and events are written straight into Neo4j in their stored shape
(tests/integration/alert_outbox.py); the deliverer under test is the service's own:
:func:`deliver_due` driven round by round, a :class:`WebhookDeliverer` thread, or the
one the service's lifespan starts in a uvicorn subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from service import local_neo4j
from service.domain.alerts.delivery import (
    USER_AGENT,
    WebhookDeliverer,
    deliver_due,
    parse_retry_after,
    retry_delay_s,
    webhook_headers,
)
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.alert_outbox import (
    Received,
    deliveries,
    event_state,
    make_event,
    make_watch,
    new_secret,
    receiver,
    watch_state,
)
from tests.integration.local_server import kill, own_instance, restart, wait_until_answering

__all__ = ["own_instance"]  # the fixture, imported for the Neo4j restart test

ROOT = Path(__file__).resolve().parents[2]
SHORT = [0.0, 0.1, 0.1]


def fast(settings: Settings, **update: Any) -> Settings:
    """The suite's settings with loopback allowed and a short retry schedule."""
    values: dict[str, Any] = {
        "alerts_webhook_allowed_hosts": ["127.0.0.1"],
        "alerts_retry_schedule_s": SHORT,
        "alerts_delivery_timeout_s": 5.0,
        "alerts_delivery_interval_s": 0.05,
    }
    values.update(update)
    return settings.model_copy(update=values)


def now() -> datetime:
    return datetime.now(UTC)


def deliver_until(
    graph: Graph,
    settings: Settings,
    done: Callable[[], bool],
    *,
    worker: str = "test-worker",
    timeout_s: float = 30.0,
) -> None:
    """Run delivery rounds (as the deliverer thread does) until ``done()``."""
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, "delivery did not finish in time"
        if deliver_due(graph, settings, now(), worker) == 0:
            time.sleep(0.02)  # nothing due yet: the next retry is a moment away


def settled(graph: Graph, *event_ids: str) -> Callable[[], bool]:
    return lambda: all(
        event_state(graph, e)["delivery"] in ("delivered", "failed", "cancelled") for e in event_ids
    )


def all_verified(received: list[Received]) -> None:
    bad = [(r.path, r.error) for r in received if not r.verified]
    assert bad == [], bad


# --- the retry schedule, pure -------------------------------------------------------


def test_the_schedule_steps_with_jitter_and_ends() -> None:
    schedule = [0.0, 5.0, 300.0]
    assert retry_delay_s(schedule, 1, rng=lambda low, high: low) == pytest.approx(4.0)
    assert retry_delay_s(schedule, 1, rng=lambda low, high: high) == pytest.approx(6.0)
    assert retry_delay_s(schedule, 2, rng=lambda low, high: 1.0) == pytest.approx(300.0)
    assert retry_delay_s(schedule, 3) is None  # three attempts made: exhausted


def test_retry_after_wins_only_when_longer_and_is_capped_at_the_largest_step() -> None:
    schedule = [0.0, 5.0, 300.0]
    one = lambda low, high: 1.0  # noqa: E731 - no jitter
    assert retry_delay_s(schedule, 1, 60.0, rng=one) == 60.0
    assert retry_delay_s(schedule, 1, 2.0, rng=one) == 5.0
    assert retry_delay_s(schedule, 1, 86_400.0, rng=one) == 300.0


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    at = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", at) == 120.0
    assert parse_retry_after("Sat, 01 Mar 2025 12:02:00 GMT", at) == 120.0
    assert parse_retry_after("soon", at) is None
    assert parse_retry_after(None, at) is None


# --- docs/alerts.md, "Verifying signatures" -----------------------------------------


def _python_example() -> str:
    text = (ROOT / "docs" / "alerts.md").read_text(encoding="utf-8")
    section = text.split("## Verifying signatures", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_documented_python_receiver_accepts_our_deliveries_and_refuses_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fastapi.testclient import TestClient

    secret = new_secret()
    monkeypatch.setenv("POWERMAP_WEBHOOK_SECRET", secret)
    example: dict[str, Any] = {}
    exec(compile(_python_example(), "docs/alerts.md", "exec"), example)  # noqa: S102
    body = json.dumps({"id": "evt_1", "type": "champion_lost", "at": "2026-01-01T00:00:00Z",
                       "watch_id": "wat_1", "account_id": "acme", "data": {}})  # fmt: skip
    headers = webhook_headers("evt_1", secret, body, now())
    with TestClient(example["app"]) as client:
        assert client.post("/hooks/powermap", content=body, headers=headers).status_code == 204
        assert client.post("/hooks/powermap", content=body, headers=headers).status_code == 204
        assert example["seen"] == {"evt_1"}  # the repeated delivery was not handled twice
        altered = body.replace("acme", "acne")
        assert client.post("/hooks/powermap", content=altered, headers=headers).status_code == 400
        old = webhook_headers("evt_1", secret, body, now() - timedelta(minutes=10))
        assert client.post("/hooks/powermap", content=body, headers=old).status_code == 400
        other = webhook_headers("evt_1", new_secret(), body, now())
        assert client.post("/hooks/powermap", content=body, headers=other).status_code == 400


def test_the_signature_is_what_the_docs_say_to_compute_by_hand() -> None:
    import base64
    import hashlib
    import hmac

    secret, body, at = new_secret(), '{"id":"evt_2"}', now()
    headers = webhook_headers("evt_2", secret, body, at)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"evt_2.{int(at.timestamp())}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))


# --- delivery on the real Neo4j -----------------------------------------------------


def test_a_receiver_failing_twice_then_succeeding_gets_three_signed_attempts_with_one_id(
    graph: Graph, settings: Settings
) -> None:
    config = fast(settings)
    secret = new_secret()
    with receiver(respond=lambda _r, before: (500, {}) if before < 2 else (200, {})) as rx:
        watch = make_watch(graph, rx.url("/hook", secret), secret)
        event = make_event(graph, watch, data={"champion": {"id": "s-1", "name": "Ada"}})
        deliver_until(graph, config, settled(graph, event))

    all_verified(rx.received)
    assert rx.ids() == [event, event, event]
    timestamps = [int(r.headers["webhook-timestamp"]) for r in rx.received]
    assert all(abs(t - time.time()) < 60 for t in timestamps)
    first = rx.received[0]
    assert first.headers["content-type"] == "application/json"
    assert first.headers["user-agent"] == USER_AGENT
    assert first.payload == {
        "id": event,
        "type": "champion_lost",
        "at": first.payload["at"],
        "watch_id": watch,
        "account_id": "acc-1",
        "data": {"champion": {"id": "s-1", "name": "Ada"}},
    }
    assert datetime.fromisoformat(first.payload["at"].replace("Z", "+00:00"))

    state = event_state(graph, event)
    assert state["delivery"] == "delivered" and state["attempts"] == 3
    assert state["claimed_by"] is None and state["delivered_at"] is not None
    attempts = deliveries(graph, event)
    assert [(d["attempt"], d["status_code"], d["outcome"]) for d in attempts] == [
        (1, 500, "retry"),
        (2, 500, "retry"),
        (3, 200, "delivered"),
    ]
    assert attempts[0]["next_attempt_at"] is not None
    assert attempts[2]["next_attempt_at"] is None
    assert all(d["duration_ms"] >= 0 and d["watch_id"] == watch for d in attempts)


def test_exhausting_the_schedule_fails_the_event(graph: Graph, settings: Settings) -> None:
    config = fast(settings)
    secret = new_secret()
    with receiver(respond=lambda _r, _b: (503, {})) as rx:
        watch = make_watch(graph, rx.url("/down", secret), secret)
        event = make_event(graph, watch)
        deliver_until(graph, config, settled(graph, event))
        all_verified(rx.received)
        assert rx.ids() == [event] * len(SHORT)
    assert event_state(graph, event)["delivery"] == "failed"
    assert [d["outcome"] for d in deliveries(graph, event)] == ["retry", "retry", "failed"]


def test_410_gone_disables_the_webhook_and_cancels_its_waiting_events(
    graph: Graph, settings: Settings
) -> None:
    config = fast(settings)
    secret = new_secret()
    with receiver(respond=lambda _r, _b: (410, {})) as rx:
        watch = make_watch(graph, rx.url("/gone", secret), secret)
        first, second = make_event(graph, watch), make_event(graph, watch)
        deliver_until(graph, config, settled(graph, first))
        # Nothing more goes to a disabled webhook, however long we wait.
        for _ in range(5):
            assert deliver_due(graph, config, now() + timedelta(hours=1), "w") == 0
        assert rx.ids() == [first]

    assert event_state(graph, first)["delivery"] == "cancelled"
    assert event_state(graph, second)["delivery"] == "cancelled"
    assert [d["outcome"] for d in deliveries(graph, first)] == ["disabled"]
    assert deliveries(graph, second) == []
    state = watch_state(graph, watch)
    assert state["enabled"] is False
    assert "410" in state["reason"] and state["disabled_at"] is not None


def test_retry_after_longer_than_the_schedules_step_is_honoured(
    graph: Graph, settings: Settings
) -> None:
    config = fast(settings, alerts_retry_schedule_s=[0.0, 0.1, 30.0])
    secret = new_secret()

    def respond(_r: Received, before: int) -> tuple[int, dict[str, str]]:
        return (503, {"Retry-After": "2"}) if before == 0 else (200, {})

    with receiver(respond=respond) as rx:
        watch = make_watch(graph, rx.url("/busy", secret), secret)
        event = make_event(graph, watch)
        deliver_until(graph, config, settled(graph, event))
        all_verified(rx.received)
        assert rx.ids() == [event, event]
        gap = rx.received[1].at - rx.received[0].at
    assert gap >= 1.9, f"retried after {gap:.2f} s despite Retry-After: 2"
    first = deliveries(graph, event)[0]
    planned = (first["next_attempt_at"].to_native() - first["at"].to_native()).total_seconds()
    assert 2.0 <= planned < 3.0
    assert event_state(graph, event)["delivery"] == "delivered"


def test_events_of_a_watch_go_in_order_and_a_failed_one_lets_the_next_go(
    graph: Graph, settings: Settings
) -> None:
    config = fast(settings)
    a_secret, b_secret = new_secret(), new_secret()
    events: dict[str, list[str]] = {}

    def respond(request: Received, before: int) -> tuple[int, dict[str, str]]:
        if request.webhook_id == events["/a"][0]:
            return 500, {}  # never accepted: fails for good after the schedule
        if request.webhook_id == events["/b"][0] and before == 0:
            return 500, {}  # accepted the second time
        return 200, {}

    with receiver(respond=respond) as rx:
        watch_a = make_watch(graph, rx.url("/a", a_secret), a_secret)
        watch_b = make_watch(graph, rx.url("/b", b_secret), b_secret)
        events["/a"] = [make_event(graph, watch_a) for _ in range(3)]
        events["/b"] = [make_event(graph, watch_b) for _ in range(3)]
        deliver_until(graph, config, settled(graph, *events["/a"], *events["/b"]))
        all_verified(rx.received)
        a1, a2, a3 = events["/a"]
        b1, b2, b3 = events["/b"]
        assert rx.ids("/a") == [a1, a1, a1, a2, a3]
        assert rx.ids("/b") == [b1, b1, b2, b3]
    assert [event_state(graph, e)["delivery"] for e in events["/a"]] == [
        "failed",
        "delivered",
        "delivered",
    ]
    assert all(event_state(graph, e)["delivery"] == "delivered" for e in events["/b"])


def test_two_deliverers_at_once_make_each_attempt_once(graph: Graph, settings: Settings) -> None:
    """Two deliverers with their own drivers (as two service processes would have)
    race over 6 watches × 5 events; each event's first attempt is refused, so each is
    sent exactly twice, never more."""
    config = fast(settings)
    secret = new_secret()
    with receiver(respond=lambda _r, before: (500, {}) if before == 0 else (200, {})) as rx:
        rx.delay_s = 0.02  # widens the window in which a second deliverer could race
        event_ids = []
        for n in range(6):
            watch = make_watch(graph, rx.url(f"/w{n}", secret), secret)
            event_ids += [make_event(graph, watch) for _ in range(5)]
        done = settled(graph, *event_ids)
        errors: list[BaseException] = []

        def run(worker: str) -> None:
            with Graph.connect(config) as own:
                try:
                    deliver_until(own, config, done, worker=worker, timeout_s=90)
                except BaseException as exc:  # reported by the test below
                    errors.append(exc)

        threads = [threading.Thread(target=run, args=(f"deliverer-{n}",)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert errors == []
        all_verified(rx.received)
        counts = Counter(rx.ids())
    assert counts == Counter(dict.fromkeys(event_ids, 2))
    for event in event_ids:
        assert event_state(graph, event)["delivery"] == "delivered"
        assert [d["attempt"] for d in deliveries(graph, event)] == [1, 2]


def test_a_body_over_the_limit_carries_a_link_instead_of_the_data(
    graph: Graph, settings: Settings
) -> None:
    config = fast(settings)
    secret = new_secret()
    with receiver() as rx:
        watch = make_watch(graph, rx.url("/big", secret), secret)
        small = make_event(graph, watch, data={"people": ["x" * 100] * 10})
        big = make_event(graph, watch, data={"people": ["x" * 100] * 300})  # ≈ 31 KB
        deliver_until(graph, config, settled(graph, small, big))
        all_verified(rx.received)
        bodies = {r.webhook_id: r for r in rx.received}
    assert bodies[small].payload["data"] == {"people": ["x" * 100] * 10}
    assert bodies[big].payload["data"] == {"truncated": True, "href": f"/v1/events/{big}"}
    assert len(bodies[big].body) < config.alerts_max_body_bytes
    assert bodies[big].payload["type"] == "champion_lost"


def test_the_url_is_checked_again_before_every_attempt(graph: Graph, settings: Settings) -> None:
    """A watch whose URL is no longer acceptable (here: a loopback address
    not on the allow-list) gets no request; each attempt is recorded as refused."""
    config = fast(settings)
    watch = make_watch(graph, "http://127.0.0.2:9/hook", new_secret())
    event = make_event(graph, watch)
    deliver_until(graph, config, settled(graph, event))
    attempts = deliveries(graph, event)
    assert [d["outcome"] for d in attempts] == ["retry", "retry", "failed"]
    assert all(d["status_code"] is None for d in attempts)
    assert all(d["error"].startswith("refused by SSRF guard") for d in attempts)


def test_the_deliverer_thread_sends_at_once_when_woken(graph: Graph, settings: Settings) -> None:
    config = fast(settings, alerts_delivery_interval_s=600.0)
    secret = new_secret()
    with receiver() as rx:
        watch = make_watch(graph, rx.url("/woken", secret), secret)
        deliverer = WebhookDeliverer(graph, config)
        deliverer.start()
        try:
            time.sleep(0.3)  # its first round found nothing; now it waits 600 s
            event = make_event(graph, watch)
            deliverer.wake()
            deadline = time.monotonic() + 10
            while event_state(graph, event)["delivery"] != "delivered":
                assert time.monotonic() < deadline, "not delivered after wake()"
                time.sleep(0.05)  # polling the outbox
        finally:
            deliverer.stop()
        all_verified(rx.received)
        assert rx.ids() == [event]


# --- crashes: the service process, Neo4j --------------------------------------------


def _wait(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)  # polling


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int, log: Path) -> subprocess.Popen[bytes]:
    """The service (its lifespan runs the deliverer) in a uvicorn subprocess."""
    env = {
        **os.environ,
        "POWERMAP_ALERTS_WEBHOOK_ALLOWED_HOSTS": json.dumps(["127.0.0.1"]),
        "POWERMAP_ALERTS_RETRY_SCHEDULE_S": json.dumps(SHORT),
        "POWERMAP_ALERTS_DELIVERY_TIMEOUT_S": "2",
        "POWERMAP_ALERTS_DELIVERY_INTERVAL_S": "0.1",
        "POWERMAP_ANALYTICS_REFRESH_INTERVAL_S": "0",
        "POWERMAP_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable, "-m", "uvicorn", "service.api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    import urllib.request

    def healthy() -> bool:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    _wait(healthy, 60, "the service did not start")
    return process


@pytest.fixture
def services(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Service subprocesses a test starts; whatever is still running is stopped after."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_service_killed_mid_delivery_delivers_the_event_after_restart(
    graph: Graph, settings: Settings, services: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    secret = new_secret()
    log = tmp_path / "service.log"
    with receiver(hold=True) as rx:
        watch = make_watch(graph, rx.url("/crash", secret), secret)
        port = _free_port()
        services.append(_serve(port, log))
        event = make_event(graph, watch)
        later = make_event(graph, watch)

        # The service claimed the event and is sending it: kill it before it can record.
        assert rx.arrived.wait(30), log.read_text()[-3000:]
        services[0].send_signal(signal.SIGKILL)
        services[0].wait(10)
        rx.hold = False
        rx.release.set()
        state = event_state(graph, event)
        assert state["delivery"] == "pending" and state["claimed_by"] is not None
        assert deliveries(graph, event) == []

        services.append(_serve(port, log))
        _wait(settled(graph, event, later), 60, "not delivered after the restart")
        all_verified(rx.received)
        ids = rx.ids()
    # Sent again, with the same webhook-id, once the dead process's claim lapsed; the
    # later event only after it.
    assert ids == [event, event, later]
    assert event_state(graph, event)["delivery"] == "delivered"
    assert event_state(graph, later)["delivery"] == "delivered"
    assert [d["attempt"] for d in deliveries(graph, event)] == [1]


def test_neo4j_restarted_mid_delivery_loses_nothing(
    graph: Graph, settings: Settings, own_instance: local_neo4j.LocalInstance
) -> None:
    """Neo4j is killed while an attempt is in flight (claimed, sent, not yet recorded)
    and started again: the event is delivered (at-least-once: possibly twice, always
    with the same webhook-id), and so is the one waiting behind it, in order."""
    config = fast(settings, alerts_delivery_timeout_s=2.0)
    secret = new_secret()
    with receiver(hold=True) as rx:
        watch = make_watch(graph, rx.url("/outage", secret), secret)
        event = make_event(graph, watch)
        later = make_event(graph, watch)
        with Graph.connect(config) as own:
            deliverer = WebhookDeliverer(own, config)
            deliverer.start()
            try:
                assert rx.arrived.wait(30)
                kill(own_instance)
                rx.hold = False
                rx.release.set()  # the receiver accepts while Neo4j is gone
                time.sleep(1.0)  # the deliverer meets the dead server
                restart(own_instance)
                wait_until_answering(graph, settings)
                _wait(settled(graph, event, later), 90, "not delivered after Neo4j came back")
            finally:
                deliverer.stop()
        all_verified(rx.received)
        ids = rx.ids()
    assert set(ids) == {event, later}
    assert ids[-1] == later and ids.count(later) == 1  # in order, after the first
    assert event_state(graph, event)["delivery"] == "delivered"
    assert event_state(graph, later)["delivery"] == "delivered"
    assert [d["outcome"] for d in deliveries(graph, event)][-1] == "delivered"
