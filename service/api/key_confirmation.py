"""Confirm an API key accepted from memory before the answer leaves.

A read-only request (``GET``, ``HEAD``) with a key held in memory runs at once
(``deps.Caller``, :class:`service.domain.access.ApiKeyCache`); the key is
confirmed here, when the response starts: if a read of the request saw the graph
version the key was verified under, nothing was written since and the key stands (no
round trip); otherwise the key is read again, and a key revoked meanwhile turns the
answer into the same 401 problem the dependency would have given — the route's answer
is dropped unsent. So an ordinary read needs one round trip, its own, and a
revocation still takes effect on the next request. Requests that may write never get
here: their key is read before they run.

Pure ASGI (no ``BaseHTTPMiddleware``), innermost of the app's middlewares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems import domain_problem
from service.domain.errors import PowermapError

__all__ = ["READ_ONLY_METHODS", "KeyConfirmation", "PendingKey"]

#: Methods whose routes only read: their key may be confirmed after the route ran.
READ_ONLY_METHODS: Final = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class PendingKey:
    """A key accepted from memory under ``version``, to confirm before answering."""

    token: str
    version: str

    def __repr__(self) -> str:  # never the secret, should this ever be logged
        return f"PendingKey(version={self.version!r})"


class KeyConfirmation:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not any(
            name == b"authorization" for name, _ in scope["headers"]
        ):
            # No credentials, so no key to confirm (/healthz, /readyz, the 401s).
            await self.app(scope, receive, send)
            return
        replaced = False

        async def confirming_send(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the route's answer, replaced by the problem below
            if message["type"] == "http.response.start":
                pending = scope.get("state", {}).pop("pending_key", None)
                if isinstance(pending, PendingKey):
                    keys = scope["app"].state.powermap.api_keys
                    try:
                        # From memory when a read of the request saw the key's version
                        # (the usual case: no thread-pool hop); else the key is read.
                        if keys.confirmed_from_memory(pending.token, pending.version) is None:
                            await run_in_threadpool(keys.confirmed, pending.token, pending.version)
                    except PowermapError as exc:
                        replaced = True
                        await domain_problem(Request(scope), exc)(scope, receive, send)
                        return
            await send(message)

        await self.app(scope, receive, confirming_send)
