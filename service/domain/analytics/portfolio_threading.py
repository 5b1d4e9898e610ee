"""Portfolio threading: every account ranked by threading risk, one page at a time.

Scoring, ranking and paging run in Cypher (:mod:`service.graph.portfolio_threading`);
this adds the components of each score (the formula is
:mod:`service.domain.relationship_intel.threading_risk`) and the cursor, which carries
the last account's ``(risk, id)`` because the list is ordered by risk first.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

from neo4j import Driver

from service.domain.access import Principal
from service.domain.analytics.answers import Record
from service.domain.directory import require_portfolio
from service.domain.errors import FieldError, InvalidInput
from service.domain.org_chart import valid_at
from service.domain.relationship_intel.threading_risk import RISK_WEIGHTS, threading_risk
from service.graph.portfolio_threading import PortfolioCursor, portfolio_threading_page
from service.settings import Settings

__all__ = ["cursor_after", "cursor_of", "portfolio_threading"]


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


def _item(row: Record) -> Record:
    risk = threading_risk(
        key_stakeholders=row["key_stakeholders"],
        key_dark=row["key_dark"],
        key_single=row["key_single"],
        our_side=row["our_side"],
        their_side=row["their_side"],
    )
    top = row["top_team_members"]
    return {
        "account": {"id": row["id"], "name": row["name"], "tier": row["tier"]},
        "risk": row["risk"],
        "components": [asdict(c) for c in risk.components],
        "stakeholders": row["stakeholders"],
        "key_stakeholders": row["key_stakeholders"],
        "key_coverage_counts": {
            "dark": row["key_dark"],
            "single": row["key_single"],
            "multi": row["key_multi"],
        },
        "our_side": {
            "people_with_ties": row["our_side"],
            "through_id": top[0][0] if row["our_side"] == 1 else None,
            "top_team_members": [{"id": tid, "active_ties": n} for tid, n in top],
        },
        "their_side": {"people_with_ties": row["their_side"]},
        "active_ties": row["active_ties"],
        "dark_key_stakeholder_ids": row["dark_key_stakeholder_ids"],
        "single_threaded_key_stakeholders": [
            {"stakeholder_id": sid, "team_member_id": tid}
            for sid, tid in row["single_threaded_key_stakeholders"]
        ],
    }


def portfolio_threading(
    driver: Driver,
    database: str,
    settings: Settings,
    *,
    principal: Principal,
    as_of: date,
    after: str,
    limit: int,
    tier: str | None,
) -> Record:
    """One page of accounts, riskiest first; ``after`` is the decoded cursor (``""`` first)."""
    require_portfolio(principal)
    rows = portfolio_threading_page(
        driver,
        database,
        valid_at=valid_at(as_of),
        threshold=settings.active_tie_threshold,
        limit=limit + 1,
        after=cursor_after(after),
        tier=tier,
    )
    items = [_item(r) for r in rows[:limit]]
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return {
        "as_of": as_of,
        "weights": dict(RISK_WEIGHTS),
        "items": items,
        "next_after": cursor_of(last["risk"], last["id"]) if last else None,
    }
