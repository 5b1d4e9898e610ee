"""The Salesforce translator on real Bulk API 2.0 CSV files (tests/fixtures/salesforce/).

``month1_snapshot`` is the first export of three accounts; ``month2_reorg`` the export a
month later after a reorg: Lisa Chen's manager changes (Frank → Zoë), Frank is promoted
with a new title, two roles are removed (Hank's "Executive Sponsor" from his account
relation, Marco's opportunity role), Milton is deleted (``deleted.csv``), Albert
Wesker's advisory relation to Globex becomes inactive, and Peter Gibbons moves from
Initech to Globex. The files hold quoted commas, doubled quotes, line breaks inside
values, UTF-8 names, empty values, extra columns, a BOM, CRLF line endings, a
15-character Id and relationship-field headers (``Account.Id``). Every expected value
below was worked out by hand from those files.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.errors import InvalidInput
from service.domain.sync.salesforce import read_salesforce_dir, to_18, translate_salesforce
from service.domain.sync.snapshot import CrmSnapshot, RowProblem, SyncInputError, Unmapped

FIXTURES = Path(__file__).parent.parent / "fixtures" / "salesforce"
MONTH1 = datetime(2026, 10, 1, tzinfo=UTC)
MONTH2 = datetime(2026, 11, 1, tzinfo=UTC)

GLOBEX, INITECH, UMBRELLA = "0015g00000GlbXAAAZ", "0015g00000InTcHAAV", "0015g00000UmBrLAAV"
HANK, ZOE, FRANK, LISA, MARCO = (
    "0035g00000HsCrPAAV",
    "0035g00000ZoEaNAAV",
    "0035g00000FrNkTAAV",
    "0035g00000LsChNAAV",
    "0035g00000MrCrSAAV",
)
BILL, PETER, MILTON, WESKER, JILL = (
    "0035g00000BlLmBAAV",
    "0035g00000PtRgBAAV",
    "0035g00000MlTwDAAV",
    "0035g00000AlWsKAAV",
    "0035g00000JlVlNAAV",
)
RENEWAL, TPS, AUDIT = "0065g00000GlxRnAAJ", "0065g00000TpSpHAAV", "0065g00000SeCaUAAV"
AVA, BO, CARLA = "0055g00000AvAtHAAV", "0055g00000BoNkMAAV", "0055g00000CrDzZAAV"


def load(scenario: str, at: datetime, mode: str = "snapshot") -> CrmSnapshot:
    parts = read_salesforce_dir(FIXTURES / scenario)
    return translate_salesforce(parts, mode=mode, effective_at=at)  # type: ignore[arg-type]


def problems(parts: dict[str, str | bytes]) -> list[RowProblem]:
    with pytest.raises(SyncInputError) as caught:
        translate_salesforce(parts, mode="delta", effective_at=MONTH1)
    return caught.value.problems


# --- ids --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fifteen", "eighteen"),
    [
        # Published pairs (Salesforce's own conversion, as shown by salesforceduo.com,
        # levelupsalesforce.com and the Salesforce help article's example).
        ("0013k00002crTPa", "0013k00002crTPaAAM"),
        ("0010i0000046cD3", "0010i0000046cD3AAI"),
        ("001A0000006Vm9r", "001A0000006Vm9rIAC"),
    ],
)
def test_15_character_ids_become_their_published_18_character_form(
    fifteen: str, eighteen: str
) -> None:
    assert to_18(fifteen) == eighteen
    assert to_18(eighteen) == eighteen


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0013k00002crTPaAAA", "should be 'AAM'"),  # checksum does not match
        ("0013K00002crTPaAAM", "should be 'QAM'"),  # K upper: 5th of its group, 2**4=16=Q
        ("0013k00002crTP", "15 or 18"),
        ("0013k00002crTPa-AM", "15 or 18"),
        ("", "15 or 18"),
    ],
)
def test_ids_that_are_not_salesforce_ids_are_refused(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        to_18(value)


# --- the first snapshot -----------------------------------------------------------------


def test_first_snapshot_accounts_tiers_and_numbers() -> None:
    snap = load("month1_snapshot", MONTH1)
    assert snap.source == "salesforce" and snap.mode == "snapshot"
    assert snap.effective_at == MONTH1
    assert snap.parts == {
        "Account",
        "Contact",
        "AccountContactRelation",
        "Opportunity",
        "OpportunityContactRole",
        "User",
        "AccountTeamMember",
        "Task",
        "Event",
    }
    accounts = {a.id: a for a in snap.accounts}
    assert [(a.name, a.tier, a.industry, a.annual_revenue) for a in accounts.values()] == [
        ("Globex Corporation", "strategic", "Technology", 5_400_000_000.0),
        ("Initech", "key", "Software", 12_500_000.5),
        # "Gold" is not a mapped tier: standard, and counted; empty revenue = none.
        ("Umbrella, Inc.", "standard", "Pharmaceuticals", None),
    ]
    assert list(accounts) == [GLOBEX, INITECH, UMBRELLA]
    assert all(a.omitted == frozenset() for a in accounts.values())


def test_first_snapshot_people_with_quoting_edge_cases() -> None:
    people = {p.id: p for p in load("month1_snapshot", MONTH1).people}
    assert len(people) == 10
    frank = people[FRANK]
    assert frank.name == 'Frank "The Tank" O\'Neil'  # doubled quotes inside a quoted value
    assert frank.title == "VP, Engineering"  # a quoted comma
    assert frank.manager_id == HANK
    zoe = people[ZOE]
    assert (zoe.name, zoe.account_id, zoe.manager_id) == ("Zoë Ångström", GLOBEX, HANK)
    lisa = people[LISA]
    assert lisa.title == "Director, IT\nInfrastructure"  # a line break inside a value
    assert (lisa.department, lisa.manager_id) == ("IT", FRANK)
    marco = people[MARCO]
    # ReportsToId written as the 15-character Id: stored as the 18-character one.
    assert (marco.email, marco.manager_id) == (None, ZOE)
    assert people[HANK].manager_id is None
    assert people[MILTON].title is None and people[MILTON].department == "Facilities"
    assert people[PETER].department is None
    assert (people[PETER].account_id, people[PETER].manager_id) == (INITECH, BILL)
    assert people[JILL].account_id == UMBRELLA


def test_first_snapshot_roles_with_targets_and_provenance() -> None:
    snap = load("month1_snapshot", MONTH1)
    roles = {
        (r.person_id, r.role, r.target_kind, r.target_id, r.source_record_id) for r in snap.roles
    }
    assert roles == {
        # AccountContactRelation.Roles (multi-select) → the account
        (HANK, "decision_maker", "account", GLOBEX, "07k5g00000aAc01AAC"),
        (HANK, "executive_sponsor", "account", GLOBEX, "07k5g00000aAc01AAC"),
        (ZOE, "economic_buyer", "account", GLOBEX, "07k5g00000aAc02AAC"),
        (PETER, "technical_buyer", "account", INITECH, "07k5g00000aAc04AAC"),
        (PETER, "user", "account", INITECH, "07k5g00000aAc04AAC"),
        (JILL, "influencer", "account", UMBRELLA, "07k5g00000aAc05AAC"),
        (WESKER, "decision_maker", "account", UMBRELLA, "07k5g00000aAc06AAC"),
        (WESKER, "influencer", "account", GLOBEX, "07k5g00000aAc08AAC"),  # indirect
        # OpportunityContactRole.Role → the opportunity
        (ZOE, "economic_buyer", "opportunity", RENEWAL, "00K5g00000oCr01EAC"),
        (FRANK, "technical_buyer", "opportunity", RENEWAL, "00K5g00000oCr02EAC"),
        (MARCO, "influencer", "opportunity", RENEWAL, "00K5g00000oCr03EAC"),
        (HANK, "executive_sponsor", "opportunity", RENEWAL, "00K5g00000oCr04EAC"),
        # "Economic Decision Maker" gives both roles, from the same record
        (BILL, "economic_buyer", "opportunity", TPS, "00K5g00000oCr05EAC"),
        (BILL, "decision_maker", "opportunity", TPS, "00K5g00000oCr05EAC"),
        (JILL, "evaluator", "opportunity", AUDIT, "00K5g00000oCr07EAC"),
    }
    assert all(r.ended_at is None for r in snap.roles)
    hank_account = next(r for r in snap.roles if r.source_record_id == "07k5g00000aAc01AAC")
    assert hank_account.started_at == datetime(2024, 1, 15, tzinfo=UTC)
    primary = {r.source_record_id for r in snap.roles if r.primary}
    assert primary == {"00K5g00000oCr01EAC", "00K5g00000oCr05EAC", "00K5g00000oCr07EAC"}


def test_first_snapshot_opportunities_team_and_activities() -> None:
    snap = load("month1_snapshot", MONTH1)
    assert [
        (o.id, o.account_id, o.name, o.stage, o.amount, o.close_date) for o in snap.opportunities
    ] == [
        (
            RENEWAL,
            GLOBEX,
            "Globex – Platform Renewal",
            "negotiation",
            1_250_000.0,
            date(2026, 12, 15),
        ),
        (TPS, INITECH, "Initech TPS, Phase 2", "proposal", 300_000.0, date(2027, 2, 1)),
        (AUDIT, UMBRELLA, "Umbrella Security Audit", None, None, date(2027, 3, 31)),
    ]
    assert [(t.id, t.name, t.email, t.title, t.active) for t in snap.team_members] == [
        (AVA, "Ava Thompson", "ava@ourco.example", "Account Executive", True),
        (BO, "Bo Nakamura", "bo@ourco.example", "Sales Engineer", True),
        (CARLA, "Carla Díaz", "carla@ourco.example", "Customer Success Manager, EMEA", True),
    ]
    assert [(a.team_member_id, a.account_id, a.role) for a in snap.assignments] == [
        (AVA, GLOBEX, "account_manager"),
        (BO, GLOBEX, "solution_engineer"),
        (AVA, INITECH, "account_manager"),
        (CARLA, UMBRELLA, "customer_success"),
        (BO, UMBRELLA, "account_manager"),  # "Channel Partner": the default, counted
    ]
    assert [(i.id, i.kind, i.at, i.team_member_ids, i.person_ids) for i in snap.interactions] == [
        ("00T5g00000TsK01EAF", "call", datetime(2026, 9, 10, tzinfo=UTC), (AVA,), (ZOE,)),
        ("00T5g00000TsK02EAF", "email", datetime(2026, 9, 12, tzinfo=UTC), (BO,), (FRANK,)),
        ("00U5g00000EvT01EAF", "meeting", datetime(2026, 9, 20, 14, tzinfo=UTC), (AVA,), (HANK,)),
        (
            "00U5g00000EvT02EAF",
            "meeting",
            datetime(2026, 9, 22, 9, 30, tzinfo=UTC),
            (CARLA,),
            (JILL,),
        ),
    ]
    assert snap.ignored == {
        "OpportunityContactRole without a Role": 1,
        "Task whose OwnerId is not a User": 1,  # a queue
        "Task whose WhoId is not a Contact": 1,  # a lead
        "Task with TaskSubtype Task": 1,
    }
    assert snap.deletions == ()


def test_unmapped_picklist_values_are_counted_per_object_field_and_value() -> None:
    assert load("month1_snapshot", MONTH1).unmapped == (
        Unmapped("Account", "Tier__c", "Gold", 1),
        Unmapped("AccountContactRelation", "Roles", "Other", 1),
        Unmapped("AccountTeamMember", "TeamMemberRole", "Channel Partner", 1),
        Unmapped("Opportunity", "StageName", "Discovery", 1),
        Unmapped("OpportunityContactRole", "Role", "Other", 1),
    )


# --- the reorg a month later ------------------------------------------------------------


def test_reorg_snapshot_shows_the_manager_change_promotion_and_move() -> None:
    before = {p.id: p for p in load("month1_snapshot", MONTH1).people}
    after = {p.id: p for p in load("month2_reorg", MONTH2).people}
    assert set(before) - set(after) == {MILTON}  # deleted: no longer exported
    changed = {
        pid: {
            f: (getattr(before[pid], f), getattr(after[pid], f))
            for f in ("account_id", "title", "manager_id", "email")
            if getattr(before[pid], f) != getattr(after[pid], f)
        }
        for pid in after
    }
    assert {pid: c for pid, c in changed.items() if c} == {
        LISA: {"manager_id": (FRANK, ZOE)},
        FRANK: {"title": ("VP, Engineering", "SVP, Engineering & Operations")},
        PETER: {
            "account_id": (INITECH, GLOBEX),
            "manager_id": (BILL, FRANK),
            "email": ("peter@initech.example", "peter@globex.example"),
        },
    }
    # CRLF line endings: the line break inside Lisa's title is the same text as before.
    assert after[LISA].title == "Director, IT\nInfrastructure"


def test_reorg_roles_removed_ended_and_new() -> None:
    before = load("month1_snapshot", MONTH1)
    after = load("month2_reorg", MONTH2)

    def current(snap: CrmSnapshot) -> set[tuple[str, str, str]]:
        return {(r.person_id, r.role, r.target_id) for r in snap.roles if r.ended_at is None}

    assert current(before) - current(after) == {
        (HANK, "executive_sponsor", GLOBEX),  # removed from the relation's Roles
        (MARCO, "influencer", RENEWAL),  # his OpportunityContactRole is gone
        (PETER, "technical_buyer", INITECH),  # old relation inactive (he moved)
        (PETER, "user", INITECH),
        (WESKER, "influencer", GLOBEX),  # inactive AccountContactRelation
    }
    assert current(after) - current(before) == {(PETER, "technical_buyer", GLOBEX)}
    ended = {(r.person_id, r.role, r.target_id, r.ended_at) for r in after.roles if r.ended_at}
    assert ended == {
        (PETER, "technical_buyer", INITECH, datetime(2026, 10, 25, tzinfo=UTC)),
        (PETER, "user", INITECH, datetime(2026, 10, 25, tzinfo=UTC)),
        (WESKER, "influencer", GLOBEX, datetime(2026, 10, 20, tzinfo=UTC)),
    }


def test_reorg_deletions_team_and_stage() -> None:
    snap = load("month2_reorg", MONTH2)
    deleted_at = datetime(2026, 10, 18, 11, 22, 33, tzinfo=UTC)
    assert [(d.id, d.object, d.deleted_at) for d in snap.deletions] == [
        (MILTON, "Contact", deleted_at),
        ("00K5g00000oCr06EAC", "OpportunityContactRole", deleted_at),
    ]
    assert {t.id: t.active for t in snap.team_members} == {AVA: True, BO: True, CARLA: False}
    assert {(a.team_member_id, a.account_id) for a in snap.assignments} == {
        (AVA, GLOBEX),
        (BO, GLOBEX),
        (AVA, INITECH),
        (BO, UMBRELLA),
    }
    assert {o.id: o.stage for o in snap.opportunities}[RENEWAL] == "closed_won"
    # month 2's Account.csv starts with a BOM and orders its columns differently
    assert [a.name for a in snap.accounts] == ["Globex Corporation", "Initech", "Umbrella, Inc."]


def test_an_inactive_relation_without_end_date_ends_at_effective_at() -> None:
    csv = (
        "Id,AccountId,ContactId,Roles,IsActive,EndDate\n"
        f"07k5g00000aAc01AAC,{GLOBEX},{HANK},Decision Maker,false,\n"
        f"07k5g00000aAc02AAC,{GLOBEX},{ZOE},Economic Buyer,true,2027-01-31\n"
    )
    snap = translate_salesforce({"AccountContactRelation": csv}, mode="delta", effective_at=MONTH2)
    assert [(r.person_id, r.ended_at) for r in snap.roles] == [(HANK, MONTH2), (ZOE, None)]


# --- bad input: every problem with part, line and column ---------------------------------


def test_a_missing_required_column_names_the_part_and_the_column() -> None:
    found = problems(
        {
            "Contact": "Id,FirstName,Title\n0035g00000HsCrPAAV,Hank,CEO\n",
            "OpportunityContactRole": "Id,OpportunityId,ContactId\n",
        }
    )
    assert [(p.part, p.line, p.column) for p in found] == [
        ("Contact", 0, "AccountId"),
        ("Contact", 0, "LastName"),  # one of LastName / Name
        ("OpportunityContactRole", 0, "Role"),
    ]
    assert "missing" in found[0].reason and "LastName, Name" in found[1].reason


def test_every_bad_row_is_reported_with_its_line_as_an_editor_shows_it() -> None:
    contact = (
        "Id,AccountId,LastName,Title,ReportsToId\n"  # line 1
        f'{HANK},{GLOBEX},Scorpio,"CEO,\nand founder",\n'  # lines 2-3
        f"{ZOE},{GLOBEX},,CFO,{HANK}\n"  # line 4: no name
        f"0035g00000ZoEaNAAA,{GLOBEX},Wrong,CFO,\n"  # line 5: bad checksum
        f"{FRANK},{GLOBEX},O'Neil,VP,not-an-id\n"  # line 6: bad ReportsToId
        f"{FRANK},{GLOBEX},Again,VP,\n"  # line 7: duplicate
        f"{LISA},{GLOBEX},Chen\n"  # line 8: too few values
    )
    opportunity = (
        "Id,AccountId,Name,Amount,CloseDate\n"
        f"{RENEWAL},{GLOBEX},Renewal,-5,2026-13-01\n"
        f"{TPS},{INITECH},TPS,12abc,2300-01-01\n"
    )
    found = problems({"Contact": contact, "Opportunity": opportunity})
    assert [(p.part, p.line, p.column) for p in found] == [
        ("Contact", 4, "LastName"),
        ("Contact", 5, "Id"),
        ("Contact", 6, "ReportsToId"),
        ("Contact", 7, "Id"),
        ("Contact", 8, ""),
        ("Opportunity", 2, "Amount"),
        ("Opportunity", 2, "CloseDate"),
        ("Opportunity", 3, "Amount"),
        ("Opportunity", 3, "CloseDate"),
    ]
    reasons = {(p.part, p.line, p.column): p.reason for p in found}
    assert "first on line 6" in reasons[("Contact", 7, "Id")]
    assert "3 values; the header has 5" in reasons[("Contact", 8, "")]
    assert "negative" in reasons[("Opportunity", 2, "Amount")]
    assert "2199-12-31" in reasons[("Opportunity", 3, "CloseDate")]


def test_the_error_is_a_422_with_field_errors() -> None:
    with pytest.raises(InvalidInput) as caught:
        translate_salesforce(
            {"Contact": f"Id,AccountId,LastName\n{HANK},{GLOBEX},\n"},
            mode="snapshot",
            effective_at=MONTH1,
        )
    assert caught.value.status == 422
    assert [e.as_dict() for e in caught.value.errors] == [
        {
            "location": "Contact[line 2].LastName",
            "reason": "is required",
            "section": "Contact",
            "index": 2,
            "field": "LastName",
        }
    ]


def test_unknown_parts_broken_csv_and_bad_encoding_are_reported() -> None:
    found = problems(
        {
            "Contacts": "Id\n",
            "Account": 'Id,Name\n0015g00000GlbXAAAZ,"Globex\n',  # quote never closed
            "User": b"Id,Name\n0055g00000AvAtHAAV,Ava\n0055g00000BoNkMAAV,B\xf6\n",  # Latin-1
            "Event": "",
        }
    )
    assert [(p.part, p.line, p.column) for p in found] == [
        ("Account", 2, ""),
        ("Contacts", 0, ""),
        ("Event", 0, ""),
        ("User", 3, ""),
    ]
    assert "not valid CSV" in found[0].reason
    assert "not an object read here" in found[1].reason
    assert "UTF-8" in found[3].reason


def test_relationship_headers_extra_columns_and_header_only_parts() -> None:
    snap = translate_salesforce(
        {
            "Contact": (
                "Id,Account.Id,Name,ReportsTo.Id,Account.Name,Custom__c\n"
                f"{ZOE},{GLOBEX},Zoë Ångström,{HANK},Globex,x\n"
            ),
            "OpportunityContactRole": "Id,OpportunityId,ContactId,Role\n",
        },
        mode="snapshot",
        effective_at=MONTH1,
    )
    assert [(p.id, p.account_id, p.name, p.manager_id) for p in snap.people] == [
        (ZOE, GLOBEX, "Zoë Ångström", HANK)
    ]
    # Title, Department, Email: columns absent, so the batch leaves them as stored.
    assert snap.people[0].omitted == {"title", "department", "email"}
    assert snap.roles == () and "OpportunityContactRole" in snap.parts


_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@given(st.text(alphabet=_ID_CHARS, min_size=15, max_size=15))
def test_the_18_character_suffix_is_salesforces_checksum_of_any_15_character_id(
    fifteen: str,
) -> None:
    """Each suffix letter is ``A…Z0…5`` at the index whose bit *i* is set when the
    *i*-th character of its group of five is upper case (worked out independently)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = "".join(
        letters[sum(1 << i for i, c in enumerate(fifteen[g : g + 5]) if "A" <= c <= "Z")]
        for g in (0, 5, 10)
    )
    assert to_18(fifteen) == fifteen + suffix
    assert to_18(fifteen + suffix) == fifteen + suffix
