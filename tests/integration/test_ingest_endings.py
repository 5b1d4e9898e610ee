"""Issue 11, §1, on the real Neo4j: ending edges in the generic batch (`until` on every
relationship row and dotted line, `left_at` on people rows), INFLUENCES and COVERS with
history and read as of a date, title history in the org chart and the stakeholder read,
a person moving to another account, and migration V0004 for data written before."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.domain.changes import ChangeSet, EdgeChange
from service.domain.errors import InvalidInput
from service.domain.ingest import depart_stakeholder, ingest_batch
from service.domain.org_chart import OrgNode, org_chart, valid_at
from service.graph import migrations
from service.graph.account_subgraph import account_subgraph, find_person
from service.graph.check import check_graph
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory
from tests.integration.test_ingest_support import current_edges, dump

T1 = datetime(2026, 1, 1, tzinfo=UTC)
T2 = datetime(2026, 3, 1, tzinfo=UTC)
T3 = datetime(2026, 5, 1, tzinfo=UTC)


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


SCENE: dict[str, Any] = {
    "effective_at": iso(T1),
    "accounts": [{"id": "acme", "name": "Acme"}, {"id": "globex", "name": "Globex"}],
    "stakeholders": [
        {"id": "p0", "account_id": "acme", "name": "Pat", "title": "CEO"},
        {
            "id": "p1",
            "account_id": "acme",
            "name": "Dana",
            "title": "CFO",
            "reports_to": "p0",
            "dotted_reports_to": ["p2"],
        },
        {"id": "p2", "account_id": "acme", "name": "Lee", "title": "CIO", "reports_to": "p1"},
        {"id": "g0", "account_id": "globex", "name": "Gil", "title": "CEO"},
    ],
    "team_members": [{"id": "t1", "name": "Sam"}],
    "budgets": [{"id": "b1", "account_id": "acme", "name": "Opex"}],
    "opportunities": [{"id": "o1", "account_id": "acme", "name": "Renewal"}],
    "controls": [{"stakeholder_id": "p1", "budget_id": "b1", "authority": "owner"}],
    "roles": [
        {"stakeholder_id": "p1", "role": "economic_buyer", "stance": 1, "account_id": "acme"},
        {"stakeholder_id": "p1", "role": "champion", "stance": 2, "opportunity_id": "o1"},
    ],
    "influences": [{"from_id": "p1", "to_id": "p0", "strength": 0.7}],
    "relationships": [{"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.8}],
    "coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "account_manager"}],
}

# Each kind of ending row: (section, row, the edge it closes: type, from, to, identity).
ENDINGS: list[tuple[str, dict[str, Any], tuple[str, str, str, dict[str, Any]]]] = [
    (
        "roles",
        {"stakeholder_id": "p1", "role": "economic_buyer", "account_id": "acme"},
        ("HAS_ROLE", "p1", "acme", {"role": "economic_buyer", "stance": 1, "target": "account"}),
    ),
    (
        "roles",
        {"stakeholder_id": "p1", "role": "champion", "opportunity_id": "o1"},
        ("HAS_ROLE", "p1", "o1", {"role": "champion", "stance": 2, "target": "opportunity"}),
    ),
    (
        "controls",
        {"stakeholder_id": "p1", "budget_id": "b1", "authority": "owner"},
        ("CONTROLS", "p1", "b1", {"authority": "owner"}),
    ),
    (
        "influences",
        {"from_id": "p1", "to_id": "p0"},
        ("INFLUENCES", "p1", "p0", {"strength": 0.7}),
    ),
    (
        "relationships",
        {"team_member_id": "t1", "stakeholder_id": "p1"},
        ("KNOWS", "t1", "p1", {"source": "api", "strength": 0.8}),
    ),
    (
        "coverage",
        {"team_member_id": "t1", "account_id": "acme"},
        ("COVERS", "t1", "acme", {"role": "account_manager"}),
    ),
]


def write(graph: Graph, settings: Settings, batch: dict[str, Any]) -> ChangeSet:
    changes = ingest_batch(graph, settings, batch).changes
    assert changes is not None
    return changes


def current(graph: Graph, settings: Settings, rel_type: str) -> list[tuple[str, str]]:
    return [(e["source"], e["target"]) for e in current_edges(graph, settings, rel_type)]


@pytest.mark.parametrize(
    ("section", "row", "edge"), ENDINGS, ids=[f"{s}-{e[0]}-{e[2]}" for s, _, e in ENDINGS]
)
def test_until_ends_the_current_edge_and_a_second_time_changes_nothing(
    graph: Graph,
    settings: Settings,
    section: str,
    row: dict[str, Any],
    edge: tuple[str, str, str, dict[str, Any]],
) -> None:
    write(graph, settings, SCENE)
    kind, source, target, identity = edge
    assert (source, target) in current(graph, settings, kind)

    ending = {"effective_at": iso(T3), section: [{**row, "until": iso(T2)}]}
    changes = write(graph, settings, ending)

    # Closed at `until` (not at the batch's effective time), nothing else touched.
    assert changes.edges == (
        EdgeChange("closed", kind, source, target, "acme", T1, T2, identity=identity),
    )
    assert changes.accounts == ("acme",)
    assert (source, target) not in current(graph, settings, kind)
    assert check_graph(graph) == []

    # No current edge any more: the same row is a no-op and records nothing.
    before = dump(graph, settings)
    again = write(graph, settings, ending)
    assert again.empty and again.id is None
    assert dump(graph, settings) == before


def test_until_before_the_edge_began_closes_it_at_its_since(
    graph: Graph, settings: Settings
) -> None:
    write(graph, settings, SCENE)
    changes = write(
        graph,
        settings,
        {"influences": [{"from_id": "p1", "to_id": "p0", "until": "2025-06-01T00:00:00Z"}]},
    )
    # History never runs backwards: an empty interval [T1, T1), not an until before since.
    assert changes.edges == (
        EdgeChange("closed", "INFLUENCES", "p1", "p0", "acme", T1, T1, identity={"strength": 0.7}),
    )


def test_a_control_ends_only_for_its_authority(graph: Graph, settings: Settings) -> None:
    write(graph, settings, SCENE)
    changes = write(
        graph,
        settings,
        {
            "controls": [
                {
                    "stakeholder_id": "p1",
                    "budget_id": "b1",
                    "authority": "approver",
                    "until": iso(T2),
                }
            ]
        },
    )
    assert changes.empty
    assert current(graph, settings, "CONTROLS") == [("p1", "b1")]


def test_value_fields_are_required_unless_until_is_given(graph: Graph, settings: Settings) -> None:
    write(graph, settings, SCENE)
    with pytest.raises(InvalidInput) as refused:
        ingest_batch(
            graph,
            settings,
            {
                "roles": [{"stakeholder_id": "p1", "role": "champion", "account_id": "acme"}],
                "influences": [{"from_id": "p1", "to_id": "p0"}],
                "relationships": [{"team_member_id": "t1", "stakeholder_id": "p1"}],
            },
        )
    assert {(e.location, e.reason) for e in refused.value.errors} == {
        ("roles[0].stance", "Field required unless until is given"),
        ("influences[0].strength", "Field required unless until is given"),
        ("relationships[0].strength", "Field required unless until is given"),
    }


def test_dotted_line_entries_with_until(graph: Graph, settings: Settings) -> None:
    write(graph, settings, SCENE)
    p1 = {"id": "p1", "account_id": "acme", "name": "Dana", "title": "CFO"}

    # Only entries with until: they end their lines, the others stay (no complete set).
    write(graph, settings, {"stakeholders": [{**p1, "dotted_reports_to": ["p0"]}]})
    assert current(graph, settings, "REPORTS_TO") == [
        ("p1", "p0"),
        ("p1", "p0"),
        ("p2", "p1"),
    ]  # the solid line and the dotted line to p0; the dotted line to p2 was closed
    write(
        graph,
        settings,
        {"stakeholders": [{**p1, "dotted_reports_to": [{"id": "p0", "until": iso(T2)}]}]},
    )
    dotted = graph.read(
        "MATCH (:Stakeholder {id: 'p1'})-[r:REPORTS_TO {kind: 'dotted'}]->(m) "
        "WHERE r.until IS NULL RETURN m.id AS id"
    )
    assert dotted == []

    # Plain ids with an ending entry: the plain ids are the complete set.
    changes = write(
        graph,
        settings,
        {
            "effective_at": iso(T3),
            "stakeholders": [{**p1, "dotted_reports_to": ["p2", {"id": "p0", "until": iso(T3)}]}],
        },
    )
    assert [(e.change, e.to_id) for e in changes.edges] == [("opened", "p2")]


def test_left_at_on_a_stakeholder_row_is_the_departure(graph: Graph, settings: Settings) -> None:
    write(graph, settings, SCENE)
    row = {"id": "p1", "account_id": "acme", "name": "Dana", "title": "CFO", "left_at": iso(T2)}
    changes = write(graph, settings, {"effective_at": iso(T3), "stakeholders": [row]})

    assert [(n.change, n.id) for n in changes.nodes] == [("left", "p1")]
    closed = sorted((e.type, e.from_id, e.to_id, e.until) for e in changes.edges)
    assert closed == [
        ("CONTROLS", "p1", "b1", T2),
        ("HAS_ROLE", "p1", "acme", T2),
        ("HAS_ROLE", "p1", "o1", T2),
        ("INFLUENCES", "p1", "p0", T2),
        ("KNOWS", "t1", "p1", T2),
        ("REPORTS_TO", "p1", "p0", T2),
        ("REPORTS_TO", "p1", "p2", T2),
        ("REPORTS_TO", "p2", "p1", T2),
        ("WORKS_AT", "p1", "acme", T2),
    ]
    assert {e.change for e in changes.edges} == {"closed"}
    [person] = graph.read("MATCH (s:Stakeholder {id: 'p1'}) RETURN s.status AS s, s.left_at AS at")
    assert (person["s"], person["at"].to_native()) == ("left", T2)
    # As the route: a second time changes nothing (the row does not reactivate).
    before = dump(graph, settings)
    assert write(graph, settings, {"effective_at": iso(T3), "stakeholders": [row]}).empty
    assert dump(graph, settings) == before
    assert depart_stakeholder(graph, "p1", left_at=T3).already_left


def test_a_row_cannot_open_an_edge_of_a_person_leaving_in_the_batch(
    graph: Graph, settings: Settings
) -> None:
    write(graph, settings, SCENE)
    with pytest.raises(InvalidInput) as refused:
        ingest_batch(
            graph,
            settings,
            {
                "stakeholders": [
                    {"id": "p1", "account_id": "acme", "name": "Dana", "left_at": iso(T2)},
                    {"id": "p9", "account_id": "acme", "name": "Kim", "reports_to": "p1"},
                    {
                        "id": "p8",
                        "account_id": "acme",
                        "name": "Ola",
                        "left_at": iso(T2),
                        "reports_to": "p0",
                    },
                ],
                "roles": [
                    {"stakeholder_id": "p1", "role": "coach", "stance": 1, "account_id": "acme"},
                    # Ending an edge of theirs is fine.
                    {
                        "stakeholder_id": "p1",
                        "role": "champion",
                        "opportunity_id": "o1",
                        "until": iso(T2),
                    },
                ],
            },
        )
    assert [e.location for e in refused.value.errors] == [
        "stakeholders[1].reports_to",
        "stakeholders[2].reports_to",
        "roles[0].stakeholder_id",
    ]


def test_left_at_on_a_team_member_row_closes_ties_and_coverage(
    graph: Graph, settings: Settings
) -> None:
    write(graph, settings, SCENE)
    changes = write(
        graph,
        settings,
        {
            "effective_at": iso(T3),
            "team_members": [{"id": "t1", "name": "Sam", "left_at": iso(T2)}],
        },
    )
    assert [(n.change, n.id) for n in changes.nodes] == [("left", "t1")]
    assert sorted((e.type, e.to_id, e.since, e.until) for e in changes.edges) == [
        ("COVERS", "acme", T1, T2),
        ("KNOWS", "p1", T1, T2),
    ]
    assert current(graph, settings, "COVERS") == [] and current(graph, settings, "KNOWS") == []


def test_influences_and_covers_keep_history_and_read_as_of(
    graph: Graph, settings: Settings, client: TestClient, auth_headers: KeyFactory
) -> None:
    write(graph, settings, SCENE)
    changes = write(
        graph,
        settings,
        {
            "effective_at": iso(T2),
            "influences": [{"from_id": "p1", "to_id": "p0", "strength": 0.3}],
            "coverage": [{"team_member_id": "t1", "account_id": "acme", "until": iso(T2)}],
        },
    )
    # A new strength closes and reopens (history), as a changed stance or authority does.
    assert [(e.change, e.type, e.identity) for e in changes.edges] == [
        ("closed", "COVERS", {"role": "account_manager"}),
        ("closed", "INFLUENCES", {"strength": 0.7}),
        ("opened", "INFLUENCES", {"strength": 0.3}),
    ]

    def influence(day: date) -> list[tuple[str, str, float]]:
        pulled = account_subgraph(graph, "acme", valid_at=valid_at(day))
        assert pulled is not None
        return [(i.from_id, i.to_id, i.strength) for i in pulled.graph.influences]

    assert influence(date(2026, 2, 1)) == [("p1", "p0", 0.7)]
    assert influence(date(2026, 3, 1)) == [("p1", "p0", 0.3)]
    assert influence(date(2025, 12, 1)) == []  # nobody was there yet

    def covered(day: date) -> tuple[str, ...]:
        ref = find_person(graph, "t1", valid_at=valid_at(day))
        assert ref is not None
        return ref.account_ids

    # t1's tie to p1 keeps them on acme's team through it; the coverage itself ended.
    assert covered(date(2026, 2, 1)) == ("acme",)
    write(
        graph,
        settings,
        {"relationships": [{"team_member_id": "t1", "stakeholder_id": "p1", "until": iso(T2)}]},
    )
    assert covered(date(2026, 2, 1)) == ("acme",)
    assert covered(date(2026, 3, 1)) == ()

    # The current reads: the account team and the stakeholder's influence.
    headers = auth_headers("read")
    account = client.get("/v1/accounts/acme", headers=headers).json()
    assert account["team"] == [] and account["counts"]["team_members"] == 0
    p0 = client.get("/v1/stakeholders/p0", headers=headers).json()
    assert [(i["id"], i["strength"]) for i in p0["influenced_by"]] == [("p1", 0.3)]


def test_a_title_change_keeps_history_in_the_org_chart_and_the_stakeholder_read(
    graph: Graph, settings: Settings, client: TestClient, auth_headers: KeyFactory
) -> None:
    write(graph, settings, SCENE)
    promoted = {
        "id": "p2",
        "account_id": "acme",
        "name": "Lee",
        "title": "CTO",
        "department": "Technology",
        "seniority": "c_level",
    }
    write(graph, settings, {"effective_at": iso(T2), "stakeholders": [promoted]})
    # Re-sent: the position is the same, nothing changes.
    assert write(graph, settings, {"effective_at": iso(T3), "stakeholders": [promoted]}).empty

    def titles(day: date) -> dict[str, tuple[str | None, str | None]]:
        chart = org_chart(graph, "acme", as_of=day, threshold=0.2)
        found: dict[str, tuple[str | None, str | None]] = {}

        def walk(nodes: list[OrgNode]) -> None:
            for n in nodes:
                found[n.id] = (n.title, n.department)
                walk(n.children)

        walk(chart.roots)
        return found

    assert titles(date(2026, 2, 1))["p2"] == ("CIO", None)
    assert titles(date(2026, 3, 1))["p2"] == ("CTO", "Technology")
    assert titles(date(2026, 2, 1))["p0"] == ("CEO", None)

    headers = auth_headers("read")
    now = client.get("/v1/stakeholders/p2", headers=headers).json()
    assert (now["title"], now["seniority"]) == ("CTO", "c_level")
    assert [
        (p["title"], p["since"][:10], p["until"] and p["until"][:10]) for p in now["positions"]
    ] == [
        ("CIO", "2026-01-01", "2026-03-01"),
        ("CTO", "2026-03-01", None),
    ]
    then = client.get("/v1/stakeholders/p2?as_of=2026-02-01", headers=headers).json()
    assert (then["title"], then["department"], then["seniority"]) == ("CIO", None, None)
    before = client.get("/v1/stakeholders/p2?as_of=2025-06-01", headers=headers).json()
    assert before["title"] is None  # no position held then


def test_a_move_to_another_account_ends_the_old_accounts_edges_and_keeps_our_ties(
    graph: Graph, settings: Settings
) -> None:
    write(graph, settings, SCENE)
    write(
        graph,
        settings,
        {
            "effective_at": iso(T1),
            "roles": [
                {"stakeholder_id": "g0", "role": "coach", "stance": 1, "account_id": "globex"}
            ],
            "stakeholders": [
                {
                    "id": "g0",
                    "account_id": "globex",
                    "name": "Gil",
                    "title": "CEO",
                    "reports_to": "p1",
                }
            ],
        },
    )
    moved = {"id": "p1", "account_id": "globex", "name": "Dana", "title": "CFO"}
    changes = write(graph, settings, {"effective_at": iso(T2), "stakeholders": [moved]})

    assert sorted((e.change, e.type, e.from_id, e.to_id) for e in changes.edges) == [
        ("closed", "CONTROLS", "p1", "b1"),
        ("closed", "HAS_ROLE", "p1", "acme"),
        ("closed", "HAS_ROLE", "p1", "o1"),
        ("closed", "REPORTS_TO", "p1", "p0"),  # solid, to a person of acme
        ("closed", "REPORTS_TO", "p1", "p2"),  # dotted
        ("closed", "REPORTS_TO", "p2", "p1"),  # p2's manager left acme
        ("closed", "WORKS_AT", "p1", "acme"),
        ("opened", "WORKS_AT", "p1", "globex"),
    ]
    assert all(e.until == T2 for e in changes.edges if e.change == "closed")
    # Our tie stays (the relationship is with the person), so does the line from a
    # person of the new account, and the influence line (not part of the move).
    assert ("t1", "p1") in current(graph, settings, "KNOWS")
    assert ("g0", "p1") in current(graph, settings, "REPORTS_TO")
    assert ("p1", "p0") in current(graph, settings, "INFLUENCES")
    assert check_graph(graph) == []
    # Re-sent: nothing more.
    assert write(graph, settings, {"effective_at": iso(T3), "stakeholders": [moved]}).empty


def test_colleagues_moving_together_keep_their_line(graph: Graph, settings: Settings) -> None:
    write(graph, settings, SCENE)
    changes = write(
        graph,
        settings,
        {
            "effective_at": iso(T2),
            "stakeholders": [
                {"id": "p1", "account_id": "globex", "name": "Dana", "title": "CFO"},
                {"id": "p2", "account_id": "globex", "name": "Lee", "title": "CIO"},
            ],
        },
    )
    lines = {(e.from_id, e.to_id) for e in changes.edges if e.type == "REPORTS_TO"}
    assert lines == {("p1", "p0")}  # p2 -> p1 and the dotted p1 -> p2 move with them
    assert ("p2", "p1") in current(graph, settings, "REPORTS_TO")


OLD_SHAPE = """
CREATE (a:Account {id: 'acme', name: 'Acme'})
CREATE (p0:Stakeholder {id: 'p0', name: 'Pat', title: 'CEO', status: 'active',
                        updated_at: datetime()})
