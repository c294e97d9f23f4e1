/**
 * Crash test for the local engine: `parrot bench answer` on the smoke GGUF (node-llama-cpp, in-process, 2 parallel
 * sequences) killed with SIGKILL at seeded moments, then rerun: nothing finished lost, nothing duplicated, no torn
 * line. The kill lands while llama.cpp is generating or loading, the case where a process dies mid-native-call.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, SHARED, runCli } from "./support/cli.js";
import { getSmokeModelPath } from "./support/smoke-model.js";
import { readStrictJsonl, rng, tmpDir, writeJsonl } from "./reliability-support.js";

const countLines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").length - 1 : 0);

describe("kill -9 the local engine and rerun", () => {
  it("bench answer on gguf:smoke: rows survive kills, rerun completes without duplicates", async () => {
    const model = getSmokeModelPath();
    const dir = tmpDir("parrot-crash-gguf-");
    const q = path.join(dir, "q.jsonl");
    const qs = fs.readFileSync(path.join(SHARED, "data/mt_bench/question.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).slice(0, 14);
    writeJsonl(q, qs);
    const out = path.join(dir, "a.jsonl");
    const args = ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", `gguf:${model}`, "--out", out, "--concurrency", "2", "--max-tokens", "12"];
    const rand = rng(42);
    let before: string[] = [];
    let kills = 0;
    for (let c = 0; c < 3; c++) {
      const want = before.length + 1 + Math.floor(rand() * 3);
      const child = spawn(process.execPath, [CLI, ...args], { stdio: "ignore", env: { ...process.env, CI: "1" } });
      let exited = false;
      const closed = new Promise<void>((r) => child.on("close", () => ((exited = true), r())));
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (exited || countLines(out) >= want) {
            clearInterval(t);
            resolve();
          }
        }, 2);
      });
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 150)));
      if (!exited) {
        child.kill("SIGKILL");
        kills++;
      }
      await closed;
      const text = fs.readFileSync(out, "utf8");
      expect(text.endsWith("\n"), "torn line").toBe(true);
      const lines = text.split("\n").filter(Boolean);
      expect(lines.slice(0, before.length)).toEqual(before);
      expect(new Set(lines.map((l) => JSON.parse(l).question_id)).size).toBe(lines.length);
      before = lines;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(14);
    expect(fs.readFileSync(out, "utf8").split("\n").filter(Boolean).slice(0, before.length)).toEqual(before);
    expect(new Set(rows.map((a) => a.question_id)).size).toBe(14);
    for (const a of rows) expect(a.choices[0].turns).toHaveLength(2);
  }, 120_000);
});
