"""Analytics use cases: what the ``/v1`` analytics routes answer, one module per answer.

Each use case (``budget_control``, ``account_threading``, ``portfolio_threading``,
``departure_impact``, ``warm_paths``, ``power_map``, ``account_health``) pulls the
account(s) it needs as of a date (:mod:`~service.domain.analytics.account_reads`, cached
per graph version by :mod:`~service.domain.analytics.account_cache`), runs the pure
analytics of :mod:`service.analytics` on them, and returns its answer: the Pydantic
models declared next to it, with names next to ids and the components behind every
score. The routes return those models as they are, so each answer's shape is written
once. The analytics' ``UnknownIdError`` becomes :class:`~service.domain.errors.NotFound`.
Everything here is synchronous and CPU-bound: the routes are plain ``def`` functions,
which FastAPI runs in its thread pool, so one long analysis never stalls the event loop.
The one exception, ``account_threading_held``, only looks up an answer already made.
"""

from service.domain.analytics.account_health import account_health
from service.domain.analytics.account_threading import account_threading, account_threading_held
from service.domain.analytics.budget_control import budget_control
from service.domain.analytics.departure_impact import (
    account_departure_impact,
    person_departure_impact,
)
from service.domain.analytics.portfolio_threading import portfolio_threading
from service.domain.analytics.power_map import POWER_MAP_SORTS, PowerMapSort, account_power_map
from service.domain.analytics.warm_paths import warm_paths

__all__ = [
    "POWER_MAP_SORTS",
    "PowerMapSort",
    "account_departure_impact",
    "account_health",
    "account_power_map",
    "account_threading",
    "account_threading_held",
    "budget_control",
    "person_departure_impact",
    "portfolio_threading",
    "warm_paths",
]
