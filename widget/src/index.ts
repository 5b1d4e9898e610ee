// <powermap-org-chart account="ID" api-base="URL" token="EMBED TOKEN"
//                     [as-of="YYYY-MM-DD"] [collapse-depth="3"]>
//
// A self-contained custom element: shadow DOM, styles in an adopted stylesheet,
// no inline script or style needed from the host page, so it runs under a strict
// Content-Security-Policy. It fetches the account's org chart with a short-lived
// embed token, draws it (render.ts), and opens a side panel per person (panel.ts).
//
// Events (bubbling, composed): `powermap-render` {visible, people, drawMs, asOf},
// `powermap-error` {status, type, detail} — e.g. so a host can mint a fresh token
// and set the `token` attribute, which reloads the chart — and `powermap-select` {id}.
// `view="network"` shows the account's engagement graph instead of the chart
// (network.ts); the toolbar exports either view as SVG or PNG (export_image.ts,
// `powermap-export` {format, blob, filename, width, height, svg}; `exportImage()`).

import { h } from "./dom";
import { ApiClient, ApiError, encodeId } from "./api";
import {
  type IndexedPerson,
  type OrgChart,
  ancestorsOf,
  indexPeople,
  initiallyExpanded,
  searchPeople,
} from "./model";
// --- h-overlays ---
import { OverlayController } from "./overlays";
// --- end h-overlays ---
import { SidePanel } from "./panel";
import { ChartView } from "./render";
import { COVERAGE_COLORS, CSS, DOTTED_COLOR, STANCE_COLORS } from "./styles";
// ---- h-network: network view and image export (begin) ----
import { type ExportedImage, type ImageFormat, download, exportImage } from "./export_image";
import {
  type AccountGraph,
  AccountGraphs,
  type EngagementGraph,
  type SizeMetric,
  engagementGraph,
} from "./graph_data";
import { MAX_RADIUS, MIN_RADIUS, NetworkView } from "./network";
import { NETWORK_EDGE_COLORS, TEAM_COLOR } from "./styles";

type ViewName = "chart" | "network";

interface WarmPathAnswer {
  paths?: { strength: number; hops: { from_id: string; to_id: string; from_name?: string | null; to_name?: string | null }[] }[];
  notes?: string[];
}

