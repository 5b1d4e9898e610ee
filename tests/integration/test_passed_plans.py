"""Many runs of one query (the alerts evaluator runs a saved query per touched account),
against the real Neo4j: with PassedPlans a text the guard passed is not planned again
for values of the same types (other types are, and a refusal is never remembered);
run_saved_many runs them in one transaction and answers as each run alone would."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from service.domain.errors import InvalidInput, PowermapError, QueryRefused
from service.domain.queries.catalog import parse_query_file
from service.domain.queries.runner import (
    PassedPlans,
    QueryResult,
    RunLimits,
    run_cypher,
    run_saved,
    run_saved_many,
)
from service.graph import adhoc
from service.graph.driver import Graph
from tests.integration.graph_builders import GraphBuilder

LIMITS = RunLimits(timeout_seconds=10.0, row_cap=100)
BY_ACCOUNT = "MATCH (a:Account) WHERE $id IS NULL OR a.id = $id RETURN a.id AS id ORDER BY id"


@pytest.fixture
def explains(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []
    real = adhoc.explain

    def counting(
        graph: Graph, cypher: str, params: Mapping[str, Any], timeout: float
    ) -> adhoc.PlanFacts:
        asked.append(cypher)
        return real(graph, cypher, params, timeout)

    monkeypatch.setattr(adhoc, "explain", counting)
    return asked


def run(graph: Graph, cypher: str, passed: PassedPlans | None, **params: Any) -> list[Any]:
    result = run_cypher(
        graph, name="t", cypher=cypher, params=params, limits=LIMITS, key_id="k", passed=passed
    )
    return [r["id"] for r in result.rows]


def test_one_plan_check_for_the_same_text_and_types(graph: Graph, explains: list[str]) -> None:
    g = GraphBuilder(graph)
    g.account("acme", name="Acme")
    g.account("globex", name="Globex")
    passed = PassedPlans()
    assert run(graph, BY_ACCOUNT, passed, id="acme") == ["acme"]
    assert run(graph, BY_ACCOUNT, passed, id="globex") == ["globex"]
    assert len(explains) == 1
    # Another type (null): planned and checked again, then remembered too.
    assert run(graph, BY_ACCOUNT, passed, id=None) == ["acme", "globex"]
    assert run(graph, BY_ACCOUNT, passed, id=None) == ["acme", "globex"]
    assert len(explains) == 2
    # Without one, every run is checked, as before.
    run(graph, BY_ACCOUNT, None, id="acme")
    run(graph, BY_ACCOUNT, None, id="acme")
    assert len(explains) == 4


def test_a_refused_text_is_refused_every_time(graph: Graph, explains: list[str]) -> None:
    passed = PassedPlans()
    for _ in range(2):
        with pytest.raises(QueryRefused):
            run(graph, "CREATE (a:Account {id: $id}) RETURN a.id AS id", passed, id="x")
    assert len(explains) == 2
    assert graph.read("MATCH (a:Account) RETURN count(a) AS n")[0]["n"] == 0


DIVIDE = parse_query_file(
    "divide",
    "// @title Divide\n"
    "// @description One over d.\n"
    "// @param d: integer required -- The divisor.\n"
    "// @column x: The quotient.\n"
    "RETURN 10 / $d AS x\n",
)


@pytest.fixture
def single_runs(monkeypatch: pytest.MonkeyPatch) -> list[Mapping[str, Any]]:
    """The runs made alone (each its own transaction)."""
    made: list[Mapping[str, Any]] = []
    real = adhoc.run_read

    def counting(
        graph: Graph, cypher: str, params: Mapping[str, Any], **limits: Any
    ) -> adhoc.ReadOutcome:
        made.append(params)
        return real(graph, cypher, params, **limits)

    monkeypatch.setattr(adhoc, "run_read", counting)
    return made


def test_many_runs_in_one_transaction_answer_as_each_run_alone(
    graph: Graph, explains: list[str], single_runs: list[Mapping[str, Any]]
) -> None:
    passed = PassedPlans()
    results = run_saved_many(
        graph, DIVIDE, [{"d": 1}, {"d": 2}, {"d": 5}], limits=LIMITS, key_id="k", passed=passed
    )
    assert [r.rows if isinstance(r, QueryResult) else r for r in results] == [
        [{"x": 10}],
        [{"x": 5}],
        [{"x": 2}],
    ]
    assert len(explains) == 1
    assert single_runs == []  # one transaction for all three


def test_a_failing_run_fails_alone_and_a_bad_parameter_is_its_own_error(
    graph: Graph, explains: list[str]
) -> None:
    givens: list[dict[str, Any]] = [{"d": 2}, {"d": 0}, {"d": "two"}, {"d": 10}]
    results = run_saved_many(graph, DIVIDE, givens, limits=LIMITS, key_id="k", passed=PassedPlans())
    alone: list[Any] = []
    for given in givens:
        try:
            alone.append(run_saved(graph, DIVIDE, given, limits=LIMITS, key_id="k").rows)
        except PowermapError as exc:
            alone.append(type(exc))
    assert alone[0] == [{"x": 5}] and alone[3] == [{"x": 1}]
    assert isinstance(alone[1], type) and issubclass(alone[1], PowermapError)
    assert alone[2] is InvalidInput
    assert [r.rows if isinstance(r, QueryResult) else type(r) for r in results] == alone
