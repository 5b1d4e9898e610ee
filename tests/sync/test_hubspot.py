"""The HubSpot translator on real v3/v4 JSON files (tests/fixtures/hubspot/).

The same story as the Salesforce fixtures: ``month1_snapshot``, then ``month2_reorg``
where Lisa's ``Manager`` association moves from Frank (2003) to Zoë (2002), Frank's
``jobtitle`` changes, two buying roles disappear (Hank's EXECUTIVE_SPONSOR, Frank's
INFLUENCER), Milton (2008) is archived, Peter (2007) gets Globex as primary company,
and owner Carla (3003) is archived. ``companies.json`` of month 1 is a whole v3
response (``results`` + ``paging``); the other files are ``results`` lists. Every
expected value below was worked out by hand from those files.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from service.domain.sync.hubspot import read_hubspot_dir, translate_hubspot
from service.domain.sync.snapshot import CrmSnapshot, RowProblem, SyncInputError, Unmapped

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hubspot"
MONTH1 = datetime(2026, 10, 1, tzinfo=UTC)
MONTH2 = datetime(2026, 11, 1, tzinfo=UTC)
GLOBEX, INITECH, UMBRELLA = "hs-company-1001", "hs-company-1002", "hs-company-1003"
HANK, ZOE, FRANK, LISA, MARCO = (f"hs-contact-200{i}" for i in range(1, 6))
BILL, PETER, MILTON, WESKER = (f"hs-contact-200{i}" for i in range(6, 10))
JILL = "hs-contact-2010"
AVA, BO, CARLA = "hs-owner-3001", "hs-owner-3002", "hs-owner-3003"


def load(scenario: str, at: datetime) -> CrmSnapshot:
    return translate_hubspot(
        read_hubspot_dir(FIXTURES / scenario), mode="snapshot", effective_at=at
    )


def problems(lists: dict[str, Any]) -> list[RowProblem]:
    with pytest.raises(SyncInputError) as caught:
        translate_hubspot(lists, mode="delta", effective_at=MONTH1)
    return caught.value.problems


def test_first_snapshot_companies_owners_and_deals() -> None:
    snap = load("month1_snapshot", MONTH1)
    assert snap.source == "hubspot"
    assert snap.parts == {
        "companies",
        "contacts",
        "deals",
        "owners",
        "meetings",
        "calls",
        "emails",
        "associations",
    }
    assert [(a.id, a.name, a.tier, a.annual_revenue) for a in snap.accounts] == [
        (GLOBEX, "Globex Corporation", "strategic", 5_400_000_000.0),
        (INITECH, "Initech", "key", 12_500_000.5),
        (UMBRELLA, "Umbrella, Inc.", "standard", None),  # tier_4 unmapped
    ]
    # A company's owner covers it as account manager.
    assert [(a.team_member_id, a.account_id, a.role) for a in snap.assignments] == [
        (AVA, GLOBEX, "account_manager"),
        (AVA, INITECH, "account_manager"),
        (CARLA, UMBRELLA, "account_manager"),
    ]
    assert [(t.id, t.name, t.email, t.active) for t in snap.team_members] == [
        (AVA, "Ava Thompson", "ava@ourco.example", True),
        (BO, "Bo Nakamura", "bo@ourco.example", True),
        (CARLA, "Carla Díaz", "carla@ourco.example", True),
    ]
    assert [(o.id, o.account_id, o.stage, o.amount, o.close_date) for o in snap.opportunities] == [
        ("hs-deal-4001", GLOBEX, "negotiation", 1_250_000.0, date(2026, 12, 15)),
        ("hs-deal-4002", INITECH, "proposal", 300_000.0, date(2027, 2, 1)),
        # a custom pipeline's stage id: unmapped; the only (unlabelled) company link
        ("hs-deal-4003", UMBRELLA, None, None, date(2027, 3, 31)),
    ]


def test_first_snapshot_contacts_companies_and_managers() -> None:
    people = {p.id: p for p in load("month1_snapshot", MONTH1).people}
    assert len(people) == 10
    assert people[FRANK].name == 'Frank "The Tank" O\'Neil'
    assert people[FRANK].title == "VP, Engineering"
    assert people[ZOE].name == "Zoë Ångström"
    assert people[LISA].title == "Director, IT\nInfrastructure"
    assert people[MARCO].email is None  # "" = none
    assert people[MILTON].title is None and people[MILTON].email is None
    managers = {pid: p.manager_id for pid, p in people.items()}
    # Only "Manager" labels count; Hank's "Direct report" row to Zoë is not a manager.
    assert managers == {
        HANK: None,
        ZOE: HANK,
        FRANK: HANK,
        LISA: FRANK,
        MARCO: ZOE,
        BILL: None,
        PETER: BILL,
        MILTON: BILL,
        WESKER: None,
        JILL: WESKER,
    }
    companies = {pid: p.account_id for pid, p in people.items()}
    assert companies[LISA] == GLOBEX  # the only (unlabelled) company
    assert companies[WESKER] == UMBRELLA  # written company→contact
    assert companies[JILL] == UMBRELLA  # primary wins over the "Advisor" link to Globex
    # Jill's contact has no hs_buying_role property at all: her roles are not stated.
    assert people[JILL].omitted == {"roles"}
    assert people[LISA].omitted == frozenset()  # hs_buying_role null: no roles


def test_first_snapshot_buying_roles_and_unmapped() -> None:
    snap = load("month1_snapshot", MONTH1)
    assert {(r.person_id, r.role, r.target_kind, r.target_id) for r in snap.roles} == {
        (HANK, "decision_maker", "account", GLOBEX),
        (HANK, "executive_sponsor", "account", GLOBEX),
        (ZOE, "economic_buyer", "account", GLOBEX),
        (FRANK, "champion", "account", GLOBEX),
        (FRANK, "influencer", "account", GLOBEX),
        (MARCO, "user", "account", GLOBEX),
        (BILL, "detractor", "account", INITECH),
        (PETER, "gatekeeper", "account", INITECH),
        (WESKER, "decision_maker", "account", UMBRELLA),
    }
    assert all(r.source_object == "contact" for r in snap.roles)
    assert {r.source_record_id for r in snap.roles if r.person_id == HANK} == {"2001"}
    assert snap.unmapped == (
        Unmapped("company", "hs_ideal_customer_profile", "tier_4", 1),
        Unmapped("contact", "hs_buying_role", "OTHER", 1),
        Unmapped("deal", "dealstage", "98765432", 1),
    )


def test_first_snapshot_engagements() -> None:
    snap = load("month1_snapshot", MONTH1)
    assert [(i.id, i.kind, i.at, i.team_member_ids, i.person_ids) for i in snap.interactions] == [
        ("hs-meeting-5001", "meeting", datetime(2026, 9, 20, 14, tzinfo=UTC), (AVA,), (HANK, ZOE)),
        ("hs-call-6001", "call", datetime(2026, 9, 10, 15, 30, tzinfo=UTC), (AVA,), (ZOE,)),
        # hs_timestamp in epoch milliseconds: 1789300800000 = 2026-09-13 12:00 UTC
        ("hs-email-7001", "email", datetime(2026, 9, 13, 12, tzinfo=UTC), (BO,), (FRANK,)),
    ]
    assert snap.ignored == {"association deal→contact": 1, "call without an owner": 1}


def test_reorg_manager_change_promotion_move_roles_and_archived() -> None:
    before = load("month1_snapshot", MONTH1)
    after = load("month2_reorg", MONTH2)
    b = {p.id: p for p in before.people}
    a = {p.id: p for p in after.people}
    assert set(b) - set(a) == {MILTON}
    assert (b[LISA].manager_id, a[LISA].manager_id) == (FRANK, ZOE)
    assert a[LISA].title == b[LISA].title  # "\r\n" in the JSON is the same line break
    assert (b[FRANK].title, a[FRANK].title) == ("VP, Engineering", "SVP, Engineering & Operations")
    assert (b[PETER].account_id, a[PETER].account_id) == (INITECH, GLOBEX)
    assert a[PETER].manager_id == FRANK

    def roles(snap: CrmSnapshot) -> set[tuple[str, str, str]]:
        return {(r.person_id, r.role, r.target_id) for r in snap.roles}

    assert roles(before) - roles(after) == {
        (HANK, "executive_sponsor", GLOBEX),
        (FRANK, "influencer", GLOBEX),
        (PETER, "gatekeeper", INITECH),  # moved: his role now targets Globex
    }
    assert roles(after) - roles(before) == {(PETER, "gatekeeper", GLOBEX)}
    assert [(d.id, d.object, d.source_record_id, d.deleted_at) for d in after.deletions] == [
        (MILTON, "contact", "2008", datetime(2026, 10, 18, 11, 22, 33, tzinfo=UTC))
    ]
    assert {t.id: t.active for t in after.team_members} == {AVA: True, BO: True, CARLA: False}
    assert {(x.team_member_id, x.account_id) for x in after.assignments} == {
        (AVA, GLOBEX),
        (AVA, INITECH),
        (BO, UMBRELLA),
    }


def test_manager_label_is_configurable() -> None:
    from dataclasses import replace

    from service.domain.sync.mappings import load_mappings

    m = load_mappings()
    custom = replace(m, hubspot=replace(m.hubspot, manager_label="Reports to"))
    lists = {
        "contacts": [
            {"id": "1", "properties": {"lastname": "A"}},
            {"id": "2", "properties": {"lastname": "B"}},
        ],
        "associations": [
            {"from_type": "0-1", "from_id": "1", "to_type": "companies", "to_id": "9", "types": []},
            {
                "from_type": "contact",
                "from_id": "2",
                "to_type": "company",
                "to_id": "9",
                "types": [],
            },
            {
                "from_type": "contacts",
                "from_id": "2",
                "to_type": "contacts",
                "to_id": "1",
                "types": [{"category": "USER_DEFINED", "typeId": 7, "label": "Reports to"}],
            },
        ],
    }
    default = translate_hubspot(lists, mode="delta", effective_at=MONTH1)
    assert [p.manager_id for p in default.people] == [None, None]
    labelled = translate_hubspot(lists, mode="delta", effective_at=MONTH1, mappings=custom)
    assert [p.manager_id for p in labelled.people] == [None, "hs-contact-1"]


def test_without_associations_the_manager_is_omitted_and_the_company_property_used() -> None:
    snap = translate_hubspot(
        {"contacts": [{"id": "5", "properties": {"lastname": "X", "associatedcompanyid": "77"}}]},
        mode="delta",
        effective_at=MONTH1,
    )
    assert [(p.id, p.account_id) for p in snap.people] == [("hs-contact-5", "hs-company-77")]
    assert snap.people[0].omitted == {"title", "department", "email", "manager_id", "roles"}


def test_bad_items_are_reported_with_list_position_and_field() -> None:
    found = problems(
        {
            "companies": [
                {"id": "1", "properties": {"name": "A", "annualrevenue": "lots"}},
                {"id": "x1", "properties": {"name": "B"}},
                {"id": "3", "properties": {"name": None}},
                {"id": "1", "properties": {"name": "Again"}},
            ],
            "contacts": [{"id": "9", "properties": {"firstname": None, "lastname": ""}}],
            "calls": [{"id": "4", "properties": {"hs_timestamp": "yesterday"}, "archived": "no"}],
            "associations": [
                {"from_type": "tickets", "from_id": "1", "to_type": "contacts", "to_id": "2"}
            ],
            "mode": "delta",  # a request body's own fields are not lists
            "notes": [],
        }
    )
    assert [(p.part, p.line, p.column) for p in found] == [
        ("associations", 1, "from_type"),
        ("calls", 1, "archived"),
        ("calls", 1, "properties.hs_timestamp"),
        ("companies", 1, "properties.annualrevenue"),
        ("companies", 2, "id"),
        ("companies", 3, "properties.name"),
        ("companies", 4, "id"),
        ("contacts", 1, "properties.lastname"),
        ("notes", 0, ""),
    ]


def test_a_contact_with_several_companies_and_no_primary_is_a_problem() -> None:
    link = {"from_type": "contacts", "from_id": "1", "to_type": "companies", "types": []}
    found = problems(
        {
            "contacts": [{"id": "1", "properties": {"lastname": "A"}}],
            "associations": [{**link, "to_id": "8"}, {**link, "to_id": "9"}],
        }
    )
    assert [(p.part, p.line, p.column) for p in found] == [("contacts", 1, "associations")]
    assert "2 companies, none primary" in found[0].reason


def test_a_directory_file_that_is_not_json_is_reported(tmp_path: Path) -> None:
    (tmp_path / "contacts.json").write_text("[{", encoding="utf-8")
    (tmp_path / "owners.json").write_text(json.dumps([]), encoding="utf-8")
    with pytest.raises(SyncInputError) as caught:
        read_hubspot_dir(tmp_path)
    assert [(p.part, p.column) for p in caught.value.problems] == [("contacts", "")]
