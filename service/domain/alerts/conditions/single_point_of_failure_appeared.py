"""``single_point_of_failure_appeared``: a new single point of failure cuts the team off
from a key stakeholder.

The facts are the account's single points of failure now (docs/definitions.md, "Single
point of failure"): each person (articulation point of the engagement graph) and each
relationship (bridge) whose loss leaves at least one key stakeholder with no path to
any team member. One that was not there at the last evaluation makes an event naming
the person or the relationship and the key stakeholders it cuts off. ``.resolved``:
it no longer cuts anyone off (a second path exists, or it is gone).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import SinglePointOfFailureAppeared
from service.domain.alerts.conditions.base import Draft, capped, diff_facts, facts_state

TYPE = "single_point_of_failure_appeared"


def evaluate(
    view: AccountView, spec: SinglePointOfFailureAppeared, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    before = facts_state(previous)
    spof = view.single_points_of_failure
    facts: dict[str, Any] = {}
    for p in spof.people:
        facts[f"person:{p.person_id}"] = {
            "kind": "person",
            "person": view.ref(p.person_id) | {"side": p.kind},
            "cuts_off": capped(view.stakeholder_ref(k) for k in p.cut_off),
            "cuts_off_count": len(p.cut_off),
        }
    for r in spof.relationships:
        a, b = sorted((r.from_id, r.to_id))
        facts[f"relationship:{a}|{b}"] = {
            "kind": "relationship",
            "relationship": {
                "from": view.ref(r.from_id),
                "to": view.ref(r.to_id),
                "type": r.relationship,
                "strength": round(r.strength, 6),
            },
            "cuts_off": capped(view.stakeholder_ref(k) for k in r.cut_off),
            "cuts_off_count": len(r.cut_off),
        }

    def resolved(key: str, old: Any) -> dict[str, Any]:
        return {k: v for k, v in old.items() if k in ("kind", "person", "relationship")} | {
            "reason": "no_longer_cuts_off"
        }

    return diff_facts(TYPE, before, facts, {}, resolved=resolved)
