"""The compiled Brandes kernel against hand-worked values and networkx's reference."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.analytics.betweenness import exact_betweenness
from service.analytics.engagement import engagement_graph
from service.analytics.model import AccountGraph
from service.analytics.power_map import engagement_betweenness
from tests.analytics.reference import accounts, reference_graph, without


def csr(n: int, edges: list[tuple[int, int]]) -> tuple[Any, Any]:
    """Both directions of every edge, grouped by source (what EngagementGraph holds)."""
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        neighbours[u].append(v)
        neighbours[v].append(u)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(x) for x in neighbours])
    indices = np.array([v for x in neighbours for v in x], dtype=np.int64)
    return indptr, indices


def test_a_diamond_with_a_tail_by_hand() -> None:
    # 0 – 1, 0 – 2, 1 – 3, 2 – 3, 3 – 4 (n = 5, scale 1 / ((n − 1)(n − 2)) = 1/12 on
    # ordered pairs). Node 3 lies on every path from 0, 1 and 2 to 4 (3 pairs, 6
    # ordered) and on half of the two 1 – 2 paths (1 pair: 0.5, ordered 1): 7 / 12.
    # Node 1 lies on one of the two 0 – 3 paths and one of the two 0 – 4 paths: 2 × 0.5
    # per direction, 2 / 12; node 2 alike; node 0 on one of the two 1 – 2 paths: 1 / 12.
    indptr, indices = csr(5, [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)])
    scores = exact_betweenness(indptr, indices, np.ones(5, dtype=bool))
    assert scores.tolist() == pytest.approx([1 / 12, 2 / 12, 2 / 12, 7 / 12, 0.0])


def test_absent_nodes_do_not_count_towards_the_scale() -> None:
    # The path 0 – 1 – 2 with node 3 absent (no arcs): n is 3, not 4.
    indptr, indices = csr(4, [(0, 1), (1, 2)])
    present = np.array([True, True, True, False])
    assert exact_betweenness(indptr, indices, present).tolist() == [0.0, 1.0, 0.0, 0.0]


def test_two_or_fewer_people_score_zero() -> None:
    indptr, indices = csr(2, [(0, 1)])
    assert exact_betweenness(indptr, indices, np.ones(2, dtype=bool)).tolist() == [0.0, 0.0]


@settings(max_examples=30, deadline=None)
@given(
    st.integers(min_value=300, max_value=700),
    st.floats(min_value=1.0, max_value=4.0),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=1, max_value=4),
)
def test_shares_on_several_threads_match_networkx(
    n: int, mean_degree: float, seed: int, workers: int
) -> None:
    """Graphs big enough to be split between threads (sparse, so several components)."""
    graph = nx.gnp_random_graph(n, mean_degree / n, seed=seed)
    indptr, indices = csr(n, list(graph.edges()))
    ours = exact_betweenness(indptr, indices, np.ones(n, dtype=bool), workers=workers)
    expected = nx.betweenness_centrality(graph, normalized=True)
    assert ours.tolist() == pytest.approx([expected[i] for i in range(n)], abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(accounts(max_stakeholders=12, max_team=3), st.data())
def test_engagement_graph_without_people_matches_networkx(
    account: AccountGraph, data: st.DataObject
) -> None:
    """After a departure the kernel sees removed nodes as absent, as networkx's graph lacks them."""
    people = [s.id for s in account.stakeholders] + [t.id for t in account.team_members]
    gone = data.draw(st.lists(st.sampled_from(people), max_size=3, unique=True))
    ours = engagement_betweenness(engagement_graph(account).without(gone))
    expected = nx.betweenness_centrality(without(reference_graph(account), gone), normalized=True)
    assert set(ours) == set(expected)
    for person, value in expected.items():
        assert ours[person] == pytest.approx(value, abs=1e-12)
