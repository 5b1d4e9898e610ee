"""A synthetic Salesforce export for the sync benchmark: Bulk API 2.0 CSV, one file per object.

:func:`write_export` writes ``DIR/<Object>.csv`` for a deterministic portfolio sized by a
:class:`ExportSpec`, in exactly the format ``POST /v1/sync/salesforce`` and
``powermap sync salesforce DIR`` read (docs/crm-sync.md): every value quoted, CRLF line
ends, 18-character Ids with their checksum. The default spec is issue 11's benchmark:
200 accounts × 500 contacts = 100,000 contacts, each with a solid-line manager (org charts
filled breadth-first, so there is never a cycle), an ``AccountContactRelation`` per
contact (buying roles on about one in eight), five opportunities per account with four
contact roles each, 400 users, an account team of four per account, and a year of
activity (calls, emails and meetings between the team and the contacts).

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as d:
...     counts = write_export(pathlib.Path(d), ExportSpec(accounts=2, contacts_per_account=10,
...                                                       users=4, team_per_account=2))
...     header = (pathlib.Path(d) / "Contact.csv").read_text().splitlines()[0]
>>> counts["Contact"], counts["Account"]
(20, 2)
>>> header
'"Id","AccountId","FirstName","LastName","Title","Department","Email","ReportsToId"'
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from service.domain.sync.salesforce import to_18

__all__ = ["ExportSpec", "write_export"]

FIRST = ("Ada", "Bo", "Chen", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")
LAST = ("Moreau", "Okafor", "Petrov", "Quinn", "Rossi", "Sato", "Tanaka", "Ueda", "Vidal")
DEPARTMENTS = ("Finance", "IT", "Operations", "Procurement", "Engineering", "Legal", "Sales")
ACCOUNT_ROLES = ("Decision Maker", "Economic Buyer", "Executive Sponsor", "Influencer", "Evaluator")
OPPORTUNITY_ROLES = ("Economic Buyer", "Technical Buyer", "Decision Maker", "Business User")
STAGES = ("Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review")
TEAM_ROLES = ("Account Manager", "Sales Engineer", "Customer Success Manager", "Executive Sponsor")
TIERS = ("Strategic", "Key", "Standard", "Standard")


@dataclass(frozen=True)
class ExportSpec:
    accounts: int = 200
    contacts_per_account: int = 500
    users: int = 400
    team_per_account: int = 4
    opportunities_per_account: int = 5
    roles_per_opportunity: int = 4
    span: tuple[int, int] = (3, 8)  # direct reports per manager
    activities_per_contact: float = 2.0  # a year of calls, emails and meetings, on average
    role_share: float = 0.125  # contacts whose AccountContactRelation has buying roles
    year_end: date = date(2026, 10, 31)
    seed: int = 11


def sf_id(prefix: str, n: int) -> str:
    """A deterministic 18-character Salesforce Id of object ``prefix`` (``003`` …)."""
    return to_18(f"{prefix}5g{n:010d}")


def _writer(directory: Path, name: str, header: tuple[str, ...]) -> tuple[Any, IO[str]]:
    handle = (directory / f"{name}.csv").open("w", newline="", encoding="utf-8")
    out = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    out.writerow(header)
    return out, handle


def _managers(rng: random.Random, size: int, span: tuple[int, int]) -> Iterator[int | None]:
    """Each position's manager position (None for the head), breadth-first."""
    yield None
    manager, left = 0, rng.randint(*span)
    for _ in range(1, size):
        if left == 0:
            manager, left = manager + 1, rng.randint(*span)
        left -= 1
        yield manager


