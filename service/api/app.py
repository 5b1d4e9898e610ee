"""The FastAPI application factory and its lifespan.

One sync driver per process, built in the lifespan (never at import), closed on
shutdown; with ``async_reads`` (the default) also one async driver for the hot reads.
Most routes are plain `def` functions: FastAPI runs them in its thread pool, so
blocking driver calls and CPU-heavy analytics never stall the event loop or other
requests. The one-stakeholder and one-account lookups and a cached threading answer
are `async def` and read through the async driver (docs/operations.md, "Two drivers").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.body_limit import BodyLimit
from service.api.key_confirmation import KeyConfirmation
from service.api.openapi import install_openapi
from service.api.problems import install_problem_handlers
from service.api.request_log import configure_logging, install_request_log
from service.api.routes import accounts, alerts, analytics, health, people, queries
from service.api.routes.embed import router as embed_router
from service.api.routes.export import router as export_router
from service.api.routes.ingest import router as ingest_router
from service.api.routes.sync import router as sync_router
from service.api.startup import warm_up_process
from service.api.state import AppState
from service.domain.errors import DatabaseUnavailable
from service.domain.sync.mappings import configured_mappings
from service.graph import deadline, migrations, request_trace
from service.graph.driver import AsyncGraph, Graph
from service.settings import Settings, get_settings
from service.widget import valid_origins

log = logging.getLogger("powermap")


class RequestDeadline:
    """Give every HTTP request ``seconds`` to finish (``service/graph/deadline.py``) and
    a trace of its graph work (``service/graph/request_trace.py``).

    Pure ASGI, so the context variables it sets are inherited by the thread-pool thread
    that runs the route and by every driver call made there.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with deadline.deadline(self.seconds), request_trace.traced():
            await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    # An operator's CRM mappings file is checked now: a mistake stops the start, naming
    # the file and the key (docs/crm-sync.md, "Your own mappings").
    configured_mappings(settings.sync_mappings_file)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        graph = Graph.connect(settings)
        try:
            graph.ping()
            if settings.auto_migrate:
                migrations.migrate(graph, settings.migrations_dir)
        except DatabaseUnavailable as exc:
            # Serve anyway: routes answer 503 fast, /readyz says why, and the driver
            # reconnects when Neo4j is back.
            log.warning("Neo4j at %s is not usable at start-up: %s", settings.neo4j_uri, exc)
        # The hot reads' async driver (driver.AsyncGraph), made on the loop that uses it.
        async_graph = AsyncGraph.connect(settings, graph) if settings.async_reads else None
        app.state.powermap = AppState.build(settings, graph, async_graph)
        # Compile the kernels and freeze the start-up heap out of the garbage collector
        # now, off the event loop, rather than in the first requests (startup.py).
        threading.Thread(
            target=warm_up_process,
            args=(app.state.powermap.warmed_up,),
            name="warm-up",
            daemon=True,
        ).start()
        refresher = app.state.powermap.refresher
        if refresher is not None:
            refresher.start()
        deliverer = app.state.powermap.deliverer
        if deliverer is not None:
            deliverer.start()
        evaluator = app.state.powermap.alert_evaluator
        if evaluator is not None:
            evaluator.start()
        try:
            yield
        finally:
            if evaluator is not None:
                evaluator.stop()
            if deliverer is not None:
                deliverer.stop()
            if refresher is not None:
                refresher.stop()
            if async_graph is not None:
                await async_graph.close()
            graph.close()

    app = FastAPI(
        title="Powermap",
        summary="Relationship intelligence for key account management",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    install_openapi(app)
    # Innermost: confirms a key accepted from memory before the answer leaves, and can
    # replace that answer with the 401 (key_confirmation.py).
    app.add_middleware(KeyConfirmation)
    # Inside the request log (so the 413 carries the request id), outside everything
    # that reads a body.
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        per_path={
            "/v1/ingest": settings.ingest_max_body_bytes,
            "/v1/sync/salesforce": settings.ingest_max_body_bytes,
            "/v1/sync/hubspot": settings.ingest_max_body_bytes,
        },
    )
    install_request_log(app)
    app.add_middleware(RequestDeadline, seconds=settings.request_timeout_seconds)
    if settings.embed_allowed_origins:
        # Pages on these origins call the API from the browser with embed tokens. Added
        # last, so outermost: 401/403 problems carry the CORS headers too and the widget
        # can show why it failed instead of a network error. Bearer tokens only, so no
        # credentials mode. POST with a JSON body: the widget's what-if departure impact
        # (an embed token still reaches only embed_tokens.EMBED_ROUTES).
        app.add_middleware(
            CORSMiddleware,
            allow_origins=valid_origins(settings.embed_allowed_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Accept", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
            max_age=600,
        )
    app.include_router(health.router)
    app.include_router(embed_router)
    app.include_router(accounts.router)
    app.include_router(people.router)
    app.include_router(queries.router)
    app.include_router(ingest_router)
    app.include_router(sync_router)
    app.include_router(analytics.router)
    app.include_router(export_router)
    app.include_router(alerts.router)
    return app
