"""Read queries behind the lookup endpoints and the org chart.

Each function runs one statement from ``cypher/reads/`` in a managed read transaction
and returns plain Python data: Neo4j temporal values become ``datetime`` / ``date``
(:func:`service.graph.values.to_native`).
Shaping (access checks, choosing a manager, assembling trees) is the domain's job.
"""

from __future__ import annotations

from datetime import datetime

from neo4j import AsyncResult, Result

from service.graph.cypher_files import cypher
from service.graph.driver import AsyncGraph, Graph, Record
from service.graph.values import to_native, to_native_utc_micros

__all__ = [
    "account",
    "account_async",
    "account_stakeholders_page",
    "accounts_page",
    "org_chart_people",
    "stakeholder",
    "stakeholder_async",
    "team_member",
]


def accounts_page(graph: Graph, *, after: str, limit: int, tier: str | None) -> list[Record]:
    """Up to ``limit`` accounts with ids greater than ``after``, in id order, with counts.

    With ``tier`` the (tier, id) index is sought instead of the id index; either way a
    page costs one index seek, not a scan of the portfolio.
    """
    if tier is None:
        rows = graph.read(cypher("reads/accounts_page"), after=after, limit=limit)
    else:
        rows = graph.read(
            cypher("reads/accounts_page_by_tier"),
            after=after,
            limit=limit,
            tier=tier,
        )
    return [to_native(r) for r in rows]


def account(graph: Graph, account_id: str) -> Record | None:
    """One account with its counts and covering team, or None when unknown."""
    rows, _ = graph.query("read", cypher("reads/account"), {"account_id": account_id}, _records)
    return to_native_utc_micros(rows[0]) if rows else None


async def account_async(graph: AsyncGraph, account_id: str) -> Record | None:
    """:func:`account` through the async driver (``async def`` routes); the row is taken
    as the driver built it (maps, lists and scalars: ``Result.data()``'s walk would only
    copy it, ≈ 5 % of the request's CPU)."""
    rows, _ = await graph.query(cypher("reads/account"), {"account_id": account_id}, _records_async)
    return to_native_utc_micros(rows[0]) if rows else None


def account_stakeholders_page(
    graph: Graph, account_id: str, *, status: str, after: str, limit: int
) -> list[Record] | None:
    """Up to ``limit`` of the account's stakeholders after ``after`` in id order.

    ``status`` is ``active``, ``left`` or ``all``. None when the account is unknown.
    """
    rows = graph.read(
        cypher("reads/account_stakeholders_page"),
        account_id=account_id,
        status=status,
        after=after,
        limit=limit,
    )
    if not rows:
        return None
    items: list[Record] = to_native(rows[0]["items"])
    return items


def stakeholder(graph: Graph, stakeholder_id: str, *, scoped: bool = True) -> Record | None:
    """One stakeholder with their current surroundings and employment history.

    ``scoped=False`` (a caller who sees every account) leaves the other people's and
    the opportunities' ``account_id`` null: only scoping to one account reads them.

    Its UTC times come as microseconds (:func:`service.graph.values.to_native_utc_micros`), and
    the row is taken as the driver built it (maps, lists and scalars only, so
    ``Result.data()``'s walk would only copy it).
    """
    params = {"stakeholder_id": stakeholder_id, "scoped": scoped}
    rows, _ = graph.query("read", cypher("reads/stakeholder"), params, _records)
    return to_native_utc_micros(rows[0]) if rows else None


async def stakeholder_async(
    graph: AsyncGraph, stakeholder_id: str, *, scoped: bool = True
) -> Record | None:
    """:func:`stakeholder` through the async driver (``async def`` routes)."""
    params = {"stakeholder_id": stakeholder_id, "scoped": scoped}
    rows, _ = await graph.query(cypher("reads/stakeholder"), params, _records_async)
    return to_native_utc_micros(rows[0]) if rows else None


def _records(result: Result) -> list[Record]:
    """A result's records as dicts, their values as the driver built them."""
    return [dict(record) for record in result]


async def _records_async(result: AsyncResult) -> list[Record]:
    """A result's records as dicts, their values as the driver built them."""
    return [dict(record) async for record in result]


def team_member(graph: Graph, team_member_id: str) -> Record | None:
    """One team member with covered accounts and current relationships."""
    rows = graph.read(cypher("reads/team_member"), team_member_id=team_member_id)
    return to_native(rows[0]) if rows else None


def org_chart_people(graph: Graph, account_id: str, *, valid_at: datetime) -> Record | None:
    """The account and everyone in it at ``valid_at``, in one round trip.

    ``valid_at`` is the end of the as-of date (an aware UTC datetime); an edge counts
    when ``since < valid_at`` and it is open or ``until >= valid_at``, as
    docs/graph-conventions.md fixes.
    None when the account is unknown.
    """
    rows = graph.read(cypher("reads/org_chart"), account_id=account_id, valid_at=valid_at)
    return to_native(rows[0]) if rows else None
