"""``champion_lost``: the account or one of its open opportunities has no active,
engaged champion any more.

Holds for a target (the account, or an opportunity that is not closed) that had at
least one active champion with coverage ≥ 1 (engaged: an active tie from an active
team member) at an earlier evaluation, and now has none. The event names the target,
the champions it had and what became of each (``left``, ``moved``, ``not_engaged``: still
champion but nobody of ours has an active tie, ``role_ended``), and the champions it
still has that nobody engages. ``.resolved``: an engaged champion again
(``reason: champion_engaged``, with who), or the opportunity closed or is no longer
the account's (``reason: target_closed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import ChampionLost
from service.domain.alerts.conditions.base import Draft, diff_facts, facts_state

TYPE = "champion_lost"


def people_to_locate(previous: Mapping[str, Any] | None) -> list[str]:
    state = facts_state(previous)
    ids = {p[0] for people in state.memory.values() for p in people}
    return sorted(ids)


def _fate(view: AccountView, target: str, person_id: str) -> dict[str, Any]:
    if person_id not in view.active_stakeholders:
        where = view.whereabouts_data(person_id)
        return {"now": where["status"]} | {k: v for k, v in where.items() if k != "status"}
    if person_id in view.champions.get(target, []):
        return {"now": "not_engaged"}
    return {"now": "role_ended"}


def evaluate(
    view: AccountView, spec: ChampionLost, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    before = facts_state(previous)
    engaged = {
        target: [[p, view.names.get(p)] for p in champions if view.engaged(p)]
        for target, champions in view.champions.items()
    }
    memory = {target: people for target, people in engaged.items() if people}
    facts: dict[str, Any] = {}
    for target in sorted(set(before.memory) | set(before.facts)):
        if target not in view.targets or engaged.get(target):
            continue
        if before.had(target):
            facts[target] = before.facts[target]
            continue
        facts[target] = {
            "target": view.targets[target],
            "former_champions": [
                {"id": p, "name": name} | _fate(view, target, p)
                for p, name in before.memory[target]
            ],
            "champions_not_engaged": [view.ref(p) for p in view.champions.get(target, [])],
        }

    def resolved(target: str, old: Any) -> dict[str, Any]:
        if target not in view.targets:
            return {"target": old["target"], "reason": "target_closed", "champions": []}
        return {
            "target": view.targets[target],
            "reason": "champion_engaged",
            "champions": [{"id": p, "name": n} for p, n in engaged[target]],
        }

    return diff_facts(TYPE, before, facts, memory, resolved=resolved)
