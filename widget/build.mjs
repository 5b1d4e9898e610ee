// Bundles the widget into one self-registering script the service serves at
// /widget/powermap-org-chart.js. The output is build output: never edit it by hand.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.resolve(here, "..", "service", "widget", "static", "powermap-org-chart.js");

await build({
  entryPoints: [path.join(here, "src", "index.ts")],
  outfile,
  bundle: true,
  // A classic script (not a module) so a host page can load it with a plain
  // <script src defer>; nothing leaks to the page but the custom element.
  format: "iife",
  minify: true,
  sourcemap: "linked",
  target: ["chrome100", "firefox100", "safari15.4"],
  legalComments: "eof",
  logLevel: "info",
});
