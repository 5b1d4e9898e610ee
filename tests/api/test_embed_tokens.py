"""Embed tokens through the real app and a real Neo4j: minting, the one-account limit,
every way a token can be bad, CORS for embedding origins, and the iframe page's CSP."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.domain import embed_tokens
from service.domain.errors import Forbidden
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.graph_builders import GraphBuilder

CRM_ORIGIN = "https://crm.example.com"


@pytest.fixture
def accounts(graph: Graph, settings: Settings) -> GraphBuilder:
    """Two accounts: Acme (a CEO and a report who controls a budget) and Globex."""
    g = GraphBuilder(graph)
    g.account("acme", name="Acme Corp", tier="strategic")
    g.account("globex", name="Globex")
    g.stakeholder("acme-ceo", "acme", name="Ada Acme", title="CEO")
    g.stakeholder("acme-cfo", "acme", name="Carl Cash", title="CFO")
    g.reports_to("acme-cfo", "acme-ceo")
    g.budget("acme-bud", "acme", name="IT budget")
    g.controls("acme-cfo", "acme-bud", "owner")
    g.stakeholder("globex-ceo", "globex", name="Gina Globex", title="CEO")
    return g


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def mint(client: TestClient, headers: dict[str, str], account_id: str = "acme") -> str:
    response = client.post("/v1/embed-tokens", json={"account_id": account_id}, headers=headers)
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def assert_problem(response: object, status: int, type_: str) -> dict[str, object]:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["type"] == type_
    assert body["status"] == status
    return body


def test_mint_returns_a_read_only_token_for_one_account(
    client: TestClient, accounts: GraphBuilder, auth_headers: KeyFactory
) -> None:
    before = datetime.now(UTC)
    response = client.post(
        "/v1/embed-tokens", json={"account_id": "acme"}, headers=auth_headers("read")
    )
    assert response.status_code == 201
    body = response.json()
    assert body["account_id"] == "acme"
    assert body["token_type"] == "Bearer"
    expires_at = datetime.fromisoformat(body["expires_at"])
    # Default lifetime: 15 minutes (to the second the token was issued).
    assert timedelta(minutes=14) < expires_at - before <= timedelta(minutes=15, seconds=1)
    claims = embed_tokens.verify(client.app.state.powermap.settings, body["token"])  # type: ignore[attr-defined]
    assert claims.account_id == "acme"
    assert claims.token_id == body["token_id"]

    chart = client.get("/v1/accounts/acme/org-chart", headers=bearer(body["token"]))
    assert chart.status_code == 200, chart.text
    assert chart.json()["people_count"] == 2
    assert [r["id"] for r in chart.json()["roots"]] == ["acme-ceo"]

    person = client.get("/v1/stakeholders/acme-cfo", headers=bearer(body["token"]))
    assert person.status_code == 200
    assert [b["budget_id"] for b in person.json()["budgets"]] == ["acme-bud"]


def test_mint_honours_a_lifetime_up_to_the_maximum(
    client: TestClient, accounts: GraphBuilder, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    hour = client.post(
        "/v1/embed-tokens", json={"account_id": "acme", "expires_in_minutes": 60}, headers=headers
    )
    assert hour.status_code == 201
    settings = client.app.state.powermap.settings  # type: ignore[attr-defined]
    claims = embed_tokens.verify(settings, hour.json()["token"])
    assert claims.expires_at - claims.issued_at == timedelta(minutes=60)

    too_long = client.post(
        "/v1/embed-tokens",
        json={"account_id": "acme", "expires_in_minutes": 24 * 60 + 1},
        headers=headers,
    )
    assert_problem(too_long, 422, "/problems/validation-error")
    zero = client.post(
        "/v1/embed-tokens", json={"account_id": "acme", "expires_in_minutes": 0}, headers=headers
    )
    assert_problem(zero, 422, "/problems/validation-error")


def test_mint_needs_a_read_api_key_and_a_known_account(
    client: TestClient, accounts: GraphBuilder, auth_headers: KeyFactory
) -> None:
    anonymous = client.post("/v1/embed-tokens", json={"account_id": "acme"})
    assert_problem(anonymous, 401, "/problems/unauthenticated")
    write_only = client.post(
        "/v1/embed-tokens", json={"account_id": "acme"}, headers=auth_headers("write")
    )
    assert_problem(write_only, 403, "/problems/forbidden")
    unknown = client.post(
        "/v1/embed-tokens", json={"account_id": "initech"}, headers=auth_headers("read")
    )
    assert_problem(unknown, 404, "/problems/not-found")


def test_an_embed_token_cannot_mint_another(
    client: TestClient, accounts: GraphBuilder, auth_headers: KeyFactory
) -> None:
    token = mint(client, auth_headers("read"))
    response = client.post("/v1/embed-tokens", json={"account_id": "acme"}, headers=bearer(token))
    assert_problem(response, 403, "/problems/forbidden")


def test_a_token_sees_only_its_account(
    client: TestClient, accounts: GraphBuilder, auth_headers: KeyFactory
) -> None:
    token = mint(client, auth_headers("read"), "acme")
    other_chart = client.get("/v1/accounts/globex/org-chart", headers=bearer(token))
    body = assert_problem(other_chart, 403, "/problems/forbidden")
    assert "another account" in str(body["detail"])
    other_person = client.get("/v1/stakeholders/globex-ceo", headers=bearer(token))
    assert_problem(other_person, 403, "/problems/forbidden")
    other_account = client.get("/v1/accounts/globex", headers=bearer(token))
    assert_problem(other_account, 403, "/problems/forbidden")
    # Portfolio-wide and non-widget routes are closed to embed tokens altogether.
    portfolio = client.get("/v1/accounts", headers=bearer(token))
    assert_problem(portfolio, 403, "/problems/forbidden")


def test_expired_token_is_401(
    client: TestClient, accounts: GraphBuilder, settings: Settings
) -> None:
    minted = embed_tokens.mint(settings, "acme", now=datetime.now(UTC) - timedelta(hours=1))
    response = client.get("/v1/accounts/acme/org-chart", headers=bearer(minted.token))
    body = assert_problem(response, 401, "/problems/unauthenticated")
    assert "expired" in str(body["detail"])
    assert response.headers["WWW-Authenticate"] == "Bearer"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampered_tokens_are_401(
    client: TestClient, accounts: GraphBuilder, settings: Settings
) -> None:
    minted = embed_tokens.mint(settings, "acme")
    header, payload, signature = minted.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    # Another account in the payload, the original signature kept.
    moved = f"{header}.{_b64({**claims, 'acc': 'globex'})}.{signature}"
    response = client.get("/v1/accounts/globex/org-chart", headers=bearer(moved))
    assert_problem(response, 401, "/problems/unauthenticated")

    # One character of the signature changed.
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    response = client.get(
        "/v1/accounts/acme/org-chart", headers=bearer(f"{header}.{payload}.{flipped}")
    )
    assert_problem(response, 401, "/problems/unauthenticated")

    # Signed with another secret.
    foreign = jwt.encode(claims, "another-secret-of-a-different-service", algorithm="HS256")
    response = client.get("/v1/accounts/acme/org-chart", headers=bearer(foreign))
    assert_problem(response, 401, "/problems/unauthenticated")

    # Unsigned ("alg": "none").
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    response = client.get("/v1/accounts/acme/org-chart", headers=bearer(unsigned))
    assert_problem(response, 401, "/problems/unauthenticated")

    # Validly signed, but claiming a lifetime beyond the maximum.
    forever = jwt.encode(
        {**claims, "exp": claims["iat"] + 30 * 24 * 3600},
        settings.embed_token_secret.get_secret_value(),
        algorithm="HS256",
    )
    response = client.get("/v1/accounts/acme/org-chart", headers=bearer(forever))
    assert_problem(response, 401, "/problems/unauthenticated")

    # Validly signed, but with write scope.
    writer = jwt.encode(
        {**claims, "scope": "write"},
        settings.embed_token_secret.get_secret_value(),
        algorithm="HS256",
    )
    response = client.get("/v1/accounts/acme/org-chart", headers=bearer(writer))
    assert_problem(response, 401, "/problems/unauthenticated")


@pytest.mark.parametrize(
    "token", ["not-a-token", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30", "pm_nope", "x" * 600]
)
def test_malformed_tokens_are_401(client: TestClient, accounts: GraphBuilder, token: str) -> None:
    response = client.get("/v1/accounts/acme/org-chart", headers=bearer(token))
    assert_problem(response, 401, "/problems/unauthenticated")


@pytest.fixture
def crm_client(graph: Graph, settings: Settings) -> Iterator[TestClient]:
    allowed = settings.model_copy(update={"embed_allowed_origins": [CRM_ORIGIN]})
    with TestClient(create_app(allowed)) as test_client:
        yield test_client


def test_cors_admits_configured_embedding_origins_only(
    crm_client: TestClient, accounts: GraphBuilder, auth_headers: KeyFactory
) -> None:
    preflight = crm_client.options(
        "/v1/accounts/acme/org-chart",
        headers={
            "Origin": CRM_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == CRM_ORIGIN
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()

    token = mint(crm_client, auth_headers("read"))
    ok = crm_client.get(
        "/v1/accounts/acme/org-chart", headers={**bearer(token), "Origin": CRM_ORIGIN}
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == CRM_ORIGIN
    # Errors carry CORS headers too, so the widget can read the problem.
    denied = crm_client.get(
        "/v1/accounts/globex/org-chart", headers={**bearer(token), "Origin": CRM_ORIGIN}
    )
    assert denied.status_code == 403
    assert denied.headers["access-control-allow-origin"] == CRM_ORIGIN

    stranger = crm_client.get(
        "/v1/accounts/acme/org-chart",
        headers={**bearer(token), "Origin": "https://evil.example"},
    )
    assert "access-control-allow-origin" not in stranger.headers


def test_cors_admits_the_what_if_post_from_embedding_origins(
    crm_client: TestClient, accounts: GraphBuilder, auth_headers: KeyFactory
) -> None:
    """The widget's what-if mode POSTs JSON from the host page's origin: a preflight."""
    path = "/v1/accounts/acme/departure-impact"
    preflight = crm_client.options(
        path,
        headers={
            "Origin": CRM_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == CRM_ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "content-type" in allowed and "authorization" in allowed
    stranger = crm_client.options(
        path,
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert "access-control-allow-origin" not in stranger.headers

    token = mint(crm_client, auth_headers("read"))
    ok = crm_client.post(
        path,
        json={"person_ids": ["acme-cfo"]},
        headers={**bearer(token), "Origin": CRM_ORIGIN},
    )
    assert ok.status_code == 200, ok.text
    assert ok.headers["access-control-allow-origin"] == CRM_ORIGIN
    assert [b["budget_id"] for b in ok.json()["budgets_without_owner"]] == ["acme-bud"]


def test_embed_page_has_a_strict_csp_and_no_inline_script(
    crm_client: TestClient, accounts: GraphBuilder
) -> None:
    response = crm_client.get(
        "/embed/accounts/acme/org-chart",
        params={"token": 'abc"><script>alert(1)</script>', "collapse_depth": 2},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == f"'self' {CRM_ORIGIN}"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    # Every <script> loads a file; the token is an escaped attribute value.
    assert html.count("<script") == 1
    assert '<script src="/widget/powermap-org-chart.js" defer></script>' in html
    assert "style=" not in html
    assert 'token="abc&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert 'account="acme"' in html and 'collapse-depth="2"' in html

    missing = crm_client.get("/embed/accounts/acme/org-chart")
    assert_problem(missing, 422, "/problems/validation-error")


def test_frame_ancestors_default_to_self(client: TestClient, accounts: GraphBuilder) -> None:
    response = client.get("/embed/accounts/acme/org-chart", params={"token": "t"})
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    assert "access-control-allow-origin" not in response.headers


def test_widget_script_is_served(client: TestClient) -> None:
    response = client.get("/widget/powermap-org-chart.js")
    assert response.status_code == 200, "the widget bundle is missing: run `make widget`"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "powermap-org-chart" in response.text
    css = client.get("/widget/embed.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    ("route", "allowed"),
    [
        ("/v1/accounts/{account_id}/org-chart", True),
        ("/v1/stakeholders/{stakeholder_id}", True),
        ("/v1/people/{person_id}/departure-impact", True),
        ("/v1/paths/warm", True),
        ("/v1/accounts", False),
        ("/v1/ingest", False),
        ("/v1/queries/{name}/run", False),
        ("/v1/embed-tokens", False),
        (None, False),
    ],
)
def test_embed_tokens_reach_only_the_widget_routes(route: str | None, allowed: bool) -> None:
    """Deny by default: a route added later stays closed to embed tokens."""
    if allowed:
        embed_tokens.require_embed_route(route)
    else:
        with pytest.raises(Forbidden):
            embed_tokens.require_embed_route(route)


def test_an_embed_token_cannot_run_saved_queries(
    client: TestClient, accounts: GraphBuilder, auth_headers: KeyFactory
) -> None:
    token = mint(client, auth_headers("read"))
    response = client.get("/v1/queries", headers=bearer(token))
    assert_problem(response, 403, "/problems/forbidden")


@pytest.fixture
def warm_scene(accounts: GraphBuilder) -> GraphBuilder:
    """Acme and Globex as above, our team member Tess knowing people in both, Globex's CEO
    influencing Acme's CEO (influence outlives employment), and Gus knowing Globex only.

    Across accounts the strongest way to Ada Acme would run through Globex's CEO
    (0.9 × 0.9); inside Acme's engagement graph it is Tess → Carl Cash → Ada Acme.
    """
    g = accounts
    g.team_member("tm-tess", name="Tess Team")
    g.team_member("tm-gus", name="Gus Globex-Only")
    g.covers("tm-tess", "acme")
    g.knows("tm-tess", "acme-cfo", 0.6)
    g.knows("tm-tess", "globex-ceo", 0.9)
    g.knows("tm-gus", "globex-ceo", 0.8)
    g.influences("globex-ceo", "acme-ceo", 0.9)
    return g


def test_an_embed_token_gets_warm_paths_to_its_account_only(
    client: TestClient, warm_scene: GraphBuilder, auth_headers: KeyFactory
) -> None:
    token = mint(client, auth_headers("read"), "acme")
    own = client.get("/v1/paths/warm", params={"to": "acme-ceo"}, headers=bearer(token))
    assert own.status_code == 200, own.text
    body = own.json()
    assert body["account"]["id"] == "acme"
    assert [p["hop_count"] for p in body["paths"]] == [2]
    best = body["paths"][0]
    assert best["team_member_id"] == "tm-tess"
    assert [(h["from_id"], h["to_id"]) for h in best["hops"]] == [
        ("tm-tess", "acme-cfo"),
        ("acme-cfo", "acme-ceo"),
    ]
    # No step, name or id of another account's people anywhere in the answer.
    steps = {h[end] for p in body["paths"] for h in p["hops"] for end in ("from_id", "to_id")}
    assert steps <= {"acme-ceo", "acme-cfo", "tm-tess"}
    assert "globex" not in own.text.lower() and "Gina" not in own.text
    # The API key sees the same answer: the paths run in the account's engagement graph.
    keyed = client.get("/v1/paths/warm", params={"to": "acme-ceo"}, headers=auth_headers("read"))
    assert keyed.json()["paths"] == body["paths"]

    other = client.get("/v1/paths/warm", params={"to": "globex-ceo"}, headers=bearer(token))
    assert_problem(other, 403, "/problems/forbidden")
    assert "Gina" not in other.text
    # A team member with no part in Acme's engagement: 403, not whether they exist.
    gus = client.get(
        "/v1/paths/warm", params={"to": "acme-ceo", "from": "tm-gus"}, headers=bearer(token)
    )
    assert_problem(gus, 403, "/problems/forbidden")
    # The same for the API key is an answer with a note (it may know about Gus).
    keyed_gus = client.get(
        "/v1/paths/warm", params={"to": "acme-ceo", "from": "tm-gus"}, headers=auth_headers("read")
    )
    assert keyed_gus.status_code == 200 and keyed_gus.json()["paths"] == []
    # Globex's token sees none of Acme's paths.
    globex = mint(client, auth_headers("read"), "globex")
    crossed = client.get("/v1/paths/warm", params={"to": "acme-ceo"}, headers=bearer(globex))
    assert_problem(crossed, 403, "/problems/forbidden")


def test_an_embed_token_gets_no_warm_path_to_someone_who_moved_away(
    client: TestClient, warm_scene: GraphBuilder, auth_headers: KeyFactory
) -> None:
    warm_scene.move_employer("acme-cfo", "globex", at="2025-01-01T00:00:00Z")
    token = mint(client, auth_headers("read"), "acme")
    moved = client.get("/v1/paths/warm", params={"to": "acme-cfo"}, headers=bearer(token))
    assert_problem(moved, 403, "/problems/forbidden")
    # Before the move the CFO was Acme's: the token may ask about that date.
    before = client.get(
        "/v1/paths/warm",
        params={"to": "acme-cfo", "as_of": "2024-06-01"},
        headers=bearer(token),
    )
    assert before.status_code == 200, before.text
    assert before.json()["paths"][0]["hops"] == [
        {
            "from_id": "tm-tess",
            "from_name": "Tess Team",
            "to_id": "acme-cfo",
            "to_name": "Carl Cash",
            "relationship": "KNOWS",
            "strength": 0.6,
        }
    ]


def test_embed_page_opens_the_network_view_on_request(
    crm_client: TestClient, accounts: GraphBuilder
) -> None:
    network = crm_client.get(
        "/embed/accounts/acme/org-chart", params={"token": "t", "view": "network"}
    )
    assert network.status_code == 200
    assert 'view="network"' in network.text
    # The PNG export draws the view's SVG from a data: URL: the page's CSP allows it.
    csp = dict(
        d.strip().split(" ", 1) for d in network.headers["content-security-policy"].split(";")
    )
    assert csp["img-src"] == "'self' data:"
    assert (
        'view="' not in crm_client.get("/embed/accounts/acme/org-chart", params={"token": "t"}).text
    )
    bogus = crm_client.get("/embed/accounts/acme/org-chart", params={"token": "t", "view": "3d"})
    body = assert_problem(bogus, 422, "/problems/validation-error")
    assert "view" in str(body)
