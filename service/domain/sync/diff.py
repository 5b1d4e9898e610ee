"""What a CRM upload ends: the snapshot diff, deletions and the truncated-export guard.

A pure function of the upload (:class:`CrmSnapshot`) and the stored facts it is
compared with (:class:`StoredFacts`, read by ``service/graph/sync.py``): no database
here, so every rule is tested on hand-made inputs (tests/sync/test_diff.py).

**Which facts a sync may end.** A snapshot ends by *absence* only what came from the
same CRM: a current edge whose ``source`` is the upload's (``salesforce`` /
``hubspot``); data from another source (``api``, ``demo``, …) is never ended because
an upload does not hold it. An *explicit* statement about a CRM record — a deleted
contact, an inactive ``User`` or archived owner, a deleted ``OpportunityContactRole``,
``AccountContactRelation`` or ``AccountTeamMember``, an inactive relation or one past
its ``EndDate`` — acts on that record whatever wrote it last.

**Snapshot mode** (the upload is the complete state, from that CRM, of its accounts;
see :func:`upload_accounts`), per part that was uploaded — a part left out ends
nothing of its kind, a part with only its header row means "none":

- people (``Contact`` / ``contacts``): a person currently employed at one of the
  accounts (employment from this source) whom the upload does not show has **left**
  at ``effective_at``; one shown at another account **moved** (their row moves them,
  the batch does the rest);
- buying roles (``AccountContactRelation`` → account roles, ``OpportunityContactRole``
  → opportunity roles; HubSpot ``contacts`` → account roles, except for a contact
  without the ``hs_buying_role`` property): a current role from this source on the
  accounts or their opportunities that no current record of the upload gives ends at
  ``effective_at``;
- account-team assignments (``AccountTeamMember``; HubSpot ``companies``, by the
  company owner, except for a company without ``hubspot_owner_id``): ended likewise;
- dotted reporting lines from this source of the people of the upload (no CRM gives
  them, so none should exist) end too; solid lines follow each person's row
  (``reports_to``), and an empty manager closes only a line from this source.

**Both modes**: deletions and endings as above; roles of a relation that is inactive
or past its ``EndDate`` end at that date (``RoleRecord.ended_at``).

**The guard**: a snapshot that would mark more than half of an account's current
people (of every source) as left — absent or deleted — is refused
(:attr:`SyncPlan.mass_changes`) unless the caller confirms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, TypeVar

from service.domain.sync.snapshot import CrmSnapshot, SourceName

__all__ = [
    "FactQuery",
    "MassChange",
    "StoredCover",
    "StoredEmployment",
    "StoredFacts",
    "StoredLine",
    "StoredPerson",
    "StoredPersonState",
    "StoredRole",
    "StoredTeamMember",
    "SyncPlan",
    "fact_query",
    "mass_changes",
    "plan_sync",
    "upload_accounts",
]

Row = dict[str, Any]
T = TypeVar("T")
RoleKey = tuple[str, str, str, str]  # (stakeholder, target kind, target id, role)

#: The part that states each kind of fact, per source: its presence in a snapshot makes
#: the upload complete for that kind.
PEOPLE_PART: Final[Mapping[str, str]] = {"salesforce": "Contact", "hubspot": "contacts"}
ACCOUNT_PART: Final[Mapping[str, str]] = {"salesforce": "Account", "hubspot": "companies"}
COVERAGE_PART: Final[Mapping[str, str]] = {
    "salesforce": "AccountTeamMember",
    "hubspot": "companies",
}
ROLE_PARTS: Final[Mapping[tuple[str, str], str]] = {
    ("salesforce", "account"): "AccountContactRelation",
    ("salesforce", "opportunity"): "OpportunityContactRole",
    ("hubspot", "account"): "contacts",
}
#: Deleted CRM objects whose roles or assignments are found by their record id.
ROLE_OBJECTS: Final = frozenset({"OpportunityContactRole", "AccountContactRelation"})
COVER_OBJECTS: Final = frozenset({"AccountTeamMember"})
PERSON_OBJECTS: Final = frozenset({"Contact", "contact"})
TEAM_MEMBER_OBJECTS: Final = frozenset({"User"})


@dataclass(frozen=True, slots=True)
class StoredPerson:
    """A stored stakeholder: their current (else last) employer and the source of that
    employment (``WORKS_AT.source``)."""

    id: str
    name: str
    account_id: str | None
    source: str | None
    status: str = "active"


@dataclass(frozen=True, slots=True)
class StoredRole:
    stakeholder_id: str
    target_kind: str  # "account" | "opportunity"
    target_id: str
    role: str
    stance: int
    source: str | None
    source_record_id: str | None = None
    #: the account of the target (an opportunity's account)
    account_id: str | None = None

    @property
    def key(self) -> RoleKey:
        return (self.stakeholder_id, self.target_kind, self.target_id, self.role)


@dataclass(frozen=True, slots=True)
class StoredLine:
    """A current reporting line: ``kind`` ``solid`` or ``dotted``."""

    from_id: str
    to_id: str
    kind: str
    source: str | None


@dataclass(frozen=True, slots=True)
class StoredCover:
    team_member_id: str
    account_id: str
    role: str | None
    source: str | None
    source_record_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredTeamMember:
    id: str
    name: str
    status: str = "active"


@dataclass(frozen=True, slots=True)
class StoredEmployment:
    """A current ``WORKS_AT``: the account, the position it holds, and whether it began
    with a move (an employment elsewhere ended when it started)."""

    account_id: str
    position: tuple[str | None, str | None, str | None]  # title, department, seniority
    moved_in: bool = False


@dataclass(frozen=True, slots=True)
class StoredPersonState:
    """A stored person as a stakeholder row would find them (service/domain/sync/
    unchanged.py): node fields, status, provenance, current employments and current
    solid-line managers ``(id, status)``. ``comparable`` False: several current
    employments or solid lines (the person's row is always written)."""

    id: str
    props: Mapping[str, Any]
    status: str | None
    has_left_at: bool
    source: str | None
    employments: tuple[StoredEmployment, ...] = ()
    managers: tuple[tuple[str, str | None], ...] = ()
    comparable: bool = True


@dataclass(frozen=True)
class StoredFacts:
    """The current stored facts an upload is compared with (current edges only).

    ``people_at``: the people currently employed at the upload's accounts; ``people``:
    stored people by id (at least those the deletions name); ``roles``, ``lines``,
    ``covers``: current edges of every source; ``team_members``: stored team members
    by id (at least the inactive and deleted ones the upload names);
    ``person_states`` and ``interactions``: the stored state of the people and
    interactions the upload's rows give, by id (to leave out rows that change nothing).
    """

    people_at: tuple[StoredPerson, ...] = ()
    people: Mapping[str, StoredPerson] = field(default_factory=dict)
    roles: tuple[StoredRole, ...] = ()
    lines: tuple[StoredLine, ...] = ()
    covers: tuple[StoredCover, ...] = ()
    team_members: Mapping[str, StoredTeamMember] = field(default_factory=dict)
    person_states: Mapping[str, StoredPersonState] = field(default_factory=dict)
    #: interaction id -> its signature (service/domain/sync/unchanged.py)
    interactions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FactQuery:
    """What to read for an upload (see ``service/graph/sync.py``)."""

    accounts: frozenset[str]
    people: frozenset[str]
    record_ids: frozenset[str]
    team_members: frozenset[str]
    #: the people read by id (the deletions': the diff needs no other)
    deleted_people: frozenset[str] = frozenset()
    #: the people and interactions whose rows may change nothing
    person_states: frozenset[str] = frozenset()
    interactions: frozenset[str] = frozenset()
    #: the role targets the upload names outside ``accounts`` (the roles on the upload's
    #: accounts and their stored opportunities are read by account): every role the
    #: diff looks up by key has one of these targets or is on one of ``accounts``
    role_accounts: frozenset[str] = frozenset()
    role_opportunities: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, order=True)
