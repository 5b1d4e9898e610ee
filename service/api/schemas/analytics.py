"""Request and page models of the analytics routes.

The answers themselves are declared once, next to their use cases in
:mod:`service.domain.analytics` (``BudgetControlOut``, ``ThreadingOut``, …), and the
routes return them as they are. Here: the body of a departure-impact question, and the
page envelope that adds the API's opaque cursor to the portfolio's page.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.domain.analytics.portfolio_threading import PortfolioThreading
from service.domain.values import Id

__all__ = ["DepartureImpactRequest", "PortfolioThreadingPage"]


class DepartureImpactRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_ids: list[Id] = Field(
        min_length=1,
        max_length=500,
        description="Stakeholders and/or team members leaving at once",
    )


class PortfolioThreadingPage(PortfolioThreading):
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )
