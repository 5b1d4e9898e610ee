"""What a write changed: the typed change set every write (ingest, import chunk,
departure) returns and records in the graph in its own transaction.

A :class:`ChangeSet` lists the accounts the write touched, the nodes it created,
changed or marked as left (with before/after values of the properties a changes feed
shows), the edges it opened, closed or changed (time-bound edges with their
``since``/``until``; ``COVERS`` and ``INFLUENCES``, which keep no history, too), and the
ties that crossed the activity threshold. It is computed exactly from what each write
statement did (docs/graph-conventions.md, "Change sets"): a re-sent batch changes
nothing, so its change set is empty and nothing is recorded.

The record is one isolated ``ChangeSet`` bookkeeping node per write (no relationship:
the analyst guard relies on bookkeeping nodes standing alone), holding the write's id,
time, source, the touched account ids (a full-text-indexed list) and the changes as
JSON (:meth:`ChangeSet.as_record` / :meth:`ChangeSet.from_record`). This is the seam
the CRM sync's changes feed and the alerts' outbox build on.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, cast

from neo4j import Driver

from service.graph.ingest import RawChanges, RawEdge, RawNode, read_change_sets

__all__ = [
    "TRACKED_PROPERTIES",
    "ChangeSet",
    "EdgeChange",
    "NodeChange",
    "PropertyChange",
    "TieActivity",
    "build_change_set",
    "recorded_change_sets",
]

Source = Literal["api", "salesforce", "hubspot", "interactions", "demo"]
NodeChangeKind = Literal["created", "changed", "left"]
EdgeChangeKind = Literal["opened", "closed", "changed"]
TieCrossing = Literal["tie_activated", "tie_went_dark"]

# The properties whose before/after values a change set keeps (what a changes feed
# shows); any other changed property is listed by name only.
TRACKED_PROPERTIES: Mapping[str, frozenset[str]] = {
    "Account": frozenset({"name", "tier"}),
    "Stakeholder": frozenset({"name", "title", "department", "seniority", "status", "left_at"}),
    "TeamMember": frozenset({"name", "role", "status", "left_at"}),
    "Budget": frozenset({"name", "amount", "fiscal_year"}),
    "Opportunity": frozenset({"name", "stage", "amount", "close_date"}),
}
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
    """An edge the write opened, closed (``until`` set; COVERS: removed) or changed in
    place (``values``: KNOWS strength/last_contact, COVERS role, INFLUENCES strength).

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

    def as_record(self) -> dict[str, Any]:
        """The properties of the recorded ``ChangeSet`` node."""
        return {
            "id": self.id,
            "at": self.at,
            "effective_at": self.effective_at,
            "source": self.source,
            "account_ids": list(self.accounts),
            "node_count": len(self.nodes),
            "edge_count": len(self.edges),
            "changes": json.dumps(
                {
                    "nodes": [_node_json(n) for n in self.nodes],
                    "edges": [_edge_json(e) for e in self.edges],
                    "ties": [_tie_json(t) for t in self.ties],
                },
                separators=(",", ":"),
                default=_json_default,
            ),
        }

    @classmethod
    def from_record(cls, props: Mapping[str, Any]) -> ChangeSet:
        """A change set read back from its recorded node (times as datetimes again;
        property values as JSON keeps them: dates and datetimes as ISO text)."""
        body = json.loads(props["changes"])
        return cls(
            id=props["id"],
            at=_native(props["at"]),
            effective_at=_native(props["effective_at"]),
            source=props["source"],
            accounts=tuple(props["account_ids"]),
            nodes=tuple(
                NodeChange(
                    change=n["change"],
                    label=n["label"],
                    id=n["id"],
                    account=n["account"],
                    changed=tuple(n["changed"]),
                    values=tuple(PropertyChange(*v) for v in n["values"]),
                )
                for n in body["nodes"]
            ),
            edges=tuple(
                EdgeChange(
                    change=e["change"],
                    type=e["type"],
                    from_id=e["from"],
                    to_id=e["to"],
                    account=e["account"],
                    since=_parse(e["since"]),
                    until=_parse(e["until"]),
                    identity=e["identity"],
                    values=tuple(PropertyChange(*v) for v in e["values"]),
                )
                for e in body["edges"]
            ),
            ties=tuple(
                TieActivity(
                    change=t["change"],
                    team_member_id=t["team_member_id"],
                    stakeholder_id=t["stakeholder_id"],
                    account=t["account"],
                    at=cast(datetime, _parse(t["at"])),
                    strength_before=t["strength_before"],
                    strength_after=t["strength_after"],
                )
                for t in body["ties"]
            ),
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


def recorded_change_sets(
    driver: Driver, database: str, account_id: str | None = None
) -> list[ChangeSet]:
    """The recorded change sets, in write order; with ``account_id`` those that touched
    that account."""
    return [ChangeSet.from_record(r) for r in read_change_sets(driver, database, account_id)]


# -- building a change set from what the statements returned --------------------------


def build_change_set(
    raw: RawChanges,
    *,
    at: datetime,
    effective_at: datetime,
    source: Source,
    active_tie_threshold: float,
) -> ChangeSet:
    """The typed change set of one transaction's raw statement results; it gets an id
    (and is recorded) only when something changed."""
    nodes = tuple(
        sorted(
            (_node(n, raw.accounts) for n in raw.nodes),
            key=lambda n: (n.label, n.id, n.change),
        )
    )
    edges = tuple(
        sorted(
            (_edge(e, raw.accounts) for e in raw.edges),
            key=lambda e: (e.type, e.from_id, e.to_id, e.since or _EPOCH, e.change),
        )
    )
    ties = tuple(_ties(edges, active_tie_threshold, effective_at))
    accounts = {n.account for n in nodes} | {e.account for e in edges}
    accounts.discard(None)
    return ChangeSet(
        id=str(uuid.uuid4()) if nodes or edges else None,
        at=at,
        effective_at=effective_at,
        source=source,
        accounts=tuple(sorted(a for a in accounts if a is not None)),
        nodes=nodes,
        edges=edges,
        ties=ties,
    )


def _node(n: RawNode, accounts: Mapping[tuple[str, str], str | None]) -> NodeChange:
    tracked = TRACKED_PROPERTIES.get(n.label, frozenset())
    diff = sorted(n.diff, key=lambda d: d[0])
    account = n.id if n.label == "Account" else accounts.get((n.label, n.id))
    return NodeChange(
        change=n.change,
        label=n.label,
        id=n.id,
        account=account,
        changed=tuple(name for name, _, _ in diff),
        values=tuple(
            PropertyChange(name, _plain(before), _plain(after))
            for name, before, after in diff
            if name in tracked
        ),
    )


def _edge_account(e: RawEdge, accounts: Mapping[tuple[str, str], str | None]) -> str | None:
    if e.type in ("WORKS_AT", "COVERS"):
        return e.to_id
    if e.type == "HAS_ROLE":
        if e.identity.get("target") == "opportunity":
            return accounts.get(("Opportunity", e.to_id))
        return e.to_id
    if e.type == "CONTROLS":
        return accounts.get(("Budget", e.to_id))
    if e.type == "KNOWS":
        return accounts.get(("Stakeholder", e.to_id))
    return accounts.get(("Stakeholder", e.from_id))  # REPORTS_TO, INFLUENCES


def _edge(e: RawEdge, accounts: Mapping[tuple[str, str], str | None]) -> EdgeChange:
    return EdgeChange(
        change=e.change,
        type=e.type,
        from_id=e.from_id,
        to_id=e.to_id,
        account=_edge_account(e, accounts),
        since=_from_micros(e.since),
        until=_from_micros(e.until),
        identity={k: v for k, v in sorted(e.identity.items()) if v is not None},
        values=tuple(PropertyChange(name, _plain(b), _plain(a)) for name, b, a in e.values),
    )


def _ties(edges: Iterable[EdgeChange], theta: float, effective_at: datetime) -> list[TieActivity]:
    """KNOWS ties whose activity (strength ≥ θ) differs before and after this write, per
    (team member, stakeholder): the write's closed and opened edges of a pair are one
    tie's before and after."""
    before: dict[tuple[str, str], float | None] = {}
    after: dict[tuple[str, str], float | None] = {}
    account: dict[tuple[str, str], str | None] = {}
    when: dict[tuple[str, str], datetime] = {}
    for e in edges:
        if e.type != "KNOWS":
            continue
        pair = (e.from_id, e.to_id)
        account[pair] = e.account
        strength = e.identity.get("strength")
        if e.change == "closed":
            before[pair] = strength
            when[pair] = e.until or effective_at
        elif e.change == "opened":
            after[pair] = strength
            when.setdefault(pair, e.since or effective_at)
        else:
            old = next((v.before for v in e.values if v.name == "strength"), strength)
            before[pair], after[pair] = old, strength
            when[pair] = effective_at
    crossings: list[TieActivity] = []
    for pair in sorted(set(before) | set(after)):
        s0, s1 = before.get(pair), after.get(pair)
        active0 = s0 is not None and s0 >= theta
        active1 = s1 is not None and s1 >= theta
        if active0 == active1:
            continue
        crossings.append(
            TieActivity(
                change="tie_activated" if active1 else "tie_went_dark",
                team_member_id=pair[0],
                stakeholder_id=pair[1],
                account=account[pair],
                at=when[pair],
                strength_before=s0,
                strength_after=s1,
            )
        )
    return crossings


# -- values ----------------------------------------------------------------------------


def _from_micros(micros: int | None) -> datetime | None:
    return None if micros is None else _EPOCH + timedelta(microseconds=micros)


def _native(value: Any) -> Any:
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def _plain(value: Any) -> Any:
    """A property value as a change set keeps it, in memory as in its record (JSON): a
    date or datetime (UTC) as ISO-8601 text, anything else as stored."""
    value = _native(value)
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _node_json(n: NodeChange) -> dict[str, Any]:
    return {
        "change": n.change,
        "label": n.label,
        "id": n.id,
        "account": n.account,
        "changed": list(n.changed),
        "values": [[v.name, v.before, v.after] for v in n.values],
    }


def _edge_json(e: EdgeChange) -> dict[str, Any]:
    return {
        "change": e.change,
        "type": e.type,
        "from": e.from_id,
        "to": e.to_id,
        "account": e.account,
        "since": _iso(e.since),
        "until": _iso(e.until),
        "identity": dict(e.identity),
        "values": [[v.name, v.before, v.after] for v in e.values],
    }


def _tie_json(t: TieActivity) -> dict[str, Any]:
    return {
        "change": t.change,
        "team_member_id": t.team_member_id,
        "stakeholder_id": t.stakeholder_id,
        "account": t.account,
        "at": _iso(t.at),
        "strength_before": t.strength_before,
        "strength_after": t.strength_after,
    }
