"""The write path's statements keep the plan they are first given (``CYPHER
replan=skip``, service/graph/ingest.py, "Plans"): that is only safe when the plan made
on an empty graph — a new database, the first chunk of a first import — is as good as
the one a full graph would get. Every such plan must start from the rows' ids (unique
index seeks) and walk from the bound nodes: no label or relationship scan, no index scan,
no hash join (the plan the per-pair ``derived_knows`` got on an empty graph joined on
the team member, walking all of their interactions for every pair).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from service.graph.cypher_files import CYPHER_DIR
from service.graph.driver import Graph

SKIP = "CYPHER replan=skip"
WRITE_STATEMENTS = sorted(
    path.stem
    for path in (CYPHER_DIR / "ingest").glob("*.cypher")
    if path.read_text(encoding="utf-8").startswith(SKIP)
)
# What a plan made on an empty graph must not do per row.
FORBIDDEN = (
    "AllNodesScan",
    "NodeByLabelScan",
    "NodeIndexScan",
    "NodeIndexContainsScan",
    "NodeIndexEndsWithScan",
    "NodeHashJoin",
    "ValueHashJoin",
    "RelationshipTypeScan",
    "RelationshipIndexScan",
    "RelationshipIndexSeek",
    "RelationshipIndexContainsScan",
    "RelationshipIndexEndsWithScan",
    "NodeIndexSeekByRange",
    "NodeIndexSeek",  # a non-unique seek: only unique ids start a write's rows
)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
PARAMS: dict[str, Any] = {
    "rows": [],
    "ids": [],
    "effective_at": NOW,
    "now": NOW,
    "source": "api",
    "tracked": [],
    "weights": {"call": 1.0},
    "half_life_days": 90.0,
    "stakeholders": [],
    "budgets": [],
    "opportunities": [],
    "props": {},
}


def operators(plan: dict[str, Any]) -> Iterator[str]:
    yield plan["operatorType"].split("@")[0]
    for child in plan.get("children", []):
        yield from operators(child)


def test_the_write_path_keeps_its_plans() -> None:
    # Not vacuous: the statements of a batch write, the departures, the checks.
    assert {"derived_knows", "moved", "works_at", "upsert_stakeholders"} <= set(WRITE_STATEMENTS)
    assert len(WRITE_STATEMENTS) >= 30


@pytest.mark.parametrize("name", WRITE_STATEMENTS)
def test_the_plan_on_an_empty_graph_starts_from_ids(graph: Graph, name: str) -> None:
    text = (CYPHER_DIR / "ingest" / f"{name}.cypher").read_text(encoding="utf-8")
    query = "EXPLAIN CYPHER replan=force\n" + text.removeprefix(SKIP)
    with graph.driver.session(database=graph.database) as session:
        plan = session.run(query, PARAMS).consume().plan
    assert plan is not None
    used = set(operators(plan))
    if name != "record_change_set":  # a CREATE of one node, nothing read
        assert any(op.startswith("NodeUniqueIndexSeek") for op in used), used
    assert not {op for op in used if any(op.endswith(f) for f in FORBIDDEN)}, used
