"""``python -m bench alerts`` (``make bench-alerts``): what evaluating the watches costs a
write (issue 12; docs/alerts.md).

A synthetic portfolio (default 100 accounts × 60 stakeholders) is imported and 20
watches are made over it (portfolio, tier and account-list scopes; every condition, two
saved-query conditions), each with its baseline. Then, per round, one ingest batch
touches every account — a key stakeholder leaves, someone's title changes, a team
member logs a strong new tie and a meeting — and the evaluator runs until nothing is
pending, as the service's evaluator thread does after a write. Reported: the write's
own time, the evaluation's (events stored within that time after the commit), their
ratio (target: evaluation < 25 % of the write), the cost per touched account and where
it went, and the events made. Rounds alternate nothing: every round is the same kind of
write on other people, and the median is reported with each round.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rich.console import Console

from bench import machine
from bench.ingest import (
    RESULTS,
    empty_graph,
    local_server_pid,
    process_cpu_seconds,
)
from bench.synthetic import SyntheticSpec, generate
from service.api.request_log import configure_logging
from service.domain.alerts import watches
from service.domain.alerts.evaluation import establish_baseline, evaluate_pending
from service.domain.analytics.account_cache import AccountCache
from service.domain.ingest.batch import import_batches, ingest_batch
from service.domain.queries.catalog import Catalog
from service.graph import migrations
from service.graph.driver import Graph
from service.settings import Settings, load_settings

console = Console(stderr=True)

TARGET_SHARE = 0.25
KEY_ROLES = ("champion", "economic_buyer", "decision_maker")
ALL_PLAIN = [
    "key_stakeholder_left",
    "champion_lost",
    "key_stakeholder_dark",
    "key_stakeholder_single_threaded",
    "single_point_of_failure_appeared",
    "budget_without_owner",
    {"type": "health_dropped", "by": 10},
    "former_champion_joined",
]


def watch_bodies(account_ids: list[str]) -> list[dict[str, Any]]:
    """The 20 watches: 4 over the portfolio, 4 per tier (strategic, key), 8 over lists of
    a quarter of the accounts; every condition, two saved-query conditions."""
    bodies: list[dict[str, Any]] = []
    for i in range(4):
        conditions: list[Any] = list(ALL_PLAIN)
        if i == 0:
            conditions.append(
                {"type": "saved_query_changed", "query": "opportunities_without_champion"}
            )
        if i == 1:
            conditions.append(
                {
                    "type": "saved_query_changed",
                    "query": "key_stakeholder_coverage",
                    "params": {"max_coverage": 1},
                }
            )
        bodies.append(
            {"name": f"portfolio {i}", "scope": {"portfolio": True}, "conditions": conditions}
        )
    for tier in ("strategic", "key"):
        for i in range(4):
            bodies.append(
                {
                    "name": f"{tier} {i}",
                    "scope": {"tier": tier},
                    "conditions": ALL_PLAIN[i * 2 : i * 2 + 4] or ALL_PLAIN[:4],
                }
            )
    quarter = max(1, len(account_ids) // 4)
    for i in range(8):
        start = (i * quarter // 2) % len(account_ids)
        chosen = (account_ids[start:] + account_ids[:start])[:quarter]
        bodies.append(
            {
                "name": f"accounts {i}",
                "scope": {"account_ids": chosen},
                "conditions": ALL_PLAIN[i % 4 : i % 4 + 5],
            }
        )
    return bodies


def round_batch(base: dict[str, Any], round_no: int, today: datetime) -> dict[str, Any]:
    """One write touching every account: per account a key stakeholder leaves, another
    stakeholder's title changes, a team member logs a strong tie and a meeting."""
    by_account: dict[str, list[dict[str, Any]]] = {}
    for s in base["stakeholders"]:
        by_account.setdefault(s["account_id"], []).append(s)
    key_people: dict[str, list[str]] = {}
    for r in base["roles"]:
        if r["role"] in KEY_ROLES:
            account = r["stakeholder_id"].split("-")[0]
            people = key_people.setdefault(account, [])
            if r["stakeholder_id"] not in people:
                people.append(r["stakeholder_id"])
    team_of: dict[str, list[str]] = {}
    for c in base["coverage"]:
        team_of.setdefault(c["account_id"], []).append(c["team_member_id"])
    stamp = today.isoformat().replace("+00:00", "Z")
    batch: dict[str, list[dict[str, Any]]] = {
        "stakeholders": [],
        "relationships": [],
        "interactions": [],
    }
    lines = ("reports_to", "dotted_reports_to")  # left as they are (or closed by a departure)
    for account, everyone in sorted(by_account.items()):
        keys = key_people.get(account, [])
        leaving_id = keys[round_no] if len(keys) > round_no else None
        people = [p for p in everyone if p["id"] != leaving_id]
        if leaving_id is not None:
            leaving = next(p for p in everyone if p["id"] == leaving_id)
            leaves = {k: v for k, v in leaving.items() if k not in lines}
            batch["stakeholders"].append({**leaves, "left_at": stamp})
        retitled = {k: v for k, v in people[-1 - round_no].items() if k not in lines}
        batch["stakeholders"].append({**retitled, "title": f"{retitled['title']} (r{round_no})"})
        tm = team_of.get(account, [])
        if tm:
            target = people[len(people) // 2 + round_no]["id"]
            batch["relationships"].append(
                {
                    "team_member_id": tm[0],
                    "stakeholder_id": target,
                    "strength": 0.9,
                    "last_contact": today.date().isoformat(),
                }
            )
            batch["interactions"].append(
                {
                    "id": f"{account}-bench-r{round_no}",
                    "kind": "meeting",
                    "at": stamp,
                    "team_member_ids": [tm[0]],
                    "stakeholder_ids": [people[3 + round_no]["id"], people[5 + round_no]["id"]],
                }
            )
    return batch


@dataclass
class Round:
    rows: int
    accounts_touched: int
    write_s: float
    evaluation_s: float
    states: int
    events: int
    timings_ms: dict[str, float] = field(default_factory=dict)
    #: CPU seconds of the evaluation: this process (the service's part) and the local
    #: Neo4j server (None when the server is not the local one).
    client_cpu_s: float = 0.0
    server_cpu_s: float | None = None

    @property
    def share(self) -> float:
        return self.evaluation_s / self.write_s


def drain(
    graph: Graph, cache: AccountCache, settings: Settings
) -> tuple[float, int, int, dict[str, float], int]:
    """Evaluate until nothing is pending: seconds, states, events, ms per part, accounts."""
    started = time.perf_counter()
    states = events = accounts = 0
    timings: dict[str, float] = {}
    while True:
        report = evaluate_pending(graph, cache, settings)
        if not report.claimed:
            break
        states += report.states
        events += len(report.events)
        accounts += report.accounts
        for part, ms in report.timings_ms.items():
            timings[part] = timings.get(part, 0.0) + ms
    return time.perf_counter() - started, states, events, timings, accounts


def report(rounds: list[Round], setup: dict[str, Any], m: dict[str, str]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    share = statistics.median(r.share for r in rounds)
    write = statistics.median(r.write_s for r in rounds)
    evaluation = statistics.median(r.evaluation_s for r in rounds)
    touched = rounds[0].accounts_touched
    client_cpu = statistics.median(r.client_cpu_s for r in rounds)
    server_cpus = [r.server_cpu_s for r in rounds if r.server_cpu_s is not None]
    server_cpu = f", Neo4j {statistics.median(server_cpus) * 1000:,.0f} ms" if server_cpus else ""
    verdict = "met" if share < TARGET_SHARE else "**missed**"
    lines = [
        f"\n### {when} — alerts evaluation after a write touching {touched} accounts, 20 watches\n",
        f"- portfolio: {setup['accounts']} accounts × {setup['per_account']} stakeholders "
        f"(imported in {setup['import_s']:.1f} s); 20 watches' baselines in "
        f"{setup['baseline_s']:.1f} s ({setup['baseline_s'] / 20:.2f} s a watch)",
        f"- **median write {write * 1000:,.0f} ms, evaluation {evaluation * 1000:,.0f} ms "
        f"(events stored {evaluation:.2f} s after the commit) = {share:.0%} of the write** "
        f"(target < {TARGET_SHARE:.0%}: {verdict}); "
        f"{evaluation * 1000 / max(1, touched):.1f} ms per touched account",
        f"- evaluation CPU (median): service {client_cpu * 1000:,.0f} ms{server_cpu}",
        f"- load at start: {m['load']}; machine: {m['cpu']}, {m['ram']} RAM; server: "
        f"{m['neo4j']}, {m['neo4j_memory']}; client: Python {m['python']}, commit {m['commit']}",
        "",
        "| round | rows | accounts | write ms | evaluation ms | share | (watch, account) "
        "states | events | evaluation parts (ms) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for i, r in enumerate(rounds, 1):
        parts = ", ".join(f"{k} {v:,.0f}" for k, v in sorted(r.timings_ms.items()))
        lines.append(
            f"| {i} | {r.rows:,} | {r.accounts_touched} | {r.write_s * 1000:,.0f} | "
            f"{r.evaluation_s * 1000:,.0f} | {r.share:.0%} | {r.states:,} | {r.events:,} | "
            f"{parts} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench alerts", description=__doc__)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--stakeholders-per-account", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    configure_logging("WARNING")  # the evaluator's saved-query runs log at INFO
    if settings.environment == "production":
        raise SystemExit("refusing to empty a production database for a benchmark")
    spec = SyntheticSpec(
        accounts=args.accounts,
        stakeholders_per_account=args.stakeholders_per_account,
        team_members=max(10, args.accounts),
        team_per_account=3,
        ties_per_team_member=20,
        roles_per_account=12,
        budgets_per_account=4,
        controls_per_budget=2,
        opportunities_per_account=3,
        interactions_per_account=30,
        today=datetime.now(UTC).date(),
    )
    base = generate(spec)
    with Graph.connect(settings) as graph:
        graph.driver.verify_connectivity()
        migrations.migrate(graph, settings.migrations_dir)
        console.print(f"Emptying {settings.neo4j_uri} ({settings.neo4j_database}) ...")
        empty_graph(graph)
        m = machine.describe(graph)
        started = time.perf_counter()
        import_batches(graph, settings, base, chunk_rows=5_000)
        import_s = time.perf_counter() - started
        cache = AccountCache(graph, 0)
        drain(graph, cache, settings)  # the import's change sets: no watch yet
        catalog = Catalog(settings.queries_dir)
        account_ids = sorted(a["id"] for a in base["accounts"])

        def baseline(watch_id: str) -> None:
            establish_baseline(graph, cache, watch_id, settings)

        started = time.perf_counter()
        for body in watch_bodies(account_ids):
            watches.create_watch(
                graph,
                watches.NewWatch.model_validate(body),
                catalog=catalog,
                allowed_hosts=(),
                created_by=None,
                baseline=baseline,
            )
        baseline_s = time.perf_counter() - started
        console.print(
            f"Imported in {import_s:.1f} s; 20 watches with baselines in {baseline_s:.1f} s"
        )
        server_pid = local_server_pid(settings)
        rounds: list[Round] = []
        for round_no in range(args.rounds):
            batch = round_batch(base, round_no, datetime.now(UTC))
            rows = sum(len(v) for v in batch.values())
            started = time.perf_counter()
            summary = ingest_batch(graph, settings, batch)
            write_s = time.perf_counter() - started
            touched = len({a for cs in summary.change_sets for a in cs.accounts})
            cpu0, server0 = time.process_time(), process_cpu_seconds(server_pid)
            evaluation_s, states, events, timings, _ = drain(graph, cache, settings)
            client_cpu_s = time.process_time() - cpu0
            server1 = process_cpu_seconds(server_pid)
            server_cpu_s = None if server0 is None or server1 is None else server1 - server0
            rounds.append(
                Round(
                    rows,
                    touched,
                    write_s,
                    evaluation_s,
                    states,
                    events,
                    timings,
                    client_cpu_s,
                    server_cpu_s,
                )
            )
            console.print(
                f"round {round_no + 1}: {rows} rows, {touched} accounts, write "
                f"{write_s * 1000:,.0f} ms, evaluation {evaluation_s * 1000:,.0f} ms, "
                f"{events} events; CPU service {client_cpu_s * 1000:,.0f} ms"
                + ("" if server_cpu_s is None else f", Neo4j {server_cpu_s * 1000:,.0f} ms")
            )
        empty_graph(graph)
    section = report(
        rounds,
        {
            "accounts": args.accounts,
            "per_account": args.stakeholders_per_account,
            "import_s": import_s,
            "baseline_s": baseline_s,
        },
        m,
    )
    print(section)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(section)
        console.print(f"Appended to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
