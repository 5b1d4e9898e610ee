"""Auth acceptance on the read routes: 401 / 403 / 200 as problem+json, real keys on Neo4j,
and what a principal limited to one account (an embed token) may see."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from service.api import deps
from service.domain.access import Principal, Scope, create_key, revoke_key
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.graph_builders import GraphBuilder

READ_ROUTES = [
    "/v1/accounts",
    "/v1/accounts/acme",
    "/v1/accounts/acme/stakeholders",
    "/v1/accounts/acme/org-chart",
    "/v1/stakeholders/p1",
    "/v1/team-members/t1",
]


@pytest.fixture
def small(graph: Graph, settings: Settings) -> GraphBuilder:
    """acme: p1 (known by t1, who covers acme), p_left (left), p_moved (moved to other).
    other: p9 (known by t1 and t9; t9 covers other). t_knows covers nothing, knows p1."""
    g = GraphBuilder(graph)
    g.account("acme", tier="strategic")
    g.account("other", tier="key")
    g.stakeholder("p1", "acme")
    g.stakeholder("p_left", "acme")
    g.stakeholder("p_moved", "acme")
    g.stakeholder("p9", "other")
    g.depart("p_left", at="2026-01-01T00:00:00Z")
    g.move_employer("p_moved", "other", at="2026-01-01T00:00:00Z")
    g.team_member("t1")
    g.team_member("t9")
    g.team_member("t_knows")
    g.covers("t1", "acme")
    g.covers("t9", "other")
    g.knows("t1", "p1", 0.6)
    g.knows("t1", "p9", 0.4)
    g.knows("t9", "p9", 0.7)
    g.knows("t_knows", "p1", 0.3)
    return g


def assert_problem(response: Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"/problems/{slug}"
    assert response.json()["status"] == status


# --- 401 ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", READ_ROUTES)
def test_missing_key_is_401_with_challenge(
    path: str, small: GraphBuilder, client: TestClient
) -> None:
    response = client.get(path)
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-key",  # malformed
        "Bearer pm_only-two-parts",  # malformed
        "Bearer pm_000000000000_secret",  # well-formed, unknown id
        "Basic dXNlcjpwYXNz",  # not a bearer credential at all
        "Bearer ",  # empty
    ],
)
def test_bad_keys_are_401_with_challenge(
    authorization: str, small: GraphBuilder, client: TestClient
) -> None:
    response = client.get("/v1/accounts", headers={"Authorization": authorization})
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_wrong_secret_of_a_real_key_is_401(
    small: GraphBuilder, client: TestClient, graph: Graph, settings: Settings
) -> None:
    created = create_key(graph, "real", [Scope.READ])
    forged = created.secret[:-1] + ("A" if created.secret[-1] != "A" else "B")
    response = client.get("/v1/accounts", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_revoked_key_is_401(
    small: GraphBuilder, client: TestClient, graph: Graph, settings: Settings
) -> None:
    created = create_key(graph, "soon revoked", [Scope.READ])
    headers = {"Authorization": f"Bearer {created.secret}"}
    assert client.get("/v1/accounts", headers=headers).status_code == 200
    assert revoke_key(graph, created.key_id) is True
    response = client.get("/v1/accounts", headers=headers)
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "revoked" in response.json()["detail"]


# --- 403 / 200 ---------------------------------------------------------------------


@pytest.mark.parametrize("scopes", [("write",), ("query:run", "query:adhoc")])
@pytest.mark.parametrize("path", READ_ROUTES)
def test_keys_without_read_scope_are_403(
    path: str,
    scopes: tuple[str, ...],
    small: GraphBuilder,
    client: TestClient,
    auth_headers: KeyFactory,
) -> None:
    response = client.get(path, headers=auth_headers(*scopes))
    assert_problem(response, 403, "forbidden")
    assert "WWW-Authenticate" not in response.headers
    assert "'read'" in response.json()["detail"]


@pytest.mark.parametrize("scopes", [("read",), ("admin",), ("read", "write")])
@pytest.mark.parametrize("path", READ_ROUTES)
def test_read_and_admin_keys_are_200(
    path: str,
    scopes: tuple[str, ...],
    small: GraphBuilder,
    client: TestClient,
    auth_headers: KeyFactory,
) -> None:
    response = client.get(path, headers=auth_headers(*scopes))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"


# --- a principal limited to one account (embed tokens) -----------------------------


@pytest.fixture
def acme_only(small: GraphBuilder, client: TestClient) -> Iterator[TestClient]:
    """The app authenticating every request as a read principal limited to `acme`.

    Embed tokens are issued elsewhere; what matters here is how the read routes treat
    the principal they produce, so the principal is put in place of the key lookup.
    """
    app = client.app
    assert isinstance(app, FastAPI)
    principal = Principal(
        key_id="embed-test", scopes=frozenset({Scope.READ}), kind="embed", account_id="acme"
    )
    app.dependency_overrides[deps.read_caller] = lambda: principal
    yield client
    app.dependency_overrides.clear()


@pytest.mark.parametrize(
    "path",
    [
        "/v1/accounts/acme",
        "/v1/accounts/acme/stakeholders",
        "/v1/accounts/acme/org-chart",
        "/v1/stakeholders/p1",
        "/v1/stakeholders/p_left",  # left acme: still acme's
        "/v1/team-members/t1",  # covers acme
        "/v1/team-members/t_knows",  # knows someone at acme
    ],
)
def test_account_limited_principal_sees_its_account(path: str, acme_only: TestClient) -> None:
    assert acme_only.get(path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/v1/accounts",  # the portfolio list is not for one account
        "/v1/accounts/other",
        "/v1/accounts/other/stakeholders",
        "/v1/accounts/other/org-chart",
        "/v1/stakeholders/p9",
        "/v1/stakeholders/p_moved",  # works at other now
        "/v1/team-members/t9",
    ],
)
def test_account_limited_principal_is_refused_elsewhere(path: str, acme_only: TestClient) -> None:
    assert_problem(acme_only.get(path), 403, "forbidden")


def test_account_limited_principal_sees_only_its_account_of_a_team_member(
    acme_only: TestClient,
) -> None:
    body = acme_only.get("/v1/team-members/t1").json()
    # t1 also knows p9 at other; that part is left out.
    assert [r["stakeholder_id"] for r in body["relationships"]] == ["p1"]
    assert [a["account_id"] for a in body["accounts"]] == ["acme"]


def test_api_key_sees_the_whole_team_member(
    small: GraphBuilder, client: TestClient, auth_headers: KeyFactory
) -> None:
    body = client.get("/v1/team-members/t1", headers=auth_headers("read")).json()
    assert [r["stakeholder_id"] for r in body["relationships"]] == ["p1", "p9"]
