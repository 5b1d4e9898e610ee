"""The conditions a watch can hold, as the API accepts them and the ``Watch`` node keeps
them (docs/alerts.md, "Conditions"): one model per condition type, told apart by
``type``. A bare string (``"champion_lost"``) stands for a condition without parameters.

The definitions themselves (what makes each condition hold) are the evaluator's
(``service/domain/alerts/conditions/``); this module is only their shape.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

__all__ = [
    "CONDITION_TYPES",
    "BudgetWithoutOwner",
    "ChampionLost",
    "ConditionSpec",
    "FormerChampionJoined",
    "HealthDropped",
    "KeyStakeholderDark",
    "KeyStakeholderLeft",
    "KeyStakeholderSingleThreaded",
    "SavedQueryChanged",
    "SinglePointOfFailureAppeared",
    "dump_conditions",
    "parse_conditions",
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyStakeholderLeft(_Spec):
    """A key stakeholder left the account or moved to another one."""

    type: Literal["key_stakeholder_left"] = "key_stakeholder_left"


class ChampionLost(_Spec):
    """An opportunity or the account has no active, engaged champion any more."""

    type: Literal["champion_lost"] = "champion_lost"


class KeyStakeholderDark(_Spec):
    """A key stakeholder's coverage fell to dark (no active tie from our team)."""

    type: Literal["key_stakeholder_dark"] = "key_stakeholder_dark"


class KeyStakeholderSingleThreaded(_Spec):
    """A key stakeholder's coverage fell to exactly one team member."""

    type: Literal["key_stakeholder_single_threaded"] = "key_stakeholder_single_threaded"


class SinglePointOfFailureAppeared(_Spec):
    """A new articulation point or bridge cuts our team off from a key stakeholder."""

    type: Literal["single_point_of_failure_appeared"] = "single_point_of_failure_appeared"


class BudgetWithoutOwner(_Spec):
    """A budget lost its owner or approver."""

    type: Literal["budget_without_owner"] = "budget_without_owner"


class HealthDropped(_Spec):
    """The account health score fell by at least ``by`` points since the watch's last
    event of this condition for the account."""

    type: Literal["health_dropped"] = "health_dropped"
    by: float = Field(default=10.0, gt=0, le=100, description="points on the 0–100 scale")


class FormerChampionJoined(_Spec):
    """A person who was a champion, economic buyer or decision maker at any account now
    works at the account."""

    type: Literal["former_champion_joined"] = "former_champion_joined"


class SavedQueryChanged(_Spec):
    """The rows of a saved query (docs/queries.md) changed."""

    type: Literal["saved_query_changed"] = "saved_query_changed"
    query: str = Field(min_length=1, max_length=200, description="a saved query's name")
    params: dict[str, Any] = Field(default_factory=dict, description="its parameters")


def _bare_name(value: Any) -> Any:
    return {"type": value} if isinstance(value, str) else value


ConditionSpec = Annotated[
    KeyStakeholderLeft
    | ChampionLost
    | KeyStakeholderDark
    | KeyStakeholderSingleThreaded
    | SinglePointOfFailureAppeared
    | BudgetWithoutOwner
    | HealthDropped
    | FormerChampionJoined
    | SavedQueryChanged,
    Field(discriminator="type"),
    BeforeValidator(_bare_name),
]

#: Every condition type, in the docs' order.
CONDITION_TYPES: tuple[str, ...] = (
    "key_stakeholder_left",
    "champion_lost",
    "key_stakeholder_dark",
    "key_stakeholder_single_threaded",
    "single_point_of_failure_appeared",
    "budget_without_owner",
    "health_dropped",
    "former_champion_joined",
    "saved_query_changed",
)

_LIST: TypeAdapter[list[ConditionSpec]] = TypeAdapter(list[ConditionSpec])


def dump_conditions(conditions: list[ConditionSpec]) -> str:
    """The JSON text a ``Watch`` node keeps (``parse_conditions`` reads it back)."""
    return json.dumps(
        [c.model_dump(mode="json") for c in conditions], separators=(",", ":"), sort_keys=True
    )


def parse_conditions(text: str) -> list[ConditionSpec]:
    """The conditions of a stored watch."""
    return _LIST.validate_json(text)
