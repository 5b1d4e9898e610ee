"""What if these people leave? (docs/definitions.md, "Departure impact").

Two use cases on :func:`service.analytics.departure_impact`:

- :func:`account_departure_impact`: a set of people (stakeholders and/or team members,
  several at once to simulate a reorg) leaving one account;
- :func:`person_departure_impact`: one person leaving — a stakeholder affects their
  account; a team member every account they cover or have ties in, all pulled in one
  round trip and analysed one by one.

Each list item carries its ``account_id`` so the per-person answer can put every
account's items in one list. For a person across several accounts the headline
``score``, ``score_components`` and ``fragmentation`` are those of the most affected
account (``score_account_id``); ``accounts`` holds every account's full answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from pydantic import Field

from service.analytics.departure_impact import (
    CoverageChange,
    DepartureImpact,
    RecommendedAction,
    departure_impact,
)
from service.analytics.fragmentation import Fragmentation
from service.analytics.model import AccountGraph
from service.domain.access import Principal
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.account_reads import AccountReads
from service.domain.analytics.answers import (
    AccountRef,
    Answer,
    Names,
    PersonRef,
    WarmPathOut,
    account_ref,
    analytics_params,
    warm_path_answer,
)
from service.domain.analytics.subgraphs import account_at, accounts_at, person_at
from service.domain.errors import FieldError, Forbidden, InvalidInput
from service.graph.account_subgraph import PulledAccount
from service.settings import Settings

__all__ = [
    "AccountDepartureImpactOut",
    "PersonDepartureImpactOut",
    "account_departure_impact",
    "impact_answer",
    "person_departure_impact",
]

_TOP_COMPONENTS = 10

PersonKind = Literal["stakeholder", "team_member"]


class DepartedOut(Answer):
    id: str
    name: str | None
    kind: PersonKind


class ImpactComponentOut(Answer):
    """``fraction = numerator / denominator`` (0 if nothing to lose), points = weight × it."""

    name: str
    numerator: float
    denominator: float
    fraction: float
    weight: float
    points: float


class LostTieOut(Answer):
    account_id: str
    team_member_id: str
    team_member_name: str | None
    stakeholder_id: str
    stakeholder_name: str | None
    strength: float


class CoverageChangeOut(Answer):
    account_id: str
    stakeholder_id: str
    name: str
    coverage_before: int
    coverage_after: int
    remaining_team_members: list[PersonRef]


class SuccessorOut(Answer):
    id: str
    name: str | None
    levels_up: int | None


class BudgetGapOut(Answer):
    account_id: str
    budget_id: str
    name: str
    authority: Literal["owner", "approver"]
    departed: list[PersonRef]
    suggested_successor: SuccessorOut | None = Field(
        description="Nearest active manager up the solid line of a departing holder"
    )


class LostRoleOut(Answer):
    role: str
    departed: list[PersonRef]


class OpportunityAtRiskOut(Answer):
    account_id: str
    opportunity_id: str
    name: str
    lost_roles: list[LostRoleOut]


class AccountRoleLostOut(Answer):
    account_id: str
    role: str
    departed: list[PersonRef]


class UnreachableOut(Answer):
    account_id: str
    stakeholder_id: str
    name: str | None


class WarmPathDropOut(Answer):
    account_id: str
    stakeholder_id: str
    name: str | None
    before: float
    after: float
    drop: float


class FragmentationSide(Answer):
    value: float
    node_count: int
    component_count: int
    largest_component_sizes: list[int]


class FragmentationOut(Answer):
    before: FragmentationSide
    after: FragmentationSide
    change: float


class ActionOut(Answer):
    account_id: str
    text: str
    stakeholder_id: str
    stakeholder_name: str
    exposures: list[Literal["newly_dark", "newly_single_threaded", "newly_unreachable"]]
    team_member: PersonRef | None = Field(description="Who should build the relationship")
    introducer: PersonRef | None = Field(description="Who would introduce them")
    path: WarmPathOut | None


class _ImpactBody(Answer):
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


class PersonOut(Answer):
    id: str
    name: str | None
    kind: PersonKind


class PersonDepartureImpactOut(_ImpactBody):
    """Lists cover every account; score, components and fragmentation are the worst account's."""

    person: PersonOut
    as_of: date
    score_account_id: str | None
    mean_score: float
    accounts: list[AccountDepartureImpactOut]


#: The lists of :class:`_ImpactBody` that a person's answer joins across accounts.
_LISTS = (
    "active_ties_lost",
    "newly_dark",
    "newly_single_threaded",
    "budgets_without_owner",
    "opportunities_at_risk",
    "account_roles_lost",
    "newly_unreachable",
    "warm_path_drops",
    "recommended_actions",
)


