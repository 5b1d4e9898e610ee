"""Response models of the stakeholder and team-member endpoints."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

__all__ = [
    "BudgetControl",
    "CurrentEmployer",
    "Employment",
    "Influence",
    "LineManager",
    "Provenance",
    "RelationshipFromTeam",
    "RoleHeld",
    "StakeholderDetail",
    "StakeholderSummary",
    "TeamMemberAccount",
    "TeamMemberDetail",
    "TeamMemberRelationship",
]


class Provenance(BaseModel):
    """Where a fact came from (docs/graph-conventions.md, "Provenance"): the write's
    source (`api`, `salesforce`, `hubspot`, `demo`; `interactions` for a derived tie)
    and the CRM record's id when the row gave one. None on data no write marked."""

    source: str | None = None
    source_record_id: str | None = None


class RoleHeld(BaseModel):
    role: str
    stance: int | None
    target_type: str
    target_id: str


class StakeholderSummary(BaseModel):
    """A row of an account's stakeholder list."""

    id: str
    name: str | None
    title: str | None
    email: str | None
    department: str | None
    seniority: str | None
    status: str
    left_at: datetime | None
    manager_id: str | None
    roles: list[RoleHeld]


class CurrentEmployer(BaseModel):
    account_id: str
    account_name: str | None
    since: datetime | None


class Employment(Provenance):
    account_id: str
    account_name: str | None
    since: datetime | None
    until: datetime | None


class Position(BaseModel):
    """A title, department and seniority held at an account from ``since`` to ``until``."""

    account_id: str
    title: str | None
    department: str | None
    seniority: str | None
    since: datetime | None
    until: datetime | None


class LineManager(Provenance):
    id: str
    name: str | None
    title: str | None
    since: datetime | None


class RoleWithTarget(RoleHeld, Provenance):
    target_name: str | None
    since: datetime | None


class BudgetControl(Provenance):
    budget_id: str
    budget_name: str | None
    account_id: str | None
    authority: str | None
    amount: float | None
    currency: str | None
    fiscal_year: int | None
    since: datetime | None


class Influence(Provenance):
    id: str
    name: str | None
    strength: float | None


class RelationshipFromTeam(Provenance):
    team_member_id: str
    team_member_name: str | None
    strength: float | None
    last_contact: datetime | date | None
    since: datetime | None


class StakeholderDetail(Provenance):
    id: str
    name: str | None
    title: str | None
    email: str | None
    department: str | None
    seniority: str | None
    status: str
    left_at: datetime | None
    updated_at: datetime | None
    current_employer: CurrentEmployer | None
    manager: LineManager | None
    dotted_managers: list[LineManager]
    direct_reports: list[LineManager]
    roles: list[RoleWithTarget]
    budgets: list[BudgetControl]
    influences: list[Influence]
    influenced_by: list[Influence]
    relationships: list[RelationshipFromTeam]
    employment: list[Employment]
    positions: list[Position] = Field(
        description="Title, department and seniority history, oldest first (empty "
        "intervals left out)"
    )


class TeamMemberAccount(BaseModel):
    account_id: str
    account_name: str | None
    tier: str | None
    role: str | None


class TeamMemberRelationship(Provenance):
    stakeholder_id: str
    stakeholder_name: str | None
    account_id: str | None
    account_name: str | None
    strength: float | None
    last_contact: datetime | date | None
    since: datetime | None


class TeamMemberDetail(BaseModel):
    id: str
    name: str | None
    email: str | None
    role: str | None
    status: str
    left_at: datetime | None
    updated_at: datetime | None
    accounts: list[TeamMemberAccount]
    relationships: list[TeamMemberRelationship]
