"""The read-only guard: judge a statement by Neo4j's own plan, not by its text.

The plan facts come from ``EXPLAIN`` (``service/graph/adhoc.py``). A statement passes
only when all of these hold:

- the summary's query type is ``r`` (read only). Writes plan as ``w`` or ``rw``
  (CREATE, MERGE, SET, DELETE, REMOVE, FOREACH with writes, ``CALL {…} IN
  TRANSACTIONS``, write procedures), schema and administration commands as ``s``;
- no operator reads files or URLs (``LoadCSV`` plans as a read, yet reaches outside
  the graph) and no operator is a ``SHOW …`` / ``TERMINATE …`` command: those plan as
  reads too, but list or kill other sessions' transactions, settings and users;
- every operator runs against the query's own database (administration commands run
  against ``system``);
- every procedure called is on a short allow-list of introspection and index-search
  procedures. Some READ-mode procedures have side effects (``db.stats.clear``,
  ``db.resampleIndex``, ``db.prepareForReplanning``) or expose other users' queries
  (``db.stats.retrieve``), so procedures are allowed by name, not by mode.

Whatever slips past is still stopped by the second layer: the run itself happens in a
READ access-mode transaction, where the server rejects writes.
"""

from __future__ import annotations

from service.domain.errors import QueryRefused
from service.graph.adhoc import PlanFacts

__all__ = ["ALLOWED_PROCEDURES", "check_read_only"]

ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
        "db.index.fulltext.queryNodes",
        "db.index.fulltext.queryRelationships",
        "db.index.vector.queryNodes",
        "db.index.vector.queryRelationships",
        "db.ping",
    }
)
FORBIDDEN_OPERATORS = frozenset({"LoadCSV", "AdministrationCommand"})
FORBIDDEN_OPERATOR_PREFIXES = ("Show", "Terminate")
_QUERY_TYPES = {
    "w": "it writes to the graph",
    "rw": "it reads and writes the graph",
    "s": "it is a schema, administration or system command",
}


def check_read_only(plan: PlanFacts, database: str) -> None:
    """Raise :class:`QueryRefused` (403) unless the planned statement is a plain read."""
    if plan.query_type != "r":
        reason = _QUERY_TYPES.get(plan.query_type or "", f"its type is {plan.query_type!r}")
        raise QueryRefused(f"only read-only queries may run here; this one is refused: {reason}")
    for operator in plan.operators:
        if operator in FORBIDDEN_OPERATORS or operator.startswith(FORBIDDEN_OPERATOR_PREFIXES):
            raise QueryRefused(
                f"the query uses {operator}, which is not allowed for analyst queries "
                "(no file or URL access, no SHOW/TERMINATE or administration commands)"
            )
    foreign = [name for name in plan.databases if name != database]
    if foreign:
        raise QueryRefused(f"the query would run against another database: {', '.join(foreign)}")
    for procedure in plan.procedures:
        if procedure not in ALLOWED_PROCEDURES:
            raise QueryRefused(
                f"procedure {procedure} is not allowed for analyst queries; "
                f"allowed: {', '.join(sorted(ALLOWED_PROCEDURES))}"
            )
