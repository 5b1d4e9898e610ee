"""The changes feed (``GET /v1/accounts/{id}/changes``) through the real app on the real
Neo4j: writes go through the ingest and departure routes, the feed is read back and
compared item by item; pagination, the since/until window, and the 404 / 422 / 403
problems."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.pagination import encode_cursor
from service.domain import embed_tokens
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory

T1 = "2026-01-05T00:00:00Z"  # the first batch
T2 = "2026-02-01T00:00:00Z"  # a title and a manager change
T3 = "2026-03-01T00:00:00Z"  # a meeting: a tie crosses the activity threshold
T4 = "2026-04-01T00:00:00Z"  # a move to another account, a rename
T5 = "2026-05-01T00:00:00Z"  # a departure
T6 = "2026-06-01T00:00:00Z"  # our team member leaves
TIE = 1 - math.exp(-1.0)  # one meeting (weight 1) of age 0

BATCHES: list[dict[str, Any]] = [
    {
        "effective_at": T1,
        "accounts": [{"id": "acme", "name": "Acme"}, {"id": "globex", "name": "Globex"}],
        "stakeholders": [
            {"id": "p0", "account_id": "acme", "name": "Pat", "title": "CEO"},
            {"id": "p1", "account_id": "acme", "name": "Dana", "title": "CFO", "reports_to": "p0"},
            {"id": "p2", "account_id": "acme", "name": "Lee", "title": "CIO", "reports_to": "p0"},
            {"id": "p3", "account_id": "acme", "name": "Kim", "title": "Analyst"},
        ],
        "team_members": [{"id": "t1", "name": "Sam", "role": "account_manager"}],
        "coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "account_manager"}],
        "budgets": [{"id": "b1", "account_id": "acme", "name": "IT Opex"}],
        "controls": [{"stakeholder_id": "p1", "budget_id": "b1", "authority": "owner"}],
        "roles": [
            {"stakeholder_id": "p1", "role": "economic_buyer", "stance": 1, "account_id": "acme"}
        ],
    },
    {
        "effective_at": T2,
        "stakeholders": [
            {
                "id": "p2",
                "account_id": "acme",
                "name": "Lee",
                "title": "Chief Information Officer",
                "reports_to": "p1",
            }
        ],
    },
    {
        "effective_at": T3,
        "interactions": [
            {
                "id": "i1",
                "kind": "meeting",
                "at": T3,
                "team_member_ids": ["t1"],
                "stakeholder_ids": ["p2"],
            }
        ],
    },
    {
        "effective_at": T4,
        "stakeholders": [
            {"id": "p3", "account_id": "globex", "name": "Kim"},
            {"id": "p2", "account_id": "acme", "name": "Lee Chen"},
        ],
    },
]


def item(
    at: str,
    type_: str,
    person_id: str,
    person_name: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "at": at,
        "type": type_,
        "person_id": person_id,
        "person_name": person_name,
        "before": before,
        "after": after,
        "source": "api",
    }


def solid(manager: str) -> dict[str, str]:
    return {"manager_id": manager, "kind": "solid"}


ECONOMIC_BUYER = {
    "role": "economic_buyer",
    "stance": 1,
    "target_type": "account",
    "target_id": "acme",
}
OWNER = {"budget_id": "b1", "authority": "owner"}

#: The whole feed of acme after the story above, in order.
ACME_FEED = [
    # T1: four people join; two solid lines, a role, a budget and our coverage start.
    # Their names are the ones the batch recorded ("Lee", not today's "Lee Chen").
    item(T1, "joined", "p0", "Pat", None, {"account_id": "acme"}),
    item(T1, "joined", "p1", "Dana", None, {"account_id": "acme"}),
    item(T1, "joined", "p2", "Lee", None, {"account_id": "acme"}),
    item(T1, "joined", "p3", "Kim", None, {"account_id": "acme"}),
    item(T1, "manager_changed", "p1", "Dana", None, solid("p0")),
    item(T1, "manager_changed", "p2", "Lee", None, solid("p0")),
    item(T1, "role_started", "p1", "Dana", None, ECONOMIC_BUYER),
    item(T1, "control_started", "p1", "Dana", None, OWNER),
    item(T1, "coverage_started", "t1", "Sam", None, {"role": "account_manager"}),
    # T2: p2 reports to p1 now, with a new title; this change set does not carry p2's
    # name, so the current one is shown.
    item(T2, "manager_changed", "p2", "Lee Chen", solid("p0"), solid("p1")),
    item(
        T2,
        "title_changed",
        "p2",
        "Lee Chen",
        {"title": "CIO"},
        {"title": "Chief Information Officer"},
    ),
    # T3: our first meeting with p2 makes the derived tie active.
    item(T3, "tie_activated", "p2", "Lee Chen", None, {"team_member_id": "t1", "strength": TIE}),
    # T4: p3 moves to globex.
    item(T4, "moved_out", "p3", "Kim", {"account_id": "acme"}, {"account_id": "globex"}),
    # T5: p1 leaves: their employment, lines (theirs and p2's to them), role and budget end.
    item(T5, "left", "p1", "Dana", {"account_id": "acme"}, None),
    item(T5, "manager_changed", "p1", "Dana", solid("p0"), None),
    item(T5, "manager_changed", "p2", "Lee Chen", solid("p1"), None),
    item(T5, "role_ended", "p1", "Dana", ECONOMIC_BUYER, None),
    item(T5, "control_ended", "p1", "Dana", OWNER, None),
    # T6: our team member leaves: the coverage ends and the tie goes dark.
    item(T6, "coverage_ended", "t1", "Sam", {"role": "account_manager"}, None),
    item(T6, "tie_went_dark", "p2", "Lee Chen", {"team_member_id": "t1", "strength": TIE}, None),
]


@pytest.fixture
def story(client: TestClient, auth_headers: KeyFactory) -> dict[str, str]:
    """The story above, written through the API; returns a read key's headers."""
    write = auth_headers("write")
    for batch in BATCHES:
        response = client.post("/v1/ingest", json=batch, headers=write)
        assert response.status_code == 200, response.text
    for path, left_at in (("stakeholders/p1", T5), ("team-members/t1", T6)):
        response = client.post(f"/v1/{path}/departure", json={"left_at": left_at}, headers=write)
        assert response.status_code == 200, response.text
    return auth_headers("read")


