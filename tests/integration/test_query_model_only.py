"""Analyst queries read the model only: never an API key's hash or any bookkeeping node.

The graph holds a small model (an account, two people, a team member, a budget), real
API keys (as the service stores them, with their secret hashes) and the migration
records. Each attack either is refused with a 403 that says how to write it instead,
or runs and returns nothing of the bookkeeping — checked on the whole serialised
result, not on one column.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.domain.access import Scope, create_key
from service.domain.errors import QueryRefused
from service.domain.queries.catalog import Catalog
from service.domain.queries.runner import RunLimits, run_adhoc, run_saved
from service.graph.driver import Graph
from service.graph.model_schema import BOOKKEEPING_LABELS, MODEL_LABELS
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.graph_builders import GraphBuilder

LIMITS = RunLimits(timeout_seconds=10.0, row_cap=10_000)
EVERY_MODEL_NODE = f"MATCH (n:{'|'.join(MODEL_LABELS)})"


@pytest.fixture
def keyed(graph: Graph, settings: Settings) -> Iterator[tuple[Graph, list[str]]]:
    """The model plus two API keys; yields the forbidden strings (hashes, key ids)."""
    g = GraphBuilder(graph)
    g.account("acme", name="Acme Corp", tier="strategic")
    g.stakeholder("p1", "acme", name="Dana Chen", title="CFO")
    g.stakeholder("p2", "acme", name="Ravi Patel", title="CIO")
    g.reports_to("p2", "p1")
    g.team_member("t1", name="Sam Rivera")
    g.knows("t1", "p1", 0.8, last_contact="2026-10-01")
    g.budget("b1", "acme", name="IT Opex FY27")
    g.controls("p1", "b1", "owner")
    keys = [
        create_key(graph, "analyst-key", [Scope.QUERY_ADHOC]),
        create_key(graph, "admin-key", [Scope.ADMIN]),
    ]
    stored = graph.read("MATCH (k:ApiKey) RETURN k.id AS id, k.secret_hash AS h")
    assert len(stored) == 2 and all(r["h"] for r in stored)
    assert graph.read("MATCH (m:__Migration) RETURN count(m) AS n")[0]["n"] >= 2
    forbidden = [r["h"] for r in stored] + [k.key_id for k in keys] + ["analyst-key"]
    yield graph, forbidden


# (case, cypher): each must be refused, or run and show nothing of the bookkeeping.
ATTACKS: list[tuple[str, str]] = [
    ("label-scan", "MATCH (k:ApiKey) RETURN k.id, k.name, k.scopes, k.secret_hash"),
    ("whole-node", "MATCH (k:ApiKey) RETURN k"),
    ("id-index-seek", "MATCH (k:ApiKey) WHERE k.id IS NOT NULL RETURN k.secret_hash"),
    ("unique-seek", "MATCH (k:ApiKey {id: 'x'}) RETURN k"),
    ("backticked-label", "MATCH (k:`ApiKey`) RETURN k.secret_hash AS h"),
    ("migration-records", "MATCH (m:__Migration) RETURN m"),
    ("migration-lock", "MATCH (m:__MigrationLock) RETURN m"),
    ("unlabelled-scan", "MATCH (n) RETURN n"),
    ("labels-census", "MATCH (n) RETURN labels(n) AS labels, count(*) AS c"),
    ("label-in-where", "MATCH (n) WHERE n:ApiKey RETURN n.secret_hash AS h"),
    ("labels-function", "MATCH (n) WHERE 'ApiKey' IN labels(n) RETURN properties(n) AS p"),
    ("property-probe", "MATCH (n) WHERE n.secret_hash IS NOT NULL RETURN n.secret_hash AS h"),
    ("keys-function", "MATCH (n) RETURN DISTINCT keys(n) AS k"),
    ("negated-label", "MATCH (n:!Stakeholder) RETURN properties(n) AS p"),
    ("any-label", "MATCH (n:%) RETURN properties(n) AS p"),
    ("union-labels", "MATCH (n:Stakeholder|ApiKey) RETURN properties(n) AS p"),
    ("intersection", "MATCH (n:ApiKey&!Stakeholder) RETURN n"),
    ("dynamic-label", "MATCH (n:$('ApiKey')) RETURN n.secret_hash AS h"),
    ("dynamic-label-param", "MATCH (n:$($label)) RETURN n"),
    ("id-seek", "UNWIND range(0, 200) AS i MATCH (n) WHERE id(n) = i RETURN properties(n) AS p"),
    ("element-id-seek", "MATCH (n) WHERE elementId(n) = '4:x:1' RETURN n"),
    ("count-store-all", "MATCH (n) RETURN count(n) AS c"),
    ("count-store-label", "MATCH (k:ApiKey) RETURN count(*) AS c"),
    (
        "union",
        "MATCH (a:Account) RETURN a.id AS x UNION MATCH (k:ApiKey) RETURN k.secret_hash AS x",
    ),
    ("union-all", "RETURN 1 AS x UNION ALL MATCH (n) RETURN n.secret_hash AS x"),
    ("call-subquery", "MATCH (a:Account) CALL (a) { MATCH (k:ApiKey) RETURN k } RETURN k"),
    ("call-unanchored", "CALL () { MATCH (n) RETURN n } RETURN n"),
    ("optional-match", "OPTIONAL MATCH (k:ApiKey) RETURN k.secret_hash AS h"),
    ("optional-after-model", "MATCH (a:Account) OPTIONAL MATCH (n) RETURN collect(n) AS n"),
    ("cartesian", "MATCH (a:Account), (n) RETURN properties(n) AS p"),
    ("hash-join", "MATCH (a:Account) WITH a MATCH (n) WHERE id(n) >= id(a) RETURN n"),
    ("exists-subquery", "RETURN EXISTS { MATCH (k:ApiKey) WHERE k.secret_hash > '' } AS e"),
    ("exists-in-where", "MATCH (a:Account) WHERE EXISTS { (k:ApiKey) } RETURN a"),
    ("count-subquery", "RETURN COUNT { MATCH (n) } AS c"),
    ("collect-subquery", "RETURN COLLECT { MATCH (k:ApiKey) RETURN k.secret_hash } AS h"),
    (
        "collect-in-case",
        "RETURN CASE WHEN rand() < 2 THEN COLLECT { MATCH (k:ApiKey) RETURN k.secret_hash } "
        "ELSE [] END AS h",
    ),
    (
        "collect-in-comprehension",
        "MATCH (a:Account) RETURN [x IN [1] | COLLECT { MATCH (n) RETURN properties(n) }] AS h",
    ),
    (
        "count-in-reduce",
        "RETURN reduce(s = 0, x IN [1] | s + COUNT { MATCH (k:ApiKey) }) AS c",
    ),
    ("pattern-comprehension", "MATCH (a:Account) RETURN [(a)--(b) | properties(b)] AS near"),
    (
        "pattern-comprehension-in-case",
        "MATCH (a:Account) RETURN CASE WHEN true THEN [(a)--(b:ApiKey) | b.secret_hash] END AS h",
    ),
    ("shortest-path-unanchored", "MATCH p = shortestPath((a:Account)-[*]-(b)) RETURN nodes(p)"),
    ("all-relationships", "MATCH (x)-[r]-(y) RETURN DISTINCT labels(x) AS l, properties(x) AS p"),
    ("var-length", "MATCH (a:Account)-[*0..6]-(b) RETURN DISTINCT labels(b) AS l"),
    ("proc-labels", "CALL db.labels() YIELD label RETURN label"),
    ("proc-property-keys", "CALL db.propertyKeys()"),
    ("proc-schema", "CALL db.schema.visualization()"),
    ("proc-node-type-properties", "CALL db.schema.nodeTypeProperties()"),
    ("proc-in-subquery", "CALL () { CALL db.labels() YIELD label RETURN label } RETURN label"),
    ("show-indexes", "SHOW INDEXES"),
    ("show-constraints", "SHOW CONSTRAINTS YIELD name, labelsOrTypes RETURN *"),
    ("in-transactions-read", "CALL () { MATCH (k:ApiKey) RETURN k } IN TRANSACTIONS RETURN k"),
    ("in-transactions-trivial", "CALL { RETURN 1 AS x } IN TRANSACTIONS RETURN x"),
]
BOOKKEEPING_TEXT = [*BOOKKEEPING_LABELS, "secret_hash", "revoked_at"]


def _leaks(rows: list[dict[str, Any]], forbidden: list[str]) -> list[str]:
    text = json.dumps(rows, default=str)
    return [s for s in forbidden + BOOKKEEPING_TEXT if s in text]


@pytest.mark.parametrize(("case", "cypher"), ATTACKS, ids=[c for c, _ in ATTACKS])
def test_no_analyst_query_reaches_the_bookkeeping(
    keyed: tuple[Graph, list[str]], case: str, cypher: str
) -> None:
    graph, forbidden = keyed
    try:
        result = run_adhoc(graph, cypher, {"label": "ApiKey"}, limits=LIMITS, key_id="k-attack")
    except QueryRefused as refused:
        assert refused.status == 403
        assert not any(h in refused.detail for h in forbidden)
        return
    assert not _leaks(result.rows, forbidden), (case, result.rows)


@pytest.mark.parametrize(
    "case",
    [
        "label-scan",
        "unlabelled-scan",
        "labels-census",
        "label-in-where",
        "id-seek",
        "count-store-all",
        "union",
        "call-unanchored",
        "collect-in-case",
        "proc-labels",
        "dynamic-label",
        "in-transactions-trivial",
    ],
)
def test_the_central_attacks_are_refused_not_merely_empty(
    keyed: tuple[Graph, list[str]], case: str
) -> None:
    graph, _ = keyed
    cypher = dict(ATTACKS)[case]
    with pytest.raises(QueryRefused):
        run_adhoc(graph, cypher, {"label": "ApiKey"}, limits=LIMITS, key_id="k")


def test_a_refusal_says_how_to_read_every_node_of_the_model(
    keyed: tuple[Graph, list[str]],
) -> None:
    graph, _ = keyed
    with pytest.raises(QueryRefused) as caught:
        run_adhoc(graph, dict(ATTACKS)["labels-census"], {}, limits=LIMITS, key_id="k")
    assert EVERY_MODEL_NODE in caught.value.detail
    census = run_adhoc(
        graph,
        f"{EVERY_MODEL_NODE} RETURN labels(n) AS labels, count(*) AS c ORDER BY c DESC",
        {},
        limits=LIMITS,
        key_id="k",
    )
    counted = {label for row in census.rows for label in row["labels"]}
    assert counted == {"Account", "Stakeholder", "TeamMember", "Budget"}


@pytest.mark.parametrize(
    ("cypher", "expected"),
    [
        # Reads of the model in the usual shapes keep working.
        ("MATCH (a:Account)<-[:WORKS_AT]-(s) RETURN s.id AS id ORDER BY id", ["p1", "p2"]),
        ("MATCH ()-[r]->() RETURN count(r) AS c", [6]),
        ("MATCH (s:Stakeholder {id: 'p2'})-[*1..3]-(x) RETURN count(DISTINCT x) AS c", [5]),
        ("MATCH (a:Account) RETURN COUNT { (a)<-[:WORKS_AT]-() } AS c", [2]),
        ("MATCH (a:Account), (b:Budget) RETURN count(*) AS c", [1]),
        ("CALL db.ping() YIELD success RETURN success", [True]),
        (
            "MATCH (s:Stakeholder) WHERE EXISTS { (s)<-[:KNOWS]-(:TeamMember) } RETURN s.id AS id",
            ["p1"],
        ),
    ],
)
def test_model_reads_still_run(
    keyed: tuple[Graph, list[str]], cypher: str, expected: list[Any]
) -> None:
    graph, _ = keyed
    result = run_adhoc(graph, cypher, {}, limits=LIMITS, key_id="k")
    assert [next(iter(row.values())) for row in result.rows] == expected


REQUIRED_PARAMS = {"account_id": "acme", "since": "2020-01-01", "stakeholder_id": "p2"}


def test_every_saved_query_runs_beside_the_bookkeeping(
    keyed: tuple[Graph, list[str]], settings: Settings
) -> None:
    graph, forbidden = keyed
    queries, errors = Catalog(Path(settings.queries_dir)).entries()
    assert not errors
    assert len(queries) >= 13
    for query in queries:
        given = {
            name: value
            for name, value in REQUIRED_PARAMS.items()
            if name in {p.name for p in query.params}
        }
        result = run_saved(graph, query, given, limits=LIMITS, key_id="k")
        assert not _leaks(result.rows, forbidden), query.name


def test_the_api_refuses_the_reported_query_with_a_way_out(
    client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("query:adhoc")
    response = client.post(
        "/v1/queries/adhoc",
        headers=headers,
        json={"cypher": "MATCH (k:ApiKey) RETURN k.id, k.name, k.scopes, k.secret_hash"},
    )
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["type"] == "/problems/query-refused"
    assert "ApiKey" in body["detail"] and "(n:Stakeholder)" in body["detail"]
    assert "secret_hash" not in response.text.replace(
        "k.secret_hash", ""
    )  # only the query's own words, never a value


def test_in_transactions_is_a_clear_4xx_not_a_500(
    client: TestClient, auth_headers: KeyFactory
) -> None:
    response = client.post(
        "/v1/queries/adhoc",
        headers=auth_headers("query:adhoc"),
        json={"cypher": "CALL { RETURN 1 AS x } IN TRANSACTIONS RETURN x"},
    )
    assert response.status_code == 403, response.text
    assert "IN TRANSACTIONS" in response.json()["detail"]
