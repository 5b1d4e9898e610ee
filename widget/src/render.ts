// Drawing: d3-hierarchy's tidy tree lays out the currently open part of the chart
// (an invisible top node keeps several roots side by side), d3-zoom pans and zooms,
// and a keyed join keeps each person's card element across redraws so focus and
// highlight survive expanding and collapsing.

import { SVG_NS, svgEl as el } from "./dom";
import { hierarchy, tree, type HierarchyPointNode } from "d3-hierarchy";
import { select, type Selection } from "d3-selection";
import { linkVertical } from "d3-shape";
import { zoom, zoomIdentity, zoomTransform, type ZoomBehavior, type ZoomTransform } from "d3-zoom";

import {
  COVERAGE_LABELS,
  TOP_ID,
  type IndexedPerson,
  type OrgChart,
  type Person,
  coverageOf,
  distinctRoles,
  roleLabel,
  roleShort,
  stanceLabel,
} from "./model";
import { COVERAGE_COLORS, STANCE_COLORS } from "./styles";

export const CARD_W = 232;
export const CARD_H = 96;
const GAP_X = 26;
const GAP_Y = 64;
const LEVEL_H = CARD_H + GAP_Y;

type Node = HierarchyPointNode<Person>;

export interface ViewCallbacks {
  toggle(id: string): void;
  open(id: string): void;
}

export interface DrawStats {
  visible: number;
  drawMs: number;
}

/** A rectangle of chart coordinates. */
export interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

export function stanceColor(stance: number | null | undefined): string {
  if (stance === null || stance === undefined) return STANCE_COLORS.none;
  return STANCE_COLORS[String(Math.max(-2, Math.min(2, Math.round(stance))))] ?? STANCE_COLORS.none;
}

export function personLabel(entry: IndexedPerson, expanded: boolean): string {
  const p = entry.person;
  const parts = [p.name];
  if (p.title) parts.push(p.title);
  if (p.status === "left") parts.push("has left");
  const roles = distinctRoles(p).map(roleLabel);
  if (roles.length) parts.push(`roles: ${roles.join(", ")}`);
  parts.push(stanceLabel(p.stance));
  const coverage = coverageOf(p);
  parts.push(`coverage: ${coverage ? COVERAGE_LABELS[coverage] : "unknown"}`);
  const tie = p.strongest_relationship;
  if (tie) {
    parts.push(
      `strongest relationship: ${tie.team_member_name ?? tie.team_member_id}, strength ${tie.strength.toFixed(2)}`,
    );
  }
  const reports = p.children?.length ?? 0;
  if (reports) parts.push(`${reports} direct report${reports === 1 ? "" : "s"}, ${expanded ? "expanded" : "collapsed"}`);
  return parts.join("; ");
}

/** The static content of one card, built once when the person first appears. */
function buildCard(g: SVGGElement, person: Person): void {
  const stance = stanceColor(person.stance);
  el(g, "title", {}, [person.name, person.title].filter(Boolean).join(" — "));
  el(g, "rect", { class: "card", width: CARD_W, height: CARD_H, rx: 8, stroke: stance });
  el(g, "rect", { class: "stripe", width: 6, height: CARD_H - 8, x: 3, y: 4, rx: 3, fill: stance });
  el(g, "text", { class: "name", x: 15, y: 20 }, truncate(person.name, 27));
  el(g, "text", { class: "jobtitle", x: 15, y: 37 }, truncate(person.title ?? "", 36));

  const badges = el(g, "g", { class: "badges", transform: "translate(15,46)" });
  const roles = distinctRoles(person);
  if (person.status === "left") roles.unshift("left");
  let x = 0;
  for (let i = 0; i < roles.length; i++) {
    const label = roles[i] === "left" ? "Left" : roleShort(roles[i]);
    const width = 12 + label.length * 6.3;
    const reserve = i < roles.length - 1 ? 34 : 0;
    if (x + width + reserve > CARD_W - 24) {
      const more = el(badges, "g", { class: "badge more", transform: `translate(${x},0)` });
      el(more, "rect", { width: 30, height: 17, rx: 8 });
      el(more, "text", { x: 6, y: 12.5 }, `+${roles.length - i}`);
      break;
    }
    const badge = el(badges, "g", { class: `badge ${roles[i]}`, transform: `translate(${x},0)` });
    el(badge, "rect", { width, height: 17, rx: 8 });
    el(badge, "text", { x: 6, y: 12.5 }, label);
    x += width + 4;
  }

  const coverage = coverageOf(person);
  const cov = el(g, "g", { class: `coverage ${coverage ?? "unknown"}`, transform: "translate(15,74)" });
  const color = coverage ? COVERAGE_COLORS[coverage] : "#cbd5e1";
  if (coverage === "single") {
    // Half-filled: one thread. Shapes as well as colours, for colour-blind readers.
    el(cov, "circle", { cx: 5, cy: 5, r: 5, fill: "#fff", stroke: color, "stroke-width": 1.5 });
    el(cov, "path", { d: "M5,0 A5,5 0 0 1 5,10 Z", fill: color });
  } else if (coverage === "multi") {
    el(cov, "circle", { cx: 5, cy: 5, r: 5, fill: color });
    el(cov, "circle", { cx: 5, cy: 5, r: 2, fill: "#fff" });
  } else {
    el(cov, "circle", { cx: 5, cy: 5, r: 5, fill: color });
  }
  el(cov, "text", { x: 14, y: 9.5 }, coverage ?? "n/a");

  const tie = person.strongest_relationship;
  const tieText = tie
    ? `↔ ${truncate(tie.team_member_name ?? tie.team_member_id, 18)} · ${tie.strength.toFixed(2)}`
    : "↔ no relationship";
  el(g, "text", { class: "tie", x: 72, y: 83.5 }, tieText);
}

