"""Response models of the account endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "AccountCounts",
    "AccountDetail",
    "AccountSummary",
    "CoveringTeamMember",
    "StakeholderStatus",
    "Tier",
]

Tier = Literal["strategic", "key", "standard"]
StakeholderStatus = Literal["active", "left", "all"]


class AccountCounts(BaseModel):
    active_stakeholders: int = Field(description="Active people currently working there")
    budgets: int
    opportunities: int
    team_members: int = Field(description="Active team members covering the account")


class AccountSummary(BaseModel):
    id: str
    name: str | None
    tier: str | None
    industry: str | None
    annual_revenue: float | None
    counts: AccountCounts


class CoveringTeamMember(BaseModel):
    id: str
    name: str | None
    role: str | None = Field(description="Role on this account's team")
    status: str


class AccountDetail(AccountSummary):
    updated_at: datetime | None
    team: list[CoveringTeamMember]