CREATE (p1:Stakeholder {id: 'p1', name: 'Dana', title: 'CFO', department: 'Finance',
                        status: 'left', left_at: datetime('2026-04-01T00:00:00Z')})
CREATE (t:TeamMember {id: 't1', name: 'Sam', status: 'active'})
CREATE (p0)-[:WORKS_AT {since: datetime('2026-01-01T00:00:00Z')}]->(a)
CREATE (p1)-[:WORKS_AT {since: datetime('2026-02-01T00:00:00Z'),
                        until: datetime('2026-04-01T00:00:00Z')}]->(a)
CREATE (p1)-[:INFLUENCES {strength: 0.5}]->(p0)
CREATE (p0)-[:INFLUENCES {strength: 0.4}]->(p1)
CREATE (t)-[:COVERS {role: 'account_manager'}]->(a)
"""


def test_migration_v0004_makes_existing_data_time_bound(graph: Graph, settings: Settings) -> None:
    graph.write(OLD_SHAPE)
    [v4] = [f for f in migrations.discover(settings.migrations_dir) if f.version == 4]
    for _ in range(2):  # a second run changes nothing
        for statement in v4.statements:
            graph.write(statement)

    rows = graph.read(
        "MATCH (a)-[r:INFLUENCES|COVERS|WORKS_AT]->(b) "
        "RETURN type(r) AS type, a.id AS a, b.id AS b, r.since AS since, r.until AS until, "
        "r.title AS title, r.department AS department ORDER BY type, a, b"
    )

    def day(v: Any) -> str | None:
        return None if v is None else str(v.to_native().date())

    assert [(r["type"], r["a"], r["b"], day(r["since"]), day(r["until"])) for r in rows] == [
        ("COVERS", "t1", "acme", "1970-01-01", None),
        ("INFLUENCES", "p0", "p1", "2026-02-01", "2026-04-01"),  # p1 left
        ("INFLUENCES", "p1", "p0", "2026-02-01", "2026-04-01"),
        ("WORKS_AT", "p0", "acme", "2026-01-01", None),
        ("WORKS_AT", "p1", "acme", "2026-02-01", "2026-04-01"),
    ]
    assert [(r["title"], r["department"]) for r in rows if r["type"] == "WORKS_AT"] == [
        ("CEO", None),
        ("CFO", "Finance"),
    ]
    assert check_graph(graph) == []
    # A re-sent batch with the stored values changes nothing.
    p0 = {"id": "p0", "account_id": "acme", "name": "Pat", "title": "CEO"}
    assert write(graph, settings, {"stakeholders": [p0]}).empty
