"""The alerts evaluator's account pull stays out of the app's account cache.

The evaluator reads every account a write touched, then commits a write of its own
(states, events), which moves the graph version on. Kept in the cache, those accounts
would evict the ones requests use and, recently used, take their place in the
refresher's next round (docs/alerts.md, "Cost"). On the real Neo4j, with the scene and
helpers of test_alert_conditions.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from service.domain.alerts.evaluation import evaluate_pending
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.account_refresher import AccountRefresher
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_alert_conditions import (
    make_watch,
    scene,  # noqa: F401 - the fixture
    write,
)

TODAY = datetime.now(UTC).date()


def colleague(n: int) -> dict[str, Any]:
    """A write touching acme that no condition looks at."""
    return {
        "stakeholders": [
            {"id": f"new{n}", "account_id": "acme", "name": f"New {n}", "title": "Analyst"}
        ]
    }


def test_the_evaluators_pull_does_not_take_the_refresh_from_the_accounts_requests_use(
    scene: Graph,  # noqa: F811
    settings: Settings,
) -> None:
    """A small cache and a refresher that reads one account again: a request read
    globex; a write touches acme, which a watch evaluates. The refresher must read
    globex again (the next request's hit), not acme, which no request asked for."""
    make_watch(scene, settings, ["key_stakeholder_dark"], account_ids=["acme"])
    cache = AccountCache(scene, 2)
    refresher = AccountRefresher(cache, interval_s=60.0, max_accounts=1)
    assert refresher.step() == 0  # learns the version
    assert cache.reads().account("globex", TODAY) is not None  # a request
    write(scene, settings, colleague(1))
    report = evaluate_pending(scene, cache, settings)
    assert report.accounts == 1  # acme
    assert refresher.step() == 0  # the version moved: one quiet poll first
    assert refresher.step() == 1
    before = cache.stats()
    assert cache.reads().account("globex", TODAY) is not None
    after = cache.stats()
    assert (after.hits - before.hits, after.misses - before.misses) == (1, 0)
