"""The events feed (``GET /v1/events``, ``GET /v1/events/{id}``) through the real app
on the real Neo4j: commit (``seq``) order, a cursor that is always given so a poller
resumes where it stopped, one watch's events, bounded pages, the 404 / 422 / 403
problems. Events are written directly in the evaluator's shape
(tests/api/alert_records.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.pagination import encode_cursor
from service.domain import embed_tokens
from service.graph.driver import Graph
from service.settings import Settings
from tests.api.alert_records import add_event
from tests.conftest import KeyFactory

PROBLEM = "application/problem+json"
AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def client(graph: Graph, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def reader(auth_headers: KeyFactory) -> dict[str, str]:
    return auth_headers("read")


def poll(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get("/v1/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    assert isinstance(page["next_cursor"], str) and page["next_cursor"]
    return page


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith(PROBLEM)
    result: dict[str, Any] = response.json()
    return result


def test_events_come_in_commit_order_with_their_evidence(
    client: TestClient, graph: Graph, reader: dict[str, str]
) -> None:
    evidence = {
        "champion": {"id": "p1", "name": "Dana"},
        "opportunity": {"id": "o1", "name": "Renewal"},
    }
    first, _ = add_event(graph, "wat_a", "acme", data=evidence, at=AT)
    second, _ = add_event(
        graph, "wat_b", "globex", type_="health_dropped", delivery="none", data={"by": 12.5}
    )
    third, _ = add_event(graph, "wat_a", "acme", type_="champion_lost.resolved", data={})
    page = poll(client, reader)
    assert [e["id"] for e in page["items"]] == [first, second, third]
    assert page["items"][0] == {
        "id": first,
        "type": "champion_lost",
        "at": "2026-05-01T09:30:00Z",
        "watch_id": "wat_a",
        "account_id": "acme",
        "data": evidence,
        "delivery": "pending",
    }
    assert page["items"][1]["delivery"] == "none"
    assert page["items"][2]["type"] == "champion_lost.resolved"
    one = client.get(f"/v1/events/{first}", headers=reader)
    assert one.status_code == 200
    assert one.json() == page["items"][0]


def test_a_poller_resumes_where_it_stopped(
    client: TestClient, graph: Graph, reader: dict[str, str]
) -> None:
    # Nothing yet: the cursor of the beginning, and it keeps working.
    empty = poll(client, reader)
    assert empty["items"] == []
    made = [add_event(graph, "wat_a", f"acct{i}")[0] for i in range(5)]
    seen: list[str] = []
    cursor = empty["next_cursor"]
    for expected in (2, 2, 1, 0):
        page = poll(client, reader, since=cursor, limit=2)
        assert len(page["items"]) == expected
        seen += [e["id"] for e in page["items"]]
        if expected == 0:
            assert page["next_cursor"] == cursor  # nothing new: the same cursor again
        cursor = page["next_cursor"]
    assert seen == made
    # A new event after the poller caught up: the next poll brings exactly it.
    later, _ = add_event(graph, "wat_b", "acct9")
    page = poll(client, reader, since=cursor)
    assert [e["id"] for e in page["items"]] == [later]


def test_one_watch_s_events(client: TestClient, graph: Graph, reader: dict[str, str]) -> None:
    mine = []
    for i in range(6):
        event_id, _ = add_event(graph, "wat_a" if i % 2 == 0 else "wat_b", "acme")
        if i % 2 == 0:
            mine.append(event_id)
    page = poll(client, reader, watch_id="wat_a", limit=2)
    assert [e["id"] for e in page["items"]] == mine[:2]
    rest = poll(client, reader, watch_id="wat_a", since=page["next_cursor"])
    assert [e["id"] for e in rest["items"]] == mine[2:]
    assert {e["watch_id"] for e in page["items"] + rest["items"]} == {"wat_a"}
    # A watch without events (or deleted, or never made): an empty page, not a 404.
    assert poll(client, reader, watch_id="wat_none")["items"] == []


def test_the_page_is_bounded(client: TestClient, graph: Graph, reader: dict[str, str]) -> None:
    for i in range(3):
        add_event(graph, "wat_a", f"acct{i}")
    assert len(poll(client, reader, limit=1)["items"]) == 1
    assert len(poll(client, reader)["items"]) == 3
    for limit in (0, 501, -1):
        body = problem(client.get(f"/v1/events?limit={limit}", headers=reader), 422)
        assert [e["location"] for e in body["errors"]] == ["query.limit"]


@pytest.mark.parametrize(
    "since",
    [
        "bogus",
        encode_cursor("x1"),  # a cursor of another list
        encode_cursor("-1"),
        encode_cursor("007"),
        encode_cursor("1" * 30),
        "a" * 700,
        "with space",
    ],
)
def test_a_cursor_this_service_did_not_issue_is_422(
    client: TestClient, graph: Graph, reader: dict[str, str], since: str
) -> None:
    body = problem(client.get("/v1/events", params={"since": since}, headers=reader), 422)
    assert [e["location"] for e in body["errors"]] == ["query.since"]


def test_an_unknown_event_is_404(client: TestClient, graph: Graph, reader: dict[str, str]) -> None:
    body = problem(client.get("/v1/events/evt_nothing", headers=reader), 404)
    assert body["type"] == "/problems/not-found"
    assert "evt_nothing" in body["detail"]
    body = problem(client.get("/v1/events/evt%20x", headers=reader), 422)
    assert [e["location"] for e in body["errors"]] == ["path.event_id"]


def test_a_read_key_is_needed_and_embed_tokens_are_refused(
    client: TestClient, graph: Graph, auth_headers: KeyFactory, settings: Settings
) -> None:
    event_id, _ = add_event(graph, "wat_a", "acme")
    token = {"Authorization": f"Bearer {embed_tokens.mint(settings, 'acme').token}"}
    for url in ("/v1/events", f"/v1/events/{event_id}"):
        problem(client.get(url), 401)
        problem(client.get(url, headers=auth_headers("write")), 403)
        problem(client.get(url, headers=token), 403)
        assert client.get(url, headers=auth_headers("read")).status_code == 200