function buildToggle(g: SVGGElement): void {
  const toggle = el(g, "g", {
    class: "toggle",
    transform: `translate(${CARD_W / 2},${CARD_H + 14})`,
    role: "button",
  });
  el(toggle, "circle", { r: 12 });
  el(toggle, "text", { "text-anchor": "middle", y: 4 });
}

export class ChartView {
  readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly linkLayer: SVGGElement;
  private readonly dottedLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;
  /** Overlay lines go under the cards (cards stay readable), the team row after them. */
  readonly belowPeople: SVGGElement;
  readonly abovePeople: SVGGElement;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private readonly linkPath = linkVertical<unknown, [number, number]>()
    .source((d) => (d as { s: [number, number] }).s)
    .target((d) => (d as { t: [number, number] }).t);

  chart: OrgChart | null = null;
  index = new Map<string, IndexedPerson>();
  expanded = new Set<string>();
  positions = new Map<string, { x: number; y: number }>();
  focusId: string | null = null;
  highlightId: string | null = null;
  selectedId: string | null = null;
  private visibleNodes: Node[] = [];
  // Card and link elements by person id, for culling without querying the DOM.
  private cards = new Map<string, SVGGElement>();
  private linkPaths = new Map<string, { path: SVGPathElement; x0: number; x1: number; y0: number; y1: number }>();
  private frame = { width: 800, height: 500 };
  // The overlays (overlays.ts) draw in layers of their own after every draw, cull their
  // lines with the same box as the chart's, and may add content beside the chart.
  readonly drawHooks: (() => void)[] = [];
  readonly cullHooks: ((box: Box, scale: number) => void)[] = [];
  extraBounds: (() => Box | null) | null = null;

  // Where the frame sat in its container when last measured (see `reframe`).
  private origin: { x: number; y: number } | null = null;

