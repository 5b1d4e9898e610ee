"""The demo page's webhook receiver (service/demo/alert_inbox.py): it keeps what verifies
with the demo watch's secret, once per webhook-id, and refuses the rest."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from service.demo.page import create_demo_app

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


def _signed(event: dict[str, object], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(event)
    now = datetime.now(UTC)
    signature = Webhook(secret).sign(str(event["id"]), now, body)
    return body.encode(), {
        "webhook-id": str(event["id"]),
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def _event(n: int) -> dict[str, object]:
    return {
        "id": f"evt_{n:032x}",
        "type": "key_stakeholder_left",
        "at": "2026-11-30T10:00:00Z",
        "watch_id": "wat_demo",
        "account_id": "acme",
        "data": {"stakeholder": {"id": "s_cfo", "name": "Dana <CFO>"}},
    }


def test_a_verified_alert_is_listed_once_and_escaped() -> None:
    client = TestClient(create_demo_app("http://127.0.0.1:9", "", webhook_secret=SECRET))
    body, headers = _signed(_event(1))
    assert client.post("/webhooks/powermap", content=body, headers=headers).status_code == 204
    # The same delivery again (a retry after a lost answer) is acknowledged, kept once.
    assert client.post("/webhooks/powermap", content=body, headers=headers).status_code == 204
    page = client.get("/alerts").text
    assert page.count("key_stakeholder_left") == 1
    assert "Dana &lt;CFO&gt;" in page and "<CFO>" not in page


def test_a_delivery_signed_with_another_secret_is_refused_and_not_kept() -> None:
    client = TestClient(create_demo_app("http://127.0.0.1:9", "", webhook_secret=SECRET))
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    body, headers = _signed(_event(2), secret=other)
    answer = client.post("/webhooks/powermap", content=body, headers=headers)
    assert answer.status_code == 400
    assert "No alert received yet" in client.get("/alerts").text


def test_without_a_secret_the_inbox_says_how_to_get_one() -> None:
    client = TestClient(create_demo_app("http://127.0.0.1:9", ""))
    body, headers = _signed(_event(3))
    answer = client.post("/webhooks/powermap", content=body, headers=headers)
    assert answer.status_code == 503 and "seed-demo" in answer.text
