"""Validation of an ingest batch: every bad row is reported at once, nothing stops early.

Two passes. Each row is validated on its own against its section's typed dict (types,
vocabularies, ranges, unknown fields), collecting every error. Then the rows that
parsed are checked as a batch: duplicate ids and duplicate edges, references to nodes
that are neither in the batch nor stored, solid ``reports_to`` cycles (including those
closed through stored data), self-loops, and roles with both or neither target.
The stored facts those checks need come from :func:`service.graph.ingest.lookup_stored`
in one read transaction (one query per label, one for the stored manager chains).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from service.domain.errors import FieldError, PayloadTooLarge
from service.domain.ingest.rows import (
    EFFECTIVE_AT,
    NODE_SECTIONS,
    REQUIRED_UNLESS_UNTIL,
    ROW_ADAPTERS,
    SECTION_ADAPTERS,
    SECTIONS,
)
from service.graph.ingest import StoredFacts

Row = dict[str, Any]
IndexedRow = tuple[int, Row]

# (field, label it points to, whether the field holds a list of ids), per section.
REFERENCES: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "stakeholders": (
        ("account_id", "Account", False),
        ("reports_to", "Stakeholder", False),
        ("dotted_reports_to", "Stakeholder", True),
    ),
    "budgets": (("account_id", "Account", False),),
    "opportunities": (("account_id", "Account", False),),
    "controls": (("stakeholder_id", "Stakeholder", False), ("budget_id", "Budget", False)),
    "roles": (
        ("stakeholder_id", "Stakeholder", False),
        ("account_id", "Account", False),
        ("opportunity_id", "Opportunity", False),
    ),
    "influences": (("from_id", "Stakeholder", False), ("to_id", "Stakeholder", False)),
    "relationships": (
        ("team_member_id", "TeamMember", False),
        ("stakeholder_id", "Stakeholder", False),
    ),
    "coverage": (("team_member_id", "TeamMember", False), ("account_id", "Account", False)),
    "interactions": (
        ("team_member_ids", "TeamMember", True),
        ("stakeholder_ids", "Stakeholder", True),
    ),
}

# References that open a current time-bound edge (or a COVERS) of the person they name:
# a stored person who has left may not be named there unless the batch reactivates them
# with their own row (docs/graph-conventions.md, "Ingest semantics"). Influences and
# interactions carry no current state of the person and may name them.
OPENS_CURRENT_EDGE: frozenset[tuple[str, str]] = frozenset(
    {
        ("stakeholders", "reports_to"),
        ("stakeholders", "dotted_reports_to"),
        ("controls", "stakeholder_id"),
        ("roles", "stakeholder_id"),
        ("relationships", "team_member_id"),
        ("relationships", "stakeholder_id"),
        ("coverage", "team_member_id"),
    }
)

# What makes two rows of an edge section the same edge (one of them would be ambiguous).
EDGE_IDENTITY: dict[str, tuple[str, ...]] = {
    "controls": ("stakeholder_id", "budget_id"),
    "roles": ("stakeholder_id", "account_id", "opportunity_id", "role"),
    "influences": ("from_id", "to_id"),
    "relationships": ("team_member_id", "stakeholder_id"),
    "coverage": ("team_member_id", "account_id"),
}

LABEL_NOUN = {
    "Account": "account",
    "Stakeholder": "stakeholder",
    "TeamMember": "team member",
    "Budget": "budget",
    "Opportunity": "opportunity",
}


SECTION_ORDER = {section: i for i, section in enumerate(("effective_at", *SECTIONS))}

#: How many errors a validation keeps unless told otherwise (``ingest_max_listed_errors``).
DEFAULT_MAX_ERRORS = 100


def _error_key(e: FieldError) -> tuple[int, int, str]:
    return (SECTION_ORDER.get(e.section or "", -1), e.index or 0, e.location)


class ErrorList:
    """The first ``keep`` errors in request order, and how many there were in all.

    A batch can be wrong in millions of places (one interaction naming a million unknown
    people); holding and answering all of them is what let a 10 MB request take 1 GB.
    Every error is counted, only the first ``keep`` (by section, row, location) are kept.
    """

    def __init__(self, keep: int = DEFAULT_MAX_ERRORS) -> None:
        self.keep = max(1, keep)
        self.total = 0
        self._kept: list[FieldError] = []

    def add(self, error: FieldError) -> None:
        self.total += 1
        self._kept.append(error)
        if len(self._kept) >= 2 * self.keep:
            self._kept = sorted(self._kept, key=_error_key)[: self.keep]

    def extend(self, errors: Iterable[FieldError]) -> None:
        for e in errors:
            self.add(e)

    def first(self) -> list[FieldError]:
        """The kept errors, sorted by section, row and location."""
        return sorted(self._kept, key=_error_key)[: self.keep]

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total


@dataclass
class ParsedBatch:
    """The rows that passed row validation, with their index in the request."""

    rows: dict[str, list[IndexedRow]]
    received: dict[str, int]
    effective_at: datetime | None
    errors: ErrorList
    # Ids of every node row that names one, parsed or not: a reference to a row that
    # failed validation is that row's problem, not a second "unknown reference".
    claimed_ids: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class ValidBatch:
    """A batch that passed every check: rows by section, in request order."""

    rows: dict[str, list[Row]]
    received: dict[str, int]
    effective_at: datetime | None


def row_count(batch: Mapping[str, Any]) -> int:
    """Rows over all known sections (what the size cap counts); cheap, no validation."""
    return sum(len(v) for k, v in batch.items() if k in SECTION_ADAPTERS and isinstance(v, list))


def check_size(batch: Mapping[str, Any], max_rows: int) -> None:
    rows = row_count(batch)
    if rows > max_rows:
        raise PayloadTooLarge(
            f"the batch has {rows} rows; at most {max_rows} are accepted per request "
            "(use `powermap import` for larger loads)"
        )


def error(
    section: str, index: int | None, field_name: str | None, reason: str, *, item: int | None = None
) -> FieldError:
    """A FieldError located like ``stakeholders[3].dotted_reports_to[1]``."""
    location = section
    if index is not None:
        location += f"[{index}]"
    if field_name:
        location += f".{field_name}"
    if item is not None:
        location += f"[{item}]"
    return FieldError(
        location=location, reason=reason, section=section, index=index, field=field_name
    )


def _pydantic_errors(
    section: str, exc: ValidationError, row: int | None = None
) -> Iterator[FieldError]:
    """FieldErrors of a section's (``row`` None) or one row's validation error."""
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = err["loc"]
        if row is not None:
            index: int | None = row
            rest = loc
        else:
            index = loc[0] if loc and isinstance(loc[0], int) else None
            rest = loc[1:] if index is not None else loc
        location = f"{section}[{index}]" if index is not None else section
        for part in rest:
            location += f"[{part}]" if isinstance(part, int) else f".{part}"
        field_name = str(rest[0]) if rest else None
        yield FieldError(
            location=location, reason=err["msg"], section=section, index=index, field=field_name
        )


def parse_rows(batch: Mapping[str, Any], max_errors: int = DEFAULT_MAX_ERRORS) -> ParsedBatch:
    """Validate every row on its own; count all errors, keep the first ``max_errors``,
    and keep the rows that parse."""
    errors = ErrorList(max_errors)
    rows: dict[str, list[IndexedRow]] = {}
    received: dict[str, int] = {}
    claimed: dict[str, set[str]] = {label: set() for label in NODE_SECTIONS.values()}
    effective_at: datetime | None = None

    for key in batch:
        if key != "effective_at" and key not in SECTION_ADAPTERS:
            errors.add(
                error(key, None, None, f"unknown section; expected one of {', '.join(SECTIONS)}")
            )
    if "effective_at" in batch:
        try:
            effective_at = as_utc(EFFECTIVE_AT.validate_python(batch["effective_at"]))
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            errors.add(error("effective_at", None, None, reason))

    for section, adapter in SECTION_ADAPTERS.items():
        if section not in batch:
            continue
        raw = batch[section]
        if not isinstance(raw, list):
            errors.add(error(section, None, None, "must be a list of objects"))
            continue
        received[section] = len(raw)
        label = NODE_SECTIONS.get(section)
        if label is not None:
            claimed[label].update(
                r["id"] for r in raw if isinstance(r, dict) and isinstance(r.get("id"), str)
            )
        try:
            # Fast path: the whole section in one call, stopping at the first bad row.
            rows[section] = list(enumerate(adapter.validate_python(raw)))
        except ValidationError:
            # Some row is bad: validate row by row, so each row's errors are counted and
            # dropped past the first ``max_errors`` instead of all held at once.
            row_adapter = ROW_ADAPTERS[section]
            good: list[IndexedRow] = []
            for index, item in enumerate(raw):
                try:
                    good.append((index, row_adapter.validate_python(item)))
                except ValidationError as row_exc:
                    errors.extend(_pydantic_errors(section, row_exc, row=index))
            rows[section] = good
    return ParsedBatch(
        rows=rows, received=received, effective_at=effective_at, errors=errors, claimed_ids=claimed
    )


def as_utc(value: datetime | date) -> datetime:
    """A date is midnight UTC of that day; a naive datetime is taken as UTC."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def entry_id(entry: str | Mapping[str, Any]) -> str:
    """The id of a list entry: a plain id, or the ``id`` of an ``{"id", "until"}`` one."""
    return entry if isinstance(entry, str) else str(entry["id"])


