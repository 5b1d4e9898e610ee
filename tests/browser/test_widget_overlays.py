"""The widget's overlays (influence, our team's ties, key stakeholders' coverage) and its
what-if mode, in headless Chromium against the running service.

Every expectation comes from the API itself, called with the CRM backend's key: the
account graph (``GET /v1/accounts/{id}/graph?format=json``) for the overlays, and the
departure impact (``POST /v1/accounts/{id}/departure-impact``) for the what-if. The
account ``powerco`` is loaded here (not in ``seed.py``) so the org-chart tests keep
their numbers:

    L1  Paula Chief (CEO, economic buyer)
    L2  Finn Money (CFO, decision maker, owns a budget) · Tara Tech (CTO, champion) ·
        Omar Ops (COO)
    L3  Cleo Control (approves the budget) and Theo Treasury under Finn; Ari Architect and
        Sam Secure (decision maker) under Tara; Pia Plant under Omar
    L4  Dev Deep (champion) under Ari, Sol Soc under Sam, Ozzy Shift under Pia — collapsed
        at the default depth (9 people shown of 12)

Our team: Ava Account knows Paula, Finn, Cleo (below θ) and Dev; Ben Solutions knows
Tara, Ari, Finn and Sam (below θ); Cy Sponsor knows Omar.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import Stack, open_page, screenshot

WIDGET = "powermap-org-chart"
ACCOUNT = "powerco"
SINCE = "2024-01-01T00:00:00Z"
VISIBLE_AT_DEPTH_3 = 9  # 1 + 3 + 5
PEOPLE = 12

PEOPLE_ROWS = [
    ("p-ceo", "Paula Chief", "Chief Executive Officer", None),
    ("p-cfo", "Finn Money", "Chief Financial Officer", "p-ceo"),
    ("p-cto", "Tara Tech", "Chief Technology Officer", "p-ceo"),
    ("p-coo", "Omar Ops", "Chief Operating Officer", "p-ceo"),
    ("p-ctrl", "Cleo Control", "Head of Controlling", "p-cfo"),
    ("p-treas", "Theo Treasury", "Treasurer", "p-cfo"),
    ("p-arch", "Ari Architect", "Chief Architect", "p-cto"),
    ("p-sec", "Sam Secure", "CISO", "p-cto"),
    ("p-plant", "Pia Plant", "Plant Director", "p-coo"),
    ("p-dev", "Dev Deep", "Principal Engineer", "p-arch"),
    ("p-soc", "Sol Soc", "SOC Lead", "p-sec"),
    ("p-ops2", "Ozzy Shift", "Shift Lead", "p-plant"),
]
TIES = [
    ("tm-ava", "p-ceo", 0.8),
    ("tm-ava", "p-cfo", 0.7),
    ("tm-ava", "p-ctrl", 0.15),
    ("tm-ava", "p-dev", 0.6),
    ("tm-ben", "p-cto", 0.9),
    ("tm-ben", "p-arch", 0.5),
    ("tm-ben", "p-cfo", 0.4),
    ("tm-ben", "p-sec", 0.1),
    ("tm-cy", "p-coo", 0.6),
]
INFLUENCES = [
    ("p-cfo", "p-ceo", 0.9),
    ("p-cto", "p-ceo", 0.6),
    ("p-ceo", "p-coo", 0.3),
    ("p-arch", "p-cto", 0.7),
    ("p-cto", "p-arch", 0.4),
    ("p-ctrl", "p-cfo", 0.5),
    ("p-plant", "p-coo", 0.2),
    ("p-dev", "p-arch", 0.8),  # one end collapsed at depth 3
    ("p-soc", "p-sec", 0.5),  # one end collapsed at depth 3
    ("p-soc", "p-dev", 0.3),  # both ends collapsed at depth 3
]


def powerco_batch() -> dict[str, Any]:
    return {
        "effective_at": SINCE,
        "accounts": [{"id": ACCOUNT, "name": "PowerCo Energy", "tier": "strategic"}],
        "stakeholders": [
            {
                "id": pid,
                "account_id": ACCOUNT,
                "name": name,
                "title": title,
                "department": "Management",
                "reports_to": manager,
            }
            for pid, name, title, manager in PEOPLE_ROWS
        ],
        "team_members": [
            {"id": "tm-ava", "name": "Ava Account", "role": "account_manager"},
            {"id": "tm-ben", "name": "Ben Solutions", "role": "solution_engineer"},
            {"id": "tm-cy", "name": "Cy Sponsor", "role": "exec_sponsor"},
        ],
        "coverage": [
            {"team_member_id": tm, "account_id": ACCOUNT, "role": role}
            for tm, role in (
                ("tm-ava", "account_manager"),
                ("tm-ben", "solution_engineer"),
                ("tm-cy", "exec_sponsor"),
            )
        ],
        "relationships": [
            {"team_member_id": tm, "stakeholder_id": s, "strength": strength}
            for tm, s, strength in TIES
        ],
        "influences": [
            {"from_id": a, "to_id": b, "strength": strength} for a, b, strength in INFLUENCES
        ],
        "roles": [
            {
                "stakeholder_id": "p-ceo",
                "role": "economic_buyer",
                "stance": 1,
                "account_id": ACCOUNT,
            },
            {
                "stakeholder_id": "p-cfo",
                "role": "decision_maker",
                "stance": 0,
                "account_id": ACCOUNT,
            },
            {"stakeholder_id": "p-cto", "role": "champion", "stance": 2, "account_id": ACCOUNT},
            {
                "stakeholder_id": "p-sec",
                "role": "decision_maker",
                "stance": -1,
                "account_id": ACCOUNT,
            },
            {"stakeholder_id": "p-dev", "role": "champion", "stance": 2, "account_id": ACCOUNT},
        ],  # fmt: skip
        "budgets": [
            {
                "id": "pw-bud",
                "account_id": ACCOUNT,
                "name": "Grid Modernisation",
                "amount": 1_200_000,
                "currency": "EUR",
            }
        ],
        "controls": [
            {"stakeholder_id": "p-cfo", "budget_id": "pw-bud", "authority": "owner"},
            {"stakeholder_id": "p-ctrl", "budget_id": "pw-bud", "authority": "approver"},
        ],
    }


@pytest.fixture(scope="module")
def powerco(stack: Stack) -> Iterator[dict[str, Any]]:
    """The account loaded through the ingest API; its graph as the API exports it."""
    stack.call("POST", "/v1/ingest", powerco_batch())
    graph: dict[str, Any] = stack.call("GET", f"/v1/accounts/{ACCOUNT}/graph?format=json")
    yield graph


# --- helpers -----------------------------------------------------------------------------


def ready(scope: Page | Locator) -> Locator:
    widget = scope.locator(WIDGET)
    expect(widget).to_have_attribute("data-state", "ready")
    return widget


def person(widget: Locator, person_id: str) -> Locator:
    return widget.locator(f'g.person[data-person-id="{person_id}"]')


def visible_people(widget: Locator) -> set[str]:
    return set(widget.evaluate("w => w.visiblePeople"))


def edges(graph: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in graph["edges"] if e["kind"] == kind]


def drawn(widget: Locator, selector: str) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = widget.locator(selector).evaluate_all(
        """paths => paths.map(p => ({
            from: p.dataset.from, to: p.dataset.to, strength: Number(p.dataset.strength),
            active: p.dataset.active, width: Number(p.getAttribute('stroke-width')),
            dash: getComputedStyle(p).strokeDasharray, marker: p.getAttribute('marker-end'),
            shown: getComputedStyle(p).display !== 'none',
        }))"""
    )
    return lines


def toggle(widget: Locator, name: str) -> Locator:
    button = widget.get_by_role("button", name=name)
    button.click()
    return button


def what_if(stack: Stack, ids: list[str]) -> dict[str, Any]:
    answer: dict[str, Any] = stack.call(
        "POST", f"/v1/accounts/{ACCOUNT}/departure-impact", {"person_ids": ids}
    )
    return answer


def marked(widget: Locator, flag: str) -> set[str]:
    ids = widget.locator(f'g.person[data-whatif~="{flag}"]').evaluate_all(
        "cards => cards.map(c => c.dataset.personId)"
    )
    return set(ids)


INFLUENCE = "Show influence lines between people"
TIES_BUTTON = "Show our team's ties to people"
COVERAGE = "Show the key stakeholders' coverage"
WHAT_IF = "What-if: pick people to see what their leaving does"


# --- overlays ----------------------------------------------------------------------------


def test_overlays_are_off_by_default_and_the_graph_is_fetched_on_first_use(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    graph_calls: list[str] = []
    page.on("request", lambda r: graph_calls.append(r.url) if "/graph" in r.url else None)
    page.goto(stack.embed_url(ACCOUNT))
    widget = ready(page)
    expect(widget.locator("g.person")).to_have_count(VISIBLE_AT_DEPTH_3)
    for name in (INFLUENCE, TIES_BUTTON, COVERAGE, WHAT_IF):
        expect(widget.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "false")
    expect(widget.locator("path.influence, path.tie-line, g.team, g.keycov")).to_have_count(0)
    expect(widget.locator("[data-legend]")).to_have_count(0)
    assert graph_calls == []

    toggle(widget, INFLUENCE)
    expect(widget.locator("path.influence").first).to_be_attached()
    toggle(widget, COVERAGE)
    expect(widget.locator("g.keycov").first).to_be_attached()
    # One fetch of the graph serves every overlay.
    assert len(graph_calls) == 1
    assert f"/v1/accounts/{ACCOUNT}/graph?format=json" in graph_calls[0]
    # The toggles are reflected on the element's `overlays` attribute.
    expect(widget).to_have_attribute("overlays", "influence coverage")


def test_influence_lines_match_the_api_among_the_people_shown(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.goto(stack.embed_url(ACCOUNT))
    widget = ready(page)
    button = toggle(widget, INFLUENCE)
    expect(button).to_have_attribute("aria-pressed", "true")
    influences = edges(powerco, "influences")
    assert len(influences) == len(INFLUENCES)
    shown = visible_people(widget)
    expected = {
        (e["source"], e["target"]) for e in influences if {e["source"], e["target"]} <= shown
    }
    expect(widget.locator("path.influence")).to_have_count(len(expected))
    lines = drawn(widget, "path.influence")
    assert {(line["from"], line["to"]) for line in lines} == expected
    # Width grows with strength; the arrow marks the direction (a marker at the end).
    strength = {(e["source"], e["target"]): e["strength"] for e in influences}
    for line in lines:
        assert line["strength"] == pytest.approx(strength[(line["from"], line["to"])])
        assert line["width"] == pytest.approx(1 + 4 * line["strength"], abs=0.06)
        assert line["marker"] and line["marker"].startswith("url(#")
        assert line["shown"]
    # The marker is the influenced end: the path ends at the target's card, not the source's.
    cfo_ceo = widget.locator('path.influence[data-from="p-cfo"][data-to="p-ceo"]')
    end = cfo_ceo.evaluate(
        "p => { const e = p.getPointAtLength(p.getTotalLength()); return {x: e.x, y: e.y}; }"
    )
    ceo = person(widget, "p-ceo").evaluate(
        "g => { const m = g.transform.baseVal.consolidate().matrix; return {x: m.e, y: m.f}; }"
    )
    assert ceo["x"] - 6 <= end["x"] <= ceo["x"] + 232 + 6
    assert ceo["y"] - 6 <= end["y"] <= ceo["y"] + 96 + 6
    # Lines with a collapsed end are not drawn; the legend says how many.
    hidden = sum(1 for e in influences if (e["source"] in shown) != (e["target"] in shown)) + sum(
        1 for e in influences if e["source"] not in shown and e["target"] not in shown
    )
    legend = widget.locator('.legend li[data-legend="influence"]')
    expect(legend).to_contain_text(f"{len(expected)} shown, {hidden} to collapsed people not drawn")
    screenshot(page, "overlays-01-influence")

    # Expanding a subtree draws the lines into it.
    widget.get_by_role("button", name="Expand all").click()
    everyone = {(e["source"], e["target"]) for e in influences}
    expect(widget.locator("path.influence")).to_have_count(len(everyone))
    assert {(line["from"], line["to"]) for line in drawn(widget, "path.influence")} == everyone
    expect(legend).not_to_contain_text("collapsed")

    toggle(widget, INFLUENCE)
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(widget.locator("path.influence")).to_have_count(0)
    expect(legend).to_have_count(0)


def test_ties_overlay_draws_the_team_and_its_ties(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.goto(stack.embed_url(ACCOUNT))
    widget = ready(page)
    toggle(widget, TIES_BUTTON)
    team = {n["id"]: n for n in powerco["nodes"] if n["kind"] == "team_member"}
    assert set(team) == {"tm-ava", "tm-ben", "tm-cy"}
    cards = widget.locator("g.team")
    expect(cards).to_have_count(len(team))
    assert {c.get_attribute("data-team-member-id") for c in cards.all()} == set(team)
    expect(widget.locator('g.team[data-team-member-id="tm-ava"] text.tname')).to_have_text(
        "Ava Account"
    )
    # Team members sit beside (above) the chart: above its first row of cards.
    top = person(widget, "p-ceo").bounding_box()
    assert top is not None
    for card in cards.all():
        box = card.bounding_box()
        assert box is not None and box["y"] + box["height"] < top["y"]

    knows = edges(powerco, "knows")
    assert len(knows) == len(TIES)
    shown = visible_people(widget)
    expected = {(e["source"], e["target"]): e for e in knows if e["target"] in shown}
    expect(widget.locator("path.tie-line")).to_have_count(len(expected))
    lines = drawn(widget, "path.tie-line")
    assert {(line["from"], line["to"]) for line in lines} == set(expected)
    theta = powerco["graph"]["active_tie_threshold"]
    for line in lines:
        edge = expected[(line["from"], line["to"])]
        assert line["strength"] == pytest.approx(edge["strength"])
        assert line["width"] == pytest.approx(1 + 5 * edge["strength"], abs=0.06)
        # Dashed exactly when the API says the tie is not active.
        assert line["active"] == ("true" if edge["active"] else "false")
        assert (line["dash"] not in ("", "none")) == (not edge["active"])
        assert edge["active"] == (edge["strength"] >= theta)
    dashed = [line for line in lines if line["dash"] not in ("", "none")]
    assert len(dashed) == sum(1 for e in expected.values() if not e["active"]) == 2
    hidden = len(knows) - len(expected)
    assert hidden == 1  # Ava → Dev Deep, collapsed
    expect(widget.locator('.legend li[data-legend="ties"]').last).to_contain_text(
        f"(0.2) · 2 shown; {hidden} tie to collapsed people not drawn"
    )
    screenshot(page, "overlays-02-ties")

    # Pointing at a person brings out their lines and dims the others.
    person(widget, "p-cfo").locator("rect.card").hover()
    emphasised = widget.locator("path.tie-line.emph")
    expect(emphasised).to_have_count(2)
    assert {p.get_attribute("data-from") for p in emphasised.all()} == {"tm-ava", "tm-ben"}

    toggle(widget, TIES_BUTTON)
    expect(widget.locator("g.team, path.tie-line")).to_have_count(0)


def test_key_stakeholders_coverage_overlay(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.goto(stack.embed_url(ACCOUNT))
    widget = ready(page)
    toggle(widget, COVERAGE)
    stakeholders = {n["id"]: n for n in powerco["nodes"] if n["kind"] == "stakeholder"}
    key = {i: n["coverage_level"] for i, n in stakeholders.items() if n["is_key"]}
    # The key stakeholders of docs/definitions.md: a buying role or budget authority.
    assert set(key) == {"p-ceo", "p-cfo", "p-cto", "p-sec", "p-dev", "p-ctrl"}
    assert key == {
        "p-ceo": "single",
        "p-cfo": "multi",
        "p-cto": "single",
        "p-sec": "dark",
        "p-dev": "single",
        "p-ctrl": "dark",
    }
    shown = visible_people(widget)
    expected = {i: level for i, level in key.items() if i in shown}
    expect(widget.locator("g.person[data-key-coverage]")).to_have_count(len(expected))
    got = widget.locator("g.person[data-key-coverage]").evaluate_all(
        "cards => cards.map(c => [c.dataset.personId, c.dataset.keyCoverage])"
    )
    assert dict(got) == expected
    for pid, level in expected.items():
        card = person(widget, pid)
        expect(card.locator("g.keycov")).to_have_class(f"keycov {level}")
        expect(card.locator("g.keycov .tag text")).to_have_text(f"KEY · {level.upper()}")
        assert "key stakeholder" in (card.get_attribute("aria-label") or "")
    # Nobody else is marked (Omar Ops is covered but not key).
    expect(person(widget, "p-coo").locator("g.keycov")).to_have_count(0)
    expect(widget.locator('.legend li[data-legend="coverage"]').last).to_contain_text(
        f"{len(expected)} key stakeholders shown, {len(key) - len(expected)} collapsed"
    )
    screenshot(page, "overlays-03-key-coverage")

    widget.get_by_role("button", name="Expand all").click()
    expect(widget.locator("g.person[data-key-coverage]")).to_have_count(len(key))
    expect(person(widget, "p-dev")).to_have_attribute("data-key-coverage", "single")

    toggle(widget, COVERAGE)
    expect(widget.locator("g.keycov, g.person[data-key-coverage]")).to_have_count(0)
    assert "key stakeholder" not in (person(widget, "p-ceo").get_attribute("aria-label") or "")


def test_all_overlays_from_the_iframe_url(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.goto(stack.embed_url(ACCOUNT, overlays="influence,ties,coverage", collapse_depth=5))
    widget = ready(page)
    expect(widget).to_have_attribute("overlays", "influence ties coverage")
    for name in (INFLUENCE, TIES_BUTTON, COVERAGE):
        expect(widget.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "true")
    expect(widget.locator("path.influence")).to_have_count(len(INFLUENCES))
    expect(widget.locator("path.tie-line")).to_have_count(len(TIES))
    expect(widget.locator("g.person[data-key-coverage]")).to_have_count(6)
    # The first view, fitted with the team row, shows every team member.
    svg = widget.locator("svg.chart").bounding_box()
    assert svg is not None
    for card in widget.locator("g.team").all():
        box = card.bounding_box()
        assert box is not None and svg["y"] <= box["y"] and box["x"] >= svg["x"] - 1
    screenshot(page, "overlays-04-all-overlays")
    bad = page.request.get(stack.embed_url(ACCOUNT, overlays="influence,everything"))
    assert bad.status == 422


def test_lines_are_drawn_only_near_the_view_when_zoomed_in(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.goto(stack.embed_url(ACCOUNT, overlays="influence,ties", collapse_depth=5))
    widget = ready(page)
    expect(widget.locator("path.tie-line")).to_have_count(len(TIES))
    expect(widget.locator("path.influence")).to_have_count(len(INFLUENCES))
    for _ in range(4):
        widget.get_by_role("button", name="Zoom in").click()
    # ... and over to a corner of the chart: Sol Soc, bottom right.
    search = widget.get_by_role("combobox", name="Search people by name or title")
    search.fill("Sol Soc")
    search.press("Enter")
    expect(person(widget, "p-soc")).to_be_focused()
    # In chart coordinates: the frame with half a frame around it (what the chart culls
    # to), and the overlay lines drawn; each drawn line must stay within that box plus
    # the clip box's slack (half the box again).
    result = widget.evaluate(
        """w => {
        const svg = w.shadowRoot.querySelector('svg.chart');
        const m = svg.querySelector('g.viewport').transform.baseVal.consolidate().matrix;
        const r = svg.getBoundingClientRect();
        const k = m.a;
        const box = { x0: (-r.width / 2 - m.e) / k, x1: (1.5 * r.width - m.e) / k,
                      y0: (-r.height / 2 - m.f) / k, y1: (1.5 * r.height - m.f) / k };
        const sw = (box.x1 - box.x0) / 2, sh = (box.y1 - box.y0) / 2;
        const lines = [...svg.querySelectorAll('path.influence, path.tie-line')];
        const shown = lines.filter(p => getComputedStyle(p).display !== 'none');
        const outside = shown.filter(p => {
          const b = p.getBBox();
          return b.x < box.x0 - sw || b.x + b.width > box.x1 + sw
              || b.y < box.y0 - sh || b.y + b.height > box.y1 + sh;
        });
        return { scale: k, shown: shown.length, hidden: lines.length - shown.length,
                 outside: outside.length,
                 clipped: shown.filter(p => !/[QC]/.test(p.getAttribute('d'))).length };
    }"""
    )
    assert result["scale"] > 1.5
    assert result["outside"] == 0, result
    assert result["hidden"] > 0 and result["clipped"] > 0, result
    screenshot(page, "overlays-10-zoomed-in-clipped")
    # Fitting the chart again draws every line whole.
    widget.get_by_role("button", name="Fit to screen").click()
    whole = widget.locator("path.influence, path.tie-line").evaluate_all(
        "ps => ps.filter(p => /[QC]/.test(p.getAttribute('d'))"
        " && getComputedStyle(p).display !== 'none').length"
    )
    assert whole == len(INFLUENCES) + len(TIES)


def test_graph_failure_leaves_the_chart_working(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.route("**/graph?*", lambda route: route.abort("connectionrefused"))
    page.goto(stack.embed_url(ACCOUNT))
    widget = ready(page)
    toggle(widget, INFLUENCE)
    note = widget.locator(".overlay-note")
    expect(note).to_contain_text("The overlays could not be loaded")
    expect(widget).to_have_attribute("data-state", "ready")
    expect(widget.locator("g.person")).to_have_count(VISIBLE_AT_DEPTH_3)
    # Once the network is back, switching the overlay on again fetches the graph.
    page.unroute("**/graph?*")
    toggle(widget, INFLUENCE)
    toggle(widget, INFLUENCE)
    expect(widget.locator("path.influence").first).to_be_attached()
    expect(note).to_have_text("")


# --- what-if -----------------------------------------------------------------------------


def test_what_if_marks_what_the_api_says_and_clears_in_one_click(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.goto(stack.embed_url(ACCOUNT, collapse_depth=5, overlays="ties"))
    widget = ready(page)
    expect(widget.locator("g.person")).to_have_count(PEOPLE)
    # Ours: Ava, our account manager, from the team row.
    ava = widget.locator('g.team[data-team-member-id="tm-ava"]')
    ava.click()
    expected = what_if(stack, ["tm-ava"])
    dark = {c["stakeholder_id"] for c in expected["newly_dark"]}
    single = {c["stakeholder_id"] for c in expected["newly_single_threaded"]}
    assert dark == {"p-ceo", "p-dev"} and single == {"p-cfo"}  # the scene works as meant
    box = widget.get_by_role("region", name="What-if")
    expect(box.locator(".score .value")).to_have_text(str(round(expected["score"])))
    assert marked(widget, "dark") == dark
    assert marked(widget, "single") == single
    assert marked(widget, "leaving") == set()
    expect(ava).to_have_class("team whatif-leaving")
    expect(ava).to_have_attribute("aria-pressed", "true")
    for pid in dark:
        expect(person(widget, pid).locator("g.wmark")).to_contain_text("→ DARK")
        assert "would go dark" in (person(widget, pid).get_attribute("aria-label") or "")
    # Ava's active ties are drawn as lost.
    lost = {(t["team_member_id"], t["stakeholder_id"]) for t in expected["active_ties_lost"]}
    lost_lines = widget.locator("path.tie-line.lost").evaluate_all(
        "ps => ps.map(p => [p.dataset.from, p.dataset.to])"
    )
    assert {tuple(x) for x in lost_lines} == lost
    expect(box.locator('[data-whatif-list="newly_dark"] li')).to_have_count(len(dark))
    for c in expected["newly_dark"]:
        expect(box.locator('[data-whatif-list="newly_dark"]')).to_contain_text(c["name"])
    screenshot(page, "overlays-05-what-if-team-member")

    # Theirs: Finn Money, picked on the chart in pick mode; both leave at once.
    widget.get_by_role("button", name=WHAT_IF).click()
    expect(widget.get_by_role("button", name=WHAT_IF)).to_have_attribute("aria-pressed", "true")
    # The box opened beside the chart without moving it, so Finn (left) is under it now:
    # the search brings him into view (it shows, it does not pick).
    search = widget.get_by_role("combobox", name="Search people by name or title")
    search.fill("Finn Money")
    search.press("Enter")
    expect(person(widget, "p-cfo")).to_be_focused()
    expect(widget.locator("g.person[data-whatif~=leaving]")).to_have_count(0)
    person(widget, "p-cfo").locator("text.name").click()
    expect(widget.get_by_role("dialog")).to_be_hidden()  # picking, not opening the panel
    expected = what_if(stack, ["tm-ava", "p-cfo"])
    expect(box.locator(".score .value")).to_have_text(str(round(expected["score"])))
    expect(box.locator(".chip")).to_have_count(2)
    assert marked(widget, "dark") == {c["stakeholder_id"] for c in expected["newly_dark"]}
    assert marked(widget, "single") == {
        c["stakeholder_id"] for c in expected["newly_single_threaded"]
    }
    assert marked(widget, "leaving") == {"p-cfo"}
    budgets = box.locator('[data-whatif-list="budgets_without_owner"]')
    assert [b["name"] for b in expected["budgets_without_owner"]] == ["Grid Modernisation"]
    expect(budgets).to_contain_text("Grid Modernisation (owner)")
    broken = {u["stakeholder_id"] for u in expected["newly_unreachable"]}
    assert marked(widget, "unreachable") == broken
    for u in expected["newly_unreachable"]:
        expect(box.locator('[data-whatif-list="newly_unreachable"]')).to_contain_text(u["name"])
    screenshot(page, "overlays-06-what-if-two-people")

    # Removing one person asks again.
    box.get_by_role("button", name="Remove Finn Money from the what-if").click()
    expected = what_if(stack, ["tm-ava"])
    expect(box.locator(".chip")).to_have_count(1)
    expect(box.locator(".score .value")).to_have_text(str(round(expected["score"])))
    assert marked(widget, "leaving") == set()

    # One click clears everything.
    box.get_by_role("button", name="Clear the what-if").click()
    expect(box).to_be_hidden()
    expect(widget.locator("g.person[data-whatif], g.wmark, g.team.whatif-leaving")).to_have_count(0)
    expect(widget.locator("path.tie-line.lost")).to_have_count(0)
    expect(widget.get_by_role("button", name=WHAT_IF)).to_have_attribute("aria-pressed", "false")
    assert "what-if" not in (person(widget, "p-ceo").get_attribute("aria-label") or "")
    # Out of pick mode, a click opens the side panel again.
    person(widget, "p-cfo").locator("text.name").click()
    expect(widget.get_by_role("dialog")).to_be_visible()


def test_what_if_from_the_side_panel_in_the_custom_element_on_another_origin(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "departure" in r.url else None,
    )
    page.goto(f"{stack.demo}/?account={ACCOUNT}")
    element = ready(page.locator(f'section[data-account="{ACCOUNT}"] .embed.element'))
    element.evaluate("e => e.setAttribute('collapse-depth', '5')")
    expect(element.locator("g.person")).to_have_count(PEOPLE)
    element.evaluate("e => e.setAttribute('overlays', 'coverage')")
    expect(element.locator("g.person[data-key-coverage]")).to_have_count(6)
    person(element, "p-cto").locator("text.name").click()
    panel = element.get_by_role("dialog")
    panel.get_by_role(
        "button", name="What if Tara Tech left? Add them to the what-if on the chart"
    ).click()
    expected = what_if(stack, ["p-cto"])
    box = element.get_by_role("region", name="What-if")
    expect(box.locator(".score .value")).to_have_text(str(round(expected["score"])))
    assert marked(element, "leaving") == {"p-cto"}
    assert marked(element, "dark") == {c["stakeholder_id"] for c in expected["newly_dark"]}
    # The POST went from the third-party page to the API's origin (CORS preflight passed).
    assert posts and posts[0].startswith(f"{stack.api}/v1/accounts/{ACCOUNT}/departure-impact")
    screenshot(page, "overlays-07-what-if-custom-element", full_page=True)
    box.get_by_role("button", name="Clear the what-if").click()
    expect(element.locator("g.person[data-whatif]")).to_have_count(0)


# --- keyboard ----------------------------------------------------------------------------


def test_overlays_and_what_if_by_keyboard(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.goto(stack.embed_url(ACCOUNT))
    widget = ready(page)
    # The overlay buttons come right after the date controls, in tab order.
    widget.get_by_role("button", name="Show the current org chart").focus()
    page.keyboard.press("Tab")
    expect(widget.get_by_role("button", name=INFLUENCE)).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.get_by_role("button", name=INFLUENCE)).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Tab")
    expect(widget.get_by_role("button", name=TIES_BUTTON)).to_be_focused()
    page.keyboard.press("Space")
    expect(widget.locator("g.team")).to_have_count(3)
    page.keyboard.press("Tab")
    expect(widget.get_by_role("button", name=COVERAGE)).to_be_focused()
    page.keyboard.press("Tab")
    expect(widget.get_by_role("button", name=WHAT_IF)).to_be_focused()
    page.keyboard.press("Enter")  # pick mode
    # Expand all, Collapse, then the chart's one tab stop, then the team row's.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(person(widget, "p-ceo")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(person(widget, "p-cfo")).to_be_focused()
    page.keyboard.press("Enter")  # picks Finn Money
    box = widget.get_by_role("region", name="What-if")
    expect(box.locator(".chip")).to_have_count(1)
    expect(box.locator(".score .value")).to_have_text(
        str(round(what_if(stack, ["p-cfo"])["score"]))
    )
    page.keyboard.press("Tab")
    team = widget.locator("g.team")
    expect(team.first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(team.nth(1)).to_be_focused()
    page.keyboard.press("Enter")  # adds the second team member of the row
    picked = team.nth(1).get_attribute("data-team-member-id")
    assert picked
    expect(box.locator(".chip")).to_have_count(2)
    expect(box.locator(".score .value")).to_have_text(
        str(round(what_if(stack, ["p-cfo", picked])["score"]))
    )
    screenshot(page, "overlays-08-keyboard")
    # The box's buttons follow in tab order; the clear button clears.
    clear = box.get_by_role("button", name="Clear the what-if")
    clear.focus()
    page.keyboard.press("Enter")
    expect(box).to_be_hidden()
    expect(widget.locator("g.person[data-whatif]")).to_have_count(0)


def test_overlays_readable_at_400px(
    browser: Browser, stack: Stack, powerco: dict[str, Any]
) -> None:
    page, problems = open_page(browser, width=400, height=800)
    try:
        page.goto(stack.embed_url(ACCOUNT, overlays="influence,ties,coverage"))
        widget = ready(page)
        expect(widget.locator("g.team")).to_have_count(3)
        overflow = widget.locator(".toolbar").evaluate("t => t.scrollWidth - t.clientWidth")
        assert overflow <= 0, "the toolbar overflows at 400 px"
        screenshot(page, "overlays-09-narrow-400px")
        assert problems.errors == [] and problems.csp == []
    finally:
        page.context.close()


# --- the what-if box keeps the picked person in view -------------------------------------


def screen_box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None
    return box


def panel_what_if(widget: Locator, name: str) -> Locator:
    """The side panel's "What if they left?" button for ``name``."""
    return widget.get_by_role("dialog").get_by_role(
        "button", name=f"What if {name} left? Add them to the what-if on the chart"
    )


