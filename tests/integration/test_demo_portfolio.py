"""The demo portfolio in the real Neo4j: every weak spot is in the stored graph, seeding
is idempotent, ``--reset`` only touches the demo, and the demo key works on the API.

The weak-spot tests share one seeded graph: ``seeded`` asks :func:`seed_demo` for it,
which loads the demo only when it is not already complete (another test may have
emptied the graph), so no test depends on the order they run in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.demo.portfolio import WEAK_SPOTS, DemoPortfolio, build_demo_portfolio
from service.demo.seed import DEMO_KEY_NAME, SeedResult, demo_state, seed_demo
from service.domain.access import Scope, authenticate
from service.domain.errors import Conflict, Unauthenticated
from service.domain.ingest import ingest_batch
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import _clean, assert_graph_clean

THETA = 0.2
# One "today" for the module: the seed and the expected dates agree even across midnight.
TODAY = datetime.now(UTC).date()


@pytest.fixture(scope="module")
def demo_db(neo4j: Graph, settings: Settings) -> Iterator[Graph]:
    _clean(neo4j)
    yield neo4j
    try:
        assert_graph_clean(neo4j)
    finally:
        _clean(neo4j)


@pytest.fixture
def seeded(demo_db: Graph, settings: Settings) -> SeedResult:
    return seed_demo(demo_db, settings, today=TODAY)


@pytest.fixture(scope="module")
def portfolio() -> DemoPortfolio:
    return build_demo_portfolio(TODAY)


def q(graph: Graph, settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    return graph.read(cypher, **params)


def days_ago(portfolio: DemoPortfolio, days: int) -> str:
    return (portfolio.today - timedelta(days=days)).isoformat()


# -- weak spots, checked in Cypher on the stored graph ------------------------------------

CURRENT_PEOPLE = """
MATCH (:Account {id: $account})<-[w:WORKS_AT]-(s:Stakeholder)
WHERE w.until IS NULL AND coalesce(s.status, 'active') <> 'left'
"""


def test_single_threaded_strategic_account(
    seeded: SeedResult, demo_db: Graph, settings: Settings
) -> None:
    account = WEAK_SPOTS.single_threaded_account
    rows = q(
        demo_db,
        settings,
        CURRENT_PEOPLE
        + """
        MATCH (t:TeamMember)-[k:KNOWS]->(s) WHERE k.until IS NULL
        RETURN t.id AS tm, k.strength >= $theta AS active, count(DISTINCT s) AS people
        ORDER BY tm, active
        """,
        account=account,
        theta=THETA,
    )
    active = {r["tm"]: r["people"] for r in rows if r["active"]}
    assert list(active) == [WEAK_SPOTS.single_thread_team_member]
    assert active[WEAK_SPOTS.single_thread_team_member] >= 8
    # the exec sponsor's stale tie is there, below the threshold
    assert {(r["tm"], r["active"]) for r in rows} == {("tm-ava", True), ("tm-elena", False)}
    [cover] = q(
        demo_db,
        settings,
        "MATCH (a:Account {id: $account}) RETURN a.tier AS tier, "
        "[(t:TeamMember)-[:COVERS]->(a) | t.id] AS team",
        account=account,
    )
    assert cover["tier"] == "strategic"
    assert sorted(cover["team"]) == ["tm-ava", "tm-elena", "tm-gus"]


def test_champion_who_left(
    seeded: SeedResult, demo_db: Graph, settings: Settings, portfolio: DemoPortfolio
) -> None:
    champion = WEAK_SPOTS.left_champion
    [person] = q(
        demo_db,
        settings,
        """
        MATCH (s:Stakeholder {id: $id})
        RETURN s.status AS status, toString(date(s.left_at)) AS left_on,
               [(s)-[r:HAS_ROLE {role: 'champion'}]->(x) |
                 [x.id, toString(date(r.since)), toString(date(r.until))]] AS roles,
               [(t:TeamMember)-[k:KNOWS]->(s) | [t.id, k.until IS NOT NULL]] AS ties,
               [(s)-[w:WORKS_AT]->(a) WHERE w.until IS NULL | a.id] AS employer
        """,
        id=champion,
    )
    left_on = days_ago(portfolio, WEAK_SPOTS.left_days_ago)
    first_sync = days_ago(portfolio, 365)
    assert person["status"] == "left" and person["left_on"] == left_on
    assert sorted(person["roles"]) == sorted(
        [
            [WEAK_SPOTS.left_champion_account, first_sync, left_on],
            [WEAK_SPOTS.left_champion_opportunity, first_sync, left_on],
        ]
    )
    # every tie of ours to them is closed (a strength change earlier closed one too)
    assert {tuple(tie) for tie in person["ties"]} == {("tm-ben", True), ("tm-chloe", True)}
    assert person["employer"] == []
    [opportunity] = q(
        demo_db,
        settings,
        "MATCH (o:Opportunity {id: $id}) "
        "RETURN [(s)-[r:HAS_ROLE {role: 'champion'}]->(o) WHERE r.until IS NULL | s.id] AS now",
        id=WEAK_SPOTS.left_champion_opportunity,
    )
    assert opportunity["now"] == []


def test_dark_economic_buyer(seeded: SeedResult, demo_db: Graph, settings: Settings) -> None:
    [buyer] = q(
        demo_db,
        settings,
        """
        MATCH (s:Stakeholder {id: $id})
        RETURN coalesce(s.status, 'active') AS status,
               [(s)-[r:HAS_ROLE {role: 'economic_buyer'}]->(x) WHERE r.until IS NULL | x.id]
                 AS buys_for,
               COUNT { (:TeamMember)-[:KNOWS]->(s) } AS ties,
               COUNT { (:Interaction)-[:WITH]->(s) } AS interactions,
               [(s)-[c:CONTROLS {authority: 'owner'}]->(b) WHERE c.until IS NULL | b.id] AS owns
        """,
        id=WEAK_SPOTS.dark_economic_buyer,
    )
    assert buyer["status"] == "active"
    assert sorted(buyer["buys_for"]) == ["northwind", "northwind-opp-cloud"]
    assert buyer["ties"] == 0 and buyer["interactions"] == 0
    assert buyer["owns"] == ["northwind-bud-cloud"]


SOLID_MANAGER_AS_OF = """
MATCH (s:Stakeholder {id: $id})-[r:REPORTS_TO {kind: 'solid'}]->(m)
WITH r, m, datetime($as_of) + duration('P1D') AS t
WHERE r.since < t AND (r.until IS NULL OR r.until >= t)
RETURN m.id AS manager
"""


def test_reorg_changes_the_org_chart_of_six_months_ago(
    seeded: SeedResult, demo_db: Graph, settings: Settings, portfolio: DemoPortfolio
) -> None:
    half_a_year_ago = days_ago(portfolio, 183)
    today = portfolio.today.isoformat()
    for vp in WEAK_SPOTS.reorg_moved:
        then = q(demo_db, settings, SOLID_MANAGER_AS_OF, id=vp, as_of=half_a_year_ago)
        now = q(demo_db, settings, SOLID_MANAGER_AS_OF, id=vp, as_of=today)
        assert then == [{"manager": WEAK_SPOTS.reorg_previous_manager}]
        assert now == [{"manager": WEAK_SPOTS.reorg_new_manager}]
    [cdo] = q(
        demo_db,
        settings,
        "MATCH (s:Stakeholder {id: $id})-[w:WORKS_AT]->(a) "
        "RETURN a.id AS account, toString(date(w.since)) AS since",
        id=WEAK_SPOTS.reorg_new_manager,
    )
    assert cdo == {
        "account": WEAK_SPOTS.reorg_account,
        "since": days_ago(portfolio, WEAK_SPOTS.reorg_days_ago),
    }
    controls = q(
        demo_db,
        settings,
        """
        MATCH (s:Stakeholder)-[c:CONTROLS]->(:Budget {id: $budget})
        WHERE s.id IN [$old, $new]
        RETURN s.id AS who, c.authority AS authority, c.until IS NULL AS current
        ORDER BY who, current
        """,
        budget=WEAK_SPOTS.reorg_budget,
        old=WEAK_SPOTS.reorg_previous_manager,
        new=WEAK_SPOTS.reorg_new_manager,
    )
    assert [(r["who"], r["authority"], r["current"]) for r in controls] == [
        (WEAK_SPOTS.reorg_previous_manager, "owner", False),
        (WEAK_SPOTS.reorg_previous_manager, "recommender", True),
        (WEAK_SPOTS.reorg_new_manager, "owner", True),
    ]


def test_detractor_with_high_influence(
    seeded: SeedResult, demo_db: Graph, settings: Settings
) -> None:
    detractor = WEAK_SPOTS.influential_detractor
    rows = q(
        demo_db,
        settings,
        CURRENT_PEOPLE
        + """
        RETURN s.id AS id,
               reduce(x = 0.0, r IN [(s)-[i:INFLUENCES]->() | i.strength] | x + r) AS out,
               reduce(x = 0.0, r IN [(s)<-[i:INFLUENCES]-() | i.strength] | x + r) AS in,
               [(s)-[r:HAS_ROLE {role: 'detractor'}]->(:Account {id: $account})
                 WHERE r.until IS NULL | r.stance] AS stance
        """,
        account=WEAK_SPOTS.influential_detractor_account,
    )
    by_id = {r["id"]: r for r in rows}
    assert by_id[detractor]["stance"] == [-2]
    assert max(rows, key=lambda r: r["out"])["id"] == detractor
    assert max(rows, key=lambda r: r["in"])["id"] == detractor


def test_stakeholder_who_moved_between_accounts(
    seeded: SeedResult, demo_db: Graph, settings: Settings, portfolio: DemoPortfolio
) -> None:
    rows = q(
        demo_db,
        settings,
        """
        MATCH (s:Stakeholder {id: $id})-[w:WORKS_AT]->(a)
        RETURN a.id AS account, toString(date(w.since)) AS since,
               toString(date(w.until)) AS until, s.email AS email,
               [(t:TeamMember)-[k:KNOWS]->(s) WHERE k.until IS NULL | t.id] AS known_by
        ORDER BY since
        """,
        id=WEAK_SPOTS.mover,
    )
    moved_on = days_ago(portfolio, WEAK_SPOTS.moved_days_ago)
    assert [(r["account"], r["since"], r["until"]) for r in rows] == [
        (WEAK_SPOTS.mover_from, days_ago(portfolio, 365), moved_on),
        (WEAK_SPOTS.mover_to, moved_on, None),
    ]
    assert rows[-1]["email"].endswith("@bluebird-retail.example")
    assert rows[-1]["known_by"] == ["tm-dev"]


ENGAGEMENT_EDGES = (
    CURRENT_PEOPLE
    + """
