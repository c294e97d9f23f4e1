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
 *   5. capo    `parrot capo CAPO_SESSIONS --assistant default --max-queries Q` pairs, then `parrot train capo` DPO from
 *              the chat checkpoint. CAPO_SESSIONS (OUT/capo-sessions.jsonl) is the collected sessions plus the
 *              --capo-seeds shortest train-split ShareGPT sessions that hold a context-dependent query (heuristic
 *              detector), each cut after the response to its first such query: the heuristic finds no context cue in
 *              the few toy-collected sessions (0 pairs in the first run), real users' follow-ups have them.
 *
 *   node bench/toy-train.mjs [--out bench/.out/toy] [--ask-steps 10] [--ask-samples 2] [--ask-length 256]
 *                            [--sessions 3] [--turns 2] [--max-tokens 64] [--chat-steps 3] [--chat-samples 2] [--chat-length 256]
 *                            [--capo-seeds 4] [--capo-queries 2] [--capo-steps 3] [--capo-samples 2] [--capo-length 192]
 *                            [--concurrency 2] [--reuse DIR] [--splits-only]
 *
 *   --reuse DIR: take ask/, chat/ and sessions.jsonl from an earlier run's OUT (DIR) and run only the capo stages
 *   into OUT (DIR is read, never written).
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

const REUSE = opt("reuse") ? path.resolve(opt("reuse")) : undefined;
if (REUSE === OUT) throw new Error("--reuse DIR must differ from --out");
const FROM = REUSE ?? OUT;
const ASK = path.join(FROM, "ask");
const CHAT = path.join(FROM, "chat");
const CAPO = path.join(OUT, "capo");
const SESS = path.join(FROM, "sessions.jsonl");
const CAPO_SESS = path.join(OUT, "capo-sessions.jsonl");
const PAIRS = path.join(OUT, "pairs.jsonl");
const CONC = N("concurrency", 2);
for (const p of [...(REUSE ? [] : [ASK, CHAT, SESS, `${SESS}.manifest.json`]), CAPO, CAPO_SESS, PAIRS, `${PAIRS}.manifest.json`]) fresh(p);
const t0 = performance.now();
if (!REUSE) {
  await run("ask", ["train", "ask", "--data", trainFile, "--engine", "trl", "--base-model", "default", "--out", ASK, "--launch",
    "--max-steps", N("ask-steps", 10), "--max-samples", N("ask-samples", 2), "--max-length", N("ask-length", 256)]);
  await run("collect", ["collect", "--seeds", trainFile, "--out", SESS, "--simulator", "parrot-ask", "--asker", `gguf:${path.join(ASK, "model.gguf")}`,
    "--assistant", "default", "--turns", N("turns", 2), "--limit", N("sessions", 3), "--max-tokens", N("max-tokens", 64), "--query-max-tokens", "40", "--concurrency", CONC]);
  await run("chat", ["train", "chat", "--data", SESS, "--engine", "trl", "--base-model", "default", "--out", CHAT, "--launch",
    "--max-steps", N("chat-steps", 3), "--max-samples", N("chat-samples", 2), "--max-length", N("chat-length", 256), "--max-turns", N("turns", 2)]);
}
// CaPO input: the collected sessions (parrot records) + the shortest train-split ShareGPT sessions with a
// context-dependent query (heuristic detector), as parrot records cut after the response to that query.
const { selectQueries } = await import(path.join(REPO, "dist/capo/build.js"));
const { alternationError } = await import(path.join(REPO, "dist/conversations/session.js"));
const collectedSessions = readConversations(SESS);
const trainIds = new Set(train.map((s) => String(s.id)));
const seen = new Set();
const seeds = selectQueries(sessions.filter((s) => trainIds.has(s.id) && s.messages.every((m) => m.content.trim() !== "")))
  .filter((q) => !seen.has(q.session.id) && seen.add(q.session.id))
  .map((q) => ({ q, messages: q.session.messages.slice(0, q.index + 2).map((m) => ({ role: m.role, content: m.content })) }))
  .filter((x) => alternationError(x.messages) < 0)
  .map((x) => ({ ...x, chars: x.messages.reduce((a, m) => a + m.content.length, 0) }))
  .sort((a, b) => a.chars - b.chars || (a.q.session.id < b.q.session.id ? -1 : 1))
  .slice(0, Number(opt("capo-seeds", 4)));
const capoRows = [
  ...collectedSessions.map((s) => ({ id: s.id, messages: s.messages, ...(s.system !== undefined ? { system: s.system } : {}), meta: s.meta ?? {} })),
  ...seeds.map(({ q, messages }) => ({ id: q.session.id, messages, ...(q.session.system !== undefined ? { system: q.session.system } : {}), meta: { source: { format: "sharegpt", file: path.relative(REPO, SHAREGPT), id: q.session.id, cut_after_turn: q.turn } } })),
];
fs.writeFileSync(CAPO_SESS, capoRows.map((r) => JSON.stringify(r)).join("\n") + "\n");
console.error(`capo input: ${collectedSessions.length} collected + ${seeds.length} train-split ShareGPT sessions (${seeds.map((x) => `${x.q.session.id}@${x.q.turn}`).join(", ")}) -> ${CAPO_SESS}`);
await run("capo-pairs", ["capo", CAPO_SESS, "--assistant", "default", "--out", PAIRS, "--max-queries", N("capo-queries", 2), "--concurrency", CONC]);
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
  lines.push(`| train ${k} | ${secs[k] === undefined ? "reused" : f(secs[k])} | ${s.steps} | ${records} | ${s.tokens} | ${f(s.train_s)} | ${f(s.tokens_per_s)} | ${f(m[0].loss, 4)} | ${f(m.at(-1).loss, 4)} | ${f((s.gguf_bytes ?? 0) / 1e6)} |`);
}
const byStrategy = {};
for (const p of pairs) byStrategy[p.strategy] = (byStrategy[p.strategy] ?? 0) + 1;
lines.push(`| collect | ${secs.collect === undefined ? `reused (${FROM})` : f(secs.collect)} | | ${collected.length} sessions | | | | | | |`);
lines.push(`| capo pairs | ${f(secs["capo-pairs"])} | | ${pairs.length} pairs (${Object.entries(byStrategy).map(([k, v]) => `${k} ${v}`).join(", ")}) from ${new Set(pairs.map((p) => `${p.session_id}/${p.turn}`)).size} queries | | | | | | |`);
lines.push("");
for (const k of ["ask", "chat", "capo"]) {
  lines.push(`loss, train ${k}: ${trains[k].metrics.map((r) => `${r.step}: ${f(r.loss, 3)}`).join(", ")}`);
}
lines.push("");
lines.push("Two queries written by the trained Parrot-Ask GGUF in `parrot collect`:");
for (const q of simulated.slice(0, 2)) lines.push(`> ${JSON.stringify(q)}`);
lines.push("");
lines.push("CaPO pairs (query, chosen, rejected; first 160 characters):");
for (const p of pairs) lines.push(`- ${p.id}: query ${JSON.stringify(p.prompt.at(-1).content.slice(0, 160))}; chosen ${JSON.stringify(p.chosen.slice(0, 160))}; rejected ${JSON.stringify(p.rejected.slice(0, 160))}`);
const md = lines.join("\n") + "\n";
fs.writeFileSync(path.join(OUT, "summary.md"), md);
fs.writeFileSync(path.join(OUT, "summary.json"), JSON.stringify({ stages, total, load0, load1, reused: REUSE ?? null, trains, simulated, pairs: pairs.length, pairs_by_strategy: byStrategy }, null, 2) + "\n");
process.stdout.write(md);
