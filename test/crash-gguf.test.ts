/**
 * Crash test for the local engine: `parrot bench answer` on the smoke GGUF (node-llama-cpp, in-process, 2 parallel
 * sequences) killed with SIGKILL at seeded moments, then rerun: nothing finished lost, nothing duplicated, no torn
 * line. The kill lands while llama.cpp is generating or loading, the case where a process dies mid-native-call.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED, runCli } from "./support/cli.js";
import { killAt, rng } from "./support/crash.js";
import { readJsonl, readStrictJsonl, writeJsonl } from "./support/jsonl.js";
import { getSmokeModelPath } from "./support/smoke-model.js";
import { tempDir } from "./support/tmp.js";

describe("kill -9 the local engine and rerun", () => {
  it("bench answer on gguf:smoke: rows survive kills, rerun completes without duplicates", async () => {
    const model = getSmokeModelPath();
    const dir = tempDir("parrot-crash-gguf-");
    const q = path.join(dir, "q.jsonl");
    const qs = readJsonl(path.join(SHARED, "data/mt_bench/question.jsonl")).slice(0, 14);
    writeJsonl(q, qs);
    const out = path.join(dir, "a.jsonl");
    const args = ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", `gguf:${model}`, "--out", out, "--concurrency", "2", "--max-tokens", "12"];
    const rand = rng(42);
    let before: string[] = [];
    let kills = 0;
    for (let c = 0; c < 3; c++) {
      const want = before.length + 1 + Math.floor(rand() * 3);
      const { killed } = await killAt(args, out, want, Math.floor(rand() * 150));
      if (killed) kills++;
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
