"""The synthetic portfolio generator of bench/: deterministic, sized as asked, consistent."""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import pytest

from bench.synthetic import PRESETS, SyntheticSpec, count_edges, count_rows, generate, preset

SMALL = SyntheticSpec(
    accounts=3,
    stakeholders_per_account=300,
    team_members=7,
    team_per_account=3,
    ties_per_team_member=20,
    roles_per_account=15,
    budgets_per_account=4,
    opportunities_per_account=2,
    interactions_per_account=40,
)


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    return generate(SMALL)


def test_same_spec_same_batch_and_another_seed_another(small: dict[str, Any]) -> None:
    assert generate(SMALL) == small
    assert generate(preset("ingest-100k", accounts=3, seed=8)) != generate(
        preset("ingest-100k", accounts=3)
    )


def test_sizes_follow_the_spec(small: dict[str, Any]) -> None:
    assert len(small["accounts"]) == 3
    assert len(small["stakeholders"]) == 900
    assert len(small["team_members"]) == 7
    assert Counter(r["account_id"] for r in small["stakeholders"]) == {
        "a0000": 300,
        "a0001": 300,
        "a0002": 300,
    }
    assert len(small["relationships"]) == 3 * 3 * 20
    assert len(small["budgets"]) == 12 and len(small["controls"]) == 36
    assert len(small["interactions"]) == 120
    assert count_rows(small) == sum(len(v) for v in small.values())


def test_references_resolve_within_the_batch(small: dict[str, Any]) -> None:
    people = {r["id"]: r["account_id"] for r in small["stakeholders"]}
    team = {r["id"] for r in small["team_members"]}
    budgets = {r["id"]: r["account_id"] for r in small["budgets"]}
    opportunities = {r["id"] for r in small["opportunities"]}
    for row in small["stakeholders"]:
        for boss in [row.get("reports_to"), *row.get("dotted_reports_to", [])]:
            if boss is not None:
                assert people[boss] == row["account_id"] and boss != row["id"]
    for row in small["controls"]:
        assert people[row["stakeholder_id"]] == budgets[row["budget_id"]]
    for row in small["roles"]:
        assert row["stakeholder_id"] in people
        assert row.get("account_id") in people.values() or row["opportunity_id"] in opportunities
    for row in small["influences"]:
        assert row["from_id"] in people and row["to_id"] in people
        assert row["from_id"] != row["to_id"]
    for row in small["relationships"]:
        assert row["team_member_id"] in team and row["stakeholder_id"] in people
    for row in small["interactions"]:
        assert set(row["team_member_ids"]) <= team
        assert set(row["stakeholder_ids"]) <= set(people)


def test_ids_and_edges_are_unique(small: dict[str, Any]) -> None:
    for section in ("accounts", "stakeholders", "team_members", "budgets", "interactions"):
        ids = [r["id"] for r in small[section]]
        assert len(ids) == len(set(ids)), section
    keys = {
        "controls": ("stakeholder_id", "budget_id"),
        "roles": ("stakeholder_id", "role", "account_id", "opportunity_id"),
        "influences": ("from_id", "to_id"),
        "relationships": ("team_member_id", "stakeholder_id"),
        "coverage": ("team_member_id", "account_id"),
    }
    for section, fields in keys.items():
        rows = [tuple(r.get(f) for f in fields) for r in small[section]]
        assert len(rows) == len(set(rows)), section


def test_org_charts_are_trees_with_every_level(small: dict[str, Any]) -> None:
    graph = nx.DiGraph(
        (r["id"], r["reports_to"]) for r in small["stakeholders"] if "reports_to" in r
    )
    assert nx.is_directed_acyclic_graph(graph)
    roots = [r for r in small["stakeholders"] if "reports_to" not in r]
    assert [r["title"] for r in roots] == ["Chief Executive Officer"] * 3
    assert {r["seniority"] for r in small["stakeholders"]} >= {
        "c_level",
        "vp",
        "director",
        "manager",
    }


def test_interactions_only_join_pairs_with_an_explicit_tie(small: dict[str, Any]) -> None:
    explicit = {(r["team_member_id"], r["stakeholder_id"]) for r in small["relationships"]}
    for row in small["interactions"]:
        for tm in row["team_member_ids"]:
            assert all((tm, sid) in explicit for sid in row["stakeholder_ids"])


def test_count_edges_counts_what_the_batch_implies(small: dict[str, Any]) -> None:
    edges = count_edges(small)
    assert edges["WORKS_AT"] == 900
    solid = sum("reports_to" in r for r in small["stakeholders"])
    dotted = sum(len(r.get("dotted_reports_to", [])) for r in small["stakeholders"])
    assert solid == 897 and edges["REPORTS_TO"] == solid + dotted
    assert edges["WITH"] == sum(len(i["stakeholder_ids"]) for i in small["interactions"])


@pytest.mark.parametrize(
    ("name", "stakeholders", "team", "edges"),
    [
        ("ingest-100k", 100_000, 400, (480_000, 520_000)),
        ("account-5k", 5_000, 50, (47_500, 52_500)),
    ],
)
def test_presets_have_the_benchmark_sizes(
    name: str, stakeholders: int, team: int, edges: tuple[int, int]
) -> None:
    batch = generate(PRESETS[name])
    assert len(batch["stakeholders"]) == stakeholders
    assert len(batch["team_members"]) == team
    low, high = edges
    assert low <= sum(count_edges(batch).values()) <= high


def test_portfolio_preset_has_two_hundred_thousand_people() -> None:
    spec = PRESETS["portfolio-200k"]
    assert spec.stakeholders == 200_000
