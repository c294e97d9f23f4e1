#!/usr/bin/env node
/**
 * Every stage of parrot on real weights, through both engines: the in-process GGUF engine (node-llama-cpp) and
 * llama-server over HTTP (`parrot models serve`'s binary), on a registered model (default: smollm2-135m).
 *
 *   node bench/real-stages.mjs [--model smollm2-135m] [--judge NAME] [--engines gguf,http] [--sessions 8] [--turns 3]
 *                              [--questions 8] [--pp-questions 3] [--out bench/.out/real] [--json]
 *
 * Stages: collect (parrot-ask and prompted simulators), stats, context detect --judge, capo, export (sft-chat trl,
 * sft-ask tokens, dpo trl), bench answer + judge on an MT-Bench subset (one question per category) and an MT-Bench++
 * subset (references: the same model's answers, a toy setting), report. Per stage: wall time, requests, generated
 * tokens/s, and the quality rates: role leak and other filter rejections, early stops by reason, judge replies
 * without a parsable rating, context-judge verdicts that parsed. Build first (`npm run build`).
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
const MODEL = opt("model", "smollm2-135m");
const JUDGE = opt("judge", MODEL);
const ENGINES = opt("engines", "gguf,http").split(",");
const SESSIONS = Number(opt("sessions", "8"));
const TURNS = Number(opt("turns", "3"));
const NQ = Number(opt("questions", "8"));
const NPP = Number(opt("pp-questions", "3"));
const OUT = path.resolve(opt("out", path.join(REPO, "bench/.out/real")));
const JSON_OUT = args.includes("--json");
const CONC = 4;

const { pullModel } = await import(path.join(REPO, "dist/models/pull.js"));
const { findLlamaServer, startLlamaServer } = await import(path.join(REPO, "dist/models/serve.js"));

function run(argv, env = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...argv], { env: { ...process.env, CI: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    child.on("close", (code) => resolve({ code, stdout, stderr, secs: (performance.now() - t0) / 1000 }));
  });
}

/** Sum the summarizeModels lines: requests, retries, failures, prompt and completion tokens. */
function usage(stderr) {
  const u = { requests: 0, retries: 0, failures: 0, prompt: 0, completion: 0 };
  for (const m of stderr.matchAll(/: (\d+) requests, (\d+) retries.*?, (\d+) failures, (\d+) prompt \+ (\d+) completion tokens/g)) {
    u.requests += +m[1];
    u.retries += +m[2];
    u.failures += +m[3];
    u.prompt += +m[4];
    u.completion += +m[5];
  }
  return u;
}
const readJsonl = (f) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
const count = (xs) => xs.reduce((a, k) => ((a[k] = (a[k] ?? 0) + 1), a), {});
const fmt = (o) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(", ") || "-";

const modelFile = (await pullModel(MODEL)).file;
const judgeFile = JUDGE === MODEL ? modelFile : (await pullModel(JUDGE)).file;
fs.mkdirSync(OUT, { recursive: true });
const seeds = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
// One MT-Bench question per category (the first of each), and the first NPP of those for MT-Bench++.
const allQ = readJsonl(path.join(SHARED, "data/mt_bench/question.jsonl"));
const firstPerCat = [...new Map(allQ.map((q) => [q.category, q])).values()].slice(0, NQ);
const qFile = path.join(OUT, "mt-bench-subset.jsonl");
fs.writeFileSync(qFile, firstPerCat.map((q) => JSON.stringify(q)).join("\n") + "\n");
// MT-Bench++ questions are made from all 80 (`bench questions`), then cut to the first NPP of firstPerCat.
const ppAll = path.join(OUT, "mt-bench-pp-all.jsonl");
const ppMade = await run(["bench", "questions", "--bench", "mt-bench-pp", "--questions", path.join(SHARED, "data/mt_bench/question.jsonl"), "--out", ppAll]);
if (ppMade.code !== 0) throw new Error(`bench questions failed: ${ppMade.stderr}`);
const ppIds = new Set(firstPerCat.slice(0, NPP).map((q) => q.question_id));
const ppFile = path.join(OUT, "mt-bench-pp-subset.jsonl");
fs.writeFileSync(ppFile, readJsonl(ppAll).filter((q) => ppIds.has(q.question_id)).map((q) => JSON.stringify(q)).join("\n") + "\n");

