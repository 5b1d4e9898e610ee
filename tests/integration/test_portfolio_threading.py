"""Portfolio threading computed in Cypher agrees with the per-account Python computation.

Random small portfolios (hypothesis) go through the real ingest path, some people
leave; then every account's row of ``GET /v1/portfolio/threading`` (its Cypher) is
compared with :func:`service.analytics.threading_report` on the same account pulled
into Python, and the risk score with
:func:`service.analytics.threading.threading_risk`. Paging with a cursor must
visit every account once, in (risk desc, id) order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from service.analytics import AnalyticsParams, threading_report, threading_risk
from service.domain.ingest import depart_stakeholder, depart_team_member, ingest_batch
from service.domain.org_chart import valid_at
from service.graph.account_subgraph import account_subgraph
from service.graph.driver import Graph
from service.graph.portfolio_threading import PortfolioCursor, portfolio_threading_page
from service.settings import Settings
from tests.conftest import _clean

EFFECTIVE = "2026-01-01T00:00:00Z"
ROLES = ["champion", "decision_maker", "economic_buyer", "user"]
AUTHORITIES = ["owner", "approver", "signatory", "recommender"]
# The threshold θ = 0.2 itself and its neighbours come up often: the boundary is where
# Cypher and Python could disagree.
STRENGTHS = [0.1, 0.19, 0.2, 0.2, 0.21, 0.5, 0.9]
TIERS = ["strategic", "key", "standard"]


@st.composite
def portfolios(draw: st.DrawFn) -> dict[str, Any]:
    n_accounts = draw(st.integers(1, 3))
    n_team = draw(st.integers(0, 3))
    batch: dict[str, Any] = {
        "effective_at": EFFECTIVE,
        "accounts": [],
        "stakeholders": [],
        "team_members": [{"id": f"t{k}", "name": f"T{k}"} for k in range(n_team)],
        "relationships": [],
        "coverage": [],
        "roles": [],
        "budgets": [],
        "controls": [],
        "opportunities": [],
    }
    people: list[str] = []
    for a in range(n_accounts):
        acc = f"a{a}"
        batch["accounts"].append({"id": acc, "name": acc, "tier": draw(st.sampled_from(TIERS))})
        n = draw(st.integers(0, 5))
        ids = [f"{acc}s{i}" for i in range(n)]
        people += ids
        for i, sid in enumerate(ids):
            row: dict[str, Any] = {"id": sid, "account_id": acc, "name": sid}
            if i:
                row["reports_to"] = ids[draw(st.integers(0, i - 1))]
            batch["stakeholders"].append(row)
        batch["opportunities"].append(
            {
                "id": f"{acc}o",
                "account_id": acc,
                "name": "deal",
                "stage": draw(st.sampled_from(["proposal", "closed_lost"])),
            }
        )
        batch["budgets"].append({"id": f"{acc}b", "account_id": acc, "name": "budget"})
        for sid in ids:
            for role in draw(st.lists(st.sampled_from(ROLES), max_size=2, unique=True)):
                target = draw(st.sampled_from(["account_id", "opportunity_id"]))
                batch["roles"].append(
                    {
                        "stakeholder_id": sid,
                        "role": role,
                        "stance": 0,
                        target: acc if target == "account_id" else f"{acc}o",
                    }
                )
            if draw(st.integers(0, 3)) == 0:
                batch["controls"].append(
                    {
                        "stakeholder_id": sid,
                        "budget_id": f"{acc}b",
                        "authority": draw(st.sampled_from(AUTHORITIES)),
                    }
                )
        for k in range(n_team):
            if draw(st.booleans()):
                batch["coverage"].append({"team_member_id": f"t{k}", "account_id": acc})
            for sid in draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []:
                batch["relationships"].append(
                    {
                        "team_member_id": f"t{k}",
                        "stakeholder_id": sid,
                        "strength": draw(st.sampled_from(STRENGTHS)),
                    }
                )
    left_people = draw(st.lists(st.sampled_from(people), unique=True, max_size=2)) if people else []
    left_team = (
        draw(st.lists(st.sampled_from([f"t{k}" for k in range(n_team)]), unique=True, max_size=1))
        if n_team
        else []
    )
    return {"batch": batch, "left_people": left_people, "left_team": left_team}


def python_row(graph: Graph, settings: Settings, account_id: str) -> dict[str, Any]:
    """The same numbers, from the account pulled into Python and analysed there."""
    pulled = account_subgraph(graph, account_id, valid_at=valid_at(datetime.now(UTC).date()))
    assert pulled is not None
    report = threading_report(
        pulled.graph, AnalyticsParams(active_tie_threshold=settings.active_tie_threshold)
    )
    counts = report.key_coverage_counts
    risk = threading_risk(
        key_stakeholders=len(report.key_stakeholders),
        key_dark=counts["dark"],
        key_single=counts["single"],
        our_side=report.our_side.people_with_ties,
        their_side=report.their_side.people_with_ties,
    )
    return {
        "risk": risk.score,
        "stakeholders": sum(1 for s in pulled.graph.stakeholders if s.status == "active"),
        "key": (len(report.key_stakeholders), counts["dark"], counts["single"], counts["multi"]),
        "sides": (report.our_side.people_with_ties, report.their_side.people_with_ties),
        "active_ties": report.our_side.active_tie_count,
        "dark": sorted(k.stakeholder_id for k in report.key_stakeholders if k.coverage.count == 0),
        "single": sorted(
            (k.stakeholder_id, k.coverage.team_member_ids[0])
            for k in report.key_stakeholders
            if k.coverage.count == 1
        ),
    }


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(portfolio=portfolios())
def test_cypher_portfolio_threading_equals_python(
    neo4j: Graph, settings: Settings, portfolio: dict[str, Any]
) -> None:
    _clean(neo4j)
    ingest_batch(neo4j, settings, portfolio["batch"])
    for person in portfolio["left_people"]:
        depart_stakeholder(neo4j, person)
    for member in portfolio["left_team"]:
        depart_team_member(neo4j, member)
    at = valid_at(datetime.now(UTC).date())
    theta = settings.active_tie_threshold
    rows = portfolio_threading_page(neo4j, valid_at=at, threshold=theta, limit=100)
    account_ids = sorted(a["id"] for a in portfolio["batch"]["accounts"])
    assert sorted(r["id"] for r in rows) == account_ids
    for row in rows:
        expected = python_row(neo4j, settings, row["id"])
        assert row["risk"] == expected["risk"], row["id"]
        assert row["stakeholders"] == expected["stakeholders"]
        key = (row["key_stakeholders"], row["key_dark"], row["key_single"], row["key_multi"])
        assert key == expected["key"]
        assert (row["our_side"], row["their_side"]) == expected["sides"]
        assert row["active_ties"] == expected["active_ties"]
        assert sorted(row["dark_key_stakeholder_ids"]) == expected["dark"]
        assert (
            sorted(tuple(p) for p in row["single_threaded_key_stakeholders"]) == expected["single"]
        )
    # Ranked by risk, then id; a page of one at a time visits every account once.
    assert [r["id"] for r in rows] == [
        r["id"] for r in sorted(rows, key=lambda r: (-r["risk"], r["id"]))
    ]
    visited: list[str] = []
    cursor: PortfolioCursor | None = None
    while True:
        page = portfolio_threading_page(neo4j, valid_at=at, threshold=theta, limit=1, after=cursor)
        if not page:
            break
        visited.append(page[0]["id"])
        cursor = PortfolioCursor(page[0]["risk"], page[0]["id"])
    assert visited == [r["id"] for r in rows]
    for tier in TIERS:
        tier_rows = portfolio_threading_page(
            neo4j, valid_at=at, threshold=theta, limit=100, tier=tier
        )
        assert [r["id"] for r in tier_rows] == [r["id"] for r in rows if r["tier"] == tier]
    _clean(neo4j)
