/**
 * The page's stylesheet and script, inlined into index.html by html.ts. The script is plain ES2017 for the browser;
 * it reads the embedded report data (data.ts ReportData), builds every element with DOM calls and puts all text in
 * with `textContent` (answers hold HTML, markdown and code: nothing from the data is ever parsed as HTML), and draws
 * charts with the inlined ECharts (`echarts` global). Readable without colour: lines differ by marker shape and dash,
 * bars carry decal patterns and value labels, scores are written as numbers.
 *
 * Kept as strings (no template literal substitutions, no backticks inside) so that the compiled CLI carries them.
 */

export const REPORT_CSS = String.raw`
:root { --fg:#1d1f23; --muted:#5b616b; --line:#d5d9e0; --bg:#fff; --soft:#f4f6f9; --accent:#2457c5; --good:#1c7c43; --bad:#b3261e; --mark:#ffe58a; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color:var(--fg); background:var(--bg); }
header { position: sticky; top:0; z-index:5; background:var(--bg); border-bottom:1px solid var(--line); padding:.5rem 1rem .0rem; }
header h1 { font-size:1.15rem; margin:0 0 .35rem; }
header h1 small { font-weight:normal; color:var(--muted); font-size:.8rem; margin-left:.5rem; }
nav { display:flex; gap:.25rem; overflow-x:auto; }
nav button { font:inherit; border:1px solid var(--line); border-bottom:none; background:var(--soft); padding:.35rem .8rem; border-radius:6px 6px 0 0; cursor:pointer; white-space:nowrap; }
nav button[aria-selected="true"] { background:var(--bg); font-weight:600; border-color:var(--fg); text-decoration: underline; text-underline-offset: 4px; }
main { padding: .75rem 1rem 2rem; max-width: 1600px; margin: 0 auto; }
h2 { font-size:1.1rem; margin:1.2rem 0 .5rem; }
h3 { font-size:1rem; margin:1rem 0 .4rem; }
p.note, .muted { color:var(--muted); font-size:.88rem; }
.scroll { overflow-x:auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border-bottom:1px solid var(--line); padding:.3rem .6rem; text-align:right; vertical-align: top; }
th:first-child, td:first-child { text-align:left; }
thead th { border-bottom:2px solid var(--fg); white-space:nowrap; }
td .ci { display:block; font-size:.75rem; color:var(--muted); white-space:nowrap; }
td.best { font-weight:700; }
.chart { width:100%; height:340px; border:1px solid var(--line); border-radius:6px; margin:.4rem 0 1rem; }
.charts { display:grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.controls { display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:center; margin:.4rem 0 .8rem; }
.controls label { display:flex; gap:.35rem; align-items:center; }
select, button, input { font:inherit; }
select { max-width: 100%; padding:.2rem; }
.controls select.wide { width: min(46rem, 100%); }
details.models { border:1px solid var(--line); border-radius:6px; padding:.3rem .6rem; margin-bottom:.8rem; }
details.models summary { cursor:pointer; }
.model-list { display:grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap:.1rem 1rem; margin-top:.4rem; }
.model-list label { display:flex; gap:.4rem; align-items:center; overflow-wrap:anywhere; }
.turn { border-top:2px solid var(--fg); margin-top:1rem; padding-top:.4rem; }
.turn > h3 { margin:.2rem 0 .4rem; }
.query { background:var(--soft); border-left:4px solid var(--fg); padding:.4rem .6rem; margin:.3rem 0; border-radius:4px; }
.query b, .ref b { display:block; font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
.ref { border:1px dashed var(--muted); padding:.4rem .6rem; margin:.3rem 0 .6rem; border-radius:4px; }
.ref summary { cursor:pointer; }
.ref summary b { display:inline; }
.grid { display:grid; grid-auto-flow: column; grid-auto-columns: minmax(300px, 1fr); gap:.6rem; overflow-x:auto; padding-bottom:.3rem; }
.card { border:1px solid var(--line); border-radius:6px; padding:.5rem .6rem; min-width:0; display:flex; flex-direction:column; gap:.3rem; }
.card header { position:static; padding:0; border:none; display:flex; justify-content:space-between; gap:.5rem; align-items:baseline; flex-wrap:wrap; }
.card header strong { overflow-wrap:anywhere; }
.body { max-height: 30em; overflow:auto; }
.prose { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background:#f0f1f4; border:1px solid var(--line); padding:.4rem .5rem; overflow-x:auto; white-space:pre; font-size:.85rem; margin:.3rem 0; border-radius:4px; }
.score { font-weight:700; border:1px solid var(--fg); border-radius:999px; padding:0 .5rem; white-space:nowrap; font-size:.85rem; }
.score.hi { background:#dff3e6; } .score.mid { background:#fff4d6; } .score.lo { background:#fbe1df; border-style:dashed; } .score.na { background:#eee; border-style:dotted; }
details.judge summary { cursor:pointer; color:var(--accent); }
details.judge .prose { font-size:.9rem; background:var(--soft); padding:.3rem .5rem; border-radius:4px; }
.card .tag { align-self:flex-start; }
.tag { display:inline-block; font-size:.75rem; border:1px solid var(--muted); border-radius:4px; padding:0 .3rem; color:var(--muted); }
.msg { border:1px solid var(--line); border-radius:6px; padding:.4rem .6rem; margin:.35rem 0; }
.msg.user { background:var(--soft); }
.msg.ctx { border:2px solid var(--fg); border-left-width:8px; }
.msg .who { font-size:.8rem; font-weight:600; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
.cues { font-size:.85rem; margin:.2rem 0; }
.cues .tag { color:var(--fg); border-color:var(--fg); margin:0 .2rem .1rem 0; }
mark { background:var(--mark); outline:1px solid #b08900; font-weight:600; padding:0 1px; }
.pair { border:1px solid var(--line); border-radius:6px; padding:.5rem .7rem; margin:.8rem 0; }
.pair .sides { display:grid; grid-template-columns: 1fr 1fr; gap:.6rem; }
.side { border-radius:6px; padding:.4rem .6rem; min-width:0; }
.side.chosen { border:2px solid var(--good); }
.side.rejected { border:2px dashed var(--bad); }
.side h4 { margin:0 0 .2rem; font-size:.9rem; }
.pager { display:flex; gap:.5rem; align-items:center; }
.banner { position:fixed; left:0; right:0; bottom:0; background:#fff3cd; border-top:2px solid #8a6d00; padding:.5rem 1rem; z-index:10; white-space:pre-wrap; }
footer { border-top:1px solid var(--line); margin-top:2rem; padding:.6rem 1rem; font-size:.85rem; color:var(--muted); }
footer table td, footer table th { text-align:left; font-size:.8rem; }
@media (max-width: 760px) {
  body { font-size:14px; }
  main { padding: .5rem .6rem 2rem; }
  .charts { grid-template-columns: 1fr; }
  .grid { grid-auto-flow: row; grid-auto-columns: auto; grid-template-columns: 1fr; overflow-x: visible; }
  .pair .sides { grid-template-columns: 1fr; }
  .chart { height: 300px; }
  th, td { padding:.25rem .35rem; }
  .body { max-height: none; }
  .controls label { flex-wrap: wrap; max-width: 100%; }
  .controls select.wide { width: 100%; }
  th:first-child { min-width: 9rem; max-width: 11rem; overflow-wrap: anywhere; }
  nav button { padding: .3rem .55rem; }
}
`;

