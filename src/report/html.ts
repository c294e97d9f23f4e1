/**
 * One self-contained HTML page: stylesheet (style.ts), ECharts (the package's minified dist, Apache-2.0, licence header
 * kept), the report script (client.ts, compiled to dist/report/client.js) and the data, all inline, so `index.html`
 * opens from disk (file://) and loads nothing from the network.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ReportData } from "./data.js";
import { REPORT_CSS } from "./style.js";

const sources = new Map<string, string>();

/** A file's text, read once. */
function readOnce(file: string): string {
  let text = sources.get(file);
  if (text === undefined) sources.set(file, (text = fs.readFileSync(file, "utf8")));
  return text;
}

/** The minified ECharts browser bundle (node_modules/echarts/dist/echarts.min.js). */
function echartsSource(): string {
  return readOnce(createRequire(import.meta.url).resolve("echarts/dist/echarts.min.js"));
}

/**
 * A compiled browser script of the report (tools/build-client.mjs writes dist/report/NAME.js from src/report/NAME.ts).
 * Found from the package root, two folders up from both src/report (tests) and dist/report (the built CLI).
 * @throws Error when the build has not made it.
 */
function browserScript(name: "client" | "live-reload"): string {
  const file = fileURLToPath(new URL(`../../dist/report/${name}.js`, import.meta.url));
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: \`npm run build\` compiles the report's browser scripts`);
  return readOnce(file);
}

/** The report page's script (client.ts). */
export function reportScript(): string {
  return browserScript("client");
}

/** The live-reload client of `parrot view` (live-reload.ts). */
export function liveReloadScript(): string {
  return browserScript("live-reload");
}

/** HTML-escape text for element content and attribute values. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * JSON for a `<script type="application/json">` element: every `<` is written as `\u003c` (so no `</script>` or
 * `<!--` can close or confuse the element), and U+2028/U+2029 escaped. JSON.parse gives back the same value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** A script's source made safe to inline: `</script` cannot end the element early. */
function inlineScript(src: string): string {
  return src.replace(/<\/(script)/gi, "<\\/$1");
}

export interface RenderOptions {
  /** Add the `parrot view` live-reload client (EventSource on /__parrot/events). */
  liveReload?: boolean;
}

/**
 * Render the report page.
 * @returns the complete HTML document (UTF-8 text).
 */
export function renderReportHtml(data: ReportData, options: RenderOptions = {}): string {
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="parrot report">`,
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    "</head><body>",
    `<header><h1>${escapeHtml(data.title)}<small>${escapeHtml(describe(data))}</small></h1><nav id="tabs" role="tablist" aria-label="views"></nav></header>`,
    '<main id="app"><noscript>This report needs JavaScript to draw its tables and charts.</noscript></main>',
    `<script type="application/json" id="parrot-data">${jsonForScript(data)}</script>`,
    `<script>${inlineScript(echartsSource())}</script>`,
    `<script>${inlineScript(reportScript())}</script>`,
    options.liveReload ? `<script>${inlineScript(liveReloadScript())}</script>` : "",
    "</body></html>",
    "",
  ].join("\n");
}

function describe(d: ReportData): string {
  const parts: string[] = [];
  if (d.bench) parts.push(`${new Set(d.bench.groups.flatMap((g) => g.rows.map((r) => r.model))).size} judged models`);
  if (d.models.length) parts.push(`${d.models.length} models`);
  if (d.questions.length) parts.push(`${d.questions.length} questions`);
  if (d.datasets.length) parts.push(`${d.datasets.reduce((a, x) => a + x.total, 0)} sessions`);
  if (d.pairs) parts.push(`${d.pairs.total} pairs`);
  return parts.join(" · ");
}
