"""What a write changed: the typed change set every write (ingest, import chunk,
departure) returns and records in the graph in its own transaction.

A :class:`ChangeSet` lists the accounts the write touched, the nodes it created,
changed or marked as left (with before/after values of the properties a changes feed
shows), the edges it opened, closed or changed (time-bound edges with their
``since``/``until``), and the
ties that crossed the activity threshold. It is computed exactly from what each write
statement did (docs/graph-conventions.md, "Change sets"): a re-sent batch changes
nothing, so its change set is empty and nothing is recorded.

The record is one isolated ``ChangeSet`` bookkeeping node per write (no relationship:
the analyst guard relies on bookkeeping nodes standing alone), holding the write's id,
time, source, the touched account ids (a full-text-indexed list) and the changes as
JSON (:meth:`ChangeSet.from_record` reads it back). This is the seam the CRM sync's
changes feed and the alerts' outbox build on.

A write does not build the typed objects: an import writes hundreds of thousands of
changes and needs only their counts. :func:`record_changes` turns what the statements
returned (flat lists, :class:`service.graph.ingest.RawChanges`) into a
:class:`ChangeRecord` — id, touched accounts, counts, and the record's JSON, encoded
from those lists as they are — and :meth:`ChangeRecord.change_set` builds the typed
:class:`ChangeSet` from the same body only when a caller asks for it, exactly as
:meth:`ChangeSet.from_record` builds it from the record.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter
from typing import Any, Literal

import orjson

from service.graph.driver import Graph
from service.graph.ingest import (
    EDGE_FIELDS,
    IDENTITY_FIELDS,
    TRACKED_PROPERTIES,
    RawChanges,
    edge_account_key,
    read_change_sets,
)
from service.graph.values import to_native

__all__ = [
    "TRACKED_PROPERTIES",
    "ChangeSet",
    "EdgeChange",
    "NodeChange",
    "PropertyChange",
    "ChangeRecord",
    "TieActivity",
    "WriteSource",
    "record_changes",
    "recorded_change_sets",
]

Source = Literal["api", "salesforce", "hubspot", "interactions", "demo"]
#: Where a write comes from (its change set's ``source``, and the ``source`` of every node
#: it creates and time-bound edge it opens); ``interactions`` is only ever a derived tie's.
WriteSource = Literal["api", "salesforce", "hubspot", "demo"]
NodeChangeKind = Literal["created", "changed", "left"]
EdgeChangeKind = Literal["opened", "closed", "changed"]
TieCrossing = Literal["tie_activated", "tie_went_dark"]

# The names of the values an edge changed in place lists (its two before/after pairs),
# by type; a KNOWS tie derived from interactions changes its strength and last contact,
# an explicit one its last contact only.
_VALUE_NAMES: Mapping[str, tuple[str, ...]] = {
    "COVERS": ("role",),
    "INFLUENCES": ("strength",),
    "KNOWS": ("last_contact",),
}
_DERIVED_TIE_VALUES = ("strength", "last_contact")
_CHANGED: dict[bool, NodeChangeKind] = {True: "created", False: "changed"}  # the `created` flag
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PropertyChange:
    """One property's value before and after (None: absent); dates and datetimes as
    ISO-8601 text (UTC), as the record keeps them."""

    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class NodeChange:
    """A node the write created, changed, or marked as left (a departure)."""

    change: NodeChangeKind
    label: str
    id: str
    account: str | None  # the account it belongs to (None: a team member)
    changed: tuple[str, ...] = ()  # every property whose value changed, sorted
    values: tuple[PropertyChange, ...] = ()  # before/after of the tracked ones


@dataclass(frozen=True)
class EdgeChange:
    """An edge the write opened, closed (``until`` set) or changed in place (``values``:
    KNOWS strength/last_contact; records written before INFLUENCES and COVERS kept
    history may hold a COVERS role or an INFLUENCES strength).

    ``identity`` holds what tells the edge apart and what it says: ``kind`` (REPORTS_TO),
    ``role``/``stance``/``target`` (HAS_ROLE), ``authority`` (CONTROLS),
    ``source``/``strength`` (KNOWS), ``role`` (COVERS), ``strength`` (INFLUENCES).
    """

    change: EdgeChangeKind
    type: str
    from_id: str
    to_id: str
    account: str | None  # the account the edge belongs to
    since: datetime | None = None
    until: datetime | None = None
    identity: Mapping[str, Any] = field(default_factory=dict)
    values: tuple[PropertyChange, ...] = ()


@dataclass(frozen=True)
class TieActivity:
    """A KNOWS tie crossing the activity threshold (docs/definitions.md, "Tie strength")
    in this write: opened, strengthened or closed across θ."""

    change: TieCrossing
    team_member_id: str
    stakeholder_id: str
    account: str | None
    at: datetime
    strength_before: float | None
    strength_after: float | None


@dataclass(frozen=True)
class ChangeSet:
    """Everything one committed write changed. ``id`` is that of its recorded
    ``ChangeSet`` node, or None when the write changed nothing (nothing is recorded)."""

    id: str | None
    at: datetime  # when the write ran
    effective_at: datetime  # the since/until it used
    source: Source
    accounts: tuple[str, ...] = ()
    nodes: tuple[NodeChange, ...] = ()
    edges: tuple[EdgeChange, ...] = ()
    ties: tuple[TieActivity, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.nodes or self.edges)

    def summary(self) -> dict[str, Any]:
        """Counts per kind of change, for API responses."""
        return summarize([self])

    @classmethod
    def from_record(cls, props: Mapping[str, Any]) -> ChangeSet:
        """A change set read back from its recorded node (times as datetimes again;
        property values as JSON keeps them: dates and datetimes as ISO text)."""
        return _typed(
            json.loads(props["changes"]),
            id=props["id"],
            at=to_native(props["at"]),
            effective_at=to_native(props["effective_at"]),
            source=props["source"],
            accounts=tuple(props["account_ids"]),
        )


@dataclass(frozen=True)
class ChangeRecord:
    """What one write changed, as recorded: the recorded node's ``id`` (None: nothing
    changed, nothing recorded), the touched ``accounts``, ``counts`` per kind of change
    (nodes created/changed/left, edges opened/closed/changed, ties activated/went dark)
    and the record's body; :meth:`change_set` is the typed change set."""

    id: str | None
    at: datetime
    effective_at: datetime
    source: Source
    accounts: tuple[str, ...]
    counts: Mapping[str, Mapping[str, int]]
    body: Mapping[str, Any]

    @property
    def empty(self) -> bool:
        return self.id is None

    def change_set(self) -> ChangeSet:
        """The typed change set (built now: a large import never asks for it)."""
        return _typed(
            self.body,
            id=self.id,
            at=self.at,
            effective_at=self.effective_at,
            source=self.source,
            accounts=self.accounts,
        )


