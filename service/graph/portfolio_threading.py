"""Portfolio threading: every account ranked by threading risk, computed in Cypher.

The portfolio never comes into Python: one statement scores each account next to the
data (``cypher/analytics/portfolio_threading_scores.cypher``, which also defines the
score), sorts by ``(risk desc, id)``, cuts the page after the cursor, and only then
collects the people behind the verdicts of the page's accounts. With a tier the
(tier, id) index is sought instead of scanning the Account label.

Why on the fly rather than a per-account summary kept up to date: the score depends on
ties, roles, authorities, reporting lines and departures, i.e. on nearly every ingest
statement and on both departure routes; a stored summary would have to be refreshed
by all of them (and could not answer ``as_of``), while the on-the-fly scan measures
well inside the 5 s target on 200,000 stakeholders (bench/RESULTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Record

__all__ = ["PortfolioCursor", "portfolio_threading_page"]

_SCORES = "analytics/portfolio_threading_scores"


@dataclass(frozen=True)
class PortfolioCursor:
    """Where the previous page ended: its last account's risk and id."""

    risk: float
    account_id: str


def portfolio_threading_page(
    graph: Graph,
    *,
    valid_at: datetime,
    threshold: float,
    limit: int,
    after: PortfolioCursor | None = None,
    tier: str | None = None,
) -> list[Record]:
    """Up to ``limit`` accounts after ``after`` in (risk desc, id) order, with their numbers."""
    anchor = cypher("analytics/portfolio_all" if tier is None else "analytics/portfolio_by_tier")
    params: dict[str, Any] = {
        "valid_at": valid_at,
        "theta": threshold,
        "limit": limit,
        "after_risk": after.risk if after else None,
        "after_id": after.account_id if after else None,
    }
    if tier is not None:
        params["tier"] = tier
    return graph.read(anchor + cypher(_SCORES), **params)
