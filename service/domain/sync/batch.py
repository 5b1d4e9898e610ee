"""A :class:`CrmSnapshot` as the rows of a generic ingest batch (service/domain/ingest/rows.py).

:func:`snapshot_to_batch` writes everything today's batch can express: accounts,
stakeholders (employer, title, department, email, solid-line manager), active team
members, opportunities, the *current* buying roles, account-team coverage and the
interactions. The batch then goes through the same validation, plan and write as
``POST /v1/ingest``.

The rows state what the upload holds. What it ends is added by the write path,
:func:`service.domain.sync.apply.build_batch`, from the comparison with the stored facts
(:mod:`service.domain.sync.diff`): provenance (``source_record_id`` per row), a stance
already stored for a role the CRM restates (CRMs have none; a new role gets the
mappings' stance for its name, ``[roles.stance]``), and the ending rows — ``until`` on
roles, coverage and dotted lines, ``left_at`` on people and team members — for what a
snapshot no longer holds, for deletions (:attr:`CrmSnapshot.deletions`; deleted
records are left out of every row here) and for inactive relations and users (an
inactive ``User`` or archived owner gets no row here, since a team-member row would
reactivate them). :attr:`SyncBatch.left_out` counts, per reason, the snapshot's facts
that have no row here. A relation's ``StartDate`` (:attr:`RoleRecord.started_at`) is not
written: the batch has no start date, and a role opens at the upload's ``effective_at``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from service.domain.sync.mappings import Mappings, load_mappings
from service.domain.sync.snapshot import CrmSnapshot

__all__ = ["SyncBatch", "snapshot_to_batch"]

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SyncBatch:
    """The batch (``{"effective_at", "accounts", …}``, only non-empty sections) and, per
    reason, how many snapshot facts it leaves to the write path."""

    batch: Mapping[str, Any]
    left_out: Mapping[str, int]


def _with(row: Row, values: Mapping[str, Any], omitted: frozenset[str]) -> Row:
    """``row`` plus every value whose field was given (omitted fields stay out)."""
    row.update((k, v) for k, v in values.items() if k not in omitted)
    return row


def snapshot_to_batch(snapshot: CrmSnapshot, mappings: Mappings | None = None) -> SyncBatch:
    """The ingest batch rows of ``snapshot`` (see the module's docstring for what is left out)."""
    m = mappings or load_mappings()
    left_out: Counter[str] = Counter()
    deleted = {d.id for d in snapshot.deletions}
    left_out["deletions"] = len(snapshot.deletions)
    gone_members = {t.id for t in snapshot.team_members if not t.active}
    left_out["inactive_team_members"] = len(gone_members)

    accounts = [
        _with(
            {"id": a.id, "name": a.name},
            {"tier": a.tier, "industry": a.industry, "annual_revenue": a.annual_revenue},
            a.omitted,
        )
        for a in snapshot.accounts
        if a.id not in deleted
    ]
    stakeholders = []
    for p in snapshot.people:
        if p.id in deleted:
            continue
        values = {
            "title": p.title,
            "email": p.email,
            "department": p.department,
            "reports_to": None if p.manager_id in deleted else p.manager_id,
        }
        row = {"id": p.id, "account_id": p.account_id, "name": p.name}
        stakeholders.append(_with(row, values, p.omitted - {"manager_id"} | _manager(p.omitted)))
    team_members = [
        _with({"id": t.id, "name": t.name}, {"email": t.email}, t.omitted)
        for t in snapshot.team_members
        if t.active and t.id not in deleted
    ]
    opportunities = [
        _with(
            {"id": o.id, "account_id": o.account_id, "name": o.name},
            {
                "stage": o.stage,
                "amount": o.amount,
                "close_date": o.close_date.isoformat() if o.close_date else None,
            },
            o.omitted,
        )
        for o in snapshot.opportunities
        if o.id not in deleted
    ]

    roles: list[Row] = []
    seen_roles: set[tuple[str, str, str, str]] = set()
    for r in snapshot.roles:
        if r.ended_at is not None:
            left_out["ended_roles"] += 1
            continue
        if r.source_record_id in deleted or r.person_id in deleted or r.target_id in deleted:
            left_out["roles_of_deleted_records"] += 1
            continue
        key = (r.person_id, r.target_kind, r.target_id, r.role)
        if key in seen_roles:
            continue  # the same role from two CRM records: one edge
        seen_roles.add(key)
        target = "account_id" if r.target_kind == "account" else "opportunity_id"
        roles.append(
            {
                "stakeholder_id": r.person_id,
                "role": r.role,
                "stance": m.stance(r.role),
                target: r.target_id,
            }
        )

    coverage: list[Row] = []
    seen_cover: set[tuple[str, str]] = set()
    for a in snapshot.assignments:
        if a.team_member_id in gone_members:
            left_out["assignments_of_inactive_team_members"] += 1
            continue
        if a.source_record_id in deleted or a.account_id in deleted:
            left_out["assignments_of_deleted_records"] += 1
            continue
        if (a.team_member_id, a.account_id) in seen_cover:
            continue  # COVERS is one edge per (team member, account)
        seen_cover.add((a.team_member_id, a.account_id))
        coverage.append(
            {"team_member_id": a.team_member_id, "account_id": a.account_id, "role": a.role}
        )

    interactions: list[Row] = []
    # An upload's tasks share their days: each written once. By instant and offset (two
    # equal instants at other offsets are written apart).
    iso: dict[tuple[datetime, timedelta | None], str] = {}
    for i in snapshot.interactions:
        members = [t for t in i.team_member_ids if t not in gone_members]
        people = [p for p in i.person_ids if p not in deleted]
        if i.id in deleted or not members or not people:
            left_out["interactions_without_active_participants"] += 1
            continue
        interactions.append(
            {
                "id": i.id,
                "kind": i.kind,
                "at": iso.get(when := (i.at, i.at.utcoffset()))
                or iso.setdefault(when, i.at.isoformat()),
                "team_member_ids": members,
                "stakeholder_ids": people,
            }
        )

    sections: dict[str, list[Row]] = {
        "accounts": accounts,
        "stakeholders": stakeholders,
        "team_members": team_members,
        "opportunities": opportunities,
        "roles": roles,
        "coverage": coverage,
        "interactions": interactions,
    }
    batch: dict[str, Any] = {"effective_at": snapshot.effective_at.isoformat()}
    batch.update((name, rows) for name, rows in sections.items() if rows)
    return SyncBatch(batch, {k: n for k, n in sorted(left_out.items()) if n})


def _manager(omitted: frozenset[str]) -> frozenset[str]:
    # The snapshot calls the manager `manager_id`; the stakeholder row calls it `reports_to`.
    return frozenset({"reports_to"}) if "manager_id" in omitted else frozenset()
