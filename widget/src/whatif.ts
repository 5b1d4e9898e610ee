// What-if: pick one or more people — stakeholders on the chart (in pick mode, or with
// the side panel's button) and our team members above it (ties overlay) — and see on
// the chart what their leaving would do, from `POST /v1/accounts/{id}/departure-impact`
// (all of them leaving at once, at the chart's date): the people leaving, the key
// stakeholders who would go dark or single-threaded and those left without a warm path
// are marked on their cards (the ties lost turn red), and a box lists the impact score,
// the budgets left without an owner and the warm paths that break. One click clears it.
// The box opens beside the chart (below it on a narrow frame) without moving what is on
// screen, and the chart pans if needed so the person just picked stays in view.

import { h, svgEl } from "./dom";
import { type ApiClient, ApiError, encodeId } from "./api";
import type { IndexedPerson } from "./model";
import { type Box, CARD_W, type ChartView } from "./render";
import { COVERAGE_COLORS, WHATIF_COLOR } from "./styles";

export type PickKind = "stakeholder" | "team_member";
export type WhatIfFlag = "leaving" | "dark" | "single" | "unreachable" | "pathdrop";

interface PersonRef {
  id: string;
  name?: string | null;
}

interface CoverageChange {
  stakeholder_id: string;
  name?: string | null;
  coverage_before: number;
  coverage_after: number;
  remaining_team_members?: PersonRef[];
}

interface BudgetGap {
  budget_id: string;
  name?: string | null;
  authority?: string | null;
  departed?: PersonRef[];
  suggested_successor?: { id: string; name?: string | null; levels_up?: number | null } | null;
}

interface Unreachable {
  stakeholder_id: string;
  name?: string | null;
}

interface PathDrop {
  stakeholder_id: string;
  name?: string | null;
  before: number;
  after: number;
  drop: number;
}

interface LostTie {
  team_member_id: string;
  stakeholder_id: string;
  strength: number;
}

/** The parts of the departure-impact answer the what-if shows (service/domain/analytics). */
export interface Impact {
  score: number;
  departed?: { id: string; name?: string | null; kind: PickKind }[];
  active_ties_lost?: LostTie[];
  newly_dark?: CoverageChange[];
  newly_single_threaded?: CoverageChange[];
  budgets_without_owner?: BudgetGap[];
  opportunities_at_risk?: { opportunity_id: string; name?: string | null }[];
  account_roles_lost?: { role: string; departed?: PersonRef[] }[];
  newly_unreachable?: Unreachable[];
  warm_path_drops?: PathDrop[];
  notes?: string[];
}

export interface WhatIfHost {
  readonly view: ChartView;
  readonly stage: HTMLElement;
  api(): ApiClient | null;
  account(): string;
  asOf(): string | null;
  index(): Map<string, IndexedPerson>;
  reveal(id: string): void;
  nameOf(id: string): string;
  teamCards(): Map<string, SVGGElement>;
  /** Where a team member's card sits above the chart (chart coordinates), if drawn. */
  teamBox(id: string): Box | null;
  tieLines(): { path: SVGPathElement; from: string; to: string }[];
  emit(name: string, detail: unknown): void;
  changed(): void;
}

const FLAG_STYLE: Record<WhatIfFlag, { color: string; legend: string }> = {
  leaving: { color: WHATIF_COLOR, legend: "what-if: leaving" },
  dark: { color: COVERAGE_COLORS.dark, legend: "would go dark" },
  single: { color: COVERAGE_COLORS.single, legend: "would be single-threaded" },
  unreachable: { color: "#7f1d1d", legend: "no warm path left" },
  pathdrop: { color: "#9a3412", legend: "warm path weakened (before→after)" },
};
const FLAG_ORDER: WhatIfFlag[] = ["leaving", "dark", "single", "unreachable", "pathdrop"];
const WHATIF_SUFFIX = "; what-if: ";
const LIST_LIMIT = 12;

