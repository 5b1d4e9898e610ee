"""`powermap check` (service/graph/check.py): each invariant of docs/graph-conventions.md
is reported on a graph built by hand (direct Cypher) to break it, and a graph written by
the service, departures and history included, is clean."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import app as cli
from service.domain.access import Scope, create_key
from service.domain.ingest import depart_stakeholder, depart_team_member, ingest_batch
from service.graph.check import Invariant, Violation, check_graph
from service.graph.driver import Graph
from service.settings import Settings

# A small valid graph: two people of acme, a budget, a team member who knows p1.
BASE = """
CREATE (a:Account {id: 'acme', name: 'Acme'})
CREATE (p0:Stakeholder {id: 'p0', name: 'Ann', status: 'active'})
CREATE (p1:Stakeholder {id: 'p1', name: 'Dana', status: 'active'})
CREATE (p2:Stakeholder {id: 'p2', name: 'Lee', status: 'active'})
CREATE (b:Budget {id: 'b1', name: 'Opex'})-[:OF]->(a)
CREATE (t:TeamMember {id: 't1', name: 'Sam', status: 'active'})
CREATE (p0)-[:WORKS_AT {since: datetime('2026-01-01T00:00:00Z')}]->(a)
CREATE (p1)-[:WORKS_AT {since: datetime('2026-01-01T00:00:00Z')}]->(a)
CREATE (p2)-[:WORKS_AT {since: datetime('2026-01-01T00:00:00Z')}]->(a)
CREATE (p1)-[:REPORTS_TO {kind: 'solid', since: datetime('2026-01-01T00:00:00Z')}]->(p0)
CREATE (t)-[:KNOWS {strength: 0.5, source: 'api',
                    since: datetime('2026-01-01T00:00:00Z')}]->(p1)
