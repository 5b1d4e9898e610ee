"""`Annotated` dependency aliases: the state, the caller and the scope a route needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase
from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool

from service.api.key_confirmation import READ_ONLY_METHODS, PendingKey
from service.api.state import AppState
from service.domain import access, embed_tokens
from service.domain.access import Principal, Scope
from service.domain.errors import Unauthenticated
from service.domain.values import IsoDate

# The dependencies below are `async def` although they do not await a database: a
# plain `def` dependency costs a hop to the thread pool and back per request (FastAPI
# runs each in a worker thread). What may block (reading a key) is sent there
# explicitly; the rest is memory and CPU measured in microseconds.


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.powermap
    return state


StateDep = Annotated[AppState, Depends(get_state)]


class Caller(SecurityBase):
    """The caller of a route, admitted when it holds ``scope`` (or ``admin``).

    One dependency per route instead of a chain (state, bearer scheme, principal,
    scope check: each a step of FastAPI's dependency solving on every request). A
    :class:`~fastapi.security.base.SecurityBase`, so the OpenAPI document still names
    the bearer scheme on every route that takes a caller.
    """

    def __init__(self, scope: Scope | None) -> None:
        self.model = HTTPBearerModel(
            description="An API key (`Bearer pm_<id>_<secret>`) or an embed token of one account"
        )
        self.scheme_name = "HTTPBearer"
        self.scope = scope

    async def __call__(self, request: Request) -> Principal:
        principal = await get_principal(request)
        if self.scope is not None:
            principal.require(self.scope)
        return principal


async def get_principal(request: Request) -> Principal:
    """Who sends ``request``: an API key's principal, or an embed token's."""
    scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("missing credentials: send `Authorization: Bearer <API key>`")
    state: AppState = request.app.state.powermap
    if embed_tokens.is_api_key(token) and request.method in READ_ONLY_METHODS:
        # From memory when held; confirmed before the answer leaves (key_confirmation.py).
        authenticated = state.api_keys.from_memory(token)
        if authenticated is None:  # not held: read it (a round trip, off the loop)
            authenticated = await run_in_threadpool(state.api_keys.authenticate, token)
        principal = authenticated.principal
        if authenticated.pending is not None:
            request.state.pending_key = PendingKey(token, authenticated.pending)
    elif embed_tokens.is_api_key(token):
        # A request that may write is refused before it writes: the key is read now.
        principal = await run_in_threadpool(access.authenticate, state.graph, token)
    else:
        # Not an API key: an embed token of the org-chart widget, limited to one
        # account and to the routes the widget needs.
        principal = embed_tokens.principal_for(embed_tokens.verify(state.settings, token))
        route = request.scope.get("route")
        embed_tokens.require_embed_route(getattr(route, "path", None))
    request.state.key_id = principal.key_id  # for the request log; never the secret
    return principal


def require(scope: Scope) -> Caller:
    """A dependency that admits callers holding ``scope`` (or ``admin``)."""
    return Caller(scope)


#: The callers of the read, write and admin routes (``dependency_overrides`` keys).
read_caller = require(Scope.READ)
write_caller = require(Scope.WRITE)
admin_caller = require(Scope.ADMIN)
ReadPrincipal = Annotated[Principal, Depends(read_caller)]
WritePrincipal = Annotated[Principal, Depends(write_caller)]
AdminPrincipal = Annotated[Principal, Depends(admin_caller)]


# The `?as_of=` of every history-aware read; `None` means today (UTC), resolved by the
# route with `service.domain.analytics.subgraphs.today`.
AsOfParam = Annotated[
    IsoDate | None,
    Query(
        description="YYYY-MM-DD (1900-01-01 … 2199-12-31); the state at the end of that day "
        "(UTC). Default today."
    ),
]
