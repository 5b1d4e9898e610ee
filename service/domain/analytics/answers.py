"""The pieces every analytics answer shares, declared once, and the names next to ids.

Each use case of this package returns its answer as the Pydantic models declared in
its own module; the API's routes return them as they are (their ``response_model``),
so an answer's shape is written once. The analytics return ids (they are pure
functions over one account); a key account manager reads names, so :class:`Names`
looks them up in the :class:`AccountGraph` the analysis ran on. Where an analytics
dataclass already has an answer's fields, the model validates it directly
(``from_attributes``) instead of copying it field by field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.analytics.engagement import Coverage
from service.analytics.model import AccountGraph, AnalyticsParams
from service.analytics.warm_paths import WarmPath
from service.settings import Settings

__all__ = [
    "AccountRef",
    "Answer",
    "CoverageCounts",
    "CoverageLevel",
    "CoverageOut",
    "HopOut",
    "Names",
    "PersonRef",
    "Relationship",
    "ScoreComponentOut",
    "TieOut",
    "WarmPathOut",
    "account_ref",
    "analytics_params",
    "coverage_answer",
    "warm_path_answer",
]

CoverageLevel = Literal["dark", "single", "multi"]
Relationship = Literal["KNOWS", "REPORTS_TO", "INFLUENCES"]


class Answer(BaseModel):
    # Answers are built once and never changed; analytics dataclasses validate as they are.
    model_config = ConfigDict(from_attributes=True, frozen=True)


class AccountRef(Answer):
    id: str
    name: str | None
    tier: str | None


class PersonRef(Answer):
    id: str
    name: str | None


class TieOut(Answer):
    team_member_id: str
    team_member_name: str | None
    strength: float
    last_contact: datetime | None


class CoverageOut(Answer):
    level: CoverageLevel = Field(description="dark (0), single (1) or multi (≥ 2) team members")
    count: int
    ties: list[TieOut] = Field(description="The active ties behind the count, strongest first")


class HopOut(Answer):
    from_id: str
    from_name: str | None
    to_id: str
    to_name: str | None
    relationship: Relationship
    strength: float


class WarmPathOut(Answer):
    team_member_id: str
    team_member_name: str | None
    stakeholder_id: str
    stakeholder_name: str | None
    strength: float = Field(description="Product of the hops' strengths")
    hop_count: int
    introducer_id: str | None = Field(description="Who introduces us (last person before)")
    introducer_name: str | None
    hops: list[HopOut]


class ScoreComponentOut(Answer):
    """``points = weight × value``; ``detail`` says how the value was reached."""

    name: str
    value: float
    weight: float
    points: float
    detail: str


class CoverageCounts(Answer):
    dark: int
    single: int
    multi: int


def analytics_params(settings: Settings) -> AnalyticsParams:
    """The analytics' tunables from the service settings (θ is configurable)."""
    return AnalyticsParams(active_tie_threshold=settings.active_tie_threshold)


@dataclass(frozen=True)
class Names:
    """Names (and titles) of everyone in an account graph, by id."""

    names: dict[str, str]
    titles: dict[str, str | None]

    @classmethod
    def of(cls, account: AccountGraph) -> Names:
        names = {s.id: s.name for s in account.stakeholders}
        names.update({t.id: t.name for t in account.team_members})
        titles = {s.id: s.title for s in account.stakeholders}
        return cls(names, titles)

    def name(self, person_id: str | None) -> str | None:
        return None if person_id is None else self.names.get(person_id)

    def ref(self, person_id: str) -> PersonRef:
        return PersonRef(id=person_id, name=self.names.get(person_id))

    def refs(self, ids: Iterable[str]) -> list[PersonRef]:
        return [self.ref(i) for i in ids]


def account_ref(account: AccountGraph, tier: str | None = None) -> AccountRef:
    return AccountRef(id=account.account_id, name=account.account_name, tier=tier)


def coverage_answer(coverage: Coverage, names: Names) -> CoverageOut:
    return CoverageOut(
        level=coverage.level,
        count=coverage.count,
        ties=[
            TieOut(
                team_member_id=t.team_member_id,
                team_member_name=names.name(t.team_member_id),
                strength=t.strength,
                last_contact=t.last_contact,
            )
            for t in coverage.ties
        ],
    )


def warm_path_answer(path: WarmPath | None, names: Names) -> WarmPathOut | None:
    if path is None:
        return None
    return WarmPathOut(
        team_member_id=path.team_member_id,
        team_member_name=names.name(path.team_member_id),
        stakeholder_id=path.stakeholder_id,
        stakeholder_name=names.name(path.stakeholder_id),
        strength=path.strength,
        hop_count=path.hop_count,
        introducer_id=path.introducer_id,
        introducer_name=names.name(path.introducer_id),
        hops=[
            HopOut(
                from_id=h.from_id,
                from_name=names.name(h.from_id),
                to_id=h.to_id,
                to_name=names.name(h.to_id),
                relationship=h.relationship,
                strength=h.strength,
            )
            for h in path.hops
        ],
    )
