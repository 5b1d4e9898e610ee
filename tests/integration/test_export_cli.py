"""``powermap export`` on a small portfolio (tests/api/export_scene.py: Globex ``gx``,
strategic, and Other ``ox``, key; real Neo4j): every format parsed back with networkx,
the portfolio document being the accounts' documents put together; --account, --tier,
--as-of; bad options refused with nothing written."""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.graph.driver import Graph
from service.settings import Settings
from tests.api.export_scene import AFTER, BEFORE, seed
from tests.conftest import KeyFactory


@pytest.fixture
def portfolio(graph: Graph, settings: Settings) -> Graph:
    seed(graph, settings)
    return graph


def export(*args: str) -> str:
    result = CliRunner().invoke(cli, ["export", *args])
    assert result.exit_code == 0, result.output
    assert "exported" in result.stderr  # the summary goes to stderr, never into the file
    return result.stdout


def api_graph(client: TestClient, headers: dict[str, str], account: str, as_of: str) -> Any:
    response = client.get(f"/v1/accounts/{account}/graph", headers=headers, params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return response.json()


def merged(documents: list[Any]) -> tuple[dict[str, Any], dict[tuple[str, str, str], Any]]:
    """The accounts' node-link documents put together as the portfolio export promises:
    a team member once, their accounts merged, no betweenness when in several."""
    nodes: dict[str, Any] = {}
    edges: dict[tuple[str, str, str], Any] = {}
    for doc in documents:
        for node in doc["nodes"]:
            props = {k: v for k, v in node.items() if k != "id"}
            held = nodes.get(node["id"])
            if held is None:
                nodes[node["id"]] = props
            else:
                assert props["kind"] == "team_member"
                held["accounts"] += props["accounts"]
                held["covered_accounts"] += props["covered_accounts"]
                held["betweenness"] = None
        for edge in doc["edges"]:
            key = (edge["source"], edge["target"], edge["key"])
            assert key not in edges
            edges[key] = {k: v for k, v in edge.items() if k not in ("source", "target", "key")}
    return nodes, edges


def flat(props: dict[str, Any]) -> dict[str, Any]:
    return {k: ";".join(v) if isinstance(v, list) else v for k, v in props.items() if v is not None}


@pytest.mark.parametrize("as_of", [BEFORE, AFTER])
def test_json_portfolio_is_the_accounts_documents_put_together(
    client: TestClient, portfolio: Graph, auth_headers: KeyFactory, as_of: str
) -> None:
    headers = auth_headers("read")
    doc = json.loads(export("--format", "json", "--as-of", as_of))
    g = nx.node_link_graph(doc, edges="edges")
    assert g.graph == {"as_of": as_of, "active_tie_threshold": 0.2}
    nodes, edges = merged([api_graph(client, headers, a, as_of) for a in ("gx", "ox")])
    assert dict(g.nodes(data=True)) == nodes
    assert {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)} == edges
    # tA knows people at both accounts: one node, both accounts, no single betweenness.
    assert nodes["tA"]["accounts"] == ["gx", "ox"] and nodes["tA"]["betweenness"] is None
    assert nodes["tC"]["accounts"] == ["ox"] and nodes["tC"]["betweenness"] is not None
    assert ("gone" in g) == (as_of == BEFORE)
    assert g.has_edge("mgr", "eng", key="influences") == (as_of == BEFORE)


