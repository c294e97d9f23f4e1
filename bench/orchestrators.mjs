#!/usr/bin/env node
/**
 * Orchestrators against one llama-server (issue 15, comparison 2): `parrot collect` (HTTP, --simulator prompted)
 * vs distilabel (a Pipeline of ChatGeneration + TextGeneration tasks on OpenAILLM, bench/orchestrators_distilabel.py)
 * vs the bare `openai` client (a Node loop doing the same calls), on the same seeds, turns, max tokens, temperature
 * and concurrency, all against one llama-server (`parrot models serve`'s binary and settings, --parallel = the
 * concurrency). The server's maximum is a saturating load of independent chat requests (bare client, 2 x parallel in
 * flight, the same max tokens) in the same run. Contenders are interleaved (the order rotates each round).
 *
 * Counted at the server: generated (and prompt) tokens from llama-server's /metrics (LLAMA_ARG_ENDPOINT_METRICS=1),
 * read before and after each contender and polled every 250 ms for the active span (from the first poll that saw a
 * request in a slot to the last poll where the generated-token counter, which llama-server adds to as requests
 * finish, moved). Rates: per wall second of the contender's process (start-up included) and per
 * active-span second.
 *
 *   node bench/orchestrators.mjs [--sessions 16] [--turns 3] [--max-tokens 64] [--query-max-tokens 64]
 *        [--temperature 0.7] [--concurrency 8] [--rounds 2] [--threads N] [--context 2048]
 *        [--contenders max,parrot,distilabel,openai] [--json]
 * distilabel runs from a venv the script makes (bench/.out/venv-distilabel, pinned by bench/requirements-distilabel.txt).
 * Needs the model (`parrot models pull`) and llama-server (`parrot models serve --build-only`), and `npm run build`.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import OpenAI from "openai";
import { CLI, REPO, SHARED, fmt } from "./lib.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const SESSIONS = Number(opt("sessions", "16"));
const TURNS = Number(opt("turns", "3"));
const MAX_TOKENS = Number(opt("max-tokens", "64"));
const QUERY_MAX_TOKENS = Number(opt("query-max-tokens", "64"));
const TEMPERATURE = Number(opt("temperature", "0.7"));
const C = Number(opt("concurrency", "8"));
const ROUNDS = Number(opt("rounds", "2"));
const THREADS = opt("threads", undefined);
const CONTEXT = Number(opt("context", "2048"));
const CONTENDERS = opt("contenders", "max,parrot,distilabel,openai").split(",");
const JSON_OUT = args.includes("--json");
const MODEL = "smollm2-135m";
const OUT = path.join(REPO, "bench/.out/orchestrators");
const VENV = path.join(REPO, "bench/.out/venv-distilabel");
const PY = path.join(VENV, "bin/python");
const log = (s) => process.stderr.write(s + "\n");

const { pullModel } = await import(path.join(REPO, "dist/models/pull.js"));
const { findLlamaServer, startLlamaServer } = await import(path.join(REPO, "dist/models/serve.js"));
const { filterQuery } = await import(path.join(REPO, "dist/collect/filters.js"));
const { PROMPTED_USER_INSTRUCTION } = await import(path.join(REPO, "dist/collect/prompts.js"));

fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });

// Seeds: the first human query of ShareGPT sample sessions, de-duplicated, passing parrot's query filters, at most
// 400 characters (so every session fits a slot's context), the first SESSIONS of them. parrot gets exactly these
// (--no-seed-filter, --limit = all of them); the peers get the same strings.
const seeds = [];
for (const line of fs.readFileSync(path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl"), "utf8").split("\n")) {
  if (!line.trim() || seeds.length >= SESSIONS) continue;
  const c = JSON.parse(line).conversations ?? [];
  const q = c[0]?.from === "human" ? String(c[0].value).trim() : "";
  if (q && q.length <= 400 && !seeds.includes(q) && filterQuery(q, []).ok) seeds.push(q);
}
if (seeds.length < SESSIONS) throw new Error(`only ${seeds.length} seeds`);
const seedsJsonl = path.join(OUT, "seeds.jsonl");
fs.writeFileSync(seedsJsonl, seeds.map((q, i) => JSON.stringify({ id: `bench-${i}`, conversations: [{ from: "human", value: q }] })).join("\n") + "\n");
const seedsJson = path.join(OUT, "seeds.json");
fs.writeFileSync(seedsJson, JSON.stringify(seeds));

// distilabel's venv.
if (CONTENDERS.includes("distilabel")) {
  if (!fs.existsSync(PY)) spawnSync("python3", ["-m", "venv", VENV], { stdio: "inherit" });
  const req = path.join(REPO, "bench/requirements-distilabel.txt");
  const check = spawnSync(PY, ["-c", "import distilabel, sys; print(distilabel.__version__)"], { encoding: "utf8" });
  if (check.status !== 0) {
    log(`installing ${req} into ${VENV}`);
    const r = spawnSync(path.join(VENV, "bin/pip"), ["install", "-q", "-r", req], { stdio: "inherit" });
    if (r.status !== 0) throw new Error("pip install failed");
  }
}
const distilabelVersion = CONTENDERS.includes("distilabel") ? spawnSync(PY, ["-c", "import distilabel; print(distilabel.__version__)"], { encoding: "utf8" }).stdout.trim() : undefined;

const file = (await pullModel(MODEL)).file;
const server = await startLlamaServer({
  file, name: MODEL, binary: findLlamaServer({ build: false }).file, parallel: C, context: CONTEXT,
  ...(THREADS && { threads: Number(THREADS) }),
  env: { ...process.env, LLAMA_ARG_ENDPOINT_METRICS: "1" },
});
const metricsUrl = server.url.replace(/\/v1$/, "/metrics");
async function metrics() {
  const text = await (await fetch(metricsUrl)).text();
  const get = (k) => Number(new RegExp(`^llamacpp:${k} (\\S+)`, "m").exec(text)?.[1] ?? NaN);
  return { predicted: get("tokens_predicted_total"), prompt: get("prompt_tokens_total"), processing: get("requests_processing") };
}

/** Run fn while polling /metrics; returns fn's result plus server-side deltas, wall and active span. */
async function measured(fn) {
  const before = await metrics();
  let last = before.predicted;
  let first = 0;
  let lastMove = 0;
  const t0 = performance.now();
  let stop = false;
  const poller = (async () => {
    while (!stop) {
      await new Promise((r) => setTimeout(r, 250));
      const m = await metrics().catch(() => undefined);
      const now = performance.now();
      if (m && !first && (m.processing > 0 || m.predicted !== last)) first = now - 125; // began within the last interval
      if (m && m.predicted !== last) {
        lastMove = now;
        last = m.predicted;
      }
    }
  })();
  const result = await fn();
  const wall = (performance.now() - t0) / 1000;
  stop = true;
  await poller;
  const after = await metrics();
  const generated = after.predicted - before.predicted;
  const span = first ? Math.max(0.25, (lastMove - first) / 1000) : wall;
  return { ...result, wall, span, generated, prompt: after.prompt - before.prompt, tps_wall: generated / wall, tps_span: generated / span };
}

