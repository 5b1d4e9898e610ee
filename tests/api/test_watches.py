"""Watches (``/v1/watches``) through the real app on the real Neo4j: creating one (the
secret shown once, never again, never logged), every way a body is refused (422 naming
the field, nothing stored), reading, listing, deleting (pending events cancelled,
states removed, events kept), the delivery log, the baseline hook, and who may call.

Events, states and delivery attempts are written directly in the evaluator's and the
deliverer's shape (tests/api/alert_records.py)."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import standardwebhooks
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.pagination import encode_cursor
from service.api.routes import alerts as alert_routes
from service.api.state import AppState
from service.domain import embed_tokens
from service.domain.errors import DatabaseUnavailable
from service.graph import deadline
from service.graph.driver import Graph
from service.settings import Settings
from tests.api.alert_records import (
    add_delivery,
    add_event,
    add_state,
    drop_states,
    states,
    stored_event,
)
from tests.conftest import KeyFactory

PROBLEM = "application/problem+json"
HOOK = "http://127.0.0.1:8765/hook"
WATCH_NODES = "MATCH (w:Watch) RETURN w {.*} AS w ORDER BY w.id"


@pytest.fixture
def client(graph: Graph, settings: Settings) -> Iterator[TestClient]:
    """The app, with loopback allowed as a webhook host (as tests and `make run` do)."""
    allowed = settings.model_copy(update={"alerts_webhook_allowed_hosts": ["127.0.0.1"]})
    with TestClient(create_app(allowed)) as test_client:
        yield test_client


@pytest.fixture
def accounts(client: TestClient, auth_headers: KeyFactory) -> list[str]:
    batch = {
        "accounts": [
            {"id": "acme", "name": "Acme", "tier": "strategic"},
            {"id": "globex", "name": "Globex", "tier": "key"},
            {"id": "initech", "name": "Initech", "tier": "standard"},
        ]
    }
    response = client.post("/v1/ingest", json=batch, headers=auth_headers("write"))
    assert response.status_code == 200, response.text
    return ["acme", "globex", "initech"]


@pytest.fixture
def rw(auth_headers: KeyFactory) -> dict[str, str]:
    return auth_headers("read", "write")


def body(**changes: Any) -> dict[str, Any]:
    watch: dict[str, Any] = {
        "name": "Strategic accounts",
        "scope": {"account_ids": ["acme", "globex"]},
        "conditions": ["champion_lost", {"type": "health_dropped", "by": 15}],
        "webhook": {"url": HOOK},
    }
    watch.update(changes)
    return {k: v for k, v in watch.items() if v is not None}


def stored_watches(graph: Graph) -> list[dict[str, Any]]:
    return [r["w"] for r in graph.read(WATCH_NODES)]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith(PROBLEM)
    result: dict[str, Any] = response.json()
    assert result["status"] == status
    return result


def locations(response: Any) -> list[str]:
    return [e["location"] for e in problem(response, 422)["errors"]]


def refused(client: TestClient, graph: Graph, headers: dict[str, str], sent: Any) -> list[str]:
    """POST ``sent``; it must be a 422 that stored nothing: the locations it names."""
    response = client.post("/v1/watches", json=sent, headers=headers)
    where = locations(response)
    assert stored_watches(graph) == []
    return where


# -- creating ----------------------------------------------------------------------------


def test_a_new_watch_is_stored_and_its_secret_shown_once(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    response = client.post("/v1/watches", json=body(), headers=rw)
    assert response.status_code == 201, response.text
    created = response.json()
    watch_id = created["id"]
    assert watch_id.startswith("wat_") and len(watch_id) == 30
    assert response.headers["Location"] == f"/v1/watches/{watch_id}"
    secret = created["webhook"].pop("secret")
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    # The reference implementation takes it: what it signs, it verifies.
    hook = standardwebhooks.Webhook(secret)
    sent_at = datetime.now(UTC)
    signature = hook.sign("evt_1", sent_at, '{"a":1}')
    headers = {"webhook-id": "evt_1", "webhook-timestamp": str(int(sent_at.timestamp()))}
    assert hook.verify('{"a":1}', {**headers, "webhook-signature": signature}) == {"a": 1}
    assert created == {
        "id": watch_id,
        "name": "Strategic accounts",
        "created_at": created["created_at"],
        "created_by": created["created_by"],
        "scope": {"account_ids": ["acme", "globex"]},
        "conditions": [{"type": "champion_lost"}, {"type": "health_dropped", "by": 15.0}],
        "webhook": {"url": HOOK, "enabled": True, "disabled_reason": None, "disabled_at": None},
    }
    assert created["created_by"] == rw["Authorization"].split("_")[1]

    # What the evaluator and the deliverer read from the node.
    [node] = stored_watches(graph)
    assert node["id"] == watch_id
    assert node["scope_kind"] == "accounts"
    assert node["account_ids"] == ["acme", "globex"]
    assert node["webhook_secret"] == secret
    assert node["webhook_url"] == HOOK
    assert node["webhook_enabled"] is True
    assert node["next_seq"] == 1
    assert json.loads(node["conditions"]) == [
        {"type": "champion_lost"},
        {"type": "health_dropped", "by": 15.0},
    ]

    # Never again: neither one watch nor the list carries it.
    again = client.get(f"/v1/watches/{watch_id}", headers=rw)
    assert again.status_code == 200
    assert again.json() == created
    listed = client.get("/v1/watches", headers=rw)
    assert listed.json() == {"items": [created], "next_cursor": None}
    for answer in (again, listed):
        assert secret not in answer.text
        assert "secret" not in answer.text


def test_a_given_secret_is_kept(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    response = client.post(
        "/v1/watches", json=body(webhook={"url": HOOK, "secret": secret}), headers=rw
    )
    assert response.status_code == 201, response.text
    assert response.json()["webhook"]["secret"] == secret
    assert stored_watches(graph)[0]["webhook_secret"] == secret


def test_tier_portfolio_and_feed_only_watches(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    tier = client.post("/v1/watches", json=body(scope={"tier": "key"}, webhook=None), headers=rw)
    assert tier.status_code == 201, tier.text
    assert tier.json()["scope"] == {"tier": "key"}
    assert tier.json()["webhook"] is None
    portfolio = client.post(
        "/v1/watches",
        json=body(scope={"portfolio": True}, conditions=["former_champion_joined"]),
        headers=rw,
    )
    assert portfolio.status_code == 201, portfolio.text
    assert portfolio.json()["scope"] == {"portfolio": True}
    nodes = {n["id"]: n for n in stored_watches(graph)}
    feed_only = nodes[tier.json()["id"]]
    assert (feed_only["scope_kind"], feed_only["tier"], feed_only["account_ids"]) == (
        "tier",
        "key",
        [],
    )
    assert feed_only["webhook_enabled"] is False
    assert "webhook_url" not in feed_only and "webhook_secret" not in feed_only
    assert nodes[portfolio.json()["id"]]["scope_kind"] == "portfolio"


def test_a_saved_query_condition_is_checked_against_the_catalog(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    good = {"type": "saved_query_changed", "query": "budget_controllers"}
    fine = client.post(
        "/v1/watches",
        json=body(conditions=[{**good, "params": {"account_id": "acme", "theta": 0.3}}]),
        headers=rw,
    )
    assert fine.status_code == 201, fine.text
    graph.write("MATCH (w:Watch) DELETE w")
    where = refused(
        client,
        graph,
        rw,
        body(
            conditions=[
                {"type": "saved_query_changed", "query": "no_such_query"},
                {**good, "params": {"theta": "high", "colour": "red"}},
            ]
        ),
    )
    assert where == [
        "conditions[0].query",
        "conditions[1].params.colour",
        "conditions[1].params.account_id",
        "conditions[1].params.theta",
    ]


def test_missing_and_repeated_accounts_are_named(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    response = client.post(
        "/v1/watches",
        json=body(scope={"account_ids": ["acme", "nope", "globex", "acme", "gone"]}),
        headers=rw,
    )
    errors = problem(response, 422)["errors"]
    assert [(e["location"], e["reason"]) for e in errors] == [
        ("scope.account_ids[1]", "no account with id 'nope'"),
        ("scope.account_ids[3]", "'acme' is given twice (first at [0])"),
        ("scope.account_ids[4]", "no account with id 'gone'"),
    ]
    assert stored_watches(graph) == []


@pytest.mark.parametrize(
    ("scope", "location"),
    [
        ({}, "body.scope"),
        ({"account_ids": ["acme"], "tier": "key"}, "body.scope"),
        ({"portfolio": False}, "body.scope"),
        ({"portfolio": 1}, "body.scope.portfolio"),
        ({"account_ids": []}, "body.scope.account_ids"),
        ({"account_ids": ["acme/x"]}, "body.scope.account_ids[0]"),
        ({"account_ids": [f"a{i}" for i in range(1001)]}, "body.scope.account_ids"),
        ({"tier": "gold"}, "body.scope.tier"),
        ({"everything": True}, "body.scope.everything"),
    ],
)
def test_a_bad_scope_is_422_naming_it(
    client: TestClient,
    graph: Graph,
    accounts: list[str],
    rw: dict[str, str],
    scope: dict[str, Any],
    location: str,
) -> None:
    assert location in refused(client, graph, rw, body(scope=scope))


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"conditions": []}, "body.conditions"),
        ({"conditions": ["champion_lost"] * 21}, "body.conditions"),
        ({"conditions": ["no_such_condition"]}, "body.conditions[0]"),
        ({"conditions": ["saved_query_changed"]}, "body.conditions[0].saved_query_changed.query"),
        # Read strictly: no "5" or true for a number.
        (
            {"conditions": [{"type": "health_dropped", "by": "5"}]},
            "body.conditions[0].health_dropped.by",
        ),
        (
            {"conditions": [{"type": "health_dropped", "by": True}]},
            "body.conditions[0].health_dropped.by",
        ),
        (
            {"conditions": [{"type": "health_dropped", "by": 0}]},
            "body.conditions[0].health_dropped.by",
        ),
        ({"name": ""}, "body.name"),
        ({"name": "   "}, "body.name"),
        ({"name": "a\x00b"}, "body.name"),
        ({"name": "n" * 201}, "body.name"),
        ({"owner": "me"}, "body.owner"),
        ({"webhook": {"url": HOOK, "retries": 3}}, "body.webhook.retries"),
    ],
)
def test_a_bad_body_is_422_naming_the_field(
    client: TestClient,
    graph: Graph,
    accounts: list[str],
    rw: dict[str, str],
    changes: dict[str, Any],
    location: str,
) -> None:
    assert location in refused(client, graph, rw, body(**changes))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/x", "must be https"),
        ("https://10.1.2.3/hook", "private, loopback or link-local"),
        ("https://169.254.169.254/latest/meta-data", "private, loopback or link-local"),
        ("https://[::1]/hook", "private, loopback or link-local"),
        ("https://user:pw@93.184.215.14/hook", "credentials"),
        ("ftp://93.184.215.14/hook", "absolute http(s) URL"),
        ("not a url", "absolute http(s) URL"),
    ],
)
def test_a_refused_webhook_url_is_422_naming_it(
    client: TestClient,
    graph: Graph,
    accounts: list[str],
    rw: dict[str, str],
    url: str,
    reason: str,
) -> None:
    response = client.post("/v1/watches", json=body(webhook={"url": url}), headers=rw)
    [error] = problem(response, 422)["errors"]
    assert error["location"] == "webhook.url"
    assert reason in error["reason"]
    assert stored_watches(graph) == []


def test_a_public_https_address_is_accepted(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    url = "https://93.184.215.14/hooks/powermap"
    response = client.post("/v1/watches", json=body(webhook={"url": url}), headers=rw)
    assert response.status_code == 201, response.text
    assert stored_watches(graph)[0]["webhook_url"] == url


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("s3cr3t-value-nobody-may-see", "must start with whsec_"),
        ("whsec_not*base64!", "after whsec_ must come standard base64"),
        ("whsec_" + base64.b64encode(b"short").decode(), "the key is 5 bytes"),
        ("whsec_" + base64.b64encode(b"x" * 65).decode(), "the key is 65 bytes"),
    ],
)
def test_a_bad_secret_is_422_and_never_quoted(
    client: TestClient,
    graph: Graph,
    accounts: list[str],
    rw: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    secret: str,
    reason: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.post(
        "/v1/watches", json=body(webhook={"url": HOOK, "secret": secret}), headers=rw
    )
    [error] = problem(response, 422)["errors"]
    assert error["location"] == "webhook.secret"
    assert reason in error["reason"]
    assert secret not in response.text
    assert secret not in caplog.text
    assert stored_watches(graph) == []


def test_every_problem_is_reported_at_once(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    where = refused(
        client,
        graph,
        rw,
        body(
            scope={"account_ids": ["acme", "nope"]},
            conditions=[{"type": "saved_query_changed", "query": "no_such_query"}],
            webhook={"url": "http://hooks.example.com/x", "secret": "whsec_AAAA"},
        ),
    )
    assert where == [
        "conditions[0].query",
        "webhook.url",
        "webhook.secret",
        "scope.account_ids[1]",
    ]


def test_the_secret_never_reaches_the_logs(
    client: TestClient,
    graph: Graph,
    accounts: list[str],
    rw: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    given = "whsec_" + base64.b64encode(b"g" * 32).decode()
    response = client.post(
        "/v1/watches", json=body(webhook={"url": HOOK, "secret": given}), headers=rw
    )
    assert response.status_code == 201
    generated = client.post("/v1/watches", json=body(), headers=rw).json()["webhook"]["secret"]
    for watch in client.get("/v1/watches", headers=rw).json()["items"]:
        client.get(f"/v1/watches/{watch['id']}", headers=rw)
        client.delete(f"/v1/watches/{watch['id']}", headers=rw)
    assert "watch" in caplog.text  # the service did log about them
    for secret in (given, generated):
        assert secret not in caplog.text
        assert secret.removeprefix("whsec_") not in caplog.text


# -- the baseline ------------------------------------------------------------------------


def test_the_baseline_hook_runs_once_the_watch_is_stored(
    client: TestClient,
    graph: Graph,
    accounts: list[str],
    rw: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, list[str]]] = []

    def hook(state: AppState) -> Any:
        def baseline(watch_id: str) -> None:
            seen.append((watch_id, [w["id"] for w in stored_watches(state.graph)]))

        return baseline

    monkeypatch.setattr(alert_routes, "watch_baseline", hook)
    response = client.post("/v1/watches", json=body(), headers=rw)
    assert response.status_code == 201, response.text
    watch_id = response.json()["id"]
    assert seen == [(watch_id, [watch_id])]


def test_a_failed_baseline_leaves_no_watch(
    client: TestClient,
    graph: Graph,
    accounts: list[str],
    rw: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def hook(state: AppState) -> Any:
        def baseline(watch_id: str) -> None:
            add_state(state.graph, watch_id, "acme")  # half-way through
            raise DatabaseUnavailable("Neo4j went away", reason="unreachable")

        return baseline

    monkeypatch.setattr(alert_routes, "watch_baseline", hook)
    response = client.post("/v1/watches", json=body(), headers=rw)
    problem(response, 503)
    assert stored_watches(graph) == []
    assert states(graph) == []


def test_a_baseline_out_of_time_leaves_no_watch(
    graph: Graph, settings: Settings, auth_headers: KeyFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request's deadline runs out in the baseline: the watch is still removed
    (its removal does not run on the spent deadline)."""

    def hook(state: AppState) -> Any:
        def baseline(watch_id: str) -> None:
            left = deadline.remaining()
            assert left is not None
            time.sleep(max(left, 0) + 0.05)
            state.graph.read("RETURN 1 AS one")  # out of time: DeadlineExceeded

        return baseline

    monkeypatch.setattr(alert_routes, "watch_baseline", hook)
    short = settings.model_copy(update={"request_timeout_seconds": 2.0})
    with TestClient(create_app(short)) as client:
        response = client.post(
            "/v1/watches",
            json=body(scope={"portfolio": True}, webhook=None),
            headers=auth_headers("write"),
        )
    problem(response, 504)
    assert stored_watches(graph) == []


