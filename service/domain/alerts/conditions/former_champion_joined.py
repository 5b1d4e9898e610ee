"""``former_champion_joined``: someone who was a champion, economic buyer or decision
maker at another account now works at the account.

The facts are the active stakeholders of the account who hold or held (closed edges
count: the role they had before they moved) a ``champion``, ``economic_buyer`` or
``decision_maker`` role on another account or one of its opportunities. One not there
at the last evaluation makes an event with the roles they held elsewhere, our ties to
them (a tie is with the person and moves with them), our strongest warm path to them
in the new account, and the account's key stakeholders whose best warm path goes
through them. ``.resolved``: they no longer work at the account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView, FormerRole
from service.domain.alerts.condition_specs import FormerChampionJoined
from service.domain.alerts.conditions.base import Draft, capped, diff_facts, facts_state

TYPE = "former_champion_joined"


def _held(role: FormerRole) -> dict[str, Any]:
    return {
        "role": role.role,
        "account": {"id": role.account_id, "name": role.account_name},
        "target": {"kind": role.target_kind, "id": role.target_id, "name": role.target_name},
        "since": None if role.since is None else role.since.isoformat(),
        "until": None if role.until is None else role.until.isoformat(),
    }


def _evidence(view: AccountView, person_id: str, roles: list[FormerRole]) -> dict[str, Any]:
    ties = sorted(
        (
            t
            for t in view.account.knows
            if t.stakeholder_id == person_id
            and t.strength >= view.params.active_tie_threshold
            and t.strength > 0
            and t.team_member_id in view.graph.index
        ),
        key=lambda t: (-t.strength, t.team_member_id),
    )
    through = []
    for key in view.keys:
        if key == person_id:
            continue
        path = view.reach.path_to(key)
        if path is not None and person_id in path.people[1:-1]:
            through.append(
                view.stakeholder_ref(key) | {"warm_path_strength": round(path.strength, 6)}
            )
    through.sort(key=lambda k: (-k["warm_path_strength"], k["id"]))
    roles = sorted(roles, key=lambda r: (r.account_id, r.target_id, r.role))
    return {
        "person": view.stakeholder_ref(person_id),
        "held_elsewhere": capped(_held(r) for r in roles),
        "our_ties": [view.ref(t.team_member_id) | {"strength": round(t.strength, 6)} for t in ties][
            :10
        ],
        "warm_path": view.path_data(view.reach.path_to(person_id)),
        "key_stakeholders_reached_through_them": capped(through),
        "key_stakeholders_reached_count": len(through),
    }


def evaluate(
    view: AccountView, spec: FormerChampionJoined, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    before = facts_state(previous)
    facts: dict[str, Any] = {}
    for person_id, roles in view.former_champions.items():
        if before.had(person_id):
            facts[person_id] = before.facts[person_id]
        elif before.baseline:  # no event: the evidence is not needed
            facts[person_id] = {"person": view.stakeholder_ref(person_id)}
        else:
            facts[person_id] = _evidence(view, person_id, roles)

    def resolved(person_id: str, old: Any) -> dict[str, Any]:
        return {"person": old["person"], "reason": "no_longer_at_account"}

    return diff_facts(TYPE, before, facts, {}, resolved=resolved)