WITH collect(s) AS people
UNWIND people AS s
CALL (s, people) {
  MATCH (t:TeamMember)-[k:KNOWS]->(s) WHERE k.until IS NULL AND k.strength >= $theta
  RETURN t.id AS a, s.id AS b
  UNION
  MATCH (s)-[:INFLUENCES]->(o) WHERE o IN people
  RETURN s.id AS a, o.id AS b
  UNION
  MATCH (s)-[r:REPORTS_TO]->(m) WHERE r.until IS NULL AND m IN people
  RETURN s.id AS a, m.id AS b
}
RETURN a, b
"""
)


def test_budget_owner_reachable_only_through_one_champion(
    seeded: SeedResult, demo_db: Graph, settings: Settings
) -> None:
    owner, gateway = WEAK_SPOTS.lone_owner, WEAK_SPOTS.lone_owner_gateway_champion
    [budget] = q(
        demo_db,
        settings,
        """
        MATCH (b:Budget {id: $budget})
        RETURN [(s)-[c:CONTROLS {authority: 'owner'}]->(b) WHERE c.until IS NULL | s.id]
                 AS owners,
               [(g:Stakeholder {id: $gateway})-[r:HAS_ROLE {role: 'champion'}]->(x)
                 WHERE r.until IS NULL | x.id] AS championed
        """,
        budget=WEAK_SPOTS.lone_owner_budget,
        gateway=gateway,
    )
    assert budget["owners"] == [owner]
    assert "acme" in budget["championed"]
    edges = q(demo_db, settings, ENGAGEMENT_EDGES, account="acme", theta=THETA)
    graph = nx.Graph([(r["a"], r["b"]) for r in edges])
    team = [n for n in graph if n.startswith("tm-")]
    assert not any(graph.has_edge(tm, owner) for tm in team)  # no active tie of ours
    assert nx.shortest_path(graph, "tm-ava", owner) == ["tm-ava", gateway, owner]
    graph.remove_node(gateway)
    assert not any(nx.has_path(graph, tm, owner) for tm in team)


def test_history_is_real(seeded: SeedResult, demo_db: Graph, settings: Settings) -> None:
    [row] = q(
        demo_db,
        settings,
        """
        MATCH ()-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|KNOWS]->()
        RETURN count(r) AS edges, count(r.until) AS closed,
               count(DISTINCT date(r.since)) AS since_days
        """,
    )
    assert row["closed"] >= 15
    assert row["since_days"] >= 5


def test_the_demo_is_written_with_source_demo(
    seeded: SeedResult, demo_db: Graph, settings: Settings
) -> None:
    # Issue 11 §2: the seed is a write of its own source; derived ties say interactions.
    [row] = q(
        demo_db,
        settings,
        """
        MATCH (n:Account|Stakeholder|TeamMember|Budget|Opportunity|Interaction)
        WITH collect(DISTINCT n.source) AS nodes
        OPTIONAL MATCH ()-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|INFLUENCES|COVERS]->()
        WITH nodes, collect(DISTINCT r.source) AS edges
        OPTIONAL MATCH ()-[k:KNOWS]->()
        WITH nodes, edges, collect(DISTINCT k.source) AS ties
        MATCH (c:ChangeSet)
        RETURN nodes, edges, ties, collect(DISTINCT c.source) AS change_sets
        """,
    )
    assert row["nodes"] == ["demo"]
    assert row["edges"] == ["demo"]
    assert sorted(row["ties"]) == ["demo", "interactions"]
    assert row["change_sets"] == ["demo"]


# -- seeding: idempotent, reset, refusal, the key -----------------------------------------

SNAPSHOT_NODES = """
MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock
RETURN labels(n) AS labels, properties(n) AS props
"""
SNAPSHOT_EDGES = """
MATCH (a)-[r]->(b)
WHERE NOT a:__Migration AND NOT a:__MigrationLock
RETURN a.id AS a, type(r) AS type, properties(r) AS props, b.id AS b
"""


def snapshot(graph: Graph, settings: Settings) -> tuple[list[str], list[str]]:
    """Every node and edge with all its properties, in a stable order."""

    def flat(row: dict[str, Any]) -> str:
        return repr(sorted((k, sorted(v.items()) if k == "props" else v) for k, v in row.items()))

    return (
        sorted(flat(r) for r in q(graph, settings, SNAPSHOT_NODES)),
        sorted(flat(r) for r in q(graph, settings, SNAPSHOT_EDGES)),
    )


def test_seeding_twice_changes_nothing(graph: Graph, settings: Settings) -> None:
    first = seed_demo(graph, settings)
    assert first.state_before == "absent" and first.loaded and first.key_created
    before = snapshot(graph, settings)
    nodes, edges = before
    assert len(nodes) > 400 and len(edges) > 1000
    again = seed_demo(graph, settings, api_key=first.api_key)
    assert (again.state_before, again.loaded, again.key_created) == ("complete", False, False)
    assert again.api_key == first.api_key
    assert snapshot(graph, settings) == before


def test_reset_reloads_the_demo_and_nothing_else(graph: Graph, settings: Settings) -> None:
    ingest_batch(
        graph,
        settings,
        {"accounts": [{"id": "not-the-demo", "name": "Kept", "tier": "key"}]},
    )
    first = seed_demo(graph, settings)
    fresh = seed_demo(graph, settings, reset=True, api_key=first.api_key)
    assert fresh.loaded and fresh.removed_nodes > 400 and fresh.key_created
    assert fresh.api_key != first.api_key
    with pytest.raises(Unauthenticated):
        authenticate(graph, first.api_key)
    assert authenticate(graph, fresh.api_key).name == DEMO_KEY_NAME
    assert demo_state(graph, build_demo_portfolio()) == "complete"
    kept = q(graph, settings, "MATCH (a:Account {id: 'not-the-demo'}) RETURN a.name AS name")
    assert kept == [{"name": "Kept"}]
    [keys] = q(graph, settings, "MATCH (k:ApiKey) RETURN count(k) AS n")
    assert keys["n"] == 1


def test_reset_counts_exactly_the_demo_nodes_and_keys(graph: Graph, settings: Settings) -> None:
    # remove_demo's count: every stored node of the demo (by label and id) plus its key.
    seed_demo(graph, settings)
    ids = build_demo_portfolio().node_ids()
    [stored] = q(
        graph,
        settings,
        "MATCH (n) WHERE any(label IN labels(n) WHERE n.id IN $ids[label]) RETURN count(n) AS n",
        ids=ids,
    )
    [keys] = q(
        graph, settings, "MATCH (k:ApiKey {name: $name}) RETURN count(k) AS n", name=DEMO_KEY_NAME
    )
    assert stored["n"] == sum(len(v) for v in ids.values()) and keys["n"] == 1
    fresh = seed_demo(graph, settings, reset=True)
    assert fresh.removed_nodes == stored["n"] + keys["n"]


def test_a_half_loaded_demo_is_refused(graph: Graph, settings: Settings) -> None:
    portfolio = build_demo_portfolio()
    ingest_batch(graph, settings, portfolio.batches()[0])
    assert demo_state(graph, portfolio) == "partial"
    with pytest.raises(Conflict, match="--reset"):
        seed_demo(graph, settings)


def test_the_demo_key_reads_writes_and_runs_queries(
    client: TestClient, graph: Graph, settings: Settings
) -> None:
    result = seed_demo(graph, settings)
    principal = authenticate(graph, result.api_key)
    assert principal.scopes == {Scope.READ, Scope.WRITE, Scope.QUERY_RUN}
    headers = {"Authorization": f"Bearer {result.api_key}"}
    response = client.get("/v1/accounts", headers=headers)
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["items"]] == ["acme", "bluebird", "northwind"]
    strategic = client.get("/v1/accounts", params={"tier": "strategic"}, headers=headers)
    assert [a["id"] for a in strategic.json()["items"]] == ["acme"]
    assert client.get("/v1/accounts").status_code == 401
    unchanged = {"accounts": [{"id": "bluebird", "name": "Bluebird Retail", "tier": "standard"}]}
    assert client.post("/v1/ingest", json=unchanged, headers=headers).status_code == 200


def test_cli_seed_demo_keeps_its_key_in_the_env_file(
    graph: Graph, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env.test"
    env_file.write_text(
        f"NEO4J_URI={settings.neo4j_uri}\nNEO4J_USER={settings.neo4j_user}\n"
        f"NEO4J_PASSWORD={settings.neo4j_password.get_secret_value()}\n"
        f"NEO4J_DATABASE={settings.neo4j_database}\n"
    )
    monkeypatch.setenv("POWERMAP_ENV_FILE", str(env_file))
    runner = CliRunner()
    first = runner.invoke(cli, ["seed-demo"])
    assert first.exit_code == 0, first.output
    key = next(
        line.split("=", 1)[1]
        for line in env_file.read_text().splitlines()
        if line.startswith("POWERMAP_DEMO_API_KEY=")
    )
    assert key in first.stdout
    before = snapshot(graph, settings)
    second = runner.invoke(cli, ["seed-demo"])
    assert second.exit_code == 0, second.output
    assert key in second.stdout
    assert f"POWERMAP_DEMO_API_KEY={key}" in env_file.read_text()
    assert snapshot(graph, settings) == before
    assert authenticate(graph, key).name == DEMO_KEY_NAME
