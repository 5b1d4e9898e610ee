"""Relationship intelligence: the analytics use cases behind the `/v1` analytics routes.

Each use case pulls the account(s) it needs as of a date in one round trip
(:mod:`service.graph.account_subgraph`), runs the pure analytics of
:mod:`service.analytics` on them, and returns plain data with names next to ids and
the components behind every score. The analytics' ``UnknownIdError`` becomes
:class:`~service.domain.errors.NotFound`. Everything here is synchronous and
CPU-bound: the routes are plain ``def`` functions, which FastAPI runs in its thread
pool, so one long analysis never stalls the event loop or other requests.
"""

from service.domain.analytics.account_threading import account_threading
from service.domain.analytics.budget_control import budget_control
from service.domain.analytics.departure_impact import (
    account_departure_impact,
    person_departure_impact,
)
from service.domain.analytics.portfolio_threading import portfolio_threading
from service.domain.analytics.power_map import (
    POWER_MAP_SORTS,
    PowerMapSort,
    account_health,
    account_power_map,
    warm_paths,
)
from service.domain.relationship_intel.threading_risk import threading_risk

__all__ = [
    "POWER_MAP_SORTS",
    "PowerMapSort",
    "account_departure_impact",
    "account_health",
    "account_power_map",
    "account_threading",
    "budget_control",
    "person_departure_impact",
    "portfolio_threading",
    "threading_risk",
    "warm_paths",
]
