#!/usr/bin/env node
/**
 * The toy reproduction of the paper's pipeline on this CPU (issue 13; bench/README.md section "Toy training run"):
 *
 *   1. split   the ShareGPT sample 80/20 by a seeded hash of the session id (FNV-1a of "parrot-split-0:" + id, mod 100
 *              < 80: train); the ids go to bench/splits/sharegpt-train.txt and sharegpt-heldout.txt (the held-out
 *              sessions are never trained on here; issue 14's simulator eval reads them).
 *   2. ask     `parrot train ask` Parrot-Ask (Eq. 3) from the default model (SmolLM2-135M-Instruct) on the train split.
 *   3. collect `parrot collect --simulator parrot-ask --asker gguf:ASK/model.gguf --assistant default` from train-split
 *              seeds: a handful of sessions whose later queries the trained Parrot-Ask wrote.
 *   4. chat    `parrot train chat` Parrot-Chat SFT (Eq. 2) from the default model on those sessions.
 *   5. capo    `parrot capo SESSIONS --assistant default` pairs, then `parrot train capo` DPO from the chat checkpoint.
 *
 *   node bench/toy-train.mjs [--out bench/.out/toy] [--ask-steps 10] [--ask-samples 2] [--ask-length 256]
 *                            [--sessions 3] [--turns 2] [--max-tokens 64] [--chat-steps 3] [--chat-samples 2] [--chat-length 256]
 *                            [--capo-steps 3] [--capo-samples 2] [--capo-length 192] [--splits-only]
 *
 * Needs `npm run build`, `parrot models pull` and `parrot train setup --engine trl` (same PARROT_CACHE). Prints a
 * markdown summary (per stage: wall time, steps, tokens, tokens/s, first/last loss, the loss table) and writes it
 * with the raw numbers to OUT/summary.md and OUT/summary.json; each stage's stderr goes to OUT/<stage>.log.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLI, REPO, SHARED } from "./lib.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const OUT = path.resolve(opt("out", path.join(REPO, "bench/.out/toy")));
const N = (name, d) => String(Number(opt(name, d)));
const SHAREGPT = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const SPLITS = path.join(REPO, "bench/splits");
const SPLIT_SEED = "parrot-split-0";

const { readConversations } = await import(path.join(REPO, "dist/conversations/readers.js"));
const { fnv1a } = await import(path.join(REPO, "dist/run/shard.js"));

/** true when a session id falls in the 80% train split. */
const isTrain = (id) => fnv1a(`${SPLIT_SEED}:${id}`) % 100 < 80;

fs.mkdirSync(OUT, { recursive: true });
fs.mkdirSync(SPLITS, { recursive: true });
// Raw ShareGPT lines are kept as they are (parrot's readers clean them: leading assistant turns, roles).
const rows = fs.readFileSync(SHAREGPT, "utf8").split("\n").filter(Boolean).map((l) => ({ line: l, id: JSON.parse(l).id }));
const sessions = readConversations(SHAREGPT);
if (sessions.length !== rows.length || sessions.some((s, i) => s.id !== rows[i].id)) throw new Error(`${SHAREGPT}: session ids differ from the rows' ids`);
const train = rows.filter((s) => isTrain(s.id));
const heldout = rows.filter((s) => !isTrain(s.id));
fs.writeFileSync(path.join(SPLITS, "sharegpt-train.txt"), train.map((s) => s.id).join("\n") + "\n");
fs.writeFileSync(path.join(SPLITS, "sharegpt-heldout.txt"), heldout.map((s) => s.id).join("\n") + "\n");
const trainFile = path.join(OUT, "sharegpt-train.jsonl");
fs.writeFileSync(trainFile, train.map((s) => s.line).join("\n") + "\n");
console.error(`split: ${train.length} train, ${heldout.length} held-out sessions of ${sessions.length} (${path.relative(REPO, SPLITS)}/)`);
if (args.includes("--splits-only")) process.exit(0);

const load0 = os.loadavg();
const stages = [];
function run(name, argv) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const log = fs.createWriteStream(path.join(OUT, `${name}.log`));
    console.error(`[${name}] parrot ${argv.join(" ")}`);
    const child = spawn(process.execPath, [CLI, ...argv], { env: { ...process.env, CI: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.on("data", (b) => {
      log.write(b);
      for (const l of String(b).split("\n")) if (/step \d+\/|wrote .*gguf|done:|sessions|pairs/.test(l)) console.error(`[${name}] ${l.trim()}`);
    });
    child.on("close", (code) => {
      const secs = (performance.now() - t0) / 1000;
      log.end();
      stages.push({ name, secs, code, argv });
      if (code !== 0) reject(new Error(`${name} exited with ${code}; see ${path.join(OUT, `${name}.log`)}`));
      else resolve(secs);
    });
  });
}
const fresh = (p) => fs.rmSync(p, { recursive: true, force: true });