export class WhatIf {
  picking = false;
  result: Impact | null = null;
  private readonly selected = new Map<string, { name: string; kind: PickKind }>();
  private readonly box: HTMLElement;
  private readonly live: HTMLElement;
  private error: string | null = null;
  private running = false;
  private timer: number | null = null;
  private abort: AbortController | null = null;
  private marked = new Set<string>();
  private flags = new Map<string, { flags: Set<WhatIfFlag>; path?: PathDrop }>();

  constructor(private readonly host: WhatIfHost) {
    this.box = h("section", {
      class: "whatif",
      attrs: { role: "region", "aria-label": "What-if" },
    });
    this.box.hidden = true;
    this.live = h("p", { class: "sr-only", attrs: { role: "status", "aria-live": "polite" } });
    host.stage.append(this.box, this.live);
  }

  /** Whether the box is shown (people picked, or picking). */
  get isOpen(): boolean {
    return !this.box.hidden;
  }

  get ids(): string[] {
    return [...this.selected.keys()];
  }

  has(id: string): boolean {
    return this.selected.has(id);
  }

  setPicking(on: boolean): void {
    this.picking = on;
    this.render();
    this.host.changed();
  }

  toggle(id: string, name: string, kind: PickKind): void {
    if (this.selected.has(id)) this.remove(id);
    else this.add(id, name, kind);
  }

  add(id: string, name: string, kind: PickKind): void {
    if (this.selected.has(id)) return;
    this.selected.set(id, { name, kind });
    this.changedSelection();
    this.keepInView(id, kind);
  }

  /** The box may just have opened beside the chart: pans so the person picked stays in view. */
  private keepInView(id: string, kind: PickKind): void {
    const view = this.host.view;
    if (kind === "stakeholder") {
      view.ensureVisible(id);
      return;
    }
    const box = this.host.teamBox(id);
    if (box) view.ensureBoxVisible(box);
  }

  remove(id: string): void {
    if (!this.selected.delete(id)) return;
    this.changedSelection();
  }

  /** Clears the selection, the marks and the results, and leaves pick mode. */
  clear(): void {
    const had = this.selected.size > 0 || this.picking || this.result !== null;
    this.selected.clear();
    this.picking = false;
    this.resetResult();
    if (had) {
      this.live.textContent = "What-if cleared.";
      this.host.emit("powermap-whatif", { ids: [], score: null });
    }
  }

  /** The chart was redrawn at another date: keep whoever is still there, ask again. */
  rerun(): void {
    if (!this.selected.size) return;
    const index = this.host.index();
    for (const [id, pick] of this.selected) {
      if (pick.kind === "stakeholder" && !index.has(id)) this.selected.delete(id);
    }
    this.changedSelection();
  }

  private cancel(): void {
    if (this.timer !== null) window.clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
    this.running = false;
  }

  /** Drops the answer (and any request for one) and redraws the marks and the box. */
  private resetResult(): void {
    this.cancel();
    this.result = null;
    this.error = null;
    this.computeFlags();
    this.applyMarks();
    this.render();
    this.host.changed();
  }

  private changedSelection(): void {
    this.resetResult();
    if (this.selected.size) {
      this.running = true;
      // Several quick picks make one request.
      this.timer = window.setTimeout(() => void this.run(), 150);
    } else {
      this.host.emit("powermap-whatif", { ids: [], score: null });
    }
  }

