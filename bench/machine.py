"""What a benchmark ran on: the machine, its load, the Neo4j server and the code."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from service.graph.driver import Graph

NEO4J_COMPONENTS = "CALL dbms.components() YIELD name, versions, edition RETURN * LIMIT 1"
NEO4J_MEMORY = """
SHOW SETTINGS YIELD name, value
WHERE name IN ['server.memory.heap.max_size', 'server.memory.pagecache.size']
RETURN name, value
"""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha


def describe(graph: Graph) -> dict[str, str]:
    """Machine, load, Neo4j version and memory settings, Python, commit — as text."""
    [component] = graph.read(NEO4J_COMPONENTS)
    system = Graph(graph.driver, "system")
    memory = {r["name"]: r["value"] for r in system.read(NEO4J_MEMORY)}
    load1, load5, _ = os.getloadavg()
    return {
        "cpu": f"{os.cpu_count()} cores, {_cpu_model()}",
        "ram": f"{_ram_gib():.1f} GiB",
        "load": f"{load1:.2f} (1 min), {load5:.2f} (5 min) at start",
        "neo4j": f"{component['name']} {component['versions'][0]} {component['edition']}",
        "neo4j_memory": (
            f"heap {memory.get('server.memory.heap.max_size', '?')}, "
            f"page cache {memory.get('server.memory.pagecache.size', '?')}"
        ),
        "python": platform.python_version(),
        "commit": _commit(),
    }
