/**
 * The report page's stylesheet, inlined into index.html by html.ts. Readable without colour: scores are written as
 * numbers and bordered by kind (solid, dashed, dotted), context-dependent queries carry a heavy border and a label.
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
tr.ref-row th, tr.ref-row td { background:var(--soft); font-style:italic; }
tr.total-row th, tr.total-row td { border-top:1px solid var(--fg); font-weight:600; }
.card.real { border:2px solid var(--fg); background:var(--soft); }
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