const ASK = path.join(OUT, "ask");
const CHAT = path.join(OUT, "chat");
const CAPO = path.join(OUT, "capo");
const SESS = path.join(OUT, "sessions.jsonl");
const PAIRS = path.join(OUT, "pairs.jsonl");
for (const p of [ASK, CHAT, CAPO, SESS, PAIRS, `${SESS}.manifest.json`, `${PAIRS}.manifest.json`]) fresh(p);
const t0 = performance.now();
await run("ask", ["train", "ask", "--data", trainFile, "--engine", "trl", "--base-model", "default", "--out", ASK, "--launch",
  "--max-steps", N("ask-steps", 10), "--max-samples", N("ask-samples", 2), "--max-length", N("ask-length", 256)]);
await run("collect", ["collect", "--seeds", trainFile, "--out", SESS, "--simulator", "parrot-ask", "--asker", `gguf:${path.join(ASK, "model.gguf")}`,
  "--assistant", "default", "--turns", N("turns", 2), "--limit", N("sessions", 3), "--max-tokens", N("max-tokens", 64), "--query-max-tokens", "40", "--concurrency", "2"]);
await run("chat", ["train", "chat", "--data", SESS, "--engine", "trl", "--base-model", "default", "--out", CHAT, "--launch",
  "--max-steps", N("chat-steps", 3), "--max-samples", N("chat-samples", 2), "--max-length", N("chat-length", 256), "--max-turns", N("turns", 2)]);
await run("capo-pairs", ["capo", SESS, "--assistant", "default", "--out", PAIRS, "--concurrency", "2"]);
await run("capo", ["train", "capo", "--data", PAIRS, "--engine", "trl", "--base-model", path.join(CHAT, "checkpoint"), "--out", CAPO, "--launch",
  "--max-steps", N("capo-steps", 3), "--max-samples", N("capo-samples", 2), "--max-length", N("capo-length", 192)]);
const total = (performance.now() - t0) / 1000;
const load1 = os.loadavg();

const jsonl = (f) => fs.readFileSync(f, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
const collected = jsonl(SESS);
const simulated = collected.flatMap((s) => s.messages.filter((m, i) => m.role === "user" && i > 0).map((m) => m.content));
const pairs = jsonl(PAIRS);
const trains = {};
for (const [k, dir] of [["ask", ASK], ["chat", CHAT], ["capo", CAPO]]) {
  trains[k] = { summary: JSON.parse(fs.readFileSync(path.join(dir, "train_summary.json"), "utf8")), metrics: jsonl(path.join(dir, "metrics.jsonl")), records: jsonl(path.join(dir, "train.jsonl")).length };
}
const secs = Object.fromEntries(stages.map((s) => [s.name, s.secs]));
const f = (x, d = 1) => Number(x).toFixed(d);
const lines = [];
lines.push(`machine: ${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} cores, ${f(os.totalmem() / 2 ** 30, 0)} GiB; load average ${load0.map((x) => f(x, 2)).join(" ")} at the start, ${load1.map((x) => f(x, 2)).join(" ")} at the end`);
lines.push(`total wall time: ${f(total)} s; collected ${collected.length} sessions (${simulated.length} queries by the trained Parrot-Ask), ${pairs.length} CaPO pairs`);
lines.push("");
lines.push("| stage | wall s | steps | records | tokens | train s | tokens/s | first loss | last loss | GGUF MB |");
lines.push("|---|---|---|---|---|---|---|---|---|---|");
for (const k of ["ask", "chat", "capo"]) {
  const { summary: s, metrics: m, records } = trains[k];
  lines.push(`| train ${k} | ${f(secs[k])} | ${s.steps} | ${records} | ${s.tokens} | ${f(s.train_s)} | ${f(s.tokens_per_s)} | ${f(m[0].loss, 4)} | ${f(m.at(-1).loss, 4)} | ${f((s.gguf_bytes ?? 0) / 1e6)} |`);
}
lines.push(`| collect | ${f(secs.collect)} | | ${collected.length} sessions | | | | | | |`);
lines.push(`| capo pairs | ${f(secs["capo-pairs"])} | | ${pairs.length} pairs | | | | | | |`);
lines.push("");
for (const k of ["ask", "chat", "capo"]) {
  lines.push(`loss, train ${k}: ${trains[k].metrics.map((r) => `${r.step}: ${f(r.loss, 3)}`).join(", ")}`);
}
lines.push("");
lines.push("Two queries written by the trained Parrot-Ask GGUF in `parrot collect`:");
for (const q of simulated.slice(0, 2)) lines.push(`> ${JSON.stringify(q)}`);
const md = lines.join("\n") + "\n";
fs.writeFileSync(path.join(OUT, "summary.md"), md);
fs.writeFileSync(path.join(OUT, "summary.json"), JSON.stringify({ stages, total, load0, load1, trains, simulated, pairs: pairs.length }, null, 2) + "\n");
process.stdout.write(md);
