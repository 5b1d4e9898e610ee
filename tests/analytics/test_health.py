"""Account health score and its components."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from service.analytics.health import account_health, health_change
from service.analytics.model import (
    AccountGraph,
    AnalyticsParams,
    HealthWeights,
    Influences,
    Knows,
    Role,
    Stakeholder,
    TeamMember,
)
from tests.analytics.reference import AS_OF


def health_account() -> AccountGraph:
    """Key stakeholders ch (champion), eb (economic buyer), dm (decision maker).

    Active ties (θ = 0.2) and their recency 2^(−days/90):
      t1–ch 0.8, contact today        → 1
      t2–ch 0.6, 90 days ago          → 0.5
      t1–dm 0.4, no recorded contact  → 0
      t1–u  0.2, 180 days ago         → 0.25
    t2–eb 0.1 is not active. det is a detractor; nobody influences anybody, so every
    one of the 5 stakeholders has PageRank 1/5.
    """
    return AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[Stakeholder(p, p.upper()) for p in ("ch", "eb", "dm", "det", "u")],
        team_members=[TeamMember("t1", "T1"), TeamMember("t2", "T2")],
        knows=[
            Knows("t1", "ch", 0.8, AS_OF),
            Knows("t2", "ch", 0.6, AS_OF - timedelta(days=90)),
            Knows("t1", "dm", 0.4, None),
            Knows("t1", "u", 0.2, AS_OF - timedelta(days=180)),
            Knows("t2", "eb", 0.1, AS_OF),
        ],
        roles=[
            Role("ch", "champion", "account", "acc", 2),
            Role("eb", "economic_buyer", "account", "acc", 0),
            Role("dm", "decision_maker", "account", "acc", 1),
            Role("det", "detractor", "account", "acc", -1),
            Role("u", "user", "account", "acc", 0),
        ],
    )


def test_health_components_by_hand() -> None:
    report = account_health(health_account())
    parts = {c.name: c for c in report.components}
    # Breadth: ch multi, dm single, eb dark → (1 + ½) / 3 = 0.5.
    assert parts["threading_breadth"].value == pytest.approx(0.5)
    # Mean active tie strength: (0.8 + 0.6 + 0.4 + 0.2) / 4 = 0.5.
    assert parts["tie_strength"].value == pytest.approx(0.5)
    # Recency: (1 + 0.5 + 0 + 0.25) / 4 = 0.4375.
    assert parts["recency"].value == pytest.approx(0.4375)
    assert report.ties_without_last_contact == 1
    # Roles: champion engaged 1, economic buyer known but dark ½, decision maker engaged 1.
    assert parts["role_coverage"].value == pytest.approx(2.5 / 3)
    # Detractors: det holds 1/5 of the influence of {ch, eb, dm, det} (4/5): 0.25.
    assert parts["detractor_exposure"].value == pytest.approx(0.75)
    # Score: 30·0.5 + 20·0.5 + 15·0.4375 + 25·(2.5/3) + 10·0.75 = 59.8958.
    assert report.score == pytest.approx(15 + 10 + 6.5625 + 25 * 2.5 / 3 + 7.5)
    assert [d.stakeholder_id for d in report.detractors] == ["det"]


def test_an_influential_detractor_costs_more() -> None:
    base = account_health(health_account())
    loud = replace(
        health_account(),
        influences=[Influences("det", p, 1.0) for p in ("ch", "eb", "dm")],
    )
    louder = account_health(loud)
    before = {c.name: c.value for c in base.components}["detractor_exposure"]
    after = {c.name: c.value for c in louder.components}["detractor_exposure"]
    assert after < before
    assert louder.score < base.score


def test_negative_stance_makes_a_detractor() -> None:
    account = replace(
        health_account(), roles=[*health_account().roles, Role("u", "user", "opportunity", "o", -2)]
    )
    assert {d.stakeholder_id for d in account_health(account).detractors} == {"det", "u"}


def test_weights_are_configurable_and_must_sum_to_100() -> None:
    only_breadth = AnalyticsParams(
        health_weights=HealthWeights(100, 0, 0, 0, 0),
    )
    assert account_health(health_account(), only_breadth).score == pytest.approx(50.0)
    with pytest.raises(ValueError):
        HealthWeights(threading_breadth=50)


def test_empty_account_is_explained() -> None:
    report = account_health(AccountGraph("acc", AS_OF))
    parts = {c.name: c for c in report.components}
    assert parts["threading_breadth"].detail == "no key stakeholder identified"
    assert parts["tie_strength"].value == 0.0
    # Only the detractor component scores: no detractor, full 10 points.
    assert report.score == pytest.approx(10.0)


def test_change_against_an_earlier_snapshot() -> None:
    now = account_health(health_account())
    # As of 90 days earlier: the contact dated "today" lies in the future and counts as
    # today (1), the one 90 days ago is fresh (1), dm has none (0), u's 180-day-old
    # contact is 90 days old (0.5): recency 2.5/4 = 0.625 instead of 0.4375.
    earlier = replace(health_account(), as_of=AS_OF - timedelta(days=90))
    then = account_health(earlier)
    change = health_change(now, then)
    assert change.points_delta["recency"] == pytest.approx(15 * (0.4375 - 0.625))
    assert change.points_delta["tie_strength"] == 0.0
    assert change.score_delta == pytest.approx(now.score - then.score)
    with pytest.raises(ValueError):
        health_change(now, replace(then, account_id="other"))
