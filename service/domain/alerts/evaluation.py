"""Evaluating the watches after writes: change sets in, events and states out.

docs/alerts.md, "Conditions". Every recorded ``ChangeSet`` carries ``alerts_pending``
until the transaction that stores what the evaluator made of it removes the flag:

1. :func:`evaluate_pending` claims the oldest pending change sets (a bounded batch;
   the claim expires, so a crashed evaluator's batch is taken up again, and two
   evaluators never claim the same change set);
2. collects the accounts they touched and, for each, the watches whose scope includes
   it; reads each such account once (:class:`AccountView`, through the app's
   ``AccountReads``), with the few graph reads the conditions need besides (on a small
   pool beside the account pull: the states as stored, former key roles, the saved
   queries' runs), and runs the conditions on the views against those states
   (:class:`~service.domain.alerts.outcomes.Outcomes`: each condition once per account
   and previous state, whatever the number of watches);
3. in ONE write transaction (:func:`service.graph.alert_evaluation.commit_evaluation`)
   re-reads each watch's ``AlertState`` for the account, runs the conditions again
   only where a state changed since step 2 (the outcomes are kept by state text),
   stores the events (global ``seq``, per-watch ``watch_seq``, ``delivery`` pending
   when the watch has an enabled webhook, else ``none``), the new states, and removes
   ``alerts_pending`` from the change sets.

Events come from comparing a state with the account *now* (state-based, not
change-based), so a replayed write, a re-run after a crash, or two evaluators racing
on one account make no duplicate event: the second finds the state already moved on.
A state is never overwritten by an evaluation that read the account earlier than the
one that wrote it (``view_at``).

:func:`establish_baseline` stores the states of a new watch for every account in its
scope without events, so that a condition already holding when the watch is created
never fires. :class:`AlertEvaluator` runs :func:`evaluate_pending` on a daemon thread
every ``alerts_evaluation_interval_s`` and at once on :meth:`AlertEvaluator.wake`
(the write routes call it).
"""

from __future__ import annotations

import contextvars
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, Final, TypeVar

import structlog

from service import heap
from service.analytics.model import AnalyticsParams
from service.domain.alerts.account_view import (
    FORMER_CHAMPION_ROLES,
    AccountView,
    FormerRole,
    QueryRows,
    Whereabouts,
)
from service.domain.alerts.condition_specs import (
    ConditionSpec,
    SavedQueryChanged,
    parse_conditions,
)
from service.domain.alerts.conditions.saved_query_changed import ROW_LIMIT, query_key
from service.domain.alerts.outcomes import Outcome, Outcomes, keyed_conditions
from service.domain.alerts.state_cache import STATES, CachedState, StateCache
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.account_reads import AccountReads
from service.domain.analytics.answers import analytics_params
from service.domain.errors import PowermapError
from service.domain.queries.catalog import Catalog, SavedQuery
from service.domain.queries.per_account import run_saved_per_account
from service.domain.queries.runner import PassedPlans, QueryResult, RunLimits, run_saved_many
from service.graph import alert_evaluation as store
from service.graph.alert_evaluation import Decision, StoredState, WatchRow
from service.graph.driver import Graph
from service.polling import PollingThread
from service.settings import Settings, get_settings

__all__ = [
    "PORTFOLIO",
    "AlertEvaluator",
    "EvaluationReport",
    "establish_baseline",
    "evaluate_pending",
]

log = structlog.get_logger("powermap.alerts")

#: The account of the state of a condition that answers for the whole portfolio (a
#: saved query without an ``account_id`` parameter).
PORTFOLIO: Final = "*"
#: Change sets claimed per batch, and how long a claim holds.
BATCH: Final = 50
CLAIM_S: Final = 120.0
#: Accounts pulled together in one round trip by the baseline.
BASELINE_CHUNK: Final = 50
#: Reads in flight beside the account pull: the states, the former key roles and the
#: saved queries' runs (one statement per saved query for all the touched accounts).
READ_WORKERS: Final = 4
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

