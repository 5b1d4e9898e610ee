"""Response and request models of the relationship-analytics routes.

Every score comes with its components (value, weight, points) and every verdict with
the people or paths behind it; definitions are docs/definitions.md's.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.domain.values import Id

__all__ = [
    "AccountDepartureImpactOut",
    "BudgetControlOut",
    "DepartureRequest",
    "HealthOut",
    "PersonDepartureImpactOut",
    "PortfolioThreadingPage",
    "PowerMapOut",
    "ThreadingOut",
    "WarmPathsOut",
]

CoverageLevel = Literal["dark", "single", "multi"]
Relationship = Literal["KNOWS", "REPORTS_TO", "INFLUENCES"]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AccountRef(_Out):
    id: str
    name: str | None
    tier: str | None


class PersonRef(_Out):
    id: str
    name: str | None


class TieOut(_Out):
    team_member_id: str
    team_member_name: str | None
    strength: float
    last_contact: datetime | None


class CoverageOut(_Out):
    level: CoverageLevel = Field(description="dark (0), single (1) or multi (≥ 2) team members")
    count: int
    ties: list[TieOut] = Field(description="The active ties behind the count, strongest first")


class HopOut(_Out):
    from_id: str
    from_name: str | None
    to_id: str
    to_name: str | None
    relationship: Relationship
    strength: float


class WarmPathOut(_Out):
    team_member_id: str
    team_member_name: str | None
    stakeholder_id: str
    stakeholder_name: str | None
    strength: float = Field(description="Product of the hops' strengths")
    hop_count: int
    introducer_id: str | None = Field(description="Who introduces us (last person before)")
    introducer_name: str | None
    hops: list[HopOut]


class ScoreComponentOut(_Out):
    """``points = weight × value``; ``detail`` says how the value was reached."""

    name: str
    value: float
    weight: float
    points: float
    detail: str


# -- budget control -------------------------------------------------------------------


class InfluencerOut(_Out):
    stakeholder_id: str
    name: str
    title: str | None
    influence_strength: float
    pagerank: float
    score: float = Field(description="influence_strength × pagerank")
    coverage_count: int
    coverage_level: CoverageLevel
    best_warm_path_strength: float


class ControllerOut(_Out):
    stakeholder_id: str
    name: str
    title: str | None
    authority: Literal["owner", "approver", "signatory", "recommender"]
    pagerank: float
    coverage: CoverageOut
    best_warm_path: WarmPathOut | None
    influencers: list[InfluencerOut] = Field(description="Ranked by score, highest first")


class EscalationStepOut(_Out):
    level: int
    stakeholder_id: str
    name: str
    title: str | None
    status: str


class EscalationChainOut(_Out):
    stakeholder_id: str
    cycle_at: str | None
    steps: list[EscalationStepOut] = Field(description="Up the solid line, nearest first")


class DepartedControllerOut(_Out):
    stakeholder_id: str
    name: str
    authority: str


class BudgetOut(_Out):
    id: str
    name: str
    amount: float | None
    currency: str | None


class BudgetControlOut(_Out):
    account: AccountRef
    as_of: date
    budget: BudgetOut
    controllers: dict[Literal["owner", "approver", "signatory", "recommender"], list[ControllerOut]]
    escalation_chains: list[EscalationChainOut]
    departed_controllers: list[DepartedControllerOut]
    influencer_score: str
    notes: list[str]


# -- threading ------------------------------------------------------------------------


class KeyReasonOut(_Out):
    kind: Literal["role", "authority"]
    value: str
    target_kind: Literal["account", "opportunity", "budget"]
    target_id: str


class KeyStakeholderOut(_Out):
    stakeholder_id: str
    name: str
    title: str | None
    reasons: list[KeyReasonOut]
    coverage: CoverageOut
    reachable: bool = Field(description="Some path joins them to a team member")


class OpportunityStakeholderOut(_Out):
    stakeholder_id: str
    name: str | None
    roles: list[str]
    coverage_count: int
    engaged: bool


class OpportunityThreadingOut(_Out):
    opportunity_id: str
    name: str
    stage: str | None
    stakeholders: list[OpportunityStakeholderOut]
    engaged_count: int
    engaged_champions: list[PersonRef]
    engaged_economic_buyers: list[PersonRef]
    risks: list[Literal["single_threaded", "no_engaged_champion", "no_engaged_economic_buyer"]]
    at_risk: bool


class SidePersonOut(_Out):
    id: str
    name: str | None
    active_ties: int


class SideVerdictOut(_Out):
    side: Literal["ours", "theirs"]
    level: CoverageLevel
    through_id: str | None = Field(description="The one person everything goes through")
    through_name: str | None
    people_with_ties: int
    active_tie_count: int
    largest_share: float
    top_people: list[SidePersonOut]


class CutPersonOut(_Out):
    person_id: str
    name: str | None
    kind: Literal["team_member", "stakeholder"]
    cut_off: list[PersonRef] = Field(description="Key stakeholders their loss cuts off")


class CutRelationshipOut(_Out):
    from_id: str
    from_name: str | None
    to_id: str
    to_name: str | None
    relationship: Relationship
    strength: float
    cut_off: list[PersonRef]


class RiskOut(_Out):
    score: float = Field(description="0–100; Σ points of the components")
    components: list[ScoreComponentOut]


class CoverageCounts(_Out):
    dark: int
    single: int
    multi: int


class ThreadingOut(_Out):
    account: AccountRef
    as_of: date
    risk: RiskOut
    key_stakeholders: list[KeyStakeholderOut]
    key_coverage_counts: CoverageCounts
    opportunities: list[OpportunityThreadingOut]
    our_side: SideVerdictOut
    their_side: SideVerdictOut
    single_points_of_failure: list[CutPersonOut]
    bridges: list[CutRelationshipOut]
    notes: list[str]


# -- portfolio threading --------------------------------------------------------------


class TeamMemberTies(_Out):
    id: str
    active_ties: int


class PortfolioOurSide(_Out):
    people_with_ties: int
    through_id: str | None
    top_team_members: list[TeamMemberTies]


class PortfolioTheirSide(_Out):
    people_with_ties: int


class SingleThreadedKey(_Out):
    stakeholder_id: str
    team_member_id: str


class PortfolioAccountOut(_Out):
    account: AccountRef
    risk: float
    components: list[ScoreComponentOut]
    stakeholders: int
    key_stakeholders: int
    key_coverage_counts: CoverageCounts
    our_side: PortfolioOurSide
    their_side: PortfolioTheirSide
    active_ties: int
    dark_key_stakeholder_ids: list[str]
    single_threaded_key_stakeholders: list[SingleThreadedKey]


class PortfolioThreadingPage(_Out):
    as_of: date
    weights: dict[str, float]
    items: list[PortfolioAccountOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


# -- departure impact -----------------------------------------------------------------


class DepartureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_ids: list[Id] = Field(
        min_length=1,
        max_length=500,
        description="Stakeholders and/or team members leaving at once",
    )


class DepartedOut(_Out):
    id: str
    name: str | None
    kind: Literal["stakeholder", "team_member"]


class ImpactComponentOut(_Out):
    """``fraction = numerator / denominator`` (0 if nothing to lose), points = weight × it."""

    name: str
    numerator: float
    denominator: float
    fraction: float
    weight: float
    points: float


class LostTieOut(_Out):
    account_id: str
    team_member_id: str
    team_member_name: str | None
    stakeholder_id: str
    stakeholder_name: str | None
    strength: float


class CoverageChangeOut(_Out):
    account_id: str
    stakeholder_id: str
    name: str
    coverage_before: int
    coverage_after: int
    remaining_team_members: list[PersonRef]


class SuccessorOut(_Out):
    id: str
    name: str | None
    levels_up: int | None


class BudgetGapOut(_Out):
    account_id: str
    budget_id: str
    name: str
    authority: Literal["owner", "approver"]
    departed: list[PersonRef]
    suggested_successor: SuccessorOut | None = Field(
        description="Nearest active manager up the solid line of a departing holder"
    )


class LostRoleOut(_Out):
    role: str
    departed: list[PersonRef]


class OpportunityAtRiskOut(_Out):
    account_id: str
    opportunity_id: str
    name: str
    lost_roles: list[LostRoleOut]


class AccountRoleLostOut(_Out):
    account_id: str
    role: str
    departed: list[PersonRef]


class UnreachableOut(_Out):
    account_id: str
    stakeholder_id: str
    name: str | None


class WarmPathDropOut(_Out):
    account_id: str
    stakeholder_id: str
    name: str | None
    before: float
    after: float
    drop: float


class FragmentationSide(_Out):
    value: float
    node_count: int
    component_count: int
    largest_component_sizes: list[int]


class FragmentationOut(_Out):
    before: FragmentationSide
    after: FragmentationSide
    change: float


class ActionOut(_Out):
    account_id: str
    text: str
    stakeholder_id: str
    stakeholder_name: str
    exposures: list[Literal["newly_dark", "newly_single_threaded", "newly_unreachable"]]
    team_member: PersonRef | None = Field(description="Who should build the relationship")
    introducer: PersonRef | None = Field(description="Who would introduce them")
    path: WarmPathOut | None


class _ImpactBody(_Out):
    score: float = Field(description="0–100; Σ points of score_components")
    score_components: list[ImpactComponentOut]
    active_ties_lost: list[LostTieOut]
    newly_dark: list[CoverageChangeOut]
    newly_single_threaded: list[CoverageChangeOut]
    budgets_without_owner: list[BudgetGapOut]
    opportunities_at_risk: list[OpportunityAtRiskOut]
    account_roles_lost: list[AccountRoleLostOut]
    newly_unreachable: list[UnreachableOut]
    warm_path_drops: list[WarmPathDropOut]
    fragmentation: FragmentationOut
    recommended_actions: list[ActionOut]
    notes: list[str]


class AccountDepartureImpactOut(_ImpactBody):
    account: AccountRef
    as_of: date
    departed: list[DepartedOut]
    departed_key_stakeholder_ids: list[str]
    ignored_ids: list[str] = Field(
        description="People of the account outside its engagement graph (no active tie)"
    )


class PersonOut(_Out):
    id: str
    name: str | None
    kind: Literal["stakeholder", "team_member"]


class PersonDepartureImpactOut(_ImpactBody):
    """Lists cover every account; score, components and fragmentation are the worst account's."""

    person: PersonOut
    as_of: date
    score_account_id: str | None
    mean_score: float
    accounts: list[AccountDepartureImpactOut]


