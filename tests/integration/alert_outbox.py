"""Test helpers for webhook delivery: watches and alert events written straight into
Neo4j in the stored shape of docs/alerts.md (what the watches API and the evaluator
write), and a real HTTP receiver on loopback that checks every signature with the
Standard Webhooks reference implementation (the ``standardwebhooks`` package).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from service.graph.driver import Graph

CREATE_WATCH = """
CREATE (w:Watch {
  id: $id, name: $name, created_at: datetime(), created_by: null,
  scope_kind: 'accounts', account_ids: [$account_id], tier: null,
  conditions: $conditions,
  webhook_url: $url, webhook_secret: $secret, webhook_enabled: $url IS NOT NULL,
  webhook_disabled_reason: null, webhook_disabled_at: null,
  next_seq: 0
})
"""
#: As the evaluator writes one: the global seq and the watch's own counter taken in the
#: event-writing transaction. (The sequence node also gets ``id``: `powermap check`
#: wants one on every node outside the ``__`` labels.)
CREATE_EVENT = """
MERGE (s:AlertSequence {name: 'events'})
  ON CREATE SET s.value = 0, s.id = 'events'
SET s.value = s.value + 1
WITH s.value AS seq
MATCH (w:Watch {id: $watch_id})
SET w.next_seq = coalesce(w.next_seq, 0) + 1
CREATE (e:AlertEvent {
  id: $id, seq: seq, watch_id: w.id, watch_seq: w.next_seq, account_id: $account_id,
  type: $type, at: $at, data: $data, change_set_ids: [],
  delivery: CASE WHEN w.webhook_enabled THEN 'pending' ELSE 'none' END,
  attempts: 0, next_attempt_at: $at, claimed_by: null, claim_expires_at: null
})
RETURN e.id AS id
"""
EVENT = """
MATCH (e:AlertEvent {id: $id})
RETURN e.delivery AS delivery, e.attempts AS attempts, e.claimed_by AS claimed_by,
       e.delivered_at AS delivered_at, e.next_attempt_at AS next_attempt_at
"""
WATCH = """
MATCH (w:Watch {id: $id})
RETURN w.webhook_enabled AS enabled, w.webhook_disabled_reason AS reason,
       w.webhook_disabled_at AS disabled_at
"""
DELIVERIES = """
MATCH (d:WebhookDelivery {event_id: $event_id})
RETURN d.attempt AS attempt, d.status_code AS status_code, d.error AS error,
       d.outcome AS outcome, d.at AS at, d.next_attempt_at AS next_attempt_at,
       d.duration_ms AS duration_ms, d.url AS url, d.watch_id AS watch_id
ORDER BY d.attempt, d.at
"""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def make_watch(
    graph: Graph, url: str | None, secret: str, *, account_id: str = "acc-1", name: str = "w"
) -> str:
    watch_id = "wat_" + secrets.token_hex(13)
    graph.write(
        CREATE_WATCH,
        id=watch_id,
        name=name,
        account_id=account_id,
        conditions=json.dumps([{"type": "champion_lost"}]),
        url=url,
        secret=secret,
    )
    return watch_id


def make_event(
    graph: Graph,
    watch_id: str,
    *,
    data: Any = None,
    type: str = "champion_lost",
    account_id: str = "acc-1",
) -> str:
    event_id = "evt_" + secrets.token_hex(16)
    evidence = data if data is not None else {"opportunity_id": "opp-1", "champion": None}
    rows = graph.write(
        CREATE_EVENT,
        id=event_id,
        watch_id=watch_id,
        account_id=account_id,
        type=type,
        at=datetime.now(UTC),
        data=json.dumps(evidence),
    )
    assert rows, f"no watch {watch_id}"
    return event_id


def event_state(graph: Graph, event_id: str) -> dict[str, Any]:
    rows = graph.read(EVENT, id=event_id)
    assert rows, f"no event {event_id}"
    return rows[0]


def watch_state(graph: Graph, watch_id: str) -> dict[str, Any]:
    rows = graph.read(WATCH, id=watch_id)
    assert rows, f"no watch {watch_id}"
    return rows[0]


def deliveries(graph: Graph, event_id: str) -> list[dict[str, Any]]:
    return graph.read(DELIVERIES, event_id=event_id)


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()
    verified: bool
    payload: Any = None
    error: str | None = None

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


#: Decides the answer to a request: (the request, how many requests with its
#: webhook-id came before it) -> (status, extra headers).
Responder = Callable[[Received, int], tuple[int, dict[str, str]]]


def always_ok(_request: Received, _before: int) -> tuple[int, dict[str, str]]:
    return 200, {}


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that verifies each request's signature with the
    secret registered for its path, records it, and answers as ``respond`` says."""

    secrets_by_path: dict[str, str] = field(default_factory=dict)
    respond: Responder = always_ok
    #: When set, each request waits for :attr:`release` after being recorded (and after
    #: :attr:`arrived` is set), to hold an attempt in flight.
    hold: bool = False
    delay_s: float = 0.0
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str, secret: str) -> str:
        self.secrets_by_path[path] = secret
        return f"http://127.0.0.1:{self.port}{path}"

    def ids(self, path: str | None = None) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.received if path is None or r.path == path]

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        secret = self.secrets_by_path.get(path)
        request = Received(
            path=path, headers=headers, body=body, at=time.monotonic(), verified=False
        )
        if secret is None:
            request.error = "no secret for this path"
        else:
            try:
                request.payload = Webhook(secret).verify(body, headers)
                request.verified = True
            except WebhookVerificationError as exc:
                request.error = str(exc)
        with self.lock:
            before = sum(r.webhook_id == request.webhook_id for r in self.received)
            self.received.append(request)
        self.arrived.set()
        if self.hold:
            self.release.wait(60)
        if self.delay_s:
            time.sleep(self.delay_s)  # a receiver that takes a moment
        if not request.verified:
            return 400, {}
        return self.respond(request, before)


@contextmanager
def receiver(**options: Any) -> Iterator[Receiver]:
    """A :class:`Receiver` listening on a free loopback port for the ``with`` block."""
    state = Receiver(**options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra = state.handle(self.path, headers, body)
            try:
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender is gone (killed mid-attempt)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
