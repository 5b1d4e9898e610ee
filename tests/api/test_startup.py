"""The app's start-up warm-up: the betweenness kernel compiled and the start-up heap
frozen out of garbage collection, in the background (service/api/startup.py)."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from service import heap
from service.analytics import betweenness
from service.api import startup
from service.api.app import create_app
from service.settings import Settings


def test_the_app_warms_up_in_the_background_once_per_process(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200  # served while warming up
        state = client.app.state.powermap  # type: ignore[attr-defined]
        # A bound for a stuck thread, not a speed claim.
        assert state.warmed_up.wait(120.0), "the warm-up never finished"
    assert heap._startup_frozen
    assert betweenness._accumulate.signatures  # compiled (or loaded from numba's cache)
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the imported modules, classes and functions
    # A second app in the same process does not freeze again (its leftovers stay
    # collectable): the permanent generation does not grow by another heap.
    with TestClient(create_app(settings)):
        startup.warm_up_process()
    assert gc.get_freeze_count() <= frozen  # frozen objects may be freed, none added
