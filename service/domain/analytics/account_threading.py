"""Single-threaded relationships of one account (DESIGN "Coverage", "Single point of failure")."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from service.analytics import threading_report
from service.analytics.threading import SideVerdict
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.answers import (
    Names,
    Record,
    account_ref,
    analytics_params,
    coverage_view,
    people_refs,
)
from service.domain.analytics.subgraphs import account_at
from service.domain.relationship_intel.threading_risk import threading_risk
from service.settings import Settings

__all__ = ["account_threading"]


def _side(verdict: SideVerdict, names: Names) -> Record:
    return {
        "side": verdict.side,
        "level": verdict.level,
        "through_id": verdict.through_id,
        "through_name": names.name(verdict.through_id),
        "people_with_ties": verdict.people_with_ties,
        "active_tie_count": verdict.active_tie_count,
        "largest_share": verdict.largest_share,
        "top_people": [
            {"id": p.person_id, "name": names.name(p.person_id), "active_ties": p.active_ties}
            for p in verdict.top_people
        ],
    }


def account_threading(
    cache: AccountCache, settings: Settings, account_id: str, *, as_of: date
) -> Record:
    """Key stakeholders' coverage, opportunities at risk, side verdicts, cut points."""
    reads = cache.reads()
    pulled = account_at(reads, account_id, as_of)
    names = Names.of(pulled.graph)
    params = analytics_params(settings)
    report = threading_report(pulled.graph, params, graph=reads.engagement_graph(pulled, params))
    counts = report.key_coverage_counts
    risk = threading_risk(
        key_stakeholders=len(report.key_stakeholders),
        key_dark=counts["dark"],
        key_single=counts["single"],
        our_side=report.our_side.people_with_ties,
        their_side=report.their_side.people_with_ties,
    )
    return {
        "account": account_ref(pulled.graph, pulled.tier),
        "as_of": as_of,
        "risk": {"score": risk.score, "components": [asdict(c) for c in risk.components]},
        "key_stakeholders": [
            {
                "stakeholder_id": k.stakeholder_id,
                "name": k.name,
                "title": k.title,
                "reasons": [asdict(r) for r in k.reasons],
                "coverage": coverage_view(k.coverage, names),
                "reachable": k.reachable,
            }
            for k in report.key_stakeholders
        ],
        "key_coverage_counts": dict(counts),
        "opportunities": [
            {
                "opportunity_id": o.opportunity_id,
                "name": o.name,
                "stage": o.stage,
                "stakeholders": [
                    {
                        "stakeholder_id": s.stakeholder_id,
                        "name": names.name(s.stakeholder_id),
                        "roles": list(s.roles),
                        "coverage_count": s.coverage_count,
                        "engaged": s.engaged,
                    }
                    for s in o.stakeholders
                ],
                "engaged_count": o.engaged_count,
                "engaged_champions": people_refs(names, o.engaged_champion_ids),
                "engaged_economic_buyers": people_refs(names, o.engaged_economic_buyer_ids),
                "risks": list(o.risks),
                "at_risk": o.at_risk,
            }
            for o in report.opportunities
        ],
        "our_side": _side(report.our_side, names),
        "their_side": _side(report.their_side, names),
        "single_points_of_failure": [
            {
                "person_id": p.person_id,
                "name": names.name(p.person_id),
                "kind": p.kind,
                "cut_off": people_refs(names, p.cut_off),
            }
            for p in report.single_points_of_failure
        ],
        "bridges": [
            {
                "from_id": b.from_id,
                "from_name": names.name(b.from_id),
                "to_id": b.to_id,
                "to_name": names.name(b.to_id),
                "relationship": b.relationship,
                "strength": b.strength,
                "cut_off": people_refs(names, b.cut_off),
            }
            for b in report.bridges
        ],
        "notes": list(report.notes),
    }
