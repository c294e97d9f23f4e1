#!/usr/bin/env node
/**
 * Local GGUF engine benchmark (build first: `npx tsc -p .`):
 *   node bench/local-engine.mjs [--model FILE.gguf] [--tokens N] [--threads 1,2] [--parallel 1,4]
 * Without --model it writes the smoke model (SmolLM2 tokenizer, 2 layers × 64) into bench/.out/ and measures:
 * smoke write time and size, model load time, and generated tokens/s for each threads × parallel setting
 * (parallel P: P concurrent raw completions on P context sequences of one context).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { writeSmokeModel } from "../dist/models/smoke.js";
import { createGgufModel } from "../dist/llm/gguf.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const tokens = Number(arg("tokens", "128"));
const threadsList = arg("threads", `1,${os.availableParallelism()}`).split(",").map(Number);
const parallelList = arg("parallel", "1,4").split(",").map(Number);

let file = arg("model");
if (!file) {
  fs.mkdirSync(path.join(root, "bench/.out"), { recursive: true });
  file = path.join(root, "bench/.out/smoke.gguf");
  const t0 = performance.now();
  const info = writeSmokeModel({ tokenizerDir: path.join(root, "../shared/models/smollm2-135m-instruct-tokenizer"), out: file });
  console.log(`smoke write: ${((performance.now() - t0) / 1000).toFixed(2)} s, ${(info.bytes / 1e6).toFixed(2)} MB (${info.bytes} bytes)`);
}
console.log(`cores: ${os.availableParallelism()}, load average: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

let first = true;
for (const threads of threadsList) {
  for (const parallel of parallelList) {
    const t0 = performance.now();
    const model = await createGgufModel({ kind: "gguf", path: file }, { threads, parallel, contextSize: 1024 });
    const loadS = (performance.now() - t0) / 1000;
    if (first) console.log(`first load (Llama + model + context): ${loadS.toFixed(2)} s`);
    first = false;
    await model.complete("warm up", { maxTokens: 4, temperature: 0 });
    const t1 = performance.now();
    const results = await Promise.all(
      Array.from({ length: parallel }, (_, i) => model.complete(`Story ${i}: once upon a time`, { maxTokens: tokens, temperature: 0.8, seed: i })),
    );
    const s = (performance.now() - t1) / 1000;
    const n = results.reduce((a, r) => a + r.usage.completionTokens, 0);
    console.log(
      `threads ${threads}, parallel ${parallel}: ${n} tokens in ${s.toFixed(2)} s = ${(n / s).toFixed(0)} tok/s total, ` +
        `${(n / parallel / s).toFixed(0)} tok/s per sequence (context ${loadS.toFixed(2)} s to open)`,
    );
    await model.close();
  }
}
