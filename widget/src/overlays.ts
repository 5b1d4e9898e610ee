// The power-map overlays on the org chart, each toggled on its own (all off by default):
//
//   influence  who influences whom among the people drawn: an arrow from the influencer
//              to the influenced, width = strength;
//   ties       our team members in a row above the chart, each placed over the people
//              they know, a line to each of them: width = tie strength, dashed when the
//              tie is below the account's active tie threshold (`active: false`);
//   coverage   the key stakeholders' coverage state (dark / single / multi) as a ring
//              and a tag on their cards.
//
// The data is the account graph (`GET /v1/accounts/{id}/graph?format=json`, fetched once
// per account and date, and only when an overlay is first switched on; the network view
// shares that fetch: graph_data.ts, AccountGraphs). Only what is
// drawn is decorated: a line is drawn when both its ends are on the chart (in an
// expanded subtree); a line with an end inside a collapsed subtree is omitted, and the
// legend counts the lines left out. Lines are culled with the chart's own box on every
// zoom and pan, so a 1,000-person account stays fluid with every overlay on.
// The what-if mode (whatif.ts) is wired here too: it marks cards and team members.

import { SVG_NS, h, svgEl } from "./dom";
import { type ApiClient, ApiError } from "./api";
import type { AccountGraph, AccountGraphs, CoverageLevel, GraphEdge, GraphNode } from "./graph_data";
import type { IndexedPerson } from "./model";
import type { SidePanel } from "./panel";
import { type Box, CARD_H, CARD_W, type ChartView } from "./render";
import { COVERAGE_COLORS } from "./styles";
import { WhatIf } from "./whatif";

export type OverlayName = "influence" | "ties" | "coverage";
export const OVERLAYS: readonly OverlayName[] = ["influence", "ties", "coverage"];

const OVERLAY_LABELS: Record<OverlayName, { text: string; aria: string }> = {
  influence: { text: "Influence", aria: "Show influence lines between people" },
  ties: { text: "Our ties", aria: "Show our team's ties to people" },
  coverage: { text: "Key coverage", aria: "Show the key stakeholders' coverage" },
};

export const TEAM_W = 176;
export const TEAM_H = 44;
const TEAM_GAP_X = 18;
const TEAM_ROW_Y = -(TEAM_H + 84);
let markerSeq = 0;

/** The overlay names in an attribute value (`"influence ties"`, `"influence,coverage"`). */
export function parseOverlays(value: string | null): Set<OverlayName> {
  const out = new Set<OverlayName>();
  for (const token of (value ?? "").toLowerCase().split(/[\s,]+/)) {
    if ((OVERLAYS as readonly string[]).includes(token)) out.add(token as OverlayName);
  }
  return out;
}

export interface OverlayHost {
  readonly view: ChartView;
  readonly stage: HTMLElement;
  readonly panel: SidePanel;
  /** The widget's account graphs: one fetch per account and date, shared with the network view. */
  readonly graphs: AccountGraphs;
  api(): ApiClient | null;
  account(): string;
  asOf(): string | null;
  index(): Map<string, IndexedPerson>;
  reveal(id: string): void;
  /** Fits the chart (and the team row) into the frame at a readable scale. */
  fit(): void;
  /** Sets the element's `overlays` attribute (which calls `setOverlays`). */
  reflect(value: string | null): void;
  emit(name: string, detail: unknown): void;
}

export interface OverlayStats {
  overlays: OverlayName[];
  influence: number;
  influenceHidden: number;
  ties: number;
  tiesInactive: number;
  tiesHidden: number;
  teamMembers: number;
  keyMarked: number;
  keyHidden: number;
  drawMs: number;
}

interface Line {
  path: SVGPathElement;
  box: Box;
  /** The whole curve: "Q" sx,sy,cx,cy,ex,ey or "C" x0,y0,c1x,c1y,c2x,c2y,x1,y1. */
  kind: "Q" | "C";
  points: number[];
  d: string;
  marker: string | null;
  /** The clip box version the path's geometry was computed for. */
  version: number;
  clipped: boolean;
  /** Clipped away entirely: nothing of it is in the clip box (nor, then, in the view). */
  empty: boolean;
}

const SAMPLES = 48;

