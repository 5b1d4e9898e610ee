"""``budget_without_owner``: a budget lost its owner or approver.

Holds for a (budget, authority) slot, authority ``owner`` or ``approver``, that had at
least one active holder at an earlier evaluation and has none now (they left, moved,
or their authority ended). The event names the budget, the authority, the former
holders and the successor departure impact suggests (docs/definitions.md, "Departure
impact": the nearest active manager up the solid reporting line of a former holder,
not a former holder too) — worked out while the holders were there and remembered,
since a departure closes the reporting lines it would follow. ``.resolved``: the slot
has an active holder again (``reason: holder_again``) or the budget is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.analytics.departure_impact import suggested_successor
from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import BudgetWithoutOwner
from service.domain.alerts.conditions.base import Draft, diff_facts, facts_state

TYPE = "budget_without_owner"


def people_to_locate(previous: Mapping[str, Any] | None) -> list[str]:
    state = facts_state(previous)
    return sorted({h[0] for slot in state.memory.values() for h in slot["holders"]})


def _successor(view: AccountView, holders: list[str]) -> list[Any] | None:
    found = suggested_successor(view.account, holders, view.solid_managers)
    if found is None:
        return None
    successor, levels = found
    return [successor, view.names.get(successor), levels]


def evaluate(
    view: AccountView, spec: BudgetWithoutOwner, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    before = facts_state(previous)
    memory = {
        slot: {
            "holders": [[h, view.names.get(h)] for h in holders],
            "successor": _successor(view, holders),
        }
        for slot, holders in view.budget_holders.items()
    }
    facts: dict[str, Any] = {}
    for slot in sorted(set(before.memory) | set(before.facts)):
        budget_id, authority = slot.split("|", 1)
        if budget_id not in view.budgets or slot in view.budget_holders:
            continue
        if before.had(slot):
            facts[slot] = before.facts[slot]
            continue
        was = before.memory[slot]
        holders = [h for h, _ in was["holders"]]
        # Remembered while they were there; a fresh one when that person is gone too and
        # the former holders' lines are still there (their authority ended, they stayed).
        successor = was["successor"]
        if successor is None or successor[0] not in view.active_stakeholders:
            successor = _successor(view, holders)
        facts[slot] = {
            "budget": view.budget_data(budget_id, view.budgets[budget_id]),
            "authority": authority,
            "former_holders": [
                {"id": h, "name": name}
                | (
                    {"now": "active"}
                    if h in view.active_stakeholders
                    else {"now": view.whereabouts_data(h)["status"]}
                )
                for h, name in was["holders"]
            ],
            "suggested_successor": None
            if successor is None
            else {"id": successor[0], "name": successor[1], "levels_up": successor[2]},
        }

    def resolved(slot: str, old: Any) -> dict[str, Any]:
        holders = view.budget_holders.get(slot)
        return {
            "budget": old["budget"],
            "authority": old["authority"],
            "reason": "holder_again" if holders else "budget_gone",
            "holders": [view.ref(h) for h in holders or []],
        }

    return diff_facts(TYPE, before, facts, memory, resolved=resolved)
