"""Structured request logs with a request id, and nothing secret in them.

Only the path is logged, never the query string (embed tokens travel there) nor any
header; the caller is identified by its key id.
"""

from __future__ import annotations

import logging
import os
import time

import orjson
import structlog
from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.graph import request_trace

REQUEST_ID_HEADER = "X-Request-ID"


def configure_logging(level: str) -> None:
    logging.basicConfig(format="%(message)s", level=level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # The driver's DEBUG lines quote every query's parameters: the data written and the
    # webhook secrets of new watches (docs/alerts.md). Never below INFO, whatever the level.
    logging.getLogger("neo4j").setLevel(max(logging.INFO, logging.getLevelName(level.upper())))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # orjson into a bytes logger: the same JSON line at a fraction of the
            # json module's and the text logger's cost (≈ 10 % of a /healthz).
            structlog.processors.JSONRenderer(serializer=orjson.dumps),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.BytesLoggerFactory(),
        cache_logger_on_first_use=True,
    )


def install_request_log(app: FastAPI) -> None:
    app.add_middleware(RequestLog)


class RequestLog:
    """One log line per HTTP request, and its id in ``X-Request-ID`` both ways.

    Pure ASGI (no ``BaseHTTPMiddleware``, whose extra task and response streaming per
    request cost more than the rest of a ``/healthz``): the id goes into the request's
    state (``request.state.request_id``, read by the problem documents) before the app
    runs, and into the response's headers when it starts.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("powermap.request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        # Accept a caller's id only if it looks like one (bounded, printable).
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else ""
        # 32 random hex digits, as uuid4().hex wrote them, without building a UUID.
        request_id = request_id or os.urandom(16).hex()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            trace = request_trace.current()
            self.log.info(
                "request",
                request_id=request_id,
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                key_id=state.get("key_id"),
                # Round trips to Neo4j: managed transactions and graph-version reads.
                db_transactions=None if trace is None else trace.transactions,
            )
