"""``key_stakeholder_left``: a key stakeholder left the account or moved away.

Holds for a person who was a key stakeholder of the account at the previous evaluation
and is no longer an active stakeholder of it (they left, moved to another account, or
their employment here ended). The event names them, the roles and budgets that made
them key, and where they are now. ``.resolved``: they are an active stakeholder of the
account again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import KeyStakeholderLeft
from service.domain.alerts.conditions.base import Draft, diff_facts, facts_state

TYPE = "key_stakeholder_left"


def people_to_locate(previous: Mapping[str, Any] | None) -> list[str]:
    """Everyone the previous state remembers (the view locates those no longer here)."""
    state = facts_state(previous)
    return sorted(set(state.memory) | set(state.facts))


def evaluate(
    view: AccountView, spec: KeyStakeholderLeft, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    before = facts_state(previous)
    here = view.active_stakeholders
    memory = {k: view.key_evidence(k) for k in view.keys}
    facts: dict[str, Any] = {k: v for k, v in before.facts.items() if k not in here}
    for person_id, evidence in before.memory.items():
        if person_id not in here and person_id not in facts:
            facts[person_id] = dict(evidence) | {"whereabouts": view.whereabouts_data(person_id)}

    def resolved(person_id: str, old: Any) -> dict[str, Any]:
        return {
            "stakeholder": view.stakeholder_ref(person_id),
            "reason": "returned",
            "key_stakeholder_again": person_id in view.keys,
        }

    return diff_facts(TYPE, before, facts, memory, resolved=resolved)
