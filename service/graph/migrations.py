"""Versioned Cypher migrations, in the manner of neo4j-migrations.

``migrations/V<version>__<description>.cypher`` files are applied in version order.
Each applied one is recorded as a ``(:__Migration {version, description, checksum,
applied_at})`` node; an applied file whose content has changed is refused by name
(migrations are never edited once applied: add a new one). A ``(:__MigrationLock)``
node, unique by constraint, keeps two processes from applying the same migration
twice: the loser of the race waits until the winner is done, then finds nothing left.

Statements in a file end with ``;`` at the end of a line. Each runs in its own managed
write transaction, because Neo4j refuses schema and data changes in one transaction.
All DDL should say ``IF NOT EXISTS`` so a migration interrupted half-way can re-run.
"""

from __future__ import annotations

import hashlib
import re
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from service.domain.errors import Conflict, DatabaseFailure
from service.graph.driver import Graph

FILENAME = re.compile(r"^V(?P<version>\d+)__(?P<description>[A-Za-z0-9_]+)\.cypher$")
LOCK_WAIT_SECONDS = 120.0
STALE_LOCK_SECONDS = 15 * 60.0

LOCK_CONSTRAINT = (
    "CREATE CONSTRAINT migration_lock_name IF NOT EXISTS "
    "FOR (l:__MigrationLock) REQUIRE l.name IS UNIQUE"
)
VERSION_CONSTRAINT = (
    "CREATE CONSTRAINT migration_version IF NOT EXISTS "
    "FOR (m:__Migration) REQUIRE m.version IS UNIQUE"
)
ACQUIRE_LOCK = """
CREATE (:__MigrationLock {name: 'migrations', owner: $owner, acquired_at: datetime()})
"""
BREAK_STALE_LOCK = """
MATCH (l:__MigrationLock {name: 'migrations'})
WHERE l.acquired_at < datetime() - duration({seconds: $stale_seconds})
DELETE l
RETURN count(l) AS broken
"""
RELEASE_LOCK = "MATCH (l:__MigrationLock {name: 'migrations', owner: $owner}) DELETE l"
APPLIED = """
MATCH (m:__Migration)
RETURN m.version AS version, m.description AS description, m.checksum AS checksum,
       toString(m.applied_at) AS applied_at
ORDER BY m.version
"""
RECORD = """
MERGE (m:__Migration {version: $version})
ON CREATE SET m.description = $description, m.checksum = $checksum,
              m.applied_at = datetime(), m.installed_by = $owner
"""


class MigrationError(RuntimeError):
    """The schema cannot be brought up to date safely."""


@dataclass(frozen=True)
class MigrationFile:
    version: int
    description: str
    path: Path
    checksum: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class MigrationState:
    version: int
    description: str
    state: str  # "applied" | "pending"
    applied_at: str | None


def _split_statements(text: str) -> tuple[str, ...]:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    parts = re.split(r";[ \t]*(?:\n|$)", body)
    return tuple(part.strip() for part in parts if part.strip())


def discover(directory: Path) -> list[MigrationFile]:
    """The migration files of ``directory`` in version order; bad names are errors."""
    found: dict[int, MigrationFile] = {}
    for path in sorted(directory.glob("*.cypher")):
        match = FILENAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: not named V<version>__<description>.cypher")
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        version = int(match["version"])
        if version in found:
            raise MigrationError(f"{path.name}: version {version} used twice")
        found[version] = MigrationFile(
            version=version,
            description=match["description"].replace("_", " "),
            path=path,
            checksum=hashlib.sha256(text.encode()).hexdigest(),
            statements=_split_statements(text),
        )
    return [found[v] for v in sorted(found)]


def _applied(graph: Graph) -> dict[int, dict[str, str]]:
    return {int(row["version"]): row for row in graph.read(APPLIED)}


def validate(files: list[MigrationFile], applied: dict[int, dict[str, str]]) -> None:
    """Refuse edited or vanished migrations before anything is applied."""
    by_version = {f.version: f for f in files}
    for version, row in applied.items():
        file = by_version.get(version)
        if file is None:
            raise MigrationError(f"migration V{version:04d} is applied but its file is missing")
        if file.checksum != row["checksum"]:
            raise MigrationError(
                f"{file.path.name} was changed after it was applied "
                f"(checksum {row['checksum'][:12]}… recorded, {file.checksum[:12]}… on disk); "
                "add a new migration instead of editing an applied one"
            )


def status(graph: Graph, directory: Path) -> list[MigrationState]:
    files = discover(directory)
    applied = _applied(graph)
    validate(files, applied)
    return [
        MigrationState(
            version=f.version,
            description=f.description,
            state="applied" if f.version in applied else "pending",
            applied_at=applied[f.version]["applied_at"] if f.version in applied else None,
        )
        for f in files
    ]


def is_current(graph: Graph, directory: Path) -> bool:
    try:
        return all(s.state == "applied" for s in status(graph, directory))
    except MigrationError:
        return False


def _acquire_lock(graph: Graph, owner: str) -> None:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            graph.write(ACQUIRE_LOCK, owner=owner)
            return
        except Conflict:  # the lock node exists: another migrator holds it
            graph.write(BREAK_STALE_LOCK, stale_seconds=STALE_LOCK_SECONDS)
            if time.monotonic() >= deadline:
                raise MigrationError(
                    "another process holds the migration lock; if none is running, "
                    "delete it: MATCH (l:__MigrationLock) DELETE l"
                ) from None
            time.sleep(0.2)  # the other migrator is working; poll its lock


def _ensure_bookkeeping_constraints(graph: Graph) -> None:
    for statement in (LOCK_CONSTRAINT, VERSION_CONSTRAINT):
        for attempt in range(5):
            try:
                graph.write(statement)
                break
            except (Conflict, DatabaseFailure):
                # Two processes creating the same constraint at once: one may lose the
                # schema race; IF NOT EXISTS makes the retry a no-op.
                if attempt == 4:
                    raise
                time.sleep(0.2)


def migrate(graph: Graph, directory: Path) -> list[MigrationFile]:
    """Apply every pending migration once; returns those this call applied."""
    files = discover(directory)
    _ensure_bookkeeping_constraints(graph)
    owner = f"{socket.gethostname()}:{uuid.uuid4()}"
    _acquire_lock(graph, owner)
    try:
        applied = _applied(graph)
        validate(files, applied)
        done: list[MigrationFile] = []
        for file in files:
            if file.version in applied:
                continue
            for statement in file.statements:
                graph.write(statement)
            graph.write(
                RECORD,
                version=file.version,
                description=file.description,
                checksum=file.checksum,
                owner=owner,
            )
            done.append(file)
        return done
    finally:
        graph.write(RELEASE_LOCK, owner=owner)