class MassChange:
    """An account the snapshot would empty of more than half its current people."""

    account_id: str
    gone: int
    current: int


@dataclass
class SyncPlan:
    """The ending rows of an upload (ingest batch rows with ``until`` / ``left_at``),
    the stored stance of each role the upload restates, what the guard found, and
    what was ignored (per reason)."""

    stakeholders_left: list[Row] = field(default_factory=list)
    team_members_left: list[Row] = field(default_factory=list)
    roles: list[Row] = field(default_factory=list)
    coverage: list[Row] = field(default_factory=list)
    #: person id -> dotted-line entries ``{"id": manager, "until": …}`` to add to their row
    dotted: dict[str, list[Row]] = field(default_factory=dict)
    #: person ids whose ``reports_to: null`` must be left out (the line is another source's)
    keep_manager: set[str] = field(default_factory=set)
    stances: dict[RoleKey, int] = field(default_factory=dict)
    mass_changes: list[MassChange] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    #: people marked as left per account (absent or deleted), for the guard
    gone: Counter[str] = field(default_factory=Counter)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def upload_accounts(snapshot: CrmSnapshot) -> frozenset[str]:
    """The accounts an upload is the state of: those of its ``Account`` / ``companies``
    part when it has one, else every account its records name (people, opportunities,
    assignments, account roles)."""
    if ACCOUNT_PART[snapshot.source] in snapshot.parts:
        return frozenset(a.id for a in snapshot.accounts)
    named: set[str] = {p.account_id for p in snapshot.people}
    named.update(o.account_id for o in snapshot.opportunities)
    named.update(a.account_id for a in snapshot.assignments)
    named.update(r.target_id for r in snapshot.roles if r.target_kind == "account")
    return frozenset(named)


