// The network view: the account's engagement graph (graph_data.ts) laid out by
// d3-force and drawn as SVG, zoomed and panned with d3-zoom like the chart.
//
// Layout: people start on a radial tidy tree (d3-hierarchy) of a breadth-first spanning
// forest of the graph, so neighbours start near each other; then a force simulation
// (links, many-body charge with Barnes–Hut, a weak pull to the centre so separate
// components stay near, collision by node size in graphs small enough to afford it)
// runs off-screen for a bounded number of ticks (fewer, from a cooler start, for large
// graphs) and within a time budget, never animated: the first frame shows the result. A Web Worker would keep
// the page responsive meanwhile, but a worker must be loaded from the page's own origin
// (or a blob:, which `script-src` forbids), so a custom element on a third-party page
// could not start one; the budget keeps the 5,000-person account under 3 s instead
// (bench/widget_render.py --network).
//
// Drawing: the edges as one path per relationship kind and strength band (thousands
// of lines in a handful of elements), each person one <g> with a circle (stakeholders,
// coloured by stance, ringed when key) or a rounded square (our team members), sized
// by betweenness or PageRank; names for the largest nodes. Keyboard: one tab stop (a
// roving tabindex), arrows walk the people from the largest to the smallest, Enter
// opens the side panel.

import { SVG_NS, svgEl } from "./dom";
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from "d3-force";
import { hierarchy, tree } from "d3-hierarchy";
import { select, type Selection } from "d3-selection";
import { zoom, zoomIdentity, zoomTransform, type ZoomBehavior, type ZoomTransform } from "d3-zoom";

import {
  type EngagementGraph,
  type EngagementKind,
  type Person,
  type SizeMetric,
  metricOf,
} from "./graph_data";
import { COVERAGE_LABELS, roleLabel, stanceLabel } from "./model";
import { stanceColor } from "./render";
import { NETWORK_EDGE_COLORS, TEAM_COLOR } from "./styles";

export const MIN_RADIUS = 5;
export const MAX_RADIUS = 22;
// Names are drawn for this many of the largest people (all of them in a small graph).
const LABELLED = 40;
const LABEL_ALL_UNDER = 80;
// The layout's bounds: ticks by size, and a time budget however many ticks are left.
const LAYOUT_BUDGET_MS = 700;
const LARGE = 1500;

export interface NetworkCallbacks {
  open(id: string): void;
}

export interface NetworkStats {
  nodes: number;
  edges: number;
  ticks: number;
  layoutMs: number;
  drawMs: number;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  person: Person;
  degree: number;
  i: number;
}

type SimLink = SimulationLinkDatum<SimNode> & { kind: EngagementKind; strength: number };

/** How many ticks the layout may run for a graph of `n` people. */
export function tickBudget(n: number): number {
  if (n <= 300) return 300;
  if (n <= LARGE) return 160;
  return 60;
}

interface SpanningNode {
  node: SimNode | null;
  children: SpanningNode[];
}

/**
 * Starting positions: a radial tidy tree (d3-hierarchy) of a breadth-first spanning
 * forest, each component grown from its best-connected person, so that the force
 * simulation starts from a picture where neighbours are near and needs few ticks.
 */
function seedPositions(nodes: SimNode[], adjacency: SimNode[][], radius: number): void {
  const top: SpanningNode = { node: null, children: [] };
  const seen = new Uint8Array(nodes.length);
  const byDegree = [...nodes].sort((a, b) => b.degree - a.degree);
  for (const start of byDegree) {
    if (seen[start.i]) continue;
    seen[start.i] = 1;
    const root: SpanningNode = { node: start, children: [] };
    top.children.push(root);
    const queue = [root];
    for (let q = 0; q < queue.length; q++) {
      const current = queue[q];
      for (const next of adjacency[current.node!.i]) {
        if (seen[next.i]) continue;
        seen[next.i] = 1;
        const child: SpanningNode = { node: next, children: [] };
        current.children.push(child);
        queue.push(child);
      }
    }
  }
  const laid = tree<SpanningNode>()
    .size([2 * Math.PI, radius])
    .separation((a, b) => (a.parent === b.parent ? 1 : 2) / Math.max(1, a.depth))(hierarchy(top));
  for (const point of laid.descendants()) {
    const node = point.data.node;
    if (!node) continue;
    node.x = point.y * Math.cos(point.x - Math.PI / 2);
    node.y = point.y * Math.sin(point.x - Math.PI / 2);
  }
}

