// Exporting the current view (org chart or network) as an image for a QBR deck.
//
// The SVG stands alone: the view's drawing is cloned, every element's computed style
// (from the shadow root's stylesheet) is written onto it as presentation attributes, and
// it is framed with the account's name, the view and as-of date above and the legend
// below (the legend list on screen, converted to SVG, so anything another part of the
// widget adds to it comes along). Everything drawn is exported — every open card of
// the chart, the whole network — scaled to fit a slide-sized frame; the SVG stays
// vector, so it can be zoomed in the deck.
//
// The PNG is that SVG drawn on a canvas at twice its size: loaded through a `data:`
// URL (the iframe page's CSP allows `img-src data:`; a `blob:` URL would need
// `img-src blob:`), which does not taint the canvas because the SVG references nothing
// outside itself. Nothing leaves the browser.

import { SVG_NS, svgEl as el } from "./dom";

const PAD = 28;
const HEADER_H = 76;
const MIN_W = 760;
const MAX_CONTENT_W = 2400;
const MAX_CONTENT_H = 1600;
const MAX_CONTENT_SCALE = 1.5;
const PNG_SCALE = 2;
const PNG_MAX_SIDE = 8192;
const PNG_MAX_AREA = 40_000_000;

export type ImageFormat = "svg" | "png";

export interface ExportSource {
  /** The view's live <svg> (its first child is the zoomed and panned group). */
  svg: SVGSVGElement;
  /** The drawing's extent in the viewport's own coordinates (default: its bounding box). */
  bounds?: { x0: number; y0: number; x1: number; y1: number } | null;
  /** Where an off-screen copy may be styled by the widget's stylesheet. */
  stage: HTMLElement;
  title: string;
  subtitle: string;
  /** The legend: its visible lists' items (a marker element, then a text) are drawn. */
  legend: HTMLElement | null;
  /** The file name without its extension. */
  basename: string;
}

export interface ExportedImage {
  format: ImageFormat;
  blob: Blob;
  filename: string;
  width: number;
  height: number;
  /** The SVG markup (for a PNG: the SVG it was drawn from). */
  svg: string;
}

// Properties copied from computed style; inherited ones only where they differ from
// the parent, the others only where they differ from their initial value.
const INHERITED = [
  "fill",
  "fill-opacity",
  "stroke",
  "stroke-width",
  "stroke-dasharray",
  "stroke-opacity",
  "stroke-linecap",
  "stroke-linejoin",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-anchor",
  "paint-order",
] as const;
const NOT_INHERITED: Record<string, string> = { opacity: "1" };
// Attributes that mean something only in the live widget.
const LIVE_ONLY = ["tabindex", "role", "aria-label", "aria-level", "aria-posinset", "aria-setsize", "aria-expanded",
  "aria-selected", "aria-current", "aria-hidden", "aria-multiselectable", "data-hidden"];

/** Writes computed styles onto `root` and its descendants (which must be rendered in the document). */
export function inlineStyles(root: Element): void {
  const parents = new Map<Element, CSSStyleDeclaration>();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  const doomed: Element[] = [];
  const values = new Map<Element, Map<string, string>>();
  for (let node = walker.currentNode as Element | null; node; node = walker.nextNode() as Element | null) {
    const cs = getComputedStyle(node);
    if (cs.display === "none") {
      doomed.push(node);
      continue;
    }
    const parent = node === root ? null : node.parentElement ? parents.get(node.parentElement) : undefined;
    const own = new Map<string, string>();
    for (const prop of INHERITED) {
      const value = cs.getPropertyValue(prop);
      if (value && (!parent || parent.getPropertyValue(prop) !== value)) own.set(prop, value);
    }
    for (const [prop, initial] of Object.entries(NOT_INHERITED)) {
      const value = cs.getPropertyValue(prop);
      if (value && value !== initial) own.set(prop, value);
    }
    parents.set(node, cs);
    values.set(node, own);
  }
  // Written after reading: writing attributes while reading would restyle on every read.
  for (const [node, own] of values) {
    for (const [prop, value] of own) node.setAttribute(prop, value);
    for (const attr of LIVE_ONLY) node.removeAttribute(attr);
  }
  for (const node of doomed) node.remove();
}

let measureContext: CanvasRenderingContext2D | null = null;

