"""Routes whose blocking work costs one thread-pool hop per request, not two.

FastAPI runs a plain ``def`` route in its thread pool, and then, because the route was
not a coroutine, validates the route's answer against its response model in the thread
pool again: two hops to a worker thread and back per request, each a handful of
context switches and a GIL hand-over (measured: most of what a lookup costs beyond its
query on this 2-core machine). :class:`OneHopRoute` wraps such a route in an
``async def`` that runs the whole ``def`` in the thread pool once; the answer (a model
instance, whose validation is an ``isinstance`` check) is then validated and serialised
on the event loop, exactly as for any ``async def`` route. What the route does, its
signature, its documentation and its answers stay as they were.

Use it as an ``APIRouter``'s ``route_class``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

__all__ = ["OneHopRoute", "in_thread_pool"]


def in_thread_pool(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` (a plain ``def``) as a coroutine function that runs it in the
    thread pool; FastAPI reads the signature through ``__wrapped__``."""

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


class OneHopRoute(APIRoute):
    """An ``APIRoute`` whose plain ``def`` endpoint runs in the thread pool once."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = in_thread_pool(endpoint)
        super().__init__(path, endpoint, **kwargs)
