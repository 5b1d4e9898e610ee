"""People leaving: a stakeholder leaves the customer, or one of our team members leaves.

Per docs/graph-conventions.md ("Departure") nothing is deleted: the status becomes
``left``, ``left_at`` is set, and every current time-bound edge of the person is closed
at ``left_at`` (a stakeholder's WORKS_AT, REPORTS_TO, HAS_ROLE, CONTROLS, INFLUENCES and
our KNOWS to them; a team member's KNOWS and COVERS). Both calls are idempotent: a
second call changes nothing and reports the first ``left_at``. The statements are the
ones a batch's rows with ``left_at`` run. Each call returns its change set (the person
left, the edges closed), recorded in the departure's own transaction
(service/domain/changes.py); a second call's is empty and records nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from service.domain.changes import ChangeRecord, ChangeSet, WriteSource, record_changes
from service.domain.errors import NotFound
from service.domain.ingest.validation import as_utc
from service.graph import ingest as store
from service.graph.driver import Graph
from service.graph.values import to_native
from service.settings import Settings

# θ of docs/definitions.md ("Tie strength"), for callers without settings at hand.
DEFAULT_ACTIVE_TIE_THRESHOLD: float = Settings.model_fields["active_tie_threshold"].default


@dataclass(frozen=True)
class Departure:
    id: str
    left_at: datetime
    already_left: bool
    closed: dict[str, int]  # relationship type -> current edges closed now
    uncovered_accounts: list[str] = field(default_factory=list)  # team members only
    changes: ChangeSet | None = None  # what the departure changed (empty the second time)


def _recorder(
    left_at: datetime, now: datetime, active_tie_threshold: float, source: WriteSource
) -> store.Recorder[ChangeRecord]:
    def record(raw: store.RawChanges) -> tuple[ChangeRecord, dict[str, Any] | None]:
        return record_changes(
            raw,
            at=now,
            effective_at=left_at,
            source=source,
            active_tie_threshold=active_tie_threshold,
        )

    return record


def _when(left_at: datetime | date | None) -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return (as_utc(left_at) if left_at is not None else now), now


def depart_stakeholder(
    graph: Graph,
    stakeholder_id: str,
    left_at: datetime | date | None = None,
    *,
    active_tie_threshold: float = DEFAULT_ACTIVE_TIE_THRESHOLD,
    source: WriteSource = "api",
) -> Departure:
    at, now = _when(left_at)
    row, changes = store.depart_stakeholder(
        graph,
        stakeholder_id,
        at,
        now,
        _recorder(at, now, active_tie_threshold, source),
    )
    if row is None:
        raise NotFound(f"no stakeholder {stakeholder_id!r}")
    return Departure(
        id=row["id"],
        left_at=to_native(row["left_at"]),
        already_left=row["already"],
        closed=dict(sorted(Counter(row["closed_types"]).items())),
        changes=None if changes is None else changes.change_set(),
    )


def depart_team_member(
    graph: Graph,
    team_member_id: str,
    left_at: datetime | date | None = None,
    *,
    active_tie_threshold: float = DEFAULT_ACTIVE_TIE_THRESHOLD,
    source: WriteSource = "api",
) -> Departure:
    at, now = _when(left_at)
    row, changes = store.depart_team_member(
        graph,
        team_member_id,
        at,
        now,
        _recorder(at, now, active_tie_threshold, source),
    )
    if row is None:
        raise NotFound(f"no team member {team_member_id!r}")
    return Departure(
        id=row["id"],
        left_at=to_native(row["left_at"]),
        already_left=row["already"],
        closed=dict(sorted(Counter(row["closed_types"]).items())),
        uncovered_accounts=sorted(row["uncovered"]),
        changes=None if changes is None else changes.change_set(),
    )
