"""The sync's read of the stored facts (service/graph/sync.py) on the real Neo4j.

- Read in several transactions side by side, with the id lists cut in pieces (as
  ``powermap sync`` does for a large export), it returns the rows that one
  transaction returns, in the same order, and the same stored facts.
- The roles it reads — those on the upload's accounts and their opportunities, and
  those on the other accounts and opportunities the upload names — give the diff the
  plan and the unchanged rows that reading every current role of the upload's people
  (the read before) gave, also for a role on an opportunity outside the upload's
  accounts whose stance was set through the API.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

import service.graph.sync as sync_graph
from service.domain.ingest.batch import ingest_batch
from service.domain.sync.apply import build_batch, facts_from_rows, sync_upload
from service.domain.sync.diff import fact_query, plan_sync
from service.domain.sync.mappings import load_mappings
from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
from service.domain.sync.snapshot import CrmSnapshot
from service.domain.sync.unchanged import drop_unchanged
from service.graph.driver import Graph
from service.graph.ingest import run_rows
from service.graph.sync import ROLES, SyncFactRows, read_sync_facts
from service.settings import Settings
from tests.integration.test_sync_salesforce import FIXTURES, api_facts
from tests.sync.test_salesforce import INITECH, RENEWAL, ZOE

MONTH1 = datetime(2026, 10, 1, tzinfo=UTC)
MONTH2 = datetime(2026, 11, 1, tzinfo=UTC)

#: The read of roles before: every current role of the people an upload names.
ROLES_OF_PEOPLE = """
UNWIND $ids AS person_id
MATCH (s:Stakeholder {id: person_id})-[r:HAS_ROLE]->(t)
WHERE r.until IS NULL
OPTIONAL MATCH (t)-[:FOR]->(o:Account)
RETURN s.id AS stakeholder_id, CASE WHEN t:Account THEN 'account' ELSE 'opportunity' END
       AS target_kind, t.id AS target_id, CASE WHEN t:Account THEN t.id ELSE o.id END
       AS account_id, r.role AS role, r.stance AS stance, r.source AS source,
       r.source_record_id AS source_record_id
"""


def snapshot_of(scenario: str, at: datetime) -> CrmSnapshot:
    parts = read_salesforce_dir(FIXTURES / scenario)
    return translate_salesforce(parts, mode="snapshot", effective_at=at, mappings=load_mappings())


def read(graph: Graph, snapshot: CrmSnapshot, parallel: int) -> SyncFactRows:
    q = fact_query(snapshot)
    return read_sync_facts(
        graph,
        accounts=q.accounts,
        people=q.people,
        record_ids=q.record_ids,
        team_members=q.team_members,
        person_states=q.person_states,
        interactions=q.interactions,
        people_by_id=q.deleted_people,
        role_accounts=q.role_accounts,
        role_opportunities=q.role_opportunities,
        parallel=parallel,
    )


def read_before(graph: Graph, snapshot: CrmSnapshot) -> SyncFactRows:
    """The rows with the roles read as before: by account, and every role of the people."""
    rows = read(graph, snapshot, parallel=1)
    q = fact_query(snapshot)
    by_account = read_sync_facts(
        graph, accounts=q.accounts, people=(), record_ids=q.record_ids, team_members=()
    ).roles
    of_people = graph.read_tx(lambda tx: run_rows(tx, ROLES_OF_PEOPLE, {"ids": sorted(q.people)}))
    assert all(set(r) == set(ROLES) for r in of_people)
    return dataclasses.replace(rows, roles=by_account + of_people)


def outcome(snapshot: CrmSnapshot, rows: SyncFactRows) -> tuple[Any, ...]:
    """The plan, the batch and the rows left out. The plan's ``stances`` are looked up
    by the keys of the batch's rows only (the batch shows their effect): compared for
    the roles the upload gives."""
    facts = facts_from_rows(rows)
    plan = plan_sync(snapshot, facts)
    batch = build_batch(snapshot, plan, load_mappings())
    given = {(r.person_id, r.target_kind, r.target_id, r.role) for r in snapshot.roles}
    stances = {k: v for k, v in plan.stances.items() if k in given}
    return dataclasses.replace(plan, stances=stances), batch, drop_unchanged(batch, facts)


def outside_role(snapshot: CrmSnapshot) -> CrmSnapshot:
    """Initech's people, and Zoë's role on Globex's renewal: an opportunity outside the
    upload's only account."""
    return dataclasses.replace(
        snapshot,
        parts=frozenset({"Contact", "OpportunityContactRole"}),
        accounts=(),
        opportunities=(),
        assignments=(),
        interactions=(),
        team_members=(),
        people=tuple(p for p in snapshot.people if p.account_id == INITECH),
        roles=tuple(r for r in snapshot.roles if r.person_id == ZOE and r.target_id == RENEWAL),
    )


def test_a_parallel_read_in_pieces_returns_what_one_transaction_returns(
    graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    mappings = load_mappings()
    month1 = snapshot_of("month1_snapshot", MONTH1)
    sync_upload(graph, settings, month1, mappings)
    api_facts(graph, settings)
    month2 = snapshot_of("month2_reorg", MONTH2)
    monkeypatch.setattr(sync_graph, "PIECE_IDS", 2)
    monkeypatch.setattr(sync_graph, "PIECE_ACCOUNTS", 1)
    for snapshot in (month1, month2, outside_role(month1)):
        one = read(graph, snapshot, parallel=1)
        assert one.people_at and one.roles and one.person_states  # not vacuous
        many = read(graph, snapshot, parallel=3)
        # The states come as one flat list per statement: several pieces, several lists.
        assert len(many.person_states) > len(one.person_states) == 1
        flat = ("person_states", "interactions")
        assert dataclasses.replace(many, **dict.fromkeys(flat, [])) == dataclasses.replace(
            one, **dict.fromkeys(flat, [])
        )
        assert facts_from_rows(many) == facts_from_rows(one)


def test_the_roles_read_give_the_diff_what_every_role_of_the_people_gave(
    graph: Graph, settings: Settings
) -> None:
    mappings = load_mappings()
    month1 = snapshot_of("month1_snapshot", MONTH1)
    sync_upload(graph, settings, month1, mappings)
    api_facts(graph, settings)
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": "2026-10-06T00:00:00Z",
            "roles": [
                {
                    "stakeholder_id": ZOE,
                    "opportunity_id": RENEWAL,
                    "role": "economic_buyer",
                    "stance": -1,
                }
            ],
        },
    )
    month2 = snapshot_of("month2_reorg", MONTH2)
    partial = outside_role(month1)
    assert fact_query(partial).accounts == {INITECH}
    for snapshot in (month1, month2, partial):
        assert outcome(snapshot, read(graph, snapshot, 1)) == outcome(
            snapshot, read_before(graph, snapshot)
        )
    # Zoë's stance on the renewal, outside the upload's account, is read and kept.
    plan, batch, (changing, _) = outcome(partial, read(graph, partial, 1))
    assert plan.stances == {(ZOE, "opportunity", RENEWAL, "economic_buyer"): -1}
    [zoe] = [r for r in batch["roles"] if r["stakeholder_id"] == ZOE]
    assert zoe["stance"] == -1
    assert not any(r["stakeholder_id"] == ZOE for r in changing.get("roles", []))
