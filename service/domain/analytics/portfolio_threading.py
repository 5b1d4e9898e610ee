"""Portfolio threading: every account ranked by threading risk, one page at a time.

Scoring, ranking and paging run in Cypher (:mod:`service.graph.portfolio_threading`);
this adds the components of each score (the formula is
:func:`service.analytics.threading.threading_risk`) and the cursor, which carries
the last account's ``(risk, id)`` because the list is ordered by risk first.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from service.analytics.threading import RISK_WEIGHTS, threading_risk
from service.domain.access import Principal
from service.domain.analytics.answers import (
    AccountRef,
    Answer,
    CoverageCounts,
    ScoreComponentOut,
)
from service.domain.directory import require_portfolio
from service.domain.errors import FieldError, InvalidInput
from service.domain.org_chart import valid_at
from service.graph.driver import Graph
from service.graph.portfolio_threading import PortfolioCursor, portfolio_threading_page
from service.settings import Settings

__all__ = [
    "PortfolioAccountOut",
    "PortfolioThreading",
    "cursor_after",
    "cursor_of",
    "portfolio_threading",
]


class TeamMemberTies(Answer):
    id: str
    active_ties: int


class PortfolioOurSide(Answer):
    people_with_ties: int
    through_id: str | None
    top_team_members: list[TeamMemberTies]


class PortfolioTheirSide(Answer):
    people_with_ties: int


class SingleThreadedKey(Answer):
    stakeholder_id: str
    team_member_id: str


class PortfolioAccountOut(Answer):
    account: AccountRef
    risk: float
    components: list[ScoreComponentOut]
    stakeholders: int
    key_stakeholders: int
    key_coverage_counts: CoverageCounts
    our_side: PortfolioOurSide
    their_side: PortfolioTheirSide
    active_ties: int
    dark_key_stakeholder_ids: list[str]
    single_threaded_key_stakeholders: list[SingleThreadedKey]


class PortfolioThreading(Answer):
    """One page of accounts; the API adds the cursor of the next page to it."""

    as_of: date
    weights: dict[str, float]
    items: list[PortfolioAccountOut]


def cursor_of(risk: float, account_id: str) -> str:
    """The position after an account, as the string the API's opaque cursor wraps."""
    return json.dumps([risk, account_id], separators=(",", ":"))


def cursor_after(position: str) -> PortfolioCursor | None:
    """Parse :func:`cursor_of`'s string (``""`` is the first page); 422 when malformed."""
    if not position:
        return None
    try:
        risk, account_id = json.loads(position)
        if isinstance(risk, bool) or not isinstance(risk, int | float):
            raise ValueError("risk")
        if not isinstance(account_id, str) or not account_id:
            raise ValueError("id")
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            "the cursor is not one this service issued; use next_cursor from the previous page",
            errors=[FieldError("query.cursor", "not a valid cursor", field="cursor")],
        ) from exc
    return PortfolioCursor(float(risk), account_id)


def _item(row: dict[str, Any]) -> PortfolioAccountOut:
    risk = threading_risk(
        key_stakeholders=row["key_stakeholders"],
        key_dark=row["key_dark"],
        key_single=row["key_single"],
        our_side=row["our_side"],
        their_side=row["their_side"],
    )
    top = row["top_team_members"]
    return PortfolioAccountOut(
        account=AccountRef(id=row["id"], name=row["name"], tier=row["tier"]),
        risk=row["risk"],
        components=risk.components,
        stakeholders=row["stakeholders"],
        key_stakeholders=row["key_stakeholders"],
        key_coverage_counts=CoverageCounts(
            dark=row["key_dark"], single=row["key_single"], multi=row["key_multi"]
        ),
        our_side=PortfolioOurSide(
            people_with_ties=row["our_side"],
            through_id=top[0][0] if row["our_side"] == 1 else None,
            top_team_members=[TeamMemberTies(id=tid, active_ties=n) for tid, n in top],
        ),
        their_side=PortfolioTheirSide(people_with_ties=row["their_side"]),
        active_ties=row["active_ties"],
        dark_key_stakeholder_ids=row["dark_key_stakeholder_ids"],
        single_threaded_key_stakeholders=[
            SingleThreadedKey(stakeholder_id=sid, team_member_id=tid)
            for sid, tid in row["single_threaded_key_stakeholders"]
        ],
    )


def portfolio_threading(
    graph: Graph,
    settings: Settings,
    *,
    principal: Principal,
    as_of: date,
    after: str,
    limit: int,
    tier: str | None,
) -> tuple[PortfolioThreading, str | None]:
    """One page of accounts, riskiest first, and the position after its last account
    (None on the last page); ``after`` is such a position (``""`` for the first page)."""
    require_portfolio(principal)
    rows = portfolio_threading_page(
        graph,
        valid_at=valid_at(as_of),
        threshold=settings.active_tie_threshold,
        limit=limit + 1,
        after=cursor_after(after),
        tier=tier,
    )
    items = [_item(r) for r in rows[:limit]]
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    page = PortfolioThreading(as_of=as_of, weights=dict(RISK_WEIGHTS), items=items)
    return page, cursor_of(last["risk"], last["id"]) if last else None
