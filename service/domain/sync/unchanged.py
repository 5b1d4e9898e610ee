"""Rows of a sync batch that would change nothing, left out before validation and write.

A CRM snapshot restates everything it holds, so a second identical upload would send
every row again: each one a no-op in the write (docs/crm-sync.md, "All or nothing,
idempotent"), yet each validated, planned and sent to Neo4j. :func:`drop_unchanged`
compares the rows with the stored state the sync's read already holds
(:class:`~service.domain.sync.diff.StoredFacts`) and leaves out exactly the rows whose
write would change nothing — so the result is the one writing them would give. A pure
function (tests/sync/test_unchanged.py); the write path is
:func:`service.domain.sync.apply.sync_upload`.

What is compared, per section (a row that fails any check is kept and written):

- ``stakeholders``: no ``left_at`` and no ``dotted_reports_to`` in the row; the stored
  person is ``active``, has no ``left_at`` and a ``source``, and at most one current
  solid line; every node field the row gives (``name``, ``title``, ``email``,
  ``department``, ``seniority``; an empty one is null) equals the stored value;
  exactly one current ``WORKS_AT``, to the row's account, whose position (title,
  department, seniority) is the node's and which did not begin with a move (the
  write's ``moved`` step would act on it); when the row gives ``reports_to``: null
  and no current solid line, or exactly one current solid line, to that manager, who
  has not left.
- ``roles`` (without ``until``): the current ``HAS_ROLE`` edges of that (person,
  target, role), of any source, exist and all have the row's stance.
- ``coverage`` (without ``until``): the current ``COVERS`` edges of that (team member,
  account) exist and, when the row gives ``role``, all have that role.
- ``interactions``: the stored interaction has a ``source``, the row's kind and time
  (to the microsecond), and exactly the row's team members and stakeholders (compared
  as one text, :func:`interaction_signature`, built alike by the read).
- ``accounts``, ``team_members``, ``opportunities`` and every ending row (``until``,
  ``left_at``) are always kept: few rows, or changes by construction.

Rows touching a person whose own row is kept because they change employer (a move, a
new person) or leave in this write (``left_at``), or a team member who leaves, are kept
too: the move and the departure act on those edges, and validation refuses a row that
opens an edge of someone leaving — dropping the row would change that outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from service.domain.sync.diff import StoredFacts

__all__ = ["NODE_FIELDS", "drop_unchanged", "interaction_signature"]

Row = dict[str, Any]

#: The node fields of a stakeholder row (service/domain/ingest/plan.py NODE_PROPERTIES).
NODE_FIELDS = ("name", "title", "email", "department", "seniority")
POSITION = ("title", "department", "seniority")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _epoch_us(value: object) -> int | None:
    """An ISO-8601 date-time (no offset = UTC) in µs since the epoch, else None."""
    if isinstance(value, str):
        return _epoch_us_of_text(value)
    return _epoch_us_of_moment(value)


@lru_cache(maxsize=1 << 16)
def _epoch_us_of_text(value: str) -> int | None:
    """:func:`_epoch_us` of a text, each distinct text parsed once (an upload's tasks
    share their days)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return _epoch_us_of_moment(moment)


def _epoch_us_of_moment(value: object) -> int | None:
    if not isinstance(value, datetime):
        return None
    moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


def interaction_signature(
    kind: str, at_us: int, team_member_ids: Iterable[str], stakeholder_ids: Iterable[str]
) -> str:
    """An interaction's kind, time (µs since the epoch) and participants as one text,
    exactly as ``service/graph/cypher/sync/interactions_state.cypher`` builds it for a
    stored one (ids cannot hold ``,`` or ``|``: service/domain/values.py ID_PATTERN).

    >>> interaction_signature("call", 12, ["tm-2", "tm-1"], ["p-1", "p-1"])
    'call|12|,tm-1,tm-2|,p-1'
    """
    return f"{kind}|{at_us}|{_id_list(team_member_ids)}|{_id_list(stakeholder_ids)}"


def _id_list(ids: Iterable[str]) -> str:
    """The distinct ids, sorted, each after a ``,`` (one id: no set, no sort)."""
    if isinstance(ids, list | tuple) and len(ids) == 1:
        return "," + ids[0]
    return "".join("," + x for x in sorted(set(ids)))


