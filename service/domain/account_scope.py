"""What a caller limited to one account sees of a record: that account's part only.

An embed token (``Principal.account_id``) may read one account. People move between
accounts and edges outlive a move (influence has no history; a manager may still be
in the old account), so a person of the account can have employment, lines, roles,
budgets and influence elsewhere. The reads in ``service/graph/cypher/reads/`` name the
account of every item they return (``account_id``: an employment's account, a role
target's account, a budget's account, another person's home account); here each list
of a record is kept to the principal's account.

The rules are declared per record, key by key, and a key without a rule is an error:
a field added to a read later is not shown to scoped callers until someone decides how
to scope it (the tests fail first). Principals without an account (API keys) get the
record unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from service.domain.access import Principal

__all__ = [
    "ACCOUNT_STAKEHOLDER",
    "STAKEHOLDER",
    "TEAM_MEMBER",
    "Rule",
    "home_account_id",
    "scoped",
]


class Rule(Enum):
    OWN = "own"  # about the record's own subject, which the caller may see: kept
    BY_ACCOUNT = "by_account"  # a list whose items carry `account_id`: filtered


STAKEHOLDER: Mapping[str, Rule] = {
    "person": Rule.OWN,
    "employment": Rule.BY_ACCOUNT,
    "positions": Rule.BY_ACCOUNT,
    "managers": Rule.BY_ACCOUNT,
    "dotted_managers": Rule.BY_ACCOUNT,
    "direct_reports": Rule.BY_ACCOUNT,
    "roles": Rule.BY_ACCOUNT,
    "budgets": Rule.BY_ACCOUNT,
    "influenced_by": Rule.BY_ACCOUNT,
    "influences": Rule.BY_ACCOUNT,
    # Our team's ties to the person themselves (who is the account's).
    "relationships": Rule.OWN,
}
TEAM_MEMBER: Mapping[str, Rule] = {
    "member": Rule.OWN,
    "accounts": Rule.BY_ACCOUNT,
    "relationships": Rule.BY_ACCOUNT,  # by the stakeholder's current employer
}
# One row of an account's stakeholder list (the person is the account's).
ACCOUNT_STAKEHOLDER: Mapping[str, Rule] = {
    **dict.fromkeys(
        ("id", "name", "title", "email", "department", "seniority", "status", "left_at"),
        Rule.OWN,
    ),
    "managers": Rule.BY_ACCOUNT,
    "roles": Rule.BY_ACCOUNT,
}


def scoped(
    record: Mapping[str, Any], rules: Mapping[str, Rule], principal: Principal
) -> dict[str, Any]:
    """``record`` as ``principal`` may see it: lists kept to its account, if it has one.

    >>> from service.domain.access import Scope
    >>> embed = Principal("e", frozenset({Scope.READ}), "embed_token", account_id="a")
    >>> scoped({"person": {"id": "p"}, "roles": [{"account_id": "a"}, {"account_id": "b"}]},
    ...        {"person": Rule.OWN, "roles": Rule.BY_ACCOUNT}, embed)
    {'person': {'id': 'p'}, 'roles': [{'account_id': 'a'}]}
    """
    unknown = sorted(set(record) - set(rules))
    if unknown:
        raise KeyError(f"no account-scope rule for {', '.join(unknown)}")
    if principal.account_id is None:
        return dict(record)
    only = principal.account_id
    return {
        key: (
            value
            if rules[key] is Rule.OWN
            else [item for item in value if item.get("account_id") == only]
        )
        for key, value in record.items()
    }


def home_account_id(employment: list[dict[str, Any]]) -> str | None:
    """The account a person belongs to: the current employer, else the latest one.

    People who left keep belonging to the account they left (their WORKS_AT was closed
    by the departure), so past org charts and their detail stay visible to it. The
    reads compute the same for the other people they name (``account_id``).

    >>> from datetime import datetime
    >>> home_account_id([
    ...     {"account_id": "a", "since": datetime(2020, 1, 1), "until": datetime(2022, 1, 1)},
    ...     {"account_id": "b", "since": datetime(2022, 1, 1), "until": datetime(2023, 1, 1)},
    ... ])
    'b'
    """
    current = [e for e in employment if e["until"] is None]
    if current:
        return str(max(current, key=lambda e: e["since"])["account_id"])
    if employment:
        return str(max(employment, key=lambda e: e["until"])["account_id"])
    return None
