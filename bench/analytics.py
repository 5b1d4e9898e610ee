"""Analytics benchmark: issue 3's targets on a 5,000-stakeholder account and a 200k portfolio.

``python -m bench analytics`` (or ``make bench-analytics``) **empties the configured
database** (everything but the migration bookkeeping), then:

1. ingests the ``account-5k`` preset (5,000 stakeholders, 50 team members, ≈ 50,000
   edges; :mod:`bench.synthetic`) through the real ingest path;
2. times, over repeated calls (p50/p95), the graph-version check and the subgraph
   pull alone, the pure analytics on the pulled :class:`AccountGraph`, and the domain
   use case behind each route (pull or cache + analytics + the response data; HTTP/JSON
   not included) **cold** (the app's account cache emptied before each call: version
   check, pull, analytics, betweenness computed), **warm** (graph unchanged: version
   check, the cached account, analytics; the power map's memoised betweenness) and
   **after a write, refreshed** (a tie's strength changed by a committed write, then
   the cache's refresher caught up, as it does in the background ≈ one poll interval
   after a write burst; the write and the refresh are not timed, the refresh's own
   duration is reported apart) for: departure impact (one team member; a reorg of 3
   team members and 5 senior stakeholders), budget control, threading, power map with
   exact betweenness;
3. times exact betweenness: the compiled kernel the service uses (all CPUs, one
   thread), rustworkx (what it replaced; multi-threaded and serial) and networkx;
4. times the naive departure impact (for each removed person in turn, rebuild the
   engagement graph in networkx and recompute coverage, reachability by one search
   per key stakeholder, best warm path by one hop-bounded search per key stakeholder,
   and fragmentation from scratch) and reports naive ÷ production;
5. empties the graph, ingests ``portfolio-200k`` (400 accounts × 500 stakeholders) and
   times portfolio threading pages (first page, a tier page, a later page).

Results, with the machine, go to ``bench/RESULTS.md``. The graph is emptied at the end
(``--keep`` leaves the portfolio; ``powermap seed-demo`` brings the demo back).
``--quick`` uses smaller repeat counts; ``--skip-portfolio`` / ``--skip-account`` run
half; ``--skip-baselines`` leaves out 3. and 4. (minutes on a busy machine), for a quick
A/B of the service's own rows. ``--profile`` prints a cProfile of one end-to-end departure impact.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import math
import pstats
import statistics
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import rustworkx as rx
from rich.console import Console

from bench import machine
from bench.synthetic import generate, preset
from service.analytics import (
    AccountGraph,
    AnalyticsParams,
    budget_control,
    engagement_graph,
    key_stakeholders,
    threading_report,
)
from service.analytics.betweenness import default_workers, exact_betweenness
from service.analytics.departure_impact import departure_impact
from service.analytics.model import Knows
from service.analytics.power_map import engagement_betweenness, power_map
from service.api.startup import warm_up_process
from service.domain import analytics as intel
from service.domain.access import Principal, Scope
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.account_refresher import AccountRefresher
from service.domain.ingest import import_batches
from service.domain.org_chart import valid_at
from service.graph import migrations
from service.graph.account_subgraph import account_subgraph
from service.graph.driver import Graph
from service.graph.graph_version import current_graph_version
from service.settings import Settings, load_settings

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
EMPTY_GRAPH = """
MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
"""
TARGETS_MS = {
    "departure impact": 250.0,
    "budget control": 50.0,
    "threading": 250.0,
    "power map (exact betweenness)": 2000.0,
    "portfolio threading": 5000.0,
}
ADMIN = Principal(key_id="bench", scopes=frozenset({Scope.ADMIN}))
console = Console(stderr=True)


def empty_graph(graph: Graph) -> None:
    with graph.driver.session(database=graph.database) as session:
        session.run(EMPTY_GRAPH).consume()


def timed(fn: Callable[[], Any], repeats: int, warmup: int = 1) -> list[float]:
    """Milliseconds of ``repeats`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def timed_after(setup: Callable[[], Any], fn: Callable[[], Any], repeats: int) -> list[float]:
    """Milliseconds of ``repeats`` calls of ``fn``, each after an untimed ``setup()``."""
    samples = []
    for _ in range(repeats):
        setup()
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


SET_TIE_STRENGTH = """
MATCH (:TeamMember {id: $team_member_id})-[k:KNOWS]->(:Stakeholder {id: $stakeholder_id})
SET k.strength = $strength
"""


def set_tie_strength(
    graph: Graph, team_member_id: str, stakeholder_id: str, strength: float
) -> None:
    """A write as a CRM sync makes one: one tie's strength, committed."""
    with graph.driver.session(database=graph.database) as session:
        session.execute_write(
            lambda tx: tx.run(
                SET_TIE_STRENGTH,
                team_member_id=team_member_id,
                stakeholder_id=stakeholder_id,
                strength=strength,
            ).consume()
        )


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def ingest(graph: Graph, settings: Settings, name: str) -> tuple[int, float]:
    batch = generate(preset(name, today=date.today()))
    rows = sum(len(v) for v in batch.values() if isinstance(v, list))
    t0 = time.perf_counter()
    import_batches(graph, settings, batch, 20_000)
    return rows, time.perf_counter() - t0


# -- the naive departure impact (the baseline the ratio is measured against) ----------


def _naive_graph(account: AccountGraph, gone: set[str], params: AnalyticsParams) -> nx.Graph:
    """The engagement graph (docs/definitions.md) built edge by edge in networkx, minus ``gone``."""
    team = {t.id for t in account.team_members if t.status == "active"} - gone
    people = {s.id for s in account.stakeholders if s.status == "active"} - gone
    graph = nx.Graph()
    graph.add_nodes_from(people)

    def add(a: str, b: str, s: float) -> None:
        if s <= 0 or a == b:
            return
        if not graph.has_edge(a, b) or graph[a][b]["s"] < s:
            graph.add_edge(a, b, s=s)

    for k in account.knows:
        active = k.strength >= params.active_tie_threshold
        if active and k.team_member_id in team and k.stakeholder_id in people:
            add(k.team_member_id, k.stakeholder_id, k.strength)
    for i in account.influences:
        if i.from_id in people and i.to_id in people:
            add(i.from_id, i.to_id, i.strength)
    for r in account.reports_to:
        if r.from_id in people and r.to_id in people:
            add(
                r.from_id,
                r.to_id,
                params.reports_to_default_strength if r.strength is None else r.strength,
            )
    for t in team:
        if graph.has_node(t):
            graph.nodes[t]["team"] = True
    return graph


def _naive_best_path(graph: nx.Graph, target: str, hops: int) -> float:
    """Best product of strengths from any team member to ``target`` in ≤ ``hops`` hops."""
    best = {target: 1.0}
    frontier = {target: 1.0}
    result = 0.0
    for _ in range(hops):
        nxt: dict[str, float] = {}
        for node, value in frontier.items():
            for other, data in graph[node].items():
                v = value * data["s"]
                if graph.nodes[other].get("team"):
                    result = max(result, v)
                    continue
                if v > best.get(other, 0.0) and v > nxt.get(other, 0.0):
                    nxt[other] = v
        best.update(nxt)
        frontier = nxt
    return result


def _naive_state(account: AccountGraph, gone: set[str], params: AnalyticsParams) -> dict[str, Any]:
    graph = _naive_graph(account, gone, params)
    keys = [k for k in key_stakeholders(account) if k not in gone]
    team = [n for n, d in graph.nodes(data=True) if d.get("team")]
    coverage = {k: sum(1 for t in graph[k] if graph.nodes[t].get("team")) for k in keys}
    reachable = {k: any(nx.has_path(graph, k, t) for t in team) for k in keys}
    warm = {k: _naive_best_path(graph, k, params.max_warm_path_hops) for k in keys}
    sizes = [len(c) for c in nx.connected_components(graph)]
    n = sum(sizes)
    frag = 1 - sum(s * (s - 1) for s in sizes) / (n * (n - 1)) if n > 1 else 0.0
    return {"coverage": coverage, "reachable": reachable, "warm": warm, "fragmentation": frag}


def naive_departure(
    account: AccountGraph, person_ids: Iterable[str], params: AnalyticsParams
) -> None:
    _naive_state(account, set(), params)
    gone: set[str] = set()
    for person in person_ids:
        gone.add(person)
        _naive_state(account, gone, params)


# -- the run ---------------------------------------------------------------------------


def _row(name: str, samples: list[float], target: float | None) -> str:
    p50, p95 = p50_p95(samples)
    verdict = "" if target is None else ("met" if p50 < target else "**missed**")
    limit = "" if target is None else f"< {target:,.0f}"
    return f"| {name} | {len(samples)} | {p50:,.1f} | {p95:,.1f} | {limit} | {verdict} |"


def account_section(
    graph: Graph, settings: Settings, quick: bool, profile: bool, baselines: bool = True
) -> list[str]:
    console.print("Ingesting account-5k …")
    empty_graph(graph)
    rows, seconds = ingest(graph, settings, "account-5k")
    # As the service does at start-up: kernels compiled, start-up heap frozen.
    warm_up_process()
    today = date.today()
    at = valid_at(today)
    pulled = account_subgraph(graph, "a0000", valid_at=at)
    assert pulled is not None
    account = pulled.graph
    params = AnalyticsParams(active_tie_threshold=settings.active_tie_threshold)
    engaged = engagement_graph(account, params)
    ties: dict[str, int] = {}
    for k in account.knows:
        if k.strength >= params.active_tie_threshold:
            ties[k.team_member_id] = ties.get(k.team_member_id, 0) + 1
    busiest = max(ties, key=lambda t: (ties[t], t))
    keys = sorted(key_stakeholders(account))
    reorg = sorted(ties, key=lambda t: (-ties[t], t))[:3] + keys[:5]
    budget = next(c.budget_id for c in account.controls if c.authority == "owner")
    repeats = 5 if quick else 30
    slow = 3 if quick else 7
    lines = [
        f"Account: {len(account.stakeholders):,} stakeholders, {len(account.team_members)} team "
        f"members, {len(account.knows):,} KNOWS, {len(account.influences):,} INFLUENCES, "
        f"{len(account.reports_to):,} REPORTS_TO, {len(account.roles)} roles, "
        f"{len(account.controls)} CONTROLS; engagement graph {engaged.node_count:,} nodes, "
        f"{engaged.edge_count:,} edges, {len(keys)} key stakeholders. Ingested {rows:,} rows "
        f"in {seconds:.1f} s.",
        "",
        f"Departure of one team member: `{busiest}` ({ties[busiest]} active ties). Reorg: "
        f"{', '.join(f'`{p}`' for p in reorg)}. Budget: `{budget}`.",
        "",
        "| measurement | calls | p50 ms | p95 ms | target ms (p50) | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    version = timed(lambda: current_graph_version(graph), repeats)
    lines.append(_row("graph version check (one trivial managed read)", version, None))
    pull = timed(lambda: account_subgraph(graph, "a0000", valid_at=at), repeats)
    lines.append(_row("subgraph pull (one round trip, into AccountGraph)", pull, None))

    # Cold: the app's cache is emptied before each call (version check + pull +
    # analytics, and for the power map betweenness computed). Warm: the graph is
    # unchanged since the untimed first call (version check + cached account +
    # analytics, and for the power map the memoised betweenness).
    entries = settings.analytics_cache_entries or 16
    cold_cache = AccountCache(graph, entries)
    warm_cache = AccountCache(graph, entries)
    UseCase = Callable[[AccountCache], Any]

    def departure_of(people: list[str]) -> UseCase:
        return lambda cache: intel.account_departure_impact(
            cache, settings, "a0000", people, as_of=today, principal=ADMIN
        )

    cases: list[tuple[str, str, Callable[[], Any], UseCase, int]] = [
        (
            "departure impact, 1 team member",
            "departure impact",
            lambda: departure_impact(account, [busiest], params),
            departure_of([busiest]),
            repeats,
        ),
        (
            "departure impact, reorg of 8",
            "departure impact",
            lambda: departure_impact(account, reorg, params),
            departure_of(reorg),
            repeats,
        ),
        (
            "budget control",
            "budget control",
            lambda: budget_control(account, budget, params),
            lambda cache: intel.budget_control(
                cache, settings, budget, as_of=today, principal=ADMIN
            ),
            repeats,
        ),
        (
            "threading",
            "threading",
            lambda: threading_report(account, params),
            lambda cache: intel.account_threading(cache, settings, "a0000", as_of=today),
            repeats,
        ),
        (
            "power map (exact betweenness)",
            "power map (exact betweenness)",
            lambda: power_map(account, params),
            lambda cache: intel.account_power_map(
                cache, settings, "a0000", sort="pagerank", descending=True, as_of=today
            ),
            slow,
        ),
    ]
    # After a write, refreshed: a CRM-like write to this account (one tie's strength,
    # staying active), the refresher's two polls (it waits for one quiet poll, then
    # re-reads), then the timed call: what a user asking a moment after a write sees.
    refreshed_cache = AccountCache(graph, entries)
    refresher = AccountRefresher(refreshed_cache, interval_s=1.0, max_accounts=8)
    tie = next(k for k in account.knows if k.strength >= 0.5)
    strengths = iter([0.8, 0.9] * 1000)
    refresh_ms: list[float] = []

    def write_then_refresh(knows: Knows | None = None, strength: float | None = None) -> None:
        changed = knows or tie
        set_tie_strength(
            graph,
            changed.team_member_id,
            changed.stakeholder_id,
            strength if strength is not None else next(strengths),
        )
        refresher.step()
        t0 = time.perf_counter()
        refresher.step()
        refresh_ms.append((time.perf_counter() - t0) * 1000.0)

    refresher.step()
    for name, target_key, pure, use_case, n in cases:
        console.print(f"  {name} …")
        target = TARGETS_MS[target_key]

        def cold(use_case: UseCase = use_case) -> Any:
            cold_cache.clear()
            return use_case(cold_cache)

        def warm(use_case: UseCase = use_case) -> Any:
            return use_case(warm_cache)

        def refreshed(use_case: UseCase = use_case) -> Any:
            return use_case(refreshed_cache)

        lines.append(_row(f"{name} — analytics only", timed(pure, n), target))
        lines.append(
            _row(
                f"{name} — COLD (version check + pull + analytics + response)",
                timed(cold, n),
                target,
            )
        )
        lines.append(
            _row(
                f"{name} — WARM (version check + cached account + analytics + response)",
                timed(warm, repeats),
                target,
            )
        )
        lines.append(
            _row(
                f"{name} — AFTER A WRITE, REFRESHED (a tie's strength changed, the "
                "refresher caught up; version check + cached account + analytics + response)",
                timed_after(write_then_refresh, refreshed, n),
                target,
            )
        )
    refresh_p50, refresh_p95 = p50_p95(list(refresh_ms))
    # A write that changes the topology (a tie crosses the activity threshold): the
    # refresh recomputes the power map's betweenness too.
    # Each write takes another tie below the threshold: a topology not seen before.
    topology_ms = []
    crossing = [k for k in account.knows if k.strength >= 0.5 and k != tie][: 3 if quick else 7]
    for knows in crossing:
        write_then_refresh(knows, 0.05)
        topology_ms.append(refresh_ms[-1])
    for knows in crossing:
        set_tie_strength(graph, knows.team_member_id, knows.stakeholder_id, knows.strength)
    topology_p50, topology_p95 = p50_p95(topology_ms)
    lines += [
        "",
        f"The refresh itself (background, after the write; re-reads {tie.team_member_id}'s "
        f"account with its engagement graph and betweenness): p50 {refresh_p50:,.0f} ms, "
        f"p95 {refresh_p95:,.0f} ms when the write kept the topology (betweenness reused); "
        f"p50 {topology_p50:,.0f} ms, p95 {topology_p95:,.0f} ms ({len(topology_ms)} writes) "
        "when each write took another tie below the activity threshold (a new topology: "
        "betweenness recomputed).",
    ]
    held = warm_cache.stats()
    lines += [
        "",
        f"Warm cache after the run: {held.hits:,} hits, {held.misses} misses (the untimed "
        f"first calls), {held.derived_hits:,} derived results reused, {held.entries} "
        "account held.",
    ]

    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        departure_of([busiest])(AccountCache(graph, 0))
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        console.print(out.getvalue())
    if not baselines:
        return lines

    console.print("  betweenness: the kernel vs rustworkx vs networkx …")
    rx_graph, _ = engaged.to_rustworkx()
    workers = default_workers()
    variants: list[tuple[str, Callable[[], Any]]] = [
        (
            f"engagement_betweenness: the compiled Brandes kernel, {workers} threads "
            "(what the service uses)",
            lambda: engagement_betweenness(engaged),
        ),
        (
            "the same kernel on 1 thread",
            lambda: exact_betweenness(engaged.indptr, engaged.indices, engaged.present, workers=1),
        ),
        (
            "rustworkx graph_betweenness_centrality, multi-threaded (what the service used before)",
            lambda: rx.graph_betweenness_centrality(rx_graph, normalized=True, endpoints=False),
        ),
        (
            "rustworkx graph_betweenness_centrality forced serial",
            lambda: rx.graph_betweenness_centrality(
                rx_graph, normalized=True, endpoints=False, parallel_threshold=10**9
            ),
        ),
    ]
    lines += [
        "",
        f"Exact betweenness on the engagement graph ({rx_graph.num_nodes():,} nodes, "
        f"{rx_graph.num_edges():,} edges):",
        "",
        "| call | calls | p50 ms | p95 ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, call in variants:
        p50, p95 = p50_p95(timed(call, slow))
        lines.append(f"| {label} | {slow} | {p50:,.0f} | {p95:,.0f} |")
    nx_graph = engaged.to_networkx()
    t0 = time.perf_counter()
    nx.betweenness_centrality(nx_graph, normalized=True)
    nx_ms = (time.perf_counter() - t0) * 1000.0
    lines.append(
        f"| networkx.betweenness_centrality (the reference the tests compare against) "
        f"| 1 | {nx_ms:,.0f} | |"
    )

    console.print("  naive departure impact …")
    ours_one = p50_p95(timed(lambda: departure_impact(account, [busiest], params), repeats))[0]
    ours_reorg = p50_p95(timed(lambda: departure_impact(account, reorg, params), repeats))[0]
    naive_one = timed(lambda: naive_departure(account, [busiest], params), 1, warmup=0)[0]
    naive_reorg = timed(lambda: naive_departure(account, reorg, params), 1, warmup=0)[0]
    lines += [
        "",
        "Naive departure impact (per removed person: rebuild the networkx graph, one search "
        "per key stakeholder for reachability and for the best warm path; one run each) "
        "against the production pass (p50):",
        "",
        "| case | naive ms | production ms | naive ÷ production |",
        "| --- | ---: | ---: | ---: |",
        f"| 1 team member | {naive_one:,.0f} | {ours_one:,.1f} | {naive_one / ours_one:,.0f}× |",
        f"| reorg of 8 | {naive_reorg:,.0f} | {ours_reorg:,.1f} "
        f"| {naive_reorg / ours_reorg:,.0f}× |",
    ]
    return lines


def portfolio_section(graph: Graph, settings: Settings, quick: bool) -> list[str]:
    console.print("Ingesting portfolio-200k …")
    empty_graph(graph)
    rows, seconds = ingest(graph, settings, "portfolio-200k")
    today = date.today()
    repeats = 3 if quick else 10

    def page(**kwargs: Any) -> tuple[Any, str | None]:
        args: dict[str, Any] = {"after": "", "limit": 50, "tier": None, **kwargs}
        return intel.portfolio_threading(graph, settings, principal=ADMIN, as_of=today, **args)

    _, second_after = page()
    lines = [
        f"Portfolio: 400 accounts × 500 = 200,000 stakeholders ({rows:,} rows ingested in "
        f"{seconds:.0f} s). Each page scores every account (of the tier) in one Cypher "
        "statement, sorts by (risk desc, id), cuts the page, then collects the people "
        "behind the page's verdicts.",
        "",
        "| measurement | calls | p50 ms | p95 ms | target ms (p50) | |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    target = TARGETS_MS["portfolio threading"]
    lines.append(_row("portfolio threading, first page of 50", timed(page, repeats), target))
    lines.append(
        _row(
            "portfolio threading, second page (cursor)",
            timed(lambda: page(after=second_after), repeats),
            target,
        )
    )
    lines.append(
        _row(
            "portfolio threading, tier `strategic`, first page",
            timed(lambda: page(tier="strategic"), repeats),
            target,
        )
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench analytics", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--skip-account", action="store_true")
    parser.add_argument("--skip-portfolio", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the last graph in place")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--skip-baselines",
        action="store_true",
        help="skip the betweenness libraries' comparison and the naive departure impact",
    )
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args(argv)
    settings = load_settings()
    graph = Graph.connect(settings)
    try:
        graph.driver.verify_connectivity()
        migrations.migrate(graph, settings.migrations_dir)
        described = machine.describe(graph)
        started = datetime.now(UTC)
        lines = [
            f"## Analytics — {started:%Y-%m-%d %H:%M} UTC",
            "",
            *(f"- {k}: {v}" for k, v in described.items()),
            "",
        ]
        if not args.skip_account:
            lines += ["### One account of 5,000 stakeholders", ""]
            lines += account_section(
                graph, settings, args.quick, args.profile, not args.skip_baselines
            )
            lines.append("")
        if not args.skip_portfolio:
            lines += ["### Portfolio threading over 200,000 stakeholders", ""]
            lines += portfolio_section(graph, settings, args.quick)
            lines.append("")
        if not args.keep:
            empty_graph(graph)
    finally:
        graph.close()
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write("\n" + text)
        console.print(f"Appended to {RESULTS}")
    return 0
