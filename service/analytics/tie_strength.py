"""Tie strength of a KNOWS relationship, derived from the interactions behind it.

docs/definitions.md, "Tie strength": ``s = 1 − exp(−Σ w(kind) · 2^(−age_days / H))`` with half-life
``H`` = 90 days and weights meeting 1.0, call 0.6, event 0.5, email 0.3. Each
interaction adds *evidence* that halves every ``H`` days; ``1 − exp(−evidence)`` turns
unbounded evidence into a strength in [0, 1) that saturates: one fresh meeting gives
0.63, three give 0.95, and a year of silence brings a strong tie under θ = 0.2.

**Future-dated interactions** (``at`` after ``as_of``) are ignored and counted in
:attr:`TieStrength.ignored_future`. A scheduled meeting has not built the relationship
yet, and an as-of query must not see what happened after its date; clamping the age
to 0 instead would let a calendar full of planned meetings create a strong tie, and
the raw formula would give them a weight above ``w(kind)`` (``2^(+x) > 1``).

Naive datetimes are taken as UTC, like every time in the graph.

>>> from datetime import datetime, timezone
>>> as_of = datetime(2026, 4, 1, tzinfo=timezone.utc)
>>> meeting_90_days_ago = Interaction("meeting", datetime(2026, 1, 1, tzinfo=timezone.utc))
>>> round(tie_strength([meeting_90_days_ago], as_of), 4)  # 1 − e^(−0.5)
0.3935
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

__all__ = [
    "DEFAULT_INTERACTION_WEIGHTS",
    "Interaction",
    "TieStrength",
    "TieStrengthParams",
    "interaction_evidence",
    "is_active_tie",
    "tie_strength",
    "tie_strength_breakdown",
]

#: The default weight of each interaction kind (docs/definitions.md, "Tie strength").
DEFAULT_INTERACTION_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"meeting": 1.0, "call": 0.6, "event": 0.5, "email": 0.3}
)

_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Interaction:
    """One ``(:Interaction {kind, at})`` between a team member and a stakeholder."""

    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TieStrengthParams:
    """Half-life in days and the evidence weight of each interaction kind."""

    half_life_days: float = 90.0
    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_INTERACTION_WEIGHTS)

    def __post_init__(self) -> None:
        if not self.half_life_days > 0:
            raise ValueError("half_life_days must be positive")
        if any(not w >= 0 for w in self.weights.values()):
            raise ValueError("interaction weights must be non-negative")


@dataclass(frozen=True, slots=True)
class TieStrength:
    """A derived strength with the evidence behind it.

    ``evidence`` is ``Σ w(kind) · 2^(−age/H)`` and ``strength = 1 − exp(−evidence)``;
    ``evidence_by_kind`` splits the sum; ``last_contact`` is the latest interaction
    not after ``as_of``.
    """

    strength: float
    evidence: float
    evidence_by_kind: Mapping[str, float]
    counted: int
    ignored_future: int
    last_contact: datetime | None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def interaction_evidence(
    interaction: Interaction, as_of: datetime, params: TieStrengthParams | None = None
) -> float:
    """Evidence one interaction contributes at ``as_of``: ``w(kind) · 2^(−age_days / H)``.

    Returns 0.0 for an interaction after ``as_of`` (see the module docstring) and
    raises ``ValueError`` for a kind without a weight, so a typo in ingested data is
    not silently worth nothing.

    >>> from datetime import datetime
    >>> interaction_evidence(Interaction("call", datetime(2026, 1, 1)), datetime(2026, 1, 1))
    0.6
    """
    params = params or TieStrengthParams()
    try:
        weight = params.weights[interaction.kind]
    except KeyError:
        raise ValueError(
            f"unknown interaction kind {interaction.kind!r}; known: {sorted(params.weights)}"
        ) from None
    age_days = (_as_utc(as_of) - _as_utc(interaction.at)).total_seconds() / _SECONDS_PER_DAY
    if age_days < 0:
        return 0.0
    return float(weight * 2.0 ** (-age_days / params.half_life_days))


def tie_strength_breakdown(
    interactions: Iterable[Interaction],
    as_of: datetime,
    params: TieStrengthParams | None = None,
) -> TieStrength:
    """Derive a tie strength and return every number behind it."""
    params = params or TieStrengthParams()
    as_of = _as_utc(as_of)
    by_kind: dict[str, float] = {}
    counted = ignored = 0
    last: datetime | None = None
    for interaction in interactions:
        at = _as_utc(interaction.at)
        evidence = interaction_evidence(interaction, as_of, params)
        if at > as_of:
            ignored += 1
            continue
        counted += 1
        by_kind[interaction.kind] = by_kind.get(interaction.kind, 0.0) + evidence
        if last is None or at > last:
            last = at
    total = math.fsum(by_kind.values())
    return TieStrength(
        strength=-math.expm1(-total),  # 1 − e^(−x), accurate for small x
        evidence=total,
        evidence_by_kind=MappingProxyType(by_kind),
        counted=counted,
        ignored_future=ignored,
        last_contact=last,
    )


def tie_strength(
    interactions: Iterable[Interaction],
    as_of: datetime,
    params: TieStrengthParams | None = None,
) -> float:
    """The tie strength ``1 − exp(−Σ w(kind) · 2^(−age_days / H))`` at ``as_of``.

    No interactions (or only future ones) give 0.0.

    >>> from datetime import datetime
    >>> tie_strength([], datetime(2026, 1, 1))
    0.0
    """
    return tie_strength_breakdown(interactions, as_of, params).strength


def is_active_tie(strength: float, threshold: float = 0.2) -> bool:
    """A tie is active when ``strength ≥ θ`` (docs/definitions.md; θ defaults to 0.2).

    >>> is_active_tie(0.2), is_active_tie(0.19)
    (True, False)
    """
    return strength >= threshold