def write_export(directory: Path, spec: ExportSpec = ExportSpec()) -> dict[str, int]:  # noqa: B008
    """Write the export of ``spec`` into ``directory``; the number of records per object."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(spec.seed)
    counts: dict[str, int] = {}
    files = {
        "Account": ("Id", "Name", "Industry", "AnnualRevenue", "Tier__c"),
        "Contact": (
            "Id",
            "AccountId",
            "FirstName",
            "LastName",
            "Title",
            "Department",
            "Email",
            "ReportsToId",
        ),
        "AccountContactRelation": (
            "Id",
            "AccountId",
            "ContactId",
            "Roles",
            "IsDirect",
            "IsActive",
            "StartDate",
            "EndDate",
        ),
        "Opportunity": ("Id", "AccountId", "Name", "StageName", "Amount", "CloseDate"),
        "OpportunityContactRole": ("Id", "OpportunityId", "ContactId", "Role", "IsPrimary"),
        "User": ("Id", "Name", "Email", "Title", "IsActive"),
        "AccountTeamMember": ("Id", "AccountId", "UserId", "TeamMemberRole"),
        "Task": ("Id", "WhoId", "OwnerId", "ActivityDate", "TaskSubtype"),
        "Event": ("Id", "WhoId", "OwnerId", "StartDateTime"),
    }
    writers = {name: _writer(directory, name, header) for name, header in files.items()}
    counts = dict.fromkeys(files, 0)

    def row(name: str, *values: object) -> None:
        writers[name][0].writerow(values)
        counts[name] += 1

    try:
        users = [sf_id("005", u) for u in range(spec.users)]
        for u, uid in enumerate(users):
            name = f"{FIRST[u % len(FIRST)]} {LAST[u % len(LAST)]} {u}"
            row("User", uid, name, f"user{u}@ourco.example", "Account Executive", "true")
        start = datetime.combine(spec.year_end, datetime.min.time(), UTC) - timedelta(days=365)
        contact_n = relation_n = opportunity_n = ocr_n = member_n = task_n = event_n = 0
        for a in range(spec.accounts):
            aid = sf_id("001", a)
            row(
                "Account",
                aid,
                f"Account {a}",
                DEPARTMENTS[a % len(DEPARTMENTS)],
                f"{rng.randint(10, 9000) * 1_000_000}",
                TIERS[a % len(TIERS)],
            )
            team = [
                users[(a * spec.team_per_account + t) % spec.users]
                for t in range(spec.team_per_account)
            ]
            for t, uid in enumerate(team):
                row(
                    "AccountTeamMember",
                    sf_id("01M", member_n),
                    aid,
                    uid,
                    TEAM_ROLES[t % len(TEAM_ROLES)],
                )
                member_n += 1
            contacts: list[str] = []
            for position, manager in enumerate(
                _managers(rng, spec.contacts_per_account, spec.span)
            ):
                cid = sf_id("003", contact_n)
                contact_n += 1
                contacts.append(cid)
                department = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
                row(
                    "Contact",
                    cid,
                    aid,
                    FIRST[rng.randrange(len(FIRST))],
                    LAST[rng.randrange(len(LAST))],
                    "CEO" if manager is None else f"Manager, {department} {position}",
                    department,
                    f"c{contact_n}@customer{a}.example",
                    "" if manager is None else contacts[manager],
                )
                roles = ""
                if rng.random() < spec.role_share:
                    roles = ";".join(sorted(set(rng.sample(ACCOUNT_ROLES, rng.randint(1, 2)))))
                row(
                    "AccountContactRelation",
                    sf_id("07k", relation_n),
                    aid,
                    cid,
                    roles,
                    "true",
                    "true",
                    "2024-01-15",
                    "",
                )
                relation_n += 1
                activities = int(spec.activities_per_contact) + (
                    rng.random() < spec.activities_per_contact % 1
                )
                for _ in range(activities):
                    owner = team[rng.randrange(len(team))]
                    moment = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
                    if rng.random() < 0.3:
                        row(
                            "Event",
                            sf_id("00U", event_n),
                            cid,
                            owner,
                            moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                        )
                        event_n += 1
                    else:
                        kind = "Call" if rng.random() < 0.5 else "Email"
                        row(
                            "Task",
                            sf_id("00T", task_n),
                            cid,
                            owner,
                            moment.date().isoformat(),
                            kind,
                        )
                        task_n += 1
            for o in range(spec.opportunities_per_account):
                oid = sf_id("006", opportunity_n)
                opportunity_n += 1
                close = spec.year_end + timedelta(days=rng.randrange(30, 400))
                row(
                    "Opportunity",
                    oid,
                    aid,
                    f"Account {a} deal {o}",
                    STAGES[rng.randrange(len(STAGES))],
                    f"{rng.randint(5, 500) * 10_000}.00",
                    close.isoformat(),
                )
                for r, cid in enumerate(rng.sample(contacts, spec.roles_per_opportunity)):
                    role = OPPORTUNITY_ROLES[r % len(OPPORTUNITY_ROLES)]
                    row(
                        "OpportunityContactRole",
                        sf_id("00K", ocr_n),
                        oid,
                        cid,
                        role,
                        "true" if r == 0 else "false",
                    )
                    ocr_n += 1
    finally:
        for _, handle in writers.values():
            handle.close()
    return counts