const client = new OpenAI({ baseURL: server.url, apiKey: "none", maxRetries: 0, timeout: 600_000 });
const render = (msgs) => msgs.map((m) => `${m.role === "user" ? "User" : "Assistant"}: ${m.content}`).join("\n\n");
const cleanQuery = (t) => t.trim().replace(/^(?:\*\*)?(?:user|me|human)(?:\*\*)?\s*:\s*/i, "").trim();

/** Server maximum: independent chat requests, 2 x C in flight, each a seed query with max_tokens MAX_TOKENS. */
async function serverMax() {
  const total = SESSIONS * (2 * TURNS - 1);
  let next = 0;
  await Promise.all(Array.from({ length: 2 * C }, async () => {
    while (next < total) {
      const i = next++;
      await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: seeds[i % seeds.length] }], max_tokens: MAX_TOKENS, temperature: TEMPERATURE });
    }
  }));
  return { sessions: 0, requests: total, user_turns: 0 };
}

/** The bare openai client doing parrot's work without parrot: C sessions at a time, answer, B.2 query, answer, ... */
async function bareSessions() {
  let next = 0;
  let requests = 0;
  let userTurns = 0;
  await Promise.all(Array.from({ length: C }, async () => {
    while (next < seeds.length) {
      const msgs = [{ role: "user", content: seeds[next++] }];
      for (let t = 1; t <= TURNS; t++) {
        const a = await client.chat.completions.create({ model: MODEL, messages: msgs, max_tokens: MAX_TOKENS, temperature: TEMPERATURE });
        requests++;
        msgs.push({ role: "assistant", content: a.choices[0].message.content ?? "" });
        if (t === TURNS) break;
        const q = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: `${render(msgs)}\n\n${PROMPTED_USER_INSTRUCTION}` }], max_tokens: QUERY_MAX_TOKENS, temperature: TEMPERATURE });
        requests++;
        msgs.push({ role: "user", content: cleanQuery(q.choices[0].message.content ?? "") });
      }
      userTurns += msgs.filter((m) => m.role === "user").length;
    }
  }));
  return { sessions: seeds.length, requests, user_turns: userTurns };
}

