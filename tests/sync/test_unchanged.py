"""Which sync rows change nothing (service/domain/sync/unchanged.py), on hand-made stored
facts: a row identical to what is stored is left out; any difference — a field, the
employer, the position, the manager, a stance, a role, participants, a time, a person
moving or leaving in the same write — keeps it."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.sync.diff import (
    StoredCover,
    StoredEmployment,
    StoredFacts,
    StoredPersonState,
    StoredRole,
)
from service.domain.sync.unchanged import drop_unchanged, interaction_signature

ACME, OTHER = "acct-acme", "acct-other"
ANN, BOB, CAT = "p-ann", "p-bob", "p-cat"
TOM = "tm-tom"
OPP = "opp-1"
AT = "2026-03-04T10:15:00.123456+00:00"
AT_US = 1772619300123456  # AT in µs since the epoch


def person(pid: str, title: str | None = "CFO", **changes: Any) -> StoredPersonState:
    state = StoredPersonState(
        id=pid,
        props={
            "name": pid.upper(),
            "title": title,
            "email": None,
            "department": "Finance",
            "seniority": None,
        },
        status="active",
        has_left_at=False,
        source="salesforce",
        employments=(StoredEmployment(ACME, (title, "Finance", None)),),
        managers=(),
    )
    return replace(state, **changes)


def person_row(pid: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": pid,
        "account_id": ACME,
        "name": pid.upper(),
        "title": "CFO",
        "email": None,
        "department": "Finance",
        "source_record_id": f"rec-{pid}",
    }
    row.update(changes)
    return row


def facts(*states: StoredPersonState, **more: Any) -> StoredFacts:
    return StoredFacts(person_states={s.id: s for s in states}, **more)


def kept(batch: dict[str, Any], stored: StoredFacts, section: str) -> list[dict[str, Any]]:
    out, dropped = drop_unchanged(batch, stored)
    rows: list[dict[str, Any]] = out.get(section, [])
    assert dropped[section] == len(batch[section]) - len(rows)
    return rows


def test_an_identical_person_row_is_left_out_and_the_input_is_untouched() -> None:
    batch = {"effective_at": AT, "stakeholders": [person_row(ANN)]}
    before = copy.deepcopy(batch)
    out, dropped = drop_unchanged(batch, facts(person(ANN)))
    assert out == {"effective_at": AT} and dropped == {"stakeholders": 1}
    assert batch == before


@pytest.mark.parametrize(
    ("row_changes", "state_changes"),
    [
        ({"title": "CEO"}, {}),  # a field differs
        ({"email": "ann@acme.example"}, {}),  # a value where none is stored
        ({"email": None}, {"props": {"name": "P-ANN", "title": "CFO", "email": "x@y.z"}}),
        ({"account_id": OTHER}, {}),  # another employer: a move
        ({}, {"status": "left"}),  # the row reactivates them
        ({}, {"status": None}),
        ({}, {"has_left_at": True}),
        ({}, {"source": None}),  # the write would set the node's provenance
        ({}, {"comparable": False}),  # several current solid lines
        ({}, {"employments": ()}),  # no current employment
        (
            {},
            {"employments": (StoredEmployment(ACME, ("CFO", "Finance", None)),) * 2},
        ),
        ({}, {"employments": (StoredEmployment(ACME, ("VP", "Finance", None)),)}),  # position
        ({}, {"employments": (StoredEmployment(ACME, ("CFO", "Finance", None), True),)}),
        ({"reports_to": BOB}, {}),  # a manager where none is
        ({"reports_to": BOB}, {"managers": ((CAT, "active"),)}),  # another manager
        ({"reports_to": BOB}, {"managers": ((BOB, "left"),)}),  # a manager who left
        ({"reports_to": BOB}, {"managers": ((BOB, "active"), (CAT, "active"))}),
        ({"reports_to": None}, {"managers": ((BOB, "active"),)}),  # the line ends
        ({"dotted_reports_to": [{"id": BOB, "until": AT}]}, {}),
        ({"left_at": AT}, {}),
    ],
)
def test_a_person_row_that_differs_in_anything_is_kept(
    row_changes: dict[str, Any], state_changes: dict[str, Any]
) -> None:
    stored = person(ANN, **state_changes)
    if "props" in state_changes:
        stored = replace(stored, props={**person(ANN).props, **state_changes["props"]})
    batch = {"stakeholders": [person_row(ANN, **row_changes)]}
    assert kept(batch, facts(stored), "stakeholders") == batch["stakeholders"]


def test_a_person_row_with_the_same_manager_or_none_is_left_out() -> None:
    batch = {
        "stakeholders": [
            person_row(ANN, reports_to=BOB),
            person_row(CAT, reports_to=None),
            person_row(BOB),  # no reports_to given: the line is not the row's business
        ]
    }
    stored = facts(
        person(ANN, managers=((BOB, "active"),)),
        person(CAT),
        person(BOB, managers=((CAT, "active"),)),
    )
    assert kept(batch, stored, "stakeholders") == []


def test_rows_touching_someone_who_moves_or_leaves_in_the_write_are_kept() -> None:
    """Bob moves to another account in this write: the move ends the lines between him
    and his old colleagues, and a row restating Ann's line to him reopens it — so Ann's
    row, identical to what is stored, must be written. Cat leaves (left_at): a row
    opening an edge of hers is refused by validation, so it must reach validation."""
    batch = {
        "stakeholders": [
            person_row(ANN, reports_to=BOB),
            person_row(BOB, account_id=OTHER),
            person_row(CAT, left_at=AT),
            person_row("p-dan", reports_to=CAT),
        ],
        "roles": [
            {"stakeholder_id": BOB, "account_id": ACME, "role": "champion", "stance": 1},
            {"stakeholder_id": CAT, "account_id": ACME, "role": "champion", "stance": 1},
        ],
        "interactions": [
            {
                "id": "i-1",
                "kind": "call",
                "at": AT,
                "team_member_ids": [TOM],
                "stakeholder_ids": [BOB],
            }
        ],
    }
    stored = facts(
        person(ANN, managers=((BOB, "active"),)),
        person(BOB),
        person(CAT),
        person("p-dan", managers=((CAT, "active"),)),
        roles=tuple(
            StoredRole(p, "account", ACME, "champion", 1, "salesforce") for p in (BOB, CAT)
        ),
        interactions={"i-1": interaction_signature("call", AT_US, [TOM], [BOB])},
    )
    out, dropped = drop_unchanged(batch, stored)
    assert out == batch and not dropped


def test_a_team_member_leaving_keeps_their_coverage_and_interactions() -> None:
    batch = {
        "team_members": [{"id": TOM, "name": "Tom", "left_at": AT}],
        "coverage": [{"team_member_id": TOM, "account_id": ACME, "role": "account_manager"}],
    }
    stored = facts(covers=(StoredCover(TOM, ACME, "account_manager", "salesforce"),))
    assert drop_unchanged(batch, stored) == (batch, {})


def test_roles_are_left_out_only_when_every_current_edge_has_the_stance() -> None:
    def role(pid: str, stance: int, **target: str) -> dict[str, Any]:
        return {"stakeholder_id": pid, "role": "economic_buyer", "stance": stance, **target}

    rows = [
        role(ANN, 0, account_id=ACME),  # same: left out
        role(ANN, 0, opportunity_id=OPP),  # same, on the opportunity: left out
        role(BOB, 1, account_id=ACME),  # stored with stance 0: kept
        role(CAT, 0, account_id=ACME),  # two current edges, stances 0 and 2: kept
        role("p-dan", 0, account_id=ACME),  # none stored: kept
        {**role(ANN, 0, account_id=ACME), "role": "champion"},  # another role: kept
        {"stakeholder_id": ANN, "role": "economic_buyer", "account_id": ACME, "until": AT},
    ]
    stored = facts(
        roles=(
            StoredRole(ANN, "account", ACME, "economic_buyer", 0, "salesforce"),
            StoredRole(ANN, "opportunity", OPP, "economic_buyer", 0, "api"),
            StoredRole(BOB, "account", ACME, "economic_buyer", 0, "salesforce"),
            StoredRole(CAT, "account", ACME, "economic_buyer", 0, "salesforce"),
            StoredRole(CAT, "account", ACME, "economic_buyer", 2, "api"),
        )
    )
    assert kept({"roles": rows}, stored, "roles") == rows[2:]


def test_coverage_is_left_out_only_with_the_same_role() -> None:
    rows = [
        {"team_member_id": TOM, "account_id": ACME, "role": "account_manager"},  # same
        {"team_member_id": TOM, "account_id": OTHER, "role": "exec_sponsor"},  # other role
        {"team_member_id": "tm-una", "account_id": ACME},  # no role given, one stored: same
        {"team_member_id": "tm-vic", "account_id": ACME, "role": None},  # none stored
        {"team_member_id": TOM, "account_id": ACME, "until": AT},  # an ending
    ]
    stored = facts(
        covers=(
            StoredCover(TOM, ACME, "account_manager", "salesforce"),
            StoredCover(TOM, OTHER, "account_manager", "salesforce"),
            StoredCover("tm-una", ACME, "customer_success", "api"),
        )
    )
    assert kept({"coverage": rows}, stored, "coverage") == [rows[1], rows[3], rows[4]]


def test_interactions_are_left_out_only_when_kind_time_and_participants_match() -> None:
    def row(iid: str, **changes: Any) -> dict[str, Any]:
        base = {
            "id": iid,
            "kind": "meeting",
            "at": AT,
            "team_member_ids": [TOM],
            "stakeholder_ids": [ANN, BOB],
        }
        return {**base, **changes}

    rows = [
        row("i-same"),
        row("i-z", at="2026-03-04T10:15:00.123456Z", stakeholder_ids=[BOB, ANN]),  # same
        row("i-kind", kind="call"),
        row("i-at", at="2026-03-04T10:15:00.123457+00:00"),
        row("i-people", stakeholder_ids=[ANN]),
        row("i-team", team_member_ids=[TOM, "tm-una"]),
        row("i-new"),  # not stored (or stored without provenance: the read leaves it out)
        row("i-comma", stakeholder_ids=["p-ann,p-bob"]),  # not an id: validation refuses it
        row("i-bad-at", at="yesterday"),
    ]
    same = interaction_signature("meeting", AT_US, [TOM], [ANN, BOB])
    stored = facts(
        interactions={r["id"]: same for r in rows if r["id"] != "i-new"}
        | {"i-comma": interaction_signature("meeting", AT_US, [TOM], [ANN, BOB])}
    )
    assert kept({"interactions": rows}, stored, "interactions") == rows[2:]


def test_accounts_team_members_and_opportunities_are_always_sent() -> None:
    batch = {
        "accounts": [{"id": ACME, "name": "Acme"}],
        "team_members": [{"id": TOM, "name": "Tom"}],
        "opportunities": [{"id": OPP, "account_id": ACME, "name": "Renewal"}],
    }
    assert drop_unchanged(batch, facts()) == (batch, {})


_IDS = st.lists(st.text(alphabet="abc-123", min_size=1, max_size=4), min_size=1, max_size=3)


@given(_IDS, _IDS, st.sampled_from([list, tuple]))
def test_an_interaction_signature_lists_each_participant_once_in_order(
    members: list[str], people: list[str], container: type
) -> None:
    """One participant or several, in a list or a tuple: the ids, distinct and sorted,
    each after a comma (as sync/interactions_state.cypher builds it)."""
    expected = "|".join(
        ["call", "7", *("".join("," + x for x in sorted(set(ids))) for ids in (members, people))]
    )
    assert interaction_signature("call", 7, container(members), container(people)) == expected


@pytest.mark.parametrize(
    "at",
    ["2026-10-01T09:00:00+00:00", "2026-10-01T10:00:00+01:00", "2026-10-01T09:00:00"],
)
def test_an_interaction_at_the_same_instant_is_left_out_however_its_time_is_written(
    at: str,
) -> None:
    """The time is compared as an instant (no offset = UTC), parsed once per text."""
    stored = interaction_signature("call", 1_790_845_200_000_000, ["tm-1"], ["p-1"])
    facts = StoredFacts(interactions={"i-1": stored})
    row = {
        "id": "i-1",
        "kind": "call",
        "at": at,
        "team_member_ids": ["tm-1"],
        "stakeholder_ids": ["p-1"],
    }
    for _ in range(2):
        assert drop_unchanged({"interactions": [row]}, facts)[0] == {}
    later = dict(row, at="2026-10-01T09:00:00.000001+00:00")
    assert drop_unchanged({"interactions": [later]}, facts)[0] == {"interactions": [later]}
