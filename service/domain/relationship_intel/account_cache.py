"""A small per-app cache of pulled accounts, keyed by the graph version.

Pulling a 5,000-person account costs 170–290 ms (bench/RESULTS.md), several times the
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
  exact betweenness the power map shows (≈ 4 s on 5,000 people) — kept with the entry
  and dropped with it.

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

__all__ = ["AccountCache", "AccountReads", "CacheStats"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
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
    """One pulled account and what has been derived from it."""

    pulled: PulledAccount | None
    derived: dict[Hashable, Any] = field(default_factory=dict)


class AccountCache:
    """Pulled accounts and their derived results by ``(what, as-of, graph version)``.

    Build one per app with the app's driver; call :meth:`reads` once per request.
    """

    def __init__(self, driver: Driver | None, database: str, max_entries: int) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be 0 (disabled) or more")
        self._driver = driver
        self._database = database
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._accounts: _Lru[AccountKey, _Entry] = _Lru(max_entries)
        self._lookups: _Lru[LookupKey, Any] = _Lru(max_entries * LOOKUPS_PER_ENTRY)
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
                **self._counts,
            )

    def clear(self) -> None:
        """Forget every entry (the counters stay)."""
        with self._lock:
            self._accounts.items.clear()
            self._lookups.items.clear()

    def reads(self) -> AccountReads:
        """One request's reads: the graph version is read now, once, and keys them all."""
        if not self.enabled:
            return AccountReads(self, UNKNOWN_VERSION)
        version = current_graph_version(self.driver, self._database)
        if version != UNKNOWN_VERSION:
            with self._lock:
                if version != self._version:
                    self._counts["invalidations"] += self._accounts.drop_other_versions(version)
                    self._lookups.drop_other_versions(version)
                    self._version = version
        return AccountReads(self, version)

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
            return (True, entry.pulled) if entry is not None else (False, None)

        def put(pulled: PulledAccount | None) -> PulledAccount | None:
            return self._store_account(key, pulled)

        pulled, how = self._once(("account", key), get, put, pull)
        self._count({"hit": "hits", "made": "misses", "shared": "shared"}[how])
        return pulled

    def _lookup(self, key: LookupKey, find: Callable[[], T]) -> T:
        def put(value: T) -> T:
            self._lookups.put(key, value)
            return value

        def get() -> tuple[bool, T | None]:
            found, value = self._lookups.get(key)
            return found, cast(T | None, value)

        return self._once(("lookup", key), get, put, find)[0]

    def _peek_account(self, key: AccountKey) -> tuple[bool, PulledAccount | None]:
        with self._lock:
            found, entry = self._accounts.get(key)
            if found and entry is not None:
                self._counts["hits"] += 1
                return True, entry.pulled
            return False, None

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
        at = valid_at(as_of)

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
        at = valid_at(as_of)

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
        return self._derived(pulled, "indexed", lambda: index_account(pulled.graph))

    def engagement_graph(self, pulled: PulledAccount, params: AnalyticsParams) -> EngagementGraph:
        """The account's engagement graph under ``params`` (DESIGN "Engagement graph")."""
        return self._derived(
            pulled,
            ("engagement_graph", params),
            lambda: engagement_graph(self.indexed(pulled), params),
        )

    def betweenness(self, pulled: PulledAccount, params: AnalyticsParams) -> dict[str, float]:
        """Exact betweenness of every person in the engagement graph (the power map's)."""
        return self._derived(
            pulled,
            ("betweenness", params),
            lambda: engagement_betweenness(self.engagement_graph(pulled, params)),
        )
