"""CRM sync benchmark (issue 11): a 100,000-contact Salesforce export through the sync path.

``python -m bench sync`` (or ``make bench-sync``) writes the export of
:class:`bench.salesforce_export.ExportSpec` (200 accounts × 500 contacts, their account
relations and opportunity roles, 400 users, account teams and a year of tasks and
events: 406,400 CSV records) into a cache directory outside the repository
(``$POWERMAP_CACHE_DIR/bench/salesforce-<key>``, else ``~/.cache/powermap/bench/…``;
written again when the spec or the generator changes), **empties the configured
database** (everything but the migration bookkeeping) and runs exactly what
``powermap sync salesforce DIR --mode snapshot`` does — :func:`read_salesforce_dir`,
:func:`translate_salesforce`, then :func:`service.domain.sync.apply.sync_upload` with
the command line's defaults (transactions of whole accounts of ≈ 10,000 rows, two
written at a time; ``--workers 1`` for one after another) — twice:

1. the **first snapshot** into the empty graph (everything is created);
2. the **second, identical snapshot** (nothing changes: every row is already so).

rows/s = CSV records read / wall time of the whole sync (read the files, translate,
read the stored facts, diff, build the batch, validate, plan, write). Targets:
≥ 20,000 rows/s, and the second run at least 3× faster than the first. Each pair is
run ``--pairs`` times (default 2) on an emptied graph; every run prints and records the
time per phase, the client's CPU, the machine's load, and appends a section to
``bench/RESULTS.md``. ``--profile`` adds a cProfile of the client side.
Afterwards the graph is emptied again (``--keep`` leaves the data; ``make demo`` /
``powermap seed-demo`` brings the demo back either way).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import pstats
import shutil
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

import service.domain.sync.apply as apply_module
import service.graph.ingest as ingest_store
from bench import machine
from bench.ingest import (
    EMPTY_GRAPH,
    STORED_COUNTS,
    Breakdown,
    local_server_pid,
    machine_busy_seconds,
    process_cpu_seconds,
)
from bench.salesforce_export import ExportSpec, write_export
from service import heap
from service.domain.sync.apply import SyncSummary, sync_upload
from service.domain.sync.mappings import configured_mappings
from service.domain.sync.salesforce import read_salesforce_dir, translate_salesforce
from service.graph import migrations
from service.graph.driver import Graph
from service.settings import Settings, load_settings

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGET_ROWS_PER_SECOND = 20_000
TARGET_SECOND_SPEEDUP = 3.0
#: `powermap sync salesforce`'s default --chunk-rows (service/cli.py).
CHUNK_ROWS = 10_000
#: `powermap sync`'s default --workers (service/cli.py).
WORKERS = 2
GENERATOR = Path(__file__).resolve().parent / "salesforce_export.py"

console = Console(stderr=True)


# The relationships first, in small transactions: a team member of this export has
# thousands of interactions, and DETACH DELETE of 5,000 such nodes at once exceeds the
# server's transaction memory limit.
EMPTY_RELATIONSHIPS = """
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS
"""


def empty_graph(graph: Graph) -> None:
    with graph.driver.session(database=graph.database) as session:
        session.run(EMPTY_RELATIONSHIPS).consume()
        session.run(EMPTY_GRAPH).consume()


def cache_root() -> Path:
    base = os.environ.get("POWERMAP_CACHE_DIR") or str(Path.home() / ".cache" / "powermap")
    return Path(base) / "bench"


def export_dir(spec: ExportSpec) -> tuple[Path, dict[str, int]]:
    """The export of ``spec`` in the cache (written when missing or stale) and its
    record counts per object."""
    key = hashlib.sha256(repr(asdict(spec)).encode() + GENERATOR.read_bytes()).hexdigest()[:12]
    directory = cache_root() / f"salesforce-{key}"
    counts_file = directory / "counts.txt"
    if counts_file.exists():
        counts = {
            name: int(n)
            for name, n in (line.split("\t") for line in counts_file.read_text().splitlines())
        }
        return directory, counts
    console.print(f"Writing the export of {spec} to {directory} ...")
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    counts = write_export(partial, spec)
    (partial / "counts.txt").write_text("".join(f"{k}\t{v}\n" for k, v in counts.items()))
    shutil.rmtree(directory, ignore_errors=True)
    partial.rename(directory)
    return directory, counts


class Phases:
    """Wall time per phase of the sync, measured around the real calls (wrapped, not
    replaced, for the run; unwrapped afterwards). Nested phases ("of which") are part
    of their parent's time."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()
        self.rows_left_out = 0

    def _timed(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
                if fn.__name__ == "drop_unchanged":
                    self.rows_left_out = sum(result[1].values())
                return result
            finally:
                with self.lock:
                    self.seconds[name] += time.perf_counter() - t0
                    self.calls[name] += 1

        return wrapper

    @contextmanager
    def installed(self) -> Iterator[None]:
        targets = [
            (apply_module, "read_sync_facts", "read stored facts"),
            (apply_module, "facts_from_rows", "diff: stored facts as objects"),
            (apply_module, "plan_sync", "diff: plan the endings"),
            (apply_module, "build_batch", "build the batch"),
            (apply_module, "validate_batch", "validate (whole batch)"),
            (ingest_store, "lookup_stored", "  of which: stored-id lookups"),
            (apply_module, "plan_units", "plan the write"),
            (ingest_store, "write_batch", "write transactions (summed over the workers)"),
            (apply_module, "kind_counts_of_records", "summary"),
        ]
        targets.append((apply_module, "drop_unchanged", "diff: leave out unchanged rows"))
        originals = [(mod, attr, getattr(mod, attr)) for mod, attr, _ in targets]
        try:
            for mod, attr, name in targets:
                setattr(mod, attr, self._timed(name, getattr(mod, attr)))
            yield
        finally:
            for mod, attr, original in originals:
                setattr(mod, attr, original)


@dataclass
class SyncRun:
    which: str  # "first" | "second"
    records: int
    seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    machine_busy_seconds: float | None = None
    server_cpu_seconds: float | None = None
    load_before: tuple[float, float] = (0.0, 0.0)
    load_after: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    transactions: int = 0
    rows_written: int = 0
    rows_left_out: int = 0  # unchanged rows the sync did not send
    kinds: dict[str, dict[str, int]] = field(default_factory=dict)
    nodes_stored: int = 0
    edges_stored: int = 0

    @property
    def rows_per_second(self) -> float:
        return self.records / self.seconds

    def cpu_share(self) -> str:
        parts = [f"client {self.client_cpu_seconds:.1f} s"]
        if self.server_cpu_seconds is not None:
            parts.append(f"Neo4j {self.server_cpu_seconds:.1f} s")
        if self.machine_busy_seconds is not None:
            rest = self.machine_busy_seconds - self.client_cpu_seconds
            rest -= self.server_cpu_seconds or 0.0
            parts.append(f"other processes {rest:.1f} s (≈ {rest / self.seconds:.2f} cores)")
        return ", ".join(parts)


def sync_once(
    settings: Settings,
    graph: Graph,
    directory: Path,
    records: int,
    which: str,
    profile: bool,
    breakdown: bool = False,
    workers: int = 1,
) -> tuple[SyncRun, SyncSummary]:
    """One `powermap sync salesforce DIR --mode snapshot`, timed."""
    mappings = configured_mappings(settings.sync_mappings_file)
    run = SyncRun(which=which, records=records)
    load1, load5, _ = os.getloadavg()
    run.load_before = (load1, load5)
    phases = Phases()
    profiler = cProfile.Profile() if profile else None
    server_pid = local_server_pid(settings)
    busy0, server0 = machine_busy_seconds(), process_cpu_seconds(server_pid)
    last = [time.perf_counter()]

    def progress(step: str, done: int, total: int) -> None:
        if step == "writing" and total and done:
            now = time.perf_counter()
            if done == total or now - last[0] > 5:
                last[0] = now
                console.print(f"  {which}: {done:,} of {total:,} batch rows written")

    t0, cpu0 = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    statements = Breakdown() if breakdown else None
    with phases.installed(), statements.installed() if statements else nullcontext():
        with heap.collector_paused():  # as `powermap sync` (service/cli.py)
            t = time.perf_counter()
            parts = read_salesforce_dir(directory)
            phases.seconds["read the CSV files"] = time.perf_counter() - t
            t = time.perf_counter()
            snapshot = translate_salesforce(
                parts, mode="snapshot", effective_at=datetime.now(UTC), mappings=mappings
            )
            phases.seconds["translate"] = time.perf_counter() - t
        del parts
        summary = sync_upload(
            graph,
            settings,
            snapshot,
            mappings,
            chunk_rows=CHUNK_ROWS,
            workers=workers,
            progress=progress,
        )
    if profiler:
        profiler.disable()
    run.seconds = time.perf_counter() - t0
    run.client_cpu_seconds = time.process_time() - cpu0
    busy1, server1 = machine_busy_seconds(), process_cpu_seconds(server_pid)
    if busy0 is not None and busy1 is not None:
        run.machine_busy_seconds = busy1 - busy0
    if server0 is not None and server1 is not None:
        run.server_cpu_seconds = server1 - server0
    run.load_after = os.getloadavg()[0]
    run.phases = dict(phases.seconds)
    run.transactions = summary.write.transactions
    run.rows_left_out = phases.rows_left_out
    run.rows_written = summary.write.rows - run.rows_left_out
    run.kinds = summary.kinds
    [counts] = graph.read(STORED_COUNTS)
    run.nodes_stored, run.edges_stored = counts["nodes"], counts["edges"]
    if statements is not None:
        console.print(f"{which}, write statements:\n" + statements.table(run.seconds))
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        console.print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        console.print(out.getvalue())
    return run, summary


def changed(kinds: dict[str, dict[str, int]]) -> int:
    return sum(c["created"] + c["updated"] + c["ended"] for c in kinds.values())


def phase_table(run: SyncRun) -> str:
    lines = ["| phase | seconds | share |", "| --- | ---: | ---: |"]
    for name, seconds in sorted(run.phases.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name.strip()} | {seconds:.2f} | {seconds / run.seconds:.0%} |")
    return "\n".join(lines)


def report(first: SyncRun, second: SyncRun, m: dict[str, str], pair: int) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    ratio = first.seconds / second.seconds
    verdict_rate = "met" if first.rows_per_second >= TARGET_ROWS_PER_SECOND else "**missed**"
    verdict_ratio = "met" if ratio >= TARGET_SECOND_SPEEDUP else "**missed**"
    out = [
        f"\n### {when} — CRM sync, Salesforce 100k snapshot, pair {pair}\n",
        f"- **first snapshot: {first.rows_per_second:,.0f} rows/s** "
        f"({first.records:,} CSV records in {first.seconds:.1f} s; target ≥ "
        f"{TARGET_ROWS_PER_SECOND:,}: {verdict_rate}); {first.rows_written:,} batch rows in "
        f"{first.transactions} transactions; {first.nodes_stored:,} nodes, "
        f"{first.edges_stored:,} relationships stored",
        f"- **second, identical snapshot: {second.rows_per_second:,.0f} rows/s** "
        f"({second.seconds:.1f} s; {second.rows_written:,} batch rows written, "
        f"{second.rows_left_out:,} left out as unchanged, in "
        f"{second.transactions} transactions; {changed(second.kinds)} facts changed) — "
        f"**{ratio:.1f}× faster** (target ≥ {TARGET_SECOND_SPEEDUP:.0f}×: {verdict_ratio})",
        f"- CPU, first: {first.cpu_share()}; second: {second.cpu_share()}",
        f"- load (1 min, 5 min): first {first.load_before[0]:.2f}, {first.load_before[1]:.2f} "
        f"at start, {first.load_after:.2f} at end; second {second.load_before[0]:.2f}, "
        f"{second.load_before[1]:.2f} at start, {second.load_after:.2f} at end",
        f"- machine: {m['cpu']}, {m['ram']} RAM; server: {m['neo4j']}, {m['neo4j_memory']}; "
        f"client: Python {m['python']}, commit {m['commit']}",
        "",
        "First snapshot, time per phase:\n",
        phase_table(first),
        "",
        "Second snapshot, time per phase:\n",
        phase_table(second),
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sync", description=__doc__)
    parser.add_argument("--pairs", type=int, default=2, help="first/second pairs to run")
    parser.add_argument("--contacts-per-account", type=int, default=500)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="account transactions at a time"
    )
    parser.add_argument("--keep", action="store_true", help="leave the data in the graph")
    parser.add_argument("--profile", action="store_true", help="cProfile the client side")
    parser.add_argument("--breakdown", action="store_true", help="server time per write statement")
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if settings.environment == "production":
        raise SystemExit("refusing to empty a production database for a benchmark")
    spec = ExportSpec(accounts=args.accounts, contacts_per_account=args.contacts_per_account)
    directory, counts = export_dir(spec)
    records = sum(counts.values())
    console.print(
        f"Export: {directory} — {records:,} CSV records "
        f"({', '.join(f'{k} {v:,}' for k, v in counts.items())})"
    )
    status = 0
    with Graph.connect(settings) as graph:
        graph.driver.verify_connectivity()
        migrations.migrate(graph, settings.migrations_dir)
        for pair in range(1, args.pairs + 1):
            console.print(f"Emptying {settings.neo4j_uri} ({settings.neo4j_database}) ...")
            empty_graph(graph)
            m = machine.describe(graph)
            runs = []
            for which in ("first", "second"):
                console.print(f"Pair {pair}: {which} snapshot ...")
                run, _ = sync_once(
                    settings,
                    graph,
                    directory,
                    records,
                    which,
                    args.profile,
                    args.breakdown,
                    args.workers,
                )
                console.print(
                    f"  {which}: {run.seconds:.1f} s, {run.rows_per_second:,.0f} rows/s, "
                    f"{changed(run.kinds):,} facts changed, load {run.load_after:.2f}"
                )
                runs.append(run)
            first, second = runs
            if changed(second.kinds):
                console.print(f"[red]the second snapshot changed something: {second.kinds}")
                status = 1
            section = report(first, second, m, pair)
            print(section)
            if not args.no_record:
                with RESULTS.open("a", encoding="utf-8") as results:
                    results.write(section)
                console.print(f"Appended to {RESULTS}")
        if not args.keep:
            empty_graph(graph)
    return status