/** A node's radius: the area grows with the metric, the order of sizes is the order of values. */
export function radiusFor(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return MIN_RADIUS;
  return MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * Math.sqrt(Math.min(1, value / max));
}

function band(strength: number): 0 | 1 | 2 {
  return strength >= 0.7 ? 2 : strength >= 0.4 ? 1 : 0;
}
const BAND_WIDTH = [0.9, 1.7, 2.8];

export function networkLabel(person: Person, metric: SizeMetric, degree: number): string {
  const parts = [person.name];
  if (person.kind === "team_member") {
    parts.push(`our team${person.role ? `, ${String(person.role).replace(/_/g, " ")}` : ""}`);
  } else {
    if (person.title) parts.push(person.title);
    if (person.is_key) parts.push("key stakeholder");
    const roles = person.roles ?? [];
    if (roles.length) parts.push(`roles: ${roles.map(roleLabel).join(", ")}`);
    parts.push(stanceLabel(person.stance));
    if (person.coverage_level) parts.push(`coverage: ${COVERAGE_LABELS[person.coverage_level] ?? person.coverage_level}`);
  }
  const value = person[metric];
  parts.push(
    `${metric === "pagerank" ? "PageRank" : "betweenness"} ${typeof value === "number" ? value.toFixed(3) : "n/a"}`,
  );
  parts.push(`${degree} connection${degree === 1 ? "" : "s"}`);
  return parts.join("; ");
}

export class NetworkView {
  readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private readonly edgeLayer: SVGGElement;
  private readonly pathLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;
  private readonly labelLayer: SVGGElement;
  private readonly hoverLabel: SVGTextElement;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;

  graph: EngagementGraph | null = null;
  metric: SizeMetric = "betweenness";
  positions = new Map<string, { x: number; y: number; r: number }>();
  focusId: string | null = null;
  selectedId: string | null = null;
  /** The highlighted warm path: person ids from our team member to the target. */
  path: string[] = [];
  private nodes: SimNode[] = [];
  private byId = new Map<string, SimNode>();
  private elements = new Map<string, SVGGElement>();
  private order: string[] = []; // largest first: the keyboard's walk
  private labelled = new Set<string>();
  private laidOut: EngagementGraph | null = null;
  private frame = { width: 800, height: 500 };

