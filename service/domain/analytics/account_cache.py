"""A small per-app cache of pulled accounts, keyed by the graph version.

Pulling a 5,000-person account costs ≈ 160 ms (bench/RESULTS.md), several times the
analytics run on it, and most requests ask again about an account nobody has written
to since. So each request first reads the graph's version
(:func:`service.graph.graph_version.current_graph_version`, one trivial read, ≈ 1–5 ms)
and looks up what it needs under ``(what was asked, as-of instant, version)``:

- **accounts**: ``(account id, valid_at, version)`` → the :class:`PulledAccount` (or
  None for an unknown id), in an LRU of at most ``max_entries`` accounts;
- **lookups**: ``(budget id → account id)`` and ``(person id → PersonRef)`` under the
  same ``(…, valid_at, version)``, in a second LRU (small values, a larger bound);
- **derived results** that are expensive and depend only on an entry's content and
  the analytics parameters — the account's index arrays, its engagement graph, the
  exact betweenness the power map shows (≈ 0.8 s on 5,000 people) and the power map's
  rows as answer models (:meth:`AccountReads.answer`) — kept with the entry and dropped
  with it;
- **betweenness by topology**: ``(EngagementGraph.topology_key)`` → betweenness, in a
  third LRU that outlives versions, since hop counts do not change when a write leaves
  the people and their active ties as they were (:meth:`AccountReads.betweenness`).

Refresh-ahead: when a new version drops entries, those read within the last
``refresh_window_s`` are remembered as :class:`RefreshCandidate` s; :meth:`AccountCache.refresh`
(called by account_refresher.py's background poller) reads them again under the new
version before requests ask.

Why this never serves stale data: the version is read before anything it keys is
pulled, so an entry is at least as new as its key; any committed write — through this
service, ``powermap import``, another instance or plain Cypher — changes the version,
and the next request misses (graph_version.py explains the bookmark). Entries of an
older version can never be asked for again on a single server, so they are dropped as
soon as a new version is seen (``invalidations``), without waiting for the LRU.

Thread-safe: the routes run in FastAPI's thread pool. One lock guards the maps; pulls
and computations run outside it. Identical concurrent misses are coalesced: the first
request pulls, the others wait for its result (``shared``); if it fails, each waiter
tries on its own (the LRU and the single flight are the generic
:mod:`service.single_flight`; what one request reads is
:class:`~service.domain.analytics.account_reads.AccountReads`). A multi-account pull
(a team member's accounts) is not coalesced.
Cached objects are shared between requests and must not be changed: the analytics
model is frozen and the engagement graph's arrays are read-only.

``max_entries = 0`` disables the cache: no version read, every request pulls.
One cache per app (:class:`service.api.state.AppState`), never a module global.

>>> cache = AccountCache.disabled()
>>> cache.enabled, cache.stats().entries
(False, 0)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, TypeVar, cast

from service.domain.analytics.account_reads import AccountReads
from service.graph import request_trace
from service.graph.account_subgraph import PulledAccount
from service.graph.driver import Graph
from service.graph.graph_version import UNKNOWN_VERSION, current_graph_version
from service.single_flight import SingleFlight, VersionedLru

__all__ = [
    "AccountCache",
    "AccountKey",
    "AccountReads",
    "CacheStats",
    "LookupKey",
    "RefreshCandidate",
]

T = TypeVar("T")

#: (account id, valid_at, graph version)
AccountKey = tuple[str, datetime, str]
#: (kind of lookup, id asked for, valid_at, graph version)
LookupKey = tuple[str, str, datetime, str]

#: Lookups (budget → account id, person → PersonRef) are tiny next to an account, and
#: one account is reached through many of them.
LOOKUPS_PER_ENTRY: Final = 16


@dataclass(frozen=True)
class CacheStats:
    """Counters since the cache was built (what the tests and operators look at)."""

    max_entries: int
    entries: int  # accounts held now
    lookups: int  # budget/person lookups held now
    hits: int  # account reads answered from the cache
    misses: int  # account reads that pulled from Neo4j
    shared: int  # misses answered by a concurrent identical pull
    evictions: int  # accounts dropped by the LRU bound
    invalidations: int  # accounts dropped because the graph version moved on
    derived_hits: int  # derived results (betweenness, engagement graph, …) reused
    derived_misses: int  # derived results computed
    waiting: int  # requests waiting right now for a concurrent identical pull
    refreshed: int  # accounts and lookups re-read ahead of requests (refresh())
    topology_hits: int  # betweenness reused from an earlier version with the same topology
    candidates: int  # recently used entries of an older version waiting for refresh()


@dataclass
class _Entry:
    """One pulled account, what has been derived from it, and when it was last read."""

    pulled: PulledAccount | None
    derived: dict[Hashable, Any] = field(default_factory=dict)
    last_used: float = field(default_factory=time.monotonic)


@dataclass
class _Lookup:
    """A budget or person lookup's answer and when it was last read."""

    value: Any
    last_used: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class RefreshCandidate:
    """Something a request read under an older graph version, to read again ahead of time.

    ``kind`` is ``"account"`` (``derived`` lists what had been derived from it),
    ``"budget"`` or ``"person"`` (a lookup); ``at`` the instant described.
    """

    kind: str
    id: str
    at: datetime
    last_used: float
    derived: tuple[Hashable, ...] = ()