function runProc(cmd, argv, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let parrotRun = 0;
async function parrot() {
  const out = path.join(OUT, `parrot-${parrotRun++}.jsonl`);
  const r = await runProc(process.execPath, [CLI, "collect", "--seeds", seedsJsonl, "--no-seed-filter", "--simulator", "prompted", "--asker", server.spec, "--assistant", server.spec,
    "--turns", String(TURNS), "--limit", String(SESSIONS), "--max-tokens", String(MAX_TOKENS), "--query-max-tokens", String(QUERY_MAX_TOKENS),
    "--temperature", String(TEMPERATURE), "--asker-temperature", String(TEMPERATURE), "--concurrency", String(C), "--out", out], { CI: "1" });
  if (r.code !== 0) throw new Error(`parrot collect exit ${r.code}: ${r.stderr.slice(-2000)}`);
  const ss = fs.readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const m = /: (\d+) requests, \d+ retries/.exec(r.stderr);
  const rejected = ss.reduce((a, s) => a + (s.meta.filtered?.length ?? 0), 0);
  return { sessions: ss.length, requests: m ? Number(m[1]) : NaN, user_turns: ss.reduce((a, s) => a + s.messages.filter((x) => x.role === "user").length, 0), rejected_queries: rejected };
}

let dlRun = 0;
async function distilabel() {
  const out = path.join(OUT, `distilabel-${dlRun++}.json`);
  const r = await runProc(PY, [path.join(REPO, "bench/orchestrators_distilabel.py"), "--seeds", seedsJson, "--base-url", server.url, "--model", MODEL, "--turns", String(TURNS),
    "--max-tokens", String(MAX_TOKENS), "--query-max-tokens", String(QUERY_MAX_TOKENS), "--temperature", String(TEMPERATURE), "--concurrency", String(C), "--out", out],
    { DISTILABEL_LOG_LEVEL: "WARNING", PYTHONWARNINGS: "ignore" });
  if (r.code !== 0) throw new Error(`distilabel exit ${r.code}: ${r.stderr.slice(-3000)}`);
  const j = JSON.parse(r.stdout.trim().split("\n").pop());
  return { sessions: j.sessions, requests: j.sessions * (2 * TURNS - 1), user_turns: j.user_turns, inner_wall: j.wall_s, import_s: j.import_s };
}

const RUNNERS = { max: serverMax, parrot, distilabel, openai: bareSessions };
await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 4 }); // warm-up
const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = CONTENDERS.slice(round % CONTENDERS.length).concat(CONTENDERS.slice(0, round % CONTENDERS.length));
  for (const name of order) {
    const load = os.loadavg()[0];
    const r = await measured(RUNNERS[name]);
    rows.push({ round, contender: name, load, ...r });
    log(`round ${round} ${name}: ${r.sessions} sessions, ${r.requests} requests, ${r.generated} generated + ${r.prompt} prompt tokens, wall ${fmt(r.wall, 1)} s, span ${fmt(r.span, 1)} s, ${fmt(r.tps_wall, 1)} gen tok/s (wall), ${fmt(r.tps_span, 1)} (span), load ${fmt(load, 1)}`);
  }
}
await server.close();

