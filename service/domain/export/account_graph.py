"""One account's graph as of a date, for export: its nodes and edges with every property.

The one shape every export format writes (docs/export.md): nodes of five kinds
(stakeholder, team_member, budget, opportunity, account) and edges of five kinds
(reports_to, influences, knows, role, controls), each with the properties declared in
:data:`NODE_PROPERTIES` / :data:`EDGE_PROPERTIES` (a property is ``None`` when unknown).
The writers of :mod:`service.domain.export.formats` turn it into node-link JSON,
Cytoscape.js JSON, GraphML or GEXF; nothing else builds nodes or edges.

It is built from what the analytics already read and compute, never a second way: the
account pulled (and cached) by :class:`AccountReads` — already valid at the as-of
instant and already limited to the account (its people, the team members with a tie
into it or covering it, edges between them) — and the power map's rows (PageRank,
betweenness, coverage, best warm path), with the team members' betweenness from the
same memoised engagement-graph betweenness. People who left before the date are not in
the graph, and neither is an edge with an end outside it (a role on a closed
opportunity: the opportunity is over and not exported, the role still counts in the
stakeholder's ``roles``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from service.analytics.model import AnalyticsParams
from service.domain.access import Principal
from service.domain.analytics.account_cache import AccountCache, AccountReads
from service.domain.analytics.answers import analytics_params
from service.domain.analytics.power_map import power_map_rows
from service.domain.analytics.subgraphs import account_at
from service.graph.account_subgraph import PulledAccount
from service.settings import Settings

_ONE_DAY: Final = timedelta(days=1)

__all__ = [
    "EDGE_KIND_PROPERTIES",
    "EDGE_PROPERTIES",
    "GRAPH_PROPERTIES",
    "NODE_KIND_PROPERTIES",
    "NODE_PROPERTIES",
    "AccountGraphExport",
    "EdgeKind",
    "GraphEdge",
    "GraphNode",
    "NodeKind",
    "PropertyType",
    "Value",
    "account_graph",
    "account_graph_export",
]

NodeKind = Literal["stakeholder", "team_member", "budget", "opportunity", "account"]
EdgeKind = Literal["reports_to", "influences", "knows", "role", "controls"]
#: A property's type, as the typed formats declare it; ``list`` is a list of strings
#: (joined with ``;`` where a format has no lists).
PropertyType = Literal["string", "int", "double", "boolean", "list"]
Value = str | int | float | bool | list[str] | None

#: Properties of the graph itself (one account; a portfolio document keeps as_of and θ).
GRAPH_PROPERTIES: Final[Mapping[str, PropertyType]] = {
    "account_id": "string",
    "account_name": "string",
    "tier": "string",
    "as_of": "string",
    "active_tie_threshold": "double",
}

#: Every node property and its type (one type per name, whatever the kind).
NODE_PROPERTIES: Final[Mapping[str, PropertyType]] = {
    "kind": "string",
    "name": "string",
    "account_id": "string",
    "title": "string",
    "department": "string",
    "seniority": "string",
    "status": "string",
    "stance": "int",
    "is_key": "boolean",
    "roles": "list",
    "pagerank": "double",
    "betweenness": "double",
    "coverage_count": "int",
    "coverage_level": "string",
    "best_warm_path_strength": "double",
    "role": "string",
    "accounts": "list",
    "covered_accounts": "list",
    "amount": "double",
    "currency": "string",
    "stage": "string",
    "tier": "string",
}

#: The properties each node kind carries, in order (``kind`` first).
NODE_KIND_PROPERTIES: Final[Mapping[NodeKind, tuple[str, ...]]] = {
    "stakeholder": (
        "kind",
        "name",
        "account_id",
        "title",
        "department",
        "seniority",
        "status",
        "stance",
        "is_key",
        "roles",
        "pagerank",
        "betweenness",
        "coverage_count",
        "coverage_level",
        "best_warm_path_strength",
    ),
    "team_member": (
        "kind",
        "name",
        "role",
        "status",
        "pagerank",
        "betweenness",
        "accounts",
        "covered_accounts",
    ),
    "budget": ("kind", "name", "account_id", "amount", "currency"),
    "opportunity": ("kind", "name", "account_id", "stage", "amount"),
    "account": ("kind", "name", "account_id", "tier"),
}

#: Every edge property and its type. ``source``/``target`` are the edge's ends, never
#: provenance (that is ``provenance`` / ``provenance_record_id``).
EDGE_PROPERTIES: Final[Mapping[str, PropertyType]] = {
    "kind": "string",
    "line": "string",
    "strength": "double",
    "active": "boolean",
    "last_contact": "string",
    "role": "string",
    "stance": "int",
    "authority": "string",
    "provenance": "string",
    "provenance_record_id": "string",
}

#: The properties each edge kind carries, in order (``kind`` first).
EDGE_KIND_PROPERTIES: Final[Mapping[EdgeKind, tuple[str, ...]]] = {
    "reports_to": ("kind", "line", "strength", "provenance", "provenance_record_id"),
    "influences": ("kind", "strength"),
    "knows": (
        "kind",
        "strength",
        "active",
        "last_contact",
        "provenance",
        "provenance_record_id",
    ),
    "role": ("kind", "role", "stance", "provenance", "provenance_record_id"),
    "controls": ("kind", "authority"),
}


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node: its model id and its kind's properties (``props`` starts with ``kind``)."""

    id: str
    kind: NodeKind
    props: Mapping[str, Value]


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """A directed edge; ``key`` tells parallel edges apart (``reports_to-solid``, …)."""

    source: str
    target: str
    key: str
    kind: EdgeKind
    props: Mapping[str, Value]


