"""Fragmentation of the engagement graph (Borgatti's KPP-Neg).

docs/definitions.md, "Fragmentation": ``F = 1 − Σ_k s_k (s_k − 1) / (n (n − 1))`` over
the connected components ``s_k`` of the ``n`` nodes: the share of ordered pairs of
people with no path between them. 0 means everybody can reach everybody; 1 means
nobody reaches anybody.

**Fewer than two nodes** (n = 0 or 1): there is no pair, so no pair is disconnected and
F = 0.0. This keeps F a statistic about pairs (it needs no special meaning for "the
network is gone"); the departure impact reports ``n`` next to F and its reachability
component captures an emptied account.

>>> fragmentation([3, 1])   # 1 − (3·2 + 0) / (4·3)
0.5
>>> fragmentation([5]), fragmentation([1, 1, 1]), fragmentation([1])
(0.0, 1.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import rustworkx as rx

from service.analytics.engagement import BoolArray, EngagementGraph, IntArray

__all__ = [
    "Fragmentation",
    "component_labels",
    "fragmentation",
    "fragmentation_of",
    "reachable_from_team",
]


@dataclass(frozen=True, slots=True)
class Fragmentation:
    """F with the numbers behind it: node count and component sizes (largest first)."""

    value: float
    node_count: int
    component_sizes: tuple[int, ...]


def fragmentation(component_sizes: Iterable[int]) -> float:
    """Borgatti's F from the sizes of the connected components (see the module docstring)."""
    sizes = [int(s) for s in component_sizes]
    if any(s < 0 for s in sizes):
        raise ValueError("component sizes must be non-negative")
    n = sum(sizes)
    if n < 2:
        return 0.0
    connected_pairs = sum(s * (s - 1) for s in sizes)
    return 1.0 - connected_pairs / (n * (n - 1))


def component_labels(graph: EngagementGraph) -> IntArray:
    """Connected-component label of every node index (−1 for nodes not in the graph)."""
    rx_graph, universe = graph.to_rustworkx()
    labels = np.full(len(graph.node_ids), -1, dtype=np.int64)
    for label, component in enumerate(rx.connected_components(rx_graph)):
        labels[universe[list(component)]] = label
    return labels


def fragmentation_of(graph: EngagementGraph, labels: IntArray | None = None) -> Fragmentation:
    """F of an engagement graph; pass ``labels`` from :func:`component_labels` to reuse them."""
    if labels is None:
        labels = component_labels(graph)
    present = labels[labels >= 0]
    sizes = np.bincount(present) if present.shape[0] else np.zeros(0, dtype=np.int64)
    ordered = tuple(sorted((int(s) for s in sizes if s > 0), reverse=True))
    return Fragmentation(fragmentation(ordered), int(present.shape[0]), ordered)


def reachable_from_team(graph: EngagementGraph, labels: IntArray | None = None) -> BoolArray:
    """Whether each node index has a path to some team member (shares a component with one).

    Pass ``labels`` from :func:`component_labels` to reuse them.
    """
    if labels is None:
        labels = component_labels(graph)
    t = graph.n_team
    team_labels = labels[:t][graph.present[:t]]
    return np.isin(labels, team_labels) & (labels >= 0)
