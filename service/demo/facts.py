"""What the demo's first sync says beyond the org charts, and our ties over the year.

People are named ``"<account>:<position key>"`` (the keys of
:mod:`service.demo.org_charts`; ``acme:cdo`` is the Chief Digital Officer hired at the
reorg); the builder in :mod:`service.demo.portfolio` resolves them to ids. The order
of every table is the order of the rows in the batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "BUDGETS",
    "CONTROLS",
    "CURRENCIES",
    "DERIVED_TIES",
    "DOTTED_LINES",
    "FRAUD_OPPORTUNITY",
    "INFLUENCES",
    "OPPORTUNITIES",
    "ROLES",
    "TIES",
    "TieSpec",
]

DOTTED_LINES: Final = (
    ("acme:d_mes", "acme:vp_mfg"),
    ("acme:d_itproc", "acme:cio"),
    ("acme:d_capplan", "acme:coo"),
    ("acme:ciso", "acme:cfo"),
    ("northwind:d_risktech", "northwind:cio"),
    ("northwind:vp_oprisk", "northwind:coo"),
    ("northwind:d_dq", "northwind:cro"),
    ("bluebird:d_ecom", "bluebird:cmo"),
    ("bluebird:d_store_sys", "bluebird:vp_stores"),
)

# (id, account, name without the fiscal year, amount, category)
BUDGETS: Final = (
    ("acme-bud-plant-capex", "acme", "Plant modernisation capex", 4_800_000, "capex"),
    ("acme-bud-it-opex", "acme", "IT operating budget", 12_500_000, "it"),
    ("acme-bud-digital", "acme", "Digital transformation programme", 6_000_000, "it"),
    ("acme-bud-supply", "acme", "Supply-chain resilience", 2_200_000, "operations"),
    ("northwind-bud-cloud", "northwind", "Core banking cloud migration", 9_000_000, "it"),
    ("northwind-bud-it-run", "northwind", "Technology run budget", 21_000_000, "it"),
    ("northwind-bud-risk", "northwind", "Risk systems", 3_400_000, "risk"),
    ("bluebird-bud-ecom", "bluebird", "E-commerce platform", 1_600_000, "it"),
    ("bluebird-bud-stores", "bluebird", "Store systems refresh", 2_900_000, "capex"),
)
CURRENCIES: Final = {"acme": "USD", "northwind": "EUR", "bluebird": "GBP"}

# (person, budget, authority)
CONTROLS: Final = (
    ("acme:d_mfg_eng", "acme-bud-plant-capex", "owner"),
    ("acme:coo", "acme-bud-plant-capex", "approver"),
    ("acme:d_mfg_eng.m1", "acme-bud-plant-capex", "recommender"),
    ("acme:cio", "acme-bud-it-opex", "owner"),
    ("acme:cfo", "acme-bud-it-opex", "approver"),
    ("acme:vp_infra", "acme-bud-it-opex", "recommender"),
    ("acme:cio", "acme-bud-digital", "owner"),
    ("acme:cfo", "acme-bud-digital", "approver"),
    ("acme:vp_data", "acme-bud-digital", "recommender"),
    ("acme:vp_supply", "acme-bud-supply", "owner"),
    ("acme:coo", "acme-bud-supply", "approver"),
    ("acme:cpo", "acme-bud-supply", "signatory"),
    ("northwind:cfo", "northwind-bud-cloud", "owner"),
    ("northwind:ceo", "northwind-bud-cloud", "approver"),
    ("northwind:cio", "northwind-bud-cloud", "recommender"),
    ("northwind:vp_digital", "northwind-bud-cloud", "recommender"),
    ("northwind:cio", "northwind-bud-it-run", "owner"),
    ("northwind:cfo", "northwind-bud-it-run", "approver"),
    ("northwind:vp_infra", "northwind-bud-it-run", "recommender"),
    ("northwind:cro", "northwind-bud-risk", "owner"),
    ("northwind:cfo", "northwind-bud-risk", "approver"),
    ("northwind:d_risktech", "northwind-bud-risk", "recommender"),
    ("bluebird:cio", "bluebird-bud-ecom", "owner"),
    ("bluebird:cfo", "bluebird-bud-ecom", "approver"),
    ("bluebird:vp_digital_tech", "bluebird-bud-ecom", "recommender"),
    ("bluebird:coo", "bluebird-bud-stores", "owner"),
    ("bluebird:cfo", "bluebird-bud-stores", "approver"),
    ("bluebird:vp_finance", "bluebird-bud-stores", "signatory"),
)

# (id, account, name, stage, amount, close date in days from today)
OPPORTUNITIES: Final = (
    ("acme-opp-mes", "acme", "MES platform rollout", "qualification", 1_800_000, 150),
    ("acme-opp-renewal", "acme", "Enterprise licence renewal", "closed_won", 2_400_000, -240),
    (
        "northwind-opp-cloud",
        "northwind",
        "Core banking cloud migration",
        "proposal",
        3_200_000,
        60,
    ),
    (
        "bluebird-opp-omni",
        "bluebird",
        "Omnichannel order management",
        "qualification",
        450_000,
        120,
    ),
)
# Opened at the last sync.
FRAUD_OPPORTUNITY: Final = (
    "northwind-opp-fraud",
    "northwind",
    "Real-time fraud analytics",
    "prospecting",
    900_000,
    200,
)

# (person, role, stance, target): target is an account id or an opportunity id
ROLES: Final = (
    ("acme:ceo", "decision_maker", 0, "acme"),
    ("acme:cfo", "economic_buyer", 1, "acme"),
    ("acme:cio", "technical_buyer", 1, "acme"),
    ("acme:cio", "decision_maker", 1, "acme-opp-mes"),
    ("acme:coo", "decision_maker", 1, "acme-opp-mes"),
    ("acme:cfo", "economic_buyer", 0, "acme-opp-mes"),
    ("acme:vp_mfg", "champion", 2, "acme"),
    ("acme:vp_mfg", "champion", 2, "acme-opp-mes"),
    ("acme:cpo", "detractor", -2, "acme"),
    ("acme:cpo", "detractor", -2, "acme-opp-mes"),
    ("acme:cos", "gatekeeper", 0, "acme"),
    ("acme:d_itproc", "gatekeeper", -1, "acme-opp-mes"),
    ("acme:vp_data", "influencer", 1, "acme"),
    ("acme:d_mes", "coach", 2, "acme-opp-mes"),
    ("acme:d_plant_ops", "user", 1, "acme-opp-mes"),
    ("acme:vp_apps", "champion", 1, "acme-opp-renewal"),
    ("acme:cio", "economic_buyer", 1, "acme-opp-renewal"),
    ("northwind:ceo", "decision_maker", 0, "northwind"),
    ("northwind:cfo", "economic_buyer", 0, "northwind"),
    ("northwind:cfo", "economic_buyer", 0, "northwind-opp-cloud"),
    ("northwind:cio", "decision_maker", 1, "northwind"),
    ("northwind:cio", "decision_maker", 1, "northwind-opp-cloud"),
    ("northwind:vp_digital", "champion", 2, "northwind"),
    ("northwind:vp_digital", "champion", 2, "northwind-opp-cloud"),
    ("northwind:cro", "detractor", -1, "northwind-opp-cloud"),
    ("northwind:vp_procurement", "gatekeeper", -1, "northwind"),
    ("northwind:d_vendor", "gatekeeper", 0, "northwind-opp-cloud"),
    ("northwind:vp_core", "technical_buyer", 1, "northwind-opp-cloud"),
    ("northwind:d_mobile", "coach", 2, "northwind"),
    ("northwind:cdo", "influencer", 1, "northwind"),
    ("northwind:d_payments", "user", 1, "northwind-opp-cloud"),
    ("bluebird:ceo", "decision_maker", 0, "bluebird"),
    ("bluebird:cfo", "economic_buyer", 1, "bluebird"),
    ("bluebird:cio", "decision_maker", 1, "bluebird-opp-omni"),
    ("bluebird:vp_digital_tech", "champion", 2, "bluebird"),
    ("bluebird:vp_digital_tech", "champion", 2, "bluebird-opp-omni"),
    ("bluebird:cmo", "influencer", 1, "bluebird"),
    ("bluebird:vp_supply", "detractor", -1, "bluebird-opp-omni"),
    ("bluebird:vp_finance", "gatekeeper", 0, "bluebird-opp-omni"),
    ("bluebird:d_store_sys", "user", 1, "bluebird-opp-omni"),
)

# (from, to, strength); random peer influence among VPs and directors is added to these.
INFLUENCES: Final = (
    # the detractor's web (weak spot 5)
    ("acme:cpo", "acme:ceo", 0.8),
    ("acme:cpo", "acme:cfo", 0.85),
    ("acme:cpo", "acme:coo", 0.7),
    ("acme:cpo", "acme:cio", 0.65),
    ("acme:ceo", "acme:cpo", 0.6),
    ("acme:cfo", "acme:cpo", 0.75),
    ("acme:coo", "acme:cpo", 0.5),
    ("acme:vp_sourcing", "acme:cpo", 0.8),
    ("acme:d_itproc", "acme:cpo", 0.6),
    ("acme:d_indirect", "acme:cpo", 0.7),
    ("acme:cio", "acme:cpo", 0.4),
    # the rest of Acme
    ("acme:cfo", "acme:ceo", 0.7),
    ("acme:coo", "acme:ceo", 0.6),
    ("acme:cos", "acme:ceo", 0.65),
    ("acme:vp_mfg", "acme:coo", 0.7),
    ("acme:vp_mfg", "acme:d_mfg_eng", 0.8),
    ("acme:vp_data", "acme:cio", 0.55),
    ("acme:vp_apps", "acme:cio", 0.5),
    ("acme:d_mes", "acme:vp_apps", 0.5),
    ("acme:vp_fpa", "acme:cfo", 0.6),
    ("acme:cto", "acme:ceo", 0.45),
    ("northwind:cio", "northwind:ceo", 0.6),
    ("northwind:cfo", "northwind:ceo", 0.8),
    ("northwind:cro", "northwind:cfo", 0.7),
    ("northwind:cro", "northwind:ceo", 0.5),
    ("northwind:vp_digital", "northwind:cio", 0.75),
    ("northwind:vp_digital", "northwind:cfo", 0.35),
    ("northwind:treasurer", "northwind:cfo", 0.65),
    ("northwind:vp_control", "northwind:cfo", 0.5),
    ("northwind:cdo", "northwind:cio", 0.45),
    ("northwind:vp_procurement", "northwind:coo", 0.55),
    ("northwind:vp_core", "northwind:cio", 0.6),
    ("northwind:d_mobile", "northwind:vp_digital", 0.5),
    ("bluebird:cmo", "bluebird:ceo", 0.6),
    ("bluebird:cfo", "bluebird:ceo", 0.7),
    ("bluebird:vp_digital_tech", "bluebird:cio", 0.7),
    ("bluebird:vp_supply", "bluebird:coo", 0.4),
    ("bluebird:cmero", "bluebird:ceo", 0.5),
    ("bluebird:d_ecom", "bluebird:vp_digital_tech", 0.55),
)


@dataclass(frozen=True)
class TieSpec:
    """One of our ties: who, to whom, how strong, and the window of its interactions."""

    team_member_id: str
    person: str  # "<account>:<position key>"
    strength: float  # 0.0: derived from interactions only
    start_days_ago: int  # when the tie began (≥ 365: before the first sync)
    end_days_ago: int  # the last contact (people who leave or go quiet stop earlier)
    interactions: int | None = None  # None: derived from the strength
    kinds: tuple[str, ...] = ()  # fixed kinds, else drawn


# Our explicit ties (``relationships``), in the order their interactions are drawn.
TIES: Final = (
    # Acme: everything through Ava (weak spot 1)
    TieSpec("tm-ava", "acme:vp_mfg", 0.85, 400, 4),
    TieSpec("tm-ava", "acme:cio", 0.7, 400, 9),
    TieSpec("tm-ava", "acme:cfo", 0.45, 400, 30),
    TieSpec("tm-ava", "acme:coo", 0.4, 400, 40),
    TieSpec("tm-ava", "acme:vp_apps", 0.6, 400, 12),
    TieSpec("tm-ava", "acme:vp_data", 0.5, 300, 20),
    TieSpec("tm-ava", "acme:d_mes", 0.75, 400, 6),
    TieSpec("tm-ava", "acme:d_erp", 0.55, 250, 15),
    TieSpec("tm-ava", "acme:d_plant_ops", 0.35, 200, 45),
    TieSpec("tm-ava", "acme:cdo", 0.5, 95, 8),
    TieSpec("tm-elena", "acme:ceo", 0.1, 300, 300, interactions=1, kinds=("event",)),
    # Northwind: multi-threaded, but the champion leaves and the CFO stays dark
    TieSpec("tm-ben", "northwind:vp_digital", 0.85, 400, 101),
    TieSpec("tm-chloe", "northwind:vp_digital", 0.6, 400, 110),
    TieSpec("tm-ben", "northwind:cio", 0.75, 400, 5),
    TieSpec("tm-ben", "northwind:vp_core", 0.6, 400, 14),
    TieSpec("tm-ben", "northwind:ceo", 0.3, 400, 60),
    TieSpec("tm-ben", "northwind:cdo", 0.5, 250, 25),
    TieSpec("tm-ben", "northwind:d_mobile", 0.6, 400, 8),
    TieSpec("tm-chloe", "northwind:vp_core", 0.7, 400, 3),
    TieSpec("tm-chloe", "northwind:d_payments", 0.65, 400, 10),
    TieSpec("tm-chloe", "northwind:d_core", 0.55, 300, 18),
    TieSpec("tm-chloe", "northwind:d_mobile", 0.5, 400, 22),
    TieSpec("tm-dev", "northwind:d_branch", 0.7, 400, 7),  # the mover (weak spot 6)
    TieSpec("tm-dev", "northwind:d_contact", 0.6, 400, 11),
    TieSpec("tm-dev", "northwind:d_online", 0.5, 400, 16),
    TieSpec("tm-elena", "northwind:ceo", 0.55, 400, 35),
    TieSpec("tm-elena", "northwind:cio", 0.4, 400, 50),
    TieSpec("tm-ben", "northwind:cro", 0.25, 200, 70),
    # Bluebird
    TieSpec("tm-farah", "bluebird:cio", 0.6, 400, 6),
    TieSpec("tm-farah", "bluebird:vp_digital_tech", 0.8, 400, 2),
    TieSpec("tm-farah", "bluebird:cfo", 0.4, 400, 28),
    TieSpec("tm-farah", "bluebird:cmo", 0.35, 300, 33),
    TieSpec("tm-farah", "bluebird:ceo", 0.3, 400, 55),
    TieSpec("tm-chloe", "bluebird:d_ecom", 0.7, 400, 4),
    TieSpec("tm-chloe", "bluebird:vp_itops", 0.45, 250, 19),
    TieSpec("tm-dev", "bluebird:vp_stores", 0.5, 400, 13),
)
# Ties that exist only through interactions (their strength is derived at ingest).
DERIVED_TIES: Final = (
    TieSpec("tm-dev", "bluebird:d_store_sys", 0.0, 70, 3, interactions=6),
    TieSpec("tm-farah", "bluebird:d_loyalty", 0.0, 120, 20, interactions=4),
    TieSpec("tm-chloe", "northwind:d_dc", 0.0, 360, 330, interactions=2, kinds=("email", "email")),
)
