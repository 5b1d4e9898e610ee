// Styles live in a constructable stylesheet adopted by the shadow root: no <style>
// element and no style attribute, so the widget works on pages whose CSP forbids
// inline styles, and the host page's CSS cannot leak in.

export const STANCE_COLORS: Record<string, string> = {
  "-2": "#b91c1c",
  "-1": "#ea580c",
  "0": "#6b7280",
  "1": "#4d7c0f",
  "2": "#15803d",
  none: "#94a3b8",
};

export const COVERAGE_COLORS = {
  dark: "#111827",
  single: "#d97706",
  multi: "#2563eb",
} as const;

export const DOTTED_COLOR = "#7c3aed";

// --- h-overlays: colours of the overlays and the what-if mode (overlays.ts, whatif.ts) ---
export const INFLUENCE_COLOR = "#0e7490";
export const TIE_COLOR = "#c026d3";
export const WHATIF_COLOR = "#dc2626";
// --- end h-overlays ---
// ---- h-network: network view and image export (begin) ----
export const TEAM_COLOR = "#1e3a8a";
export const WARM_PATH_COLOR = "#f59e0b";
export const NETWORK_EDGE_COLORS = {
  knows: "#0891b2",
  influences: "#db2777",
  reports_to: "#94a3b8",
  dotted: DOTTED_COLOR,
} as const;
const NETWORK_CSS = `
svg.network { display: block; width: 100%; height: 100%; cursor: grab; user-select: none; background: #fff; }
svg.network:active { cursor: grabbing; }
svg[data-hidden] { display: none !important; }
.net-edge { fill: none; stroke-linecap: round; opacity: .55; }
.net-edge.dotted { stroke-dasharray: 5 4; }
.warm-path { fill: none; stroke: ${WARM_PATH_COLOR}; stroke-width: 6px; stroke-linecap: round;
  stroke-linejoin: round; opacity: .9; }
.node { cursor: pointer; }
.node .shape { stroke: #fff; stroke-width: 1.5px; }
.node.key .shape { stroke: #0f172a; stroke-width: 2.5px; }
.node.on-path .shape { stroke: ${WARM_PATH_COLOR}; stroke-width: 3.5px; }
.node.selected .shape { stroke: #0f172a; stroke-width: 4px; }
.node:focus { outline: none; }
.node:focus .shape, .node:focus-visible .shape { stroke: #2563eb; stroke-width: 4px; }
.net-labels { font-size: 11px; }
.net-label { fill: #0f172a; paint-order: stroke; stroke: #fff; stroke-width: 3px;
  stroke-linejoin: round; pointer-events: none; }
.net-label.on-path { font-weight: 650; }
.net-label.hover { font-weight: 650; }
.viewswitch button[aria-pressed="true"], .sizeby button[aria-pressed="true"] {
  background: #1e3a8a; border-color: #1e3a8a; color: #fff; }
.sizeby { align-items: center; }
.sizeby[hidden] { display: none; }
/* The network view shows only its own controls and legend; the chart's (and anything
   added to the chart's toolbar or legend) come back with the chart. */
.frame[data-view="network"] .toolbar > :not(.title):not(.search):not(.asof):not(.netctl) { display: none; }
.frame[data-view="network"] .legend ul:not(.network-legend) { display: none; }
.frame:not([data-view="network"]) .legend ul.network-legend { display: none; }
.legend .tm { display: inline-block; width: 11px; height: 11px; border-radius: 3px; background: ${TEAM_COLOR}; }
.legend .ring { display: inline-block; width: 12px; height: 12px; border-radius: 50%; background: #94a3b8;
  border: 2.5px solid #0f172a; }
.legend .sizes { display: inline-flex; align-items: center; gap: 2px; }
.legend .sizes span { display: inline-block; border-radius: 50%; background: #94a3b8; }
.legend .edge { display: inline-block; width: 22px; border-top: 2.5px solid; }
.legend .edge.dashed { border-top-style: dashed; }
.legend .warm { display: inline-block; width: 22px; border-top: 5px solid ${WARM_PATH_COLOR}; border-radius: 3px; }
.export-stage { position: absolute; left: -100000px; top: 0; width: 10px; height: 10px; overflow: hidden;
  visibility: hidden; pointer-events: none; }
`;
// ---- h-network (end) ----

