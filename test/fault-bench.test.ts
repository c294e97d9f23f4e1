/**
 * `parrot bench answer` and `parrot bench judge` through the built CLI against a real HTTP server on 127.0.0.1 that
 * injects every fault kind: all rows are written once, and the end-of-run summary reports the exact retries by reason.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SHARED, runCli } from "./support/cli.js";
import { chatReply, startFakeOpenAI, type FakeServer } from "./support/fake-openai.js";
import { type FaultKind, STACK_RE, expectedReasons, faultReply, faultSchedule, parseSummaries, readStrictJsonl, tmpDir, writeJsonl } from "./reliability-support.js";

const MT = path.join(SHARED, "data/mt_bench");
const ENV = { PARROT_BACKOFF_BASE_MS: "2" };
const ALL: FaultKind[] = ["500", "429", "hang", "malformed", "truncate", "destroy", "empty-choices", "429-date"];
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The first `n` real MT-Bench questions of the given categories (writing/roleplay need no reference). */
function questions(dir: string, n: number): string {
  const rows = fs
    .readFileSync(path.join(MT, "question.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((q) => q.category === "writing" || q.category === "roleplay")
    .slice(0, n);
  const f = path.join(dir, "q.jsonl");
  writeJsonl(f, rows);
  return f;
}

const answerHandler = (req: any, i: number) => chatReply(`answer ${i}: ${JSON.stringify(req.body.messages.at(-1).content).slice(0, 20)}`);
const judgeHandler = () => chatReply("The response is fine. Rating: [[7]]", 50, 10);

describe("bench answer under injected faults", () => {
  it("every fault kind: every question answered once, retries counted by reason", async () => {
    const sched = faultSchedule(ALL, 2, answerHandler);
    server = await startFakeOpenAI(sched.handler);
    const dir = tmpDir();
    const q = questions(dir, 8);
    const out = path.join(dir, "a.jsonl");
    const args = ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", `${server.url}#m1`, "--out", out, "--concurrency", "5", "--request-timeout", "0.4"];
    const r = await runCli(args, { env: ENV, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((a) => a.question_id)).size).toBe(8);
    for (const a of rows) expect(a.choices[0].turns).toHaveLength(2);
    expect(sched.distinct()).toBe(16);
    const [sum] = parseSummaries(r.stderr);
    expect(sum, r.stderr).toBeDefined();
    expect(sum.retries).toBe(8);
    expect(sum.failures).toBe(0);
    expect(sum.requests).toBe(24);
    expect(sum.reasons).toEqual(expectedReasons(sched.injected));
    // Rerun: nothing to do, nothing sent.
    const n = server.requests.length;
    const again = await runCli(args, { env: ENV, timeoutMs: 30_000 });
    expect(again.code).toBe(0);
    expect(server.requests.length).toBe(n);
    expect(readStrictJsonl(out)).toEqual(rows);
  });

  it("retries exhausted: exit 1 with one clean line and the failure counted; finished answers kept; rerun completes", async () => {
    let broken = true;
    server = await startFakeOpenAI((req, i) => {
      if (broken && JSON.stringify(req.body).includes("travel blog")) return faultReply("500");
      return answerHandler(req, i);
    });
    const dir = tmpDir();
    const q = questions(dir, 4);
    const out = path.join(dir, "a.jsonl");
    const args = ["bench", "answer", "--bench", "mt-bench", "--questions", q, "--model", `${server.url}#m1`, "--out", out, "--concurrency", "2"];
    const r1 = await runCli(args, { env: ENV, timeoutMs: 30_000 });
    expect(r1.code).toBe(1);
    expect(r1.stderr).not.toMatch(STACK_RE);
    expect(r1.stderr).toMatch(/request failed after 6 attempt\(s\): 500/);
    const [s1] = parseSummaries(r1.stderr);
    expect(s1.failures).toBe(1);
    expect(s1.reasons).toEqual({ "500": 5 });
    const kept = readStrictJsonl(out);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.every((a) => !JSON.stringify(a).includes("travel blog"))).toBe(true);
    broken = false;
    const r2 = await runCli(args, { env: ENV, timeoutMs: 30_000 });
    expect(r2.code, r2.stderr).toBe(0);
    const all = readStrictJsonl(out);
    expect(all).toHaveLength(4);
    expect(all.slice(0, kept.length)).toEqual(kept);
    expect(new Set(all.map((a) => a.question_id)).size).toBe(4);
  });
});

describe("bench judge under injected faults", () => {
  it("every fault kind: every (question, model, turn) judged once with its rating, retries counted", async () => {
    const dir = tmpDir();
    const q = questions(dir, 6);
    // Answers of two models, written directly (FastChat format).
    const qs = fs.readFileSync(q, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const answers = ["m1", "m2"].map((m) => {
      const f = path.join(dir, `${m}.jsonl`);
      writeJsonl(f, qs.map((x) => ({ question_id: x.question_id, answer_id: `${m}-${x.question_id}`, model_id: m, choices: [{ index: 0, turns: [`${m} one`, `${m} two`] }], tstamp: 1 })));
      return f;
    });
    const sched = faultSchedule(ALL, 2, judgeHandler);
    server = await startFakeOpenAI(sched.handler);
    const out = path.join(dir, "j.jsonl");
    const args = ["bench", "judge", "--bench", "mt-bench", "--questions", q, "--judge-prompts", path.join(MT, "judge_prompts.jsonl"), "--answers", ...answers, "--judge", `${server.url}#judge`, "--out", out, "--concurrency", "6", "--request-timeout", "0.4"];
    const r = await runCli(args, { env: ENV, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(24); // 6 questions x 2 models x 2 turns
    expect(new Set(rows.map((j) => `${j.question_id}/${j.model}/${j.turn}`)).size).toBe(24);
    expect(rows.every((j) => j.score === 7)).toBe(true);
    expect(sched.distinct()).toBe(24);
    const [sum] = parseSummaries(r.stderr);
    expect(sum, r.stderr).toBeDefined();
    expect(sum.retries).toBe(12);
    expect(sum.failures).toBe(0);
    expect(sum.requests).toBe(36);
    expect(sum.reasons).toEqual(expectedReasons(sched.injected));
  });
});