const results = [];
for (const engine of ENGINES) {
  let server;
  let judgeServer;
  let spec = MODEL;
  let judgeSpec = JUDGE;
  if (engine === "http") {
    const bin = findLlamaServer({ build: false }).file;
    server = await startLlamaServer({ file: modelFile, name: MODEL, binary: bin, parallel: CONC, context: 4096 });
    spec = server.spec;
    if (JUDGE !== MODEL) {
      judgeServer = await startLlamaServer({ file: judgeFile, name: JUDGE, binary: bin, parallel: 2, context: 4096 });
      judgeSpec = judgeServer.spec;
    } else judgeSpec = spec;
  }
  const dir = path.join(OUT, engine);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const stage = (name, r, rates) => {
    const u = usage(r.stderr);
    const row = { engine, stage: name, exit: r.code, secs: +r.secs.toFixed(1), requests: u.requests, retries: u.retries, failures: u.failures, prompt_tokens: u.prompt, completion_tokens: u.completion, gen_tok_s: r.secs > 0 ? +(u.completion / r.secs).toFixed(1) : 0, ...rates };
    results.push(row);
    if (!JSON_OUT) process.stderr.write(`${engine} ${name}: exit ${r.code}, ${row.secs}s, ${u.requests} req, ${row.gen_tok_s} gen tok/s; ${JSON.stringify(rates)}\n`);
    if (r.code !== 0 && r.code !== 3) process.stderr.write(r.stderr.split("\n").slice(-5).join("\n") + "\n");
    return row;
  };
  const sessionRates = (file) => {
    const ss = readJsonl(file);
    const rej = ss.flatMap((s) => s.meta.filtered ?? []);
    const simulated = ss.reduce((a, s) => a + Math.max(0, s.messages.filter((m) => m.role === "user").length - 1), 0) + rej.length;
    return {
      sessions: ss.length,
      avg_user_turns: ss.length ? +(ss.reduce((a, s) => a + s.messages.filter((m) => m.role === "user").length, 0) / ss.length).toFixed(2) : 0,
      simulated_queries: simulated,
      rejected: fmt(count(rej.map((r) => r.reason))),
      role_leak_rate: simulated ? +(rej.filter((r) => r.reason === "role-leak").length / simulated).toFixed(3) : 0,
      stops: fmt(count(ss.map((s) => s.meta.stop_reason))),
      truncated_responses: ss.reduce((a, s) => a + (s.meta.truncated_responses ?? 0), 0),
    };
  };
  const common = ["--turns", String(TURNS), "--limit", String(SESSIONS), "--max-tokens", "160", "--query-max-tokens", "64", "--concurrency", String(CONC)];
  const ask = path.join(dir, "ask.jsonl");
  stage("collect parrot-ask", await run(["collect", "--seeds", seeds, "--simulator", "parrot-ask", "--asker", spec, "--assistant", spec, ...common, "--out", ask]), sessionRates(ask));
  const prm = path.join(dir, "prompted.jsonl");
  stage("collect prompted", await run(["collect", "--seeds", seeds, "--simulator", "prompted", "--asker", spec, "--assistant", spec, ...common, "--out", prm]), sessionRates(prm));
  const st = await run(["stats", ask, prm, "--json"]);
  stage("stats", st, { table1: st.stdout.replace(/\s+/g, " ").slice(0, 400) });
  const ctx = path.join(dir, "context.jsonl");
  const c = await run(["context", "detect", ask, "--judge", judgeSpec, "--concurrency", String(CONC), "--out", ctx]);
  const crow = readJsonl(ctx);
  stage("context detect --judge", c, {
    rows: crow.length,
    verdicts_parsed: crow.filter((r) => r.judge && r.judge.context_dependent !== null).length,
    agree_with_heuristic: crow.filter((r) => r.judge && r.judge.context_dependent !== null && r.judge.context_dependent === r.heuristic?.context_dependent).length,
  });
  const pairs = path.join(dir, "pairs.jsonl");
  const cp = await run(["capo", ask, "--assistant", spec, "--max-queries", "6", "--concurrency", String(CONC), "--out", pairs]);
  stage("capo", cp, { pairs: readJsonl(pairs).length, by_strategy: fmt(count(readJsonl(pairs).map((p) => p.strategy))), summary: (cp.stderr.match(/capo: context-\w+: [^\n]*/g) ?? []).join(" | ") });
  const tok = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");
  const exports = [
    ["sft-chat", ask, "trl"],
    ["sft-ask", ask, "tokens"],
    ["dpo", pairs, "trl"],
  ];
  for (const [kind, input, format] of exports) {
    const o = path.join(dir, `export-${kind}-${format}.jsonl`);
    const e = await run(["export", kind, input, "--format", format, ...(format === "tokens" ? ["--tokenizer", tok] : []), "--out", o]);
    stage(`export ${kind} ${format}`, e, { records: readJsonl(o).length });
  }
  const answers = path.join(dir, "answers-mt-bench.jsonl");
  stage("bench answer mt-bench", await run(["bench", "answer", "--bench", "mt-bench", "--questions", qFile, "--model", spec, "--model-id", MODEL, "--max-tokens", "256", "--concurrency", String(CONC), "--out", answers]), {
    questions: readJsonl(answers).length,
    error_turns: readJsonl(answers).flatMap((a) => a.choices[0].turns).filter((t) => t === "$ERROR$").length,
  });
  const judg = path.join(dir, "judgments-mt-bench.jsonl");
  const jr = await run(["bench", "judge", "--bench", "mt-bench", "--questions", qFile, "--answers", answers, "--references", path.join(SHARED, "data/mt_bench/reference_answer_gpt-4.jsonl"), "--judge-prompts", path.join(SHARED, "data/mt_bench/judge_prompts.jsonl"), "--judge", judgeSpec, "--judge-name", JUDGE, "--judge-max-tokens", "256", "--concurrency", String(CONC), "--out", judg]);
  const jrows = readJsonl(judg);
  stage("bench judge mt-bench", jr, { judgments: jrows.length, no_rating: jrows.filter((r) => r.score === -1).length, mean_score: jrows.filter((r) => r.score >= 0).length ? +(jrows.filter((r) => r.score >= 0).reduce((a, r) => a + r.score, 0) / jrows.filter((r) => r.score >= 0).length).toFixed(2) : null });
  const pp = ppFile;
  const ppAns = path.join(dir, "answers-mt-bench-pp.jsonl");
  stage("bench answer mt-bench-pp", await run(["bench", "answer", "--bench", "mt-bench-pp", "--questions", pp, "--model", spec, "--model-id", MODEL, "--max-tokens", "160", "--concurrency", String(CONC), "--out", ppAns]), {
    questions: readJsonl(ppAns).length,
    error_turns: readJsonl(ppAns).flatMap((a) => a.choices[0].turns).filter((t) => t === "$ERROR$").length,
  });
  const ppJ = path.join(dir, "judgments-mt-bench-pp.jsonl");
  const pj = await run(["bench", "judge", "--bench", "mt-bench-pp", "--questions", pp, "--answers", ppAns, "--references", ppAns, "--judge", judgeSpec, "--judge-name", JUDGE, "--judge-max-tokens", "256", "--concurrency", String(CONC), "--out", ppJ]);
  const pjrows = readJsonl(ppJ);
  stage("bench judge mt-bench-pp", pj, { judgments: pjrows.length, no_rating: pjrows.filter((r) => r.score === -1).length });
  const rep = await run(["report", "--judgments", judg, ...(fs.existsSync(ppJ) ? [ppJ] : []), "--answers", answers, ppAns, "--questions", qFile, "--sessions", ask, prm, "--pairs", pairs, "--out", path.join(dir, "report")]);
  stage("report", rep, { bytes: fs.existsSync(path.join(dir, "report/index.html")) ? fs.statSync(path.join(dir, "report/index.html")).size : 0 });
  await server?.close();
  await judgeServer?.close();
}
const meta = { model: MODEL, judge: JUDGE, host: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg()[0].toFixed(1)}`, node: process.version };
if (JSON_OUT) process.stdout.write(JSON.stringify({ meta, results }, null, 2) + "\n");
else {
  console.log(`model ${MODEL}, judge ${JUDGE}; ${meta.host}`);
  console.log("| engine | stage | exit | wall s | requests | gen tok/s | rates |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of results) {
    const { engine, stage, exit, secs, requests, gen_tok_s, retries, failures, prompt_tokens, completion_tokens, ...rates } = r;
    console.log(`| ${engine} | ${stage} | ${exit} | ${secs} | ${requests} | ${gen_tok_s} | ${Object.entries(rates).map(([k, v]) => `${k}: ${v}`).join("; ")} |`);
  }
}
fs.writeFileSync(path.join(OUT, "results.json"), JSON.stringify({ meta, results }, null, 2));
