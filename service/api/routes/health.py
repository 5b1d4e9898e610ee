"""Liveness and readiness, for load balancers and orchestrators; no key needed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.api.deps import StateDep
from service.api.problems import problem_response
from service.domain.errors import DatabaseUnavailable, PowermapError
from service.graph import migrations

router = APIRouter(tags=["operations"])

#: Why the service is not ready, as /readyz's `reason`.
_REASONS = {"unreachable": "neo4j-unreachable", "auth": "neo4j-auth"}


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    # `async def`: touches nothing, so it need not wait for a thread-pool thread.
    return {"status": "ok"}


def _not_ready(request: Request, reason: str, detail: str, *, neo4j: bool) -> JSONResponse:
    # A problem document plus why: `reason` and whether Neo4j answered.
    return problem_response(
        request,
        status=503,
        slug="not-ready",
        title="The service is not ready",
        detail=detail,
        headers={"Retry-After": "5"},
        extensions={"reason": reason, "neo4j": neo4j},
    )


@router.get(
    "/readyz",
    summary="Neo4j is reachable and the schema migrations are current",
    responses={
        503: {
            "description": "Not ready: problem+json whose `reason` says why "
            "(`neo4j-unreachable`, `neo4j-auth`, `neo4j-busy`, `migrations-pending`)",
            "content": {"application/problem+json": {}},
        }
    },
)
def readyz(request: Request, state: StateDep) -> JSONResponse:
    try:
        state.graph.ping()
        current = migrations.is_current(state.graph, state.settings.migrations_dir)
    except DatabaseUnavailable as exc:
        reason = _REASONS.get(exc.reason, f"neo4j-{exc.reason}")
        return _not_ready(request, reason, exc.detail, neo4j=False)
    except PowermapError as exc:
        return _not_ready(request, "neo4j-error", exc.detail, neo4j=False)
    if not current:
        return _not_ready(
            request,
            "migrations-pending",
            "Neo4j answers but schema migrations are pending: run `powermap migrate` "
            "(or start with POWERMAP_AUTO_MIGRATE=true)",
            neo4j=True,
        )
    return JSONResponse({"status": "ready", "neo4j": True, "migrations_current": True})
