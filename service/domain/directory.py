"""Lookups of accounts, stakeholders and team members, and who may see them.

API keys see the whole portfolio. A principal limited to one account (an embed token)
sees that account only: account-scoped routes check it with
``Principal.require_account``; here the person lookups check that the person belongs
to the account, every record is cut to that account's part
(:mod:`service.domain.account_scope`: a person who moved keeps no line, role, budget,
employment or influence of the other account in view), and the portfolio-wide list
refuses such principals outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from service.domain import account_scope
from service.domain.access import Principal
from service.domain.account_scope import home_account_id
from service.domain.errors import Forbidden, NotFound
from service.domain.org_chart import valid_at
from service.graph import reads
from service.graph.driver import AsyncGraph, Graph, Record
from service.graph.values import to_native

__all__ = [
    "Page",
    "account",
    "account_async",
    "account_stakeholders",
    "accounts",
    "home_account_id",
    "require_portfolio",
    "stakeholder",
    "stakeholder_async",
    "team_member",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list ordered by id; ``next_after`` is the last id when more follow."""

    items: list[T]
    next_after: str | None


_COUNTS = ("active_stakeholders", "budgets", "opportunities", "team_members")


def _with_counts(row: Record) -> Record:
    """The four counts of an account row gathered under ``counts``."""
    return {
        **{k: v for k, v in row.items() if k not in _COUNTS},
        "counts": {k: row[k] for k in _COUNTS},
    }


def _page(rows: list[Record], limit: int) -> Page[Record]:
    # The queries fetch limit + 1 rows: the extra one only says another page exists.
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items=items, next_after=items[-1]["id"] if more and items else None)


def require_portfolio(principal: Principal) -> None:
    """Refuse principals limited to one account on portfolio-wide lists."""
    if principal.account_id is not None:
        raise Forbidden("this token is limited to one account and cannot list the portfolio")


def accounts(
    graph: Graph,
    *,
    principal: Principal,
    after: str,
    limit: int,
    tier: str | None = None,
) -> Page[Record]:
    """Accounts in id order after ``after`` (``""`` for the first page), with counts."""
    require_portfolio(principal)
    rows = reads.accounts_page(graph, after=after, limit=limit + 1, tier=tier)
    return _page([_with_counts(r) for r in rows], limit)


def account(graph: Graph, account_id: str) -> Record:
    """One account with its counts and covering team."""
    return _account(account_id, reads.account(graph, account_id))


async def account_async(graph: AsyncGraph, account_id: str) -> Record:
    """:func:`account` through the async driver (an ``async def`` route)."""
    return _account(account_id, await reads.account_async(graph, account_id))


def _account(account_id: str, row: Record | None) -> Record:
    if row is None:
        raise NotFound(f"no account with id {account_id!r}")
    return _with_counts(row)


def account_stakeholders(
    graph: Graph,
    account_id: str,
    *,
    principal: Principal,
    status: str,
    after: str,
    limit: int,
) -> Page[Record]:
    """The account's stakeholders (``active``, ``left`` or ``all``) in id order."""
    rows = reads.account_stakeholders_page(
        graph, account_id, status=status, after=after, limit=limit + 1
    )
    if rows is None:
        raise NotFound(f"no account with id {account_id!r}")
    rows = sorted(
        (account_scope.scoped(r, account_scope.ACCOUNT_STAKEHOLDER, principal) for r in rows),
        key=lambda r: str(r["id"]),
    )
    for row in rows:
        # One current solid line per person; should the data hold more, the newest wins.
        managers = row.pop("managers")
        row["manager_id"] = managers[0]["id"] if managers else None
    return _page(rows, limit)


def _position_at(positions: list[dict[str, Any]], as_of: date) -> dict[str, Any] | None:
    """The position (title, department, seniority) held at the end of ``as_of`` (UTC)."""
    t = valid_at(as_of)
    for p in positions:
        until = p["until"]
        if to_native(p["since"]) < t and (until is None or to_native(until) >= t):
            return p
    return None


def stakeholder(
    graph: Graph, stakeholder_id: str, *, principal: Principal, as_of: date | None = None
) -> Record:
    """A stakeholder with their employer, lines, roles, budgets, influence and our ties,
    and their position history; with ``as_of``, the title, department and seniority
    are those held at the end of that day (none when they worked for no account then)."""
    row = reads.stakeholder(graph, stakeholder_id, scoped=principal.account_id is not None)
    return _stakeholder(stakeholder_id, row, principal=principal, as_of=as_of)


async def stakeholder_async(
    graph: AsyncGraph, stakeholder_id: str, *, principal: Principal, as_of: date | None = None
) -> Record:
    """:func:`stakeholder` through the async driver (an ``async def`` route)."""
    row = await reads.stakeholder_async(
        graph, stakeholder_id, scoped=principal.account_id is not None
    )
    return _stakeholder(stakeholder_id, row, principal=principal, as_of=as_of)


def _stakeholder(
    stakeholder_id: str, row: Record | None, *, principal: Principal, as_of: date | None
) -> Record:
    if row is None:
        raise NotFound(f"no stakeholder with id {stakeholder_id!r}")
    if principal.account_id is not None and principal.account_id != home_account_id(
        row["employment"]
    ):
        raise Forbidden("this token is limited to another account")
    row = account_scope.scoped(row, account_scope.STAKEHOLDER, principal)
    employment: list[dict[str, Any]] = row["employment"]
    current = [e for e in employment if e["until"] is None]
    employer = max(current, key=lambda e: e["since"]) if current else None
    managers = row.pop("managers")
    person = row.pop("person")
    if as_of is not None:
        held = _position_at(row["positions"], as_of) or {}
        person.update({k: held.get(k) for k in ("title", "department", "seniority")})
    return {
        **person,
        "current_employer": (
            {
                "account_id": employer["account_id"],
                "account_name": employer["account_name"],
                "since": employer["since"],
            }
            if employer
            else None
        ),
        "manager": managers[0] if managers else None,
        **row,
    }


def team_member(graph: Graph, team_member_id: str, *, principal: Principal) -> Record:
    """A team member with the accounts they cover and their current relationships.

    A principal limited to one account sees a team member who covers that account or
    knows someone in it, and only the parts of their record about that account.
    """
    row = reads.team_member(graph, team_member_id)
    if row is None:
        raise NotFound(f"no team member with id {team_member_id!r}")
    row = account_scope.scoped(row, account_scope.TEAM_MEMBER, principal)
    if principal.account_id is not None and not row["accounts"] and not row["relationships"]:
        raise Forbidden("this token is limited to another account")
    return {**row["member"], "accounts": row["accounts"], "relationships": row["relationships"]}
