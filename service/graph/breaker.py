"""A small circuit breaker: once Neo4j is known to be unreachable, fail fast.

Without it every request during an outage pays for its own connection attempt (and,
through the driver's retries, up to 30 s of them). With it the first request that finds
the server gone *trips* the breaker; for ``cooldown_s`` after that every call fails at
once with :class:`~service.domain.errors.DatabaseUnavailable`; after the cool-down the
next calls try again (half-open), and the first success closes it. Measured with the
local server stopped: a refused connection costs ≈ 1 ms, so the cool-down is short and
recovery after a restart takes about one cool-down.

Hand-written rather than ``pybreaker``: that library runs every guarded call under one
lock (serialising all queries of the process) and counts failures without a notion of
*which* exceptions mean "down"; here only connectivity errors trip it (see
:func:`service.graph.errors.is_connectivity`) and the state is two floats.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Final

from neo4j import Driver

from service.domain.errors import DatabaseUnavailable

__all__ = ["DEFAULT_COOLDOWN_S", "Breaker", "breaker_of"]

DEFAULT_COOLDOWN_S: Final = 1.0


class Breaker:
    def __init__(self, cooldown_s: float = DEFAULT_COOLDOWN_S) -> None:
        self.cooldown_s = cooldown_s
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._down_since: float | None = None

    def check(self) -> None:
        """Raise at once while the breaker is open (Neo4j was just found down)."""
        with self._lock:
            now = time.monotonic()
            if now >= self._open_until or self._down_since is None:
                return
            down_for = now - self._down_since
        raise DatabaseUnavailable(
            f"Neo4j has been unreachable for {down_for:.0f} s; retry shortly",
        )

    def trip(self) -> None:
        """Neo4j was unreachable: fail fast for the cool-down."""
        with self._lock:
            now = time.monotonic()
            if self._down_since is None:
                self._down_since = now
            self._open_until = now + self.cooldown_s

    def reset(self) -> None:
        """A call succeeded: Neo4j is back."""
        if self._down_since is None:  # the common case, without the lock
            return
        with self._lock:
            self._down_since = None
            self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._down_since is not None and time.monotonic() < self._open_until

    @property
    def down(self) -> bool:
        """The last call found Neo4j unreachable (open or half-open)."""
        return self._down_since is not None


_breakers: weakref.WeakKeyDictionary[Driver, Breaker] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def breaker_of(driver: Driver, cooldown_s: float | None = None) -> Breaker:
    """The breaker of ``driver`` (one per driver, made on first use)."""
    with _registry_lock:
        breaker = _breakers.get(driver)
        if breaker is None:
            breaker = _breakers[driver] = Breaker(
                DEFAULT_COOLDOWN_S if cooldown_s is None else cooldown_s
            )
        elif cooldown_s is not None:
            breaker.cooldown_s = cooldown_s
        return breaker
