"""What a CRM upload says, source-neutral: the :class:`CrmSnapshot` both translators return.

The Salesforce translator (:mod:`service.domain.sync.salesforce`) and the HubSpot one
(:mod:`service.domain.sync.hubspot`) turn a CRM's own export into one
:class:`CrmSnapshot`; everything after that (the batch rows of
:mod:`service.domain.sync.batch`, and the write path that ends and deletes) reads only
this module's types, never a CRM's format.

Ids are Powermap ids already (a Salesforce record's 18-character Id, ``hs-contact-<id>``
for HubSpot); ``source_record_id`` keeps the CRM record a fact came from (provenance:
e.g. the ``OpportunityContactRole`` Id of an opportunity role).

**Omitted versus empty.** A descriptive field whose column (Salesforce) or property
(HubSpot) is absent from the upload is listed in the record's ``omitted``: the upload
says nothing about it, and the batch leaves the stored value alone. A present but empty
value is ``None``: the CRM says there is none, and the batch clears it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from service.analytics.model import RoleName, RoleTargetKind
from service.domain.errors import FieldError, InvalidInput
from service.domain.ingest.rows import InteractionKind, Stage, TeamRole, Tier

__all__ = [
    "AccountRecord",
    "AssignmentRecord",
    "CrmSnapshot",
    "DeletionRecord",
    "InteractionRecord",
    "OpportunityRecord",
    "PersonRecord",
    "RoleRecord",
    "RowProblem",
    "SourceName",
    "SyncInputError",
    "SyncMode",
    "TeamMemberRecord",
    "Unmapped",
]

SourceName = Literal["salesforce", "hubspot"]
SyncMode = Literal["snapshot", "delta"]


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """A customer account (Salesforce ``Account``, HubSpot company). ``omitted`` holds
    ``owner`` when a HubSpot company has no ``hubspot_owner_id`` property: the upload
    says nothing about who covers it."""

    id: str
    name: str
    tier: Tier | None = None
    industry: str | None = None
    annual_revenue: float | None = None
    source_record_id: str = ""
    omitted: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person at the customer (Salesforce ``Contact``, HubSpot contact).

    ``manager_id`` is their solid-line manager (``ReportsToId``, HubSpot's ``Manager``
    association), ``None`` for none. Besides field names, ``omitted`` holds ``roles``
    when the upload says nothing about the person's buying roles (a HubSpot contact
    without the ``hs_buying_role`` property): their roles from this source stay as they are.
    """

    id: str
    account_id: str
    name: str
    title: str | None = None
    department: str | None = None
    email: str | None = None
    manager_id: str | None = None
    source_record_id: str = ""
    omitted: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """A buying role of a person on an account or an opportunity, with where it came from.

    ``source_object`` / ``source_record_id`` name the CRM record that states the role
    (``OpportunityContactRole`` and its Id, ``AccountContactRelation`` and its Id,
    HubSpot ``contact`` and its id). One CRM record may give several roles ("Economic
    Decision Maker"). ``started_at`` / ``ended_at`` come from the relation's
    ``StartDate`` / ``EndDate``; a relation that is inactive without an ``EndDate`` ends
    at the upload's ``effective_at``. A role with ``ended_at`` set is no longer current.
    """

    person_id: str
    role: RoleName
    target_kind: RoleTargetKind
    target_id: str
    source_object: str
    source_record_id: str
    primary: bool | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OpportunityRecord:
    """A deal (Salesforce ``Opportunity``, HubSpot deal); ``stage`` None when unmapped."""

    id: str
    account_id: str
    name: str
    stage: Stage | None = None
    amount: float | None = None
    close_date: date | None = None
    source_record_id: str = ""
    omitted: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TeamMemberRecord:
    """One of our people (Salesforce ``User``, HubSpot owner); ``active`` False = left."""

    id: str
    name: str
    email: str | None = None
    title: str | None = None
    active: bool = True
    source_record_id: str = ""
    omitted: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class AssignmentRecord:
    """A team member on an account's team (``AccountTeamMember``, a company's owner)."""

    team_member_id: str
    account_id: str
    role: TeamRole
    source_object: str
    source_record_id: str


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """A meeting, call or email between team members and people (Task, Event, engagement)."""

    id: str
    kind: InteractionKind
    at: datetime
    team_member_ids: tuple[str, ...]
    person_ids: tuple[str, ...]
    source_object: str
    source_record_id: str


@dataclass(frozen=True, slots=True)
class DeletionRecord:
    """A record deleted in the CRM (Salesforce ``getDeleted``, HubSpot ``archived``).

    ``object`` is the CRM object when known (for Salesforce, from the Id's key prefix:
    ``Contact``, ``OpportunityContactRole``, …), else ``None``.
    """

    id: str
    source_record_id: str
    object: str | None
    deleted_at: datetime


@dataclass(frozen=True, slots=True, order=True)
class Unmapped:
    """A picklist value the mappings do not name, and how many records carried it."""

    object: str
    field: str
    value: str
    count: int


@dataclass(frozen=True, slots=True)
class CrmSnapshot:
    """One upload from one CRM, translated; ``parts`` are the CRM objects it contained.

    In ``snapshot`` mode a part that was uploaded is the complete current state of its
    kind for the upload's accounts (a part with only its header row means "none"); a
    part left out says nothing. ``ignored`` counts, per reason, the records that were
    read but give nothing (a task that is not a call or an email, a contact with no
    account, …).
    """

    source: SourceName
    mode: SyncMode
    effective_at: datetime
    parts: frozenset[str]
    accounts: tuple[AccountRecord, ...] = ()
    people: tuple[PersonRecord, ...] = ()
    roles: tuple[RoleRecord, ...] = ()
    opportunities: tuple[OpportunityRecord, ...] = ()
    team_members: tuple[TeamMemberRecord, ...] = ()
    assignments: tuple[AssignmentRecord, ...] = ()
    interactions: tuple[InteractionRecord, ...] = ()
    deletions: tuple[DeletionRecord, ...] = ()
    unmapped: tuple[Unmapped, ...] = ()
    ignored: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, order=True)
class RowProblem:
    """One bad value of an upload: the part (CRM object or list), the line and the column.

    ``line`` is the line of the file the record starts on as an editor shows it (the
    CSV header is line 1); for HubSpot JSON it is the 1-based position of the item in
    its list. ``line`` 0 means the part as a whole (a missing column).
    """

    part: str
    line: int
    column: str
    reason: str

    def as_field_error(self) -> FieldError:
        where = f"{self.part}[line {self.line}]" if self.line else self.part
        location = f"{where}.{self.column}" if self.column else where
        return FieldError(
            location=location,
            reason=self.reason,
            section=self.part,
            index=self.line or None,
            field=self.column or None,
        )


class SyncInputError(InvalidInput):
    """The upload has bad rows (a 422 listing every one); nothing was translated."""

    def __init__(self, problems: list[RowProblem]) -> None:
        ordered = sorted(problems)
        first = ordered[0].as_field_error() if ordered else None
        detail = (
            f"The upload has {len(ordered)} problem(s); the first: {first.location}: {first.reason}"
            if first
            else "The upload has problems"
        )
        super().__init__(detail, errors=[p.as_field_error() for p in ordered])
        self.problems = ordered
