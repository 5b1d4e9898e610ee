"""Warm paths: how our team can reach a stakeholder through people who know each other.

docs/definitions.md, "Warm path": a path from one team member through stakeholders only (no other
team member in between) to the target, maximising the product of edge strengths — the
shortest path under cost ``−ln s`` — with at most 4 hops; its strength is the product,
0 when there is none. We read "at most 4 hops" as a constraint on the search (the best
path *among* paths of ≤ 4 hops), not as a filter on the unconstrained best path, so a
strong 5-hop chain never hides a usable 3-hop one.

One hop-bounded, multi-source Bellman–Ford pass (:func:`warm_reach`) gives the best
strength to *every* stakeholder at once: ``levels[h][v]`` is the best product over
paths of at most ``h`` hops, computed for all ``v`` by one vectorised relaxation of all
arcs per hop, O(h · edges) in total. Because strengths are ≤ 1, going round a cycle
never helps, so the best walk equals the best simple path and the relaxation needs no
visited sets. The path itself is read back from the levels on demand.

:func:`warm_paths` returns the k strongest simple paths by best-first enumeration of
partial paths from the target, pruned with the exact bound ``levels[remaining][v]``
(an A* search whose heuristic is the relaxed optimum), so it only expands partial
paths that can still beat the k-th answer.

>>> from datetime import datetime, timezone
>>> from service.analytics.engagement import engagement_graph
>>> from service.analytics.model import AccountGraph, Influences, Knows, Stakeholder, TeamMember
>>> account = AccountGraph(
...     "acme", datetime(2026, 1, 31, tzinfo=timezone.utc),
...     stakeholders=[Stakeholder("champ", "Cho"), Stakeholder("cfo", "Cleo")],
...     team_members=[TeamMember("am", "Ann")],
...     knows=[Knows("am", "champ", 0.9)],
...     influences=[Influences("champ", "cfo", 0.5)],
... )
>>> path = best_warm_path(engagement_graph(account), "cfo")
>>> path.people, round(path.strength, 2)
(('am', 'champ', 'cfo'), 0.45)
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from service.analytics.engagement import (
    BoolArray,
    EngagementGraph,
    FloatArray,
    Relationship,
)

__all__ = [
    "PathHop",
    "WarmPath",
    "WarmReach",
    "best_warm_path",
    "warm_paths",
    "warm_reach",
]

DEFAULT_MAX_HOPS = 4


@dataclass(frozen=True, slots=True)
class PathHop:
    """One step of a warm path: who, over which relationship, how strong."""

    from_id: str
    to_id: str
    relationship: Relationship
    strength: float


@dataclass(frozen=True, slots=True)
class WarmPath:
    """A warm path from ``team_member_id`` to ``stakeholder_id``.

    ``people`` runs from the team member to the target; ``strength`` is the product
    of the hops' strengths.
    """

    team_member_id: str
    stakeholder_id: str
    people: tuple[str, ...]
    hops: tuple[PathHop, ...]
    strength: float

    @property
    def hop_count(self) -> int:
        return len(self.hops)

    @property
    def introducer_id(self) -> str | None:
        """The stakeholder who would introduce us to the target (None for a direct tie)."""
        return self.people[-2] if len(self.people) >= 3 else None


@dataclass(frozen=True, eq=False)
class WarmReach:
    """Best warm-path strengths from a set of source team members to every node.

    ``levels[h][i]`` is the best product over paths of at most ``h`` hops from a
    source to node ``i`` (sources have 1.0 at every level; other team members 0).
    """

    graph: EngagementGraph
    levels: tuple[FloatArray, ...]

    @property
    def max_hops(self) -> int:
        return len(self.levels) - 1

    @property
    def best(self) -> FloatArray:
        """Best warm-path strength per node index (0 for team members and the unreachable)."""
        out = self.levels[-1].copy()
        out[: self.graph.n_team] = 0.0
        return out

    def strength_to(self, stakeholder_id: str) -> float:
        """Best warm-path strength to a stakeholder; 0.0 when none (or not in the graph)."""
        i = self.graph.index.get(stakeholder_id)
        if i is None or i < self.graph.n_team:
            return 0.0
        return float(self.levels[-1][i])

    def path_to(self, stakeholder_id: str) -> WarmPath | None:
        """The best warm path to a stakeholder, read back from the levels in O(hops · degree)."""
        i = self.graph.index.get(stakeholder_id)
        if i is None or i < self.graph.n_team or self.levels[-1][i] <= 0.0:
            return None
        return _as_warm_path(self.graph, *_trace(self.graph, self.levels, i))


def _first_level(levels: tuple[FloatArray, ...], node: int, value: float) -> int:
    # Levels never decrease, so the first level holding the final value is the hop
    # count of a best path; tracing from there never loops back (see warm_reach).
    for h, level in enumerate(levels):
        if level[node] == value:
            return h
    raise AssertionError("value not present in levels")  # pragma: no cover


def _trace(
    graph: EngagementGraph, levels: tuple[FloatArray, ...], target: int
) -> tuple[list[int], list[int]]:
    """Nodes (team member first) and arcs of a best path to ``target``."""
    t = graph.n_team
    nodes = [target]
    arcs: list[int] = []
    current = target
    h = _first_level(levels, target, float(levels[-1][target]))
    while True:
        start, end = int(graph.indptr[current]), int(graph.indptr[current + 1])
        neighbours = graph.indices[start:end]
        values = levels[h - 1][neighbours] * graph.arc_strength[start:end]
        if h - 1 >= 1:
            values[neighbours < t] = 0.0  # team members relay only as the first node
        j = int(np.argmax(values))
        previous = int(neighbours[j])
        arcs.append(start + j)
        nodes.append(previous)
        if previous < t:
            break
        h = _first_level(levels, previous, float(levels[h - 1][previous]))
        current = previous
    nodes.reverse()
    arcs.reverse()
    return nodes, arcs


def _as_warm_path(graph: EngagementGraph, nodes: list[int], arcs: list[int]) -> WarmPath:
    ids = graph.node_ids
    hops = []
    strength = 1.0
    for a, b, arc in zip(nodes[:-1], nodes[1:], arcs, strict=True):
        edge = int(graph.arc_edge[arc])
        s = float(graph.edge_strength[edge])
        strength *= s  # same order as the relaxation, so equal to the level value
        hops.append(PathHop(ids[a], ids[b], graph.relationship(edge), s))
    return WarmPath(
        team_member_id=ids[nodes[0]],
        stakeholder_id=ids[nodes[-1]],
        people=tuple(ids[i] for i in nodes),
        hops=tuple(hops),
        strength=strength,
    )


def _source_mask(
    graph: EngagementGraph, sources: Iterable[str] | None, exclude: Iterable[str]
) -> BoolArray:
    mask = np.zeros(len(graph.node_ids), dtype=np.bool_)
    if sources is None:
        mask[: graph.n_team] = graph.present[: graph.n_team]
    else:
        for person in sources:
            i = graph.index.get(person)
            if i is not None and i < graph.n_team:
                mask[i] = graph.present[i]
    for person in exclude:
        i = graph.index.get(person)
        if i is not None and i < graph.n_team:
            mask[i] = False
    return mask


def warm_reach(
    graph: EngagementGraph,
    *,
    sources: Iterable[str] | None = None,
    exclude: Iterable[str] = (),
    max_hops: int = DEFAULT_MAX_HOPS,
) -> WarmReach:
    """Best warm-path strength from the source team members to every stakeholder, in one pass.

    ``sources`` defaults to every team member in the graph; ``exclude`` removes some
    (e.g. "anyone but the one who already covers them"). Ids that are not team members
    of the graph are ignored. Cost O(max_hops · edges), vectorised.
    """
    if max_hops < 1:
        raise ValueError("max_hops must be at least 1")
    n, t = len(graph.node_ids), graph.n_team
    base = _source_mask(graph, sources, exclude).astype(np.float64)
    # Only stakeholder rows are relaxed: a team member is never reached mid-path.
    first_arc = int(graph.indptr[t])
    neighbours = graph.indices[first_arc:]
    strengths = graph.arc_strength[first_arc:]
    row_ptr = graph.indptr[t:] - first_arc
    nonempty = np.flatnonzero(np.diff(row_ptr) > 0)
    segment_starts = row_ptr[:-1][nonempty]
    levels: list[FloatArray] = [base]
    relay = base
    for _ in range(max_hops):
        previous = levels[-1]
        relaxed = np.zeros(n - t, dtype=np.float64)
        if nonempty.shape[0]:
            relaxed[nonempty] = np.maximum.reduceat(relay[neighbours] * strengths, segment_starts)
        current = base.copy()
        current[t:] = np.maximum(previous[t:], relaxed)
        levels.append(current)
        if np.array_equal(current, previous):
            # Nothing improved, so no later hop can: the remaining levels are equal.
            levels.extend([current] * (max_hops + 1 - len(levels)))
            break
        relay = current.copy()
        relay[:t] = 0.0
    return WarmReach(graph, tuple(levels))


def best_warm_path(
    graph: EngagementGraph,
    to: str,
    *,
    from_team_member: str | None = None,
    max_hops: int = DEFAULT_MAX_HOPS,
) -> WarmPath | None:
    """The strongest warm path to stakeholder ``to`` (from anyone, or one team member).

    ``None`` when there is no path within ``max_hops`` or ``to`` is not a stakeholder
    in the graph.
    """
    sources = None if from_team_member is None else [from_team_member]
    return warm_reach(graph, sources=sources, max_hops=max_hops).path_to(to)


def warm_paths(
    graph: EngagementGraph,
    to: str,
    *,
    from_team_member: str | None = None,
    k: int = 3,
    max_hops: int = DEFAULT_MAX_HOPS,
) -> list[WarmPath]:
    """The ``k`` strongest simple warm paths to ``to``, strongest first.

    Paths that differ only in their team member are different paths. Fewer than
    ``k`` are returned when fewer exist; an empty list when ``to`` is not a
    stakeholder in the graph.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    sources = None if from_team_member is None else [from_team_member]
    reach = warm_reach(graph, sources=sources, max_hops=max_hops)
    target = graph.index.get(to)
    t = graph.n_team
    if target is None or target < t or reach.levels[-1][target] <= 0.0:
        return []
    levels = reach.levels
    is_source = levels[0] > 0.0
    indptr, indices, arc_strength = graph.indptr, graph.indices, graph.arc_strength
    # Entries: (−upper bound, tie-break, nodes from the target, arcs, product so far).
    counter = 0
    heap: list[tuple[float, int, tuple[int, ...], tuple[int, ...], float]] = [
        (-float(levels[-1][target]), counter, (target,), (), 1.0)
    ]
    found: list[WarmPath] = []
    while heap and len(found) < k:
        _, _, nodes, arcs, product = heapq.heappop(heap)
        end = nodes[-1]
        if end < t:
            # The bound of a complete path is its strength and every other entry's
            # bound is no larger, so it is the next strongest path.
            found.append(_as_warm_path(graph, list(reversed(nodes)), list(reversed(arcs))))
            continue
        remaining = max_hops - len(nodes)  # hops left after the next one
        if remaining < 0:
            continue
        start, stop = int(indptr[end]), int(indptr[end + 1])
        neighbours = indices[start:stop]
        steps = product * arc_strength[start:stop]
        bounds = np.where(neighbours < t, is_source[neighbours], levels[remaining][neighbours])
        for offset, (nxt, step, bound) in enumerate(
            zip(neighbours.tolist(), steps.tolist(), bounds.tolist(), strict=True)
        ):
            if bound <= 0.0 or nxt in nodes:
                continue
            counter += 1
            heapq.heappush(
                heap, (-step * bound, counter, (*nodes, nxt), (*arcs, start + offset), step)
            )
    return found
