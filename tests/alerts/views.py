"""Small hand-made accounts for the alert conditions' tests (no Neo4j)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from service.analytics.model import AccountGraph
from service.domain.alerts import conditions
from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import ConditionSpec
from service.domain.alerts.conditions.base import Draft

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)


def view(account: AccountGraph, **more: Any) -> AccountView:
    return AccountView(account=account, read_at=AS_OF, **more)


def run(
    account: AccountGraph | AccountView, spec: ConditionSpec, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    """Evaluate, with the state going through JSON as the AlertState stores it."""
    v = account if isinstance(account, AccountView) else view(account)
    state, drafts = conditions.evaluate(v, spec, previous)
    stored = json.loads(json.dumps(state))
    for d in drafts:
        json.dumps(d.data)  # event data is plain JSON
    return stored, drafts


def types(drafts: list[Draft]) -> list[str]:
    return [d.type for d in drafts]
