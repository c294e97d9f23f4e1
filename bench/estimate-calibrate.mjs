/**
 * Measure the fill ratios and query attempts behind `collect --dry-run` (src/run/estimate.ts RATES) and check the
 * estimate against a real run: for each --seed, `parrot collect --dry-run`, then the real collect into a temp file,
 * then the counted usage from its run manifest.
 *
 *   node bench/estimate-calibrate.mjs [--model default] [--seeds 1,2,3] [--limit 6] [--turns 3] [--max-tokens 48]
 *                                     [--query-max-tokens 32] [--threads 1] [--json]
 *
 * Prints per seed: estimated and counted tokens and requests, and the measured rates: assistant fill (completion
 * tokens per response call / --max-tokens), asker fill (per simulator call / --query-max-tokens), and simulator calls
 * per query turn ((query + query-retry calls) / query calls), and query acceptance (query turns that ended with an
 * accepted query / query turns attempted; a session stops at the first rejected one); then the same pooled.
 * Needs the built CLI (dist/) and the model (`parrot models pull`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLI, SHARED } from "./lib.mjs";

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const model = opt("model", "default");
const seeds = opt("seeds", "1,2,3").split(",").map(Number);
const limit = opt("limit", "6");
const turns = opt("turns", "3");
const maxTokens = Number(opt("max-tokens", "48"));
const queryMaxTokens = Number(opt("query-max-tokens", "32"));
const threads = opt("threads", "1");
const json = argv.includes("--json");
const seedsFile = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-calibrate-"));

function collect(seed, extra) {
  const out = path.join(dir, `s${seed}.jsonl`);
  const args = [CLI, "collect", "--seeds", seedsFile, "--asker", model, "--assistant", model, "--turns", turns, "--limit", limit,
    "--max-tokens", String(maxTokens), "--query-max-tokens", String(queryMaxTokens), "--concurrency", "1", "--seed", String(seed), "--out", out, ...extra];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, PARROT_THREADS: threads } });
  if (r.status !== 0 && r.status !== 3) throw new Error(`collect --seed ${seed} exited ${r.status}: ${r.stderr.trim().split("\n").pop()}`);
  return { out, stderr: r.stderr };
}

const sum = (c) => c.prompt_tokens + c.completion_tokens;
const rows = [];
const pooled = { resp: { n: 0, c: 0 }, ask: { n: 0, c: 0 }, first: 0, accepted: 0, estimated: 0, counted: 0 };
/** Query turns accepted of a sessions file (user turns after the first) and attempted (plus the one that stopped it). */
function acceptance(file) {
  let accepted = 0;
  let attempted = 0;
  for (const line of fs.readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const s = JSON.parse(line);
    const ok = s.meta.user_turns - 1;
    accepted += ok;
    attempted += ok + (String(s.meta.stop_reason).startsWith("filtered:") ? 1 : 0);
  }
  return { accepted, attempted };
}
for (const seed of seeds) {
  const dry = collect(seed, ["--dry-run"]);
  const m = /estimate: (\d+) tokens .* in (\d+) requests/.exec(dry.stderr);
  const { out } = collect(seed, []);
  const usage = JSON.parse(fs.readFileSync(`${out}.manifest.json`, "utf8")).usage;
  const st = usage.written.by_stage;
  const z = { requests: 0, prompt_tokens: 0, completion_tokens: 0 };
  const resp = [st.response ?? z, st["response-retry"] ?? z].reduce((a, b) => ({ n: a.n + b.requests, c: a.c + b.completion_tokens }), { n: 0, c: 0 });
  const ask = [st.query ?? z, st["query-retry"] ?? z].reduce((a, b) => ({ n: a.n + b.requests, c: a.c + b.completion_tokens }), { n: 0, c: 0 });
  const first = (st.query ?? z).requests;
  const acc = acceptance(out);
  const counted = sum(usage.written.total) + sum(usage.unwritten.total);
  const row = {
    seed,
    estimated_tokens: Number(m[1]),
    estimated_requests: Number(m[2]),
    counted_tokens: counted,
    counted_requests: usage.written.total.requests + usage.unwritten.total.requests,
    error: Number(m[1]) / counted - 1,
    assistant_fill: resp.c / resp.n / maxTokens,
    asker_fill: ask.n ? ask.c / ask.n / queryMaxTokens : null,
    query_attempts: first ? ask.n / first : null,
    query_accept: acc.attempted ? acc.accepted / acc.attempted : null,
  };
  rows.push(row);
  pooled.resp.n += resp.n;
  pooled.resp.c += resp.c;
  pooled.ask.n += ask.n;
  pooled.ask.c += ask.c;
  pooled.first += first;
  pooled.accepted += acc.accepted;
  pooled.estimated += row.estimated_tokens;
  pooled.counted += counted;
}
const all = {
  assistant_fill: pooled.resp.c / pooled.resp.n / maxTokens,
  asker_fill: pooled.ask.n ? pooled.ask.c / pooled.ask.n / queryMaxTokens : null,
  query_attempts: pooled.first ? pooled.ask.n / pooled.first : null,
  query_accept: pooled.first ? pooled.accepted / pooled.first : null,
  error: pooled.estimated / pooled.counted - 1,
};
fs.rmSync(dir, { recursive: true, force: true });
if (json) {
  console.log(JSON.stringify({ model, limit: Number(limit), turns: Number(turns), max_tokens: maxTokens, query_max_tokens: queryMaxTokens, rows, pooled: all }, null, 2));
} else {
  const f = (x, d = 2) => (x === null ? "-" : x.toFixed(d));
  console.log(`model ${model}, ${limit} sessions x ${turns} turns per seed, max tokens ${maxTokens}/${queryMaxTokens}, load ${os.loadavg()[0].toFixed(1)}`);
  console.log("seed | estimated tokens (req) | counted tokens (req) | error | assistant fill | asker fill | query attempts | query accept");
  for (const r of rows) {
    console.log(`${r.seed} | ${r.estimated_tokens} (${r.estimated_requests}) | ${r.counted_tokens} (${r.counted_requests}) | ${(100 * r.error).toFixed(1)}% | ${f(r.assistant_fill)} | ${f(r.asker_fill)} | ${f(r.query_attempts)} | ${f(r.query_accept)}`);
  }
  console.log(`pooled | ${pooled.estimated} | ${pooled.counted} | ${(100 * all.error).toFixed(1)}% | ${f(all.assistant_fill)} | ${f(all.asker_fill)} | ${f(all.query_attempts)} | ${f(all.query_accept)}`);
}