def ends(row: Row) -> bool:
    """Whether an edge row ends its edge (``until`` given) rather than states it."""
    return row.get("until") is not None


def _ref_values(
    row: Row, field_name: str, is_list: bool, *, opening_only: bool = False
) -> Iterator[tuple[int | None, str]]:
    """(position in the list or None, id) for each id a reference field of ``row`` holds;
    ``opening_only``: only those that open a current edge (no ``until``)."""
    value = row.get(field_name)
    if value is None or (opening_only and ends(row)):
        return
    if is_list:
        for i, entry in enumerate(value):
            if not (opening_only and not isinstance(entry, str)):
                yield i, entry_id(entry)
    else:
        yield None, value


def local_checks(parsed: ParsedBatch) -> Iterator[FieldError]:
    """Checks that need no stored data: duplicates, self-loops, role targets."""
    for section in NODE_SECTIONS:
        rows = parsed.rows.get(section, [])
        if len({row["id"] for _, row in rows}) == len(rows):
            continue  # no duplicate: nothing to locate
        first: dict[str, int] = {}
        for index, row in rows:
            if row["id"] in first:
                yield error(
                    section,
                    index,
                    "id",
                    f"duplicate id {row['id']!r} (first at {section}[{first[row['id']]}])",
                )
            else:
                first[row["id"]] = index
    for section, identity in EDGE_IDENTITY.items():
        rows = parsed.rows.get(section, [])
        if len({tuple(map(row.get, identity)) for _, row in rows}) == len(rows):
            continue
        seen: dict[tuple[Any, ...], int] = {}
        for index, row in rows:
            key = tuple(map(row.get, identity))
            if key in seen:
                yield error(
                    section, index, None, f"duplicate of {section}[{seen[key]}] (same edge)"
                )
            else:
                seen[key] = index
    for index, row in parsed.rows.get("stakeholders", []):
        if row.get("reports_to") == row["id"]:
            yield error("stakeholders", index, "reports_to", "a person cannot report to themself")
        named: dict[str, int] = {}
        for i, entry in enumerate(row.get("dotted_reports_to") or []):
            manager = entry_id(entry)
            if manager == row["id"]:
                yield error(
                    "stakeholders",
                    index,
                    "dotted_reports_to",
                    "a person cannot have a dotted line to themself",
                    item=i,
                )
            elif manager in named:
                yield error(
                    "stakeholders",
                    index,
                    "dotted_reports_to",
                    f"{manager!r} is already named at dotted_reports_to[{named[manager]}]",
                    item=i,
                )
            else:
                named[manager] = i
    for section in ("stakeholders", "team_members"):
        for index, row in parsed.rows.get(section, []):
            if "left_at" not in row:
                continue
            for field_name in ("reports_to", "dotted_reports_to"):
                if field_name in row:
                    yield error(
                        section,
                        index,
                        field_name,
                        "not allowed with left_at: the person leaves, their reporting "
                        "lines are closed",
                    )
    for section, fields in REQUIRED_UNLESS_UNTIL.items():
        for index, row in parsed.rows.get(section, []):
            if ends(row):
                continue
            for field_name in fields:
                if field_name not in row:
                    yield error(section, index, field_name, "Field required unless until is given")
    for index, row in parsed.rows.get("roles", []):
        on_account, on_opportunity = row.get("account_id"), row.get("opportunity_id")
        if on_account is not None and on_opportunity is not None:
            yield error(
                "roles", index, "opportunity_id", "give account_id or opportunity_id, not both"
            )
        elif on_account is None and on_opportunity is None:
            yield error(
                "roles", index, "account_id", "one of account_id or opportunity_id is required"
            )
    for index, row in parsed.rows.get("influences", []):
        if row["from_id"] == row["to_id"]:
            yield error("influences", index, "to_id", "a person cannot influence themself")


