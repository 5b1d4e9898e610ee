"""One account's subgraph as of a date, pulled in one round trip into an analytics model.

Every analytics endpoint starts here: one statement (an anchor from
``cypher/analytics/`` followed by ``cypher/analytics/account_subgraph.cypher``) returns
one record per account holding everything :mod:`service.analytics` needs as lists of
plain rows, already filtered to what is valid at ``valid_at`` (the end of the as-of
date, docs/graph-conventions.md "As of a date D"). Never a query per person.

What is pulled, for the account ``a`` at ``t = valid_at``:

- stakeholders with a WORKS_AT to ``a`` valid at ``t`` who had not left by ``t``;
- team members who cover ``a`` (COVERS is current-only) or have a KNOWS valid at ``t``
  to one of those stakeholders; a team member whose ``left_at`` is before ``t`` is
  ``left`` (the analyses ignore them);
- KNOWS, REPORTS_TO and HAS_ROLE carry their provenance (``source``,
  ``source_record_id``), which the power map shows;
- KNOWS valid at ``t`` with their stored strength and last contact. A derived tie's
  strength is the one computed at its last ingest (docs/graph-conventions.md), as the
  org chart shows it;
- REPORTS_TO, HAS_ROLE (on ``a`` or its opportunities) and CONTROLS (on ``a``'s
  budgets) valid at ``t``; INFLUENCES (no history) between the account's people;
- the account's budgets, and its opportunities that are not closed (``closed_won`` /
  ``closed_lost`` deals are not at risk any more). Roles on closed opportunities
  still make a stakeholder key.

Rows that the analytics model would refuse (an unknown role or authority, a strength
outside [0, 1], a stance outside −2..2) are dropped rather than failing the request;
ingest validation keeps them out in the first place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Final, TypeVar, get_args

from neo4j import ManagedTransaction

from service.analytics.model import (
    AccountGraph,
    Authority,
    Budget,
    Controls,
    Influences,
    Knows,
    Opportunity,
    ReportsTo,
    Role,
    RoleName,
    RoleTargetKind,
    Stakeholder,
    TeamMember,
)
from service.graph.cypher_files import cypher
from service.graph.driver import Graph, Record

__all__ = [
    "CLOSED_STAGES",
    "PersonRef",
    "PulledAccount",
    "account_ids",
    "account_subgraph",
    "accounts_subgraphs",
    "budget_account_subgraph",
    "find_person",
    "to_account_graph",
]

#: Opportunity stages that are over: such deals are not analysed for risk.
CLOSED_STAGES: Final = frozenset({"closed_won", "closed_lost"})

_ROLES: Final = frozenset(get_args(RoleName))
_AUTHORITIES: Final = frozenset(get_args(Authority))
_TARGET_KINDS: Final = frozenset(get_args(RoleTargetKind))
_BODY: Final = "analytics/account_subgraph"
#: The alert conditions' body: the same rows without what no condition reads.
_SLIM_BODY: Final = "analytics/account_subgraph_conditions"


def _pull(anchor: str, *, slim: bool = False) -> str:
    # Both parts are files of this package (never input): the anchor binds `a`.
    return cypher(f"analytics/{anchor}") + cypher(_SLIM_BODY if slim else _BODY)


def _read_plain(graph: Graph, query: str, **params: Any) -> list[Record]:
    """Like :func:`service.graph.driver.read`, without ``Record.data()``'s deep walk.

    ``data()`` visits every nested value to convert nodes and relationships; the pull
    returns only lists of plain values, and on a 5,000-person account that walk costs
    more than the query itself.
    """

    def work(tx: ManagedTransaction) -> list[Record]:
        result = tx.run(query, params)
        return [dict(zip(record.keys(), record.values(), strict=True)) for record in result]

    return graph.read_tx(work)


@dataclass(frozen=True)
class PersonRef:
    """Who an id is: a stakeholder (with their account) or a team member (their accounts)."""

    id: str
    kind: str  # "stakeholder" or "team_member"
    name: str | None
    account_ids: tuple[str, ...]


@dataclass(frozen=True)
class PulledAccount:
    """An account's analytics input and the account facts the analytics do not carry."""

    graph: AccountGraph
    tier: str | None
    #: The team members who cover the account at the date (COVERS valid then).
    covering: frozenset[str] = frozenset()