class AccountCache:
    """Pulled accounts and their derived results by ``(what, as-of, graph version)``.

    Build one per app with the app's graph; call :meth:`reads` once per request. The
    methods below :meth:`refresh` are what :class:`AccountReads` reads through: each
    looks up, or makes once for all concurrent askers, and stores.
    """

    def __init__(
        self,
        graph: Graph | None,
        max_entries: int,
        *,
        refresh_window_s: float = 900.0,
    ) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be 0 (disabled) or more")
        self._graph = graph
        self._max_entries = max_entries
        self._refresh_window_s = refresh_window_s
        self._flight = SingleFlight()
        self._lock = self._flight.lock
        self._accounts: VersionedLru[AccountKey, _Entry] = VersionedLru(max_entries)
        self._lookups: VersionedLru[LookupKey, _Lookup] = VersionedLru(
            max_entries * LOOKUPS_PER_ENTRY
        )
        # Betweenness by engagement-graph topology, across versions (see by_topology()).
        self._topologies: VersionedLru[tuple[Hashable, ...], Any] = VersionedLru(max_entries)
        self._candidates: dict[tuple[str, str, datetime], RefreshCandidate] = {}
        self._version = UNKNOWN_VERSION
        self._counts = dict.fromkeys(
            (
                "hits",
                "misses",
                "shared",
                "evictions",
                "invalidations",
                "derived_hits",
                "derived_misses",
                "refreshed",
                "topology_hits",
            ),
            0,
        )

    @classmethod
    def disabled(cls) -> AccountCache:
        """A cache that holds nothing (for callers without an app, e.g. doctests)."""
        return cls(None, 0)

    @property
    def enabled(self) -> bool:
        return self._max_entries > 0

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            raise RuntimeError("this AccountCache has no graph")
        return self._graph

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                max_entries=self._max_entries,
                entries=len(self._accounts),
                lookups=len(self._lookups),
                waiting=self._flight.waiting,
                candidates=len(self._candidates),
                **self._counts,
            )

    def clear(self) -> None:
        """Forget every entry (the counters stay)."""
        with self._lock:
            self._accounts.clear()
            self._lookups.clear()
            self._topologies.clear()
            self._candidates.clear()

    def reads(self) -> AccountReads:
        """One request's reads: the graph version is read now, once, and keys them all.

        Inside an HTTP request that has already read the graph (and written nothing
        since), the version that read saw is used instead of reading it again: what is
        pulled afterwards is at least as new (service/graph/request_trace.py).
        """
        if not self.enabled:
            return AccountReads(self, UNKNOWN_VERSION)
        trace = request_trace.current()
        if trace is not None and trace.version is not None:
            version = trace.version
        else:
            version = current_graph_version(self.graph)
        return self.reads_at(version)

    def reads_at(self, version: str) -> AccountReads:
        """:meth:`reads` keyed by ``version``, the graph's version just read by the caller
        (through the async driver: ``graph_version.current_graph_version_async``)."""
        if not self.enabled:
            return AccountReads(self, UNKNOWN_VERSION)
        self.observe(version)
        return AccountReads(self, version)

    def observe(self, version: str) -> bool:
        """Note the graph's current version; True when it differs from the last one seen.

        Entries of any other version are dropped. Those read within the refresh window
        become :class:`RefreshCandidate` s for :meth:`refresh`, most recently used first.
        """
        if version == UNKNOWN_VERSION or not self.enabled:
            return False
        with self._lock:
            if version == self._version:
                return False
            recent = time.monotonic() - self._refresh_window_s
            dropped = self._accounts.drop_other_versions(version)
            for (account_id, at, _), entry in dropped:
                if entry.last_used >= recent:
                    self._candidate(
                        RefreshCandidate(
                            "account", account_id, at, entry.last_used, tuple(entry.derived)
                        )
                    )
            for (kind, wanted, at, _), lookup in self._lookups.drop_other_versions(version):
                if lookup.last_used >= recent:
                    self._candidate(RefreshCandidate(kind, wanted, at, lookup.last_used))
            self._counts["invalidations"] += len(dropped)
            self._version = version
            return True

    def _candidate(self, candidate: RefreshCandidate) -> None:
        """Remember ``candidate`` (call with the lock held), merging with one already held."""
        key = (candidate.kind, candidate.id, candidate.at)
        held = self._candidates.get(key)
        if held is not None:
            derived = tuple(dict.fromkeys(held.derived + candidate.derived))
            last_used = max(held.last_used, candidate.last_used)
            candidate = RefreshCandidate(
                candidate.kind, candidate.id, candidate.at, last_used, derived
            )
        self._candidates[key] = candidate
        if len(self._candidates) > self._max_entries * (1 + LOOKUPS_PER_ENTRY):
            oldest = min(self._candidates, key=lambda k: self._candidates[k].last_used)
            del self._candidates[oldest]

    def refresh(self, version: str, *, limit: int | None = None) -> int:
        """Read the recently used accounts and lookups again under ``version``, ahead of
        the requests that will ask for them; the number of candidates read.

        Accounts go first (most recently used first), with what had been derived from
        them (a betweenness whose topology did not change is reused, not recomputed);
        then the lookups, a budget's answered from a refreshed account when it lists
        the budget (others are left to the requests). Candidates beyond ``limit``
        accounts are forgotten. A failure leaves the rest for the requests themselves,
        which read as if nothing had been done.
        """
        if not self.enabled or version == UNKNOWN_VERSION:
            return 0
        self.observe(version)
        with self._lock:
            taken = sorted(self._candidates.values(), key=lambda c: -c.last_used)
            self._candidates.clear()
        accounts = [c for c in taken if c.kind == "account"][:limit]
        lookups = [c for c in taken if c.kind != "account"]
        reads = AccountReads(self, version)
        budget_owner: dict[tuple[str, datetime], str] = {}
        done = 0
        for candidate in accounts:
            pulled = reads.account_at(candidate.id, candidate.at)
            if pulled is not None:
                for budget in pulled.graph.budgets:
                    budget_owner[(budget.id, candidate.at)] = candidate.id
                for what in candidate.derived:
                    reads.derive_again(pulled, what)
            done += 1
        for candidate in lookups:
            if candidate.kind == "budget" and (candidate.id, candidate.at) in budget_owner:
                key = ("budget", candidate.id, candidate.at, version)
                with self._lock:
                    self._lookups.put(key, _Lookup(budget_owner[(candidate.id, candidate.at)]))
            elif candidate.kind == "budget":
                continue  # its account was not refreshed: the request will pull it
            else:
                reads.person_at(candidate.id, candidate.at)
            done += 1
        self.count("refreshed", done)
        return done

    # -- what AccountReads reads through -------------------------------------------------

    def count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``name`` (a :class:`CacheStats` field)."""
        with self._lock:
            self._counts[name] += n

    def account(
        self, key: AccountKey, pull: Callable[[], PulledAccount | None]
    ) -> PulledAccount | None:
        """The account held under ``key``, else ``pull()`` once for all concurrent askers."""

        def get() -> tuple[bool, PulledAccount | None]:
            found, entry = self._accounts.get(key)
            if entry is None:
                return False, None
            entry.last_used = time.monotonic()
            return True, entry.pulled

        def put(pulled: PulledAccount | None) -> PulledAccount | None:
            return self._store_account(key, pulled)

        pulled, how = self._flight.run(("account", key), get, put, pull)
        self.count({"hit": "hits", "made": "misses", "shared": "shared"}[how])
        return pulled

    def store_accounts(
        self, pulled: Sequence[tuple[AccountKey, PulledAccount | None]]
    ) -> list[PulledAccount | None]:
        """Keep accounts pulled outside :meth:`account`; for each, the one now held.

        An entry already held under its key stays, with its derived results (a budget's
        pull must not throw away the account's memoised betweenness).
        """
        with self._lock:
            return [self._store_account(key, value) for key, value in pulled]

    def peek_account(self, key: AccountKey) -> tuple[bool, PulledAccount | None]:
        """``(True, account)`` when held (counted as a hit), else ``(False, None)``."""
        with self._lock:
            found, entry = self._accounts.get(key)
            if found and entry is not None:
                self._counts["hits"] += 1
                entry.last_used = time.monotonic()
                return True, entry.pulled
            return False, None

    def lookup(self, key: LookupKey, find: Callable[[], T]) -> T:
        """The lookup held under ``key``, else ``find()`` once for all concurrent askers."""

        def put(value: T) -> T:
            self._lookups.put(key, _Lookup(value))
            return value

        def get() -> tuple[bool, T | None]:
            found, lookup = self._lookups.get(key)
            if lookup is None:
                return False, None
            lookup.last_used = time.monotonic()
            return True, cast(T, lookup.value)

        return self._flight.run(("lookup", key), get, put, find)[0]

    def by_topology(self, key: tuple[Hashable, ...], make: Callable[[], T]) -> T:
        """A result that depends only on a graph's topology, shared across versions."""

        def get() -> tuple[bool, T | None]:
            found, value = self._topologies.get(key)
            return found, cast(T | None, value)

        def put(value: T) -> T:
            self._topologies.put(key, value)
            return value

        value, how = self._flight.run(("topology", key), get, put, make)
        if how != "made":
            self.count("topology_hits")
        return value

    def derived(
        self, key: AccountKey, pulled: PulledAccount, what: Hashable, make: Callable[[], T]
    ) -> T:
        """``what`` derived from the account held under ``key``, made once and kept with it.

        When ``pulled`` is not (or no longer) the held account, ``make()`` runs for this
        caller only.
        """
        with self._lock:
            _, entry = self._accounts.get(key)
        if entry is None or entry.pulled is not pulled:
            self.count("derived_misses")
            return make()
        derived = entry.derived

        def get() -> tuple[bool, T | None]:
            return (True, derived[what]) if what in derived else (False, None)

        def put(value: T) -> T:
            return cast(T, derived.setdefault(what, value))

        value, how = self._flight.run(("derived", key, what), get, put, make)
        self.count("derived_misses" if how == "made" else "derived_hits")
        return value

    def held_derived(self, key: AccountKey, what: Hashable) -> tuple[bool, object]:
        """``(True, result)`` when the account under ``key`` is held with ``what`` derived
        (counted as a hit of both, as :meth:`account` and :meth:`derived` would), else
        ``(False, None)``; never pulls nor makes anything, so the event loop may call it."""
        with self._lock:
            _, entry = self._accounts.get(key)
            if entry is None or what not in entry.derived:
                return False, None
            entry.last_used = time.monotonic()
            self._counts["hits"] += 1
            self._counts["derived_hits"] += 1
            return True, entry.derived[what]

    def _store_account(self, key: AccountKey, pulled: PulledAccount | None) -> PulledAccount | None:
        """Put a pulled account in the LRU and return the one held (call with the lock held)."""
        found, entry = self._accounts.get(key)
        if found and entry is not None:
            return entry.pulled
        self._counts["evictions"] += self._accounts.put(key, _Entry(pulled))
        return pulled
