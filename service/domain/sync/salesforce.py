"""Salesforce: Bulk API 2.0 query results (one CSV per object) → :class:`CrmSnapshot`.

Each part is the CSV a Bulk API 2.0 query job returns (``GET …/jobs/query/{id}/results``):
a header row of field API names, RFC 4180 quoting (``"`` around values holding a
comma, a quote or a line break, ``""`` for a quote), relationship fields written
``Relationship.Field`` (``Account.Id`` stands for ``AccountId``), and an empty value
for null. The CSV is read with the standard library's :mod:`csv` module: it implements
exactly this dialect (quoted fields spanning lines included), in C, with no dependency
and no type guessing — every value stays the text Salesforce wrote, so ids, picklist
values and empty strings are never mangled (pandas would guess types and turn empty
strings into NaN).

What is read, per object, is :data:`OBJECTS` (docs/crm-sync.md has the table). Columns
not listed are ignored; a listed required column missing from the header is a problem
naming the part and the column; every bad value is a problem naming the part, the line
the record starts on (the header is line 1, so a record holding a line break takes two
lines) and the column. All problems are collected, then raised together
(:class:`SyncInputError`); nothing is translated from an upload with one.

Ids: Powermap stores a Salesforce record under its 18-character, case-insensitive Id. A
15-character Id (reports, URLs) is converted with Salesforce's checksum (:func:`to_18`);
an 18-character Id whose checksum does not match its first 15 characters is refused
(its case was changed somewhere, and a 15-character Id is case-sensitive).
"""

from __future__ import annotations

import csv
import io
import operator
import re
import string
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Final, TypeVar

from service.analytics.model import RoleName, RoleTargetKind
from service.domain.ingest.rows import InteractionKind
from service.domain.sync.mappings import Mappings, load_mappings
from service.domain.sync.parsing import (
    parse_amount,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_text,
)
from service.domain.sync.snapshot import (
    AccountRecord,
    AssignmentRecord,
    CrmSnapshot,
    DeletionRecord,
    InteractionRecord,
    OpportunityRecord,
    PersonRecord,
    RoleRecord,
    RowProblem,
    SyncInputError,
    SyncMode,
    TeamMemberRecord,
    Unmapped,
)

__all__ = [
    "KEY_PREFIXES",
    "OBJECTS",
    "read_salesforce_dir",
    "to_18",
    "translate_salesforce",
]

T = TypeVar("T")

_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
_CHECKSUM_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_UPPER_BITS: Final = str.maketrans(
    {
        **dict.fromkeys(string.ascii_lowercase + string.digits, "0"),
        **dict.fromkeys(string.ascii_uppercase, "1"),
    }
)

#: Key prefixes (an Id's first three characters, case-sensitive) of the objects read.
KEY_PREFIXES: Final[Mapping[str, str]] = {
    "001": "Account",
    "003": "Contact",
    "005": "User",
    "006": "Opportunity",
    "00K": "OpportunityContactRole",
    "00T": "Task",
    "00U": "Event",
    "01M": "AccountTeamMember",
    "07k": "AccountContactRelation",
}
_CONTACT, _USER = "003", "005"
#: A group of five characters' upper-case bits ("1" = A–Z; its first character is the
#: lowest bit) -> its checksum letter: a group's bits, reversed, are an index into
#: ``A…Z0…5``.
_GROUP_LETTER: Final[Mapping[str, str]] = {
    format(index, "05b")[::-1]: letter for index, letter in enumerate(_CHECKSUM_ALPHABET)
}


