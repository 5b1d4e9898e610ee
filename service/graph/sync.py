"""Neo4j side of the CRM sync: the stored facts a snapshot is compared with.

:func:`read_sync_facts` reads, in ONE read transaction, what the sync's diff
(``service/domain/sync/diff.py``) needs: the people currently employed at the upload's
accounts, the current buying roles on those accounts and their opportunities (and of
the people the upload names), the current reporting lines of those people, the current
account-team assignments of those accounts, and the stored people and team members an
upload's deletions name. Every fact carries the ``source`` (and ``source_record_id``)
its edge was written with; the domain decides which of them a snapshot may end.
The queries are ``service/graph/cypher/sync/*.cypher``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from neo4j import ManagedTransaction

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Record
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
) -> SyncFactRows:
    """The stored facts of ``accounts`` (people, roles, lines, assignments), the roles
    of ``people``, the roles and assignments that came from ``record_ids``, and the
    stored ``people`` and ``team_members`` themselves, and the stored state of the
    ``person_states`` people and the ``interactions`` (to tell rows that would change
    nothing); one read transaction. ``people_by_id``: the people read by id (default
    ``people``)."""
    account_ids, person_ids = _ids(accounts), _ids(people)
    record_list, member_ids = _ids(record_ids), _ids(team_members)
    state_ids, interaction_ids = _ids(person_states), _ids(interactions)
    by_id = person_ids if people_by_id is None else _ids(people_by_id)

    def work(tx: ManagedTransaction) -> SyncFactRows:
        def rows(name: str, **params: list[str]) -> list[Record]:
            if not any(params.values()):
                return []
            return run_rows(tx, cypher(f"sync/{name}"), dict(params))

        def flat(name: str, columns: tuple[str, ...], **params: list[str]) -> list[Record]:
            """The rows of a query returning one flat list of ``columns`` values per row."""
            if not any(params.values()):
                return []
            [result] = run_rows(tx, cypher(f"sync/{name}"), dict(params))
            values, width = result["flat"], len(columns)
            return [
                dict(zip(columns, values[at : at + width], strict=True))
                for at in range(0, len(values), width)
            ]

        return SyncFactRows(
            people_at=flat("people_at", PEOPLE_AT, accounts=account_ids),
            people_by_id=rows("people_by_id", ids=by_id),
            roles=flat("roles_at", ROLES, accounts=account_ids)
            + flat("roles_of", ROLES, ids=person_ids)
            + rows("roles_by_record", record_ids=record_list),
            reports=flat("reports_at", REPORTS, accounts=account_ids),
            covers=rows("covers_at", accounts=account_ids)
            + rows("covers_by_record", record_ids=record_list),
            team_members=rows("team_members_by_id", ids=member_ids),
            person_states=rows("people_state", ids=state_ids),
            interactions=rows("interactions_state", ids=interaction_ids),
        )

    return graph.read_tx(work)
