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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from service.domain.errors import FieldError, PayloadTooLarge
from service.domain.ingest.rows import EFFECTIVE_AT, NODE_SECTIONS, SECTION_ADAPTERS, SECTIONS
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


@dataclass
class ParsedBatch:
    """The rows that passed row validation, with their index in the request."""

    rows: dict[str, list[IndexedRow]]
    received: dict[str, int]
    effective_at: datetime | None
    errors: list[FieldError]
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


def _pydantic_errors(section: str, exc: ValidationError) -> Iterator[FieldError]:
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        index = loc[0] if loc and isinstance(loc[0], int) else None
        rest = loc[1:] if index is not None else loc
        location = f"{section}[{index}]" if index is not None else section
        for part in rest:
            location += f"[{part}]" if isinstance(part, int) else f".{part}"
        field_name = str(rest[0]) if rest else None
        yield FieldError(
            location=location, reason=err["msg"], section=section, index=index, field=field_name
        )


def parse_rows(batch: Mapping[str, Any]) -> ParsedBatch:
    """Validate every row on its own; collect all errors and keep the rows that parse."""
    errors: list[FieldError] = []
    rows: dict[str, list[IndexedRow]] = {}
    received: dict[str, int] = {}
    claimed: dict[str, set[str]] = {label: set() for label in NODE_SECTIONS.values()}
    effective_at: datetime | None = None

    for key in batch:
        if key != "effective_at" and key not in SECTION_ADAPTERS:
            errors.append(
                error(key, None, None, f"unknown section; expected one of {', '.join(SECTIONS)}")
            )
    if batch.get("effective_at") is not None:
        try:
            effective_at = as_utc(EFFECTIVE_AT.validate_python(batch["effective_at"]))
        except ValidationError:
            errors.append(error("effective_at", None, None, "must be an ISO-8601 datetime"))

    for section, adapter in SECTION_ADAPTERS.items():
        raw = batch.get(section)
        if raw is None:
            continue
        if not isinstance(raw, list):
            errors.append(error(section, None, None, "must be a list of objects"))
            continue
        received[section] = len(raw)
        label = NODE_SECTIONS.get(section)
        if label is not None:
            claimed[label].update(
                r["id"] for r in raw if isinstance(r, dict) and isinstance(r.get("id"), str)
            )
        try:
            # Fast path: the whole section in one call (pydantic checks every item).
            rows[section] = list(enumerate(adapter.validate_python(raw)))
        except ValidationError as exc:
            section_errors = list(_pydantic_errors(section, exc))
            errors.extend(section_errors)
            bad = {e.index for e in section_errors}
            good = [i for i in range(len(raw)) if i not in bad]
            rows[section] = list(
                zip(good, adapter.validate_python([raw[i] for i in good]), strict=True)
            )
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


def _ref_values(row: Row, field_name: str, is_list: bool) -> Iterator[tuple[int | None, str]]:
    """(position in the list or None, id) for each id a reference field of ``row`` holds."""
    value = row.get(field_name)
    if value is None:
        return
    if is_list:
        yield from enumerate(value)
    else:
        yield None, value


