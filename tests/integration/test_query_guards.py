"""The analyst-query guards against the real Neo4j: read-only twice over, bounded, plain.

Every refused attempt is followed by a full comparison of the graph (nodes, edges,
every property, label/type/key tokens, indexes, constraints and users) with the state
before it: refusing is not enough, nothing may have changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j.exceptions import ClientError
from structlog.testing import capture_logs

from service.domain.errors import InvalidInput, QueryRefused, QueryTimeout
from service.domain.queries.guard import check_read_only
from service.domain.queries.runner import RunLimits, run_adhoc
from service.graph import adhoc
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.graph_builders import GraphBuilder

LIMITS = RunLimits(timeout_seconds=10.0, row_cap=10_000)


def seed(graph: Graph) -> None:
    g = GraphBuilder(graph)
    g.account("acme", name="Acme Corp", tier="strategic")
    g.stakeholder("p1", "acme", name="Dana Chen", title="CFO", department="Finance")
    g.stakeholder("p2", "acme", name="Ravi Patel", title="CIO", department="IT")
    g.reports_to("p2", "p1")
    g.team_member("t1", name="Sam Rivera")
    g.knows("t1", "p1", 0.8, last_contact="2026-10-01")
    g.budget("b1", "acme", name="IT Opex FY27")
    g.controls("p1", "b1", "owner")


def snapshot(graph: Graph) -> dict[str, Any]:
    """Everything a write could touch, reduced to comparable values and a checksum."""
    nodes = graph.read(
        "MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props",
    )
    rels = graph.read(
        "MATCH (a)-[r]->(b) RETURN elementId(r) AS id, type(r) AS type, "
        "elementId(a) AS start, elementId(b) AS end, properties(r) AS props",
    )
    content = json.dumps(
        [sorted(nodes, key=lambda n: n["id"]), sorted(rels, key=lambda r: r["id"])],
        default=str,
        sort_keys=True,
    )
    with graph.driver.session(database="system") as session:
        users = sorted(r["user"] for r in session.run("SHOW USERS YIELD user").data())
    return {
        "nodes": len(nodes),
        "model_nodes": sum(1 for n in nodes if not any(x.startswith("__") for x in n["labels"])),
        "relationships": len(rels),
        "checksum": hashlib.sha256(content.encode()).hexdigest(),
        "labels": sorted(r["label"] for r in graph.read("CALL db.labels()")),
        "types": sorted(r["relationshipType"] for r in graph.read("CALL db.relationshipTypes()")),
        "keys": sorted(r["propertyKey"] for r in graph.read("CALL db.propertyKeys()")),
        "indexes": sorted(r["name"] for r in graph.read("SHOW INDEXES YIELD name")),
        "constraints": sorted(r["name"] for r in graph.read("SHOW CONSTRAINTS YIELD name")),
        "users": users,
    }


@pytest.fixture
def seeded(graph: Graph, settings: Settings) -> Iterator[tuple[Graph, dict[str, Any]]]:
    seed(graph)
    before = snapshot(graph)
    # The snapshot sees the seed (besides the migration records): acme, p1, p2, t1, b1;
    # WORKS_AT x2, REPORTS_TO, KNOWS, OF, CONTROLS.
    assert (before["model_nodes"], before["relationships"]) == (5, 6)
    yield graph, before


# (cypher, expected status): 403 = refused by the guard or the database's access mode;
# 422 = not a single valid statement (Neo4j cannot even plan it), so it never runs.
BATTERY: list[tuple[str, str, int]] = [
    ("create", "CREATE (n:Intruder {id: 'x'}) RETURN n", 403),
    ("merge", "MERGE (a:Account {id: 'acme'}) SET a.name = 'pwned'", 403),
    ("merge-new", "MERGE (a:Account {id: 'evil'})", 403),
    ("set", "MATCH (a:Account) SET a.tier = 'standard'", 403),
    ("set-map", "MATCH (a:Account) SET a += {name: 'x'} RETURN a", 403),
    ("delete", "MATCH (s:Stakeholder {id: 'p2'}) DELETE s", 403),
    ("detach-delete", "MATCH (n) DETACH DELETE n", 403),
    ("delete-rel", "MATCH ()-[r:KNOWS]->() DELETE r", 403),
    ("remove-prop", "MATCH (a:Account) REMOVE a.name", 403),
    ("remove-label", "MATCH (a:Account) REMOVE a:Account", 403),
    ("load-csv-file", "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", 403),
    ("load-csv-url", "LOAD CSV WITH HEADERS FROM 'https://example.com/x.csv' AS r RETURN r", 403),
    ("load-csv-write", "LOAD CSV FROM 'file:///x.csv' AS row CREATE (:Intruder {v: row[0]})", 403),
    ("foreach-create", "FOREACH (i IN range(1, 3) | CREATE (:Intruder {i: i}))", 403),
    ("foreach-set", "MATCH (a:Account) FOREACH (x IN [1] | SET a.name = 'x')", 403),
    (
        "in-transactions",
        "UNWIND range(1, 10) AS i CALL (i) { CREATE (:Intruder {i: i}) } IN TRANSACTIONS OF 2 ROWS",
        403,
    ),
    ("in-transactions-delete", "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS", 403),
    ("create-index", "CREATE INDEX intruder IF NOT EXISTS FOR (n:Account) ON (n.name)", 403),
    ("drop-index", "DROP INDEX account_tier", 403),
    (
        "create-constraint",
        "CREATE CONSTRAINT intruder IF NOT EXISTS FOR (n:X) REQUIRE n.id IS UNIQUE",
        403,
    ),
    ("drop-constraint", "DROP CONSTRAINT account_id", 403),
    ("create-user", "CREATE USER intruder SET PASSWORD 'intruder-password'", 403),
    ("alter-user", "ALTER USER neo4j SET PASSWORD 'intruder-password'", 403),
    ("show-users", "SHOW USERS", 403),
    ("create-database", "CREATE DATABASE intruder", 403),
    ("grant", "GRANT ROLE admin TO intruder", 403),
    ("start-database", "START DATABASE neo4j", 403),
    ("show-transactions", "SHOW TRANSACTIONS", 403),
    ("terminate", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'", 403),
    ("show-settings", "SHOW SETTINGS", 403),
    ("show-indexes", "SHOW INDEXES", 403),
    ("proc-create-label", "CALL db.createLabel('Intruder')", 403),
    ("proc-create-property", "CALL db.createProperty('intruder')", 403),
    ("proc-create-type", "CALL db.createRelationshipType('INTRUDES')", 403),
    ("proc-clear-caches", "CALL db.clearQueryCaches()", 403),
    ("proc-list-config", "CALL dbms.listConfig()", 403),
    ("proc-stats-clear", "CALL db.stats.clear('QUERIES')", 403),
    ("proc-stats-retrieve", "CALL db.stats.retrieve('QUERIES')", 403),
    ("proc-in-subquery", "CALL () { CALL db.createLabel('Intruder') } RETURN 1 AS one", 403),
    # Community Edition has no dbms.setConfigValue: Neo4j cannot plan the call at all.
    ("proc-set-config", "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')", 422),
    ("after-block-comment", "/* RETURN 1 */ CREATE (:Intruder)", 403),
    ("after-line-comment", "// just reading\nCREATE (:Intruder)", 403),
    ("comment-hides-nothing", "MATCH (a:Account) // RETURN a\nSET a.x = 1", 403),
    ("write-beside-string", "MATCH (a:Account) WITH a, '; RETURN a //' AS s SET a.note = s", 403),
    ("escaped-quote", "MATCH (a:Account) WITH a, 'it\\'s' AS q SET a.q = q", 403),
    ("backtick-name", "MATCH (a:Account) SET a.`RETURN` = 1", 403),
    ("mixed-case", "cReAtE (:Intruder)", 403),
    ("mixed-case-delete", "MaTcH (n) dEtAcH dElEtE n", 403),
    ("nbsp-whitespace", "CREATE\u00a0(:Intruder)", 403),
    ("greek-epsilon", "CR\u0395ATE (:Intruder)", 422),
    ("fullwidth", "\uff23\uff32\uff25\uff21\uff34\uff25 (:Intruder)", 422),
    ("zero-width", "CRE\u200bATE (:Intruder)", 422),
    ("call-subquery-set", "MATCH (n) CALL (n) { SET n.x = 1 } RETURN count(*) AS c", 403),
    ("call-subquery-create", "CALL () { CREATE (:Intruder) RETURN 1 AS one } RETURN one", 403),
    (
        "call-subquery-delete",
        "MATCH (a:Account) CALL (a) { WITH a WHERE a.id = 'acme' DETACH DELETE a } RETURN 1 AS x",
        403,
    ),
    ("union-write", "MATCH (n) RETURN n.id AS x UNION MATCH (n) SET n.y = 1 RETURN n.id AS x", 403),
    ("explain-prefix", "EXPLAIN CREATE (:Intruder)", 403),
    ("cypher-options", "CYPHER runtime=slotted CREATE (:Intruder)", 403),
    ("use-clause", "USE neo4j CREATE (:Intruder)", 403),
    ("two-statements", "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n", 422),
    ("read-then-create", "RETURN 1 AS x; CREATE (:Intruder)", 422),
    ("create-then-read", "CREATE (:Intruder); RETURN 1 AS x", 422),
]


@pytest.mark.parametrize(
    ("case", "cypher", "status"), BATTERY, ids=[case for case, _, _ in BATTERY]
)
def test_writes_are_refused_and_nothing_changes(
    seeded: tuple[Graph, dict[str, Any]], case: str, cypher: str, status: int
) -> None:
    graph, before = seeded
    expected = QueryRefused if status == 403 else InvalidInput
    with pytest.raises(expected) as caught:
        run_adhoc(graph, cypher, {}, limits=LIMITS, key_id="k-battery")
    assert caught.value.status == status
    assert snapshot(graph) == before


@pytest.mark.parametrize(
    "cypher",
    [
        "CREATE (n:Intruder) RETURN n",
        "MATCH (a:Account) SET a.tier = 'standard'",
        "MATCH (n) DETACH DELETE n",
        "FOREACH (i IN [1, 2] | CREATE (:Intruder))",
        "MERGE (:Account {id: 'evil'})",
        "CALL db.createLabel('Intruder')",
    ],
)
def test_the_read_transaction_alone_also_stops_writes(
    seeded: tuple[Graph, dict[str, Any]], cypher: str
) -> None:
    """The second layer on its own: bypass the plan check, the server still refuses."""
    graph, before = seeded
    with pytest.raises(QueryRefused) as caught:
        adhoc.run_read(graph, cypher, {}, timeout=10.0, max_rows=10)
    # Translated once in the graph layer; the server's own refusal is the cause.
    cause = caught.value.__cause__
    assert isinstance(cause, ClientError)
    assert cause.code == "Neo.ClientError.Statement.AccessMode"
    assert snapshot(graph) == before


def test_the_plan_check_alone_refuses_before_anything_runs(
    seeded: tuple[Graph, dict[str, Any]],
) -> None:
    graph, before = seeded
    plan = adhoc.explain(graph, "MATCH (a:Account) SET a.x = 1", {}, 10.0)
    assert plan.query_type == "w"
    assert "SetProperty" in plan.operators
    with pytest.raises(QueryRefused, match="it writes to the graph"):
        check_read_only(plan, graph.database)
    read_plan = adhoc.explain(graph, "CALL db.ping() YIELD success RETURN success", {}, 10)
    assert (read_plan.query_type, read_plan.procedures) == ("r", ("db.ping",))
    check_read_only(read_plan, graph.database)  # passes: a read, an allowed procedure
    assert snapshot(graph) == before


@pytest.mark.parametrize(
    ("cypher", "expected"),
    [
        # What a text filter would wrongly refuse: write words in strings, names, comments.
        ("RETURN 'CREATE (n) DETACH DELETE n' AS text", [{"text": "CREATE (n) DETACH DELETE n"}]),
        ("MATCH (a:Account) RETURN a.name AS `SET`", [{"SET": "Acme Corp"}]),
        ("// DELETE everything\nMATCH (a:Account) RETURN a.id AS id", [{"id": "acme"}]),
        ("MATCH (a:Account) RETURN a.id AS id;", [{"id": "acme"}]),  # one trailing ; is fine
        ("mAtCh (a:Account) ReTuRn a.id AS id", [{"id": "acme"}]),
        (
            "CALL db.ping() YIELD success WHERE success RETURN 'SET' AS label",
            [{"label": "SET"}],
        ),
    ],
)
def test_reads_that_look_like_writes_are_allowed(
    seeded: tuple[Graph, dict[str, Any]], cypher: str, expected: list[dict[str, Any]]
) -> None:
    graph, before = seeded
    result = run_adhoc(graph, cypher, {}, limits=LIMITS, key_id="k")
    assert result.rows == expected
    assert snapshot(graph) == before


def test_parameters_are_values_never_text(seeded: tuple[Graph, dict[str, Any]]) -> None:
    graph, before = seeded
    payload = "acme'}) DETACH DELETE a //"
    result = run_adhoc(
        graph,
        "MATCH (a:Account) WHERE a.id = $id OR $id = $id RETURN a.id AS id, $id AS given",
        {"id": payload},
        limits=LIMITS,
        key_id="k",
    )
    assert result.rows == [{"id": "acme", "given": payload}]
    assert snapshot(graph) == before


def test_a_missing_parameter_is_a_422_naming_the_problem(
    seeded: tuple[Graph, dict[str, Any]],
) -> None:
    graph, _ = seeded
    with pytest.raises(InvalidInput) as caught:
        run_adhoc(graph, "MATCH (a:Account {id: $id}) RETURN a", {}, limits=LIMITS, key_id="k")
    assert "id" in caught.value.detail
    assert caught.value.errors[0].field == "cypher"


RUNAWAY = (
    "MATCH (a:Stakeholder), (b:Stakeholder), (c:Stakeholder), (d:Stakeholder) "
    "RETURN a.id AS first, b.id AS second ORDER BY a.name + b.name + c.name + d.name LIMIT 1"
)


def add_people(graph: Graph, count: int) -> None:
    graph.write(
        "MATCH (acme:Account {id: 'acme'}) UNWIND range(1, $count) AS i "
        "CREATE (s:Stakeholder {id: 'x' + i, name: 'Person ' + i, status: 'active'}) "
        "CREATE (s)-[:WORKS_AT {since: datetime('2020-01-01T00:00:00Z')}]->(acme)",
        count=count,
    )


def test_a_runaway_query_is_cut_off_on_the_server(
    seeded: tuple[Graph, dict[str, Any]],
) -> None:
    graph, _ = seeded
    add_people(graph, 200)  # 202^4 ≈ 1.7e9 combinations to sort
    with pytest.raises(QueryTimeout) as caught:
        run_adhoc(
            graph,
            RUNAWAY,
            {},
            limits=RunLimits(timeout_seconds=1.0, row_cap=10),
            key_id="k",
        )
    assert caught.value.status == 408
    assert "1 s" in caught.value.detail
    # The server ended it: no transaction of ours is still running that statement.
    running = graph.read(
        "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery = $text RETURN currentQuery",
        text=RUNAWAY,
    )
    assert running == []


def test_the_row_cap_truncates_and_says_so(seeded: tuple[Graph, dict[str, Any]]) -> None:
    graph, _ = seeded
    cypher = "UNWIND range(1, 50) AS i RETURN i ORDER BY i"
    capped = run_adhoc(
        graph, cypher, {}, limits=RunLimits(timeout_seconds=10, row_cap=7), key_id="k"
    )
    assert capped.rows == [{"i": i} for i in range(1, 8)]
    assert capped.truncated is True
    exact = run_adhoc(
        graph, cypher, {}, limits=RunLimits(timeout_seconds=10, row_cap=50), key_id="k"
    )
    assert len(exact.rows) == 50
    assert exact.truncated is False  # exactly at the cap is not cut


def test_limits_never_exceed_the_settings(settings: Settings) -> None:
    capped = settings.model_copy(update={"query_row_cap": 100, "query_timeout_seconds": 5.0})
    assert RunLimits.resolve(capped) == RunLimits(5.0, 100)
    assert RunLimits.resolve(capped, limit=10, timeout_seconds=1.5) == RunLimits(1.5, 10)
    assert RunLimits.resolve(capped, limit=1_000, timeout_seconds=60) == RunLimits(5.0, 100)


def test_results_are_plain_json(seeded: tuple[Graph, dict[str, Any]]) -> None:
    graph, _ = seeded
    result = run_adhoc(
        graph,
        """
        MATCH path = (t:TeamMember {id: 't1'})-[k:KNOWS]->(p:Stakeholder {id: 'p1'})
        RETURN p AS node, k AS rel, path,
               date('2026-01-31') AS day, datetime('2026-01-31T09:30:00Z') AS moment,
               duration('P3DT4H') AS span, localtime('10:15') AS clock,
               point({longitude: 13.4, latitude: 52.5}) AS place,
               point({x: 1, y: 2, z: 3}) AS spot,
               [1, 'a', null] AS list, {nested: date('2026-02-01')} AS map,
               0.0 / 0.0 AS nan
        """,
        {},
        limits=LIMITS,
        key_id="k",
    )
    row = result.rows[0]
    json.dumps(row, allow_nan=False)  # serialisable as strict JSON, no driver objects
    node = row["node"]
    assert node["id"] == "p1"
    assert node["labels"] == ["Stakeholder"]
    assert node["element_id"]
    assert node["properties"]["name"] == "Dana Chen"
    assert node["properties"]["status"] == "active"
    rel = row["rel"]
    assert rel["type"] == "KNOWS"
    assert rel["properties"]["strength"] == 0.8
    assert rel["properties"]["last_contact"] == "2026-10-01"
    assert rel["properties"]["since"].startswith("2020-01-01T00:00:00")
    assert rel["end"]["element_id"] == node["element_id"]
    path = row["path"]
    assert [n["id"] for n in path["nodes"]] == ["t1", "p1"]
    assert [r["type"] for r in path["relationships"]] == ["KNOWS"]
    assert path["relationships"][0]["start"] == {
        "id": "t1",
        "element_id": path["nodes"][0]["element_id"],
    }
    assert row["day"] == "2026-01-31"
    assert row["moment"].startswith("2026-01-31T09:30:00")
    assert row["span"] == "P3DT4H"
    assert row["clock"].startswith("10:15:00")
    assert row["place"] == {"srid": 4326, "crs": "wgs-84", "x": 13.4, "y": 52.5}
    assert row["spot"] == {"srid": 9157, "crs": "cartesian-3d", "x": 1.0, "y": 2.0, "z": 3.0}
    assert row["list"] == [1, "a", None]
    assert row["map"] == {"nested": "2026-02-01"}
    assert row["nan"] == "NaN"


def test_every_run_is_logged_with_names_not_values(
    seeded: tuple[Graph, dict[str, Any]],
) -> None:
    graph, _ = seeded
    with capture_logs() as logs:
        run_adhoc(
            graph,
            "MATCH (a:Account {id: $account}) RETURN a.id AS id",
            {"account": "acme"},
            limits=LIMITS,
            key_id="k-123",
        )
        with pytest.raises(QueryRefused):
            run_adhoc(graph, "CREATE (:X)", {"z": 1}, limits=LIMITS, key_id="k-123")
    runs = [entry for entry in logs if entry["event"] == "query.run"]
    assert [(r["key_id"], r["query"], r["param_names"], r["rows"], r["outcome"]) for r in runs] == [
        ("k-123", "adhoc", ["account"], 1, "ok"),
        ("k-123", "adhoc", ["z"], 0, "query-refused"),
    ]
    assert all(isinstance(r["duration_ms"], float) for r in runs)
    assert "acme" not in json.dumps(runs, default=str)  # the value never reaches the log