T = TypeVar("T")


def _checked_maker(cls: type[T]) -> Callable[..., T]:
    """A constructor of ``cls`` (a frozen, slotted dataclass of the analytics model)
    from all its fields, in their order, that does not run ``__init__``'s checks.

    :func:`to_account_graph` makes ≈ 30,000 of these objects for 100 accounts and has
    checked each row against the rule of its class's ``__post_init__`` before (it
    drops the rows the model would refuse), so the model's own checks would only repeat
    them; the frozen ``__init__`` costs ≈ 2 µs an object, this ≈ 0.8 µs. Each field is
    set through its slot, as ``__init__`` does (``object.__setattr__``), so the object
    is the one ``cls(*values)`` makes.
    """
    setters = [getattr(cls, f.name).__set__ for f in fields(cls)]  # type: ignore[arg-type]
    # Written out per class, as ``dataclasses`` writes ``__init__``: a loop over the
    # setters would cost more than it saves.
    args = ", ".join(f"v{i}" for i in range(len(setters)))
    sets = "".join(f"    s{i}(obj, v{i})\n" for i in range(len(setters)))
    text = f"def make({args}):\n    obj = new(cls)\n{sets}    return obj\n"
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update((f"s{i}", setter) for i, setter in enumerate(setters))
    exec(text, scope)  # the names above only; nothing from outside the module
    maker: Callable[..., T] = scope["make"]
    return maker


# One per class of the model; positional, every field given (see _checked_maker).
_stakeholder: Final = _checked_maker(Stakeholder)
_team_member: Final = _checked_maker(TeamMember)
_knows: Final = _checked_maker(Knows)
_influences: Final = _checked_maker(Influences)
_reports_to: Final = _checked_maker(ReportsTo)
_role: Final = _checked_maker(Role)
_controls: Final = _checked_maker(Controls)
_budget: Final = _checked_maker(Budget)
_opportunity: Final = _checked_maker(Opportunity)


def _from_epoch_millis(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000.0, UTC)


