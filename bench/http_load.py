"""HTTP throughput of the request path (issue 13): Powermap against its peers, on loopback.

``python -m bench http`` (or ``make bench-http``) loads the demo portfolio (idempotent,
``powermap seed-demo``'s loader), creates a read key for the run (revoked at the end),
and starts, each with uvicorn on 127.0.0.1 and the same number of workers:

- the peers of ``bench/http_peers.py``: a bare FastAPI app (``/healthz``, the
  ceiling), the same plus one index-backed stakeholder lookup through the async driver
  (``lookup``), and through the sync driver in a ``def`` route (``lookup-sync``);
- Powermap (``powermap serve --workers N``).

Then it drives each endpoint with wrk (Debian's ``wrk``; ``make bench-http`` installs
it; the benchmark stops with a message when it is missing) for ``--duration`` seconds
with ``--connections`` connections on one thread, one endpoint after another, and
repeats the whole sequence ``--rounds`` times, rotating the order, so that every
endpoint sees the same background load. The median round of each endpoint gives its
req/s, p50 and p99 (wrk's latency distribution), and each Powermap endpoint gets its
ratio against its peer. The result, with the machine, its load and the settings, is
appended to ``bench/RESULTS.md``.

The machine is shared: a ratio measured in the same run is what counts, not the
absolute numbers. Each run also records the CPU the server's processes and the local
Neo4j spent per request (``/proc``; the round with the median total): on a machine
whose cores are shared with other work, the peer's CPU per request over ours is a
steadier view of the same ratio than req/s, which also measures the wait for a core.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bench import machine
from bench.ingest import RESULTS, local_server_pid, process_cpu_seconds
from service.demo.seed import seed_demo
from service.domain.access import Scope, create_key, revoke_key
from service.graph import migrations
from service.graph.driver import Graph
from service.settings import load_settings

console = Console(stderr=True)

ROOT = Path(__file__).resolve().parent.parent
STAKEHOLDER = "acme-p001"
ACCOUNT = "acme"


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    argv: list[str]


@dataclass(frozen=True)
class Target:
    name: str
    server: str
    path: str
    auth: bool
    peer: str | None  # the target the ratio is taken against


@dataclass(frozen=True)
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    #: CPU per request of the server's processes and of Neo4j (ms), when measured.
    server_cpu_ms: float | None = None
    neo4j_cpu_ms: float | None = None

    @property
    def cpu_ms(self) -> float | None:
        """CPU per request of the server and Neo4j together (what a 2-core machine
        shares out), when both were measured."""
        if self.server_cpu_ms is None or self.neo4j_cpu_ms is None:
            return None
        return self.server_cpu_ms + self.neo4j_cpu_ms


TARGETS = [
    Target("bare FastAPI `async def` → dict", "bare", "/healthz", False, None),
    Target(
        "bare FastAPI + 1 lookup (async driver)",
        "lookup",
        f"/v1/stakeholders/{STAKEHOLDER}",
        False,
        None,
    ),
    Target(
        "bare FastAPI + 1 lookup (sync driver, `def`)",
        "lookup-sync",
        f"/v1/stakeholders/{STAKEHOLDER}",
        False,
        None,
    ),
    Target("Powermap `GET /healthz`", "powermap", "/healthz", False, "bare"),
    Target(
        f"Powermap `GET /v1/stakeholders/{STAKEHOLDER}`",
        "powermap",
        f"/v1/stakeholders/{STAKEHOLDER}",
        True,
        "lookup",
    ),
    Target(
        f"Powermap `GET /v1/accounts/{ACCOUNT}`",
        "powermap",
        f"/v1/accounts/{ACCOUNT}",
        True,
        "lookup",
    ),
    Target(
        f"Powermap `GET /v1/accounts/{ACCOUNT}/threading` (cached)",
        "powermap",
        f"/v1/accounts/{ACCOUNT}/threading",
        True,
        "lookup",
    ),
]

#: The goal of each Powermap endpoint against its peer (issue 13).
GOALS = {"bare": 0.5, "lookup": 0.8}
THREADING_GOAL = 0.5


def _wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "wrk is not installed: run `make bench-http` (it installs Debian's wrk) or "
            "`apt-get install -y wrk`"
        )
    return wrk


_LATENCY = re.compile(r"^\s*(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> Sample:
    """req/s, p50, p99 and errors from ``wrk --latency``'s report."""
    rps = _RPS.search(output)
    latencies = {m.group(1): _ms(m.group(2), m.group(3)) for m in _LATENCY.finditer(output)}
    if rps is None or "50" not in latencies or "99" not in latencies:
        raise RuntimeError(f"cannot read wrk's report:\n{output}")
    errors = sum(int(m) for m in _ERRORS.findall(output))
    socket = _SOCKET.search(output)
    if socket:
        errors += sum(int(g) for g in socket.groups())
    requests = _REQUESTS.search(output)
    return Sample(
        float(rps.group(1)),
        latencies["50"],
        latencies["99"],
        errors,
        int(requests.group(1)) if requests else 0,
    )


