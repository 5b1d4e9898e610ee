"""Validation of the input model and the parameters."""

from __future__ import annotations

from dataclasses import fields

import pytest

from service.analytics.model import (
    AccountGraph,
    AnalyticsParams,
    Controls,
    ImpactWeights,
    Influences,
    Knows,
    ReportsTo,
    Role,
    Stakeholder,
    TeamMember,
)
from tests.analytics.reference import AS_OF


@pytest.mark.parametrize(
    "make",
    [
        lambda: Knows("t", "s", 1.5),
        lambda: Knows("t", "s", float("nan")),
        lambda: Influences("a", "b", -0.1),
        lambda: ReportsTo("a", "b", "diagonal"),  # type: ignore[arg-type]
        lambda: ReportsTo("a", "b", "solid", 2.0),
        lambda: Role("s", "king", "account", "a"),  # type: ignore[arg-type]
        lambda: Role("s", "champion", "account", "a", 3),
        lambda: Role("s", "champion", "budget", "a"),  # type: ignore[arg-type]
        lambda: Controls("s", "b", "boss"),  # type: ignore[arg-type]
        lambda: Stakeholder("s", "S", status="retired"),  # type: ignore[arg-type]
        lambda: TeamMember("t", "T", status="gone"),  # type: ignore[arg-type]
    ],
)
def test_invalid_records_are_rejected(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


def test_duplicate_and_ambiguous_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate ids"):
        AccountGraph("a", AS_OF, stakeholders=[Stakeholder("s", "S"), Stakeholder("s", "T")])
    with pytest.raises(ValueError, match="both as stakeholder and team member"):
        AccountGraph(
            "a", AS_OF, stakeholders=[Stakeholder("x", "S")], team_members=[TeamMember("x", "T")]
        )


def test_params_are_validated() -> None:
    assert AnalyticsParams().active_tie_threshold == 0.2
    assert AnalyticsParams().reports_to_default_strength == 0.5
    assert AnalyticsParams().max_warm_path_hops == 4
    with pytest.raises(ValueError):
        AnalyticsParams(max_warm_path_hops=0)
    with pytest.raises(ValueError):
        AnalyticsParams(active_tie_threshold=1.2)
    with pytest.raises(ValueError, match="sum to 100"):
        ImpactWeights(key_coverage=30)
    with pytest.raises(ValueError, match="non-negative"):
        ImpactWeights(key_coverage=35, ties_lost=-5)
    defaults = ImpactWeights()
    assert sum(getattr(defaults, f.name) for f in fields(defaults)) == 100
