"""The derived-tie statement's rewrite (one row per stakeholder, their interactions read
once for all of the row's team members) gives exactly the graph and the change sets of
the statement it replaced (one row per (team member, stakeholder) pair), kept verbatim
in ``reference_cypher/derived_knows_per_pair.cypher``.

Each seed writes the same random sequence of batches twice into an empty graph — new
interactions, attendee lists that change and lose people, kinds and times that change,
explicit ties given and ended, a departure — once with each statement, at the same
frozen time. After every batch the graph dumps must be equal, and the recorded change
sets equal but for their random ids (the typed change sets: the order of a statement's flat list in
the record's JSON follows the store's order of a node's edges, which differs between
two runs of the same code). The sequences derive ties (the comparison is not vacuous).

Strengths are compared to 12 significant digits: a tie's strength sums its
interactions' weights in the order the plan meets them, and the replaced statement's
plan depends on the graph's statistics (on a small graph it joins on the team member,
on a large one it walks from the stakeholder as the new statement always does), so the
two may differ in the last bits of a float — as the replaced statement did between
plans.
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import service.domain.ingest.batch as batch_module
import service.graph.ingest as store
from service.domain.changes import ChangeSet
from service.domain.ingest import ingest_batch
from service.graph.driver import Graph
from service.graph.ingest import read_change_sets
from service.settings import Settings
from tests.conftest import _clean
from tests.integration.test_ingest_support import dump

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
REFERENCE = Path(__file__).parent / "reference_cypher" / "derived_knows_per_pair.cypher"
PEOPLE = [f"p{i}" for i in range(8)]
MEMBERS = [f"t{i}" for i in range(4)]
KINDS = ["meeting", "call", "email"]


class FrozenNow(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:
        return NOW if tz is None else NOW.astimezone(tz)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def batches(seed: int) -> list[dict[str, Any]]:
    """Three batches: a scene with interactions and explicit ties, then changes."""
    rng = random.Random(seed)

    def interaction(iid: str) -> dict[str, Any]:
        return {
            "id": iid,
            "kind": rng.choice(KINDS),
            "at": iso(NOW - timedelta(days=rng.randint(-5, 400), hours=rng.randint(0, 23))),
            "team_member_ids": rng.sample(MEMBERS, rng.randint(1, 3)),
            "stakeholder_ids": rng.sample(PEOPLE, rng.randint(1, 3)),
        }

    def ties(count: int) -> list[dict[str, Any]]:
        pairs = {(rng.choice(MEMBERS), rng.choice(PEOPLE)) for _ in range(count)}
        return [
            {"team_member_id": t, "stakeholder_id": s, "strength": rng.choice([0.3, 0.7])}
            for t, s in sorted(pairs)
        ]

    first: dict[str, Any] = {
        "effective_at": iso(NOW - timedelta(days=30)),
        "accounts": [{"id": "acme", "name": "Acme"}],
        "team_members": [{"id": t, "name": t.upper()} for t in MEMBERS],
        "stakeholders": [{"id": p, "account_id": "acme", "name": p.upper()} for p in PEOPLE],
        "interactions": [interaction(f"i{n}") for n in range(14)],
        "relationships": ties(3),
    }
    # Changed attendee lists, kinds and times of some, new ones, ties given and ended.
    second_interactions = [interaction(f"i{n}") for n in rng.sample(range(14), 6)]
    second_interactions += [interaction(f"i{n}") for n in range(14, 20)]
    ended = [
        {"team_member_id": r["team_member_id"], "stakeholder_id": r["stakeholder_id"]}
        | {"until": iso(NOW - timedelta(days=3))}
        for r in first["relationships"][:2]
    ]
    second: dict[str, Any] = {
        "interactions": second_interactions,
        "relationships": ties(2) + ended,
    }
    leaving = rng.choice(PEOPLE)
    third: dict[str, Any] = {
        "effective_at": iso(NOW + timedelta(days=20)),
        "stakeholders": [
            {
                "id": leaving,
                "account_id": "acme",
                "name": leaving.upper(),
                "left_at": iso(NOW + timedelta(days=1)),
            }
        ],
        "interactions": [interaction(f"i{n}") for n in rng.sample(range(20), 8)],
    }
    return [first, second, third]


FLOAT = re.compile(r"\d+\.\d{13,}")


def rounded(value: Any) -> Any:
    """Floats (in a dump's text or a record's JSON) to 12 significant digits."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, str):
        return FLOAT.sub(lambda m: f"{float(m.group()):.12g}", value)
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def run(graph: Graph, settings: Settings, seed: int) -> list[tuple[Any, list[Any]]]:
    """The graph dump and the change sets (less their ids) after each batch."""
    out = []
    for batch in batches(seed):
        ingest_batch(graph, settings, batch)
        change_sets = []
        for props in read_change_sets(graph):
            record = {k: v for k, v in props.items() if k not in ("id", "changes")}
            record["changes"] = asdict(replace(ChangeSet.from_record(props), id=None))
            change_sets.append(rounded(record))
        # Recorded in write order by time, then id: the frozen time leaves the random
        # ids to order them; each batch has its own effective time.
        change_sets.sort(key=lambda r: r["effective_at"].to_native())
        # Sorted again once rounded: two ties equal to 12 digits (same times, same
        # strength) were ordered by their last bits, which follow the summation order.
        out.append(([sorted(part) for part in rounded(dump(graph, settings))], change_sets))
    return out


def per_pair(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The replaced statement's rows: one per pair, in the same order."""
    return [
        {"team_member_id": t, "stakeholder_id": r["stakeholder_id"]}
        for r in rows
        for t in r["team_member_ids"]
    ]


@pytest.mark.parametrize("seed", range(4))
def test_per_stakeholder_derived_ties_equal_the_per_pair_statement(
    graph: Graph, settings: Settings, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(batch_module, "datetime", FrozenNow)
    new = run(graph, settings, seed)

    _clean(graph)
    reference = REFERENCE.read_text(encoding="utf-8")
    real_cypher, real_pairs = store.cypher, store._affected_pairs
    monkeypatch.setattr(
        store,
        "cypher",
        lambda name: reference if name == "ingest/derived_knows" else real_cypher(name),
    )
    monkeypatch.setattr(store, "_affected_pairs", lambda *args: per_pair(real_pairs(*args)))
    old = run(graph, settings, seed)

    derived = [e for e in new[-1][0][1] if "'interactions'" in e and "'KNOWS'" in e]
    assert len(derived) >= 5, "the scenario derives ties"
    for step, ((new_dump, new_sets), (old_dump, old_sets)) in enumerate(zip(new, old, strict=True)):
        for part_new, part_old in zip(new_dump, old_dump, strict=True):
            assert sorted(set(part_new) - set(part_old)) == sorted(set(part_old) - set(part_new)), (
                f"batch {step}"
            )
        assert new_dump == old_dump
        assert new_sets == old_sets, f"batch {step}"
