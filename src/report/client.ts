/**
 * The report page's script, a browser module: it reads the embedded report data (`<script id="parrot-data">`, typed
 * as data.ts ReportData), builds every element with DOM calls and puts all text in with `textContent` (answers hold
 * HTML, markdown and code: nothing from the data is ever parsed as HTML), and draws charts with the inlined ECharts
 * (the `echarts` global, typed from the echarts package). Readable without colour: lines differ by marker shape and
 * dash, bars carry decal patterns and value labels, scores are written as numbers.
 *
 * How it reaches the page: tsconfig.client.json type-checks this file (DOM types) against ReportData, and
 * tools/build-client.mjs (run by `npm run build`) emits it alone, as ES2017, to dist/report/client.js. Its imports are
 * type-only, so the output holds no import; the compiler's `export {}` is dropped and the code wrapped in a strict
 * function, a plain script that needs no module loader. html.ts inlines that file the way it inlines ECharts' dist
 * file. The main build (tsconfig.json, Node types only) leaves this file out.
 */
import type * as ECharts from "echarts";
import type { BenchGroupData, DatasetView, ReportData, SimulatorGroupView } from "./data.js";

declare const echarts: typeof ECharts;

type Listener = (ev: Event) => void;
type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;
type Child = Node | string | number | null | undefined | false;

interface View {
  id: string;
  label: string;
  render: (root: HTMLElement, arg?: string) => void;
  rerender?: boolean;
  button?: HTMLButtonElement;
  done?: boolean;
}

const DATA: ReportData = JSON.parse(document.getElementById("parrot-data")!.textContent!);
const app = document.getElementById("app")!;
const nav = document.getElementById("tabs")!;
const charts: ECharts.ECharts[] = [];
const SYMBOLS = ["circle", "rect", "triangle", "diamond", "pin", "arrow", "roundRect", "emptyCircle", "emptyRect", "emptyTriangle", "emptyDiamond"];
const DASHES: Array<"solid" | "dashed" | "dotted" | number[]> = ["solid", "dashed", "dotted", [10, 4, 2, 4]];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, children?: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (attrs) {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k === "class") node.className = String(v);
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v as Listener);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
  }
  (children || []).forEach((c) => {
    if (c === null || c === undefined || c === false) return;
    node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  });
  return node;
}
function fmt(x: number | null | undefined, d?: number): string {
  return x === null || x === undefined ? "\u2013" : x.toFixed(d === undefined ? 2 : d);
}
function short(s: string, n: number): string {
  s = String(s).replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "\u2026" : s;
}
function valueText(v: unknown): string {
  return v === null || v === undefined ? "\u2013" : Number(v).toFixed(2);
}

// Text with fenced code blocks: prose keeps its line breaks, code goes in <pre>. Never parsed as HTML.
function richText(text: string): HTMLElement {
  const box = el("div", { class: "rich" });
  const parts = String(text).split("```");
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      const nl = part.indexOf("\n");
      const code = nl >= 0 && /^[\w+#.-]*$/.test(part.slice(0, nl).trim()) ? part.slice(nl + 1) : part;
      box.appendChild(el("pre", null, [el("code", { text: code.replace(/\n$/, "") })]));
    } else if (part.trim() !== "") {
      box.appendChild(el("div", { class: "prose", text: (i % 2 === 1 ? "```" : "") + part.replace(/^\n+|\n+$/g, "") }));
    }
  });
  return box;
}

function scoreBadge(score: number | null | undefined): HTMLElement {
  if (score === undefined || score === null) return el("span", { class: "score na", text: "not judged" });
  if (score < 0) return el("span", { class: "score na", text: "no rating (failed)" });
  const cls = score >= 7 ? "hi" : score >= 4 ? "mid" : "lo";
  return el("span", { class: "score " + cls, title: "judge score", text: "score " + score + "/10" });
}

function chart(container: HTMLElement, option: ECharts.EChartsOption): ECharts.ECharts {
  const c = echarts.init(container, null, { renderer: "svg" });
  option.aria = { enabled: true, decal: { show: true } };
  option.animation = false;
  c.setOption(option);
  charts.push(c);
  return c;
}
window.addEventListener("resize", () => {
  charts.forEach((c) => c.resize());
});

// ---------- Benchmark ----------
function renderBench(root: HTMLElement): void {
  const B = DATA.bench;
  if (!B) {
    root.appendChild(el("p", { class: "note", text: "No judgments were given (--judgments): only answers are shown. " + DATA.models.length + " models." }));
    root.appendChild(modelsTable());
    return;
  }
  root.appendChild(el("h2", { text: "Scores by turn (paper Table 3)" }));
  root.appendChild(el("p", { class: "note", text: B.total + " judgments" + judgeText(B.judges) + "; " + B.failed +
    " failed (no rating, score -1), left out of the means" + (B.duplicates ? "; " + B.duplicates + " exact duplicate rows dropped" : "") +
    ". One table per benchmark, judge and prompt set (never pooled). Mean judge score (1-10) with 95% bootstrap interval over questions (" + B.resamples +
    " resamples); \u2605 = best in column of its table; \u2013 = no judgments for those turns." }));
  B.groups.forEach((G, gi) => renderBenchGroup(root, G, B.buckets, gi === 0 ? "" : "-" + (gi + 1)));
  root.appendChild(el("h3", { text: "Failed judgments" }));
  root.appendChild(el("p", { class: "note", text: B.failed === 0 ? "None: every judgment holds a rating." :
    B.groups.map((G) => G.rows.filter((r) => r.failed > 0).map((r) => r.model + " (" + G.bench + ", " + G.judge + "): " + r.failed).join("; ")).filter(Boolean).join("; ") }));
  root.appendChild(modelsTable());
}

// One benchmark table (one benchmark, judge and prompt set) with its charts; sfx keeps element ids unique.
function renderBenchGroup(root: HTMLElement, B: BenchGroupData, buckets: NonNullable<ReportData["bench"]>["buckets"], sfx: string): void {
  root.appendChild(el("h3", { text: B.bench + " \u00b7 judge " + B.judge + " \u00b7 prompt " + B.prompt + " (" + B.total + " judgments)" }));
  const best = B.best;
  const head = el("tr", null, [el("th", { scope: "col", text: "Model" }) as Child].concat(buckets.map((b) => el("th", { scope: "col", text: b.label })))
    .concat([el("th", { scope: "col", text: "rated" }), el("th", { scope: "col", text: "failed" })]));
  const body = B.rows.map((r) => {
    return el("tr", null, [el("th", { scope: "row", text: r.model }) as Child].concat(buckets.map((b) => {
      const v = r[b.key], ci = r.intervals[b.key];
      const isBest = v !== null && v === best[b.key];
      return el("td", { class: isBest ? "best" : null }, [fmt(v) + (isBest ? " \u2605" : ""), ci ? el("span", { class: "ci", text: "[" + fmt(ci[0]) + ", " + fmt(ci[1]) + "]" }) : null]);
    })).concat([el("td", { text: r.n }), el("td", { text: r.failed })]));
  });
  root.appendChild(el("div", { class: "scroll" }, [el("table", { id: "bench-table" + sfx }, [el("thead", null, [head]), el("tbody", null, body)])]));

  const charts2 = el("div", { class: "charts" });
  root.appendChild(charts2);
  const lineBox = el("div", null, [el("h3", { text: "Mean score by turn" })]);
  const lineEl = el("div", { class: "chart", id: "chart-turns" + sfx, role: "img", "aria-label": "Mean judge score by turn, one line per model (" + B.bench + ", judge " + B.judge + ")" });
  lineBox.appendChild(lineEl);
  const maxTurn = Math.max(8, B.turns.length ? B.turns[B.turns.length - 1] : 1);
  const xs: string[] = [];
  for (let t = 1; t <= maxTurn; t++) xs.push("Turn " + t);
  const missing = xs.filter((_, i) => B.turns.indexOf(i + 1) < 0);
  if (missing.length) lineBox.appendChild(el("p", { class: "note", text: "No judgments for " + missing.join(", ") + "." }));
  charts2.appendChild(lineBox);
  const catBox = el("div", null, [el("h3", { text: "Mean score by category" })]);
  charts2.appendChild(catBox);
  const cats = B.categories.filter((c) => c !== "unknown").concat(B.categories.indexOf("unknown") >= 0 ? ["unknown"] : []);
  let catEl: HTMLDivElement | null = null;
  if (cats.length) {
    catEl = el("div", { class: "chart", id: "chart-categories" + sfx, role: "img", "aria-label": "Mean judge score per question category and model (" + B.bench + ", judge " + B.judge + ")" });
    catEl.style.height = (Math.max(300, cats.length * (B.rows.length * 14 + 12) + 50) + legendRows(catEl, B.rows.map((r) => r.model)) * 20) + "px";
    catBox.appendChild(catEl);
  } else catBox.appendChild(el("p", { class: "note", text: "Categories need the questions file (--questions)." }));
  const names = B.rows.map((r) => r.model);
  const legend: ECharts.LegendComponentOption = { type: "plain", bottom: 0, left: "center", textStyle: { fontSize: 11 }, itemGap: 12 };
  const lr = legendRows(lineEl, names);
  lineEl.style.height = (300 + lr * 20) + "px";
  chart(lineEl, {
    tooltip: { trigger: "axis", valueFormatter: valueText },
    legend: legend,
    grid: { left: 40, right: 20, top: 30, bottom: 40 + lr * 20 },
    xAxis: { type: "category", data: xs, boundaryGap: false },
    yAxis: { type: "value", min: 0, max: 10, interval: 2, name: "score" },
    series: B.rows.map((r, i) => {
      return { name: r.model, type: "line", symbol: SYMBOLS[i % SYMBOLS.length], symbolSize: 9, connectNulls: false,
        lineStyle: { type: DASHES[Math.floor(i / 1) % DASHES.length], width: 2 },
        data: xs.map((_, k) => { const v = r.per_turn[String(k + 1)]; return v === undefined || v === null ? null : Number(v.toFixed(3)); }) };
    }),
  });
  if (catEl) chart(catEl, {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: valueText },
    legend: legend,
    grid: { left: 8, right: 40, top: 10, bottom: 20 + legendRows(catEl, names) * 20, containLabel: true },
    xAxis: { type: "value", min: 0, max: 10 },
    yAxis: { type: "category", data: cats, inverse: true },
    series: B.rows.map((r) => {
      return { name: r.model, type: "bar", barMaxWidth: 14, label: { show: true, position: "right", fontSize: 10, formatter: (p) => (p.value === null ? "" : Number(p.value).toFixed(1)) },
        data: cats.map((c) => { const v = r.categories[c]; return v === undefined || v === null ? null : Number(v.toFixed(3)); }) };
    }),
  });
}