T = TypeVar("T")


@dataclass
class EvaluationReport:
    """What one :func:`evaluate_pending` did, with where the time went (ms)."""

    change_set_ids: list[str] = field(default_factory=list)
    accounts: int = 0  # touched accounts evaluated for at least one watch
    states: int = 0  # (watch, account) states evaluated
    events: list[dict[str, Any]] = field(default_factory=list)  # id, type, watch, account
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def claimed(self) -> int:
        return len(self.change_set_ids)


@dataclass(frozen=True)
class _Watch:
    row: WatchRow
    conditions: tuple[ConditionSpec, ...]

    def covers(self, account_id: str, tier: str | None) -> bool:
        kind = self.row.scope_kind
        if kind == "portfolio":
            return True
        if kind == "tier":
            return tier is not None and tier == self.row.tier
        return account_id in self.row.account_ids


class _Conditions:
    """Some of a watch's conditions (with their places), as the units of every account
    share them: their keyed form and their text are worked out once per watch."""

    def __init__(self, numbered: tuple[tuple[int, ConditionSpec], ...]) -> None:
        self.numbered = numbered

    def __iter__(self) -> Iterator[tuple[int, ConditionSpec]]:
        return iter(self.numbered)

    def __bool__(self) -> bool:
        return bool(self.numbered)

    @cached_property
    def keyed(self) -> list[tuple[str, str, ConditionSpec]]:
        return keyed_conditions(self.numbered)

    @cached_property
    def signature(self) -> str:
        """What they evaluate (the conditions and their places), as text."""
        return json.dumps(
            [[i, c.model_dump(mode="json")] for i, c in self.numbered], sort_keys=True
        )


@dataclass(frozen=True)
class _Unit:
    """One AlertState to evaluate: a watch's conditions on one account's view (or, for
    portfolio-wide ones, under the account ``*`` on the view of a touched account)."""

    watch: _Watch
    state_account: str
    view_account: str
    conditions: _Conditions

    @property
    def key(self) -> str:
        return f"{self.watch.row.id}|{self.state_account}"

    @property
    def keyed(self) -> list[tuple[str, str, ConditionSpec]]:
        return self.conditions.keyed

    @property
    def signature(self) -> str:
        """What the unit evaluates (its conditions and their places), as text."""
        return self.conditions.signature


class _Queries:
    """Saved queries for the conditions: which answer for the portfolio, and their runs."""

    def __init__(self, graph: Graph, settings: Settings) -> None:
        self._graph = graph
        self._settings = settings
        self._catalog = Catalog(settings.queries_dir)
        self._found: dict[str, SavedQuery | None] = {}
        # The same query runs once per touched account: its plan is checked once.
        self._passed = PassedPlans()

    def query(self, name: str) -> SavedQuery | None:
        if name not in self._found:
            try:
                self._found[name] = self._catalog.get(name)
            except PowermapError:
                self._found[name] = None
        return self._found[name]

    def portfolio_wide(self, spec: ConditionSpec) -> bool:
        if not isinstance(spec, SavedQueryChanged):
            return False
        query = self.query(spec.query)
        if query is None:
            return False
        declares = any(p.name == "account_id" for p in query.params)
        return not declares or "account_id" in spec.params

    def run(self, spec: SavedQueryChanged, accounts: Sequence[str | None]) -> list[QueryRows]:
        """The query's answer on each of ``accounts`` (None: without an account): the
        runs on accounts in one statement (``per_account.py``), those without one in
        one read transaction (each run alone should that fail)."""
        query = self.query(spec.query)
        if query is None:
            return [QueryRows(error=f"no saved query named {spec.query!r}") for _ in accounts]
        limits = RunLimits.resolve(self._settings, limit=ROW_LIMIT)
        on = [a for a in accounts if a is not None]
        results: dict[str | None, QueryResult | PowermapError] = {}
        if on:
            answers = run_saved_per_account(
                self._graph,
                query,
                spec.params,
                on,
                limits=limits,
                key_id="alerts",
                passed=self._passed,
            )
            results.update(zip(on, answers, strict=True))
        if len(on) < len(accounts):
            results[None] = run_saved_many(
                self._graph,
                query,
                [dict(spec.params)],
                limits=limits,
                key_id="alerts",
                passed=self._passed,
            )[0]
        return [self._rows(spec, results[a]) for a in accounts]

    @staticmethod
    def _rows(spec: SavedQueryChanged, result: QueryResult | PowermapError) -> QueryRows:
        if isinstance(result, PowermapError):
            log.warning("alert_query_failed", query=spec.query, error=str(result))
            return QueryRows(error=str(result))
        rows = tuple(
            json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)
            for row in result.rows
        )
        return QueryRows(rows=rows, truncated=result.truncated)