def test_graphml_and_gexf_portfolios_read_back_with_networkx(
    client: TestClient, portfolio: Graph, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    nodes, edges = merged([api_graph(client, headers, a, AFTER) for a in ("gx", "ox")])
    graphml = nx.read_graphml(io.StringIO(export("-f", "graphml", "--as-of", AFTER)))
    assert dict(graphml.nodes(data=True)) == {n: flat(p) for n, p in nodes.items()}
    # networkx keys a GraphML edge by its id, source|key|target.
    assert {(u, v, k): d for u, v, k, d in graphml.edges(keys=True, data=True)} == {
        (u, v, f"{u}|{k}|{v}"): flat(p) for (u, v, k), p in edges.items()
    }
    assert graphml.graph["as_of"] == AFTER and "account_id" not in graphml.graph
    gexf = nx.read_gexf(io.BytesIO(export("-f", "gexf", "--as-of", AFTER).encode()))
    assert {n: {k: v for k, v in d.items() if k != "label"} for n, d in gexf.nodes(data=True)} == {
        n: flat(p) for n, p in nodes.items()
    }
    assert gexf.number_of_edges() == len(edges)


def test_one_account_is_the_route_s_document_byte_for_byte(
    client: TestClient, portfolio: Graph, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    for fmt in ("json", "graphml", "gexf", "cytoscape"):
        response = client.get(
            "/v1/accounts/gx/graph", headers=headers, params={"format": fmt, "as_of": BEFORE}
        )
        assert export("--account", "gx", "--as-of", BEFORE, "-f", fmt) == response.text, fmt


def test_tier_keeps_that_tier_s_accounts(portfolio: Graph) -> None:
    doc = json.loads(export("--tier", "key", "--as-of", AFTER))
    assert doc["graph"] == {"tier": "key", "as_of": AFTER, "active_tie_threshold": 0.2}
    assert {n["id"] for n in doc["nodes"]} == {"ox", "out", "tA", "tC"}
    assert {(e["source"], e["target"]) for e in doc["edges"]} == {("tA", "out"), ("tC", "out")}
    assert json.loads(export("--tier", "standard"))["nodes"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "nope"], "no account with id 'nope'"),
        (["--tier", "gold"], "--tier is one of"),
        (["--format", "xml"], "--format is one of"),
        (["--account", "gx", "--tier", "key"], "not both"),
        (["--as-of", "2026-02-30"], "--as-of '2026-02-30'"),
        (["--account", "gx", "--as-of", "30/01/2026"], "--as-of '30/01/2026'"),
        (["--account", "no spaces"], "--account 'no spaces'"),
    ],
)
def test_bad_options_are_refused_with_nothing_written(
    portfolio: Graph, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["export", *args])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_edges_spooled_to_disk_give_the_same_document(
    portfolio: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past SPOOL_MEMORY_BYTES the edges wait in a temporary file: same bytes out."""
    from service.domain.export import formats

    in_memory = export("-f", "gexf", "--as-of", BEFORE)
    rolled: list[bool] = []
    real = formats.tempfile.SpooledTemporaryFile

    def spy(*args: Any, **kwargs: Any) -> Any:
        spool = real(*args, **kwargs)
        original = spool.close

        def close() -> None:
            rolled.append(bool(spool._rolled))
            original()

        spool.close = close  # type: ignore[method-assign]
        return spool

    monkeypatch.setattr(formats, "SPOOL_MEMORY_BYTES", 64)
    monkeypatch.setattr(formats.tempfile, "SpooledTemporaryFile", spy)
    assert export("-f", "gexf", "--as-of", BEFORE) == in_memory
    assert rolled == [True]


@pytest.mark.parametrize(
    ("fmt", "node", "edge"),
    [
        ("graphml", "<node ", "<edge "),
        ("gexf", "<node ", "<edge "),
        ("json", '{"id":', '{"source":'),
    ],
)
def test_one_node_or_edge_per_line(portfolio: Graph, fmt: str, node: str, edge: str) -> None:
    """bench/export.py counts what was written line by line (GraphML's first node once
    shared the graph's data line and went uncounted)."""
    doc = json.loads(export("-f", "json", "--as-of", BEFORE))
    lines = export("-f", fmt, "--as-of", BEFORE).splitlines()
    assert sum(line.startswith(node) for line in lines) == len(doc["nodes"])
    assert sum(line.startswith(edge) for line in lines) == len(doc["edges"])