export const CSS = `
:host {
  display: block;
  position: relative;
  height: 600px;
  min-height: 320px;
  box-sizing: border-box;
  font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #0f172a;
  background: #f8fafc;
  border: 1px solid #cbd5e1;
  border-radius: 8px;
  overflow: hidden;
  contain: content;
  container-type: inline-size;
}
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: border-box; }
button, input { font: inherit; color: inherit; }
button {
  border: 1px solid #cbd5e1; background: #fff; border-radius: 6px; padding: 4px 9px;
  cursor: pointer; min-height: 30px;
}
button:hover { background: #f1f5f9; }
:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.frame { display: flex; flex-direction: column; height: 100%; }
.toolbar {
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px;
  padding: 8px 10px; border-bottom: 1px solid #e2e8f0; background: #fff;
}
.title { font-weight: 650; font-size: 14px; margin-right: auto; min-width: 0;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 100%; }
.search { position: relative; flex: 1 1 180px; max-width: 280px; }
.search input { width: 100%; padding: 4px 8px; min-height: 30px; border: 1px solid #cbd5e1; border-radius: 6px; }
.results {
  position: absolute; z-index: 5; top: 100%; left: 0; right: 0; margin: 2px 0 0; padding: 2px;
  list-style: none; background: #fff; border: 1px solid #cbd5e1; border-radius: 6px;
  box-shadow: 0 6px 18px rgba(15, 23, 42, .15); max-height: 260px; overflow: auto;
}
.results li { padding: 5px 8px; border-radius: 4px; cursor: pointer; }
.results li[aria-selected="true"], .results li:hover { background: #e0e7ff; }
.results .sub { color: #64748b; font-size: 12px; }
.asof { display: flex; align-items: center; gap: 4px; white-space: nowrap; }
.asof input { border: 1px solid #cbd5e1; border-radius: 6px; padding: 3px 6px; min-height: 30px; }
.group { display: flex; gap: 4px; }
.status { padding: 3px 10px; font-size: 12px; color: #475569; background: #fff;
  border-bottom: 1px solid #e2e8f0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.stage { position: relative; flex: 1 1 auto; min-height: 0; }
svg.chart { display: block; width: 100%; height: 100%; cursor: grab; user-select: none; }
svg.chart:active { cursor: grabbing; }
.link { fill: none; stroke: #94a3b8; stroke-width: 1.5px; }
.dotted { fill: none; stroke: ${DOTTED_COLOR}; stroke-width: 1.8px; stroke-dasharray: 5 4; opacity: .85; }
.culled { display: none; }
svg.lod-low .person text, svg.lod-low .badges, svg.lod-low .coverage, svg.lod-low .toggle text { display: none; }
.person { cursor: pointer; }
.person .card { fill: #fff; stroke-width: 2px; }
.person.left .card { fill: #f1f5f9; stroke-dasharray: 4 3; }
.person.left text { fill: #64748b; }
.person:focus { outline: none; }
.person:focus .card, .person:focus-visible .card { stroke: #2563eb !important; stroke-width: 4px; }
.person.highlighted .card { fill: #fef9c3; stroke: #ca8a04 !important; stroke-width: 4px; }
.person.selected .card { stroke-width: 3.5px; }
.name { font-weight: 650; font-size: 13px; fill: #0f172a; }
.jobtitle { font-size: 11.5px; fill: #475569; }
.badge rect { fill: #eef2ff; stroke: #c7d2fe; }
.badge text { font-size: 10.5px; fill: #3730a3; }
.badge.detractor rect { fill: #fee2e2; stroke: #fecaca; }
.badge.detractor text { fill: #991b1b; }
.badge.more rect { fill: #f1f5f9; stroke: #e2e8f0; }
.badge.more text { fill: #475569; }
.coverage text { font-size: 11px; fill: #334155; }
.tie { font-size: 11px; fill: #334155; }
.toggle circle { fill: #fff; stroke: #64748b; stroke-width: 1.5px; }
.toggle text { font-size: 11px; font-weight: 650; fill: #334155; }
.toggle:hover circle { fill: #e0e7ff; }
.zoombar { position: absolute; right: 10px; bottom: 10px; display: flex; flex-direction: column; gap: 4px; }
.zoombar button { width: 34px; padding: 0; font-size: 16px; }
.legend { font-size: 12px; background: #fff; border-top: 1px solid #e2e8f0; padding: 4px 10px; }
.legend summary { cursor: pointer; color: #334155; }
.legend ul { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 4px 0 2px; padding: 0; }
.legend li { display: flex; align-items: center; gap: 5px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; border: 2px solid; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; }
.dashline { display: inline-block; width: 22px; border-top: 2px dashed ${DOTTED_COLOR}; }
.solidline { display: inline-block; width: 22px; border-top: 2px solid #94a3b8; }
.overlay {
  position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  padding: 24px; text-align: center; background: #f8fafc; z-index: 8;
}
.overlay[hidden] { display: none; }
.error-box { max-width: 420px; background: #fff; border: 1px solid #fecaca; border-left: 6px solid #dc2626;
  border-radius: 8px; padding: 16px 18px; text-align: left; box-shadow: 0 4px 14px rgba(15,23,42,.08); }
.error-box h2 { margin: 0 0 6px; font-size: 16px; color: #991b1b; }
.error-box p { margin: 0 0 10px; }
.error-box .meta { color: #64748b; font-size: 11.5px; word-break: break-all; }
.loading { color: #475569; }
.panel {
  position: absolute; top: 0; right: 0; bottom: 0; width: min(360px, 100%); z-index: 7;
  background: #fff; border-left: 1px solid #cbd5e1; box-shadow: -6px 0 20px rgba(15, 23, 42, .12);
  display: flex; flex-direction: column;
}
.panel[hidden] { display: none; }
.panel header { display: flex; align-items: flex-start; gap: 8px; padding: 12px 14px 8px; border-bottom: 1px solid #e2e8f0; }
.panel header h2 { margin: 0; font-size: 16px; }
.panel header .sub { color: #475569; font-size: 12.5px; }
.panel header button { margin-left: auto; }
.panel .body { overflow: auto; padding: 6px 14px 16px; }
.panel h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #64748b; margin: 14px 0 6px; }
.panel ul { margin: 0; padding-left: 18px; }
.panel li { margin: 2px 0; }
.panel .muted { color: #64748b; }
.score { display: flex; align-items: center; gap: 10px; }
.score .value { font-size: 28px; font-weight: 700; }
.meter { flex: 1; height: 10px; background: #e2e8f0; border-radius: 5px; overflow: hidden; }
.meter span { display: block; height: 100%; background: #dc2626; }
.pill { display: inline-flex; align-items: center; gap: 5px; padding: 1px 8px; border-radius: 999px;
  background: #f1f5f9; border: 1px solid #e2e8f0; font-size: 12px; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
/* --- h-overlays: overlays and what-if (overlays.ts, whatif.ts) --- */
.overlay-tools { display: flex; flex-wrap: wrap; gap: 4px; }
.overlay-tools button[aria-pressed="true"] { background: #e0e7ff; border-color: #6366f1; color: #312e81; font-weight: 600; }
.overlay-tools button.whatif-toggle[aria-pressed="true"] { background: #fee2e2; border-color: ${WHATIF_COLOR}; color: #7f1d1d; }
/* stroke-opacity, not opacity: opacity would render every line in a layer of its own. */
.influence { fill: none; stroke: ${INFLUENCE_COLOR}; stroke-opacity: .6; }
.influence-arrow { fill: ${INFLUENCE_COLOR}; }
.tie-line { fill: none; stroke: ${TIE_COLOR}; stroke-opacity: .55; }
.tie-line.inactive { stroke-dasharray: 6 4; stroke-opacity: .7; }
.tie-line.lost { stroke: ${WHATIF_COLOR}; stroke-opacity: .95; }
svg.emph .influence, svg.emph .tie-line { stroke-opacity: .12; }
svg.emph .influence.emph, svg.emph .tie-line.emph { stroke-opacity: 1; }
.team { cursor: pointer; }
.team .tcard { fill: #fdf4ff; stroke: ${TIE_COLOR}; stroke-width: 2px; }
.team .tname { font-weight: 650; font-size: 12.5px; fill: #0f172a; }
.team .trole { font-size: 11px; fill: #86198f; }
.team:focus { outline: none; }
.team:focus .tcard, .team:focus-visible .tcard { stroke: #2563eb; stroke-width: 4px; }
.team.left .tcard { fill: #f1f5f9; stroke-dasharray: 4 3; }
.team.whatif-leaving .tcard { fill: #fee2e2; stroke: ${WHATIF_COLOR}; stroke-width: 3px; stroke-dasharray: 6 3; }
.keycov .ring { fill: none; stroke-width: 5px; }
.keycov.single .ring { stroke-dasharray: 10 5; }
.keycov .tag rect { stroke: none; }
.keycov .tag text { font-size: 10.5px; font-weight: 700; fill: #fff; letter-spacing: .03em; }
.wmark rect { stroke: none; }
.wmark text { font-size: 10.5px; font-weight: 700; fill: #fff; letter-spacing: .03em; }
.person.whatif-leaving .card { fill: #fee2e2; stroke-dasharray: 6 3; }
.person.whatif-dark .card, .person.whatif-single .card, .person.whatif-unreachable .card { stroke-width: 4px; }
.person.whatif-dark .card { stroke: ${COVERAGE_COLORS.dark} !important; }
.person.whatif-single .card { stroke: ${COVERAGE_COLORS.single} !important; }
.whatif {
  position: absolute; left: 0; top: 0; bottom: 0; z-index: 6; width: var(--pm-whatif-w); overflow: auto;
  background: #fff; border-right: 1px solid #fecaca; border-left: 5px solid ${WHATIF_COLOR};
  padding: 8px 10px; font-size: 12.5px;
}
/* The box is docked beside the chart, which gives it the room rather than hiding under
   it; what is on screen stays put (ChartView.reframe) and a picked person is kept in view. */
.stage { --pm-whatif-w: min(340px, 45cqw); }
.stage.whatif-open > svg.chart { margin-left: var(--pm-whatif-w); width: calc(100% - var(--pm-whatif-w)); }
.whatif[hidden] { display: none; }
.whatif h2 { font-size: 13.5px; margin: 0 0 4px; }
.whatif h3 { font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; color: #64748b; margin: 8px 0 3px; }
.whatif ul { margin: 0; padding-left: 16px; }
.whatif li { margin: 1px 0; }
.whatif .chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 4px 0; }
.whatif .chip { display: inline-flex; align-items: center; gap: 2px; padding: 0 2px 0 8px; border-radius: 999px;
  background: #fee2e2; border: 1px solid #fecaca; }
.whatif .chip button { border: 0; background: transparent; min-height: 24px; padding: 0 6px; }
.whatif .linklike { border: 0; background: none; padding: 0; min-height: 0; color: #1d4ed8; text-decoration: underline; cursor: pointer; }
.whatif .hint { color: #64748b; margin: 2px 0 6px; }
.whatif .actions { display: flex; gap: 6px; margin-top: 8px; }
.whatif .score .value { font-size: 22px; }
.panel-actions { padding: 6px 14px 0; }
.panel-actions button { border-color: #fecaca; background: #fef2f2; color: #7f1d1d; }
.panel-actions button[hidden] { display: none; }
.overlay-note { color: #64748b; }
.overlay-note.error { color: #b91c1c; }
.legend .overlay-legend { border-top: 1px dashed #e2e8f0; padding-top: 3px; }
.legend .overlay-legend.empty { border: 0; padding: 0; margin: 0; }
.overlay-note:empty { display: none; }
.infline { display: inline-block; width: 24px; border-top: 3px solid ${INFLUENCE_COLOR}; position: relative; }
.infline::after { content: ""; position: absolute; right: -2px; top: -6px; border: 4.5px solid transparent; border-left: 7px solid ${INFLUENCE_COLOR}; }
.tieline { display: inline-block; width: 22px; border-top: 3px solid ${TIE_COLOR}; }
.tieline.inactive { border-top-style: dashed; border-top-width: 2px; }
.teamchip { display: inline-block; width: 14px; height: 10px; border-radius: 3px; border: 2px solid ${TIE_COLOR}; background: #fdf4ff; }
.ringmark { display: inline-block; width: 14px; height: 12px; border-radius: 3px; border: 3px solid; }
.ringmark.single { border-style: dashed; }
.wchip { display: inline-block; padding: 0 5px; border-radius: 4px; color: #fff; font-size: 10.5px; font-weight: 700; }
/* --- end h-overlays --- */
${NETWORK_CSS}
@container (max-width: 520px) {
  .toolbar { padding: 6px; }
  .title { flex: 1 1 100%; }
  .search { max-width: none; flex: 1 1 100%; }
  .asof { flex: 1 1 auto; }
  .panel { width: 100%; }
  /* h-overlays: on a narrow frame the what-if box is a sheet below the chart, which keeps
     the room above it (the picked person is panned into that room: whatif.ts). */
  .stage.whatif-open > svg.chart { margin-left: 0; width: 100%; height: 55%; }
  .whatif { top: 55%; width: 100%; border-left: 0; border-top: 4px solid ${WHATIF_COLOR}; }
}
`;
