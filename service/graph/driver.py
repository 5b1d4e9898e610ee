"""The one Neo4j driver of a process, the :class:`Graph` handle every caller holds,
and the managed-transaction helpers around them.

A :class:`Graph` is the driver and the database name travelling together: it is built
once (the app's state, the CLI, the bench, the tests' fixtures) and passed down instead
of the pair. Its methods delegate to this module's functions, so the policies below
live in one place.

Every query goes through :func:`read` / :func:`write` / :func:`read_tx` /
:func:`write_tx` (and analysts' Cypher through :func:`execute`, from
``service/graph/adhoc.py``), which run managed transactions (``execute_read`` /
``execute_write``), fully consume results into plain data inside the transaction
function, as the driver requires, and own three policies of failure:

- **translation**: whatever the driver raises leaves as a service error
  (:func:`service.graph.errors.translate`), once, here;
- **retries**: transient errors (deadlocks between concurrent ingest writers, leader
  switches) are retried with a short exponential back-off until the request's deadline
  (or 30 s outside a request); an unreachable server gets one fresh attempt (pooled
  connections of a restarted server are stale) and then trips the circuit breaker
  (``service/graph/breaker.py``), which fails later calls at once for its cool-down;
- **deadline**: every transaction gets the time left of the request
  (``service/graph/deadline.py``) as its server-side timeout, so a write that cannot
  finish in time is rolled back by Neo4j and never commits after its client gave up.

Inside an HTTP request, every transaction is also noted in the request's trace
(``service/graph/request_trace.py``), reads with the graph version their bookmark names.

The driver's own retry loop is turned off (``max_transaction_retry_time=0``): it cannot
tell "the server is down" (fail now) from "a deadlock" (retry), and it retries both for
30 s, which is how requests used to hang while Neo4j was down.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncResult,
    Driver,
    GraphDatabase,
    ManagedTransaction,
    Query,
    Result,
    RoutingControl,
    unit_of_work,
)
from neo4j.api import BookmarkManager
from neo4j.exceptions import DriverError, Neo4jError

from service.domain.errors import DeadlineExceeded
from service.graph import deadline, request_trace
from service.graph.breaker import Breaker, breaker_of
from service.graph.errors import is_connectivity, is_retryable, translate
from service.settings import Settings

T = TypeVar("T")
Record = dict[str, Any]

#: How long transient errors are retried outside a request (CLI, background work).
RETRY_WITHOUT_DEADLINE_S: Final = 30.0
#: The shortest server-side timeout worth starting a transaction with.
MIN_TX_TIMEOUT_S: Final = 0.05


def _driver_config(settings: Settings) -> dict[str, Any]:
    """The configuration of both drivers of a process (sync and async)."""
    return {
        "auth": (settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        "max_connection_pool_size": 50,
        # Fail fast when the server is down or unreachable (docs/operations.md).
        "connection_timeout": settings.neo4j_connection_timeout_s,
        "connection_acquisition_timeout": max(
            settings.neo4j_acquisition_timeout_s, settings.neo4j_connection_timeout_s + 0.5
        ),
        "max_transaction_retry_time": 0.0,
        # Warnings such as "property key does not exist" on a fresh graph are noise here.
        "notifications_min_severity": "OFF",
    }


def create_driver(settings: Settings) -> Driver:
    """Build the process's driver; the caller owns it and must close it."""
    driver = GraphDatabase.driver(settings.neo4j_uri, **_driver_config(settings))
    breaker_of(driver, settings.neo4j_breaker_cooldown_s)
    return driver


def _backoff() -> Iterator[float]:
    delay = 0.05
    while True:
        yield delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
        delay = min(delay * 2, 1.0)


class _Attempts:
    """The failure policies of one unit of work, shared by the sync driver's
    :func:`execute` and the async driver's :meth:`AsyncGraph.execute`: the breaker, the
    request's deadline as the transaction's timeout, the retries and the translation."""

    __slots__ = ("analyst", "breaker", "delays", "fresh_attempt_made", "retry_until", "timeout")

    def __init__(self, breaker: Breaker, timeout: float | None, analyst: bool) -> None:
        self.breaker = breaker
        self.timeout = timeout
        self.analyst = analyst
        left = deadline.remaining()
        self.retry_until = time.monotonic() + (RETRY_WITHOUT_DEADLINE_S if left is None else left)
        self.delays = _backoff()
        self.fresh_attempt_made = False

    def begin(self) -> float | None:
        """Before an attempt: fail at once while the breaker is open or the request's
        time is up; the attempt's server-side timeout."""
        self.breaker.check()
        left = deadline.remaining()
        tx_timeout = self.timeout
        if left is not None:
            if left < MIN_TX_TIMEOUT_S:
                raise DeadlineExceeded(
                    "the request ran out of time before it could finish; nothing more of "
                    "it was written; retry later or send less at once"
                )
            tx_timeout = left if tx_timeout is None else min(tx_timeout, left)
        return tx_timeout

    def failed(self, exc: Neo4jError | DriverError, tx_timeout: float | None) -> float:
        """After a failed attempt: the seconds to wait before the next one (0: at once),
        or the service's error raised (:func:`service.graph.errors.translate`)."""
        if is_connectivity(exc):
            if not self.fresh_attempt_made:
                self.fresh_attempt_made = True  # the pool's connections may be stale
                return 0.0
            self.breaker.trip()
            raise translate(exc) from exc
        delay = next(self.delays)
        if is_retryable(exc) and time.monotonic() + delay < self.retry_until:
            return delay  # back-off before retrying a transient error
        raise translate(exc, analyst=self.analyst, timeout=tx_timeout) from exc

    def succeeded(self) -> None:
        self.breaker.reset()