export const REPORT_JS = String.raw`
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("parrot-data").textContent);
  var app = document.getElementById("app");
  var nav = document.getElementById("tabs");
  var charts = [];
  var SYMBOLS = ["circle", "rect", "triangle", "diamond", "pin", "arrow", "roundRect", "emptyCircle", "emptyRect", "emptyTriangle", "emptyDiamond"];
  var DASHES = ["solid", "dashed", "dotted", [10, 4, 2, 4]];
  var BUCKETS = [["overall", "Overall"], ["turn_1", "Turn 1"], ["turn_2", "Turn 2"], ["turns_3_5", "Turns 3-5"], ["turns_6_8", "Turns 6-8"]];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === undefined || attrs[k] === null || attrs[k] === false) continue;
      if (k === "text") node.textContent = String(attrs[k]);
      else if (k === "class") node.className = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k] === true ? "" : String(attrs[k]));
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }
  function fmt(x, d) { return x === null || x === undefined ? "\u2013" : x.toFixed(d === undefined ? 2 : d); }
  function short(s, n) { s = String(s).replace(/\s+/g, " ").trim(); return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  // Text with fenced code blocks: prose keeps its line breaks, code goes in <pre>. Never parsed as HTML.
  function richText(text) {
    var box = el("div", { class: "rich" });
    var parts = String(text).split("\u0060\u0060\u0060");
    parts.forEach(function (part, i) {
      if (i % 2 === 1 && i < parts.length - 1) {
        var nl = part.indexOf("\n");
        var code = nl >= 0 && /^[\w+#.-]*$/.test(part.slice(0, nl).trim()) ? part.slice(nl + 1) : part;
        box.appendChild(el("pre", null, [el("code", { text: code.replace(/\n$/, "") })]));
      } else if (part.trim() !== "") {
        box.appendChild(el("div", { class: "prose", text: (i % 2 === 1 ? "\u0060\u0060\u0060" : "") + part.replace(/^\n+|\n+$/g, "") }));
      }
    });
    return box;
  }

  function scoreBadge(score) {
    if (score === undefined || score === null) return el("span", { class: "score na", text: "not judged" });
    if (score < 0) return el("span", { class: "score na", text: "no rating (failed)" });
    var cls = score >= 7 ? "hi" : score >= 4 ? "mid" : "lo";
    return el("span", { class: "score " + cls, title: "judge score", text: "score " + score + "/10" });
  }

  function chart(container, option) {
    var c = echarts.init(container, null, { renderer: "svg" });
    option.aria = { enabled: true, decal: { show: true } };
    option.animation = false;
    c.setOption(option);
    charts.push(c);
    return c;
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  function narrow() { return window.innerWidth < 760; }

  // ---------- Benchmark ----------
  function renderBench(root) {
    var B = DATA.bench;
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
    B.groups.forEach(function (G, gi) { renderBenchGroup(root, G, gi === 0 ? "" : "-" + (gi + 1)); });
    root.appendChild(el("h3", { text: "Failed judgments" }));
    root.appendChild(el("p", { class: "note", text: B.failed === 0 ? "None: every judgment holds a rating." :
      B.groups.map(function (G) { return G.rows.filter(function (r) { return r.failed > 0; }).map(function (r) { return r.model + " (" + G.bench + ", " + G.judge + "): " + r.failed; }).join("; "); }).filter(Boolean).join("; ") }));
    root.appendChild(modelsTable());
  }

  // One benchmark table (one benchmark, judge and prompt set) with its charts; sfx keeps element ids unique.
  function renderBenchGroup(root, B, sfx) {
    root.appendChild(el("h3", { text: B.bench + " \u00b7 judge " + B.judge + " \u00b7 prompt " + B.prompt + " (" + B.total + " judgments)" }));
    var best = B.best;
    var head = el("tr", null, [el("th", { scope: "col", text: "Model" })].concat(BUCKETS.map(function (b) { return el("th", { scope: "col", text: b[1] }); }))
      .concat([el("th", { scope: "col", text: "rated" }), el("th", { scope: "col", text: "failed" })]));
    var body = B.rows.map(function (r) {
      return el("tr", null, [el("th", { scope: "row", text: r.model })].concat(BUCKETS.map(function (b) {
        var v = r[b[0]], ci = r.intervals[b[0]];
        var isBest = v !== null && v === best[b[0]];
        return el("td", { class: isBest ? "best" : null }, [fmt(v) + (isBest ? " \u2605" : ""), ci ? el("span", { class: "ci", text: "[" + fmt(ci[0]) + ", " + fmt(ci[1]) + "]" }) : null]);
      })).concat([el("td", { text: r.n }), el("td", { text: r.failed })]));
    });
    root.appendChild(el("div", { class: "scroll" }, [el("table", { id: "bench-table" + sfx }, [el("thead", null, [head]), el("tbody", null, body)])]));

    var charts2 = el("div", { class: "charts" });
    root.appendChild(charts2);
    var lineBox = el("div", null, [el("h3", { text: "Mean score by turn" })]);
    var lineEl = el("div", { class: "chart", id: "chart-turns" + sfx, role: "img", "aria-label": "Mean judge score by turn, one line per model (" + B.bench + ", judge " + B.judge + ")" });
    lineBox.appendChild(lineEl);
    var maxTurn = Math.max(8, B.turns.length ? B.turns[B.turns.length - 1] : 1);
    var xs = []; for (var t = 1; t <= maxTurn; t++) xs.push("Turn " + t);
    var missing = xs.filter(function (_, i) { return B.turns.indexOf(i + 1) < 0; });
    if (missing.length) lineBox.appendChild(el("p", { class: "note", text: "No judgments for " + missing.join(", ") + "." }));
    charts2.appendChild(lineBox);
    var catBox = el("div", null, [el("h3", { text: "Mean score by category" })]);
    charts2.appendChild(catBox);
    var cats = B.categories.filter(function (c) { return c !== "unknown"; }).concat(B.categories.indexOf("unknown") >= 0 ? ["unknown"] : []);
    var catEl = null;
    if (cats.length) {
      catEl = el("div", { class: "chart", id: "chart-categories" + sfx, role: "img", "aria-label": "Mean judge score per question category and model (" + B.bench + ", judge " + B.judge + ")" });
      catEl.style.height = (Math.max(300, cats.length * (B.rows.length * 14 + 12) + 50) + legendRows(catEl, B.rows.map(function (r) { return r.model; })) * 20) + "px";
      catBox.appendChild(catEl);
    } else catBox.appendChild(el("p", { class: "note", text: "Categories need the questions file (--questions)." }));
    var names = B.rows.map(function (r) { return r.model; });
    var legend = { type: "plain", bottom: 0, left: "center", textStyle: { fontSize: 11 }, itemGap: 12 };
    var lr = legendRows(lineEl, names);
    lineEl.style.height = (300 + lr * 20) + "px";
    chart(lineEl, {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "\u2013" : Number(v).toFixed(2); } },
      legend: legend,
      grid: { left: 40, right: 20, top: 30, bottom: 40 + lr * 20 },
      xAxis: { type: "category", data: xs, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 10, interval: 2, name: "score" },
      series: B.rows.map(function (r, i) {
        return { name: r.model, type: "line", symbol: SYMBOLS[i % SYMBOLS.length], symbolSize: 9, connectNulls: false,
          lineStyle: { type: DASHES[Math.floor(i / 1) % DASHES.length], width: 2 },
          data: xs.map(function (_, k) { var v = r.per_turn[String(k + 1)]; return v === undefined || v === null ? null : Number(v.toFixed(3)); }) };
      })
    });
    if (catEl) chart(catEl, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null || v === undefined ? "\u2013" : Number(v).toFixed(2); } },
      legend: legend,
      grid: { left: 8, right: 40, top: 10, bottom: 20 + legendRows(catEl, names) * 20, containLabel: true },
      xAxis: { type: "value", min: 0, max: 10 },
      yAxis: { type: "category", data: cats, inverse: true },
      series: B.rows.map(function (r) {
        return { name: r.model, type: "bar", barMaxWidth: 14, label: { show: true, position: "right", fontSize: 10, formatter: function (p) { return p.value === null ? "" : Number(p.value).toFixed(1); } },
          data: cats.map(function (c) { var v = r.categories[c]; return v === undefined || v === null ? null : Number(v.toFixed(3)); }) };
      })
    });
  }

  function judgeText(judges) {
    if (!judges.length) return "";
    var models = [], prompts = [];
    judges.forEach(function (j) { var p = j.split(" / "); if (models.indexOf(p[0]) < 0) models.push(p[0]); if (p[1] && prompts.indexOf(p[1]) < 0) prompts.push(p[1]); });
    return " by " + models.join(", ") + (prompts.length ? " (prompts " + prompts.join(", ") + ")" : "");
  }
  // A plain legend that wraps onto more lines; returns the pixels it needs below the plot.
  function legendRows(container, names) {
    var width = Math.max(200, container.clientWidth - 30), rows = 1, x = 0;
    names.forEach(function (n) { var w = n.length * 6.6 + 40; if (x + w > width && x > 0) { rows++; x = 0; } x += w; });
    return rows;
  }
  function modelsTable() {
    var counts = {};
    DATA.models.forEach(function (m) { counts[m] = { a: 0, j: 0, src: "" }; });
    Object.keys(DATA.answers).forEach(function (q) { Object.keys(DATA.answers[q]).forEach(function (m) { if (counts[m]) { counts[m].a++; counts[m].src = DATA.answers[q][m].source; } }); });
    Object.keys(DATA.judgments).forEach(function (q) { Object.keys(DATA.judgments[q]).forEach(function (m) { if (counts[m]) counts[m].j += DATA.judgments[q][m].length; }); });
    var d = el("details", { class: "models", id: "model-index" }, [el("summary", { text: "All models (" + DATA.models.length + "): questions answered and judgments" })]);
    var rows = DATA.models.map(function (m) {
      return el("tr", null, [el("th", { scope: "row", text: m }), el("td", { text: counts[m].a }), el("td", { text: counts[m].j }), el("td", { text: counts[m].src === "judge prompt" ? "recovered from judge prompts" : counts[m].a ? "answer file" : "" })]);
    });
    d.appendChild(el("div", { class: "scroll" }, [el("table", null, [el("thead", null, [el("tr", null, [el("th", { text: "Model" }), el("th", { text: "answered" }), el("th", { text: "judgments" }), el("th", { text: "answers from" })])]), el("tbody", null, rows)])]));
    return d;
  }

  // ---------- Answers & judgments browser (paper Figures 6-8) ----------
  var browse = { q: 0, cat: "", models: null };
  function renderBrowse(root, qkey) {
    var qs = DATA.questions;
    if (!browse.models) {
      var judged = [];
      if (DATA.bench) DATA.bench.groups.forEach(function (G) { G.rows.forEach(function (r) { if (judged.indexOf(r.model) < 0) judged.push(r.model); }); });
      browse.models = (judged.length ? judged : DATA.models).slice(0, 4);
    }
    if (qkey) { var i = qs.findIndex(function (q) { return q.key === qkey; }); if (i >= 0) browse.q = i; }
    root.textContent = "";
    var cats = []; qs.forEach(function (q) { if (q.category && cats.indexOf(q.category) < 0) cats.push(q.category); });
    var visible = qs.map(function (q, i) { return i; }).filter(function (i) { return !browse.cat || qs[i].category === browse.cat; });
    if (visible.indexOf(browse.q) < 0) browse.q = visible[0];
    var q = qs[browse.q];
    var sel = el("select", { class: "wide", id: "question-select", "aria-label": "question", onchange: function () { browse.q = Number(sel.value); go("browse", qs[browse.q].key); } },
      visible.map(function (i) { var x = qs[i]; return el("option", { value: i, selected: i === browse.q, text: "Q" + x.id + (x.category ? " \u00b7 " + x.category : "") + (x.turns[0] ? " \u00b7 " + short(x.turns[0], 70) : "") }); }));
    var catSel = el("select", { "aria-label": "category", onchange: function () { browse.cat = catSel.value; renderBrowse(root); } },
      [el("option", { value: "", text: "all categories" })].concat(cats.map(function (c) { return el("option", { value: c, selected: c === browse.cat, text: c }); })));
    var pos = visible.indexOf(browse.q);
    function step(d) { return function () { var j = visible[(pos + d + visible.length) % visible.length]; browse.q = j; go("browse", qs[j].key); }; }
    root.appendChild(el("div", { class: "controls" }, [
      el("label", null, ["Category ", catSel]),
      el("label", null, ["Question ", sel]),
      el("button", { type: "button", onclick: step(-1), "aria-label": "previous question", text: "\u2190 prev" }),
      el("button", { type: "button", onclick: step(1), "aria-label": "next question", text: "next \u2192" }),
      el("span", { class: "muted", text: (pos + 1) + " of " + visible.length })
    ]));
    var picker = el("details", { class: "models" }, [el("summary", { text: "Models shown side by side: " + browse.models.length + " of " + DATA.models.length + " (choose)" })]);
    var list = el("div", { class: "model-list" });
    DATA.models.forEach(function (m) {
      var has = (DATA.answers[q.key] && DATA.answers[q.key][m]) || (DATA.judgments[q.key] && DATA.judgments[q.key][m]);
      var cb = el("input", { type: "checkbox", checked: browse.models.indexOf(m) >= 0, onchange: function () {
        if (cb.checked) browse.models.push(m); else browse.models = browse.models.filter(function (x) { return x !== m; });
        var open = picker.open; renderBrowse(root); root.querySelector("details.models").open = open;
      } });
      list.appendChild(el("label", { class: has ? null : "muted" }, [cb, el("span", { class: "model-name", text: m + (has ? "" : " (no answer)") })]));
    });
    picker.appendChild(list);
    root.appendChild(picker);

    var ans = DATA.answers[q.key] || {}, jd = DATA.judgments[q.key] || {};
    var T = q.turns.length;
    browse.models.forEach(function (m) { if (ans[m]) T = Math.max(T, ans[m].turns.length); (jd[m] || []).forEach(function (j) { T = Math.max(T, j.turn); }); });
    if (!q.turns.length) root.appendChild(el("p", { class: "note", text: "The question text is unknown: pass the questions file (--questions)." }));
    for (var t = 1; t <= T; t++) {
      var sec = el("section", { class: "turn", "aria-label": "turn " + t }, [el("h3", { text: "Turn " + t })]);
      if (q.turns[t - 1] !== undefined) sec.appendChild(el("div", { class: "query" }, [el("b", { text: "User" }), richText(q.turns[t - 1])]));
      if (q.reference && q.reference[t - 1] !== undefined) sec.appendChild(el("details", { class: "ref" }, [el("summary", null, [el("b", { text: "Reference answer" + (q.referenceModel ? " (" + q.referenceModel + ")" : "") })]), richText(q.reference[t - 1])]));
      var grid = el("div", { class: "grid" });
      browse.models.forEach(function (m) {
        var a = ans[m], text = a ? a.turns[t - 1] : undefined;
        var js = (jd[m] || []).filter(function (j) { return j.turn === t; });
        var card = el("article", { class: "card", "data-model": m }, [
          el("header", null, [el("strong", { text: m }), js.length ? scoreBadge(js[0].score) : scoreBadge(null)]),
          a && a.source === "judge prompt" ? el("span", { class: "tag", title: "no answer file for this model: the text is taken from the judge prompt", text: "answer from the judge prompt" }) : null,
          el("div", { class: "body" }, [text !== undefined && text !== "" ? richText(text) : el("p", { class: "muted", text: "(no answer)" })])
        ]);
        js.forEach(function (j) {
          card.appendChild(el("details", { class: "judge", open: true }, [el("summary", { text: "Judge's explanation" + (j.judge ? " (" + j.judge + ")" : "") + (js.length > 1 ? ": " + (j.score < 0 ? "no rating" : j.score) : "") }), el("div", { class: "prose", text: j.judgment || "(empty)" })]));
        });
        grid.appendChild(card);
      });
      sec.appendChild(grid);
      root.appendChild(sec);
    }
  }

  // ---------- Dataset view (Table 1, turns histogram, context-dependent queries) ----------
  var ds = { file: 0, onlyCtx: true, s: 0 };
  function renderDataset(root) {
    root.appendChild(el("h2", { text: "Dataset statistics (paper Table 1)" }));
    var rows = DATA.datasets.map(function (d) {
      return el("tr", null, [el("th", { scope: "row", text: d.file }), el("td", { text: d.stats.sessions }), el("td", { text: fmt(d.stats.avg_turns) }), el("td", { text: fmt(d.stats.avg_ctx_queries) }), el("td", { text: fmt(d.stats.self_rouge) })]);
    });
    root.appendChild(el("div", { class: "scroll" }, [el("table", { id: "dataset-table" }, [el("thead", null, [el("tr", null, ["Dataset", "#Sessions", "Avg. turns", "Avg. ctx. queries", "Self-ROUGE"].map(function (h) { return el("th", { scope: "col", text: h }); }))]), el("tbody", null, rows)])]));
    root.appendChild(el("p", { class: "note", text: "Turns = user queries per session. Ctx. queries: queries flagged context-dependent by the heuristic detector (anaphora, ellipsis, back-references). Self-ROUGE: mean ROUGE-L F1 between the queries of a session, \u00d7100." }));
    root.appendChild(el("h3", { text: "Turns per session" }));
    var hEl = el("div", { class: "chart", id: "chart-histogram", role: "img", "aria-label": "Histogram of user turns per session" });
    root.appendChild(hEl);
    var maxT = 1; DATA.datasets.forEach(function (d) { d.turnsHistogram.forEach(function (p) { if (p[0] > maxT) maxT = p[0]; }); });
    var xs = []; for (var t = 1; t <= maxT; t++) xs.push(String(t));
    chart(hEl, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 20, top: 20, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: xs, name: "turns", nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "value", name: "sessions" },
      series: DATA.datasets.map(function (d) {
        var m = {}; d.turnsHistogram.forEach(function (p) { m[p[0]] = p[1]; });
        return { name: d.file.split(/[\\/]/).pop(), type: "bar", label: { show: true, position: "top", fontSize: 10, formatter: function (p) { return p.value ? String(p.value) : ""; } }, data: xs.map(function (x) { return m[x] || 0; }) };
      })
    });
    root.appendChild(el("h3", { text: "Sessions, context-dependent queries highlighted" }));
    var box = el("div");
    root.appendChild(box);
    renderSessions(box);
  }
  function cueRegex(cues) {
    var words = [];
    cues.forEach(function (c) {
      var d = c.slice(c.indexOf(":") + 1).trim();
      if (d && /^[A-Za-z' ]+$/.test(d) && d.length > 1 && ["fragment", "reply", "challenge", "acknowledgement"].indexOf(d) < 0) words.push(d.replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
    });
    return words.length ? new RegExp("\\b(" + words.join("|") + ")\\b", "gi") : null;
  }
  function highlighted(text, re) {
    var box = el("div", { class: "prose" });
    if (!re) { box.textContent = text; return box; }
    var last = 0, m;
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
  function renderSessions(box) {
    box.textContent = "";
    var d = DATA.datasets[ds.file];
    var idx = d.sessions.map(function (s, i) { return i; }).filter(function (i) { return !ds.onlyCtx || d.sessions[i].context.length > 0; });
    if (idx.indexOf(ds.s) < 0) ds.s = idx.length ? idx[0] : -1;
    var fileSel = el("select", { "aria-label": "session file", onchange: function () { ds.file = Number(fileSel.value); ds.s = 0; renderSessions(box); } },
      DATA.datasets.map(function (x, i) { return el("option", { value: i, selected: i === ds.file, text: x.file.split(/[\\/]/).pop() }); }));
    var only = el("input", { type: "checkbox", checked: ds.onlyCtx, onchange: function () { ds.onlyCtx = only.checked; renderSessions(box); } });
    var sSel = el("select", { class: "wide", id: "session-select", "aria-label": "session", onchange: function () { ds.s = Number(sSel.value); renderSessions(box); } },
      idx.map(function (i) { var s = d.sessions[i]; return el("option", { value: i, selected: i === ds.s, text: s.id + " \u00b7 " + (s.messages.length + 1 >> 1) + " turns \u00b7 " + s.context.length + " ctx \u00b7 " + short(s.messages[0].content, 60) }); }));
    box.appendChild(el("div", { class: "controls" }, [el("label", null, ["File ", fileSel]), el("label", null, [only, "only sessions with context-dependent queries"]), el("label", null, ["Session ", sSel])]));
    box.appendChild(el("p", { class: "note", text: d.contextQueries + " context-dependent queries in the " + d.sessions.length + " sessions shown" + (d.total > d.sessions.length ? " (first " + d.sessions.length + " of " + d.total + "; statistics above use all)" : "") + ". A context-dependent query has a heavy left border, the label \u27f2 and its cue words marked." }));
    if (ds.s < 0) { box.appendChild(el("p", { class: "muted", text: "No session matches." })); return; }
    var s = d.sessions[ds.s];
    var marks = {}; s.context.forEach(function (c) { marks[c.index] = c; });
    var turn = 0;
    s.messages.forEach(function (m, i) {
      if (m.role === "user") turn++;
      var c = marks[i];
      var who = m.role === "user" ? "User \u00b7 turn " + turn : "Assistant";
      box.appendChild(el("div", { class: "msg " + m.role + (c ? " ctx" : "") }, [
        el("div", { class: "who", text: who + (c ? "  \u27f2 context-dependent (score " + c.score.toFixed(2) + ")" : "") }),
        c ? el("div", { class: "cues" }, ["cues: "].concat(c.cues.map(function (x) { return el("span", { class: "tag", text: x }); }))) : null,
        m.role === "user" ? highlighted(m.content, c ? cueRegex(c.cues) : null) : el("div", { class: "body" }, [richText(m.content)])
      ]));
    });
  }

  // ---------- Pairs view ----------
  var pv = { strategy: "", page: 0 };
  var PAGE = 10;
  function renderPairs(root) {
    root.textContent = "";
    var P = DATA.pairs;
    var items = P.items.filter(function (p) { return !pv.strategy || p.strategy === pv.strategy; });
    var pages = Math.max(1, Math.ceil(items.length / PAGE));
    if (pv.page >= pages) pv.page = pages - 1;
    var sel = el("select", { id: "strategy-select", "aria-label": "strategy", onchange: function () { pv.strategy = sel.value; pv.page = 0; renderPairs(root); } },
      [el("option", { value: "", text: "all strategies (" + P.total + ")" })].concat(P.strategies.map(function (s) { return el("option", { value: s[0], selected: s[0] === pv.strategy, text: s[0] + " (" + s[1] + ")" }); })));
    function page(d) { return function () { pv.page = Math.min(pages - 1, Math.max(0, pv.page + d)); renderPairs(root); window.scrollTo(0, 0); }; }
    root.appendChild(el("h2", { text: "Preference pairs (CaPO)" }));
    root.appendChild(el("div", { class: "controls" }, [el("label", null, ["Strategy ", sel]),
      el("div", { class: "pager" }, [el("button", { type: "button", onclick: page(-1), disabled: pv.page === 0, text: "\u2190 prev" }), el("span", { text: "page " + (pv.page + 1) + " of " + pages + " \u00b7 " + items.length + " pairs" }), el("button", { type: "button", onclick: page(1), disabled: pv.page >= pages - 1, text: "next \u2192" })])]));
    if (P.items.length < P.total) root.appendChild(el("p", { class: "note", text: "Showing the first " + P.items.length + " of " + P.total + " pairs." }));
    items.slice(pv.page * PAGE, pv.page * PAGE + PAGE).forEach(function (p) {
      var ctx = p.prompt.slice(0, -1), query = p.prompt[p.prompt.length - 1];
      root.appendChild(el("article", { class: "pair", "data-strategy": p.strategy }, [
        el("div", { class: "muted" }, [el("span", { class: "tag", text: p.strategy }), " ", p.id + " \u00b7 session " + p.session_id + " \u00b7 turn " + p.turn]),
        ctx.length ? el("details", null, [el("summary", { text: "Context: " + ctx.length + " earlier messages" })].concat(ctx.map(function (m) {
          return el("div", { class: "msg " + (m.role === "user" ? "user" : "") }, [el("div", { class: "who", text: m.role }), richText(m.content)]);
        }))) : null,
        el("div", { class: "query" }, [el("b", { text: "Query (turn " + p.turn + ")" }), richText(query.content)]),
        el("div", { class: "sides" }, [
          el("div", { class: "side chosen" }, [el("h4", { text: "\u2713 Chosen" }), el("div", { class: "body" }, [richText(p.chosen)])]),
          el("div", { class: "side rejected" }, [el("h4", { text: "\u2717 Rejected (" + p.strategy + ")" }), el("div", { class: "body" }, [richText(p.rejected)])])
        ]),
        Object.keys(p.meta || {}).length ? el("details", null, [el("summary", { text: "meta" }), el("pre", { text: JSON.stringify(p.meta, null, 2) })]) : null
      ]));
    });
  }

  // ---------- Tabs and routing ----------
  var views = [];
  if (DATA.bench || DATA.models.length) views.push({ id: "bench", label: "Benchmark", render: renderBench });
  if (DATA.questions.length) views.push({ id: "browse", label: "Answers & judgments", render: renderBrowse, rerender: true });
  if (DATA.datasets.length) views.push({ id: "dataset", label: "Dataset", render: renderDataset });
  if (DATA.pairs) views.push({ id: "pairs", label: "Pairs", render: renderPairs });
  var panes = {};
  views.forEach(function (v) {
    v.button = el("button", { type: "button", role: "tab", id: "tab-" + v.id, "aria-controls": "view-" + v.id, onclick: function () { go(v.id); }, text: v.label });
    nav.appendChild(v.button);
    panes[v.id] = el("section", { id: "view-" + v.id, role: "tabpanel", hidden: true });
    app.appendChild(panes[v.id]);
  });
  if (!views.length) app.appendChild(el("p", { text: "No data." }));
  function go(id, arg) { location.hash = id + (arg ? "/" + encodeURIComponent(arg) : ""); }
  function route() {
    var h = decodeURIComponent(location.hash.slice(1)), slash = h.indexOf("/");
    var id = slash >= 0 ? h.slice(0, slash) : h, arg = slash >= 0 ? h.slice(slash + 1) : "";
    var v = views.filter(function (x) { return x.id === id; })[0] || views[0];
    if (!v) return;
    views.forEach(function (x) { var on = x === v; x.button.setAttribute("aria-selected", on ? "true" : "false"); panes[x.id].hidden = !on; });
    if (!v.done || v.rerender) { v.render(panes[v.id], arg); v.done = true; }
    charts.forEach(function (c) { c.resize(); });
  }
  window.addEventListener("hashchange", route);
  route();

  var foot = el("footer", null, [el("details", null, [el("summary", { text: "Inputs \u00b7 generated " + DATA.generated + " by parrot report" }),
    el("div", { class: "scroll" }, [el("table", null, DATA.sources.map(function (s) { return el("tr", null, [el("td", { text: s.kind }), el("td", { text: s.file }), el("td", { text: s.records + " records" })]); }))])])]);
  document.body.appendChild(foot);
  window.__parrotReady = true;
})();
`;

/** Live-reload client for `parrot view`: reloads on the server's `reload` event, shows `problem` events in a banner. */
export const LIVE_RELOAD_JS = String.raw`
(function () {
  var es = new EventSource("/__parrot/events");
  var banner = null;
  es.addEventListener("reload", function () { location.reload(); });
  es.addEventListener("problem", function (e) {
    if (!banner) { banner = document.createElement("div"); banner.className = "banner"; banner.setAttribute("role", "alert"); document.body.appendChild(banner); }
    banner.textContent = "parrot view: " + e.data + " (showing the last good report)";
  });
})();
`;
