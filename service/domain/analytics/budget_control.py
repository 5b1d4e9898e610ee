"""Who controls budget X (DESIGN "Budget control"), as of a date."""

from __future__ import annotations

from datetime import date

from service.analytics import budget_control as analyse_budget_control
from service.analytics.influence import BudgetController, EscalationChain
from service.domain.access import Principal
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.answers import (
    Names,
    Record,
    account_ref,
    analytics_params,
    coverage_view,
    warm_path_view,
)
from service.domain.analytics.subgraphs import analytics_not_found, budget_account_at
from service.settings import Settings

__all__ = ["budget_control"]


def _controller(c: BudgetController, names: Names) -> Record:
    return {
        "stakeholder_id": c.stakeholder_id,
        "name": c.name,
        "title": c.title,
        "authority": c.authority,
        "pagerank": c.pagerank,
        "coverage": coverage_view(c.coverage, names),
        "best_warm_path": warm_path_view(c.best_warm_path, names),
        "influencers": [
            {
                "stakeholder_id": i.stakeholder_id,
                "name": i.name,
                "title": i.title,
                "influence_strength": i.influence_strength,
                "pagerank": i.pagerank,
                "score": i.score,
                "coverage_count": i.coverage_count,
                "coverage_level": i.coverage_level,
                "best_warm_path_strength": i.best_warm_path_strength,
            }
            for i in c.influencers
        ],
    }


def _chain(chain: EscalationChain) -> Record:
    return {
        "stakeholder_id": chain.stakeholder_id,
        "cycle_at": chain.cycle_at,
        "steps": [
            {
                "level": s.level,
                "stakeholder_id": s.stakeholder_id,
                "name": s.name,
                "title": s.title,
                "status": s.status,
            }
            for s in chain.steps
        ],
    }


def budget_control(
    cache: AccountCache,
    settings: Settings,
    budget_id: str,
    *,
    as_of: date,
    principal: Principal,
) -> Record:
    """Controllers by authority, the owner's escalation chain, influencers, our access."""
    reads = cache.reads()
    pulled = budget_account_at(reads, budget_id, as_of)
    principal.require_account(pulled.graph.account_id)
    names = Names.of(pulled.graph)
    params = analytics_params(settings)
    with analytics_not_found():
        result = analyse_budget_control(
            pulled.graph,
            budget_id,
            params,
            indexed=reads.indexed(pulled),
            graph=reads.engagement_graph(pulled, params),
        )
    notes = list(result.notes)
    if not pulled.graph.team_members:
        notes.append("No team member covers the account or knows anyone in it: no warm path.")
    return {
        "account": account_ref(pulled.graph, pulled.tier),
        "as_of": as_of,
        "budget": {
            "id": result.budget.id,
            "name": result.budget.name,
            "amount": result.budget.amount,
            "currency": result.budget.currency,
        },
        "controllers": {
            authority: [_controller(c, names) for c in people]
            for authority, people in result.controllers.items()
        },
        "escalation_chains": [_chain(c) for c in result.escalation_chains],
        "departed_controllers": [
            {"stakeholder_id": d.stakeholder_id, "name": d.name, "authority": d.authority}
            for d in result.departed_controllers
        ],
        "influencer_score": "influence_strength × influencer_pagerank",
        "notes": notes,
    }