def run_wrk(url: str, *, key: str | None, connections: int, duration: int) -> Sample:
    argv = [_wrk(), "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if key is not None:
        argv[1:1] = ["-H", f"Authorization: Bearer {key}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU time of the live processes of process group ``pgid`` (a server
    and its uvicorn workers: each server starts in a session of its own)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(
    url: str, *, key: str | None, connections: int, duration: int, pgid: int, neo4j: int | None
) -> Sample:
    """:func:`run_wrk`, with the CPU the server and Neo4j spent per request meanwhile."""
    server_before, neo4j_before = group_cpu_seconds(pgid), process_cpu_seconds(neo4j)
    sample = run_wrk(url, key=key, connections=connections, duration=duration)
    server_after, neo4j_after = group_cpu_seconds(pgid), process_cpu_seconds(neo4j)
    if not sample.requests:
        return sample
    per_request = 1000.0 / sample.requests
    return replace(
        sample,
        server_cpu_ms=(server_after - server_before) * per_request,
        neo4j_cpu_ms=(
            None
            if neo4j_before is None or neo4j_after is None
            else (neo4j_after - neo4j_before) * per_request
        ),
    )


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    until = time.monotonic() + timeout_s
    while time.monotonic() < until:
        if process.poll() is not None:
            raise SystemExit(f"the server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout_s:.0f} s")


def _servers(workers: int, base_port: int) -> list[Server]:
    python = sys.executable
    uvicorn = [python, "-m", "uvicorn", "--factory", "--host", "127.0.0.1", "--no-access-log"]
    powermap = str(Path(python).with_name("powermap"))
    return [
        Server(
            "bare",
            base_port,
            [*uvicorn, f"--port={base_port}", f"--workers={workers}", "bench.http_peers:bare_app"],
        ),
        Server(
            "lookup",
            base_port + 1,
            [
                *uvicorn,
                f"--port={base_port + 1}",
                f"--workers={workers}",
                "bench.http_peers:lookup_app",
            ],
        ),
        Server(
            "lookup-sync",
            base_port + 2,
            [
                *uvicorn,
                f"--port={base_port + 2}",
                f"--workers={workers}",
                "bench.http_peers:lookup_sync_app",
            ],
        ),
        Server(
            "powermap",
            base_port + 3,
            [powermap, "serve", "--port", str(base_port + 3), "--workers", str(workers)],
        ),
    ]


def median_cpu(runs: list[Sample]) -> float | None:
    """The median CPU per request (server + Neo4j) over the rounds that measured it."""
    parts = median_cpu_parts(runs)
    return None if parts is None else parts[0] + parts[1]


def median_cpu_parts(runs: list[Sample]) -> tuple[float, float] | None:
    """The server's and Neo4j's CPU per request of the round with the median total."""
    measured_runs = sorted((s for s in runs if s.cpu_ms is not None), key=lambda s: s.cpu_ms or 0)
    if not measured_runs:
        return None
    middle = measured_runs[len(measured_runs) // 2]
    assert middle.server_cpu_ms is not None and middle.neo4j_cpu_ms is not None
    return middle.server_cpu_ms, middle.neo4j_cpu_ms


def _table(
    rows: list[tuple[Target, Sample, str, str]], cpu: dict[str, tuple[float, float] | None]
) -> str:
    lines = [
        "| endpoint | req/s | p50 ms | p99 ms | errors | vs peer | CPU ms/req (server + Neo4j) "
        "| peer's CPU/req ÷ ours |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for target, sample, ratio, cpu_ratio in rows:
        parts = cpu.get(target.name)
        spent = f"{parts[0] + parts[1]:.2f} ({parts[0]:.2f} + {parts[1]:.2f})" if parts else "—"
        lines.append(
            f"| {target.name} | {sample.rps:,.0f} | {sample.p50_ms:.1f} | "
            f"{sample.p99_ms:.1f} | {sample.errors} | {ratio} | {spent} | {cpu_ratio} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench http", description=__doc__)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=18700, help="first of four loopback ports")
    parser.add_argument("--only", action="append", default=None, help="servers to run (names)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args(argv)
    _wrk()
    settings = load_settings()
    with Graph.connect(settings) as graph:
        migrations.migrate(graph, settings.migrations_dir)
        seed_demo(graph, settings)
        if not graph.read("MATCH (s:Stakeholder {id: $id}) RETURN s.id AS id", id=STAKEHOLDER):
            raise SystemExit(f"the demo has no stakeholder {STAKEHOLDER}")
        m = machine.describe(graph)
        created = create_key(graph, "bench http", [Scope.READ])
    servers = [s for s in _servers(args.workers, args.port) if not args.only or s.name in args.only]
    targets = [t for t in TARGETS if any(s.name == t.server for s in servers)]
    by_server = {s.name: s for s in servers}
    logs = Path(tempfile.mkdtemp(prefix="powermap-bench-http-"))
    processes: list[subprocess.Popen[bytes]] = []
    env = {**os.environ, "POWERMAP_ALERTS_WEBHOOK_ALLOWED_HOSTS": "[]"}
    samples: dict[str, list[Sample]] = {t.name: [] for t in targets}
    try:
        for server in servers:
            log = (logs / f"{server.name}.log").open("wb")
            processes.append(
                subprocess.Popen(
                    server.argv,
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for server, process in zip(servers, processes, strict=True):
            probe = (
                "/healthz"
                if server.name in ("bare", "powermap")
                else f"/v1/stakeholders/{STAKEHOLDER}"
            )
            _wait_ready(f"http://127.0.0.1:{server.port}{probe}", process)
        # Warm every endpoint (kernels compiled, caches filled, pools opened).
        for target in targets:
            run_wrk(
                f"http://127.0.0.1:{by_server[target.server].port}{target.path}",
                key=created.secret if target.auth else None,
                connections=args.connections,
                duration=2,
            )
        # Each server leads its own process group (start_new_session): its workers too.
        pgids = {
            server.name: process.pid for server, process in zip(servers, processes, strict=True)
        }
        neo4j_pid = local_server_pid(settings)
        load_before = os.getloadavg()
        for round_no in range(args.rounds):
            order = targets[round_no % len(targets) :] + targets[: round_no % len(targets)]
            for target in order:
                sample = measured(
                    f"http://127.0.0.1:{by_server[target.server].port}{target.path}",
                    key=created.secret if target.auth else None,
                    connections=args.connections,
                    duration=args.duration,
                    pgid=pgids[target.server],
                    neo4j=neo4j_pid,
                )
                samples[target.name].append(sample)
                console.print(
                    f"round {round_no + 1}: {target.name}: {sample.rps:,.0f} req/s, "
                    f"p50 {sample.p50_ms:.1f} ms, p99 {sample.p99_ms:.1f} ms"
                    + (f", CPU {sample.cpu_ms:.2f} ms a request" if sample.cpu_ms else "")
                    + (f", {sample.errors} errors" if sample.errors else "")
                )
        load_after = os.getloadavg()
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        with Graph.connect(settings) as graph:
            revoke_key(graph, created.key_id)

    median: dict[str, Sample] = {}
    for target in targets:
        runs = sorted(samples[target.name], key=lambda s: s.rps)
        median[target.name] = runs[len(runs) // 2]
    peer_rps = {t.server: median[t.name].rps for t in targets if t.peer is None}
    peer_cpu = {t.server: median_cpu(samples[t.name]) for t in targets if t.peer is None}
    rows: list[tuple[Target, Sample, str, str]] = []
    for target in targets:
        sample = median[target.name]
        ratio = cpu_ratio = ""
        if target.peer is not None and target.peer in peer_rps:
            value = sample.rps / peer_rps[target.peer]
            goal = THREADING_GOAL if target.path.endswith("/threading") else GOALS[target.peer]
            verdict = "meets" if value >= goal else "misses"
            ratio = f"{value:.2f}× {target.peer} ({verdict} ≥ {goal}×)"
            ours, theirs = median_cpu(samples[target.name]), peer_cpu.get(target.peer)
            if ours and theirs:
                cpu_ratio = f"{theirs / ours:.2f}×"
        rows.append((target, sample, ratio, cpu_ratio))
    table = _table(rows, {t.name: median_cpu_parts(samples[t.name]) for t in targets})
    console.print(table)
    spread = {}
    for target in targets:
        every = [s.rps for s in samples[target.name]]
        spread[target.name] = f"{min(every):,.0f}–{max(every):,.0f}"
    section = "\n".join(
        [
            "",
            f"## HTTP throughput (issue 13) — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"`python -m bench http`: wrk, 1 thread, {args.connections} connections, "
            f"{args.duration} s per endpoint and round, {args.rounds} rounds alternating "
            f"(rotated order); every server uvicorn on loopback with {args.workers} "
            "worker(s); the median round of each endpoint. Demo portfolio loaded.",
            "",
            f"Machine: {m['cpu']}, {m['ram']} RAM; load {load_before[0]:.2f} before the "
            f"timed rounds, {load_after[0]:.2f} after ({m['load']}); {m['neo4j']} "
            f"({m['neo4j_memory']}) on the same machine; Python {m['python']}; commit "
            f"{m['commit']}.",
            "",
            table,
            "",
            "req/s of every round: "
            + "; ".join(f"{name}: {value}" for name, value in spread.items())
            + ".",
            "",
        ]
    )
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(section)
        console.print(f"Appended to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
