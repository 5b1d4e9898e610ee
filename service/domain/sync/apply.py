"""The CRM sync's write path: a translated upload compared with the graph and written.

:func:`sync_upload` is the use case behind ``POST /v1/sync/salesforce``,
``POST /v1/sync/hubspot`` and ``powermap sync``:

1. read the stored facts the upload is compared with (``service/graph/sync.py``, one
   read transaction);
2. :func:`~service.domain.sync.diff.plan_sync`: what the upload ends (absence in a
   snapshot, deletions, inactive records) and the truncated-export guard — a refused
   upload raises :class:`MassChangeRefused` (409) before anything is written;
3. :func:`build_batch`: the generic ingest batch (``service/domain/sync/batch.py``) with
   provenance (``source_record_id`` per row), the stored stance of each role the CRM
   restates, and the ending rows (``until`` / ``left_at``);
4. the same validation, plan and write as ``POST /v1/ingest`` with the upload's
   ``source``, in ONE transaction (all or nothing), or — ``chunk_rows``, the command
   line's large uploads — in transactions of whole accounts (service/domain/ingest/
   plan.py): a crash leaves every account either whole or untouched, and running the
   same upload again finishes it, since the diff is computed afresh from what is stored.

Idempotent: the endings are computed from the *current* facts, so an upload sent twice
ends nothing the second time, every row is a no-op, and no change set is recorded.

The read (1) and the write (4) are two transactions: a write of the same source to the
same account committed in between is not seen by the diff (a snapshot says what is
current; the next one ends what it no longer holds).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import groupby
from typing import Any

from pydantic import ValidationError

from service import heap
from service.domain.changes import ChangeRecord, ChangeSet
from service.domain.errors import Conflict, FieldError, InvalidInput
from service.domain.ingest.batch import validate_batch, write_params, write_recorded
from service.domain.ingest.plan import ACCOUNT, chunk_units, plan_units, write_set_of
from service.domain.ingest.rows import EFFECTIVE_AT
from service.domain.ingest.summary import IngestSummary
from service.domain.ingest.validation import as_utc, check_size
from service.domain.sync.batch import snapshot_to_batch
from service.domain.sync.diff import (
    MassChange,
    StoredCover,
    StoredEmployment,
    StoredFacts,
    StoredLine,
    StoredPerson,
    StoredPersonState,
    StoredRole,
    StoredTeamMember,
    SyncPlan,
    fact_query,
    plan_sync,
)
from service.domain.sync.mappings import Mappings
from service.domain.sync.snapshot import CrmSnapshot, Unmapped
from service.domain.sync.unchanged import drop_unchanged
from service.graph.driver import Graph
from service.graph.ingest import EDGE_FIELDS, Tally
from service.graph.sync import SyncFactRows, read_sync_facts
from service.settings import Settings

__all__ = [
    "MassChangeRefused",
    "SyncSummary",
    "build_batch",
    "facts_from_rows",
    "kind_counts",
    "kind_counts_of_records",
    "parse_effective_at",
    "sync_upload",
]

Row = dict[str, Any]


class MassChangeRefused(Conflict):
    """A snapshot would mark more than half of an account's current people as gone."""

    slug, title = "mass-change", "The upload would remove most of an account's people"

    def __init__(self, accounts: list[MassChange]) -> None:
        listed = "; ".join(
            f"account {m.account_id}: {m.gone} of its {m.current} current people" for m in accounts
        )
        super().__init__(
            f"the snapshot would mark more than half of the current people as gone ({listed}). "
            "Is the export truncated? Nothing was written; send confirm_mass_change=true "
            "if this is right.",
            errors=[
                FieldError(
                    location=f"accounts.{m.account_id}",
                    reason=f"{m.gone} of {m.current} current people would be marked as gone",
                    section="accounts",
                    field=m.account_id,
                )
                for m in accounts
            ],
        )
        self.extensions = {
            "accounts": [
                {"account_id": m.account_id, "gone": m.gone, "current": m.current} for m in accounts
            ]
        }
        self.accounts = accounts


# -- stored facts ----------------------------------------------------------------------


