#!/usr/bin/env node
/**
 * Self-ROUGE and Table 1 stats throughput on the real ShareGPT sample (../shared/data/dialogues/sharegpt_v3_sample.jsonl),
 * and a peer comparison of our ROUGE-L (src/metrics/rouge.ts, rouge-score compatible) with js-rouge's `l()` on the
 * same query pairs: agreement (mean |diff|, share within 1e-9, Pearson r) and speed ratio.
 *
 * js-rouge is scored twice: (a) its defaults (own tokenizer, case-sensitive, sentence segmentation: a different
 * ROUGE-L variant, so disagreement is expected), (b) configured like rouge-score (our tokenizer, one segment, beta 1),
 * where the two must agree exactly; speed is compared on (b), the same computation.
 *   node bench/rouge.mjs [--repeat 3]
 */
import * as path from "node:path";
import * as jsRouge from "js-rouge";
import { SHARED, fmt } from "./lib.mjs";
import { readConversations } from "../dist/conversations/readers.js";
import { rougeL, rougeTokenize, selfRouge } from "../dist/metrics/rouge.js";
import { datasetStats } from "../dist/stats/stats.js";

const repeat = Number(process.argv[process.argv.indexOf("--repeat") + 1] || 3) || 3;
const file = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const t0 = performance.now();
const sessions = readConversations(file);
const readMs = performance.now() - t0;
const queries = sessions.map((s) => s.messages.filter((m) => m.role === "user").map((m) => m.content));
// js-rouge throws on an empty candidate or reference; parrot scores those 0. Compare on pairs where both sides
// have at least one rouge-score token (the excluded count is printed).
const allPairs = [];
for (const qs of queries) for (let i = 0; i < qs.length; i++) for (let j = i + 1; j < qs.length; j++) allPairs.push([qs[i], qs[j]]);
const pairs = allPairs.filter(([a, b]) => rougeTokenize(a).length > 0 && rougeTokenize(b).length > 0 && a.trim() && b.trim());
const words = queries.flat().reduce((a, q) => a + rougeTokenize(q).length, 0);

const best = (fn) => {
  let ms = Infinity;
  let out;
  for (let k = 0; k < repeat; k++) {
    const t = performance.now();
    out = fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return { ms, out };
};

const self = best(() => queries.map((qs) => selfRouge(qs)).filter((x) => x !== undefined));
const stats = best(() => datasetStats(sessions));
const ours = best(() => pairs.map(([a, b]) => rougeL(a, b).fmeasure));
const likeRougeScore = { tokenizer: rougeTokenize, segmenter: (s) => [s], beta: 1, caseSensitive: true };
const peerSame = best(() => pairs.map(([a, b]) => jsRouge.l(b, a, likeRougeScore)));
const peerDefault = best(() => pairs.map(([a, b]) => {
  try {
    return jsRouge.l(b, a);
  } catch {
    return NaN; // js-rouge's own tokenizer found nothing
  }
}));

function agreement(x0, y0) {
  const keep = x0.map((_, i) => Number.isFinite(y0[i]));
  const x = x0.filter((_, i) => keep[i]);
  const y = y0.filter((_, i) => keep[i]);
  const n = x.length;
  let diff = 0;
  let same = 0;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(x[i] - y[i]);
    diff += d;
    if (d < 1e-9) same++;
    sx += x[i];
    sy += y[i];
  }
  const mx = sx / n, my = sy / n;
  let cxy = 0, cxx = 0, cyy = 0;
  for (let i = 0; i < n; i++) {
    cxy += (x[i] - mx) * (y[i] - my);
    cxx += (x[i] - mx) ** 2;
    cyy += (y[i] - my) ** 2;
  }
  return { meanAbs: diff / n, same: same / n, r: cxy / Math.sqrt(cxx * cyy) };
}
const aSame = agreement(ours.out, peerSame.out);
const aDef = agreement(ours.out, peerDefault.out);

console.log(`input: ${file}: ${sessions.length} sessions, ${queries.flat().length} queries, ${words} rouge tokens, ${pairs.length} within-session query pairs compared (${allPairs.length - pairs.length} with an empty side left out); read+validate ${fmt(readMs, 0)} ms; best of ${repeat}; node ${process.version}`);
console.log("| what | time (ms) | throughput |");
console.log("|---|---|---|");
console.log(`| Self-ROUGE of every session (parrot) | ${fmt(self.ms, 1)} | ${fmt(sessions.length / (self.ms / 1000), 0)} sessions/s, ${fmt(pairs.length / (self.ms / 1000), 0)} pairs/s |`);
console.log(`| Table 1 stats (Self-ROUGE + context detector + turns) | ${fmt(stats.ms, 1)} | ${fmt(sessions.length / (stats.ms / 1000), 0)} sessions/s |`);
console.log(`| ROUGE-L per pair, parrot rougeL() | ${fmt(ours.ms, 1)} | ${fmt(pairs.length / (ours.ms / 1000), 0)} pairs/s |`);
console.log(`| ROUGE-L per pair, js-rouge l() configured like rouge-score | ${fmt(peerSame.ms, 1)} | ${fmt(pairs.length / (peerSame.ms / 1000), 0)} pairs/s |`);
console.log(`| ROUGE-L per pair, js-rouge l() defaults | ${fmt(peerDefault.ms, 1)} | ${fmt(pairs.length / (peerDefault.ms / 1000), 0)} pairs/s |`);
console.log("");
console.log(`speed ratio parrot / js-rouge (same computation): **${fmt(peerSame.ms / ours.ms, 2)}x** (parrot time ${fmt(ours.ms, 1)} ms vs ${fmt(peerSame.ms, 1)} ms)`);
console.log(`agreement with js-rouge configured like rouge-score: ${fmt(100 * aSame.same, 2)}% of pairs identical (|diff| < 1e-9), mean |diff| ${aSame.meanAbs.toExponential(2)}, Pearson r ${fmt(aSame.r, 6)}`);
console.log(`agreement with js-rouge defaults (different tokenizer/case/segmentation): ${fmt(100 * aDef.same, 2)}% identical, mean |diff| ${fmt(aDef.meanAbs, 4)}, Pearson r ${fmt(aDef.r, 4)}`);
console.log(`dataset Self-ROUGE (x100): ${fmt(stats.out.self_rouge, 2)}; avg_turns ${fmt(stats.out.avg_turns, 2)}; avg_ctx_queries ${fmt(stats.out.avg_ctx_queries, 2)}`);
