"""Structured request logs with a request id, and nothing secret in them.

Only the path is logged, never the query string (embed tokens travel there) nor any
header; the caller is identified by its key id.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI, Request, Response

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
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )


def install_request_log(app: FastAPI) -> None:
    log = structlog.get_logger("powermap.request")

    @app.middleware("http")
    async def _log_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        # Accept a caller's id only if it looks like one (bounded, printable).
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else ""
        request.state.request_id = request_id or uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        log.info(
            "request",
            request_id=request.state.request_id,
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            key_id=getattr(request.state, "key_id", None),
        )
        return response
