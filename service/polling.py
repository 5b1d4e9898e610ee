"""A background worker's thread: run one round of work every interval, and at once when
woken; used by the alerts evaluator and the webhook deliverer (service/domain/alerts/).

A round that says more work is waiting runs again without waiting. A round that fails
(Neo4j away) is logged once, with its recovery, and the thread goes on polling: the
work it left stays in Neo4j for the next round, here or in another process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["PollingThread"]


class PollingThread:
    """Runs ``work`` (returning whether more is waiting at once) on a daemon thread named
    ``name``, every ``interval_s`` and after :meth:`wake`, until :meth:`stop`. Failures
    are logged on ``log`` as ``<event>_failed`` (once, until a round succeeds again, then
    ``<event>_resumed``)."""

    def __init__(
        self, name: str, interval_s: float, work: Callable[[], bool], *, log: Any, event: str
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._name = name
        self._interval_s = interval_s
        self._work = work
        self._log = log
        self._event = event
        self._woken = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def wake(self) -> None:
        """Run a round now rather than at the next interval."""
        self._woken.set()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"the {self._name} is already running")
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float) -> None:
        """Ask the thread to finish and wait for it (a round under way completes)."""
        self._stopping.set()
        self._woken.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                more = self._work()
                if self._failing:
                    self._log.info(f"{self._event}_resumed")
                    self._failing = False
            except Exception:  # Neo4j away: say so once, keep polling
                more = False
                if not self._failing:
                    self._log.warning(f"{self._event}_failed", exc_info=True)
                    self._failing = True
            if more:
                continue
            self._woken.wait(self._interval_s)