// Per contender: sums over the rounds, ratios to the server maximum of the same run (also summed over rounds).
const sum = (xs, k) => xs.reduce((a, x) => a + (x[k] ?? 0), 0);
const byName = Object.fromEntries(CONTENDERS.map((n) => [n, rows.filter((r) => r.contender === n)]));
const agg = (n) => {
  const xs = byName[n];
  const wall = sum(xs, "wall");
  const span = sum(xs, "span");
  const gen = sum(xs, "generated");
  return { contender: n, rounds: xs.length, sessions: sum(xs, "sessions"), requests: sum(xs, "requests"), user_turns: sum(xs, "user_turns"), generated: gen, prompt: sum(xs, "prompt"), wall, span, sessions_s_wall: sum(xs, "sessions") / wall, sessions_s_span: sum(xs, "sessions") / span, tps_wall: gen / wall, tps_span: gen / span, rejected_queries: sum(xs, "rejected_queries") };
};
const summary = CONTENDERS.map(agg);
const max = summary.find((s) => s.contender === "max");
const bare = summary.find((s) => s.contender === "openai");
for (const s of summary) {
  if (max) {
    s.ratio_wall = s.tps_wall / max.tps_wall;
    s.ratio_span = s.tps_span / max.tps_span;
  }
  if (bare && s.sessions) s.sessions_vs_bare_wall = s.sessions_s_wall / bare.sessions_s_wall;
}
const meta = {
  model: `${MODEL} (${path.basename(file)})`, server: `llama-server ${path.basename(path.dirname(findLlamaServer({ build: false }).file))}, --parallel ${C}, context ${CONTEXT}/slot${THREADS ? `, threads ${THREADS}` : ", threads: parrot's default (cores - 1)"}`,
  sessions: SESSIONS, turns: TURNS, max_tokens: MAX_TOKENS, query_max_tokens: QUERY_MAX_TOKENS, temperature: TEMPERATURE, concurrency: C, rounds: ROUNDS,
  host: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average at end ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
  node: process.version, distilabel: distilabelVersion,
};
if (JSON_OUT) console.log(JSON.stringify({ meta, summary, rows }, null, 2));
else {
  console.log(Object.entries(meta).map(([k, v]) => `${k}: ${v}`).join("; "));
  console.log("| contender | sessions | requests | user turns | generated tokens | wall s | active span s | sessions/s (wall) | gen tok/s (wall) | ÷ server max (wall) | gen tok/s (span) | ÷ server max (span) | sessions/s ÷ bare client |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const s of summary) {
    console.log(`| ${s.contender} | ${s.sessions} | ${s.requests} | ${s.user_turns} | ${s.generated} | ${fmt(s.wall, 1)} | ${fmt(s.span, 1)} | ${s.sessions ? fmt(s.sessions_s_wall, 3) : "-"} | ${fmt(s.tps_wall, 1)} | **${fmt(s.ratio_wall, 3)}** | ${fmt(s.tps_span, 1)} | ${fmt(s.ratio_span, 3)} | ${s.sessions_vs_bare_wall ? fmt(s.sessions_vs_bare_wall, 3) : "-"} |`);
  }
}
fs.writeFileSync(path.join(OUT, "results.json"), JSON.stringify({ meta, summary, rows }, null, 2));
