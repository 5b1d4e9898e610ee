"""What ``key_stakeholder_dark`` and ``key_stakeholder_single_threaded`` share: a key
stakeholder's coverage (docs/definitions.md, "Coverage") falling to a level.

The state remembers, per key stakeholder, the team members covering them. The fact
for key stakeholder K holds when K is a key stakeholder now with coverage equal to the
level's count (0 for dark, 1 for single) and either it held at the last evaluation or
K's coverage then was above it (a fall, not a new stakeholder who was never covered).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.conditions.base import Draft, diff_facts, facts_state

__all__ = ["evaluate_fall"]


def evaluate_fall(
    type_: str, count: int, view: AccountView, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    before = facts_state(previous)
    memory = {
        k: [[t.team_member_id, view.names.get(t.team_member_id)] for t in cov.ties]
        for k, cov in view.key_coverage.items()
    }
    facts: dict[str, Any] = {}
    for k, cov in view.key_coverage.items():
        if cov.count != count:
            continue
        if before.had(k):
            facts[k] = before.facts[k]
            continue
        was = before.memory.get(k)
        if was is None or len(was) <= count:
            continue
        if count == 0:
            path = view.reach.path_to(k)
        else:
            # A second relationship must come from someone else (departure impact's rule).
            path = view.reach_without(cov.ties[0].team_member_id).path_to(k)
        facts[k] = view.key_evidence(k) | {
            "coverage_before": len(was),
            "coverage_now": cov.count,
            "covered_before": [{"id": t, "name": n} for t, n in was],
            "covered_now": view.covering(k),
            "best_warm_path": view.path_data(path),
        }

    def resolved(k: str, old: Any) -> dict[str, Any]:
        cov = view.key_coverage.get(k)
        if k not in view.active_stakeholders:
            reason = "left"
        elif cov is None:
            reason = "no_longer_key"
        elif cov.count > count:
            reason = "covered"
        else:
            reason = "dark"  # single-threaded, then nobody
        return {
            "stakeholder": view.stakeholder_ref(k) if k in view.names else old["stakeholder"],
            "reason": reason,
            "coverage_now": 0 if cov is None else cov.count,
            "covered_now": view.covering(k),
        }

    return diff_facts(type_, before, facts, memory, resolved=resolved)