class _KeptBookmarks(BookmarkManager):
    """The bookmark manager of one ``execute_query`` call: it sends no bookmark (like a
    fresh session) and keeps the one the commit returned (the graph version it names)."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: Collection[str] = ()

    def update_bookmarks(
        self, previous_bookmarks: Collection[str], new_bookmarks: Collection[str]
    ) -> None:
        self.values = new_bookmarks

    def get_bookmarks(self) -> Collection[str]:
        return ()


_ROUTING: Final = {"read": RoutingControl.READ, "write": RoutingControl.WRITE}


def _note(mode: Literal["read", "write"], bookmarks: Callable[[], Iterable[str]]) -> None:
    """Note a committed transaction in the request's trace (reads with their version)."""
    if request_trace.current() is not None:
        version = request_trace.version_of(bookmarks()) if mode == "read" else None
        request_trace.note_transaction(read=mode == "read", version=version)


def execute(
    driver: Driver,
    database: str,
    mode: Literal["read", "write"],
    work: Callable[[ManagedTransaction], T],
    *,
    timeout: float | None = None,
    analyst: bool = False,
    fetch_size: int | None = None,
) -> T:
    """Run ``work`` in one managed transaction under the policies of this module.

    ``timeout`` bounds the transaction on the server (lowered to the request's time
    left); ``analyst`` marks Cypher the caller wrote, for the translation of its errors.
    """
    attempts = _Attempts(breaker_of(driver), timeout, analyst)
    session_config: dict[str, Any] = {"database": database, "max_transaction_retry_time": 0.0}
    if fetch_size is not None:
        session_config["fetch_size"] = fetch_size

    def attempt(tx_timeout: float | None) -> T:
        unit = work if tx_timeout is None else unit_of_work(timeout=tx_timeout)(work)
        with driver.session(**session_config) as session:
            result = session.execute_read(unit) if mode == "read" else session.execute_write(unit)
            _note(mode, lambda: session.last_bookmarks().raw_values)
        return result

    return _under_policies(attempts, attempt)


def _under_policies(attempts: _Attempts, attempt: Callable[[float | None], T]) -> T:
    """Call ``attempt`` with each try's server-side timeout until it succeeds, or until
    ``attempts`` gives up and raises the service's error (the sync driver's loop)."""
    while True:
        tx_timeout = attempts.begin()
        try:
            result = attempt(tx_timeout)
        except (Neo4jError, DriverError) as exc:
            delay = attempts.failed(exc, tx_timeout)
            if delay:
                time.sleep(delay)
            continue
        attempts.succeeded()
        return result


def query(
    driver: Driver,
    database: str,
    mode: Literal["read", "write"],
    cypher: str,
    params: Mapping[str, Any],
    transform: Callable[[Result], T],
) -> tuple[T, str]:
    """Run one statement in one managed transaction under the policies of this module;
    what ``transform`` made of its result inside the transaction, and the graph version
    the transaction's bookmark names (graph_version.py).

    Through the driver's ``execute_query``, which sends BEGIN with the statement (one
    round trip less than a transaction function, whose BEGIN waits for its answer).
    """

    def attempt(tx_timeout: float | None) -> tuple[T, Collection[str]]:
        kept = _KeptBookmarks()
        result = driver.execute_query(
            Query(cypher, timeout=tx_timeout),
            dict(params),
            routing_=_ROUTING[mode],
            database_=database,
            bookmark_manager_=kept,
            result_transformer_=transform,
        )
        return result, kept.values

    result, bookmarks = _under_policies(_Attempts(breaker_of(driver), None, False), attempt)
    version = request_trace.version_of(bookmarks)
    if request_trace.current() is not None:
        request_trace.note_transaction(read=mode == "read", version=version)
    return result, version


def _data(result: Result) -> list[Record]:
    return result.data()


