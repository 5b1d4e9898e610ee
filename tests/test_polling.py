"""service/polling.py: rounds on wake, again at once while more waits, and a failing
round logged once with its recovery."""

from __future__ import annotations

import threading
import time
from typing import Any

from service.polling import PollingThread


class Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, event: str, **_: Any) -> None:
        self.lines.append(("info", event))

    def warning(self, event: str, **_: Any) -> None:
        self.lines.append(("warning", event))


def _until(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_failures_are_logged_once_then_the_recovery_and_more_runs_at_once() -> None:
    outcomes: list[Any] = [RuntimeError("down"), RuntimeError("down"), True, True, False]
    rounds: list[int] = []
    done = threading.Event()

    def work() -> bool:
        rounds.append(len(rounds))
        outcome = outcomes.pop(0) if outcomes else False
        if not outcomes:
            done.set()
        if isinstance(outcome, Exception):
            raise outcome
        return bool(outcome)

    log = Log()
    # A long interval: only wake() and "more" can make the five rounds happen in time.
    poller = PollingThread("test-poller", 60.0, work, log=log, event="test_round")
    poller.start()
    try:
        # Each failed round waits for the next wake (the interval is a minute) ...
        _until(lambda: (poller.wake(), len(rounds) >= 3)[1])
        # ... the rounds that say more is waiting do not: the fifth comes unwoken.
        assert done.wait(2.0)
    finally:
        poller.stop(5.0)
    assert len(rounds) >= 5
    assert log.lines == [("warning", "test_round_failed"), ("info", "test_round_resumed")]
