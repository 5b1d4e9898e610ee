"""The watch conditions, one pure module each (docs/alerts.md, "Conditions").

Each module has ``TYPE`` and ``evaluate(view, spec, previous) -> (state, drafts)``; a
module whose state remembers people no longer at the account may also have
``people_to_locate(previous) -> ids`` (the evaluator reads where they are into the
view). :func:`evaluate` dispatches on the spec's ``type``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, Final

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import CONDITION_TYPES, ConditionSpec
from service.domain.alerts.conditions import (
    budget_without_owner,
    champion_lost,
    former_champion_joined,
    health_dropped,
    key_stakeholder_dark,
    key_stakeholder_left,
    key_stakeholder_single_threaded,
    saved_query_changed,
    single_point_of_failure_appeared,
)
from service.domain.alerts.conditions.base import Draft

__all__ = ["MODULES", "Draft", "condition_key", "evaluate", "people_to_locate"]

MODULES: Final[Mapping[str, ModuleType]] = {
    m.TYPE: m
    for m in (
        key_stakeholder_left,
        champion_lost,
        key_stakeholder_dark,
        key_stakeholder_single_threaded,
        single_point_of_failure_appeared,
        budget_without_owner,
        health_dropped,
        former_champion_joined,
        saved_query_changed,
    )
}
assert set(MODULES) == set(CONDITION_TYPES), "a condition type has no module"


def condition_key(index: int, spec: ConditionSpec) -> str:
    """The key of a condition's state in an ``AlertState`` (its place in the watch)."""
    return f"{index}:{spec.type}"


def evaluate(
    view: AccountView, spec: ConditionSpec, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    """The condition's new state and its events (none when ``previous`` is None)."""
    run: Callable[..., tuple[dict[str, Any], list[Draft]]] = MODULES[spec.type].evaluate
    return run(view, spec, previous)


def people_to_locate(spec: ConditionSpec, previous: Mapping[str, Any] | None) -> list[str]:
    """The people the condition's previous state remembers (to read where they are)."""
    find = getattr(MODULES[spec.type], "people_to_locate", None)
    return [] if find is None or previous is None else list(find(previous))
