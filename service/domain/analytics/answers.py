"""Plain-data views of analytics results, with people's names next to their ids.

The analytics return ids (they are pure functions over one account); a KAM reads
names. These helpers turn analytics dataclasses into the dicts the API models
validate, looking names up in the :class:`AccountGraph` the analysis ran on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from service.analytics.engagement import Coverage
from service.analytics.model import AccountGraph, AnalyticsParams
from service.analytics.warm_paths import WarmPath
from service.settings import Settings

__all__ = [
    "Names",
    "Record",
    "account_ref",
    "analytics_params",
    "coverage_view",
    "people_refs",
    "warm_path_view",
]

Record = dict[str, Any]


def analytics_params(settings: Settings) -> AnalyticsParams:
    """The analytics' tunables from the service settings (θ is configurable)."""
    return AnalyticsParams(active_tie_threshold=settings.active_tie_threshold)


@dataclass(frozen=True)
class Names:
    """Names (and titles) of everyone in an account graph, by id."""

    names: dict[str, str]
    titles: dict[str, str | None]

    @classmethod
    def of(cls, account: AccountGraph) -> Names:
        names = {s.id: s.name for s in account.stakeholders}
        names.update({t.id: t.name for t in account.team_members})
        titles = {s.id: s.title for s in account.stakeholders}
        return cls(names, titles)

    def name(self, person_id: str | None) -> str | None:
        return None if person_id is None else self.names.get(person_id)

    def ref(self, person_id: str) -> Record:
        return {"id": person_id, "name": self.names.get(person_id)}


def account_ref(account: AccountGraph, tier: str | None = None) -> Record:
    return {"id": account.account_id, "name": account.account_name, "tier": tier}


def people_refs(names: Names, ids: Iterable[str]) -> list[Record]:
    return [names.ref(i) for i in ids]


def coverage_view(coverage: Coverage, names: Names) -> Record:
    return {
        "level": coverage.level,
        "count": coverage.count,
        "ties": [
            {
                "team_member_id": t.team_member_id,
                "team_member_name": names.name(t.team_member_id),
                "strength": t.strength,
                "last_contact": t.last_contact,
            }
            for t in coverage.ties
        ],
    }


def warm_path_view(path: WarmPath | None, names: Names) -> Record | None:
    if path is None:
        return None
    return {
        "team_member_id": path.team_member_id,
        "team_member_name": names.name(path.team_member_id),
        "stakeholder_id": path.stakeholder_id,
        "stakeholder_name": names.name(path.stakeholder_id),
        "strength": path.strength,
        "hop_count": path.hop_count,
        "introducer_id": path.introducer_id,
        "introducer_name": names.name(path.introducer_id),
        "hops": [
            {
                "from_id": h.from_id,
                "from_name": names.name(h.from_id),
                "to_id": h.to_id,
                "to_name": names.name(h.to_id),
                "relationship": h.relationship,
                "strength": h.strength,
            }
            for h in path.hops
        ],
    }
