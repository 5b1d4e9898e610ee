"""``key_stakeholder_single_threaded``: a key stakeholder's coverage fell to one team
member.

Holds for a key stakeholder who had coverage ≥ 2 at an earlier evaluation and has
coverage exactly 1 now. The event names them, why they are key, who covered them
before and who now, and the best warm path from anyone *but* the remaining team
member (where a second relationship could come from). ``.resolved``: covered by two or
more again (``reason: covered``), down to nobody (``dark``: ``key_stakeholder_dark``
then fires), no longer key (``no_longer_key``) or gone (``left``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import KeyStakeholderSingleThreaded
from service.domain.alerts.conditions.base import Draft
from service.domain.alerts.conditions.coverage_fall import evaluate_fall

TYPE = "key_stakeholder_single_threaded"


def evaluate(
    view: AccountView, spec: KeyStakeholderSingleThreaded, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    return evaluate_fall(TYPE, 1, view, previous)
