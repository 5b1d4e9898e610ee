"""The org-chart widget in headless Chromium, against the running service.

Most tests open the iframe page (`/embed/accounts/{id}/org-chart?token=`) on the API's
origin; the demo-page test embeds both ways from another origin. The accounts and the
numbers expected of them are in ``seed.py``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Locator, Page, expect

from service.domain import embed_tokens
from tests.browser import seed
from tests.browser.conftest import Stack, open_page, screenshot

WIDGET = "powermap-org-chart"


def ready(scope: Page | Locator) -> Locator:
    widget = scope.locator(WIDGET)
    expect(widget).to_have_attribute("data-state", "ready")
    return widget


def person(widget: Locator, person_id: str) -> Locator:
    return widget.locator(f'g.person[data-person-id="{person_id}"]')


def in_view(widget: Locator, element: Locator) -> bool:
    svg = widget.locator("svg.chart").bounding_box()
    box = element.bounding_box()
    assert svg is not None
    return (
        box is not None
        and svg["x"] <= box["x"]
        and box["x"] + box["width"] <= svg["x"] + svg["width"]
        and svg["y"] <= box["y"]
        and box["y"] + box["height"] <= svg["y"] + svg["height"]
    )


def reveal(widget: Locator, name: str) -> None:
    search = widget.get_by_role("combobox", name="Search people by name or title")
    search.fill(name)
    search.press("Enter")


def test_renders_the_expected_people(page: Page, stack: Stack) -> None:
    page.goto(stack.embed_url(seed.WIDGETCO))
    widget = ready(page)
    expect(widget.locator("g.person")).to_have_count(seed.WIDGETCO_VISIBLE_AT_DEPTH_3)
    # Two roots side by side, on the same row.
    roots = widget.locator('g.person[aria-level="1"]')
    expect(roots).to_have_count(2)
    boxes = [roots.nth(i).bounding_box() for i in range(2)]
    assert boxes[0] and boxes[1] and abs(boxes[0]["y"] - boxes[1]["y"]) < 1
    # The dotted line Victor Two → Otto Outside is drawn, dashed, apart from solid lines.
    dotted = widget.locator('path.dotted[data-from="v2"][data-to="r2"]')
    expect(dotted).to_have_count(1)
    dash = dotted.evaluate("p => getComputedStyle(p).strokeDasharray")
    assert dash not in ("", "none")
    solid_dash = widget.locator("path.link").first.evaluate(
        "p => getComputedStyle(p).strokeDasharray"
    )
    assert solid_dash == "none"
    # Name, title, role badges, coverage and strongest relationship on the card.
    vera = person(widget, "v1")
    expect(vera.locator("text.name")).to_have_text("Vera One")
    expect(vera.locator("text.jobtitle")).to_have_text("VP Operations")
    expect(vera.locator("g.badge")).to_have_count(2)
    expect(vera.locator("g.badge text")).to_have_text(["Champion", "Decider"])
    expect(vera.locator("g.coverage")).to_have_class("coverage multi")
    expect(vera.locator("text.tie")).to_have_text("↔ Ava Thompson · 0.90")
    expect(person(widget, "r1").locator("g.coverage")).to_have_class("coverage single")
    expect(person(widget, "v2").locator("g.coverage")).to_have_class("coverage dark")
    # The roles added for the CRM mappings have labels of their own, not the raw names.
    expect(person(widget, "v2").locator("g.badge text")).to_have_text(
        ["Exec. sponsor", "Evaluator"]
    )
    # Stance colour: champion (+2) green, detractor (-2) red.
    assert person(widget, "v1").locator("rect.card").get_attribute("stroke") == "#15803d"
    assert person(widget, "v3").locator("rect.card").get_attribute("stroke") == "#b91c1c"
    expect(widget.locator(".status")).to_contain_text(f"{seed.WIDGETCO_PEOPLE_NOW} people")
    expect(widget.locator(".legend")).to_contain_text("single-threaded")
    # Styles applied from the adopted stylesheet despite `style-src 'self'`.
    assert widget.locator(".toolbar").evaluate("t => getComputedStyle(t).display") == "flex"
    screenshot(page, "01-initial-1280x800")


def test_zoom_and_fit(page: Page, stack: Stack) -> None:
    page.goto(stack.embed_url(seed.WIDGETCO, collapse_depth=5))
    widget = ready(page)
    viewport = widget.locator("g.viewport")
    before = viewport.get_attribute("transform")
    widget.get_by_role("button", name="Zoom in").click()
    zoomed = viewport.get_attribute("transform")
    assert zoomed != before
    widget.get_by_role("button", name="Fit to screen").click()
    svg = widget.locator("svg.chart").bounding_box()
    assert svg is not None
    for i in range(widget.locator("g.person").count()):
        box = widget.locator("g.person").nth(i).bounding_box()
        assert box is not None
        assert svg["x"] - 1 <= box["x"] and box["x"] + box["width"] <= svg["x"] + svg["width"] + 1
        assert svg["y"] - 1 <= box["y"] and box["y"] + box["height"] <= svg["y"] + svg["height"] + 1
    screenshot(page, "02-fit-all-levels")


def test_expanding_a_subtree_reveals_its_children(page: Page, stack: Stack) -> None:
    page.goto(stack.embed_url(seed.WIDGETCO))
    widget = ready(page)
    dirk = person(widget, "d1b")
    expect(dirk).to_have_attribute("aria-expanded", "false")
    expect(dirk.locator("g.toggle text")).to_have_text("+3")
    dirk.locator("g.toggle").click()
    expect(dirk).to_have_attribute("aria-expanded", "true")
    expect(widget.locator("g.person")).to_have_count(seed.WIDGETCO_VISIBLE_AT_DEPTH_3 + 3)
    children = widget.locator('g.person[data-parent-id="d1b"]')
    assert {c.get_attribute("data-person-id") for c in children.all()} == {
        "m1b-1",
        "m1b-2",
        "m1a-2",
    }
    screenshot(page, "03-expanded-subtree")
    dirk.locator("g.toggle").click()
    expect(widget.locator("g.person")).to_have_count(seed.WIDGETCO_VISIBLE_AT_DEPTH_3)


def test_search_reveals_and_highlights_a_deep_person(page: Page, stack: Stack) -> None:
    page.goto(stack.embed_url(seed.WIDGETCO))
    widget = ready(page)
    expect(person(widget, "deep")).to_have_count(0)
    search = widget.get_by_role("combobox", name="Search people by name or title")
    search.fill("deep")
    option = widget.get_by_role("option").first
    expect(option).to_contain_text("Deep Diver")
    expect(option).to_contain_text("level 5")
    search.press("Enter")
    deep = person(widget, "deep")
    expect(deep).to_have_count(1)
    expect(deep).to_have_class("person highlighted")
    expect(deep).to_be_focused()
    # Its ancestors were expanded to reveal it.
    for ancestor in ("m1b-1", "d1b"):
        expect(person(widget, ancestor)).to_have_attribute("aria-expanded", "true")
    # ... and it is brought into view.
    assert in_view(widget, deep)
    expect(widget.locator(".status")).to_contain_text("Found Deep Diver")
    screenshot(page, "04-search-deep-person")


def test_clicking_a_person_opens_the_side_panel(page: Page, stack: Stack) -> None:
    page.goto(stack.embed_url(seed.WIDGETCO))
    widget = ready(page)
    person(widget, "v1").locator("text.name").click()
    panel = widget.get_by_role("dialog")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("Vera One")
    roles = panel.locator('section[data-section="roles"]')
    expect(roles).to_contain_text("Champion on")
    expect(roles).to_contain_text("Decision maker on")
    budgets = panel.locator('section[data-section="budgets"] li')
    expect(budgets).to_have_count(2)
    expect(budgets.filter(has_text="IT Platform 2027")).to_contain_text("owner")
    expect(budgets.filter(has_text="Operations Excellence")).to_contain_text("approver")
    coverage = panel.locator('section[data-section="coverage"]')
    expect(coverage).to_contain_text("multi-threaded")
    expect(coverage).to_contain_text("Ava Thompson")
    impact = panel.locator('section[data-section="impact"]')
    expect(impact.locator(".loading")).to_have_count(0)
    # The departure impact from the analytics API, through the embed token.
    score = impact.locator(".score .value")
    expect(score).to_have_text(re.compile(r"^\d{1,3}$"))
    assert 0 < int(score.inner_text()) <= 100
    expect(impact).to_contain_text("What would be lost")
    lost = impact.locator("ul.lost")
    expect(lost.locator('[data-impact="active_ties_lost"]')).to_contain_text(
        "Active relationships lost: 2"
    )
    expect(lost.locator('[data-impact="budgets_without_owner"]')).to_contain_text(
        "IT Platform 2027"
    )
    expect(lost.locator('[data-impact="opportunities_at_risk"]')).to_contain_text(
        "Platform renewal"
    )
    screenshot(page, "05-side-panel")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    # The roles added for the CRM mappings are named in full in the panel.
    person(widget, "v2").locator("text.name").click()
    expect(panel.locator("h2")).to_have_text("Victor Two")
    expect(roles).to_contain_text("Executive sponsor on")
    expect(roles).to_contain_text("Evaluator on")


def test_as_of_control_redraws_after_a_reporting_line_change(page: Page, stack: Stack) -> None:
    page.goto(stack.embed_url(seed.WIDGETCO, collapse_depth=6))
    widget = ready(page)
    expect(widget.locator("g.person")).to_have_count(seed.WIDGETCO_PEOPLE_NOW)
    expect(person(widget, "m1a-2")).to_have_attribute("data-parent-id", "d1b")
    expect(person(widget, "m2a-2")).to_have_count(0)
    screenshot(page, "06-as-of-today")

    widget.get_by_label("Show the org chart as of date").fill(seed.BEFORE_MOVE)
    expect(widget.locator(".status")).to_contain_text(f"as of {seed.BEFORE_MOVE}")
    widget = ready(page)
    # Moe Mover is back under Dana 1a, and Lea Left, who left later, is there.
    expect(person(widget, "m1a-2")).to_have_attribute("data-parent-id", "d1a")
    expect(person(widget, "m2a-2")).to_have_count(1)
    expect(widget.locator("g.person")).to_have_count(seed.WIDGETCO_PEOPLE_NOW + 1)
    screenshot(page, "07-as-of-before-the-move")

    widget.get_by_role("button", name="Show the current org chart").click()
    expect(widget.locator(".status")).not_to_contain_text("as of 2025")
    expect(person(widget, "m1a-2")).to_have_attribute("data-parent-id", "d1b")


def test_expired_token_shows_the_error_state(page: Page, stack: Stack) -> None:
    expired = embed_tokens.mint(
        stack.settings, seed.WIDGETCO, now=datetime.now(UTC) - timedelta(hours=1)
    )
    page.goto(stack.embed_url(seed.WIDGETCO, token=expired.token))
    widget = page.locator(WIDGET)
    expect(widget).to_have_attribute("data-state", "error")
    alert = widget.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert.locator("h2")).to_have_text("This link has expired or is not valid")
    expect(alert).to_contain_text("expired")
    expect(alert).to_contain_text("HTTP 401")
    expect(widget.locator("g.person")).to_have_count(0)
    screenshot(page, "08-error-expired-token")


def test_foreign_and_tampered_tokens_show_the_error_state(page: Page, stack: Stack) -> None:
    other = stack.token(seed.BIGCO)
    page.goto(stack.embed_url(seed.WIDGETCO, token=other))
    widget = page.locator(WIDGET)
    expect(widget).to_have_attribute("data-state", "error")
    expect(widget.get_by_role("alert").locator("h2")).to_have_text("No access to this account")
    screenshot(page, "09-error-other-account")

    token = stack.token(seed.WIDGETCO)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    page.goto(stack.embed_url(seed.WIDGETCO, token=tampered))
    expect(widget).to_have_attribute("data-state", "error")
    expect(widget.get_by_role("alert")).to_contain_text("HTTP 401")


def test_network_error_shows_the_error_state(page: Page, stack: Stack) -> None:
    # The third-party page loads, then the browser cannot reach the API.
    page.route(f"{stack.api}/v1/**", lambda route: route.abort("connectionrefused"))
    page.goto(f"{stack.demo}/?account={seed.WIDGETCO}")
    widget = page.locator(f"section .embed.element {WIDGET}")
    expect(widget).to_have_attribute("data-state", "error")
    alert = widget.get_by_role("alert")
    expect(alert.locator("h2")).to_have_text("Powermap could not be reached")
    expect(alert).to_contain_text(stack.api)
    expect(widget.get_by_role("button", name="Retry")).to_be_visible()
    screenshot(page, "09b-error-network")
    # Once the network is back, Retry draws the chart.
    page.unroute(f"{stack.api}/v1/**")
    widget.get_by_role("button", name="Retry").click()
    expect(widget).to_have_attribute("data-state", "ready")
    expect(widget.locator("g.person")).to_have_count(seed.WIDGETCO_VISIBLE_AT_DEPTH_3)


def test_large_account_renders_collapsed_and_expands_on_demand(page: Page, stack: Stack) -> None:
    page.goto(stack.embed_url(seed.BIGCO))
    widget = ready(page)
    b = seed.BIGCO_BRANCHING
    expect(widget.locator("g.person")).to_have_count(1 + b + b * b)
    expect(widget.locator(".status")).to_contain_text(f"{seed.BIGCO_PEOPLE} people")
    # The first view is readable (not shrunk to fit 25 directors): expand one on screen.
    director = next(
        d for d in widget.locator('g.person[aria-level="3"]').all() if in_view(widget, d)
    )
    director_id = director.get_attribute("data-person-id")
    director.locator("g.toggle").click()
    expect(widget.locator(f'g.person[data-parent-id="{director_id}"]')).to_have_count(b)
    expect(widget.locator("g.person")).to_have_count(1 + b + b * b + b)
    screenshot(page, "10-large-account-collapsed")

    page.goto(stack.embed_url(seed.BIGCO, collapse_depth=2))
    widget = ready(page)
    expect(widget.locator("g.person")).to_have_count(1 + b)


def test_keyboard_navigation_and_aria(page: Page, stack: Stack) -> None:
    page.goto(stack.embed_url(seed.WIDGETCO))
    widget = ready(page)
    tree = widget.get_by_role("tree", name="Org chart of WidgetCo Industries")
    expect(tree).to_be_visible()
    rhea = person(widget, "r1")
    expect(rhea).to_have_attribute("role", "treeitem")
    label = rhea.get_attribute("aria-label") or ""
    assert "Rhea Root" in label and "Economic buyer" in label and "single-threaded" in label
    # Tab from the last toolbar button lands on the chart's single tab stop.
    widget.get_by_role("button", name="Collapse to the first levels").focus()
    page.keyboard.press("Tab")
    expect(rhea).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(person(widget, "v1")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(person(widget, "v2")).to_be_focused()
    # Down goes to the first (leftmost) report: the API orders reports by name.
    page.keyboard.press("ArrowDown")
    expect(person(widget, "d2b")).to_be_focused()
    # Space expands; ArrowDown then walks into the revealed level.
    page.keyboard.press("Space")
    expect(person(widget, "d2b")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(person(widget, "m2b-1")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(person(widget, "d2b")).to_be_focused()
    # Enter opens the panel; Escape closes it and gives focus back to the card.
    page.keyboard.press("Enter")
    expect(widget.get_by_role("dialog")).to_be_visible()
    expect(widget.get_by_role("dialog").locator("h2")).to_have_text("Dean 2b")
    page.keyboard.press("Escape")
    expect(widget.get_by_role("dialog")).to_be_hidden()
    expect(person(widget, "d2b")).to_be_focused()
    screenshot(page, "11-keyboard-focus")


def test_readable_at_400px_wide(browser: Browser, stack: Stack) -> None:
    page, problems = open_page(browser, width=400, height=800)
    try:
        page.goto(stack.embed_url(seed.WIDGETCO))
        widget = ready(page)
        toolbar = widget.locator(".toolbar")
        overflow = toolbar.evaluate("t => t.scrollWidth - t.clientWidth")
        assert overflow <= 0, "the toolbar overflows at 400 px"
        search = widget.get_by_role("combobox").bounding_box()
        assert search and search["x"] >= 0 and search["x"] + search["width"] <= 400
        # The first view keeps cards readable (scale >= 0.8) and the CEO in view.
        rhea = person(widget, "r1")
        card = rhea.locator("rect.card").bounding_box()
        assert card and card["width"] >= 0.8 * 232 - 1
        assert in_view(widget, rhea)
        screenshot(page, "12-narrow-400px")
        reveal(widget, "Vera")
        assert in_view(widget, person(widget, "v1"))
        person(widget, "v1").locator("text.name").click()
        panel = widget.get_by_role("dialog").bounding_box()
        assert panel and panel["width"] >= 380
        screenshot(page, "13-narrow-400px-panel")
        assert problems.errors == [] and problems.csp == []
    finally:
        page.context.close()


def test_cross_origin_demo_page_embeds_both_ways(page: Page, stack: Stack) -> None:
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/org-chart" in r.url else None)
    page.goto(f"{stack.demo}/?account={seed.WIDGETCO}")
    assert stack.demo.rsplit(":", 1)[1] != stack.api.rsplit(":", 1)[1]
    section = page.locator(f'section[data-account="{seed.WIDGETCO}"]')
    # The custom element in the third-party page, calling the API on another origin.
    element = ready(section.locator(".embed.element"))
    expect(element.locator("g.person")).to_have_count(seed.WIDGETCO_VISIBLE_AT_DEPTH_3)
    # The iframe page, framed by the third-party origin (frame-ancestors allows it).
    frame = section.frame_locator("iframe")
    framed = frame.locator(WIDGET)
    expect(framed).to_have_attribute("data-state", "ready")
    expect(framed.locator("g.person")).to_have_count(seed.WIDGETCO_VISIBLE_AT_DEPTH_3)
    assert any(
        u.startswith(f"{stack.api}/v1/accounts/{seed.WIDGETCO}/org-chart") for u in api_calls
    )
    assert any(
        u.startswith(f"{stack.api}/embed/accounts/{seed.WIDGETCO}/org-chart") for u in api_calls
    )
    # Search and the side panel work inside the third-party page as on our own origin.
    reveal(element, "Vera")
    person(element, "v1").locator("text.name").click()
    expect(
        element.get_by_role("dialog").locator('section[data-section="budgets"] li')
    ).to_have_count(2)
    screenshot(page, "14-demo-page-cross-origin", full_page=True)


def test_demo_page_embeds_the_demo_portfolio(page: Page, stack: Stack) -> None:
    acme = stack.call("GET", "/v1/accounts/acme/org-chart", None)
    page.goto(f"{stack.demo}/?account=acme")
    element = ready(page.locator('section[data-account="acme"] .embed.element'))
    expect(element.locator(".title")).to_have_text(acme["account"]["name"])
    expect(element.locator(".status")).to_contain_text(f"{acme['people_count']} people")
    expect(element.locator('g.person[aria-level="1"]')).to_have_count(len(acme["roots"]))
    framed = page.locator('section[data-account="acme"]').frame_locator("iframe").locator(WIDGET)
    expect(framed).to_have_attribute("data-state", "ready")
    screenshot(page, "15-demo-page-acme", full_page=True)
