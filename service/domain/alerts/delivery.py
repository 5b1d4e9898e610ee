"""Delivering alert events to their watch's webhook (docs/alerts.md, "Delivery").

The events are an outbox in Neo4j (``AlertEvent`` nodes written by the evaluator with
``delivery = 'pending'``). :func:`deliver_due` finds the head of each watch's outbox
(its oldest pending event) when it is due, claims it in Neo4j (so one attempt is made
by one deliverer, however many threads and service processes run), sends it signed
per Standard Webhooks, and records the attempt together with the event's new state:

- a 2xx answer delivers it;
- ``410 Gone`` disables the watch's webhook and cancels its waiting events;
- anything else (another status, a timeout, a refused connection, the SSRF guard
  refusing the URL) schedules the next attempt after the schedule's next step with
  ±20 % jitter, or the receiver's ``Retry-After`` when longer (capped at the schedule's
  largest step); after the last step the event has ``failed``.

A later event of a watch waits while an earlier one is pending, so each receiver
sees its watch's events in order. Delivery is at-least-once: a process that dies after
sending and before recording leaves a claim that lapses, and the event is sent again
with the same ``webhook-id`` (receivers deduplicate on it).

Signing is the ``standardwebhooks`` package's (the specification's reference
implementation), HTTP is ``httpx``: both maintained, neither hand-written here.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx
import structlog
from standardwebhooks import Webhook

from service.domain.alerts.webhook_url import WebhookUrlRefused, check_webhook_url
from service.domain.errors import DatabaseUnavailable
from service.graph.driver import Graph
from service.graph.webhook_delivery import (
    AttemptRecord,
    ClaimedEvent,
    claim_head,
    due_heads,
    record_attempt,
)
from service.polling import PollingThread
from service.settings import Settings

__all__ = [
    "USER_AGENT",
    "Outcome",
    "WebhookDeliverer",
    "claim_lease_s",
    "deliver_due",
    "outcome_of",
    "parse_retry_after",
    "retry_delay_s",
    "webhook_body",
    "webhook_headers",
    "worker_name",
]

log = structlog.get_logger("powermap.webhooks")

USER_AGENT: Final = "Powermap-Webhooks/1"
#: Heads claimed per poll, and how many of them are sent at once (each to its own watch).
BATCH: Final = 50
PARALLEL_SENDS: Final = 8
JITTER: Final = 0.2


def _utcnow() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    """A deliverer's name, unique across threads and processes (host, pid, random)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def claim_lease_s(settings: Settings) -> float:
    """How long a claim holds: longer than one attempt can take (httpx's timeout bounds
    connecting, and each wait for the receiver's next bytes), after which an attempt
    whose deliverer died is made again by another."""
    return 3 * settings.alerts_delivery_timeout_s + 10.0


