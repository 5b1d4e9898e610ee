"""``python -m bench``: run every registered benchmark, or ``python -m bench NAME [options]``.

A benchmark is a module with ``main(argv: list[str]) -> int``; register it in
:data:`BENCHMARKS` (imported lazily, so one benchmark's dependencies never slow down
or break another). Each appends its results, with the machine, to bench/RESULTS.md.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS: dict[str, str] = {
    "alerts": "bench.alerts",
    "analytics": "bench.analytics",
    "export": "bench.export",
    "http": "bench.http_load",
    "ingest": "bench.ingest",
    "sync": "bench.sync",
    "widget_render": "bench.widget_render",
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "--list"):
        print(__doc__)
        print("benchmarks:", ", ".join(BENCHMARKS))
        return 0
    if argv:
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return int(importlib.import_module(BENCHMARKS[name]).main(rest))
    status = 0
    for name, module in BENCHMARKS.items():
        print(f"== {name}", file=sys.stderr)
        status = max(status, int(importlib.import_module(module).main([])))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
