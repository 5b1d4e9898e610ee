"""What one request reads: accounts, lookups and derived results, keyed by one graph version.

Every analytics use case gets its input here (through
:mod:`service.domain.analytics.subgraphs`), from the app's
:class:`~service.domain.analytics.account_cache.AccountCache` when the graph has not
changed since, else pulled in one round trip (:mod:`service.graph.account_subgraph`).
This module says *what* is read and derived; the cache (through its public methods)
says where it is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, TypeVar, cast

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
from service.graph.driver import Graph
from service.graph.graph_version import UNKNOWN_VERSION

if TYPE_CHECKING:
    from service.domain.analytics.account_cache import AccountCache, AccountKey

__all__ = ["ANSWER", "BETWEENNESS", "ENGAGEMENT_GRAPH", "INDEXED", "AccountReads"]

T = TypeVar("T")
A = TypeVar("A", bound=Hashable)

#: Names of the derived results kept with a cached account (with the analytics
#: parameters beside the last two); derive_again() reads them back.
INDEXED: Final = "indexed"
ENGAGEMENT_GRAPH: Final = "engagement_graph"
BETWEENNESS: Final = "betweenness"
#: An answer (or the costly part of one) kept with a cached account, under
#: ``(ANSWER, make, arg)``: :meth:`AccountReads.answer`.
ANSWER: Final = "answer"


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
    def graph(self) -> Graph:
        return self._cache.graph

    def _key(self, account_id: str, at: datetime) -> AccountKey:
        return (account_id, at, self._version)

    def account(self, account_id: str, as_of: date) -> PulledAccount | None:
        """The account as of the end of ``as_of``; None when there is no such account."""
        return self.account_at(account_id, valid_at(as_of))

    def account_at(self, account_id: str, at: datetime) -> PulledAccount | None:
        """The account at the instant ``at``; None when there is no such account."""

        def pull() -> PulledAccount | None:
            return pulls.account_subgraph(self.graph, account_id, valid_at=at)

        if not self._caching:
            self._cache.count("misses")
            return pull()
        return self._cache.account(self._key(account_id, at), pull)

    def budget_account(self, budget_id: str, as_of: date) -> PulledAccount | None:
        """The account ``budget_id`` belongs to, as of ``as_of``; None when unknown."""
        at = valid_at(as_of)

        def pull() -> PulledAccount | None:
            return pulls.budget_account_subgraph(self.graph, budget_id, valid_at=at)

        if not self._caching:
            self._cache.count("misses")
            return pull()
        pulled_here: list[PulledAccount | None] = []

        def find() -> str | None:
            # The budget's anchor pulls the whole account: keep it under its own key too.
            pulled = pull()
            if pulled is not None:
                key = self._key(pulled.graph.account_id, at)
                [pulled] = self._cache.store_accounts([(key, pulled)])
            pulled_here.append(pulled)
            self._cache.count("misses")
            return None if pulled is None else pulled.graph.account_id

        account_id = self._cache.lookup(("budget", budget_id, at, self._version), find)
        if pulled_here:
            return pulled_here[0]
        if account_id is None:
            self._cache.count("hits")
            return None
        return self.account(account_id, as_of)

    def accounts(
        self, account_ids: Sequence[str], as_of: date, *, keep: bool = True, slim: bool = False
    ) -> list[PulledAccount]:
        """Several accounts as of ``as_of`` (unknown ids skipped), the missing ones pulled
        together in one round trip.

        ``keep=False``: the accounts held are used, the missing ones are pulled for this
        caller only — for a caller that reads many accounts once, off any request (the
        alerts evaluator reads every account a write touched, then commits a write of
        its own, which moves the graph version on): kept, they would evict the accounts
        requests use and, recently used, take their place in the refresher's next round.

        ``slim`` (only with ``keep=False``): the missing ones are pulled without what no
        alert condition reads (:func:`~service.graph.account_subgraph.accounts_subgraphs`);
        the accounts held are used as they are.
        """
        if slim and keep:
            raise ValueError("a slim pull is never kept: pass keep=False")
        at = valid_at(as_of)
        wanted = list(dict.fromkeys(account_ids))
        found: dict[str, PulledAccount | None] = {}
        if self._caching:
            for account_id in wanted:
                hit, pulled = self._cache.peek_account(self._key(account_id, at))
                if hit:
                    found[account_id] = pulled
        missing = [a for a in wanted if a not in found]
        if missing:
            fresh = pulls.accounts_subgraphs(self.graph, missing, valid_at=at, slim=slim)
            self._cache.count("misses", len(missing))
            by_id: dict[str, PulledAccount | None] = {p.graph.account_id: p for p in fresh}
            for account_id in missing:
                found[account_id] = by_id.get(account_id)
            if self._caching and keep:
                held = self._cache.store_accounts([(self._key(a, at), found[a]) for a in missing])
                found.update(zip(missing, held, strict=True))
        return [p for p in (found[a] for a in wanted) if p is not None]

    def person(self, person_id: str, as_of: date) -> PersonRef | None:
        """Whether ``person_id`` is a stakeholder or a team member, and their accounts."""
        return self.person_at(person_id, valid_at(as_of))

    def person_at(self, person_id: str, at: datetime) -> PersonRef | None:
        """:meth:`person` at the instant ``at``."""

        def find() -> PersonRef | None:
            return pulls.find_person(self.graph, person_id, valid_at=at)

        if not self._caching:
            return find()
        return self._cache.lookup(("person", person_id, at, self._version), find)

    # -- derived results ----------------------------------------------------------------

    def _derived(self, pulled: PulledAccount, what: Hashable, make: Callable[[], T]) -> T:
        if not self._caching:
            self._cache.count("derived_misses")
            return make()
        key = self._key(pulled.graph.account_id, pulled.graph.as_of)
        return self._cache.derived(key, pulled, what, make)

    def indexed(self, pulled: PulledAccount) -> IndexedAccount:
        """The account's index arrays (:func:`service.analytics.engagement.index_account`)."""
        return self._derived(pulled, INDEXED, lambda: index_account(pulled.graph))

    def engagement_graph(self, pulled: PulledAccount, params: AnalyticsParams) -> EngagementGraph:
        """The account's engagement graph under ``params``.

        See docs/definitions.md, "Engagement graph".
        """
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
            return self._cache.by_topology(
                (BETWEENNESS, graph.topology_key()), lambda: engagement_betweenness(graph)
            )

        return self._derived(pulled, (BETWEENNESS, params), by_topology)

    def answer(
        self,
        pulled: PulledAccount,
        make: Callable[[AccountReads, PulledAccount, A], T],
        arg: A,
    ) -> T:
        """``make(self, pulled, arg)``, made once per cached account and ``arg``, and kept.

        For an answer, or the costly part of one, that depends only on the account's
        content and ``arg`` (the analytics parameters, say): a warm request then builds
        none of its objects again (building the power map's 5,000 rows as answer models
        costs more than the analytics behind them). ``make`` is part of the key and the
        refresher calls it again under a new version (:meth:`derive_again`), so it must
        be a module-level function. What it returns is shared between requests and must
        not be changed (answer models are frozen).
        """
        return self._derived(pulled, (ANSWER, make, arg), lambda: make(self, pulled, arg))

    def held_answer(
        self,
        account_id: str,
        as_of: date,
        make: Callable[[AccountReads, PulledAccount, A], T],
        arg: A,
    ) -> T | None:
        """:meth:`answer` of the account as of ``as_of`` when it is already held (no pull,
        nothing made: the event loop may call it); None otherwise."""
        if not self._caching:
            return None
        key = self._key(account_id, valid_at(as_of))
        found, value = self._cache.held_derived(key, (ANSWER, make, arg))
        return cast(T, value) if found else None

    def derive_again(self, pulled: PulledAccount, what: Hashable) -> None:
        """Recompute (or reuse by topology) a derived result an older entry had."""
        if what == INDEXED:
            self.indexed(pulled)
        elif isinstance(what, tuple) and len(what) == 3 and what[0] == ANSWER:
            _, make, arg = what
            self.answer(pulled, make, arg)
        elif isinstance(what, tuple) and len(what) == 2:
            kind, params = what
            if kind == ENGAGEMENT_GRAPH and isinstance(params, AnalyticsParams):
                self.engagement_graph(pulled, params)
            elif kind == BETWEENNESS and isinstance(params, AnalyticsParams):
                self.betweenness(pulled, params)
