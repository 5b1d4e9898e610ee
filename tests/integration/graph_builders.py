"""Small builders that write test graphs into the real Neo4j, following
docs/graph-conventions.md exactly (labels, properties, time-bound edges with `since` /
`until` as UTC DateTimes, a departure that closes every current edge).

They are parameterised Cypher writes, not a stand-in for the database: the read path
under test sees exactly what the ingest path stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.graph.driver import Graph

EPOCH = "2020-01-01T00:00:00Z"

ACCOUNT = """
MERGE (a:Account {id: $id})
SET a.name = $name, a.tier = $tier, a.industry = $industry,
    a.annual_revenue = $annual_revenue, a.updated_at = datetime()
"""
STAKEHOLDER = """
MATCH (a:Account {id: $account_id})
MERGE (s:Stakeholder {id: $id})
SET s.name = $name, s.title = $title, s.email = $email, s.department = $department,
    s.seniority = $seniority, s.status = 'active', s.left_at = null, s.updated_at = datetime()
CREATE (s)-[:WORKS_AT {since: datetime($since), until: null, title: $title,
                       department: $department, seniority: $seniority}]->(a)
"""
MOVE_EMPLOYER = """
MATCH (s:Stakeholder {id: $id})-[old:WORKS_AT]->(:Account)
WHERE old.until IS NULL
SET old.until = datetime($at)
WITH DISTINCT s
MATCH (a:Account {id: $account_id})
CREATE (s)-[:WORKS_AT {since: datetime($at), until: null, title: s.title,
                       department: s.department, seniority: s.seniority}]->(a)
"""
REPORTS_TO = """
MATCH (s:Stakeholder {id: $id}), (m:Stakeholder {id: $manager_id})
CREATE (s)-[:REPORTS_TO {kind: $kind, since: datetime($since),
                         until: CASE WHEN $until IS NULL THEN null ELSE datetime($until) END}]->(m)
"""
CHANGE_MANAGER = """
MATCH (s:Stakeholder {id: $id})
OPTIONAL MATCH (s)-[old:REPORTS_TO {kind: 'solid'}]->(:Stakeholder)
WHERE old.until IS NULL
SET old.until = datetime($at)
WITH DISTINCT s
MATCH (m:Stakeholder {id: $manager_id})
CREATE (s)-[:REPORTS_TO {kind: 'solid', since: datetime($at), until: null}]->(m)
"""
TEAM_MEMBER = """
MERGE (t:TeamMember {id: $id})
SET t.name = $name, t.email = $email, t.role = $role, t.status = $status,
    t.left_at = CASE WHEN $left_at IS NULL THEN null ELSE datetime($left_at) END,
    t.updated_at = datetime()
"""
# A tie of a team member who has left is closed at their departure (as the service's
# departure closes it), or at its own since if it began later.
KNOWS = """
MATCH (t:TeamMember {id: $team_member_id}), (s:Stakeholder {id: $stakeholder_id})
WITH t, s, datetime($since) AS since,
     CASE WHEN $until IS NOT NULL THEN datetime($until)
          WHEN t.left_at IS NULL THEN null
          WHEN t.left_at < datetime($since) THEN datetime($since)
          ELSE t.left_at END AS until
CREATE (t)-[:KNOWS {strength: $strength, source: $source,
                    last_contact: CASE WHEN $last_contact IS NULL THEN null
                                       ELSE date($last_contact) END,
                    since: since, until: until}]->(s)
"""
COVERS = """
MATCH (t:TeamMember {id: $team_member_id}), (a:Account {id: $account_id})
MERGE (t)-[c:COVERS {since: datetime($since)}]->(a)
SET c.role = $role
"""
ROLE = """
MATCH (s:Stakeholder {id: $stakeholder_id})
MATCH (x) WHERE (x:Account OR x:Opportunity) AND x.id = $target_id
CREATE (s)-[:HAS_ROLE {role: $role, stance: $stance, since: datetime($since),
                       until: CASE WHEN $until IS NULL THEN null ELSE datetime($until) END}]->(x)
