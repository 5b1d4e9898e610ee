"""The portfolio's graph (or one tier's, or one account's) streamed into one document.

``powermap export`` runs this: the account ids are read first (a list of strings), then
each account is pulled, turned into its :class:`AccountGraphExport` exactly as the
account route does (:func:`account_graph_export`), handed to the format's writer and
dropped, so at most one account is in memory at a time (plus the writer's team members
and, above a few MB, a temporary file of edges: :mod:`service.domain.export.formats`).
Nothing is cached: the app's :class:`AccountCache` is not involved, a disabled one reads
through.

The document's graph properties are the account's when one account is asked for (the
same document as ``GET /v1/accounts/{id}/graph``); for several, ``as_of``,
``active_tie_threshold`` and the ``tier`` asked for (none for the whole portfolio), and
every node says its account (``account_id``; team members: ``accounts``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO

from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.answers import analytics_params
from service.domain.errors import NotFound
from service.domain.export.account_graph import Value, account_graph_export
from service.domain.export.formats import ExportFormat, writer_for
from service.graph import account_subgraph as pulls
from service.graph.driver import Graph
from service.settings import Settings

__all__ = ["PortfolioExport", "portfolio_graph"]


@dataclass(frozen=True)
class PortfolioExport:
    """What was written: accounts, nodes and edges."""

    accounts: int
    nodes: int
    edges: int


def portfolio_graph(
    graph: Graph,
    settings: Settings,
    out: IO[str],
    *,
    fmt: ExportFormat,
    as_of: date,
    account_id: str | None = None,
    tier: str | None = None,
    started: Callable[[int], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> PortfolioExport:
    """Write the graph of ``account_id``, of ``tier``'s accounts or of every account.

    ``started(total)`` is called once the accounts are known, ``progress(account_id)``
    after each is written. An unknown ``account_id`` is a :class:`NotFound` (nothing
    written).
    """
    if account_id is not None and tier is not None:
        raise ValueError("ask for one account or one tier, not both")
    params = analytics_params(settings)
    reads = AccountCache(graph, 0).reads()  # disabled: every read pulls, nothing is kept
    if account_id is not None:
        pulled = reads.account(account_id, as_of)
        if pulled is None:
            raise NotFound(f"no account with id {account_id!r}")
        if started is not None:
            started(1)
        one = account_graph_export(reads, pulled, params)
        writer = writer_for(fmt, out, one.graph)  # the account route's very document
        writer.add(one)
        if progress is not None:
            progress(account_id)
        writer.close()
        nodes, edges = writer.counts
        return PortfolioExport(1, nodes, edges)
    ids = pulls.account_ids(graph, tier=tier)
    if started is not None:
        started(len(ids))
    heading: dict[str, Value] = {
        "tier": tier,
        "as_of": as_of.isoformat(),
        "active_tie_threshold": params.active_tie_threshold,
    }
    writer = writer_for(fmt, out, {k: v for k, v in heading.items() if v is not None})
    accounts = 0
    for wanted in ids:
        pulled_one = reads.account(wanted, as_of)
        if pulled_one is not None:  # deleted since the ids were read: nothing to write
            writer.add(account_graph_export(reads, pulled_one, params))
            accounts += 1
        if progress is not None:
            progress(wanted)
    writer.close()
    nodes, edges = writer.counts
    return PortfolioExport(accounts, nodes, edges)