def summarize(change_sets: Sequence[ChangeSet]) -> dict[str, Any]:
    """Counts over several change sets (an import's chunks), for API/CLI summaries."""
    nodes = {"created": 0, "changed": 0, "left": 0}
    edges = {"opened": 0, "closed": 0, "changed": 0}
    accounts: set[str] = set()
    ids: list[str] = []
    ties = 0
    for cs in change_sets:
        accounts.update(cs.accounts)
        if cs.id is not None:
            ids.append(cs.id)
        for n in cs.nodes:
            nodes[n.change] += 1
        for e in cs.edges:
            edges[e.change] += 1
        ties += len(cs.ties)
    return {
        "change_set_ids": ids,
        "accounts": sorted(accounts),
        "nodes": nodes,
        "edges": edges,
        "ties_crossing_threshold": ties,
    }


def recorded_change_sets(graph: Graph, account_id: str | None = None) -> list[ChangeSet]:
    """The recorded change sets, in write order; with ``account_id`` those that touched
    that account."""
    return [ChangeSet.from_record(r) for r in read_change_sets(graph, account_id)]


# -- from what the statements returned to the record, and to the typed change set -----


def record_changes(
    raw: RawChanges,
    *,
    at: datetime,
    effective_at: datetime,
    source: Source,
    active_tie_threshold: float,
) -> tuple[ChangeRecord, dict[str, Any] | None]:
    """The change record of one transaction's raw statement results, and the properties
    of its ``ChangeSet`` node (None when nothing changed: nothing is recorded).

    No object is made per change: the body is the statements' flat lists as they came,
    the accounts their changes name, and the few ties that crossed θ; counts come from
    slices of the lists.
    """
    edge_counts = {"opened": 0, "closed": 0, "changed": 0}
    for flat in raw.edges:
        for kind, n in Counter(flat[1::EDGE_FIELDS]).items():
            edge_counts[kind] += n
    node_counts = {"created": 0, "changed": 0, "left": 0}
    if raw.node_count:
        for _, flat in raw.nodes:
            i, size = 0, len(flat)
            while i < size:
                change = flat[i + 1]
                node_counts[_CHANGED[change] if change is True or change is False else change] += 1
                i += 3 + 3 * flat[i + 2]
    ties = _ties(raw, active_tie_threshold, effective_at)
    tie_counts = {"tie_activated": 0, "tie_went_dark": 0}
    for tie in ties:
        tie_counts[tie[0]] += 1
    accounts: set[str | None] = set(raw.direct)
    for by_id in raw.accounts.values():
        accounts.update(by_id.values())
    accounts.discard(None)
    changed = bool(raw.node_count or raw.edges)
    body = {
        "nodes": [list(part) for part in raw.nodes],
        "edges": list(raw.edges),
        "accounts": {label: by_id for label, by_id in raw.accounts.items() if by_id},
        "ties": ties,
    }
    record = ChangeRecord(
        id=str(uuid.uuid4()) if changed else None,
        at=at,
        effective_at=effective_at,
        source=source,
        accounts=tuple(sorted(a for a in accounts if a is not None)),
        counts={"nodes": node_counts, "edges": edge_counts, "ties": tie_counts},
        body=body,
    )
    if not changed:
        return record, None
    return record, {
        "id": record.id,
        "at": at,
        "effective_at": effective_at,
        "source": source,
        "account_ids": list(record.accounts),
        "node_count": raw.node_count,
        "edge_count": sum(edge_counts.values()),
        # orjson: a large write's body holds millions of values, which the standard
        # library encodes about seven times slower (≈ 0.7 s of client CPU per 100k
        # stakeholders). The text differs only where JSON allows it (non-ASCII as UTF-8
        # rather than \u escapes, a float's exponent); it reads back to the same values.
        "changes": orjson.dumps(
            body, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME
        ).decode(),
        # Not yet evaluated for the watches (docs/alerts.md): the alerts evaluator
        # removes the flag in the transaction that stores what it made of this write.
        "alerts_pending": True,
    }


