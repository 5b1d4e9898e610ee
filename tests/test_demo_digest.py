"""The demo portfolio is pinned: a digest of everything it generates, for a few dates
and seeds, as the generator produced it before it moved to ``service/demo/`` and its
526-line builder was split into parts (the digests were taken from that code).

A refactor of the generator must leave these unchanged. A deliberate change to the
demo data changes them: update the digests in the same commit and say why.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date

import pytest

from service.demo.portfolio import DEMO_SEED, build_demo_portfolio

PINNED = [
    (
        date(2026, 6, 30),
        DEMO_SEED,
        "536833d9063e0990080f6a328733a7cbc31c7faca518ee03b91253208ed24847",
    ),
    (
        date(2025, 1, 1),
        DEMO_SEED,
        "09723b1c502cf56fb0725768edcc29b1ee0d98016da745fc47410fae1216031f",
    ),
    (date(2026, 6, 30), 1, "3ae29eecf7280cf531117c7ff6c56b5480db29ffbfb3c8e7545381fb67102f06"),
    (date(2024, 2, 29), 7, "ebc5445ed8f9476734079a293b9ce11375b56d8179d478efc89e27188ac79261"),
]


def demo_digest(today: date, seed: int) -> str:
    """SHA-256 of the canonical JSON of every step, row and weak-spot id."""
    demo = build_demo_portfolio(today, seed=seed)
    text = json.dumps(dataclasses.asdict(demo), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(("today", "seed", "expected"), PINNED)
def test_the_generated_demo_is_unchanged(today: date, seed: int, expected: str) -> None:
    assert demo_digest(today, seed) == expected


def test_the_digest_sees_a_change() -> None:
    # Another day moves every date; another seed every drawn name and interaction.
    assert demo_digest(date(2026, 7, 1), DEMO_SEED) != PINNED[0][2]
    assert demo_digest(date(2026, 6, 30), DEMO_SEED + 1) != PINNED[0][2]
