"""An account's changes feed (``GET /v1/accounts/{id}/changes``): what changed at the
account, in time order, read from the recorded change sets (docs/changes-feed.md).

Every write records one :class:`~service.domain.changes.ChangeSet` (nodes created,
changed or left; edges opened, closed or changed; ties crossing the activity threshold),
found by the accounts it touched. :func:`feed_entries` turns one change set into the
account's feed items — pure, one rule per type — and :func:`account_changes` reads the
account's change sets, keeps the items of the window after the cursor's position and
names the people.

**When.** An item's ``at`` is the effective time of the change, not the wall-clock of
the write: an edge opened at its ``since``, an edge closed at its ``until``, a
property change (a new title) or an in-place change (a COVERS role) at the write's
``effective_at``, a departure at its ``left_at``, a tie crossing θ when the change set
says it crossed (docs/graph-conventions.md, "Change sets"). A batch back-dated to the
QBR therefore shows its changes at the QBR.

**Order.** ``at``, then the write order of the change sets (their record time and id),
then a fixed order of the types inside one change set (:data:`CHANGE_TYPES`), then the
person's id, then the change set's own (sorted) order. That position is unique and
stable; the cursor carries it.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, get_args

from pydantic import Field

from service.domain.analytics.answers import Answer
from service.domain.changes import ChangeSet, EdgeChange, NodeChange, recorded_change_sets
from service.domain.errors import FieldError, InvalidInput, NotFound
from service.domain.ingest.validation import as_utc
from service.graph import change_feed
from service.graph.driver import Graph

__all__ = [
    "CHANGE_TYPES",
    "ChangeItem",
    "ChangeType",
    "FeedEntry",
    "account_changes",
    "cursor_after",
    "cursor_of",
    "feed_entries",
]

ChangeType = Literal[
    "joined",
    "left",
    "moved_in",
    "moved_out",
    "manager_changed",
    "title_changed",
    "role_started",
    "role_ended",
    "control_started",
    "control_ended",
    "coverage_started",
    "coverage_ended",
    "tie_activated",
    "tie_went_dark",
]
#: Every type, in the order items of one change set at one instant are listed.
CHANGE_TYPES: tuple[ChangeType, ...] = get_args(ChangeType)
_TYPE_ORDER = {name: i for i, name in enumerate(CHANGE_TYPES)}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

PersonLabel = Literal["Stakeholder", "TeamMember"]


class ChangeItem(Answer):
    """One change at the account (docs/changes-feed.md lists every type's values)."""

    at: datetime = Field(description="When the change took effect (UTC), not when it was written")
    type: ChangeType
    person_id: str = Field(description="The stakeholder it is about (a team member for coverage_*)")
    person_name: str | None = Field(
        description="Their name as the change recorded it, else their current name"
    )
    before: dict[str, Any] | None = Field(description="The changed values before; null: none")
    after: dict[str, Any] | None = Field(description="The changed values after; null: none")
    source: str = Field(description="Where the write came from: api, salesforce, hubspot, …")


@dataclass(frozen=True)
class FeedEntry:
    """One feed item before naming: where it sorts (``key``) and what it says."""

    key: tuple[int, int, str, int]  # at µs, change set's at µs, change set id, ordinal
    at: datetime
    type: ChangeType
    person_label: PersonLabel
    person_id: str
    recorded_name: str | None  # the name the change set recorded, if any
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source: str


# -- one change set -> the account's items ----------------------------------------------


@dataclass(frozen=True)
class _Draft:
    at: datetime
    type: ChangeType
    person_label: PersonLabel
    person_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def feed_entries(change_set: ChangeSet, account_id: str) -> list[FeedEntry]:
    """The items of ``account_id`` in one recorded change set, in their order."""
    cs = change_set
    drafts: list[_Draft] = []
    drafts += _employment(cs, account_id)
    drafts += _departures(cs, account_id)
    drafts += _titles(cs, account_id)
    drafts += _managers(cs, account_id)
    drafts += _paired(cs, account_id, "HAS_ROLE", "role", _role_values)
    drafts += _paired(cs, account_id, "CONTROLS", "control", _control_values)
    drafts += _coverage(cs, account_id)
    drafts += _ties(cs, account_id)
    # Stable: drafts of one type and person keep the change set's (sorted) order.
    drafts.sort(key=lambda d: (d.at, _TYPE_ORDER[d.type], d.person_id))
    names = _recorded_names(cs.nodes)
    written, cs_id = _micros(cs.at), cs.id or ""
    return [
        FeedEntry(
            key=(_micros(d.at), written, cs_id, ordinal),
            at=d.at,
            type=d.type,
            person_label=d.person_label,
            person_id=d.person_id,
            recorded_name=names.get((d.person_label, d.person_id)),
            before=d.before,
            after=d.after,
            source=cs.source,
        )
        for ordinal, d in enumerate(drafts)
    ]


def _employment(cs: ChangeSet, account_id: str) -> list[_Draft]:
    """WORKS_AT: opened alone = joined, closed alone = left; a person's WORKS_AT closed
    and another opened in the same write = a move (moved_out at the old account,
    moved_in at the new one). Closed and reopened to the same account is no change of
    employer (a history correction) and no item."""
    works = [e for e in cs.edges if e.type == "WORKS_AT"]
    opened = {e.from_id: e for e in works if e.change == "opened"}
    closed = {e.from_id: e for e in works if e.change == "closed"}
    drafts: list[_Draft] = []
    for e in works:
        if e.account != account_id:
            continue
        here = {"account_id": e.to_id}
        if e.change == "opened":
            old = closed.get(e.from_id)
            if old is None:
                drafts.append(_draft(_since(e, cs), "joined", e.from_id, None, here))
            elif old.to_id != e.to_id:
                before = {"account_id": old.to_id}
                drafts.append(_draft(_since(e, cs), "moved_in", e.from_id, before, here))
        elif e.change == "closed":
            new = opened.get(e.from_id)
            if new is None:
                drafts.append(_draft(_until(e, cs), "left", e.from_id, here, None))
            elif new.to_id != e.to_id:
                after = {"account_id": new.to_id}
                drafts.append(_draft(_until(e, cs), "moved_out", e.from_id, here, after))
    return drafts


def _departures(cs: ChangeSet, account_id: str) -> list[_Draft]:
    """A stakeholder marked as left whose employment this write did not close (they had
    none current): ``left`` at their ``left_at``. With a closed WORKS_AT the item comes
    from :func:`_employment` instead, once."""
    ended = {e.from_id for e in cs.edges if e.type == "WORKS_AT" and e.change == "closed"}
    drafts: list[_Draft] = []
    for n in cs.nodes:
        if n.label != "Stakeholder" or n.account != account_id or n.id in ended:
            continue
        values = {v.name: v for v in n.values}
        status = values.get("status")
        if n.change != "left" and (status is None or status.after != "left"):
            continue
        left_at = values.get("left_at")
        at = _instant(left_at.after if left_at is not None else None) or cs.effective_at
        drafts.append(_draft(at, "left", n.id, {"account_id": account_id}, None))
    return drafts


def _titles(cs: ChangeSet, account_id: str) -> list[_Draft]:
    """A stored stakeholder's title changed (a new person's title is part of joining)."""
    drafts: list[_Draft] = []
    for n in cs.nodes:
        if n.label != "Stakeholder" or n.account != account_id or n.change == "created":
            continue
        for v in n.values:
            if v.name == "title":
                drafts.append(
                    _draft(
                        cs.effective_at,
                        "title_changed",
                        n.id,
                        {"title": v.before},
                        {"title": v.after},
                    )
                )
    return drafts


def _managers(cs: ChangeSet, account_id: str) -> list[_Draft]:
    """REPORTS_TO: a person's solid line closed and another opened in one write is one
    item (old and new manager); a line opened or closed alone (solid or dotted) is an
    item with the other side null. A mover's lines ended by the move are the old
    account's."""
    # A line belongs to the account of the person who reports, after the write; a line
    # of theirs closed by the write that moved them belongs to the account they left.
    works = [e for e in cs.edges if e.type == "WORKS_AT"]
    joined = {e.from_id: e.to_id for e in works if e.change == "opened"}
    moved_from = {
        e.from_id: e.to_id
        for e in works
        if e.change == "closed" and joined.get(e.from_id, e.to_id) != e.to_id
    }

    def account_of(e: EdgeChange) -> str | None:
        if e.change == "closed" and e.from_id in moved_from:
            return moved_from[e.from_id]
        return e.account

    lines = [e for e in cs.edges if e.type == "REPORTS_TO" and account_of(e) == account_id]

    def values(e: EdgeChange) -> dict[str, Any]:
        return {"manager_id": e.to_id, "kind": e.identity.get("kind", "solid")}

    solid_closed = {
        e.from_id: e for e in lines if e.change == "closed" and values(e)["kind"] == "solid"
    }
    solid_opened = {
        e.from_id: e for e in lines if e.change == "opened" and values(e)["kind"] == "solid"
    }
    drafts: list[_Draft] = []
    for e in lines:
        solid = values(e)["kind"] == "solid"
        if e.change == "opened":
            old = solid_closed.get(e.from_id) if solid else None
            if old is not None and old.to_id == e.to_id:
                continue  # the same line, re-dated: no change of manager
            before = values(old) if old is not None else None
            drafts.append(_draft(_since(e, cs), "manager_changed", e.from_id, before, values(e)))
        elif e.change == "closed":
            if solid and e.from_id in solid_opened:
                continue  # told by the opened line's item
            drafts.append(_draft(_until(e, cs), "manager_changed", e.from_id, values(e), None))
    return drafts


def _role_values(e: EdgeChange) -> dict[str, Any]:
    return {
        "role": e.identity.get("role"),
        "stance": e.identity.get("stance"),
        "target_type": e.identity.get("target", "account"),
        "target_id": e.to_id,
    }


def _control_values(e: EdgeChange) -> dict[str, Any]:
    return {"budget_id": e.to_id, "authority": e.identity.get("authority")}


def _paired(
    cs: ChangeSet,
    account_id: str,
    edge_type: str,
    kind: Literal["role", "control"],
    values: Any,
) -> list[_Draft]:
    """HAS_ROLE / CONTROLS: opened = started, closed = ended; closed and reopened in one
    write with other values (a role's new stance, a budget's new authority) is one
    ``*_started`` item whose ``before`` holds the old values."""
    started: ChangeType = "role_started" if kind == "role" else "control_started"
    ended: ChangeType = "role_ended" if kind == "role" else "control_ended"

    def identity(e: EdgeChange) -> tuple[Any, ...]:
        if edge_type == "HAS_ROLE":
            return (e.from_id, e.to_id, e.identity.get("role"))
        return (e.from_id, e.to_id)

    edges = [e for e in cs.edges if e.type == edge_type and e.account == account_id]
    closed = {identity(e): e for e in edges if e.change == "closed"}
    opened = {identity(e): e for e in edges if e.change == "opened"}
    drafts: list[_Draft] = []
    for e in edges:
        if e.change == "opened":
            old = closed.get(identity(e))
            before = values(old) if old is not None else None
            if before == values(e):
                continue
            drafts.append(_draft(_since(e, cs), started, e.from_id, before, values(e)))
        elif e.change == "closed" and identity(e) not in opened:
            drafts.append(_draft(_until(e, cs), ended, e.from_id, values(e), None))
    return drafts


def _coverage(cs: ChangeSet, account_id: str) -> list[_Draft]:
    """COVERS (about one of our team members): opened = coverage_started, closed (or
    removed) = coverage_ended; a role changed in place, or closed and reopened with
    another role in one write, is one coverage_started whose ``before`` holds the old
    role."""
    edges = [e for e in cs.edges if e.type == "COVERS" and e.account == account_id]
    closed = {(e.from_id, e.to_id): e for e in edges if e.change == "closed"}
    opened = {(e.from_id, e.to_id): e for e in edges if e.change == "opened"}
    drafts: list[_Draft] = []
    for e in edges:
        pair = (e.from_id, e.to_id)
        role = {"role": e.identity.get("role")}
        if e.change == "opened":
            old = closed.get(pair)
            before = {"role": old.identity.get("role")} if old is not None else None
            if before == role:
                continue
            drafts.append(
                _draft(_since(e, cs), "coverage_started", e.from_id, before, role, "TeamMember")
            )
        elif e.change == "closed" and pair not in opened:
            drafts.append(
                _draft(_until(e, cs), "coverage_ended", e.from_id, role, None, "TeamMember")
            )
        elif e.change == "changed":
            change = {v.name: v for v in e.values}.get("role")
            if change is None or change.before == change.after:
                continue
            drafts.append(
                _draft(
                    cs.effective_at,
                    "coverage_started",
                    e.from_id,
                    {"role": change.before},
                    {"role": change.after},
                    "TeamMember",
                )
            )
    return drafts


def _ties(cs: ChangeSet, account_id: str) -> list[_Draft]:
    """Ties of our team members to the account's people that crossed the activity
    threshold in this write, at the time the change set gives the crossing."""
    drafts: list[_Draft] = []
    for t in cs.ties:
        if t.account != account_id:
            continue
        before = (
            None
            if t.strength_before is None
            else {"team_member_id": t.team_member_id, "strength": t.strength_before}
        )
        after = (
            None
            if t.strength_after is None
            else {"team_member_id": t.team_member_id, "strength": t.strength_after}
        )
        drafts.append(_draft(t.at, t.change, t.stakeholder_id, before, after))
    return drafts


def _draft(
    at: datetime,
    type_: ChangeType,
    person_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    label: PersonLabel = "Stakeholder",
) -> _Draft:
    return _Draft(at, type_, label, person_id, before, after)


def _since(e: EdgeChange, cs: ChangeSet) -> datetime:
    # COVERS and INFLUENCES recorded without since/until take the write's effective time.
    return e.since if e.since is not None else cs.effective_at


def _until(e: EdgeChange, cs: ChangeSet) -> datetime:
    return e.until if e.until is not None else cs.effective_at


def _recorded_names(nodes: Iterable[NodeChange]) -> dict[tuple[str, str], str | None]:
    """The names a change set recorded (a person created or renamed by the write)."""
    names: dict[tuple[str, str], str | None] = {}
    for n in nodes:
        for v in n.values:
            if v.name == "name" and (v.after is not None or v.before is not None):
                names[(n.label, n.id)] = v.after if v.after is not None else v.before
    return names


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


# -- the cursor's position ---------------------------------------------------------------


def cursor_of(entry: FeedEntry) -> str:
    """The position after an item, as the string the API's opaque cursor wraps."""
    return json.dumps(list(entry.key), separators=(",", ":"))


def cursor_after(position: str) -> tuple[int, int, str, int] | None:
    """Parse :func:`cursor_of`'s string (``""``: the first page); 422 when malformed."""
    if not position:
        return None
    try:
        key = json.loads(position)
        if not isinstance(key, list) or len(key) != 4:
            raise ValueError("shape")
        at, written, cs_id, ordinal = key
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (at, written, ordinal)):
            raise ValueError("numbers")
        if not isinstance(cs_id, str) or ordinal < 0:
            raise ValueError("id")
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            "the cursor is not one this service issued; use next_cursor from the previous page",
            errors=[FieldError("query.cursor", "not a valid cursor", field="cursor")],
        ) from exc
    return (at, written, cs_id, ordinal)


