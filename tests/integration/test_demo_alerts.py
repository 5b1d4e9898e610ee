"""The demo's alert path, as the README tells a new user: ``seed-demo`` makes the demo
watch, Acme's champion leaves, and the demo page's inbox (a real server on loopback,
the demo page app itself) receives and verifies the alerts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import uvicorn

from service.demo.page import create_demo_app
from service.demo.seed import seed_demo
from service.demo.watch import DEMO_WATCH_NAME, DemoWatch, ensure_demo_watch
from service.domain.alerts import watches
from service.domain.alerts.delivery import deliver_due
from service.domain.alerts.evaluation import evaluate_pending
from service.domain.analytics.account_cache import AccountCache
from service.domain.ingest.departure import depart_stakeholder
from service.graph.driver import Graph
from service.settings import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_page(port: int, secret: str) -> Iterator[str]:
    """The demo page app (with its inbox) served by uvicorn on 127.0.0.1:``port``."""
    app = create_demo_app("http://127.0.0.1:9", "", webhook_secret=secret)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the demo page did not start"
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)


def _demo_watch_ids(graph: Graph) -> list[str]:
    page, _ = watches.list_watches(graph, after="", limit=100)
    return [w.id for w in page if w.name == DEMO_WATCH_NAME]


def test_the_readme_departure_reaches_the_demo_inbox_verified(
    graph: Graph, settings: Settings
) -> None:
    config = settings.model_copy(update={"alerts_webhook_allowed_hosts": ["127.0.0.1"]})
    seed_demo(graph, config)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/webhooks/powermap"
    made = ensure_demo_watch(graph, config, None, url=url)
    assert made.secret is not None and made.secret.startswith("whsec_")
    # A second seed with the secret in the env file keeps the watch.
    assert ensure_demo_watch(graph, config, made.secret, url=url) == DemoWatch(made.watch_id, None)
    assert _demo_watch_ids(graph) == [made.watch_id]

    with demo_page(port, made.secret) as base:
        assert "No alert received yet" in httpx.get(f"{base}/alerts").text
        depart_stakeholder(graph, "acme-p016", datetime.now(UTC), source="api")
        report = evaluate_pending(graph, AccountCache(graph, 0), config)
        made_types = {e["type"] for e in report.events}
        assert {"key_stakeholder_left", "champion_lost"} <= made_types
        sent = 0
        for _ in range(len(report.events) + 1):
            sent += deliver_due(graph, config, datetime.now(UTC), "test")
        assert sent == len(report.events)
        page = httpx.get(f"{base}/alerts").text
    assert "key_stakeholder_left" in page and "champion_lost" in page
    assert "Rania Larsen" in page

    # Without the secret (a fresh env file) the demo watch is replaced, not doubled.
    again = ensure_demo_watch(graph, config, None, url=url)
    assert again.secret is not None and again.watch_id != made.watch_id
    assert _demo_watch_ids(graph) == [again.watch_id]


def test_without_the_allow_list_the_demo_watch_is_feed_only_until_a_seed_with_it(
    graph: Graph, settings: Settings
) -> None:
    closed = settings.model_copy(update={"alerts_webhook_allowed_hosts": []})
    feed_only = ensure_demo_watch(graph, closed, None)
    assert feed_only.posts is False and feed_only.secret is None
    [stored] = watches.list_watches(graph, after="", limit=10)[0]
    assert stored.id == feed_only.watch_id and stored.webhook is None
    # Seeding again the same way keeps it.
    assert ensure_demo_watch(graph, closed, None) == feed_only
    # With the allow-list (as `make run` seeds) it is replaced by one that posts.
    opened = settings.model_copy(update={"alerts_webhook_allowed_hosts": ["127.0.0.1"]})
    posting = ensure_demo_watch(graph, opened, None)
    assert posting.posts and posting.secret is not None
    assert _demo_watch_ids(graph) == [posting.watch_id] != [feed_only.watch_id]