def to_18(value: str) -> str:
    """The 18-character form of a 15- or 18-character Salesforce Id.

    The three extra characters encode which of the 15 are upper case, five at a time
    (bit *i* of a group set when its *i*-th character is A–Z), each group an index into
    ``A…Z0…5``.

    >>> to_18("0013k00002crTPa")
    '0013k00002crTPaAAM'
    >>> to_18("0013k00002crTPaAAM")
    '0013k00002crTPaAAM'
    """
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not a Salesforce Id (15 or 18 letters and digits)")
    head = value[:15]
    bits = head.translate(_UPPER_BITS)  # "1" where upper case, else "0"
    suffix = _GROUP_LETTER[bits[:5]] + _GROUP_LETTER[bits[5:10]] + _GROUP_LETTER[bits[10:15]]
    if len(value) == 18 and value[15:] != suffix:
        raise ValueError(
            f"{value!r} is not a Salesforce Id: its last 3 characters should be {suffix!r} "
            "(was the case of the Id changed?)"
        )
    return head + suffix


@dataclass(frozen=True, slots=True)
class ObjectSpec:
    """The columns read from one object's CSV."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    #: Groups of columns of which at least one must be present (``LastName`` or ``Name``).
    one_of: tuple[tuple[str, ...], ...] = ()

    def columns(self) -> tuple[str, ...]:
        grouped = tuple(c for group in self.one_of for c in group)
        return self.required + self.optional + grouped


#: The objects read and their columns; the Account tier column comes from the mappings.
OBJECTS: Final[Mapping[str, ObjectSpec]] = {
    "Account": ObjectSpec(("Id", "Name"), ("Industry", "AnnualRevenue")),
    "Contact": ObjectSpec(
        ("Id", "AccountId"),
        ("FirstName", "Title", "Department", "Email", "ReportsToId"),
        (("LastName", "Name"),),
    ),
    "AccountContactRelation": ObjectSpec(
        ("Id", "AccountId", "ContactId", "Roles"), ("IsDirect", "IsActive", "StartDate", "EndDate")
    ),
    "Opportunity": ObjectSpec(("Id", "AccountId", "Name"), ("StageName", "Amount", "CloseDate")),
    "OpportunityContactRole": ObjectSpec(
        ("Id", "OpportunityId", "ContactId", "Role"), ("IsPrimary",)
    ),
    "User": ObjectSpec(("Id", "Name"), ("Email", "Title", "IsActive")),
    "AccountTeamMember": ObjectSpec(("Id", "AccountId", "UserId"), ("TeamMemberRole",)),
    "Task": ObjectSpec(("Id", "WhoId", "OwnerId", "ActivityDate", "TaskSubtype")),
    "Event": ObjectSpec(
        ("Id", "WhoId", "OwnerId"), one_of=(("StartDateTime", "ActivityDateTime"),)
    ),
    "deleted": ObjectSpec(("Id", "deletedDate")),
}
_TASK_KINDS: Final[Mapping[str, InteractionKind]] = {"Call": "call", "Email": "email"}
#: The objects whose Ids other rows name (an AccountId, a WhoId, an OwnerId, …).
_NAMED_PARTS: Final = frozenset({"Account", "Contact", "Opportunity", "User"})


def _header_names(column: str) -> tuple[str, ...]:
    """The header spellings accepted for a field: itself and its relationship form."""
    if column.endswith("__c"):
        return (column, column[:-3] + "__r.Id")
    if column.endswith("Id") and column != "Id":
        return (column, column[:-2] + ".Id")
    return (column,)


@dataclass(slots=True)
class _Row:
    part: str
    line: int
    values: dict[str, str]  # column -> text, only the columns present in the header
    problems: list[RowProblem]

    def has(self, column: str) -> bool:
        return column in self.values

    def raw(self, column: str) -> str:
        return self.values.get(column, "")

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RowProblem(self.part, self.line, column, reason))

    def get(self, column: str, parse: Callable[[str], T]) -> T | None:
        """The parsed value, ``None`` when empty (or on a problem, which is recorded)."""
        text = self.values.get(column, "")
        if text == "":
            return None
        try:
            return parse(text)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None

    def need(self, column: str, parse: Callable[[str], T]) -> T | None:
        """Like :meth:`get`, but an empty value is a problem."""
        if self.values.get(column, "") == "":
            self.problem(column, "is required")
            return None
        return self.get(column, parse)

    def text(self, column: str) -> str | None:
        return self.get(column, parse_text)


def _decode(part: str, data: bytes | str, problems: list[RowProblem]) -> str | None:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(RowProblem(part, line, "", f"is not UTF-8 text (byte {exc.start})"))
        return None


def _rows(
    part: str, text: str, spec: ObjectSpec, extra: tuple[str, ...], problems: list[RowProblem]
) -> Iterator[_Row]:
    """The records of one part, each with the line it starts on; header problems first."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.append(RowProblem(part, 1, "", f"is not valid CSV: {exc}"))
        return
    if header is None:
        problems.append(RowProblem(part, 0, "", "is empty: expected a header row"))
        return
    folded: dict[str, int] = {}
    for index, name in enumerate(header):
        folded.setdefault(name.strip().casefold(), index)
    positions: dict[str, int] = {}
    for column in spec.columns() + extra:
        for spelling in _header_names(column):
            if spelling.casefold() in folded:
                positions[column] = folded[spelling.casefold()]
                break
    for column in spec.required:
        if column not in positions:
            problems.append(RowProblem(part, 0, column, "the column is missing from the header"))
    for group in spec.one_of:
        if not any(c in positions for c in group):
            problems.append(
                RowProblem(part, 0, group[0], f"the header needs one of {', '.join(group)}")
            )
    if any(p.part == part and p.line == 0 for p in problems):
        return
    width = len(header)
    last = reader.line_num
    names = tuple(positions)
    picked = operator.itemgetter(*positions.values())  # one value per column read
    one = len(names) == 1
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:
            problems.append(RowProblem(part, last + 1, "", f"is not valid CSV: {exc}"))
            return
        if record is None:
            return
        line, last = last + 1, reader.line_num
        if not record:
            continue  # a blank line
        if len(record) != width:
            problems.append(
                RowProblem(part, line, "", f"has {len(record)} values; the header has {width}")
            )
            continue
        got = picked(record)
        values = {names[0]: got} if one else dict(zip(names, got, strict=True))
        yield _Row(part, line, values, problems)


