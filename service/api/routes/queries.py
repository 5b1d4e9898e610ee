"""Analyst queries: the saved catalog (``cypher/``) and ad hoc Cypher, read-only and bounded.

The router holds no Cypher: it validates the request shape, then hands over to
``service.domain.queries`` (catalog, parameters, guard, runner).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from service.api.deps import AdminPrincipal, StateDep, require
from service.api.schemas.common import problem_responses
from service.api.schemas.queries import (
    AdhocQueryIn,
    CatalogErrorOut,
    QueryDetailOut,
    QueryListOut,
    QueryOut,
    QueryResultOut,
    RunQueryIn,
)
from service.domain.access import Principal, Scope
from service.domain.queries.catalog import Catalog
from service.domain.queries.runner import (
    ADHOC_NAME,
    QueryResult,
    RunLimits,
    run_adhoc,
    run_saved,
    to_csv,
)

router = APIRouter(prefix="/v1/queries", tags=["queries"])

RunPrincipal = Annotated[Principal, Depends(require(Scope.QUERY_RUN))]
AdhocPrincipal = Annotated[Principal, Depends(require(Scope.QUERY_ADHOC))]
RUN_ERRORS = problem_responses(401, 403, 404, 408, 422, 503)


def get_catalog(request: Request, state: StateDep) -> Catalog:
    """The app's catalog of ``settings.queries_dir``, made on first use and kept on the
    app: it caches the parsed files and re-reads only those that changed."""
    catalog: Catalog | None = getattr(request.app.state, "query_catalog", None)
    if catalog is None:
        catalog = Catalog(state.settings.queries_dir)
        request.app.state.query_catalog = catalog
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


def _respond(name: str, result: QueryResult, fmt: str) -> Response | QueryResultOut:
    if fmt == "csv":
        return Response(
            content=to_csv(result.columns, result.rows),
            media_type="text/csv; charset=utf-8",
            headers={
                "X-Query-Rows": str(len(result.rows)),
                "X-Query-Truncated": "true" if result.truncated else "false",
                "X-Query-Ms": str(result.ms),
            },
        )
    return QueryResultOut.of(name, result)


@router.get("", summary="List the saved queries", responses=problem_responses(401, 403))
def list_queries(catalog: CatalogDep, principal: RunPrincipal) -> QueryListOut:
    queries, errors = catalog.entries()
    return QueryListOut(
        queries=[QueryOut.of(q) for q in queries],
        errors=[CatalogErrorOut.of(e) for e in errors],
    )


@router.post(
    "/reload",
    summary="Re-read every catalog file now (admin)",
    responses=problem_responses(401, 403),
)
def reload_queries(catalog: CatalogDep, principal: AdminPrincipal) -> QueryListOut:
    queries, errors = catalog.reload()
    return QueryListOut(
        queries=[QueryOut.of(q) for q in queries],
        errors=[CatalogErrorOut.of(e) for e in errors],
    )


@router.post(
    "/adhoc",
    summary="Run your own read-only Cypher under the same guards",
    response_model=QueryResultOut,
    responses={
        **RUN_ERRORS,
        200: {"content": {"text/csv": {}}, "description": "Rows as JSON, or CSV"},
    },
)
def run_adhoc_query(
    body: AdhocQueryIn, state: StateDep, principal: AdhocPrincipal
) -> Response | QueryResultOut:
    limits = RunLimits.resolve(
        state.settings, limit=body.limit, timeout_seconds=body.timeout_seconds
    )
    result = run_adhoc(
        state.graph,
        body.cypher,
        body.params,
        limits=limits,
        key_id=principal.key_id,
    )
    return _respond(ADHOC_NAME, result, body.format)


@router.get(
    "/{name}",
    summary="One saved query, with its Cypher",
    responses=problem_responses(401, 403, 404),
)
def get_query(name: str, catalog: CatalogDep, principal: RunPrincipal) -> QueryDetailOut:
    return QueryDetailOut.of(catalog.get(name))


@router.post(
    "/{name}/run",
    summary="Run a saved query with parameters",
    response_model=QueryResultOut,
    responses={
        **RUN_ERRORS,
        200: {"content": {"text/csv": {}}, "description": "Rows as JSON, or CSV"},
    },
)
def run_query(
    name: str, body: RunQueryIn, state: StateDep, catalog: CatalogDep, principal: RunPrincipal
) -> Response | QueryResultOut:
    query = catalog.get(name)
    limits = RunLimits.resolve(
        state.settings, limit=body.limit, timeout_seconds=body.timeout_seconds
    )
    result = run_saved(
        state.graph,
        query,
        body.params,
        limits=limits,
        key_id=principal.key_id,
    )
    return _respond(query.name, result, body.format)