def _ties(raw: RawChanges, theta: float, effective_at: datetime) -> list[list[Any]]:
    """KNOWS ties whose activity (strength ≥ θ) differs before and after this write, per
    (team member, stakeholder): the write's closed and opened edges of a pair are one
    tie's before and after, taken in the change set's order of edges. Each as
    [change, team member, stakeholder, account, at µs, strength before, after]."""
    entries: list[tuple[Any, ...]] = []  # from, to, since, change, until, source, strength, b1
    f = EDGE_FIELDS
    for flat in raw.edges:
        types = flat[0::f]
        if "KNOWS" not in types:
            continue
        rows = zip(
            flat[2::f],
            flat[3::f],
            flat[4::f],
            flat[1::f],
            flat[5::f],
            flat[6::f],
            flat[7::f],
            flat[9::f],
            strict=True,
        )
        if types.count("KNOWS") == len(types):
            entries.extend(rows)
        else:
            entries.extend(row for row, kind in zip(rows, types, strict=True) if kind == "KNOWS")
    if not entries:
        return []
    groups: Iterable[Sequence[tuple[Any, ...]]]
    if len({(e[0], e[1]) for e in entries}) == len(entries):
        groups = [(e,) for e in entries]  # one change per pair: the usual case
    else:
        per_pair: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        for e in entries:
            per_pair.setdefault((e[0], e[1]), []).append(e)
        groups = [
            sorted(edges, key=lambda e: (0 if e[2] is None else e[2], e[3]))
            for edges in per_pair.values()
        ]
    effective = _micros(effective_at)
    stakeholders = raw.accounts.get("Stakeholder", {})
    crossings: list[list[Any]] = []
    for edges in groups:
        before: Any = None
        after: Any = None
        when: int | None = None
        for _, _, since, change, until, source, strength, b1 in edges:
            if change == "closed":
                before = strength
                when = effective if until is None else until
            elif change == "opened":
                after = strength
                if when is None:
                    when = effective if since is None else since
            else:
                before = b1 if source == "interactions" else strength
                after, when = strength, effective
        active0 = before is not None and before >= theta
        active1 = after is not None and after >= theta
        if active0 != active1:
            team_member, stakeholder = edges[0][0], edges[0][1]
            crossings.append(
                [
                    "tie_activated" if active1 else "tie_went_dark",
                    team_member,
                    stakeholder,
                    stakeholders.get(stakeholder),
                    when,
                    before,
                    after,
                ]
            )
    crossings.sort(key=itemgetter(1, 2))
    return crossings


