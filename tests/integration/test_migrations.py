"""Migrations against the real Neo4j: recorded, checksummed, applied once under races."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.graph import migrations
from service.graph.driver import Graph
from service.settings import Settings

EXTRA = "CREATE INDEX test_only_extra IF NOT EXISTS FOR (n:TestOnly) ON (n.x);\n"


@pytest.fixture
def fresh_history(graph: Graph, settings: Settings) -> Iterator[Graph]:
    """Forget the migration history for the test, then restore the real schema."""
    graph.write("MATCH (m:__Migration) DELETE m")
    yield graph
    graph.write("MATCH (m:__Migration) DELETE m")
    graph.write("DROP INDEX test_only_extra IF EXISTS")
    migrations.migrate(graph, settings.migrations_dir)


@pytest.fixture
def migration_dir(tmp_path: Path, settings: Settings) -> Path:
    for file in settings.migrations_dir.glob("*.cypher"):
        shutil.copy(file, tmp_path / file.name)
    (tmp_path / "V9001__test_only_extra_index.cypher").write_text(EXTRA)
    return tmp_path


def _history(graph: Graph, settings: Settings) -> list[dict[str, object]]:
    return graph.read(
        "MATCH (m:__Migration) RETURN m.version AS version, m.checksum AS checksum "
        "ORDER BY version",
    )


def test_applies_in_order_and_records_each(
    fresh_history: Graph, settings: Settings, migration_dir: Path
) -> None:
    files = migrations.discover(migration_dir)
    done = migrations.migrate(fresh_history, migration_dir)
    assert [f.version for f in done] == [f.version for f in files]
    assert _history(fresh_history, settings) == [
        {"version": f.version, "checksum": f.checksum} for f in files
    ]
    states = migrations.status(fresh_history, migration_dir)
    assert {s.state for s in states} == {"applied"}
    # A second run has nothing left to do.
    assert migrations.migrate(fresh_history, migration_dir) == []


def test_status_lists_pending_before_apply(
    fresh_history: Graph, settings: Settings, migration_dir: Path
) -> None:
    states = migrations.status(fresh_history, migration_dir)
    assert [s.state for s in states] == ["pending"] * len(states)
    assert migrations.is_current(fresh_history, migration_dir) is False


def test_changed_applied_migration_is_refused_by_name(
    fresh_history: Graph, settings: Settings, migration_dir: Path
) -> None:
    migrations.migrate(fresh_history, migration_dir)
    edited = migration_dir / "V9001__test_only_extra_index.cypher"
    edited.write_text(EXTRA + "// an innocent-looking edit\n")
    with pytest.raises(migrations.MigrationError, match="V9001__test_only_extra_index.cypher"):
        migrations.migrate(fresh_history, migration_dir)
    assert migrations.is_current(fresh_history, migration_dir) is False


def test_concurrent_migrators_apply_each_migration_once(
    fresh_history: Graph, settings: Settings, migration_dir: Path
) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda _: migrations.migrate(fresh_history, migration_dir),
                range(4),
            )
        )
    applied_versions = sorted(f.version for run in results for f in run)
    expected = [f.version for f in migrations.discover(migration_dir)]
    assert applied_versions == expected  # each applied by exactly one of the four
    assert [row["version"] for row in _history(fresh_history, settings)] == expected
    lock_rows = fresh_history.read("MATCH (l:__MigrationLock) RETURN l")
    assert lock_rows == []


def test_badly_named_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "0003_oops.cypher").write_text("RETURN 1;")
    with pytest.raises(migrations.MigrationError, match="0003_oops.cypher"):
        migrations.discover(tmp_path)


def test_every_label_has_an_id_uniqueness_constraint(graph: Graph, settings: Settings) -> None:
    rows = graph.read(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type "
        "WHERE type = 'UNIQUENESS' AND properties = ['id'] RETURN labelsOrTypes[0] AS label",
    )
    labels = {row["label"] for row in rows}
    assert labels >= {
        "Account",
        "Stakeholder",
        "TeamMember",
        "Budget",
        "Opportunity",
        "Interaction",
        "ApiKey",
    }
