/**
 * Shared pieces of the bench/ scripts: a fixed-latency OpenAI-compatible server (chat and raw completions), synthetic
 * ShareGPT seeds, running the built CLI with peak-RSS measurement (/usr/bin/time -f %M when present).
 * Scripts run on dist/ (build first: `npx tsc -p .`).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
// The follow-up queries the tests' fake server asks too (test/support/fake-openai.ts).
import FOLLOW_UPS from "../test/fixtures/follow-ups.json" with { type: "json" };

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CLI = path.join(REPO, "dist/cli.js");
export const SHARED = path.resolve(REPO, "../shared");

/**
 * Start an OpenAI-compatible server on 127.0.0.1 answering every request after `latencyMs`.
 * Records arrival/finish times and the in-flight peak. Returns {url, stats(), reset(), close()}.
 */
export async function startLatencyServer(latencyMs) {
  let count = 0;
  let first = Infinity;
  let last = 0;
  let inFlight = 0;
  let peak = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const t0 = performance.now();
      if (t0 < first) first = t0;
      inFlight++;
      if (inFlight > peak) peak = inFlight;
      let body = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {}
      const reply = () => {
        let payload;
        if (req.url.endsWith("/chat/completions")) {
          payload = {
            id: "c", object: "chat.completion", created: 0, model: body.model ?? "m",
            choices: [{ index: 0, message: { role: "assistant", content: `Answer ${count}: a helpful response of moderate length with some detail.` }, finish_reason: "stop" }],
            usage: { prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 },
          };
        } else {
          const turn = String(body.prompt ?? "").split("[USER]").length - 1;
          payload = {
            id: "t", object: "text_completion", created: 0, model: body.model ?? "m",
            choices: [{ index: 0, text: ` ${FOLLOW_UPS[turn % FOLLOW_UPS.length]} [ASSISTANT]`, finish_reason: "stop" }],
            usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
          };
        }
        const s = JSON.stringify(payload);
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(s) });
        res.end(s);
        inFlight--;
        count++;
        last = performance.now();
      };
      if (latencyMs > 0) setTimeout(reply, latencyMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.maxConnections = 0;
  await new Promise((r) => server.listen(0, "127.0.0.1", 4096, r));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    stats: () => ({ count, spanMs: last - first, peak }),
    reset: () => {
      count = 0;
      first = Infinity;
      last = 0;
      peak = 0;
    },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

/** Write `n` synthetic ShareGPT sessions with distinct first queries. */
export function writeSyntheticSeeds(file, n) {
  const fd = fs.openSync(file, "w");
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += JSON.stringify({ id: `syn-${i}`, conversations: [{ from: "human", value: `Question ${i}: how do I plan a trip to city number ${i} on a small budget?` }, { from: "gpt", value: "Here is a plan." }] }) + "\n";
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = "";
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

const HAS_TIME = fs.existsSync("/usr/bin/time");

/**
 * Run the CLI, resolving {code, stderr, wallMs, peakRssMB} (peak RSS from /usr/bin/time -f %M, else undefined).
 */
export function runCli(args, env = {}) {
  return new Promise((resolve, reject) => {
    const cmd = HAS_TIME ? "/usr/bin/time" : process.execPath;
    const argv = HAS_TIME ? ["-f", "PEAK_RSS_KB=%M", process.execPath, CLI, ...args] : [CLI, ...args];
    const t0 = performance.now();
    const child = spawn(cmd, argv, { env: { ...process.env, CI: "1", ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const m = /PEAK_RSS_KB=(\d+)/.exec(stderr);
      resolve({ code, stderr, wallMs: performance.now() - t0, peakRssMB: m ? Number(m[1]) / 1024 : undefined });
    });
  });
}

export const fmt = (x, d = 2) => (x === undefined ? "n/a" : Number(x).toFixed(d));
