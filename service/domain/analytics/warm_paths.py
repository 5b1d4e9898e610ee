"""The k strongest warm paths to a stakeholder, as of a date: the answer and the use case.

Definition (a warm path): docs/definitions.md, "Warm path", and :mod:`service.analytics.warm_paths`.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from service.analytics.warm_paths import warm_paths as analyse_warm_paths
from service.domain.access import Principal
from service.domain.analytics.account_cache import AccountCache
from service.domain.analytics.answers import (
    AccountRef,
    Answer,
    Names,
    PersonRef,
    WarmPathOut,
    account_ref,
    analytics_params,
    warm_path_answer,
)
from service.domain.analytics.subgraphs import accounts_at, person_at
from service.domain.errors import Forbidden, NotFound
from service.settings import Settings

__all__ = ["WarmPathsOut", "warm_paths"]


class WarmPathsOut(Answer):
    to: PersonRef
    account: AccountRef | None
    from_team_member_id: str | None
    k: int
    max_hops: int
    as_of: date
    paths: list[WarmPathOut] = Field(description="Strongest first")
    notes: list[str]


def warm_paths(
    cache: AccountCache,
    settings: Settings,
    *,
    to: str,
    from_team_member: str | None,
    k: int,
    as_of: date,
    principal: Principal,
) -> WarmPathsOut:
    """The ``k`` strongest warm paths (≤ 4 hops) to stakeholder ``to`` at ``as_of``.

    A principal limited to one account (an embed token) may ask only for a stakeholder
    of that account at ``as_of`` (anyone else, including someone who works nowhere at
    that date, is a 403) and only from a team member in that account's engagement with
    us; the paths run in that account's engagement graph, so every step is the
    account's or our team's.
    """
    reads = cache.reads()
    target = person_at(reads, to, as_of)
    if target.kind != "stakeholder":
        raise NotFound(f"no stakeholder with id {to!r}")
    account_ids = target.account_ids
    if principal.account_id is not None:
        if principal.account_id not in account_ids:
            raise Forbidden("this token is limited to another account")
        account_ids = (principal.account_id,)
    params = analytics_params(settings)
    notes: list[str] = []
    paths: list[WarmPathOut] = []
    account = None
    if not account_ids:
        notes.append(f"{target.name or to} works at no account at this date.")
    else:
        pulled = accounts_at(reads, account_ids[:1], as_of)[0]
        account = account_ref(pulled.graph, pulled.tier)
        names = Names.of(pulled.graph)
        team = {t.id for t in pulled.graph.team_members}
        if from_team_member is not None and from_team_member not in team:
            if principal.account_id is not None:
                # Whether another id is a team member elsewhere is not this token's to know.
                raise Forbidden("this token is limited to another account")
            if person_at(reads, from_team_member, as_of).kind != "team_member":
                raise NotFound(f"no team member with id {from_team_member!r}")
            notes.append(
                f"{from_team_member} neither covers the account nor knows anyone in it at "
                "this date."
            )
        elif not any(s.id == to and s.status == "active" for s in pulled.graph.stakeholders):
            notes.append(f"{target.name or to} is not an active stakeholder at this date.")
        else:
            found = analyse_warm_paths(
                reads.engagement_graph(pulled, params),
                to,
                from_team_member=from_team_member,
                k=k,
                max_hops=params.max_warm_path_hops,
            )
            paths = [p for p in (warm_path_answer(f, names) for f in found) if p is not None]
            if not paths:
                notes.append(
                    f"No warm path of at most {params.max_warm_path_hops} hops reaches "
                    f"{target.name or to}: ask for an introduction outside the known network."
                )
    return WarmPathsOut(
        to=PersonRef(id=to, name=target.name),
        account=account,
        from_team_member_id=from_team_member,
        k=k,
        max_hops=params.max_warm_path_hops,
        as_of=as_of,
        paths=paths,
        notes=notes,
    )