function judgeText(judges: string[]): string {
  if (!judges.length) return "";
  const models: string[] = [], prompts: string[] = [];
  judges.forEach((j) => {
    const p = j.split(" / ");
    if (models.indexOf(p[0]) < 0) models.push(p[0]);
    if (p[1] && prompts.indexOf(p[1]) < 0) prompts.push(p[1]);
  });
  return " by " + models.join(", ") + (prompts.length ? " (prompts " + prompts.join(", ") + ")" : "");
}
// A plain legend that wraps onto more lines; returns the pixels it needs below the plot.
function legendRows(container: HTMLElement, names: string[]): number {
  const width = Math.max(200, container.clientWidth - 30);
  let rows = 1, x = 0;
  names.forEach((n) => {
    const w = n.length * 6.6 + 40;
    if (x + w > width && x > 0) { rows++; x = 0; }
    x += w;
  });
  return rows;
}
function modelsTable(): HTMLElement {
  const counts: Record<string, { a: number; j: number; src: string }> = {};
  DATA.models.forEach((m) => { counts[m] = { a: 0, j: 0, src: "" }; });
  Object.keys(DATA.answers).forEach((q) => { Object.keys(DATA.answers[q]).forEach((m) => { if (counts[m]) { counts[m].a++; counts[m].src = DATA.answers[q][m].source; } }); });
  Object.keys(DATA.judgments).forEach((q) => { Object.keys(DATA.judgments[q]).forEach((m) => { if (counts[m]) counts[m].j += DATA.judgments[q][m].length; }); });
  const d = el("details", { class: "models", id: "model-index" }, [el("summary", { text: "All models (" + DATA.models.length + "): questions answered and judgments" })]);
  const rows = DATA.models.map((m) => {
    return el("tr", null, [el("th", { scope: "row", text: m }), el("td", { text: counts[m].a }), el("td", { text: counts[m].j }), el("td", { text: counts[m].src === "judge prompt" ? "recovered from judge prompts" : counts[m].a ? "answer file" : "" })]);
  });
  d.appendChild(el("div", { class: "scroll" }, [el("table", null, [el("thead", null, [el("tr", null, [el("th", { text: "Model" }), el("th", { text: "answered" }), el("th", { text: "judgments" }), el("th", { text: "answers from" })])]), el("tbody", null, rows)])]));
  return d;
}

// ---------- Answers & judgments browser (paper Figures 6-8) ----------
const browse: { q: number; cat: string; models: string[] | null } = { q: 0, cat: "", models: null };
function renderBrowse(root: HTMLElement, qkey?: string): void {
  const qs = DATA.questions;
  if (!browse.models) {
    const judged: string[] = [];
    if (DATA.bench) DATA.bench.groups.forEach((G) => { G.rows.forEach((r) => { if (judged.indexOf(r.model) < 0) judged.push(r.model); }); });
    browse.models = (judged.length ? judged : DATA.models).slice(0, 4);
  }
  const shown = browse.models;
  if (qkey) { const i = qs.findIndex((q) => q.key === qkey); if (i >= 0) browse.q = i; }
  root.textContent = "";
  const cats: string[] = [];
  qs.forEach((q) => { if (q.category && cats.indexOf(q.category) < 0) cats.push(q.category); });
  const visible = qs.map((q, i) => i).filter((i) => !browse.cat || qs[i].category === browse.cat);
  if (visible.indexOf(browse.q) < 0) browse.q = visible[0];
  const q = qs[browse.q];
  const sel = el("select", { class: "wide", id: "question-select", "aria-label": "question", onchange: () => { browse.q = Number(sel.value); go("browse", qs[browse.q].key); } },
    visible.map((i) => { const x = qs[i]; return el("option", { value: i, selected: i === browse.q, text: "Q" + x.id + (x.category ? " \u00b7 " + x.category : "") + (x.turns[0] ? " \u00b7 " + short(x.turns[0], 70) : "") }); }));
  const catSel = el("select", { "aria-label": "category", onchange: () => { browse.cat = catSel.value; renderBrowse(root); } },
    [el("option", { value: "", text: "all categories" })].concat(cats.map((c) => el("option", { value: c, selected: c === browse.cat, text: c }))));
  const pos = visible.indexOf(browse.q);
  const step = (d: number) => () => { const j = visible[(pos + d + visible.length) % visible.length]; browse.q = j; go("browse", qs[j].key); };
  root.appendChild(el("div", { class: "controls" }, [
    el("label", null, ["Category ", catSel]),
    el("label", null, ["Question ", sel]),
    el("button", { type: "button", onclick: step(-1), "aria-label": "previous question", text: "\u2190 prev" }),
    el("button", { type: "button", onclick: step(1), "aria-label": "next question", text: "next \u2192" }),
    el("span", { class: "muted", text: (pos + 1) + " of " + visible.length }),
  ]));
  const picker = el("details", { class: "models" }, [el("summary", { text: "Models shown side by side: " + shown.length + " of " + DATA.models.length + " (choose)" })]);
  const list = el("div", { class: "model-list" });
  DATA.models.forEach((m) => {
    const has = (DATA.answers[q.key] && DATA.answers[q.key][m]) || (DATA.judgments[q.key] && DATA.judgments[q.key][m]);
    const cb = el("input", { type: "checkbox", checked: shown.indexOf(m) >= 0, onchange: () => {
      if (cb.checked) shown.push(m); else browse.models = shown.filter((x) => x !== m);
      const open = picker.open;
      renderBrowse(root);
      root.querySelector<HTMLDetailsElement>("details.models")!.open = open;
    } });
    list.appendChild(el("label", { class: has ? null : "muted" }, [cb, el("span", { class: "model-name", text: m + (has ? "" : " (no answer)") })]));
  });
  picker.appendChild(list);
  root.appendChild(picker);

  const ans = DATA.answers[q.key] || {}, jd = DATA.judgments[q.key] || {};
  let T = q.turns.length;
  shown.forEach((m) => { if (ans[m]) T = Math.max(T, ans[m].turns.length); (jd[m] || []).forEach((j) => { T = Math.max(T, j.turn); }); });
  if (!q.turns.length) root.appendChild(el("p", { class: "note", text: "The question text is unknown: pass the questions file (--questions)." }));
  for (let t = 1; t <= T; t++) {
    const sec = el("section", { class: "turn", "aria-label": "turn " + t }, [el("h3", { text: "Turn " + t })]);
    if (q.turns[t - 1] !== undefined) sec.appendChild(el("div", { class: "query" }, [el("b", { text: "User" }), richText(q.turns[t - 1])]));
    if (q.reference && q.reference[t - 1] !== undefined) sec.appendChild(el("details", { class: "ref" }, [el("summary", null, [el("b", { text: "Reference answer" + (q.referenceModel ? " (" + q.referenceModel + ")" : "") })]), richText(q.reference[t - 1])]));
    const grid = el("div", { class: "grid" });
    shown.forEach((m) => {
      const a = ans[m], text = a ? a.turns[t - 1] : undefined;
      const js = (jd[m] || []).filter((j) => j.turn === t);
      const card = el("article", { class: "card", "data-model": m }, [
        el("header", null, [el("strong", { text: m }), js.length ? scoreBadge(js[0].score) : scoreBadge(null)]),
        a && a.source === "judge prompt" ? el("span", { class: "tag", title: "no answer file for this model: the text is taken from the judge prompt", text: "answer from the judge prompt" }) : null,
        el("div", { class: "body" }, [text !== undefined && text !== "" ? richText(text) : el("p", { class: "muted", text: "(no answer)" })]),
      ]);
      js.forEach((j) => {
        card.appendChild(el("details", { class: "judge", open: true }, [el("summary", { text: "Judge's explanation" + (j.judge ? " (" + j.judge + ")" : "") + (js.length > 1 ? ": " + (j.score < 0 ? "no rating" : j.score) : "") }), el("div", { class: "prose", text: j.judgment || "(empty)" })]));
      });
      grid.appendChild(card);
    });
    sec.appendChild(grid);
    root.appendChild(sec);
  }
}

