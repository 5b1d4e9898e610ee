"""What the service does with Python's cyclic garbage collector, and why.

The analytics keep large, long-lived object graphs: a cached 5,000-person account is
≈ 34,000 GC-tracked objects (its frozen dataclasses), and the imported libraries are
≈ 100,000 more. CPython's full collection re-scans every tracked object, and one runs
whenever the long-lived objects have grown by a quarter, which a cold pull does. Measured
on this project's machine (bench/RESULTS.md): ≈ 40 ms per full collection with the
start-up heap alone, ≈ 190 ms with 16 such accounts cached, landing inside whichever
request happened to allocate last.

``gc.freeze()`` moves every object alive now into a permanent generation that
collections skip. Frozen objects are still freed by reference counting when their last
reference goes, and the cached accounts hold no reference cycles (an evicted account's
≈ 34,000 objects left the permanent generation at once, measured). What a freeze can
keep forever is cyclic garbage that was alive at that moment (a request in flight), so:

- :func:`freeze_startup_heap` freezes once per process, after start-up;
- :func:`collect_and_freeze` runs after each cache refresh (a background thread, right
  after the allocation burst, instead of in the next request), and every
  :data:`RECOLLECT_EVERY` calls it unfreezes first, so such garbage is collected then.

A large import (``powermap import``) needs the opposite of a server: its rows are
millions of acyclic dicts and lists alive until it ends, so :func:`collector_paused`
turns the collector off while they are validated and planned, and :func:`frozen_during`
keeps them out of the collections that run while they are written. The alerts
evaluator pauses it too, for one batch at a time (≈ 1 s, ≈ 100,000 acyclic container
objects: the pulled rows, the analytics dataclasses, the states' parts), in the server:
the collections it skips (a batch of 100 accounts: ≈ 135 of the youngest generation,
≈ 12 of the middle one and one full) took ≈ 125–170 ms of its ≈ 0.6–0.7 s
(bench/RESULTS.md). Another thread's cyclic garbage made meanwhile waits for the next
collection after the block.

The collector is the process's, not an app's: both are process-wide by nature.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

__all__ = [
    "RECOLLECT_EVERY",
    "collect_and_freeze",
    "collector_paused",
    "freeze_startup_heap",
    "frozen_during",
]

#: Every this many :func:`collect_and_freeze` calls, the permanent generation is
#: released and collected once (one full-heap pause, in the background).
RECOLLECT_EVERY: Final = 64

_lock = threading.Lock()
_startup_frozen = False
_freezes = 0
#: Blocks inside :func:`collector_paused` now (in any thread), and whether the
#: collector was on when the first of them entered.
_paused = 0
_enabled_before = False


def freeze_startup_heap() -> bool:
    """Collect, then freeze everything alive, the first time in this process.

    True when this call froze; later calls (the test suite builds hundreds of apps)
    do nothing, so no app's leftovers are kept forever.
    """
    global _startup_frozen
    with _lock:
        if _startup_frozen:
            return False
        gc.collect()
        gc.freeze()
        _startup_frozen = True
        return True


def collect_and_freeze() -> None:
    """Collect the young garbage now and freeze the survivors (see the module docstring)."""
    global _freezes
    with _lock:
        _freezes += 1
        if _freezes % RECOLLECT_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (then as it was before the first
    of the blocks in flight: threads may overlap theirs, and the collector comes back
    when the last one leaves).

    For a large input validated and planned at once: its rows are millions of acyclic
    dicts and lists that live until the import ends, and each full collection would
    rescan all of them for nothing (≈ 1.5 s of the planning of the 100k benchmark);
    for an alerts evaluation's batch (see the module docstring). Reference counting
    still frees everything as usual.
    """
    global _paused, _enabled_before
    with _lock:
        if _paused == 0:
            _enabled_before = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _enabled_before:
                gc.enable()


@contextmanager
def frozen_during() -> Iterator[None]:
    """Keep everything alive now out of the collections that run inside the block.

    For the planned rows of an import while they are written. On leaving, the
    permanent generation is released whole (``gc.unfreeze``), the start-up freeze
    included (so :func:`freeze_startup_heap` freezes again when next called): meant
    for a command's process (``powermap import``, the benchmarks), not for the API's.
    """
    global _startup_frozen
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        with _lock:
            # The start-up freeze went with it: a later start-up (an app built in this
            # process) freezes its heap again.
            _startup_frozen = False
