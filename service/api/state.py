"""The typed state the lifespan builds once per process and every request reads."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import Driver

from service.settings import Settings


@dataclass
class AppState:
    settings: Settings
    driver: Driver

    @property
    def database(self) -> str:
        return self.settings.neo4j_database
