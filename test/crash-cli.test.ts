/**
 * Crash tests: `kill -9` model-calling commands at seeded random moments (after a random number of finished rows
 * plus a random delay, or during start-up), several times in a row, then rerun to completion. Invariants: the file
 * never holds a torn line, every row present at a kill is still there (same bytes, same order) at the end, no work
 * key appears twice, and the final file holds every row.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHARED, runCli } from "./support/cli.js";
import { killAt, rng } from "./support/crash.js";
import { chatReply, defaultHandler, startFakeOpenAI, type FakeServer } from "./support/fake-openai.js";
import { readJsonl, readStrictJsonl, writeJsonl } from "./support/jsonl.js";
import { tempDir } from "./support/tmp.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const MT = path.join(SHARED, "data/mt_bench");
let server: FakeServer;
beforeAll(async () => {
  server = await startFakeOpenAI(async (req, i) => {
    await new Promise((r) => setTimeout(r, 4 + (i % 7) * 3));
    if (JSON.stringify(req.body?.messages ?? "").includes("impartial judge")) return chatReply("Rating: [[5]]");
    return defaultHandler(req, i);
  });
});
afterAll(async () => {
  await server?.close();
});

const tmp = () => tempDir("parrot-crash-");

/**
 * Kill `cycles` times at seeded moments, checking the invariants after each kill, then finish with a normal run.
 * @returns the final rows.
 */
async function crashAndResume(seed: number, args: string[], out: string, total: number, keyOf: (row: any) => string, cycles = 4): Promise<{ rows: any[]; kills: number }> {
  const rand = rng(seed);
  let before: string[] = [];
  let kills = 0;
  for (let c = 0; c < cycles; c++) {
    const have = before.length;
    // Start-up kills (afterRows 0) are as likely as kills between finished rows.
    const afterRows = rand() < 0.25 ? 0 : have + 1 + Math.floor(rand() * Math.max(1, (total - have) / 3));
    const { killed } = await killAt(args, out, Math.min(afterRows, total), Math.floor(rand() * (afterRows === 0 ? 600 : 25)));
    if (killed) kills++;
    const text = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
    expect(text === "" || text.endsWith("\n"), "torn line after kill -9").toBe(true);
    const lines = text.split("\n").filter(Boolean);
    expect(lines.slice(0, before.length), "finished rows lost or rewritten").toEqual(before);
    const keys = lines.map((l) => keyOf(JSON.parse(l)));
    expect(new Set(keys).size, "duplicate rows").toBe(keys.length);
    before = lines;
  }
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(0);
  const rows = readStrictJsonl(out);
  expect(fs.readFileSync(out, "utf8").split("\n").filter(Boolean).slice(0, before.length)).toEqual(before);
  expect(rows).toHaveLength(total);
  expect(new Set(rows.map(keyOf)).size).toBe(total);
  return { rows, kills };
}

describe("kill -9 and rerun", () => {
  it("collect: nothing finished lost, nothing duplicated, no torn line (seeded kill moments)", async () => {
    const out = path.join(tmp(), "s.jsonl");
    const spec = `${server.url}#fake`;
    const args = ["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "40", "--concurrency", "4", "--out", out];
    const { rows, kills } = await crashAndResume(20240607, args, out, 40, (s) => s.id);
    expect(kills).toBeGreaterThanOrEqual(2);
    for (const s of rows) expect(s.messages).toHaveLength(4);
  });

  it("bench answer: the same under seeded kills", async () => {
    const dir = tmp();
    const q = path.join(dir, "q.jsonl");
    const qs = readJsonl(path.join(MT, "question.jsonl")).slice(0, 30);
    writeJsonl(q, qs);
    const out = path.join(dir, "a.jsonl");
    const args = ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", `${server.url}#m1`, "--out", out, "--concurrency", "3"];
    const { rows, kills } = await crashAndResume(7, args, out, 30, (a) => String(a.question_id));
    expect(kills).toBeGreaterThanOrEqual(2);
    for (const a of rows) expect(a.choices[0].turns).toHaveLength(2);
  });

  it("bench judge: the same under seeded kills", async () => {
    const dir = tmp();
    const q = path.join(dir, "q.jsonl");
    const qs = readJsonl(path.join(MT, "question.jsonl")).filter((x) => x.category === "writing" || x.category === "roleplay");
    writeJsonl(q, qs);
    const answers = path.join(dir, "answers.jsonl");
    writeJsonl(answers, qs.map((x) => ({ question_id: x.question_id, answer_id: `a${x.question_id}`, model_id: "m1", choices: [{ index: 0, turns: ["one", "two"] }], tstamp: 1 })));
    const out = path.join(dir, "j.jsonl");
    const args = ["bench", "judge", "--bench", "mt-bench", "--questions", q, "--judge-prompts", path.join(MT, "judge_prompts.jsonl"), "--answers", answers, "--judge", `${server.url}#judge`, "--out", out, "--concurrency", "3"];
    const { rows, kills } = await crashAndResume(99, args, out, qs.length * 2, (j) => `${j.question_id}/${j.model}/${j.turn}`);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(rows.every((j) => j.score === 5)).toBe(true);
  });

  it("a torn tail (a write cut by power loss or another writer) is cut on resume and that row is redone", async () => {
    const out = path.join(tmp(), "t.jsonl");
    const spec = `${server.url}#fake`;
    const args = (n: number) => ["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "1", "--limit", String(n), "--out", out];
    expect((await runCli(args(4))).code).toBe(0);
    const whole = fs.readFileSync(out, "utf8");
    const lines = whole.split("\n").filter(Boolean);
    // Keep 3 rows and half of the 4th.
    fs.writeFileSync(out, lines.slice(0, 3).join("\n") + "\n" + lines[3].slice(0, 40));
    const r = await runCli(args(5));
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(5);
    expect(fs.readFileSync(out, "utf8").startsWith(lines.slice(0, 3).join("\n") + "\n")).toBe(true);
    expect(new Set(rows.map((x) => x.id)).size).toBe(5);
  });
});