"""
BUDGET = """
MATCH (a:Account {id: $account_id})
MERGE (b:Budget {id: $id})
SET b.name = $name, b.amount = $amount, b.currency = $currency,
    b.fiscal_year = $fiscal_year, b.category = $category, b.updated_at = datetime()
MERGE (b)-[:OF]->(a)
"""
OPPORTUNITY = """
MATCH (a:Account {id: $account_id})
MERGE (o:Opportunity {id: $id})
SET o.name = $name, o.stage = $stage, o.amount = $amount,
    o.close_date = CASE WHEN $close_date IS NULL THEN null ELSE date($close_date) END,
    o.updated_at = datetime()
MERGE (o)-[:FOR]->(a)
"""
CONTROLS = """
MATCH (s:Stakeholder {id: $stakeholder_id}), (b:Budget {id: $budget_id})
CREATE (s)-[:CONTROLS {authority: $authority, since: datetime($since), until: null}]->(b)
"""
INFLUENCES = """
MATCH (a:Stakeholder {id: $from_id}), (b:Stakeholder {id: $to_id})
MERGE (a)-[i:INFLUENCES {since: datetime($since)}]->(b)
SET i.strength = $strength
"""
# The departure as docs/graph-conventions.md "Departure" describes it.
DEPART = """
MATCH (s:Stakeholder {id: $id})
SET s.status = 'left', s.left_at = datetime($at), s.updated_at = datetime()
WITH s
// Their employment, roles, budget control, our ties to them, reporting lines and
// influence both ways.
MATCH (s)-[r:WORKS_AT|REPORTS_TO|HAS_ROLE|CONTROLS|KNOWS|INFLUENCES]-()
WHERE r.until IS NULL
SET r.until = datetime($at)
"""
# Many people at once, for scale tests: one UNWIND, never one query per row.
BULK_PEOPLE = """
MATCH (a:Account {id: $account_id})
UNWIND $rows AS row
CREATE (s:Stakeholder {id: row.id, name: row.name, title: row.title,
                       department: row.department, seniority: row.seniority,
                       status: 'active', updated_at: datetime()})
CREATE (s)-[:WORKS_AT {since: datetime($since), until: null, title: row.title,
                       department: row.department, seniority: row.seniority}]->(a)
"""
BULK_SOLID_LINES = """
UNWIND $rows AS row
MATCH (s:Stakeholder {id: row.id}), (m:Stakeholder {id: row.manager_id})
CREATE (s)-[:REPORTS_TO {kind: 'solid', since: datetime($since), until: null}]->(m)
"""
BULK_KNOWS = """
UNWIND $rows AS row
MATCH (t:TeamMember {id: row.team_member_id}), (s:Stakeholder {id: row.stakeholder_id})
CREATE (t)-[:KNOWS {strength: row.strength, source: 'api', last_contact: null,
                    since: datetime($since), until: null}]->(s)
