"""Pure relationship analytics over one account's subgraph (no I/O, no Neo4j, no HTTP).

The graph layer pulls an account into :class:`~service.analytics.model.AccountGraph`
in one round trip; the functions here answer the questions of docs/definitions.md on it. One module
per family:

- :mod:`~service.analytics.model` — the input dataclasses and :class:`AnalyticsParams`;
- :mod:`~service.analytics.tie_strength` — tie strength from interactions;
- :mod:`~service.analytics.engagement` — engagement graph, key stakeholders, coverage;
- :mod:`~service.analytics.warm_paths` — warm paths;
- :mod:`~service.analytics.threading` — single-threaded relationships, single points of failure,
  the threading risk score;
- :mod:`~service.analytics.influence` — influence PageRank, budget control;
- :mod:`~service.analytics.fragmentation` — KPP-Neg fragmentation;
- :mod:`~service.analytics.departure_impact` — departure impact;
- :mod:`~service.analytics.power_map` — the power map;
- :mod:`~service.analytics.health` — account health.

Everything is CPU-bound and synchronous: call it from a thread pool
(``anyio.to_thread.run_sync`` / ``starlette.concurrency.run_in_threadpool``), never on
the event loop.
"""

from service.analytics.departure_impact import combine_departure_impacts
from service.analytics.engagement import coverage, engagement_graph, key_stakeholders
from service.analytics.fragmentation import fragmentation
from service.analytics.health import account_health
from service.analytics.influence import budget_control, influence_pagerank
from service.analytics.model import AccountGraph, AnalyticsParams, UnknownIdError
from service.analytics.threading import threading_report, threading_risk
from service.analytics.tie_strength import tie_strength
from service.analytics.warm_paths import best_warm_path, warm_reach

__all__ = [
    "AccountGraph",
    "AnalyticsParams",
    "UnknownIdError",
    "account_health",
    "best_warm_path",
    "budget_control",
    "combine_departure_impacts",
    "coverage",
    "engagement_graph",
    "fragmentation",
    "influence_pagerank",
    "key_stakeholders",
    "threading_report",
    "threading_risk",
    "tie_strength",
    "warm_reach",
]
