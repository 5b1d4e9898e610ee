"""Export benchmark: ``powermap export`` over the 100,000-stakeholder portfolio, peak memory.

``python -m bench export`` (or ``make bench-export``) **empties the configured
database** (everything but the migration bookkeeping), loads the ``ingest-100k``
portfolio (200 accounts × 500 stakeholders, 400 team members, ≈ 500,000 edges;
:mod:`bench.synthetic`) through the real ingest path (``--reuse`` skips this when that
portfolio is already loaded, e.g. by ``--keep``), then runs ``powermap export --format F``
for each format as its own process, its stdout to a file, and records:

- the wall time and the peak resident memory (``ru_maxrss`` of the export process,
  read by a small parent so the benchmark's own size does not leak into it: the whole
  process, Python, numpy/numba, the driver and the writer);
- the file's size and its nodes and edges (every writer puts one node or edge per
  line; every format must count the same, and more nodes than stakeholders, or the
  run fails);
- for scale, the same for one account alone (``--account``) and for a process that
  only imports the CLI (the floor no export can go under).

Streaming is what keeps the peak flat: one account is in memory at a time, edges are
spooled (to a temporary file past a few MB) until the nodes are written, and only the
team members are held until the end (docs/export.md). Results, with the machine, its
load before and after and who used the CPU, go to ``bench/RESULTS.md``. The graph is
emptied at the end (``--keep`` leaves the portfolio; ``powermap seed-demo`` brings the
demo back).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench import machine
from bench.ingest import (
    EMPTY_GRAPH,
    local_server_pid,
    machine_busy_seconds,
    process_cpu_seconds,
)
from bench.synthetic import generate, preset
from service.domain.ingest import import_batches
from service.graph import migrations
from service.graph.driver import Graph
from service.settings import Settings, load_settings

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
FORMATS = ("graphml", "gexf", "json")
PRESET = "ingest-100k"
POWERMAP = str(Path(sys.executable).with_name("powermap"))
COUNTS = """
CALL () { MATCH (s:Stakeholder) RETURN count(s) AS stakeholders }
CALL () { MATCH (a:Account) RETURN count(a) AS accounts }
RETURN stakeholders, accounts
"""

console = Console(stderr=True)

# Run by a small Python between this process and `powermap`: Linux carries a process's
# peak RSS across fork and exec (the child of this ~700 MiB process would start with
# that high-water mark), so the measured process is forked from a small one, and its
# own ru_maxrss (KiB) and CPU time are printed last on stderr.
_MEASURE = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:], stderr=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_maxrss, usage.ru_utime + usage.ru_stime, file=sys.stderr)
sys.exit(code)
"""


@dataclass
class Run:
    """One measured process."""

    what: str
    seconds: float
    max_rss_mib: float
    cpu_seconds: float
    size_mib: float
    nodes: int
    edges: int
    server_cpu_seconds: float | None
    machine_busy_seconds: float | None


def _count(path: Path, fmt: str) -> tuple[int, int]:
    """Nodes and edges of a document written one node or edge per line."""
    node, edge = {
        "graphml": ("<node ", "<edge "),
        "gexf": ("<node ", "<edge "),
        "json": ('{"id":', '{"source":'),
    }[fmt]
    nodes = edges = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith(node):
                nodes += 1
            elif line.startswith(edge):
                edges += 1
    return nodes, edges


def measure(what: str, args: list[str], fmt: str, workdir: Path, settings: Settings) -> Run:
    """Run one ``powermap`` process, stdout to a file, and read its peak memory."""
    out = workdir / f"export.{fmt}"
    server_pid = local_server_pid(settings)
    busy0, server0 = machine_busy_seconds(), process_cpu_seconds(server_pid)
    with out.open("wb") as sink:
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, POWERMAP, *args],
            stdout=sink,
            stderr=subprocess.PIPE,
            check=False,
        )
        seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"powermap {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
    max_rss_kib, cpu_seconds = (float(v) for v in done.stderr.decode().split()[-2:])
    busy1, server1 = machine_busy_seconds(), process_cpu_seconds(server_pid)
    nodes, edges = _count(out, fmt) if fmt else (0, 0)
    run = Run(
        what=what,
        seconds=seconds,
        max_rss_mib=max_rss_kib / 1024,
        cpu_seconds=cpu_seconds,
        size_mib=out.stat().st_size / 1024 / 1024,
        nodes=nodes,
        edges=edges,
        server_cpu_seconds=None if server0 is None or server1 is None else server1 - server0,
        machine_busy_seconds=None if busy0 is None or busy1 is None else busy1 - busy0,
    )
    out.unlink()
    console.print(
        f"{what}: {seconds:.1f} s, peak RSS {run.max_rss_mib:,.0f} MiB, "
        f"{run.size_mib:,.1f} MiB, {nodes:,} nodes, {edges:,} edges"
    )
    return run