def facts_from_rows(rows: SyncFactRows) -> StoredFacts:
    """The typed facts of the graph layer's rows."""

    def person(r: Mapping[str, Any]) -> StoredPerson:
        return StoredPerson(
            id=r["id"],
            name=r["name"],
            account_id=r.get("account_id"),
            source=r.get("source"),
            status=r.get("status") or "active",
        )

    return StoredFacts(
        people_at=tuple(person(r) for r in rows.people_at),
        people={r["id"]: person(r) for r in rows.people_by_id},
        roles=tuple(
            StoredRole(
                stakeholder_id=r["stakeholder_id"],
                target_kind=r["target_kind"],
                target_id=r["target_id"],
                role=r["role"],
                stance=int(r["stance"] if r["stance"] is not None else 0),
                source=r.get("source"),
                source_record_id=r.get("source_record_id"),
                account_id=r.get("account_id"),
            )
            for r in rows.roles
        ),
        lines=tuple(
            StoredLine(r["from_id"], r["to_id"], r["kind"], r.get("source")) for r in rows.reports
        ),
        covers=tuple(
            StoredCover(
                r["team_member_id"],
                r["account_id"],
                r.get("role"),
                r.get("source"),
                r.get("source_record_id"),
            )
            for r in rows.covers
        ),
        team_members={
            r["id"]: StoredTeamMember(r["id"], r["name"], r.get("status") or "active")
            for r in rows.team_members
        },
        person_states=_person_states(rows.person_states),
        interactions={
            i: signature
            for r in rows.interactions
            for i, signature in zip(r["ids"], r["signatures"], strict=True)
        },
    )


#: Values per person in ``sync/people_state``'s flat list.
_PERSON_STATE_WIDTH = 18


def _person_states(rows: list[Any]) -> dict[str, StoredPersonState]:
    """The people of ``sync/people_state`` (one row holding a flat list)."""
    states: dict[str, StoredPersonState] = {}
    for r in rows:
        flat = r["people"]
        for at in range(0, len(flat), _PERSON_STATE_WIDTH):
            (pid, name, title, email, department, seniority, status, has_left_at, source) = flat[
                at : at + 9
            ]
            employments, account, w_title, w_department, w_seniority, moved_in = flat[
                at + 9 : at + 15
            ]
            managers, manager, manager_status = flat[at + 15 : at + 18]
            states[pid] = StoredPersonState(
                id=pid,
                props={
                    "name": name,
                    "title": title,
                    "email": email,
                    "department": department,
                    "seniority": seniority,
                },
                status=status,
                has_left_at=has_left_at,
                source=source,
                employments=(
                    (StoredEmployment(account, (w_title, w_department, w_seniority), moved_in),)
                    if employments == 1
                    else ()
                ),
                managers=((manager, manager_status),) if managers == 1 else (),
                comparable=employments <= 1 and managers <= 1,
            )
    return states


# -- the batch -------------------------------------------------------------------------