// ---------- Dataset view (Table 1, turns histogram, context-dependent queries) ----------
const ds = { file: 0, onlyCtx: true, s: 0 };
function renderDataset(root: HTMLElement): void {
  root.appendChild(el("h2", { text: "Dataset statistics (paper Table 1)" }));
  const rows = DATA.datasets.map((d) => {
    return el("tr", null, [el("th", { scope: "row", text: d.file }), el("td", { text: d.stats.sessions }), el("td", { text: fmt(d.stats.avg_turns) }), el("td", { text: fmt(d.stats.avg_ctx_queries) }), el("td", { text: fmt(d.stats.self_rouge) })]);
  });
  root.appendChild(el("div", { class: "scroll" }, [el("table", { id: "dataset-table" }, [el("thead", null, [el("tr", null, ["Dataset", "#Sessions", "Avg. turns", "Avg. ctx. queries", "Self-ROUGE"].map((h) => el("th", { scope: "col", text: h })))]), el("tbody", null, rows)])]));
  root.appendChild(el("p", { class: "note", text: "Turns = user queries per session. Ctx. queries: queries flagged context-dependent by the heuristic detector (anaphora, ellipsis, back-references). Self-ROUGE: mean ROUGE-L F1 between the queries of a session, \u00d7100." }));
  root.appendChild(el("h3", { text: "Turns per session" }));
  const hEl = el("div", { class: "chart", id: "chart-histogram", role: "img", "aria-label": "Histogram of user turns per session" });
  root.appendChild(hEl);
  let maxT = 1;
  DATA.datasets.forEach((d) => { d.turnsHistogram.forEach((p) => { if (p[0] > maxT) maxT = p[0]; }); });
  const xs: string[] = [];
  for (let t = 1; t <= maxT; t++) xs.push(String(t));
  chart(hEl, {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 8, right: 20, top: 20, bottom: 60, containLabel: true },
    xAxis: { type: "category", data: xs, name: "turns", nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "value", name: "sessions" },
    series: DATA.datasets.map((d) => {
      const m: Record<string, number> = {};
      d.turnsHistogram.forEach((p) => { m[p[0]] = p[1]; });
      return { name: d.file.split(/[\\/]/).pop(), type: "bar", label: { show: true, position: "top", fontSize: 10, formatter: (p) => (p.value ? String(p.value) : "") }, data: xs.map((x) => m[x] || 0) };
    }),
  });
  root.appendChild(el("h3", { text: "Sessions, context-dependent queries highlighted" }));
  const box = el("div");
  root.appendChild(box);
  renderSessions(box);
}
function cueRegex(cues: string[]): RegExp | null {
  const words: string[] = [];
  cues.forEach((c) => {
    const d = c.slice(c.indexOf(":") + 1).trim();
    if (d && /^[A-Za-z' ]+$/.test(d) && d.length > 1 && ["fragment", "reply", "challenge", "acknowledgement"].indexOf(d) < 0) words.push(d.replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
  });
  return words.length ? new RegExp("\\b(" + words.join("|") + ")\\b", "gi") : null;
}
function highlighted(text: string, re: RegExp | null): HTMLElement {
  const box = el("div", { class: "prose" });
  if (!re) { box.textContent = text; return box; }
  let last = 0, m: RegExpExecArray | null;
  re.lastIndex = 0;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === "") { re.lastIndex++; continue; }
    box.appendChild(document.createTextNode(text.slice(last, m.index)));
    box.appendChild(el("mark", { text: m[0] }));
    last = m.index + m[0].length;
  }
  box.appendChild(document.createTextNode(text.slice(last)));
  return box;
}
function renderSessions(box: HTMLElement): void {
  box.textContent = "";
  const d: DatasetView = DATA.datasets[ds.file];
  const idx = d.sessions.map((s, i) => i).filter((i) => !ds.onlyCtx || d.sessions[i].context.length > 0);
  if (idx.indexOf(ds.s) < 0) ds.s = idx.length ? idx[0] : -1;
  const fileSel = el("select", { "aria-label": "session file", onchange: () => { ds.file = Number(fileSel.value); ds.s = 0; renderSessions(box); } },
    DATA.datasets.map((x, i) => el("option", { value: i, selected: i === ds.file, text: x.file.split(/[\\/]/).pop() })));
  const only = el("input", { type: "checkbox", checked: ds.onlyCtx, onchange: () => { ds.onlyCtx = only.checked; renderSessions(box); } });
  const sSel = el("select", { class: "wide", id: "session-select", "aria-label": "session", onchange: () => { ds.s = Number(sSel.value); renderSessions(box); } },
    idx.map((i) => { const s = d.sessions[i]; return el("option", { value: i, selected: i === ds.s, text: s.id + " \u00b7 " + (s.messages.length + 1 >> 1) + " turns \u00b7 " + s.context.length + " ctx \u00b7 " + short(s.messages[0].content, 60) }); }));
  box.appendChild(el("div", { class: "controls" }, [el("label", null, ["File ", fileSel]), el("label", null, [only, "only sessions with context-dependent queries"]), el("label", null, ["Session ", sSel])]));
  box.appendChild(el("p", { class: "note", text: d.contextQueries + " context-dependent queries in the " + d.sessions.length + " sessions shown" + (d.total > d.sessions.length ? " (first " + d.sessions.length + " of " + d.total + "; statistics above use all)" : "") + ". A context-dependent query has a heavy left border, the label \u27f2 and its cue words marked." }));
  if (ds.s < 0) { box.appendChild(el("p", { class: "muted", text: "No session matches." })); return; }
  const s = d.sessions[ds.s];
  const marks: Record<number, DatasetView["sessions"][number]["context"][number]> = {};
  s.context.forEach((c) => { marks[c.index] = c; });
  let turn = 0;
  s.messages.forEach((m, i) => {
    if (m.role === "user") turn++;
    const c = marks[i];
    const who = m.role === "user" ? "User \u00b7 turn " + turn : "Assistant";
    box.appendChild(el("div", { class: "msg " + m.role + (c ? " ctx" : "") }, [
      el("div", { class: "who", text: who + (c ? "  \u27f2 context-dependent (score " + c.score.toFixed(2) + ")" : "") }),
      c ? el("div", { class: "cues" }, ["cues: " as Child].concat(c.cues.map((x) => el("span", { class: "tag", text: x })))) : null,
      m.role === "user" ? highlighted(m.content, c ? cueRegex(c.cues) : null) : el("div", { class: "body" }, [richText(m.content)]),
    ]));
  });
}

