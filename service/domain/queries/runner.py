"""Run analyst Cypher safely: validate, prove read-only, run bounded, return plain JSON.

Every run, saved or ad hoc, goes through :func:`run_cypher`:

1. the read-only guard on Neo4j's plan (``guard.py``) — a refusal is a 403;
2. the run in a READ access-mode managed transaction with a server-side timeout
   (``settings.query_timeout_seconds``, lowered per request) — a timeout is a 408;
3. at most ``settings.query_row_cap`` rows (lowered by the request's ``limit``), with
   ``truncated`` saying whether there were more;
4. every value converted to plain JSON in the graph layer
   (:func:`service.graph.values.to_plain`): nodes, relationships, paths, temporal and
   spatial values never leave it as driver objects;
5. one structured log line per run: key id, query name, parameter *names* (values may
   be personal data), duration, row count and outcome.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from service.domain.errors import (
    FieldError,
    InvalidInput,
    PowermapError,
)
from service.domain.queries.catalog import SavedQuery
from service.domain.queries.guard import check
from service.domain.queries.params import validate_params
from service.graph import adhoc
from service.graph.driver import Graph
from service.settings import Settings

__all__ = [
    "ADHOC_NAME",
    "PassedPlans",
    "QueryResult",
    "RunLimits",
    "log_run",
    "run_adhoc",
    "run_cypher",
    "run_saved",
    "run_saved_many",
    "to_csv",
    "validate_each",
]

ADHOC_NAME = "adhoc"


@dataclass(frozen=True)
class RunLimits:
    """The bounds of one run: never above the service's settings, lowered per request."""

    timeout_seconds: float
    row_cap: int

    @classmethod
    def resolve(
        cls, settings: Settings, *, limit: int | None = None, timeout_seconds: float | None = None
    ) -> RunLimits:
        row_cap = settings.query_row_cap if limit is None else min(limit, settings.query_row_cap)
        timeout = settings.query_timeout_seconds
        if timeout_seconds is not None:
            timeout = min(timeout_seconds, timeout)
        return cls(timeout_seconds=timeout, row_cap=row_cap)


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    ms: float

    def summary(self) -> dict[str, Any]:
        return {"rows": len(self.rows), "truncated": self.truncated, "ms": self.ms}


class PassedPlans:
    """Statements whose plan the guard already passed, for a caller that runs the same
    saved query many times in a row (the alerts evaluator: one run per touched account).

    A plan depends on the text and the parameters' *types*, not their values (Neo4j
    caches plans by those), so a run of the same text with values of the same types
    skips the ``EXPLAIN`` round trip. Only passes are kept (a refusal is asked again and
    refused again), and the run itself still happens in a READ transaction. Keep one for
    a short batch of runs, not for the life of the process (a migration may change what
    the guard sees). Thread-safe: runs of one text on several threads check it once.
    """

    def __init__(self) -> None:
        self._passed: set[_PlanKey] = set()
        self._checking: dict[_PlanKey, threading.Lock] = {}
        self._lock = threading.Lock()

    def check_once(
        self, database: str, cypher: str, params: Mapping[str, Any], check: Callable[[], None]
    ) -> None:
        """Call ``check`` (which raises to refuse) unless it passed for the same text and
        parameter types; concurrent callers wait for the first one's verdict."""
        key = (database, cypher, tuple(sorted((k, type(v).__name__) for k, v in params.items())))
        with self._lock:
            if key in self._passed:
                return
            checking = self._checking.setdefault(key, threading.Lock())
        with checking:
            with self._lock:
                if key in self._passed:
                    return
            check()
            with self._lock:
                self._passed.add(key)


_PlanKey = tuple[str, str, tuple[tuple[str, str], ...]]


# Spreadsheet applications run cells that start with these as formulas (CSV injection);
# such text cells get a leading apostrophe, which spreadsheets show as plain text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def to_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """RFC 4180 CSV with a header row; nested values (nodes, lists) as compact JSON."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _log_run(
    *,
    key_id: str,
    name: str,
    params: Mapping[str, Any],
    started: float,
    outcome: str,
    rows: int = 0,
    truncated: bool = False,
) -> float:
    ms = round((time.perf_counter() - started) * 1000, 1)
    # Fetched per call: structlog's logger cache would otherwise pin the first output.
    structlog.get_logger("powermap.queries").info(
        "query.run",
        key_id=key_id,
        query=name,
        param_names=sorted(params),
        duration_ms=ms,
        rows=rows,
        truncated=truncated,
        outcome=outcome,
    )
    return ms


#: One run's log line, for the runners beside this module (``per_account.py``).
log_run = _log_run


def validate_each(
    query: SavedQuery, givens: Sequence[Mapping[str, Any]], *, key_id: str
) -> tuple[list[QueryResult | PowermapError | None], list[tuple[int, dict[str, Any]]]]:
    """Each of ``givens`` validated as :func:`run_saved` validates it, for the runners of
    many runs: the answers so far (an invalid run's error at its place, logged as its
    run; ``None`` elsewhere) and the valid runs' places and values."""
    out: list[QueryResult | PowermapError | None] = [None] * len(givens)
    valid: list[tuple[int, dict[str, Any]]] = []
    for i, given in enumerate(givens):
        try:
            valid.append((i, _validated(query, given, key_id=key_id)))
        except InvalidInput as exc:
            out[i] = exc
    return out, valid


