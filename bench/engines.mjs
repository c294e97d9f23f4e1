#!/usr/bin/env node
/**
 * Local engine (node-llama-cpp in-process) against llama-server (llama.cpp's own server, the same llama.cpp version,
 * `parrot models serve`) on the same GGUF (issue 15, comparison 1): generated tokens/s with P parallel sequences,
 * P requests in flight, each a chat of the same short prompt at temperature 0 with --tokens max new tokens; the
 * two engines alternate per level, so they share the machine's state (load) as far as possible.
 *   node bench/engines.mjs [--model default] [--parallel 1,4,8] [--tokens 64] [--rounds 2] [--threads 2] [--json]
 * Needs the model (`parrot models pull`) and llama-server (`parrot models serve --build-only`).
 */
import * as os from "node:os";
import { fmt } from "./lib.mjs";
import { createGgufModel } from "../dist/llm/gguf.js";
import { HttpModel } from "../dist/llm/http.js";
import { pullModel } from "../dist/models/pull.js";
import { findLlamaServer, startLlamaServer } from "../dist/models/serve.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const name = arg("model", "smollm2-135m");
const levels = arg("parallel", "1,4,8").split(",").map(Number);
const tokens = Number(arg("tokens", "64"));
const rounds = Number(arg("rounds", "2"));
const threads = Number(arg("threads", String(os.availableParallelism())));
const file = (await pullModel(name === "default" ? "smollm2-135m" : name)).file;
const binary = findLlamaServer({ build: false }).file;
const prompt = [{ role: "user", content: "Write a short story about a lighthouse keeper and a storm, in plain English." }];

async function measure(model, p) {
  let completion = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    const cs = await Promise.all(Array.from({ length: p }, (_, i) => model.chat(prompt, { maxTokens: tokens, temperature: 0, seed: i })));
    for (const c of cs) completion += c.usage.completionTokens;
  }
  const s = (performance.now() - t0) / 1000;
  return { completion, seconds: s, tps: completion / s };
}

const rows = [];
for (const p of levels) {
  const local = await createGgufModel({ kind: "gguf", path: file }, { parallel: p, threads, contextSize: 1024 });
  await local.chat(prompt, { maxTokens: 4, temperature: 0 }); // warm-up
  const a = await measure(local, p);
  await local.close();
  const server = await startLlamaServer({ file, name, binary, parallel: p, context: 1024, threads });
  const http = new HttpModel({ baseURL: server.url, model: name });
  await http.chat(prompt, { maxTokens: 4, temperature: 0 });
  const b = await measure(http, p);
  await http.close();
  await server.close();
  rows.push({ parallel: p, local_tps: a.tps, server_tps: b.tps, ratio: a.tps / b.tps, local_tokens: a.completion, server_tokens: b.completion, load: os.loadavg()[0] });
  console.error(`P=${p}: local ${fmt(a.tps, 1)} tok/s, llama-server ${fmt(b.tps, 1)} tok/s (load ${fmt(os.loadavg()[0], 1)})`);
}
if (process.argv.includes("--json")) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`${name}, ${threads} threads each, ${tokens} max new tokens, ${rounds} rounds; node ${process.version}`);
  console.log("| parallel | local engine (tok/s) | llama-server (tok/s) | local / server | load |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.parallel} | ${fmt(r.local_tps, 1)} | ${fmt(r.server_tps, 1)} | ${fmt(r.ratio, 2)} | ${fmt(r.load, 1)} |`);
}
