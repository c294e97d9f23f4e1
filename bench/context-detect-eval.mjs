// Evaluate the context-dependency detector on the labelled sets: test/fixtures/context/labelled.jsonl (dev, test)
// test/fixtures/context/holdout2.jsonl (holdout2, labelled before any tuning on it; never tune on it) and
// test/fixtures/context/holdout3.jsonl (holdout3, drawn by bench/context-sample-holdout3.mjs, labelled blind; never tune on it).
// Usage: npx tsc -p . && node bench/context-detect-eval.mjs [--errors dev|test|holdout2|holdout3]
import { loadLabelledSet, detectAll, binaryScores } from "../dist/context/evaluate.js";
const ex = [
  ...loadLabelledSet("test/fixtures/context/labelled.jsonl", "../shared/data"),
  ...loadLabelledSet("test/fixtures/context/holdout2.jsonl", "../shared/data"),
  ...loadLabelledSet("test/fixtures/context/holdout3.jsonl", "../shared/data"),
];
const t0 = performance.now();
const d = detectAll(ex);
const ms = performance.now() - t0;
for (const split of ["dev", "test", "holdout2", "holdout3"]) {
  const idx = ex.map((e, i) => i).filter((i) => ex[i].split === split);
  const s = binaryScores(idx.map((i) => ({ gold: ex[i].label, predicted: d[i].context_dependent })));
  console.log(`${split}: n=${s.n} P=${s.precision.toFixed(3)} R=${s.recall.toFixed(3)} F1=${s.f1.toFixed(3)} acc=${s.accuracy.toFixed(3)} (tp ${s.tp} fp ${s.fp} fn ${s.fn} tn ${s.tn})`);
}
console.log(`${ex.length} turns in ${ms.toFixed(0)} ms`);
const errIdx = process.argv.indexOf("--errors");
if (errIdx > 0) {
  const split = process.argv[errIdx + 1];
  ex.forEach((e, i) => {
    if (e.split !== split || e.label === d[i].context_dependent) return;
    console.log(`${e.label ? "FN" : "FP"} ${e.source}/${e.id}/${e.turn} s=${d[i].score} [${d[i].cues.join("; ")}] ${e.queryText.replace(/\s+/g, " ").slice(0, 150)}`);
  });
}
