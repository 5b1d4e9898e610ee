"""The states this process last read or wrote, parsed, by key and revision.

docs/alerts.md, "Cost". Every write of an ``AlertState`` gives it a new revision
(``rev``), made by the evaluator that writes it (a random UUID) — so a revision names
one write of one state, in any process and any database, and (with the view time) the
text that write stored. A :class:`StateCache` maps a state's key to what this process
last saw of it: its :class:`~service.graph.alert_evaluation.StoredState` (text, view
time, revision) and the text split into its conditions' parts
(:func:`~service.domain.alerts.outcomes.split_state`), when it was.

An entry is never trusted as it is: the evaluator reads each state's revision and view
time from Neo4j (``state_revisions.cypher``) and uses an entry only when both are the
ones it holds (:func:`service.graph.alert_evaluation.read_states_since`, the same rule
as the write transaction's). A state another process (or another evaluator here) wrote
since has another revision, and one written by a service that keeps no revisions has
another view time: either is read whole again. So an entry may be kept for a write that
never committed (its revision is in no database) or for a state since deleted; it is
simply never matched. The cache is in memory only (a restart starts empty) and bounded:
the ``max_entries`` least recently used go first. Thread-safe (the evaluator thread and
a new watch's baseline may run at once). Parsed parts are shared with the conditions,
which never change their previous state (``conditions/base.py``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from service.domain.alerts.outcomes import Parts
from service.graph.alert_evaluation import StoredState

__all__ = ["MAX_ENTRIES", "STATES", "CachedState", "StateCache"]

#: States kept per process. The bench's 804 (watch, account) states take ≈ 7 MB held
#: (2.9 MB of it their texts; measured with a deep ``sys.getsizeof``): ≈ 36 MB at most
#: for states of that size.
MAX_ENTRIES: Final = 4096


@dataclass(frozen=True)
class CachedState:
    """A state as stored, with its parts when parsed (``parsed`` False: not yet)."""

    stored: StoredState
    parts: Parts | None = None
    parsed: bool = False


class StateCache:
    """A bounded LRU of :class:`CachedState` by state key (see the module docstring)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, CachedState] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, keys: Iterable[str]) -> dict[str, CachedState]:
        """The entries held for ``keys`` (to be checked against the stored revisions)."""
        out: dict[str, CachedState] = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    out[key] = entry
        return out

    def put(self, entries: Iterable[CachedState]) -> None:
        """Keep ``entries`` (a state without a revision is not kept: it cannot be
        checked), replacing what was held for their keys."""
        with self._lock:
            for entry in entries:
                key = entry.stored.key
                if entry.stored.rev is None:
                    self._entries.pop(key, None)
                    continue
                self._entries[key] = entry
                self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: The process's cache, which the evaluator uses unless given another.
STATES: Final = StateCache()