def _watches(rows: Iterable[WatchRow]) -> list[_Watch]:
    out = []
    for row in rows:
        try:
            out.append(_Watch(row, tuple(parse_conditions(row.conditions))))
        except ValueError:
            log.warning("alert_watch_unreadable", watch_id=row.id)
    return out


def _units(
    watches: Sequence[_Watch],
    accounts: Sequence[str],
    tiers: Mapping[str, str | None],
    queries: _Queries,
) -> list[_Unit]:
    """The states to evaluate for the touched ``accounts`` (those that exist)."""
    units: list[_Unit] = []
    for watch in watches:
        covered = [a for a in accounts if a in tiers and watch.covers(a, tiers[a])]
        if not covered:
            continue
        per_account = _Conditions(
            tuple((i, c) for i, c in enumerate(watch.conditions) if not queries.portfolio_wide(c))
        )
        wide = _Conditions(
            tuple((i, c) for i, c in enumerate(watch.conditions) if queries.portfolio_wide(c))
        )
        if per_account:
            units += [_Unit(watch, a, a, per_account) for a in covered]
        if wide:
            units.append(_Unit(watch, PORTFOLIO, covered[0], wide))
    return units


class _Answers(Mapping[str, QueryRows]):
    """A view's saved-query answers as their runs finish (reading one waits for it):
    each the answer at an index of a batch of runs."""

    def __init__(self, runs: Mapping[str, tuple[Future[list[QueryRows]], int]]) -> None:
        self._runs = runs

    def __getitem__(self, key: str) -> QueryRows:
        batch, index = self._runs[key]
        return batch.result()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._runs)

    def __len__(self) -> int:
        return len(self._runs)


