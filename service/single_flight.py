"""A version-keyed LRU and a single-flight guard: the generic parts of a read-through cache.

Nothing here knows what is cached (the account cache,
:mod:`service.domain.analytics.account_cache`, is the user):

- :class:`VersionedLru` — an ordered map bounded to ``bound`` items, the least recently
  used dropped first, whose keys may end with a version so that everything of other
  versions can be dropped at once;
- :class:`SingleFlight` — one lock for the caller's maps plus the computations in
  flight: :meth:`SingleFlight.run` looks a value up under the lock and, on a miss,
  makes it once for all concurrent askers (outside the lock), the others waiting for
  that result; if the maker fails, each waiter tries again on its own.

:class:`VersionedLru` is not thread-safe by itself: guard it with the
:attr:`SingleFlight.lock` it is used with (``get``/``put`` of :meth:`SingleFlight.run`
already run under it).

>>> lru: VersionedLru[tuple[str, str], int] = VersionedLru(2)
>>> lru.put(("a", "v1"), 1), lru.put(("b", "v1"), 2), lru.put(("c", "v2"), 3)
(0, 0, 1)
>>> lru.get(("a", "v1"))
(False, None)
>>> [k for k, _ in lru.drop_other_versions("v2")]
[('b', 'v1')]
>>> flight = SingleFlight()
>>> flight.run("k", lambda: (False, None), lambda v: v, lambda: 42)
(42, 'made')
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, Literal, TypeVar, cast

__all__ = ["How", "SingleFlight", "VersionedLru"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: How :meth:`SingleFlight.run` got its value: found, made here, or made by a concurrent
#: identical call this one waited for.
How = Literal["hit", "made", "shared"]


class VersionedLru(Generic[K, V]):
    """An ordered map bounded to ``bound`` items, least recently used dropped first.

    Keys that are tuples ending in a version string can be dropped by version
    (:meth:`drop_other_versions`); other keys are never dropped that way.
    """

    def __init__(self, bound: int) -> None:
        if bound < 0:
            raise ValueError("bound must be 0 or more")
        self.bound = bound
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> Iterator[tuple[K, V]]:
        """The items, least recently used first (a snapshot: dropping while iterating is safe)."""
        return iter(list(self._items.items()))

    def get(self, key: K) -> tuple[bool, V | None]:
        """``(True, value)`` and the item marked as just used, else ``(False, None)``."""
        if key not in self._items:
            return False, None
        self._items.move_to_end(key)
        return True, self._items[key]

    def put(self, key: K, value: V) -> int:
        """Store ``value`` as the most recently used; the number of items dropped to stay
        within the bound."""
        self._items[key] = value
        self._items.move_to_end(key)
        dropped = 0
        while len(self._items) > self.bound:
            self._items.popitem(last=False)
            dropped += 1
        return dropped

    def drop_other_versions(self, version: str) -> list[tuple[K, V]]:
        """Remove every item whose key is a tuple ending in another version; the removed."""
        stale: list[tuple[K, V]] = [
            (k, v)
            for k, v in self._items.items()
            if isinstance(k, tuple) and cast(tuple[Any, ...], k)[-1] != version
        ]
        for key, _ in stale:
            del self._items[key]
        return stale

    def clear(self) -> None:
        self._items.clear()


class _Pending(Generic[V]):
    """A computation in progress, which identical requests wait for."""

    __slots__ = ("done", "ok", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.ok = False
        self.value: V | None = None


class SingleFlight:
    """A lock, and the computations in flight under it, coalesced by a flight key.

    The owner guards its own maps with :attr:`lock` and passes :meth:`run` a ``get``
    and a ``put`` over them; ``waiting`` counts the callers blocked on another's
    computation right now.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._inflight: dict[Hashable, _Pending[Any]] = {}
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Callers waiting now for a concurrent identical computation (read under ``lock``)."""
        return self._waiting

    def run(
        self,
        flight: Hashable,
        get: Callable[[], tuple[bool, V | None]],
        put: Callable[[V], V],
        make: Callable[[], V],
    ) -> tuple[V, How]:
        """``get()`` under the lock, else ``make()`` once for all concurrent askers.

        Returns the value and how it came (:data:`How`). ``get`` and ``put`` run under
        the lock; ``make`` outside it. ``put`` stores what was made and returns the value
        to hand out (one already stored meanwhile wins). When ``make`` raises, the
        exception goes to its caller and each waiter tries again.
        """
        while True:
            with self.lock:
                found, value = get()
                if found:
                    return cast(V, value), "hit"
                pending = self._inflight.get(flight)
                if pending is None:
                    pending = _Pending()
                    self._inflight[flight] = pending
                    break
                self._waiting += 1
            pending.done.wait()
            with self.lock:
                self._waiting -= 1
            if pending.ok:
                return cast(V, pending.value), "shared"
            # The call that was making it failed: try again (maybe making it ourselves).
        try:
            made = make()
        except BaseException:
            with self.lock:
                del self._inflight[flight]
            pending.done.set()
            raise
        with self.lock:
            made = put(made)
            del self._inflight[flight]
        pending.value = made
        pending.ok = True
        pending.done.set()
        return made, "made"
