"""Warm paths to a stakeholder, the power map and the health of an account, as of a date."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Literal

from service.analytics import account_health as analyse_health
from service.analytics.health import HealthReport, health_change
from service.analytics.power_map import PowerMapSortKey, power_map, sort_power_map
from service.analytics.warm_paths import warm_paths as analyse_warm_paths
from service.domain.access import Principal
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.answers import (
    Names,
    Record,
    account_ref,
    analytics_params,
    people_refs,
    warm_path_view,
)
from service.domain.analytics.subgraphs import account_at, accounts_at, person_at
from service.domain.errors import NotFound
from service.settings import Settings

__all__ = ["POWER_MAP_SORTS", "PowerMapSort", "account_health", "account_power_map", "warm_paths"]

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


def warm_paths(
    cache: AccountCache,
    settings: Settings,
    *,
    to: str,
    from_team_member: str | None,
    k: int,
    as_of: date,
    principal: Principal,
) -> Record:
    """The ``k`` strongest warm paths (≤ 4 hops) to stakeholder ``to`` at ``as_of``."""
    reads = cache.reads()
    target = person_at(reads, to, as_of)
    if target.kind != "stakeholder":
        raise NotFound(f"no stakeholder with id {to!r}")
    notes: list[str] = []
    paths: list[Record] = []
    account = None
    if not target.account_ids:
        notes.append(f"{target.name or to} works at no account at this date.")
    else:
        principal.require_account(target.account_ids[0])
        pulled = accounts_at(reads, target.account_ids[:1], as_of)[0]
        account = account_ref(pulled.graph, pulled.tier)
        names = Names.of(pulled.graph)
        team = {t.id for t in pulled.graph.team_members}
        if from_team_member is not None and from_team_member not in team:
            if person_at(reads, from_team_member, as_of).kind != "team_member":
                raise NotFound(f"no team member with id {from_team_member!r}")
            notes.append(
                f"{from_team_member} neither covers the account nor knows anyone in it at "
                "this date."
            )
        elif not any(s.id == to and s.status == "active" for s in pulled.graph.stakeholders):
            notes.append(f"{target.name or to} is not an active stakeholder at this date.")
        else:
            params = analytics_params(settings)
            found = analyse_warm_paths(
                reads.engagement_graph(pulled, params),
                to,
                from_team_member=from_team_member,
                k=k,
                max_hops=params.max_warm_path_hops,
            )
            paths = [p for p in (warm_path_view(f, names) for f in found) if p is not None]
            if not paths:
                notes.append(
                    f"No warm path of at most {params.max_warm_path_hops} hops reaches "
                    f"{target.name or to}: ask for an introduction outside the known network."
                )
    return {
        "to": {"id": to, "name": target.name},
        "account": account,
        "from_team_member_id": from_team_member,
        "k": k,
        "max_hops": analytics_params(settings).max_warm_path_hops,
        "as_of": as_of,
        "paths": paths,
        "notes": notes,
    }


def account_power_map(
    cache: AccountCache,
    settings: Settings,
    account_id: str,
    *,
    sort: PowerMapSort,
    descending: bool,
    as_of: date,
) -> Record:
    """Every active stakeholder with roles, stance, PageRank, betweenness, coverage, access."""
    reads = cache.reads()
    pulled = account_at(reads, account_id, as_of)
    names = Names.of(pulled.graph)
    params = analytics_params(settings)
    # Betweenness is ~97 % of the power map's time (seconds on 5,000 people) and depends
    # only on the account's content: it comes memoised with the cached account.
    result = power_map(
        pulled.graph,
        params,
        with_betweenness=False,
        indexed=reads.indexed(pulled),
        graph=reads.engagement_graph(pulled, params),
    )
    betweenness = reads.betweenness(pulled, params)
    unsorted = [
        replace(e, betweenness=betweenness.get(e.stakeholder_id, 0.0)) for e in result.entries
    ]
    entries = sort_power_map(unsorted, POWER_MAP_SORTS[sort], descending=descending)
    notes = []
    if not entries:
        notes.append("The account has no active stakeholders at this date.")
    elif not any(e.coverage_count for e in entries):
        notes.append("No team member has an active tie at this account: everyone is dark.")
    return {
        "account": account_ref(pulled.graph, pulled.tier),
        "as_of": as_of,
        "sort": sort,
        "order": "desc" if descending else "asc",
        "measures": {
            "pagerank": "PageRank on weighted INFLUENCES, reversed (influencers score high)",
            "betweenness": "exact Brandes betweenness on the unweighted engagement graph, "
            "normalised by (n − 1)(n − 2) / 2",
            "coverage": "distinct active team members with an active tie",
            "warm_path_strength": "best product of tie strengths over ≤ 4 hops from our team",
            "stance": "stance of the most extreme role (−2 … +2), a negative one winning a tie",
        },
        "entries": [
            {
                "stakeholder_id": e.stakeholder_id,
                "name": e.name,
                "title": e.title,
                "department": e.department,
                "roles": [
                    {
                        "role": r.role,
                        "target_kind": r.target_kind,
                        "target_id": r.target_id,
                        "stance": r.stance,
                    }
                    for r in e.roles
                ],
                "stance": e.stance,
                "is_key": e.is_key,
                "pagerank": e.pagerank,
                "betweenness": e.betweenness,
                "coverage_count": e.coverage_count,
                "coverage_level": e.coverage_level,
                "covered_by": people_refs(names, e.covered_by),
                "best_warm_path_strength": e.best_warm_path_strength,
            }
            for e in entries
        ],
        "notes": notes,
    }


def _health_view(report: HealthReport, names: Names, as_of: date) -> Record:
    return {
        "as_of": as_of,
        "score": report.score,
        "components": [asdict(c) for c in report.components],
        "key_stakeholder_count": report.key_stakeholder_count,
        "active_tie_count": report.active_tie_count,
        "ties_without_last_contact": report.ties_without_last_contact,
        "roles": [
            {
                "role": r.role,
                "holders": people_refs(names, r.holder_ids),
                "engaged_holders": people_refs(names, r.engaged_holder_ids),
                "value": r.value,
            }
            for r in report.roles
        ],
        "detractors": [
            {
                "stakeholder_id": d.stakeholder_id,
                "name": d.name,
                "pagerank": d.pagerank,
                "coverage_count": d.coverage_count,
            }
            for d in report.detractors
        ],
    }


def account_health(
    cache: AccountCache,
    settings: Settings,
    account_id: str,
    *,
    today: date,
    as_of: date | None,
) -> Record:
    """Health now (at the end of ``today``) and, with ``as_of``, then and the change."""
    params = analytics_params(settings)
    reads = cache.reads()
    pulled = account_at(reads, account_id, today)
    current = analyse_health(pulled.graph, params)
    result: Record = {
        "account": account_ref(pulled.graph, pulled.tier),
        "current": _health_view(current, Names.of(pulled.graph), today),
        "at_as_of": None,
        "change": None,
    }
    if as_of is not None:
        then = account_at(reads, account_id, as_of)
        baseline = analyse_health(then.graph, params)
        change = health_change(current, baseline)
        result["at_as_of"] = _health_view(baseline, Names.of(then.graph), as_of)
        result["change"] = {
            "score_delta": change.score_delta,
            "points_delta": change.points_delta,
        }
    return result