function isoToday(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
// ---- h-network (end) ----

const DEFAULT_DEPTH = 3;
// The smallest scale of a first view: cards stay readable; panning shows the rest.
const MIN_SCALE = 0.55;
const NARROW_MIN_SCALE = 0.8;
let sheet: CSSStyleSheet | null = null;

function styles(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

function errorCopy(error: ApiError): { title: string; hint: string } {
  switch (error.status) {
    case 401:
      return {
        title: "This link has expired or is not valid",
        hint: "Reload the page to get a fresh link to the org chart.",
      };
    case 403:
      return {
        title: "No access to this account",
        hint: "The link you used does not grant access to this account's org chart.",
      };
    case 404:
      return { title: "Account not found", hint: "Check the account id the page embeds." };
    case 0:
      return {
        title: "Powermap could not be reached",
        hint: "Check your connection and retry.",
      };
    default:
      return { title: "The org chart could not be loaded", hint: "Retry in a moment." };
  }
}

export class PowermapOrgChart extends HTMLElement {
  static observedAttributes = [
    "account",
    "api-base",
    "token",
    "as-of",
    "collapse-depth",
    "overlays",
    "view",
  ];

  private readonly shadow: ShadowRoot;
  private readonly view: ChartView;
  private readonly panel: SidePanel;
  private readonly titleEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private readonly results: HTMLUListElement;
  private readonly asOfInput: HTMLInputElement;
  private readonly legend: HTMLDetailsElement;
  private chart: OrgChart | null = null;
  private index = new Map<string, IndexedPerson>();
  private loadedKey: string | null = null;
  private pending = false;
  private abort: AbortController | null = null;
  private searchHits: IndexedPerson[] = [];
  private activeMatch = -1;
  // --- h-overlays: overlays and what-if (overlays.ts, whatif.ts) ---
  private readonly power: OverlayController;
  /** One fetch of the account graph per account and date, for the overlays and the network view. */
  private readonly graphs = new AccountGraphs();
  // --- end h-overlays ---
  // ---- h-network: network view and image export (begin) ----
  private readonly network: NetworkView;
  private readonly exportStage: HTMLElement;
  private readonly networkLegend: HTMLElement;
  private readonly viewButtons = new Map<ViewName, HTMLButtonElement>();
  private readonly sizeButtons = new Map<SizeMetric, HTMLButtonElement>();
  private readonly sizeGroup: HTMLElement;
  private currentView: ViewName = "chart";
  private metric: SizeMetric = "betweenness";
  private accountGraph: AccountGraph | null = null;
  private engagement: EngagementGraph | null = null;
  private networkKey: string | null = null;
  private chartFitPending = false;
  private pathRequest: AbortController | null = null;
  // ---- h-network (end) ----

  constructor() {
    super();
    this.shadow = this.attachShadow({ mode: "open", delegatesFocus: false });
    this.shadow.adoptedStyleSheets = [styles()];

    this.titleEl = h("div", { class: "title", text: "Org chart" });
    this.searchInput = h("input", {
      attrs: {
        type: "search",
        placeholder: "Search people…",
        "aria-label": "Search people by name or title",
        role: "combobox",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": "pm-results",
        autocomplete: "off",
      },
    });
    this.results = h("ul", { class: "results", attrs: { id: "pm-results", role: "listbox", "aria-label": "Matching people" } });
    this.results.hidden = true;
    this.asOfInput = h("input", { attrs: { type: "date", "aria-label": "Show the org chart as of date" } });
    const today = h("button", { text: "Today", attrs: { type: "button", "aria-label": "Show the current org chart" } });
    const expandAll = h("button", { text: "Expand all", attrs: { type: "button" } });
    const collapse = h("button", { text: "Collapse", attrs: { type: "button", "aria-label": "Collapse to the first levels" } });
    const toolbar = h(
      "div",
      { class: "toolbar", attrs: { role: "toolbar", "aria-label": "Org chart controls" } },
      this.titleEl,
      h("div", { class: "search" }, this.searchInput, this.results),
      h("label", { class: "asof" }, "As of ", this.asOfInput, today),
      h("div", { class: "group chart-only" }, expandAll, collapse),
    );
    this.statusEl = h("div", { class: "status", attrs: { role: "status", "aria-live": "polite" } });

    const stage = h("div", { class: "stage" });
    this.view = new ChartView(stage, {
      toggle: (id) => this.toggle(id),
      open: (id) => {
        if (!this.power.intercept(id)) this.openPanel(id); // h-overlays: what-if picking
      },
    });
    // ---- h-network: network view and image export (begin) ----
    this.network = new NetworkView(stage, { open: (id) => this.openNetworkPanel(id) });
    this.exportStage = h("div", { class: "export-stage", attrs: { "aria-hidden": "true" } });
    const viewGroup = h("div", { class: "group viewswitch", attrs: { role: "group", "aria-label": "View" } });
    for (const [name, text, label] of [
      ["chart", "Chart", "Show the org chart"],
      ["network", "Network", "Show the relationship network"],
    ] as const) {
      const button = h("button", { text, attrs: { type: "button", "aria-label": label, "aria-pressed": String(name === "chart") } });
      button.addEventListener("click", () => this.setAttribute("view", name));
      this.viewButtons.set(name, button);
      viewGroup.append(button);
    }
    this.sizeGroup = h("div", { class: "group sizeby", attrs: { role: "group", "aria-label": "Node size" } }, "Size ");
    for (const [name, text, label] of [
      ["betweenness", "Betweenness", "Size people by betweenness"],
      ["pagerank", "PageRank", "Size people by influence PageRank"],
    ] as const) {
      const button = h("button", { text, attrs: { type: "button", "aria-label": label, "aria-pressed": String(name === this.metric) } });
      button.addEventListener("click", () => this.setMetric(name));
      this.sizeButtons.set(name, button);
      this.sizeGroup.append(button);
    }
    this.sizeGroup.hidden = true;
    const exportSvg = h("button", { text: "⤓ SVG", attrs: { type: "button", "aria-label": "Export the view as SVG" } });
    const exportPng = h("button", { text: "⤓ PNG", attrs: { type: "button", "aria-label": "Export the view as PNG" } });
    exportSvg.addEventListener("click", () => void this.exportView("svg"));
    exportPng.addEventListener("click", () => void this.exportView("png"));
    const exportGroup = h("div", { class: "group export", attrs: { role: "group", "aria-label": "Export" } }, exportSvg, exportPng);
    // Right after the title: Tab still goes from Today to the chart's own controls and
    // from Collapse to the chart (in the network view: from Today to the network).
    this.titleEl.after(h("div", { class: "group netctl" }, viewGroup, this.sizeGroup, exportGroup));
    // ---- h-network (end) ----
    const zoomIn = h("button", { text: "+", attrs: { type: "button", "aria-label": "Zoom in" } });
    const zoomOut = h("button", { text: "−", attrs: { type: "button", "aria-label": "Zoom out" } });
    const fit = h("button", { text: "⤢", attrs: { type: "button", "aria-label": "Fit to screen", title: "Fit to screen" } });
    stage.append(h("div", { class: "zoombar" }, zoomIn, zoomOut, fit));
    this.overlay = h("div", { class: "overlay" });
    stage.append(this.overlay);
    this.panel = new SidePanel(stage, () => this.closePanel());

    this.legend = h("details", { class: "legend" }, h("summary", { text: "Legend" }), this.legendList());
    this.legend.open = true;
    // ---- h-network (begin) ----
    // Which controls and legend lists show is the stylesheet's: `.frame[data-view]`
    // (styles.ts) shows in the network view only what applies to it.
    this.networkLegend = this.networkLegendList();
    this.legend.append(this.networkLegend);
    stage.append(this.exportStage);
    // ---- h-network (end) ----

    // --- h-overlays: overlays and what-if (overlays.ts, whatif.ts) ---
    this.power = new OverlayController({
      view: this.view,
      stage,
      panel: this.panel,
      graphs: this.graphs,
      api: () => this.api,
      account: () => this.getAttribute("account") ?? "",
      asOf: () => this.getAttribute("as-of"),
      index: () => this.index,
      reveal: (id) => this.reveal(id),
      fit: () => this.view.fit(this.readableScale()),
      reflect: (value) => (value ? this.setAttribute("overlays", value) : this.removeAttribute("overlays")),
      emit: (name, detail) => this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail })),
    });
    // Before Expand/Collapse: Tab from Collapse still lands on the chart.
    toolbar.insertBefore(this.power.toolbar, toolbar.lastElementChild);
    this.legend.append(this.power.legend);
    // --- end h-overlays ---

    this.shadow.append(h("div", { class: "frame" }, toolbar, this.statusEl, stage, this.legend));

    zoomIn.addEventListener("click", () => this.zoomable.zoomBy(1.25));
    zoomOut.addEventListener("click", () => this.zoomable.zoomBy(0.8));
    fit.addEventListener("click", () => this.zoomable.fit());
    expandAll.addEventListener("click", () => this.expandAll());
    collapse.addEventListener("click", () => this.collapseToDepth());
    today.addEventListener("click", () => this.removeAttribute("as-of"));
    this.asOfInput.addEventListener("change", () => {
      const value = this.asOfInput.value;
      if (value) this.setAttribute("as-of", value);
      else this.removeAttribute("as-of");
    });
    this.searchInput.addEventListener("input", () => this.updateMatches());
    this.searchInput.addEventListener("keydown", (event) => this.onSearchKey(event));
    this.results.addEventListener("click", (event) => {
      const li = (event.target as Element).closest("li");
      const id = li?.getAttribute("data-person-id");
      if (id) this.reveal(id);
    });
    this.shadow.addEventListener("keydown", (event) => {
      if ((event as KeyboardEvent).key === "Escape" && this.panel.isOpen) this.closePanel();
    });
  }

  connectedCallback(): void {
    this.scheduleLoad();
  }

  disconnectedCallback(): void {
    this.abort?.abort();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue) return;
    if (name === "overlays") {
      this.power.setOverlays(newValue); // h-overlays: no reload
      return;
    }
    // ---- h-network (begin) ----
    if (name === "view") {
      this.showView(newValue === "network" ? "network" : "chart");
      return;
    }
    // ---- h-network (end) ----
    if (name === "collapse-depth" && this.chart) {
      this.collapseToDepth();
      return;
    }
    this.scheduleLoad();
  }

  /** The people drawn right now (ids), for hosts and tests. */
  get visiblePeople(): string[] {
    return [...this.view.positions.keys()];
  }

  private get depth(): number {
    const raw = Number.parseInt(this.getAttribute("collapse-depth") ?? "", 10);
    return Number.isFinite(raw) && raw >= 1 ? raw : DEFAULT_DEPTH;
  }

  private legendList(): HTMLElement {
    const item = (marker: HTMLElement, text: string) => h("li", {}, marker, text);
    const swatch = (color: string, fill = "#fff") => {
      const s = h("span", { class: "swatch", attrs: { "aria-hidden": "true" } });
      s.style.borderColor = color;
      s.style.background = fill;
      return s;
    };
    const dot = (color: string) => {
      const s = h("span", { class: "dot", attrs: { "aria-hidden": "true" } });
      s.style.background = color;
      return s;
    };
    return h(
      "ul",
      {},
      item(swatch(STANCE_COLORS["2"], STANCE_COLORS["2"]), "supportive"),
      item(swatch(STANCE_COLORS["0"], STANCE_COLORS["0"]), "neutral"),
      item(swatch(STANCE_COLORS["-2"], STANCE_COLORS["-2"]), "against"),
      item(swatch(STANCE_COLORS.none), "no stance"),
      item(dot(COVERAGE_COLORS.dark), "dark: no active tie"),
      item(dot(COVERAGE_COLORS.single), "single-threaded"),
      item(dot(COVERAGE_COLORS.multi), "multi-threaded"),
      item(h("span", { class: "solidline", attrs: { "aria-hidden": "true" } }), "reports to"),
      item(h("span", { class: "dashline", attrs: { "aria-hidden": "true" } }), "dotted line"),
    );
  }

  private scheduleLoad(): void {
    if (this.pending || !this.isConnected) return;
    this.pending = true;
    // Attributes usually arrive together: load once after the current task.
    queueMicrotask(() => {
      this.pending = false;
      void this.load();
    });
  }

  private setState(state: "loading" | "ready" | "error"): void {
    this.setAttribute("data-state", state);
    this.toggleAttribute("aria-busy", state === "loading");
  }

  private showLoading(): void {
    this.setState("loading");
    this.overlay.replaceChildren(h("p", { class: "loading", text: "Loading org chart…" }));
    this.overlay.hidden = false;
  }

  private showError(error: ApiError): void {
    const copy = errorCopy(error);
    const retry = h("button", { text: "Retry", attrs: { type: "button" } });
    retry.addEventListener("click", () => void this.load());
    const meta = [
      error.status ? `HTTP ${error.status}` : null,
      error.problem.type ?? null,
      error.problem.request_id ? `request ${error.problem.request_id}` : null,
    ]
      .filter(Boolean)
      .join(" · ");
    this.overlay.replaceChildren(
      h(
        "div",
        { class: "error-box", attrs: { role: "alert", "data-status": String(error.status) } },
        h("h2", { text: copy.title }),
        h("p", { text: error.problem.detail ?? error.message }),
        h("p", { text: copy.hint }),
        ...(meta ? [h("p", { class: "meta", text: meta })] : []),
        retry,
      ),
    );
    this.overlay.hidden = false;
    this.panel.close();
    this.statusEl.textContent = copy.title;
    this.setState("error");
    this.dispatchEvent(
      new CustomEvent("powermap-error", {
        bubbles: true,
        composed: true,
        detail: { status: error.status, type: error.problem.type ?? null, detail: error.problem.detail ?? null },
      }),
    );
  }

  async load(): Promise<void> {
    const account = this.getAttribute("account");
    const token = this.getAttribute("token");
    const base = this.getAttribute("api-base") ?? "";
    const asOf = this.getAttribute("as-of");
    this.asOfInput.value = asOf ?? "";
    if (!account || !token) {
      this.showError(
        new ApiError(400, { title: "Not configured", detail: "The element needs `account` and `token` attributes." }, ""),
      );
      return;
    }
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.showLoading();
    const api = new ApiClient(base, token);
    this.power.prefetch(api, account, asOf); // h-overlays: the graph alongside the chart
    let chart: OrgChart;
    try {
      chart = await api.get<OrgChart>(`/v1/accounts/${encodeId(account)}/org-chart`, { as_of: asOf }, abort.signal);
    } catch (error) {
      if (abort.signal.aborted) return;
      this.showError(
        error instanceof ApiError ? error : new ApiError(0, { title: "Error", detail: String(error) }, ""),
      );
      return;
    }
    if (abort.signal.aborted) return;
    this.api = api;
    this.render(chart, `${base}\u0000${account}`);
    // ---- h-network (begin) ----
    // Drawn while the network was shown: the chart fits its frame when it is shown again.
    if (this.currentView === "network") this.chartFitPending = true;
    const wanted: ViewName = this.getAttribute("view") === "network" ? "network" : "chart";
    if (wanted !== this.currentView || wanted === "network") this.showView(wanted);
    // ---- h-network (end) ----
  }

  private api: ApiClient | null = null;

  /** Draws a chart payload; public so benchmarks can time drawing apart from fetching. */
  render(chart: OrgChart, key = "direct"): void {
    const sameAccount = this.loadedKey === key;
    const index = indexPeople(chart);
    const expanded = initiallyExpanded(index, this.depth);
    if (sameAccount) {
      // Redrawing the same account at another date keeps what the user opened.
      for (const id of this.view.expanded) if (index.has(id)) expanded.add(id);
    }
    this.chart = chart;
    this.index = index;
    this.loadedKey = key;
    if (this.panel.personId && !index.has(this.panel.personId)) this.panel.close();
    this.view.setChart(chart, index, expanded);
    this.view.setLabel(`Org chart of ${chart.account.name ?? chart.account.id}`);
    this.titleEl.textContent = chart.account.name ?? chart.account.id;
    this.overlay.hidden = true;
    this.overlay.replaceChildren();
    const started = performance.now();
    const width = this.getBoundingClientRect().width; // before the new cards: no layout cost
    if (width < 520 && !sameAccount) this.legend.open = false;
    const stats = this.draw();
    this.view.fit(width < 600 ? NARROW_MIN_SCALE : MIN_SCALE);
    // Style and layout now, so `drawMs` includes the browser's share of drawing.
    this.view.svg.getBoundingClientRect();
    stats.drawMs = performance.now() - started;
    this.setState("ready");
    this.power.chartLoaded(sameAccount); // h-overlays
    this.dispatchEvent(
      new CustomEvent("powermap-render", {
        bubbles: true,
        composed: true,
        detail: { visible: stats.visible, people: index.size, drawMs: stats.drawMs, asOf: chart.as_of ?? null },
      }),
    );
  }

  private draw(): { visible: number; drawMs: number } {
    const stats = this.view.draw();
    const chart = this.chart!;
    const people = chart.people_count ?? this.index.size;
    const parts = [
      `${people} ${people === 1 ? "person" : "people"}`,
      chart.as_of ? `as of ${chart.as_of}` : "current",
      `${stats.visible} shown`,
    ];
    const dotted = chart.dotted_lines?.length ?? 0;
    if (dotted) parts.push(`${dotted} dotted line${dotted === 1 ? "" : "s"}`);
    this.statusEl.textContent = parts.join(" · ");
    return stats;
  }

  private toggle(id: string): void {
    if (this.view.expanded.has(id)) this.view.expanded.delete(id);
    else this.view.expanded.add(id);
    this.draw();
    this.view.ensureVisible(id);
  }

  private expandAll(): void {
    for (const [id, entry] of this.index) if (entry.person.children?.length) this.view.expanded.add(id);
    this.draw();
    this.view.fit();
  }

  private collapseToDepth(): void {
    this.view.expanded = initiallyExpanded(this.index, this.depth);
    this.view.setChart(this.chart!, this.index, this.view.expanded);
    this.draw();
    this.view.fit(this.readableScale());
  }

  /** The smallest scale a first view may use: larger in a narrow frame (phones, side bars). */
  private readableScale(): number {
    return this.getBoundingClientRect().width < 600 ? NARROW_MIN_SCALE : MIN_SCALE;
  }

  /** Expands every ancestor of a person, draws, highlights and centres them. */
  reveal(id: string): void {
    // ---- h-network (begin) ----
    if (this.currentView === "network") {
      this.revealInNetwork(id);
      return;
    }
    // ---- h-network (end) ----
    const entry = this.index.get(id);
    if (!entry) return;
    for (const ancestor of ancestorsOf(this.index, id)) this.view.expanded.add(ancestor);
    const previous = this.view.highlightId;
    this.view.highlightId = id;
    if (previous) this.view.cardOf(previous)?.classList.remove("highlighted");
    this.draw();
    this.view.ensureVisible(id, true);
    this.view.setFocus(id);
    this.closeResults();
    this.statusEl.textContent = `Found ${entry.person.name}${entry.person.title ? `, ${entry.person.title}` : ""} (level ${entry.level})`;
  }

  private updateMatches(): void {
    this.searchHits = searchPeople(this.index, this.searchInput.value, 8);
    this.activeMatch = this.searchHits.length ? 0 : -1;
    this.results.replaceChildren(
      ...this.searchHits.map((m, i) =>
        h(
          "li",
          { attrs: { role: "option", id: `pm-opt-${i}`, "data-person-id": m.person.id, "aria-selected": String(i === 0) } },
          m.person.name,
          h("div", { class: "sub", text: [m.person.title, `level ${m.level}`].filter(Boolean).join(" · ") }),
        ),
      ),
    );
    if (!this.searchHits.length && this.searchInput.value.trim()) {
      this.results.replaceChildren(h("li", { class: "sub", attrs: { role: "option", "aria-disabled": "true" }, text: "No one found" }));
    }
    const open = this.searchInput.value.trim().length > 0;
    this.results.hidden = !open;
    this.searchInput.setAttribute("aria-expanded", String(open));
    this.markActive();
  }

  private markActive(): void {
    this.results.querySelectorAll("li[role=option]").forEach((li, i) => li.setAttribute("aria-selected", String(i === this.activeMatch)));
    if (this.activeMatch >= 0) this.searchInput.setAttribute("aria-activedescendant", `pm-opt-${this.activeMatch}`);
    else this.searchInput.removeAttribute("aria-activedescendant");
  }

  private closeResults(): void {
    this.results.hidden = true;
    this.searchInput.setAttribute("aria-expanded", "false");
    this.searchInput.removeAttribute("aria-activedescendant");
  }

  private onSearchKey(event: KeyboardEvent): void {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!this.searchHits.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.activeMatch = (this.activeMatch + step + this.searchHits.length) % this.searchHits.length;
      this.markActive();
      event.preventDefault();
    } else if (event.key === "Enter") {
      const match = this.searchHits[Math.max(0, this.activeMatch)];
      if (match) this.reveal(match.person.id);
      event.preventDefault();
    } else if (event.key === "Escape") {
      this.searchInput.value = "";
      this.searchHits = [];
      this.closeResults();
      event.stopPropagation();
    }
  }

  private openPanel(id: string): void {
    const entry = this.index.get(id);
    if (!entry || !this.api) return;
    if (this.view.selectedId) this.view.cardOf(this.view.selectedId)?.classList.remove("selected");
    this.view.selectedId = id;
    this.view.cardOf(id)?.classList.add("selected");
    this.view.setFocus(id, false);
    this.panel.open(entry.person, this.api, this.getAttribute("account") ?? "", this.getAttribute("as-of"));
    this.dispatchEvent(new CustomEvent("powermap-select", { bubbles: true, composed: true, detail: { id } }));
  }

  private closePanel(): void {
    const id = this.panel.personId;
    // ---- h-network (begin) ----
    if (this.currentView === "network") {
      this.panel.close();
      this.pathRequest?.abort();
      this.network.setSelected(null);
      this.network.setPath([]);
      if (id && this.network.has(id)) this.network.setFocus(id);
      return;
    }
    // ---- h-network (end) ----
    this.panel.close();
    if (this.view.selectedId) this.view.cardOf(this.view.selectedId)?.classList.remove("selected");
    this.view.selectedId = null;
    if (id) this.view.setFocus(id);
  }

  // ---- h-network: network view and image export (begin) ----

  /** The view the zoom buttons act on. */
  private get zoomable(): { zoomBy(factor: number): void; fit(): void } {
    return this.currentView === "network" ? this.network : this.view;
  }

  /** The view shown: `chart` (default) or `network`. */
  get currentViewName(): ViewName {
    return this.currentView;
  }

  private networkLegendList(): HTMLElement {
    const item = (marker: HTMLElement, text: string) => h("li", {}, marker, text);
    const mark = (cls: string, color?: string) => {
      const s = h("span", { class: cls, attrs: { "aria-hidden": "true" } });
      if (color) {
        if (cls.startsWith("edge")) s.style.borderTopColor = color;
        else s.style.background = color;
      }
      return s;
    };
    const sizes = h("span", { class: "sizes", attrs: { "aria-hidden": "true" } });
    for (const r of [MIN_RADIUS, (MIN_RADIUS + MAX_RADIUS) / 3, MAX_RADIUS / 1.6]) {
      const dot = h("span");
      dot.style.width = dot.style.height = `${Math.round(r)}px`;
      sizes.append(dot);
    }
    const circle = (color: string) => mark("dot", color);
    return h(
      "ul",
      { class: "network-legend" },
      item(circle(STANCE_COLORS["2"]), "supportive"),
      item(circle(STANCE_COLORS["0"]), "neutral"),
      item(circle(STANCE_COLORS["-2"]), "against"),
      item(circle(STANCE_COLORS.none), "no stance"),
      item(mark("tm", TEAM_COLOR), "our team member"),
      item(mark("ring"), "key stakeholder"),
      item(sizes, "size: betweenness"),
      item(mark("edge", NETWORK_EDGE_COLORS.knows), "our tie (knows)"),
      item(mark("edge", NETWORK_EDGE_COLORS.influences), "influences"),
      item(mark("edge", NETWORK_EDGE_COLORS.reports_to), "reports to"),
      item(mark("edge dashed", NETWORK_EDGE_COLORS.dotted), "dotted line"),
      item(mark("warm"), "warm path to the selected person"),
    );
  }

  private showView(view: ViewName): void {
    const changed = view !== this.currentView;
    this.currentView = view;
    for (const [name, button] of this.viewButtons) button.setAttribute("aria-pressed", String(name === view));
    const network = view === "network";
    this.view.svg.toggleAttribute("data-hidden", network);
    this.network.show(network);
    this.sizeGroup.hidden = !network;
    this.shadow.querySelector(".frame")?.setAttribute("data-view", view);
    if (changed && this.panel.isOpen) {
      this.panel.close();
      this.network.setSelected(null);
      this.network.setPath([]);
    }
    if (network) {
      void this.loadNetwork();
    } else if (this.chart) {
      this.draw(); // first: drawing measures the frame, hidden until now
      if (this.chartFitPending) {
        this.chartFitPending = false;
        this.view.fit(this.readableScale());
      }
      this.setState("ready");
    }
  }

  private async loadNetwork(): Promise<void> {
    const api = this.api;
    const account = this.getAttribute("account");
    if (!api || !account || !this.chart) return; // load() shows the view once the chart is in
    const asOf = this.getAttribute("as-of");
    const key = `${this.getAttribute("api-base") ?? ""}\u0000${account}\u0000${asOf ?? ""}`;
    if (this.networkKey === key && this.engagement) {
      this.networkStatus();
      this.setState("ready");
      return;
    }
    const signal = this.abort?.signal;
    if (!signal) return;
    this.setState("loading");
    this.overlay.replaceChildren(h("p", { class: "loading", text: "Loading the relationship network…" }));
    this.overlay.hidden = false;
    let graph: AccountGraph;
    try {
      graph = await this.graphs.get(api, account, asOf, signal);
    } catch (error) {
      if (signal.aborted) return;
      this.showError(error instanceof ApiError ? error : new ApiError(0, { title: "Error", detail: String(error) }, ""));
      return;
    }
    if (signal.aborted || this.currentView !== "network") {
      if (!signal.aborted) this.overlay.hidden = true;
      return;
    }
    this.drawNetwork(graph, key);
  }

  /** Draws a graph payload in the network view; public so benchmarks can time it apart from fetching. */
  drawNetwork(graph: AccountGraph, key = "direct"): void {
    const started = performance.now();
    const engagement = engagementGraph(graph);
    this.accountGraph = graph;
    this.engagement = engagement;
    this.networkKey = key;
    this.overlay.hidden = true;
    this.overlay.replaceChildren();
    const name = graph.graph.account_name ?? this.chart?.account.name ?? graph.graph.account_id;
    this.network.setLabel(
      `Relationship network of ${name}: ${engagement.people.length} people, ${engagement.edges.length} relationships. ` +
        "Arrow keys move from the most to the least central person; Enter opens details.",
    );
    const stats = this.network.setGraph(engagement, this.metric);
    const totalMs = performance.now() - started;
    this.networkStatus();
    this.setState("ready");
    this.dispatchEvent(
      new CustomEvent("powermap-render", {
        bubbles: true,
        composed: true,
        detail: {
          view: "network",
          visible: stats.nodes,
          people: stats.nodes,
          relationships: stats.edges,
          ticks: stats.ticks,
          layoutMs: stats.layoutMs,
          drawMs: totalMs,
          asOf: graph.graph.as_of ?? null,
        },
      }),
    );
  }

  private networkStatus(): void {
    const e = this.engagement;
    if (!e) return;
    const team = e.people.filter((p) => p.kind === "team_member").length;
    const asOf = this.accountGraph?.graph.as_of;
    this.statusEl.textContent = [
      `${e.people.length - team} stakeholders and ${team} of our team`,
      `${e.edges.length} relationships`,
      asOf ? `as of ${asOf}` : "current",
      `size: ${this.metric === "pagerank" ? "PageRank" : "betweenness"}`,
    ].join(" · ");
  }

  private setMetric(metric: SizeMetric): void {
    this.metric = metric;
    for (const [name, button] of this.sizeButtons) button.setAttribute("aria-pressed", String(name === metric));
    const sizeItem = [...this.networkLegend.children].find((li) => li.textContent?.startsWith("size:"));
    if (sizeItem?.lastChild) sizeItem.lastChild.textContent = `size: ${metric === "pagerank" ? "PageRank" : "betweenness"}`;
    if (this.engagement) {
      this.network.setMetric(metric);
      this.networkStatus();
    }
  }

  private revealInNetwork(id: string): void {
    this.closeResults();
    if (!this.network.has(id)) {
      const who = this.index.get(id)?.person.name ?? id;
      this.statusEl.textContent = `${who} is not in the relationship network (no active relationship at this date)`;
      return;
    }
    this.network.ensureVisible(id, true);
    this.network.setFocus(id);
    this.statusEl.textContent = `Found ${this.network.person(id)?.name ?? id}`;
  }

  private openNetworkPanel(id: string): void {
    const node = this.network.person(id);
    if (!node || !this.api) return;
    const person =
      this.index.get(id)?.person ??
      ({
        id,
        name: node.name,
        title: node.kind === "team_member" ? `Our team${node.role ? ` · ${String(node.role).replace(/_/g, " ")}` : ""}` : node.title,
        department: node.kind === "stakeholder" ? node.department : null,
        status: node.status,
        stance: node.kind === "stakeholder" ? node.stance : null,
        roles: node.kind === "stakeholder" ? (node.roles ?? []).map((role) => ({ role })) : [],
        coverage:
          node.kind === "stakeholder" && node.coverage_level
            ? { state: node.coverage_level, count: node.coverage_count ?? 0 }
            : null,
      } satisfies IndexedPerson["person"]);
    this.network.setSelected(id);
    this.network.setFocus(id, false);
    this.panel.open(person, this.api, this.getAttribute("account") ?? "", this.getAttribute("as-of"), node.kind);
    this.dispatchEvent(new CustomEvent("powermap-select", { bubbles: true, composed: true, detail: { id } }));
    if (node.kind === "stakeholder") void this.showWarmPath(id, node.name);
    else this.network.setPath([]);
  }

  /** Highlights the best warm path to a stakeholder (GET /v1/paths/warm, k = 1). */
  private async showWarmPath(id: string, name: string): Promise<void> {
    this.pathRequest?.abort();
    const request = new AbortController();
    this.pathRequest = request;
    this.network.setPath([]);
    let answer: WarmPathAnswer;
    try {
      answer = await this.api!.get<WarmPathAnswer>(
        "/v1/paths/warm",
        { to: id, k: "1", as_of: this.getAttribute("as-of") },
        request.signal,
      );
    } catch (error) {
      if (request.signal.aborted) return;
      this.statusEl.textContent = `No warm path shown for ${name}: ${error instanceof ApiError ? error.message : String(error)}`;
      return;
    }
    if (request.signal.aborted || this.network.selectedId !== id) return;
    const best = answer.paths?.[0];
    if (!best || !best.hops.length) {
      this.network.setPath([]);
      this.statusEl.textContent = `No warm path to ${name}: ${answer.notes?.[0] ?? "no path of at most 4 hops"}`;
      return;
    }
    const ids = [best.hops[0].from_id, ...best.hops.map((hop) => hop.to_id)];
    this.network.setPath(ids);
    const names = [best.hops[0].from_name ?? best.hops[0].from_id, ...best.hops.map((hop) => hop.to_name ?? hop.to_id)];
    this.statusEl.textContent = `Warm path to ${name}: ${names.join(" → ")} (strength ${best.strength.toFixed(2)})`;
  }

  /**
   * The current view (chart or network) as a stand-alone SVG or a PNG, with the
   * account's name, the as-of date and the legend (export_image.ts). For hosts: the
   * same image the export buttons save.
   */
  async exportImage(format: ImageFormat): Promise<ExportedImage> {
    if (format !== "svg" && format !== "png") throw new Error(`unknown image format ${String(format)}`);
    const network = this.currentView === "network";
    if (!this.chart || (network && !this.engagement)) throw new Error("nothing is drawn yet");
    const account = this.getAttribute("account") ?? this.chart.account.id;
    const asOf = (network ? this.accountGraph?.graph.as_of : this.chart.as_of) ?? this.getAttribute("as-of") ?? isoToday();
    const name = (network ? this.accountGraph?.graph.account_name : null) ?? this.chart.account.name ?? account;
    let subtitle: string;
    if (network) {
      const e = this.engagement!;
      subtitle =
        `Relationship network · as of ${asOf} · ${e.people.length} people, ${e.edges.length} relationships · ` +
        `node size: ${this.metric === "pagerank" ? "influence PageRank" : "betweenness"}`;
    } else {
      const people = this.chart.people_count ?? this.index.size;
      subtitle = `Org chart · as of ${asOf} · ${people} people, ${this.view.positions.size} shown`;
    }
    return exportImage(
      {
        svg: network ? this.network.svg : this.view.svg,
        bounds: network ? this.network.bounds() : null,
        stage: this.exportStage,
        title: name,
        subtitle,
        legend: this.legend,
        basename: `${account}-${network ? "network" : "org-chart"}-${asOf}`.replace(/[^A-Za-z0-9._-]+/g, "-"),
      },
      format,
    );
  }

  private async exportView(format: ImageFormat): Promise<void> {
    let image: ExportedImage;
    try {
      image = await this.exportImage(format);
    } catch (error) {
      this.statusEl.textContent = `The ${format.toUpperCase()} export failed: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    const event = new CustomEvent("powermap-export", { bubbles: true, composed: true, cancelable: true, detail: image });
    // A host that handles the image itself calls preventDefault(): no download then.
    if (this.dispatchEvent(event)) download(image.blob, image.filename, this.shadow);
    this.statusEl.textContent = `Exported ${image.filename} (${image.width}×${image.height})`;
  }
  // ---- h-network (end) ----
}

if (!customElements.get("powermap-org-chart")) {
  customElements.define("powermap-org-chart", PowermapOrgChart);
}

export { DOTTED_COLOR };