def _referenced(parsed: ParsedBatch) -> dict[str, set[str]]:
    """Every id the rows reference, per label (one set operation per field)."""
    referenced: dict[str, set[str]] = {label: set() for label in LABEL_NOUN}
    for section, refs in REFERENCES.items():
        rows = [row for _, row in parsed.rows.get(section, [])]
        for field_name, label, is_list in refs:
            if is_list:
                referenced[label] |= {
                    entry_id(ref) for row in rows for ref in row.get(field_name) or ()
                }
            else:
                referenced[label] |= {
                    row[field_name] for row in rows if row.get(field_name) is not None
                }
    return referenced


def references_to_resolve(parsed: ParsedBatch) -> dict[str, set[str]]:
    """Referenced ids, per label, that no row of the batch defines (to look up stored)."""
    wanted = {label: ids - parsed.claimed_ids[label] for label, ids in _referenced(parsed).items()}
    return {label: ids for label, ids in wanted.items() if ids}


def manager_chain_starts(parsed: ParsedBatch) -> set[str]:
    """Managers named by solid lines: stored chains above them can close a cycle."""
    return {
        row["reports_to"]
        for _, row in parsed.rows.get("stakeholders", [])
        if row.get("reports_to") is not None
    }


def stored_checks(
    parsed: ParsedBatch, stored: StoredFacts, wanted: Mapping[str, set[str]]
) -> Iterator[FieldError]:
    """Checks against the batch and the stored graph: unknown references (``wanted``
    are those :func:`references_to_resolve` looked up), cycles."""
    unknown = {label: ids - stored.existing[label] for label, ids in wanted.items()}
    # The rows are scanned (to say where) only for labels with an unknown id.
    for section, refs in REFERENCES.items():
        for field_name, label, is_list in refs:
            missing = unknown.get(label)
            if not missing:
                continue
            for index, row in parsed.rows.get(section, []):
                for item, ref in _ref_values(row, field_name, is_list):
                    if ref in missing:
                        yield error(
                            section,
                            index,
                            field_name,
                            f"unknown {LABEL_NOUN[label]} {ref!r} "
                            "(neither in this batch nor stored)",
                            item=item,
                        )
    yield from _departed_errors(parsed, stored, wanted)
    yield from _cycle_errors(parsed, stored.solid_managers)


