#!/usr/bin/env node
/**
 * Local engine (node-llama-cpp, in-process GGUF) generation throughput with 1 and several parallel sequences.
 * Model: a smoke GGUF written by `parrot models smoke` (random weights, SmolLM2 tokenizer; default 2 layers x 64
 * wide, or bigger with --layers/--embd) since no pretrained weights exist here; or any GGUF with --model PATH.
 * Each sequence generates --tokens new tokens at temperature 0 with a fixed --max-tokens budget; the engine runs P
 * sequences at once (ModelOptions.parallel) and P requests are issued concurrently, R rounds.
 * Reported: completion tokens/s over all sequences, and the ratio to P = 1.
 *   node bench/local-engine-throughput.mjs [--model FILE] [--layers 4 --embd 256] [--parallel 1,2,4] [--tokens 64]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { CLI, SHARED, fmt } from "./lib.mjs";
import { createGgufModel } from "../dist/llm/gguf.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const levels = arg("parallel", "1,2,4").split(",").map(Number);
const tokens = Number(arg("tokens", "64"));
const rounds = Number(arg("rounds", "3"));
let model = arg("model", undefined);
const layers = arg("layers", "4");
const embd = arg("embd", "256");
if (!model) {
  model = path.join(os.tmpdir(), `parrot-bench-smoke-${layers}x${embd}.gguf`);
  if (!fs.existsSync(model)) {
    const r = spawnSync(process.execPath, [CLI, "models", "smoke", "--tokenizer", path.join(SHARED, "models/smollm2-135m-instruct-tokenizer"), "--out", model, "--layers", layers, "--embd", embd], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
  }
}
const rows = [];
for (const p of levels) {
  const m = await createGgufModel({ kind: "gguf", path: model }, { parallel: p, contextSize: 512 * p });
  // Warm-up
  await m.chat([{ role: "user", content: "warm up" }], { maxTokens: 4, temperature: 0 });
  const before = m.stats();
  const t = performance.now();
  for (let r = 0; r < rounds; r++) {
    await Promise.all(Array.from({ length: p }, (_, k) => m.complete(`Sequence ${k} round ${r}: tell me a story about`, { maxTokens: tokens, temperature: 0 })));
  }
  const secs = (performance.now() - t) / 1000;
  const after = m.stats();
  const gen = after.completionTokens - before.completionTokens;
  rows.push({ p, gen, secs, tps: gen / secs });
  console.error(`parallel ${p}: ${gen} tokens in ${fmt(secs)} s = ${fmt(gen / secs, 1)} tok/s`);
  await m.close();
}
console.log(`model ${path.basename(model)} (${fmt(fs.statSync(model).size / 2 ** 20, 1)} MB), ${tokens} new tokens per sequence, ${rounds} rounds, ${os.cpus().length} CPUs, node ${process.version}`);
console.log("| parallel sequences | completion tokens | seconds | tokens/s | ratio to 1 sequence |");
console.log("|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.p} | ${r.gen} | ${fmt(r.secs)} | ${fmt(r.tps, 1)} | ${fmt(r.tps / rows[0].tps, 2)} |`);
