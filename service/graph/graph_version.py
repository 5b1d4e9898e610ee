"""The version of a database's graph: a string that changes whenever any write commits.

A read transaction's bookmark names the last transaction committed in the database
when it ran, whoever committed it (this process, another service instance, ``powermap
import``, an analyst in cypher-shell). Two reads with no commit in between return the
same bookmark; any committed write in between gives a new one. So one trivial managed
read tells whether the graph may have changed since a value was computed — which is
what :mod:`service.domain.analytics.account_cache` keys its entries on.

Why a cache keyed this way never serves stale data: the version is read *before* the
pull it keys, so the pulled data is at least as new as its key. A write committed
between the version read and the pull makes the data newer than its key, never older;
the next request reads the new version and misses, so that entry is only wasted.
A transaction that changes nothing (a ``SET`` matching no node) commits no new
bookmark, and needs none: the graph is the same.

Caveat for clusters (routing ``neo4j://`` URIs): a read may run on a member that lags
behind the leader, so its bookmark is that member's last commit. Keys stay correct as
long as the pull they key runs on a member at least as new; this holds on a single
server (everything this project runs), and on a cluster needs the pull chained to the
version's bookmarks (``driver.session(bookmarks=...)``).
"""

from __future__ import annotations

from typing import Final

from neo4j import AsyncResult, Result

from service.graph.driver import AsyncGraph, Graph, query

__all__ = ["UNKNOWN_VERSION", "current_graph_version", "current_graph_version_async"]

#: Returned when the server gave no bookmark (never seen on Neo4j 5): nothing may be
#: cached under it, since it could not tell two states of the graph apart.
UNKNOWN_VERSION: Final = ""

_PROBE: Final = "RETURN 1"


def _consume(result: Result) -> None:
    result.consume()


def current_graph_version(graph: Graph) -> str:
    """The version of the graph now: its bookmark values, sorted and joined.

    One managed read of ``RETURN 1`` (≈ 1–5 ms: BEGIN with the statement, then COMMIT);
    equal strings mean no write committed in between. :data:`UNKNOWN_VERSION` when the
    server sent no bookmark. Noted in the request's trace like every read.
    """
    _, version = query(graph.driver, graph.database, "read", _PROBE, {}, _consume)
    return version


async def _consume_async(result: AsyncResult) -> None:
    await result.consume()


async def current_graph_version_async(graph: AsyncGraph) -> str:
    """:func:`current_graph_version` through the async driver, on the event loop (the
    check before a cached analytics answer); noted in the request's trace the same way."""
    _, version = await graph.query(_PROBE, {}, _consume_async)
    return version