class _Memo(dict[str, Any]):
    """``parse`` with every result kept: ``memo[text]`` parses ``text`` once (a
    ``ValueError`` is raised each time, not kept)."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, text: str) -> Any:
        value = self[text] = self.parse(text)
        return value


@dataclass(slots=True)
class _Builder:
    mappings: Mappings
    effective_at: datetime
    problems: list[RowProblem] = field(default_factory=list)
    unmapped: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    accounts: list[AccountRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    roles: list[RoleRecord] = field(default_factory=list)
    opportunities: list[OpportunityRecord] = field(default_factory=list)
    team_members: list[TeamMemberRecord] = field(default_factory=list)
    assignments: list[AssignmentRecord] = field(default_factory=list)
    interactions: list[InteractionRecord] = field(default_factory=list)
    deletions: list[DeletionRecord] = field(default_factory=list)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    # Ids and dates recur row after row (an account's id on each of its contacts, a
    # contact's on each task): each distinct text is parsed once per upload.
    sf_id: Callable[[str], str] = field(default_factory=lambda: _Memo(to_18).__getitem__)
    day: Callable[[str], date] = field(default_factory=lambda: _Memo(parse_date).__getitem__)
    # A task's day as the midnight it is read as (an event's start seldom recurs).
    midnight: Callable[[str], datetime] = field(
        default_factory=lambda: _Memo(lambda text: _midnight(parse_date(text))).__getitem__
    )

    def record_id(self, row: _Row) -> str | None:
        """The row's own Id (required, 18 characters), once per part.

        Only the Ids other rows point to are kept for later (``sf_id``): a Task's, an
        Event's or a relation's own Id is read once and never named again."""
        rid = row.need("Id", self.sf_id if row.part in _NAMED_PARTS else to_18)
        if rid is None:
            return None
        first = self.seen.setdefault((row.part, rid.casefold()), row.line)
        if first != row.line:
            row.problem("Id", f"{rid} appears twice in {row.part} (first on line {first})")
            return None
        return rid

    def roles_of(self, obj: str, column: str, value: str) -> tuple[RoleName, ...]:
        mapped = self.mappings.salesforce.roles.lookup(value)
        if mapped is None:
            self.unmapped[(obj, column, value)] += 1
            return ()
        return mapped

    def account(self, row: _Row) -> None:
        tier_field = self.mappings.salesforce.tier_field
        rid, name = self.record_id(row), row.need("Name", parse_text)
        industry = row.text("Industry")
        revenue = row.get("AnnualRevenue", parse_amount)
        tier = self.mappings.salesforce.tier_default
        value = row.raw(tier_field)
        if value:
            mapped = self.mappings.salesforce.tiers.lookup(value)
            if mapped is None:
                self.unmapped[("Account", tier_field, value)] += 1
            else:
                tier = mapped
        if rid is None or name is None:
            return
        omitted = {"industry": "Industry", "annual_revenue": "AnnualRevenue", "tier": tier_field}
        self.accounts.append(
            AccountRecord(
                id=rid,
                name=name,
                tier=tier,
                industry=industry,
                annual_revenue=revenue,
                source_record_id=rid,
                omitted=frozenset(k for k, c in omitted.items() if not row.has(c)),
            )
        )

    def contact(self, row: _Row) -> None:
        rid = self.record_id(row)
        account_id = row.get("AccountId", self.sf_id)
        first, last, full = row.text("FirstName"), row.text("LastName"), row.text("Name")
        if last:
            name: str | None = f"{first} {last}" if first else last
        else:
            name = full
        if name is None:
            row.problem("LastName" if row.has("LastName") else "Name", "is required")
        elif len(name) > 2000:
            row.problem("LastName", "the name is longer than 2000 characters")
            name = None
        title, department, email = row.text("Title"), row.text("Department"), row.text("Email")
        manager = row.get("ReportsToId", self.sf_id)
        if rid is None or name is None:
            return
        if account_id is None:
            self.ignored["Contact without an AccountId (a private contact)"] += 1
            return
        if manager == rid:
            row.problem("ReportsToId", "a contact cannot report to themselves")
            return
        columns = {
            "title": "Title",
            "department": "Department",
            "email": "Email",
            "manager_id": "ReportsToId",
        }
        self.people.append(
            PersonRecord(
                id=rid,
                account_id=account_id,
                name=name,
                title=title,
                department=department,
                email=email,
                manager_id=manager,
                source_record_id=rid,
                omitted=frozenset(k for k, c in columns.items() if not row.has(c)),
            )
        )

    def relation(self, row: _Row) -> None:
        rid = self.record_id(row)
        account_id, contact_id = (
            row.need("AccountId", self.sf_id),
            row.need("ContactId", self.sf_id),
        )
        active = row.get("IsActive", parse_bool)
        row.get("IsDirect", parse_bool)  # checked, not needed: Contact.AccountId is the employer
        start, end = row.get("StartDate", self.day), row.get("EndDate", self.day)
        if rid is None or account_id is None or contact_id is None:
            return
        ended_at: datetime | None = None
        end_at = _midnight(end) if end is not None else None
        if end_at is not None and end_at <= self.effective_at:
            ended_at = end_at
        elif active is False:
            ended_at = self.effective_at
        values = [v.strip() for v in row.raw("Roles").split(";") if v.strip()]
        for value in values:
            for role in self.roles_of("AccountContactRelation", "Roles", value):
                self.roles.append(
                    RoleRecord(
                        person_id=contact_id,
                        role=role,
                        target_kind="account",
                        target_id=account_id,
                        source_object="AccountContactRelation",
                        source_record_id=rid,
                        started_at=_midnight(start) if start is not None else None,
                        ended_at=ended_at,
                    )
                )

    def opportunity(self, row: _Row) -> None:
        rid, account_id = self.record_id(row), row.need("AccountId", self.sf_id)
        name = row.need("Name", parse_text)
        amount, close = row.get("Amount", parse_amount), row.get("CloseDate", self.day)
        stage_name = row.raw("StageName")
        stage = None
        if stage_name:
            stage = self.mappings.salesforce.stages.lookup(stage_name)
            if stage is None:
                self.unmapped[("Opportunity", "StageName", stage_name)] += 1
        if rid is None or account_id is None or name is None:
            return
        columns = {"stage": "StageName", "amount": "Amount", "close_date": "CloseDate"}
        self.opportunities.append(
            OpportunityRecord(
                id=rid,
                account_id=account_id,
                name=name,
                stage=stage,
                amount=amount,
                close_date=close,
                source_record_id=rid,
                omitted=frozenset(k for k, c in columns.items() if not row.has(c)),
            )
        )

    def contact_role(self, row: _Row) -> None:
        rid = self.record_id(row)
        opportunity_id, contact_id = (
            row.need("OpportunityId", self.sf_id),
            row.need("ContactId", self.sf_id),
        )
        primary = row.get("IsPrimary", parse_bool)
        value = row.raw("Role").strip()
        if rid is None or opportunity_id is None or contact_id is None:
            return
        if not value:
            self.ignored["OpportunityContactRole without a Role"] += 1
            return
        target: RoleTargetKind = "opportunity"
        for role in self.roles_of("OpportunityContactRole", "Role", value):
            self.roles.append(
                RoleRecord(
                    person_id=contact_id,
                    role=role,
                    target_kind=target,
                    target_id=opportunity_id,
                    source_object="OpportunityContactRole",
                    source_record_id=rid,
                    primary=primary,
                )
            )

    def user(self, row: _Row) -> None:
        rid, name = self.record_id(row), row.need("Name", parse_text)
        email, title, active = row.text("Email"), row.text("Title"), row.get("IsActive", parse_bool)
        if rid is None or name is None:
            return
        columns = {"email": "Email", "title": "Title", "active": "IsActive"}
        self.team_members.append(
            TeamMemberRecord(
                id=rid,
                name=name,
                email=email,
                title=title,
                active=active is not False,
                source_record_id=rid,
                omitted=frozenset(k for k, c in columns.items() if not row.has(c)),
            )
        )

    def team_member(self, row: _Row) -> None:
        rid = self.record_id(row)
        account_id, user_id = row.need("AccountId", self.sf_id), row.need("UserId", self.sf_id)
        value = row.raw("TeamMemberRole").strip()
        sf = self.mappings.salesforce
        role = sf.team_role_default
        if value:
            mapped = sf.team_roles.lookup(value)
            if mapped is None:
                self.unmapped[("AccountTeamMember", "TeamMemberRole", value)] += 1
            else:
                role = mapped
        if rid is None or account_id is None or user_id is None:
            return
        self.assignments.append(
            AssignmentRecord(user_id, account_id, role, "AccountTeamMember", rid)
        )

    def activity(self, row: _Row, obj: str) -> None:
        rid = self.record_id(row)
        who, owner = row.get("WhoId", self.sf_id), row.get("OwnerId", self.sf_id)
        kind: InteractionKind | None
        at: datetime | None
        if obj == "Task":
            at = row.get("ActivityDate", self.midnight)
            subtype = row.raw("TaskSubtype").strip()
            kind = _TASK_KINDS.get(subtype)
            if kind is None:
                self.ignored[f"Task with TaskSubtype {subtype or '(empty)'}"] += 1
        else:
            # StartDateTime, else (absent or empty) ActivityDateTime.
            at, kind = row.get("StartDateTime", parse_datetime), "meeting"
            if at is None and not row.raw("StartDateTime"):
                at = row.get("ActivityDateTime", parse_datetime)
        if rid is None or kind is None:
            return
        if who is None or not who.startswith(_CONTACT):
            self.ignored[f"{obj} whose WhoId is not a Contact"] += 1
        elif owner is None or not owner.startswith(_USER):
            self.ignored[f"{obj} whose OwnerId is not a User"] += 1
        elif at is None:
            self.ignored[f"{obj} without a date"] += 1
        else:
            self.interactions.append(InteractionRecord(rid, kind, at, (owner,), (who,), obj, rid))

    def deleted(self, row: _Row) -> None:
        rid = self.record_id(row)
        at = row.need("deletedDate", parse_datetime)
        if rid is None or at is None:
            return
        self.deletions.append(DeletionRecord(rid, rid, KEY_PREFIXES.get(rid[:3]), at))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


_HANDLERS: Final[Mapping[str, Callable[[_Builder, _Row], None]]] = {
    "Account": _Builder.account,
    "Contact": _Builder.contact,
    "AccountContactRelation": _Builder.relation,
    "Opportunity": _Builder.opportunity,
    "OpportunityContactRole": _Builder.contact_role,
    "User": _Builder.user,
    "AccountTeamMember": _Builder.team_member,
    "Task": lambda b, row: b.activity(row, "Task"),
    "Event": lambda b, row: b.activity(row, "Event"),
    "deleted": _Builder.deleted,
}


def translate_salesforce(
    parts: Mapping[str, bytes | str],
    *,
    mode: SyncMode,
    effective_at: datetime,
    mappings: Mappings | None = None,
) -> CrmSnapshot:
    """Translate one Salesforce upload (part name = object API name → its CSV).

    Raises :class:`SyncInputError` listing every problem (unknown part, missing column,
    bad value) when there is one.
    """
    if effective_at.tzinfo is None:
        effective_at = effective_at.replace(tzinfo=UTC)
    b = _Builder(mappings or load_mappings(), effective_at.astimezone(UTC))
    for part in sorted(parts, key=lambda p: list(OBJECTS).index(p) if p in OBJECTS else 99):
        spec = OBJECTS.get(part)
        if spec is None:
            known = ", ".join(OBJECTS)
            b.problems.append(RowProblem(part, 0, "", f"is not an object read here ({known})"))
            continue
        text = _decode(part, parts[part], b.problems)
        if text is None:
            continue
        extra = (b.mappings.salesforce.tier_field,) if part == "Account" else ()
        handler = _HANDLERS[part]
        for row in _rows(part, text, spec, extra, b.problems):
            handler(b, row)
    if b.problems:
        raise SyncInputError(b.problems)
    return CrmSnapshot(
        source="salesforce",
        mode=mode,
        effective_at=b.effective_at,
        parts=frozenset(parts),
        accounts=tuple(b.accounts),
        people=tuple(b.people),
        roles=tuple(b.roles),
        opportunities=tuple(b.opportunities),
        team_members=tuple(b.team_members),
        assignments=tuple(b.assignments),
        interactions=tuple(b.interactions),
        deletions=tuple(b.deletions),
        unmapped=tuple(sorted(Unmapped(o, f, v, n) for (o, f, v), n in b.unmapped.items())),
        ignored=dict(sorted(b.ignored.items())),
    )


def read_salesforce_dir(directory: Path) -> dict[str, bytes]:
    """The parts of a directory: every ``<Object>.csv`` file (the CLI's input).

    Every ``.csv`` file is a part, so a misnamed one (``Contacts.csv``) is reported by
    :func:`translate_salesforce` rather than silently skipped.
    """
    return {path.stem: path.read_bytes() for path in sorted(directory.glob("*.csv"))}
