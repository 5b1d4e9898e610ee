"""The snapshot diff as a pure function of hand-made stored facts and a real CRM export:
what a snapshot ends, what a delta ends, what stays (other sources, parts left out),
the truncated-export guard, and the batch the write path sends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from service.domain.changes import ChangeSet, EdgeChange, NodeChange
from service.domain.ingest.validation import local_checks, parse_rows
from service.domain.sync.apply import build_batch, kind_counts
from service.domain.sync.diff import (
    MassChange,
    StoredCover,
    StoredFacts,
    StoredLine,
    StoredPerson,
    StoredRole,
    StoredTeamMember,
    fact_query,
    mass_changes,
    plan_sync,
    upload_accounts,
)
from service.domain.sync.hubspot import read_hubspot_dir, translate_hubspot
from service.domain.sync.mappings import load_mappings
from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
from service.domain.sync.snapshot import CrmSnapshot
from tests.sync.test_salesforce import (
    AVA,
    BILL,
    BO,
    CARLA,
    FRANK,
    GLOBEX,
    HANK,
    INITECH,
    JILL,
    LISA,
    MARCO,
    MILTON,
    PETER,
    RENEWAL,
    TPS,
    UMBRELLA,
    WESKER,
    ZOE,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"
MONTH1 = datetime(2026, 10, 1, tzinfo=UTC)
MONTH2 = datetime(2026, 11, 1, tzinfo=UTC)
SF = "salesforce"
API_PERSON = "api-person"


def salesforce(scenario: str, mode: str = "snapshot", drop: tuple[str, ...] = ()) -> CrmSnapshot:
    parts = read_salesforce_dir(FIXTURES / "salesforce" / scenario)
    for name in drop:
        del parts[name]
    return translate_salesforce(parts, mode=mode, effective_at=MONTH2)  # type: ignore[arg-type]


def person(pid: str, account: str, source: str = SF) -> StoredPerson:
    return StoredPerson(pid, f"name of {pid}", account, source)


def role(
    pid: str,
    target: str,
    name: str,
    *,
    kind: str = "account",
    source: str = SF,
    record: str | None = None,
    stance: int = 0,
    account: str | None = None,
) -> StoredRole:
    return StoredRole(pid, kind, target, name, stance, source, record, account or target)


def month1_facts() -> StoredFacts:
    """What the first Salesforce snapshot left (in part), plus facts of the API."""
    people_at = (
        *(person(p, GLOBEX) for p in (HANK, ZOE, FRANK, LISA, MARCO)),
        person(API_PERSON, GLOBEX, source="api"),
        *(person(p, INITECH) for p in (BILL, PETER, MILTON)),
        *(person(p, UMBRELLA) for p in (WESKER, JILL)),
    )
    return StoredFacts(
        people_at=people_at,
        people={p.id: p for p in people_at},
        roles=(
            role(HANK, GLOBEX, "executive_sponsor", record="07k5g00000aAc01AAC"),
            role(HANK, GLOBEX, "decision_maker", record="07k5g00000aAc01AAC"),
            role(ZOE, GLOBEX, "economic_buyer", source="api", stance=2),
            role(
                MARCO,
                RENEWAL,
                "influencer",
                kind="opportunity",
                record="00K5g00000oCr03EAC",
                account=GLOBEX,
            ),
            role(
                MILTON,
                TPS,
                "user",
                kind="opportunity",
                record="00K5g00000oCr06EAC",
                account=INITECH,
            ),
            role(PETER, INITECH, "technical_buyer", record="07k5g00000aAc04AAC"),
            role(PETER, INITECH, "user", record="07k5g00000aAc04AAC"),
            role(WESKER, GLOBEX, "influencer", record="07k5g00000aAc08AAC"),
            role(JILL, UMBRELLA, "champion", source="api", stance=1),
        ),
        lines=(
            StoredLine(LISA, FRANK, "solid", SF),
            StoredLine(JILL, WESKER, "dotted", SF),
            StoredLine(BILL, HANK, "solid", "api"),
        ),
        covers=(
            StoredCover(AVA, GLOBEX, "account_manager", SF, "01M5g00000TmA01EAF"),
            StoredCover(CARLA, UMBRELLA, "customer_success", SF, "01M5g00000TmA04EAF"),
            StoredCover(BO, UMBRELLA, "account_manager", SF, "01M5g00000TmA05EAF"),
            StoredCover("tm-api", GLOBEX, "exec_sponsor", "api"),
        ),
        team_members={CARLA: StoredTeamMember(CARLA, "Carla Díaz")},
    )


def role_ends(rows: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {
        (r["stakeholder_id"], r.get("account_id") or r.get("opportunity_id"), r["role"], r["until"])
        for r in rows
    }


def test_a_snapshot_ends_what_the_export_no_longer_holds() -> None:
    plan = plan_sync(salesforce("month2_reorg"), month1_facts())

    # Milton was deleted (left then); Peter is shown at Globex: he moved, not left; the
    # person the API entered is not Salesforce's to end.
    assert plan.stakeholders_left == [
        {
            "id": MILTON,
            "account_id": INITECH,
            "name": f"name of {MILTON}",
            "left_at": "2026-10-18T11:22:33+00:00",
        }
    ]
    assert plan.team_members_left == [
        {"id": CARLA, "name": "Carla Díaz", "left_at": MONTH2.isoformat()}
    ]
    assert role_ends(plan.roles) == {
        (HANK, GLOBEX, "executive_sponsor", MONTH2.isoformat()),  # no longer on ACR 01
        (MARCO, RENEWAL, "influencer", MONTH2.isoformat()),  # OCR 03 is gone
        (PETER, INITECH, "technical_buyer", "2026-10-25T00:00:00+00:00"),  # EndDate
        (PETER, INITECH, "user", "2026-10-25T00:00:00+00:00"),
        (WESKER, GLOBEX, "influencer", "2026-10-20T00:00:00+00:00"),  # inactive ACR 08
    }
    # Carla's assignment ends with her departure; the API's assignment stays.
    assert plan.coverage == []
    assert plan.dotted == {JILL: [{"id": WESKER, "until": MONTH2.isoformat()}]}
    # Bill has no ReportsToId: the API's solid line is not Salesforce's to close.
    assert plan.keep_manager == {BILL}
    assert plan.stances[(ZOE, "account", GLOBEX, "economic_buyer")] == 2
    assert plan.mass_changes == [] and plan.gone == {INITECH: 1}


def test_a_delta_ends_only_deletions_and_ended_relations() -> None:
    plan = plan_sync(salesforce("month2_reorg", mode="delta"), month1_facts())

    assert [r["id"] for r in plan.stakeholders_left] == [MILTON]
    assert [r["id"] for r in plan.team_members_left] == [CARLA]
    assert role_ends(plan.roles) == {
        (PETER, INITECH, "technical_buyer", "2026-10-25T00:00:00+00:00"),
        (PETER, INITECH, "user", "2026-10-25T00:00:00+00:00"),
        (WESKER, GLOBEX, "influencer", "2026-10-20T00:00:00+00:00"),
    }
    assert plan.dotted == {} and plan.mass_changes == []


def test_a_deleted_opportunity_contact_role_ends_its_role_at_the_deletion() -> None:
    facts = month1_facts()
    milton_kept = replace(
        facts, people={}, people_at=tuple(p for p in facts.people_at if p.id != MILTON)
    )
    plan = plan_sync(salesforce("month2_reorg", mode="delta"), milton_kept)

    assert (MILTON, TPS, "user", "2026-10-18T11:22:33+00:00") in role_ends(plan.roles)
    assert plan.ignored["deleted contact not stored"] == 1


def test_a_part_left_out_ends_nothing_of_its_kind() -> None:
    snapshot = salesforce(
        "month2_reorg", drop=("Contact", "OpportunityContactRole", "AccountTeamMember", "deleted")
    )
    plan = plan_sync(snapshot, month1_facts())

    assert plan.stakeholders_left == []
    ended = role_ends(plan.roles)
    assert (MARCO, RENEWAL, "influencer", MONTH2.isoformat()) not in ended
    assert (HANK, GLOBEX, "executive_sponsor", MONTH2.isoformat()) in ended  # ACR given
    assert plan.dotted == {}


def test_a_part_with_only_its_header_means_none() -> None:
    parts = read_salesforce_dir(FIXTURES / "salesforce" / "month2_reorg")
    parts["AccountContactRelation"] = b"Id,AccountId,ContactId,Roles,IsActive,EndDate\r\n"
    parts["AccountTeamMember"] = b"Id,AccountId,UserId,TeamMemberRole\n"
    snapshot = translate_salesforce(parts, mode="snapshot", effective_at=MONTH2)
    plan = plan_sync(snapshot, month1_facts())

    ended = {(r["stakeholder_id"], r["role"]) for r in plan.roles if r.get("account_id")}
    # Every Salesforce account role of the upload's accounts ends; the API's stay.
    assert ended == {
        (HANK, "executive_sponsor"),
        (HANK, "decision_maker"),
        (PETER, "technical_buyer"),
        (PETER, "user"),
        (WESKER, "influencer"),
    }
    assert {(r["team_member_id"], r["account_id"]) for r in plan.coverage} == {
        (AVA, GLOBEX),
        (BO, UMBRELLA),
    }


def test_the_guard_counts_people_marked_gone_per_account() -> None:
    parts = read_salesforce_dir(FIXTURES / "salesforce" / "month2_reorg")
    header, *rows = parts["Contact"].decode().splitlines(keepends=True)
    parts["Contact"] = (header + "".join(r for r in rows if "InTcH" not in r)).encode()
    snapshot = translate_salesforce(parts, mode="snapshot", effective_at=MONTH2)
    plan = plan_sync(snapshot, month1_facts())

    # Bill left (absent), Milton deleted; Peter is shown at Globex (moved).
    assert plan.mass_changes == [MassChange(INITECH, 2, 3)]
    delta = replace(snapshot, mode="delta")
    assert plan_sync(delta, month1_facts()).mass_changes == []


def test_mass_changes_is_more_than_half() -> None:
    assert mass_changes({"a": 4}, {"a": 2}) == []
    assert mass_changes({"a": 4}, {"a": 3}) == [MassChange("a", 3, 4)]
    assert mass_changes({"a": 1}, {"a": 1}) == [MassChange("a", 1, 1)]
    assert mass_changes({"a": 3, "b": 2}, {"a": 0, "b": 1}) == []
    assert mass_changes({}, {"c": 1}) == [MassChange("c", 1, 0)]


def test_what_is_read_for_an_upload() -> None:
    snapshot = salesforce("month2_reorg")
    query = fact_query(snapshot)
    assert query.accounts == {GLOBEX, INITECH, UMBRELLA} == upload_accounts(snapshot)
    assert MILTON in query.people and PETER in query.people
    assert query.record_ids == {"00K5g00000oCr06EAC"}
    assert query.team_members == {CARLA}
    without_accounts = salesforce("month2_reorg", drop=("Account",))
    assert upload_accounts(without_accounts) == {GLOBEX, INITECH, UMBRELLA}


def test_hubspot_snapshot_ends_owners_roles_and_archived_contacts() -> None:
    lists = read_hubspot_dir(FIXTURES / "hubspot" / "month2_reorg")
    snapshot = translate_hubspot(lists, mode="snapshot", effective_at=MONTH2)
    hs = "hubspot"
    c = "hs-contact-"
    facts = StoredFacts(
        people_at=tuple(
            StoredPerson(f"{c}{n}", f"p{n}", f"hs-company-{a}", hs)
            for n, a in (
                (2001, 1001),
                (2003, 1001),
                (2004, 1001),
                (2007, 1002),
                (2008, 1002),
                (2010, 1003),
            )
        ),
        people={f"{c}2008": StoredPerson(f"{c}2008", "Milton", "hs-company-1002", hs)},
        roles=(
            role(f"{c}2001", "hs-company-1001", "executive_sponsor", source=hs, record="2001"),
            role(f"{c}2003", "hs-company-1001", "influencer", source=hs, record="2003"),
            role(f"{c}2004", "hs-company-1001", "champion", source=hs, record="2004"),
            role(f"{c}2010", "hs-company-1003", "influencer", source=hs, record="2010"),
        ),
        covers=(StoredCover("hs-owner-3003", "hs-company-1003", "account_manager", hs, "1003"),),
        team_members={"hs-owner-3003": StoredTeamMember("hs-owner-3003", "Carla")},
    )
    plan = plan_sync(snapshot, facts)

    assert [r["id"] for r in plan.stakeholders_left] == [f"{c}2008"]
    assert plan.stakeholders_left[0]["left_at"] == "2026-10-18T11:22:33+00:00"
    assert {(r["stakeholder_id"], r["role"]) for r in plan.roles} == {
        (f"{c}2001", "executive_sponsor"),
        (f"{c}2003", "influencer"),
        (f"{c}2004", "champion"),  # hs_buying_role null: none
    }  # Jill (2010) has no hs_buying_role property: her roles stay
    assert [r["id"] for r in plan.team_members_left] == ["hs-owner-3003"]
    assert plan.coverage == []  # Carla's departure ends her assignment


def test_build_batch_carries_provenance_stances_and_endings() -> None:
    snapshot = salesforce("month2_reorg")
    plan = plan_sync(snapshot, month1_facts())
    batch = build_batch(snapshot, plan, load_mappings())

    contacts = {r["id"]: r for r in batch["stakeholders"]}
    assert contacts[HANK]["source_record_id"] == HANK
    assert "reports_to" not in contacts[BILL]  # the API's line stays
    assert contacts[JILL]["dotted_reports_to"] == [{"id": WESKER, "until": MONTH2.isoformat()}]
    assert contacts[MILTON] == plan.stakeholders_left[0]
    roles = {
        (r["stakeholder_id"], r.get("account_id") or r.get("opportunity_id"), r["role"]): r
        for r in batch["roles"]
    }
    zoe = roles[(ZOE, GLOBEX, "economic_buyer")]
    assert zoe["stance"] == 2 and zoe["source_record_id"] == "07k5g00000aAc02AAC"
    assert roles[(ZOE, RENEWAL, "economic_buyer")]["source_record_id"] == "00K5g00000oCr01EAC"
    assert roles[(PETER, INITECH, "user")]["until"] == "2026-10-25T00:00:00+00:00"
    assert {r["id"]: r for r in batch["team_members"]}[CARLA]["left_at"] == MONTH2.isoformat()
    coverage = {(r["team_member_id"], r["account_id"]): r for r in batch["coverage"]}
    assert coverage[(AVA, GLOBEX)]["source_record_id"] == "01M5g00000TmA01EAF"
    # One row per identity: the batch's own duplicate checks pass.
    parsed = parse_rows({k: v for k, v in batch.items() if k != "effective_at"})
    assert [e for e in local_checks(parsed) if "duplicate" in e.reason] == []


def test_kind_counts_from_a_change_set() -> None:
    def edge(change: str, rel: str, a: str, b: str, **identity: object) -> EdgeChange:
        return EdgeChange(
            change=change, type=rel, from_id=a, to_id=b, account="x", identity=identity
        )  # type: ignore[arg-type]

    cs = ChangeSet(
        id="c1",
        at=MONTH2,
        effective_at=MONTH2,
        source="salesforce",
        nodes=(
            NodeChange("created", "Stakeholder", "p9", "x"),
            NodeChange("changed", "Stakeholder", "p1", "x"),
            NodeChange("left", "Stakeholder", "p2", "x"),
        ),
        edges=(
            edge("closed", "WORKS_AT", "p3", "x"),
            edge("opened", "WORKS_AT", "p3", "y"),  # a move
            edge("closed", "REPORTS_TO", "p1", "m1", kind="solid"),
            edge("opened", "REPORTS_TO", "p1", "m2", kind="solid"),  # a new manager
            edge("opened", "HAS_ROLE", "p1", "x", role="champion", stance=1),
            edge("closed", "HAS_ROLE", "p2", "x", role="user", stance=0),
            edge("closed", "HAS_ROLE", "p4", "x", role="user", stance=0),
            edge("opened", "HAS_ROLE", "p4", "x", role="user", stance=1),  # another stance
            edge("changed", "COVERS", "t1", "x", role="account_manager"),
        ),
    )
    given = {"people": 5, "employment": 5, "roles": 4, "reporting_lines": 3, "coverage": 2}
    counts = kind_counts([cs], given, {"created": 2})

    assert counts["people"] == {"created": 1, "updated": 1, "ended": 1, "unchanged": 3}
    assert counts["employment"] == {"created": 0, "updated": 1, "ended": 0, "unchanged": 4}
    assert counts["reporting_lines"] == {"created": 0, "updated": 1, "ended": 0, "unchanged": 2}
    assert counts["roles"] == {"created": 1, "updated": 1, "ended": 1, "unchanged": 2}
    assert counts["coverage"] == {"created": 0, "updated": 1, "ended": 0, "unchanged": 1}
    assert counts["interactions"]["created"] == 2
