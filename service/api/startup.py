"""Process warm-up the service runs once, in the background, right after it starts.

Two costs would otherwise land on the first requests:

- **The betweenness kernel's compilation** (numba; ≈ 3–4 s the first time on a
  machine, ≈ 0.1 s from numba's on-disk cache): :func:`service.analytics.betweenness.warm_up`.
- **Python's full garbage collections re-scanning the start-up heap** (≈ 100,000
  objects of the imported libraries, ≈ 40 ms a collection, one or two per cold
  analytics request): :func:`service.heap.freeze_startup_heap`, once per process.
"""

from __future__ import annotations

import threading

import structlog

from service.analytics.betweenness import warm_up as warm_up_betweenness
from service.heap import freeze_startup_heap

__all__ = ["warm_up_process"]

log = structlog.get_logger("powermap.startup")


def warm_up_process(done: threading.Event | None = None) -> None:
    """Compile the kernels, then (once per process) freeze the start-up heap; set ``done``."""
    try:
        warm_up_betweenness()
    except Exception:  # a broken numba cache must not stop the service: log and go on
        log.warning("betweenness_kernel_not_compiled", exc_info=True)
    freeze_startup_heap()
    if done is not None:
        done.set()