def _departed_errors(
    parsed: ParsedBatch, stored: StoredFacts, wanted: Mapping[str, set[str]]
) -> Iterator[FieldError]:
    """Rows that would open a current edge of a stored person who has left (and whom no
    row of the batch reactivates: ``wanted`` holds only ids no row defines), or of a
    person whose own row in the batch has ``left_at``. Rows that end an edge (``until``)
    open nothing and may name them."""
    departed = {label: stored.departed.get(label, set()) & ids for label, ids in wanted.items()}
    leaving = {
        label: {row["id"] for _, row in parsed.rows.get(section, []) if "left_at" in row}
        for section, label in (("stakeholders", "Stakeholder"), ("team_members", "TeamMember"))
    }
    for section, refs in REFERENCES.items():
        for field_name, label, is_list in refs:
            gone = departed.get(label, set())
            going = leaving.get(label, set())
            if not (gone or going) or (section, field_name) not in OPENS_CURRENT_EDGE:
                continue
            for index, row in parsed.rows.get(section, []):
                for item, ref in _ref_values(row, field_name, is_list, opening_only=True):
                    if ref in gone:
                        reason = (
                            f"{LABEL_NOUN[label]} {ref!r} has left; send their "
                            f"{'team_members' if label == 'TeamMember' else 'stakeholders'} "
                            "row in this batch to reactivate them"
                        )
                    elif ref in going:
                        reason = (
                            f"{LABEL_NOUN[label]} {ref!r} leaves in this batch (left_at): "
                            "a row cannot open an edge of theirs"
                        )
                    else:
                        continue
                    yield error(section, index, field_name, reason, item=item)