def feed(client: TestClient, headers: dict[str, str], account: str = "acme", **params: Any) -> Any:
    response = client.get(f"/v1/accounts/{account}/changes", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def approx_strengths(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items with tie strengths compared approximately (computed floats)."""
    out = []
    for i in items:
        copy = dict(i)
        for side in ("before", "after"):
            if copy[side] and "strength" in copy[side]:
                copy[side] = {**copy[side], "strength": pytest.approx(copy[side]["strength"])}
        out.append(copy)
    return out


def test_the_feed_tells_the_story_in_time_order(client: TestClient, story: dict[str, str]) -> None:
    page = feed(client, story)

    assert page["next_cursor"] is None
    assert page["items"] == approx_strengths(ACME_FEED)


def test_a_move_shows_at_both_accounts(client: TestClient, story: dict[str, str]) -> None:
    page = feed(client, story, "globex")

    assert page == {
        "items": [
            item(T4, "moved_in", "p3", "Kim", {"account_id": "acme"}, {"account_id": "globex"})
        ],
        "next_cursor": None,
    }


def test_a_back_dated_batch_sorts_by_when_it_took_effect(
    client: TestClient, story: dict[str, str], auth_headers: KeyFactory
) -> None:
    # Written last, effective between T1 and T2.
    late = {
        "effective_at": "2026-01-20T00:00:00Z",
        "stakeholders": [{"id": "p4", "account_id": "acme", "name": "Ola", "title": "CTO"}],
    }
    response = client.post("/v1/ingest", json=late, headers=auth_headers("write"))
    assert response.status_code == 200, response.text

    items = feed(client, story)["items"]

    joined = item("2026-01-20T00:00:00Z", "joined", "p4", "Ola", None, {"account_id": "acme"})
    assert items == approx_strengths([*ACME_FEED[:9], joined, *ACME_FEED[9:]])


def test_pages_follow_the_cursor_to_the_end(client: TestClient, story: dict[str, str]) -> None:
    seen: list[dict[str, Any]] = []
    cursors: list[str] = []
    params: dict[str, Any] = {"limit": 4}
    while True:
        page = feed(client, story, **params)
        assert len(page["items"]) <= 4
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        cursors.append(page["next_cursor"])
        params = {"limit": 4, "cursor": page["next_cursor"]}

    assert seen == approx_strengths(ACME_FEED)
    assert len(cursors) == math.ceil(len(ACME_FEED) / 4) - 1
    assert len(set(cursors)) == len(cursors)
    # A page boundary inside one instant (T1) resumes exactly after the last item.
    assert feed(client, story, limit=3, cursor=cursors[0])["items"] == ACME_FEED[4:7]


def test_since_and_until_keep_a_window(client: TestClient, story: dict[str, str]) -> None:
    # Dates are 00:00 UTC; since is inclusive, until exclusive.
    window = feed(client, story, since="2026-02-01", until="2026-05-01")["items"]
    assert window == approx_strengths(ACME_FEED[9:13])

    since_only = feed(client, story, since="2026-05-01T00:00:00+00:00")["items"]
    assert since_only == approx_strengths(ACME_FEED[13:])

    until_only = feed(client, story, until="2026-01-05T00:00:01Z")["items"]
    assert until_only == ACME_FEED[:9]

    # An offset is honoured: 02:00+02:00 is T2 itself.
    assert (
        feed(client, story, since="2026-02-01T02:00:00+02:00", until=T3)["items"]
        == (ACME_FEED[9:11])
    )

    # A window and pages together.
    first = feed(client, story, since=T2, limit=2)
    second = feed(client, story, since=T2, limit=2, cursor=first["next_cursor"])
    assert first["items"] + second["items"] == approx_strengths(ACME_FEED[9:13])


def assert_problem(response: Any, status: int, location: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    if location is not None:
        assert location in [e["location"] for e in body["errors"]], body
    return body


@pytest.mark.parametrize(
    "params, location",
    [
        ({"cursor": "not-a-cursor"}, "query.cursor"),
        ({"cursor": encode_cursor("acme")}, "query.cursor"),  # an id list's cursor
        ({"cursor": encode_cursor('[1,2,"x"]')}, "query.cursor"),
        ({"cursor": encode_cursor('[1,2,"x",-1]')}, "query.cursor"),
        ({"cursor": encode_cursor('[1.5,2,"x",0]')}, "query.cursor"),
        ({"since": "2026-13-01"}, "query.since"),
        ({"since": "20260101"}, "query.since"),
        ({"until": "yesterday"}, "query.until"),
        ({"until": "0001-01-01"}, "query.until"),
        ({"since": "2026-03-01", "until": "2026-02-01"}, "query.until"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 501}, "query.limit"),
    ],
)
def test_bad_parameters_are_422_naming_them(
    client: TestClient, story: dict[str, str], params: dict[str, Any], location: str
) -> None:
    response = client.get("/v1/accounts/acme/changes", headers=story, params=params)
    assert_problem(response, 422, location)


def test_an_unknown_account_is_404(client: TestClient, story: dict[str, str]) -> None:
    body = assert_problem(client.get("/v1/accounts/initech/changes", headers=story), 404)
    assert "initech" in body["detail"]


def test_an_account_without_changes_has_an_empty_feed(
    client: TestClient, graph: Graph, auth_headers: KeyFactory
) -> None:
    response = client.post(
        "/v1/ingest",
        json={"accounts": [{"id": "quiet", "name": "Quiet"}]},
        headers=auth_headers("write"),
    )
    assert response.status_code == 200, response.text
    assert feed(client, auth_headers("read"), "quiet") == {"items": [], "next_cursor": None}


def test_needs_a_read_key_and_is_closed_to_embed_tokens(
    client: TestClient, story: dict[str, str], auth_headers: KeyFactory, settings: Settings
) -> None:
    assert_problem(client.get("/v1/accounts/acme/changes"), 401)
    assert_problem(client.get("/v1/accounts/acme/changes", headers=auth_headers("write")), 403)
    # An embed token (the org-chart widget of this very account) may not read the feed.
    token = embed_tokens.mint(settings, "acme").token
    denied = client.get("/v1/accounts/acme/changes", headers={"Authorization": f"Bearer {token}"})
    assert_problem(denied, 403)


def test_new_values_of_a_continuing_role_control_coverage_and_a_dotted_line(
    client: TestClient, graph: Graph, auth_headers: KeyFactory
) -> None:
    write = auth_headers("write")
    first = {
        "effective_at": T1,
        "accounts": [{"id": "acme", "name": "Acme"}],
        "stakeholders": [
            {"id": "p0", "account_id": "acme", "name": "Pat"},
            {"id": "p1", "account_id": "acme", "name": "Dana"},
        ],
        "team_members": [{"id": "t1", "name": "Sam"}],
        "coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "account_manager"}],
        "budgets": [{"id": "b1", "account_id": "acme", "name": "IT Opex"}],
        "controls": [{"stakeholder_id": "p1", "budget_id": "b1", "authority": "recommender"}],
        "roles": [{"stakeholder_id": "p1", "role": "champion", "stance": 1, "account_id": "acme"}],
    }
    second = {
        "effective_at": T2,
        "stakeholders": [
            {"id": "p1", "account_id": "acme", "name": "Dana", "dotted_reports_to": ["p0"]}
        ],
        "coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "exec_sponsor"}],
        "controls": [{"stakeholder_id": "p1", "budget_id": "b1", "authority": "approver"}],
        "roles": [{"stakeholder_id": "p1", "role": "champion", "stance": 2, "account_id": "acme"}],
    }
    for batch in (first, second):
        response = client.post("/v1/ingest", json=batch, headers=write)
        assert response.status_code == 200, response.text

    items = feed(client, auth_headers("read"), since=T2)["items"]

    champion = {"role": "champion", "target_type": "account", "target_id": "acme"}
    assert items == [
        item(T2, "manager_changed", "p1", "Dana", None, {"manager_id": "p0", "kind": "dotted"}),
        item(
            T2, "role_started", "p1", "Dana", {**champion, "stance": 1}, {**champion, "stance": 2}
        ),
        item(
            T2,
            "control_started",
            "p1",
            "Dana",
            {"budget_id": "b1", "authority": "recommender"},
            {"budget_id": "b1", "authority": "approver"},
        ),
        item(
            T2,
            "coverage_started",
            "t1",
            "Sam",
            {"role": "account_manager"},
            {"role": "exec_sponsor"},
        ),
    ]