def _fragmentation(f: Fragmentation) -> FragmentationSide:
    return FragmentationSide(
        value=f.value,
        node_count=f.node_count,
        component_count=len(f.component_sizes),
        largest_component_sizes=f.component_sizes[:_TOP_COMPONENTS],
    )


def _action_text(action: RecommendedAction, names: Names) -> str:
    if action.path is None or action.team_member_id is None:
        return action.note
    who = names.name(action.team_member_id) or action.team_member_id
    via = ""
    if action.introducer_id is not None:
        via = f", introduced by {names.name(action.introducer_id) or action.introducer_id}"
    return (
        f"{who} should build a relationship with {action.name}{via} "
        f"(warm path strength {action.path.strength:.2f})."
    )


def _action(action: RecommendedAction, names: Names, account_id: str) -> ActionOut:
    return ActionOut(
        account_id=account_id,
        text=_action_text(action, names),
        stakeholder_id=action.stakeholder_id,
        stakeholder_name=action.name,
        exposures=action.exposures,
        team_member=names.ref(action.team_member_id) if action.team_member_id else None,
        introducer=names.ref(action.introducer_id) if action.introducer_id else None,
        path=warm_path_answer(action.path, names),
    )


def _coverage_changes(
    changes: Sequence[CoverageChange], names: Names, account_id: str
) -> list[CoverageChangeOut]:
    return [
        CoverageChangeOut(
            account_id=account_id,
            stakeholder_id=c.stakeholder_id,
            name=c.name,
            coverage_before=c.before,
            coverage_after=c.after,
            remaining_team_members=names.refs(c.remaining_team_member_ids),
        )
        for c in changes
    ]


def impact_answer(
    impact: DepartureImpact, account: AccountGraph, tier: str | None, as_of: date
) -> AccountDepartureImpactOut:
    """The answer for one account's departure impact (names next to ids)."""
    names = Names.of(account)
    aid = account.account_id
    opportunities: dict[str, list[LostRoleOut]] = {}
    opportunity_names: dict[str, str] = {}
    account_roles: list[AccountRoleLostOut] = []
    for loss in impact.role_losses:
        departed = names.refs(loss.departed_ids)
        if loss.target_kind == "opportunity":
            opportunity_names.setdefault(loss.target_id, loss.target_name)
            lost = LostRoleOut(role=loss.role, departed=departed)
            opportunities.setdefault(loss.target_id, []).append(lost)
        else:
            account_roles.append(
                AccountRoleLostOut(account_id=aid, role=loss.role, departed=departed)
            )
    departed_kind: dict[str, PersonKind] = dict.fromkeys(
        impact.departed_team_member_ids, "team_member"
    )
    departed_kind.update(dict.fromkeys(impact.departed_stakeholder_ids, "stakeholder"))
    before, after = impact.fragmentation_before, impact.fragmentation_after
    return AccountDepartureImpactOut(
        account=account_ref(account, tier),
        as_of=as_of,
        departed=[
            DepartedOut(id=p, name=names.name(p), kind=departed_kind[p])
            for p in impact.departed_ids
        ],
        departed_key_stakeholder_ids=impact.departed_key_stakeholder_ids,
        ignored_ids=impact.ignored_ids,
        score=impact.score,
        score_components=impact.score_components,
        active_ties_lost=[
            LostTieOut(
                account_id=aid,
                team_member_id=t.team_member_id,
                team_member_name=names.name(t.team_member_id),
                stakeholder_id=t.stakeholder_id,
                stakeholder_name=names.name(t.stakeholder_id),
                strength=t.strength,
            )
            for t in impact.active_ties_lost
        ],
        newly_dark=_coverage_changes(impact.newly_dark, names, aid),
        newly_single_threaded=_coverage_changes(impact.newly_single_threaded, names, aid),
        budgets_without_owner=[
            BudgetGapOut(
                account_id=aid,
                budget_id=g.budget_id,
                name=g.budget_name,
                authority=g.authority,
                departed=names.refs(g.departed_ids),
                suggested_successor=(
                    SuccessorOut(
                        id=g.successor_id, name=g.successor_name, levels_up=g.successor_levels_up
                    )
                    if g.successor_id is not None
                    else None
                ),
            )
            for g in impact.budgets_without_authority
        ],
        opportunities_at_risk=[
            OpportunityAtRiskOut(
                account_id=aid,
                opportunity_id=opportunity_id,
                name=opportunity_names[opportunity_id],
                lost_roles=lost_roles,
            )
            for opportunity_id, lost_roles in opportunities.items()
        ],
        account_roles_lost=account_roles,
        newly_unreachable=[
            UnreachableOut(account_id=aid, stakeholder_id=s, name=names.name(s))
            for s in impact.newly_unreachable
        ],
        warm_path_drops=[
            WarmPathDropOut(
                account_id=aid,
                stakeholder_id=c.stakeholder_id,
                name=names.name(c.stakeholder_id),
                before=c.before,
                after=c.after,
                drop=c.drop,
            )
            for c in impact.warm_path_changes
            if c.drop > 1e-12
        ],
        fragmentation=FragmentationOut(
            before=_fragmentation(before),
            after=_fragmentation(after),
            change=after.value - before.value,
        ),
        recommended_actions=[_action(a, names, aid) for a in impact.recommended_actions],
        notes=_notes(impact, account),
    )


