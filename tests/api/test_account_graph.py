"""GET /v1/accounts/{id}/graph on the hand-built account of ``export_scene`` (real Neo4j,
written through the ingest path): every node, edge and property, read back with
networkx, as of two dates; its problems; embed tokens."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from service.domain import embed_tokens
from service.graph.driver import Graph
from service.settings import Settings
from tests.api.export_scene import AFTER, BEFORE, expected_edges, expected_nodes, seed
from tests.conftest import KeyFactory

PATH = "/v1/accounts/gx/graph"


@pytest.fixture
def gx(graph: Graph, settings: Settings) -> Graph:
    seed(graph, settings)
    return graph


@pytest.fixture
def headers(gx: Graph, auth_headers: KeyFactory) -> dict[str, str]:
    return auth_headers("read")


def get_json(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(PATH, headers=headers, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def engagement_betweenness(as_of: str) -> dict[str, float]:
    """docs/definitions.md "Engagement graph", built here from the expected edges, and
    networkx's normalised betweenness on it (the reference the analytics are tested on)."""
    g = nx.Graph()
    for (u, v, _), props in expected_edges(as_of).items():
        if props["kind"] in ("reports_to", "influences") or props.get("active"):
            g.add_edge(u, v)
    return dict(nx.betweenness_centrality(g, normalized=True))


def with_analytics(
    client: TestClient, headers: dict[str, str], as_of: str
) -> dict[str, dict[str, Any]]:
    """The expected nodes with the power map's numbers (the export must reuse them)."""
    nodes = expected_nodes(as_of)
    power = client.get("/v1/accounts/gx/power-map", headers=headers, params={"as_of": as_of})
    assert power.status_code == 200, power.text
    entries = power.json()["entries"]
    assert sorted(e["stakeholder_id"] for e in entries) == sorted(
        n for n, p in nodes.items() if p["kind"] == "stakeholder"
    )
    for e in entries:
        nodes[e["stakeholder_id"]].update(
            pagerank=e["pagerank"],
            betweenness=e["betweenness"],
            best_warm_path_strength=e["best_warm_path_strength"],
        )
        assert nodes[e["stakeholder_id"]]["coverage_count"] == e["coverage_count"]
    nodes["tA"]["betweenness"] = engagement_betweenness(as_of)["tA"]
    return nodes


@pytest.mark.parametrize("as_of", [BEFORE, AFTER])
def test_json_reads_back_with_networkx_node_for_node_and_edge_for_edge(
    client: TestClient, headers: dict[str, str], as_of: str
) -> None:
    body = get_json(client, headers, as_of=as_of)
    g = nx.node_link_graph(body, edges="edges")
    assert isinstance(g, nx.MultiDiGraph)
    assert g.graph == {
        "account_id": "gx",
        "account_name": "Globex",
        "tier": "strategic",
        "as_of": as_of,
        "active_tie_threshold": 0.2,
    }
    assert dict(g.nodes(data=True)) == with_analytics(client, headers, as_of)
    edges = {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)}
    assert edges == expected_edges(as_of)
    # Every edge's ends are nodes of the document (nothing implied by an edge alone).
    listed = {n["id"] for n in body["nodes"]}
    assert {e["source"] for e in body["edges"]} | {e["target"] for e in body["edges"]} <= listed
    assert len(body["nodes"]) == len(listed)


def test_the_analytics_numbers_are_the_definitions(
    client: TestClient, headers: dict[str, str]
) -> None:
    """Independent of the power map: coverage by hand, betweenness by networkx."""
    nodes = {n["id"]: n for n in get_json(client, headers, as_of=AFTER)["nodes"]}
    reference = engagement_betweenness(AFTER)
    for person in ("boss", "mgr", "eng", "tA"):
        assert nodes[person]["betweenness"] == pytest.approx(reference[person])
    # boss sits between tA and everyone else; tA is a leaf.
    assert nodes["boss"]["betweenness"] == pytest.approx(2 / 3)
    assert nodes["tA"]["betweenness"] == 0.0
    # Warm paths from tA: boss 0.8; mgr over the solid line 0.8 · 0.5; eng over the
    # influence (0.7 beats the dotted line's 0.5).
    assert nodes["boss"]["best_warm_path_strength"] == pytest.approx(0.8)
    assert nodes["mgr"]["best_warm_path_strength"] == pytest.approx(0.4)
    assert nodes["eng"]["best_warm_path_strength"] == pytest.approx(0.56)
    # PageRank of influence, reversed: eng influences boss, so eng ranks first.
    assert nodes["eng"]["pagerank"] > nodes["boss"]["pagerank"]
    assert nodes["eng"]["pagerank"] > nodes["mgr"]["pagerank"]
    assert sum(nodes[p]["pagerank"] for p in ("boss", "mgr", "eng")) == pytest.approx(1.0)


def test_as_of_drops_the_ended_edge_and_the_person_who_left(
    client: TestClient, headers: dict[str, str]
) -> None:
    before = nx.node_link_graph(get_json(client, headers, as_of=BEFORE), edges="edges")
    after = nx.node_link_graph(get_json(client, headers, as_of=AFTER), edges="edges")
    assert "gone" in before and "gone" not in after
    assert before.has_edge("mgr", "eng", key="influences")
    assert not after.has_edge("mgr", "eng", key="influences")
    # The other account's person and the edges into and out of it are never there.
    assert "out" not in before and "out" not in after and "tC" not in after
    # Before anyone worked there: no people and no edges (budgets and opportunities
    # have no history in the model, so they are there).
    empty = get_json(client, headers, as_of="2025-06-30")
    assert [n["id"] for n in empty["nodes"]] == ["gx", "bud", "op"] and empty["edges"] == []


def test_format_defaults_to_json_and_as_of_to_today(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = get_json(client, headers)
    assert body["directed"] is True and body["multigraph"] is True
    assert body["graph"]["as_of"] > AFTER
    assert "gone" not in {n["id"] for n in body["nodes"]}


def test_unknown_account_is_404_problem(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/v1/accounts/nope/graph", headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "nope" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "location"),
    [({"format": "xml"}, "query.format"), ({"as_of": "2026-13-01"}, "query.as_of")],
)
def test_bad_format_or_date_is_422_naming_it(
    client: TestClient, headers: dict[str, str], params: dict[str, str], location: str
) -> None:
    response = client.get(PATH, headers=headers, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["location"] for e in response.json()["errors"]] == [location]


def test_embed_token_reads_its_own_account_only(
    client: TestClient, gx: Graph, settings: Settings
) -> None:
    own = {"Authorization": f"Bearer {embed_tokens.mint(settings, 'gx').token}"}
    other = {"Authorization": f"Bearer {embed_tokens.mint(settings, 'ox').token}"}
    response = client.get(PATH, headers=own, params={"as_of": AFTER})
    assert response.status_code == 200, response.text
    assert {n["id"] for n in response.json()["nodes"]} == set(expected_nodes(AFTER))
    refused = client.get(PATH, headers=other)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    # And the other account's own graph is open to its token.
    assert client.get("/v1/accounts/ox/graph", headers=other).status_code == 200


def test_no_credential_is_401(client: TestClient, gx: Graph) -> None:
    assert client.get(PATH).status_code == 401
