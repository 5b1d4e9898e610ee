"""Ingest benchmark: a synthetic portfolio through the real ingest path, into an empty graph.

``python -m bench ingest`` (or ``make bench-ingest``) generates the ``ingest-100k``
portfolio (100,000 stakeholders, ≈ 500,000 edges in ≈ 355,000 rows; see
:mod:`bench.synthetic`), **empties the configured database** (everything but the
migration bookkeeping), and loads the portfolio with
:func:`service.domain.ingest.import_batches` — validation of the whole input against
the stored graph, then one managed transaction per chunk of whole accounts, two at a
time by default (``--workers``) — exactly what ``powermap import`` does. It prints
rows/s and edges/s and appends them, with the machine and who used its CPU during the
import, to ``bench/RESULTS.md``. Afterwards the graph is emptied again (``--keep``
leaves the data; ``powermap seed-demo`` brings the demo back either way).

Target (issue 2): ≥ 20,000 rows/s. ``--breakdown`` times each phase and the server's
work per statement; ``--profile`` adds a cProfile of the client side (validation,
planning, parameter building, driver I/O waits; the main thread only, so use it with
``--workers 1``) to find where time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TimeElapsedColumn,
)
from rich.text import Text

import service.domain.ingest.batch as ingest_use_case
import service.graph.ingest as ingest_store
from bench import machine
from bench.synthetic import PRESETS, count_edges, count_rows, generate, preset
from service import local_neo4j
from service.domain.ingest import import_batches
from service.graph import migrations
from service.graph.cypher_files import cypher
from service.graph.driver import Graph
from service.settings import Settings, load_settings

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_ROWS_PER_SECOND = 20_000
# The best measured settings on the 2-core benchmark machine (bench/RESULTS.md): two
# account transactions in flight keep both cores busy, ~10,000 statement rows per
# transaction keep per-statement and per-commit costs small. `powermap import` takes the
# same as --chunk-rows / --workers.
CHUNK_ROWS = 10_000
WORKERS = 2

# CALL {} IN TRANSACTIONS must run in an auto-commit transaction (like the test fixture).
EMPTY_GRAPH = """
MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
"""
STORED_COUNTS = """
CALL () { MATCH (n) WHERE NOT n:__Migration AND NOT n:__MigrationLock RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS edges }
RETURN nodes, edges
"""
STORED_BY_TYPE = "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n ORDER BY type"

console = Console(stderr=True)


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:>9,.0f} rows/s" if speed else "        – rows/s")


class Breakdown:
    """Time per phase and per write statement, measured around the real calls.

    Only with ``--breakdown``: the ingest functions are wrapped (not replaced) for the
    run and unwrapped afterwards. Phases are client wall time (summed over the workers,
    so with several workers they can add up to more than the run). The write statements
    of a transaction are sent back to back, so each one's time is the server's own
    (``result_available_after`` + ``result_consumed_after``); the statements that wait
    for earlier rows (``derived_knows``, ``reporting_cycles``) show their round trip.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()
        self.names: dict[str, str] = {
            cypher(f"ingest/{s.value}"): s.value for s in ingest_store.Statement
        }
        names = [spec[1] for spec in ingest_store.FOR_CREATED.values() if spec[1]]
        for extra in ("derived_knows", "reporting_cycles", *names):
            self.names[cypher(f"ingest/{extra}")] = extra

    def _add(self, name: str, seconds: float) -> None:
        with self.lock:
            self.seconds[name] += seconds
            self.calls[name] += 1

    def _timed(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self._add(name, time.perf_counter() - t0)

        return wrapper

    def _per_statement(self, run_rows: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(tx: Any, text: str, params: Mapping[str, Any]) -> Any:
            t0 = time.perf_counter()
            try:
                return run_rows(tx, text, params)
            finally:
                name = f"  {self.names.get(text, 'other')} (round trip)"
                self._add(name, time.perf_counter() - t0)

        return wrapper

    def _server_time(self, statement_rows: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(result: Any) -> Any:
            rows = statement_rows(result)
            summary = result.consume()
            server_ms = (summary.result_available_after or 0) + (summary.result_consumed_after or 0)
            self._add(f"  {self.names.get(summary.query, 'other')} (server)", server_ms / 1000)
            return rows

        return wrapper

    @contextmanager
    def installed(self) -> Iterator[None]:
        def timed(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
            return lambda fn: self._timed(name, fn)

        patches: list[tuple[Any, str, Callable[[Callable[..., Any]], Callable[..., Any]]]] = [
            (ingest_use_case, "validate_batch", timed("validate (whole input)")),
            (ingest_store, "lookup_stored", timed("  of which: stored-id lookups")),
            (ingest_use_case, "plan_units", timed("plan (client)")),
            (ingest_store, "write_batch", timed("write transactions (total)")),
            (ingest_store, "run_rows", self._per_statement),
            (ingest_store, "statement_rows", self._server_time),
        ]
        originals = [(mod, attr, getattr(mod, attr)) for mod, attr, _ in patches]
        try:
            for mod, attr, wrap in patches:
                setattr(mod, attr, wrap(getattr(mod, attr)))
            yield
        finally:
            for mod, attr, original in originals:
                setattr(mod, attr, original)

    def table(self, total: float) -> str:
        lines = [f"{'phase / statement':40} {'calls':>6} {'seconds':>8} {'share':>6}"]
        for name, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1]):
            lines.append(f"{name:40} {self.calls[name]:>6} {seconds:>8.2f} {seconds / total:>6.1%}")
        return "\n".join(lines)


@dataclass
class IngestRun:
    preset: str
    chunk_rows: int
    workers: int
    rows: int
    edges_expected: int
    stakeholders: int
    generate_seconds: float = 0.0
    seconds: float = 0.0
    first_chunk_seconds: float = 0.0  # validation of the whole input + the first chunk
    client_cpu_seconds: float = 0.0  # this process's CPU time during the import
    machine_busy_seconds: float | None = None  # CPU time of the whole machine, if known
    server_cpu_seconds: float | None = None  # of the local Neo4j this project started
    load_after: str = ""
    transactions: int = 0
    nodes_stored: int = 0
    edges_stored: int = 0
    edges_by_type: dict[str, int] = field(default_factory=dict)
    machine: dict[str, str] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds

    @property
    def edges_per_second(self) -> float:
        return self.edges_stored / self.seconds


def machine_busy_seconds() -> float | None:
    """CPU time all cores spent busy since boot (Linux ``/proc/stat``), else None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process (Linux ``/proc/<pid>/stat``), else None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def local_server_pid(settings: Settings) -> int | None:
    """The pid of the local Neo4j `powermap neo4j start` runs, if that is the one used."""
    instance = local_neo4j.default_instance()
    return local_neo4j.running_pid(instance) if instance.uri == settings.neo4j_uri else None


def cpu_share(result: IngestRun) -> str:
    """Who used the machine's CPU during the import, as far as it can be told."""
    if result.machine_busy_seconds is None:
        return f"the client used {result.client_cpu_seconds:.1f} s of CPU"
    cores = os.cpu_count() or 1
    parts = [f"client {result.client_cpu_seconds:.1f} s"]
    rest = result.machine_busy_seconds - result.client_cpu_seconds
    if result.server_cpu_seconds is not None:
        parts.append(f"Neo4j server {result.server_cpu_seconds:.1f} s")
        rest -= result.server_cpu_seconds
        others = "other processes"
    else:
        others = "server and other processes"
    parts.append(f"{others} {rest:.1f} s (≈ {rest / result.seconds:.2f} cores)")
    busy = result.machine_busy_seconds / (result.seconds * cores)
    return f"CPU during the import ({cores} cores {busy:.0%} busy): " + ", ".join(parts)


def empty_graph(graph: Graph) -> None:
    with graph.driver.session(database=graph.database) as session:
        session.run(EMPTY_GRAPH).consume()


def run(
    settings: Settings,
    preset_name: str = "ingest-100k",
    chunk_rows: int = CHUNK_ROWS,
    *,
    workers: int = WORKERS,
    keep: bool = False,
    profile: bool = False,
    breakdown: Breakdown | None = None,
) -> IngestRun:
    if settings.environment == "production":
        raise SystemExit("refusing to empty a production database for a benchmark")
    database = settings.neo4j_database
    started = time.perf_counter()
    batch = generate(preset(preset_name))
    edges = count_edges(batch)
    result = IngestRun(
        preset=preset_name,
        chunk_rows=chunk_rows,
        workers=workers,
        rows=count_rows(batch),
        edges_expected=sum(edges.values()),
        stakeholders=len(batch["stakeholders"]),
        generate_seconds=time.perf_counter() - started,
    )
    with Graph.connect(settings) as graph:
        graph.driver.verify_connectivity()
        migrations.migrate(graph, settings.migrations_dir)
        console.print(f"Emptying {settings.neo4j_uri} ({database}) ...")
        empty_graph(graph)
        result.machine = machine.describe(graph)
        console.print(
            f"Loading {result.rows:,} rows ({result.stakeholders:,} stakeholders, "
            f"≈{result.edges_expected:,} edges) in chunks of {chunk_rows:,} rows, "
            f"{workers} worker(s)"
        )
        columns = (
            "{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            RowsPerSecond(),
            TimeElapsedColumn(),
        )
        profiler = cProfile.Profile() if profile else None
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("ingest", total=result.rows)
            first: list[float] = []

            def progress(rows: int) -> None:
                if not first:
                    first.append(time.perf_counter())
                bar.advance(task, rows)

            server_pid = local_server_pid(settings)
            busy0, server0 = machine_busy_seconds(), process_cpu_seconds(server_pid)
            t0, cpu0 = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            if breakdown is not None:
                with breakdown.installed():
                    summary = import_batches(
                        graph,
                        settings,
                        batch,
                        chunk_rows,
                        progress,
                        workers=workers,
                    )
            else:
                summary = import_batches(
                    graph,
                    settings,
                    batch,
                    chunk_rows,
                    progress,
                    workers=workers,
                )
            if profiler:
                profiler.disable()
            result.seconds = time.perf_counter() - t0
            result.client_cpu_seconds = time.process_time() - cpu0
            busy1, server1 = machine_busy_seconds(), process_cpu_seconds(server_pid)
            if busy0 is not None and busy1 is not None:
                result.machine_busy_seconds = busy1 - busy0
            if server0 is not None and server1 is not None:
                result.server_cpu_seconds = server1 - server0
            result.load_after = f"{os.getloadavg()[0]:.2f}"
        result.first_chunk_seconds = (first[0] - t0) if first else result.seconds
        result.transactions = summary.transactions
        [counts] = graph.read(STORED_COUNTS)
        result.nodes_stored, result.edges_stored = counts["nodes"], counts["edges"]
        result.edges_by_type = {r["type"]: r["n"] for r in graph.read(STORED_BY_TYPE)}
        if not keep:
            empty_graph(graph)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        console.print(out.getvalue())
    return result


def report(result: IngestRun) -> str:
    """The Markdown section RESULTS.md gets for one run."""
    m = result.machine
    verdict = "met" if result.rows_per_second >= TARGET_ROWS_PER_SECOND else "**missed**"
    by_type = ", ".join(f"{k} {v:,}" for k, v in result.edges_by_type.items())
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"\n### {when} — ingest, `{result.preset}`\n\n"
        f"- **{result.rows_per_second:,.0f} rows/s, {result.edges_per_second:,.0f} edges/s** "
        f"(target ≥ {TARGET_ROWS_PER_SECOND:,} rows/s: {verdict})\n"
        f"- {result.rows:,} rows → {result.nodes_stored:,} nodes and "
        f"{result.edges_stored:,} relationships in {result.seconds:.1f} s, "
        f"{result.transactions} write transactions of ≤ {result.chunk_rows:,} rows "
        f"({result.workers} worker(s)); "
        f"validation of the whole input and the first chunk took "
        f"{result.first_chunk_seconds:.1f} s\n"
        f"- {cpu_share(result)}\n"
        f"- relationships: {by_type}\n"
        f"- machine: {m['cpu']}, {m['ram']} RAM, load {m['load']}, "
        f"{result.load_after} (1 min) at the end\n"
        f"- server: {m['neo4j']}, {m['neo4j_memory']}; client: Python {m['python']}, "
        f"commit {m['commit']}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ingest", description=__doc__)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="ingest-100k")
    parser.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS)
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="concurrent account transactions"
    )
    parser.add_argument("--keep", action="store_true", help="leave the data in the graph")
    parser.add_argument("--profile", action="store_true", help="cProfile the client side")
    parser.add_argument(
        "--breakdown", action="store_true", help="time each phase and write statement"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    breakdown = Breakdown() if args.breakdown else None
    result = run(
        load_settings(),
        args.preset,
        args.chunk_rows,
        workers=args.workers,
        keep=args.keep,
        profile=args.profile,
        breakdown=breakdown,
    )
    section = report(result)
    print(section)
    if breakdown is not None:
        print(breakdown.table(result.seconds))
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(section)
        console.print(f"Appended to {RESULTS}")
    return 0
