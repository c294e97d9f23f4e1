#!/usr/bin/env node
/**
 * Scale of the commands that read a whole session file (issue 15, comparison 3): peak RSS and wall time of
 * `parrot stats`, `context detect` (heuristic), `export sft-chat --format tokens` and `report --sessions` at each
 * size. Sessions are the ShareGPT sample's, cycled with new ids, each cut to its first 6 messages of at most 600
 * characters (real text, so the detector and the tokenizer do real work; 1.9 KB a session).
 *   node bench/scale.mjs [--sizes 1000,10000,100000] [--commands stats,context,export,report] [--json]
 * Peak RSS from /usr/bin/time -f %M. Prints one table row per command and size, and time per 1,000 sessions, so
 * linear growth reads as a constant column.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fmt, runCli, SHARED } from "./lib.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg("sizes", "1000,10000,100000").split(",").map(Number);
const commands = arg("commands", "stats,context,export,report").split(",");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-bench-scale-"));
const tokenizer = path.join(SHARED, "models/smollm2-135m-instruct-tokenizer");

const base = fs
  .readFileSync(path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l))
  .map((s) => (s.conversations ?? []).slice(0, 6).map((m) => ({ role: m.from === "human" ? "user" : "assistant", content: String(m.value).slice(0, 600) })))
  .filter((msgs) => msgs.length >= 2 && msgs[0].role === "user" && msgs.every((m, i) => m.role === (i % 2 ? "assistant" : "user") && m.content.trim()));

function writeSessions(file, n) {
  const fd = fs.openSync(file, "w");
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += JSON.stringify({ id: `scale-${i}`, messages: base[i % base.length], meta: { source: { format: "sharegpt" } } }) + "\n";
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = "";
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

const rows = [];
for (const n of sizes) {
  const file = path.join(dir, `s-${n}.jsonl`);
  writeSessions(file, n);
  const mb = fs.statSync(file).size / 2 ** 20;
  const runs = {
    stats: ["stats", file, "--json"],
    context: ["context", "detect", file, "--out", path.join(dir, `ctx-${n}.jsonl`)],
    export: ["export", "sft-chat", file, "--format", "tokens", "--tokenizer", tokenizer, "--out", path.join(dir, `tok-${n}.jsonl`)],
    report: ["report", "--sessions", file, "--out", path.join(dir, `report-${n}`)],
  };
  for (const c of commands) {
    const load = os.loadavg()[0];
    const r = await runCli(runs[c]);
    if (r.code !== 0) throw new Error(`${c} at ${n}: exit ${r.code}: ${r.stderr.trim().split("\n").pop()}`);
    const extra = c === "report" ? fs.statSync(path.join(dir, `report-${n}`, "index.html")).size / 2 ** 20 : undefined;
    rows.push({ command: c, sessions: n, input_mb: mb, wall_s: r.wallMs / 1000, peak_rss_mb: r.peakRssMB, ms_per_1k: r.wallMs / (n / 1000), output_mb: extra, load });
    console.error(`${c} ${n}: ${fmt(r.wallMs / 1000, 1)} s, ${fmt(r.peakRssMB, 0)} MB${extra ? `, page ${fmt(extra, 1)} MB` : ""} (load ${fmt(load, 1)})`);
  }
  fs.rmSync(file);
}
fs.rmSync(dir, { recursive: true, force: true });
if (process.argv.includes("--json")) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(`node ${process.version}, ${os.cpus().length} cores; sessions of ${base.length} distinct ShareGPT bases, 1.9 KB each`);
  console.log("| command | sessions | input (MB) | wall (s) | s per 1K sessions | peak RSS (MB) | page (MB) | load |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(`| ${r.command} | ${r.sessions} | ${fmt(r.input_mb, 1)} | ${fmt(r.wall_s, 1)} | ${fmt(r.ms_per_1k / 1000, 2)} | ${fmt(r.peak_rss_mb, 0)} | ${r.output_mb === undefined ? "" : fmt(r.output_mb, 1)} | ${fmt(r.load, 1)} |`);
  }
}