def fact_query(snapshot: CrmSnapshot) -> FactQuery:
    """The stored facts :func:`plan_sync` needs for ``snapshot``."""
    deleted_people = {d.id for d in snapshot.deletions if d.object in PERSON_OBJECTS}
    people = {p.id for p in snapshot.people} | {r.person_id for r in snapshot.roles}
    records = {
        d.source_record_id for d in snapshot.deletions if d.object in ROLE_OBJECTS | COVER_OBJECTS
    }
    members = {t.id for t in snapshot.team_members if not t.active}
    members |= {d.id for d in snapshot.deletions if d.object in TEAM_MEMBER_OBJECTS}
    accounts = upload_accounts(snapshot)
    role_accounts = {r.target_id for r in snapshot.roles if r.target_kind == "account"}
    role_opportunities = {r.target_id for r in snapshot.roles if r.target_kind == "opportunity"}
    role_opportunities.update(o.id for o in snapshot.opportunities)
    return FactQuery(
        accounts=accounts,
        people=frozenset(people | deleted_people),
        record_ids=frozenset(records),
        team_members=frozenset(members),
        deleted_people=frozenset(deleted_people),
        person_states=frozenset(p.id for p in snapshot.people),
        interactions=frozenset(i.id for i in snapshot.interactions),
        role_accounts=frozenset(role_accounts - accounts),
        role_opportunities=frozenset(role_opportunities),
    )


def mass_changes(current: Mapping[str, int], gone: Mapping[str, int]) -> list[MassChange]:
    """The accounts where more than half of the current people would be gone.

    >>> mass_changes({"a": 4, "b": 5}, {"a": 2, "b": 3})
    [MassChange(account_id='b', gone=3, current=5)]
    """
    return sorted(
        MassChange(account, n, current.get(account, 0))
        for account, n in gone.items()
        if n > 0 and 2 * n > current.get(account, 0)
    )


def _role_row(key: RoleKey, until: datetime) -> Row:
    person, kind, target, role = key
    target_field = "account_id" if kind == "account" else "opportunity_id"
    return {"stakeholder_id": person, target_field: target, "role": role, "until": _iso(until)}


