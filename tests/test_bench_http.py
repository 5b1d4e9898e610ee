"""The HTTP benchmark's own measuring (bench/http_load.py): wrk's report read, and the
CPU of a server's process group; no server needed."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.http_load import Sample, group_cpu_seconds, median_cpu, parse_wrk

WRK_REPORT = """\
Running 1s test @ http://127.0.0.1:8102/healthz
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   749.38us  503.01us   7.59ms   92.25%
    Req/Sec     5.67k     1.06k    7.90k    72.73%
  Latency Distribution
     50%  653.00us
     75%  840.00us
     90%    1.10ms
     99%    3.04ms
  6214 requests in 1.10s, 849.69KB read
  Non-2xx or 3xx responses: 3
Requests/sec:   5651.13
Transfer/sec:    772.73KB
"""


def test_wrk_report_gives_rate_latencies_errors_and_request_count() -> None:
    assert parse_wrk(WRK_REPORT) == Sample(5651.13, 0.653, 3.04, 3, 6214)


def test_group_cpu_counts_a_busy_process_group() -> None:
    spin = (
        "import time\nt = time.process_time()\n"
        "while time.process_time() - t < 0.6: pass\ntime.sleep(30)"
    )
    child = subprocess.Popen([sys.executable, "-c", spin], start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while group_cpu_seconds(child.pid) < 0.5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 0.5 <= group_cpu_seconds(child.pid) < 5
        assert group_cpu_seconds(2**22 + 7) == 0  # no such group
    finally:
        child.kill()
        child.wait()


def test_median_cpu_is_taken_over_the_rounds_that_measured_it() -> None:
    rounds = [
        Sample(1.0, 1.0, 1.0, 0, 10, 1.0, 2.0),
        Sample(1.0, 1.0, 1.0, 0, 10, None, None),
        Sample(1.0, 1.0, 1.0, 0, 10, 2.0, 2.0),
        Sample(1.0, 1.0, 1.0, 0, 10, 0.5, 1.0),
    ]
    assert median_cpu(rounds) == 3.0
    assert median_cpu([Sample(1.0, 1.0, 1.0, 0)]) is None
