"""Getting an account's analytics input as of a date, or a NotFound naming what is missing.

Every use case of this package pulls its account(s) here, one round trip each
(:mod:`service.graph.account_subgraph`), and runs the pure analytics on the result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from neo4j import Driver

from service.analytics.model import UnknownIdError
from service.domain.errors import NotFound
from service.domain.org_chart import valid_at
from service.graph import account_subgraph as pulls
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


def account_at(driver: Driver, database: str, account_id: str, as_of: date) -> PulledAccount:
    pulled = pulls.account_subgraph(driver, database, account_id, valid_at=valid_at(as_of))
    if pulled is None:
        raise NotFound(f"no account with id {account_id!r}")
    return pulled


def budget_account_at(driver: Driver, database: str, budget_id: str, as_of: date) -> PulledAccount:
    pulled = pulls.budget_account_subgraph(driver, database, budget_id, valid_at=valid_at(as_of))
    if pulled is None:
        raise NotFound(f"no budget with id {budget_id!r} (or it belongs to no account)")
    return pulled


def accounts_at(
    driver: Driver, database: str, account_ids: tuple[str, ...], as_of: date
) -> list[PulledAccount]:
    return pulls.accounts_subgraphs(driver, database, account_ids, valid_at=valid_at(as_of))


def person_at(driver: Driver, database: str, person_id: str, as_of: date) -> PersonRef:
    person = pulls.find_person(driver, database, person_id, valid_at=valid_at(as_of))
    if person is None:
        raise NotFound(f"no stakeholder or team member with id {person_id!r}")
    return person
