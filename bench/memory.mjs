#!/usr/bin/env node
/**
 * Peak memory (RSS) of `parrot collect` at 5,000 and 50,000 sessions against a fixed-latency OpenAI-compatible
 * server (`--latency MS`, default 0) (synthetic ShareGPT seeds, 2 user turns = 3 requests per session, --concurrency 64), then of the resume
 * scan (the same command again: every session is already in the output, nothing to do). Goal: flat, < 400 MB.
 * Peak RSS comes from /usr/bin/time -f %M.
 *   node bench/memory.mjs [--sizes 5000,50000] [--turns 2] [--latency 0] [--concurrency 64]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fmt, runCli, startLatencyServer, writeSyntheticSeeds } from "./lib.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg("sizes", "5000,50000").split(",").map(Number);
const turns = arg("turns", "2");
const latency = Number(arg("latency", "0"));
const concurrency = arg("concurrency", "64");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-bench-mem-"));
const seeds = path.join(dir, "seeds.jsonl");
writeSyntheticSeeds(seeds, Math.max(...sizes));
const server = await startLatencyServer(latency);
const spec = `${server.url}#bench`;
const rows = [];
for (const n of sizes) {
  const out = path.join(dir, `out-${n}.jsonl`);
  const args = ["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", turns, "--limit", String(n), "--concurrency", concurrency, "--out", out];
  const load = os.loadavg()[0];
  const run = await runCli(args);
  if (run.code !== 0) throw new Error(run.stderr);
  const resume = await runCli(args);
  if (resume.code !== 0 || !resume.stderr.includes("nothing to do")) throw new Error(resume.stderr);
  const lines = fs.readFileSync(out, "utf8").split("\n").filter(Boolean).length;
  rows.push({ n, load, lines, outMB: fs.statSync(out).size / 2 ** 20, runRss: run.peakRssMB, runS: run.wallMs / 1000, resumeRss: resume.peakRssMB, resumeS: resume.wallMs / 1000 });
  console.error(`${n}: run ${fmt(run.peakRssMB, 0)} MB in ${fmt(run.wallMs / 1000, 1)} s; resume ${fmt(resume.peakRssMB, 0)} MB`);
}
await server.close();
console.log(`seeds file: ${fmt(fs.statSync(seeds).size / 2 ** 20, 1)} MB, ${Math.max(...sizes)} sessions; server latency ${latency} ms, --concurrency ${concurrency}; node ${process.version}`);
console.log("| sessions | output lines | output (MB) | collect peak RSS (MB) | collect wall (s) | resume-scan peak RSS (MB) | resume wall (s) | s per 1K sessions | load |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.n} | ${r.lines} | ${fmt(r.outMB, 1)} | **${fmt(r.runRss, 0)}** | ${fmt(r.runS, 1)} | **${fmt(r.resumeRss, 0)}** | ${fmt(r.resumeS, 1)} | ${fmt(r.runS / (r.n / 1000), 2)} | ${fmt(r.load, 1)} |`);
if (rows.length >= 2) console.log(`\nratio of peak RSS, ${rows.at(-1).n} vs ${rows[0].n} sessions: collect ${fmt(rows.at(-1).runRss / rows[0].runRss)}, resume ${fmt(rows.at(-1).resumeRss / rows[0].resumeRss)}`);
fs.rmSync(dir, { recursive: true, force: true });