  constructor(
    container: HTMLElement,
    private readonly callbacks: NetworkCallbacks,
  ) {
    this.svg = svgEl(null, "svg", { class: "network", role: "group" });
    this.svg.toggleAttribute("data-hidden", true);
    container.appendChild(this.svg);
    this.viewport = svgEl(this.svg, "g", { class: "net-viewport" });
    this.edgeLayer = svgEl(this.viewport, "g", { class: "net-edges" });
    this.pathLayer = svgEl(this.viewport, "g", { class: "net-path" });
    // Names under the people: a long name may run behind a node, never hide one.
    this.labelLayer = svgEl(this.viewport, "g", { class: "net-labels", "aria-hidden": "true" });
    this.nodeLayer = svgEl(this.viewport, "g", { class: "net-nodes" });
    this.hoverLabel = svgEl(this.labelLayer, "text", { class: "net-label hover" });

    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.02, 8])
      .on("zoom", (event: { transform: ZoomTransform }) => {
        this.viewport.setAttribute("transform", event.transform.toString());
        // Names keep a readable size on screen whatever the zoom (CSSOM: CSP-safe).
        this.labelLayer.style.fontSize = `${Math.max(5, Math.min(24, 11 / event.transform.k)).toFixed(2)}px`;
      });
    select(this.svg).call(this.zoomer).on("dblclick.zoom", null);
    new ResizeObserver(() => {
      this.frame = this.measure();
    }).observe(this.svg);

    this.nodeLayer.addEventListener("click", (event) => {
      const id = this.idOf(event.target);
      if (id) this.callbacks.open(id);
    });
    this.nodeLayer.addEventListener("keydown", (event) => this.onKey(event));
    this.nodeLayer.addEventListener("pointerover", (event) => this.showHover(this.idOf(event.target)));
    this.nodeLayer.addEventListener("pointerout", () => this.showHover(null));
    container.addEventListener("focusin", (event) => {
      const id = this.idOf(event.target);
      if (id) this.setFocus(id, false);
    });
  }

  get visible(): boolean {
    return !this.svg.hasAttribute("data-hidden");
  }

  show(on: boolean): void {
    this.svg.toggleAttribute("data-hidden", !on);
    if (on) this.frame = this.measure();
  }

  setLabel(label: string): void {
    this.svg.setAttribute("aria-label", label);
  }

  /** Lays out (once per graph) and draws; returns the counts and the time each took. */
  setGraph(graph: EngagementGraph, metric: SizeMetric): NetworkStats {
    this.graph = graph;
    this.metric = metric;
    let ticks = 0;
    let layoutMs = 0;
    if (this.laidOut !== graph) {
      const started = performance.now();
      ticks = this.layout(graph);
      layoutMs = performance.now() - started;
      this.laidOut = graph;
      // New data: rebuild every node (stance, roles or key may have changed).
      this.elements.clear();
      this.nodeLayer.replaceChildren();
      this.path = [];
      if (this.selectedId && !this.byId.has(this.selectedId)) this.selectedId = null;
      if (this.focusId && !this.byId.has(this.focusId)) this.focusId = null;
    }
    const drawStarted = performance.now();
    this.draw();
    this.fit();
    this.svg.getBoundingClientRect(); // style and layout now: part of drawing
    return {
      nodes: this.nodes.length,
      edges: graph.edges.length,
      ticks,
      layoutMs,
      drawMs: performance.now() - drawStarted,
    };
  }

  /** Sizes the nodes by another metric (no new layout). */
  setMetric(metric: SizeMetric): void {
    if (!this.graph) return;
    this.metric = metric;
    this.draw();
  }

  private layout(graph: EngagementGraph): number {
    const nodes: SimNode[] = graph.people.map((person, i) => ({ id: person.id, person, degree: 0, i }));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const links: SimLink[] = [];
    const adjacency: SimNode[][] = nodes.map(() => []);
    for (const e of graph.edges) {
      const a = byId.get(e.source);
      const b = byId.get(e.target);
      if (!a || !b) continue;
      a.degree += 1;
      b.degree += 1;
      adjacency[a.i].push(b);
      adjacency[b.i].push(a);
      links.push({ source: a, target: b, kind: e.kind, strength: e.strength });
    }
    const n = nodes.length;
    const large = n > LARGE;
    seedPositions(nodes, adjacency, Math.max(150, Math.sqrt(n) * (n <= 300 ? 40 : 16)));
    const ticks = tickBudget(n);
    // Room for a node's largest size under either metric (switching keeps the layout).
    const maxOf = (metric: SizeMetric) => nodes.reduce((max, node) => Math.max(max, metricOf(node.person, metric)), 0);
    const maxB = maxOf("betweenness");
    const maxP = maxOf("pagerank");
    const room = (node: SimNode) =>
      Math.max(radiusFor(metricOf(node.person, "betweenness"), maxB), radiusFor(metricOf(node.person, "pagerank"), maxP));
    const small = n <= 300;
    // Decay so the simulation cools within its tick budget.
    const alphaMin = 0.001;
    const alpha = large ? 0.4 : 1;
    const simulation = forceSimulation<SimNode>(nodes)
      .stop()
      .alpha(alpha)
      .alphaMin(alphaMin)
      .alphaDecay(1 - Math.pow(alphaMin / alpha, 1 / ticks))
      .force(
        "link",
        forceLink<SimNode, SimLink>(links)
          .distance((l) => (small ? 55 : 28) + (small ? 45 : 30) * (1 - l.strength))
          .iterations(1),
      )
      .force("charge", forceManyBody<SimNode>().strength(small ? -180 : large ? -30 : -60).theta(large ? 1.1 : 0.9))
      .force("x", forceX<SimNode>(0).strength(small ? 0.06 : 0.04))
      .force("y", forceY<SimNode>(0).strength(small ? 0.06 : 0.04));
    // Collision costs as much as the charge: only where there are few enough people.
    if (!large) simulation.force("collide", forceCollide<SimNode>((node) => room(node) + (small ? 8 : 3)).iterations(1));
    const started = performance.now();
    let done = 0;
    while (done < ticks && simulation.alpha() >= alphaMin) {
      simulation.tick();
      done += 1;
      if (performance.now() - started > LAYOUT_BUDGET_MS) break;
    }
    this.nodes = nodes;
    this.byId = byId;
    return done;
  }

  private sizes(): Map<string, number> {
    let max = 0;
    for (const node of this.nodes) max = Math.max(max, metricOf(node.person, this.metric));
    return new Map(this.nodes.map((node) => [node.id, radiusFor(metricOf(node.person, this.metric), max)]));
  }

  private draw(): void {
    const graph = this.graph;
    if (!graph) return;
    const sizes = this.sizes();
    this.positions = new Map(
      // Whole pixels: shorter path data and attributes, the same picture.
      this.nodes.map((node) => [node.id, { x: Math.round(node.x ?? 0), y: Math.round(node.y ?? 0), r: sizes.get(node.id) ?? MIN_RADIUS }]),
    );
    this.order = [...this.nodes]
      .sort((a, b) => (sizes.get(b.id) ?? 0) - (sizes.get(a.id) ?? 0) || (a.person.name < b.person.name ? -1 : a.person.name > b.person.name ? 1 : 0))
      .map((node) => node.id);

    // Edges: one path per kind and strength band.
    const segments = new Map<string, string[]>();
    for (const e of graph.edges) {
      const a = this.positions.get(e.source);
      const b = this.positions.get(e.target);
      if (!a || !b) continue;
      const key = `${e.kind}:${band(e.strength)}`;
      let list = segments.get(key);
      if (!list) segments.set(key, (list = []));
      list.push(`M${a.x},${a.y}L${b.x},${b.y}`);
    }
    const edgePaths: SVGPathElement[] = [];
    for (const [key, list] of [...segments].sort(([a], [b]) => a.localeCompare(b))) {
      const [kind, level] = key.split(":");
      const path = svgEl(null, "path", {
        class: `net-edge ${kind}`,
        d: list.join(""),
        stroke: NETWORK_EDGE_COLORS[kind as EngagementKind],
        "stroke-width": BAND_WIDTH[Number(level)],
        "data-kind": kind,
        "data-count": list.length,
      });
      edgePaths.push(path);
    }
    this.edgeLayer.replaceChildren(...edgePaths);

    // People: kept across redraws (a metric switch only resizes them).
    const fragment = document.createDocumentFragment();
    if (!this.focusId) this.focusId = this.order[0] ?? null;
    // Few DOM calls per person: this loop builds 5,000 of them in the benchmark.
    const onPath = new Set(this.path);
    for (const node of this.nodes) {
      const p = this.positions.get(node.id)!;
      const person = node.person;
      const team = person.kind === "team_member";
      let g = this.elements.get(node.id);
      const fresh = !g;
      if (!g) {
        g = document.createElementNS(SVG_NS, "g");
        g.setAttribute("role", "button");
        g.setAttribute("data-person-id", node.id);
        g.setAttribute("transform", `translate(${p.x},${p.y})`);
        const shape = document.createElementNS(SVG_NS, team ? "rect" : "circle");
        shape.setAttribute("class", "shape");
        shape.setAttribute("fill", team ? TEAM_COLOR : stanceColor(person.stance));
        g.appendChild(shape);
        fragment.appendChild(g);
        this.elements.set(node.id, g);
      }
      const selected = node.id === this.selectedId;
      g.setAttribute(
        "class",
        `node ${team ? "team" : "stakeholder"}${!team && person.is_key ? " key" : ""}${selected ? " selected" : ""}${onPath.has(node.id) ? " on-path" : ""}`,
      );
      g.setAttribute("data-size", String(p.r));
      g.setAttribute("tabindex", node.id === this.focusId ? "0" : "-1");
      g.setAttribute("aria-label", networkLabel(person, this.metric, node.degree));
      if (selected) g.setAttribute("aria-current", "true");
      else if (!fresh) g.removeAttribute("aria-current");
      const shape = g.firstElementChild as SVGElement;
      if (team) {
        const side = p.r * 1.8;
        shape.setAttribute("x", String(-side / 2));
        shape.setAttribute("y", String(-side / 2));
        shape.setAttribute("width", String(side));
        shape.setAttribute("height", String(side));
        shape.setAttribute("rx", String(side * 0.2));
      } else {
        shape.setAttribute("r", String(p.r));
      }
    }
    if (fragment.childNodes.length) this.nodeLayer.appendChild(fragment);
    this.drawPath();
    this.drawLabels();
  }

  private drawLabels(): void {
    const labelled = new Set(this.order.length <= LABEL_ALL_UNDER ? this.order : this.order.slice(0, LABELLED));
    for (const id of this.path) labelled.add(id);
    if (this.selectedId) labelled.add(this.selectedId);
    this.labelled = labelled;
    const labels: SVGTextElement[] = [];
    for (const id of labelled) {
      const p = this.positions.get(id);
      const node = this.byId.get(id);
      if (!p || !node) continue;
      labels.push(
        svgEl(
          null,
          "text",
          {
            class: `net-label${this.path.includes(id) ? " on-path" : ""}`,
            x: (p.x + p.r + 3).toFixed(1),
            y: (p.y + 4).toFixed(1),
            "data-person-id": id,
          },
          node.person.name,
        ),
      );
    }
    this.labelLayer.replaceChildren(...labels, this.hoverLabel);
  }

  private drawPath(): void {
    const points = this.path.map((id) => this.positions.get(id)).filter((p) => p !== undefined);
    if (points.length < 2) {
      this.pathLayer.replaceChildren();
      return;
    }
    const d = points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("");
    this.pathLayer.replaceChildren(
      svgEl(null, "path", { class: "warm-path", d, "data-path": this.path.join(" ") }),
    );
  }

  /** Highlights a warm path (person ids, our team member first), or clears it. */
  setPath(path: string[]): void {
    this.path = path.filter((id) => this.byId.has(id));
    for (const [id, g] of this.elements) g.classList.toggle("on-path", this.path.includes(id));
    this.drawPath();
    this.drawLabels();
  }

  setSelected(id: string | null): void {
    if (this.selectedId) {
      const previous = this.elements.get(this.selectedId);
      previous?.classList.remove("selected");
      previous?.removeAttribute("aria-current");
    }
    this.selectedId = id && this.byId.has(id) ? id : null;
    if (this.selectedId) {
      const g = this.elements.get(this.selectedId);
      g?.classList.add("selected");
      g?.setAttribute("aria-current", "true");
    }
    this.drawLabels();
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  person(id: string): Person | null {
    return this.byId.get(id)?.person ?? null;
  }

  nodeOf(id: string): SVGGElement | null {
    return this.elements.get(id) ?? null;
  }

  private idOf(target: EventTarget | null): string | null {
    const g = (target as Element | null)?.closest?.("g.node");
    return g?.getAttribute("data-person-id") ?? null;
  }

  setFocus(id: string, moveDomFocus = true): void {
    if (this.focusId && this.focusId !== id) this.elements.get(this.focusId)?.setAttribute("tabindex", "-1");
    this.focusId = id;
    const g = this.elements.get(id);
    if (!g) return;
    g.setAttribute("tabindex", "0");
    if (moveDomFocus) {
      this.ensureVisible(id);
      g.focus({ preventScroll: true });
    }
  }

  private onKey(event: KeyboardEvent): void {
    const id = this.idOf(event.target);
    if (!id) return;
    const i = this.order.indexOf(id);
    let next: string | null = null;
    switch (event.key) {
      case "ArrowRight":
      case "ArrowDown":
        next = this.order[Math.min(this.order.length - 1, i + 1)] ?? null;
        break;
      case "ArrowLeft":
      case "ArrowUp":
        next = this.order[Math.max(0, i - 1)] ?? null;
        break;
      case "Home":
        next = this.order[0] ?? null;
        break;
      case "End":
        next = this.order[this.order.length - 1] ?? null;
        break;
      case "Enter":
      case " ":
        this.callbacks.open(id);
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    if (next) this.setFocus(next);
  }

  private showHover(id: string | null): void {
    const p = id ? this.positions.get(id) : undefined;
    const node = id ? this.byId.get(id) : undefined;
    if (!p || !node) {
      this.hoverLabel.textContent = "";
      return;
    }
    this.hoverLabel.setAttribute("x", (p.x + p.r + 3).toFixed(1));
    this.hoverLabel.setAttribute("y", (p.y + 4).toFixed(1));
    this.hoverLabel.textContent = node.person.name;
  }

  private measure(): { width: number; height: number } {
    const rect = this.svg.getBoundingClientRect();
    return { width: rect.width || 800, height: rect.height || 500 };
  }

  /** The drawing's extent in its own coordinates (the export frames it with this). */
  bounds(): { x0: number; y0: number; x1: number; y1: number } | null {
    if (this.positions.size === 0) return null;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const [id, p] of this.positions) {
      const labelled = this.labelled.has(id);
      x0 = Math.min(x0, p.x - p.r);
      x1 = Math.max(x1, p.x + p.r + (labelled ? 8 + 7 * (this.byId.get(id)?.person.name.length ?? 0) : 0));
      y0 = Math.min(y0, p.y - p.r);
      y1 = Math.max(y1, p.y + p.r);
    }
    return { x0, y0, x1, y1 };
  }

  fit(): void {
    const b = this.bounds();
    if (!b) return;
    this.frame = this.measure();
    const { width, height } = this.frame;
    const pad = 24;
    const k = Math.min(1.3, (width - 2 * pad) / Math.max(1, b.x1 - b.x0), (height - 2 * pad) / Math.max(1, b.y1 - b.y0));
    const cx = (b.x0 + b.x1) / 2;
    const cy = (b.y0 + b.y1) / 2;
    this.apply(zoomIdentity.translate(width / 2 - cx * k, height / 2 - cy * k).scale(k));
  }

  zoomBy(factor: number): void {
    this.zoomer.scaleBy(select(this.svg), factor);
  }

  private apply(transform: ZoomTransform): void {
    (select(this.svg) as Selection<SVGSVGElement, unknown, null, undefined>).call(this.zoomer.transform, transform);
  }

  /** Pans (zooming in if the node is too small to find) so the person is in view. */
  ensureVisible(id: string, center = false): void {
    const p = this.positions.get(id);
    if (!p) return;
    const { width, height } = this.frame;
    const t = zoomTransform(this.svg);
    const k = center ? Math.max(t.k, 1) : t.k;
    const [sx, sy] = t.apply([p.x, p.y]);
    const inView = sx - p.r * k >= 0 && sx + p.r * k <= width && sy - p.r * k >= 0 && sy + p.r * k <= height;
    if (inView && !center) return;
    this.apply(zoomIdentity.translate(width / 2 - p.x * k, height / 2 - p.y * k).scale(k));
  }
}