// ---------- Pairs view ----------
const pv = { strategy: "", page: 0 };
const PAGE = 10;
function renderPairs(root: HTMLElement): void {
  root.textContent = "";
  const P = DATA.pairs!;
  const items = P.items.filter((p) => !pv.strategy || p.strategy === pv.strategy);
  const pages = Math.max(1, Math.ceil(items.length / PAGE));
  if (pv.page >= pages) pv.page = pages - 1;
  const sel = el("select", { id: "strategy-select", "aria-label": "strategy", onchange: () => { pv.strategy = sel.value; pv.page = 0; renderPairs(root); } },
    [el("option", { value: "", text: "all strategies (" + P.total + ")" })].concat(P.strategies.map((s) => el("option", { value: s[0], selected: s[0] === pv.strategy, text: s[0] + " (" + s[1] + ")" }))));
  const page = (d: number) => () => { pv.page = Math.min(pages - 1, Math.max(0, pv.page + d)); renderPairs(root); window.scrollTo(0, 0); };
  root.appendChild(el("h2", { text: "Preference pairs (CaPO)" }));
  root.appendChild(el("div", { class: "controls" }, [el("label", null, ["Strategy ", sel]),
    el("div", { class: "pager" }, [el("button", { type: "button", onclick: page(-1), disabled: pv.page === 0, text: "\u2190 prev" }), el("span", { text: "page " + (pv.page + 1) + " of " + pages + " \u00b7 " + items.length + " pairs" }), el("button", { type: "button", onclick: page(1), disabled: pv.page >= pages - 1, text: "next \u2192" })])]));
  if (P.items.length < P.total) root.appendChild(el("p", { class: "note", text: "Showing the first " + P.items.length + " of " + P.total + " pairs." }));
  items.slice(pv.page * PAGE, pv.page * PAGE + PAGE).forEach((p) => {
    const ctx = p.prompt.slice(0, -1), query = p.prompt[p.prompt.length - 1];
    root.appendChild(el("article", { class: "pair", "data-strategy": p.strategy }, [
      el("div", { class: "muted" }, [el("span", { class: "tag", text: p.strategy }), " ", p.id + " \u00b7 session " + p.session_id + " \u00b7 turn " + p.turn]),
      ctx.length ? el("details", null, [el("summary", { text: "Context: " + ctx.length + " earlier messages" }) as Child].concat(ctx.map((m) => {
        return el("div", { class: "msg " + (m.role === "user" ? "user" : "") }, [el("div", { class: "who", text: m.role }), richText(m.content)]);
      }))) : null,
      el("div", { class: "query" }, [el("b", { text: "Query (turn " + p.turn + ")" }), richText(query.content)]),
      el("div", { class: "sides" }, [
        el("div", { class: "side chosen" }, [el("h4", { text: "\u2713 Chosen" }), el("div", { class: "body" }, [richText(p.chosen)])]),
        el("div", { class: "side rejected" }, [el("h4", { text: "\u2717 Rejected (" + p.strategy + ")" }), el("div", { class: "body" }, [richText(p.rejected)])]),
      ]),
      Object.keys(p.meta || {}).length ? el("details", null, [el("summary", { text: "meta" }), el("pre", { text: JSON.stringify(p.meta, null, 2) })]) : null,
    ]));
  });
}

