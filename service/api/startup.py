"""Process warm-up the service runs once, in the background, right after it starts.

Two costs would otherwise land on the first requests:

- **The betweenness kernel's compilation** (numba; ≈ 3–4 s the first time on a
  machine, ≈ 0.1 s from numba's on-disk cache): :func:`service.analytics.betweenness.warm_up`.
- **Python's full garbage collections re-scanning the start-up heap.** After imports the
  process holds ≈ 100,000 GC-tracked objects (modules, classes, functions of fastapi,
  pydantic, numpy, networkx, numba, the driver) that live until exit. A cold analytics
  request allocates enough (a pulled 5,000-person account) to trigger one or two full
  collections, and each re-scanned all of them: ≈ 40 ms a collection, ≈ 57 ms of a
  ≈ 230 ms cold departure impact (measured with ``gc.callbacks``; bench/RESULTS.md).
  ``gc.freeze()`` moves everything alive now into the permanent generation, which
  collections skip; afterwards a full collection costs ≈ 4 ms. This is what the
  ``gc.freeze`` documentation recommends for start-up objects. Frozen objects are
  still freed by reference counting; only cyclic garbage that is alive at the moment
  of the freeze (a request in flight during start-up) would never be collected, a
  bounded one-time cost. The collector is the process's, not the app's: the freeze
  happens once per process, however many apps it builds (the test suite builds
  hundreds, and freezing each one's leftovers would keep them forever).
"""

from __future__ import annotations

import gc
import threading

import structlog

from service.analytics.betweenness import warm_up as warm_up_betweenness

__all__ = ["warm_up_process"]

log = structlog.get_logger("powermap.startup")

_freeze_lock = threading.Lock()
_frozen = False  # the process's heap was frozen once (the collector is per process)


def warm_up_process() -> None:
    """Compile the kernels, then (once per process) freeze the start-up heap."""
    global _frozen
    try:
        warm_up_betweenness()
    except Exception:  # a broken numba cache must not stop the service: log and go on
        log.warning("betweenness_kernel_not_compiled", exc_info=True)
    with _freeze_lock:
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True
