#!/usr/bin/env node
/**
 * Orchestration throughput of `parrot collect` against a fixed-latency OpenAI-compatible server.
 *
 * For each concurrency C, collect runs 4*C sessions of 2 user turns (3 requests each: answer, simulated query,
 * answer) with --concurrency C against a server that answers every request after L ms. The ideal rate is C / L
 * requests per second (C requests always in flight); the measured rate is the server's request count over the span
 * from the first arrival to the last answer. Ratio = measured / ideal (goal >= 0.9).
 *
 *   node bench/throughput.mjs [--latency 200] [--concurrency 10,100,500] [--rounds 4]
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO, fmt, runCli, startLatencyServer, writeSyntheticSeeds } from "./lib.mjs";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const latency = Number(arg("latency", "200"));
const levels = arg("concurrency", "10,100,500").split(",").map(Number);
const rounds = Number(arg("rounds", "4"));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-bench-tp-"));
const seeds = path.join(dir, "seeds.jsonl");
writeSyntheticSeeds(seeds, Math.max(...levels) * rounds);
const server = await startLatencyServer(latency);
const rows = [];
for (const c of levels) {
  server.reset();
  const sessions = c * rounds;
  const out = path.join(dir, `out-${c}.jsonl`);
  const spec = `${server.url}#bench`;
  const r = await runCli(["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", String(sessions), "--concurrency", String(c), "--out", out]);
  if (r.code !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  const s = server.stats();
  const measured = s.count / (s.spanMs / 1000);
  const ideal = c / (latency / 1000);
  // Baseline: the bare openai client doing the same number of 3-request chains at the same concurrency.
  // Two peers: the bare client with its default fetch (Node's), and with the fetch parrot gives it (undici request).
  const bare = async (mode) => {
    server.reset();
    await new Promise((resolve) => spawn(process.execPath, [path.join(REPO, "bench/raw-client.mjs"), server.url, String(c), String(sessions), mode], { stdio: "inherit" }).on("close", resolve));
    const b = server.stats();
    return b.count / (b.spanMs / 1000);
  };
  const raw = await bare("global");
  const rawPooled = await bare("pooled");
  rows.push({ c, sessions, requests: s.count, spanS: s.spanMs / 1000, wallS: r.wallMs / 1000, measured, ideal, ratio: measured / ideal, peak: s.peak, rss: r.peakRssMB, raw, rawPooled });
  console.error(`C=${c}: ${s.count} requests in ${fmt(s.spanMs / 1000)} s -> ${fmt(measured, 1)} req/s, ideal ${fmt(ideal, 1)}, ratio ${fmt(measured / ideal, 3)}, peak in flight ${s.peak}`);
}
await server.close();
console.log(`latency ${latency} ms, node ${process.version}, ${os.cpus().length} CPUs, load average before: ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
console.log("| concurrency | sessions | requests | span (s) | wall incl. start-up (s) | parrot req/s | ideal C/L | ratio to ideal | bare openai client req/s (Node fetch) | bare client req/s (parrot's fetch) | parrot / bare client (Node fetch) | peak in flight | peak RSS (MB) |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const x of rows) {
  console.log(`| ${x.c} | ${x.sessions} | ${x.requests} | ${fmt(x.spanS)} | ${fmt(x.wallS)} | ${fmt(x.measured, 1)} | ${fmt(x.ideal, 1)} | **${fmt(x.ratio, 3)}** | ${fmt(x.raw, 1)} | ${fmt(x.rawPooled, 1)} | ${fmt(x.measured / x.raw, 3)} | ${x.peak} | ${fmt(x.rss, 0)} |`);
}
fs.rmSync(dir, { recursive: true, force: true });
