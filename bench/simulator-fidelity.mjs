#!/usr/bin/env node
/**
 * The documented simulator comparison (issue 14, bench/README.md "Simulator fidelity"): on a held-out split of
 * the ShareGPT sample and on OASST, real users vs the prompted simulator (B.2) and the untrained base in B.1
 * format, both on the default model (SmolLM2-135M-Instruct), through `parrot simulator eval`.
 *
 * Held-out ShareGPT split: sessions whose id falls in the first 20% of a seeded shuffle (seed 14) of all ids, the
 * same rule as `heldOutIds` below; the ids are written to bench/splits/sharegpt-heldout-seeded20.txt.
 * Usage: node bench/simulator-fidelity.mjs [OUT_DIR] [LIMIT] [QUERY_MAX_TOKENS]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { seededShuffle } from "../dist/run/rng.js";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.resolve(process.argv[2] ?? "/tmp/parrot-simulator-fidelity");
const limit = process.argv[3] ?? "30";
const qmax = process.argv[4] ?? "48";
const data = path.join(root, "../shared/data/dialogues");
fs.mkdirSync(out, { recursive: true });

const lines = fs.readFileSync(path.join(data, "sharegpt_v3_sample.jsonl"), "utf8").split("\n").filter(Boolean);
const ids = [...new Set(lines.map((l) => String(JSON.parse(l).id)))].sort();
const held = new Set(seededShuffle(ids, 14).slice(0, Math.round(ids.length * 0.2)));
fs.mkdirSync(path.join(root, "bench/splits"), { recursive: true });
fs.writeFileSync(path.join(root, "bench/splits/sharegpt-heldout-seeded20.txt"), [...held].sort().join("\n") + "\n");
const heldFile = path.join(out, "sharegpt-heldout.jsonl");
fs.writeFileSync(heldFile, lines.filter((l) => held.has(String(JSON.parse(l).id))).join("\n") + "\n");

const sets = { sharegpt: heldFile, oasst: path.join(data, "oasst_en_100_tree.jsonl") };
const runs = [
  ["prompted-smollm2", "prompted", "default"],
  ["b1-untrained-smollm2", "parrot-ask", "default"],
];
for (const [set, file] of Object.entries(sets)) {
  for (const [label, sim, asker] of runs) {
    const t0 = Date.now();
    execFileSync(process.execPath, [path.join(root, "dist/cli.js"), "simulator", "eval", "--sessions", file, "--simulator", sim, "--asker", asker,
      "--label", label, "--out", path.join(out, `${set}.jsonl`), "--limit", limit, "--query-max-tokens", qmax, "--concurrency", "1", "--seed", "0"],
      { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, PARROT_THREADS: process.env.PARROT_THREADS ?? "1" } });
    console.error(`${set} ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(execFileSync(process.execPath, [path.join(root, "dist/cli.js"), "simulator", "show", path.join(out, `${set}.jsonl`)], { encoding: "utf8" }));
}
