"""Tie strength from interactions: s = 1 − exp(−Σ w(kind) · 2^(−age_days / H))."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.analytics.tie_strength import (
    Interaction,
    TieStrengthParams,
    interaction_evidence,
    is_active_tie,
    tie_strength,
    tie_strength_breakdown,
)

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def days_ago(kind: str, days: float) -> Interaction:
    return Interaction(kind, NOW - timedelta(days=days))


def test_single_interactions_by_hand() -> None:
    assert tie_strength([days_ago("meeting", 0)], NOW) == pytest.approx(1 - math.exp(-1))
    # One half-life: evidence 1.0 · ½ → 1 − e^(−0.5) ≈ 0.3935.
    assert tie_strength([days_ago("meeting", 90)], NOW) == pytest.approx(0.3934693)
    assert tie_strength([], NOW) == 0.0


def test_mixed_interactions_by_hand() -> None:
    interactions = [days_ago("call", 180), days_ago("email", 0), days_ago("event", 45)]
    # call 0.6·¼ = 0.15; email 0.3·1 = 0.3; event 0.5·2^(−½) ≈ 0.353553; Σ ≈ 0.803553.
    breakdown = tie_strength_breakdown(interactions, NOW)
    assert breakdown.evidence == pytest.approx(0.15 + 0.3 + 0.5 / math.sqrt(2))
    assert breakdown.strength == pytest.approx(1 - math.exp(-(0.45 + 0.5 / math.sqrt(2))))
    assert breakdown.evidence_by_kind["call"] == pytest.approx(0.15)
    assert breakdown.last_contact == NOW
    assert breakdown.counted == 3


def test_future_interactions_are_ignored_and_counted() -> None:
    planned = [days_ago("meeting", -7), days_ago("meeting", -1)]
    breakdown = tie_strength_breakdown([*planned, days_ago("email", 10)], NOW)
    assert breakdown.ignored_future == 2 and breakdown.counted == 1
    assert breakdown.strength == pytest.approx(1 - math.exp(-0.3 * 2 ** (-10 / 90)))
    assert breakdown.last_contact == NOW - timedelta(days=10)
    assert interaction_evidence(days_ago("meeting", -7), NOW) == 0.0


def test_weights_and_half_life_are_configurable() -> None:
    params = TieStrengthParams(half_life_days=30, weights={"meeting": 2.0, "chat": 0.1})
    # 2.0 · 2^(−30/30) = 1.0 → 1 − e^(−1).
    assert tie_strength([days_ago("meeting", 30)], NOW, params) == pytest.approx(1 - math.exp(-1))
    assert tie_strength([days_ago("chat", 0)], NOW, params) == pytest.approx(1 - math.exp(-0.1))
    with pytest.raises(ValueError, match="unknown interaction kind"):
        tie_strength([days_ago("call", 0)], NOW, params)
    with pytest.raises(ValueError):
        TieStrengthParams(half_life_days=0)


def test_naive_datetimes_are_utc() -> None:
    naive = Interaction("call", datetime(2026, 6, 1, 12, 0))
    aware = Interaction("call", datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    assert tie_strength([naive], NOW) == tie_strength([aware], NOW)


def test_active_threshold() -> None:
    assert is_active_tie(0.2) and not is_active_tie(0.1999)
    assert is_active_tie(0.5, threshold=0.5) and not is_active_tie(0.49, threshold=0.5)


kinds = st.sampled_from(["meeting", "call", "event", "email"])
ages = st.floats(min_value=0, max_value=2000, allow_nan=False)


@given(st.lists(st.tuples(kinds, ages), max_size=20), kinds, ages)
def test_strength_is_bounded_and_grows_with_every_interaction(
    history: list[tuple[str, float]], kind: str, age: float
) -> None:
    interactions = [days_ago(k, a) for k, a in history]
    before = tie_strength(interactions, NOW)
    after = tie_strength([*interactions, days_ago(kind, age)], NOW)
    assert 0.0 <= before <= after <= 1.0


@given(kinds, ages, st.floats(min_value=0.001, max_value=500))
def test_older_interactions_count_less(kind: str, age: float, extra: float) -> None:
    assert tie_strength([days_ago(kind, age + extra)], NOW) <= tie_strength(
        [days_ago(kind, age)], NOW
    )
