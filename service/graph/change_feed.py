"""The graph reads behind an account's changes feed besides the recorded change sets
(:func:`service.graph.ingest.read_change_sets`): whether the account exists, and the
current names of the people a page names."""

from __future__ import annotations

from collections.abc import Iterable

from service.graph.cypher_files import cypher
from service.graph.driver import Graph

__all__ = ["account_exists", "current_names"]


def account_exists(graph: Graph, account_id: str) -> bool:
    """Whether an ``Account`` with this id is stored."""
    rows = graph.read(cypher("changes/account_exists"), account_id=account_id)
    return bool(rows[0]["exists"])


def current_names(
    graph: Graph, stakeholder_ids: Iterable[str], team_member_ids: Iterable[str]
) -> dict[tuple[str, str], str | None]:
    """(label, id) -> the stored name of each given stakeholder and team member that is
    stored (label ``Stakeholder`` or ``TeamMember``)."""
    stakeholders, team_members = sorted(set(stakeholder_ids)), sorted(set(team_member_ids))
    if not stakeholders and not team_members:
        return {}
    rows = graph.read(
        cypher("changes/current_names"),
        stakeholder_ids=stakeholders,
        team_member_ids=team_members,
    )
    return {(r["label"], r["id"]): r["name"] for r in rows}