def _cycle_errors(parsed: ParsedBatch, stored_managers: Mapping[str, str]) -> list[FieldError]:
    """Solid reporting cycles in the stored manager map overlaid with the batch's.

    Solid lines form a functional graph (one manager per person), so walking up from
    each person in the batch finds every cycle a batch edge is part of. Each batch row
    whose edge lies on a cycle is reported; self-references are reported elsewhere.
    """
    batch_rows: dict[str, int] = {}
    merged: dict[str, str | None] = dict(stored_managers)
    for index, row in parsed.rows.get("stakeholders", []):
        if "reports_to" in row and row["id"] not in batch_rows:
            batch_rows[row["id"]] = index
            merged[row["id"]] = row["reports_to"]

    errors: list[FieldError] = []
    finished: set[str] = set()
    for start in batch_rows:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in finished:
            if node in on_path:
                cycle = path[on_path[node] :]
                if len(cycle) > 1:
                    errors.extend(_report_cycle(cycle, batch_rows))
                break
            on_path[node] = len(path)
            path.append(node)
            node = merged.get(node)
        finished.update(path)
    return errors


def _report_cycle(cycle: list[str], batch_rows: Mapping[str, int]) -> Iterator[FieldError]:
    shown = " -> ".join([*cycle, cycle[0]])
    for person in cycle:
        if person in batch_rows:
            yield error(
                "stakeholders",
                batch_rows[person],
                "reports_to",
                f"solid reporting cycle: {shown}",
            )


def validate(
    batch: Mapping[str, Any],
    lookup: Callable[[dict[str, set[str]], set[str]], StoredFacts],
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> tuple[ValidBatch, ErrorList]:
    """Every check, in order; ``lookup`` reads the stored facts (ids, manager chains).
    The errors are all counted; the first ``max_errors`` are kept (:class:`ErrorList`)."""
    parsed = parse_rows(batch, max_errors)
    errors = parsed.errors
    errors.extend(local_checks(parsed))
    wanted = references_to_resolve(parsed)
    stored = lookup(wanted, manager_chain_starts(parsed))
    errors.extend(stored_checks(parsed, stored, wanted))
    valid = ValidBatch(
        rows={s: [row for _, row in indexed] for s, indexed in parsed.rows.items()},
        received=parsed.received,
        effective_at=parsed.effective_at,
    )
    return valid, errors