// ---------- Simulators view (issue 14: `parrot simulator show`'s table, real vs simulated next queries) ----------
const sv: { g: number; item: number } = { g: 0, item: 0 };
function cellsTable(id: string, columns: string[], rows: string[][]): HTMLElement {
  return el("div", { class: "scroll" }, [el("table", { id: id }, [
    el("thead", null, [el("tr", null, columns.map((c) => el("th", { scope: "col", text: c })))]),
    el("tbody", null, rows.map((r, i) => el("tr", { class: i === 0 ? "ref-row" : null }, r.map((c, j) => j === 0 ? el("th", { scope: "row", text: c }) : el("td", { text: c }))))),
  ])]);
}
function renderSimulators(root: HTMLElement): void {
  root.textContent = "";
  const G: SimulatorGroupView[] = DATA.simulators;
  if (sv.g >= G.length) sv.g = 0;
  root.appendChild(el("h2", { text: "User simulators against real users (next query on real history)" }));
  root.appendChild(el("p", { class: "note", text: "The table of parrot simulator show: real users first, then one row per simulator, on the same held-out items. ppl_real: perplexity of the real query under the simulator; role_leak: share of queries that read as an assistant reply; words/median: words per query; question: share of questions; ctx_rate: share flagged context-dependent; rougeL_real: ROUGE-L F1 to the real query; len_W1: word-length distance to the real queries (docs/simulator-eval.md)." }));
  G.forEach((g, gi) => {
    root.appendChild(el("h3", { text: g.file.split(/[\\/]/).pop() + " \u00b7 held-out " + g.heldOut.split(/[\\/]/).pop() + " (" + g.key + "; " + g.itemsAvailable + " items available)" }));
    root.appendChild(cellsTable("simulator-table" + (gi === 0 ? "" : "-" + (gi + 1)), g.columns, g.rows));
    g.pplNotes.forEach((n) => root.appendChild(el("p", { class: "note", text: n })));
    if (g.rollouts) {
      root.appendChild(el("h3", { text: "Rollouts" }));
      root.appendChild(cellsTable("rollout-table" + (gi === 0 ? "" : "-" + (gi + 1)), g.rolloutColumns, g.rollouts));
    }
  });
  const notes: string[] = [];
  G.forEach((g) => g.notes.forEach((n) => { if (notes.indexOf(n) < 0) notes.push(n); }));
  notes.forEach((n) => root.appendChild(el("p", { class: "note", text: n })));
  root.appendChild(el("h2", { text: "Next queries side by side" }));
  const box = el("div", { id: "simulator-items" });
  root.appendChild(box);
  renderSimulatorItem(box);
}
function renderSimulatorItem(box: HTMLElement): void {
  box.textContent = "";
  const G = DATA.simulators, g = G[sv.g];
  const gSel = el("select", { "aria-label": "held-out set", onchange: () => { sv.g = Number(gSel.value); sv.item = 0; renderSimulatorItem(box); } },
    G.map((x, i) => el("option", { value: i, selected: i === sv.g, text: x.file.split(/[\\/]/).pop() + " \u00b7 " + x.key })));
  if (!g.items.length) {
    box.appendChild(el("div", { class: "controls" }, [G.length > 1 ? el("label", null, ["Table ", gSel]) : null]));
    box.appendChild(el("p", { class: "muted", text: "No item has a query from every simulator (run files: " + g.labels.length + ")." }));
    return;
  }
  if (sv.item >= g.items.length) sv.item = 0;
  const it = g.items[sv.item];
  const sel = el("select", { class: "wide", id: "simulator-item-select", "aria-label": "held-out item", onchange: () => { sv.item = Number(sel.value); renderSimulatorItem(box); } },
    g.items.map((x, i) => el("option", { value: i, selected: i === sv.item, text: x.key + " \u00b7 turn " + x.turn + " \u00b7 " + short(x.real, 60) })));
  const step = (d: number) => () => { sv.item = (sv.item + d + g.items.length) % g.items.length; renderSimulatorItem(box); };
  box.appendChild(el("div", { class: "controls" }, [
    G.length > 1 ? el("label", null, ["Table ", gSel]) : null,
    el("label", null, ["Item ", sel]),
    el("button", { type: "button", onclick: step(-1), "aria-label": "previous item", text: "\u2190 prev" }),
    el("button", { type: "button", onclick: step(1), "aria-label": "next item", text: "next \u2192" }),
    el("span", { class: "muted", text: (sv.item + 1) + " of " + g.items.length + (g.shared > g.items.length ? " (first " + g.items.length + " of " + g.shared + ")" : "") + " items every simulator answered" }),
  ]));
  if (it.history) {
    if (it.earlier) box.appendChild(el("p", { class: "note", text: it.earlier + " earlier messages not shown." }));
    let turn = it.turn - 1 - it.history.filter((m) => m.role === "user").length;
    it.history.forEach((m) => {
      if (m.role === "user") turn++;
      box.appendChild(el("div", { class: "msg " + m.role }, [el("div", { class: "who", text: m.role === "user" ? "User \u00b7 turn " + turn : "Assistant" }), el("div", { class: "body" }, [richText(m.content)])]));
    });
  } else box.appendChild(el("p", { class: "note", text: "The real history is not shown: the held-out sessions file is not available (see the notes above)." }));
  const grid = el("div", { class: "grid sim-grid" });
  grid.appendChild(el("article", { class: "card real", "data-label": "real users" }, [el("header", null, [el("strong", { text: "Real user (turn " + it.turn + ")" })]), el("div", { class: "body" }, [richText(it.real)])]));
  g.labels.forEach((l) => {
    const q = it.generated[l];
    grid.appendChild(el("article", { class: "card", "data-label": l }, [el("header", null, [el("strong", { text: l })]), el("div", { class: "body" }, [q ? richText(q) : el("p", { class: "muted", text: "(empty query)" })])]));
  });
  box.appendChild(grid);
}

