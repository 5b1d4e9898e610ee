"""HubSpot: CRM v3 list results and v4 association rows (JSON) → :class:`CrmSnapshot`.

The upload is one JSON object whose lists hold the ``results`` items of HubSpot's v3
list responses, each ``{"id", "properties": {name: text | null}, "archived"}`` (a whole
response ``{"results": [...], "paging": ...}`` is accepted too), and v4 association
rows ``{"from_type", "from_id", "to_type", "to_id", "types": [{"category", "typeId",
"label"}]}``. Owners are the items of ``/crm/v3/owners`` (``id``, ``firstName``,
``lastName``, ``email``, ``archived``: no ``properties``).

What is read (docs/crm-sync.md has the table): companies ``name, industry,
annualrevenue, hubspot_owner_id`` and the tier property of the mappings; contacts
``firstname, lastname, jobtitle, department, email, hs_buying_role`` (``;``-separated);
deals ``dealname, dealstage, amount, closedate``; meetings, calls and emails
``hs_timestamp, hubspot_owner_id``. Other properties are ignored. A property absent
from ``properties`` is *omitted* (the stored value stays); ``null`` or ``""`` is *none*.

Links come from the associations: a contact's company (the primary association, else
the only one, else the contact's ``associatedcompanyid``), a deal's company (likewise),
an engagement's contacts, and the reports-to line: a contact→contact association
labelled with the mappings' ``manager_label`` (``Manager``) points from a contact to
their manager. A company's owner covers it (the mappings' ``owner_team_role``).
``archived: true`` means deleted in the CRM (an archived owner: a team member who left).

Powermap ids: ``hs-company-<id>``, ``hs-contact-<id>``, ``hs-deal-<id>``,
``hs-owner-<id>``, ``hs-meeting-<id>``, ``hs-call-<id>``, ``hs-email-<id>``.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from service.analytics.model import RoleName
from service.domain.ingest.rows import InteractionKind
from service.domain.sync.mappings import Mappings, load_mappings
from service.domain.sync.parsing import parse_amount, parse_date, parse_datetime, parse_text
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

__all__ = ["LISTS", "hubspot_id", "read_hubspot_dir", "translate_hubspot"]

#: The lists of an upload and the HubSpot object each holds.
LISTS: Final[Mapping[str, str]] = {
    "companies": "company",
    "contacts": "contact",
    "deals": "deal",
    "owners": "owner",
    "meetings": "meeting",
    "calls": "call",
    "emails": "email",
    "associations": "association",
}
_ENGAGEMENTS: Final[Mapping[str, InteractionKind]] = {
    "meetings": "meeting",
    "calls": "call",
    "emails": "email",
}
#: Object type spellings of association rows: plural, singular, and HubSpot's type ids.
_TYPES: Final[Mapping[str, str]] = {
    **{name: obj for name, obj in LISTS.items() if name not in ("owners", "associations")},
    **{obj: obj for obj in ("company", "contact", "deal", "meeting", "call", "email")},
    "0-1": "contact",
    "0-2": "company",
    "0-3": "deal",
    "0-47": "meeting",
    "0-48": "call",
    "0-49": "email",
}
#: HUBSPOT_DEFINED association type ids meaning "primary" (contact↔company, deal↔company).
_PRIMARY_TYPE_IDS: Final = frozenset({1, 2, 5, 6})
_DIGITS = re.compile(r"^[0-9]{1,60}$")
_PARTS_NOT_LISTS: Final = frozenset({"mode", "effective_at"})


def hubspot_id(obj: str, raw: str) -> str:
    """The Powermap id of a HubSpot record: ``hs-<object>-<id>``.

    >>> hubspot_id("contact", "51")
    'hs-contact-51'
    """
    return f"hs-{obj}-{raw}"


def _raw_id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if not isinstance(value, str) or not _DIGITS.match(value):
        raise ValueError(f"{value!r} is not a HubSpot id (digits)")
    return value


@dataclass(slots=True)
class _Item:
    part: str
    line: int
    data: Mapping[str, Any]
    props: Mapping[str, Any]
    problems: list[RowProblem]

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RowProblem(self.part, self.line, column, reason))

    def has(self, name: str) -> bool:
        return name in self.props

    def raw(self, name: str) -> str:
        value = self.props.get(name)
        return value if isinstance(value, str) else ""

    def prop(self, name: str, parse: Any = parse_text) -> Any:
        """The parsed property; ``None`` when absent, null or empty (or on a problem)."""
        value = self.props.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # tolerate numbers where HubSpot writes numeric text
        if not isinstance(value, str):
            self.problem(f"properties.{name}", "must be a string or null")
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.problem(f"properties.{name}", str(exc))
            return None


@dataclass(slots=True)
class _Builder:
    mappings: Mappings
    effective_at: datetime
    problems: list[RowProblem] = field(default_factory=list)
    unmapped: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    # Links read from the associations, by raw HubSpot id.
    companies_of: dict[tuple[str, str], list[tuple[str, bool]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    managers_of: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    contacts_of: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    deletions: list[DeletionRecord] = field(default_factory=list)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)

    def items(self, part: str, value: Any) -> list[_Item]:
        if isinstance(value, Mapping) and isinstance(value.get("results"), list):
            value = value["results"]
        if not isinstance(value, list):
            self.problems.append(RowProblem(part, 0, "", "must be a list of result items"))
            return []
        out = []
        for line, data in enumerate(value, start=1):
            if not isinstance(data, Mapping):
                self.problems.append(RowProblem(part, line, "", "must be an object"))
                continue
            props = data.get("properties", {})
            if props is None:
                props = {}
            if not isinstance(props, Mapping):
                self.problems.append(RowProblem(part, line, "properties", "must be an object"))
                props = {}
            out.append(_Item(part, line, data, props, self.problems))
        return out

    def record_id(self, item: _Item, obj: str) -> str | None:
        """The item's raw id; ``None`` (and no record) when it is bad, repeated or archived."""
        try:
            raw = _raw_id(item.data.get("id"))
        except ValueError as exc:
            item.problem("id", str(exc))
            return None
        first = self.seen.setdefault((item.part, raw), item.line)
        if first != item.line:
            item.problem("id", f"{raw} appears twice in {item.part} (item {first})")
            return None
        archived = item.data.get("archived", False)
        if not isinstance(archived, bool):
            item.problem("archived", "must be true or false")
            return None
        if archived and obj != "owner":
            at = self.effective_at
            if item.data.get("archivedAt") is not None:
                parsed = self._datetime(item, "archivedAt")
                at = parsed or at
            self.deletions.append(DeletionRecord(hubspot_id(obj, raw), raw, obj, at))
            return None
        return raw

    def _datetime(self, item: _Item, key: str) -> datetime | None:
        value = item.data.get(key)
        if not isinstance(value, str):
            item.problem(key, "must be an ISO-8601 date-time")
            return None
        try:
            return parse_datetime(value)
        except ValueError as exc:
            item.problem(key, str(exc))
            return None

    def association(self, item: _Item) -> None:
        data = item.data
        ends = []
        for side in ("from", "to"):
            kind = _TYPES.get(str(data.get(f"{side}_type", "")).casefold())
            if kind is None:
                item.problem(f"{side}_type", f"{data.get(f'{side}_type')!r} is not an object read")
            try:
                raw = _raw_id(data.get(f"{side}_id"))
            except ValueError as exc:
                item.problem(f"{side}_id", str(exc))
                raw = None
            ends.append((kind, raw))
        types = data.get("types", [])
        if not isinstance(types, list) or not all(isinstance(t, Mapping) for t in types):
            item.problem("types", "must be a list of {category, typeId, label}")
            return
        (from_kind, from_id), (to_kind, to_id) = ends
        if from_kind is None or to_kind is None or from_id is None or to_id is None:
            return
        labels = {str(t.get("label") or "").casefold() for t in types}
        primary = "primary" in labels or any(
            t.get("category") == "HUBSPOT_DEFINED" and t.get("typeId") in _PRIMARY_TYPE_IDS
            for t in types
        )
        if from_kind == to_kind == "contact":
            if self.mappings.hubspot.manager_label.casefold() in labels:
                self.managers_of[from_id].append((to_id, item.line))
            return
        pair = {from_kind: from_id, to_kind: to_id}
        if "company" in pair and len(pair) == 2:
            other = next(k for k in pair if k != "company")
            if other in ("contact", "deal"):
                self.companies_of[(other, pair[other])].append((pair["company"], primary))
                return
        if "contact" in pair and len(pair) == 2:
            other = next(k for k in pair if k != "contact")
            if other in _ENGAGEMENTS.values():
                self.contacts_of[(other, pair[other])].append(pair["contact"])
                return
        self.ignored[f"association {from_kind}→{to_kind}"] += 1

    def company_of(self, item: _Item, obj: str, raw: str) -> str | None:
        links = list(dict.fromkeys(self.companies_of.get((obj, raw), [])))
        primaries = list(dict.fromkeys(c for c, is_primary in links if is_primary))
        companies = list(dict.fromkeys(c for c, _ in links))
        if len(primaries) == 1:
            return primaries[0]
        if len(primaries) > 1:
            item.problem("associations", f"has {len(primaries)} primary companies")
            return None
        if len(companies) == 1:
            return companies[0]
        if len(companies) > 1:
            item.problem(
                "associations", f"is associated with {len(companies)} companies, none primary"
            )
            return None
        fallback = item.prop("associatedcompanyid", _raw_id)
        return fallback if isinstance(fallback, str) else None

    def roles_of(self, value: str) -> tuple[RoleName, ...]:
        out: list[RoleName] = []
        for part in (v.strip() for v in value.split(";")):
            if not part:
                continue
            mapped = self.mappings.hubspot.roles.lookup(part)
            if mapped is None:
                self.unmapped[("contact", "hs_buying_role", part)] += 1
            else:
                out.extend(mapped)
        return tuple(out)


