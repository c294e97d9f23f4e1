#!/usr/bin/env node
/**
 * The documented simulator comparison (issue 14, bench/README.md "Simulator fidelity"): on the held-out split of
 * the ShareGPT sample and on OASST, real users vs the prompted simulator (B.2) and the untrained base in B.1
 * format, both on the default model (SmolLM2-135M-Instruct), and, given TRAINED_ASKER (e.g.
 * gguf:/tmp/toy13/ask/model.gguf, bench/toy-train.mjs's ask/model.gguf), the trained Parrot-Ask, through
 * `parrot simulator eval`.
 *
 * Held-out ShareGPT split: the ids in bench/splits/sharegpt-heldout.txt, the 20% that bench/toy-train.mjs keeps
 * apart from its training split (FNV-1a of "parrot-split-0:" + id, mod 100 >= 80); no session trained on is
 * evaluated.
 * Usage: node bench/simulator-fidelity.mjs [OUT_DIR] [LIMIT] [QUERY_MAX_TOKENS] [TRAINED_ASKER]
 *   SETS=sharegpt,oasst (default both) selects the data sets.
 *   PROMPTED_ASKERS=qwen2.5-coder-1.5b (comma-separated registry model names) adds a prompted (B.2) row per model, labelled
 *   prompted-<spec>. Rows already in OUT_DIR/<set>.jsonl are skipped, so a rerun with it adds only the new rows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.resolve(process.argv[2] ?? "/tmp/parrot-simulator-fidelity");
const limit = process.argv[3] ?? "30";
const qmax = process.argv[4] ?? "48";
const data = path.join(root, "../shared/data/dialogues");
fs.mkdirSync(out, { recursive: true });

const lines = fs.readFileSync(path.join(data, "sharegpt_v3_sample.jsonl"), "utf8").split("\n").filter(Boolean);
const held = new Set(fs.readFileSync(path.join(root, "bench/splits/sharegpt-heldout.txt"), "utf8").split("\n").filter(Boolean));
const train = new Set(fs.readFileSync(path.join(root, "bench/splits/sharegpt-train.txt"), "utf8").split("\n").filter(Boolean));
if ([...held].some((id) => train.has(id))) throw new Error("bench/splits: a held-out id is also in the train split");
const heldFile = path.join(out, "sharegpt-heldout.jsonl");
fs.writeFileSync(heldFile, lines.filter((l) => held.has(String(JSON.parse(l).id))).join("\n") + "\n");

const trained = process.argv[5];
const wanted = (process.env.SETS ?? "sharegpt,oasst").split(",");
const sets = Object.fromEntries(Object.entries({ sharegpt: heldFile, oasst: path.join(data, "oasst_en_100_tree.jsonl") }).filter(([k]) => wanted.includes(k)));
const runs = [
  ...(trained ? [["parrot-ask-trained-toy", "parrot-ask", trained]] : []),
  ["prompted-smollm2", "prompted", "default"],
  ["b1-untrained-smollm2", "parrot-ask", "default"],
  ...(process.env.PROMPTED_ASKERS ?? "").split(",").filter(Boolean).map((m) => [`prompted-${m}`, "prompted", m]),
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
