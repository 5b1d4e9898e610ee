"""Interactions and the tie strength derived from them, computed in Cypher and checked
against a plain Python computation of the formula of docs/definitions.md, "Tie strength"."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.domain.ingest import ingest_batch
from service.graph.driver import Graph
from service.settings import Settings
from tests.integration.test_ingest_support import current_edges, dump, edges_from

EFFECTIVE = datetime(2026, 6, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def tie_strength(
    interactions: list[tuple[str, datetime]],
    at: datetime,
    weights: dict[str, float],
    half_life: float,
) -> float:
    """s = 1 - exp(-sum w(kind) * 2^(-age_days / H)); later ones count as age 0.

    docs/definitions.md, "Tie strength".
    """
    total = 0.0
    for kind, moment in interactions:
        age_days = max((at - moment).total_seconds(), 0.0) / 86400.0
        total += weights[kind] * 2 ** (-age_days / half_life)
    return 1 - math.exp(-total)


def ingest(graph: Graph, settings: Settings, **batch: Any) -> dict[str, Any]:
    return ingest_batch(graph, settings, batch).as_dict()


SCENE: dict[str, Any] = {
    "accounts": [{"id": "acme", "name": "Acme"}],
    "stakeholders": [
        {"id": "p1", "account_id": "acme", "name": "Dana"},
        {"id": "p2", "account_id": "acme", "name": "Lee"},
    ],
    "team_members": [{"id": "t1", "name": "Sam"}, {"id": "t2", "name": "Kim"}],
}


def meeting(
    iid: str, kind: str, moment: datetime, members: list[str], people: list[str]
) -> dict[str, Any]:
    return {
        "id": iid,
        "kind": kind,
        "at": iso(moment),
        "team_member_ids": members,
        "stakeholder_ids": people,
    }


def test_derived_strength_matches_the_formula(graph: Graph, settings: Settings) -> None:
    day = timedelta(days=1)
    history = [
        ("meeting", EFFECTIVE - 10 * day),
        ("call", EFFECTIVE - 45 * day - timedelta(milliseconds=250)),  # sub-second age
        ("email", EFFECTIVE - 200 * day),
        ("event", EFFECTIVE - day / 2),
        ("meeting", EFFECTIVE + 2 * day),  # after the effective time: counts as age 0
    ]
    interactions = [
        meeting(f"i{n}", kind, at, ["t1"], ["p1"]) for n, (kind, at) in enumerate(history)
    ]
    interactions.append(meeting("i9", "call", EFFECTIVE - 90 * day, ["t2"], ["p1"]))

    ingest(graph, settings, effective_at=iso(EFFECTIVE), **SCENE, interactions=interactions)

    knows = {
        (e["source"], e["target"]): e["props"] for e in current_edges(graph, settings, "KNOWS")
    }
    assert set(knows) == {("t1", "p1"), ("t2", "p1")}
    expected = tie_strength(
        history, EFFECTIVE, settings.interaction_weights, settings.tie_half_life_days
    )
    assert knows[("t1", "p1")]["strength"] == pytest.approx(expected, abs=1e-12)
    # By hand: 2^(-10/90)=0.92587, 0.6*2^(-0.5)=0.42426, 0.3*2^(-200/90)=0.06429,
    # 0.5*2^(-0.5/90)=0.49808, 1.0 -> total 2.91251, s = 1 - e^-2.91251 = 0.94566
    assert knows[("t1", "p1")]["strength"] == pytest.approx(0.94566, abs=1e-5)
    assert knows[("t1", "p1")]["source"] == "interactions"
    assert knows[("t1", "p1")]["last_contact"] == iso(EFFECTIVE + 2 * day)
    assert knows[("t1", "p1")]["since"] == iso(EFFECTIVE - 200 * day)  # the first contact
    # One call exactly one half-life ago: 0.6 * 0.5 = 0.3, s = 1 - e^-0.3 = 0.259182
    assert knows[("t2", "p1")]["strength"] == pytest.approx(0.2591817793, abs=1e-9)


def test_weights_and_half_life_come_from_settings(graph: Graph, settings: Settings) -> None:
    custom = settings.model_copy(
        update={"interaction_weight_call": 2.0, "tie_half_life_days": 30.0}
    )
    batch = {
        "effective_at": iso(EFFECTIVE),
        **SCENE,
        "interactions": [meeting("i1", "call", EFFECTIVE - timedelta(days=30), ["t1"], ["p1"])],
    }
    ingest_batch(graph, custom, batch)

    # 2.0 * 2^(-30/30) = 1.0, s = 1 - e^-1 = 0.632121
    [edge] = current_edges(graph, settings, "KNOWS")
    assert edge["props"]["strength"] == pytest.approx(0.6321205588, abs=1e-9)


def test_explicit_strength_wins_over_interactions(graph: Graph, settings: Settings) -> None:
    ingest(
        graph,
        settings,
        effective_at=iso(EFFECTIVE),
        **SCENE,
        relationships=[{"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.9}],
    )

    summary = ingest(
        graph,
        settings,
        effective_at=iso(EFFECTIVE),
        interactions=[meeting("i1", "meeting", EFFECTIVE, ["t1"], ["p1", "p2"])],
    )

    assert summary["edges"]["KNOWS"]["created"] == 1  # t1 -> p2 only
    knows = {
        (e["source"], e["target"]): e["props"] for e in current_edges(graph, settings, "KNOWS")
    }
    assert knows[("t1", "p1")] == {"strength": 0.9, "source": "api", "since": iso(EFFECTIVE)}
    assert knows[("t1", "p2")]["source"] == "interactions"
    assert knows[("t1", "p2")]["strength"] == pytest.approx(1 - math.exp(-1.0), abs=1e-12)

    # An explicit strength later replaces a derived tie (closed, kept as history).
    ingest(
        graph,
        settings,
        effective_at=iso(EFFECTIVE + timedelta(days=1)),
        relationships=[{"team_member_id": "t1", "stakeholder_id": "p2", "strength": 0.2}],
    )
    history = edges_from(graph, settings, "t1", "KNOWS")
    to_p2 = [e["props"] for e in history if e["target"] == "p2"]
    assert [(p["source"], p.get("until")) for p in to_p2] == [
        ("interactions", iso(EFFECTIVE + timedelta(days=1))),
        ("api", None),
    ]


def test_explicit_strength_in_the_same_batch_wins_over_its_interactions(
    graph: Graph, settings: Settings
) -> None:
    # t1 already has a derived tie to p1; the next batch gives that pair an explicit
    # strength and a new meeting at once: the explicit tie replaces the derived one and
    # the meeting changes nothing of it, while t1 -> p2 is derived from the meeting.
    ingest(
        graph,
        settings,
        effective_at=iso(EFFECTIVE - timedelta(days=10)),
        **SCENE,
        interactions=[meeting("i0", "call", EFFECTIVE - timedelta(days=20), ["t1"], ["p1"])],
    )
    summary = ingest(
        graph,
        settings,
        effective_at=iso(EFFECTIVE),
        relationships=[{"team_member_id": "t1", "stakeholder_id": "p1", "strength": 0.9}],
        interactions=[meeting("i1", "meeting", EFFECTIVE, ["t1"], ["p1", "p2"])],
    )

    assert summary["edges"]["KNOWS"] == {"created": 2, "updated": 0, "closed": 1, "removed": 0}
    knows = {
        (e["source"], e["target"]): e["props"] for e in current_edges(graph, settings, "KNOWS")
    }
    assert knows[("t1", "p1")] == {
        "strength": 0.9,
        "source": "api",
        "since": iso(EFFECTIVE),
        # No last_contact given: the closed tie's is kept (the meeting does not touch an
        # explicit tie).
        "last_contact": iso(EFFECTIVE - timedelta(days=20)),
    }
    assert knows[("t1", "p2")]["source"] == "interactions"
    assert knows[("t1", "p2")]["strength"] == pytest.approx(1 - math.exp(-1.0), abs=1e-12)
    history = edges_from(graph, settings, "t1", "KNOWS")
    to_p1 = [e["props"] for e in history if e["target"] == "p1"]
    assert [(p["source"], p.get("until")) for p in to_p1] == [
        ("interactions", iso(EFFECTIVE)),
        ("api", None),
    ]


def test_new_interactions_update_the_derived_tie_in_place(graph: Graph, settings: Settings) -> None:
    first = meeting("i1", "email", EFFECTIVE - timedelta(days=90), ["t1"], ["p1"])
    ingest(graph, settings, effective_at=iso(EFFECTIVE), **SCENE, interactions=[first])
    [before] = current_edges(graph, settings, "KNOWS")
    assert before["props"]["strength"] == pytest.approx(1 - math.exp(-0.15), abs=1e-12)  # 0.3/2

    second = meeting("i2", "meeting", EFFECTIVE, ["t1"], ["p1"])
    summary = ingest(graph, settings, effective_at=iso(EFFECTIVE), interactions=[first, second])

    assert summary["edges"]["KNOWS"] == {"created": 0, "updated": 1, "closed": 0, "removed": 0}
    [after] = current_edges(graph, settings, "KNOWS")
    assert after["props"]["strength"] == pytest.approx(1 - math.exp(-1.15), abs=1e-12)
    assert after["props"]["since"] == before["props"]["since"]  # same edge


def test_dropping_an_attendee_recomputes_their_tie(graph: Graph, settings: Settings) -> None:
    both = meeting("i1", "meeting", EFFECTIVE, ["t1"], ["p1", "p2"])
    ingest(graph, settings, effective_at=iso(EFFECTIVE), **SCENE, interactions=[both])
    assert len(current_edges(graph, settings, "KNOWS")) == 2

    later = iso(EFFECTIVE + timedelta(days=3))
    summary = ingest(
        graph, settings, effective_at=later, interactions=[{**both, "stakeholder_ids": ["p1"]}]
    )

    assert summary["edges"]["WITH"]["removed"] == 1
    assert summary["edges"]["KNOWS"]["closed"] == 1  # t1 -> p2 has no interaction left
    assert [(e["source"], e["target"]) for e in current_edges(graph, settings, "KNOWS")] == [
        ("t1", "p1")
    ]
    closed = [e["props"] for e in edges_from(graph, settings, "t1", "KNOWS") if e["target"] == "p2"]
    assert closed[0]["until"] == later


def test_same_interactions_twice_change_nothing(graph: Graph, settings: Settings) -> None:
    # No effective_at: ages are measured at "now", yet a re-sent batch must not move
    # the derived strength (only pairs whose interactions changed are recomputed).
    batch = {**SCENE, "interactions": [meeting("i1", "call", EFFECTIVE, ["t1", "t2"], ["p1"])]}
    ingest_batch(graph, settings, batch)
    first = dump(graph, settings)

    summary = ingest_batch(graph, settings, batch).as_dict()

    assert dump(graph, settings) == first
    assert summary["edges"]["KNOWS"] == {"created": 0, "updated": 0, "closed": 0, "removed": 0}
