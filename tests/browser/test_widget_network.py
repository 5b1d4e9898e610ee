"""The widget's network view and image export in headless Chromium, against the running
service and its real Neo4j (the accounts of ``seed.py`` and the demo portfolio).

What the widget draws is checked against what the API says: the engagement graph of
``GET /v1/accounts/{id}/graph?format=json`` (docs/definitions.md, "Engagement graph"),
its betweenness and PageRank, and the best warm path of ``GET /v1/paths/warm``.
"""

from __future__ import annotations

import io
import itertools
import re
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.browser import seed
from tests.browser.conftest import ARTIFACTS, Stack, screenshot

WIDGET = "powermap-org-chart"
SVG = "{http://www.w3.org/2000/svg}"
WIDGETCO_NAME = "WidgetCo Industries"


def graph(stack: Stack, account: str, as_of: str | None = None) -> dict[str, Any]:
    query = urllib.parse.urlencode({"format": "json", **({"as_of": as_of} if as_of else {})})
    body: dict[str, Any] = stack.call("GET", f"/v1/accounts/{account}/graph?{query}", None)
    return body


def engagement_people(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The engagement graph's people as docs/definitions.md defines them: the active
    stakeholders and the active team members with an active tie to one of them."""
    nodes = {n["id"]: n for n in body["nodes"]}
    stakeholders = {
        i for i, n in nodes.items() if n["kind"] == "stakeholder" and n["status"] == "active"
    }
    team = {i for i, n in nodes.items() if n["kind"] == "team_member" and n["status"] == "active"}
    tied = set()
    for e in body["edges"]:
        ends = {e["source"], e["target"]}
        if e["kind"] == "knows" and e["active"] and ends & team and ends & stakeholders:
            tied |= ends & team
    return {i: nodes[i] for i in stakeholders | tied}


def network(page: Page) -> Locator:
    widget = page.locator(WIDGET)
    expect(widget).to_have_attribute("data-state", "ready")
    expect(widget.locator("svg.network")).to_be_visible()
    return widget


def node(widget: Locator, person_id: str) -> Locator:
    return widget.locator(f'g.node[data-person-id="{person_id}"]')


def sizes(widget: Locator) -> dict[str, float]:
    pairs: list[list[str]] = widget.locator("g.node").evaluate_all(
        "ns => ns.map(n => [n.getAttribute('data-person-id'), n.getAttribute('data-size')])"
    )
    return {i: float(s) for i, s in pairs}


def assert_ordered_as(drawn: dict[str, float], metric: dict[str, float]) -> None:
    """Every pair of people: the larger value has the larger node, equal values equal ones."""
    assert drawn.keys() == metric.keys()
    for a, b in itertools.combinations(drawn, 2):
        if metric[a] > metric[b]:
            assert drawn[a] > drawn[b], (a, metric[a], drawn[a], b, metric[b], drawn[b])
        elif metric[a] < metric[b]:
            assert drawn[a] < drawn[b], (a, metric[a], drawn[a], b, metric[b], drawn[b])
        else:
            assert drawn[a] == drawn[b], (a, b, metric[a])


def metric_of(people: dict[str, dict[str, Any]], key: str) -> dict[str, float]:
    return {i: float(p.get(key) or 0.0) for i, p in people.items()}


def test_network_view_draws_the_engagement_graph(page: Page, stack: Stack) -> None:
    body = graph(stack, seed.WIDGETCO)
    people = engagement_people(body)
    page.goto(stack.embed_url(seed.WIDGETCO, view="network"))
    widget = network(page)
    # The chart is not shown (nor in the tab order) while the network is.
    expect(widget.locator("svg.chart")).to_be_hidden()
    expect(widget.get_by_role("button", name="Show the relationship network")).to_have_attribute(
        "aria-pressed", "true"
    )
    drawn = widget.locator("g.node")
    expect(drawn).to_have_count(len(people))
    assert set(sizes(widget)) == set(people)
    # Our team members are marked by shape, stakeholders coloured by stance.
    team = [i for i, p in people.items() if p["kind"] == "team_member"]
    assert sorted(team) == ["tm-ava", "tm-bo"]
    for tm in team:
        expect(node(widget, tm).locator("rect.shape")).to_have_count(1)
        expect(node(widget, tm).locator("circle")).to_have_count(0)
    assert node(widget, "v1").locator("circle.shape").get_attribute("fill") == "#15803d"
    assert node(widget, "v3").locator("circle.shape").get_attribute("fill") == "#b91c1c"
    # Every edge of the engagement graph is drawn (one path per kind and strength band).
    counts = widget.locator("path.net-edge").evaluate_all(
        "ps => ps.reduce((n, p) => n + Number(p.getAttribute('data-count')), 0)"
    )
    assert counts > 0
    expect(widget.locator(".status")).to_contain_text(
        f"{len(people) - len(team)} stakeholders and {len(team)} of our team"
    )
    # Node sizes follow the API's betweenness, and PageRank once switched.
    betweenness = metric_of(people, "betweenness")
    assert len(set(betweenness.values())) > 2, "the scene must tell sizes apart"
    assert_ordered_as(sizes(widget), betweenness)
    screenshot(page, "network-01-widgetco-betweenness")

    # Another date: the network of that day (Lea Left is back, Moe under Dana).
    before = engagement_people(graph(stack, seed.WIDGETCO, seed.BEFORE_MOVE))
    assert "m2a-2" in before and "m2a-2" not in people
    widget.get_by_label("Show the org chart as of date").fill(seed.BEFORE_MOVE)
    expect(widget.locator(".status")).to_contain_text(f"as of {seed.BEFORE_MOVE}")
    widget = network(page)
    expect(widget.locator("g.node")).to_have_count(len(before))
    expect(node(widget, "m2a-2")).to_have_count(1)

    # Back to the chart: the default view's people, fitted to the frame it now has
    # (it was laid out while hidden).
    widget.get_by_role("button", name="Show the org chart").click()
    expect(widget.locator("svg.chart")).to_be_visible()
    expect(widget.locator("svg.network")).to_be_hidden()
    expect(widget.locator("g.person")).to_have_count(seed.WIDGETCO_VISIBLE_AT_DEPTH_3)
    frame = widget.locator("svg.chart").bounding_box()
    assert frame is not None
    for card in widget.locator("g.person").all():
        box = card.bounding_box()
        assert box is not None
        assert (
            frame["x"] - 1 <= box["x"]
            and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
        )
    screenshot(page, "network-07-back-to-the-chart")


def test_node_sizes_follow_betweenness_then_pagerank(page: Page, stack: Stack) -> None:
    """The demo account Acme has influence lines, so PageRank tells people apart."""
    people = engagement_people(graph(stack, "acme"))
    page.goto(stack.embed_url("acme", view="network"))
    widget = network(page)
    expect(widget.locator("g.node")).to_have_count(len(people))
    betweenness = metric_of(people, "betweenness")
    assert len(set(betweenness.values())) > 3, "the scene must tell sizes apart"
    assert_ordered_as(sizes(widget), betweenness)
    positions = widget.locator("g.node").evaluate_all(
        "ns => ns.map(n => n.getAttribute('transform'))"
    )
    switch = widget.get_by_role("button", name="Size people by influence PageRank")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    expect(widget.locator(".status")).to_contain_text("size: PageRank")
    pagerank = metric_of(people, "pagerank")
    assert len(set(pagerank.values())) > 3
    assert_ordered_as(sizes(widget), pagerank)
    # Same layout, other sizes: switching does not move anyone.
    assert (
        widget.locator("g.node").evaluate_all("ns => ns.map(n => n.getAttribute('transform'))")
        == positions
    )
    expect(widget.locator(".legend")).to_contain_text("size: PageRank")
    screenshot(page, "network-02-acme-pagerank")


def test_clicking_a_node_opens_the_panel_and_highlights_the_warm_path(
    page: Page, stack: Stack
) -> None:
    warm = stack.call("GET", "/v1/paths/warm?to=d1a&k=1", None)
    best = warm["paths"][0]
    expected = [best["hops"][0]["from_id"], *(h["to_id"] for h in best["hops"])]
    assert len(expected) >= 3, "a path through someone, not a direct tie"
    page.goto(stack.embed_url(seed.WIDGETCO, view="network"))
    widget = network(page)
    node(widget, "d1a").click()
    panel = widget.get_by_role("dialog")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("Dana 1a")
    expect(panel.locator('section[data-section="roles"]')).to_contain_text("Influencer")
    path = widget.locator("path.warm-path")
    expect(path).to_have_attribute("data-path", " ".join(expected))
    on_path = widget.locator("g.node.on-path").evaluate_all(
        "ns => ns.map(n => n.getAttribute('data-person-id'))"
    )
    assert sorted(on_path) == sorted(expected)
    names = [best["hops"][0]["from_name"], *(h["to_name"] for h in best["hops"])]
    expect(widget.locator(".status")).to_contain_text(f"Warm path to Dana 1a: {' → '.join(names)}")
    expect(node(widget, "d1a")).to_have_class(re.compile(r"\bselected\b"))
    screenshot(page, "network-03-warm-path-and-panel")
    # Closing the panel clears the highlight; a team member has no warm path.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(path).to_have_count(0)
    node(widget, "tm-ava").click()
    expect(panel.locator("h2")).to_have_text("Ava Thompson")
    expect(widget.locator("path.warm-path")).to_have_count(0)


def test_keyboard_reaches_the_network_and_enter_opens_the_panel(page: Page, stack: Stack) -> None:
    people = engagement_people(graph(stack, seed.WIDGETCO))
    betweenness = metric_of(people, "betweenness")
    page.goto(stack.embed_url(seed.WIDGETCO))
    widget = page.locator(WIDGET)
    expect(widget).to_have_attribute("data-state", "ready")
    # Every new control is a labelled button, reached with the keyboard.
    to_network = widget.get_by_role("button", name="Show the relationship network")
    to_network.focus()
    page.keyboard.press("Enter")
    widget = network(page)
    for name in (
        "Show the org chart",
        "Size people by betweenness",
        "Size people by influence PageRank",
        "Export the view as SVG",
        "Export the view as PNG",
    ):
        expect(widget.get_by_role("button", name=name)).to_be_visible()
    # The chart's own controls (Expand all, Collapse, ...) are hidden here, so Tab goes
    # from the date controls to the network's one tab stop, the most central person.
    expect(widget.get_by_role("button", name="Collapse to the first levels")).to_be_hidden()
    widget.get_by_role("button", name="Export the view as PNG").focus()
    page.keyboard.press("Tab")
    expect(widget.get_by_role("combobox", name="Search people by name or title")).to_be_focused()
    widget.get_by_role("button", name="Show the current org chart").focus()
    page.keyboard.press("Tab")
    largest = max(betweenness, key=lambda i: (betweenness[i], -ord(people[i]["name"][0])))
    focused = widget.locator("g.node:focus")
    expect(focused).to_have_count(1)
    first = focused.get_attribute("data-person-id")
    assert first is not None and betweenness[first] == max(betweenness.values()), (first, largest)
    label = focused.get_attribute("aria-label") or ""
    assert people[first]["name"] in label and "betweenness" in label
    assert widget.locator('g.node[tabindex="0"]').count() == 1
    # Arrows walk from the most to the least central.
    page.keyboard.press("ArrowRight")
    second = widget.locator("g.node:focus").get_attribute("data-person-id")
    assert second is not None and second != first
    assert betweenness[second] <= betweenness[first]
    page.keyboard.press("Enter")
    panel = widget.get_by_role("dialog")
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text(people[second]["name"])
    screenshot(page, "network-04-keyboard-enter")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(node(widget, second)).to_be_focused()
    # Search finds a person in the network and focuses their node.
    search = widget.get_by_role("combobox", name="Search people by name or title")
    search.fill("Dana")
    search.press("Enter")
    expect(node(widget, "d1a")).to_be_focused()


def _downloaded(page: Page, button: Locator) -> bytes:
    with page.expect_download() as info:
        button.click()
    path = info.value.path()
    assert path is not None
    return Path(path).read_bytes()


def _svg_texts(markup: bytes | str) -> list[str]:
    root = ET.fromstring(markup if isinstance(markup, bytes) else markup.encode())
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_export_png_and_svg_of_both_views(page: Page, stack: Stack) -> None:
    page.add_init_script(
        "window.__exports = [];"
        "document.addEventListener('powermap-export', e => window.__exports.push("
        "{format: e.detail.format, filename: e.detail.filename, type: e.detail.blob.type,"
        " size: e.detail.blob.size, width: e.detail.width, height: e.detail.height,"
        " svg: e.detail.svg}));"
    )
    page.goto(stack.embed_url(seed.WIDGETCO, view="network"))
    widget = network(page)
    body = graph(stack, seed.WIDGETCO)
    today, people_now = body["graph"]["as_of"], engagement_people(body)

    svg = _downloaded(page, widget.get_by_role("button", name="Export the view as SVG"))
    (ARTIFACTS / "network-export.svg").write_bytes(svg)
    texts = _svg_texts(svg)
    assert WIDGETCO_NAME in texts
    assert any(f"as of {today}" in t for t in texts)
    assert "Legend" in texts and "our team member" in texts and "influences" in texts
    # Stands alone: styles written on the elements, nothing loaded from outside.
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}style") is None
    assert b"href=" not in svg and b"url(" not in svg
    shapes = [c for c in root.iter(f"{SVG}circle") if "shape" in (c.get("class") or "")]
    assert shapes and all(c.get("stroke") for c in shapes)
    [names] = [g for g in root.iter(f"{SVG}g") if g.get("class") == "net-labels"]
    assert names.get("font-size") and len(names.findall(f"{SVG}text")) == len(people_now)

    png = _downloaded(page, widget.get_by_role("button", name="Export the view as PNG"))
    (ARTIFACTS / "network-export.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    events = page.evaluate("window.__exports")
    assert [e["format"] for e in events] == ["svg", "png"]
    png_event = events[1]
    assert png_event["type"] == "image/png" and png_event["size"] == len(png)
    assert image.size == (png_event["width"], png_event["height"])
    assert image.size[0] >= 1200 and image.size[1] >= 800
    # Not blank: many colours, and a real share of the pixels not white.
    rgb = image.convert("RGB")
    small = rgb.resize((rgb.width // 4, rgb.height // 4))
    colours = small.getcolors(maxcolors=small.width * small.height)  # (count, colour)
    assert colours is not None and len(colours) > 50
    not_white = sum(count for count, colour in colours if colour != (255, 255, 255))
    assert not_white > 0.03 * small.width * small.height
    # The name is in the SVG the PNG was drawn from, and the stance colours in the PNG.
    assert WIDGETCO_NAME in _svg_texts(png_event["svg"])
    all_colours = rgb.getcolors(maxcolors=rgb.width * rgb.height) or []
    assert (21, 128, 61) in {colour for _, colour in all_colours}  # supportive, #15803d

    # The org chart exports too, with its cards and its own legend.
    widget.get_by_role("button", name="Show the org chart").click()
    expect(widget.locator("svg.chart")).to_be_visible()
    chart_svg = _downloaded(page, widget.get_by_role("button", name="Export the view as SVG"))
    (ARTIFACTS / "chart-export.svg").write_bytes(chart_svg)
    chart_texts = _svg_texts(chart_svg)
    assert WIDGETCO_NAME in chart_texts and "Vera One" in chart_texts
    assert any(t.startswith("Org chart · as of") for t in chart_texts)
    assert "single-threaded" in chart_texts and "dotted line" in chart_texts
    chart_png = _downloaded(page, widget.get_by_role("button", name="Export the view as PNG"))
    (ARTIFACTS / "chart-export.png").write_bytes(chart_png)
    assert Image.open(io.BytesIO(chart_png)).size[0] >= 1200
    screenshot(page, "network-05-after-export")


def test_a_host_page_takes_the_export_itself(page: Page, stack: Stack) -> None:
    """On the third-party demo page (its own strict CSP): the element's exportImage()
    method, and the cancelable `powermap-export` event (no download when prevented)."""
    page.goto(f"{stack.demo}/?account={seed.WIDGETCO}")
    element = page.locator(f'section[data-account="{seed.WIDGETCO}"] .embed.element {WIDGET}')
    expect(element).to_have_attribute("data-state", "ready")
    result = element.evaluate(
        """async el => {
          const image = await el.exportImage('png');
          const bytes = new Uint8Array(await image.blob.arrayBuffer());
          return {type: image.blob.type, size: image.blob.size, filename: image.filename,
                  magic: Array.from(bytes.slice(1, 4)), svg: image.svg};
        }"""
    )
    assert result["type"] == "image/png" and result["size"] > 10_000
    assert bytes(result["magic"]) == b"PNG"
    assert result["filename"].startswith(f"{seed.WIDGETCO}-org-chart-")
    assert WIDGETCO_NAME in _svg_texts(result["svg"])
    downloads: list[str] = []
    page.on("download", lambda d: downloads.append(d.suggested_filename))
    element.evaluate(
        "el => el.addEventListener('powermap-export', e => {"
        " window.__taken = e.detail.blob.size; e.preventDefault(); })"
    )
    element.get_by_role("button", name="Export the view as SVG").click()
    page.wait_for_function("() => window.__taken > 0")
    expect(element.locator(".status")).to_contain_text("Exported")
    page.wait_for_timeout(500)
    assert downloads == []


def test_demo_page_shows_the_network_view(page: Page, stack: Stack) -> None:
    people = engagement_people(graph(stack, "acme"))
    page.goto(f"{stack.demo}/?account=acme")
    section = page.locator('section[data-account="acme"]')
    element = section.locator(f".embed.network {WIDGET}")
    expect(element).to_have_attribute("view", "network")
    expect(element).to_have_attribute("data-state", "ready")
    expect(element.locator("g.node")).to_have_count(len(people))
    assert_ordered_as(sizes(element), metric_of(people, "betweenness"))
    # The page says what to try: overlays, what-if, the network and the export.
    notes = section.locator(".try")
    for word in ("overlay", "what-if", "Network", "Export"):
        expect(notes).to_contain_text(word)
    element.scroll_into_view_if_needed()
    screenshot(page, "network-06-demo-page-acme", full_page=True)


def test_a_team_members_panel_shows_their_ties_and_coverage_here(page: Page, stack: Stack) -> None:
    """One of ours: the panel reads `/v1/team-members/{id}` (open to the embed token, kept
    to its account) and shows the ties and the coverage they have here, not the
    stakeholder sections (roles, budgets) that had nothing to say ("Not available")."""
    detail = stack.call("GET", "/v1/team-members/tm-ava", None)  # the API key sees all
    here = [r for r in detail["relationships"] if r["account_id"] == seed.WIDGETCO]
    elsewhere = [r for r in detail["relationships"] if r["account_id"] != seed.WIDGETCO]
    assert len(here) == 2 and elsewhere, "the scene: Ava also knows people at Acme"
    covers = [a for a in detail["accounts"] if a["account_id"] == seed.WIDGETCO]
    assert [a["role"] for a in covers] == ["account_manager"]
    paths: list[str] = []
    page.on("request", lambda r: paths.append(urllib.parse.urlparse(r.url).path))
    page.goto(stack.embed_url(seed.WIDGETCO, view="network"))
    widget = network(page)
    node(widget, "tm-ava").focus()
    page.keyboard.press("Enter")
    panel = widget.get_by_role("dialog", name="Ava Thompson")
    expect(panel).to_be_visible()
    ties = panel.get_by_role("region", name="Relationships here")
    expect(ties.locator("li")).to_have_count(len(here))
    # Strongest first, each with its strength, as the API has them.
    ordered = sorted(here, key=lambda r: -r["strength"])
    expect(ties.locator("li")).to_have_text(
        [
            re.compile(
                rf"^{re.escape(r['stakeholder_name'])} · {r['strength']:.2f}"
                rf"( · last contact \d{{4}}-\d{{2}}-\d{{2}})?$"
            )
            for r in ordered
        ]
    )
    coverage = panel.get_by_role("region", name="Covers this account")
    expect(coverage).to_contain_text(f"Account manager on {WIDGETCO_NAME}")
    # The impact of their leaving still comes from the analytics API.
    expect(panel.get_by_role("region", name="If this person left")).to_contain_text("/ 100")
    expect(panel).not_to_contain_text("Not available")
    expect(
        panel.locator('section[data-section="roles"], section[data-section="budgets"]')
    ).to_have_count(0)
    for r in elsewhere:  # the embed token reads only what is about its account
        expect(panel).not_to_contain_text(r["stakeholder_name"])
    assert "/v1/team-members/tm-ava" in paths
    assert "/v1/stakeholders/tm-ava" not in paths
    screenshot(page, "network-08-team-member-panel")
    # Escape closes it and gives the focus back to Ava's node.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(node(widget, "tm-ava")).to_be_focused()
    # A stakeholder's panel right after is the stakeholder's again.
    node(widget, "v1").click()
    stakeholder = widget.get_by_role("dialog", name="Vera One")
    expect(stakeholder.locator('section[data-section="budgets"]')).to_contain_text(
        "IT Platform 2027"
    )
    expect(stakeholder.locator('section[data-section="ties"]')).to_have_count(0)
