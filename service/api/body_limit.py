"""A cap on request body bytes, enforced before anything parses the body (413).

A pure ASGI middleware (no ``BaseHTTPMiddleware``, which would buffer): a declared
``Content-Length`` over the cap is refused before a byte of the body is read, and a
body without one (``Transfer-Encoding: chunked``) is counted as it streams in and
refused as soon as it passes the cap, so the service never holds more than the cap of
any request. ``POST /v1/ingest`` has its own, larger cap (``ingest_max_body_bytes``);
every other route has ``max_body_bytes`` (service/settings.py, docs/api-inputs.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems import PROBLEM_JSON

__all__ = ["BodyLimit", "BodyTooLarge"]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the cap.

    An ``HTTPException`` so that FastAPI, which reads the body, re-raises it as is (a
    413 problem through the app's handler) instead of calling it unparseable (400).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_detail(limit))
        self.limit = limit


def _detail(limit: int) -> str:
    return f"the request body is larger than the {limit:,} bytes this route accepts"


#: Methods whose requests carry no body unless they declare one.
_NO_BODY_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class BodyLimit:
    def __init__(self, app: ASGIApp, *, default: int, per_path: Mapping[str, int]) -> None:
        self.app = app
        self.default = default
        self.per_path = dict(per_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default)
        declared, chunked = _framing(scope)
        if declared is not None and declared > limit:
            await _reject(scope, send, limit)
            return
        if declared is None and not chunked and scope.get("method") in _NO_BODY_METHODS:
            # A read with neither a length nor chunks has no body: nothing to count,
            # and no wrapper to pay for on each message.
            await self.app(scope, receive, send)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _reject(scope, send, limit)


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared ``Content-Length`` (None when absent or unreadable) and whether the
    body comes in chunks (any ``Transfer-Encoding``, or an unreadable length: counted)."""
    declared: int | None = None
    chunked = False
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                chunked = True
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


async def _reject(scope: Scope, send: Send, limit: int) -> None:
    """A 413 problem+json, sent without reading the body (the connection then closes)."""
    body: dict[str, object] = {
        "type": "/problems/payload-too-large",
        "title": "The request body is too large",
        "status": 413,
        "detail": _detail(limit),
        "instance": scope.get("path", ""),
    }
    request_id = scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