def _in_context(fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """``fn(*args)`` to run on a pool thread with the caller's context (the request's
    deadline, its log fields)."""
    context = contextvars.copy_context()
    return lambda: context.run(fn, *args)


def _former_roles(graph: Graph, account_ids: Sequence[str]) -> dict[str, list[FormerRole]]:
    former: dict[str, list[FormerRole]] = {}
    for r in store.former_key_roles(graph, account_ids, FORMER_CHAMPION_ROLES):
        former.setdefault(r["account_id"], []).append(
            FormerRole(
                person_id=r["person_id"],
                role=r["role"],
                target_kind=r["target_kind"],
                target_id=r["target_id"],
                target_name=r["target_name"],
                account_id=r["other_id"],
                account_name=r["other_name"],
                since=r["since"],
                until=r["until"],
            )
        )
    return former


def _build_views(
    graph: Graph,
    reads: AccountReads,
    params: AnalyticsParams,
    units: Sequence[_Unit],
    queries: _Queries,
    now: datetime,
    pool: ThreadPoolExecutor,
    outcomes: Outcomes,
    cache: StateCache,
    *,
    events: bool,
    timings: dict[str, float],
) -> tuple[dict[str, AccountView], dict[str, StoredState]]:
    """One view per account the units read, with the graph reads the conditions need,
    and the units' states as stored before the transaction (none for a baseline).

    The account pull runs here while ``pool`` reads the states, the former key roles
    and runs the saved queries (one statement per query for all the accounts, or one
    run per query that answers for the portfolio); the views' answers arrive as the
    runs finish. A state whose revision and view time are those of ``cache``'s entry is
    that entry: its text is not read again, nor parsed when the entry holds its parts."""
    account_ids = sorted({u.view_account for u in units})
    keys = [u.key for u in units]
    cached = cache.get(keys) if events else {}
    known = {key: entry.stored for key, entry in cached.items()}
    states = pool.submit(
        _in_context(store.read_states_since, graph, keys, known) if events else dict
    )
    former_for = sorted(
        {
            u.view_account
            for u in units
            if any(c.type == "former_champion_joined" for _, c in u.conditions)
        }
    )
    former = pool.submit(_in_context(_former_roles, graph, former_for)) if former_for else None
    # Each saved query's runs: once for the portfolio, or once per account in batches.
    asked: dict[str, tuple[SavedQueryChanged, dict[str, None]]] = {}
    for u in units:
        for _, spec in u.conditions:
            if isinstance(spec, SavedQueryChanged):
                wide = u.state_account == PORTFOLIO
                accounts = asked.setdefault(f"{wide}|{query_key(spec)}", (spec, {}))[1]
                accounts[PORTFOLIO if wide else u.view_account] = None
    runs: dict[tuple[str, str], tuple[Future[list[QueryRows]], int]] = {}
    for spec, accounts in asked.values():
        ordered = list(accounts)
        given = [None if a == PORTFOLIO else a for a in ordered]
        future = pool.submit(_in_context(queries.run, spec, given))
        for index, account in enumerate(ordered):
            runs[(account, query_key(spec))] = (future, index)
    read_at = datetime.now(UTC)
    started = time.perf_counter()
    pulled = {
        p.graph.account_id: p
        for p in reads.accounts(account_ids, now.date(), keep=False, slim=True)
    }
    timings["views.pull"] = _ms(started)
    started = time.perf_counter()
    stored: dict[str, StoredState] = states.result()
    timings["views.states"] = _ms(started)  # waiting for them after the pull
    for key, read in stored.items():
        entry = cached.get(key)
        if entry is not None and entry.stored is read and entry.parsed and read.state is not None:
            outcomes.seed(read.state, entry.parts)
    here = {
        a: {s.id for s in p.graph.stakeholders if s.status == "active"} for a, p in pulled.items()
    }
    locate: dict[str, set[str]] = {}
    for u in units:
        have = stored.get(u.key)
        if u.view_account not in pulled or have is None:
            continue
        ids = outcomes.to_locate(u.keyed, have.state)
        locate.setdefault(u.view_account, set()).update(
            i for i in ids if i not in here[u.view_account]
        )
    everyone = sorted(set().union(*locate.values())) if locate else []
    where = {
        r["id"]: Whereabouts(
            r["id"],
            r["name"],
            r["status"] or "active",
            r["left_at"],
            r["account_id"],
            r["account_name"],
        )
        for r in (store.whereabouts(graph, everyone) if everyone else [])
    }
    roles = former.result() if former is not None else {}
    shared = {key: run for (a, key), run in runs.items() if a == PORTFOLIO}
    mine: dict[str, dict[str, tuple[Future[list[QueryRows]], int]]] = {}
    for (a, key), run in runs.items():
        if a != PORTFOLIO:
            mine.setdefault(a, {})[key] = run
    views: dict[str, AccountView] = {}
    for account_id, p in pulled.items():
        views[account_id] = AccountView(
            account=p.graph,
            read_at=read_at,
            tier=p.tier,
            params=params,
            former_roles=tuple(roles.get(account_id, ())),
            whereabouts={i: where[i] for i in locate.get(account_id, ()) if i in where},
            queries=_Answers(shared | mine.get(account_id, {})),
            given_graph=reads.engagement_graph(p, params),
        )
    return views, stored


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 1)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _to_evaluate(unit: _Unit, view: AccountView, have: StoredState | None, *, events: bool) -> bool:
    if have is not None and (have.view_at_us or 0) > _micros(view.read_at):
        return False  # a later evaluation already stored what it saw
    return have is None or events  # a baseline never replaces a state