def run_cypher(
    graph: Graph,
    *,
    name: str,
    cypher: str,
    params: Mapping[str, Any],
    limits: RunLimits,
    key_id: str,
    passed: PassedPlans | None = None,
) -> QueryResult:
    """Guard, run and convert one statement; every outcome is logged once.

    ``passed``: plans already passed by the guard in this batch of runs (the check is
    then not asked again for the same text and parameter types)."""
    started = time.perf_counter()
    try:

        def guard() -> None:
            check(adhoc.explain(graph, cypher, params, limits.timeout_seconds), graph.database)

        if passed is None:
            guard()
        else:
            passed.check_once(graph.database, cypher, params, guard)
        outcome = adhoc.run_read(
            graph,
            cypher,
            params,
            timeout=limits.timeout_seconds,
            max_rows=limits.row_cap,
        )
        rows = outcome.rows
    except PowermapError as exc:
        # Neo4j's errors arrive translated by the graph layer (service/graph/errors.py).
        _log_run(key_id=key_id, name=name, params=params, started=started, outcome=exc.slug)
        raise
    ms = _log_run(
        key_id=key_id,
        name=name,
        params=params,
        started=started,
        outcome="ok",
        rows=len(rows),
        truncated=outcome.truncated,
    )
    return QueryResult(outcome.columns, rows, outcome.truncated, ms)


def run_saved(
    graph: Graph,
    query: SavedQuery,
    given: Mapping[str, Any],
    *,
    limits: RunLimits,
    key_id: str,
    from_text: bool = False,
    passed: PassedPlans | None = None,
) -> QueryResult:
    """Validate ``given`` against the query's header, then run it under the guards
    (``passed``: see :func:`run_cypher`)."""
    values = _validated(query, given, key_id=key_id, from_text=from_text)
    return run_cypher(
        graph,
        name=query.name,
        cypher=query.cypher,
        params=values,
        limits=limits,
        key_id=key_id,
        passed=passed,
    )


def _validated(
    query: SavedQuery, given: Mapping[str, Any], *, key_id: str, from_text: bool = False
) -> dict[str, Any]:
    """``given`` checked against the query's header; an invalid run is logged (as every
    run is) before its error leaves."""
    try:
        return validate_params(query.params, given, from_text=from_text)
    except InvalidInput as exc:
        _log_run(
            key_id=key_id,
            name=query.name,
            params=given,
            started=time.perf_counter(),
            outcome=exc.slug,
        )
        raise


def run_saved_many(
    graph: Graph,
    query: SavedQuery,
    givens: Sequence[Mapping[str, Any]],
    *,
    limits: RunLimits,
    key_id: str,
    passed: PassedPlans,
) -> list[QueryResult | PowermapError]:
    """:func:`run_saved` with each of ``givens``, the runs one after the other in ONE read
    transaction (for many small runs of one query: the alerts evaluator's, one per
    touched account), each with its result or its error.

    Every run is validated, guarded and logged as :func:`run_saved` would; the
    transaction's timeout is one run's. Should the transaction fail (a run's error, a
    timeout), each run is tried again alone, so every answer is the one its own run
    gives."""
    out, valid = validate_each(query, givens, key_id=key_id)
    started = time.perf_counter()
    try:
        for _, values in valid:

            def guard(values: Mapping[str, Any] = values) -> None:
                plan = adhoc.explain(graph, query.cypher, values, limits.timeout_seconds)
                check(plan, graph.database)

            passed.check_once(graph.database, query.cypher, values, guard)
        outcomes = adhoc.run_reads(
            graph,
            query.cypher,
            [values for _, values in valid],
            timeout=limits.timeout_seconds,
            max_rows=limits.row_cap,
        )
    except PowermapError:
        for i, values in valid:  # each alone: its own answer or error (and log line)
            try:
                out[i] = run_cypher(
                    graph,
                    name=query.name,
                    cypher=query.cypher,
                    params=values,
                    limits=limits,
                    key_id=key_id,
                    passed=passed,
                )
            except PowermapError as exc:
                out[i] = exc
    else:
        share = (time.perf_counter() - started) / max(1, len(valid))
        for (i, values), outcome in zip(valid, outcomes, strict=True):
            ms = _log_run(
                key_id=key_id,
                name=query.name,
                params=values,
                started=time.perf_counter() - share,
                outcome="ok",
                rows=len(outcome.rows),
                truncated=outcome.truncated,
            )
            out[i] = QueryResult(outcome.columns, outcome.rows, outcome.truncated, ms)
    return [r for r in out if r is not None]


def run_adhoc(
    graph: Graph,
    cypher: str,
    params: Mapping[str, Any],
    *,
    limits: RunLimits,
    key_id: str,
) -> QueryResult:
    """Run an analyst's own statement under the same guards as the saved ones."""
    if not cypher.strip():
        raise InvalidInput(
            "the query is empty",
            errors=[FieldError(location="cypher", field="cypher", reason="empty")],
        )
    return run_cypher(
        graph,
        name=ADHOC_NAME,
        cypher=cypher,
        params=params,
        limits=limits,
        key_id=key_id,
    )