  private async run(): Promise<void> {
    this.timer = null;
    const api = this.host.api();
    const account = this.host.account();
    if (!api || !account) return;
    const abort = new AbortController();
    this.abort = abort;
    const ids = this.ids;
    try {
      const result = await api.post<Impact>(
        `/v1/accounts/${encodeId(account)}/departure-impact`,
        { person_ids: ids },
        { as_of: this.host.asOf() },
        abort.signal,
      );
      if (abort.signal.aborted) return;
      this.result = result;
      this.error = null;
    } catch (error) {
      if (abort.signal.aborted) return;
      this.result = null;
      this.error =
        error instanceof ApiError
          ? `${error.problem.detail ?? error.message}${error.status ? ` (HTTP ${error.status})` : ""}`
          : String(error);
    }
    this.running = false;
    this.abort = null;
    this.computeFlags();
    this.applyMarks();
    this.render();
    this.host.changed();
    const r = this.result;
    if (r) {
      const dark = (r.newly_dark ?? []).length;
      const single = (r.newly_single_threaded ?? []).length;
      this.live.textContent =
        `What-if: impact score ${Math.round(r.score)} of 100; ${dark} would go dark, ` +
        `${single} single-threaded, ${(r.budgets_without_owner ?? []).length} budgets without an owner.`;
      this.host.emit("powermap-whatif", {
        ids,
        score: r.score,
        newlyDark: (r.newly_dark ?? []).map((c) => c.stakeholder_id),
        newlySingleThreaded: (r.newly_single_threaded ?? []).map((c) => c.stakeholder_id),
        budgetsWithoutOwner: (r.budgets_without_owner ?? []).map((b) => b.budget_id),
        newlyUnreachable: (r.newly_unreachable ?? []).map((u) => u.stakeholder_id),
      });
    } else if (this.error) {
      this.live.textContent = `What-if failed: ${this.error}`;
    }
  }

  private computeFlags(): void {
    const flags = new Map<string, { flags: Set<WhatIfFlag>; path?: PathDrop }>();
    const add = (id: string, flag: WhatIfFlag, path?: PathDrop) => {
      const entry = flags.get(id) ?? { flags: new Set<WhatIfFlag>() };
      entry.flags.add(flag);
      if (path) entry.path = path;
      flags.set(id, entry);
    };
    for (const [id, pick] of this.selected) if (pick.kind === "stakeholder") add(id, "leaving");
    const r = this.result;
    if (r) {
      for (const c of r.newly_dark ?? []) add(c.stakeholder_id, "dark");
      for (const c of r.newly_single_threaded ?? []) add(c.stakeholder_id, "single");
      const unreachable = new Set((r.newly_unreachable ?? []).map((u) => u.stakeholder_id));
      for (const id of unreachable) add(id, "unreachable");
      for (const d of r.warm_path_drops ?? []) {
        if (!unreachable.has(d.stakeholder_id)) add(d.stakeholder_id, "pathdrop", d);
      }
    }
    this.flags = flags;
  }

  /** Marks the cards drawn now; runs after every chart draw (through the overlays). */
  applyMarks(): void {
    const view = this.host.view;
    for (const id of this.marked) {
      const card = view.cardOf(id);
      if (!card) continue;
      card.querySelector(":scope > g.wmark")?.remove();
      for (const flag of FLAG_ORDER) card.classList.remove(`whatif-${flag}`);
      card.removeAttribute("data-whatif");
      const label = card.getAttribute("aria-label");
      if (label) card.setAttribute("aria-label", label.split(WHATIF_SUFFIX)[0]);
    }
    this.marked = new Set();
    for (const [id, entry] of this.flags) {
      const card = view.positions.has(id) ? view.cardById(id) : undefined;
      if (!card) continue;
      const ordered = FLAG_ORDER.filter((f) => entry.flags.has(f));
      for (const flag of ordered) card.classList.add(`whatif-${flag}`);
      card.setAttribute("data-whatif", ordered.join(" "));
      const g = svgEl(card, "g", { class: "wmark", "aria-hidden": "true" });
      let right = CARD_W;
      const words: string[] = [];
      for (const flag of ordered) {
        const text = this.pillText(flag, entry.path);
        const width = 12 + text.length * 7.7; // bold capitals
        right -= width;
        const pill = svgEl(g, "g", { class: `pill ${flag}`, transform: `translate(${right},-23)` });
        svgEl(pill, "rect", { width, height: 17, rx: 4, fill: FLAG_STYLE[flag].color });
        svgEl(pill, "text", { x: 6, y: 12.5 }, text);
        right -= 4;
        words.push(FLAG_STYLE[flag].legend);
      }
      const label = card.getAttribute("aria-label") ?? "";
      card.setAttribute("aria-label", `${label.split(WHATIF_SUFFIX)[0]}${WHATIF_SUFFIX}${words.join(", ")}`);
      this.marked.add(id);
    }
    // Team members leaving, and the ties lost with everyone leaving.
    for (const [id, card] of this.host.teamCards()) {
      const leaving = this.selected.has(id);
      card.classList.toggle("whatif-leaving", leaving);
      card.setAttribute("aria-pressed", String(leaving));
    }
    const lost = new Set((this.result?.active_ties_lost ?? []).map((t) => `${t.team_member_id}\u0000${t.stakeholder_id}`));
    for (const line of this.host.tieLines()) {
      const isLost = lost.has(`${line.from}\u0000${line.to}`);
      if (line.path.classList.contains("lost") !== isLost) line.path.classList.toggle("lost", isLost);
    }
  }