/** Points along a quadratic or cubic Bézier curve, as a flat x,y list. */
function sample(kind: "Q" | "C", p: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i <= SAMPLES; i++) {
    const t = i / SAMPLES;
    const u = 1 - t;
    if (kind === "Q") {
      out.push(u * u * p[0] + 2 * u * t * p[2] + t * t * p[4], u * u * p[1] + 2 * u * t * p[3] + t * t * p[5]);
    } else {
      const a = u * u * u;
      const b = 3 * u * u * t;
      const c = 3 * u * t * t;
      const d = t * t * t;
      out.push(a * p[0] + b * p[2] + c * p[4] + d * p[6], a * p[1] + b * p[3] + c * p[5] + d * p[7]);
    }
  }
  return out;
}

/**
 * The parts of a polyline inside a box (Liang–Barsky on each segment) as path data,
 * or "" when none is.
 */
export function clipPolyline(pts: number[], box: Box): string {
  let d = "";
  let lastX = NaN;
  let lastY = NaN;
  for (let i = 0; i + 3 < pts.length; i += 2) {
    const x0 = pts[i];
    const y0 = pts[i + 1];
    const dx = pts[i + 2] - x0;
    const dy = pts[i + 3] - y0;
    let t0 = 0;
    let t1 = 1;
    const edges: [number, number][] = [
      [-dx, x0 - box.x0],
      [dx, box.x1 - x0],
      [-dy, y0 - box.y0],
      [dy, box.y1 - y0],
    ];
    let visible = true;
    for (const [p, q] of edges) {
      if (p === 0) {
        if (q < 0) visible = false;
      } else {
        const r = q / p;
        if (p < 0) t0 = Math.max(t0, r);
        else t1 = Math.min(t1, r);
      }
      if (t0 > t1) visible = false;
      if (!visible) break;
    }
    if (!visible) continue;
    const ax = round(x0 + t0 * dx);
    const ay = round(y0 + t0 * dy);
    const bx = round(x0 + t1 * dx);
    const by = round(y0 + t1 * dy);
    if (ax !== lastX || ay !== lastY) d += `M${ax},${ay}`;
    d += `L${bx},${by}`;
    lastX = bx;
    lastY = by;
  }
  return d;
}

