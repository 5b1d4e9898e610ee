"""Every deliberate weak spot of the demo portfolio is found by the right analytics route.

The demo is seeded once for the module through the real ingest path
(:func:`service.demo.seed.seed_demo`); the ids come from ``WEAK_SPOTS`` and the
module docstring of :mod:`service.demo.portfolio`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api.app import create_app
from service.demo.portfolio import WEAK_SPOTS, build_demo_portfolio
from service.demo.seed import seed_demo
from service.domain import embed_tokens
from service.domain.access import Scope, create_key
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import _clean, assert_graph_clean

W = WEAK_SPOTS
TODAY = build_demo_portfolio().today


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def demo(neo4j: Graph, settings: Settings) -> Iterator[tuple[TestClient, dict[str, str]]]:
    _clean(neo4j)
    seed_demo(neo4j, settings)
    key = create_key(neo4j, "analytics-demo", [Scope.READ])
    with TestClient(create_app(settings)) as client:
        yield client, {"Authorization": f"Bearer {key.secret}"}
    try:
        assert_graph_clean(neo4j)
    finally:
        _clean(neo4j)


def get(demo: tuple[TestClient, dict[str, str]], path: str, **params: Any) -> Any:
    client, headers = demo
    response = client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_single_threaded_strategic_account(demo: tuple[TestClient, dict[str, str]]) -> None:
    body = get(demo, f"/v1/accounts/{W.single_threaded_account}/threading")
    assert body["our_side"]["level"] == "single"
    assert body["our_side"]["through_id"] == W.single_thread_team_member
    # No key stakeholder is multi-threaded: each hangs on Ava or on nobody.
    assert body["key_coverage_counts"]["multi"] == 0
    for key in body["key_stakeholders"]:
        assert [t["team_member_id"] for t in key["coverage"]["ties"]] in (
            [],
            [W.single_thread_team_member],
        )
    # The portfolio ranks the strategic account with the same verdict.
    page = get(demo, "/v1/portfolio/threading", tier="strategic")
    [acme] = page["items"]
    assert acme["account"]["id"] == W.single_threaded_account
    assert acme["our_side"]["through_id"] == W.single_thread_team_member
    assert acme["risk"] == body["risk"]["score"]
    # Ava leaving cuts the team off from every key stakeholder of the account.
    impact = get(demo, f"/v1/people/{W.single_thread_team_member}/departure-impact")
    [account] = impact["accounts"]
    keys = {k["stakeholder_id"] for k in body["key_stakeholders"] if k["reachable"]}
    assert {u["stakeholder_id"] for u in account["newly_unreachable"]} == keys


def test_champion_who_left(demo: tuple[TestClient, dict[str, str]]) -> None:
    before = days_ago(W.left_days_ago + 5)
    then = get(demo, f"/v1/accounts/{W.left_champion_account}/threading", as_of=before)
    [champ] = [k for k in then["key_stakeholders"] if k["stakeholder_id"] == W.left_champion]
    assert champ["coverage"]["level"] == "multi"
    opp_then = next(
        o for o in then["opportunities"] if o["opportunity_id"] == W.left_champion_opportunity
    )
    assert [c["id"] for c in opp_then["engaged_champions"]] == [W.left_champion]
    now = get(demo, f"/v1/accounts/{W.left_champion_account}/threading")
    assert W.left_champion not in {k["stakeholder_id"] for k in now["key_stakeholders"]}
    opp_now = next(
        o for o in now["opportunities"] if o["opportunity_id"] == W.left_champion_opportunity
    )
    assert "no_engaged_champion" in opp_now["risks"]
    # What their departure meant, asked as of before it happened.
    impact = get(demo, f"/v1/people/{W.left_champion}/departure-impact", as_of=before)
    at_risk = {o["opportunity_id"]: o for o in impact["opportunities_at_risk"]}
    assert [r["role"] for r in at_risk[W.left_champion_opportunity]["lost_roles"]] == ["champion"]
    assert len(impact["active_ties_lost"]) >= 2
    # Asked today, the person has gone: nothing left to lose, and it says so.
    gone = get(demo, f"/v1/people/{W.left_champion}/departure-impact")
    assert gone["score"] == 0.0 and gone["active_ties_lost"] == []
    assert any(W.left_champion in note for note in gone["notes"])


def test_dark_economic_buyer(demo: tuple[TestClient, dict[str, str]]) -> None:
    body = get(demo, f"/v1/accounts/{W.dark_economic_buyer_account}/threading")
    [cfo] = [k for k in body["key_stakeholders"] if k["stakeholder_id"] == W.dark_economic_buyer]
    assert cfo["coverage"] == {"level": "dark", "count": 0, "ties": []}
    assert {r["value"] for r in cfo["reasons"]} >= {"economic_buyer", "owner"}
    control = get(demo, "/v1/budgets/northwind-bud-cloud/control")
    [owner] = control["controllers"]["owner"]
    assert owner["stakeholder_id"] == W.dark_economic_buyer
    assert owner["coverage"]["level"] == "dark"
    health = get(demo, f"/v1/accounts/{W.dark_economic_buyer_account}/health")
    [buyer] = [r for r in health["current"]["roles"] if r["role"] == "economic_buyer"]
    assert W.dark_economic_buyer in {h["id"] for h in buyer["holders"]}
    assert W.dark_economic_buyer not in {h["id"] for h in buyer["engaged_holders"]}


def test_reorg_visible_with_as_of(demo: tuple[TestClient, dict[str, str]]) -> None:
    path = f"/v1/budgets/{W.reorg_budget}/control"
    now = get(demo, path)
    assert [o["stakeholder_id"] for o in now["controllers"]["owner"]] == [W.reorg_new_manager]
    assert W.reorg_previous_manager in {
        r["stakeholder_id"] for r in now["controllers"]["recommender"]
    }
    before = get(demo, path, as_of=days_ago(180))
    assert [o["stakeholder_id"] for o in before["controllers"]["owner"]] == [
        W.reorg_previous_manager
    ]
    # The CDO did not exist then: not in the power map of six months ago.
    then_map = get(demo, f"/v1/accounts/{W.reorg_account}/power-map", as_of=days_ago(180))
    assert W.reorg_new_manager not in {e["stakeholder_id"] for e in then_map["entries"]}
    now_map = get(demo, f"/v1/accounts/{W.reorg_account}/power-map")
    assert W.reorg_new_manager in {e["stakeholder_id"] for e in now_map["entries"]}
    # Health compares now with then; every component is explained both times.
    health = get(demo, f"/v1/accounts/{W.reorg_account}/health", as_of=days_ago(180))
    assert health["at_as_of"]["as_of"] == days_ago(180)
    assert {c["name"] for c in health["at_as_of"]["components"]} == {
        c["name"] for c in health["current"]["components"]
    }


def test_influential_detractor(demo: tuple[TestClient, dict[str, str]]) -> None:
    account = W.influential_detractor_account
    health = get(demo, f"/v1/accounts/{account}/health")
    assert health["current"]["detractors"][0]["stakeholder_id"] == W.influential_detractor
    exposure = next(c for c in health["current"]["components"] if c["name"] == "detractor_exposure")
    assert exposure["value"] < 1.0 and exposure["weight"] == 10.0
    power = get(demo, f"/v1/accounts/{account}/power-map", sort="stance", order="asc")
    detractor = power["entries"][0]
    assert detractor["stakeholder_id"] == W.influential_detractor
    assert detractor["stance"] == -2
    # The most influential negative voice: above every other stakeholder with a stance < 0.
    negative = [e for e in power["entries"] if e["stance"] is not None and e["stance"] < 0]
    assert max(negative, key=lambda e: e["pagerank"])["stakeholder_id"] == W.influential_detractor
    by_rank = get(demo, f"/v1/accounts/{account}/power-map", sort="pagerank")
    top = [e["stakeholder_id"] for e in by_rank["entries"][:5]]
    assert W.influential_detractor in top


def test_mover_between_accounts(demo: tuple[TestClient, dict[str, str]]) -> None:
    impact = get(demo, f"/v1/people/{W.mover}/departure-impact")
    assert [a["account"]["id"] for a in impact["accounts"]] == [W.mover_to]
    before = get(demo, f"/v1/people/{W.mover}/departure-impact", as_of=days_ago(200))
    assert [a["account"]["id"] for a in before["accounts"]] == [W.mover_from]
    paths = get(demo, "/v1/paths/warm", to=W.mover)
    assert paths["account"]["id"] == W.mover_to
    assert paths["paths"][0]["team_member_id"] == "tm-dev"


def test_budget_reachable_only_through_one_champion(
    demo: tuple[TestClient, dict[str, str]],
) -> None:
    control = get(demo, f"/v1/budgets/{W.lone_owner_budget}/control")
    [owner] = control["controllers"]["owner"]
    assert owner["stakeholder_id"] == W.lone_owner
    assert owner["coverage"]["level"] == "dark"
    assert owner["best_warm_path"]["introducer_id"] == W.lone_owner_gateway_champion
    threading = get(demo, f"/v1/accounts/{W.single_threaded_account}/threading")
    cuts = {
        p["person_id"]: {c["id"] for c in p["cut_off"]}
        for p in threading["single_points_of_failure"]
    }
    assert W.lone_owner in cuts[W.lone_owner_gateway_champion]
    client, headers = demo
    response = client.post(
        f"/v1/accounts/{W.single_threaded_account}/departure-impact",
        json={"person_ids": [W.lone_owner_gateway_champion]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    impact = response.json()
    assert W.lone_owner in {u["stakeholder_id"] for u in impact["newly_unreachable"]}
    drop = next(d for d in impact["warm_path_drops"] if d["stakeholder_id"] == W.lone_owner)
    assert drop["after"] == 0.0 and drop["before"] == owner["best_warm_path"]["strength"]


def test_widget_side_panel_with_an_embed_token(
    demo: tuple[TestClient, dict[str, str]], settings: Settings
) -> None:
    client, _ = demo
    token = embed_tokens.mint(settings, W.single_threaded_account).token
    headers = {"Authorization": f"Bearer {token}"}
    ok = client.get(
        f"/v1/people/{W.lone_owner_gateway_champion}/departure-impact",
        headers=headers,
        params={"account_id": W.single_threaded_account},
    )
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["score"] > 0
    assert all(a["text"] for a in body["recommended_actions"])
    refused = client.get(f"/v1/people/{W.dark_economic_buyer}/departure-impact", headers=headers)
    assert refused.status_code == 403