  private pillText(flag: WhatIfFlag, path?: PathDrop): string {
    switch (flag) {
      case "leaving":
        return "LEAVING";
      case "dark":
        return "→ DARK";
      case "single":
        return "→ SINGLE";
      case "unreachable":
        return "NO WARM PATH";
      case "pathdrop":
        return path ? `PATH ${path.before.toFixed(2)}→${path.after.toFixed(2)}` : "PATH ↓";
    }
  }

  /** Legend entries while a what-if is shown. */
  legendItems(): HTMLElement[] {
    if (!this.selected.size && !this.picking) return [];
    return FLAG_ORDER.map((flag) => {
      const text = flag === "pathdrop" ? "PATH" : this.pillText(flag);
      const chip = h("span", { class: "wchip", text, attrs: { "aria-hidden": "true" } });
      chip.style.background = FLAG_STYLE[flag].color;
      return h("li", { attrs: { "data-legend": "whatif" } }, chip, FLAG_STYLE[flag].legend);
    });
  }

  private personButton(id: string, text: string): HTMLElement {
    if (!this.host.index().has(id)) return h("span", { text });
    const button = h("button", {
      class: "linklike",
      text,
      attrs: { type: "button", "aria-label": `Show ${text} on the chart`, "data-person-id": id },
    });
    button.addEventListener("click", () => this.host.reveal(id));
    return button;
  }

  private list<T>(title: string, name: string, items: T[], line: (item: T) => (Node | string)[]): HTMLElement | null {
    if (!items.length) return null;
    const ul = h("ul");
    for (const item of items.slice(0, LIST_LIMIT)) ul.append(h("li", {}, ...line(item)));
    if (items.length > LIST_LIMIT) ul.append(h("li", { class: "muted", text: `and ${items.length - LIST_LIMIT} more` }));
    return h("div", { attrs: { "data-whatif-list": name } }, h("h3", { text: `${title} (${items.length})` }), ul);
  }