def _typed(
    body: Mapping[str, Any],
    *,
    id: str | None,
    at: datetime,
    effective_at: datetime,
    source: Source,
    accounts: tuple[str, ...],
) -> ChangeSet:
    """The typed change set of a record's body (the same from the write's own lists as
    from the JSON read back: values go through :func:`_plain` either way)."""
    of = body.get("accounts", {})
    nodes: list[NodeChange] = []
    for label, flat in body["nodes"]:
        tracked = TRACKED_PROPERTIES.get(label, frozenset())
        by_id = of.get(label, {})
        i, size = 0, len(flat)
        while i < size:
            node_id, change, n = flat[i], flat[i + 1], flat[i + 2]
            diff = sorted(
                ((flat[j], flat[j + 1], flat[j + 2]) for j in range(i + 3, i + 3 + 3 * n, 3)),
                key=itemgetter(0),
            )
            nodes.append(
                NodeChange(
                    change=_CHANGED[change] if change is True or change is False else change,
                    label=label,
                    id=node_id,
                    account=node_id if label == "Account" else by_id.get(node_id),
                    changed=tuple(name for name, _, _ in diff),
                    values=tuple(
                        PropertyChange(name, _plain(b), _plain(a))
                        for name, b, a in diff
                        if name in tracked
                    ),
                )
            )
            i += 3 + 3 * n
    edges: list[EdgeChange] = []
    for flat in body["edges"]:
        for i in range(0, len(flat), EDGE_FIELDS):
            kind, change, from_id, to_id, since, until, *identity = flat[i : i + 9]
            label, key = edge_account_key(kind, from_id, to_id, identity[2])
            names = IDENTITY_FIELDS[kind]
            values: tuple[PropertyChange, ...] = ()
            if change == "changed":
                value_names = _VALUE_NAMES[kind]
                if kind == "KNOWS" and identity[0] == "interactions":
                    value_names = _DERIVED_TIE_VALUES
                pairs = (flat[i + 9 : i + 11], flat[i + 11 : i + 13])
                values = tuple(
                    PropertyChange(name, _plain(b), _plain(a))
                    for name, (b, a) in zip(value_names, pairs, strict=False)
                )
            edges.append(
                EdgeChange(
                    change=change,
                    type=kind,
                    from_id=from_id,
                    to_id=to_id,
                    account=of.get(label, {}).get(key) if label else key,
                    since=_from_micros(since),
                    until=_from_micros(until),
                    identity={
                        name: value
                        for name, value in sorted(zip(names, identity, strict=False))
                        if value is not None
                    },
                    values=values,
                )
            )
    return ChangeSet(
        id=id,
        at=at,
        effective_at=effective_at,
        source=source,
        accounts=accounts,
        nodes=tuple(sorted(nodes, key=lambda n: (n.label, n.id, n.change))),
        edges=tuple(
            sorted(edges, key=lambda e: (e.type, e.from_id, e.to_id, e.since or _EPOCH, e.change))
        ),
        ties=tuple(
            TieActivity(
                change=change,
                team_member_id=team_member,
                stakeholder_id=stakeholder,
                account=account,
                at=_EPOCH + timedelta(microseconds=when),
                strength_before=before,
                strength_after=after,
            )
            for change, team_member, stakeholder, account, when, before, after in body["ties"]
        ),
    )


# -- values ----------------------------------------------------------------------------


def _from_micros(micros: int | None) -> datetime | None:
    return None if micros is None else _EPOCH + timedelta(microseconds=micros)


def _plain(value: Any) -> Any:
    """A property value as a change set keeps it, in memory as in its record (JSON): a
    date or datetime (UTC) as ISO-8601 text, anything else as stored."""
    value = to_native(value)
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


def _json_default(value: object) -> Any:
    """Neo4j's temporal values in a record's JSON as :func:`_plain` has them."""
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")
    return plain