// ---------- Training view (issue 13: loss curves of parrot train runs) ----------
function renderTraining(root: HTMLElement): void {
  const T = DATA.training;
  root.appendChild(el("h2", { text: "Training runs" }));
  const rows = T.map((r) => {
    const s = r.summary;
    return el("tr", null, [el("th", { scope: "row", text: r.label }), el("td", { text: s ? s.kind : "\u2013" }), el("td", { text: s ? s.steps : r.loss.length + " logged" }),
      el("td", { text: s ? fmt(s.train_s, 1) : "running" }), el("td", { text: s ? s.tokens : "\u2013" }), el("td", { text: s ? fmt(s.tokens_per_s) : "\u2013" }),
      el("td", { text: fmt(r.lossFirst, 4) + " \u2192 " + fmt(r.lossLast, 4) }), el("td", { text: s && s.device ? s.device : "\u2013" })]);
  });
  root.appendChild(el("div", { class: "scroll" }, [el("table", { id: "training-table" }, [el("thead", null, [el("tr", null, ["Run", "kind", "steps", "train_s", "tokens", "tokens/s", "loss first \u2192 last", "device"].map((h) => el("th", { scope: "col", text: h })))]), el("tbody", null, rows)])]));
  root.appendChild(el("p", { class: "note", text: "From each folder's train_summary.json (written when the run ends) and metrics.jsonl (one row per logged step). Loss: the trainer's training loss (SFT: token cross-entropy; CaPO: the DPO loss, 0.693 = ln 2 at the start)." }));
  root.appendChild(el("h3", { text: "Loss by step" }));
  const c = el("div", { class: "chart", id: "chart-loss", role: "img", "aria-label": "Training loss by step, one line per run" });
  root.appendChild(c);
  const names = T.map((r) => r.label + (r.kind && r.kind !== r.label ? " (" + r.kind + ")" : ""));
  const lr = legendRows(c, names);
  c.style.height = (340 + lr * 20) + "px";
  chart(c, {
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "\u2013" : Number(v).toFixed(4)) },
    legend: { type: "plain", bottom: 0, left: "center", textStyle: { fontSize: 11 }, itemGap: 12 },
    grid: { left: 8, right: 24, top: 30, bottom: 40 + lr * 20, containLabel: true },
    xAxis: { type: "value", name: "step", nameLocation: "middle", nameGap: 26, minInterval: 1 },
    yAxis: { type: "value", name: "loss", scale: true },
    series: T.map((r, i) => ({ name: names[i], type: "line", symbol: SYMBOLS[i % SYMBOLS.length], symbolSize: 8, lineStyle: { type: DASHES[i % DASHES.length], width: 2 }, data: r.loss })),
  });
  const dpo = T.filter((r) => r.margins);
  if (dpo.length) {
    root.appendChild(el("h3", { text: "CaPO (DPO) reward margin by step" }));
    const m = el("div", { class: "chart", id: "chart-margins", role: "img", "aria-label": "DPO reward margin (chosen minus rejected) by step" });
    root.appendChild(m);
    chart(m, {
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "\u2013" : Number(v).toFixed(4)) },
      legend: { type: "plain", bottom: 0 },
      grid: { left: 8, right: 24, top: 30, bottom: 60, containLabel: true },
      xAxis: { type: "value", name: "step", nameLocation: "middle", nameGap: 26, minInterval: 1 },
      yAxis: { type: "value", name: "margin" },
      series: dpo.map((r, i) => ({ name: r.label, type: "line", symbol: SYMBOLS[i % SYMBOLS.length], symbolSize: 8, data: r.margins! })),
    });
  }
}

