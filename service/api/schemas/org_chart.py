"""Response model of the org chart (the shape is fixed in docs/graph-conventions.md)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "OrgChartAccount",
    "OrgChartCoverage",
    "OrgChartDottedLine",
    "OrgChartOut",
    "OrgChartPerson",
    "OrgChartRole",
    "OrgChartStrongestRelationship",
]


class _FromDomain(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrgChartAccount(_FromDomain):
    id: str
    name: str | None
    tier: str | None


class OrgChartRole(_FromDomain):
    role: str
    stance: int | None
    target_type: Literal["account", "opportunity"]
    target_id: str


class OrgChartCoverage(_FromDomain):
    state: Literal["dark", "single", "multi"]
    count: int
    team_member_ids: list[str]


class OrgChartStrongestRelationship(_FromDomain):
    team_member_id: str
    team_member_name: str | None
    strength: float


class OrgChartPerson(_FromDomain):
    id: str
    name: str | None
    title: str | None
    department: str | None
    status: str
    roles: list[OrgChartRole]
    stance: int | None
    coverage: OrgChartCoverage
    strongest_relationship: OrgChartStrongestRelationship | None
    children: list[OrgChartPerson]


class OrgChartDottedLine(_FromDomain):
    from_id: str
    to_id: str


class OrgChartOut(_FromDomain):
    account: OrgChartAccount
    as_of: date
    people_count: int
    roots: list[OrgChartPerson]
    dotted_lines: list[OrgChartDottedLine]
