"""Getting an account's analytics input as of a date, or a NotFound naming what is missing.

Every use case of this package reads its account(s) here, through the request's
:class:`~service.domain.analytics.account_cache.AccountReads`: from the app's
cache when the graph has not changed since, else pulled in one round trip each
(:mod:`service.graph.account_subgraph`). The pure analytics then run on the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from service.analytics.model import UnknownIdError
from service.domain.analytics.account_reads import AccountReads
from service.domain.errors import NotFound
from service.graph.account_subgraph import PersonRef, PulledAccount

__all__ = [
    "account_at",
    "accounts_at",
    "analytics_not_found",
    "budget_account_at",
    "person_at",
    "today",
]


def today() -> date:
    """The default as-of date: today (UTC)."""
    return datetime.now(UTC).date()


@contextmanager
def analytics_not_found() -> Iterator[None]:
    """Turn the analytics' :class:`UnknownIdError` into the API's 404."""
    try:
        yield
    except UnknownIdError as exc:
        raise NotFound(str(exc)) from exc


def account_at(reads: AccountReads, account_id: str, as_of: date) -> PulledAccount:
    pulled = reads.account(account_id, as_of)
    if pulled is None:
        raise NotFound(f"no account with id {account_id!r}")
    return pulled


def budget_account_at(reads: AccountReads, budget_id: str, as_of: date) -> PulledAccount:
    pulled = reads.budget_account(budget_id, as_of)
    if pulled is None:
        raise NotFound(f"no budget with id {budget_id!r} (or it belongs to no account)")
    return pulled


def accounts_at(
    reads: AccountReads, account_ids: tuple[str, ...], as_of: date
) -> list[PulledAccount]:
    return reads.accounts(account_ids, as_of)


def person_at(reads: AccountReads, person_id: str, as_of: date) -> PersonRef:
    person = reads.person(person_id, as_of)
    if person is None:
        raise NotFound(f"no stakeholder or team member with id {person_id!r}")
    return person
