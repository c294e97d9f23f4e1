#!/usr/bin/env node
/**
 * Timing of a full MT-Bench++ run (80 sessions x 8 turns) through the built CLI against a local OpenAI-compatible
 * server that answers instantly: questions -> answers of a model -> answers of a reference model -> 640 judgments ->
 * show. Measures parrot's own overhead (process start, validation, prompt rendering, resume bookkeeping, I/O),
 * not any model. Run `npx tsc -p .` first, then `node bench/mt-bench-pp-fake.mjs [--delay-ms N]`.
 * With `--engine gguf:PATH` the model, the reference model and the judge are that local GGUF instead (e.g. the smoke
 * model from `parrot models smoke`), with 8 new tokens per answer and per judgment.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "dist/cli.js");
const QUESTIONS = path.resolve(ROOT, "../shared/data/mt_bench/question.jsonl");
const delayArg = process.argv.indexOf("--delay-ms");
const delayMs = delayArg > 0 ? Number(process.argv[delayArg + 1]) : 0;
const engineArg = process.argv.indexOf("--engine");
const engine = engineArg > 0 ? process.argv[engineArg + 1] : undefined;
const conc = engine ? "2" : "16";
const local = engine ? ["--max-tokens", "8"] : [];
const localJudge = engine ? ["--judge-max-tokens", "8", "--score-retries", "0"] : [];

let requests = 0;
const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  requests++;
  const msgs = body.messages;
  const last = msgs[msgs.length - 1].content;
  const judge = last.includes("impartial judge");
  const text = judge ? `The answer is fine. Rating: [${1 + (requests % 10)}]` : `${body.model} answers: ${last.slice(0, 200)}`;
  if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ id: "x", object: "chat.completion", created: 0, model: body.model, choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage: { prompt_tokens: Math.ceil(JSON.stringify(msgs).length / 4), completion_tokens: Math.ceil(text.length / 4), total_tokens: 0 } }));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/v1`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "parrot-ppbench-"));

function stepAsync(name, args) {
  return new Promise((resolve, reject) => {
    const n0 = requests;
    const t0 = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CI: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      const sec = (performance.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${name} failed: ${err}`));
      console.log(`${name.padEnd(24)} ${sec.toFixed(2).padStart(7)} s  ${String(requests - n0).padStart(5)} requests`);
      resolve({ out, err, sec });
    });
  });
}

const merged = path.join(tmp, "mt-bench-pp.jsonl");
const model = path.join(tmp, "model.jsonl");
const ref = path.join(tmp, "reference.jsonl");
const judg = path.join(tmp, "judgments.jsonl");
console.log(`MT-Bench++ full run against ${engine ?? url} (server delay ${delayMs} ms), node ${process.version}, ${os.cpus().length} cpus`);
let total = 0;
total += (await stepAsync("questions", ["bench", "questions", "--bench", "mt-bench-pp", "--questions", QUESTIONS, "--out", merged])).sec;
total += (await stepAsync("answer (model)", ["bench", "answer", "--bench", "mt-bench-pp", "--questions", merged, "--model", engine ?? `${url}#small`, "--model-id", "small", "--out", model, "--concurrency", conc, ...local])).sec;
total += (await stepAsync("answer (reference)", ["bench", "answer", "--bench", "mt-bench-pp", "--questions", merged, "--model", engine ?? `${url}#big`, "--model-id", "big", "--out", ref, "--concurrency", conc, ...local])).sec;
total += (await stepAsync("judge (640)", ["bench", "judge", "--bench", "mt-bench-pp", "--questions", merged, "--references", ref, "--answers", model, "--judge", engine ?? `${url}#judge`, "--out", judg, "--concurrency", conc, ...localJudge])).sec;
const show = await stepAsync("show", ["bench", "show", "--judgments", judg, "--questions", merged, "--json"]);
total += show.sec;
console.log(`${"total".padEnd(24)} ${total.toFixed(2).padStart(7)} s`);
total = 0;
total += (await stepAsync("rerun judge (resume)", ["bench", "judge", "--bench", "mt-bench-pp", "--questions", merged, "--references", ref, "--answers", model, "--judge", engine ?? `${url}#judge`, "--out", judg])).sec;
const s = JSON.parse(show.out).models.small;
console.log(`rows: ${fs.readFileSync(judg, "utf8").trim().split("\n").length} judgments; small: n=${s.n} failed=${s.failed} overall=${s.overall === null ? "-" : s.overall.toFixed(3)}`);
server.close();
fs.rmSync(tmp, { recursive: true, force: true });
