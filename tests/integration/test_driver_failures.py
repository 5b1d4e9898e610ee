"""Issue 9 items 4–6: every driver error leaves the graph layer as a service error with a
fitting status (translated once, service/graph/errors.py); a request past its deadline is
stopped and rolled back on the server; transaction memory is capped, so an analyst query
that would take too much gets a clear 4xx and the server stays up."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j.exceptions import ConstraintError, Neo4jError

from service import local_neo4j
from service.api.app import create_app
from service.domain.errors import (
    Conflict,
    DatabaseFailure,
    DeadlineExceeded,
    InvalidInput,
    PowermapError,
)
from service.graph import deadline
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.test_ingest_support import people

PROBLEM = "application/problem+json"
IN_TRANSACTIONS = "CALL { RETURN 1 AS x } IN TRANSACTIONS RETURN x"
GREEDY = "UNWIND range(1, 100000000) AS x RETURN collect(x) AS xs"
#: A write that would take long: it creates a node, then counts to 3e8.
SLOW_WRITE = """
CREATE (:DeadlineProbe)
WITH 1 AS one UNWIND range(1, 300000000) AS x WITH x WHERE x < 0
RETURN count(*) AS n
"""


def _probes(graph: Graph, settings: Settings) -> int:
    rows = graph.read("MATCH (n:DeadlineProbe) RETURN count(n) AS n")
    return int(rows[0]["n"])


# -- item 4: one translation, a fitting status ------------------------------------------


def test_adhoc_call_in_transactions_is_a_4xx_problem(
    client: TestClient, auth_headers: KeyFactory
) -> None:
    """It plans as a read, then Neo4j raises TransactionStartFailed (a DatabaseError)."""
    response = client.post(
        "/v1/queries/adhoc", headers=auth_headers("query:adhoc"), json={"cypher": IN_TRANSACTIONS}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "IN TRANSACTIONS" in response.json()["detail"]


@pytest.mark.parametrize(
    ("cypher", "params", "expected", "status"),
    [
        # The service's own Cypher being refused is a bug: 500, cause logged, not shown.
        ("RETURN nonsense(", {}, DatabaseFailure, 500),
        ("RETURN toInteger($n) % 0 AS n", {"n": 1}, InvalidInput, 422),
        ("RETURN date($day) AS d", {"day": "2026-13-45"}, InvalidInput, 422),
    ],
)
def test_driver_errors_leave_the_graph_layer_translated(
    graph: Graph,
    settings: Settings,
    cypher: str,
    params: dict[str, Any],
    expected: type[PowermapError],
    status: int,
) -> None:
    with pytest.raises(expected) as caught:
        graph.read(cypher, **params)
    assert caught.value.status == status
    assert isinstance(caught.value.__cause__, Neo4jError)
    assert "Traceback" not in caught.value.detail


def test_a_constraint_violation_is_a_conflict(graph: Graph, settings: Settings) -> None:
    graph.write("CREATE (:Account {id: 'dup'})")
    with pytest.raises(Conflict) as caught:
        graph.write("CREATE (:Account {id: 'dup'})")
    assert caught.value.status == 409
    assert isinstance(caught.value.__cause__, ConstraintError)


# -- item 5: a deadline on every transaction, enforced by the server ---------------------


def test_a_write_past_its_deadline_is_rolled_back_not_committed_later(
    graph: Graph, settings: Settings
) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded) as caught, deadline.deadline(1.0):
        graph.write(SLOW_WRITE)
    assert caught.value.status == 504
    # Stopped by the server (its timeout check runs every 2 s), not after the count.
    assert time.monotonic() - started < 10
    assert _probes(graph, settings) == 0
    time.sleep(2.0)  # nothing may commit after the client was told it failed
    assert _probes(graph, settings) == 0


def test_an_ingest_past_the_request_deadline_is_504_and_writes_nothing(
    graph: Graph, settings: Settings, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("write")
    hurried = settings.model_copy(update={"request_timeout_seconds": 0.5})
    batch = {"accounts": [{"id": "big", "name": "Big"}], "stakeholders": people("big", 19_999)}
    with TestClient(create_app(hurried)) as client:
        started = time.monotonic()
        response = client.post("/v1/ingest", json=batch, headers=headers)
        elapsed = time.monotonic() - started
    assert response.status_code == 504, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"] == "/problems/deadline-exceeded"
    assert elapsed < 10
    time.sleep(2.5)  # past the server's timeout check: nothing commits later
    rows = graph.read("MATCH (s:Stakeholder) RETURN count(s) AS n")
    assert rows[0]["n"] == 0


# -- item 6: the local server's heap and transaction memory ----------------------------


def test_the_local_neo4j_runs_with_the_configured_heap(neo4j: Graph, settings: Settings) -> None:
    instance = local_neo4j.default_instance()
    if local_neo4j.externally_configured_uri() or settings.neo4j_uri != instance.uri:
        pytest.skip(f"{settings.neo4j_uri} was not started by `powermap neo4j start`")
    pid = local_neo4j.running_pid(instance)
    assert pid is not None
    heap = local_neo4j.heap_bytes()
    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    assert f"-Xmx{heap >> 20}m" in arguments
    assert f"-Xms{heap >> 20}m" in arguments
    config = {
        row["name"]: row["value"]
        for row in neo4j.read(
            "CALL dbms.listConfig() YIELD name, value "
            "WHERE name STARTS WITH 'db.memory.transaction' "
            "OR name = 'db.tx_log.rotation.retention_policy' RETURN name, value",
        )
    }
    per_tx, total = local_neo4j.transaction_memory(heap)
    assert _bytes(config["db.memory.transaction.max"]) == per_tx
    assert _bytes(config["db.memory.transaction.total.max"]) == total
    # Old transaction logs are pruned past 512 MB, not kept for Neo4j's default two days.
    assert config["db.tx_log.rotation.retention_policy"] == "512M size"


def _bytes(neo4j_size: str) -> int:
    """Neo4j's rendering of a byte size (``1.00GiB``, ``512.00MiB``) in bytes."""
    match = re.fullmatch(r"([0-9.]+)\s*([KMGT]i)?B", neo4j_size)
    assert match, neo4j_size
    power = " KMGT".index(match.group(2)[0]) if match.group(2) else 0
    return round(float(match.group(1)) * (1 << (10 * power)))


