"""A CrmSnapshot as ingest batch rows: the rows pass the batch's own row validation and
local checks, carry only what was given, and count what is left to the write path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from service.domain.ingest.validation import local_checks, parse_rows
from service.domain.sync.batch import SyncBatch, snapshot_to_batch
from service.domain.sync.hubspot import read_hubspot_dir, translate_hubspot
from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
from service.domain.sync.snapshot import (
    CrmSnapshot,
    InteractionRecord,
    PersonRecord,
    RoleRecord,
)
from tests.sync.test_salesforce import (
    AVA,
    BO,
    CARLA,
    FRANK,
    GLOBEX,
    HANK,
    INITECH,
    LISA,
    MARCO,
    MILTON,
    PETER,
    RENEWAL,
    TPS,
    WESKER,
    ZOE,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
MONTH1 = datetime(2026, 10, 1, tzinfo=UTC)
MONTH2 = datetime(2026, 11, 1, tzinfo=UTC)


def salesforce(scenario: str, at: datetime) -> SyncBatch:
    parts = read_salesforce_dir(FIXTURES / "salesforce" / scenario)
    return snapshot_to_batch(translate_salesforce(parts, mode="snapshot", effective_at=at))


def hubspot(scenario: str, at: datetime) -> SyncBatch:
    lists = read_hubspot_dir(FIXTURES / "hubspot" / scenario)
    return snapshot_to_batch(translate_hubspot(lists, mode="snapshot", effective_at=at))


def assert_valid(batch: dict[str, Any]) -> None:
    parsed = parse_rows(batch)
    assert parsed.errors.first() == [] and parsed.errors.total == 0
    assert list(local_checks(parsed)) == []


@pytest.mark.parametrize("scenario", ["month1_snapshot", "month2_reorg"])
def test_fixture_batches_pass_the_batch_row_validation(scenario: str) -> None:
    assert_valid(dict(salesforce(scenario, MONTH1).batch))
    assert_valid(dict(hubspot(scenario, MONTH1).batch))


def test_salesforce_first_batch_rows() -> None:
    result = salesforce("month1_snapshot", MONTH1)
    batch = result.batch
    assert batch["effective_at"] == "2026-10-01T00:00:00+00:00"
    assert set(batch) == {
        "effective_at",
        "accounts",
        "stakeholders",
        "team_members",
        "opportunities",
        "roles",
        "coverage",
        "interactions",
    }
    assert batch["accounts"][0] == {
        "id": GLOBEX,
        "name": "Globex Corporation",
        "tier": "strategic",
        "industry": "Technology",
        "annual_revenue": 5_400_000_000.0,
    }
    people = {row["id"]: row for row in batch["stakeholders"]}
    assert people[MARCO] == {
        "id": MARCO,
        "account_id": GLOBEX,
        "name": "Marco Rossi",
        "title": "Procurement Manager",
        "email": None,  # empty in the CRM: cleared
        "department": "Procurement",
        "reports_to": ZOE,
    }
    assert people[HANK]["reports_to"] is None  # no manager in the CRM: no solid line
    assert batch["team_members"][0] == {
        "id": AVA,
        "name": "Ava Thompson",
        "email": "ava@ourco.example",
    }
    assert batch["opportunities"][0] == {
        "id": RENEWAL,
        "account_id": GLOBEX,
        "name": "Globex – Platform Renewal",
        "stage": "negotiation",
        "amount": 1_250_000.0,
        "close_date": "2026-12-15",
    }
    roles = {
        (
            r["stakeholder_id"],
            r["role"],
            r.get("account_id") or r.get("opportunity_id"),
            r["stance"],
        )
        for r in batch["roles"]
    }
    assert len(roles) == len(batch["roles"]) == 15
    assert (BILL_ := "0035g00000BlLmBAAV", "decision_maker", TPS, 0) in roles
    assert (BILL_, "economic_buyer", TPS, 0) in roles
    assert {
        "stakeholder_id": HANK,
        "role": "executive_sponsor",
        "stance": 0,
        "account_id": GLOBEX,
    } in batch["roles"]
    assert batch["coverage"][1] == {
        "team_member_id": BO,
        "account_id": GLOBEX,
        "role": "solution_engineer",
    }
    assert batch["interactions"][0] == {
        "id": "00T5g00000TsK01EAF",
        "kind": "call",
        "at": "2026-09-10T00:00:00+00:00",
        "team_member_ids": [AVA],
        "stakeholder_ids": [ZOE],
    }
    assert result.left_out == {}


def test_salesforce_reorg_batch_leaves_endings_deletions_and_leavers_to_the_write_path() -> None:
    result = salesforce("month2_reorg", MONTH2)
    batch = result.batch
    people = {row["id"]: row for row in batch["stakeholders"]}
    assert MILTON not in people
    assert people[PETER]["account_id"] == GLOBEX and people[PETER]["reports_to"] == FRANK
    assert people[LISA]["reports_to"] == ZOE
    assert people[FRANK]["title"] == "SVP, Engineering & Operations"
    targets = {
        (r["stakeholder_id"], r["role"], r.get("account_id") or r.get("opportunity_id"))
        for r in batch["roles"]
    }
    assert (PETER, "technical_buyer", INITECH) not in targets  # ended: not a current row
    assert (PETER, "technical_buyer", GLOBEX) in targets
    assert (WESKER, "influencer", GLOBEX) not in targets
    assert CARLA not in {t["id"] for t in batch["team_members"]}
    assert CARLA not in {c["team_member_id"] for c in batch["coverage"]}
    assert "00U5g00000EvT02EAF" not in {i["id"] for i in batch["interactions"]}  # Carla's
    assert result.left_out == {
        "deletions": 2,
        "ended_roles": 3,
        "inactive_team_members": 1,
        "interactions_without_active_participants": 1,
    }


def test_omitted_fields_stay_out_of_the_rows_and_duplicates_are_merged() -> None:
    snap = CrmSnapshot(
        source="salesforce",
        mode="delta",
        effective_at=MONTH1,
        parts=frozenset({"Contact"}),
        people=(
            PersonRecord(
                "p1",
                "a1",
                "Ann",
                title=None,
                manager_id=None,
                omitted=frozenset({"title", "manager_id"}),
            ),
        ),
        roles=(
            RoleRecord("p1", "champion", "account", "a1", "AccountContactRelation", "r1"),
            RoleRecord("p1", "champion", "account", "a1", "AccountContactRelation", "r2"),
            RoleRecord("p1", "detractor", "opportunity", "o1", "OpportunityContactRole", "r3"),
        ),
        interactions=(
            InteractionRecord("i1", "call", MONTH1, ("t1",), ("p1", "p9"), "Task", "i1"),
        ),
    )
    batch = snapshot_to_batch(snap).batch
    assert batch["stakeholders"] == [
        {"id": "p1", "account_id": "a1", "name": "Ann", "email": None, "department": None}
    ]
    assert batch["roles"] == [
        {"stakeholder_id": "p1", "role": "champion", "stance": 1, "account_id": "a1"},
        {"stakeholder_id": "p1", "role": "detractor", "stance": -1, "opportunity_id": "o1"},
    ]
    assert batch["interactions"][0]["stakeholder_ids"] == ["p1", "p9"]


def test_hubspot_batches() -> None:
    first = hubspot("month1_snapshot", MONTH1)
    assert first.left_out == {}
    assert {c["team_member_id"] for c in first.batch["coverage"]} == {
        "hs-owner-3001",
        "hs-owner-3003",
    }
    second = hubspot("month2_reorg", MONTH2)
    assert second.left_out == {"deletions": 1, "inactive_team_members": 1}
    people = {row["id"]: row for row in second.batch["stakeholders"]}
    assert "hs-contact-2008" not in people
    assert people["hs-contact-2007"]["account_id"] == "hs-company-1001"
    assert "hs-owner-3003" not in {t["id"] for t in second.batch["team_members"]}


def test_interaction_times_are_written_as_given_also_when_equal_instants_repeat() -> None:
    """Each time is written once per upload and reused: two equal instants at other
    offsets keep their own text."""
    utc = datetime(2026, 10, 1, 9, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=2)))
    assert paris == utc
    snap = CrmSnapshot(
        source="salesforce",
        mode="delta",
        effective_at=MONTH1,
        parts=frozenset({"Task"}),
        interactions=tuple(
            InteractionRecord(f"i{n}", "call", at, ("t1",), ("p1",), "Task", f"i{n}")
            for n, at in enumerate([utc, paris, utc, paris])
        ),
    )
    rows = snapshot_to_batch(snap).batch["interactions"]
    assert [r["at"] for r in rows] == [
        "2026-10-01T09:00:00+00:00",
        "2026-10-01T11:00:00+02:00",
        "2026-10-01T09:00:00+00:00",
        "2026-10-01T11:00:00+02:00",
    ]
