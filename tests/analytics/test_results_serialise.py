"""Every result is plain data the API can serialise (no numpy scalars, no live objects)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

import pytest

from service.analytics.departure_impact import combine_departure_impacts, departure_impact
from service.analytics.engagement import engagement_graph
from service.analytics.health import account_health
from service.analytics.influence import budget_control
from service.analytics.power_map import power_map
from service.analytics.threading import threading_report
from service.analytics.warm_paths import warm_paths
from tests.analytics.test_departure_impact import reorg_account
from tests.analytics.test_influence import budget_account
from tests.analytics.test_threading import twelve_person_account


def _strict(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not plain data: {type(value).__name__}")


def _plain(value: Any) -> Any:
    # Plain int/float/str/bool/None only: numpy scalars would need converting by hand.
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    assert value is None or type(value) in (int, float, str, bool, datetime), type(value)
    return value


@pytest.mark.parametrize(
    "result",
    [
        lambda: threading_report(twelve_person_account()),
        lambda: budget_control(budget_account(), "b1"),
        lambda: departure_impact(reorg_account(), ["hub1", "hub2"]),
        lambda: combine_departure_impacts(["t1"], [departure_impact(reorg_account(), ["t1"])]),
        lambda: power_map(twelve_person_account()),
        lambda: account_health(twelve_person_account()),
        lambda: warm_paths(engagement_graph(twelve_person_account()), "cfo")[0],
    ],
)
def test_results_are_plain_dataclasses(result: Any) -> None:
    data = dataclasses.asdict(result())
    _plain(data)
    assert json.loads(json.dumps(data, default=_strict))