  private render(): void {
    const box = this.box;
    const n = this.selected.size;
    box.hidden = n === 0 && !this.picking;
    const stage = this.host.stage;
    if (stage.classList.contains("whatif-open") === box.hidden) {
      // The box takes its room beside (or, narrow, below) the chart: measure the chart's
      // frame now, so what is on screen stays put instead of moving over with it.
      stage.classList.toggle("whatif-open", !box.hidden);
      this.host.view.reframe();
    }
    if (box.hidden) {
      box.replaceChildren();
      return;
    }
    const first = n === 1 ? [...this.selected.values()][0].name : null;
    const parts: (Node | null)[] = [
      h("h2", { text: n === 0 ? "What-if" : `What if ${first ?? `these ${n} people`} left?` }),
    ];
    if (this.picking) {
      parts.push(
        h("p", {
          class: "hint",
          text: "Click people on the chart (or press Enter on them), or our team members above it with the ties overlay, to add or remove them.",
        }),
      );
    }
    if (n) {
      const chips = h("div", { class: "chips", attrs: { role: "list", "aria-label": "Leaving" } });
      for (const [id, pick] of this.selected) {
        const remove = h("button", {
          text: "✕",
          attrs: { type: "button", "aria-label": `Remove ${pick.name} from the what-if` },
        });
        remove.addEventListener("click", () => this.remove(id));
        chips.append(h("span", { class: "chip", attrs: { role: "listitem", "data-id": id } }, pick.name, remove));
      }
      parts.push(chips);
    }
    if (this.running) parts.push(h("p", { class: "muted loading", text: "Working out the impact…" }));
    if (this.error) parts.push(h("p", { class: "overlay-note error", attrs: { role: "alert" }, text: this.error }));
    const r = this.result;
    if (r) {
      const score = Math.max(0, Math.min(100, r.score));
      const fill = h("span");
      fill.style.width = `${score}%`;
      parts.push(
        h(
          "div",
          { class: "score", attrs: { "aria-label": `Impact score ${Math.round(score)} of 100` } },
          h("span", { class: "value", text: String(Math.round(score)) }),
          h("span", { class: "meter", attrs: { "aria-hidden": "true" } }, fill),
          h("span", { class: "muted", text: "/ 100 impact" }),
        ),
      );
      const who = (c: CoverageChange) => [
        this.personButton(c.stakeholder_id, c.name ?? c.stakeholder_id),
        ` (${c.coverage_before} → ${c.coverage_after} active ties)`,
      ];
      const sections = [
        this.list("Would go dark", "newly_dark", r.newly_dark ?? [], who),
        this.list("Would be single-threaded", "newly_single_threaded", r.newly_single_threaded ?? [], who),
        this.list("Budgets left without an owner", "budgets_without_owner", r.budgets_without_owner ?? [], (b) => [
          `${b.name ?? b.budget_id} (${b.authority ?? "owner"})`,
          b.suggested_successor
            ? ` — next in line: ${b.suggested_successor.name ?? b.suggested_successor.id}`
            : "",
        ]),
        this.list("Warm paths that break", "newly_unreachable", r.newly_unreachable ?? [], (u) => [
          this.personButton(u.stakeholder_id, u.name ?? u.stakeholder_id),
          " — no warm path left",
        ]),
        this.list(
          "Warm paths weakened",
          "warm_path_drops",
          (r.warm_path_drops ?? []).filter(
            (d) => !(r.newly_unreachable ?? []).some((u) => u.stakeholder_id === d.stakeholder_id),
          ),
          (d) => [this.personButton(d.stakeholder_id, d.name ?? d.stakeholder_id), ` ${d.before.toFixed(2)} → ${d.after.toFixed(2)}`],
        ),
        this.list("Opportunities at risk", "opportunities_at_risk", r.opportunities_at_risk ?? [], (o) => [
          o.name ?? o.opportunity_id,
        ]),
        this.list("Account roles left vacant", "account_roles_lost", r.account_roles_lost ?? [], (a) => [
          a.role.replace(/_/g, " "),
        ]),
      ].filter((x): x is HTMLElement => x !== null);
      if (sections.length) parts.push(...sections);
      else parts.push(h("p", { class: "muted", text: "Nothing measurable would be lost." }));
      const outside = n - (r.departed?.length ?? n);
      if (outside > 0) parts.push(h("p", { class: "muted", text: `${outside} not in the engagement graph.` }));
    }
    const clear = h("button", {
      text: "Clear what-if",
      class: "clear",
      attrs: { type: "button", "aria-label": "Clear the what-if" },
    });
    clear.addEventListener("click", () => this.clear());
    const pick = h("button", {
      text: this.picking ? "Done picking" : "Pick more",
      attrs: { type: "button", "aria-pressed": String(this.picking) },
    });
    pick.addEventListener("click", () => this.setPicking(!this.picking));
    parts.push(h("div", { class: "actions" }, clear, pick));
    box.replaceChildren(...parts.filter((p): p is Node => p !== null));
  }
}