def plan_sync(snapshot: CrmSnapshot, facts: StoredFacts) -> SyncPlan:
    """The endings of ``snapshot`` against ``facts`` (see the module docstring)."""
    plan = SyncPlan()
    source: SourceName = snapshot.source
    at = snapshot.effective_at
    snapshot_mode = snapshot.mode == "snapshot"
    deleted = {d.id: d for d in snapshot.deletions}
    deleted_records = {d.source_record_id: d for d in snapshot.deletions}
    shown = {p.id: p for p in snapshot.people}

    plan.stances = {r.key: r.stance for r in _dedupe(facts.roles)}

    # -- people: deleted, and (snapshot) absent from their account ----------------------
    leaving: dict[str, tuple[StoredPerson, datetime]] = {}
    for d in snapshot.deletions:
        if d.object not in PERSON_OBJECTS:
            continue
        person = facts.people.get(d.id)
        if person is None:
            plan.ignored["deleted contact not stored"] += 1
        elif person.status == "left" or person.account_id is None:
            plan.ignored["deleted contact already left"] += 1
        else:
            leaving[person.id] = (person, d.deleted_at)
    current_people: Counter[str] = Counter(p.account_id for p in facts.people_at if p.account_id)
    if snapshot_mode and PEOPLE_PART[source] in snapshot.parts:
        for person in facts.people_at:
            if person.source != source or person.id in shown or person.id in leaving:
                continue
            leaving[person.id] = (person, at)
    for person, when in leaving.values():
        plan.stakeholders_left.append(
            {
                "id": person.id,
                "account_id": person.account_id,
                "name": person.name,
                "left_at": _iso(when),
            }
        )
        if person.account_id is not None:
            plan.gone[person.account_id] += 1
    if snapshot_mode:
        plan.mass_changes = mass_changes(current_people, plan.gone)

    # -- team members: inactive, archived or deleted ------------------------------------
    gone_members: dict[str, datetime] = {t.id: at for t in snapshot.team_members if not t.active}
    for d in snapshot.deletions:
        if d.object in TEAM_MEMBER_OBJECTS:
            gone_members.setdefault(d.id, d.deleted_at)
    for member_id, when in sorted(gone_members.items()):
        member = facts.team_members.get(member_id)
        if member is None:
            plan.ignored["inactive or deleted team member not stored"] += 1
        elif member.status != "left":
            plan.team_members_left.append(
                {"id": member.id, "name": member.name, "left_at": _iso(when)}
            )

    # -- buying roles --------------------------------------------------------------------
    given: set[RoleKey] = set()  # identities a current record of the upload gives
    ended_at: dict[RoleKey, datetime] = {}  # identities only ended records give
    for r in snapshot.roles:
        key: RoleKey = (r.person_id, r.target_kind, r.target_id, r.role)
        record_deleted = r.source_record_id in deleted_records
        if r.ended_at is None and not record_deleted and r.person_id not in deleted:
            given.add(key)
        elif r.ended_at is not None:
            ended_at[key] = min(r.ended_at, ended_at.get(key, r.ended_at))
    stored_roles = {r.key: r for r in _dedupe(facts.roles)}
    role_ends: dict[RoleKey, datetime] = {}
    for key, when in ended_at.items():
        if key in stored_roles and key not in given:
            role_ends[key] = when
    for role in stored_roles.values():
        gone_record = deleted_records.get(role.source_record_id or "")
        if gone_record is not None and gone_record.object in ROLE_OBJECTS and role.key not in given:
            role_ends.setdefault(role.key, gone_record.deleted_at)
    if snapshot_mode:
        accounts = upload_accounts(snapshot)
        opportunities_of = {o.id: o.account_id for o in snapshot.opportunities}
        quiet = {p.id for p in snapshot.people if "roles" in p.omitted}
        for role in stored_roles.values():
            part = ROLE_PARTS.get((source, role.target_kind))
            if role.source != source or part is None or part not in snapshot.parts:
                continue
            account = opportunities_of.get(role.target_id, role.account_id)
            if account not in accounts or role.key in given or role.stakeholder_id in quiet:
                continue
            role_ends.setdefault(role.key, at)
    for key, when in sorted(role_ends.items()):
        if key[0] in leaving:
            continue  # their departure ends every role
        plan.roles.append(_role_row(key, when))

    # -- account-team assignments --------------------------------------------------------
    assigned = {(a.team_member_id, a.account_id) for a in snapshot.assignments}
    assigned -= {
        (a.team_member_id, a.account_id)
        for a in snapshot.assignments
        if a.source_record_id in deleted_records
    }
    cover_ends: dict[tuple[str, str], datetime] = {}
    for c in _dedupe(facts.covers):
        pair = (c.team_member_id, c.account_id)
        gone_record = deleted_records.get(c.source_record_id or "")
        if gone_record is not None and gone_record.object in COVER_OBJECTS and pair not in assigned:
            cover_ends[pair] = gone_record.deleted_at
    if snapshot_mode and COVERAGE_PART[source] in snapshot.parts:
        accounts = upload_accounts(snapshot)
        ownerless = {a.id for a in snapshot.accounts if "owner" in a.omitted}
        for c in _dedupe(facts.covers):
            pair = (c.team_member_id, c.account_id)
            if (
                c.source == source
                and c.account_id in accounts
                and c.account_id not in ownerless
                and pair not in assigned
            ):
                cover_ends.setdefault(pair, at)
    for (member_id, account_id), when in sorted(cover_ends.items()):
        if member_id in gone_members:
            continue  # their departure ends every assignment
        plan.coverage.append(
            {"team_member_id": member_id, "account_id": account_id, "until": _iso(when)}
        )

    # -- reporting lines -----------------------------------------------------------------
    people_given = snapshot_mode and PEOPLE_PART[source] in snapshot.parts
    for line in _dedupe(facts.lines):
        record = shown.get(line.from_id)
        if record is None or line.from_id in leaving:
            continue
        if line.kind == "dotted" and people_given and line.source == source:
            plan.dotted.setdefault(line.from_id, []).append({"id": line.to_id, "until": _iso(at)})
        elif (
            line.kind == "solid"
            and line.source != source
            and record.manager_id is None
            and "manager_id" not in record.omitted
        ):
            plan.keep_manager.add(line.from_id)

    # -- deletions the batch cannot express ------------------------------------------------
    for d in snapshot.deletions:
        if d.object in PERSON_OBJECTS | TEAM_MEMBER_OBJECTS | ROLE_OBJECTS | COVER_OBJECTS:
            continue
        plan.ignored[f"deleted {d.object or 'record of an unknown object'} (not ended)"] += 1
    return plan


def _dedupe(items: Iterable[T]) -> list[T]:
    """The facts once each (two reads may return the same edge), in order."""
    return list(dict.fromkeys(items))
