"""The threading risk score of an account (0–100), shared by the account and portfolio views.

``risk = 60 · key_exposure + 20 · side(ours) + 20 · side(theirs)`` where

- ``key_exposure = (dark + ½ · single) / key stakeholders`` — 1 when no key stakeholder
  is identified (not knowing who decides is the worst exposure);
- ``side(n) = 1`` when nobody on that side holds an active tie, ``½`` when exactly one
  person does (single-threaded), ``0`` from two people on.

Key stakeholders weigh most because losing them loses deals; the two side verdicts
say whether the whole account hangs on one person. The portfolio computes the same
formula in Cypher (``cypher/analytics/portfolio_threading_scores.cypher``, rounded to
6 decimals there and here) and a property test checks both agree.

>>> threading_risk(key_stakeholders=4, key_dark=1, key_single=2, our_side=1, their_side=3).score
40.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["RISK_WEIGHTS", "RiskComponent", "ThreadingRisk", "threading_risk"]

RISK_WEIGHTS: Final = {"key_exposure": 60.0, "our_side": 20.0, "their_side": 20.0}


@dataclass(frozen=True)
class RiskComponent:
    name: str
    value: float
    weight: float
    points: float
    detail: str


@dataclass(frozen=True)
class ThreadingRisk:
    score: float
    components: tuple[RiskComponent, ...]


def _side(people: int) -> float:
    return 1.0 if people == 0 else 0.5 if people == 1 else 0.0


def threading_risk(
    *, key_stakeholders: int, key_dark: int, key_single: int, our_side: int, their_side: int
) -> ThreadingRisk:
    """The score and its three components (value in [0, 1], weight, points)."""
    exposure = 1.0 if key_stakeholders == 0 else (key_dark + 0.5 * key_single) / key_stakeholders
    parts = (
        (
            "key_exposure",
            exposure,
            f"{key_dark} dark and {key_single} single-threaded of {key_stakeholders} "
            "key stakeholders"
            if key_stakeholders
            else "no key stakeholder identified",
        ),
        ("our_side", _side(our_side), f"{our_side} team members hold active ties"),
        ("their_side", _side(their_side), f"{their_side} stakeholders hold active ties"),
    )
    components = tuple(
        RiskComponent(name, value, RISK_WEIGHTS[name], RISK_WEIGHTS[name] * value, detail)
        for name, value, detail in parts
    )
    return ThreadingRisk(round(sum(c.points for c in components), 6), components)
