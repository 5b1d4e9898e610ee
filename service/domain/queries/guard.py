"""The analyst guard: judge a statement by Neo4j's own plan, not by its text.

The plan facts come from ``EXPLAIN`` (``service/graph/adhoc.py``). Two checks, both on
the plan, both refusing with a 403 ``query-refused`` that says how to write it instead:
:func:`check_read_only` (nothing is written or leaves the graph) and
:func:`check_model_only` (only the model is read, never the service's bookkeeping).
:func:`check` runs both.

Read-only: a statement passes only when all of these hold:

- the summary's query type is ``r`` (read only). Writes plan as ``w`` or ``rw``
  (CREATE, MERGE, SET, DELETE, REMOVE, FOREACH with writes, ``CALL {…} IN
  TRANSACTIONS``, write procedures), schema and administration commands as ``s``;
- no operator reads files or URLs (``LoadCSV`` plans as a read, yet reaches outside
  the graph) and no operator is a ``SHOW …`` / ``TERMINATE …`` command: those plan as
  reads too, but list or kill other sessions' transactions, settings and users;
- every operator runs against the query's own database (administration commands run
  against ``system``);
- every procedure called is on an allow-list (today ``db.ping`` only). Some READ-mode
  procedures have side effects (``db.stats.clear``, ``db.resampleIndex``,
  ``db.prepareForReplanning``), expose other users' queries (``db.stats.retrieve``) or
  the bookkeeping (``db.labels``, ``db.propertyKeys``, ``db.schema.*`` list the
  ``ApiKey`` label and its ``secret_hash`` key), so procedures are allowed by name,
  not by mode;
- no ``CALL { … } IN TRANSACTIONS``: it plans as a read, but needs an auto-commit
  transaction of its own, and analyst queries run inside one read transaction.

Whatever slips past is still stopped by the second layer: the run itself happens in a
READ access-mode transaction, where the server rejects writes.

Model only. Neo4j Community has one user database and no access control below the
database, so the service's bookkeeping nodes (``ApiKey`` with its secret hash, the
migration records; :data:`~service.graph.model_schema.BOOKKEEPING_LABELS`) live beside
the model. They never have a relationship, so a node reached by expanding from a model
node is a model node; what must be watched is where a plan's rows *start*. A
statement passes only when:

- every node a plan starts from is read by label, and every label is one of
  :data:`~service.graph.model_schema.MODEL_LABELS`: label scans (also ``A|B``,
  ``A&B``, ``A&!B``), index seeks and scans, and count-store reads. All-nodes scans
  (``MATCH (n)``, ``WHERE n:X`` on an unlabelled pattern, dynamic labels) and seeks by
  id or element id are refused: they can reach any node;
- relationships may start a plan freely (scans, seeks, counts): every relationship
  joins two model nodes;
- every other operator without children is one known to produce no node (a
  projection, ``UNWIND``, an argument row, an allowed procedure). An operator the
  guard does not know is refused, so a new Neo4j operator cannot slip through;
- no operator carries a subquery expression (``COLLECT``/``COUNT``/``EXISTS { … }``,
  a pattern comprehension) that Neo4j left as a nested plan — inside ``CASE``, a list
  comprehension or ``reduce()``: its plan is not shown, so it cannot be checked.
"""

from __future__ import annotations

import re

from service.domain.errors import QueryRefused
from service.graph.adhoc import PlanFacts, PlanStep
from service.graph.model_schema import MODEL_LABELS, model_label_pattern

__all__ = ["ALLOWED_PROCEDURES", "check", "check_model_only", "check_read_only"]

# Procedures that return neither bookkeeping nor other sessions' data and change
# nothing. The introspection procedures (db.labels, db.propertyKeys, db.schema.*) list
# the bookkeeping labels and keys; index searches (db.index.*.query*) return whatever
# the index covers. Analysts find the model in docs/queries.md instead.
ALLOWED_PROCEDURES = frozenset({"db.ping"})
FORBIDDEN_OPERATORS = frozenset({"LoadCSV", "AdministrationCommand"})
IN_TRANSACTIONS_OPERATORS = frozenset({"TransactionApply", "TransactionForeach"})
FORBIDDEN_OPERATOR_PREFIXES = ("Show", "Terminate")
_QUERY_TYPES = {
    "w": "it writes to the graph",
    "rw": "it reads and writes the graph",
    "s": "it is a schema, administration or system command",
}


def check(plan: PlanFacts, database: str) -> None:
    """Raise :class:`QueryRefused` (403) unless the plan is a read of the model only."""
    check_read_only(plan, database)
    check_model_only(plan)


def check_read_only(plan: PlanFacts, database: str) -> None:
    """Raise :class:`QueryRefused` (403) unless the planned statement is a plain read."""
    if plan.query_type != "r":
        reason = _QUERY_TYPES.get(plan.query_type or "", f"its type is {plan.query_type!r}")
        raise QueryRefused(f"only read-only queries may run here; this one is refused: {reason}")
    for operator in plan.operators:
        if operator in IN_TRANSACTIONS_OPERATORS:
            raise QueryRefused(
                "CALL { ... } IN TRANSACTIONS is not allowed for analyst queries: they run "
                "inside one read transaction; write the subquery as a plain CALL { ... }"
            )
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
                f"allowed: {', '.join(sorted(ALLOWED_PROCEDURES))}. The model's labels and "
                "relationship types are listed in docs/queries.md"
            )


