"""The deadline of the current request, read by every transaction the graph layer runs.

The API sets it once per request (``service/api/app.py``); :mod:`service.graph.driver`
gives each transaction the time left as its server-side timeout, so a request that runs
out of time is stopped *and rolled back on the server* — a write never commits after
its client was told it failed — and stops retrying when the time is up. Outside a
request (the CLI, background refreshes, tests) there is no deadline.

A :class:`contextvars.ContextVar`: Starlette copies the context into the thread-pool
thread that runs a route, so the value set by the middleware reaches the driver calls.
"""

from __future__ import annotations

import time
from contextvars import ContextVar, Token

__all__ = ["deadline", "remaining"]

_deadline: ContextVar[float | None] = ContextVar("powermap_deadline", default=None)


class deadline:  # noqa: N801 - used as a function: `with deadline(seconds):`
    """Everything run inside must finish within ``seconds`` from now.

    A class rather than a ``@contextmanager`` generator: entered once per HTTP request,
    where the generator's machinery cost more than the deadline itself.
    """

    __slots__ = ("_seconds", "_token")
    _token: Token[float | None]

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def __enter__(self) -> None:
        self._token = _deadline.set(time.monotonic() + self._seconds)

    def __exit__(self, *exc_info: object) -> None:
        _deadline.reset(self._token)


def remaining() -> float | None:
    """Seconds left before the current deadline (may be ≤ 0), or None without one."""
    at = _deadline.get()
    return None if at is None else at - time.monotonic()
