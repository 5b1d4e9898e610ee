"""The demo portfolio generator, as pure code: determinism, sizes, integrity, weak spots.

The batches are replayed here with the storage semantics of docs/graph-conventions.md
(current employer, manager, roles, controls, ties; a departure closes a person's
edges) so each weak spot can be checked before anything touches Neo4j; the same weak
spots are checked on the stored graph in tests/integration/test_demo_portfolio.py.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import networkx as nx
import pytest

from service.demo import portfolio as demo_portfolio
from service.demo.portfolio import (
    WEAK_SPOTS,
    BatchStep,
    DemoPortfolio,
    DepartureStep,
    build_demo_portfolio,
)
from service.settings import Settings

TODAY = date(2026, 6, 30)
THETA = 0.2
WEIGHTS = {"meeting": 1.0, "call": 0.6, "event": 0.5, "email": 0.3}

NODE_SECTIONS = {
    "accounts": "Account",
    "stakeholders": "Stakeholder",
    "team_members": "TeamMember",
    "budgets": "Budget",
    "opportunities": "Opportunity",
    "interactions": "Interaction",
}
REFERENCES = {
    "stakeholders": [("account_id", "Account"), ("reports_to", "Stakeholder")],
    "budgets": [("account_id", "Account")],
    "opportunities": [("account_id", "Account")],
    "controls": [("stakeholder_id", "Stakeholder"), ("budget_id", "Budget")],
    "roles": [
        ("stakeholder_id", "Stakeholder"),
        ("account_id", "Account"),
        ("opportunity_id", "Opportunity"),
    ],
    "influences": [("from_id", "Stakeholder"), ("to_id", "Stakeholder")],
    "relationships": [("team_member_id", "TeamMember"), ("stakeholder_id", "Stakeholder")],
    "coverage": [("team_member_id", "TeamMember"), ("account_id", "Account")],
}
VOCABULARY = {
    ("accounts", "tier"): {"strategic", "key", "standard"},
    ("stakeholders", "seniority"): {
        "c_level",
        "vp",
        "director",
        "manager",
        "individual_contributor",
    },
    ("team_members", "role"): {
        "account_manager",
        "exec_sponsor",
        "solution_engineer",
        "customer_success",
        "sales_director",
        "partner_manager",
    },
    ("opportunities", "stage"): {
        "prospecting",
        "qualification",
        "proposal",
        "negotiation",
        "closed_won",
        "closed_lost",
    },
    ("controls", "authority"): {"owner", "approver", "signatory", "recommender"},
    ("roles", "role"): {
        "champion",
        "gatekeeper",
        "influencer",
        "detractor",
        "decision_maker",
        "economic_buyer",
        "technical_buyer",
        "user",
        "coach",
    },
    ("interactions", "kind"): {"meeting", "call", "email", "event"},
    ("coverage", "role"): {
        "account_manager",
        "exec_sponsor",
        "solution_engineer",
        "customer_success",
        "sales_director",
        "partner_manager",
    },
}


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Replay:
    """The current state after applying steps, following the storage conventions."""

    nodes: dict[str, set[str]] = field(
        default_factory=lambda: {v: set() for v in NODE_SECTIONS.values()}
    )
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    employer: dict[str, str] = field(default_factory=dict)
    manager: dict[str, str] = field(default_factory=dict)
    dotted: dict[str, set[str]] = field(default_factory=dict)
    roles: dict[tuple[str, str, str], int] = field(default_factory=dict)
    controls: dict[tuple[str, str], str] = field(default_factory=dict)
    explicit: dict[tuple[str, str], float] = field(default_factory=dict)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    influences: dict[tuple[str, str], float] = field(default_factory=dict)
    coverage: set[tuple[str, str]] = field(default_factory=set)
    left: set[str] = field(default_factory=set)

    def apply(self, step: BatchStep | DepartureStep) -> None:
        if isinstance(step, DepartureStep):
            sid = step.stakeholder_id
            self.left.add(sid)
            self.employer.pop(sid, None)
            self.manager.pop(sid, None)
            self.manager = {k: v for k, v in self.manager.items() if v != sid}
            self.dotted.pop(sid, None)
            self.dotted = {k: v - {sid} for k, v in self.dotted.items()}
            self.roles = {k: v for k, v in self.roles.items() if k[0] != sid}
            self.controls = {k: v for k, v in self.controls.items() if k[0] != sid}
            self.explicit = {k: v for k, v in self.explicit.items() if k[1] != sid}
            return
        batch = step.batch
        for section, label in NODE_SECTIONS.items():
            self.nodes[label] |= {row["id"] for row in batch.get(section, [])}
        for row in batch.get("stakeholders", []):
            self.people[row["id"]] = row
            self.employer[row["id"]] = row["account_id"]
            if "reports_to" in row:
                self.manager[row["id"]] = row["reports_to"]
            if "dotted_reports_to" in row:
                self.dotted[row["id"]] = set(row["dotted_reports_to"])
        for row in batch.get("roles", []):
            target = row.get("account_id") or row["opportunity_id"]
            self.roles[(row["stakeholder_id"], target, row["role"])] = row["stance"]
        for row in batch.get("controls", []):
            self.controls[(row["stakeholder_id"], row["budget_id"])] = row["authority"]
        for row in batch.get("relationships", []):
            self.explicit[(row["team_member_id"], row["stakeholder_id"])] = row["strength"]
        for row in batch.get("influences", []):
            self.influences[(row["from_id"], row["to_id"])] = row["strength"]
        for row in batch.get("coverage", []):
            self.coverage.add((row["team_member_id"], row["account_id"]))
        self.interactions.extend(batch.get("interactions", []))

    def active_ties(self, as_of: datetime) -> dict[tuple[str, str], float]:
        """(team member, stakeholder) -> strength, for ties at or above θ."""
        evidence: Counter[tuple[str, str]] = Counter()
        for row in self.interactions:
            age = (as_of - _dt(row["at"])).total_seconds() / 86400
            for tm in row["team_member_ids"]:
                for sid in row["stakeholder_ids"]:
                    evidence[(tm, sid)] += WEIGHTS[row["kind"]] * 2 ** (-age / 90)
        ties = {pair: 1 - math.exp(-e) for pair, e in evidence.items() if pair not in self.explicit}
        ties.update(self.explicit)
        return {pair: s for pair, s in ties.items() if s >= THETA and pair[1] not in self.left}

    def active_in(self, account: str) -> set[str]:
        return {
            sid for sid, acc in self.employer.items() if acc == account and sid not in self.left
        }


def replay(portfolio: DemoPortfolio, upto: str | None = None) -> Replay:
    state = Replay()
    for step in portfolio.steps:
        state.apply(step)
        if step.name == upto:
            break
    return state


@pytest.fixture(scope="module")
def demo() -> DemoPortfolio:
    return build_demo_portfolio(TODAY)


@pytest.fixture(scope="module")
def final(demo: DemoPortfolio) -> Replay:
    return replay(demo)


def _all_rows(demo: DemoPortfolio, section: str) -> list[dict[str, Any]]:
    return [row for batch in demo.batches() for row in batch.get(section, [])]


# -- determinism -------------------------------------------------------------------


def test_same_seed_and_day_give_identical_steps() -> None:
    assert build_demo_portfolio(TODAY) == build_demo_portfolio(TODAY)


def test_another_seed_gives_other_people() -> None:
    names = {r["name"] for r in build_demo_portfolio(TODAY).batches()[0]["stakeholders"]}
    other = {r["name"] for r in build_demo_portfolio(TODAY, seed=1).batches()[0]["stakeholders"]}
    assert names != other


def test_dates_follow_today_and_ids_do_not() -> None:
    a = build_demo_portfolio(TODAY)
    b = build_demo_portfolio(TODAY + timedelta(days=10))
    assert a.node_ids() == b.node_ids()
    for x, y in zip(a.steps, b.steps, strict=True):
        moment_x = _dt(x.effective_at if isinstance(x, BatchStep) else x.left_at)
        moment_y = _dt(y.effective_at if isinstance(y, BatchStep) else y.left_at)
        assert moment_y - moment_x == timedelta(days=10)
    assert a.weak_spots == b.weak_spots


def test_default_today_is_the_current_utc_date() -> None:
    assert build_demo_portfolio().today == datetime.now(UTC).date()


# -- sizes and realism ---------------------------------------------------------------


def test_sizes_meet_the_minimums(demo: DemoPortfolio, final: Replay) -> None:
    accounts = _all_rows(demo, "accounts")
    assert {a["tier"] for a in accounts} == {"strategic", "key", "standard"}
    assert len(final.nodes["Stakeholder"]) >= 150
    assert len(final.nodes["TeamMember"]) >= 6
    assert len(final.influences) >= 30
    assert sum(len(v) for v in final.dotted.values()) >= 3
    assert set(final.controls.values()) >= {"owner", "approver", "recommender"}
    assert {role for _, _, role in final.roles} >= {
        "champion",
        "economic_buyer",
        "decision_maker",
        "detractor",
        "gatekeeper",
    }
    targets = {target for _, target, _ in final.roles}
    assert targets & final.nodes["Account"] and targets & final.nodes["Opportunity"]
    for budget in final.nodes["Budget"]:
        authorities = {a for (_, b), a in final.controls.items() if b == budget}
        assert {"owner", "approver"} <= authorities, budget


def test_every_account_has_a_five_level_org_chart(final: Replay) -> None:
    for account in final.nodes["Account"]:
        people = final.active_in(account)
        depth: dict[str, int] = {}

        def level(sid: str, people: set[str] = people, depth: dict[str, int] = depth) -> int:
            if sid not in depth:
                boss = final.manager.get(sid)
                depth[sid] = 0 if boss is None or boss not in people else level(boss) + 1
            return depth[sid]

        levels = Counter(final.people[sid]["seniority"] for sid in people)
        assert max(level(sid) for sid in people) >= 4, account
        assert {"c_level", "vp", "director", "manager"} <= set(levels), account
        roots = [sid for sid in people if level(sid) == 0]
        assert [final.people[r]["title"] for r in roots] == ["Chief Executive Officer"], account


def test_people_have_titles_departments_and_unique_emails(demo: DemoPortfolio) -> None:
    rows = _all_rows(demo, "stakeholders")
    latest = {r["id"]: r for r in rows}
    assert all(r["title"] and r["department"] and r["name"] for r in latest.values())
    emails = [r["email"] for r in latest.values()]
    assert len(emails) == len(set(emails))
    domains = {
        "acme": "@acme-mfg.example",
        "northwind": "@northwind-bank.example",
        "bluebird": "@bluebird-retail.example",
    }
    assert all(r["email"].endswith(domains[r["account_id"]]) for r in latest.values())


def test_interactions_cover_the_last_year_in_batch_order(demo: DemoPortfolio) -> None:
    rows = _all_rows(demo, "interactions")
    moments = [_dt(r["at"]) for r in rows]
    start = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC) - timedelta(days=365)
    assert len(rows) >= 150
    assert all(start < m < start + timedelta(days=365) for m in moments)
    assert len({(m.year, m.month) for m in moments}) >= 11
    assert {r["kind"] for r in rows} == {"meeting", "call", "email", "event"}
    # a sync carries what happened since the previous one
    previous = None
    for step in demo.steps:
        if isinstance(step, BatchStep):
            at = _dt(step.effective_at)
            for row in step.batch.get("interactions", []):
                assert _dt(row["at"]) <= at and (previous is None or _dt(row["at"]) > previous)
            previous = at


def test_batches_fit_the_ingest_size_cap(demo: DemoPortfolio) -> None:
    cap = Settings().ingest_max_rows
    for batch in demo.batches():
        assert sum(len(v) for v in batch.values() if isinstance(v, list)) <= cap


# -- integrity -----------------------------------------------------------------------


def test_every_reference_resolves_and_ids_are_unique(demo: DemoPortfolio) -> None:
    state = Replay()
    for step in demo.steps:
        if isinstance(step, DepartureStep):
            assert step.stakeholder_id in state.nodes["Stakeholder"]
            state.apply(step)
            continue
        batch = step.batch
        known = {label: set(ids) for label, ids in state.nodes.items()}
        for section, label in NODE_SECTIONS.items():
            ids = [row["id"] for row in batch.get(section, [])]
            assert len(ids) == len(set(ids)), (step.name, section)
            known[label] |= set(ids)
        for section, refs in REFERENCES.items():
            for row in batch.get(section, []):
                for name, label in refs:
                    if row.get(name) is not None:
                        assert row[name] in known[label], (step.name, section, name, row)
        for row in batch.get("stakeholders", []):
            for boss in row.get("dotted_reports_to", []):
                assert boss in known["Stakeholder"] and boss != row["id"]
        for row in batch.get("interactions", []):
            assert set(row["team_member_ids"]) <= known["TeamMember"]
            assert set(row["stakeholder_ids"]) <= known["Stakeholder"]
        for row in batch.get("roles", []):
            assert (row.get("account_id") is None) != (row.get("opportunity_id") is None)
        state.apply(step)


def test_values_are_in_the_model_vocabulary_and_ranges(demo: DemoPortfolio) -> None:
    for (section, name), allowed in VOCABULARY.items():
        values = {row[name] for row in _all_rows(demo, section) if name in row}
        assert values and values <= allowed, (section, name, values - allowed)
    for section in ("influences", "relationships"):
        assert all(0 <= row["strength"] <= 1 for row in _all_rows(demo, section))
    assert all(-2 <= row["stance"] <= 2 for row in _all_rows(demo, "roles"))
    for batch in demo.batches():
        _dt(batch["effective_at"])


def test_no_solid_reporting_cycle_after_any_step(demo: DemoPortfolio) -> None:
    state = Replay()
    for step in demo.steps:
        state.apply(step)
        graph = nx.DiGraph(list(state.manager.items()))
        assert nx.is_directed_acyclic_graph(graph), step.name
        assert all(a != b for a, b in state.manager.items())


# -- weak spots ----------------------------------------------------------------------


def test_weak_spot_ids_are_documented_and_match_the_generator(demo: DemoPortfolio) -> None:
    assert demo.weak_spots == WEAK_SPOTS
    doc = demo_portfolio.__doc__ or ""
    for spot in dataclasses.fields(WEAK_SPOTS):
        value = getattr(WEAK_SPOTS, spot.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, str):
                assert item in doc, (spot.name, item)


def _as_of_now() -> datetime:
    return datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)


def test_single_threaded_strategic_account(demo: DemoPortfolio, final: Replay) -> None:
    account = WEAK_SPOTS.single_threaded_account
    assert next(a for a in _all_rows(demo, "accounts") if a["id"] == account)["tier"] == "strategic"
    people = final.active_in(account)
    holders = {tm for (tm, sid) in final.active_ties(_as_of_now()) if sid in people}
    assert holders == {WEAK_SPOTS.single_thread_team_member}
    assert len({tm for tm, acc in final.coverage if acc == account}) >= 3
    # other team members touch the account, but not strongly enough to count
    assert any(sid in people and tm != "tm-ava" for tm, sid in final.explicit)


def test_champion_who_left(demo: DemoPortfolio, final: Replay) -> None:
    champion = WEAK_SPOTS.left_champion
    first = replay(demo, "initial-sync")
    assert first.roles[(champion, WEAK_SPOTS.left_champion_opportunity, "champion")] == 2
    assert first.roles[(champion, WEAK_SPOTS.left_champion_account, "champion")] == 2
    assert {tm for tm, sid in first.explicit if sid == champion} == {"tm-ben", "tm-chloe"}
    departures = [s for s in demo.steps if isinstance(s, DepartureStep)]
    assert [d.stakeholder_id for d in departures] == [champion]
    expected = _as_of_now() - timedelta(days=WEAK_SPOTS.left_days_ago)
    assert _dt(departures[0].left_at).date() == expected.date()
    # nothing after the departure mentions the person again
    after = demo.steps[demo.steps.index(departures[0]) + 1 :]
    for step in after:
        assert champion not in repr(step)
    champions = [
        k for k in final.roles if k[1:] == (WEAK_SPOTS.left_champion_opportunity, "champion")
    ]
    assert champions == []


def test_dark_economic_buyer(final: Replay) -> None:
    buyer = WEAK_SPOTS.dark_economic_buyer
    assert (buyer, WEAK_SPOTS.dark_economic_buyer_account, "economic_buyer") in final.roles
    assert not any(sid == buyer for _, sid in final.explicit)
    assert not any(buyer in row["stakeholder_ids"] for row in final.interactions)


def test_reorg_changes_the_org_chart_of_six_months_ago(demo: DemoPortfolio, final: Replay) -> None:
    six_months_ago = replay(demo, "initial-sync")  # every later step is within 5 months
    assert all(
        _dt(s.effective_at) > _as_of_now() - timedelta(days=183)
        for s in demo.steps[1:]
        if isinstance(s, BatchStep)
    )
    assert WEAK_SPOTS.reorg_new_manager not in six_months_ago.nodes["Stakeholder"]
    for vp in WEAK_SPOTS.reorg_moved:
        assert six_months_ago.manager[vp] == WEAK_SPOTS.reorg_previous_manager
        assert final.manager[vp] == WEAK_SPOTS.reorg_new_manager
    budget = WEAK_SPOTS.reorg_budget
    assert six_months_ago.controls[(WEAK_SPOTS.reorg_previous_manager, budget)] == "owner"
    assert final.controls[(WEAK_SPOTS.reorg_previous_manager, budget)] == "recommender"
    assert final.controls[(WEAK_SPOTS.reorg_new_manager, budget)] == "owner"


def test_detractor_with_the_highest_influence(final: Replay) -> None:
    detractor = WEAK_SPOTS.influential_detractor
    account = WEAK_SPOTS.influential_detractor_account
    assert final.roles[(detractor, account, "detractor")] == -2
    people = final.active_in(account)
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        (a, b, s) for (a, b), s in final.influences.items() if a in people and b in people
    )
    out_strength = dict(graph.out_degree(weight="weight"))
    in_strength = dict(graph.in_degree(weight="weight"))
    assert max(out_strength, key=out_strength.__getitem__) == detractor
    assert max(in_strength, key=in_strength.__getitem__) == detractor
    for g in (graph, graph.reverse()):
        rank = _pagerank(g)
        assert detractor in sorted(rank, key=rank.__getitem__, reverse=True)[:3]


def _pagerank(graph: nx.DiGraph, damping: float = 0.85) -> dict[str, float]:
    """Weighted PageRank by power iteration (networkx's needs scipy)."""
    nodes = list(graph)
    rank = dict.fromkeys(nodes, 1 / len(nodes))
    out = dict(graph.out_degree(weight="weight"))
    for _ in range(200):
        dangling = sum(rank[n] for n in nodes if not out[n])
        new = dict.fromkeys(nodes, (1 - damping) / len(nodes) + damping * dangling / len(nodes))
        for a, b, w in graph.edges(data="weight"):
            new[b] += damping * rank[a] * w / out[a]
        rank = new
    return rank


def test_stakeholder_who_moved_between_accounts(demo: DemoPortfolio, final: Replay) -> None:
    mover = WEAK_SPOTS.mover
    assert replay(demo, "initial-sync").employer[mover] == WEAK_SPOTS.mover_from
    assert final.employer[mover] == WEAK_SPOTS.mover_to
    assert final.people[mover]["email"].endswith("@bluebird-retail.example")
    assert final.manager[mover] in final.active_in(WEAK_SPOTS.mover_to)
    # nobody at the old employer reports to the mover any more
    assert not [sid for sid, boss in final.manager.items() if boss == mover]
    assert ("tm-dev", mover) in final.explicit
    move = next(s for s in demo.steps if s.name == "mover")
    assert isinstance(move, BatchStep)
    expected = _as_of_now() - timedelta(days=WEAK_SPOTS.moved_days_ago)
    assert _dt(move.effective_at).date() == expected.date()


def engagement_graph(state: Replay, account: str) -> nx.Graph:
    """The engagement graph (docs/definitions.md) of an account (active people, active ties)."""
    people = state.active_in(account)
    graph = nx.Graph()
    ties = state.active_ties(_as_of_now())
    graph.add_edges_from((tm, sid) for (tm, sid) in ties if sid in people)
    graph.add_edges_from((a, b) for (a, b) in state.influences if a in people and b in people)
    graph.add_edges_from((a, b) for a, b in state.manager.items() if a in people and b in people)
    graph.add_edges_from(
        (a, b) for a, bosses in state.dotted.items() for b in bosses if a in people and b in people
    )
    return graph


def test_budget_owner_reachable_only_through_one_champion(final: Replay) -> None:
    budget = WEAK_SPOTS.lone_owner_budget
    owner, gateway = WEAK_SPOTS.lone_owner, WEAK_SPOTS.lone_owner_gateway_champion
    assert [sid for (sid, b), a in final.controls.items() if b == budget and a == "owner"] == [
        owner
    ]
    assert "champion" in {role for (sid, _, role) in final.roles if sid == gateway}
    ties = final.active_ties(_as_of_now())
    assert not any(sid == owner for _, sid in ties)
    graph = engagement_graph(final, "acme")
    team = [n for n in graph if n.startswith("tm-")]
    assert any(nx.has_path(graph, tm, owner) for tm in team)
    assert nx.shortest_path_length(graph, "tm-ava", owner) == 2
    graph.remove_node(gateway)
    assert not any(nx.has_path(graph, tm, owner) for tm in team)


def test_ties_that_exist_only_through_interactions(demo: DemoPortfolio, final: Replay) -> None:
    ties = final.active_ties(_as_of_now())
    store_systems = next(
        r["id"] for r in _all_rows(demo, "stakeholders") if r["title"] == "Director, Store Systems"
    )
    data_centre = next(
        r["id"]
        for r in _all_rows(demo, "stakeholders")
        if r["title"] == "Director, Data Centre & Cloud"
    )
    assert ("tm-dev", store_systems) not in final.explicit
    assert ties[("tm-dev", store_systems)] >= THETA
    assert ("tm-chloe", data_centre) not in final.explicit
    assert ("tm-chloe", data_centre) not in ties
    assert any(data_centre in r["stakeholder_ids"] for r in final.interactions)
