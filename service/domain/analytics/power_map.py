"""The power map of an account, as of a date: the answer and the use case that gives it.

Every measure is defined in docs/analytics.md and :mod:`service.analytics.power_map`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from pydantic import Field

from service.analytics.model import AnalyticsParams
from service.analytics.power_map import (
    PowerMapEntry,
    PowerMapSortKey,
    power_map,
    sort_power_map,
)
from service.domain.analytics.account_cache import AccountCache, AccountReads
from service.domain.analytics.answers import (
    AccountRef,
    Answer,
    CoverageLevel,
    Names,
    PersonRef,
    account_ref,
    analytics_params,
)
from service.domain.analytics.subgraphs import account_at
from service.graph.account_subgraph import PulledAccount
from service.settings import Settings

__all__ = [
    "POWER_MAP_SORTS",
    "PowerMapOut",
    "PowerMapRows",
    "PowerMapSort",
    "account_power_map",
    "power_map_rows",
]

PowerMapSort = Literal[
    "pagerank", "betweenness", "coverage", "warm_path_strength", "stance", "name"
]
#: API sort names → power-map columns.
POWER_MAP_SORTS: dict[str, PowerMapSortKey] = {
    "pagerank": "pagerank",
    "betweenness": "betweenness",
    "coverage": "coverage_count",
    "warm_path_strength": "best_warm_path_strength",
    "stance": "stance",
    "name": "name",
}

SOURCE = (
    "Where it came from (docs/graph-conventions.md, Provenance): api, salesforce, hubspot, "
    "demo, or interactions for a tie derived from them"
)
SOURCE_RECORD_ID = "The CRM record it came from, when the write named one"

#: What each column of the power map measures (part of every answer).
MEASURES = {
    "pagerank": "PageRank on weighted INFLUENCES, reversed (influencers score high)",
    "betweenness": "exact Brandes betweenness on the unweighted engagement graph, "
    "normalised by (n − 1)(n − 2) / 2",
    "coverage": "distinct active team members with an active tie",
    "warm_path_strength": "best product of tie strengths over ≤ 4 hops from our team",
    "stance": "stance of the most extreme role (−2 … +2), a negative one winning a tie",
}


class PowerMapRoleOut(Answer):
    role: str
    target_kind: Literal["account", "opportunity"]
    target_id: str
    stance: int | None
    source: str | None = Field(description=SOURCE)
    source_record_id: str | None = Field(description=SOURCE_RECORD_ID)


class PowerMapTieOut(Answer):
    team_member_id: str
    team_member_name: str | None
    strength: float
    source: str | None = Field(description=SOURCE)
    source_record_id: str | None = Field(description=SOURCE_RECORD_ID)


class PowerMapLineOut(Answer):
    manager_id: str
    manager_name: str | None
    kind: Literal["solid", "dotted"]
    source: str | None = Field(description=SOURCE)
    source_record_id: str | None = Field(description=SOURCE_RECORD_ID)


class PowerMapEntryOut(Answer):
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
    ties: list[PowerMapTieOut] = Field(
        description="Our ties to the person at the date (any strength), strongest first"
    )
    reports_to: list[PowerMapLineOut] = Field(
        description="Their reporting lines to managers of the account at the date"
    )


class PowerMapOut(Answer):
    account: AccountRef
    as_of: date
    sort: str
    order: Literal["asc", "desc"]
    measures: dict[str, str]
    entries: list[PowerMapEntryOut]
    notes: list[str]


@dataclass(frozen=True, slots=True)
class PowerMapRows:
    """The power map of one cached account, unsorted: what every request shares.

    ``entries`` are the analytics rows (with the memoised betweenness), in the account's
    order, for sorting; ``answers`` the same rows as answer models, by stakeholder id.
    """

    entries: tuple[PowerMapEntry, ...]
    answers: dict[str, PowerMapEntryOut]


def power_map_rows(
    reads: AccountReads, pulled: PulledAccount, params: AnalyticsParams
) -> PowerMapRows:
    """Every active stakeholder's row, as analytics entry and as answer model.

    Kept with the cached account (:meth:`AccountReads.answer`): a warm request only sorts.
    """
    names = Names.of(pulled.graph)
    result = power_map(
        pulled.graph,
        params,
        with_betweenness=False,
        indexed=reads.indexed(pulled),
        graph=reads.engagement_graph(pulled, params),
    )
    # Betweenness is ~97 % of the power map's time (seconds on 5,000 people) and depends
    # only on the account's content: it comes memoised with the cached account.
    betweenness = reads.betweenness(pulled, params)
    entries = tuple(
        replace(e, betweenness=betweenness.get(e.stakeholder_id, 0.0)) for e in result.entries
    )
    answers = {
        e.stakeholder_id: PowerMapEntryOut(
            stakeholder_id=e.stakeholder_id,
            name=e.name,
            title=e.title,
            department=e.department,
            roles=e.roles,
            stance=e.stance,
            is_key=e.is_key,
            pagerank=e.pagerank,
            betweenness=e.betweenness,
            coverage_count=e.coverage_count,
            coverage_level=e.coverage_level,
            covered_by=names.refs(e.covered_by),
            best_warm_path_strength=e.best_warm_path_strength,
            ties=[
                PowerMapTieOut(
                    team_member_id=k.team_member_id,
                    team_member_name=names.name(k.team_member_id),
                    strength=k.strength,
                    source=k.source,
                    source_record_id=k.source_record_id,
                )
                for k in e.ties
            ],
            reports_to=[
                PowerMapLineOut(
                    manager_id=r.to_id,
                    manager_name=names.name(r.to_id),
                    kind=r.kind,
                    source=r.source,
                    source_record_id=r.source_record_id,
                )
                for r in e.reports_to
            ],
        )
        for e in entries
    }
    return PowerMapRows(entries, answers)


def account_power_map(
    cache: AccountCache,
    settings: Settings,
    account_id: str,
    *,
    sort: PowerMapSort,
    descending: bool,
    as_of: date,
) -> PowerMapOut:
    """Every active stakeholder with roles, stance, PageRank, betweenness, coverage, access."""
    reads = cache.reads()
    pulled = account_at(reads, account_id, as_of)
    rows = reads.answer(pulled, power_map_rows, analytics_params(settings))
    entries = sort_power_map(rows.entries, POWER_MAP_SORTS[sort], descending=descending)
    notes = []
    if not entries:
        notes.append("The account has no active stakeholders at this date.")
    elif not any(e.coverage_count for e in entries):
        notes.append("No team member has an active tie at this account: everyone is dark.")
    return PowerMapOut(
        account=account_ref(pulled.graph, pulled.tier),
        as_of=as_of,
        sort=sort,
        order="desc" if descending else "asc",
        measures=MEASURES,
        entries=[rows.answers[e.stakeholder_id] for e in entries],
        notes=notes,
    )
