"""The peers of ``python -m bench http``: what FastAPI and one Neo4j round trip allow.

Three minimal apps, served by uvicorn exactly like Powermap (same workers, same loop,
same HTTP parser), so that the ratios measure Powermap's own overhead:

- :func:`bare_app`: ``GET /healthz``, an ``async def`` returning a dict (the ceiling);
- :func:`lookup_app`: ``GET /v1/stakeholders/{id}``, one index-backed
  ``MATCH (s:Stakeholder {id: $id}) RETURN s {.*}`` through the async driver's
  ``execute_query`` (a managed read transaction), no authentication;
- :func:`lookup_sync_app`: the same with the sync driver in a plain ``def`` route
  (FastAPI's thread pool), which is how Powermap's routes run.

The driver is configured from the same settings as Powermap (``.env``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException
from neo4j import AsyncGraphDatabase, GraphDatabase, RoutingControl

from service.settings import load_settings

LOOKUP = "MATCH (s:Stakeholder {id: $id}) RETURN s {.*} AS s"


def _plain(node: dict[str, Any]) -> dict[str, Any]:
    """Neo4j's temporal values as ISO text (what Powermap's values.py does too)."""
    return {
        k: v if v is None or isinstance(v, str | int | float | bool | list) else v.iso_format()
        for k, v in node.items()
    }


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def lookup_app() -> FastAPI:
    settings = load_settings()
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        driver = AsyncGraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        )
        state["driver"] = driver
        try:
            yield
        finally:
            await driver.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/v1/stakeholders/{stakeholder_id}")
    async def stakeholder(stakeholder_id: str) -> dict[str, Any]:
        records, _, _ = await state["driver"].execute_query(
            LOOKUP,
            id=stakeholder_id,
            database_=settings.neo4j_database,
            routing_=RoutingControl.READ,
        )
        if not records:
            raise HTTPException(404)
        return _plain(records[0]["s"])

    return app


def lookup_sync_app() -> FastAPI:
    settings = load_settings()
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        driver = GraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        )
        state["driver"] = driver
        try:
            yield
        finally:
            driver.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/v1/stakeholders/{stakeholder_id}")
    def stakeholder(stakeholder_id: str) -> dict[str, Any]:
        records, _, _ = state["driver"].execute_query(
            LOOKUP,
            id=stakeholder_id,
            database_=settings.neo4j_database,
            routing_=RoutingControl.READ,
        )
        if not records:
            raise HTTPException(404)
        return _plain(records[0]["s"])

    return app
