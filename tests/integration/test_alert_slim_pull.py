"""The alerts evaluator's slim account pull (``account_subgraph_conditions.cypher``,
docs/alerts.md "Cost") reads the same accounts as the full pull every analytics use case
makes, less what no condition reads (provenance, department, seniority), and the
conditions make the same states and events on it: on random portfolios with people
gone, moved and roles ended, a manager dense enough for Neo4j to group their
relationships by type, as of several dates. On the real Neo4j."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bench.synthetic import SyntheticSpec, generate
from service.analytics.model import AnalyticsParams
from service.domain.alerts import conditions
from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import CONDITION_TYPES, ConditionSpec, parse_conditions
from service.domain.alerts.evaluation import evaluate_pending
from service.domain.analytics.account_cache import AccountCache
from service.domain.ingest.batch import import_batches, ingest_batch
from service.domain.org_chart import valid_at
from service.graph import account_subgraph as pulls
from service.graph.account_subgraph import PulledAccount
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_alert_conditions import make_watch

TODAY = datetime.now(UTC).date()
# Every condition that reads the account (a saved query's rows do not come from it); a
# health drop of 1 point, so that it fires on these small portfolios.
CONDITIONS: list[str | dict[str, object]] = [
    {"type": kind, "by": 1} if kind == "health_dropped" else kind
    for kind in CONDITION_TYPES
    if kind != "saved_query_changed"
]
LINES = ("reports_to", "dotted_reports_to")


def _portfolio(graph: Graph, settings: Settings, seed: int) -> tuple[list[str], datetime]:
    """A random portfolio, then some people gone, some moved to another account and
    some roles ended: the ids of its accounts, and an instant before those changes."""
    rng = random.Random(seed)
    spec = SyntheticSpec(
        accounts=rng.randint(3, 5),
        stakeholders_per_account=rng.randint(20, 70),
        span=(55, 60) if seed % 2 else (3, 9),  # a manager with 55+ reports: a dense node
        team_members=rng.randint(4, 10),
        team_per_account=rng.randint(1, 3),
        ties_per_team_member=rng.randint(3, 15),
        roles_per_account=rng.randint(3, 12),
        budgets_per_account=rng.randint(1, 4),
        controls_per_budget=rng.randint(1, 3),
        opportunities_per_account=rng.randint(1, 4),
        interactions_per_account=rng.randint(2, 10),
        seed=seed,
        today=TODAY,
    )
    base = generate(spec)
    import_batches(graph, settings, base, chunk_rows=5_000)
    ids = sorted(a["id"] for a in base["accounts"])
    before = datetime.now(UTC)
    people = list(base["stakeholders"])
    rng.shuffle(people)
    sixth = len(people) // 6
    stamp = datetime.now(UTC).isoformat()
    gone = [
        {k: v for k, v in p.items() if k not in LINES} | {"left_at": stamp} for p in people[:sixth]
    ]
    moved = [
        {k: v for k, v in p.items() if k not in LINES}
        | {"account_id": rng.choice([a for a in ids if a != p["account_id"]])}
        for p in people[sixth : 2 * sixth]
    ]
    ended = [
        r | {"until": stamp}
        for r in rng.sample(base["roles"], k=len(base["roles"]) // 5)
        if "until" not in r
    ]
    staying = people[2 * sixth :]
    ties = [  # new ties (or stronger ones): valid from now on only
        {"team_member_id": c["team_member_id"], "stakeholder_id": p["id"], "strength": 0.7}
        for c in rng.sample(base["coverage"], k=min(6, len(base["coverage"])))
        for p in rng.sample([p for p in staying if p["account_id"] == c["account_id"]], k=2)
    ]
    roles = [
        {"stakeholder_id": p["id"], "role": "champion", "account_id": p["account_id"]}
        | {"stance": 1}
        for p in rng.sample(staying, k=4)
    ]
    batch = {"stakeholders": gone + moved, "roles": ended + roles, "relationships": ties}
    ingest_batch(graph, settings, batch)
    return ids, before


def _without_unread(pulled: PulledAccount) -> PulledAccount:
    """The full pull with what the slim one leaves out set to None."""
    g = pulled.graph
    return replace(
        pulled,
        graph=replace(
            g,
            stakeholders=[replace(s, department=None, seniority=None) for s in g.stakeholders],
            knows=[replace(k, source=None, source_record_id=None) for k in g.knows],
            reports_to=[replace(r, source=None, source_record_id=None) for r in g.reports_to],
            roles=[replace(r, source=None, source_record_id=None) for r in g.roles],
        ),
    )


def _view(pulled: PulledAccount) -> AccountView:
    return AccountView(
        account=pulled.graph,
        read_at=datetime.now(UTC),
        tier=pulled.tier,
        params=AnalyticsParams(),
    )


def _outcome(view: AccountView, spec: ConditionSpec, before: Any) -> tuple[str, list[Any]]:
    after, drafts = conditions.evaluate(view, spec, before)
    return json.dumps(after, sort_keys=True, default=str), [
        (d.type, json.dumps(d.data, sort_keys=True, default=str)) for d in drafts
    ]


@pytest.mark.parametrize("seed", [5, 12, 29])
def test_the_slim_pull_is_the_full_pull_less_what_no_condition_reads(
    graph: Graph, settings: Settings, seed: int
) -> None:
    ids, before = _portfolio(graph, settings, seed)
    early = datetime(2000, 1, 1, tzinfo=UTC)
    for at in (valid_at(TODAY), before, early):
        full = pulls.accounts_subgraphs(graph, ids, valid_at=at)
        slim = pulls.accounts_subgraphs(graph, ids, valid_at=at, slim=True)
        assert [p.graph.account_id for p in full] == ids
        assert slim == [_without_unread(p) for p in full], f"at {at}"
        if at == early:
            continue  # before the portfolio: empty accounts, the same in both
        # Not vacuous: the portfolio has all of it, and the slim pull really leaves it out.
        graphs = [p.graph for p in full]
        for part in ("knows", "reports_to", "influences", "roles", "controls", "budgets"):
            assert any(getattr(g, part) for g in graphs), (part, at)
        assert any(k.source is not None for g in graphs for k in g.knows)
        assert all(k.source is None for p in slim for k in p.graph.knows)


@pytest.mark.parametrize("seed", [7, 18])
def test_the_conditions_make_the_same_states_and_events_on_either_pull(
    graph: Graph, settings: Settings, seed: int
) -> None:
    """Every condition, from a state taken before the departures (so that events fire)
    and from none (a baseline), on each account: the same new state and events."""
    ids, earlier = _portfolio(graph, settings, seed)
    specs = parse_conditions(json.dumps(CONDITIONS))
    before_views = {
        p.graph.account_id: _view(p) for p in pulls.accounts_subgraphs(graph, ids, valid_at=earlier)
    }
    at = valid_at(TODAY)
    full = pulls.accounts_subgraphs(graph, ids, valid_at=at)
    slim = pulls.accounts_subgraphs(graph, ids, valid_at=at, slim=True)
    fired = 0
    for f, s in zip(full, slim, strict=True):
        full_view, slim_view = _view(f), _view(s)
        for spec in specs:
            previous, _ = conditions.evaluate(before_views[f.graph.account_id], spec, None)
            for before in (None, previous):
                made = _outcome(full_view, spec, before)
                assert _outcome(slim_view, spec, before) == made, (spec.type, before)
                fired += len(made[1])
    assert fired > 0  # the comparison saw events, not only quiet states


def test_the_evaluator_pulls_slim_and_keeps_nothing(
    graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, _ = _portfolio(graph, settings, 3)
    while evaluate_pending(graph, AccountCache(graph, 0), settings).claimed:
        pass  # the portfolio's own writes, before any watch
    make_watch(graph, settings, ["key_stakeholder_dark"], account_ids=ids[:2])
    asked: list[bool] = []
    real = pulls.accounts_subgraphs

    def spy(*args: Any, **kwargs: Any) -> list[PulledAccount]:
        asked.append(bool(kwargs.get("slim")))
        return real(*args, **kwargs)

    monkeypatch.setattr(pulls, "accounts_subgraphs", spy)
    ingest_batch(
        graph,
        settings,
        {"stakeholders": [{"id": "n1", "account_id": ids[0], "name": "N", "title": "Clerk"}]},
    )
    cache = AccountCache(graph, 100)
    report = evaluate_pending(graph, cache, settings)
    assert report.accounts == 1
    assert asked == [True]
    assert cache.stats().entries == 0  # a slim account never enters the cache
    with pytest.raises(ValueError, match="never kept"):
        cache.reads().accounts(ids, TODAY, slim=True)
