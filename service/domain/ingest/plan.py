"""From validated rows to the statements that write them, and how an import is chunked.

Every validated row becomes a :class:`Unit`: the statement rows that write it, the
number of input rows it completes, and the account it belongs to. A single batch writes
all units in one transaction. An import packs them into transactions **by account**:
team members first (they are global), then whole accounts (an account's stakeholders,
budgets, opportunities, roles, controls, relationships, coverage and interactions are
never split, however big), then the rows that span accounts (a manager or an influence
in another account of the file, a multi-account meeting) or name only stored nodes.
Each transaction only refers to nodes written before it or stored, so a crash leaves
every account either whole or untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from service.domain.ingest.validation import Row, ValidBatch, as_utc
from service.graph.ingest import Statement, WriteSet

# Node properties each section may set (all but the id and the references).
NODE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "accounts": ("name", "tier", "industry", "annual_revenue"),
    "stakeholders": ("name", "title", "email", "department", "seniority"),
    "team_members": ("name", "email", "role"),
    "budgets": ("name", "amount", "currency", "fiscal_year", "category"),
    "opportunities": ("name", "stage", "amount", "close_date"),
}

GLOBAL, ACCOUNT, SPANNING = 0, 1, 2  # the phases of an import, in order


@dataclass(slots=True)
class Unit:
    phase: int
    account: str  # the account of an ACCOUNT-phase unit, else ""
    rows: int  # input rows this unit completes (for progress)
    items: list[tuple[Statement, dict[str, Any]]] = field(default_factory=list)
    # Items that ride on another item's row and do not count in a chunk's weight (a
    # stakeholder's move check: the same row as its WORKS_AT, see _weight).
    riders: int = 0


@dataclass
class Chunk:
    """One transaction of an import."""

    write_set: WriteSet
    rows: int
    phase: int = ACCOUNT


def iso_utc(value: datetime | date) -> str:
    """``value`` in UTC as ISO-8601 text (a date is 00:00 UTC of that day)."""
    return as_utc(value).isoformat()


def _props(section: str, row: Row) -> dict[str, Any]:
    return {k: row[k] for k in NODE_PROPERTIES[section] if k in row}


def _node(statement: Statement, section: str, row: Row) -> tuple[Statement, dict[str, Any]]:
    # A row with left_at does not reactivate the person (its departure statement runs last).
    return statement, {
        "id": row["id"],
        "props": _props(section, row),
        "source_record_id": row.get("source_record_id"),
        "leaving": "left_at" in row,
    }


def _departure(statement: Statement, row: Row) -> list[tuple[Statement, dict[str, Any]]]:
    """The departure of a person whose row has ``left_at`` (none without it)."""
    if "left_at" not in row:
        return []
    return [(statement, {"id": row["id"], "left_at": as_utc(row["left_at"])})]


def _until(row: Row) -> str:
    return iso_utc(row["until"])


NOWHERE = (SPANNING, "")  # the placement of a row no single account of the batch holds


def _placed(first: str | None, second: str | None) -> tuple[int, str]:
    """The placement of a row whose nodes lie in the accounts ``first`` and ``second``
    (None: a node not in the batch, which constrains nothing): ACCOUNT when exactly one
    account remains, else SPANNING."""
    if first is None:
        return NOWHERE if second is None else (ACCOUNT, second)
    if second is None or second == first:
        return ACCOUNT, first
    return NOWHERE


class _Placement:
    """Which account a row belongs to, from the accounts of the batch nodes it names."""

    def __init__(self, batch: ValidBatch) -> None:
        self.account_of: dict[str, dict[str, str]] = {}
        for section, label in (
            ("stakeholders", "Stakeholder"),
            ("budgets", "Budget"),
            ("opportunities", "Opportunity"),
        ):
            accounts: dict[str, str] = {}
            for row in batch.rows.get(section, []):
                accounts.setdefault(row["id"], row["account_id"])
            self.account_of[label] = accounts

    def of(
        self,
        account: str | None = None,
        people: Iterable[str | None] = (),
        budget: str | None = None,
        opportunity: str | None = None,
    ) -> tuple[int, str]:
        """The phase and account for a row naming an account, stakeholders, a budget or
        an opportunity. Nodes not in the batch are stored already and constrain nothing."""
        accounts: set[str] = set()
        if account is not None:
            accounts.add(account)
        of_person = self.account_of["Stakeholder"]
        for person in people:
            if person is not None and person in of_person:
                accounts.add(of_person[person])
        for label, ref in (("Budget", budget), ("Opportunity", opportunity)):
            if ref is not None and ref in self.account_of[label]:
                accounts.add(self.account_of[label][ref])
        if len(accounts) == 1:
            return ACCOUNT, accounts.pop()
        return SPANNING, ""


def plan_units(batch: ValidBatch) -> list[Unit]:
    """The units that write ``batch`` (each row's statements, placed by account).

    Rows naming one or two nodes are placed with :func:`_placed` (what
    :meth:`_Placement.of` gives them, without its sets: this runs once per row of a
    large import); the units are made inline for the same reason."""
    place = _Placement(batch)
    of_person = place.account_of["Stakeholder"].get
    of_budget = place.account_of["Budget"].get
    of_opportunity = place.account_of["Opportunity"].get
    units: list[Unit] = []
    add = units.append
    rows = batch.rows

    for row in rows.get("team_members", []):
        add(
            Unit(
                GLOBAL,
                "",
                1,
                [
                    _node(Statement.TEAM_MEMBERS, "team_members", row),
                    *_departure(Statement.DEPART_TEAM_MEMBERS, row),
                ],
            )
        )
    for row in rows.get("accounts", []):
        add(Unit(ACCOUNT, row["id"], 1, [_node(Statement.ACCOUNTS, "accounts", row)]))
    for row in rows.get("stakeholders", []):
        home = row["account_id"]
        # The person's record is the source record of their employment and lines too.
        record = row.get("source_record_id")
        employer = {"id": row["id"], "account_id": home, "source_record_id": record}
        add(
            Unit(
                ACCOUNT,
                home,
                1,
                [
                    _node(Statement.STAKEHOLDERS, "stakeholders", row),
                    (Statement.WORKS_AT, employer),
                    # A move to another account ends what tied the person to the old one.
                    (Statement.MOVED, employer),
                    *_departure(Statement.DEPART_STAKEHOLDERS, row),
                ],
                riders=1,
            )
        )
        # The lines to managers go with the person unless a manager is in another
        # account of the batch; then they wait until that account is written too.
        if "reports_to" in row:
            manager = row["reports_to"]
            phase, account = _placed(home, of_person(manager))
            line = {"id": row["id"], "manager_id": manager, "source_record_id": record}
            add(Unit(phase, account, 0, [(Statement.SOLID_REPORTS_TO, line)]))
        if "dotted_reports_to" in row:
            entries = row["dotted_reports_to"] or []
            managers = sorted({e for e in entries if isinstance(e, str)})
            endings = sorted(
                ((e["id"], iso_utc(e["until"])) for e in entries if not isinstance(e, str)),
            )
            phase, account = place.of(home, [*managers, *(m for m, _ in endings)])
            items: list[tuple[Statement, dict[str, Any]]] = [
                (
                    Statement.END_DOTTED_REPORTS_TO,
                    {"id": row["id"], "manager_id": manager, "until": until},
                )
                for manager, until in endings
            ]
            # The plain ids are the complete set when there is one, or none at all.
            if managers or not endings:
                items.append(
                    (
                        Statement.DOTTED_REPORTS_TO,
                        {"id": row["id"], "manager_ids": managers, "source_record_id": record},
                    )
                )
            add(Unit(phase, account, 0, items))
    for section, statement, link in (
        ("budgets", Statement.BUDGETS, Statement.BUDGET_OF),
        ("opportunities", Statement.OPPORTUNITIES, Statement.OPPORTUNITY_FOR),
    ):
        for row in rows.get(section, []):
            add(
                Unit(
                    ACCOUNT,
                    row["account_id"],
                    1,
                    [
                        _node(statement, section, row),
                        (link, {"id": row["id"], "account_id": row["account_id"]}),
                    ],
                )
            )
    for row in rows.get("controls", []):
        phase, account = _placed(of_person(row["stakeholder_id"]), of_budget(row["budget_id"]))
        if row.get("until") is not None:  # ends(row)
            add(Unit(phase, account, 1, [(Statement.END_CONTROLS, {**row, "until": _until(row)})]))
        else:
            control = {k: v for k, v in row.items() if k != "until"}
            add(Unit(phase, account, 1, [(Statement.CONTROLS, control)]))
    for row in rows.get("roles", []):
        on_account = row.get("account_id") is not None
        target = row["account_id"] if on_account else row["opportunity_id"]
        person = of_person(row["stakeholder_id"])
        phase, account = (
            _placed(target, person) if on_account else _placed(person, of_opportunity(target))
        )
        if row.get("until") is not None:  # ends(row)
            ending = {
                "stakeholder_id": row["stakeholder_id"],
                "target_id": target,
                "on_account": on_account,
                "role": row["role"],
                "until": _until(row),
            }
            add(Unit(phase, account, 1, [(Statement.END_ROLES, ending)]))
            continue
        statement = Statement.ACCOUNT_ROLES if on_account else Statement.OPPORTUNITY_ROLES
        role = {
            "stakeholder_id": row["stakeholder_id"],
            "target_id": target,
            "role": row["role"],
            "stance": row["stance"],
            "source_record_id": row.get("source_record_id"),
        }
        add(Unit(phase, account, 1, [(statement, role)]))
    for row in rows.get("influences", []):
        phase, account = _placed(of_person(row["from_id"]), of_person(row["to_id"]))
        pair = {"from_id": row["from_id"], "to_id": row["to_id"]}
        if row.get("until") is not None:  # ends(row)
            ending = {**pair, "until": _until(row)}
            add(Unit(phase, account, 1, [(Statement.END_INFLUENCES, ending)]))
        else:
            influence = {
                **pair,
                "strength": row["strength"],
                "source_record_id": row.get("source_record_id"),
            }
            add(Unit(phase, account, 1, [(Statement.INFLUENCES, influence)]))
    for row in rows.get("relationships", []):
        person = of_person(row["stakeholder_id"])
        phase, account = NOWHERE if person is None else (ACCOUNT, person)
        if row.get("until") is not None:  # ends(row)
            ending = {
                "team_member_id": row["team_member_id"],
                "stakeholder_id": row["stakeholder_id"],
                "until": _until(row),
            }
            add(Unit(phase, account, 1, [(Statement.END_KNOWS, ending)]))
            continue
        last_contact = row.get("last_contact")
        tie = {
            "team_member_id": row["team_member_id"],
            "stakeholder_id": row["stakeholder_id"],
            "strength": row["strength"],
            "has_last_contact": "last_contact" in row,
            # ISO-8601 text, made a DateTime in Cypher: the driver packs a Python
            # datetime in pure Python (~0.1 ms each), text costs next to nothing.
            "last_contact": iso_utc(last_contact) if last_contact is not None else None,
            "source_record_id": row.get("source_record_id"),
        }
        add(Unit(phase, account, 1, [(Statement.EXPLICIT_KNOWS, tie)]))
    for row in rows.get("coverage", []):
        if row.get("until") is not None:  # ends(row)
            ending = {
                "team_member_id": row["team_member_id"],
                "account_id": row["account_id"],
                "until": _until(row),
            }
            add(Unit(ACCOUNT, row["account_id"], 1, [(Statement.END_COVERS, ending)]))
            continue
        covers = {
            "team_member_id": row["team_member_id"],
            "account_id": row["account_id"],
            "has_role": "role" in row,
            "role": row.get("role"),
            "source_record_id": row.get("source_record_id"),
        }
        add(Unit(ACCOUNT, row["account_id"], 1, [(Statement.COVERS, covers)]))
    for row in rows.get("interactions", []):
        people = sorted(set(row["stakeholder_ids"]))
        members = sorted(set(row["team_member_ids"]))
        phase, account = place.of(people=people)
        interaction = {
            "id": row["id"],
            "kind": row["kind"],
            "at": iso_utc(row["at"]),
            "source_record_id": row.get("source_record_id"),
        }
        add(
            Unit(
                phase,
                account,
                1,
                [
                    (Statement.INTERACTIONS, interaction),
                    (Statement.INTERACTION_WITH, {"id": row["id"], "stakeholder_ids": people}),
                    (
                        Statement.INTERACTION_ATTENDED,
                        {"id": row["id"], "team_member_ids": members},
                    ),
                ],
            )
        )
    return units


def write_set_of(units: Iterable[Unit]) -> WriteSet:
    write_set: WriteSet = {}
    for u in units:
        for statement, params in u.items:
            write_set.setdefault(statement, []).append(params)
    return write_set


def chunk_units(units: list[Unit], chunk_rows: int) -> Iterator[Chunk]:
    """Pack units into transactions: global rows, then whole accounts, then the rest.

    Global and spanning units are independent of each other within their phase and
    are cut every ``chunk_rows`` rows; an account is never cut, and small accounts
    share a transaction up to ``chunk_rows`` rows.
    """
    by_account: dict[str, list[Unit]] = {}
    global_units: list[Unit] = []
    spanning: list[Unit] = []
    for u in units:
        if u.phase == GLOBAL:
            global_units.append(u)
        elif u.phase == ACCOUNT:
            by_account.setdefault(u.account, []).append(u)
        else:
            spanning.append(u)

    yield from _pack(([u] for u in global_units), chunk_rows, GLOBAL)
    yield from _pack((by_account[a] for a in sorted(by_account)), chunk_rows, ACCOUNT)
    yield from _pack(([u] for u in spanning), chunk_rows, SPANNING)


def _weight(group: list[Unit]) -> int:
    # Statement rows, not input rows: what the transaction really carries. A move check
    # (MOVED) is not counted: it is its WORKS_AT row sent once more, and it writes nothing
    # for a person who did not move (nearly everyone; in a first import, everyone).
    # Counted, it made an account of n people weigh 3n, not 2n, and the 100k import ran
    # in 101 transactions instead of 68 (bench/RESULTS.md, "Ingest A/B, session 8").
    return sum(len(u.items) - u.riders for u in group)


def _pack(groups: Iterable[list[Unit]], chunk_rows: int, phase: int) -> Iterator[Chunk]:
    pending: list[Unit] = []
    weight = 0
    for group in groups:
        w = _weight(group)
        if pending and weight + w > chunk_rows:
            yield Chunk(write_set_of(pending), sum(u.rows for u in pending), phase)
            pending, weight = [], 0
        pending.extend(group)
        weight += w
    if pending:
        yield Chunk(write_set_of(pending), sum(u.rows for u in pending), phase)
