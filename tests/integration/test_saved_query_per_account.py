"""A saved query run for many accounts in one statement (service/domain/queries/
per_account.py, the alerts evaluator's ``saved_query_changed`` runs) answers exactly what
each account's own run answers: the same rows in the same order, the same cut at the row
cap, the same error; on random portfolios, for every catalog query with ``account_id``.
And when the batched statement cannot be used, every account is still run alone."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bench.synthetic import SyntheticSpec, generate
from service.domain.errors import InvalidInput, PowermapError
from service.domain.ingest.batch import import_batches, ingest_batch
from service.domain.queries.catalog import Catalog, SavedQuery, parse_query_file
from service.domain.queries.per_account import run_saved_per_account
from service.domain.queries.runner import PassedPlans, QueryResult, RunLimits, run_saved
from service.graph import adhoc
from service.graph.driver import Graph
from service.settings import Settings

TODAY = date(2026, 11, 30)


def _portfolio(graph: Graph, settings: Settings, seed: int) -> list[str]:
    """A small random portfolio, then a random share of its people gone (left, or their
    roles on other accounts): ids of its accounts."""
    rng = random.Random(seed)
    spec = SyntheticSpec(
        accounts=rng.randint(3, 6),
        stakeholders_per_account=rng.randint(12, 30),
        team_members=rng.randint(4, 10),
        team_per_account=rng.randint(1, 3),
        ties_per_team_member=rng.randint(3, 12),
        roles_per_account=rng.randint(3, 10),
        budgets_per_account=rng.randint(1, 4),
        controls_per_budget=rng.randint(1, 3),
        opportunities_per_account=rng.randint(1, 4),
        interactions_per_account=rng.randint(2, 10),
        seed=seed,
        today=TODAY,
    )
    base = generate(spec)
    import_batches(graph, settings, base, chunk_rows=5_000)
    leaving = rng.sample(base["stakeholders"], k=len(base["stakeholders"]) // 6)
    stamp = datetime(2026, 11, 1, tzinfo=UTC).isoformat()
    gone = [
        {k: v for k, v in p.items() if k not in ("reports_to", "dotted_reports_to")}
        | {"left_at": stamp}
        for p in leaving
    ]
    ingest_batch(graph, settings, {"stakeholders": gone})
    return sorted(a["id"] for a in base["accounts"])


def _given(query: SavedQuery) -> dict[str, Any]:
    """Values for the query's required parameters (the others keep their defaults)."""
    out: dict[str, Any] = {}
    for p in query.params:
        if p.required and p.name != "account_id":
            assert p.type.value in ("date", "datetime"), f"no value for {query.name}.{p.name}"
            out[p.name] = (TODAY - timedelta(days=400)).isoformat()
    return out


def _one_by_one(
    graph: Graph, query: SavedQuery, given: Mapping[str, Any], ids: list[str], limits: RunLimits
) -> list[QueryResult | PowermapError]:
    out: list[QueryResult | PowermapError] = []
    for account_id in ids:
        try:
            out.append(
                run_saved(
                    graph,
                    query,
                    dict(given) | {"account_id": account_id},
                    limits=limits,
                    key_id="t",
                )
            )
        except PowermapError as exc:
            out.append(exc)
    return out


def _same(
    batched: list[QueryResult | PowermapError], alone: list[QueryResult | PowermapError]
) -> None:
    assert len(batched) == len(alone)
    for b, a in zip(batched, alone, strict=True):
        if isinstance(a, PowermapError):
            assert type(b) is type(a) and str(b) == str(a)
            continue
        assert isinstance(b, QueryResult)
        assert b.rows == a.rows  # the same maps, in the same order
        assert b.truncated == a.truncated
        assert sorted(b.columns) == sorted(a.columns)


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_batched_rows_equal_each_accounts_own_run(
    graph: Graph, settings: Settings, seed: int
) -> None:
    ids = _portfolio(graph, settings, seed)
    catalog = Catalog(settings.queries_dir)
    queries = [q for q in catalog.entries()[0] if any(p.name == "account_id" for p in q.params)]
    assert len(queries) >= 5
    asked = ids + ["no-such-account", ids[0]]  # an unknown account, one asked twice
    rows_seen = 0
    for query in queries:
        given = _given(query)
        for cap in (500, 2):
            limits = RunLimits(timeout_seconds=30.0, row_cap=cap)
            batched = run_saved_per_account(
                graph, query, given, asked, limits=limits, key_id="t", passed=PassedPlans()
            )
            alone = _one_by_one(graph, query, given, asked, limits)
            _same(batched, alone)
            rows_seen += sum(len(r.rows) for r in alone if isinstance(r, QueryResult))
    assert rows_seen > 50  # the portfolios give the queries something to answer


BOTH_WAYS = parse_query_file(
    "both_ways",
    "// @title Both ways\n"
    "// @description The account, cut by a limit that reads the parameter.\n"
    "// @param account_id: string = null -- The account.\n"
    "// @column id: Its id.\n"
    "MATCH (a:Account) WHERE a.id = $account_id\n"
    "RETURN a.id AS id LIMIT size($account_id)\n",
)


def test_a_text_the_batch_cannot_run_is_run_for_each_account(
    graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # LIMIT cannot read a variable: the batched statement is refused, each account runs.
    ids = _portfolio(graph, settings, 5)
    statements: list[str] = []
    real = adhoc.run_reads

    def counting(g: Graph, cypher: str, params: Any, **kw: Any) -> Any:
        statements.append(cypher)
        return real(g, cypher, params, **kw)

    monkeypatch.setattr(adhoc, "run_reads", counting)
    limits = RunLimits(timeout_seconds=30.0, row_cap=10)
    batched = run_saved_per_account(
        graph, BOTH_WAYS, {}, ids, limits=limits, key_id="t", passed=PassedPlans()
    )
    assert [r.rows for r in batched if isinstance(r, QueryResult)] == [[{"id": a}] for a in ids]
    assert statements  # the runs one by one answered


def test_a_bad_parameter_is_each_accounts_error(graph: Graph, settings: Settings) -> None:
    catalog = Catalog(settings.queries_dir)
    query = catalog.get("key_stakeholder_coverage")
    limits = RunLimits(timeout_seconds=30.0, row_cap=10)
    batched = run_saved_per_account(
        graph,
        query,
        {"max_coverage": "many"},
        ["a", "b"],
        limits=limits,
        key_id="t",
        passed=PassedPlans(),
    )
    assert len(batched) == 2
    assert all(isinstance(r, InvalidInput) for r in batched)