# -- reading, listing, deleting ----------------------------------------------------------


def make_watch(client: TestClient, headers: dict[str, str], **changes: Any) -> str:
    response = client.post("/v1/watches", json=body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    watch_id: str = response.json()["id"]
    return watch_id


def test_the_list_pages_by_id(client: TestClient, accounts: list[str], rw: dict[str, str]) -> None:
    ids = sorted(make_watch(client, rw, name=f"watch {i}") for i in range(5))
    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        page = client.get("/v1/watches", params={"limit": 2, "cursor": cursor}, headers=rw)
        assert page.status_code == 200, page.text
        seen += [w["id"] for w in page.json()["items"]]
        pages += 1
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert pages == 3
    assert "cursor" in locations(client.get("/v1/watches?cursor=bogus", headers=rw))[0]


def test_delete_cancels_pending_events_and_removes_states(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    doomed = make_watch(client, rw)
    kept = make_watch(client, rw)
    # Each watch's baseline remembered both accounts of its scope.
    assert sorted(states(graph)) == sorted(
        (w, a) for w in (doomed, kept) for a in ("acme", "globex")
    )
    pending, _ = add_event(graph, doomed, "acme")
    delivered, _ = add_event(graph, doomed, "acme", delivery="delivered")
    feed_only, _ = add_event(graph, doomed, "globex", delivery="none")
    other, _ = add_event(graph, kept, "acme")

    response = client.delete(f"/v1/watches/{doomed}", headers=rw)
    assert response.status_code == 204, response.text
    assert response.content == b""

    assert [w["id"] for w in stored_watches(graph)] == [kept]
    assert sorted(states(graph)) == [(kept, "acme"), (kept, "globex")]
    assert stored_event(graph, pending)["delivery"] == "cancelled"
    assert stored_event(graph, delivered)["delivery"] == "delivered"
    assert stored_event(graph, feed_only)["delivery"] == "none"
    assert stored_event(graph, other)["delivery"] == "pending"
    # Its events stay in the feed.
    feed = client.get("/v1/events", params={"watch_id": doomed}, headers=rw).json()
    assert [(e["id"], e["delivery"]) for e in feed["items"]] == [
        (pending, "cancelled"),
        (delivered, "delivered"),
        (feed_only, "none"),
    ]
    problem(client.get(f"/v1/watches/{doomed}", headers=rw), 404)
    problem(client.delete(f"/v1/watches/{doomed}", headers=rw), 404)
    drop_states(graph)  # AlertState has a key, not an id (see alert_records.py)


def test_an_unknown_watch_is_404(client: TestClient, rw: dict[str, str]) -> None:
    for method, url in (
        ("GET", "/v1/watches/wat_nothing"),
        ("DELETE", "/v1/watches/wat_nothing"),
        ("GET", "/v1/watches/wat_nothing/deliveries"),
    ):
        body_ = problem(client.request(method, url, headers=rw), 404)
        assert body_["type"] == "/problems/not-found"
        assert "wat_nothing" in body_["detail"]


# -- the delivery log --------------------------------------------------------------------


def test_deliveries_are_listed_newest_first_in_pages(
    client: TestClient, graph: Graph, accounts: list[str], rw: dict[str, str]
) -> None:
    watch_id = make_watch(client, rw)
    other = make_watch(client, rw)
    first, _ = add_event(graph, watch_id, "acme")
    second, _ = add_event(graph, watch_id, "globex")
    t0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    made = [
        add_delivery(
            graph,
            watch_id,
            first,
            attempt=1,
            at=t0,
            status_code=None,
            error="timeout",
            next_attempt_at=t0 + timedelta(seconds=5),
        ),
        add_delivery(graph, watch_id, first, attempt=2, at=t0 + timedelta(seconds=5)),
        add_delivery(
            graph,
            watch_id,
            first,
            attempt=3,
            at=t0 + timedelta(minutes=5),
            outcome="delivered",
            status_code=204,
        ),
        # Two attempts at the same instant: the id orders them.
        add_delivery(graph, watch_id, second, attempt=1, at=t0 + timedelta(minutes=6)),
        add_delivery(graph, watch_id, second, attempt=2, at=t0 + timedelta(minutes=6)),
    ]
    add_delivery(graph, other, first, attempt=1, at=t0 + timedelta(hours=1))

    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"/v1/watches/{watch_id}/deliveries", params=params, headers=rw)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    same_instant = sorted(made[3:], reverse=True)
    assert [i["id"] for i in items] == [*same_instant, made[2], made[1], made[0]]
    assert items[-1] == {
        "id": made[0],
        "event_id": first,
        "attempt": 1,
        "at": "2026-03-01T09:00:00Z",
        "status_code": None,
        "error": "timeout",
        "duration_ms": 12.0,
        "outcome": "retry",
        "next_attempt_at": "2026-03-01T09:00:05Z",
    }
    assert items[2]["outcome"] == "delivered" and items[2]["status_code"] == 204

    forged = encode_cursor('["not a time","x"]')
    bad = client.get(f"/v1/watches/{watch_id}/deliveries?cursor={forged}", headers=rw)
    assert locations(bad) == ["query.cursor"]


# -- who may call ------------------------------------------------------------------------


def test_scopes_and_embed_tokens(
    client: TestClient,
    graph: Graph,
    accounts: list[str],
    auth_headers: KeyFactory,
    settings: Settings,
) -> None:
    writer = auth_headers("write")
    reader = auth_headers("read")
    watch_id = make_watch(client, writer)
    problem(client.post("/v1/watches", json=body()), 401)
    problem(client.post("/v1/watches", json=body(), headers=reader), 403)
    problem(client.get("/v1/watches", headers=writer), 403)
    problem(client.delete(f"/v1/watches/{watch_id}", headers=reader), 403)
    assert client.get(f"/v1/watches/{watch_id}", headers=reader).status_code == 200
    # The widget's embed token of an account in the watch's scope reaches none of them.
    token = {"Authorization": f"Bearer {embed_tokens.mint(settings, 'acme').token}"}
    for method, url in (
        ("GET", "/v1/watches"),
        ("GET", f"/v1/watches/{watch_id}"),
        ("GET", f"/v1/watches/{watch_id}/deliveries"),
        ("DELETE", f"/v1/watches/{watch_id}"),
        ("GET", "/v1/events"),
    ):
        problem(client.request(method, url, headers=token), 403)
    problem(client.post("/v1/watches", json=body(), headers=token), 403)
    assert len(stored_watches(graph)) == 1
