"""Borgatti's KPP-Neg fragmentation of the engagement graph."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from service.analytics.engagement import engagement_graph
from service.analytics.fragmentation import fragmentation, fragmentation_of
from service.analytics.model import AccountGraph, Influences, Knows, Stakeholder, TeamMember
from tests.analytics.reference import AS_OF, accounts, connected_ordered_pairs, reference_graph


def test_formula_on_component_sizes() -> None:
    assert fragmentation([3, 1]) == pytest.approx(1 - 6 / 12)  # 0.5
    assert fragmentation([2, 2]) == pytest.approx(1 - 4 / 12)  # 2/3
    assert fragmentation([5]) == 0.0  # connected
    assert fragmentation([1, 1, 1, 1]) == 1.0  # nobody reaches anybody


def test_fewer_than_two_nodes_is_zero_by_convention() -> None:
    assert fragmentation([]) == 0.0
    assert fragmentation([1]) == 0.0
    assert fragmentation([0, 1]) == 0.0


def test_negative_sizes_are_rejected() -> None:
    with pytest.raises(ValueError):
        fragmentation([3, -1])


def test_fragmentation_of_an_engagement_graph() -> None:
    # t – a – b, c alone, d – e: n = 6, sizes 3, 2, 1;
    # F = 1 − (3·2 + 2·1 + 0) / (6·5) = 1 − 8/30 = 11/15.
    account = AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[Stakeholder(s, s) for s in "abcde"],
        team_members=[TeamMember("t", "T")],
        knows=[Knows("t", "a", 0.5)],
        influences=[Influences("a", "b", 0.5), Influences("d", "e", 0.5)],
    )
    result = fragmentation_of(engagement_graph(account))
    assert result.component_sizes == (3, 2, 1)
    assert result.node_count == 6
    assert result.value == pytest.approx(11 / 15)


@settings(max_examples=300, deadline=None)
@given(accounts(max_stakeholders=12))
def test_matches_direct_pair_counting(account: AccountGraph) -> None:
    ref = reference_graph(account)
    n = ref.number_of_nodes()
    expected = 0.0 if n < 2 else 1 - connected_ordered_pairs(ref) / (n * (n - 1))
    result = fragmentation_of(engagement_graph(account))
    assert result.node_count == n
    assert result.value == pytest.approx(expected)