CREATE (t)-[:COVERS {role: 'account_manager', since: datetime('2026-01-01T00:00:00Z')}]->(a)
"""

# Each case: the invariant, Cypher breaking it on top of BASE, and the subject reported.
BROKEN: list[tuple[Invariant, str, str]] = [
    (Invariant.NODE_ID, "CREATE (:Account {name: 'no id'})", ""),
    (Invariant.NODE_ID, "CREATE (:Stakeholder {id: '  ', status: 'active'})", "  "),
    (Invariant.NODE_ID, "CREATE (:Budget {id: 42})", "42"),
    (
        Invariant.BOOKKEEPING_ALONE,
        "MATCH (a:Account {id: 'acme'}) CREATE (:ApiKey {id: 'k1'})-[:OF]->(a)",
        "k1",
    ),
    (
        Invariant.BOOKKEEPING_ALONE,
        "MATCH (a:Account {id: 'acme'}) CREATE (:Scratch {id: 'x'})-[:NOTE]->(a)",
        "x",
    ),
    (
        Invariant.MODEL_RELATIONSHIPS,
        "MATCH (a:Account {id: 'acme'}), (p:Stakeholder {id: 'p2'}) CREATE (p)-[:LIKES]->(a)",
        "p2 -LIKES-> acme",
    ),
    (
        Invariant.MODEL_RELATIONSHIPS,
        "MATCH (a:Account {id: 'acme'}), (t:TeamMember {id: 't1'}) "
        "CREATE (t)-[:WORKS_AT {since: datetime()}]->(a)",
        "t1 -WORKS_AT-> acme",
    ),
    (
        Invariant.EDGE_PROPERTIES,
        "MATCH (p:Stakeholder {id: 'p2'}), (m:Stakeholder {id: 'p0'}) "
        "CREATE (p)-[:REPORTS_TO {kind: 'sideways', since: datetime()}]->(m)",
        "p2 -REPORTS_TO-> p0",
    ),
    (
        Invariant.EDGE_PROPERTIES,
        "MATCH (t:TeamMember {id: 't1'}), (p:Stakeholder {id: 'p2'}) "
        "CREATE (t)-[:KNOWS {strength: 0.3, since: datetime()}]->(p)",
        "t1 -KNOWS-> p2",
    ),
    (
        Invariant.INTERVALS,
        "MATCH (p:Stakeholder {id: 'p2'}), (b:Budget {id: 'b1'}) "
        "CREATE (p)-[:CONTROLS {authority: 'owner'}]->(b)",
        "p2 -CONTROLS-> b1",
    ),
    (
        Invariant.INTERVALS,
        "MATCH (p:Stakeholder {id: 'p2'}), (a:Account {id: 'acme'}) "
        "CREATE (p)-[:HAS_ROLE {role: 'champion', stance: 1, "
        "since: datetime('2026-05-01T00:00:00Z'), until: datetime('2026-04-01T00:00:00Z')}]->(a)",
        "p2 -HAS_ROLE-> acme",
    ),
    (
        Invariant.ONE_CURRENT,
        "MATCH (p:Stakeholder {id: 'p1'}), (m:Stakeholder {id: 'p2'}) "
        "CREATE (p)-[:REPORTS_TO {kind: 'solid', since: datetime('2026-02-01T00:00:00Z')}]->(m)",
        "p1",
    ),
    (
        Invariant.ONE_CURRENT,
        "MATCH (p:Stakeholder {id: 'p1'}) CREATE (p)-[:WORKS_AT {since: datetime()}]->"
        "(:Account {id: 'globex', name: 'Globex'})",
        "p1",
    ),
    (
        Invariant.ONE_CURRENT,
        "MATCH (t:TeamMember {id: 't1'}), (p:Stakeholder {id: 'p1'}) "
        "CREATE (t)-[:KNOWS {strength: 0.9, source: 'interactions', since: datetime()}]->(p)",
        "t1",
    ),
    # Issue 9, item 7: a derived tie reopened inside the closed one's interval.
    (
        Invariant.NO_OVERLAP,
        "MATCH (t:TeamMember {id: 't1'}), (p:Stakeholder {id: 'p2'}) "
        "CREATE (t)-[:KNOWS {strength: 0.3, source: 'interactions', "
        "since: datetime('2026-01-01T00:00:00Z'), until: datetime('2026-03-01T00:00:00Z')}]->(p) "
        "CREATE (t)-[:KNOWS {strength: 0.4, source: 'interactions', "
        "since: datetime('2026-01-01T00:00:00Z')}]->(p)",
        "t1",
    ),
    (
        Invariant.NO_OVERLAP,
        "MATCH (p:Stakeholder {id: 'p2'}), (m:Stakeholder {id: 'p0'}) "
        "CREATE (p)-[:REPORTS_TO {kind: 'dotted', "
        "since: datetime('2026-01-01T00:00:00Z'), until: datetime('2026-03-01T00:00:00Z')}]->(m) "
        "CREATE (p)-[:REPORTS_TO {kind: 'dotted', "
        "since: datetime('2026-02-01T00:00:00Z'), until: datetime('2026-04-01T00:00:00Z')}]->(m)",
        "p2",
    ),
    (
        Invariant.NO_OVERLAP,
        "MATCH (p:Stakeholder {id: 'p2'}) CREATE (p)-[:WORKS_AT {"
        "since: datetime('2025-01-01T00:00:00Z'), until: datetime('2026-02-01T00:00:00Z')}]->"
        "(:Account {id: 'globex', name: 'Globex'})",
        "p2",
    ),
    (
        Invariant.NO_SOLID_CYCLE,
        "MATCH (p0:Stakeholder {id: 'p0'}), (p1:Stakeholder {id: 'p1'}) "
        "CREATE (p0)-[:REPORTS_TO {kind: 'solid', since: datetime()}]->(p1)",
        "p0",
    ),
    (
        Invariant.NO_SOLID_CYCLE,
        "MATCH (p:Stakeholder {id: 'p2'}) "
        "CREATE (p)-[:REPORTS_TO {kind: 'solid', since: datetime()}]->(p)",
        "p2",
    ),
    (
        Invariant.PERSON_STATUS,
        "MATCH (p:Stakeholder {id: 'p2'}) SET p.status = 'left'",
        "p2",
    ),
    (
        Invariant.PERSON_STATUS,
        "MATCH (p:TeamMember {id: 't1'}) SET p.status = 'gone'",
        "t1",
    ),
    (
        Invariant.DEPARTED_CLOSED,
        "MATCH (p:Stakeholder {id: 'p0'}) SET p.status = 'left', p.left_at = datetime()",
        "p0",  # their WORKS_AT and p1's solid line to them are current
    ),
    (
        Invariant.DEPARTED_CLOSED,
        "MATCH (t:TeamMember {id: 't1'}) SET t.status = 'left', t.left_at = datetime()",
        "t1",  # their KNOWS and COVERS remain
    ),
    (
        Invariant.NO_LOCK_PROPERTY,
        "MATCH (p:Stakeholder {id: 'p2'}) SET p._lock = true",
        "p2",
    ),
    # Issue 11: a tie's source is its provenance; the old 'explicit' is migrated away.
    (
        Invariant.EDGE_PROPERTIES,
        "MATCH (t:TeamMember {id: 't1'}), (p:Stakeholder {id: 'p2'}) "
        "CREATE (t)-[:KNOWS {strength: 0.3, source: 'explicit', since: datetime()}]->(p)",
        "t1 -KNOWS-> p2",
    ),
    # Only a derived tie says 'interactions'; other edges carry a write's source.
    (
        Invariant.EDGE_PROPERTIES,
        "MATCH (p:Stakeholder {id: 'p2'}), (a:Account {id: 'acme'}) "
        "CREATE (p)-[:HAS_ROLE {role: 'champion', stance: 1, source: 'interactions', "
        "since: datetime()}]->(a)",
        "p2 -HAS_ROLE-> acme",
    ),
    # Issue 11: INFLUENCES and COVERS are time-bound like the others.
    (
        Invariant.INTERVALS,
        "MATCH (p:Stakeholder {id: 'p2'}), (m:Stakeholder {id: 'p0'}) "
        "CREATE (p)-[:INFLUENCES {strength: 0.5}]->(m)",
        "p2 -INFLUENCES-> p0",
    ),
    (
        Invariant.ONE_CURRENT,
        "MATCH (t:TeamMember {id: 't1'}), (a:Account {id: 'acme'}) "
        "CREATE (t)-[:COVERS {role: 'solution_engineer', "
        "since: datetime('2026-02-01T00:00:00Z')}]->(a)",
        "t1",
    ),
    (
        Invariant.NO_OVERLAP,
        "MATCH (p:Stakeholder {id: 'p2'}), (m:Stakeholder {id: 'p0'}) "
        "CREATE (p)-[:INFLUENCES {strength: 0.3, "
        "since: datetime('2026-01-01T00:00:00Z'), until: datetime('2026-03-01T00:00:00Z')}]->(m) "
        "CREATE (p)-[:INFLUENCES {strength: 0.6, since: datetime('2026-02-01T00:00:00Z')}]->(m)",
        "p2",
    ),
    (
        Invariant.DEPARTED_CLOSED,
        "CREATE (x:Stakeholder {id: 'p9', name: 'Kim', status: 'left', left_at: datetime()}) "
        "WITH x MATCH (p:Stakeholder {id: 'p1'}) "
        "CREATE (p)-[:INFLUENCES {strength: 0.5, since: datetime('2026-01-01T00:00:00Z')}]->(x)",
        "p9",  # p1's influence on them is current
    ),
]


# What else a case breaks, by its index in BROKEN: a bookkeeping node's relationship is
# also no model relationship; "left" without left_at is also a departed person with
# current edges.
ALSO_BROKEN: dict[int, set[Invariant]] = {
    3: {Invariant.MODEL_RELATIONSHIPS},
    4: {Invariant.MODEL_RELATIONSHIPS},
    19: {Invariant.DEPARTED_CLOSED},
}
REOPENED_DERIVED_TIE = BROKEN[14][1]
CYCLE_P0_P1 = BROKEN[17][1]
ACCOUNT_WITHOUT_ID = BROKEN[0][1]


def violations(graph: Graph, settings: Settings) -> list[Violation]:
    return check_graph(graph)


def test_the_hand_built_base_is_clean(graph: Graph, settings: Settings) -> None:
    graph.write(BASE)
    assert violations(graph, settings) == []


@pytest.mark.broken_graph
@pytest.mark.parametrize(
    ("case", "invariant", "breaking", "subject"),
    [(n, *case) for n, case in enumerate(BROKEN)],
    ids=[f"{inv.kind}-{n}" for n, (inv, _, _) in enumerate(BROKEN)],
)
def test_each_broken_invariant_is_reported(
    graph: Graph, settings: Settings, case: int, invariant: Invariant, breaking: str, subject: str
) -> None:
    graph.write(BASE)
    graph.write(breaking)

    found = violations(graph, settings)

    assert {v.invariant for v in found} == {invariant} | ALSO_BROKEN.get(case, set()), found
    if subject:
        assert subject in {v.subject for v in found if v.invariant is invariant}, found
    assert all(v.detail for v in found)


@pytest.mark.broken_graph
def test_an_overlap_names_both_intervals_and_a_cycle_its_members(
    graph: Graph, settings: Settings
) -> None:
    graph.write(BASE)
    graph.write(REOPENED_DERIVED_TIE)
    graph.write(CYCLE_P0_P1)

    found = {v.kind: v for v in violations(graph, settings)}

    assert found["overlap"].detail == (
        "KNOWS to p2 [2026-01-01T00:00:00Z, 2026-03-01T00:00:00Z) overlaps "
        "p2 [2026-01-01T00:00:00Z, now)"
    )
    assert found["solid_cycle"].detail == "solid reporting cycle p0 -> p1 -> p0"


@pytest.mark.broken_graph
def test_adjacent_and_empty_intervals_do_not_overlap(graph: Graph, settings: Settings) -> None:
    graph.write(BASE)
    # [Jan, Mar) then [Mar, now): adjacent; [Feb, Feb] is empty (closed at its own since,
    # as a late batch or a departure before it leaves one).
    graph.write(
        "MATCH (p:Stakeholder {id: 'p2'}), (m:Stakeholder {id: 'p0'}) "
        "CREATE (p)-[:REPORTS_TO {kind: 'solid', since: datetime('2026-01-01T00:00:00Z'), "
        "until: datetime('2026-03-01T00:00:00Z')}]->(m) "
        "CREATE (p)-[:REPORTS_TO {kind: 'solid', since: datetime('2026-02-01T00:00:00Z'), "
        "until: datetime('2026-02-01T00:00:00Z')}]->(m) "
        "CREATE (p)-[:REPORTS_TO {kind: 'solid', since: datetime('2026-03-01T00:00:00Z')}]->(m)",
    )
    assert violations(graph, settings) == []


def test_a_graph_written_by_the_service_is_clean(graph: Graph, settings: Settings) -> None:
    batch: dict[str, Any] = {
        "effective_at": "2026-01-01T00:00:00Z",
        "accounts": [{"id": "acme", "name": "Acme"}, {"id": "globex", "name": "Globex"}],
        "stakeholders": [
            {"id": "p0", "account_id": "acme", "name": "Ann"},
            {"id": "p1", "account_id": "acme", "name": "Dana", "reports_to": "p0"},
            {"id": "p2", "account_id": "acme", "name": "Lee", "dotted_reports_to": ["p1"]},
        ],
        "team_members": [{"id": "t1", "name": "Sam"}, {"id": "t2", "name": "Kim"}],
        "budgets": [{"id": "b1", "account_id": "acme", "name": "Opex"}],
        "controls": [{"stakeholder_id": "p1", "budget_id": "b1", "authority": "owner"}],
        "roles": [{"stakeholder_id": "p1", "role": "champion", "stance": 1, "account_id": "acme"}],
        "influences": [{"from_id": "p2", "to_id": "p1", "strength": 0.7}],
        "relationships": [{"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.8}],
        "coverage": [{"team_member_id": "t1", "account_id": "acme", "role": "account_manager"}],
        "interactions": [
            {
                "id": "i1",
                "kind": "meeting",
                "at": "2025-12-01T10:00:00Z",
                "team_member_ids": ["t2"],
                "stakeholder_ids": ["p0", "p2"],
            }
        ],
    }
    ingest_batch(graph, settings, batch)
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": "2026-03-01T00:00:00Z",
            "stakeholders": [
                {"id": "p2", "account_id": "globex", "name": "Lee", "reports_to": "p1"}
            ],
            "roles": [
                {"stakeholder_id": "p1", "role": "champion", "stance": -1, "account_id": "acme"}
            ],
        },
    )
    depart_stakeholder(graph, "p1")
    depart_team_member(graph, "t2")
    create_key(graph, "check", [Scope.READ])

    assert violations(graph, settings) == []


@pytest.mark.broken_graph
def test_the_cli_prints_what_is_broken_and_exits_1(graph: Graph, settings: Settings) -> None:
    runner = CliRunner()
    clean = runner.invoke(cli, ["check"])
    assert clean.exit_code == 0, clean.output
    assert "all 11 invariants hold" in clean.stderr

    graph.write(BASE)
    graph.write(CYCLE_P0_P1)
    graph.write(ACCOUNT_WITHOUT_ID)

    broken = runner.invoke(cli, ["check"], env={"COLUMNS": "200"})
    assert broken.exit_code == 1
    assert "solid reporting cycle p0 -> p1 -> p0" in broken.stderr
    assert "2 violation(s) of 2 invariant(s)" in broken.stderr
    assert "missing_id" in broken.stdout  # the summary table

    as_json = runner.invoke(cli, ["check", "--json"])
    assert as_json.exit_code == 1
    body = json.loads(as_json.stdout)
    assert body["ok"] is False
    counts = {i["invariant"]: i["violations"] for i in body["invariants"]}
    assert counts == {inv.kind: 0 for inv in Invariant} | {"solid_cycle": 1, "missing_id": 1}