function textWidth(text: string, font: string): number {
  measureContext ??= document.createElement("canvas").getContext("2d");
  if (!measureContext) return text.length * 7;
  measureContext.font = font;
  return measureContext.measureText(text).width;
}

function px(value: string): number {
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : 0;
}

function paint(color: string): string {
  return !color || color === "transparent" || color === "rgba(0, 0, 0, 0)" ? "none" : color;
}

/** One legend marker (an HTML span drawn with CSS, or an SVG) as SVG at (x, y), `h` tall. */
function legendMarker(parent: SVGGElement, marker: Element, x: number, y: number, h: number): number {
  if (marker instanceof SVGSVGElement) {
    const w = px(getComputedStyle(marker).width) || 16;
    const copy = marker.cloneNode(true) as SVGSVGElement;
    marker.after(copy);
    inlineStyles(copy);
    copy.remove();
    copy.setAttribute("x", String(x));
    copy.setAttribute("y", String(y + (h - (px(getComputedStyle(marker).height) || h)) / 2));
    parent.appendChild(copy);
    return w;
  }
  const children = [...marker.children];
  if (children.length) {
    let cx = x;
    for (const child of children) cx += legendMarker(parent, child, cx, y, h) + 2;
    return cx - x - 2;
  }
  const cs = getComputedStyle(marker);
  const w = px(cs.width) || 12;
  const boxH = px(cs.height);
  const top = px(cs.borderTopWidth);
  const side = px(cs.borderLeftWidth);
  // Heights are border-box: a line sample (border-top only) is as tall as its border.
  if (top > 0 && boxH - top <= 1 && side === 0) {
    const dash = cs.borderTopStyle === "dashed" ? "5 4" : cs.borderTopStyle === "dotted" ? "2 3" : "";
    el(parent, "line", {
      x1: x,
      x2: x + w,
      y1: y + h / 2,
      y2: y + h / 2,
      stroke: paint(cs.borderTopColor),
      "stroke-width": top,
      ...(dash ? { "stroke-dasharray": dash } : {}),
    });
    return w;
  }
  const height = boxH || w;
  const radius = cs.borderTopLeftRadius.endsWith("%") ? Math.min(w, height) / 2 : px(cs.borderTopLeftRadius);
  const inset = top / 2;
  el(parent, "rect", {
    x: x + inset,
    y: y + (h - height) / 2 + inset,
    width: Math.max(0, w - top),
    height: Math.max(0, height - top),
    rx: Math.max(0, radius - inset),
    fill: paint(cs.backgroundColor),
    stroke: top > 0 ? paint(cs.borderTopColor) : "none",
    "stroke-width": top,
  });
  return w;
}

function buildLegend(legend: HTMLElement | null, width: number, font: string): { g: SVGGElement; height: number } {
  const g = el(null, "g", { class: "export-legend" });
  // Every list the legend shows for the view (the chart's, the network's, anything added).
  const items = legend
    ? [...legend.querySelectorAll("ul > li")].filter(
        (li) => !li.closest("[hidden]") && getComputedStyle(li.parentElement!).display !== "none",
      )
    : [];
  if (!items.length) return { g, height: 0 };
  el(g, "text", { x: 0, y: 14, "font-size": 12, "font-weight": 650, fill: "#334155" }, "Legend");
  const rowH = 20;
  let x = 0;
  let y = 24;
  for (const li of items) {
    const marker = li.firstElementChild;
    const label = (li.textContent ?? "").trim();
    const markerW = marker ? Math.max(10, px(getComputedStyle(marker).width) || 12) : 0;
    const itemW = markerW + 6 + textWidth(label, `12px ${font}`) + 18;
    if (x > 0 && x + itemW > width) {
      x = 0;
      y += rowH;
    }
    const item = el(g, "g", { class: "legend-item" });
    const drawn = marker ? legendMarker(item, marker, x, y, 14) : 0;
    el(item, "text", { x: x + Math.max(markerW, drawn) + 6, y: y + 11, "font-size": 12, fill: "#334155" }, label);
    x += itemW;
  }
  return { g, height: y + rowH };
}

