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
  the analytics parameters — the account's index arrays, its engagement graph and the
  exact betweenness the power map shows (≈ 0.8 s on 5,000 people) — kept with the entry
  and dropped with it;
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
tries on its own. A multi-account pull (a team member's accounts) is not coalesced.
Cached objects are shared between requests and must not be changed: the analytics
model is frozen and the engagement graph's arrays are read-only.

``max_entries = 0`` disables the cache: no version read, every request pulls.
One cache per app (:class:`service.api.state.AppState`), never a module global.

>>> cache = AccountCache.disabled()
>>> cache.enabled, cache.stats().entries
(False, 0)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Generic, TypeVar, cast

from neo4j import Driver

from service.analytics.engagement import (
    EngagementGraph,
    IndexedAccount,
    engagement_graph,
    index_account,
)
from service.analytics.model import AnalyticsParams
from service.analytics.power_map import engagement_betweenness
from service.domain.org_chart import valid_at
from service.graph import account_subgraph as pulls
from service.graph.account_subgraph import PersonRef, PulledAccount
from service.graph.graph_version import UNKNOWN_VERSION, current_graph_version

__all__ = ["AccountCache", "AccountReads", "CacheStats", "RefreshCandidate"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

#: (account id, valid_at, graph version)
AccountKey = tuple[str, datetime, str]
#: (kind of lookup, id asked for, valid_at, graph version)
LookupKey = tuple[str, str, datetime, str]

#: Names of the derived results kept with an entry (keys of ``_Entry.derived``, with the
#: analytics parameters beside the last two); derive_again() reads them back.
INDEXED: Final = "indexed"
ENGAGEMENT_GRAPH: Final = "engagement_graph"
BETWEENNESS: Final = "betweenness"

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


class _Pending(Generic[V]):
    """A pull or computation in progress, which identical requests wait for."""

    __slots__ = ("done", "ok", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.value: V | None = None


class _Lru(Generic[K, V]):
    """An ordered map bounded to ``bound`` items, least recently used dropped first."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> tuple[bool, V | None]:
        if key not in self.items:
            return False, None
        self.items.move_to_end(key)
        return True, self.items[key]

    def put(self, key: K, value: V) -> int:
        """Store ``value``; the number of items dropped to stay within the bound."""
        self.items[key] = value
        self.items.move_to_end(key)
        dropped = 0
        while len(self.items) > self.bound:
            self.items.popitem(last=False)
            dropped += 1
        return dropped

    def drop_other_versions(self, version: str) -> int:
        """Remove every item whose key (a tuple ending in the version) is of another one."""
        stale = [k for k in self.items if cast(tuple[Any, ...], k)[-1] != version]
        for key in stale:
            del self.items[key]
        return len(stale)


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

    Build one per app with the app's driver; call :meth:`reads` once per request.
    """

    def __init__(
        self,
        driver: Driver | None,
        database: str,
        max_entries: int,
        *,
        refresh_window_s: float = 900.0,
    ) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be 0 (disabled) or more")
        self._driver = driver
        self._database = database
        self._max_entries = max_entries
        self._refresh_window_s = refresh_window_s
        self._lock = threading.Lock()
        self._accounts: _Lru[AccountKey, _Entry] = _Lru(max_entries)
        self._lookups: _Lru[LookupKey, _Lookup] = _Lru(max_entries * LOOKUPS_PER_ENTRY)
        # Betweenness by engagement-graph topology, across versions (see betweenness()).
        self._topologies: _Lru[tuple[Hashable, ...], Any] = _Lru(max_entries)
        self._candidates: dict[tuple[str, str, datetime], RefreshCandidate] = {}
        self._inflight: dict[Hashable, _Pending[Any]] = {}
        self._version = UNKNOWN_VERSION
        self._waiting = 0
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
        return cls(None, "", 0)

    @property
    def enabled(self) -> bool:
        return self._max_entries > 0

    @property
    def driver(self) -> Driver:
        if self._driver is None:
            raise RuntimeError("this AccountCache has no driver")
        return self._driver

    @property
    def database(self) -> str:
        return self._database

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                max_entries=self._max_entries,
                entries=len(self._accounts.items),
                lookups=len(self._lookups.items),
                waiting=self._waiting,
                candidates=len(self._candidates),
                **self._counts,
            )

    def clear(self) -> None:
        """Forget every entry (the counters stay)."""
        with self._lock:
            self._accounts.items.clear()
            self._lookups.items.clear()
            self._topologies.items.clear()
            self._candidates.clear()

    def reads(self) -> AccountReads:
        """One request's reads: the graph version is read now, once, and keys them all."""
        if not self.enabled:
            return AccountReads(self, UNKNOWN_VERSION)
        version = current_graph_version(self.driver, self._database)
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
            for (account_id, at, old), entry in self._accounts.items.items():
                if old != version and entry.last_used >= recent:
                    self._candidate(
                        RefreshCandidate(
                            "account", account_id, at, entry.last_used, tuple(entry.derived)
                        )
                    )
            for (kind, wanted, at, old), lookup in self._lookups.items.items():
                if old != version and lookup.last_used >= recent:
                    self._candidate(RefreshCandidate(kind, wanted, at, lookup.last_used))
            self._counts["invalidations"] += self._accounts.drop_other_versions(version)
            self._lookups.drop_other_versions(version)
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
        self._count("refreshed", done)
        return done

    # -- internals used by AccountReads -------------------------------------------------

    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def _once(
        self,
        flight: Hashable,
        get: Callable[[], tuple[bool, V | None]],
        put: Callable[[V], V],
        make: Callable[[], V],
    ) -> tuple[V, str]:
        """``get()`` under the lock, else ``make()`` once for all concurrent askers.

        Returns the value and how it came: ``"hit"``, ``"made"`` or ``"shared"``.
        ``get`` and ``put`` run under the lock; ``make`` outside it. ``put`` stores what
        was made and returns the value to hand out (one already stored meanwhile wins).
        """
        while True:
            with self._lock:
                found, value = get()
                if found:
                    return cast(V, value), "hit"
                pending = self._inflight.get(flight)
                if pending is None:
                    pending = _Pending()
                    self._inflight[flight] = pending
                    break
                self._waiting += 1
            pending.done.wait()
            with self._lock:
                self._waiting -= 1
            if pending.ok:
                return cast(V, pending.value), "shared"
            # The request that pulled failed: try again (maybe pulling ourselves).
        try:
            made = make()
        except BaseException:
            with self._lock:
                del self._inflight[flight]
            pending.done.set()
            raise
        with self._lock:
            made = put(made)
            del self._inflight[flight]
        pending.value = made
        pending.ok = True
        pending.done.set()
        return made, "made"

    def _store_account(self, key: AccountKey, pulled: PulledAccount | None) -> PulledAccount | None:
        """Put a pulled account in the LRU and return the one held (call with the lock held).

        An entry already held under the key stays, with its derived results (a budget's
        pull must not throw away the account's memoised betweenness).
        """
        found, entry = self._accounts.get(key)
        if found and entry is not None:
            return entry.pulled
        self._counts["evictions"] += self._accounts.put(key, _Entry(pulled))
        return pulled

    def _account(
        self, key: AccountKey, pull: Callable[[], PulledAccount | None]
    ) -> PulledAccount | None:
        def get() -> tuple[bool, PulledAccount | None]:
            found, entry = self._accounts.get(key)
            if entry is None:
                return False, None
            entry.last_used = time.monotonic()
            return True, entry.pulled

        def put(pulled: PulledAccount | None) -> PulledAccount | None:
            return self._store_account(key, pulled)

        pulled, how = self._once(("account", key), get, put, pull)
        self._count({"hit": "hits", "made": "misses", "shared": "shared"}[how])
        return pulled

    def _lookup(self, key: LookupKey, find: Callable[[], T]) -> T:
        def put(value: T) -> T:
            self._lookups.put(key, _Lookup(value))
            return value

        def get() -> tuple[bool, T | None]:
            found, lookup = self._lookups.get(key)
            if lookup is None:
                return False, None
            lookup.last_used = time.monotonic()
            return True, cast(T, lookup.value)

        return self._once(("lookup", key), get, put, find)[0]

    def _peek_account(self, key: AccountKey) -> tuple[bool, PulledAccount | None]:
        with self._lock:
            found, entry = self._accounts.get(key)
            if found and entry is not None:
                self._counts["hits"] += 1
                entry.last_used = time.monotonic()
                return True, entry.pulled
            return False, None

    def _by_topology(self, key: tuple[Hashable, ...], make: Callable[[], T]) -> T:
        """A result that depends only on a graph's topology, shared across versions."""

        def get() -> tuple[bool, T | None]:
            found, value = self._topologies.get(key)
            return found, cast(T | None, value)

        def put(value: T) -> T:
            self._topologies.put(key, value)
            return value

        value, how = self._once(("topology", key), get, put, make)
        if how != "made":
            self._count("topology_hits")
        return value

    def _derived(
        self, key: AccountKey, pulled: PulledAccount, what: Hashable, make: Callable[[], T]
    ) -> T:
        with self._lock:
            _, entry = self._accounts.get(key)
        if entry is None or entry.pulled is not pulled:
            # Not (or no longer) cached: compute for this request only.
            self._count("derived_misses")
            return make()
        derived = entry.derived

        def get() -> tuple[bool, T | None]:
            return (True, derived[what]) if what in derived else (False, None)

        def put(value: T) -> T:
            return cast(T, derived.setdefault(what, value))

        value, how = self._once(("derived", key, what), get, put, make)
        self._count("derived_misses" if how == "made" else "derived_hits")
        return value


class AccountReads:
    """What one request reads, all keyed by the graph version read when it began.

    Every analytics use case gets its accounts, lookups and derived results here.
    Reading the version once per request (not once per pull) also means the accounts a
    request combines (a team member's several accounts, health now and then) are all
    at least as new as that version.
    """

    def __init__(self, cache: AccountCache, version: str) -> None:
        self._cache = cache
        self._version = version
        # Without a version nothing can be keyed safely: every read pulls.
        self._caching = cache.enabled and version != UNKNOWN_VERSION

    @property
    def version(self) -> str:
        return self._version

    @property
    def driver(self) -> Driver:
        return self._cache.driver

    @property
    def database(self) -> str:
        return self._cache.database

    def _key(self, account_id: str, at: datetime) -> AccountKey:
        return (account_id, at, self._version)

    def account(self, account_id: str, as_of: date) -> PulledAccount | None:
        """The account as of the end of ``as_of``; None when there is no such account."""
        return self.account_at(account_id, valid_at(as_of))

    def account_at(self, account_id: str, at: datetime) -> PulledAccount | None:
        """The account at the instant ``at``; None when there is no such account."""

        def pull() -> PulledAccount | None:
            return pulls.account_subgraph(self.driver, self.database, account_id, valid_at=at)

        if not self._caching:
            self._cache._count("misses")
            return pull()
        return self._cache._account(self._key(account_id, at), pull)

    def budget_account(self, budget_id: str, as_of: date) -> PulledAccount | None:
        """The account ``budget_id`` belongs to, as of ``as_of``; None when unknown."""
        at = valid_at(as_of)

        def pull() -> PulledAccount | None:
            return pulls.budget_account_subgraph(self.driver, self.database, budget_id, valid_at=at)

        if not self._caching:
            self._cache._count("misses")
            return pull()
        pulled_here: list[PulledAccount | None] = []

        def find() -> str | None:
            # The budget's anchor pulls the whole account: keep it under its own key too.
            pulled = pull()
            if pulled is not None:
                with self._cache._lock:
                    key = self._key(pulled.graph.account_id, at)
                    pulled = self._cache._store_account(key, pulled)
            pulled_here.append(pulled)
            self._cache._count("misses")
            return None if pulled is None else pulled.graph.account_id

        account_id = self._cache._lookup(("budget", budget_id, at, self._version), find)
        if pulled_here:
            return pulled_here[0]
        if account_id is None:
            self._cache._count("hits")
            return None
        return self.account(account_id, as_of)

    def accounts(self, account_ids: Sequence[str], as_of: date) -> list[PulledAccount]:
        """Several accounts as of ``as_of`` (unknown ids skipped), the missing ones pulled
        together in one round trip."""
        at = valid_at(as_of)
        wanted = list(dict.fromkeys(account_ids))
        found: dict[str, PulledAccount | None] = {}
        if self._caching:
            for account_id in wanted:
                hit, pulled = self._cache._peek_account(self._key(account_id, at))
                if hit:
                    found[account_id] = pulled
        missing = [a for a in wanted if a not in found]
        if missing:
            fresh = pulls.accounts_subgraphs(self.driver, self.database, missing, valid_at=at)
            self._cache._count("misses", len(missing))
            by_id: dict[str, PulledAccount | None] = {p.graph.account_id: p for p in fresh}
            for account_id in missing:
                found[account_id] = by_id.get(account_id)
            if self._caching:
                with self._cache._lock:
                    for account_id in missing:
                        key = self._key(account_id, at)
                        found[account_id] = self._cache._store_account(key, found[account_id])
        return [p for p in (found[a] for a in wanted) if p is not None]

    def person(self, person_id: str, as_of: date) -> PersonRef | None:
        """Whether ``person_id`` is a stakeholder or a team member, and their accounts."""
        return self.person_at(person_id, valid_at(as_of))

    def person_at(self, person_id: str, at: datetime) -> PersonRef | None:
        """:meth:`person` at the instant ``at``."""

        def find() -> PersonRef | None:
            return pulls.find_person(self.driver, self.database, person_id, valid_at=at)

        if not self._caching:
            return find()
        return self._cache._lookup(("person", person_id, at, self._version), find)

    # -- derived results ----------------------------------------------------------------

    def _derived(self, pulled: PulledAccount, what: Hashable, make: Callable[[], T]) -> T:
        if not self._caching:
            self._cache._count("derived_misses")
            return make()
        key = self._key(pulled.graph.account_id, pulled.graph.as_of)
        return self._cache._derived(key, pulled, what, make)

    def indexed(self, pulled: PulledAccount) -> IndexedAccount:
        """The account's index arrays (:func:`service.analytics.engagement.index_account`)."""
        return self._derived(pulled, INDEXED, lambda: index_account(pulled.graph))

    def engagement_graph(self, pulled: PulledAccount, params: AnalyticsParams) -> EngagementGraph:
        """The account's engagement graph under ``params`` (DESIGN "Engagement graph")."""
        return self._derived(
            pulled,
            (ENGAGEMENT_GRAPH, params),
            lambda: engagement_graph(self.indexed(pulled), params),
        )

    def betweenness(self, pulled: PulledAccount, params: AnalyticsParams) -> dict[str, float]:
        """Exact betweenness of every person in the engagement graph (the power map's).

        Betweenness counts hops, not strengths, so it is also kept by the graph's
        topology (:meth:`EngagementGraph.topology_key`): after a write that left this
        account's people and active ties as they were (a write to another account, a
        tie-strength update), the new version's entry reuses it instead of spending
        the better part of a second again.
        """

        def by_topology() -> dict[str, float]:
            graph = self.engagement_graph(pulled, params)
            if not self._caching:
                return engagement_betweenness(graph)
            return self._cache._by_topology(
                (BETWEENNESS, graph.topology_key()), lambda: engagement_betweenness(graph)
            )

        return self._derived(pulled, (BETWEENNESS, params), by_topology)

    def derive_again(self, pulled: PulledAccount, what: Hashable) -> None:
        """Recompute (or reuse by topology) a derived result an older entry had."""
        if what == INDEXED:
            self.indexed(pulled)
        elif isinstance(what, tuple) and len(what) == 2:
            kind, params = what
            if kind == ENGAGEMENT_GRAPH and isinstance(params, AnalyticsParams):
                self.engagement_graph(pulled, params)
            elif kind == BETWEENNESS and isinstance(params, AnalyticsParams):
                self.betweenness(pulled, params)
