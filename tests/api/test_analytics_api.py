"""The analytics routes on the hand-built portfolio of ``analytics_scene`` (real Neo4j,
written through the ingest path). Expected values are worked out by hand next to the
asserts; the scene's picture is in ``tests/api/analytics_scene.py``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.domain import embed_tokens
from service.domain.analytics import departure_impact as departure_use_case
from service.graph.driver import Graph
from service.settings import Settings
from tests.api.analytics_scene import seed
from tests.conftest import KeyFactory

REORG_BEFORE = "2026-02-01"


@pytest.fixture
def headers(scene: Graph, auth_headers: KeyFactory) -> dict[str, str]:
    return auth_headers("read")


def embed_headers(settings: Settings, account_id: str) -> dict[str, str]:
    token = embed_tokens.mint(settings, account_id).token
    return {"Authorization": f"Bearer {token}"}


def ids(items: list[dict[str, Any]], key: str = "stakeholder_id") -> list[str]:
    return sorted(item[key] for item in items)


def get_ok(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- threading ------------------------------------------------------------------------


def test_threading_of_the_hand_built_account(client: TestClient, headers: dict[str, str]) -> None:
    body = get_ok(client, "/v1/accounts/acme/threading", headers)
    coverage = {k["stakeholder_id"]: k["coverage"] for k in body["key_stakeholders"]}
    # cfo: nobody; champ: t1 (0.8) and t2 (0.5); vp: t1; eng: nobody.
    assert {k: c["level"] for k, c in coverage.items()} == {
        "cfo": "dark",
        "champ": "multi",
        "vp": "single",
        "eng": "dark",
    }
    assert [t["team_member_id"] for t in coverage["champ"]["ties"]] == ["t1", "t2"]
    assert body["key_coverage_counts"] == {"dark": 2, "single": 1, "multi": 1}
    # Two team members and two stakeholders hold the three active ties: multi on both sides.
    assert body["our_side"]["level"] == "multi" and body["our_side"]["people_with_ties"] == 2
    assert body["their_side"]["level"] == "multi"
    # Only champ joins eng to the rest: champ is the single point of failure, the
    # champ–eng reporting line the bridge.
    assert [
        (p["person_id"], ids(p["cut_off"], "id")) for p in body["single_points_of_failure"]
    ] == [("champ", ["eng"])]
    [bridge] = body["bridges"]
    assert {bridge["from_id"], bridge["to_id"]} == {"champ", "eng"}
    assert bridge["relationship"] == "REPORTS_TO" and bridge["strength"] == 0.5
    # opp1 (opp0 is closed): champ engaged (champion), eng not (dark) → one engaged, no
    # engaged economic buyer.
    [opp] = body["opportunities"]
    assert opp["opportunity_id"] == "opp1"
    assert opp["risks"] == ["single_threaded", "no_engaged_economic_buyer"]
    # risk = 60 · (2 dark + ½ · 1 single) / 4 + 20 · 0 + 20 · 0 = 37.5
    assert body["risk"]["score"] == 37.5
    assert [(c["name"], c["weight"], c["points"]) for c in body["risk"]["components"]] == [
        ("key_exposure", 60.0, 37.5),
        ("our_side", 20.0, 0.0),
        ("their_side", 20.0, 0.0),
    ]


def test_an_account_without_stakeholders_is_explained(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = get_ok(client, "/v1/accounts/empty/threading", headers)
    assert body["key_stakeholders"] == [] and body["single_points_of_failure"] == []
    assert "The account has no active stakeholders." in body["notes"]
    assert body["our_side"]["level"] == "dark"
    # risk = 60 · 1 (no key stakeholder) + 20 · 1 + 20 · 1
    assert body["risk"]["score"] == 100.0
    health = get_ok(client, "/v1/accounts/empty/health", headers)
    # Only detractor exposure (no detractor: value 1, weight 10) scores.
    assert health["current"]["score"] == 10.0
    impact = get_ok(client, "/v1/people/t3/departure-impact", headers)
    assert impact["accounts"] == [] and impact["score"] == 0.0
    assert impact["notes"] == ["Ted Three is part of no account at this date."]


# -- departure impact -----------------------------------------------------------------


def test_departure_of_the_champion(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/v1/accounts/acme/departure-impact", json={"person_ids": ["champ"]}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert ids(body["active_ties_lost"], "team_member_id") == ["t1", "t2"]
    assert body["newly_dark"] == [] and body["newly_single_threaded"] == []
    # eng hung on champ only; cfo is still reached through t1 – vp – cfo.
    assert ids(body["newly_unreachable"]) == ["eng"]
    assert body["budgets_without_owner"] == []
    [opp] = body["opportunities_at_risk"]
    assert opp["opportunity_id"] == "opp1" and [r["role"] for r in opp["lost_roles"]] == [
        "champion"
    ]
    assert [r["role"] for r in body["account_roles_lost"]] == ["champion"]
    # cfo: 0.8 · 0.9 = 0.72 via champ, then 0.6 · 0.5 = 0.3 via vp; eng: 0.8 · 0.5 → 0.
    drops = {d["stakeholder_id"]: round(d["drop"], 9) for d in body["warm_path_drops"]}
    assert drops == {"cfo": 0.42, "eng": 0.4}
    # After: t2 has no tie left and drops out; {t1, vp, cfo, ceo, dir, det} and {eng}:
    # F = 1 − 6·5 / (7·6) = 2/7.
    assert body["fragmentation"]["before"]["value"] == 0.0
    assert body["fragmentation"]["after"]["value"] == pytest.approx(2 / 7)
    assert body["fragmentation"]["after"]["largest_component_sizes"] == [6, 1]
    points = {c["name"]: c["points"] for c in body["score_components"]}
    weights = {c["name"]: c["weight"] for c in body["score_components"]}
    assert weights == {
        "key_coverage": 25.0,
        "reachability": 15.0,
        "warm_paths": 15.0,
        "budget_authority": 15.0,
        "buying_roles": 15.0,
        "fragmentation": 10.0,
        "ties_lost": 5.0,
    }
    # K = 3 remaining keys (cfo, vp, eng): reachability 15 · 1/3; warm paths 15 · 0.82/3;
    # buying roles 15 · 2/4 (acme and opp1 champion of 4 slots); fragmentation 10 · 2/7;
    # ties lost 5 · 2/3.
    assert points["reachability"] == pytest.approx(5.0)
    assert points["warm_paths"] == pytest.approx(4.1)
    assert points["buying_roles"] == pytest.approx(7.5)
    assert points["fragmentation"] == pytest.approx(20 / 7)
    assert points["ties_lost"] == pytest.approx(10 / 3)
    assert points["key_coverage"] == 0.0 and points["budget_authority"] == 0.0
    assert body["score"] == pytest.approx(5 + 4.1 + 7.5 + 20 / 7 + 10 / 3)
    [action] = body["recommended_actions"]
    assert action["stakeholder_id"] == "eng" and action["exposures"] == ["newly_unreachable"]
    assert action["path"] is None and "Enid Engineer" in action["text"]


def test_reorg_of_two_stakeholders_leaves_a_budget_without_owner(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/accounts/acme/departure-impact",
        json={"person_ids": ["cfo", "vp"]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    gaps = {g["authority"]: g for g in body["budgets_without_owner"]}
    # b1 loses its owner (cfo) and its approver (vp); the nearest active manager up the
    # solid line: cfo → ceo (1 level), vp → cfo (leaving) → ceo (2 levels).
    assert gaps["owner"]["suggested_successor"] == {"id": "ceo", "name": "Cora CEO", "levels_up": 1}
    assert gaps["approver"]["suggested_successor"]["id"] == "ceo"
    assert gaps["approver"]["suggested_successor"]["levels_up"] == 2
    # The only key stakeholder who loses a tie is vp, who leaves: nobody is newly dark.
    assert body["newly_dark"] == []
    assert ids(body["active_ties_lost"]) == ["vp"]


def test_a_team_member_across_accounts(client: TestClient, headers: dict[str, str]) -> None:
    body = get_ok(client, "/v1/people/t1/departure-impact", headers)
    assert body["person"] == {"id": "t1", "name": "Tom One", "kind": "team_member"}
    assert [a["account"]["id"] for a in body["accounts"]] == ["beta", "acme"]
    # beta: bp newly dark (25), unreachable (15), warm path 0.7 → 0 (15 · 0.7), the only
    # tie lost (5): 55.5, the worst account.
    assert body["score"] == pytest.approx(55.5)
    assert body["score_account_id"] == "beta"
    assert sorted((d["account_id"], d["stakeholder_id"]) for d in body["newly_dark"]) == [
        ("acme", "vp"),
        ("beta", "bp"),
    ]
    # champ keeps t2: newly single-threaded, and t2 is who still covers them.
    [single] = body["newly_single_threaded"]
    assert single["stakeholder_id"] == "champ"
    assert single["remaining_team_members"] == [{"id": "t2", "name": "Tia Two"}]
    # vp is newly dark in acme; the best remaining warm path starts at t2 via champ:
    # t2 –0.5– champ –0.9– cfo –0.5– vp = 0.225.
    action = next(a for a in body["recommended_actions"] if a["stakeholder_id"] == "vp")
    assert action["team_member"] == {"id": "t2", "name": "Tia Two"}
    assert action["introducer"] == {"id": "cfo", "name": "Finn CFO"}
    assert action["path"]["strength"] == pytest.approx(0.225)
    assert action["text"].startswith("Tia Two should build a relationship with Vera VP")


def test_departure_errors(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/v1/accounts/acme/departure-impact",
        json={"person_ids": ["champ", "nobody", "bp"]},
        headers=headers,
    )
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    # bp exists, but in beta: not a person of acme either.
    assert [e["location"] for e in problem["errors"]] == [
        "body.person_ids[1]",
        "body.person_ids[2]",
    ]
    assert "nobody" in problem["detail"] and "bp" in problem["detail"]
    empty = client.post(
        "/v1/accounts/acme/departure-impact", json={"person_ids": []}, headers=headers
    )
    assert empty.status_code == 422
    unknown_account = client.post(
        "/v1/accounts/nope/departure-impact", json={"person_ids": ["x"]}, headers=headers
    )
    assert unknown_account.status_code == 404
    assert client.get("/v1/people/nobody/departure-impact", headers=headers).status_code == 404


# -- budget control, warm paths, power map, health ------------------------------------


def test_budget_control_now_and_before_the_reorg(
    client: TestClient, headers: dict[str, str], scene: Graph, settings: Settings
) -> None:
    seed(scene, settings, reorg=True)
    now = get_ok(client, "/v1/budgets/b1/control", headers)
    assert [c["stakeholder_id"] for c in now["controllers"]["owner"]] == ["cdo"]
    assert sorted(c["stakeholder_id"] for c in now["controllers"]["recommender"]) == ["cfo", "dir"]
    [chain] = now["escalation_chains"]
    assert [s["stakeholder_id"] for s in chain["steps"]] == ["ceo"]
    before = get_ok(client, "/v1/budgets/b1/control", headers, as_of=REORG_BEFORE)
    [owner] = before["controllers"]["owner"]
    assert owner["stakeholder_id"] == "cfo" and owner["coverage"]["level"] == "dark"
    # Our best way to the cfo: t1 → champ (0.8) → cfo (influence 0.9) = 0.72.
    path = owner["best_warm_path"]
    assert [h["to_id"] for h in path["hops"]] == ["champ", "cfo"]
    assert path["strength"] == pytest.approx(0.72) and path["introducer_id"] == "champ"
    # Influencers of the cfo ranked by strength × PageRank. Reversed for PageRank, the
    # cfo passes rank to champ (weight 0.9) and det (0.5), so champ also ranks higher.
    assert [i["stakeholder_id"] for i in owner["influencers"]] == ["champ", "det"]
    champ, det = owner["influencers"]
    assert champ["pagerank"] > det["pagerank"]
    assert champ["score"] == pytest.approx(0.9 * champ["pagerank"])
    assert det["score"] == pytest.approx(0.5 * det["pagerank"])
    [chain] = before["escalation_chains"]
    assert [s["stakeholder_id"] for s in chain["steps"]] == ["ceo"]
    assert client.get("/v1/budgets/nope/control", headers=headers).status_code == 404


def test_warm_paths(client: TestClient, headers: dict[str, str]) -> None:
    body = get_ok(client, "/v1/paths/warm", headers, to="cfo")
    # t1–champ–cfo 0.72, t2–champ–cfo 0.45, t1–vp–cfo 0.3.
    assert [round(p["strength"], 9) for p in body["paths"]] == [0.72, 0.45, 0.3]
    assert [p["team_member_id"] for p in body["paths"]] == ["t1", "t2", "t1"]
    only_t2 = get_ok(client, "/v1/paths/warm", headers, to="cfo", k=1, **{"from": "t2"})
    assert [[h["to_id"] for h in p["hops"]] for p in only_t2["paths"]] == [["champ", "cfo"]]
    # t3 exists but has nothing to do with acme: no path, explained.
    none = get_ok(client, "/v1/paths/warm", headers, to="cfo", **{"from": "t3"})
    assert none["paths"] == [] and none["notes"]
    assert client.get("/v1/paths/warm", headers=headers, params={"to": "nobody"}).status_code == 404
    assert client.get("/v1/paths/warm", headers=headers, params={"to": "t1"}).status_code == 404
    missing_from = client.get("/v1/paths/warm", headers=headers, params={"to": "cfo", "from": "x"})
    assert missing_from.status_code == 404
    # A stakeholder is not a team member a path could start from.
    not_a_team_member = client.get(
        "/v1/paths/warm", headers=headers, params={"to": "cfo", "from": "vp"}
    )
    assert not_a_team_member.status_code == 404
    assert (
        client.get("/v1/paths/warm", headers=headers, params={"to": "cfo", "k": 0}).status_code
        == 422
    )


def test_power_map_sorts(client: TestClient, headers: dict[str, str]) -> None:
    body = get_ok(client, "/v1/accounts/acme/power-map", headers, sort="stance", order="asc")
    # Stances: det −2, eng 0, cfo +1, champ +2; the others have none (last either way).
    assert [e["stakeholder_id"] for e in body["entries"]][:4] == ["det", "eng", "cfo", "champ"]
    by_coverage = get_ok(client, "/v1/accounts/acme/power-map", headers, sort="coverage")
    assert [(e["stakeholder_id"], e["coverage_count"]) for e in by_coverage["entries"][:2]] == [
        ("champ", 2),
        ("vp", 1),
    ]
    between = get_ok(client, "/v1/accounts/acme/power-map", headers, sort="betweenness")
    assert between["entries"][0]["betweenness"] > 0
    assert all(e["betweenness"] is not None for e in between["entries"])
    bad = client.get("/v1/accounts/acme/power-map", headers=headers, params={"sort": "height"})
    assert bad.status_code == 422


def test_health_now_and_at_as_of(
    client: TestClient, headers: dict[str, str], scene: Graph, settings: Settings
) -> None:
    seed(scene, settings, reorg=True)
    body = get_ok(client, "/v1/accounts/acme/health", headers, as_of=REORG_BEFORE)
    current, then = body["current"], body["at_as_of"]
    for report in (current, then):
        assert sum(c["points"] for c in report["components"]) == pytest.approx(report["score"])
        assert sum(c["weight"] for c in report["components"]) == 100.0
    # Before the reorg 4 key stakeholders; the cdo (owner since 2026-03-01) makes 5.
    assert then["key_stakeholder_count"] == 4 and current["key_stakeholder_count"] == 5
    assert [d["stakeholder_id"] for d in current["detractors"]] == ["det"]
    assert body["change"]["score_delta"] == pytest.approx(current["score"] - then["score"])
    assert get_ok(client, "/v1/accounts/acme/health", headers)["at_as_of"] is None


def test_portfolio_threading_pages(client: TestClient, headers: dict[str, str]) -> None:
    first = get_ok(client, "/v1/portfolio/threading", headers, limit=2)
    # empty: 100; acme: 37.5; beta: key bp single, one team member, one stakeholder:
    # 60 · ½ + 20 · ½ + 20 · ½ = 50.
    assert [(i["account"]["id"], i["risk"]) for i in first["items"]] == [
        ("empty", 100.0),
        ("beta", 50.0),
    ]
    second = get_ok(
        client, "/v1/portfolio/threading", headers, limit=2, cursor=first["next_cursor"]
    )
    assert [(i["account"]["id"], i["risk"]) for i in second["items"]] == [("acme", 37.5)]
    assert second["next_cursor"] is None
    acme = second["items"][0]
    assert sorted(acme["dark_key_stakeholder_ids"]) == ["cfo", "eng"]
    assert acme["single_threaded_key_stakeholders"] == [
        {"stakeholder_id": "vp", "team_member_id": "t1"}
    ]
    key = get_ok(client, "/v1/portfolio/threading", headers, tier="key")
    assert [i["account"]["id"] for i in key["items"]] == ["beta"]
    assert key["items"][0]["our_side"]["through_id"] == "t1"
    bad = client.get("/v1/portfolio/threading", headers=headers, params={"cursor": "xyz"})
    assert bad.status_code == 422


# -- access ---------------------------------------------------------------------------


def test_embed_token_on_the_side_panel_route(
    client: TestClient, scene: Graph, settings: Settings
) -> None:
    acme = embed_headers(settings, "acme")
    body = get_ok(client, "/v1/people/champ/departure-impact", acme, account_id="acme")
    assert body["score"] > 0 and body["recommended_actions"][0]["text"]
    # A team member of several accounts: only the token's account is analysed.
    t1 = get_ok(client, "/v1/people/t1/departure-impact", acme)
    assert [a["account"]["id"] for a in t1["accounts"]] == ["acme"]
    # A person of another account is refused.
    assert client.get("/v1/people/bp/departure-impact", headers=acme).status_code == 403
    # The other analytics routes are not open to embed tokens.
    for path in (
        "/v1/accounts/acme/threading",
        "/v1/accounts/acme/power-map",
        "/v1/portfolio/threading",
        "/v1/budgets/b1/control",
    ):
        assert client.get(path, headers=acme).status_code == 403, path


def test_scopes_and_credentials(client: TestClient, scene: Graph, auth_headers: KeyFactory) -> None:
    assert client.get("/v1/accounts/acme/threading").status_code == 401
    write_only = auth_headers("write")
    assert client.get("/v1/accounts/acme/threading", headers=write_only).status_code == 403


# -- the event loop stays free ---------------------------------------------------------


def test_a_slow_analysis_does_not_block_other_requests(
    client: TestClient,
    headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A departure impact held inside its analysis while /healthz is asked: if the route
    ran on the event loop, /healthz could not be answered until it was released."""
    inside = threading.Event()
    release = threading.Event()
    real: Callable[..., Any] = departure_use_case.departure_impact

    def held(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        inside.set()
        release.wait(timeout=60)
        return result

    monkeypatch.setattr(departure_use_case, "departure_impact", held)
    order: list[str] = []
    outcome: dict[str, int] = {}

    def slow() -> None:
        response = client.get("/v1/people/t1/departure-impact", headers=headers)
        outcome["departure"] = response.status_code
        order.append("departure")

    worker = threading.Thread(target=slow)
    worker.start()
    try:
        assert inside.wait(timeout=60), "the analysis never started"
        health = client.get("/healthz")
        order.append("healthz")
        assert health.status_code == 200
        assert worker.is_alive()  # still inside the analysis
    finally:
        release.set()
        worker.join(timeout=60)
    assert order == ["healthz", "departure"]
    assert outcome["departure"] == 200