// ---------- Cost view (issue 15: tokens of the inputs' runs, money with --prices) ----------
function renderCost(root: HTMLElement): void {
  const C = DATA.cost!;
  root.appendChild(el("h2", { text: "Tokens" + (C.currency ? " and cost" : "") + " of the runs behind the inputs" }));
  const head = ["File", "command", "role", "requests", "prompt tokens", "completion tokens"].concat(C.currency ? ["cost (" + C.currency + ")"] : []);
  const body: HTMLElement[] = [];
  C.files.forEach((f) => {
    const name = f.file.split(/[\\/]/).pop() || f.file;
    f.roles.forEach((r, i) => {
      body.push(el("tr", null, [el("th", { scope: "row", title: f.file, text: i === 0 ? name : "" }), el("td", { text: i === 0 ? f.command : "" }), el("td", { text: r.role }), el("td", { text: r.requests }), el("td", { text: r.prompt_tokens }), el("td", { text: r.completion_tokens }) as Child].concat(C.currency ? [el("td", { text: "" })] : [])));
    });
    body.push(el("tr", { class: "total-row" }, [el("th", { scope: "row", title: f.file, text: f.roles.length ? "" : name }), el("td", { text: f.roles.length ? "" : f.command }), el("td", { text: "all" + (f.unwritten ? " (" + f.unwritten + " tokens in calls whose items wrote nothing)" : "") }),
      el("td", { text: f.total.requests }), el("td", { text: f.total.prompt_tokens }), el("td", { text: f.total.completion_tokens }) as Child].concat(C.currency ? [el("td", { title: f.costByModel.map((x) => x[0] + " " + x[1]).join(", "), text: (f.cost || "") + (f.unpriced.length ? " (no price: " + f.unpriced.join(", ") + ")" : "") })] : [])));
  });
  body.push(el("tr", { class: "total-row" }, [el("th", { scope: "row", text: "All runs" }), el("td"), el("td"), el("td", { text: C.total.requests }), el("td", { text: C.total.prompt_tokens }), el("td", { text: C.total.completion_tokens }) as Child].concat(C.currency ? [el("td", { text: C.totalCost || "" })] : [])));
  root.appendChild(el("div", { class: "scroll" }, [el("table", { id: "cost-table" }, [el("thead", null, [el("tr", null, head.map((h) => el("th", { scope: "col", text: h })))]), el("tbody", null, body)])]));
  root.appendChild(el("p", { class: "note", text: "From each input's run manifest (FILE.manifest.json, usage): every run's calls summed, those behind written rows and those of items that wrote nothing." + (C.currency ? " Cost = prompt tokens \u00d7 input price + completion tokens \u00d7 output price per million (--prices); models without a price count as 0." : " Pass --prices FILE for the cost.") }));
}

// ---------- Tabs and routing ----------
const views: View[] = [];
if (DATA.bench || DATA.models.length) views.push({ id: "bench", label: "Benchmark", render: renderBench });
if (DATA.questions.length) views.push({ id: "browse", label: "Answers & judgments", render: renderBrowse, rerender: true });
if (DATA.datasets.length) views.push({ id: "dataset", label: "Dataset", render: renderDataset });
if (DATA.pairs) views.push({ id: "pairs", label: "Pairs", render: renderPairs });
if (DATA.simulators.length) views.push({ id: "simulators", label: "Simulators", render: renderSimulators });
if (DATA.training.length) views.push({ id: "training", label: "Training", render: renderTraining });
if (DATA.cost) views.push({ id: "cost", label: "Cost", render: renderCost });
const panes: Record<string, HTMLElement> = {};
views.forEach((v) => {
  v.button = el("button", { type: "button", role: "tab", id: "tab-" + v.id, "aria-controls": "view-" + v.id, onclick: () => go(v.id), text: v.label });
  nav.appendChild(v.button);
  panes[v.id] = el("section", { id: "view-" + v.id, role: "tabpanel", hidden: true });
  app.appendChild(panes[v.id]);
});
if (!views.length) app.appendChild(el("p", { text: "No data." }));
function go(id: string, arg?: string): void {
  location.hash = id + (arg ? "/" + encodeURIComponent(arg) : "");
}
function route(): void {
  const h = decodeURIComponent(location.hash.slice(1)), slash = h.indexOf("/");
  const id = slash >= 0 ? h.slice(0, slash) : h, arg = slash >= 0 ? h.slice(slash + 1) : "";
  const v = views.filter((x) => x.id === id)[0] || views[0];
  if (!v) return;
  views.forEach((x) => { const on = x === v; x.button!.setAttribute("aria-selected", on ? "true" : "false"); panes[x.id].hidden = !on; });
  if (!v.done || v.rerender) { v.render(panes[v.id], arg); v.done = true; }
  charts.forEach((c) => c.resize());
}
window.addEventListener("hashchange", route);
route();

const foot = el("footer", null, [el("details", null, [el("summary", { text: "Inputs \u00b7 generated " + DATA.generated + " by parrot report" }),
  el("div", { class: "scroll" }, [el("table", null, DATA.sources.map((s) => el("tr", null, [el("td", { text: s.kind }), el("td", { text: s.file }), el("td", { text: s.records + " records" })])))])])]);
document.body.appendChild(foot);
(window as Window & { __parrotReady?: boolean }).__parrotReady = true;