def _outcome(
    outcomes: Outcomes, unit: _Unit, view: AccountView, have: StoredState | None
) -> Outcome:
    """The unit's new state and events on ``view`` from ``have`` (computed once for all
    the units with the same conditions and state on the account: they are pure)."""
    return outcomes.outcome(view, unit.signature, unit.keyed, None if have is None else have.state)


def _precompute(
    units: Sequence[_Unit],
    views: Mapping[str, AccountView],
    stored: Mapping[str, StoredState],
    outcomes: Outcomes,
    *,
    events: bool,
) -> None:
    """Run the conditions on the states as read before the transaction, so that the
    transaction only repeats the work for a state that changed meanwhile. Units that
    wait for no saved query go first (the runs are still arriving)."""
    waits = [any(isinstance(c, SavedQueryChanged) for _, c in u.conditions) for u in units]
    for _, unit in sorted(zip(waits, units, strict=True), key=lambda pair: pair[0]):
        view = views.get(unit.view_account)
        have = stored.get(unit.key)
        if view is not None and _to_evaluate(unit, view, have, events=events):
            _outcome(outcomes, unit, view, have)


def _decide(
    units: Sequence[_Unit],
    views: Mapping[str, AccountView],
    outcomes: Outcomes,
    seen: dict[str, StoredState],
    *,
    events: bool,
) -> Callable[[Mapping[str, StoredState], Mapping[str, store.LockedWatch]], Decision]:
    """The function :func:`store.commit_evaluation` calls with the states as stored
    (left in ``seen``, as the last call was given them: a retried transaction calls it
    again). Every state it writes gets a new random revision."""

    def decide(
        stored: Mapping[str, StoredState], watches: Mapping[str, store.LockedWatch]
    ) -> Decision:
        seen.clear()
        seen.update(stored)
        decision = Decision()
        for unit in units:
            view = views.get(unit.view_account)
            watch = watches.get(unit.watch.row.id)
            if view is None or watch is None:
                continue  # the account or the watch is gone
            have = stored.get(unit.key)
            if not _to_evaluate(unit, view, have, events=events):
                continue
            state_text, drafts = _outcome(outcomes, unit, view, have)
            decision.evaluated += 1
            for type_, data in drafts:
                decision.events.append(
                    {
                        "id": "evt_" + uuid.uuid4().hex,
                        "watch_id": watch.id,
                        "account_id": view.account_id,
                        "type": type_,
                        "data": data,
                        "delivery": "pending" if watch.webhook else "none",
                    }
                )
            if have is not None and state_text == have.state:
                continue  # unchanged: nothing to write
            decision.states.append(
                {
                    "key": unit.key,
                    "watch_id": watch.id,
                    "account_id": unit.state_account,
                    "props": {"state": state_text, "view_at_us": _micros(view.read_at)},
                    "rev": uuid.uuid4().hex,
                }
            )
        return decision

    return decide


def _evaluate_units(
    graph: Graph,
    reads: AccountReads,
    settings: Settings,
    units: Sequence[_Unit],
    change_set_ids: Sequence[str],
    queries: _Queries,
    now: datetime,
    cache: StateCache,
    *,
    events: bool,
    timings: dict[str, float],
) -> Decision:
    started = time.perf_counter()
    views: dict[str, AccountView] = {}
    stored: dict[str, StoredState] = {}
    outcomes = Outcomes()
    if units:
        pool = ThreadPoolExecutor(max_workers=READ_WORKERS, thread_name_prefix="alert-reads")
        try:
            views, stored = _build_views(
                graph,
                reads,
                analytics_params(settings),
                units,
                queries,
                now,
                pool,
                outcomes,
                cache,
                events=events,
                timings=timings,
            )
            timings["views"] = round((time.perf_counter() - started) * 1000.0, 1)
            started = time.perf_counter()
            _precompute(units, views, stored, outcomes, events=events)
        finally:
            # Every answer has arrived (or, on a failure, the runs not started are dropped).
            pool.shutdown(wait=True, cancel_futures=True)
        timings["conditions"] = round((time.perf_counter() - started) * 1000.0, 1)
    started = time.perf_counter()
    keys = [u.key for u in units if u.view_account in views]
    seen: dict[str, StoredState] = {}
    decision = store.commit_evaluation(
        graph,
        watch_ids=[u.watch.row.id for u in units if u.view_account in views],
        state_keys=keys,
        change_set_ids=change_set_ids,
        now=now,
        decide=_decide(units, views, outcomes, seen, events=events),
        known=stored,
    )
    timings["commit"] = round((time.perf_counter() - started) * 1000.0, 1)
    _remember(cache, keys, seen, decision, outcomes)
    return decision


