"""The analytics pull on the real Neo4j: one account as of a date, with the as-of rules of
docs/graph-conventions.md, the person lookup, and derived tie strengths equal to
``service.analytics.tie_strength`` on the same interactions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from service.analytics.model import AccountGraph
from service.analytics.tie_strength import Interaction, TieStrengthParams, tie_strength
from service.domain.ingest import depart_stakeholder, depart_team_member, ingest_batch
from service.domain.org_chart import valid_at
from service.graph.account_subgraph import (
    account_subgraph,
    accounts_subgraphs,
    budget_account_subgraph,
    find_person,
)
from service.graph.driver import Graph
from service.settings import Settings
from tests.api.analytics_scene import seed

TODAY = datetime.now(UTC).date()


def pull(graph: Graph, settings: Settings, account_id: str, as_of: date) -> AccountGraph:
    pulled = account_subgraph(graph, account_id, valid_at=valid_at(as_of))
    assert pulled is not None
    return pulled.graph


def active_people(account: AccountGraph) -> list[str]:
    return sorted(s.id for s in account.stakeholders if s.status == "active")


def test_the_account_as_it_is_now(graph: Graph, settings: Settings) -> None:
    seed(graph, settings)
    pulled = account_subgraph(graph, "acme", valid_at=valid_at(TODAY))
    assert pulled is not None and pulled.tier == "strategic"
    acme = pulled.graph
    assert acme.account_name == "Acme"
    assert active_people(acme) == ["ceo", "cfo", "champ", "det", "dir", "eng", "vp"]
    # t1, t2 cover acme; t3 neither covers nor knows anyone there.
    assert sorted(t.id for t in acme.team_members) == ["t1", "t2"]
    # The tie to bp (beta) is not part of acme; the 0.1 tie is (it is just not active).
    assert sorted((k.team_member_id, k.stakeholder_id, k.strength) for k in acme.knows) == [
        ("t1", "champ", 0.8),
        ("t1", "vp", 0.6),
        ("t2", "champ", 0.5),
        ("t2", "dir", 0.1),
    ]
    assert sorted((r.from_id, r.to_id, r.kind) for r in acme.reports_to) == [
        ("cfo", "ceo", "solid"),
        ("champ", "ceo", "solid"),
        ("det", "ceo", "solid"),
        ("dir", "vp", "solid"),
        ("eng", "champ", "solid"),
        ("vp", "cfo", "solid"),
    ]
    assert sorted((i.from_id, i.to_id, i.strength) for i in acme.influences) == [
        ("champ", "cfo", 0.9),
        ("det", "cfo", 0.5),
    ]
    assert sorted((r.stakeholder_id, r.role, r.target_kind, r.target_id) for r in acme.roles) == [
        ("cfo", "economic_buyer", "account", "acme"),
        ("champ", "champion", "account", "acme"),
        ("champ", "champion", "opportunity", "opp1"),
        ("det", "detractor", "account", "acme"),
        ("eng", "decision_maker", "opportunity", "opp1"),
    ]
    # The closed deal opp0 is not analysed.
    assert [o.id for o in acme.opportunities] == ["opp1"]
    assert [b.id for b in acme.budgets] == ["b1"]


def test_as_of_before_and_after_the_reorg(graph: Graph, settings: Settings) -> None:
    seed(graph, settings, reorg=True)
    before = pull(graph, settings, "acme", date(2026, 2, 1))
    after = pull(graph, settings, "acme", TODAY)
    assert "cdo" not in active_people(before) and "cdo" in active_people(after)
    assert sorted((c.stakeholder_id, c.authority) for c in before.controls) == [
        ("cfo", "owner"),
        ("dir", "recommender"),
        ("vp", "approver"),
    ]
    assert sorted((c.stakeholder_id, c.authority) for c in after.controls) == [
        ("cdo", "owner"),
        ("cfo", "recommender"),
        ("dir", "recommender"),
        ("vp", "approver"),
    ]
    # The end of the day before the first sync: the edges open at 2026-01-01T00:00 are
    # not valid yet (since < t fails), so the account is empty then.
    empty = pull(graph, settings, "acme", date(2025, 12, 31))
    assert empty.stakeholders == [] and empty.knows == []
    # The budget anchor pulls the same account.
    by_budget = budget_account_subgraph(graph, "b1", valid_at=valid_at(date(2026, 2, 1)))
    assert by_budget is not None and by_budget.graph.account_id == "acme"
    assert active_people(by_budget.graph) == active_people(before)


def test_departures_and_a_move(graph: Graph, settings: Settings) -> None:
    seed(graph, settings)
    depart_stakeholder(graph, "champ", datetime(2026, 4, 1, tzinfo=UTC))
    depart_team_member(graph, "t2", datetime(2026, 4, 1, tzinfo=UTC))
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": "2026-05-01T00:00:00Z",
            "stakeholders": [{"id": "bp", "account_id": "acme", "name": "Bea Buyer"}],
        },
    )
    then = pull(graph, settings, "acme", date(2026, 3, 31))
    assert "champ" in active_people(then) and "bp" not in active_people(then)
    assert {t.id: t.status for t in then.team_members} == {"t1": "active", "t2": "active"}
    assert ("t2", "champ") in {(k.team_member_id, k.stakeholder_id) for k in then.knows}
    now = pull(graph, settings, "acme", TODAY)
    assert "champ" not in active_people(now) and "bp" in active_people(now)
    # t2's COVERS is gone and their ties were closed: not part of acme any more.
    assert [t.id for t in now.team_members] == ["t1"]
    # t1's tie to bp carried over with the move; the tie to champ was closed.
    assert sorted((k.team_member_id, k.stakeholder_id) for k in now.knows) == [
        ("t1", "bp"),
        ("t1", "vp"),
    ]
    # The champion's roles and reporting lines were closed by the departure.
    assert all(r.stakeholder_id != "champ" for r in now.roles)
    assert all("champ" not in (r.from_id, r.to_id) for r in now.reports_to)
    beta_then = accounts_subgraphs(graph, ["beta", "nope"], valid_at=valid_at(date(2026, 4, 15)))
    assert [p.graph.account_id for p in beta_then] == ["beta"]
    assert active_people(beta_then[0].graph) == ["bp"]

    champ = find_person(graph, "champ", valid_at=valid_at(TODAY))
    assert champ is not None and champ.kind == "stakeholder"
    assert champ.account_ids == ("acme",)  # the account they left
    bp = find_person(graph, "bp", valid_at=valid_at(date(2026, 4, 15)))
    assert bp is not None and bp.account_ids == ("beta",)
    t1 = find_person(graph, "t1", valid_at=valid_at(TODAY))
    assert t1 is not None and t1.kind == "team_member" and t1.account_ids == ("acme", "beta")
    assert find_person(graph, "nobody", valid_at=valid_at(TODAY)) is None


def test_derived_tie_strength_equals_the_analytics_formula(
    graph: Graph, settings: Settings
) -> None:
    seed(graph, settings)
    effective = datetime(2026, 6, 1, tzinfo=UTC)
    day = timedelta(days=1)
    history = [
        ("meeting", effective - 3 * day),
        ("call", effective - 90 * day),
        ("email", effective - 30 * day),
        ("event", effective - 200 * day),
    ]
    ingest_batch(
        graph,
        settings,
        {
            "effective_at": effective.isoformat(),
            "interactions": [
                {
                    "id": f"i{n}",
                    "kind": kind,
                    "at": at.isoformat(),
                    "team_member_ids": ["t3"],
                    "stakeholder_ids": ["ceo"],
                }
                for n, (kind, at) in enumerate(history)
            ],
        },
    )
    expected = tie_strength(
        [Interaction(kind, at) for kind, at in history],
        effective,
        TieStrengthParams(settings.tie_half_life_days, settings.interaction_weights),
    )
    # By hand: 2^(−3/90) = 0.97716, 0.6 · ½ = 0.3, 0.3 · 2^(−1/3) = 0.23811,
    # 0.5 · 2^(−200/90) = 0.10716 → Σ 1.62243, s = 1 − e^(−1.62243) = 1 − 0.19742 = 0.80258.
    assert expected == pytest.approx(0.80258, abs=1e-5)
    acme = pull(graph, settings, "acme", TODAY)
    [tie] = [k for k in acme.knows if k.team_member_id == "t3"]
    assert tie.stakeholder_id == "ceo"
    assert tie.strength == pytest.approx(expected, abs=1e-12)
    assert tie.last_contact == effective - 3 * day
    assert "t3" in {t.id for t in acme.team_members}
