"""Power map: roles, stance, influence PageRank, betweenness, coverage, warm-path strength."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings

from service.analytics.engagement import engagement_graph
from service.analytics.model import (
    AccountGraph,
    Influences,
    Knows,
    ReportsTo,
    Role,
    Stakeholder,
    TeamMember,
)
from service.analytics.power_map import (
    engagement_betweenness,
    power_map,
    sort_power_map,
    stance_of,
)
from tests.analytics.reference import AS_OF, accounts, reference_graph


def chain_account() -> AccountGraph:
    """t – a – b – c (KNOWS 0.9, REPORTS_TO, INFLUENCES), plus d influencing a only.

    Engagement graph: t–a, a–b, b–c, d–a. n = 5 people, normalisation (n−1)(n−2)/2 = 6
    unordered pairs not involving the node itself. Shortest paths through
      a: t–b, t–c, t–d, b–d, c–d  → 5 pairs → 5/6;
      b: t–c, a–c, d–c            → 3 pairs → 3/6 = 0.5;
      c, d: none                  → 0.
    """
    return AccountGraph(
        "acc",
        AS_OF,
        stakeholders=[Stakeholder(p, p.upper(), title=f"{p} title") for p in "abcd"],
        team_members=[TeamMember("t", "T")],
        knows=[Knows("t", "a", 0.9)],
        reports_to=[ReportsTo("b", "a")],
        influences=[Influences("c", "b", 0.4), Influences("d", "a", 0.8)],
        roles=[
            Role("a", "champion", "account", "acc", 2),
            Role("a", "user", "opportunity", "o1", -1),
            Role("c", "detractor", "account", "acc", -2),
            Role("d", "economic_buyer", "account", "acc", None),
        ],
    )


def test_power_map_rows_by_hand() -> None:
    rows = {e.stakeholder_id: e for e in power_map(chain_account()).entries}
    assert [rows[p].betweenness for p in "abcd"] == pytest.approx([5 / 6, 0.5, 0.0, 0.0])
    assert rows["a"].stance == 2  # +2 is the most extreme of (+2, −1)
    assert rows["c"].stance == -2
    assert rows["d"].stance is None  # stance unknown
    assert rows["b"].stance is None and rows["b"].roles == ()
    assert rows["a"].is_key and rows["d"].is_key and not rows["c"].is_key
    assert (rows["a"].coverage_count, rows["a"].coverage_level, rows["a"].covered_by) == (
        1,
        "single",
        ("t",),
    )
    # Warm paths: a 0.9; b 0.9·0.5 = 0.45; c 0.45·0.4 = 0.18; d 0.9·0.8 = 0.72.
    assert [rows[p].best_warm_path_strength for p in "abcd"] == pytest.approx(
        [0.9, 0.45, 0.18, 0.72]
    )
    # Influence: d → a and c → b reversed give rank to d and c; a and b influence nobody.
    assert rows["d"].pagerank > rows["a"].pagerank
    assert rows["c"].pagerank > rows["b"].pagerank


def test_stance_of_prefers_the_extreme_and_the_negative_on_ties() -> None:
    def roles(*stances: int | None) -> list[Role]:
        return [Role("s", "user", "account", "a", s) for s in stances]

    assert stance_of(roles(1, -2, 2)) == -2  # |−2| = |2|: the negative wins
    assert stance_of(roles(1, -1)) == -1
    assert stance_of(roles(None, 1)) == 1
    assert stance_of(roles(None)) is None
    assert stance_of([]) is None


def test_sorting_by_each_column() -> None:
    entries = power_map(chain_account()).entries
    by_betweenness = [e.stakeholder_id for e in sort_power_map(entries, "betweenness")]
    assert by_betweenness[:2] == ["a", "b"]
    assert by_betweenness[2:] == ["c", "d"]  # a 0 tie: by id
    by_warm = [e.stakeholder_id for e in sort_power_map(entries, "best_warm_path_strength")]
    assert by_warm == ["a", "d", "b", "c"]
    ascending = sort_power_map(entries, "best_warm_path_strength", descending=False)
    assert [e.stakeholder_id for e in ascending] == ["c", "b", "d", "a"]
    # Unknown stances go last in both directions.
    assert [e.stakeholder_id for e in sort_power_map(entries, "stance")] == ["a", "c", "b", "d"]
    stance_up = sort_power_map(entries, "stance", descending=False)
    assert [e.stakeholder_id for e in stance_up] == ["c", "a", "b", "d"]
    assert [e.name for e in sort_power_map(entries, "name", descending=False)] == list("ABCD")


def test_betweenness_can_be_skipped() -> None:
    rows = power_map(chain_account(), with_betweenness=False).entries
    assert all(e.betweenness is None for e in rows)
    assert [e.stakeholder_id for e in sort_power_map(rows, "betweenness")] == list("abcd")
    assert rows[0].best_warm_path_strength == pytest.approx(0.9)  # the rest is still there


def test_left_stakeholders_are_not_on_the_map() -> None:
    account = AccountGraph(
        "acc", AS_OF, stakeholders=[Stakeholder("a", "A"), Stakeholder("b", "B", status="left")]
    )
    assert [e.stakeholder_id for e in power_map(account).entries] == ["a"]


@settings(max_examples=200, deadline=None)
@given(accounts(max_stakeholders=12, max_team=3))
def test_betweenness_matches_networkx(account: AccountGraph) -> None:
    ours = engagement_betweenness(engagement_graph(account))
    expected = nx.betweenness_centrality(reference_graph(account), normalized=True)
    assert set(ours) == set(expected)
    for person, value in expected.items():
        assert ours[person] == pytest.approx(value, abs=1e-12)
