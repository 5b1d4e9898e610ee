"""Liveness and readiness, for load balancers and orchestrators; no key needed."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from service.api.deps import StateDep
from service.graph import migrations

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Neo4j is reachable and the schema migrations are current",
    responses={503: {"description": "Not ready; the body says why"}},
)
def readyz(state: StateDep) -> JSONResponse:
    try:
        state.driver.verify_connectivity()
    except (ServiceUnavailable, SessionExpired, OSError, Neo4jError):
        return JSONResponse({"status": "unavailable", "neo4j": False}, status_code=503)
    current = migrations.is_current(state.driver, state.database, state.settings.migrations_dir)
    body = {
        "status": "ready" if current else "migrations-pending",
        "neo4j": True,
        "migrations_current": current,
    }
    return JSONResponse(body, status_code=200 if current else 503)
