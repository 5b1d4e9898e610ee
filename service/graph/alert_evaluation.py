"""The alerts evaluator's reads and its one writing transaction (docs/alerts.md).

Everything is bookkeeping without relationships (``Watch``, ``AlertState``,
``AlertEvent``, ``AlertSequence``) next to the ``ChangeSet`` records of the writes;
the Cypher is in ``cypher/alerts/``. :func:`commit_evaluation` is where an evaluation
becomes durable: in one transaction it locks the watches and states, lets the caller
decide on the states as they are now (``decide``: the domain's pure conditions), stores
the events with their global and per-watch sequence numbers, the new states, and marks
the change sets evaluated — so a crash at any point leaves either all of it or none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from neo4j import ManagedTransaction

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Record, Rows, run_rows
from service.graph.values import to_native

__all__ = [
    "ClaimedChangeSet",
    "Decision",
    "StoredState",
    "WatchRow",
    "account_tiers",
    "claim_change_sets",
    "commit_evaluation",
    "former_key_roles",
    "read_states",
    "read_states_since",
    "read_watch",
    "read_watches",
    "scope_accounts",
    "whereabouts",
]


@dataclass(frozen=True)
class ClaimedChangeSet:
    id: str
    account_ids: tuple[str, ...]


@dataclass(frozen=True)
class WatchRow:
    """A watch as stored (``conditions`` is the JSON text of its condition list)."""

    id: str
    scope_kind: str
    account_ids: tuple[str, ...]
    tier: str | None
    conditions: str


@dataclass(frozen=True)
class StoredState:
    """An ``AlertState`` as stored: ``state`` JSON text, when the evaluation that
    wrote it read the account (``view_at_us``: µs since the epoch), and its revision
    (``rev``: new and random at every write; None on a state written before revisions
    were kept)."""

    key: str
    state: str | None
    view_at_us: int | None
    rev: str | None = None


@dataclass(frozen=True)
class LockedWatch:
    id: str
    next_seq: int
    webhook: bool  # events go to an enabled webhook


@dataclass
class Decision:
    """What the caller decided inside the transaction: ``events`` (their properties but
    those :func:`commit_evaluation` gives: ``seq``/``watch_seq`` in list order, and
    ``at``, ``next_attempt_at``, ``attempts``, ``change_set_ids``, which every event of
    the evaluation shares), the ``states`` to store (``key``, ``watch_id``,
    ``account_id``, ``props`` and ``rev``, the new revision, made by the caller: a new
    random one for every write, or None for one made by Neo4j; ``updated_at`` and
    ``change_set_ids`` are given here; created when new; a state found unchanged is not
    written) and how many states were evaluated."""

    events: list[dict[str, Any]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    evaluated: int = 0


def _watch(row: Record) -> WatchRow:
    return WatchRow(
        id=row["id"],
        scope_kind=row["scope_kind"],
        account_ids=tuple(row["account_ids"]),
        tier=row["tier"],
        conditions=row["conditions"],
    )


def claim_change_sets(
    graph: Graph, *, claimer: str, now: datetime, expires_at: datetime, limit: int
) -> list[ClaimedChangeSet]:
    """Claim up to ``limit`` unevaluated change sets, oldest first, until ``expires_at``."""

    def work(tx: ManagedTransaction) -> list[Record]:
        ids = [
            r["id"] for r in run_rows(tx, cypher("alerts/claim_lock"), {"now": now, "limit": limit})
        ]
        if not ids:
            return []
        return run_rows(
            tx,
            cypher("alerts/claim_change_sets"),
            {"ids": ids, "now": now, "claimer": claimer, "expires_at": expires_at},
        )

    return [ClaimedChangeSet(r["id"], tuple(r["account_ids"] or ())) for r in graph.write_tx(work)]


def read_watches(graph: Graph) -> list[WatchRow]:
    return [_watch(r) for r in graph.read(cypher("alerts/watches"))]


def read_watch(graph: Graph, watch_id: str) -> WatchRow | None:
    rows = graph.read(cypher("alerts/watch"), watch_id=watch_id)
    return _watch(rows[0]) if rows else None


def account_tiers(graph: Graph, account_ids: Sequence[str]) -> dict[str, str | None]:
    """The tier of each of ``account_ids`` that exists."""
    rows = graph.read(cypher("alerts/account_tiers"), ids=list(account_ids))
    return {r["id"]: r["tier"] for r in rows}


def scope_accounts(
    graph: Graph, kind: str, account_ids: Sequence[str], tier: str | None
) -> list[str]:
    rows = graph.read(
        cypher("alerts/scope_accounts"), kind=kind, account_ids=list(account_ids), tier=tier
    )
    return [r["id"] for r in rows]


def former_key_roles(
    graph: Graph, account_ids: Sequence[str], roles: Sequence[str]
) -> list[dict[str, Any]]:
    """Rows of ``former_key_roles.cypher`` (times as datetimes)."""
    rows = graph.read(
        cypher("alerts/former_key_roles"), account_ids=list(account_ids), roles=list(roles)
    )
    return [{k: to_native(v) for k, v in r.items()} for r in rows]


def whereabouts(graph: Graph, person_ids: Sequence[str]) -> list[dict[str, Any]]:
    rows = graph.read(cypher("alerts/whereabouts"), ids=list(person_ids))
    return [{k: to_native(v) for k, v in r.items()} for r in rows]


def read_states(graph: Graph, keys: Sequence[str]) -> dict[str, StoredState]:
    """The stored states among ``keys`` (a key without one is not in the answer)."""
    return graph.read_tx(lambda tx: _states(tx, keys))


def read_states_since(
    graph: Graph, keys: Sequence[str], known: Mapping[str, StoredState]
) -> dict[str, StoredState]:
    """:func:`read_states`, but a state ``known`` with the revision and view time it has
    now is that object, its text not read again (:func:`_states_since`)."""
    return graph.read_tx(lambda tx: _states_since(tx, keys, known))


def _states(tx: ManagedTransaction, keys: Sequence[str]) -> dict[str, StoredState]:
    out: dict[str, StoredState] = {}
    record = tx.run(cypher("alerts/states"), {"keys": list(keys)}).single(strict=True)
    for state, view_at_us, revisions in record["states"]:
        view_at = None if view_at_us is None else int(view_at_us)
        for key, rev in revisions:
            out[key] = StoredState(key, state, view_at, rev)
    return out


def _revisions(tx: ManagedTransaction, keys: Sequence[str]) -> list[list[Any]]:
    """``[key, rev, view_at_us]`` of each stored state among ``keys``, in one record
    (plain values: no ``Record.data()`` walk)."""
    record = tx.run(cypher("alerts/state_revisions"), {"keys": list(keys)}).single(strict=True)
    return cast(list[list[Any]], record["revisions"])


def _states_since(
    tx: ManagedTransaction, keys: Sequence[str], known: Mapping[str, StoredState]
) -> dict[str, StoredState]:
    """The stored states among ``keys``, as :func:`_states` reads them, reading the text
    only of those not in ``known`` as they are now: a state ``known`` with the same
    revision (and view time) is the one read then, since every write of a state gives
    it a new random revision. A state without a revision is read whole."""
    if not known:
        return _states(tx, keys)
    out: dict[str, StoredState] = {}
    again: list[str] = []
    for key, rev, view_at_us in _revisions(tx, keys):
        view_at = None if view_at_us is None else int(view_at_us)
        before = known.get(key)
        # The same write: the same revision, and the same view time too, should a
        # writer without revisions (an older service) have changed the text since.
        same = before is not None and (before.rev, before.view_at_us) == (rev, view_at)
        if rev is not None and same:
            out[key] = cast(StoredState, before)
        else:
            again.append(key)
    if again:
        out.update(_states(tx, again))
    return out


def commit_evaluation(
    graph: Graph,
    *,
    watch_ids: Sequence[str],
    state_keys: Sequence[str],
    change_set_ids: Sequence[str],
    now: datetime,
    decide: Callable[[Mapping[str, StoredState], Mapping[str, LockedWatch]], Decision],
    known: Mapping[str, StoredState] | None = None,
) -> Decision:
    """One write transaction: lock the watches, call ``decide`` with their states among
    ``state_keys`` and the watches as stored now (a state's text is read again only when
    it was written since ``known``, the states read before the transaction, was read),
    store its events (``seq`` from the global sequence, ``watch_seq`` from each watch's
    ``next_seq``, ``at`` ``now``) and states (``updated_at`` ``now``), and mark
    ``change_set_ids`` evaluated. Returns the decision with the events' numbers filled in.

    ``decide`` may run more than once (a transient error retries the transaction): it
    must only compute.
    """
    ids = sorted(set(watch_ids))

    def work(tx: ManagedTransaction) -> Decision:
        if ids:
            run_rows(tx, cypher("alerts/lock_watches"), {"ids": ids})
        # Read after the locks (a following statement): the states as last committed.
        stored = _states_since(tx, state_keys, known or {}) if ids else {}
        watches = {
            r["id"]: LockedWatch(r["id"], int(r["next_seq"]), bool(r["webhook"]))
            for r in run_rows(tx, cypher("alerts/locked_watches"), {"ids": ids})
        }
        decision = decide(stored, watches)
        next_seq = {w.id: w.next_seq for w in watches.values()}
        if decision.events:
            run_rows(tx, cypher("alerts/lock_sequence"), {})
            last = int(run_rows(tx, cypher("alerts/sequence"), {})[0]["value"])
            for event in decision.events:
                last += 1
                event["seq"] = last
                event["watch_seq"] = next_seq[event["watch_id"]]
                next_seq[event["watch_id"]] += 1
            run_rows(
                tx,
                cypher("alerts/create_events"),
                {
                    "events": Rows(decision.events),
                    "last_seq": last,
                    "now": now,
                    "change_set_ids": list(change_set_ids),
                },
            )
        if decision.states:
            run_rows(
                tx,
                cypher("alerts/write_states"),
                {
                    "states": Rows(decision.states),
                    "now": now,
                    "change_set_ids": list(change_set_ids),
                },
            )
        if ids:
            run_rows(
                tx,
                cypher("alerts/unlock_watches"),
                {"watches": [{"id": w, "next_seq": n} for w, n in sorted(next_seq.items())]},
            )
        if change_set_ids:
            run_rows(tx, cypher("alerts/finish_change_sets"), {"ids": list(change_set_ids)})
        return decision

    return graph.write_tx(work)