def load_portfolio(graph: Graph, settings: Settings) -> float:
    """Empty the graph and import the 100k portfolio; the seconds it took."""
    batch = generate(preset(PRESET))
    with graph.driver.session(database=graph.database) as session:
        session.run(EMPTY_GRAPH).consume()
    console.print(f"Importing {PRESET} ({len(batch['stakeholders']):,} stakeholders) ...")
    t0 = time.perf_counter()
    import_batches(graph, settings, batch, 10_000, workers=2)
    return time.perf_counter() - t0


def _cpu(run: Run) -> str:
    cores = os.cpu_count() or 1
    parts = [f"export process {run.cpu_seconds:.1f} s"]
    if run.server_cpu_seconds is not None:
        parts.append(f"Neo4j {run.server_cpu_seconds:.1f} s")
    if run.machine_busy_seconds is not None:
        rest = run.machine_busy_seconds - run.cpu_seconds - (run.server_cpu_seconds or 0.0)
        parts.append(f"others {rest:.1f} s (≈ {rest / run.seconds:.2f} of {cores} cores)")
    return ", ".join(parts)


def report(runs: list[Run], info: dict[str, str], load_after: str, stakeholders: int) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n### {when} — export, `{PRESET}` ({stakeholders:,} stakeholders)\n",
        "`python -m bench export`: `powermap export --format F > file`, each its own "
        "process; peak memory is the process's `ru_maxrss`.\n",
        "| run | wall s | peak RSS MiB | file MiB | nodes | edges | CPU (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in runs:
        lines.append(
            f"| {r.what} | {r.seconds:.1f} | {r.max_rss_mib:,.0f} | {r.size_mib:,.1f} | "
            f"{r.nodes:,} | {r.edges:,} | {_cpu(r)} |"
        )
    lines += [
        "",
        f"- machine: {info['cpu']}, {info['ram']} RAM, load {info['load']}, "
        f"{load_after} (1 min) at the end; the 2 cores are shared with other sessions "
        "(the 'others' CPU column)",
        f"- server: {info['neo4j']}, {info['neo4j_memory']}; client: Python "
        f"{info['python']}, commit {info['commit']}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench export", description=__doc__)
    parser.add_argument(
        "--reuse", action="store_true", help="the portfolio is loaded already: do not re-import"
    )
    parser.add_argument("--keep", action="store_true", help="leave the portfolio in the graph")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated")
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to bench/RESULTS.md"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if settings.environment == "production":
        raise SystemExit("refusing to empty a production database for a benchmark")
    formats = [f for f in args.formats.split(",") if f]
    with Graph.connect(settings) as graph:
        graph.driver.verify_connectivity()
        migrations.migrate(graph, settings.migrations_dir)
        if not args.reuse:
            seconds = load_portfolio(graph, settings)
            console.print(f"Imported in {seconds:.1f} s")
        [counts] = graph.read(COUNTS)
        if counts["stakeholders"] == 0:
            raise SystemExit("no portfolio loaded (run without --reuse)")
        info = machine.describe(graph)
        runs: list[Run] = []
        with tempfile.TemporaryDirectory(prefix="powermap-bench-export-") as tmp:
            workdir = Path(tmp)
            runs.append(measure("`powermap --help` (the floor)", ["--help"], "", workdir, settings))
            runs.append(
                measure(
                    "one account (`--account a0000 --format json`)",
                    ["export", "--account", "a0000", "--format", "json"],
                    "json",
                    workdir,
                    settings,
                )
            )
            for fmt in formats:
                run = measure(
                    f"whole portfolio, `--format {fmt}`",
                    ["export", "--format", fmt],
                    fmt,
                    workdir,
                    settings,
                )
                runs.append(run)
        whole = [r for r in runs if r.what.startswith("whole")]
        if len({(r.nodes, r.edges) for r in whole}) > 1 or any(
            r.nodes <= counts["stakeholders"] * 0.9 for r in whole
        ):
            raise SystemExit(f"the formats wrote different graphs: {whole}")
        load_after = f"{os.getloadavg()[0]:.2f}"
        if not args.keep:
            with graph.driver.session(database=graph.database) as session:
                session.run(EMPTY_GRAPH).consume()
    section = report(runs, info, load_after, counts["stakeholders"])
    print(section)
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(section)
        console.print(f"Appended to {RESULTS}")
    return 0