  constructor(
    private readonly container: HTMLElement,
    private readonly callbacks: ViewCallbacks,
  ) {
    this.svg = document.createElementNS(SVG_NS, "svg");
    this.svg.setAttribute("class", "chart");
    this.svg.setAttribute("role", "tree");
    this.svg.setAttribute("aria-multiselectable", "false");
    container.appendChild(this.svg);
    this.viewport = el(this.svg, "g", { class: "viewport" });
    this.linkLayer = el(this.viewport, "g", { class: "links" });
    this.dottedLayer = el(this.viewport, "g", { class: "dotted-lines" });
    this.belowPeople = el(this.viewport, "g", { class: "overlays-below" });
    this.nodeLayer = el(this.viewport, "g", { class: "people" });
    this.abovePeople = el(this.viewport, "g", { class: "overlays-above" });

    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.05, 2.5])
      .on("zoom", (event: { transform: ZoomTransform }) => {
        this.viewport.setAttribute("transform", event.transform.toString());
        this.cull();
      });
    select(this.svg).call(this.zoomer).on("dblclick.zoom", null);

    new ResizeObserver(() => this.reframe()).observe(this.svg);
    this.nodeLayer.addEventListener("click", (event) => this.onClick(event));
    this.nodeLayer.addEventListener("keydown", (event) => this.onKey(event));
    // On the HTML container, not an SVG element: Chromium makes SVG elements with focus
    // listeners focusable, which would put an extra stop in the tab order.
    container.addEventListener("focusin", (event) => {
      const id = this.personIdOf(event.target);
      if (id) this.setFocus(id, false);
    });
  }

  setChart(chart: OrgChart, index: Map<string, IndexedPerson>, expanded: Set<string>): void {
    this.chart = chart;
    this.index = index;
    this.expanded = expanded;
    // New data: rebuild every card (titles, roles or coverage may have changed).
    this.nodeLayer.replaceChildren();
    this.linkLayer.replaceChildren();
    this.dottedLayer.replaceChildren();
    if (this.focusId && !index.has(this.focusId)) this.focusId = null;
    if (this.highlightId && !index.has(this.highlightId)) this.highlightId = null;
    if (this.selectedId && !index.has(this.selectedId)) this.selectedId = null;
  }

  setLabel(label: string): void {
    this.svg.setAttribute("aria-label", label);
  }

  /** Lays out and draws the open part of the chart; returns what it drew and how long it took. */
  draw(): DrawStats {
    const started = performance.now();
    const chart = this.chart;
    if (!chart) return { visible: 0, drawMs: 0 };
    // Measured before the DOM changes, so reading it forces no layout of new cards.
    this.frame = this.measure();
    const top: Person = { id: TOP_ID, name: "", children: chart.roots };
    const root = hierarchy<Person>(top, (d) =>
      d.id === TOP_ID || this.expanded.has(d.id) ? (d.children ?? null) : null,
    );
    const laid = tree<Person>()
      .nodeSize([CARD_W + GAP_X, LEVEL_H])
      .separation((a, b) => (a.parent === b.parent ? 1 : 1.12))(root);
    const nodes = laid.descendants().filter((n) => n.data.id !== TOP_ID);
    this.visibleNodes = nodes;
    this.positions = new Map(nodes.map((n) => [n.data.id, { x: n.x, y: n.y - LEVEL_H }]));

    // Solid reporting lines: manager's bottom edge to report's top edge.
    const links = laid.links().filter((l) => l.source.data.id !== TOP_ID);
    this.linkPaths.clear();
    const linkPaths = this.linkPaths;
    select(this.linkLayer)
      .selectAll<SVGPathElement, (typeof links)[number]>("path.link")
      .data(links, (l) => l.target.data.id)
      .join("path")
      .attr("class", "link")
      .each(function (l) {
        linkPaths.set(l.target.data.id, {
          path: this,
          x0: Math.min(l.source.x, l.target.x),
          x1: Math.max(l.source.x, l.target.x),
          y0: l.source.y - LEVEL_H,
          y1: l.target.y - LEVEL_H,
        });
      })
      .attr("d", (l) =>
        this.linkPath({
          s: [l.source.x, l.source.y - LEVEL_H + CARD_H],
          t: [l.target.x, l.target.y - LEVEL_H],
        } as unknown as never),
      );

    // Dotted (matrix) lines between people who are both on screen.
    const dotted = (chart.dotted_lines ?? []).filter(
      (d) => this.positions.has(d.from_id) && this.positions.has(d.to_id),
    );
    select(this.dottedLayer)
      .selectAll<SVGPathElement, (typeof dotted)[number]>("path.dotted")
      .data(dotted, (d) => `${d.from_id}\u0000${d.to_id}`)
      .join("path")
      .attr("class", "dotted")
      .attr("data-from", (d) => d.from_id)
      .attr("data-to", (d) => d.to_id)
      .attr("d", (d) => {
        const a = this.positions.get(d.from_id)!;
        const b = this.positions.get(d.to_id)!;
        const ax = a.x;
        const ay = a.y + CARD_H / 2;
        const bx = b.x;
        const by = b.y + CARD_H / 2;
        // Bow the curve sideways so it never hides under a solid line.
        const mx = (ax + bx) / 2 + (by - ay) * 0.25;
        const my = (ay + by) / 2 - Math.abs(bx - ax) * 0.18 - 30;
        return `M${ax},${ay}Q${mx},${my} ${bx},${by}`;
      });

    const view = this;
    const siblingsOf = new Map<string, number>();
    this.cards.clear();
    select(this.nodeLayer)
      .selectAll<SVGGElement, Node>("g.person")
      .data(nodes, (n) => n.data.id)
      .join(
        (enter) =>
          enter.append("g").each(function (n) {
            this.setAttribute("class", "person");
            this.setAttribute("role", "treeitem");
            this.setAttribute("data-person-id", n.data.id);
            const parentId = view.index.get(n.data.id)?.parentId;
            if (parentId) this.setAttribute("data-parent-id", parentId);
            buildCard(this, n.data);
            if ((n.data.children?.length ?? 0) > 0) buildToggle(this);
          }),
        (update) => update,
        (exit) => exit.remove(),
      )
      .each(function (n) {
        const id = n.data.id;
        view.cards.set(id, this);
        const entry = view.index.get(id)!;
        const open = view.expanded.has(id);
        const reports = n.data.children?.length ?? 0;
        const parentKey = n.parent?.data.id ?? TOP_ID;
        const pos = (siblingsOf.get(parentKey) ?? 0) + 1;
        siblingsOf.set(parentKey, pos);
        this.setAttribute("transform", `translate(${n.x - CARD_W / 2},${n.y - LEVEL_H})`);
        this.setAttribute("aria-level", String(entry.level));
        this.setAttribute("aria-posinset", String(pos));
        this.setAttribute("aria-setsize", String(n.parent?.children?.length ?? 1));
        this.setAttribute("aria-label", personLabel(entry, open));
        this.setAttribute("tabindex", id === view.focusId ? "0" : "-1");
        this.classList.toggle("left", n.data.status === "left");
        this.classList.toggle("highlighted", id === view.highlightId);
        this.classList.toggle("selected", id === view.selectedId);
        if (id === view.selectedId) this.setAttribute("aria-selected", "true");
        else this.removeAttribute("aria-selected");
        if (reports > 0) {
          this.setAttribute("aria-expanded", String(open));
          const toggle = this.querySelector<SVGGElement>("g.toggle");
          if (toggle) {
            toggle.querySelector("text")!.textContent = open ? "−" : `+${reports}`;
            toggle.setAttribute(
              "aria-label",
              `${open ? "Collapse" : "Expand"} ${reports} direct report${reports === 1 ? "" : "s"} of ${n.data.name}`,
            );
            toggle.setAttribute("aria-expanded", String(open));
          }
        } else {
          this.removeAttribute("aria-expanded");
        }
      });

    // The first visible person takes the tab stop until the user moves it.
    if (!this.focusId || !this.positions.has(this.focusId)) {
      const fallback = this.focusId ? this.nearestVisibleAncestor(this.focusId) : null;
      this.focusId = fallback ?? this.largestRoot() ?? nodes[0]?.data.id ?? null;
      if (this.focusId) this.cardOf(this.focusId)?.setAttribute("tabindex", "0");
    }
    for (const hook of this.drawHooks) hook();
    this.cull();
    return { visible: nodes.length, drawMs: performance.now() - started };
  }

  /** The drawn card of a person, from the last draw (no DOM query). */
  cardById(id: string): SVGGElement | undefined {
    return this.cards.get(id);
  }

  cardOf(id: string): SVGGElement | null {
    return this.nodeLayer.querySelector<SVGGElement>(`g.person[data-person-id="${CSS.escape(id)}"]`);
  }

  private personIdOf(target: EventTarget | null): string | null {
    const card = (target as Element | null)?.closest?.("g.person");
    return card?.getAttribute("data-person-id") ?? null;
  }

  private onClick(event: MouseEvent): void {
    const target = event.target as Element;
    const id = this.personIdOf(target);
    if (!id) return;
    if (target.closest("g.toggle")) this.callbacks.toggle(id);
    else this.callbacks.open(id);
  }

  nearestVisibleAncestor(id: string): string | null {
    let current = this.index.get(id)?.parentId ?? null;
    while (current !== null && !this.positions.has(current)) {
      current = this.index.get(current)?.parentId ?? null;
    }
    return current;
  }

  setFocus(id: string, moveDomFocus = true): void {
    if (this.focusId && this.focusId !== id) this.cardOf(this.focusId)?.setAttribute("tabindex", "-1");
    this.focusId = id;
    const card = this.cardOf(id);
    if (!card) return;
    card.setAttribute("tabindex", "0");
    if (moveDomFocus) {
      this.ensureVisible(id); // first: a culled card cannot take focus
      card.focus({ preventScroll: true });
    }
  }

  private neighbourAtLevel(id: string, step: 1 | -1): string | null {
    const pos = this.positions.get(id);
    if (!pos) return null;
    const row = this.visibleNodes
      .filter((n) => n.y - LEVEL_H === pos.y)
      .sort((a, b) => a.x - b.x)
      .map((n) => n.data.id);
    const i = row.indexOf(id) + step;
    return i >= 0 && i < row.length ? row[i] : null;
  }

  private onKey(event: KeyboardEvent): void {
    const id = this.personIdOf(event.target);
    if (!id) return;
    const entry = this.index.get(id)!;
    const hasChildren = (entry.person.children?.length ?? 0) > 0;
    let next: string | null = null;
    switch (event.key) {
      case "ArrowDown":
        if (hasChildren) {
          if (!this.expanded.has(id)) this.callbacks.toggle(id);
          next = entry.person.children![0].id;
        }
        break;
      case "ArrowUp":
        next = entry.parentId;
        break;
      case "ArrowRight":
        next = this.neighbourAtLevel(id, 1);
        break;
      case "ArrowLeft":
        next = this.neighbourAtLevel(id, -1);
        break;
      case "Home":
        next = this.chart?.roots[0]?.id ?? null;
        break;
      case "Enter":
        this.callbacks.open(id);
        break;
      case " ":
      case "+":
      case "-":
        if (hasChildren) {
          const open = this.expanded.has(id);
          if (event.key === " " || (event.key === "+") !== open) this.callbacks.toggle(id);
        }
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    if (next && this.positions.has(next)) this.setFocus(next);
  }

  private measure(): { width: number; height: number } {
    const rect = this.svg.getBoundingClientRect();
    return { width: rect.width || 800, height: rect.height || 500 };
  }

  private size(): { width: number; height: number } {
    return this.frame;
  }

  /**
   * Takes cards and links far outside the frame out of rendering (`display: none`),
   * and drops the text of cards too small to read. Software raster replays the whole
   * SVG for every tile, so painting only what is near the screen is what keeps a
   * 1,000-person chart fluid; everything stays laid out and in the DOM (search, ARIA
   * and keyboard see all of it). Runs on every zoom and pan: a loop over positions.
   */
  cull(): void {
    const { width, height } = this.frame;
    const t = zoomTransform(this.svg);
    const x0 = (-width / 2 - t.x) / t.k;
    const x1 = ((3 * width) / 2 - t.x) / t.k;
    const y0 = (-height / 2 - t.y) / t.k;
    const y1 = ((3 * height) / 2 - t.y) / t.k;
    for (const [id, card] of this.cards) {
      const p = this.positions.get(id);
      if (!p) continue;
      const out = p.x + CARD_W / 2 < x0 || p.x - CARD_W / 2 > x1 || p.y + CARD_H + 30 < y0 || p.y > y1;
      if (card.classList.contains("culled") !== out) card.classList.toggle("culled", out);
    }
    for (const link of this.linkPaths.values()) {
      const out = link.x1 < x0 || link.x0 > x1 || link.y1 < y0 || link.y0 > y1;
      if (link.path.classList.contains("culled") !== out) link.path.classList.toggle("culled", out);
    }
    this.svg.classList.toggle("lod-low", t.k < 0.3);
    for (const hook of this.cullHooks) hook({ x0, x1, y0, y1 }, t.k);
  }

  /** The chart's drawn people; with `extras`, also what the overlays add beside it. */
  bounds(extras = true): Box | null {
    if (this.positions.size === 0) return null;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = 0;
    let y1 = -Infinity;
    for (const p of this.positions.values()) {
      x0 = Math.min(x0, p.x - CARD_W / 2);
      x1 = Math.max(x1, p.x + CARD_W / 2);
      y1 = Math.max(y1, p.y + CARD_H + 28);
    }
    const extra = extras ? this.extraBounds?.() : null;
    if (extra) {
      x0 = Math.min(x0, extra.x0);
      x1 = Math.max(x1, extra.x1);
      y0 = Math.min(y0, extra.y0);
      y1 = Math.max(y1, extra.y1);
    }
    return { x0, x1, y0, y1 };
  }

  /**
   * Fits the drawn chart into the frame, top-aligned. When that would shrink cards
   * below `minScale` (a wide chart, a narrow frame) it keeps `minScale` and centres the
   * largest root instead, so the first view stays readable; panning shows the rest.
   */
  fit(minScale = 0.05): void {
    const b = this.bounds();
    if (!b) return;
    const { width, height } = this.size();
    const pad = 20;
    const k = Math.min(1, (width - 2 * pad) / (b.x1 - b.x0), (height - 2 * pad) / (b.y1 - b.y0));
    const scale = Math.max(minScale, k);
    let cx = (b.x0 + b.x1) / 2;
    if (scale > k) {
      const main = this.largestRoot();
      const pos = main ? this.positions.get(main) : undefined;
      if (pos) cx = pos.x;
    }
    this.apply(zoomIdentity.translate(width / 2 - cx * scale, pad - b.y0 * scale).scale(scale));
  }

  /** The root heading the most people: the natural first stop of the eye and of Tab. */
  largestRoot(): string | null {
    let best: string | null = null;
    let most = -1;
    for (const root of this.chart?.roots ?? []) {
      const n = this.index.get(root.id)?.descendants ?? 0;
      if (n > most) {
        most = n;
        best = root.id;
      }
    }
    return best;
  }

  zoomBy(factor: number): void {
    this.zoomer.scaleBy(select(this.svg), factor);
  }

  private apply(transform: ZoomTransform): void {
    (select(this.svg) as Selection<SVGSVGElement, unknown, null, undefined>).call(
      this.zoomer.transform,
      transform,
    );
  }

  /** Pans (and zooms in if too small to read) so the person's card is in view. */
  ensureVisible(id: string, center = false): void {
    const pos = this.positions.get(id);
    if (!pos) return;
    this.ensureBoxVisible({ x0: pos.x - CARD_W / 2, x1: pos.x + CARD_W / 2, y0: pos.y, y1: pos.y + CARD_H }, center);
  }

  /**
   * Pans so a box of the chart (chart coordinates: a card, a team member above the
   * chart) is in the frame, centring it when it is not; with `center`, centres it
   * anyway, zoomed in to a readable scale.
   */
  ensureBoxVisible(box: Box, center = false): void {
    const { width, height } = this.size();
    const current = this.currentTransform();
    const k = center ? Math.max(current.k, 0.8) : current.k;
    const [sx0, sy0] = current.apply([box.x0, box.y0]);
    const [sx1, sy1] = current.apply([box.x1, box.y1]);
    const inView = sx0 >= 0 && sx1 <= width && sy0 >= 0 && sy1 <= height;
    if (inView && !center) return;
    const cx = (box.x0 + box.x1) / 2;
    const cy = (box.y0 + box.y1) / 2;
    this.apply(zoomIdentity.translate(width / 2 - cx * k, height / 2 - cy * k).scale(k));
  }

  /**
   * Measures the frame again: on every resize (a ResizeObserver), and at once when the
   * what-if box opens or closes beside the chart (whatif.ts). When the frame's left or
   * top edge moved within its container, the chart is panned back by as much, so what
   * is on screen stays where it was rather than moving with the frame's edge.
   */
  reframe(): void {
    const rect = this.svg.getBoundingClientRect();
    if (!rect.width || !rect.height) return; // hidden: the network view is shown
    const outer = this.container.getBoundingClientRect();
    const origin = { x: rect.left - outer.left, y: rect.top - outer.top };
    const dx = this.origin ? origin.x - this.origin.x : 0;
    const dy = this.origin ? origin.y - this.origin.y : 0;
    this.origin = origin;
    this.frame = { width: rect.width, height: rect.height };
    if ((dx || dy) && this.positions.size) {
      const t = this.currentTransform();
      this.apply(zoomIdentity.translate(t.x - dx, t.y - dy).scale(t.k)); // culls too
    } else {
      this.cull();
    }
  }

  private currentTransform(): ZoomTransform {
    return zoomTransform(this.svg);
  }
}
