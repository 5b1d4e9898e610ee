"""Shared fixtures: a real Neo4j for every test that needs one, and no stand-ins.

The server is the one `make test` started (its credentials are in the env file), or
the one named by ``NEO4J_URI``, or — where a Docker engine exists and
``POWERMAP_TEST_TESTCONTAINERS=1`` — a throwaway ``neo4j:5.26-community`` container.
A test that needs Neo4j and cannot reach it fails loudly; it never skips.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j.exceptions import AuthError, ServiceUnavailable

from service.api.app import create_app
from service.domain.access import Scope, create_key
from service.graph import migrations
from service.graph.check import check_graph
from service.graph.driver import Graph, create_driver
from service.settings import Settings, load_settings
from tests.api.analytics_scene import seed

CLEAN_GRAPH = """
MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
"""
#: The suite's settings on top of the environment's. The cache's background refresh is
#: off: tests that count cache hits must not race it; tests/integration/
#: test_account_refresh.py drives it directly and turns it on for one app. The alerts
#: evaluator's and the webhook deliverer's threads are off too
#: (tests/integration/test_alert_conditions.py and test_webhook_delivery.py drive them,
#: and turn them on for one app).
TEST_SETTINGS = {
    "environment": "test",
    "analytics_refresh_interval_s": 0.0,
    "alerts_evaluation_interval_s": 0.0,
    "alerts_delivery_interval_s": 0.0,
}


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    if os.environ.get("POWERMAP_TEST_TESTCONTAINERS") == "1":
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community") as container:
            os.environ["NEO4J_URI"] = container.get_connection_url()
            os.environ["NEO4J_USER"] = "neo4j"
            os.environ["NEO4J_PASSWORD"] = container.password
            yield load_settings().model_copy(update=TEST_SETTINGS)
        return
    yield load_settings().model_copy(update=TEST_SETTINGS)


@pytest.fixture(scope="session")
def neo4j(settings: Settings) -> Iterator[Graph]:
    """The session's handle on the test database (migrated), as the app builds one."""
    drv = create_driver(settings)
    try:
        drv.verify_connectivity()
    except (ServiceUnavailable, AuthError, OSError) as exc:
        drv.close()
        pytest.fail(
            f"Neo4j is required and not reachable at {settings.neo4j_uri}: {exc}. "
            "Run `make neo4j` (or set NEO4J_URI).",
            pytrace=False,
        )
    handle = Graph(drv, settings.neo4j_database)
    migrations.migrate(handle, settings.migrations_dir)
    yield handle
    drv.close()


def _clean(graph: Graph) -> None:
    with graph.driver.session(database=graph.database) as session:
        # CALL {} IN TRANSACTIONS must run in an auto-commit transaction.
        session.run(CLEAN_GRAPH).consume()


#: Marks a test that leaves a graph breaking the invariants on purpose (it tests the
#: check itself): the ``graph`` fixture then does not check the graph it leaves.
BROKEN_GRAPH_MARKER = "broken_graph"


def assert_graph_clean(graph: Graph) -> None:
    """Fail the test if the graph breaks any invariant of docs/graph-conventions.md
    (what `powermap check` verifies)."""
    violations = check_graph(graph, limit=10)
    if violations:
        listed = "\n  ".join(str(v) for v in violations[:30])
        pytest.fail(f"the test left a graph that breaks its invariants:\n  {listed}")


@pytest.fixture
def graph(request: pytest.FixtureRequest, neo4j: Graph) -> Iterator[Graph]:
    """The handle on an empty graph (migrations kept); emptied again afterwards. Before
    emptying it, the graph the test left is checked (`powermap check`): a test that
    writes must leave every invariant true, unless marked ``broken_graph``."""
    _clean(neo4j)
    yield neo4j
    try:
        if request.node.get_closest_marker(BROKEN_GRAPH_MARKER) is None:
            assert_graph_clean(neo4j)
    finally:
        _clean(neo4j)


@pytest.fixture
def scene(graph: Graph, settings: Settings) -> Graph:
    """The analytics scene (tests/api/analytics_scene.py) on an empty graph."""
    seed(graph, settings)
    return graph


@pytest.fixture
def client(graph: Graph, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


KeyFactory = Callable[..., dict[str, str]]


@pytest.fixture
def auth_headers(graph: Graph, settings: Settings) -> KeyFactory:
    """Make a real API key with the given scopes and return its Authorization header."""

    def make(*scopes: str) -> dict[str, str]:
        created = create_key(graph, "test", [Scope(s) for s in scopes or ("read",)])
        return {"Authorization": f"Bearer {created.secret}"}

    return make