def _strength(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if 0.0 <= number <= 1.0 else None


def to_account_graph(row: Record, as_of: datetime) -> PulledAccount:
    """Turn one record of ``account_subgraph.cypher`` into an :class:`AccountGraph`.

    ``as_of`` is the instant described (``valid_at``); recency is measured against it.
    Every row is checked here as the model's classes would check it (their
    ``__post_init__``) and the objects made without repeating it (:func:`_checked_maker`).
    """
    stakeholders = [
        _stakeholder(
            sid,
            name if name is not None else sid,
            title,
            department,
            "left" if status == "left" else "active",
            seniority,
        )
        for sid, name, title, department, status, seniority in row["stakeholders"]
    ]
    people = {s.id for s in stakeholders}
    team = [
        _team_member(
            tid, name if name is not None else tid, "left" if status == "left" else "active", role
        )
        for tid, name, role, status, _covers in row["team"]
    ]
    knows = []
    for tid, sid, raw_strength, last_contact, source, record_id in row["knows"]:
        strength = _strength(raw_strength)
        if strength is not None:
            knows.append(
                _knows(tid, sid, strength, _from_epoch_millis(last_contact), source, record_id)
            )
    influences = []
    for source, target, raw_strength in row["influences"]:
        strength = _strength(raw_strength)
        if strength is not None and target in people:
            influences.append(_influences(source, target, strength))
    reports = []
    for person, target, kind, raw_strength, source, record_id in row["reports_to"]:
        if target not in people or kind not in ("solid", "dotted"):
            continue
        strength = _strength(raw_strength)
        if raw_strength is not None and strength is None:
            continue
        reports.append(_reports_to(person, target, kind, strength, source, record_id))
    roles = []
    for sid, role, kind, target, stance, source, record_id in row["roles"]:
        if role in _ROLES and (stance is None or -2 <= stance <= 2):
            # A target kind the rows were not checked for goes through the model's own
            # constructor, which refuses it with its own error.
            make = _role if kind in _TARGET_KINDS else Role
            roles.append(make(sid, role, kind, target, stance, source, record_id))
    controls = [
        _controls(sid, bid, authority)
        for sid, bid, authority in row["controls"]
        if authority in _AUTHORITIES
    ]
    budgets = [
        _budget(bid, name if name is not None else bid, amount, currency)
        for bid, name, amount, currency in row["budgets"]
    ]
    opportunities = [
        _opportunity(oid, name if name is not None else oid, stage, amount)
        for oid, name, stage, amount in row["opportunities"]
        if stage not in CLOSED_STAGES
    ]
    graph = AccountGraph(
        account_id=row["id"],
        as_of=as_of,
        stakeholders=stakeholders,
        team_members=team,
        knows=knows,
        influences=influences,
        reports_to=reports,
        roles=roles,
        controls=controls,
        budgets=budgets,
        opportunities=opportunities,
        account_name=row["name"],
    )
    covering = frozenset(tid for tid, _name, _role, _status, covers in row["team"] if covers)
    return PulledAccount(graph, row["tier"], covering)


def account_ids(graph: Graph, *, tier: str | None = None) -> list[str]:
    """Every account's id (of ``tier`` when given), in id order: the anchors a portfolio
    walk pulls one at a time."""
    if tier is None:
        rows = graph.read(cypher("analytics/account_ids"))
    else:
        rows = graph.read(cypher("analytics/account_ids_by_tier"), tier=tier)
    return [str(row["id"]) for row in rows]


def account_subgraph(graph: Graph, account_id: str, *, valid_at: datetime) -> PulledAccount | None:
    """The account's subgraph at ``valid_at`` in one round trip; None when unknown."""
    rows = _read_plain(graph, _pull("account_by_id"), account_id=account_id, valid_at=valid_at)
    return to_account_graph(rows[0], valid_at) if rows else None


def budget_account_subgraph(
    graph: Graph, budget_id: str, *, valid_at: datetime
) -> PulledAccount | None:
    """The subgraph of the account a budget belongs to, in one round trip; None when unknown."""
    rows = _read_plain(graph, _pull("account_by_budget"), budget_id=budget_id, valid_at=valid_at)
    return to_account_graph(rows[0], valid_at) if rows else None


def accounts_subgraphs(
    graph: Graph, account_ids: Sequence[str], *, valid_at: datetime, slim: bool = False
) -> list[PulledAccount]:
    """Several accounts' subgraphs in one round trip (one record each, unknown ids skipped).

    ``slim``: without what no alert condition reads (``account_subgraph_conditions``):
    the provenance of KNOWS, REPORTS_TO and HAS_ROLE and a stakeholder's department and
    seniority are None. Never for an account that anything else reads (the power map
    shows them): the alerts evaluator's own pull, kept by no cache.
    """
    if not account_ids:
        return []
    rows = _read_plain(
        graph,
        _pull("accounts_by_ids", slim=slim),
        account_ids=list(account_ids),
        valid_at=valid_at,
    )
    return [to_account_graph(row, valid_at) for row in rows]


def find_person(graph: Graph, person_id: str, *, valid_at: datetime) -> PersonRef | None:
    """Whether ``person_id`` is a stakeholder or a team member, and their account(s).

    A stakeholder's account is the one they work at ``valid_at``, else the last one
    they worked at before it; a team member's are every account they cover or where
    they know someone at ``valid_at``. None when the id is neither.
    """
    rows = graph.read(cypher("analytics/person"), person_id=person_id, valid_at=valid_at)
    if not rows:
        return None
    # Ids are unique per label; should one be both, the stakeholder reading wins.
    row = min(rows, key=lambda r: 0 if r["kind"] == "stakeholder" else 1)
    return PersonRef(person_id, row["kind"], row["name"], tuple(row["account_ids"]))
