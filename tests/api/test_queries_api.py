"""The /v1/queries endpoints through the real app, real keys and the real Neo4j."""

from __future__ import annotations

import csv
import io
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from structlog.testing import capture_logs

from service.api.app import create_app
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.graph_builders import GraphBuilder

KeyFactory = Callable[..., dict[str, str]]
PROBLEM = "application/problem+json"


def seed(graph: Graph) -> None:
    g = GraphBuilder(graph)
    g.account("acme", name="Acme Corp", tier="strategic")
    g.stakeholder("p1", "acme", name='=HYPERLINK("x")', title="CFO", department="Finance")
    g.stakeholder("p2", "acme", name="Ravi Patel", title="CIO", department="IT")
    g.team_member("t1", name="Sam Rivera")
    g.knows("t1", "p1", 0.8, last_contact="2026-10-01")
    g.budget("b1", "acme", name="IT Opex, FY27")
    g.budget("b2", "acme", name="Plant Capex")
    g.controls("p1", "b1", "owner")
    g.controls("p2", "b1", "approver")


def counts(graph: Graph) -> tuple[int, int]:
    row = graph.read(
        "MATCH (n) WITH count(n) AS nodes OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS rels",
    )[0]
    return row["nodes"], row["rels"]


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert "Traceback" not in response.text
    return body


def test_listing_needs_the_query_run_scope(client: TestClient, auth_headers: KeyFactory) -> None:
    assert_problem(client.get("/v1/queries"), 401, "unauthenticated")
    assert_problem(client.get("/v1/queries", headers=auth_headers("read")), 403, "forbidden")
    body = client.get("/v1/queries", headers=auth_headers("query:run")).json()
    assert body["errors"] == []
    names = [q["name"] for q in body["queries"]]
    assert len(names) >= 12 and names == sorted(names)
    budgets = next(q for q in body["queries"] if q["name"] == "budget_controllers")
    assert budgets["title"] == "Budgets and their controllers for an account"
    assert budgets["parameters"] == [
        {
            "name": "account_id",
            "type": "string",
            "required": True,
            "default": None,
            "description": "The account's id.",
        },
        {
            "name": "theta",
            "type": "float",
            "required": False,
            "default": 0.2,
            "description": "Active-tie threshold θ: a relationship counts when its strength "
            "is at least θ.",
        },
    ]
    assert budgets["columns"][0] == {"name": "budget_id", "description": "The budget's id."}
    assert "cypher" not in budgets


def test_one_query_shows_its_cypher(client: TestClient, auth_headers: KeyFactory) -> None:
    headers = auth_headers("query:run")
    body = client.get("/v1/queries/reporting_changes_since", headers=headers).json()
    assert body["parameters"][0]["type"] == "date"
    assert "MATCH (s:Stakeholder)-[new:REPORTS_TO]->(m:Stakeholder)" in body["cypher"]
    assert body["cypher"].startswith("// @title")
    assert_problem(client.get("/v1/queries/nope", headers=headers), 404, "not-found")