def test_a_greedy_analyst_query_is_a_4xx_and_the_server_stays_up(
    graph: Graph, settings: Settings, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("query:adhoc")
    # Time enough for the memory cap to be what stops it, whatever the heap (the cap is a
    # quarter of it: 1 GiB by default, reached in ~5-9 s here) and the machine's load.
    patient = settings.model_copy(
        update={"query_timeout_seconds": 120.0, "request_timeout_seconds": 180.0}
    )
    with TestClient(create_app(patient)) as client:

        def run(_: int) -> tuple[int, dict[str, Any]]:
            response = client.post("/v1/queries/adhoc", headers=headers, json={"cypher": GREEDY})
            return response.status_code, response.json()

        status, body = run(0)
        assert status == 422, body
        assert body["type"] == "/problems/query-too-large"
        assert "more memory than an analyst query may use" in body["detail"]

        # Four at once (what took the JVM to 6.5 GB): each is refused, told to retry
        # (all transactions together hit their cap) or, on a busy machine, stopped at the
        # query timeout; never a 500, and the server stays up.
        with ThreadPoolExecutor(max_workers=4) as pool:
            outcomes = list(pool.map(run, range(4)))
        for status, body in outcomes:
            assert status in (408, 422, 503), body
            assert body["type"] in (
                "/problems/query-timeout",
                "/problems/query-too-large",
                "/problems/database-unavailable",
            )

        ok = client.post("/v1/queries/adhoc", headers=headers, json={"cypher": "RETURN 1 AS one"})
        assert ok.status_code == 200 and ok.json()["rows"] == [{"one": 1}]
