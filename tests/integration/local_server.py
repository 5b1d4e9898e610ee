"""Stopping, killing and restarting the suite's *own* local Neo4j, for fault tests.

Only the instance named by the settings (``POWERMAP_NEO4J_INSTANCE``) and started by
``powermap neo4j start`` is touched, through its pid file (``service/local_neo4j.py``
checks the pid's command line is that instance's Neo4j); never any other process.
Every test using :func:`own_instance` leaves the server running and migrated.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from service import local_neo4j
from service.graph import migrations
from service.graph.driver import Graph
from service.settings import Settings, env_file_path


def _start(instance: local_neo4j.LocalInstance) -> None:
    local_neo4j.start(instance, env_file_path(), log=lambda _line: None)


@pytest.fixture
def own_instance(neo4j: Graph, settings: Settings) -> Iterator[local_neo4j.LocalInstance]:
    """The local instance the suite runs on, restarted and migrated after the test."""
    instance = local_neo4j.default_instance()
    if local_neo4j.externally_configured_uri() or settings.neo4j_uri != instance.uri:
        pytest.skip(f"{settings.neo4j_uri} is not a local instance this suite may stop")
    if local_neo4j.running_pid(instance) is None:
        pytest.fail(f"the local Neo4j {instance.name} is not running (run `make neo4j`)")
    try:
        yield instance
    finally:
        if local_neo4j.running_pid(instance) is None:
            _start(instance)
        wait_until_answering(neo4j, settings)
        migrations.migrate(neo4j, settings.migrations_dir)


def stop(instance: local_neo4j.LocalInstance) -> None:
    """A clean stop (SIGTERM, waited for)."""
    assert local_neo4j.stop(instance, log=lambda _line: None)


def kill(instance: local_neo4j.LocalInstance) -> None:
    """SIGKILL the instance's JVM, as a crash would, and wait until it is gone."""
    pid = local_neo4j.running_pid(instance)
    assert pid is not None, "our Neo4j is not running"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while local_neo4j.running_pid(instance) is not None:
        assert time.monotonic() < deadline, f"pid {pid} survived SIGKILL"
        time.sleep(0.1)
    instance.pid_file.unlink(missing_ok=True)


def restart(instance: local_neo4j.LocalInstance) -> None:
    """Start the instance again and return once Bolt answers."""
    _start(instance)


def wait_until_answering(graph: Graph, settings: Settings, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with graph.driver.session(database=graph.database) as session:
                session.run("RETURN 1").consume()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # polling a readiness check