def test_run_returns_columns_rows_and_a_summary(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    seed(graph)
    response = client.post(
        "/v1/queries/budget_controllers/run",
        headers=auth_headers("query:run"),
        json={"params": {"account_id": "acme"}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["query"] == "budget_controllers"
    assert body["columns"][:3] == ["budget_id", "budget_name", "amount"]
    # b1: owner p1 (t1's 0.8 tie), approver p2 (dark); b2: nobody.
    assert [
        (r["budget_id"], r["authority"], r["controller_id"], r["best_contact_id"])
        for r in body["rows"]
    ] == [
        ("b1", "owner", "p1", "t1"),
        ("b1", "approver", "p2", None),
        ("b2", None, None, None),
    ]
    assert body["summary"]["rows"] == 3
    assert body["summary"]["truncated"] is False
    assert isinstance(body["summary"]["ms"], float)


def test_limit_truncates_and_says_so(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    seed(graph)
    body = client.post(
        "/v1/queries/budget_controllers/run",
        headers=auth_headers("query:run"),
        json={"params": {"account_id": "acme"}, "limit": 2},
    ).json()
    assert [r["controller_id"] for r in body["rows"]] == ["p1", "p2"]
    assert body["summary"] == {"rows": 2, "truncated": True, "ms": body["summary"]["ms"]}


def test_the_row_cap_setting_applies_over_a_larger_limit(
    graph: Graph, settings: Settings, auth_headers: KeyFactory
) -> None:
    capped = settings.model_copy(update={"query_row_cap": 5})
    with TestClient(create_app(capped)) as client:
        body = client.post(
            "/v1/queries/adhoc",
            headers=auth_headers("query:adhoc"),
            json={"cypher": "UNWIND range(1, 20) AS i RETURN i", "limit": 100},
        ).json()
    assert [r["i"] for r in body["rows"]] == [1, 2, 3, 4, 5]
    assert body["summary"]["truncated"] is True


def test_csv_format(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    seed(graph)
    response = client.post(
        "/v1/queries/budget_controllers/run",
        headers=auth_headers("query:run"),
        json={"params": {"account_id": "acme"}, "format": "csv"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["X-Query-Rows"] == "3"
    assert response.headers["X-Query-Truncated"] == "false"
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0][:4] == ["budget_id", "budget_name", "amount", "currency"]
    assert table[1][:2] == ["b1", "IT Opex, FY27"]  # the comma is quoted, not a new cell
    # A name that a spreadsheet would run as a formula is defused.
    assert table[1][table[0].index("controller_name")] == '\'=HYPERLINK("x")'
    assert table[3][table[0].index("authority")] == ""  # null → empty cell
    assert len(table) == 4


def test_bad_parameters_are_422_naming_each_one(
    client: TestClient, auth_headers: KeyFactory
) -> None:
    headers = auth_headers("query:run")
    body = assert_problem(
        client.post(
            "/v1/queries/key_stakeholders_not_contacted/run",
            headers=headers,
            json={"params": {"days": "90", "as_of": "01/11/2026", "acount_id": "acme"}},
        ),
        422,
        "validation-error",
    )
    errors = {e["field"]: e for e in body["errors"]}
    assert set(errors) == {"days", "as_of", "acount_id"}
    assert errors["days"]["location"] == "params.days"
    assert "unknown parameter" in errors["acount_id"]["reason"]
    missing = assert_problem(
        client.post("/v1/queries/budget_controllers/run", headers=headers, json={}),
        422,
        "validation-error",
    )
    assert [e["field"] for e in missing["errors"]] == ["account_id"]
    # The request shape is checked too: unknown fields and a bad format.
    shape = assert_problem(
        client.post(
            "/v1/queries/budget_controllers/run",
            headers=headers,
            json={"param": {}, "format": "xml"},
        ),
        422,
        "validation-error",
    )
    assert {e["field"] for e in shape["errors"]} == {"param", "format"}


def test_adhoc_needs_its_own_scope(client: TestClient, auth_headers: KeyFactory) -> None:
    payload = {"cypher": "RETURN 1 AS one"}
    assert_problem(
        client.post("/v1/queries/adhoc", headers=auth_headers("query:run"), json=payload),
        403,
        "forbidden",
    )
    ok = client.post("/v1/queries/adhoc", headers=auth_headers("query:adhoc"), json=payload)
    assert ok.json()["rows"] == [{"one": 1}]
    admin = client.post("/v1/queries/adhoc", headers=auth_headers("admin"), json=payload)
    assert admin.status_code == 200


def test_adhoc_writes_are_refused_and_change_nothing(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    seed(graph)
    headers = auth_headers("query:adhoc")
    before = counts(graph)
    for cypher in [
        "MATCH (n) DETACH DELETE n",
        "/* read */ cReAtE (:Intruder {id: $id})",
        "CALL db.createLabel('Intruder')",
        "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
        "MATCH (n) CALL (n) { SET n.x = 1 } IN TRANSACTIONS RETURN count(*) AS c",
        "CREATE INDEX intruder IF NOT EXISTS FOR (n:Account) ON (n.name)",
        "SHOW USERS",
    ]:
        body = assert_problem(
            client.post(
                "/v1/queries/adhoc",
                headers=headers,
                json={"cypher": cypher, "params": {"id": "x"}},
            ),
            403,
            "query-refused",
        )
        assert body["title"] == "The query is not allowed"
    two = assert_problem(
        client.post(
            "/v1/queries/adhoc",
            headers=headers,
            json={"cypher": "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n"},
        ),
        422,
        "validation-error",
    )
    assert two["errors"][0]["field"] == "cypher"
    assert counts(graph) == before


def test_adhoc_returns_nodes_as_plain_json(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    seed(graph)
    body = client.post(
        "/v1/queries/adhoc",
        headers=auth_headers("query:adhoc"),
        json={
            "cypher": "MATCH p = (:TeamMember)-[k:KNOWS]->(s:Stakeholder {id: $id}) RETURN s, k, p",
            "params": {"id": "p1"},
        },
    ).json()
    row = body["rows"][0]
    assert body["columns"] == ["s", "k", "p"]
    assert (row["s"]["id"], row["s"]["labels"]) == ("p1", ["Stakeholder"])
    assert row["s"]["properties"]["title"] == "CFO"
    assert row["k"]["type"] == "KNOWS"
    assert row["k"]["properties"]["last_contact"] == "2026-10-01"
    assert [n["id"] for n in row["p"]["nodes"]] == ["t1", "p1"]


def test_adhoc_csv(client: TestClient, auth_headers: KeyFactory) -> None:
    response = client.post(
        "/v1/queries/adhoc",
        headers=auth_headers("query:adhoc"),
        json={"cypher": "RETURN [1, 2] AS xs, {a: 1} AS m, true AS yes", "format": "csv"},
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["xs", "m", "yes"],
        ["[1, 2]", '{"a": 1}', "true"],
    ]


def write_query(path: Path, text: str, bump: int = 0) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump * 1_000_000_000))


GOOD = """// @title Accounts by tier
// @description Accounts of one tier.
// @param tier: string = "strategic" -- The tier.
// @column id: The account's id.
MATCH (a:Account {tier: $tier}) RETURN a.id AS id ORDER BY id
"""


def catalog_client(settings: Settings, folder: Path) -> TestClient:
    """An app whose catalog is ``folder`` (POWERMAP_QUERIES_DIR)."""
    return TestClient(create_app(settings.model_copy(update={"queries_dir": folder})))


def test_broken_files_are_reported_and_changes_picked_up(
    auth_headers: KeyFactory, graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    seed(graph)
    write_query(tmp_path / "by_tier.cypher", GOOD)
    write_query(
        tmp_path / "broken.cypher",
        "// @title Broken\n// @description D\n// @param x: money required -- X\n"
        "// @column a: A\nRETURN 1 AS a\n",
    )
    headers = auth_headers("query:run")
    with catalog_client(settings, tmp_path) as client:
        listing = client.get("/v1/queries", headers=headers).json()
        assert [q["name"] for q in listing["queries"]] == ["by_tier"]
        assert listing["errors"][0]["file"] == "broken.cypher"
        assert listing["errors"][0]["line"] == 3
        assert "TYPE is one of" in listing["errors"][0]["message"]
        run = client.post("/v1/queries/by_tier/run", headers=headers, json={})
        assert run.json()["rows"] == [{"id": "acme"}]
        broken = assert_problem(
            client.post("/v1/queries/broken/run", headers=headers, json={}), 404, "not-found"
        )
        assert "broken.cypher:3" in broken["detail"]

        # Fix the broken file and edit the good one: both are re-read on the next access.
        write_query(
            tmp_path / "broken.cypher",
            "// @title Fixed\n// @description D\n// @column a: A\nRETURN 1 AS a\n",
            bump=5,
        )
        write_query(tmp_path / "by_tier.cypher", GOOD.replace("Accounts by tier", "Tiered"), bump=5)
        listing = client.get("/v1/queries", headers=headers).json()
        assert listing["errors"] == []
        assert {q["name"]: q["title"] for q in listing["queries"]} == {
            "broken": "Fixed",
            "by_tier": "Tiered",
        }


def test_reload_is_for_admins(auth_headers: KeyFactory, settings: Settings, tmp_path: Path) -> None:
    write_query(tmp_path / "by_tier.cypher", GOOD)
    run_key, admin_key = auth_headers("query:run"), auth_headers("admin")
    with catalog_client(settings, tmp_path) as client:
        assert_problem(client.post("/v1/queries/reload", headers=run_key), 403, "forbidden")
        response = client.post("/v1/queries/reload", headers=admin_key)
    assert response.status_code == 200
    assert [q["name"] for q in response.json()["queries"]] == ["by_tier"]


RUNAWAY = (
    "MATCH (a:Stakeholder), (b:Stakeholder), (c:Stakeholder), (d:Stakeholder) "
    "RETURN a.id AS first ORDER BY a.name + b.name + c.name + d.name LIMIT 1"
)


def running(graph: Graph, text: str) -> bool:
    rows = graph.read(
        "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery = $text RETURN count(*) AS n",
        text=text,
    )
    return bool(rows[0]["n"])


def test_a_runaway_is_cut_off_while_other_requests_are_answered(
    graph: Graph, settings: Settings, auth_headers: KeyFactory
) -> None:
    seed(graph)
    graph.write(
        "UNWIND range(1, 200) AS i "
        "CREATE (:Stakeholder {id: 'x' + i, name: 'Person ' + i, status: 'active'})",
    )
    short = settings.model_copy(update={"query_timeout_seconds": 6.0})
    adhoc_headers = auth_headers("query:adhoc")
    run_headers = auth_headers("query:run")
    with TestClient(create_app(short)) as client:
        outcome: dict[str, httpx.Response] = {}

        def runaway() -> None:
            outcome["response"] = client.post(
                "/v1/queries/adhoc", headers=adhoc_headers, json={"cypher": RUNAWAY}
            )

        worker = threading.Thread(target=runaway)
        worker.start()
        # Wait until Neo4j reports the runaway as running (a readiness check, bounded).
        for _ in range(200):
            if running(graph, RUNAWAY):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the runaway query never started")

        # Meanwhile the service answers other requests, database-backed ones included.
        listing = client.get("/v1/queries", headers=run_headers)
        answered = client.post(
            "/v1/queries/budget_controllers/run",
            headers=run_headers,
            json={"params": {"account_id": "acme"}},
        )
        assert listing.status_code == 200
        assert answered.status_code == 200
        assert answered.json()["summary"]["rows"] == 3
        # ...and it did so while the runaway was still running.
        assert running(graph, RUNAWAY)
        worker.join(timeout=60)

    body = assert_problem(outcome["response"], 408, "query-timeout")
    assert "6 s" in body["detail"]
    assert not running(graph, RUNAWAY)


def test_a_request_may_lower_the_timeout(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    graph.write(
        "UNWIND range(1, 200) AS i "
        "CREATE (:Stakeholder {id: 'x' + i, name: 'Person ' + i, status: 'active'})",
    )
    body = assert_problem(
        client.post(
            "/v1/queries/adhoc",
            headers=auth_headers("query:adhoc"),
            json={"cypher": RUNAWAY, "timeout_seconds": 1},
        ),
        408,
        "query-timeout",
    )
    assert "within 1 s" in body["detail"]


def test_runs_are_logged_with_the_key_id_and_parameter_names(
    client: TestClient, auth_headers: KeyFactory, graph: Graph, settings: Settings
) -> None:
    seed(graph)
    headers = auth_headers("query:run")
    key_id = headers["Authorization"].split("_")[1]
    with capture_logs() as logs:
        client.post(
            "/v1/queries/budget_controllers/run",
            headers=headers,
            json={"params": {"account_id": "acme", "theta": 0.5}},
        )
    runs = [entry for entry in logs if entry["event"] == "query.run"]
    assert len(runs) == 1
    entry = runs[0]
    assert (entry["key_id"], entry["query"], entry["param_names"]) == (
        key_id,
        "budget_controllers",
        ["account_id", "theta"],
    )
    assert (entry["rows"], entry["truncated"], entry["outcome"]) == (3, False, "ok")
    assert entry["duration_ms"] >= 0
    assert "acme" not in str(entry)  # parameter values are not logged
