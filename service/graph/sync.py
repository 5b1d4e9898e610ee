"""Neo4j side of the CRM sync: the stored facts a snapshot is compared with.

:func:`read_sync_facts` reads, in ONE read transaction (or, for the command line's
large uploads, in several side by side), what the sync's diff
(``service/domain/sync/diff.py``) needs: the people currently employed at the upload's
accounts, the current buying roles on those accounts and their opportunities (and on
the other accounts and opportunities the upload names), the current reporting lines of
those people, the current account-team assignments of those accounts, and the stored
people and team members an upload's deletions name. Every fact carries the ``source``
(and ``source_record_id``) its edge was written with; the domain decides which of them
a snapshot may end. The queries are ``service/graph/cypher/sync/*.cypher``."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from neo4j import ManagedTransaction

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Record, Rows
from service.graph.ingest import run_rows

__all__ = ["SyncFactRows", "read_sync_facts"]


@dataclass(frozen=True)
class SyncFactRows:
    """The rows of each read, as plain dicts (see the queries for their columns)."""

    people_at: list[Record]
    people_by_id: list[Record]
    roles: list[Record]
    reports: list[Record]
    covers: list[Record]
    team_members: list[Record]
    #: the stored state of the people and interactions whose rows may change nothing
    person_states: list[Record] = field(default_factory=list)
    interactions: list[Record] = field(default_factory=list)


#: The columns of the queries that return one flat list (cheap for the client to decode:
#: 100,000 records cost it seconds, the same values in one list a fraction of that).
PEOPLE_AT = ("account_id", "id", "name", "source")
REPORTS = ("from_id", "to_id", "kind", "source")
ROLES = (
    "stakeholder_id",
    "target_kind",
    "target_id",
    "account_id",
    "role",
    "stance",
    "source",
    "source_record_id",
)


def _ids(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


#: Id lists of a parallel read longer than this are read in pieces, each its own
#: statement (and transaction), so that the pieces can run side by side.
PIECE_IDS = 20_000
#: Accounts per piece of a parallel read's per-account statements.
PIECE_ACCOUNTS = 50


@dataclass(frozen=True)
class _Statement:
    """One statement of the read: the field its rows go to, its query, its parameters
    (lists of ids) and, for a query returning one flat list, the columns."""

    field: str
    name: str
    params: dict[str, list[str]]
    columns: tuple[str, ...] | None = None


def _run(tx: ManagedTransaction, statement: _Statement) -> list[Record]:
    if not any(statement.params.values()):
        return []
    params = {name: Rows(values) for name, values in statement.params.items()}
    rows = run_rows(tx, cypher(f"sync/{statement.name}"), params)
    if statement.columns is None:
        return rows
    [result] = rows
    values, columns = result["flat"], statement.columns
    width = len(columns)
    return [
        dict(zip(columns, values[at : at + width], strict=True))
        for at in range(0, len(values), width)
    ]


def read_sync_facts(
    graph: Graph,
    *,
    accounts: Iterable[str],
    people: Iterable[str],
    record_ids: Iterable[str],
    team_members: Iterable[str],
    person_states: Iterable[str] = (),
    interactions: Iterable[str] = (),
    people_by_id: Iterable[str] | None = None,
    role_accounts: Iterable[str] = (),
    role_opportunities: Iterable[str] = (),
    parallel: int = 1,
) -> SyncFactRows:
    """The stored facts of ``accounts`` (people, roles, lines, assignments), the roles
    on ``role_accounts`` and ``role_opportunities`` (the targets the upload names
    outside ``accounts``), the roles and assignments that came from ``record_ids``, the
    stored ``team_members``, and the stored state of the ``person_states`` people and
    the ``interactions`` (to tell rows that would change nothing). ``people_by_id``:
    the people read by id (default ``people``).

    ``parallel`` 1: one read transaction. More (the command line's large uploads): the
    statements, long id lists cut in pieces, each in its own read transaction,
    ``parallel`` at a time — the server runs each statement on one core, and the
    statements read disjoint facts. Neo4j's read transactions are read committed (a
    statement sees what is committed when it reads, not a snapshot taken when the
    transaction began), so one transaction gave no more consistency across statements
    than several do. The rows come back in the same order either way.
    """
    account_ids, record_list = _ids(accounts), _ids(record_ids)
    state_ids, interaction_ids = _ids(person_states), _ids(interactions)
    by_id = _ids(people) if people_by_id is None else _ids(people_by_id)
    pieces = parallel > 1

    def cut(ids: list[str], size: int) -> list[list[str]]:
        if not pieces:
            return [ids]
        return [ids[at : at + size] for at in range(0, len(ids), size)] or [[]]

    def each(
        field: str,
        name: str,
        param: str,
        lists: list[list[str]],
        columns: tuple[str, ...] | None = None,
    ) -> list[_Statement]:
        return [_Statement(field, name, {param: ids}, columns) for ids in lists]

    by_account = cut(account_ids, PIECE_ACCOUNTS)
    # The longest first: a parallel read starts them in this order.
    statements = [
        *each("person_states", "people_state", "ids", cut(state_ids, PIECE_IDS)),
        *each("interactions", "interactions_state", "ids", cut(interaction_ids, PIECE_IDS)),
        *each("people_at", "people_at", "accounts", by_account, PEOPLE_AT),
        *each("reports", "reports_at", "accounts", by_account, REPORTS),
        *each("roles", "roles_at", "accounts", by_account, ROLES),
        _Statement(
            "roles",
            "roles_on",
            {"accounts": _ids(role_accounts), "opportunities": _ids(role_opportunities)},
            ROLES,
        ),
        *each("roles", "roles_by_record", "record_ids", [record_list]),
        *each("covers", "covers_at", "accounts", [account_ids]),
        *each("covers", "covers_by_record", "record_ids", [record_list]),
        *each("people_by_id", "people_by_id", "ids", [by_id]),
        *each("team_members", "team_members_by_id", "ids", [_ids(team_members)]),
    ]
    results: list[list[Record]]
    if not pieces:
        results = graph.read_tx(lambda tx: [_run(tx, s) for s in statements])
    else:
        with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="sync-read") as pool:
            futures = [pool.submit(graph.read_tx, partial(_run, statement=s)) for s in statements]
            results = [f.result() for f in futures]
    rows: dict[str, list[Record]] = {}
    for statement, found in zip(statements, results, strict=True):
        rows.setdefault(statement.field, []).extend(found)
    return SyncFactRows(
        people_at=rows.get("people_at", []),
        people_by_id=rows.get("people_by_id", []),
        roles=rows.get("roles", []),
        reports=rows.get("reports", []),
        covers=rows.get("covers", []),
        team_members=rows.get("team_members", []),
        person_states=rows.get("person_states", []),
        interactions=rows.get("interactions", []),
    )