def build_batch(
    snapshot: CrmSnapshot,
    plan: SyncPlan,
    mappings: Mappings,
    base: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ingest batch of an upload: the snapshot's rows with provenance and stored
    stances, then the plan's ending rows (a pure function). ``base``:
    ``snapshot_to_batch(snapshot, mappings).batch`` when already made (its rows are
    then completed in place: they are nobody else's)."""
    if base is None:
        base = snapshot_to_batch(snapshot, mappings).batch
    # Fresh rows from snapshot_to_batch: completed in place, sections in a new dict.
    batch: dict[str, Any] = {k: (list(v) if isinstance(v, list) else v) for k, v in base.items()}
    records: dict[str, dict[Any, str]] = {
        "accounts": {a.id: a.source_record_id for a in snapshot.accounts},
        "stakeholders": {p.id: p.source_record_id for p in snapshot.people},
        "team_members": {t.id: t.source_record_id for t in snapshot.team_members},
        "opportunities": {o.id: o.source_record_id for o in snapshot.opportunities},
        "interactions": {i.id: i.source_record_id for i in snapshot.interactions},
    }
    for section, by_id in records.items():
        for row in batch.get(section, []):
            if by_id.get(row["id"]):
                row["source_record_id"] = by_id[row["id"]]

    role_records: dict[tuple[str, str, str, str], str] = {}
    for r in snapshot.roles:
        if r.ended_at is None:
            role_records.setdefault(
                (r.person_id, r.target_kind, r.target_id, r.role), r.source_record_id
            )
    for row in batch.get("roles", []):
        kind = "account" if row.get("account_id") is not None else "opportunity"
        key = (row["stakeholder_id"], kind, row.get(f"{kind}_id") or "", row["role"])
        if key in plan.stances:
            row["stance"] = plan.stances[key]  # a stance set through the API stays
        if role_records.get(key):
            row["source_record_id"] = role_records[key]
    cover_records = {
        (a.team_member_id, a.account_id): a.source_record_id for a in snapshot.assignments
    }
    for row in batch.get("coverage", []):
        record = cover_records.get((row["team_member_id"], row["account_id"]))
        if record:
            row["source_record_id"] = record
    for row in batch.get("stakeholders", []):
        if row["id"] in plan.keep_manager and row.get("reports_to", "") is None:
            del row["reports_to"]  # the CRM has none; the line another source gave stays
        if row["id"] in plan.dotted:
            row["dotted_reports_to"] = plan.dotted[row["id"]]

    for section, rows in (
        ("stakeholders", plan.stakeholders_left),
        ("team_members", plan.team_members_left),
        ("roles", plan.roles),
        ("coverage", plan.coverage),
    ):
        if rows:
            batch.setdefault(section, []).extend(dict(r) for r in rows)
    return batch


# -- the summary -----------------------------------------------------------------------

#: The kinds a sync summary counts, with the label (nodes) or type (edges) they come from.
NODE_KINDS = {
    "accounts": "Account",
    "people": "Stakeholder",
    "team_members": "TeamMember",
    "opportunities": "Opportunity",
}
EDGE_KINDS = {
    "employment": "WORKS_AT",
    "reporting_lines": "REPORTS_TO",
    "roles": "HAS_ROLE",
    "coverage": "COVERS",
}


def _edge_key(kind: str, from_id: str, to_id: str, first: Any) -> tuple[Any, ...]:
    """What makes two changes the same fact (a close and an open of it = updated).
    ``first`` is the edge's first identity field: a line's kind, a role's role."""
    if kind == "WORKS_AT":
        return (from_id,)
    if kind == "REPORTS_TO" and first == "solid":
        return (from_id, "solid")
    if kind == "HAS_ROLE":
        return (from_id, to_id, first)
    return (from_id, to_id, first if kind == "REPORTS_TO" else None)


# One change set's changes as kind_counts reads them: (label, change) per node, with
# change "created", "changed" or "left"; (type, change, from id, to id, first identity
# field) per edge.
_NodeEvents = Iterable[tuple[str, str]]
_EdgeEvents = Iterable[tuple[str, str, str, str, Any]]


def _typed_events(cs: ChangeSet) -> tuple[_NodeEvents, _EdgeEvents]:
    first = {"REPORTS_TO": "kind", "HAS_ROLE": "role"}
    return (
        ((n.label, n.change) for n in cs.nodes),
        (
            (e.type, e.change, e.from_id, e.to_id, e.identity.get(first.get(e.type, "")))
            for e in cs.edges
        ),
    )


_NODE_CHANGE = {True: "created", False: "changed", "left": "left"}


def _flat_events(record: ChangeRecord) -> tuple[_NodeEvents, _EdgeEvents]:
    """The events of a change record's body: the statements' flat lists as they came
    (service/graph/ingest.py, RawChanges), read by slices, no object per change."""
    nodes: list[tuple[str, str]] = []
    for label, flat in record.body["nodes"]:
        i, size = 0, len(flat)
        while i < size:
            nodes.append((label, _NODE_CHANGE[flat[i + 1]]))
            i += 3 + 3 * flat[i + 2]
    f = EDGE_FIELDS
    edges = (
        event
        for flat in record.body["edges"]
        for event in zip(flat[0::f], flat[1::f], flat[2::f], flat[3::f], flat[6::f], strict=True)
    )
    return nodes, edges


def kind_counts(
    change_sets: Iterable[ChangeSet], given: Mapping[str, int], interactions: Mapping[str, int]
) -> dict[str, dict[str, int]]:
    """Created / updated / ended / unchanged per kind, from what the writes changed.

    Nodes: created, changed (``updated``), left (``ended``). Edges: per fact (a person's
    employer and solid-line manager, a role, a dotted line, an assignment), opened only
    = created, closed only = ended, closed and opened (a move, a new manager, another
    stance) or changed in place = updated. ``unchanged`` = the rows the upload gave of
    that kind (``given``) less those created or updated.
    """
    return _kind_counts((_typed_events(cs) for cs in change_sets), given, interactions)


def kind_counts_of_records(
    records: Iterable[ChangeRecord], given: Mapping[str, int], interactions: Mapping[str, int]
) -> dict[str, dict[str, int]]:
    """:func:`kind_counts` of the writes' change records, read from their bodies without
    building the typed change sets (an upload's first snapshot changes ≈ 800,000 edges)."""
    return _kind_counts((_flat_events(r) for r in records), given, interactions)


def _kind_counts(
    change_sets: Iterable[tuple[_NodeEvents, _EdgeEvents]],
    given: Mapping[str, int],
    interactions: Mapping[str, int],
) -> dict[str, dict[str, int]]:
    nodes: dict[str, Counter[str]] = {k: Counter() for k in NODE_KINDS}
    counts: Counter[str]
    facts: dict[str, dict[tuple[Any, ...], set[str]]] = {k: {} for k in EDGE_KINDS}
    label_kind = {v: k for k, v in NODE_KINDS.items()}
    type_kind = {v: k for k, v in EDGE_KINDS.items()}
    node_change = {"created": "created", "changed": "updated", "left": "ended"}
    for node_events, edge_events in change_sets:
        for label, node_changed in node_events:
            if label in label_kind:
                nodes[label_kind[label]][node_change[node_changed]] += 1
        employers: dict[str, dict[str, set[str]]] = {}  # person -> change -> accounts
        for kind, change, from_id, to_id, first in edge_events:
            if kind not in type_kind:
                continue
            if kind == "WORKS_AT":
                employers.setdefault(from_id, {}).setdefault(change, set()).add(to_id)
            key = _edge_key(kind, from_id, to_id, first)
            facts[type_kind[kind]].setdefault(key, set()).add(change)
        # An employment closed and reopened at the same account is a new position (title,
        # department, seniority: the person's node change counts it), not a new employer.
        for person, by_change in employers.items():
            if by_change.get("opened") and by_change.get("opened") == by_change.get("closed"):
                facts["employment"].pop((person,), None)
    out: dict[str, dict[str, int]] = {}
    for kind, counts in nodes.items():
        out[kind] = {c: counts[c] for c in ("created", "updated", "ended")}
    for kind, by_fact in facts.items():
        counts = Counter()
        for changes in by_fact.values():
            if "changed" in changes or {"opened", "closed"} <= changes:
                counts["updated"] += 1
            elif "opened" in changes:
                counts["created"] += 1
            else:
                counts["ended"] += 1
        out[kind] = {c: counts[c] for c in ("created", "updated", "ended")}
    out["interactions"] = {
        "created": interactions.get("created", 0),
        "updated": interactions.get("updated", 0),
        "ended": 0,
    }
    for kind, counts_of in out.items():
        counts_of["unchanged"] = max(
            0, given.get(kind, 0) - counts_of["created"] - counts_of["updated"]
        )
    return out


def _given(snapshot_batch: Mapping[str, Any]) -> dict[str, int]:
    """How many facts of each kind the upload states (rows without an ending)."""

    def live(section: str) -> list[Row]:
        return [
            r for r in snapshot_batch.get(section, []) if "until" not in r and "left_at" not in r
        ]

    people = live("stakeholders")
    return {
        "accounts": len(snapshot_batch.get("accounts", [])),
        "people": len(people),
        "team_members": len(live("team_members")),
        "opportunities": len(snapshot_batch.get("opportunities", [])),
        "employment": len(people),
        "reporting_lines": sum(1 for r in people if r.get("reports_to") is not None),
        "roles": len(live("roles")),
        "coverage": len(live("coverage")),
        "interactions": len(snapshot_batch.get("interactions", [])),
    }


@dataclass
class SyncSummary:
    """What a sync did: per kind created / updated / ended / unchanged, what the
    mappings did not map, what was read but ignored, and the write's own summary."""

    source: str
    mode: str
    effective_at: datetime
    write: IngestSummary
    kinds: dict[str, dict[str, int]]
    unmapped: tuple[Unmapped, ...] = ()
    ignored: Mapping[str, int] = field(default_factory=dict)
    confirmed_mass_changes: list[MassChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        write = self.write.as_dict()
        return {
            "source": self.source,
            "mode": self.mode,
            "effective_at": self.effective_at.isoformat(),
            "kinds": self.kinds,
            "unmapped": [
                {"object": u.object, "field": u.field, "value": u.value, "count": u.count}
                for u in self.unmapped
            ],
            "ignored": dict(self.ignored),
            "mass_changes_confirmed": [
                {"account_id": m.account_id, "gone": m.gone, "current": m.current}
                for m in self.confirmed_mass_changes
            ],
            "transactions": write["transactions"],
            "changes": write["changes"],
            "write": {k: write[k] for k in ("rows", "received", "nodes", "edges")},
        }


# -- the use case ----------------------------------------------------------------------


def parse_effective_at(value: object) -> datetime:
    """An upload's ``effective_at`` as the batch reads it (ISO-8601 date-time; no offset
    means UTC), in UTC; :class:`ValueError` saying why not."""
    try:
        return as_utc(EFFECTIVE_AT.validate_python(value))
    except ValidationError as exc:
        reason = exc.errors(include_url=False)[0]["msg"]
        raise ValueError(reason.removeprefix("Value error, ")) from None


def sync_upload(
    graph: Graph,
    settings: Settings,
    snapshot: CrmSnapshot,
    mappings: Mappings,
    *,
    confirm_mass_change: bool = False,
    chunk_rows: int | None = None,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> SyncSummary:
    """Compare ``snapshot`` with the graph and write it (see the module docstring).

    ``chunk_rows`` None: one transaction, capped at ``settings.ingest_max_rows`` rows
    (413 above, as ``POST /v1/ingest``); else transactions of whole accounts of about
    that many rows, no cap, ``workers`` account transactions at a time.
    ``progress(step, done, total)`` hears of each step
    (``reading``, ``validating``, ``writing`` with rows written so far).

    Raises :class:`MassChangeRefused` (409), :class:`InvalidInput` (422) and
    :class:`Conflict` (409, a concurrent reporting cycle); nothing is written then.
    """

    def step(name: str, done: int = 0, total: int = 0) -> None:
        if progress is not None:
            progress(name, done, total)

    # A command line's large upload (chunk_rows) is millions of acyclic objects alive until
    # the end: no cyclic collection rescans them while they are read, compared and
    # planned, and they are kept out of the collections during the write (service/heap.py,
    # as `powermap import`). The API's single transactions leave the collector alone.
    large = chunk_rows is not None
    with heap.collector_paused() if large else nullcontext():
        step("reading")
        query = fact_query(snapshot)
        read = partial(
            read_sync_facts,
            graph,
            accounts=query.accounts,
            people=query.people,
            record_ids=query.record_ids,
            team_members=query.team_members,
            person_states=query.person_states,
            interactions=query.interactions,
            people_by_id=query.deleted_people,
            role_accounts=query.role_accounts,
            role_opportunities=query.role_opportunities,
        )
        if large and workers > 1:
            # The read's statements run side by side on the server while this thread
            # turns the snapshot into batch rows (which needs no stored fact).
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-read") as reader:
                reading = reader.submit(read, parallel=workers)
                base = snapshot_to_batch(snapshot, mappings).batch
                rows = reading.result()
        else:
            rows = read()
            base = None
        facts = facts_from_rows(rows)
        plan = plan_sync(snapshot, facts)
        if plan.mass_changes and not confirm_mass_change:
            raise MassChangeRefused(plan.mass_changes)
        batch = build_batch(snapshot, plan, mappings, base)
        if chunk_rows is None:
            check_size(batch, settings.ingest_max_rows)
        # Rows whose write would change nothing are left out (service/domain/sync/unchanged.py):
        # an identical upload then validates and writes almost nothing.
        changing, unchanged = drop_unchanged(batch, facts)
        step("validating")
        try:
            valid = validate_batch(graph, changing, settings.max_listed_errors)
        except InvalidInput as exc:
            raise _upload_problem(exc, snapshot, changing) from exc
        now = datetime.now(UTC)
        effective_at = snapshot.effective_at
        # The rows of the whole upload, written or found unchanged.
        received = {k: len(v) for k, v in batch.items() if isinstance(v, list)}
        summary = IngestSummary(effective_at=effective_at, received=received)
        units = plan_units(valid)
        total = sum(u.rows for u in units)
    step("writing", 0, total)
    records: list[ChangeRecord] = []

    def add(written: tuple[Tally, ChangeRecord]) -> None:
        # A large upload keeps no typed change set (its counts come from the records).
        summary.add(*written, keep=not large)
        records.append(written[1])

    with heap.frozen_during() if large else nullcontext():
        if not units:
            summary.change_sets.append(
                ChangeSet(id=None, at=now, effective_at=effective_at, source=snapshot.source)
            )
        else:
            params = write_params(settings, effective_at, now, snapshot.source)
            if chunk_rows is None:
                add(write_recorded(graph, write_set_of(units), params, what="upload"))
                step("writing", total, total)
            else:
                done = 0
                # Team members first, then the accounts (``workers`` at a time: accounts share
                # no nodes but team members), then the rows spanning accounts; each phase
                # finished before the next starts (as ``powermap import``).
                for phase, group in groupby(chunk_units(units, chunk_rows), key=lambda c: c.phase):
                    if phase != ACCOUNT or workers == 1:
                        for chunk in group:
                            add(write_recorded(graph, chunk.write_set, params, what="upload"))
                            done += chunk.rows
                            step("writing", done, total)
                        continue
                    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync")
                    try:
                        futures = {
                            pool.submit(
                                write_recorded, graph, c.write_set, params, what="upload"
                            ): c
                            for c in group
                        }
                        for future in as_completed(futures):
                            add(future.result())
                            done += futures[future].rows
                            step("writing", done, total)
                    finally:
                        # On a failure, transactions not yet started are dropped: whole accounts.
                        pool.shutdown(wait=True, cancel_futures=True)
    interactions = summary.nodes.get("Interaction", {})
    ignored = Counter(dict(snapshot.ignored))
    ignored.update(plan.ignored)
    return SyncSummary(
        source=snapshot.source,
        mode=snapshot.mode,
        effective_at=effective_at,
        write=summary,
        kinds=kind_counts_of_records(records, _given(batch), interactions),
        unmapped=snapshot.unmapped,
        ignored=dict(sorted(ignored.items())),
        confirmed_mass_changes=plan.mass_changes,
    )


# -- batch problems in the upload's terms ------------------------------------------------

#: batch section -> (CRM part, {batch field: CRM column}) per source.
_PARTS: Mapping[str, Mapping[str, tuple[str, Mapping[str, str]]]] = {
    "salesforce": {
        "accounts": ("Account", {"id": "Id"}),
        "stakeholders": (
            "Contact",
            {"id": "Id", "account_id": "AccountId", "reports_to": "ReportsToId"},
        ),
        "team_members": ("User", {"id": "Id"}),
        "opportunities": ("Opportunity", {"id": "Id", "account_id": "AccountId"}),
        "roles": (
            "AccountContactRelation/OpportunityContactRole",
            {
                "stakeholder_id": "ContactId",
                "account_id": "AccountId",
                "opportunity_id": "OpportunityId",
            },
        ),
        "coverage": ("AccountTeamMember", {"team_member_id": "UserId", "account_id": "AccountId"}),
        "interactions": (
            "Task/Event",
            {"team_member_ids": "OwnerId", "stakeholder_ids": "WhoId"},
        ),
    },
    "hubspot": {
        "accounts": ("companies", {"id": "id"}),
        "stakeholders": (
            "contacts",
            {"id": "id", "account_id": "associations", "reports_to": "associations"},
        ),
        "team_members": ("owners", {"id": "id"}),
        "opportunities": ("deals", {"id": "id", "account_id": "associations"}),
        "roles": ("contacts", {"stakeholder_id": "id", "account_id": "properties.hs_buying_role"}),
        "coverage": ("companies", {"team_member_id": "properties.hubspot_owner_id"}),
        "interactions": (
            "meetings/calls/emails",
            {"team_member_ids": "properties.hubspot_owner_id", "stakeholder_ids": "associations"},
        ),
    },
}


def _upload_problem(
    exc: InvalidInput, snapshot: CrmSnapshot, batch: Mapping[str, Any]
) -> InvalidInput:
    """The batch's refusal, each problem named in the upload's terms: the part, the
    record (by its CRM id: batch rows no longer know their line) and the column."""
    parts = _PARTS[snapshot.source]
    errors = []
    for e in exc.errors:
        part, columns = parts.get(e.section or "", (e.section or "upload", {}))
        column = columns.get(e.field or "", e.field or "")
        where = part
        rows = batch.get(e.section or "")
        if isinstance(rows, list) and e.index is not None and 0 <= e.index < len(rows):
            row = rows[e.index]
            record = row.get("source_record_id") or row.get("id") or row.get("stakeholder_id")
            if record:
                where = f"{part}[Id {record}]"
        errors.append(
            FieldError(
                location=f"{where}.{column}" if column else where,
                reason=f"{e.reason} (batch row {e.location})",
                section=part,
                field=column or None,
            )
        )
    return InvalidInput(
        f"the upload translates into rows the ingest refuses: {exc.detail}",
        errors=errors,
        error_count=exc.error_count,
    )
