"""``health_dropped`` (``by``, default 10): the account health score fell by at least
``by`` points since this watch's last ``health_dropped`` event for the account.

The reference is the health score (docs/definitions.md, "Account health", at the end
of the day of the evaluation) at the watch's last event of this condition for the
account, or at its first evaluation of the account (the baseline). When the score now
is at least ``by`` below the reference, the event gives both scores, the drop and each
component's points then and now, and the score now becomes the reference. A rise
never moves the reference, so several small falls add up. There is no ``.resolved``:
a drop is a change, not a condition that stops holding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.domain.alerts.account_view import AccountView
from service.domain.alerts.condition_specs import HealthDropped
from service.domain.alerts.conditions.base import Draft

TYPE = "health_dropped"


def evaluate(
    view: AccountView, spec: HealthDropped, previous: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[Draft]]:
    report = view.health
    points = {c.name: round(c.points, 6) for c in report.components}
    now: dict[str, Any] = {
        "score": round(report.score, 6),
        "at": view.account.as_of.isoformat(),
        "points": points,
    }
    if previous is None:
        return now, []
    drop = previous["score"] - now["score"]
    if drop < spec.by - 1e-9:
        return dict(previous), []
    before_points: Mapping[str, float] = previous.get("points", {})
    data = {
        "score": now["score"],
        "previous_score": previous["score"],
        "previous_at": previous.get("at"),
        "drop": round(drop, 6),
        "by": spec.by,
        "components": [
            {
                "name": c.name,
                "points": points[c.name],
                "points_before": before_points.get(c.name),
                "detail": c.detail,
            }
            for c in report.components
        ],
    }
    return now, [Draft(TYPE, data)]
