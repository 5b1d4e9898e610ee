"""``key_stakeholder_dark``: a key stakeholder's coverage fell to dark.

Holds for a key stakeholder who had coverage ≥ 1 at an earlier evaluation and has
coverage 0 now (no active team member with an active tie; docs/definitions.md,
"Coverage"). The event names them, why they are key, who covered them before and the
best warm path left to them. ``.resolved``: covered again (``reason: covered``), no
longer key (``no_longer_key``) or no longer at the account (``left``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import KeyStakeholderDark
from service.domain.alerts.conditions.base import Draft
from service.domain.alerts.conditions.coverage_fall import evaluate_fall

TYPE = "key_stakeholder_dark"


def evaluate(
    view: AccountView, spec: KeyStakeholderDark, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    return evaluate_fall(TYPE, 0, view, previous)