# --- model only --------------------------------------------------------------------

_MODEL = frozenset(MODEL_LABELS)
_EVERY_NODE = f"MATCH {model_label_pattern()}"
_HOW = (
    f"start from a model label such as (n:Stakeholder), or for every node of the model "
    f"write {_EVERY_NODE}"
)
# A label or variable as Neo4j prints it: plain, or in backticks (`` doubles a `).
_NAME = r"(?:`(?:[^`]|``)*`|[^\W\d]\w*)"
# "n:Stakeholder", "n:Stakeholder|Account", "n:Stakeholder&!Account".
_LABEL_SCAN = re.compile(rf"^\s*{_NAME}\s*:(?P<labels>.+)$", re.DOTALL)
# "UNIQUE a:Account(id) WHERE ...", "RANGE INDEX s:Stakeholder(email) WHERE ...".
_INDEX = re.compile(rf"(?:UNIQUE|INDEX)\s+{_NAME}\s*:(?P<label>{_NAME})\s*\(")
# "count( (:Account), () ) AS `count(*)`": one node pattern per counted node.
_COUNTED_NODE = re.compile(rf"\(\s*(?::(?P<label>{_NAME}))?\s*\)")
# A subquery expression Neo4j kept as a nested plan prints as its text.
_NESTED = re.compile(r"\b(?:COLLECT|COUNT|EXISTS)\s*\{", re.IGNORECASE)

_LABEL_SCANS = frozenset(
    {
        "NodeByLabelScan",
        "UnionNodeByLabelsScan",
        "IntersectionNodeByLabelsScan",
        "SubtractionNodeByLabelsScan",
    }
)
_UNRESTRICTED = {
    "AllNodesScan": "it reads every node of the database, not only the model's",
    "NodeByIdSeek": "a node looked up by id can be any node of the database",
    "NodeByElementIdSeek": "a node looked up by element id can be any node of the database",
}
# Operators without children that produce no node (or only relationships' end nodes).
_NODELESS_LEAVES = frozenset({"Argument", "EmptyRow", "Projection", "Unwind", "ProcedureCall"})
_RELATIONSHIP_LEAF = re.compile(
    r"^(?:Directed|Undirected)?(?:Relationship\w*|AllRelationshipsScan|"
    r"UnionRelationshipTypesScan)$"
)


def _unquote(name: str) -> str:
    return name[1:-1].replace("``", "`") if name.startswith("`") else name


def _require_model(labels: list[str], step: PlanStep) -> None:
    if not labels:
        raise QueryRefused(
            f"the plan's {step.operator} ({step.details}) reads nodes of any label; {_HOW}"
        )
    outside = sorted({label for label in labels if label not in _MODEL})
    if outside:
        raise QueryRefused(
            f"the query reads nodes labelled {', '.join(outside)}, which are not part of the "
            f"model (its labels: {', '.join(MODEL_LABELS)}); {_HOW}"
        )


def _step_labels(step: PlanStep) -> list[str] | None:
    """The labels a node-producing operator reads; None when it is not one."""
    if step.operator in _LABEL_SCANS:
        scan = _LABEL_SCAN.match(step.details)
        if scan is None:
            return []
        return [_unquote(n) for n in re.findall(_NAME, scan.group("labels"))]
    if step.operator == "NodeCountFromCountStore":
        nodes = [m.group("label") for m in _COUNTED_NODE.finditer(step.details)]
        return [] if not nodes or None in nodes else [_unquote(n) for n in nodes]
    if step.operator.startswith(("Node", "MultiNode")) and (
        "Index" in step.operator or step.operator.startswith("MultiNode")
    ):
        return [_unquote(m.group("label")) for m in _INDEX.finditer(step.details)]
    return None


def check_model_only(plan: PlanFacts) -> None:
    """Raise :class:`QueryRefused` (403) unless every node the plan reads is the model's."""
    for step in plan.steps:
        if _NESTED.search(step.details):
            raise QueryRefused(
                "a COLLECT/COUNT/EXISTS subquery or pattern comprehension inside CASE, a list "
                "comprehension or reduce() cannot be checked (Neo4j plans it out of sight); "
                "compute it in a CALL (...) { ... } subquery or a WITH before using it"
            )
        reason = _UNRESTRICTED.get(step.operator)
        if reason is not None:
            raise QueryRefused(f"the query is refused: {reason}; {_HOW}")
        labels = _step_labels(step)
        if labels is not None:
            _require_model(labels, step)
        elif step.leaf and not (
            step.operator in _NODELESS_LEAVES
            or step.operator == "RelationshipCountFromCountStore"
            or _RELATIONSHIP_LEAF.match(step.operator)
        ):
            raise QueryRefused(
                f"the plan starts with {step.operator}, which the analyst guard does not "
                f"know; {_HOW}"
            )