def webhook_body(event: ClaimedEvent, max_bytes: int) -> str:
    """The JSON body of ``event``: ``{"id","type","at","watch_id","account_id","data"}``;
    when that would be over ``max_bytes``, ``data`` is replaced by a link to the event in
    the API (``GET /v1/events/{id}`` returns it whole)."""
    try:
        data: Any = json.loads(event.data)
    except ValueError:
        data = event.data
    payload = {
        "id": event.id,
        "type": event.type,
        "at": event.at,
        "watch_id": event.watch_id,
        "account_id": event.account_id,
        "data": data,
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if len(body.encode("utf-8")) > max_bytes:
        payload["data"] = {"truncated": True, "href": f"/v1/events/{event.id}"}
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return body


def webhook_headers(event_id: str, secret: str, body: str, at: datetime) -> dict[str, str]:
    """The headers of one delivery of ``body``: Standard Webhooks' ``webhook-id`` (the
    event id, the same on every attempt), ``webhook-timestamp`` (``at``, Unix seconds)
    and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``
    under the ``whsec_`` secret, by the ``standardwebhooks`` package)."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delay-seconds or an HTTP-date),
    None when absent or not understood."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay_s(
    schedule: Sequence[float],
    attempts_made: int,
    retry_after_s: float | None = None,
    *,
    rng: Callable[[float, float], float] = random.uniform,
) -> float | None:
    """Seconds before the next attempt after ``attempts_made`` failed ones, or None when
    the schedule is exhausted. ``schedule[n]`` is the wait before attempt n+1 (0-based,
    so ``schedule[0]`` is the first attempt's), with ±20 % jitter; a longer
    ``Retry-After`` wins, capped at the schedule's largest step."""
    if attempts_made >= len(schedule):
        return None
    delay = schedule[attempts_made] * rng(1.0 - JITTER, 1.0 + JITTER)
    if retry_after_s is not None and retry_after_s > delay:
        delay = min(retry_after_s, max(schedule))
    return delay


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to."""

    outcome: str  # 'delivered' | 'retry' | 'failed' | 'disabled'
    delivery: str  # the event's new state
    next_attempt_at: datetime | None
    disabled_reason: str | None = None


def outcome_of(
    status_code: int | None,
    retry_after_s: float | None,
    attempt: int,
    schedule: Sequence[float],
    finished: datetime,
) -> Outcome:
    """The outcome of attempt number ``attempt`` (1-based) that got ``status_code``
    (None: no answer)."""
    if status_code is not None and 200 <= status_code < 300:
        return Outcome("delivered", "delivered", None)
    if status_code == 410:
        reason = f"the receiver answered 410 Gone at {finished.isoformat()}"
        return Outcome("disabled", "cancelled", None, disabled_reason=reason)
    delay = retry_delay_s(schedule, attempt, retry_after_s)
    if delay is None:
        return Outcome("failed", "failed", None)
    return Outcome("retry", "pending", finished + timedelta(seconds=delay))


def _error_text(exc: httpx.HTTPError, timeout_s: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timeout ({type(exc).__name__}, {timeout_s:g} s)"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {str(exc)[:200]}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


@dataclass(frozen=True, slots=True)
class _Sent:
    status_code: int | None
    error: str | None
    retry_after_s: float | None


def _send(client: httpx.Client, settings: Settings, event: ClaimedEvent, body: str) -> _Sent:
    """One signed POST; never raises for the receiver's or the network's failures."""
    try:
        url = check_webhook_url(event.url, settings.alerts_webhook_allowed_hosts)
    except WebhookUrlRefused as exc:
        return _Sent(None, f"refused by SSRF guard: {exc.detail}", None)
    try:
        headers = webhook_headers(event.id, event.secret, body, _utcnow())
    except Exception:  # an unusable stored secret; its value is never logged
        return _Sent(None, "the watch's webhook secret is not usable", None)
    try:
        # Only the status and headers matter: the body is never read (stream, close).
        with client.stream("POST", url, content=body.encode("utf-8"), headers=headers) as resp:
            retry_after = parse_retry_after(resp.headers.get("retry-after"), _utcnow())
            error = None
            if resp.is_redirect:
                error = f"redirect ({resp.status_code}) not followed"
            elif not resp.is_success:
                error = f"HTTP {resp.status_code}"
            return _Sent(resp.status_code, error, retry_after)
    except httpx.HTTPError as exc:
        return _Sent(None, _error_text(exc, settings.alerts_delivery_timeout_s), None)


def _record(graph: Graph, record: AttemptRecord, until: float) -> bool:
    """Record the attempt, retrying while Neo4j is away until the claim would lapse (a
    later success then avoids sending the event twice). False when it could not."""
    delay = 0.5
    while True:
        try:
            return record_attempt(graph, record)
        except DatabaseUnavailable:
            if time.monotonic() + delay >= until:
                log.warning(
                    "webhook_attempt_not_recorded",
                    event_id=record.event_id,
                    attempt=record.attempt,
                    note="Neo4j unavailable; the claim lapses and the event is sent again",
                )
                return False
            time.sleep(delay)  # back-off while Neo4j is away
            delay = min(delay * 2, 5.0)


def _deliver_one(
    graph: Graph,
    settings: Settings,
    client: httpx.Client,
    watch_id: str,
    now: datetime,
    worker_id: str,
) -> int:
    lease = claim_lease_s(settings)
    claimed_at = time.monotonic()
    event = claim_head(graph, watch_id, worker_id, now, now + timedelta(seconds=lease))
    if event is None:
        return 0
    attempt = event.attempts + 1
    body = webhook_body(event, settings.alerts_max_body_bytes)
    started_at = _utcnow()
    started = time.perf_counter()
    sent = _send(client, settings, event, body)
    duration_ms = round((time.perf_counter() - started) * 1000.0, 1)
    outcome = outcome_of(
        sent.status_code, sent.retry_after_s, attempt, settings.alerts_retry_schedule_s, _utcnow()
    )
    record = AttemptRecord(
        delivery_id=f"dlv_{secrets.token_hex(16)}",
        event_id=event.id,
        watch_id=event.watch_id,
        worker_id=worker_id,
        attempt=attempt,
        at=started_at,
        url=event.url,
        status_code=sent.status_code,
        error=sent.error,
        duration_ms=duration_ms,
        outcome=outcome.outcome,
        next_attempt_at=outcome.next_attempt_at,
        delivery=outcome.delivery,
        disabled_reason=outcome.disabled_reason,
    )
    ours = _record(graph, record, claimed_at + lease - 1.0)
    log.info(
        "webhook_attempt",
        event_id=event.id,
        watch_id=event.watch_id,
        attempt=attempt,
        status_code=sent.status_code,
        error=sent.error,
        outcome=outcome.outcome,
        duration_ms=duration_ms,
        claim_kept=ours,
    )
    return 1


def http_client(settings: Settings) -> httpx.Client:
    """The client deliveries go through: the settings' timeout, no redirects followed,
    no proxy or other configuration taken from the environment."""
    return httpx.Client(
        timeout=settings.alerts_delivery_timeout_s,
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=PARALLEL_SENDS * 2),
    )


def deliver_due(
    graph: Graph,
    settings: Settings,
    now: datetime,
    worker_id: str,
    *,
    client: httpx.Client | None = None,
    limit: int = BATCH,
) -> int:
    """Make one attempt for the head event of every watch whose head is due at ``now``
    and not claimed by another deliverer; the number of attempts made. Attempts of
    different watches run in parallel (a few at a time)."""
    heads = due_heads(graph, now, limit)
    if not heads:
        return 0
    own_client = client is None
    http = client or http_client(settings)
    try:
        if len(heads) == 1:
            return _deliver_one(graph, settings, http, heads[0][0], now, worker_id)
        with ThreadPoolExecutor(
            max_workers=min(PARALLEL_SENDS, len(heads)), thread_name_prefix="webhook-send"
        ) as pool:
            futures = [
                pool.submit(_deliver_one, graph, settings, http, watch_id, now, worker_id)
                for watch_id, _event_id in heads
            ]
            return sum(f.result() for f in futures)
    finally:
        if own_client:
            http.close()


class WebhookDeliverer:
    """Runs :func:`deliver_due` every ``alerts_delivery_interval_s`` and at once after
    :meth:`wake` (call it when events were created), on a daemon thread started and
    stopped by the service's lifespan. :meth:`step` is one round (tests drive it)."""

    def __init__(self, graph: Graph, settings: Settings, *, worker_id: str | None = None) -> None:
        if settings.alerts_delivery_interval_s <= 0:
            raise ValueError("alerts_delivery_interval_s must be positive")
        self._graph = graph
        self._settings = settings
        self.worker_id = worker_id or worker_name()
        self._client = http_client(settings)
        self._thread = PollingThread(
            "webhook-deliverer",
            settings.alerts_delivery_interval_s,
            lambda: self.step() > 0,  # more may be due at once (a retry, a backlog)
            log=log,
            event="webhook_delivery",
        )

    def wake(self) -> None:
        """Look for due events now rather than at the next interval."""
        self._thread.wake()

    def step(self) -> int:
        """One round: the number of attempts made."""
        return deliver_due(
            self._graph, self._settings, _utcnow(), self.worker_id, client=self._client
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float | None = None) -> None:
        """Ask the thread to finish and wait for it (an attempt under way completes)."""
        self._thread.stop(
            timeout_s if timeout_s is not None else self._settings.alerts_delivery_timeout_s + 5
        )
        self._client.close()
