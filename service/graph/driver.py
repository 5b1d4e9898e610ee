"""The one Neo4j driver of a process, and the managed-transaction helpers around it.

Every query goes through :func:`read` or :func:`write`, which use the driver's
``execute_read`` / ``execute_write`` so transient errors (leader switches, deadlocks
between concurrent ingest writers) are retried by the driver, and which fully consume
results into plain data inside the transaction function, as the driver requires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from neo4j import Driver, GraphDatabase, ManagedTransaction

from service.settings import Settings

T = TypeVar("T")
Record = dict[str, Any]


def create_driver(settings: Settings) -> Driver:
    """Build the process's driver; the caller owns it and must close it."""
    return GraphDatabase.driver(
        settings.neo4j_uri,
        auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
        max_connection_pool_size=50,
        connection_acquisition_timeout=30.0,
        # Warnings such as "property key does not exist" on a fresh graph are noise here.
        notifications_min_severity="OFF",
    )


def run_rows(tx: ManagedTransaction, cypher: str, params: Mapping[str, Any]) -> list[Record]:
    """Run one statement in ``tx`` and consume it fully into plain dicts.

    Query text only ever comes from `.cypher` files and module constants, never from
    user input (docs/graph-conventions.md, "Rules of the house"); values travel as
    parameters.
    """
    return tx.run(cypher, dict(params)).data()


def read(driver: Driver, database: str, cypher: str, **params: Any) -> list[Record]:
    """Run one read query in a managed read transaction and return its rows."""
    with driver.session(database=database) as session:
        return session.execute_read(run_rows, cypher, params)


def write(driver: Driver, database: str, cypher: str, **params: Any) -> list[Record]:
    """Run one write query in a managed write transaction and return its rows."""
    with driver.session(database=database) as session:
        return session.execute_write(run_rows, cypher, params)


def read_tx(driver: Driver, database: str, work: Callable[[ManagedTransaction], T]) -> T:
    """Run a multi-statement unit of read work in one managed transaction."""
    with driver.session(database=database) as session:
        return session.execute_read(work)


def write_tx(driver: Driver, database: str, work: Callable[[ManagedTransaction], T]) -> T:
    """Run a multi-statement unit of write work in one managed (retried) transaction."""
    with driver.session(database=database) as session:
        return session.execute_write(work)