# -- the use case ------------------------------------------------------------------------


def account_changes(
    graph: Graph,
    account_id: str,
    *,
    since: datetime | date | None,
    until: datetime | date | None,
    after: str,
    limit: int,
) -> tuple[list[ChangeItem], str | None]:
    """One page of the account's changes with ``since <= at < until`` (a date: 00:00
    UTC of that day), after the position ``after`` (``""``: the first page), and the
    position after its last item (None on the last page). 404 for an unknown account,
    422 for a malformed position or ``until`` before ``since``."""
    position = cursor_after(after)
    start = as_utc(since) if since is not None else None
    end = as_utc(until) if until is not None else None
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            "until is before since: the window would be empty",
            errors=[FieldError("query.until", "must not be before since", field="until")],
        )
    if not change_feed.account_exists(graph, account_id):
        raise NotFound(f"no account with id {account_id!r}")
    wanted = (
        entry
        for change_set in recorded_change_sets(graph, account_id)
        for entry in feed_entries(change_set, account_id)
        if (start is None or entry.at >= start)
        and (end is None or entry.at < end)
        and (position is None or entry.key > position)
    )
    entries = heapq.nsmallest(limit + 1, wanted, key=lambda e: e.key)
    page, more = entries[:limit], len(entries) > limit
    return _named(graph, page), (cursor_of(page[-1]) if more else None)


def _named(graph: Graph, page: list[FeedEntry]) -> list[ChangeItem]:
    """The page's items with the people's names: recorded with the change, else read."""
    missing = [e for e in page if e.recorded_name is None]
    current: Mapping[tuple[str, str], str | None] = change_feed.current_names(
        graph,
        (e.person_id for e in missing if e.person_label == "Stakeholder"),
        (e.person_id for e in missing if e.person_label == "TeamMember"),
    )
    return [
        ChangeItem(
            at=e.at,
            type=e.type,
            person_id=e.person_id,
            person_name=(
                e.recorded_name
                if e.recorded_name is not None
                else current.get((e.person_label, e.person_id))
            ),
            before=e.before,
            after=e.after,
            source=e.source,
        )
        for e in page
    ]
