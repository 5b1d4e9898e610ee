"""`powermap neo4j start` restarts a running server that was started with other settings
(an older `powermap`, another heap): a server that kept its old settings would silently
ignore the new ones, e.g. run without the configured -Xmx (issue 9, item 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import local_neo4j
from service.local_neo4j import LocalInstance


def _record(instance: LocalInstance) -> str:
    local_neo4j._write_config(instance)
    lib = instance.lib_dir
    return local_neo4j._launch_record(instance, local_neo4j._launch_command(instance, lib))


def test_the_launch_record_changes_with_the_heap_and_only_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = LocalInstance(name="t", bolt_port=7999, cache_dir=tmp_path)
    monkeypatch.setenv("POWERMAP_NEO4J_HEAP", "1g")
    first = _record(instance)
    assert "-Xmx1024m" in first and "-Xms1024m" in first
    assert _record(instance) == first
    monkeypatch.setenv("POWERMAP_NEO4J_HEAP", "2g")
    second = _record(instance)
    assert second != first and "-Xmx2048m" in second
    # The memory caps of neo4j.conf follow the heap too.
    assert "db.memory.transaction.max" in second


def test_a_server_started_without_a_launch_record_counts_as_started_otherwise(
    tmp_path: Path,
) -> None:
    instance = LocalInstance(name="t", bolt_port=7999, cache_dir=tmp_path)
    assert local_neo4j._launched_with(instance) is None
