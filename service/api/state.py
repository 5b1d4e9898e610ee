"""The typed state the lifespan builds once per process and every request reads."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import Driver

from service.domain.relationship_intel.account_cache import AccountCache
from service.settings import Settings


@dataclass
class AppState:
    settings: Settings
    driver: Driver
    #: Pulled accounts and derived analytics of this app instance, keyed by the graph
    #: version (docs/analytics.md "Caching"); one per app, so tests never share one.
    account_cache: AccountCache

    @classmethod
    def build(cls, settings: Settings, driver: Driver) -> AppState:
        cache = AccountCache(driver, settings.neo4j_database, settings.analytics_cache_entries)
        return cls(settings=settings, driver=driver, account_cache=cache)

    @property
    def database(self) -> str:
        return self.settings.neo4j_database