"""


class GraphBuilder:
    """Writes one fact at a time into the real graph; values always as parameters."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def _write(self, cypher: str, **params: Any) -> None:
        self.graph.write(cypher, **params)

    def account(
        self,
        id: str,
        *,
        name: str | None = None,
        tier: str = "standard",
        industry: str | None = "Manufacturing",
        annual_revenue: float | None = 1.0e9,
    ) -> None:
        self._write(
            ACCOUNT,
            id=id,
            name=name or id.title(),
            tier=tier,
            industry=industry,
            annual_revenue=annual_revenue,
        )

    def stakeholder(
        self,
        id: str,
        account_id: str,
        *,
        name: str | None = None,
        title: str | None = None,
        department: str | None = "Operations",
        seniority: str | None = "manager",
        email: str | None = None,
        since: str = EPOCH,
    ) -> None:
        self._write(
            STAKEHOLDER,
            id=id,
            account_id=account_id,
            name=name or id.upper(),
            title=title,
            department=department,
            seniority=seniority,
            email=email,
            since=since,
        )

    def move_employer(self, id: str, account_id: str, *, at: str) -> None:
        self._write(MOVE_EMPLOYER, id=id, account_id=account_id, at=at)

    def reports_to(
        self,
        id: str,
        manager_id: str,
        *,
        kind: str = "solid",
        since: str = EPOCH,
        until: str | None = None,
    ) -> None:
        self._write(REPORTS_TO, id=id, manager_id=manager_id, kind=kind, since=since, until=until)

    def change_manager(self, id: str, manager_id: str, *, at: str) -> None:
        self._write(CHANGE_MANAGER, id=id, manager_id=manager_id, at=at)

    def team_member(
        self,
        id: str,
        *,
        name: str | None = None,
        role: str = "account_manager",
        status: str = "active",
        left_at: str | None = None,
    ) -> None:
        self._write(
            TEAM_MEMBER,
            id=id,
            name=name or id.upper(),
            email=f"{id}@ourco.example",
            role=role,
            status=status,
            left_at=left_at,
        )

    def knows(
        self,
        team_member_id: str,
        stakeholder_id: str,
        strength: float,
        *,
        source: str = "api",
        last_contact: str | None = None,
        since: str = EPOCH,
        until: str | None = None,
    ) -> None:
        self._write(
            KNOWS,
            team_member_id=team_member_id,
            stakeholder_id=stakeholder_id,
            strength=strength,
            source=source,
            last_contact=last_contact,
            since=since,
            until=until,
        )

    def covers(
        self,
        team_member_id: str,
        account_id: str,
        role: str = "account_manager",
        *,
        since: str = EPOCH,
    ) -> None:
        self._write(
            COVERS, team_member_id=team_member_id, account_id=account_id, role=role, since=since
        )

    def role(
        self,
        stakeholder_id: str,
        role: str,
        stance: int | None,
        target_id: str,
        *,
        since: str = EPOCH,
        until: str | None = None,
    ) -> None:
        self._write(
            ROLE,
            stakeholder_id=stakeholder_id,
            role=role,
            stance=stance,
            target_id=target_id,
            since=since,
            until=until,
        )

    def budget(
        self, id: str, account_id: str, *, name: str | None = None, amount: float = 100_000
    ) -> None:
        self._write(
            BUDGET,
            id=id,
            account_id=account_id,
            name=name or id.upper(),
            amount=amount,
            currency="USD",
            fiscal_year=2027,
            category="it",
        )

    def opportunity(self, id: str, account_id: str, *, stage: str = "proposal") -> None:
        self._write(
            OPPORTUNITY,
            id=id,
            account_id=account_id,
            name=id.upper(),
            stage=stage,
            amount=50_000,
            close_date="2027-03-31",
        )

    def controls(
        self, stakeholder_id: str, budget_id: str, authority: str, *, since: str = EPOCH
    ) -> None:
        self._write(
            CONTROLS,
            stakeholder_id=stakeholder_id,
            budget_id=budget_id,
            authority=authority,
            since=since,
        )

    def influences(self, from_id: str, to_id: str, strength: float, *, since: str = EPOCH) -> None:
        self._write(INFLUENCES, from_id=from_id, to_id=to_id, strength=strength, since=since)

    def depart(self, id: str, *, at: str) -> None:
        self._write(DEPART, id=id, at=at)

    def bulk_people(
        self, account_id: str, rows: Sequence[dict[str, Any]], *, since: str = EPOCH
    ) -> None:
        """``rows`` of id, name, title, department, seniority."""
        self._write(BULK_PEOPLE, account_id=account_id, rows=list(rows), since=since)

    def bulk_solid_lines(self, rows: Sequence[dict[str, str]], *, since: str = EPOCH) -> None:
        """``rows`` of id, manager_id."""
        self._write(BULK_SOLID_LINES, rows=list(rows), since=since)

    def bulk_knows(self, rows: Sequence[dict[str, Any]], *, since: str = EPOCH) -> None:
        """``rows`` of team_member_id, stakeholder_id, strength."""
        self._write(BULK_KNOWS, rows=list(rows), since=since)
