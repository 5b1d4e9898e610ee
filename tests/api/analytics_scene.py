"""A small hand-built portfolio for the analytics API tests, written through the ingest path.

Account ``acme`` (2026-01-01)::

    ceo ── cfo ── vp ── dir          solid lines (strength 0.5 in the engagement graph)
     ├── champ ── eng
     └── det

    t1 ─0.8─ champ ─0.5─ t2          our ties (t2 ─0.1─ dir is not active: θ = 0.2)
    t1 ─0.6─ vp
    champ ─0.9→ cfo,  det ─0.5→ cfo  influence

Key stakeholders: cfo (economic buyer, owner of b1), champ (champion of acme and opp1),
vp (approver of b1), eng (decision maker on opp1). dir recommends b1; det is a detractor
(stance −2). Account ``beta``: t1 ─0.7─ bp, bp its economic buyer. t3 covers nothing.

On 2026-03-01 a reorg: ``cdo`` joins under the ceo and becomes the owner of b1; the cfo
goes from owner to recommender.
"""

from __future__ import annotations

from typing import Any

from service.domain.ingest import ingest_batch
from service.graph.driver import Graph
from service.settings import Settings

FIRST = "2026-01-01T00:00:00Z"
REORG = "2026-03-01T00:00:00Z"

BATCH_1: dict[str, Any] = {
    "effective_at": FIRST,
    "accounts": [
        {"id": "acme", "name": "Acme", "tier": "strategic"},
        {"id": "beta", "name": "Beta", "tier": "key"},
        {"id": "empty", "name": "Empty", "tier": "standard"},
    ],
    "stakeholders": [
        {"id": "ceo", "account_id": "acme", "name": "Cora CEO", "title": "CEO"},
        {"id": "cfo", "account_id": "acme", "name": "Finn CFO", "reports_to": "ceo"},
        {"id": "vp", "account_id": "acme", "name": "Vera VP", "reports_to": "cfo"},
        {"id": "dir", "account_id": "acme", "name": "Dirk Director", "reports_to": "vp"},
        {"id": "champ", "account_id": "acme", "name": "Chad Champion", "reports_to": "ceo"},
        {"id": "eng", "account_id": "acme", "name": "Enid Engineer", "reports_to": "champ"},
        {"id": "det", "account_id": "acme", "name": "Dora Detractor", "reports_to": "ceo"},
        {"id": "bp", "account_id": "beta", "name": "Bea Buyer"},
    ],
    "team_members": [
        {"id": "t1", "name": "Tom One", "role": "account_manager"},
        {"id": "t2", "name": "Tia Two", "role": "solution_engineer"},
        {"id": "t3", "name": "Ted Three", "role": "exec_sponsor"},
    ],
    "coverage": [
        {"team_member_id": "t1", "account_id": "acme"},
        {"team_member_id": "t2", "account_id": "acme"},
        {"team_member_id": "t1", "account_id": "beta"},
    ],
    "relationships": [
        {"team_member_id": "t1", "stakeholder_id": "champ", "strength": 0.8},
        {"team_member_id": "t2", "stakeholder_id": "champ", "strength": 0.5},
        {"team_member_id": "t1", "stakeholder_id": "vp", "strength": 0.6},
        {"team_member_id": "t2", "stakeholder_id": "dir", "strength": 0.1},
        {"team_member_id": "t1", "stakeholder_id": "bp", "strength": 0.7},
    ],
    "influences": [
        {"from_id": "champ", "to_id": "cfo", "strength": 0.9},
        {"from_id": "det", "to_id": "cfo", "strength": 0.5},
    ],
    "budgets": [{"id": "b1", "account_id": "acme", "name": "Cloud budget", "amount": 1e6}],
    "controls": [
        {"stakeholder_id": "cfo", "budget_id": "b1", "authority": "owner"},
        {"stakeholder_id": "vp", "budget_id": "b1", "authority": "approver"},
        {"stakeholder_id": "dir", "budget_id": "b1", "authority": "recommender"},
    ],
    "opportunities": [
        {"id": "opp1", "account_id": "acme", "name": "Cloud deal", "stage": "proposal"},
        {"id": "opp0", "account_id": "acme", "name": "Old deal", "stage": "closed_won"},
    ],
    "roles": [
        {"stakeholder_id": "cfo", "role": "economic_buyer", "stance": 1, "account_id": "acme"},
        {"stakeholder_id": "champ", "role": "champion", "stance": 2, "account_id": "acme"},
        {"stakeholder_id": "champ", "role": "champion", "stance": 2, "opportunity_id": "opp1"},
        {"stakeholder_id": "eng", "role": "decision_maker", "stance": 0, "opportunity_id": "opp1"},
        {"stakeholder_id": "det", "role": "detractor", "stance": -2, "account_id": "acme"},
        {"stakeholder_id": "bp", "role": "economic_buyer", "stance": 1, "account_id": "beta"},
    ],
}

BATCH_2: dict[str, Any] = {
    "effective_at": REORG,
    "stakeholders": [
        {"id": "cdo", "account_id": "acme", "name": "Cleo CDO", "reports_to": "ceo"},
    ],
    "controls": [
        {"stakeholder_id": "cdo", "budget_id": "b1", "authority": "owner"},
        {"stakeholder_id": "cfo", "budget_id": "b1", "authority": "recommender"},
    ],
}


def seed(graph: Graph, settings: Settings, *, reorg: bool = False) -> None:
    ingest_batch(graph, settings, BATCH_1)
    if reorg:
        ingest_batch(graph, settings, BATCH_2)