def local_checks(parsed: ParsedBatch) -> list[FieldError]:
    """Checks that need no stored data: duplicates, self-loops, role targets."""
    errors: list[FieldError] = []
    for section in NODE_SECTIONS:
        rows = parsed.rows.get(section, [])
        if len({row["id"] for _, row in rows}) == len(rows):
            continue  # no duplicate: nothing to locate
        first: dict[str, int] = {}
        for index, row in rows:
            if row["id"] in first:
                errors.append(
                    error(
                        section,
                        index,
                        "id",
                        f"duplicate id {row['id']!r} (first at {section}[{first[row['id']]}])",
                    )
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
                errors.append(
                    error(section, index, None, f"duplicate of {section}[{seen[key]}] (same edge)")
                )
            else:
                seen[key] = index
    for index, row in parsed.rows.get("stakeholders", []):
        if row.get("reports_to") == row["id"]:
            errors.append(
                error("stakeholders", index, "reports_to", "a person cannot report to themself")
            )
        for i, manager in enumerate(row.get("dotted_reports_to") or []):
            if manager == row["id"]:
                errors.append(
                    error(
                        "stakeholders",
                        index,
                        "dotted_reports_to",
                        "a person cannot have a dotted line to themself",
                        item=i,
                    )
                )
    for index, row in parsed.rows.get("roles", []):
        on_account, on_opportunity = row.get("account_id"), row.get("opportunity_id")
        if on_account is not None and on_opportunity is not None:
            errors.append(
                error(
                    "roles", index, "opportunity_id", "give account_id or opportunity_id, not both"
                )
            )
        elif on_account is None and on_opportunity is None:
            errors.append(
                error(
                    "roles", index, "account_id", "one of account_id or opportunity_id is required"
                )
            )
    for index, row in parsed.rows.get("influences", []):
        if row["from_id"] == row["to_id"]:
            errors.append(error("influences", index, "to_id", "a person cannot influence themself"))
    return errors


def _referenced(parsed: ParsedBatch) -> dict[str, set[str]]:
    """Every id the rows reference, per label (one set operation per field)."""
    referenced: dict[str, set[str]] = {label: set() for label in LABEL_NOUN}
    for section, refs in REFERENCES.items():
        rows = [row for _, row in parsed.rows.get(section, [])]
        for field_name, label, is_list in refs:
            if is_list:
                ids = {ref for row in rows for ref in row.get(field_name) or ()}
            else:
                ids = {row.get(field_name) for row in rows}
                ids.discard(None)
            referenced[label] |= ids
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
) -> list[FieldError]:
    """Checks against the batch and the stored graph: unknown references (``wanted``
    are those :func:`references_to_resolve` looked up), cycles."""
    unknown = {label: ids - stored.existing[label] for label, ids in wanted.items()}
    errors: list[FieldError] = []
    # The rows are scanned (to say where) only for labels with an unknown id.
    for section, refs in REFERENCES.items():
        for field_name, label, is_list in refs:
            missing = unknown.get(label)
            if not missing:
                continue
            for index, row in parsed.rows.get(section, []):
                for item, ref in _ref_values(row, field_name, is_list):
                    if ref in missing:
                        errors.append(
                            error(
                                section,
                                index,
                                field_name,
                                f"unknown {LABEL_NOUN[label]} {ref!r} "
                                "(neither in this batch nor stored)",
                                item=item,
                            )
                        )
    errors.extend(_departed_errors(parsed, stored, wanted))
    errors.extend(_cycle_errors(parsed, stored.solid_managers))
    return errors


def _departed_errors(
    parsed: ParsedBatch, stored: StoredFacts, wanted: Mapping[str, set[str]]
) -> Iterator[FieldError]:
    """Rows that would open a current edge of a stored person who has left (and whom no
    row of the batch reactivates: ``wanted`` holds only ids no row defines)."""
    departed = {label: stored.departed.get(label, set()) & ids for label, ids in wanted.items()}
    for section, refs in REFERENCES.items():
        for field_name, label, is_list in refs:
            gone = departed.get(label)
            if not gone or (section, field_name) not in OPENS_CURRENT_EDGE:
                continue
            for index, row in parsed.rows.get(section, []):
                for item, ref in _ref_values(row, field_name, is_list):
                    if ref in gone:
                        yield error(
                            section,
                            index,
                            field_name,
                            f"{LABEL_NOUN[label]} {ref!r} has left; send their "
                            f"{'team_members' if label == 'TeamMember' else 'stakeholders'} "
                            "row in this batch to reactivate them",
                            item=item,
                        )


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


SECTION_ORDER = {section: i for i, section in enumerate(("effective_at", *SECTIONS))}


def sort_errors(errors: list[FieldError]) -> list[FieldError]:
    def key(e: FieldError) -> tuple[int, int, str]:
        return (SECTION_ORDER.get(e.section or "", -1), e.index or 0, e.location)

    return sorted(errors, key=key)


def validate(
    batch: Mapping[str, Any], lookup: Callable[[dict[str, set[str]], set[str]], StoredFacts]
) -> tuple[ValidBatch, list[FieldError]]:
    """Every check, in order; ``lookup`` reads the stored facts (ids, manager chains)."""
    parsed = parse_rows(batch)
    errors = parsed.errors + local_checks(parsed)
    wanted = references_to_resolve(parsed)
    stored = lookup(wanted, manager_chain_starts(parsed))
    errors += stored_checks(parsed, stored, wanted)
    valid = ValidBatch(
        rows={s: [row for _, row in indexed] for s, indexed in parsed.rows.items()},
        received=parsed.received,
        effective_at=parsed.effective_at,
    )
    return valid, sort_errors(errors)