def _person_name(first: str | None, last: str | None) -> str | None:
    name = " ".join(p for p in (first, last) if p)
    return name or None


def translate_hubspot(
    lists: Mapping[str, Any],
    *,
    mode: SyncMode,
    effective_at: datetime,
    mappings: Mappings | None = None,
) -> CrmSnapshot:
    """Translate one HubSpot upload (list name → its items; ``mode`` / ``effective_at``
    keys of a request body are skipped: they come as arguments).

    Raises :class:`SyncInputError` listing every problem when there is one.
    """
    if effective_at.tzinfo is None:
        effective_at = effective_at.replace(tzinfo=UTC)
    m = mappings or load_mappings()
    hs = m.hubspot
    b = _Builder(m, effective_at.astimezone(UTC))
    parts = {k: v for k, v in lists.items() if k not in _PARTS_NOT_LISTS}
    for part in parts:
        if part not in LISTS:
            known = ", ".join(LISTS)
            b.problems.append(RowProblem(part, 0, "", f"is not a list read here ({known})"))
    items = {part: b.items(part, parts[part]) for part in LISTS if part in parts}
    for item in items.get("associations", []):
        b.association(item)

    accounts: list[AccountRecord] = []
    assignments: list[AssignmentRecord] = []
    for item in items.get("companies", []):
        raw = b.record_id(item, "company")
        name = item.prop("name")
        if name is None:
            item.problem("properties.name", "is required")
        industry = item.prop("industry")
        revenue = item.prop("annualrevenue", parse_amount)
        owner = item.prop("hubspot_owner_id", _raw_id)
        tier = hs.tier_default
        value = item.raw(hs.tier_property)
        if value:
            mapped = hs.tiers.lookup(value)
            if mapped is None:
                b.unmapped[("company", hs.tier_property, value)] += 1
            else:
                tier = mapped
        if raw is None or name is None:
            continue
        account_id = hubspot_id("company", raw)
        omitted = {"industry": "industry", "annual_revenue": "annualrevenue"}
        omitted["tier"] = hs.tier_property
        omitted["owner"] = "hubspot_owner_id"  # absent: the company's team is not given
        accounts.append(
            AccountRecord(
                id=account_id,
                name=name,
                tier=tier,
                industry=industry,
                annual_revenue=revenue,
                source_record_id=raw,
                omitted=frozenset(k for k, p in omitted.items() if not item.has(p)),
            )
        )
        if owner is not None:
            assignments.append(
                AssignmentRecord(
                    hubspot_id("owner", owner), account_id, hs.owner_team_role, "company", raw
                )
            )

    people: list[PersonRecord] = []
    roles: list[RoleRecord] = []
    have_associations = "associations" in parts
    for item in items.get("contacts", []):
        raw = b.record_id(item, "contact")
        first, last = item.prop("firstname"), item.prop("lastname")
        title, department = item.prop("jobtitle"), item.prop("department")
        email = item.prop("email")
        name = _person_name(first, last) or email
        if name is None:
            item.problem("properties.lastname", "a contact needs a name or an email")
        elif len(name) > 2000:
            item.problem("properties.lastname", "the name is longer than 2000 characters")
            name = None
        if raw is None or name is None:
            continue
        managers = list(dict.fromkeys(mid for mid, _ in b.managers_of.get(raw, [])))
        if len(managers) > 1:
            item.problem("associations", f"has {len(managers)} managers ({', '.join(managers)})")
            continue
        if managers == [raw]:
            item.problem("associations", "a contact cannot be their own manager")
            continue
        company = b.company_of(item, "contact", raw)
        if company is None:
            b.ignored["contact without a company"] += 1
            continue
        person_id = hubspot_id("contact", raw)
        account_id = hubspot_id("company", company)
        omitted = {"title": "jobtitle", "department": "department", "email": "email"}
        people.append(
            PersonRecord(
                id=person_id,
                account_id=account_id,
                name=name,
                title=title,
                department=department,
                email=email,
                manager_id=hubspot_id("contact", managers[0]) if managers else None,
                source_record_id=raw,
                omitted=frozenset(
                    [k for k, p in omitted.items() if not item.has(p)]
                    + ([] if have_associations else ["manager_id"])
                    + ([] if item.has("hs_buying_role") else ["roles"])
                ),
            )
        )
        for role in b.roles_of(item.raw("hs_buying_role")):
            roles.append(
                RoleRecord(
                    person_id=person_id,
                    role=role,
                    target_kind="account",
                    target_id=account_id,
                    source_object="contact",
                    source_record_id=raw,
                )
            )

    opportunities: list[OpportunityRecord] = []
    for item in items.get("deals", []):
        raw = b.record_id(item, "deal")
        name = item.prop("dealname")
        if name is None:
            item.problem("properties.dealname", "is required")
        amount = item.prop("amount", parse_amount)
        close = item.prop("closedate", parse_date)
        stage = None
        value = item.raw("dealstage")
        if value:
            stage = hs.stages.lookup(value)
            if stage is None:
                b.unmapped[("deal", "dealstage", value)] += 1
        if raw is None or name is None:
            continue
        company = b.company_of(item, "deal", raw)
        if company is None:
            b.ignored["deal without a company"] += 1
            continue
        omitted = {"stage": "dealstage", "amount": "amount", "close_date": "closedate"}
        opportunities.append(
            OpportunityRecord(
                id=hubspot_id("deal", raw),
                account_id=hubspot_id("company", company),
                name=name,
                stage=stage,
                amount=amount,
                close_date=close,
                source_record_id=raw,
                omitted=frozenset(k for k, p in omitted.items() if not item.has(p)),
            )
        )

    team_members: list[TeamMemberRecord] = []
    for item in items.get("owners", []):
        raw = b.record_id(item, "owner")
        fields: dict[str, str | None] = {}
        for key in ("firstName", "lastName", "email"):
            given = item.data.get(key)
            if given is not None and not isinstance(given, str):
                item.problem(key, "must be a string or null")
                given = None
            fields[key] = given or None
        name = _person_name(fields["firstName"], fields["lastName"]) or fields["email"]
        if name is None:
            item.problem("lastName", "an owner needs a name or an email")
            continue
        if raw is None:
            continue
        try:
            name, email = parse_text(name), parse_text(fields["email"] or "") or None
        except ValueError as exc:
            item.problem("lastName", str(exc))
            continue
        team_members.append(
            TeamMemberRecord(
                id=hubspot_id("owner", raw),
                name=name,
                email=email,
                active=item.data.get("archived") is not True,
                source_record_id=raw,
                omitted=frozenset({"title"}),
            )
        )

    interactions: list[InteractionRecord] = []
    for part, kind in _ENGAGEMENTS.items():
        for item in items.get(part, []):
            raw = b.record_id(item, kind)
            at = item.prop("hs_timestamp", parse_datetime)
            owner = item.prop("hubspot_owner_id", _raw_id)
            if raw is None:
                continue
            contacts = list(dict.fromkeys(b.contacts_of.get((kind, raw), [])))
            if owner is None:
                b.ignored[f"{kind} without an owner"] += 1
            elif not contacts:
                b.ignored[f"{kind} without a contact"] += 1
            elif at is None:
                b.ignored[f"{kind} without hs_timestamp"] += 1
            else:
                interactions.append(
                    InteractionRecord(
                        id=hubspot_id(kind, raw),
                        kind=kind,
                        at=at,
                        team_member_ids=(hubspot_id("owner", owner),),
                        person_ids=tuple(hubspot_id("contact", c) for c in contacts),
                        source_object=kind,
                        source_record_id=raw,
                    )
                )

    if b.problems:
        raise SyncInputError(b.problems)
    return CrmSnapshot(
        source="hubspot",
        mode=mode,
        effective_at=b.effective_at,
        parts=frozenset(parts),
        accounts=tuple(accounts),
        people=tuple(people),
        roles=tuple(roles),
        opportunities=tuple(opportunities),
        team_members=tuple(team_members),
        assignments=tuple(assignments),
        interactions=tuple(interactions),
        deletions=tuple(b.deletions),
        unmapped=tuple(sorted(Unmapped(o, f, v, n) for (o, f, v), n in b.unmapped.items())),
        ignored=dict(sorted(b.ignored.items())),
    )


def read_hubspot_dir(directory: Path) -> dict[str, Any]:
    """The lists of a directory: every ``<key>.json`` file (the CLI's input).

    Every ``.json`` file is a list, so a misnamed one is reported by
    :func:`translate_hubspot` rather than skipped. A file that is not JSON raises
    :class:`SyncInputError` naming it.
    """
    out: dict[str, Any] = {}
    problems: list[RowProblem] = []
    for path in sorted(directory.glob("*.json")):
        try:
            out[path.stem] = json.loads(path.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(RowProblem(path.stem, 0, "", f"is not JSON: {exc}"))
    if problems:
        raise SyncInputError(problems)
    return out