# -- warm paths, power map, health ----------------------------------------------------


class WarmPathsOut(_Out):
    to: PersonRef
    account: AccountRef | None
    from_team_member_id: str | None
    k: int
    max_hops: int
    as_of: date
    paths: list[WarmPathOut] = Field(description="Strongest first")
    notes: list[str]


class PowerMapRoleOut(_Out):
    role: str
    target_kind: Literal["account", "opportunity"]
    target_id: str
    stance: int | None


class PowerMapEntryOut(_Out):
    stakeholder_id: str
    name: str
    title: str | None
    department: str | None
    roles: list[PowerMapRoleOut]
    stance: int | None
    is_key: bool
    pagerank: float
    betweenness: float | None
    coverage_count: int
    coverage_level: CoverageLevel
    covered_by: list[PersonRef]
    best_warm_path_strength: float


class PowerMapOut(_Out):
    account: AccountRef
    as_of: date
    sort: str
    order: Literal["asc", "desc"]
    measures: dict[str, str]
    entries: list[PowerMapEntryOut]
    notes: list[str]


class RoleStatusOut(_Out):
    role: str
    holders: list[PersonRef]
    engaged_holders: list[PersonRef]
    value: float


class DetractorOut(_Out):
    stakeholder_id: str
    name: str
    pagerank: float
    coverage_count: int


class HealthReportOut(_Out):
    as_of: date
    score: float = Field(description="0–100; Σ points of the components")
    components: list[ScoreComponentOut]
    key_stakeholder_count: int
    active_tie_count: int
    ties_without_last_contact: int
    roles: list[RoleStatusOut]
    detractors: list[DetractorOut] = Field(description="By influence PageRank, highest first")


class HealthChangeOut(_Out):
    score_delta: float
    points_delta: dict[str, float]


class HealthOut(_Out):
    account: AccountRef
    current: HealthReportOut
    at_as_of: HealthReportOut | None
    change: HealthChangeOut | None = Field(description="current − at_as_of")