def _remember(
    cache: StateCache,
    keys: Sequence[str],
    seen: Mapping[str, StoredState],
    decision: Decision,
    outcomes: Outcomes,
) -> None:
    """Keep in ``cache`` the states of ``keys`` as the committed transaction left them:
    those it wrote (their new text and revision, with the parts of the text the
    conditions made) and those it read and kept (with their parts if they were
    parsed); a key without a state is dropped."""
    written = {s["key"]: s for s in decision.states}
    entries: list[CachedState] = []
    gone: list[str] = []
    for key in dict.fromkeys(keys):
        state = written.get(key)
        if state is not None:
            text = state["props"]["state"]
            have = StoredState(key, text, state["props"]["view_at_us"], state["rev"])
            parts = outcomes.parts_made(text)
            entries.append(CachedState(have, parts, parsed=parts is not None))
        elif key in seen:
            have = seen[key]
            parsed, parts = (True, None) if have.state is None else outcomes.parsed(have.state)
            entries.append(CachedState(have, parts, parsed=parsed))
        else:
            gone.append(key)
    cache.put(entries)
    cache.discard(gone)


def _claimer() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def evaluate_pending(
    graph: Graph,
    cache: AccountCache | AccountReads,
    settings: Settings | None = None,
    *,
    now: datetime | None = None,
    limit: int = BATCH,
    claimer: str | None = None,
    claim_s: float = CLAIM_S,
    states: StateCache = STATES,
) -> EvaluationReport:
    """Evaluate one batch of pending change sets (see the module docstring); ``states``
    is where the states read and written are kept for the next evaluation (the
    process's :data:`~service.domain.alerts.state_cache.STATES`). The cyclic garbage
    collector is paused meanwhile (:func:`service.heap.collector_paused`: the batch
    makes ≈ 1,000 container objects per account, all acyclic)."""
    with heap.collector_paused():
        return _evaluate_pending(
            graph,
            cache,
            settings,
            now=now,
            limit=limit,
            claimer=claimer,
            claim_s=claim_s,
            states=states,
        )


def _evaluate_pending(
    graph: Graph,
    cache: AccountCache | AccountReads,
    settings: Settings | None,
    *,
    now: datetime | None,
    limit: int,
    claimer: str | None,
    claim_s: float,
    states: StateCache,
) -> EvaluationReport:
    settings = settings or get_settings()
    now = now or datetime.now(UTC)
    report = EvaluationReport()
    started = time.perf_counter()
    claimed = store.claim_change_sets(
        graph,
        claimer=claimer or _claimer(),
        now=now,
        expires_at=now + timedelta(seconds=claim_s),
        limit=limit,
    )
    report.timings_ms["claim"] = round((time.perf_counter() - started) * 1000.0, 1)
    if not claimed:
        return report
    report.change_set_ids = [c.id for c in claimed]
    touched = sorted({a for c in claimed for a in c.account_ids})
    started = time.perf_counter()
    watches = _watches(store.read_watches(graph))
    tiers = store.account_tiers(graph, touched) if watches and touched else {}
    queries = _Queries(graph, settings)
    units = _units(watches, touched, tiers, queries)
    report.timings_ms["watches"] = round((time.perf_counter() - started) * 1000.0, 1)
    reads = cache.reads() if isinstance(cache, AccountCache) else cache
    decision = _evaluate_units(
        graph,
        reads,
        settings,
        units,
        report.change_set_ids,
        queries,
        now,
        states,
        events=True,
        timings=report.timings_ms,
    )
    report.accounts = len({u.view_account for u in units})
    report.states = decision.evaluated
    report.events = [
        {k: e[k] for k in ("id", "seq", "type", "watch_id", "account_id")} for e in decision.events
    ]
    return report


