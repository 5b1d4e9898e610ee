"""The accounts the browser tests look at, written into the real Neo4j following
docs/graph-conventions.md (through the conventions-following builders of the
integration tests), with the numbers the tests expect written next to them.

``widgetco`` — 24 people ever, 23 today, five levels, two roots:

    L1  Rhea Root (CEO)                                 Otto Outside (Board advisor)
    L2  Vera One · Victor Two · Vince Three              (Victor Two has a dotted line to Otto)
    L3  two directors under each VP (Dana 1a, Dirk 1b, Dora 2a, Dean 2b, Dina 3a, Drew 3b)
    L4  two managers under each director; Moe Mover moved from Dana 1a to Dirk 1b
        on 2025-06-01 (so Dana 1a has one manager today, two before)
    L5  Deep Diver under Mia 1b-1 (under Dirk 1b)
    Lea Left (manager under Dora 2a) left on 2025-09-01.

``bigco`` — 1,200 people: one CEO, 5 VPs, 25 directors, 125 managers, 1,044 staff.
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from tests.integration.graph_builders import GraphBuilder

SINCE = "2024-01-01T00:00:00Z"
MOVE_AT = "2025-06-01T00:00:00Z"
LEFT_AT = "2025-09-01T00:00:00Z"
BEFORE_MOVE = "2025-01-01"  # an as-of date before the move and the departure

WIDGETCO = "widgetco"
BIGCO = "bigco"

# Visible people of widgetco at the default collapse depth (3 levels: 2 + 3 + 6).
WIDGETCO_VISIBLE_AT_DEPTH_3 = 11
WIDGETCO_PEOPLE_NOW = 23
BIGCO_PEOPLE = 1200
BIGCO_BRANCHING = 5

VPS = [("v1", "Vera One", "VP Operations"), ("v2", "Victor Two", "VP Finance"),
       ("v3", "Vince Three", "VP Engineering")]  # fmt: skip
DIRECTORS = {
    "v1": [("d1a", "Dana 1a", "Director Plants"), ("d1b", "Dirk 1b", "Director Logistics")],
    "v2": [("d2a", "Dora 2a", "Director Controlling"), ("d2b", "Dean 2b", "Director Treasury")],
    "v3": [("d3a", "Dina 3a", "Director Platform"), ("d3b", "Drew 3b", "Director Data")],
}


def seed_widgetco(driver: Driver, database: str) -> None:
    g = GraphBuilder(driver, database)
    g.account(WIDGETCO, name="WidgetCo Industries", tier="strategic")
    g.stakeholder("r1", WIDGETCO, name="Rhea Root", title="Chief Executive Officer",
                  seniority="c_level", since=SINCE)  # fmt: skip
    g.stakeholder("r2", WIDGETCO, name="Otto Outside", title="Board Advisor",
                  seniority="c_level", since=SINCE)  # fmt: skip
    for vp_id, name, title in VPS:
        g.stakeholder(vp_id, WIDGETCO, name=name, title=title, seniority="vp", since=SINCE)
        g.reports_to(vp_id, "r1", since=SINCE)
        for d_id, d_name, d_title in DIRECTORS[vp_id]:
            g.stakeholder(d_id, WIDGETCO, name=d_name, title=d_title, seniority="director",
                          since=SINCE)  # fmt: skip
            g.reports_to(d_id, vp_id, since=SINCE)
            for k in (1, 2):
                m_id = f"m{d_id[1:]}-{k}"
                m_name = f"Mia {d_id[1:]}-{k}"
                if m_id == "m1a-2":
                    m_name = "Moe Mover"
                if m_id == "m2a-2":
                    m_name = "Lea Left"
                g.stakeholder(m_id, WIDGETCO, name=m_name, title=f"Manager {d_title[9:]}",
                              seniority="manager", since=SINCE)  # fmt: skip
                g.reports_to(m_id, d_id, since=SINCE)
    g.change_manager("m1a-2", "d1b", at=MOVE_AT)
    g.depart("m2a-2", at=LEFT_AT)
    g.stakeholder("deep", WIDGETCO, name="Deep Diver", title="Principal Engineer",
                  seniority="individual_contributor", since=SINCE)  # fmt: skip
    g.reports_to("deep", "m1b-1", since=SINCE)
    g.reports_to("v2", "r2", kind="dotted", since=SINCE)

    g.role("r1", "economic_buyer", 1, WIDGETCO, since=SINCE)
    g.role("v1", "champion", 2, WIDGETCO, since=SINCE)
    g.role("v1", "decision_maker", 2, WIDGETCO, since=SINCE)
    g.role("v3", "detractor", -2, WIDGETCO, since=SINCE)
    g.role("d1a", "influencer", 0, WIDGETCO, since=SINCE)
    g.role("deep", "technical_buyer", 1, WIDGETCO, since=SINCE)

    g.team_member("tm-ava", name="Ava Thompson")
    g.team_member("tm-bo", name="Bo Lindqvist", role="solution_engineer")
    g.covers("tm-ava", WIDGETCO)
    g.covers("tm-bo", WIDGETCO, role="solution_engineer")
    g.knows("tm-ava", "r1", 0.8, since=SINCE)
    g.knows("tm-ava", "v1", 0.9, since=SINCE)
    g.knows("tm-bo", "v1", 0.55, since=SINCE)
    g.knows("tm-bo", "deep", 0.4, since=SINCE)

    g.budget("bud-it", WIDGETCO, name="IT Platform 2027", amount=2_500_000)
    g.controls("v1", "bud-it", "owner", since=SINCE)
    g.budget("bud-ops", WIDGETCO, name="Operations Excellence", amount=400_000)
    g.controls("v1", "bud-ops", "approver", since=SINCE)
    g.opportunity("widgetco-opp", WIDGETCO)
    g.role("v1", "champion", 2, "widgetco-opp", since=SINCE)


def bigco_rows(
    people: int = BIGCO_PEOPLE, branching: int = BIGCO_BRANCHING
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """A breadth-first tree: person i reports to person (i - 1) // branching."""
    titles = ["CEO", "VP", "Director", "Manager", "Specialist"]
    people_rows: list[dict[str, Any]] = []
    lines: list[dict[str, str]] = []
    level_start, level, width = 0, 0, 1
    for i in range(people):
        if i >= level_start + width:
            level_start, level, width = level_start + width, level + 1, width * branching
        pid = f"big-{i:04d}"
        people_rows.append(
            {
                "id": pid,
                "name": f"Person {i:04d}",
                "title": f"{titles[min(level, 4)]} {i:04d}",
                "department": "Operations",
                "seniority": "manager",
            }
        )
        if i > 0:
            lines.append({"id": pid, "manager_id": f"big-{(i - 1) // branching:04d}"})
    return people_rows, lines


def seed_bigco(
    driver: Driver, database: str, account_id: str = BIGCO, people: int = BIGCO_PEOPLE
) -> None:
    g = GraphBuilder(driver, database)
    g.account(account_id, name="BigCo Global", tier="key")
    rows, lines = bigco_rows(people)
    if account_id != BIGCO:
        rows = [{**r, "id": f"{account_id}-{r['id']}"} for r in rows]
        lines = [
            {"id": f"{account_id}-{r['id']}", "manager_id": f"{account_id}-{r['manager_id']}"}
            for r in lines
        ]
    g.bulk_people(account_id, rows, since=SINCE)
    g.bulk_solid_lines(lines, since=SINCE)
