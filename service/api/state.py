"""The typed state the lifespan builds once per process and every request reads."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from service.domain.access import ApiKeyCache
from service.domain.alerts.delivery import WebhookDeliverer
from service.domain.alerts.evaluation import AlertEvaluator
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.account_refresher import AccountRefresher
from service.graph.driver import AsyncGraph, Graph
from service.settings import Settings


@dataclass
class AppState:
    settings: Settings
    #: The process's driver and database (service/graph/driver.py).
    graph: Graph
    #: The hot reads through the async driver, for ``async def`` routes (driver.py);
    #: None when ``settings.async_reads`` is off (the routes use ``graph`` then).
    async_graph: AsyncGraph | None
    #: Pulled accounts and derived analytics of this app instance, keyed by the graph
    #: version (docs/analytics.md "Caching"); one per app, so tests never share one.
    account_cache: AccountCache
    #: API keys verified from memory, revalidated by the graph version (access.py).
    api_keys: ApiKeyCache
    #: Re-reads recently used accounts after writes (None when the cache or the
    #: refresh is off); the lifespan starts and stops it.
    refresher: AccountRefresher | None = None
    #: Sends due alert events to their webhooks (None when the interval is 0); the
    #: lifespan starts and stops it. Call its ``wake()`` after creating events.
    deliverer: WebhookDeliverer | None = None
    #: Set when the start-up warm-up (service/api/startup.py) has finished.
    warmed_up: threading.Event = field(default_factory=threading.Event)
    #: Evaluates the watches after writes (docs/alerts.md; None when
    #: `alerts_evaluation_interval_s` is 0); the lifespan starts and stops it.
    alert_evaluator: AlertEvaluator | None = None

    def wake_alerts(self) -> None:
        """A write committed: evaluate the watches now rather than at the next poll."""
        if self.alert_evaluator is not None:
            self.alert_evaluator.wake()

    @classmethod
    def build(cls, settings: Settings, graph: Graph, async_graph: AsyncGraph | None) -> AppState:
        cache = AccountCache(
            graph,
            settings.analytics_cache_entries,
            refresh_window_s=settings.analytics_refresh_window_s,
        )
        refresher = None
        if cache.enabled and settings.analytics_refresh_interval_s > 0:
            refresher = AccountRefresher(
                cache,
                interval_s=settings.analytics_refresh_interval_s,
                max_accounts=settings.analytics_refresh_accounts,
            )
        deliverer = None
        if settings.alerts_delivery_interval_s > 0:
            deliverer = WebhookDeliverer(graph, settings)
        evaluator = None
        if settings.alerts_evaluation_interval_s > 0:
            evaluator = AlertEvaluator(
                graph,
                cache,
                settings,
                interval_s=settings.alerts_evaluation_interval_s,
                on_events=deliverer.wake if deliverer is not None else None,
            )
        return cls(
            settings=settings,
            graph=graph,
            async_graph=async_graph,
            account_cache=cache,
            api_keys=ApiKeyCache(graph),
            refresher=refresher,
            deliverer=deliverer,
            alert_evaluator=evaluator,
        )