/** Where the ray from a card's centre in direction (dx, dy) leaves the card (plus a margin). */
function clip(cx: number, cy: number, dx: number, dy: number, margin: number): [number, number] {
  const hw = CARD_W / 2 + margin;
  const hh = CARD_H / 2 + margin;
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  const t = Math.min(ax > 1e-9 ? hw / ax : Infinity, ay > 1e-9 ? hh / ay : Infinity);
  return Number.isFinite(t) ? [cx + dx * t, cy + dy * t] : [cx, cy];
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

const LEVEL_TEXT: Record<CoverageLevel, string> = {
  dark: "KEY · DARK",
  single: "KEY · SINGLE",
  multi: "KEY · MULTI",
};
const LEVEL_LABEL: Record<CoverageLevel, string> = {
  dark: "key stakeholder, dark: no active tie",
  single: "key stakeholder, single-threaded",
  multi: "key stakeholder, multi-threaded",
};
const KEY_SUFFIX = "; key stakeholder";

function humanRole(role: string | null | undefined): string {
  if (!role) return "team member";
  const text = role.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class OverlayController {
  readonly toolbar: HTMLElement;
  readonly legend: HTMLUListElement;
  readonly whatif: WhatIf;
  on = new Set<OverlayName>();
  graph: AccountGraph | null = null;
  stats: OverlayStats | null = null;
  private readonly buttons = new Map<OverlayName, HTMLButtonElement>();
  private readonly whatifButton: HTMLButtonElement;
  private readonly note: HTMLElement;
  private readonly influenceLayer: SVGGElement;
  private readonly tieLayer: SVGGElement;
  private readonly teamLayer: SVGGElement;
  private readonly markerId: string;
  private nodes = new Map<string, GraphNode>();
  private influences: GraphEdge[] = [];
  private knows: GraphEdge[] = [];
  private team: GraphNode[] = [];
  private graphKey: string | null = null;
  private loading: AbortController | null = null;
  private lines: Line[] = [];
  // Lines are clipped to a box around the view (with slack, so panning rarely re-clips):
  // software raster replays every item whose bounds meet a tile, so a tie running across
  // a 1,000-person chart would otherwise be painted once per tile of the frame.
  private clipBox: Box | null = null;
  private clipVersion = 0;
  private linesOf = new Map<string, SVGPathElement[]>();
  private tieLines: { path: SVGPathElement; from: string; to: string }[] = [];
  private teamCards = new Map<string, SVGGElement>();
  private teamX = new Map<string, number>(); // the centre of each team member's card
  private teamBox: Box | null = null;
  private decorated = new Set<string>();
  private lastBox: Box | null = null;
  private teamFocus: string | null = null;
  private fitWhenTeamDrawn = false;
  private emphasised: string | null = null;

  constructor(private readonly host: OverlayHost) {
    const { view } = host;
    this.markerId = `pm-influence-arrow-${++markerSeq}`;
    const defs = svgEl(view.belowPeople, "defs", {});
    const marker = svgEl(defs, "marker", {
      id: this.markerId,
      viewBox: "0 0 10 10",
      refX: 9,
      refY: 5,
      markerWidth: 11,
      markerHeight: 11,
      markerUnits: "userSpaceOnUse",
      orient: "auto",
    });
    svgEl(marker, "path", { d: "M0,0 L10,5 L0,10 Z", class: "influence-arrow" });
    this.tieLayer = svgEl(view.belowPeople, "g", { class: "tie-lines" });
    this.influenceLayer = svgEl(view.belowPeople, "g", { class: "influence-lines" });
    this.teamLayer = svgEl(view.abovePeople, "g", {
      class: "team-row",
      role: "group",
      "aria-label": "Our team members",
    });

    this.toolbar = h("div", {
      class: "overlay-tools",
      attrs: { role: "group", "aria-label": "Overlays and what-if" },
    });
    for (const name of OVERLAYS) {
      const label = OVERLAY_LABELS[name];
      const button = h("button", {
        text: label.text,
        attrs: {
          type: "button",
          "aria-pressed": "false",
          "aria-label": label.aria,
          "data-overlay": name,
        },
      });
      button.addEventListener("click", () => this.toggle(name));
      this.buttons.set(name, button);
      this.toolbar.append(button);
    }
    this.whatifButton = h("button", {
      text: "What-if",
      class: "whatif-toggle",
      attrs: {
        type: "button",
        "aria-pressed": "false",
        "aria-label": "What-if: pick people to see what their leaving does",
      },
    });
    this.toolbar.append(this.whatifButton);

    this.legend = h("ul", { class: "overlay-legend", attrs: { "aria-label": "Overlays" } });
    this.note = h("li", { class: "overlay-note", attrs: { role: "status", "aria-live": "polite" } });

    this.whatif = new WhatIf({
      view,
      stage: host.stage,
      api: () => host.api(),
      account: () => host.account(),
      asOf: () => host.asOf(),
      index: () => host.index(),
      reveal: (id) => host.reveal(id),
      nameOf: (id) => this.nameOf(id),
      teamCards: () => this.teamCards,
      teamBox: (id) => {
        const x = this.teamX.get(id);
        return x === undefined
          ? null
          : { x0: x - TEAM_W / 2, x1: x + TEAM_W / 2, y0: TEAM_ROW_Y, y1: TEAM_ROW_Y + TEAM_H };
      },
      tieLines: () => this.tieLines,
      emit: (name, detail) => host.emit(name, detail),
      changed: () => {
        this.whatifButton.setAttribute("aria-pressed", String(this.whatif.picking));
        this.updateLegend();
      },
    });
    this.whatifButton.addEventListener("click", () => this.whatif.setPicking(!this.whatif.picking));
    host.panel.onWhatIf = (id, name, kind) => this.whatif.add(id, name, kind);

    view.drawHooks.push(() => this.draw());
    view.cullHooks.push((box) => this.cull(box));
    view.extraBounds = () => (this.on.has("ties") ? this.teamBox : null);

    // Emphasis: pointing at or focusing a person (or team member) brings out their lines.
    view.svg.addEventListener("pointerover", (event) => this.emphasise(this.ownerOf(event.target)));
    view.svg.addEventListener("pointerleave", () => this.emphasise(null));
    host.stage.addEventListener("focusin", (event) => this.emphasise(this.ownerOf(event.target)));
    this.teamLayer.addEventListener("click", (event) => {
      const id = this.teamIdOf(event.target);
      if (id) this.pickTeamMember(id);
    });
    this.teamLayer.addEventListener("keydown", (event) => this.onTeamKey(event));
  }

  /** Whether a card's Enter/click should go to the what-if instead of the side panel. */
  intercept(id: string): boolean {
    if (!this.whatif.picking) return false;
    const entry = this.host.index().get(id);
    this.whatif.toggle(id, entry?.person.name ?? id, "stakeholder");
    return true;
  }

  /** From the `overlays` attribute. */
  setOverlays(value: string | null): void {
    const next = parseOverlays(value);
    const tiesTurnedOn = next.has("ties") && !this.on.has("ties");
    this.on = next;
    for (const [name, button] of this.buttons) button.setAttribute("aria-pressed", String(next.has(name)));
    if (tiesTurnedOn) this.fitWhenTeamDrawn = true;
    if (next.size === 0) {
      this.draw();
      this.updateLegend();
      return;
    }
    if (this.graph && this.graphKey === this.key()) {
      this.redraw();
    } else {
      this.ensureGraph();
      this.draw(); // clears what is off
    }
    this.updateLegend();
  }

  private toggle(name: OverlayName): void {
    const next = new Set(this.on);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    const value = OVERLAYS.filter((n) => next.has(n)).join(" ");
    this.host.reflect(value || null);
  }

  private key(account = this.host.account(), asOf = this.host.asOf()): string {
    return `${account}\u0000${asOf ?? ""}`;
  }

  /** A new chart was drawn (first load, another date or account). */
  chartLoaded(sameAccount: boolean): void {
    if (!sameAccount) {
      // The chart was just fitted beside an open what-if box: closing it gives the chart
      // the whole frame again, so fit it to that.
      const wasOpen = this.whatif.isOpen;
      this.whatif.clear();
      if (wasOpen) this.host.fit();
    } else {
      this.whatif.rerun();
    }
    // The chart was just fitted; with the team row already drawn it was fitted with it.
    this.fitWhenTeamDrawn = this.on.has("ties") && this.teamBox === null;
    if (this.on.size) this.ensureGraph();
  }

  /** Starts fetching the graph with the chart when overlays are on at load. */
  prefetch(api: ApiClient, account: string, asOf: string | null): void {
    if (this.on.size) this.ensureGraph(api, account, asOf);
  }

  private ensureGraph(
    api = this.host.api(),
    account = this.host.account(),
    asOf = this.host.asOf(),
  ): void {
    if (!api || !account) return;
    const key = this.key(account, asOf);
    if (this.graphKey === key && (this.graph || this.loading)) return;
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    this.graphKey = key;
    this.setGraph(null);
    this.setNote("Loading overlays…");
    this.host.graphs
      .get(api, account, asOf, abort.signal)
      .then((graph) => {
        if (abort.signal.aborted || this.graphKey !== key) return;
        this.loading = null;
        this.setGraph(graph);
        this.setNote("");
        if (this.host.view.positions.size) this.redraw();
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        this.loading = null;
        this.graphKey = null;
        const detail =
          error instanceof ApiError
            ? `${error.problem.detail ?? error.message}${error.status ? ` (HTTP ${error.status})` : ""}`
            : String(error);
        this.setNote(`The overlays could not be loaded: ${detail}`, true);
      });
  }

  private setGraph(graph: AccountGraph | null): void {
    this.graph = graph;
    this.nodes = new Map((graph?.nodes ?? []).map((n) => [n.id, n]));
    this.influences = [];
    this.knows = [];
    for (const edge of graph?.edges ?? []) {
      if (edge.kind === "influences") this.influences.push(edge);
      else if (edge.kind === "knows") this.knows.push(edge);
    }
    this.team = (graph?.nodes ?? [])
      .filter((n) => n.kind === "team_member")
      .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
  }

  private setNote(text: string, error = false): void {
    this.note.textContent = text;
    this.note.classList.toggle("error", error);
    this.updateLegend();
  }

  private nameOf(id: string): string {
    return this.host.index().get(id)?.person.name ?? this.nodes.get(id)?.name ?? id;
  }

  /** Draws the overlays again now (not waiting for the chart's next draw). */
  redraw(): void {
    this.draw();
    if (this.lastBox) this.cull(this.lastBox);
    if (this.fitWhenTeamDrawn && this.teamBox) {
      this.fitWhenTeamDrawn = false;
      this.host.fit();
    }
  }

  /** Runs after every draw of the chart (ChartView.drawHooks), before culling. */
  draw(): void {
    const started = performance.now();
    this.influenceLayer.replaceChildren();
    this.tieLayer.replaceChildren();
    this.teamLayer.replaceChildren();
    this.undecorate();
    this.lines = [];
    this.clipBox = null;
    this.linesOf = new Map();
    this.tieLines = [];
    this.teamCards = new Map();
    this.teamX = new Map();
    this.teamBox = null;
    this.emphasised = null;
    this.host.view.svg.classList.remove("emph");
    const stats: OverlayStats = {
      overlays: OVERLAYS.filter((n) => this.on.has(n)),
      influence: 0,
      influenceHidden: 0,
      ties: 0,
      tiesInactive: 0,
      tiesHidden: 0,
      teamMembers: 0,
      keyMarked: 0,
      keyHidden: 0,
      drawMs: 0,
    };
    const ready = this.graph !== null && this.graphKey === this.key();
    if (ready && this.on.has("influence")) this.drawInfluence(stats);
    if (ready && this.on.has("ties")) this.drawTies(stats);
    if (ready && this.on.has("coverage")) this.decorateKeys(stats);
    this.whatif.applyMarks();
    stats.drawMs = performance.now() - started;
    this.stats = ready && this.on.size ? stats : null;
    this.updateLegend();
    if (this.stats) this.host.emit("powermap-overlays", { ...this.stats });
  }

  private register(
    path: SVGPathElement,
    kind: "Q" | "C",
    points: number[],
    ends: string[],
  ): void {
    const xs = points.filter((_, i) => i % 2 === 0);
    const ys = points.filter((_, i) => i % 2 === 1);
    const box = { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
    const d = path.getAttribute("d") ?? "";
    const marker = path.getAttribute("marker-end");
    this.lines.push({ path, box, kind, points, d, marker, version: -1, clipped: false, empty: false });
    for (const id of ends) {
      const list = this.linesOf.get(id);
      if (list) list.push(path);
      else this.linesOf.set(id, [path]);
    }
  }

  private drawInfluence(stats: OverlayStats): void {
    const positions = this.host.view.positions;
    const index = this.host.index();
    const fragment = document.createDocumentFragment();
    const marker = `url(#${this.markerId})`;
    for (const edge of this.influences) {
      const a = positions.get(edge.source);
      const b = positions.get(edge.target);
      if (!a || !b) {
        if (index.has(edge.source) || index.has(edge.target)) stats.influenceHidden++;
        continue;
      }
      const ax = a.x;
      const ay = a.y + CARD_H / 2;
      const bx = b.x;
      const by = b.y + CARD_H / 2;
      const dx = bx - ax;
      const dy = by - ay;
      const len = Math.hypot(dx, dy) || 1;
      // Bowed to the left of the direction of influence: A→B and B→A stay apart.
      const bow = Math.min(0.2 * len, 140);
      const cx = (ax + bx) / 2 - (dy / len) * bow;
      const cy = (ay + by) / 2 + (dx / len) * bow;
      const [sx, sy] = clip(ax, ay, cx - ax, cy - ay, 2);
      const [ex, ey] = clip(bx, by, cx - bx, cy - by, 3);
      const strength = Math.max(0, Math.min(1, edge.strength ?? 0.5));
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("class", "influence");
      path.setAttribute("d", `M${round(sx)},${round(sy)}Q${round(cx)},${round(cy)} ${round(ex)},${round(ey)}`);
      path.setAttribute("stroke-width", String(round(1 + 4 * strength)));
      path.setAttribute("marker-end", marker);
      path.setAttribute("data-from", edge.source);
      path.setAttribute("data-to", edge.target);
      path.setAttribute("data-strength", String(strength));
      fragment.appendChild(path);
      this.register(path, "Q", [sx, sy, cx, cy, ex, ey], [edge.source, edge.target]);
      stats.influence++;
    }
    this.influenceLayer.appendChild(fragment);
  }

  /**
   * The team row above the chart: each member over the mean position of the people they
   * know on the chart (members knowing no one drawn at the end of the row), pushed apart
   * so no two overlap; then one line per tie to a person drawn.
   */
  private drawTies(stats: OverlayStats): void {
    const view = this.host.view;
    const positions = view.positions;
    const index = this.host.index();
    const chart = view.bounds(false);
    if (!chart) return;
    const byMember = new Map<string, GraphEdge[]>();
    for (const edge of this.knows) {
      const list = byMember.get(edge.source);
      if (list) list.push(edge);
      else byMember.set(edge.source, [edge]);
    }
    const placed: { node: GraphNode; want: number | null; x: number }[] = this.team.map((node) => {
      const xs = (byMember.get(node.id) ?? [])
        .map((e) => positions.get(e.target)?.x)
        .filter((x): x is number => x !== undefined);
      const want = xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
      return { node, want, x: want ?? 0 };
    });
    const anchored = placed.filter((p) => p.want !== null).sort((a, b) => a.want! - b.want!);
    const floating = placed.filter((p) => p.want === null);
    const step = TEAM_W + TEAM_GAP_X;
    for (let i = 0; i < anchored.length; i++) {
      anchored[i].x = i === 0 ? anchored[i].want! : Math.max(anchored[i].want!, anchored[i - 1].x + step);
    }
    if (anchored.length) {
      // Pushing apart only moves right: shift back so the row is centred on its wishes.
      const shift = anchored.reduce((s, p) => s + (p.x - p.want!), 0) / anchored.length;
      for (const p of anchored) p.x -= shift;
    }
    let next = anchored.length
      ? anchored[anchored.length - 1].x + step
      : (chart.x0 + chart.x1) / 2 - ((floating.length - 1) * step) / 2;
    for (const p of floating) {
      p.x = next;
      next += step;
    }
    const row = [...anchored, ...floating];
    if (!row.length) return;
    this.teamBox = {
      x0: Math.min(...row.map((p) => p.x)) - TEAM_W / 2,
      x1: Math.max(...row.map((p) => p.x)) + TEAM_W / 2,
      y0: TEAM_ROW_Y - 8,
      y1: TEAM_ROW_Y + TEAM_H,
    };

    const fragment = document.createDocumentFragment();
    const y0 = TEAM_ROW_Y + TEAM_H;
    for (const p of row) {
      for (const edge of byMember.get(p.node.id) ?? []) {
        const target = positions.get(edge.target);
        if (!target) {
          if (index.has(edge.target)) stats.tiesHidden++;
          continue;
        }
        const offset = Math.max(-CARD_W / 2 + 18, Math.min(CARD_W / 2 - 18, (p.x - target.x) * 0.25));
        const ex = target.x + offset;
        const ey = target.y - 2;
        const my = (y0 + ey) / 2;
        const strength = Math.max(0, Math.min(1, edge.strength ?? 0.5));
        const active = edge.active !== false;
        const path = document.createElementNS(SVG_NS, "path");
        path.setAttribute("class", active ? "tie-line" : "tie-line inactive");
        path.setAttribute("d", `M${round(p.x)},${y0}C${round(p.x)},${round(my)} ${round(ex)},${round(my)} ${round(ex)},${round(ey)}`);
        path.setAttribute("stroke-width", String(round(1 + 5 * strength)));
        path.setAttribute("data-from", edge.source);
        path.setAttribute("data-to", edge.target);
        path.setAttribute("data-strength", String(strength));
        path.setAttribute("data-active", String(active));
        fragment.appendChild(path);
        this.register(path, "C", [p.x, y0, p.x, my, ex, my, ex, ey], [edge.source, edge.target]);
        this.tieLines.push({ path, from: edge.source, to: edge.target });
        stats.ties++;
        if (!active) stats.tiesInactive++;
      }
    }
    this.tieLayer.appendChild(fragment);

    if (!this.teamFocus || !row.some((p) => p.node.id === this.teamFocus)) {
      this.teamFocus = row[0].node.id;
    }
    for (const p of row) this.drawTeamCard(p.node, p.x, byMember.get(p.node.id) ?? []);
    stats.teamMembers = row.length;
  }

  private drawTeamCard(node: GraphNode, x: number, ties: GraphEdge[]): void {
    const positions = this.host.view.positions;
    const shown = ties.filter((e) => positions.has(e.target)).length;
    const g = svgEl(this.teamLayer, "g", {
      class: node.status === "left" ? "team left" : "team",
      transform: `translate(${round(x - TEAM_W / 2)},${TEAM_ROW_Y})`,
      role: "button",
      tabindex: node.id === this.teamFocus ? 0 : -1,
      "data-team-member-id": node.id,
      "aria-pressed": String(this.whatif.has(node.id)),
      "aria-label":
        `${node.name ?? node.id}, our ${humanRole(node.role).toLowerCase()}; ` +
        `knows ${ties.length} ${ties.length === 1 ? "person" : "people"} here, ${shown} shown; ` +
        "Enter adds to or removes from the what-if",
    });
    svgEl(g, "title", {}, `${node.name ?? node.id} — ${humanRole(node.role)}`);
    svgEl(g, "rect", { class: "tcard", width: TEAM_W, height: TEAM_H, rx: 10 });
    const name = node.name ?? node.id;
    svgEl(g, "text", { class: "tname", x: 10, y: 18 }, name.length > 24 ? `${name.slice(0, 23)}…` : name);
    svgEl(g, "text", { class: "trole", x: 10, y: 34 }, `${humanRole(node.role)} · ${ties.length} tie${ties.length === 1 ? "" : "s"}`);
    this.teamCards.set(node.id, g);
    this.teamX.set(node.id, x);
  }

  private teamIdOf(target: EventTarget | null): string | null {
    return (target as Element | null)?.closest?.("g.team")?.getAttribute("data-team-member-id") ?? null;
  }

  private ownerOf(target: EventTarget | null): string | null {
    const el = target as Element | null;
    const owner = el?.closest?.("g.person, g.team");
    return owner?.getAttribute("data-person-id") ?? owner?.getAttribute("data-team-member-id") ?? null;
  }

  private pickTeamMember(id: string): void {
    this.whatif.toggle(id, this.nameOf(id), "team_member");
  }

  private onTeamKey(event: KeyboardEvent): void {
    const id = this.teamIdOf(event.target);
    if (!id) return;
    const ids = [...this.teamCards.keys()];
    const i = ids.indexOf(id);
    let next: string | null = null;
    switch (event.key) {
      case "Enter":
      case " ":
        this.pickTeamMember(id);
        break;
      case "ArrowRight":
        next = ids[Math.min(ids.length - 1, i + 1)];
        break;
      case "ArrowLeft":
        next = ids[Math.max(0, i - 1)];
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    if (next && next !== id) {
      this.teamCards.get(id)?.setAttribute("tabindex", "-1");
      this.teamFocus = next;
      const card = this.teamCards.get(next)!;
      card.setAttribute("tabindex", "0");
      card.focus({ preventScroll: true });
    }
  }

  /** The team card of a member (for tests and the what-if marks). */
  teamCard(id: string): SVGGElement | undefined {
    return this.teamCards.get(id);
  }

  private decorateKeys(stats: OverlayStats): void {
    const view = this.host.view;
    for (const node of this.nodes.values()) {
      if (node.kind !== "stakeholder" || node.is_key !== true) continue;
      const level = node.coverage_level;
      if (level !== "dark" && level !== "single" && level !== "multi") continue;
      const card = view.positions.has(node.id) ? view.cardById(node.id) : undefined;
      if (!card) {
        if (this.host.index().has(node.id)) stats.keyHidden++;
        continue;
      }
      const color = COVERAGE_COLORS[level];
      const g = document.createElementNS(SVG_NS, "g");
      g.setAttribute("class", `keycov ${level}`);
      g.setAttribute("aria-hidden", "true");
      svgEl(g, "rect", { class: "ring", x: -6, y: -6, width: CARD_W + 12, height: CARD_H + 12, rx: 12, stroke: color });
      const text = LEVEL_TEXT[level];
      const tag = svgEl(g, "g", { class: "tag", transform: "translate(10,-25)" });
      svgEl(tag, "rect", { width: 14 + text.length * 7, height: 17, rx: 4, fill: color });
      svgEl(tag, "text", { x: 7, y: 12.5 }, text);
      card.insertBefore(g, card.firstChild);
      card.setAttribute("data-key-coverage", level);
      const label = card.getAttribute("aria-label") ?? "";
      card.setAttribute("aria-label", `${label.split(KEY_SUFFIX)[0]}${KEY_SUFFIX}: ${LEVEL_LABEL[level].replace("key stakeholder, ", "")}`);
      this.decorated.add(node.id);
      stats.keyMarked++;
    }
  }

  private undecorate(): void {
    for (const id of this.decorated) {
      const card = this.host.view.cardOf(id);
      if (!card) continue;
      card.querySelector(":scope > g.keycov")?.remove();
      card.removeAttribute("data-key-coverage");
      const label = card.getAttribute("aria-label");
      if (label) card.setAttribute("aria-label", label.split(KEY_SUFFIX)[0]);
    }
    this.decorated.clear();
  }

  /**
   * Takes lines far outside the frame out of rendering, like the chart's own links, and
   * clips those running out of a box around the view to it (an arrow only where the
   * influenced end is in the box). The clip box has a frame of slack on every side, so
   * it is recomputed only when the view leaves it or zooms out of it.
   */
  private cull(box: Box): void {
    this.lastBox = box;
    // The culling box is the frame with half a frame around it: the frame is its middle.
    const w = (box.x1 - box.x0) / 2;
    const hgt = (box.y1 - box.y0) / 2;
    const frame = { x0: box.x0 + w / 2, x1: box.x1 - w / 2, y0: box.y0 + hgt / 2, y1: box.y1 - hgt / 2 };
    let clip = this.clipBox;
    if (
      !clip ||
      frame.x0 < clip.x0 ||
      frame.x1 > clip.x1 ||
      frame.y0 < clip.y0 ||
      frame.y1 > clip.y1 ||
      clip.x1 - clip.x0 > 3 * w
    ) {
      clip = box;
      this.clipBox = clip;
      this.clipVersion++;
    }
    for (const line of this.lines) {
      const { path, box: b } = line;
      let out = b.x1 < box.x0 || b.x0 > box.x1 || b.y1 < box.y0 || b.y0 > box.y1;
      if (!out && line.version !== this.clipVersion) {
        line.version = this.clipVersion;
        const inside = b.x0 >= clip.x0 && b.x1 <= clip.x1 && b.y0 >= clip.y0 && b.y1 <= clip.y1;
        if (inside) {
          if (line.clipped) {
            path.setAttribute("d", line.d);
            if (line.marker) path.setAttribute("marker-end", line.marker);
            line.clipped = false;
          }
          line.empty = false;
        } else {
          const pts = sample(line.kind, line.points);
          const d = clipPolyline(pts, clip);
          path.setAttribute("d", d || "M0,0");
          const n = pts.length;
          const endIn = pts[n - 2] >= clip.x0 && pts[n - 2] <= clip.x1 && pts[n - 1] >= clip.y0 && pts[n - 1] <= clip.y1;
          if (line.marker && !endIn) path.removeAttribute("marker-end");
          else if (line.marker) path.setAttribute("marker-end", line.marker);
          line.clipped = true;
          line.empty = !d;
        }
      }
      if (line.empty) out = true;
      if (path.classList.contains("culled") !== out) path.classList.toggle("culled", out);
    }
  }

  private emphasise(id: string | null): void {
    if (id === this.emphasised) return;
    for (const path of this.linesOf.get(this.emphasised ?? "") ?? []) path.classList.remove("emph");
    this.emphasised = id;
    const paths = id ? this.linesOf.get(id) : undefined;
    this.host.view.svg.classList.toggle("emph", Boolean(paths?.length));
    for (const path of paths ?? []) path.classList.add("emph");
  }

  /** The legend's overlay part: what each overlay on shows, with how much is drawn. */
  updateLegend(): void {
    const items: HTMLElement[] = [];
    const s = this.stats;
    const item = (marker: HTMLElement, text: string, overlay: string) =>
      h("li", { attrs: { "data-legend": overlay } }, marker, text);
    const mark = (cls: string, color?: string) => {
      const span = h("span", { class: cls, attrs: { "aria-hidden": "true" } });
      if (color) span.style.borderColor = color;
      return span;
    };
    if (this.on.has("influence")) {
      const counts = s ? ` · ${s.influence} shown${s.influenceHidden ? `, ${s.influenceHidden} to collapsed people not drawn` : ""}` : "";
      items.push(item(mark("infline"), `influences (arrow: who influences whom; width: strength)${counts}`, "influence"));
    }
    if (this.on.has("ties")) {
      const theta = this.graph?.graph.active_tie_threshold;
      items.push(item(mark("teamchip"), "our team member (above the chart)", "ties"));
      const counts = s ? ` · ${s.ties - s.tiesInactive} shown` : "";
      items.push(item(mark("tieline"), `active tie (width: strength)${counts}`, "ties"));
      const inactive = s ? ` · ${s.tiesInactive} shown${s.tiesHidden ? `; ${s.tiesHidden} tie${s.tiesHidden === 1 ? "" : "s"} to collapsed people not drawn` : ""}` : "";
      items.push(
        item(
          mark("tieline inactive"),
          `tie below the activity threshold${theta !== undefined ? ` (${theta})` : ""}${inactive}`,
          "ties",
        ),
      );
    }
    if (this.on.has("coverage")) {
      items.push(item(mark("ringmark", COVERAGE_COLORS.dark), "key stakeholder: dark", "coverage"));
      items.push(item(mark("ringmark single", COVERAGE_COLORS.single), "key: single-threaded", "coverage"));
      const counts = s ? ` · ${s.keyMarked} key stakeholders shown${s.keyHidden ? `, ${s.keyHidden} collapsed` : ""}` : "";
      items.push(item(mark("ringmark", COVERAGE_COLORS.multi), `key: multi-threaded${counts}`, "coverage"));
    }
    items.push(...this.whatif.legendItems());
    // The note (loading, errors) stays in the DOM: a live region announces changes only.
    this.legend.classList.toggle("empty", items.length === 0 && !this.note.textContent);
    this.legend.replaceChildren(...items, this.note);
  }
}