def establish_baseline(
    graph: Graph,
    reads: AccountReads | AccountCache,
    watch_id: str,
    settings: Settings | None = None,
    *,
    now: datetime | None = None,
    states: StateCache = STATES,
) -> int:
    """Store the new watch's state for every account in its scope, without events (a
    condition that already holds when the watch is created never fires). States that
    an evaluation stored meanwhile are kept. Returns the number of accounts read."""
    settings = settings or get_settings()
    now = now or datetime.now(UTC)
    row = store.read_watch(graph, watch_id)
    if row is None:
        return 0
    watch = _watches([row])
    if not watch:
        return 0
    accounts = store.scope_accounts(graph, row.scope_kind, row.account_ids, row.tier)
    tiers = store.account_tiers(graph, accounts) if accounts else {}
    queries = _Queries(graph, settings)
    if isinstance(reads, AccountCache):
        reads = reads.reads()
    done = 0
    for start in range(0, len(accounts), BASELINE_CHUNK):
        chunk = accounts[start : start + BASELINE_CHUNK]
        units = _units(watch, chunk, tiers, queries)
        if start > 0:  # the portfolio-wide state is the first chunk's
            units = [u for u in units if u.state_account != PORTFOLIO]
        with heap.collector_paused():
            _evaluate_units(
                graph, reads, settings, units, (), queries, now, states, events=False, timings={}
            )
        done += len(chunk)
    return done


class AlertEvaluator:
    """Runs :func:`evaluate_pending` until nothing is pending, every ``interval_s`` and
    whenever :meth:`wake` is called (after a write). :meth:`step` is one such run (the
    tests drive it directly); :meth:`start` runs it on a daemon thread until :meth:`stop`.
    """

    def __init__(
        self,
        graph: Graph,
        cache: AccountCache,
        settings: Settings,
        *,
        interval_s: float,
        max_batches: int = 20,
        on_events: Callable[[], None] | None = None,
    ) -> None:
        """``on_events`` is called after a run that made events (the app wakes its
        webhook deliverer with it)."""
        self._graph = graph
        self._cache = cache
        self._settings = settings
        self._max_batches = max_batches
        self._on_events = on_events
        self._claimer = f"{_claimer()}:{uuid.uuid4().hex[:8]}"
        self._thread = PollingThread(
            "alert-evaluator",
            interval_s,
            self._round,
            log=log,
            event="alert_evaluation",
        )

    def wake(self) -> None:
        """Evaluate now (a write just committed) instead of at the next poll."""
        self._thread.wake()

    def step(self) -> list[EvaluationReport]:
        reports = []
        for _ in range(self._max_batches):
            started = time.perf_counter()
            report = evaluate_pending(
                self._graph, self._cache, self._settings, claimer=self._claimer
            )
            if not report.claimed:
                break
            reports.append(report)
            log.info(
                "alerts_evaluated",
                change_sets=report.claimed,
                accounts=report.accounts,
                states=report.states,
                events=len(report.events),
                duration_ms=round((time.perf_counter() - started) * 1000.0, 1),
                timings_ms=report.timings_ms,
            )
            if report.claimed < BATCH:
                break
        if self._on_events is not None and any(r.events for r in reports):
            self._on_events()
        return reports

    def _round(self) -> bool:
        # A step evaluates until nothing is pending (or max_batches): none waits after it.
        self.step()
        return False

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._thread.stop(timeout_s)
