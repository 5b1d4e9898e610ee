"""The hot reads through the async driver (``settings.async_reads``, issue 13).

One stakeholder, one account and a cached threading answer are read on the event loop
through :class:`service.graph.driver.AsyncGraph`; with ``async_reads`` off the same
routes use the sync driver in the thread pool. Both must give the same answers, the
same problems and the same round trips; a driver failure on the async path is
translated by the one translation (service/graph/errors.py) and trips the breaker the
sync path shares.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.api.app import create_app
from service.domain import embed_tokens
from service.domain.errors import DatabaseUnavailable
from service.graph import reads
from service.graph.breaker import breaker_of
from service.graph.driver import AsyncGraph, Graph
from service.graph.graph_version import current_graph_version, current_graph_version_async
from service.settings import Settings
from tests.api.test_request_round_trips import logged, quiet
from tests.conftest import KeyFactory

PATHS = [
    "/v1/stakeholders/cfo",
    "/v1/stakeholders/cfo?as_of=2020-01-01",
    "/v1/stakeholders/nobody",
    "/v1/accounts/acme",
    "/v1/accounts/nowhere",
    "/v1/accounts/acme/threading",
    "/v1/accounts/nowhere/threading",
]


def answers(settings: Settings, headers: dict[str, str]) -> dict[str, tuple[int, Any]]:
    with TestClient(create_app(settings)) as client:
        out = {}
        for path in PATHS:
            response = client.get(path, headers=headers)
            body = response.json()
            if response.status_code >= 400:
                body.pop("request_id", None)
                body.pop("instance", None)
            out[path] = (response.status_code, body)
        return out


def test_the_async_and_the_sync_reads_answer_alike(
    scene: Graph, settings: Settings, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("read")
    on = answers(settings.model_copy(update={"async_reads": True}), headers)
    off = answers(settings.model_copy(update={"async_reads": False}), headers)
    assert on == off
    assert [on[p][0] for p in PATHS] == [200, 200, 404, 200, 404, 200, 404]
    assert on["/v1/accounts/nowhere"][1]["type"].endswith("not-found")


def test_an_embed_tokens_scope_holds_on_the_async_path(scene: Graph, settings: Settings) -> None:
    own = {"Authorization": f"Bearer {embed_tokens.mint(settings, 'acme').token}"}
    other = {"Authorization": f"Bearer {embed_tokens.mint(settings, 'other').token}"}
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/stakeholders/cfo", headers=own).status_code == 200
        assert client.get("/v1/accounts/acme", headers=own).status_code == 200
        # Not a route of the widget's: refused before anything is read.
        assert client.get("/v1/accounts/acme/threading", headers=own).status_code == 403
        assert client.get("/v1/stakeholders/cfo", headers=other).status_code == 403
        assert client.get("/v1/accounts/acme", headers=other).status_code == 403


@pytest.mark.parametrize("async_reads", [True, False])
def test_a_warm_read_is_one_round_trip_either_way(
    scene: Graph, settings: Settings, auth_headers: KeyFactory, async_reads: bool
) -> None:
    headers = auth_headers("read")
    quiet(scene)
    with TestClient(create_app(settings.model_copy(update={"async_reads": async_reads}))) as c:
        for path in ("/v1/stakeholders/cfo", "/v1/accounts/acme", "/v1/accounts/acme/threading"):
            assert logged(c, path, headers)[0].status_code == 200
            response, line = logged(c, path, headers)
            assert response.status_code == 200
            assert line["db_transactions"] == 1, path


def test_the_async_version_is_the_sync_version(scene: Graph, settings: Settings) -> None:
    async def read() -> tuple[str, dict[str, Any] | None]:
        async_graph = AsyncGraph.connect(settings, scene)
        try:
            return (
                await current_graph_version_async(async_graph),
                await reads.account_async(async_graph, "acme"),
            )
        finally:
            await async_graph.close()

    quiet(scene)
    version, account = asyncio.run(read())
    assert version == current_graph_version(scene)
    assert account == reads.account(scene, "acme")


def test_an_unreachable_server_on_the_async_path_is_a_503_and_trips_the_shared_breaker(
    settings: Settings,
) -> None:
    """Regression guard: the async path translates through service/graph/errors.py and
    shares the sync driver's breaker, so either path finding Neo4j gone fails both fast."""
    down = settings.model_copy(
        update={"neo4j_uri": "bolt://127.0.0.1:9", "neo4j_password": SecretStr("x")}
    )

    async def read(graph: Graph) -> None:
        async_graph = AsyncGraph.connect(down, graph)
        try:
            await reads.account_async(async_graph, "acme")
        finally:
            await async_graph.close()

    with Graph.connect(down) as graph:
        breaker = breaker_of(graph.driver)
        assert not breaker.down
        with pytest.raises(DatabaseUnavailable):
            asyncio.run(read(graph))
        assert breaker.is_open
        with pytest.raises(DatabaseUnavailable, match="unreachable for"):
            graph.read("RETURN 1")  # the sync path fails at once, from the breaker
