/**
 * `parrot bench answer` and `parrot bench judge` through the built CLI against a real HTTP server on 127.0.0.1 that
 * injects every fault kind: all rows are written once, and the end-of-run summary reports the exact retries by reason.
 * When some requests keep failing past the retries, those items are skipped and counted, every other row is
 * written, the run exits 3 (incomplete), and a rerun against a healthy server completes exactly the missing rows.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED, runCliInProcess as runCli } from "./support/cli.js";
import { chatReply } from "./support/fake-openai.js";
import { ALL_FAULTS as ALL, FAULT_ENV as ENV, expectIncomplete, expectRerunCompletes, expectRetried, failingFor, faultSchedule } from "./support/faults.js";
import { readJsonl, readStrictJsonl, writeJsonl } from "./support/jsonl.js";
import { fakeServerPerTest } from "./support/server.js";
import { tempDir } from "./support/tmp.js";

const MT = path.join(SHARED, "data/mt_bench");
const servers = fakeServerPerTest();
const tmp = () => tempDir("parrot-fault-bench-");

/** The first `n` real MT-Bench questions of the given categories (writing/roleplay need no reference). */
function questions(dir: string, n: number): string {
  const rows = readJsonl(path.join(MT, "question.jsonl"))
    .filter((q) => q.category === "writing" || q.category === "roleplay")
    .slice(0, n);
  const f = path.join(dir, "q.jsonl");
  writeJsonl(f, rows);
  return f;
}

/** Answers of two models m1, m2 to every question of `q`, written directly (FastChat format). */
function answerFiles(dir: string, q: string): string[] {
  const qs = readJsonl(q);
  return ["m1", "m2"].map((m) => {
    const f = path.join(dir, `${m}.jsonl`);
    writeJsonl(f, qs.map((x) => ({ question_id: x.question_id, answer_id: `${m}-${x.question_id}`, model_id: m, choices: [{ index: 0, turns: [`${m} one`, `${m} two`] }], tstamp: 1 })));
    return f;
  });
}

const answerHandler = (req: any, i: number) => chatReply(`answer ${i}: ${JSON.stringify(req.body.messages.at(-1).content).slice(0, 20)}`);
const judgeHandler = () => chatReply("The response is fine. Rating: [[7]]", 50, 10);

describe("bench answer under injected faults", () => {
  it("every fault kind: every question answered once, retries counted by reason", async () => {
    const sched = faultSchedule(ALL, 2, answerHandler);
    const server = await servers.start(sched.handler);
    const dir = tmp();
    const q = questions(dir, 8);
    const out = path.join(dir, "a.jsonl");
    const args = ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", `${server.url}#m1`, "--out", out, "--concurrency", "5", "--request-timeout", "1"];
    const r = await runCli(args, { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((a) => a.question_id)).size).toBe(8);
    for (const a of rows) expect(a.choices[0].turns).toHaveLength(2);
    expect(sched.distinct()).toBe(16);
    expectRetried(r, sched, { retries: 8, requests: 24 });
    // Rerun: nothing to do, nothing sent.
    const n = server.requests.length;
    const again = await runCli(args, { env: ENV });
    expect(again.code).toBe(0);
    expect(server.requests.length).toBe(n);
    expect(readStrictJsonl(out)).toEqual(rows);
  });

  it("a question that keeps failing: skipped and counted, the others written, exit 3; a rerun answers only it", async () => {
    const fail = failingFor("travel blog", answerHandler);
    const server = await servers.start(fail.handler);
    const dir = tmp();
    const q = questions(dir, 4);
    const out = path.join(dir, "a.jsonl");
    const args = ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", `${server.url}#m1`, "--out", out, "--concurrency", "2"];
    const r1 = await runCli(args, { env: ENV });
    expectIncomplete(r1, 1, "questions");
    expect(r1.stderr).toMatch(/question \d+ failed \(500\)/);
    expect(r1.stderr).toMatch(/answered 3 questions \(0 already in .*, 1 failed\)/);
    expect(fail.refused()).toBe(6); // turn 1 of that question, 6 attempts; its turn 2 never sent
    const kept = readStrictJsonl(out);
    expect(kept).toHaveLength(3);
    expect(kept.every((a) => !JSON.stringify(a).includes("travel blog"))).toBe(true);
    // The rerun asks only the missing question's 2 turns.
    await expectRerunCompletes({ heal: fail.heal, server, rerun: () => runCli(args, { env: ENV }), out, kept, requests: 2, total: 4, key: (a) => String(a.question_id) });
  });
});