/** The stand-alone SVG of a view: title, subtitle, the drawing and the legend. */
export function buildSvg(source: ExportSource): { markup: string; width: number; height: number } {
  const live = source.svg;
  const font = getComputedStyle(live).fontFamily || "system-ui, sans-serif";
  const clone = live.cloneNode(true) as SVGSVGElement;
  clone.removeAttribute("data-hidden");
  clone.classList.remove("lod-low");
  clone.querySelectorAll(".culled").forEach((node) => node.classList.remove("culled"));
  clone.querySelectorAll("text").forEach((text) => {
    if (!text.textContent) text.remove(); // e.g. the hover name, empty when nothing is hovered
  });
  const viewport = clone.querySelector(":scope > g");
  if (!viewport) throw new Error("the view has no drawing to export");
  viewport.removeAttribute("transform");
  clone.setAttribute("width", "10");
  clone.setAttribute("height", "10");
  source.stage.replaceChildren(clone);
  let b: { x0: number; y0: number; x1: number; y1: number };
  try {
    inlineStyles(clone);
    const box = (viewport as SVGGElement).getBBox();
    b = source.bounds ?? { x0: box.x - 6, y0: box.y - 6, x1: box.x + box.width + 6, y1: box.y + box.height + 6 };
  } finally {
    clone.remove();
  }

  const cw = Math.max(1, b.x1 - b.x0);
  const ch = Math.max(1, b.y1 - b.y0);
  const scale = Math.min(MAX_CONTENT_SCALE, MAX_CONTENT_W / cw, MAX_CONTENT_H / ch);
  const width = Math.ceil(Math.max(MIN_W, cw * scale + 2 * PAD));
  // Title and legend grow with a wide picture, so they stay readable on a slide.
  const f = Math.max(1, Math.min(2.5, width / 1100));
  const legend = buildLegend(source.legend, (width - 2 * PAD * f) / f, font);
  const contentTop = HEADER_H * f;
  const contentH = ch * scale;
  const legendTop = contentTop + contentH + PAD * f;
  const height = Math.ceil(legendTop + (legend.height + PAD) * f);

  const svg = el(null, "svg", {
    xmlns: SVG_NS,
    version: "1.1",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    "font-family": font,
    "font-size": 13,
  });
  el(svg, "title", {}, `${source.title} — ${source.subtitle}`);
  el(svg, "rect", { class: "export-background", width, height, fill: "#ffffff" });
  const header = el(svg, "g", { class: "export-header", transform: `translate(${PAD * f},0) scale(${f.toFixed(4)})` });
  el(header, "text", { class: "export-title", x: 0, y: 38, "font-size": 22, "font-weight": 700, fill: "#0f172a" }, source.title);
  el(header, "text", { class: "export-subtitle", x: 0, y: 60, "font-size": 13, fill: "#475569" }, source.subtitle);
  const offsetX = (width - cw * scale) / 2 - b.x0 * scale;
  const content = el(svg, "g", {
    class: "export-content",
    transform: `translate(${offsetX.toFixed(2)},${(contentTop - b.y0 * scale).toFixed(2)}) scale(${scale.toFixed(4)})`,
  });
  for (const child of [...viewport.childNodes]) content.appendChild(child);
  legend.g.setAttribute("transform", `translate(${PAD * f},${legendTop.toFixed(1)}) scale(${f.toFixed(4)})`);
  svg.appendChild(legend.g);
  const markup = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`;
  return { markup, width, height };
}

async function rasterise(markup: string, width: number, height: number): Promise<{ blob: Blob; width: number; height: number }> {
  const scale = Math.min(PNG_SCALE, PNG_MAX_SIDE / width, PNG_MAX_SIDE / height, Math.sqrt(PNG_MAX_AREA / (width * height)));
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  const image = new Image(width, height);
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("this browser cannot draw on a canvas");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, w, h);
  context.drawImage(image, 0, 0, w, h);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
  if (!blob) throw new Error("the browser could not encode the PNG");
  return { blob, width: w, height: h };
}

export async function exportImage(source: ExportSource, format: ImageFormat): Promise<ExportedImage> {
  const { markup, width, height } = buildSvg(source);
  if (format === "svg") {
    return {
      format,
      blob: new Blob([markup], { type: "image/svg+xml" }),
      filename: `${source.basename}.svg`,
      width,
      height,
      svg: markup,
    };
  }
  const png = await rasterise(markup, width, height);
  return { format, blob: png.blob, filename: `${source.basename}.png`, width: png.width, height: png.height, svg: markup };
}

/** Saves a blob as a file through a temporary link (no navigation, nothing uploaded). */
export function download(blob: Blob, filename: string, parent: Node): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  parent.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