class Rows(list[Any]):
    """A statement's list parameter as sent: a list with a short ``repr``. The driver
    formats each RUN's parameters for a debug log line even when debug logging is off
    (neo4j 6.4, ``_bolt5.py``), which for thousands of rows costs the client more than
    packing them (the query's own text: :class:`~service.graph.cypher_files.CypherText`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def run_rows(tx: ManagedTransaction, cypher: str, params: Mapping[str, Any]) -> list[Record]:
    """Run one statement in ``tx`` and consume it fully into plain dicts.

    Query text only ever comes from `.cypher` files and module constants, never from
    user input (docs/graph-conventions.md, "Rules of the house"); values travel as
    parameters.
    """
    return tx.run(cypher, dict(params)).data()


def read(driver: Driver, database: str, cypher: str, **params: Any) -> list[Record]:
    """Run one read query in a managed read transaction and return its rows."""
    return query(driver, database, "read", cypher, params, _data)[0]


def write(driver: Driver, database: str, cypher: str, **params: Any) -> list[Record]:
    """Run one write query in a managed write transaction and return its rows."""
    return query(driver, database, "write", cypher, params, _data)[0]


def read_tx(driver: Driver, database: str, work: Callable[[ManagedTransaction], T]) -> T:
    """Run a multi-statement unit of read work in one managed transaction."""
    return execute(driver, database, "read", work)


def write_tx(driver: Driver, database: str, work: Callable[[ManagedTransaction], T]) -> T:
    """Run a multi-statement unit of write work in one managed (retried) transaction."""
    return execute(driver, database, "write", work)


def ping(driver: Driver, database: str) -> None:
    """One round trip to ``database``; raises the service's errors like every query."""
    read(driver, database, "RETURN 1 AS ok")


@dataclass(frozen=True, slots=True)
class Graph:
    """The graph a caller works on: the process's driver and the database it queries.

    Built once per process (or per test) and passed down the layers in place of
    ``driver, database``; its methods are this module's functions with the pair filled in.
    """

    driver: Driver
    database: str

    @classmethod
    def connect(cls, settings: Settings) -> Graph:
        """A new driver (:func:`create_driver`) on the settings' database; close it after."""
        return cls(create_driver(settings), settings.neo4j_database)

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def execute(
        self,
        mode: Literal["read", "write"],
        work: Callable[[ManagedTransaction], T],
        *,
        timeout: float | None = None,
        analyst: bool = False,
        fetch_size: int | None = None,
    ) -> T:
        """:func:`execute` on this graph."""
        return execute(
            self.driver,
            self.database,
            mode,
            work,
            timeout=timeout,
            analyst=analyst,
            fetch_size=fetch_size,
        )

    def query(
        self,
        mode: Literal["read", "write"],
        cypher: str,
        params: Mapping[str, Any],
        transform: Callable[[Result], T],
    ) -> tuple[T, str]:
        """:func:`query` on this graph."""
        return query(self.driver, self.database, mode, cypher, params, transform)

    def read(self, cypher: str, **params: Any) -> list[Record]:
        """:func:`read` on this graph."""
        return read(self.driver, self.database, cypher, **params)

    def write(self, cypher: str, **params: Any) -> list[Record]:
        """:func:`write` on this graph."""
        return write(self.driver, self.database, cypher, **params)

    def read_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        """:func:`read_tx` on this graph."""
        return read_tx(self.driver, self.database, work)

    def write_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        """:func:`write_tx` on this graph."""
        return write_tx(self.driver, self.database, work)

    def ping(self) -> None:
        """:func:`ping` on this graph."""
        ping(self.driver, self.database)


@dataclass(frozen=True, slots=True)
class AsyncGraph:
    """The hot reads of the API through the async driver, on the event loop.

    ``async def`` routes read through it with no hop to the thread pool (the stakeholder
    and account lookups, the graph-version check before a cached analytics answer:
    docs/operations.md, "Two drivers"); everything else uses :class:`Graph`.
    Its transactions are managed and run under the same policies as :func:`query`
    (:class:`_Attempts`: deadline, retries, translation) and the same circuit breaker
    as the process's sync driver, so an outage seen by either fails both fast.

    Built in the app's lifespan, on the loop that uses it; close it there.
    """

    driver: AsyncDriver
    database: str
    breaker: Breaker

    @classmethod
    def connect(cls, settings: Settings, graph: Graph) -> AsyncGraph:
        """A new async driver on ``graph``'s database, sharing ``graph``'s breaker."""
        driver = AsyncGraphDatabase.driver(settings.neo4j_uri, **_driver_config(settings))
        return cls(driver, graph.database, breaker_of(graph.driver))

    async def close(self) -> None:
        await self.driver.close()

    async def query(
        self,
        cypher: str,
        params: Mapping[str, Any],
        transform: Callable[[AsyncResult], Awaitable[T]],
    ) -> tuple[T, str]:
        """Run one read statement in one managed transaction; what ``transform`` made of
        its result inside the transaction, and the graph version the transaction's
        bookmark names (graph_version.py).

        Through the driver's ``execute_query``, which sends BEGIN with the statement (one
        round trip less than a transaction function).
        """
        attempts = _Attempts(self.breaker, None, False)
        while True:
            tx_timeout = attempts.begin()
            kept = _KeptBookmarks()
            try:
                result = await self.driver.execute_query(
                    Query(cypher, timeout=tx_timeout),
                    dict(params),
                    routing_=RoutingControl.READ,
                    database_=self.database,
                    bookmark_manager_=kept,
                    result_transformer_=transform,
                )
            except (Neo4jError, DriverError) as exc:
                delay = attempts.failed(exc, tx_timeout)
                if delay:
                    await asyncio.sleep(delay)
                continue
            attempts.succeeded()
            version = request_trace.version_of(kept.values)
            request_trace.note_transaction(read=True, version=version)
            return result, version