describe("bench judge under injected faults", () => {
  it("every fault kind: every (question, model, turn) judged once with its rating, retries counted", async () => {
    const dir = tmp();
    const q = questions(dir, 6);
    const answers = answerFiles(dir, q);
    const sched = faultSchedule(ALL, 2, judgeHandler);
    const server = await servers.start(sched.handler);
    const out = path.join(dir, "j.jsonl");
    const args = ["bench", "judge", "--bench", "mt-bench", "--questions", q, "--judge-prompts", path.join(MT, "judge_prompts.jsonl"), "--answers", ...answers, "--judge", `${server.url}#judge`, "--out", out, "--concurrency", "6", "--request-timeout", "1"];
    const r = await runCli(args, { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(24); // 6 questions x 2 models x 2 turns
    expect(new Set(rows.map((j) => `${j.question_id}/${j.model}/${j.turn}`)).size).toBe(24);
    expect(rows.every((j) => j.score === 7)).toBe(true);
    expect(sched.distinct()).toBe(24);
    expectRetried(r, sched, { retries: 12, requests: 36 });
  });

  it("judgments that keep failing: skipped and counted, the others written, exit 3; a rerun judges only them", async () => {
    const dir = tmp();
    const q = questions(dir, 3);
    const answers = answerFiles(dir, q);
    const fail = failingFor("travel blog", judgeHandler);
    const server = await servers.start(fail.handler);
    const out = path.join(dir, "j.jsonl");
    const args = ["bench", "judge", "--bench", "mt-bench", "--questions", q, "--judge-prompts", path.join(MT, "judge_prompts.jsonl"), "--answers", ...answers, "--judge", `${server.url}#judge`, "--out", out, "--concurrency", "3"];
    const r1 = await runCli(args, { env: ENV });
    // The travel-blog question: 2 models x 2 turns.
    expectIncomplete(r1, 4, "judgments");
    expect(r1.stderr).toMatch(/judged 8 \(0 already in .*, 4 failed\)/);
    const kept = readStrictJsonl(out);
    expect(kept).toHaveLength(8);
    expect(kept.every((j) => !j.user_prompt.includes("travel blog"))).toBe(true);
    const all = await expectRerunCompletes({ heal: fail.heal, server, rerun: () => runCli(args, { env: ENV }), out, kept, requests: 4, total: 12, key: (j) => `${j.question_id}/${j.model}/${j.turn}` });
    expect(all.every((j) => j.score === 7)).toBe(true);
  });

  it("pairwise: pairs that keep failing are skipped and counted, exit 3; a rerun judges only them", async () => {
    const dir = tmp();
    const q = questions(dir, 3);
    const answers = answerFiles(dir, q);
    const fail = failingFor("travel blog", () => chatReply("Assistant A is better. [[A]]", 50, 10));
    const server = await servers.start(fail.handler);
    const out = path.join(dir, "p.jsonl");
    const args = ["bench", "judge", "--bench", "mt-bench", "--mode", "pairwise-all", "--questions", q, "--judge-prompts", path.join(MT, "judge_prompts.jsonl"), "--answers", ...answers, "--judge", `${server.url}#judge`, "--out", out, "--concurrency", "3"];
    const r1 = await runCli(args, { env: ENV });
    // 1 pair (m1, m2) x 2 turns on the travel-blog question; the first game of each fails for good.
    expectIncomplete(r1, 2, "pairs");
    const kept = readStrictJsonl(out);
    expect(kept).toHaveLength(4);
    const all = await expectRerunCompletes({ heal: fail.heal, server, rerun: () => runCli(args, { env: ENV }), out, kept, total: 6, key: (p) => `${p.question_id}/${p.turn}` });
    expect(all.every((p) => p.g1_winner === "model_1" && p.g2_winner === "model_2")).toBe(true);
  });
});
