"""Neo4j side of ingest: stored facts for validation, and the batch write.

A batch (or one chunk of an import) is written by :func:`write_batch` in ONE managed
write transaction that runs one ``UNWIND`` statement per kind of row, in dependency
order, each chunked to ``unwind_chunk`` rows. It is all-or-nothing, and the driver
retries it as a whole on deadlocks and other transient errors, so the work function
recomputes everything (its tally too) on every attempt.

Every statement also returns what it changed (a ``changes`` column: ONE flat list of
plain values per statement, nothing for no-op rows; no list or map per change, which
would cost the client microseconds each to decode). The work function keeps those lists
as they come in :class:`RawChanges`, resolves the account of each changed stakeholder,
budget and opportunity (from the write set when the batch names it, else with one more
statement), and hands them to the caller's ``recorder`` (the domain's change set,
``service/domain/changes.py``), whose record it writes as an isolated ``ChangeSet``
node in the same transaction: an acknowledged write's changes are never lost, a
rolled-back one leaves nothing.

Concurrency: nodes are merged on their unique ``id`` (the constraints make a concurrent
MERGE of one id safe). Every statement that reads a node's current edges first takes
that node's write lock (``SET n._lock = true REMOVE n._lock``), so two writers of the
same person serialise and the second sees the first's edges: no duplicate current edge,
no lost update. Rows are sorted by their owning node's id, which keeps lock order
consistent between writers and deadlocks rare.

Rows of nodes this transaction created: a node one of the transaction's own MERGEs
created has no edge but those the transaction gives it, and no other transaction sees it
before the commit. When every row of an employment, solid-line, WITH or ATTENDED
statement names such a node (a first snapshot, a first import), the rows go to a
statement that does not read the node's edges (``FOR_CREATED``); the move check skips
such people, and the cycle check walks from the others first. The upserts return the
created ids, so the statements up to them are read before those that depend on them.

Plans: every statement of the write path begins with ``CYPHER replan=skip``, so it keeps
the plan it was first given. Neo4j otherwise replans a cached query whenever the graph's
statistics have drifted (checked every 10 s), and during a large import into a young
graph they drift all the time: planning these statements again and again cost about half
of the server's CPU of a first CRM snapshot (bench/RESULTS.md, "Write path per row").
It is safe because their plans do not depend on the statistics — each starts from the
rows' ids (unique index seeks) and walks from the nodes found; no scan, no hash join —
which tests/integration/test_write_plans.py checks on an empty graph for every one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from operator import itemgetter
from typing import Any, TypeVar

from neo4j import ManagedTransaction, Result

from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Record, Rows


class Statement(StrEnum):
    """The write statements of a batch, in the order they run (the enum's order)."""

    ACCOUNTS = "upsert_accounts"
    TEAM_MEMBERS = "upsert_team_members"
    STAKEHOLDERS = "upsert_stakeholders"
    WORKS_AT = "works_at"
    MOVED = "moved"
    BUDGETS = "upsert_budgets"
    BUDGET_OF = "budget_of"
    OPPORTUNITIES = "upsert_opportunities"
    OPPORTUNITY_FOR = "opportunity_for"
    SOLID_REPORTS_TO = "solid_reports_to"
    DOTTED_REPORTS_TO = "dotted_reports_to"
    END_DOTTED_REPORTS_TO = "end_dotted_reports_to"
    CONTROLS = "controls"
    END_CONTROLS = "end_controls"
    ACCOUNT_ROLES = "account_roles"
    OPPORTUNITY_ROLES = "opportunity_roles"
    END_ROLES = "end_roles"
    INFLUENCES = "influences"
    END_INFLUENCES = "end_influences"
    EXPLICIT_KNOWS = "explicit_knows"
    END_KNOWS = "end_knows"
    COVERS = "covers"
    END_COVERS = "end_covers"
    INTERACTIONS = "upsert_interactions"
    INTERACTION_WITH = "interaction_with"
    INTERACTION_ATTENDED = "interaction_attended"
    # Rows with `left_at`: the departure routes' statements, after every other row.
    DEPART_STAKEHOLDERS = "depart_stakeholder"
    DEPART_TEAM_MEMBERS = "depart_team_member"


# What each statement's counts are reported under: ("nodes", label) or ("edges", type).
TALLY_KEY: dict[Statement, tuple[str, str]] = {
    Statement.ACCOUNTS: ("nodes", "Account"),
    Statement.TEAM_MEMBERS: ("nodes", "TeamMember"),
    Statement.STAKEHOLDERS: ("nodes", "Stakeholder"),
    Statement.WORKS_AT: ("edges", "WORKS_AT"),
    Statement.MOVED: ("edges", "HAS_ROLE"),  # and CONTROLS, REPORTS_TO: see _add_closed
    Statement.BUDGETS: ("nodes", "Budget"),
    Statement.BUDGET_OF: ("edges", "OF"),
    Statement.OPPORTUNITIES: ("nodes", "Opportunity"),
    Statement.OPPORTUNITY_FOR: ("edges", "FOR"),
    Statement.SOLID_REPORTS_TO: ("edges", "REPORTS_TO"),
    Statement.DOTTED_REPORTS_TO: ("edges", "REPORTS_TO"),
    Statement.END_DOTTED_REPORTS_TO: ("edges", "REPORTS_TO"),
    Statement.CONTROLS: ("edges", "CONTROLS"),
    Statement.END_CONTROLS: ("edges", "CONTROLS"),
    Statement.ACCOUNT_ROLES: ("edges", "HAS_ROLE"),
    Statement.OPPORTUNITY_ROLES: ("edges", "HAS_ROLE"),
    Statement.END_ROLES: ("edges", "HAS_ROLE"),
    Statement.INFLUENCES: ("edges", "INFLUENCES"),
    Statement.END_INFLUENCES: ("edges", "INFLUENCES"),
    Statement.EXPLICIT_KNOWS: ("edges", "KNOWS"),
    Statement.END_KNOWS: ("edges", "KNOWS"),
    Statement.COVERS: ("edges", "COVERS"),
    Statement.END_COVERS: ("edges", "COVERS"),
    Statement.INTERACTIONS: ("nodes", "Interaction"),
    Statement.INTERACTION_WITH: ("edges", "WITH"),
    Statement.INTERACTION_ATTENDED: ("edges", "ATTENDED"),
    Statement.DEPART_STAKEHOLDERS: ("edges", "WORKS_AT"),  # per type: see _add_closed
    Statement.DEPART_TEAM_MEMBERS: ("edges", "KNOWS"),  # per type: see _add_closed
}
# Statements that close edges of several types: their `closed` count is tallied per
# type from their change rows, not under their TALLY_KEY.
MIXED_CLOSINGS = frozenset(
    {Statement.MOVED, Statement.DEPART_STAKEHOLDERS, Statement.DEPART_TEAM_MEMBERS}
)
# The departure statements: one row out per person, with the person's node change.
DEPARTURES: Mapping[Statement, str] = {
    Statement.DEPART_STAKEHOLDERS: "Stakeholder",
    Statement.DEPART_TEAM_MEMBERS: "TeamMember",
}
# The key rows are sorted by: the owning (locked) node first.
SORT_FIELDS: dict[Statement, tuple[str, ...]] = {
    Statement.CONTROLS: ("stakeholder_id", "budget_id"),
    Statement.END_CONTROLS: ("stakeholder_id", "budget_id"),
    Statement.ACCOUNT_ROLES: ("stakeholder_id", "target_id", "role"),
    Statement.OPPORTUNITY_ROLES: ("stakeholder_id", "target_id", "role"),
    Statement.END_ROLES: ("stakeholder_id", "target_id", "role"),
    Statement.INFLUENCES: ("from_id", "to_id"),
    Statement.END_INFLUENCES: ("from_id", "to_id"),
    Statement.EXPLICIT_KNOWS: ("stakeholder_id", "team_member_id"),
    Statement.END_KNOWS: ("stakeholder_id", "team_member_id"),
    Statement.COVERS: ("team_member_id", "account_id"),
    Statement.END_COVERS: ("team_member_id", "account_id"),
    Statement.END_DOTTED_REPORTS_TO: ("id", "manager_id"),
}
COUNT_COLUMNS = ("created", "updated", "closed", "removed")
# The statements whose `changes` column lists edges (the upserts list nodes; OF, FOR,
# WITH, ATTENDED and the interactions are inputs, their effect is the derived KNOWS).
EDGE_CHANGES = frozenset(
    {
        Statement.WORKS_AT,
        Statement.MOVED,
        Statement.SOLID_REPORTS_TO,
        Statement.DOTTED_REPORTS_TO,
        Statement.END_DOTTED_REPORTS_TO,
        Statement.CONTROLS,
        Statement.END_CONTROLS,
        Statement.ACCOUNT_ROLES,
        Statement.OPPORTUNITY_ROLES,
        Statement.END_ROLES,
        Statement.INFLUENCES,
        Statement.END_INFLUENCES,
        Statement.EXPLICIT_KNOWS,
        Statement.END_KNOWS,
        Statement.COVERS,
        Statement.END_COVERS,
        Statement.DEPART_STAKEHOLDERS,
        Statement.DEPART_TEAM_MEMBERS,
    }
)

# Labels whose stored ids validation may look up, with the query for each.
EXISTING_QUERIES: dict[str, str] = {
    "Account": "ingest/existing_accounts",
    "Stakeholder": "ingest/existing_stakeholders",
    "TeamMember": "ingest/existing_team_members",
    "Budget": "ingest/existing_budgets",
    "Opportunity": "ingest/existing_opportunities",
}

# The label of the nodes each upsert statement writes (its change rows name only ids).
NODE_LABEL: dict[Statement, str] = {
    Statement.ACCOUNTS: "Account",
    Statement.TEAM_MEMBERS: "TeamMember",
    Statement.STAKEHOLDERS: "Stakeholder",
    Statement.BUDGETS: "Budget",
    Statement.OPPORTUNITIES: "Opportunity",
}

WriteSet = dict[Statement, list[dict[str, Any]]]
Tally = dict[str, dict[str, dict[str, int]]]  # "nodes"/"edges" -> name -> count -> n


class ReportingCycleFormed(Exception):
    """A solid reporting cycle exists after the writes (a concurrent batch formed it)."""

    def __init__(self, people: list[str]) -> None:
        super().__init__(f"solid reporting cycle through {', '.join(people)}")
        self.people = people


@dataclass(frozen=True)
class StoredFacts:
    """What validation needs from the graph."""

    existing: dict[str, set[str]]  # label -> which of the asked ids are stored
    solid_managers: dict[str, str]  # person -> current solid-line manager (stored)
    # label -> which of the asked people (Stakeholder, TeamMember) are stored as left
    departed: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteParams:
    effective_at: datetime  # since/until of history edges
    now: datetime  # updated_at of changed nodes
    unwind_chunk: int
    half_life_days: float
    weights: Mapping[str, float]  # interaction kind -> w(kind)
    active_tie_threshold: float = 0.2  # θ: the change set notes ties crossing it
    # Where the write comes from (docs/graph-conventions.md, "Provenance"): `api`,
    # `salesforce`, `hubspot` or `demo`. Every node it creates and every time-bound edge
    # it opens stores it as `source`; its change set records it.
    source: str = "api"


# The properties whose before/after values a change set keeps (what a changes feed
# shows); the statements leave out the values of any other (``$tracked``), which a
# change set lists by name only.
TRACKED_PROPERTIES: Mapping[str, frozenset[str]] = {
    "Account": frozenset({"name", "tier"}),
    "Stakeholder": frozenset({"name", "title", "department", "seniority", "status", "left_at"}),
    "TeamMember": frozenset({"name", "role", "status", "left_at"}),
    "Budget": frozenset({"name", "amount", "fiscal_year"}),
    "Opportunity": frozenset({"name", "stage", "amount", "close_date"}),
}
# The fields of one changed edge in a statement's flat ``changes`` list: type, change,
# from id, to id, since µs, until µs, three identity fields (IDENTITY_FIELDS), and two
# (before, after) pairs of values changed in place (docs/graph-conventions.md).
EDGE_FIELDS = 13
IDENTITY_FIELDS: Mapping[str, tuple[str, ...]] = {
    "WORKS_AT": (),
    "REPORTS_TO": ("kind",),
    "HAS_ROLE": ("role", "stance", "target"),
    "CONTROLS": ("authority",),
    "KNOWS": ("source", "strength"),
    "COVERS": ("role",),
    "INFLUENCES": ("strength",),
}
# Whose account an edge belongs to: (label, offset of that node's id in the edge's
# fields: 2 from, 3 to); None: the edge's target is the account itself.
EDGE_ACCOUNT: Mapping[str, tuple[str, int] | None] = {
    "WORKS_AT": None,
    "COVERS": None,
    "REPORTS_TO": ("Stakeholder", 2),
    "INFLUENCES": ("Stakeholder", 2),
    "KNOWS": ("Stakeholder", 3),
    "CONTROLS": ("Budget", 3),
    "HAS_ROLE": None,  # an opportunity's role: ("Opportunity", 3), see edge_account_key
}


def edge_account_key(edge_type: str, from_id: str, to_id: str, target: Any) -> tuple[str, str]:
    """(label, id) of the node whose account an edge belongs to; label "" when ``to_id``
    is the account itself."""
    if edge_type == "HAS_ROLE":
        return ("Opportunity", to_id) if target == "opportunity" else ("", to_id)
    rule = EDGE_ACCOUNT[edge_type]
    if rule is None:
        return ("", to_id)
    return (rule[0], from_id if rule[1] == 2 else to_id)


@dataclass(frozen=True)
class RawChanges:
    """What one transaction changed, as its statements returned it: ``nodes`` holds
    (label, flat list) per upsert (per node: id, created (True/False, or "left"), n,
    then n × (property, before, after)); ``edges`` the flat edge lists (EDGE_FIELDS per
    edge); ``accounts`` the account of every stakeholder, budget and opportunity a
    change names (label -> id -> account id or None); ``direct`` the accounts changes
    name themselves (an account node, the target of WORKS_AT, COVERS and account roles);
    ``node_count`` the number of changed nodes."""

    nodes: tuple[tuple[str, list[Any]], ...]
    edges: tuple[list[Any], ...]
    accounts: Mapping[str, Mapping[str, str | None]]
    direct: frozenset[str]
    node_count: int


R = TypeVar("R")


# Turns one transaction's RawChanges into the caller's result (the domain's change set)
# and the properties of the ``ChangeSet`` node to record (None: nothing to record).
Recorder = Callable[[RawChanges], tuple[R, Mapping[str, Any] | None]]


def lookup_stored(
    graph: Graph, ids_by_label: Mapping[str, set[str]], manager_starts: set[str]
) -> StoredFacts:
    """Stored ids among those asked (one query per label) and the stored manager chains
    above ``manager_starts`` (one query), all in one read transaction."""

    def work(tx: ManagedTransaction) -> StoredFacts:
        existing: dict[str, set[str]] = {label: set() for label in EXISTING_QUERIES}
        departed: dict[str, set[str]] = {}
        for label, ids in ids_by_label.items():
            if ids:
                rows = run_rows(tx, cypher(EXISTING_QUERIES[label]), {"ids": Rows(sorted(ids))})
                existing[label] = {r["id"] for r in rows}
                departed[label] = {r["id"] for r in rows if r.get("departed")}
        managers: dict[str, str] = {}
        if manager_starts:
            rows = run_rows(
                tx, cypher("ingest/stored_solid_managers"), {"ids": Rows(sorted(manager_starts))}
            )
            managers = {r["id"]: r["manager"] for r in rows}
        return StoredFacts(existing=existing, solid_managers=managers, departed=departed)

    return graph.read_tx(work)


def run_rows(tx: ManagedTransaction, text: str, params: dict[str, Any]) -> list[Record]:
    """One statement's rows as plain dicts, fully consumed. The copy is shallow: ingest
    statements return counts and lists of ids, which ``Result.data()`` would walk and
    copy once more (a measurable share of the client's time in a large import)."""
    return [dict(record) for record in tx.run(text, params)]


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _sorted(statement: Statement, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The sort fields are ids every planned row carries (validated non-empty strings).
    return sorted(rows, key=itemgetter(*SORT_FIELDS.get(statement, ("id",))))


def _add(tally: Tally, key: tuple[str, str], row: Record) -> None:
    counts = tally[key[0]].setdefault(key[1], dict.fromkeys(COUNT_COLUMNS[:2], 0))
    for column in COUNT_COLUMNS:
        if column in row:
            counts[column] = counts.get(column, 0) + int(row[column] or 0)


def _add_closed(tally: Tally, flat: Sequence[Any]) -> None:
    """Tally the edges a statement closed, per type, from its flat change list."""
    for kind in flat[0::EDGE_FIELDS]:
        counts = tally["edges"].setdefault(kind, dict.fromkeys(COUNT_COLUMNS[:2], 0))
        counts["closed"] = counts.get("closed", 0) + 1


def start_statement(tx: ManagedTransaction, text: str, params: dict[str, Any]) -> Result:
    """Send one statement without waiting for its rows (see :func:`write_work`)."""
    return tx.run(text, params)


def statement_rows(result: Result) -> list[Record]:
    """A started statement's rows as plain dicts (shallow, as :func:`run_rows`)."""
    return [dict(record) for record in result]


@cache
def _uses(name: str) -> tuple[bool, bool, bool]:
    """Whether the statement reads ``$effective_at``, ``$now`` and ``$source``: only those
    are sent, as the driver packs each Python datetime in pure Python (≈ 0.1 ms)."""
    text = cypher(f"ingest/{name}")
    return "$effective_at" in text, "$now" in text, "$source" in text


@cache
def _tracked(label: str) -> list[str]:
    return sorted(TRACKED_PROPERTIES[label])


def _start_chunked(
    tx: ManagedTransaction,
    statement: Statement,
    rows: list[dict[str, Any]],
    params: WriteParams,
    name: str | None = None,
) -> list[Result]:
    """Send ``rows`` of ``statement`` in chunks; ``name``: the query to send them with
    (default the statement's own; a :data:`FOR_CREATED` one takes the same rows)."""
    name = name or statement.value
    text = cypher(f"ingest/{name}")
    uses_effective_at, uses_now, uses_source = _uses(name)
    started = []
    for chunk in _chunks(_sorted(statement, rows), params.unwind_chunk):
        values: dict[str, Any] = {"rows": Rows(chunk)}
        if uses_effective_at:
            values["effective_at"] = params.effective_at
        if uses_now:
            values["now"] = params.now
        if uses_source:
            values["source"] = params.source
        if statement in NODE_LABEL:
            values["tracked"] = _tracked(NODE_LABEL[statement])
        started.append(start_statement(tx, text, values))
    return started


def _flat(rows: Sequence[Record]) -> list[Any]:
    """A statement's ``changes``: the one flat list of its (only) row, or the lists of
    its chunks' rows end to end."""
    if len(rows) == 1:
        changes: list[Any] = rows[0]["changes"]
        return changes
    return [value for row in rows for value in row["changes"]]


def _referenced(
    nodes: Sequence[tuple[str, list[Any]]], edges: Sequence[list[Any]]
) -> tuple[dict[str, set[str]], set[str], int]:
    """The stakeholders, budgets and opportunities whose account the changes need,
    the accounts they name themselves, and the number of changed nodes. Slices of the
    flat lists do the work wherever one statement's edges are all alike."""
    wanted: dict[str, set[str]] = {"Stakeholder": set(), "Budget": set(), "Opportunity": set()}
    direct: set[str] = set()
    node_count = 0
    for label, flat in nodes:
        ids = []
        i, size = 0, len(flat)
        while i < size:
            ids.append(flat[i])
            i += 3 + 3 * flat[i + 2]
        node_count += len(ids)
        if label == "Account":
            direct.update(ids)
        elif label in wanted:
            wanted[label].update(ids)
    for flat in edges:
        types = set(flat[0::EDGE_FIELDS])
        if len(types) == 1 and (kind := next(iter(types))) != "HAS_ROLE":
            rule = EDGE_ACCOUNT[kind]
            if rule is None:
                direct.update(flat[3::EDGE_FIELDS])
            else:
                wanted[rule[0]].update(flat[rule[1] :: EDGE_FIELDS])
            continue
        for kind, source, target, role_target in zip(
            flat[0::EDGE_FIELDS],
            flat[2::EDGE_FIELDS],
            flat[3::EDGE_FIELDS],
            flat[8::EDGE_FIELDS],
            strict=True,
        ):
            label, node_id = edge_account_key(kind, source, target, role_target)
            if label:
                wanted[label].add(node_id)
            else:
                direct.add(node_id)
    return wanted, direct, node_count


def _known_accounts(write_set: WriteSet, label: str) -> dict[str, str]:
    """The account the write itself gives each stakeholder (its WORKS_AT row), budget
    (OF) or opportunity (FOR): their current account once the write is done."""
    statement = {
        "Stakeholder": Statement.WORKS_AT,
        "Budget": Statement.BUDGET_OF,
        "Opportunity": Statement.OPPORTUNITY_FOR,
    }[label]
    return {r["id"]: r["account_id"] for r in write_set.get(statement, ())}


def accounts_of(
    tx: ManagedTransaction, wanted: Mapping[str, set[str]], write_set: WriteSet | None = None
) -> dict[str, dict[str, str | None]]:
    """The account of every stakeholder, budget and opportunity in ``wanted``: the one
    the write set gives it, else read after the writes (one statement; nothing is read
    when the write set names them all)."""
    found: dict[str, dict[str, str | None]] = {}
    missing: dict[str, list[str]] = {}
    for label, ids in wanted.items():
        known = _known_accounts(write_set, label) if write_set and ids else {}
        found[label] = {i: known[i] for i in ids if i in known}
        missing[label] = sorted(i for i in ids if i not in known)
    if any(missing.values()):
        rows = run_rows(
            tx,
            cypher("ingest/accounts_of"),
            {
                "stakeholders": Rows(missing["Stakeholder"]),
                "budgets": Rows(missing["Budget"]),
                "opportunities": Rows(missing["Opportunity"]),
            },
        )
        for r in rows:
            found[r["label"]][r["id"]] = r["account"]
    return found


def record_changes(
    tx: ManagedTransaction,
    nodes: Sequence[tuple[str, list[Any]]],
    edges: Sequence[list[Any]],
    recorder: Recorder[R],
    write_set: WriteSet | None = None,
) -> R:
    """Resolve the changes' accounts, let ``recorder`` make its result and record of
    them, and write the record as one isolated ``ChangeSet`` node in ``tx`` (nothing
    when nothing changed)."""
    nodes = [(label, flat) for label, flat in nodes if flat]
    edges = [flat for flat in edges if flat]
    wanted, direct, node_count = _referenced(nodes, edges)
    accounts = accounts_of(tx, wanted, write_set) if nodes or edges else {}
    raw = RawChanges(tuple(nodes), tuple(edges), accounts, frozenset(direct), node_count)
    result, record = recorder(raw)
    if record is not None:
        run_rows(tx, cypher("ingest/record_change_set"), {"props": dict(record)})
    return result


def _affected_pairs(
    write_set: WriteSet, changed: set[str], removed: Mapping[str, Mapping[str, set[str]]]
) -> list[dict[str, Any]]:
    """The rows of ``derived_knows``: per stakeholder (in id order), the team members
    (sorted) of the (team member, stakeholder) pairs of the interactions that changed,
    including the people an interaction no longer lists (their tie lost that
    interaction), and the pairs whose explicit tie the write ended. Pairs given
    an explicit strength in the same write are left out: that statement leaves them one
    current explicit tie (under the stakeholder's lock until commit), and an explicit tie
    wins, so recomputing their derived strength could change nothing."""
    listed_with = {
        r["id"]: r["stakeholder_ids"] for r in write_set.get(Statement.INTERACTION_WITH, [])
    }
    listed_attended = {
        r["id"]: r["team_member_ids"] for r in write_set.get(Statement.INTERACTION_ATTENDED, [])
    }
    pairs: set[tuple[str, str]] = set()
    for interaction in changed:
        members = set(listed_attended.get(interaction, ())) | removed["attended"].get(
            interaction, set()
        )
        people = set(listed_with.get(interaction, ())) | removed["with"].get(interaction, set())
        pairs.update((t, s) for t in members for s in people)
    pairs.difference_update(
        (r["team_member_id"], r["stakeholder_id"])
        for r in write_set.get(Statement.EXPLICIT_KNOWS, [])
    )
    # An explicit tie that ended leaves the pair's interactions to speak: a derived tie
    # opens from them (at the explicit one's until) when there are any.
    pairs.update(
        (r["team_member_id"], r["stakeholder_id"]) for r in write_set.get(Statement.END_KNOWS, [])
    )
    by_stakeholder: dict[str, list[str]] = defaultdict(list)
    for t, s in sorted(pairs, key=lambda p: (p[1], p[0])):
        by_stakeholder[s].append(t)
    return [
        {"stakeholder_id": s, "team_member_ids": members} for s, members in by_stakeholder.items()
    ]


#: Rows of nodes this transaction created. A node that one of this transaction's MERGEs
#: created (the upserts' ``created_ids``) has no relationship but those this transaction
#: gives it, and no other transaction sees it before the commit: the statements that read
#: a node's edges before changing them have nothing to read for it. A first snapshot or a
#: first import is made of such rows: when every row of a statement names a node this
#: transaction created, they go to a statement that does not read (and, its node being
#: locked already, does not lock) and returns the same columns and changes for them:
#: statement -> (the label whose created ids decide, by the row's ``id``; that statement,
#: or None when such rows change nothing and are left out, row by row — a person with
#: one employment did not move).
FOR_CREATED: Mapping[Statement, tuple[str, str | None]] = {
    Statement.WORKS_AT: ("Stakeholder", "works_at_new"),
    Statement.MOVED: ("Stakeholder", None),
    Statement.SOLID_REPORTS_TO: ("Stakeholder", "solid_reports_to_new"),
    Statement.INTERACTION_WITH: ("Interaction", "interaction_with_new"),
    Statement.INTERACTION_ATTENDED: ("Interaction", "interaction_attended_new"),
}
#: The upsert whose ``created_ids`` column names the created nodes of each label.
CREATED_BY: Mapping[Statement, str] = {
    Statement.STAKEHOLDERS: "Stakeholder",
    Statement.INTERACTIONS: "Interaction",
}
#: False: every row goes through its own statement (the tests compare both ways).
CREATED_ROWS_APART = True


def write_work(
    write_set: WriteSet, params: WriteParams, recorder: Recorder[R] | None = None
) -> Callable[[ManagedTransaction], tuple[Tally, R | None]]:
    """The transaction function writing ``write_set``; returns the tally of changes and
    what ``recorder`` made of them (the change set; it is recorded in the same
    transaction). Without a recorder nothing is recorded (tests of the store only)."""

    def work(tx: ManagedTransaction) -> tuple[Tally, R | None]:
        tally: Tally = {"nodes": {}, "edges": {}}
        nodes: list[tuple[str, list[Any]]] = []
        edges: list[list[Any]] = []
        changed_interactions: set[str] = set()
        new_solid_lines: list[str] = []
        created: dict[str, set[str]] = {}
        removed: dict[str, dict[str, set[str]]] = {
            "with": defaultdict(set),
            "attended": defaultdict(set),
        }

        def read(statement: Statement, results: list[Result]) -> None:
            out = [row for result in results for row in statement_rows(result)]
            if statement in MIXED_CLOSINGS:
                _add_closed(tally, _flat(out))
            else:
                for row in out:
                    _add(tally, TALLY_KEY[statement], row)
            if statement in NODE_LABEL:
                nodes.append((NODE_LABEL[statement], _flat(out)))
            elif statement in DEPARTURES:
                nodes.append((DEPARTURES[statement], [v for r in out for v in r["left"]]))
            if statement in EDGE_CHANGES:
                edges.append(_flat(out))
            if statement in CREATED_BY:
                new = created.setdefault(CREATED_BY[statement], set())
                for r in out:
                    new.update(r["created_ids"])
            if statement is Statement.SOLID_REPORTS_TO:
                for r in out:
                    new_solid_lines.extend(r["opened_for"])
            elif statement is Statement.INTERACTIONS:
                for r in out:
                    changed_interactions.update(r["changed_ids"])
            elif statement in (Statement.INTERACTION_WITH, Statement.INTERACTION_ATTENDED):
                side = "with" if statement is Statement.INTERACTION_WITH else "attended"
                for r in out:
                    for change in r["changes"]:
                        changed_interactions.add(change["id"])
                        removed[side][change["id"]].update(change["removed"])

        # The statements are sent before their rows are read: the server runs them in
        # order, so the client packs the next one's parameters while the server executes
        # the previous one (no idle round trips). The rows are read only where a later
        # statement needs them: which nodes the upserts created (FOR_CREATED).
        pending: list[tuple[Statement, list[Result]]] = []
        for statement in Statement:
            rows = write_set.get(statement)
            if not rows:
                continue
            results: list[Result] = []
            apart = FOR_CREATED.get(statement) if CREATED_ROWS_APART else None
            if apart is not None:
                label, name = apart
                if any(CREATED_BY.get(s) == label for s, _ in pending):
                    for waiting in pending:
                        read(*waiting)
                    pending.clear()
                new_ids = created.get(label, set())
                if name is None:  # rows that change nothing: those of created nodes go
                    rows = [r for r in rows if r["id"] not in new_ids]
                elif all(r["id"] in new_ids for r in rows):
                    # All or none: the same rows in the same order create the same edges
                    # in the same order (a tie's strength sums its interactions in the
                    # order of the person's WITH edges: another order can move the last
                    # bit of the float).
                    results += _start_chunked(tx, statement, rows, params, name)
                    rows = []
            if rows:
                results += _start_chunked(tx, statement, rows, params)
            if results:
                pending.append((statement, results))
        for waiting in pending:
            read(*waiting)
        pairs = _affected_pairs(write_set, changed_interactions, removed)
        for chunk in _chunks(pairs, params.unwind_chunk):
            for row in run_rows(
                tx,
                cypher("ingest/derived_knows"),
                {
                    "rows": Rows(chunk),
                    "effective_at": params.effective_at,
                    "half_life_days": params.half_life_days,
                    "weights": dict(params.weights),
                },
            ):
                _add(tally, ("edges", "KNOWS"), row)
                edges.append(list(row["changes"]))
        _refuse_cycles(tx, new_solid_lines, created.get("Stakeholder", set()))
        if recorder is None:
            return tally, None
        return tally, record_changes(tx, nodes, edges, recorder, write_set)

    return work


def _refuse_cycles(
    tx: ManagedTransaction, new_solid_lines: list[str], created: AbstractSet[str] = frozenset()
) -> None:
    """Roll back if a solid reporting cycle exists now. Validation rejected cycles
    against the stored graph, but a concurrent batch may have committed a line since;
    any new cycle runs through a line opened here, so only those people are checked.

    Nor need the people this transaction ``created`` be walked first: a cycle through
    one of them enters them by a line opened here (no other transaction sees them), and
    walking the cycle back from there, the lines are this transaction's until one comes
    from someone it did not create (a cycle of this batch's lines alone was refused by
    validation) — who is checked. Only when the others show a cycle is everyone checked,
    so the error names the same people."""
    ids = sorted(new_solid_lines)
    if not ids:
        return
    if CREATED_ROWS_APART and created:
        others = [i for i in ids if i not in created]
        if not others:
            return
        if not run_rows(tx, cypher("ingest/reporting_cycles"), {"ids": Rows(others)}):
            return
    rows = run_rows(tx, cypher("ingest/reporting_cycles"), {"ids": Rows(ids)})
    if rows:
        # Raised inside the work function: the transaction rolls back, nothing is kept.
        raise ReportingCycleFormed([r["id"] for r in rows])


def write_batch(
    graph: Graph,
    write_set: WriteSet,
    params: WriteParams,
    recorder: Recorder[R] | None = None,
) -> tuple[Tally, R | None]:
    """Write one batch (or one import chunk) in one managed, retried transaction, with
    its change set (see :func:`write_work`)."""
    return graph.write_tx(write_work(write_set, params, recorder))


def _depart(
    graph: Graph,
    query: str,
    label: str,
    person_id: str,
    left_at: datetime,
    now: datetime,
    recorder: Recorder[R] | None,
) -> tuple[Record | None, R | None]:
    def work(tx: ManagedTransaction) -> tuple[Record | None, R | None]:
        rows = run_rows(
            tx, cypher(query), {"rows": [{"id": person_id, "left_at": left_at}], "now": now}
        )
        if not rows:
            return None, None
        row = rows[0]
        if recorder is None:
            return row, None
        # The same statement as a batch's rows with left_at: the person's node change
        # (none the second time) and one flat list of the edges it closed.
        return row, record_changes(tx, [(label, row["left"])], [row["changes"]], recorder)

    return graph.write_tx(work)


def depart_stakeholder(
    graph: Graph,
    stakeholder_id: str,
    left_at: datetime,
    now: datetime,
    recorder: Recorder[R] | None = None,
) -> tuple[Record | None, R | None]:
    """The departure's row (None: no such stakeholder) and its change set, recorded in
    the same transaction."""
    return _depart(
        graph,
        "ingest/depart_stakeholder",
        "Stakeholder",
        stakeholder_id,
        left_at,
        now,
        recorder,
    )


def depart_team_member(
    graph: Graph,
    team_member_id: str,
    left_at: datetime,
    now: datetime,
    recorder: Recorder[R] | None = None,
) -> tuple[Record | None, R | None]:
    """As :func:`depart_stakeholder`, for one of our team members."""
    return _depart(
        graph,
        "ingest/depart_team_member",
        "TeamMember",
        team_member_id,
        left_at,
        now,
        recorder,
    )


def read_change_sets(graph: Graph, account_id: str | None = None) -> list[Record]:
    """The properties of every recorded ``ChangeSet`` node in write order, or of those
    that touched ``account_id``."""
    # A Lucene phrase of one keyword token: only `\` and `"` need escaping.
    term = None
    if account_id is not None:
        term = '"' + account_id.replace("\\", "\\\\").replace('"', '\\"') + '"'
    rows = graph.read_tx(
        lambda tx: run_rows(
            tx, cypher("ingest/change_sets"), {"account_id": account_id, "term": term}
        ),
    )
    return [r["props"] for r in rows]