def card_of(widget: Locator, person_id: str) -> Locator:
    """A person's card itself (its group also holds the marks drawn above it)."""
    return person(widget, person_id).locator("rect.card")


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        outer["x"] - 1 <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and outer["y"] - 1 <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def test_what_if_box_keeps_the_picked_person_in_view(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    """The box opens beside the chart without pushing it right: whoever was picked stays
    on screen, wherever they were (right edge, left edge, our team row)."""
    page.goto(stack.embed_url(ACCOUNT, overlays="ties"))
    widget = ready(page)
    expect(widget.locator("svg.chart g.team")).to_have_count(3)
    chart = widget.locator("svg.chart")
    frame = screen_box(chart)
    shown = sorted(visible_people(widget), key=lambda pid: screen_box(card_of(widget, pid))["x"])
    leftmost, rightmost = shown[0], shown[-1]
    right_card = person(widget, rightmost)
    before = screen_box(card_of(widget, rightmost))
    assert inside(before, frame)
    assert before["x"] + before["width"] > frame["x"] + frame["width"] - 340, "near the right edge"

    # From the side panel: the rightmost person.
    right_card.locator("text.name").click()
    name = powerco_name(powerco, rightmost)
    panel_what_if(widget, name).click()
    box = widget.get_by_role("region", name="What-if")
    expect(box.locator(".score .value")).to_have_text(
        str(round(what_if(stack, [rightmost])["score"]))
    )
    region = screen_box(box)
    chart_now = screen_box(chart)
    after = screen_box(card_of(widget, rightmost))
    assert inside(after, chart_now), (after, chart_now)
    assert after["x"] >= region["x"] + region["width"] - 1, "not under the box"
    # In view already: nothing moved (the chart is not pushed over).
    assert abs(after["x"] - before["x"]) <= 1 and abs(after["y"] - before["y"]) <= 1
    screenshot(page, "overlays-11-what-if-keeps-the-right-edge")

    # Cleared, nothing jumps either.
    box.get_by_role("button", name="Clear the what-if").click()
    expect(box).to_be_hidden()
    cleared = screen_box(card_of(widget, rightmost))
    assert abs(cleared["x"] - before["x"]) <= 1 and abs(cleared["y"] - before["y"]) <= 1

    # The leftmost person, under where the box opens: the chart pans to keep them in view.
    person(widget, leftmost).locator("text.name").click()
    panel_what_if(widget, powerco_name(powerco, leftmost)).click()
    expect(box.locator(".chip")).to_have_count(1)
    region = screen_box(box)
    left_card = screen_box(card_of(widget, leftmost))
    assert inside(left_card, screen_box(chart)), left_card
    assert left_card["x"] >= region["x"] + region["width"] - 1, "not under the box"
    screenshot(page, "overlays-12-what-if-keeps-the-left-edge")
    box.get_by_role("button", name="Clear the what-if").click()
    expect(box).to_be_hidden()

    # Our team member at the right end of the row, picked by keyboard.
    team = widget.locator("svg.chart g.team")
    xs = [screen_box(card)["x"] for card in team.all()]
    last = team.nth(xs.index(max(xs)))
    team.first.focus()
    for _ in range(len(xs)):
        if last.evaluate("el => el === el.getRootNode().activeElement"):
            break
        page.keyboard.press("ArrowRight")
    expect(last).to_be_focused()
    page.keyboard.press("Enter")
    expect(box.locator(".chip")).to_have_count(1)
    expect(last).to_have_attribute("aria-pressed", "true")
    assert inside(screen_box(last), screen_box(chart))
    screenshot(page, "overlays-13-what-if-keeps-the-team-member")


def test_what_if_sheet_keeps_the_picked_person_in_view_at_400px(
    browser: Browser, stack: Stack, powerco: dict[str, Any]
) -> None:
    """On a narrow frame the box is a sheet at the bottom: the chart gets the room above
    it, and a person picked low on the chart is brought above the sheet."""
    page, problems = open_page(browser, width=400, height=800)
    try:
        page.goto(stack.embed_url(ACCOUNT))
        widget = ready(page)
        chart = widget.locator("svg.chart")
        search = widget.get_by_role("combobox", name="Search people by name or title")
        search.fill("Sam Secure")
        search.press("Enter")
        card = person(widget, "p-sec")
        expect(card).to_be_focused()
        # Drag the chart down so Sam sits low in the frame, where the sheet will open.
        frame = screen_box(chart)
        page.mouse.move(frame["x"] + 8, frame["y"] + 8)
        page.mouse.down()
        page.mouse.move(frame["x"] + 8, frame["y"] + 8 + 0.3 * frame["height"], steps=8)
        page.mouse.up()
        low = screen_box(card.locator("rect.card"))
        assert inside(low, frame), low
        assert low["y"] + low["height"] > frame["y"] + 0.6 * frame["height"], (low, frame)
        card.locator("text.name").click()
        panel_what_if(widget, "Sam Secure").click()
        box = widget.get_by_role("region", name="What-if")
        expect(box.locator(".chip")).to_have_count(1)
        sheet = screen_box(box)
        after = screen_box(card.locator("rect.card"))
        assert inside(after, screen_box(chart)), after
        assert after["y"] + after["height"] <= sheet["y"] + 1, (after, sheet)
        screenshot(page, "overlays-14-what-if-sheet-400px")
        assert problems.errors == [] and problems.csp == []
    finally:
        page.context.close()


def test_another_account_closes_the_what_if_and_fits_the_whole_frame(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    page.goto(stack.embed_url(ACCOUNT))
    widget = ready(page)
    toggle(widget, WHAT_IF)
    box = widget.get_by_role("region", name="What-if")
    expect(box).to_be_visible()
    # The host switches the element to another account (with a token for it).
    widget.evaluate(
        "(w, t) => { w.setAttribute('token', t); w.setAttribute('account', 'widgetco'); }",
        stack.token("widgetco"),
    )
    expect(widget.locator("g.person")).to_have_count(11)
    expect(widget).to_have_attribute("data-state", "ready")
    expect(box).to_be_hidden()
    frame = screen_box(widget.locator("svg.chart"))
    assert frame["x"] <= 1, "the chart has the whole width again"
    cards = [screen_box(card_of(widget, pid)) for pid in visible_people(widget)]
    for card in cards:
        assert (
            frame["x"] - 1 <= card["x"]
            and card["x"] + card["width"] <= frame["x"] + frame["width"] + 1
        )
    # Fitted to that whole width: centred in it (not in the part the box had left).
    left = min(c["x"] for c in cards)
    right = max(c["x"] + c["width"] for c in cards)
    assert abs((left + right) / 2 - (frame["x"] + frame["width"] / 2)) <= 3, (left, right, frame)
    screenshot(page, "overlays-16-another-account-after-what-if")


def powerco_name(graph: dict[str, Any], person_id: str) -> str:
    name: str = next(n["name"] for n in graph["nodes"] if n["id"] == person_id)
    return name


# --- one graph fetch ---------------------------------------------------------------------


def test_overlays_and_network_view_share_one_graph_fetch(
    page: Page, stack: Stack, powerco: dict[str, Any]
) -> None:
    graph_calls: list[str] = []
    page.on("request", lambda r: graph_calls.append(r.url) if "/graph?" in r.url else None)
    # Both want the graph at once: the network view and the overlays on at load.
    page.goto(stack.embed_url(ACCOUNT, view="network", overlays="influence,ties"))
    widget = ready(page)
    expect(widget.locator("svg.network")).to_be_visible()
    expect(widget.locator("g.node").first).to_be_attached()
    widget.get_by_role("button", name="Show the org chart").click()
    expect(widget.locator("path.influence").first).to_be_attached()
    expect(widget.locator("svg.chart g.team")).to_have_count(3)
    assert len(graph_calls) == 1, graph_calls
    assert f"/v1/accounts/{ACCOUNT}/graph?format=json" in graph_calls[0]

    # Another date: one fetch for that date, whichever asks first.
    widget.get_by_label("Show the org chart as of date").fill("2025-06-01")
    expect(widget.locator(".status")).to_contain_text("as of 2025-06-01")
    expect(widget.locator("path.influence").first).to_be_attached()
    widget.get_by_role("button", name="Show the relationship network").click()
    expect(widget.locator("svg.network")).to_be_visible()
    expect(widget.locator(".status")).to_contain_text("as of 2025-06-01")
    assert len(graph_calls) == 2, graph_calls
    assert "as_of=2025-06-01" in graph_calls[1]
    screenshot(page, "overlays-15-network-after-shared-graph")
