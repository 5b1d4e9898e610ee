"""service/heap.py: what is frozen out of the garbage collector, and that nothing frozen
is kept forever (checked with weak references, not timings)."""

from __future__ import annotations

import gc
import threading
import weakref

from service import heap


class _Node:
    """An object that can be part of a reference cycle."""

    other: _Node | None = None


def test_frozen_objects_are_still_freed_by_reference_counting() -> None:
    plain = _Node()
    gone = weakref.ref(plain)
    heap.collect_and_freeze()
    del plain  # no cycle: the last reference goes, the object goes
    assert gone() is None


def test_cyclic_garbage_alive_at_a_freeze_is_collected_within_recollect_every_calls() -> None:
    cycle = _Node()
    cycle.other = cycle
    gone = weakref.ref(cycle)
    heap.collect_and_freeze()  # alive now: frozen with everything else
    del cycle
    gc.collect()
    assert gone() is not None  # frozen cyclic garbage survives ordinary collections
    for _ in range(heap.RECOLLECT_EVERY):
        heap.collect_and_freeze()
    assert gone() is None  # the periodic unfreeze let it be collected


def test_the_start_up_heap_is_frozen_once_per_process() -> None:
    heap.freeze_startup_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    assert heap.freeze_startup_heap() is False
    assert gc.get_freeze_count() <= frozen  # frozen objects may be freed, none added


def test_the_collector_is_paused_inside_the_block_and_restored_after() -> None:
    assert gc.isenabled()
    with heap.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with heap.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_blocks_of_several_threads_keep_it_paused_until_the_last_one_leaves() -> None:
    """The alerts evaluator's thread and a new watch's baseline may overlap."""
    assert gc.isenabled()
    inside, leave = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with heap.collector_paused():
            inside.set()
            leave.wait(10)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=other)
    with heap.collector_paused():
        thread.start()
        assert inside.wait(10)
    try:
        assert not gc.isenabled()  # the other block is still inside
    finally:
        leave.set()
        thread.join(10)
    assert seen == [False]
    assert gc.isenabled()


def test_objects_alive_on_entry_are_skipped_inside_the_block_and_released_after() -> None:
    cycle = _Node()
    cycle.other = cycle
    gone = weakref.ref(cycle)
    with heap.frozen_during():
        assert gc.get_freeze_count() > 0
        del cycle
        gc.collect()
        assert gone() is not None  # alive on entry: no collection inside looks at it
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None  # released on leaving, so the next collection frees it


def test_leaving_the_block_undoes_the_start_up_freeze_so_the_next_start_up_freezes_again() -> None:
    heap.freeze_startup_heap()  # done now or earlier in this process
    with heap.frozen_during():
        pass
    assert gc.get_freeze_count() == 0  # the start-up freeze is gone with the block's
    # ... so an app started next in this process freezes its heap again.
    assert heap.freeze_startup_heap() is True
    assert gc.get_freeze_count() > 0
    with heap.frozen_during():  # leave the process unfrozen, as the other tests expect
        pass
