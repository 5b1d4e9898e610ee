"""`powermap serve --workers 2` without a configured embed-token secret: a token minted
by one worker process verifies in every other (the development server generates the
secret once, for all of them: service/cli.py, ``share_generated_secrets``).

Before, each worker generated its own, so about half of a widget's calls answered
401 "the embed token's signature is not valid" (seen on the demo page of `make run`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.domain.ingest.batch import ingest_batch
from service.graph.driver import Graph
from service.settings import Settings
from tests.conftest import KeyFactory

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[str]:
    """The service as `powermap serve --workers 2` runs it, on a free loopback port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "POWERMAP_EMBED_TOKEN_SECRET"}
    env |= {"POWERMAP_ANALYTICS_REFRESH_INTERVAL_S": "0", "POWERMAP_LOG_LEVEL": "WARNING"}
    log = tmp_path / "serve.log"
    powermap = str(Path(sys.executable).parent / "powermap")  # the console script
    command = [powermap, "serve", "--workers", "2", "--port", str(port)]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the service did not start"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)  # not listening yet
        yield base
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_an_embed_token_minted_by_one_worker_verifies_in_every_other(
    graph: Graph, settings: Settings, auth_headers: KeyFactory, two_workers: str
) -> None:
    ingest_batch(graph, settings, {"accounts": [{"id": "acme", "name": "Acme", "tier": "key"}]})
    key = auth_headers("read")
    statuses: Counter[int] = Counter()
    # New connections each time, so the kernel spreads them over both workers.
    for _ in range(6):
        minted = httpx.post(
            f"{two_workers}/v1/embed-tokens", json={"account_id": "acme"}, headers=key
        )
        assert minted.status_code == 201, minted.text
        token = minted.json()["token"]
        for _ in range(5):
            answer = httpx.get(
                f"{two_workers}/v1/accounts/acme",
                headers={"Authorization": f"Bearer {token}"},
            )
            statuses[answer.status_code] += 1
    assert statuses == Counter({200: 30})