def _plain_ids(values: object) -> bool:
    """A list of texts none of which holds a signature's separators."""
    if isinstance(values, list) and len(values) == 1:
        [value] = values
        return isinstance(value, str) and "," not in value and "|" not in value
    return isinstance(values, list) and all(
        isinstance(v, str) and "," not in v and "|" not in v for v in values
    )


def drop_unchanged(
    batch: Mapping[str, Any], facts: StoredFacts
) -> tuple[dict[str, Any], Counter[str]]:
    """``batch`` without the rows whose write would change nothing (see the module
    docstring), and how many rows were left out per section. Sections left empty are
    removed; the input is not modified."""
    states = facts.person_states
    # People whose own row is written because their employment changes or they leave,
    # and team members who leave: rows touching them are written too.
    unsettled: set[str] = set()
    for row in batch.get("stakeholders", []):
        state = states.get(row["id"])
        if (
            "left_at" in row
            or state is None
            or len(state.employments) != 1
            or state.employments[0].account_id != row["account_id"]
        ):
            unsettled.add(row["id"])
    for row in batch.get("team_members", []):
        if "left_at" in row:
            unsettled.add(row["id"])

    def person_unchanged(row: Row) -> bool:
        if "left_at" in row or "dotted_reports_to" in row or row["id"] in unsettled:
            return False
        state = states[row["id"]]
        if not state.comparable or state.status != "active" or state.has_left_at:
            return False
        if state.source is None:
            return False
        props = state.props
        if any(props.get(k) != row[k] for k in NODE_FIELDS if k in row):
            return False
        [employment] = state.employments
        if employment.moved_in or employment.position != tuple(props.get(k) for k in POSITION):
            return False
        if any(m in unsettled for m, _ in state.managers):
            return False
        if "reports_to" in row:
            manager = row["reports_to"]
            if manager is None:
                return not state.managers
            return (
                manager not in unsettled
                and len(state.managers) == 1
                and state.managers[0][0] == manager
                and state.managers[0][1] != "left"
            )
        return True

    stances: dict[tuple[str, str, str, str], set[int]] = {}
    for role in facts.roles:
        stances.setdefault(role.key, set()).add(role.stance)

    def role_unchanged(row: Row) -> bool:
        if "until" in row or row["stakeholder_id"] in unsettled:
            return False
        if row.get("account_id") is not None:
            key = (row["stakeholder_id"], "account", row["account_id"], row["role"])
        else:
            target = row.get("opportunity_id") or ""
            key = (row["stakeholder_id"], "opportunity", target, row["role"])
        return stances.get(key) == {row.get("stance")}

    cover_roles: dict[tuple[str, str], set[str | None]] = {}
    for cover in facts.covers:
        cover_roles.setdefault((cover.team_member_id, cover.account_id), set()).add(cover.role)

    def cover_unchanged(row: Row) -> bool:
        if "until" in row or row["team_member_id"] in unsettled:
            return False
        roles = cover_roles.get((row["team_member_id"], row["account_id"]))
        if not roles:
            return False
        return "role" not in row or roles == {row["role"]}

    def interaction_unchanged(row: Row) -> bool:
        stored = facts.interactions.get(row["id"])
        if stored is None:
            return False
        kind, at_us = row["kind"], _epoch_us(row["at"])
        members, people = row["team_member_ids"], row["stakeholder_ids"]
        if not isinstance(kind, str) or "|" in kind or at_us is None:
            return False
        if not _plain_ids(members) or not _plain_ids(people):
            return False
        return (
            stored == interaction_signature(kind, at_us, members, people)
            and not unsettled.intersection(members)
            and not unsettled.intersection(people)
        )

    checks: dict[str, Callable[[Row], bool]] = {
        "stakeholders": person_unchanged,
        "roles": role_unchanged,
        "coverage": cover_unchanged,
        "interactions": interaction_unchanged,
    }
    out = dict(batch)
    dropped: Counter[str] = Counter()
    for section, unchanged in checks.items():
        rows = batch.get(section)
        if not isinstance(rows, list):
            continue
        kept = [r for r in rows if not unchanged(r)]
        if len(kept) == len(rows):
            continue
        dropped[section] = len(rows) - len(kept)
        if kept:
            out[section] = kept
        else:
            del out[section]
    return out, dropped
