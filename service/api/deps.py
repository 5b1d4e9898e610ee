"""`Annotated` dependency aliases: the state, the caller and the scope a route needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from service.api.key_confirmation import READ_ONLY_METHODS, PendingKey
from service.api.state import AppState
from service.domain import access, embed_tokens
from service.domain.access import Principal, Scope
from service.domain.errors import Unauthenticated
from service.domain.values import IsoDate

bearer = HTTPBearer(
    auto_error=False,
    description="An API key (`Bearer pm_<id>_<secret>`) or an embed token of one account",
)


# The dependencies below are `async def` although they do not await a database: a
# plain `def` dependency costs a hop to the thread pool and back per request (FastAPI
# runs each in a worker thread). What may block (reading a key) is sent there
# explicitly; the rest is memory and CPU measured in microseconds.


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.powermap
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_principal(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise Unauthenticated("missing credentials: send `Authorization: Bearer <API key>`")
    token = credentials.credentials
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


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(scope: Scope) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits callers holding ``scope`` (or ``admin``)."""

    async def _check(principal: PrincipalDep) -> Principal:
        principal.require(scope)
        return principal

    return _check


ReadPrincipal = Annotated[Principal, Depends(require(Scope.READ))]
WritePrincipal = Annotated[Principal, Depends(require(Scope.WRITE))]
AdminPrincipal = Annotated[Principal, Depends(require(Scope.ADMIN))]


# The `?as_of=` of every history-aware read; `None` means today (UTC), resolved by the
# route with `service.domain.analytics.subgraphs.today`.
AsOfParam = Annotated[
    IsoDate | None,
    Query(
        description="YYYY-MM-DD (1900-01-01 … 2199-12-31); the state at the end of that day "
        "(UTC). Default today."
    ),
]
