"""The evaluator runs a ``saved_query_changed`` query ONCE for all the touched accounts
(docs/alerts.md, "Cost"; service/domain/queries/per_account.py), not once per account,
and each account still gets its own rows. On the real Neo4j, with the scene and helpers
of test_alert_conditions.py."""

from __future__ import annotations

from typing import Any

import pytest

from service.graph import adhoc
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_alert_conditions import (
    end_tie,
    evaluate,
    events,
    make_watch,
    scene,  # noqa: F401 - the fixture
    write,
)


def test_one_statement_answers_every_touched_account(
    scene: Graph,  # noqa: F811
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watch = make_watch(
        scene,
        settings,
        [{"type": "saved_query_changed", "query": "key_stakeholder_coverage"}],
        account_ids=["acme", "globex"],
    )
    write(scene, settings, end_tie("t2", "cfo"))  # acme: the CFO single-threaded now
    write(  # globex: a colleague no query row shows
        scene,
        settings,
        {"stakeholders": [{"id": "gx", "account_id": "globex", "name": "Gil", "title": "Clerk"}]},
    )
    one: list[str] = []
    many: list[str] = []
    run_read, run_reads = adhoc.run_read, adhoc.run_reads

    def counting_read(graph: Graph, cypher: str, params: Any, **kw: Any) -> Any:
        one.append(cypher)
        return run_read(graph, cypher, params, **kw)

    def counting_reads(graph: Graph, cypher: str, params: Any, **kw: Any) -> Any:
        many.append(cypher)
        return run_reads(graph, cypher, params, **kw)

    monkeypatch.setattr(adhoc, "run_read", counting_read)
    monkeypatch.setattr(adhoc, "run_reads", counting_reads)
    report = evaluate(scene, settings)
    assert report.accounts == 2
    assert len(one) == 1 and "$__pm_accounts" in one[0]  # both accounts, one statement
    assert many == []  # no run per account
    [event] = [e for e in events(scene) if e["watch_id"] == watch]
    assert (event["type"], event["account_id"]) == ("saved_query_changed", "acme")
    assert [r["stakeholder_id"] for r in event["data"]["added"]] == ["cfo"]
    assert event["data"]["removed"] == []