@dataclass(frozen=True, slots=True)
class AccountGraphExport:
    """One account's graph: its properties, nodes and edges (each edge's ends are nodes)."""

    account_id: str
    graph: Mapping[str, Value]
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


def _node(node_id: str, kind: NodeKind, **props: Value) -> GraphNode:
    names = NODE_KIND_PROPERTIES[kind]
    assert set(props) <= set(names), sorted(set(props) - set(names))
    return GraphNode(node_id, kind, {n: kind if n == "kind" else props.get(n) for n in names})


def _edge(source: str, target: str, key: str, kind: EdgeKind, **props: Value) -> GraphEdge:
    names = EDGE_KIND_PROPERTIES[kind]
    assert set(props) <= set(names), sorted(set(props) - set(names))
    return GraphEdge(
        source, target, key, kind, {n: kind if n == "kind" else props.get(n) for n in names}
    )


def account_graph_export(
    reads: AccountReads, pulled: PulledAccount, params: AnalyticsParams
) -> AccountGraphExport:
    """The export graph of one pulled account (kept with the cached account).

    A module-level function of ``(reads, pulled, params)`` so :meth:`AccountReads.answer`
    can keep it with the account and the refresher can make it again.
    """
    account = pulled.graph
    account_id = account.account_id
    rows = reads.answer(pulled, power_map_rows, params)
    betweenness = reads.betweenness(pulled, params)
    entries = {e.stakeholder_id: e for e in rows.entries}
    nodes: list[GraphNode] = [
        _node(
            account_id,
            "account",
            name=account.account_name,
            account_id=account_id,
            tier=pulled.tier,
        )
    ]
    for s in account.stakeholders:
        entry = entries.get(s.id)
        if s.status != "active" or entry is None:
            continue
        nodes.append(
            _node(
                s.id,
                "stakeholder",
                name=s.name,
                account_id=account_id,
                title=s.title,
                department=s.department,
                seniority=s.seniority,
                status=s.status,
                stance=entry.stance,
                is_key=entry.is_key,
                roles=sorted({r.role for r in entry.roles}),
                pagerank=entry.pagerank,
                betweenness=entry.betweenness,
                coverage_count=entry.coverage_count,
                coverage_level=entry.coverage_level,
                best_warm_path_strength=entry.best_warm_path_strength,
            )
        )
    for b in account.budgets:
        nodes.append(
            _node(
                b.id,
                "budget",
                name=b.name,
                account_id=account_id,
                amount=b.amount,
                currency=b.currency,
            )
        )
    for o in account.opportunities:
        nodes.append(
            _node(
                o.id,
                "opportunity",
                name=o.name,
                account_id=account_id,
                stage=o.stage,
                amount=o.amount,
            )
        )
    team = pulled.covering
    for t in account.team_members:
        if t.status != "active":
            continue
        nodes.append(
            _node(
                t.id,
                "team_member",
                name=t.name,
                role=t.role,
                status=t.status,
                pagerank=None,  # influence PageRank ranks stakeholders only
                betweenness=betweenness.get(t.id),
                accounts=[account_id],
                covered_accounts=[account_id] if t.id in team else [],
            )
        )
    present = {n.id for n in nodes}
    edges: list[GraphEdge] = []

    def add(edge: GraphEdge) -> None:
        if edge.source in present and edge.target in present:
            edges.append(edge)

    for r in account.reports_to:
        add(
            _edge(
                r.from_id,
                r.to_id,
                f"reports_to-{r.kind}",
                "reports_to",
                line=r.kind,
                strength=r.strength,
                provenance=r.source,
                provenance_record_id=r.source_record_id,
            )
        )
    for i in account.influences:
        add(_edge(i.from_id, i.to_id, "influences", "influences", strength=i.strength))
    for k in account.knows:
        add(
            _edge(
                k.team_member_id,
                k.stakeholder_id,
                "knows",
                "knows",
                strength=k.strength,
                active=k.strength >= params.active_tie_threshold,
                last_contact=None if k.last_contact is None else k.last_contact.isoformat(),
                provenance=k.source,
                provenance_record_id=k.source_record_id,
            )
        )
    for role in account.roles:
        add(
            _edge(
                role.stakeholder_id,
                role.target_id,
                f"role-{role.role}",
                "role",
                role=role.role,
                stance=role.stance,
                provenance=role.source,
                provenance_record_id=role.source_record_id,
            )
        )
    for c in account.controls:
        add(
            _edge(
                c.stakeholder_id,
                c.budget_id,
                f"controls-{c.authority}",
                "controls",
                authority=c.authority,
            )
        )
    graph: dict[str, Value] = {
        "account_id": account_id,
        "account_name": account.account_name,
        "tier": pulled.tier,
        "as_of": (account.as_of.date() - _ONE_DAY).isoformat(),
        "active_tie_threshold": params.active_tie_threshold,
    }
    return AccountGraphExport(account_id, graph, tuple(nodes), tuple(edges))


def account_graph(
    cache: AccountCache,
    settings: Settings,
    account_id: str,
    *,
    as_of: date,
    principal: Principal,
) -> AccountGraphExport:
    """The account's graph as of ``as_of`` (404 unknown account, 403 another account)."""
    principal.require_account(account_id)
    reads = cache.reads()
    pulled = account_at(reads, account_id, as_of)
    return reads.answer(pulled, account_graph_export, analytics_params(settings))