def _notes(impact: DepartureImpact, account: AccountGraph) -> list[str]:
    notes = []
    if not any(s.status == "active" for s in account.stakeholders):
        notes.append("The account has no active stakeholders at this date: nothing to lose.")
    if not any(t.status == "active" for t in account.team_members):
        notes.append("No team member covers the account or knows anyone in it.")
    if impact.ignored_ids:
        notes.append(
            "Not part of the engagement graph (already gone, or without any active tie): "
            + ", ".join(impact.ignored_ids)
        )
    return notes


def _analyse(
    reads: AccountReads,
    pulled: PulledAccount,
    person_ids: Sequence[str],
    settings: Settings,
    as_of: date,
) -> AccountDepartureImpactOut:
    params = analytics_params(settings)
    graph = reads.engagement_graph(pulled, params)
    impact = departure_impact(pulled.graph, person_ids, params, graph=graph)
    return impact_answer(impact, pulled.graph, pulled.tier, as_of)


def account_departure_impact(
    cache: AccountCache,
    settings: Settings,
    account_id: str,
    person_ids: Sequence[str],
    *,
    as_of: date,
    principal: Principal,
) -> AccountDepartureImpactOut:
    """Impact of everyone in ``person_ids`` leaving ``account_id`` at once.

    Every id must be a stakeholder or team member of the account at ``as_of``; the others
    are named in a 422.
    """
    principal.require_account(account_id)
    reads = cache.reads()
    pulled = account_at(reads, account_id, as_of)
    known = {s.id for s in pulled.graph.stakeholders} | {t.id for t in pulled.graph.team_members}
    unknown = [(i, p) for i, p in enumerate(person_ids) if p not in known]
    if unknown:
        raise InvalidInput(
            f"not people of account {account_id!r} at {as_of.isoformat()}: "
            + ", ".join(p for _, p in unknown),
            errors=[
                FieldError(
                    f"body.person_ids[{i}]",
                    f"{p!r} is neither a stakeholder nor a team member of the account at that date",
                    field="person_ids",
                )
                for i, p in unknown
            ],
        )
    return _analyse(reads, pulled, person_ids, settings, as_of)


def _empty_fragmentation() -> FragmentationOut:
    zero = FragmentationSide(value=0.0, node_count=0, component_count=0, largest_component_sizes=[])
    return FragmentationOut(before=zero, after=zero, change=0.0)


def person_departure_impact(
    cache: AccountCache,
    settings: Settings,
    person_id: str,
    *,
    as_of: date,
    principal: Principal,
    account_id: str | None = None,
) -> PersonDepartureImpactOut:
    """Impact of one person leaving: their account, or every account a team member is in.

    ``account_id`` limits the answer to one of those accounts; a principal limited to
    one account (an embed token) gets that account only, and a 403 for a person who is
    not part of it.
    """
    reads = cache.reads()
    person = person_at(reads, person_id, as_of)
    account_ids = person.account_ids
    if principal.account_id is not None:
        if principal.account_id not in account_ids:
            raise Forbidden("this token is limited to another account")
        account_ids = (principal.account_id,)
    if account_id is not None:
        if account_id not in account_ids:
            raise InvalidInput(
                f"{person_id!r} is not part of account {account_id!r} at {as_of.isoformat()}",
                errors=[
                    FieldError(
                        "query.account_id",
                        "the person has no relationship with this account",
                        field="account_id",
                    )
                ],
            )
        account_ids = (account_id,)
    impacts = sorted(
        (
            _analyse(reads, p, [person_id], settings, as_of)
            for p in accounts_at(reads, account_ids, as_of)
        ),
        key=lambda r: (-r.score, r.account.id),
    )
    worst = impacts[0] if impacts else None
    notes = [] if impacts else [f"{person.name or person_id} is part of no account at this date."]
    return PersonDepartureImpactOut(
        person=PersonOut(id=person.id, name=person.name, kind=person.kind),
        as_of=as_of,
        accounts=impacts,
        score=worst.score if worst else 0.0,
        score_account_id=worst.account.id if worst else None,
        mean_score=sum(i.score for i in impacts) / len(impacts) if impacts else 0.0,
        score_components=worst.score_components if worst else [],
        fragmentation=worst.fragmentation if worst else _empty_fragmentation(),
        notes=notes + [n for impact in impacts for n in impact.notes],
        **{key: [item for impact in impacts for item in getattr(impact, key)] for key in _LISTS},
    )
