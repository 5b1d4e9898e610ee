"""Driver-level execution of analyst Cypher (saved or ad hoc): plan it, then run it read-only.

Two steps, both in managed READ transactions with a server-side timeout:

- :func:`explain` asks Neo4j for the plan (``EXPLAIN`` executes nothing) and returns
  the facts the analyst guard judges: the query type from the result summary
  (``r``, ``rw``, ``w``, ``s``), every plan operator with its details (which name the
  labels a scan or index seek reads), and the procedures called.
- :func:`run_read` runs the text in a READ access-mode transaction (the server itself
  then rejects any write), stops pulling records one past the row cap and returns
  the rows as plain JSON data (:func:`service.graph.values.to_plain`).

Neither decides anything: the domain (``service/domain/queries``) does. Both run
through :func:`service.graph.driver.execute` with ``analyst=True``, so the driver's errors
leave as the service's (a rejected text is the caller's 4xx, never a 500).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction, Record

from service.graph.driver import Graph
from service.graph.values import to_plain

__all__ = ["PlanFacts", "PlanStep", "ReadOutcome", "explain", "run_read", "run_reads"]


@dataclass(frozen=True)
class PlanStep:
    """One operator of a plan, as Neo4j describes it."""

    operator: str  # e.g. "NodeByLabelScan"; the "@database" suffix split off
    details: str  # e.g. "k:ApiKey", "UNIQUE a:Account(id) WHERE id = $autostring_0"
    leaf: bool  # no child operator: where rows (and nodes) come from


@dataclass(frozen=True)
class PlanFacts:
    """What Neo4j's planner says about a statement, before it runs."""

    query_type: str | None
    operators: tuple[str, ...]  # e.g. "AllNodesScan"; the "@database" suffix split off
    databases: tuple[str, ...]  # the databases the operators run against
    procedures: tuple[str, ...]  # fully qualified names, e.g. "db.labels"
    steps: tuple[PlanStep, ...] = ()  # every operator, in plan order


@dataclass(frozen=True)
class ReadOutcome:
    columns: list[str]
    rows: list[dict[str, Any]]  # plain JSON data, one map per record
    truncated: bool


def _walk(plan: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = [plan]
    for child in plan.get("children", []):
        out.extend(_walk(child))
    return out


def _facts(query_type: str | None, plan: Mapping[str, Any] | None) -> PlanFacts:
    operators: list[str] = []
    databases: set[str] = set()
    procedures: list[str] = []
    steps: list[PlanStep] = []
    for step in _walk(plan) if plan else []:
        operator, _, database = str(step.get("operatorType", "")).partition("@")
        operators.append(operator)
        if database:
            databases.add(database)
        details = str(step.get("args", {}).get("Details", ""))
        steps.append(PlanStep(operator, details, not step.get("children")))
        if operator == "ProcedureCall":
            # Details read "db.labels() :: (label :: STRING)".
            procedures.append(details.split("(", 1)[0].strip())
    return PlanFacts(
        query_type,
        tuple(operators),
        tuple(sorted(databases)),
        tuple(procedures),
        tuple(steps),
    )


def explain(graph: Graph, cypher: str, params: Mapping[str, Any], timeout: float) -> PlanFacts:
    """Plan ``cypher`` without running it (a syntax error is an InvalidInput)."""

    def work(tx: ManagedTransaction) -> PlanFacts:
        # EXPLAIN is a prefix Neo4j parses itself; the text after it is planned, not run.
        summary = tx.run("EXPLAIN " + cypher, dict(params)).consume()
        return _facts(summary.query_type, summary.plan)

    return graph.execute("read", work, timeout=timeout, analyst=True)


def _pull(
    tx: ManagedTransaction, cypher: str, params: Mapping[str, Any], max_rows: int
) -> tuple[list[str], list[Record], bool]:
    result = tx.run(cypher, dict(params))
    columns = list(result.keys())
    records: list[Record] = []
    truncated = False
    for record in result:
        if len(records) == max_rows:
            truncated = True
            break
        records.append(record)
    result.consume()
    return columns, records, truncated


def _outcome(columns: list[str], records: list[Record], truncated: bool) -> ReadOutcome:
    rows = [{column: to_plain(record[column]) for column in columns} for record in records]
    return ReadOutcome(columns, rows, truncated)


def run_read(
    graph: Graph,
    cypher: str,
    params: Mapping[str, Any],
    *,
    timeout: float,
    max_rows: int,
) -> ReadOutcome:
    """Run ``cypher`` in a READ transaction, keeping at most ``max_rows`` records.

    One record more than the cap is pulled to know whether the result was cut; the rest
    is discarded by the server when the transaction ends, never transferred.
    """
    columns, records, truncated = graph.execute(
        "read",
        lambda tx: _pull(tx, cypher, params, max_rows),
        timeout=timeout,
        analyst=True,
        fetch_size=min(max_rows + 1, 1000),
    )
    # Decoded once the transaction is over, so it holds the server no longer than the pull.
    return _outcome(columns, records, truncated)


def run_reads(
    graph: Graph,
    cypher: str,
    params: Sequence[Mapping[str, Any]],
    *,
    timeout: float,
    max_rows: int,
) -> list[ReadOutcome]:
    """:func:`run_read` of one text with each of several parameter sets, one after the
    other in ONE READ transaction (``timeout`` bounds them all): for many small runs,
    a round trip each instead of a transaction each. Any failure fails them all.
    """
    pulled = graph.execute(
        "read",
        lambda tx: [_pull(tx, cypher, p, max_rows) for p in params],
        timeout=timeout,
        analyst=True,
        fetch_size=min(max_rows + 1, 1000),
    )
    return [_outcome(*one) for one in pulled]
