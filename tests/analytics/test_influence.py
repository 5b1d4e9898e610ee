"""Influence PageRank and budget control."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

from service.analytics.influence import budget_control, escalation_chain, influence_pagerank
from service.analytics.model import (
    AccountGraph,
    Budget,
    Controls,
    Influences,
    Knows,
    ReportsTo,
    Stakeholder,
    TeamMember,
    UnknownIdError,
)
from tests.analytics.reference import AS_OF, accounts

# Case (b) by hand. Influence PageRank runs on the reversed INFLUENCES edges:
#   I1→O 0.5, I2→O 0.9, I1→M1 1.0, I1→M2 1.0  become  O→I1, O→I2, M1→I1, M2→I1.
# n = 9 active stakeholders (O, A, I1, I2, M1, M2, CFO, CEO, X; SL has left).
# Every node receives the same teleport + dangling share b, so
#   PR(x) = b for everyone influencing nobody (O, A, M1, M2, CFO, CEO, X),
#   PR(I2) = b (1 + 0.85 · 0.9/1.4),
#   PR(I1) = b (1 + 0.85 · (0.5/1.4 + 1 + 1)),
# and Σ PR = 1 gives b (9 + 0.85 · (0.9/1.4 + 0.5/1.4 + 2)) = b (9 + 0.85 · 3) = 1:
B = 1 / 11.55
PR_I1 = B * (1 + 0.85 * (0.5 / 1.4 + 2))  # ≈ 0.260049
PR_I2 = B * (1 + 0.85 * 0.9 / 1.4)  # ≈ 0.133890
# Scores: I1 0.5 · 0.260049 ≈ 0.130025 beats I2 0.9 · 0.133890 ≈ 0.120501, although
# I2's influence on O is stronger.


def budget_account() -> AccountGraph:
    return AccountGraph(
        "acme",
        AS_OF,
        stakeholders=[
            Stakeholder(p, p, title=p)
            for p in ("O", "A", "I1", "I2", "M1", "M2", "CFO", "CEO", "X")
        ]
        + [Stakeholder("SL", "Sal", status="left")],
        team_members=[TeamMember("t", "Tess")],
        knows=[Knows("t", "A", 0.6), Knows("t", "M1", 0.9)],
        influences=[
            Influences("I1", "O", 0.5),
            Influences("I2", "O", 0.9),
            Influences("I1", "M1", 1.0),
            Influences("I1", "M2", 1.0),
            Influences("SL", "O", 1.0),  # SL left: no influence any more
        ],
        reports_to=[
            ReportsTo("O", "CFO"),
            ReportsTo("CFO", "CEO"),
            ReportsTo("O", "X", "dotted"),
            ReportsTo("A", "CFO"),
        ],
        controls=[
            Controls("O", "b1", "owner"),
            Controls("A", "b1", "approver"),
            Controls("SL", "b1", "signatory"),
        ],
        budgets=[Budget("b1", "Data platform", 1_000_000, "EUR"), Budget("b2", "Empty")],
    )


def test_influence_pagerank_by_hand() -> None:
    ranks = influence_pagerank(budget_account())
    assert set(ranks) == {"O", "A", "I1", "I2", "M1", "M2", "CFO", "CEO", "X"}
    assert ranks["I1"] == pytest.approx(PR_I1, abs=1e-7)
    assert ranks["I2"] == pytest.approx(PR_I2, abs=1e-7)
    assert ranks["O"] == pytest.approx(B, abs=1e-7)
    assert sum(ranks.values()) == pytest.approx(1.0)


def test_budget_control_by_hand() -> None:
    control = budget_control(budget_account(), "b1")
    (owner,) = control.controllers["owner"]
    (approver,) = control.controllers["approver"]
    assert control.controllers["signatory"] == () and control.controllers["recommender"] == ()
    # Influencers of O ranked by strength × PageRank: I1 (0.130) before I2 (0.121).
    assert [i.stakeholder_id for i in owner.influencers] == ["I1", "I2"]
    assert owner.influencers[0].score == pytest.approx(0.5 * PR_I1, abs=1e-7)
    assert owner.influencers[1].score == pytest.approx(0.9 * PR_I2, abs=1e-7)
    assert approver.influencers == ()
    # Our access: O is dark; best warm path t–M1–I1–O = 0.9 · 1.0 · 0.5 = 0.45 beats
    # t–A–CFO–O = 0.6 · 0.5 · 0.5 = 0.15. A is covered directly by t (0.6).
    assert owner.coverage.level == "dark"
    assert owner.best_warm_path is not None
    assert owner.best_warm_path.people == ("t", "M1", "I1", "O")
    assert owner.best_warm_path.strength == pytest.approx(0.45)
    assert approver.coverage.team_member_ids == ("t",)
    assert approver.best_warm_path is not None and approver.best_warm_path.people == ("t", "A")
    # Influencers' access: I1 via t–M1–I1 (0.9); I2 via t–M1–I1–O–I2 (0.45 · 0.9).
    assert owner.influencers[0].best_warm_path_strength == pytest.approx(0.9)
    assert owner.influencers[1].best_warm_path_strength == pytest.approx(0.405)
    # Escalation: solid line O → CFO → CEO (the dotted line to X is not escalation).
    (chain,) = control.escalation_chains
    assert [(s.level, s.stakeholder_id) for s in chain.steps] == [(1, "CFO"), (2, "CEO")]
    # The signatory has left: reported, not listed as a controller.
    assert [(d.stakeholder_id, d.authority) for d in control.departed_controllers] == [
        ("SL", "signatory")
    ]
    assert any("Sal (signatory) has left" in n for n in control.notes)


def test_budget_without_controllers_is_explained() -> None:
    control = budget_control(budget_account(), "b2")
    assert all(v == () for v in control.controllers.values())
    assert "The budget has no active owner." in control.notes
    assert control.escalation_chains == ()


def test_unknown_budget_raises() -> None:
    with pytest.raises(UnknownIdError):
        budget_control(budget_account(), "nope")


def test_escalation_chain_stops_at_a_cycle() -> None:
    account = AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[Stakeholder(p, p) for p in "abc"],
        reports_to=[ReportsTo("a", "b"), ReportsTo("b", "c"), ReportsTo("c", "a")],
    )
    chain = escalation_chain(account, "a")
    assert [s.stakeholder_id for s in chain.steps] == ["b", "c"]
    assert chain.cycle_at == "a"


def _reference_pagerank(account: AccountGraph) -> dict[str, float]:
    active = [s.id for s in account.stakeholders if s.status == "active"]
    graph: Any = nx.DiGraph()
    graph.add_nodes_from(active)
    for i in account.influences:
        if i.from_id in graph and i.to_id in graph and i.from_id != i.to_id and i.strength > 0:
            old = graph.get_edge_data(i.to_id, i.from_id, {"weight": 0.0})["weight"]
            graph.add_edge(i.to_id, i.from_id, weight=max(old, i.strength))
    if not active:
        return {}
    result: dict[str, float] = _pagerank_python(graph, alpha=0.85, tol=1e-12, max_iter=10_000)
    return result


@settings(max_examples=200, deadline=None)
@given(accounts(max_stakeholders=12))
def test_pagerank_matches_networkx(account: AccountGraph) -> None:
    ours = influence_pagerank(account)
    ref = _reference_pagerank(account)
    assert set(ours) == set(ref)
    for person, value in ref.items():
        assert ours[person] == pytest.approx(value, abs=1e-7)
