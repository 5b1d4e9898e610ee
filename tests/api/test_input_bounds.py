"""Issue 9, items 3, 4 and 8: what one request can make the service hold, inputs that
gave 500, and lenient input — through the real app on the real Neo4j.

Each test here failed before its fix: a 10 MB body made a 192 MB 422; ``as_of`` at
9999-12-31 and a nested cursor gave 500; ids with NUL or ``/``, years 0001/2604/9999,
``"interactions": null`` and ``as_of=0.0`` were accepted.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.api.body_limit import BodyLimit
from service.domain import embed_tokens
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.fixture
def writer(auth_headers: KeyFactory) -> dict[str, str]:
    return auth_headers("read", "write")


@pytest.fixture
def small_client(graph: Graph, settings: Settings) -> Iterator[TestClient]:
    """The app with small body caps, so the tests need no megabytes to pass them."""
    small = settings.model_copy(update={"max_body_bytes": 2048, "ingest_max_body_bytes": 64 * 1024})
    with TestClient(create_app(small)) as test_client:
        yield test_client


# -- item 3: bounded requests ---------------------------------------------------------


def test_a_declared_body_over_the_cap_is_413_before_parsing(
    small_client: TestClient, writer: dict[str, str]
) -> None:
    # Not even JSON: nothing may parse it, the declared length alone refuses it.
    junk = b"{" * (64 * 1024 + 1)
    response = small_client.post(
        "/v1/ingest", content=junk, headers={**writer, "Content-Type": "application/json"}
    )
    body = _problem(response, 413)
    assert body["type"] == "/problems/payload-too-large"
    assert "65,536 bytes" in body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    # Other routes have the smaller general cap.
    response = small_client.post(
        "/v1/queries/adhoc",
        json={"cypher": "RETURN 1 AS x", "params": {"pad": "x" * 4096}},
        headers=writer,
    )
    _problem(response, 413)


def test_a_chunked_body_over_the_cap_is_413(
    small_client: TestClient, writer: dict[str, str]
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"accounts": ['
        for i in range(5000):
            yield json.dumps({"id": f"a{i}", "name": "x" * 20}).encode() + b","
        yield b'{"id": "last", "name": "y"}]}'

    response = small_client.post(
        "/v1/ingest", content=chunks(), headers={**writer, "Content-Type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    body = _problem(response, 413)
    assert body["type"] == "/problems/payload-too-large"


def test_the_body_limit_stops_reading_a_stream_at_the_cap() -> None:
    """The ASGI middleware on its own: a chunked body is not read past the cap."""
    reads = 0
    sent: list[dict[str, Any]] = []
    app_saw = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal app_saw
        while True:
            message = await receive()
            app_saw += len(message.get("body", b""))
            if not message.get("more_body"):
                break

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    limited = BodyLimit(app, default=4500, per_path={})
    scope = {"type": "http", "path": "/v1/x", "headers": [], "method": "POST"}
    asyncio.run(limited(scope, receive, send))
    assert reads == 5  # 5,000 bytes > 4,500: the fifth chunk was the last one read
    assert app_saw == 4000
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["type"] == "/problems/payload-too-large"


def test_one_interaction_with_many_unknown_people_gets_a_small_422(
    client: TestClient, writer: dict[str, str], settings: Settings
) -> None:
    people = [f"nobody-{i}" for i in range(200_000)]
    batch = {
        "team_members": [{"id": "t1", "name": "Sam"}],
        "interactions": [
            {
                "id": "i1",
                "kind": "meeting",
                "at": "2026-10-01T10:00:00Z",
                "team_member_ids": ["t1"],
                "stakeholder_ids": people,
            }
        ],
    }
    response = client.post("/v1/ingest", json=batch, headers=writer)
    body = _problem(response, 422)
    assert len(response.content) < 16 * 1024
    assert body["errors"] == [
        {
            "location": "interactions[0].stakeholder_ids",
            "reason": "List should have at most 1000 items after validation, not 200000",
            "section": "interactions",
            "index": 0,
            "field": "stakeholder_ids",
        }
    ]
    assert body["error_count"] == 1


def test_a_422_lists_the_first_errors_and_counts_them_all(
    client: TestClient, writer: dict[str, str], settings: Settings
) -> None:
    # 1,000 interactions each naming 3 unknown people: 3,000 problems.
    batch = {
        "team_members": [{"id": "t1", "name": "Sam"}],
        "interactions": [
            {
                "id": f"i{n}",
                "kind": "call",
                "at": "2026-10-01T10:00:00Z",
                "team_member_ids": ["t1"],
                "stakeholder_ids": [f"p{n}a", f"p{n}b", f"p{n}c"],
            }
            for n in range(1000)
        ],
    }
    response = client.post("/v1/ingest", json=batch, headers=writer)
    body = _problem(response, 422)
    assert body["error_count"] == 3000
    assert len(body["errors"]) == settings.max_listed_errors == 100
    # The first ones in request order: rows 0..33, each with its three people.
    assert body["errors"][0]["location"] == "interactions[0].stakeholder_ids[0]"
    assert body["errors"][3]["location"] == "interactions[1].stakeholder_ids[0]"
    assert [e["index"] for e in body["errors"]] == sorted(e["index"] for e in body["errors"])
    assert "3000 problem(s)" in body["detail"]
    # Nothing was written.
    assert client.get("/v1/team-members/t1", headers=writer).status_code == 404


def test_lists_inside_a_row_are_bounded(client: TestClient, writer: dict[str, str]) -> None:
    batch = {
        "accounts": [{"id": "acme", "name": "Acme"}],
        "stakeholders": [
            {
                "id": "p1",
                "account_id": "acme",
                "name": "Dana",
                "dotted_reports_to": [f"m{i}" for i in range(51)],
            }
        ],
    }
    body = _problem(client.post("/v1/ingest", json=batch, headers=writer), 422)
    assert [e["location"] for e in body["errors"]] == ["stakeholders[0].dotted_reports_to"]


def test_request_validation_errors_are_capped_too(
    client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    body = {"person_ids": [f"bad/{i}" for i in range(300)]}
    response = client.post("/v1/accounts/acme/departure-impact", json=body, headers=headers)
    problem = _problem(response, 422)
    assert problem["error_count"] == 300
    assert len(problem["errors"]) == 100


# -- item 4: inputs that gave 500 -------------------------------------------------------

FAR_FUTURE = "9999-12-31"
AS_OF_ROUTES = [
    "/v1/accounts/acme/org-chart",
    "/v1/accounts/acme/threading",
    "/v1/accounts/acme/health",
    "/v1/accounts/acme/power-map",
    "/v1/budgets/b1/control",
    "/v1/people/champ/departure-impact",
    "/v1/paths/warm?to=cfo",
    "/v1/portfolio/threading",
]


@pytest.mark.parametrize("route", AS_OF_ROUTES)
def test_as_of_at_the_end_of_time_is_422_not_500(
    route: str, scene: Graph, client: TestClient, auth_headers: KeyFactory
) -> None:
    sep = "&" if "?" in route else "?"
    response = client.get(f"{route}{sep}as_of={FAR_FUTURE}", headers=auth_headers("read"))
    body = _problem(response, 422)
    assert body["errors"][0]["location"] == "query.as_of"
    assert "1900-01-01 and 2199-12-31" in body["errors"][0]["reason"]


def test_as_of_at_the_end_of_time_with_an_embed_token(
    scene: Graph, client: TestClient, settings: Settings
) -> None:
    token = embed_tokens.mint(settings, "acme").token
    response = client.get(
        f"/v1/accounts/acme/org-chart?as_of={FAR_FUTURE}",
        headers={"Authorization": f"Bearer {token}"},
    )
    _problem(response, 422)


def _nested_cursor(levels: int) -> str:
    raw = '{"v":1,"after":' + "[" * levels + '"a"' + "]" * levels + "}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "route", ["/v1/accounts", "/v1/accounts/acme/stakeholders", "/v1/portfolio/threading"]
)
def test_a_forged_cursor_is_422_not_500(
    route: str, scene: Graph, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    for cursor in [
        _nested_cursor(1000)[:680],  # within the length the schema allows
        _nested_cursor(100),
        base64.urlsafe_b64encode(b'{"v":1,"after":"acme","x":1}').decode().rstrip("="),
        base64.urlsafe_b64encode(b'{"v": 1, "after": "acme"}').decode().rstrip("="),
    ]:
        body = _problem(client.get(route, params={"cursor": cursor}, headers=headers), 422)
        assert body["errors"][0]["location"] == "query.cursor"
    # A cursor nesting 1,000 levels is longer than any cursor this service issues.
    body = _problem(
        client.get(route, params={"cursor": _nested_cursor(1000)}, headers=headers), 422
    )
    assert body["errors"][0]["location"] == "query.cursor"


@pytest.mark.parametrize(
    "route", ["/v1/accounts", "/v1/accounts/acme/stakeholders", "/v1/portfolio/threading"]
)
def test_an_empty_cursor_is_the_first_page(
    route: str, scene: Graph, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    first = client.get(route, headers=headers)
    empty = client.get(f"{route}?cursor=", headers=headers)
    assert first.status_code == empty.status_code == 200, empty.text
    assert empty.json()["items"] == first.json()["items"]
    assert first.json()["items"]


# -- item 8: lenient input --------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["a/b", "a\x00b", " acme", "acme?x", "", "é", "x" * 201])
def test_ids_outside_the_alphabet_are_refused(
    bad_id: str, client: TestClient, writer: dict[str, str]
) -> None:
    batch = {"accounts": [{"id": bad_id, "name": "Acme"}]}
    body = _problem(client.post("/v1/ingest", json=batch, headers=writer), 422)
    assert [e["location"] for e in body["errors"]] == ["accounts[0].id"]


def test_path_and_query_ids_outside_the_alphabet_are_refused(
    client: TestClient, writer: dict[str, str]
) -> None:
    for path in ["/v1/accounts/ac%00me", "/v1/stakeholders/p%20q", "/v1/paths/warm?to=a%00b"]:
        _problem(client.get(path, headers=writer), 422)
    _problem(client.post("/v1/stakeholders/a%00b/departure", headers=writer), 422)


@pytest.mark.parametrize(
    ("batch", "location"),
    [
        ({"effective_at": "0001-01-01T00:00:00Z"}, "effective_at"),
        ({"effective_at": "9999-12-31T23:59:59Z"}, "effective_at"),
        ({"effective_at": 0}, "effective_at"),
        ({"effective_at": None}, "effective_at"),
        ({"interactions": None}, "interactions"),
        ({"accounts": None}, "accounts"),
        (
            {
                "accounts": [{"id": "acme", "name": "Acme"}],
                "opportunities": [
                    {"id": "o1", "account_id": "acme", "name": "R", "close_date": "2604-01-01"}
                ],
            },
            "opportunities[0].close_date",
        ),
        (
            {
                "team_members": [{"id": "t1", "name": "Sam"}],
                "interactions": [
                    {
                        "id": "i1",
                        "kind": "call",
                        "at": "1700000000",
                        "team_member_ids": ["t1"],
                        "stakeholder_ids": ["t1"],
                    }
                ],
            },
            "interactions[0].at",
        ),
    ],
)
def test_dates_outside_the_range_and_null_sections_are_refused(
    batch: dict[str, Any], location: str, client: TestClient, writer: dict[str, str]
) -> None:
    body = _problem(client.post("/v1/ingest", json=batch, headers=writer), 422)
    assert location in [e["location"] for e in body["errors"]]


def test_left_at_far_in_the_future_is_refused(
    scene: Graph, client: TestClient, writer: dict[str, str]
) -> None:
    for left_at in ["2604-01-01", "2604-01-01T00:00:00Z", "0001-01-01", 0]:
        response = client.post(
            "/v1/stakeholders/det/departure", json={"left_at": left_at}, headers=writer
        )
        body = _problem(response, 422)
        assert body["errors"][0]["location"] == "body.left_at"
    # Nothing happened: the person is still current.
    assert client.get("/v1/stakeholders/det", headers=writer).json()["status"] == "active"


@pytest.mark.parametrize("as_of", ["0.0", "0", "20260101", "1899-12-31", "2026-1-1", "2200-01-01"])
def test_as_of_is_a_strict_iso_date(
    as_of: str, scene: Graph, client: TestClient, auth_headers: KeyFactory
) -> None:
    response = client.get(
        f"/v1/accounts/acme/org-chart?as_of={as_of}", headers=auth_headers("read")
    )
    _problem(response, 422)


def test_the_accepted_dates_still_work(
    scene: Graph, client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    for as_of in ["1900-01-01", "2026-02-15", "2199-12-31"]:
        response = client.get(f"/v1/accounts/acme/org-chart?as_of={as_of}", headers=headers)
        assert response.status_code == 200, response.text


def test_saved_query_dates_share_the_range(client: TestClient, auth_headers: KeyFactory) -> None:
    headers = auth_headers("query:run")
    listed = client.get("/v1/queries", headers=headers).json()["queries"]
    dated = [
        (q["name"], p["name"], p["type"])
        for q in listed
        for p in q["parameters"]
        if p["type"] in {"date", "datetime"}
    ]
    assert dated, "the catalog has a query with a date parameter"
    name, param, ptype = dated[0]
    value = "9999-12-31" if ptype == "date" else "9999-12-31T00:00:00Z"
    response = client.post(
        f"/v1/queries/{name}/run", json={"params": {param: value}}, headers=headers
    )
    body = _problem(response, 422)
    assert "2199-12-31" in json.dumps(body)


def test_adhoc_parameters_that_neo4j_cannot_take_are_422(
    client: TestClient, auth_headers: KeyFactory
) -> None:
    """Found by the schemathesis run: a 2**64 parameter was a 500 (driver OverflowError)."""
    headers = auth_headers("query:adhoc", "query:run")
    for params in ({"n": 2**64}, {"n": [[-(2**70)]]}):
        body = {"cypher": "RETURN $n AS n", "params": params}
        problem = _problem(client.post("/v1/queries/adhoc", json=body, headers=headers), 422)
        assert problem["errors"][0]["location"] == "body.params"
    ok = client.post(
        "/v1/queries/adhoc",
        json={"cypher": "RETURN $n AS n", "params": {"n": 2**63 - 1}},
        headers=headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["rows"] == [{"n": 2**63 - 1}]
