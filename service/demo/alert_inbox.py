"""The demo page's webhook receiver: where ``make run``'s demo watch posts its alerts.

It plays the CRM backend receiving Powermap's webhooks (docs/alerts.md): ``POST
/webhooks/powermap`` verifies each delivery with the Standard Webhooks reference
implementation and the demo watch's secret (``POWERMAP_DEMO_WEBHOOK_SECRET``, which
``powermap seed-demo`` writes to the env file), answers 204, prints one line per alert
and keeps the last ones in memory; ``GET /alerts`` lists them, newest first. A delivery
whose signature does not verify is refused with 400, as a real receiver must.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from html import escape
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

__all__ = ["AlertInbox", "add_alert_inbox"]

INBOX_PATH = "/webhooks/powermap"


class AlertInbox:
    """The last ``size`` verified alerts, newest first (thread-safe)."""

    def __init__(self, size: int = 100) -> None:
        self._alerts: deque[dict[str, Any]] = deque(maxlen=size)
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    def add(self, event: dict[str, Any], webhook_id: str) -> bool:
        """Keep ``event``; False when its webhook-id was seen already (a retry of a
        delivery that did arrive: at-least-once delivery means receivers dedupe)."""
        with self._lock:
            if webhook_id in self._ids:
                return False
            if len(self._alerts) == self._alerts.maxlen:
                self._ids.discard(self._alerts[-1].get("id", ""))
            self._ids.add(webhook_id)
            self._alerts.appendleft(event)
            return True

    def latest(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._alerts)


def add_alert_inbox(
    app: FastAPI, secret: str, *, inbox: AlertInbox | None = None, say: Callable[[str], Any] = print
) -> AlertInbox:
    """Add the receiver and the alerts page to the demo page ``app``."""
    kept = inbox or AlertInbox()
    verifier = Webhook(secret) if secret else None

    @app.post(INBOX_PATH, status_code=204)
    async def receive(request: Request) -> Response:
        if verifier is None:
            return Response("no POWERMAP_DEMO_WEBHOOK_SECRET: run `powermap seed-demo`", 503)
        body = await request.body()
        try:
            event = verifier.verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            return Response(f"signature not verified: {exc}", 400)
        webhook_id = request.headers["webhook-id"]
        if kept.add(event, webhook_id):
            say(f"alert {event.get('type')} at account {event.get('account_id')} ({webhook_id})")
        return Response(status_code=204)

    @app.get("/alerts", response_class=HTMLResponse)
    def alerts() -> HTMLResponse:
        rows = "".join(
            "<tr>"
            f"<td>{escape(str(e.get('at', '')))}</td>"
            f"<td><code>{escape(str(e.get('type', '')))}</code></td>"
            f"<td>{escape(str(e.get('account_id', '')))}</td>"
            f"<td><pre>{escape(json.dumps(e.get('data'), indent=1)[:4000])}</pre></td>"
            "</tr>"
            for e in kept.latest()
        )
        empty = "" if rows else '<p class="meta">No alert received yet.</p>'
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="refresh" content="5">'
            "<title>Powermap alerts received</title>"
            '<link rel="stylesheet" href="/demo.css"></head><body>'
            "<header><h1>Alerts this CRM received from Powermap's webhooks</h1>"
            "<p>Verified with the Standard Webhooks signature; the page reloads every 5 s."
            "</p></header><main>"
            f"{empty}<table><thead><tr><th>at</th><th>type</th><th>account</th><th>data</th>"
            f"</tr></thead><tbody>{rows}</tbody></table></main></body></html>"
        )
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    return kept
