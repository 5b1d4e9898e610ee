"""The accounts the browser tests look at, loaded through the running service's own
ingest API (`POST /v1/ingest` with `effective_at`, and the departure route), with the
numbers the tests expect written next to them.

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

from collections.abc import Callable
from typing import Any

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

# (method, path, body) -> parsed JSON response; raises on an HTTP error.
Call = Callable[[str, str, dict[str, Any] | None], Any]

VPS = [
    ("v1", "Vera One", "VP Operations"),
    ("v2", "Victor Two", "VP Finance"),
    ("v3", "Vince Three", "VP Engineering"),
]
DIRECTORS = {
    "v1": [("d1a", "Dana 1a", "Director Plants"), ("d1b", "Dirk 1b", "Director Logistics")],
    "v2": [("d2a", "Dora 2a", "Director Controlling"), ("d2b", "Dean 2b", "Director Treasury")],
    "v3": [("d3a", "Dina 3a", "Director Platform"), ("d3b", "Drew 3b", "Director Data")],
}
MANAGER_NAMES = {"m1a-2": "Moe Mover", "m2a-2": "Lea Left"}


def _person(
    id: str, name: str, title: str, seniority: str, reports_to: str | None = None
) -> dict[str, Any]:
    return {
        "id": id,
        "account_id": WIDGETCO,
        "name": name,
        "title": title,
        "department": "Operations",
        "seniority": seniority,
        "reports_to": reports_to,
    }


def widgetco_people() -> list[dict[str, Any]]:
    people = [
        _person("r1", "Rhea Root", "Chief Executive Officer", "c_level"),
        _person("r2", "Otto Outside", "Board Advisor", "c_level"),
    ]
    for vp_id, name, title in VPS:
        people.append(_person(vp_id, name, title, "vp", "r1"))
        for d_id, d_name, d_title in DIRECTORS[vp_id]:
            people.append(_person(d_id, d_name, d_title, "director", vp_id))
            for k in (1, 2):
                m_id = f"m{d_id[1:]}-{k}"
                name = MANAGER_NAMES.get(m_id, f"Mia {d_id[1:]}-{k}")
                title = f"Manager {d_title.removeprefix('Director ')}"
                people.append(_person(m_id, name, title, "manager", d_id))
    people.append(
        _person("deep", "Deep Diver", "Principal Engineer", "individual_contributor", "m1b-1")
    )
    for p in people:
        if p["id"] == "v2":
            p["dotted_reports_to"] = ["r2"]
    return people


def seed_widgetco(call: Call) -> None:
    people = widgetco_people()
    call(
        "POST",
        "/v1/ingest",
        {
            "effective_at": SINCE,
            "accounts": [{"id": WIDGETCO, "name": "WidgetCo Industries", "tier": "strategic"}],
            "stakeholders": people,
            "team_members": [
                {"id": "tm-ava", "name": "Ava Thompson", "role": "account_manager"},
                {"id": "tm-bo", "name": "Bo Lindqvist", "role": "solution_engineer"},
            ],
            "coverage": [
                {"team_member_id": "tm-ava", "account_id": WIDGETCO, "role": "account_manager"},
                {"team_member_id": "tm-bo", "account_id": WIDGETCO, "role": "solution_engineer"},
            ],
            "relationships": [
                {"team_member_id": "tm-ava", "stakeholder_id": "r1", "strength": 0.8},
                {"team_member_id": "tm-ava", "stakeholder_id": "v1", "strength": 0.9},
                {"team_member_id": "tm-bo", "stakeholder_id": "v1", "strength": 0.55},
                {"team_member_id": "tm-bo", "stakeholder_id": "deep", "strength": 0.4},
            ],
            "roles": [
                {
                    "stakeholder_id": "r1",
                    "role": "economic_buyer",
                    "stance": 1,
                    "account_id": WIDGETCO,
                },
                {"stakeholder_id": "v1", "role": "champion", "stance": 2, "account_id": WIDGETCO},
                {
                    "stakeholder_id": "v1",
                    "role": "decision_maker",
                    "stance": 2,
                    "account_id": WIDGETCO,
                },
                {"stakeholder_id": "v3", "role": "detractor", "stance": -2, "account_id": WIDGETCO},
                {
                    "stakeholder_id": "d1a",
                    "role": "influencer",
                    "stance": 0,
                    "account_id": WIDGETCO,
                },
                {
                    "stakeholder_id": "deep",
                    "role": "technical_buyer",
                    "stance": 1,
                    "account_id": WIDGETCO,
                },
                {
                    "stakeholder_id": "v1",
                    "role": "champion",
                    "stance": 2,
                    "opportunity_id": "widgetco-opp",
                },
                # The roles the CRM mappings added (issue 11): labelled by the widget too.
                {
                    "stakeholder_id": "v2",
                    "role": "executive_sponsor",
                    "stance": 0,
                    "account_id": WIDGETCO,
                },
                {
                    "stakeholder_id": "v2",
                    "role": "evaluator",
                    "stance": 0,
                    "opportunity_id": "widgetco-opp",
                },
            ],  # fmt: skip
            "budgets": [
                {
                    "id": "bud-it",
                    "account_id": WIDGETCO,
                    "name": "IT Platform 2027",
                    "amount": 2_500_000,
                    "currency": "USD",
                },
                {
                    "id": "bud-ops",
                    "account_id": WIDGETCO,
                    "name": "Operations Excellence",
                    "amount": 400_000,
                    "currency": "USD",
                },
            ],  # fmt: skip
            "controls": [
                {"stakeholder_id": "v1", "budget_id": "bud-it", "authority": "owner"},
                {"stakeholder_id": "v1", "budget_id": "bud-ops", "authority": "approver"},
            ],
            "opportunities": [
                {
                    "id": "widgetco-opp",
                    "account_id": WIDGETCO,
                    "name": "Platform renewal",
                    "stage": "proposal",
                    "amount": 500_000,
                },
            ],  # fmt: skip
        },
    )
    # Moe Mover changes manager: the old solid line is closed, a new one opened.
    moe = next(p for p in people if p["id"] == "m1a-2")
    call(
        "POST",
        "/v1/ingest",
        {"effective_at": MOVE_AT, "stakeholders": [{**moe, "reports_to": "d1b"}]},
    )
    call("POST", "/v1/stakeholders/m2a-2/departure", {"left_at": LEFT_AT})


def bigco_people(
    people: int = BIGCO_PEOPLE, branching: int = BIGCO_BRANCHING
) -> list[dict[str, Any]]:
    """A breadth-first tree: person i reports to person (i - 1) // branching."""
    titles = ["CEO", "VP", "Director", "Manager", "Specialist"]
    rows: list[dict[str, Any]] = []
    level_start, level, width = 0, 0, 1
    for i in range(people):
        if i >= level_start + width:
            level_start, level, width = level_start + width, level + 1, width * branching
        rows.append(
            {
                "id": f"big-{i:04d}",
                "account_id": BIGCO,
                "name": f"Person {i:04d}",
                "title": f"{titles[min(level, 4)]} {i:04d}",
                "reports_to": f"big-{(i - 1) // branching:04d}" if i else None,
            }
        )
    return rows


def seed_bigco(call: Call) -> None:
    call(
        "POST",
        "/v1/ingest",
        {
            "effective_at": SINCE,
            "accounts": [{"id": BIGCO, "name": "BigCo Global", "tier": "key"}],
            "stakeholders": bigco_people(),
        },
    )
