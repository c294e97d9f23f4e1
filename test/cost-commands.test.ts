/**
 * What a run costs (issue 15) on the other model-calling commands, against the fake OpenAI server (fixed usage per
 * call): capo (role negative, a stage per strategy step), context detect --judge and bench judge (role judge),
 * bench answer (role assistant, by turn), their --dry-run estimates (no request, nothing written), the token budget
 * on bench answer with its resume, and the UsageMeter's ledgers on their own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readManifest } from "../src/run/manifest.js";
import { UsageMeter, readManifestUsage } from "../src/run/usage.js";
import { BudgetReachedError, ItemFailures } from "../src/run/failures.js";
import { SHARED, runCliInProcess as runCli } from "./support/cli.js";
import { chatReply, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";
import { readJsonl } from "./support/jsonl.js";
import { SESSIONS as CONTEXT_SESSIONS, writeSessions } from "./support/sessions.js";
import { tempDir } from "./support/tmp.js";

const servers = fakeServerPerTest();
let server: FakeServer | undefined;
const MT = path.join(SHARED, "data/mt_bench");
const usageOf = (out: string) => readManifestUsage(readManifest(out)!.usage);

/** The first two turns of the context tests' session: one context-dependent query (turn 2). */
const SESSIONS = CONTEXT_SESSIONS.map((s) => ({ ...s, messages: s.messages.slice(0, 4) }));

describe("token accounting of capo, context detect --judge, bench answer and bench judge", () => {
  it("capo: role negative, one stage per strategy step (hallucination: guess and answer), dry run calls nothing", async () => {
    server = await servers.start((req, i) => chatReply(`negative ${i}`, 40, 9));
    const dir = tempDir("parrot-cost-");
    const sessions = writeSessions(dir, SESSIONS);
    const out = path.join(dir, "pairs.jsonl");
    const args = ["capo", sessions, "--assistant", `${server.url}#neg`, "--out", out];
    const dry = await runCli([...args, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(fs.existsSync(out)).toBe(false);
    expect(dry.stderr).toMatch(/capo --dry-run: 3 pairs to build \(0 already in/);
    expect(dry.stderr).toMatch(/estimate: \d+ tokens \(\d+ prompt \+ \d+ completion\) in 4 requests/);
    expect(dry.stderr).toMatch(/by stage: context-hallucination:answer \d+ \(1 req\), context-hallucination:guess \d+ \(1 req\), context-misunderstanding \d+ \(1 req\), context-neglect \d+ \(1 req\)/);

    const r = await runCli(args);
    expect(r.code).toBe(0);
    const u = usageOf(out);
    expect(u.written.total).toEqual({ requests: 4, prompt_tokens: 160, completion_tokens: 36 });
    expect(Object.keys(u.written.by_role)).toEqual(["negative"]);
    expect(u.written.by_stage["context-hallucination:guess"]).toEqual({ requests: 1, prompt_tokens: 40, completion_tokens: 9 });
    expect(u.written.by_turn).toEqual({ "2": { requests: 4, prompt_tokens: 160, completion_tokens: 36 } });
    expect(r.stderr).toMatch(/parrot capo: tokens this run: 196 tokens \(160 prompt \+ 36 completion\) in 4 requests/);
  });

  it("context detect --judge: role judge by turn; bench answer: by turn, budget stop and resume", async () => {
    server = await servers.start((req) => {
      const text = JSON.stringify(req.body.messages);
      return text.includes("VERDICT") ? chatReply("VERDICT: DEPENDENT", 50, 4) : chatReply("an answer", 10, 5);
    });
    const dir = tempDir("parrot-cost-");
    const sessions = writeSessions(dir, SESSIONS);
    const ctx = path.join(dir, "ctx.jsonl");
    expect((await runCli(["context", "detect", sessions, "--judge", `${server.url}#j`, "--out", ctx])).code).toBe(0);
    expect(usageOf(ctx).written.by_role).toEqual({ judge: { requests: 1, prompt_tokens: 50, completion_tokens: 4 } });
    expect(usageOf(ctx).written.by_turn).toEqual({ "2": { requests: 1, prompt_tokens: 50, completion_tokens: 4 } });

    // 80 MT-Bench questions of 2 turns, 15 tokens a call; concurrency 1: the budget of 100 stops in question 4.
    const answers = path.join(dir, "a.jsonl");
    const args = ["bench", "answer", "--bench", "mt-bench", "--questions", path.join(MT, "question.jsonl"), "--model", `${server.url}#m`, "--out", answers, "--concurrency", "1"];
    const before = server.requests.length;
    const dry = await runCli([...args, "--dry-run", "--max-tokens", "100"]);
    expect(dry.code).toBe(0);
    expect(server.requests.length).toBe(before);
    expect(fs.existsSync(answers)).toBe(false);
    expect(dry.stderr).toMatch(/dry run: 80 questions to answer \(0 already in/);
    // Unmeasured model: 160 calls of 100 generated tokens (the upper bound).
    expect(dry.stderr).toMatch(/estimate: \d+ tokens \(\d+ prompt \+ 16000 completion\) in 160 requests/);
    expect(dry.stderr).toMatch(/by turn: 1 \d+ \(80 req\), 2 \d+ \(80 req\)/);

    const first = await runCli([...args, "--max-total-tokens", "100"]);
    expect(first.code).toBe(3);
    expect(first.stderr.trim().split("\n").pop()).toMatch(/incomplete: token budget reached \(--max-total-tokens 100; this run used 105 tokens\)/);
    expect(readJsonl(answers)).toHaveLength(3);
    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(readJsonl(answers)).toHaveLength(80);
    const u = usageOf(answers);
    expect(u.written.total).toEqual({ requests: 160, prompt_tokens: 1600, completion_tokens: 800 });
    expect(u.written.by_turn["2"].requests).toBe(80);
    expect(u.unwritten.total).toEqual({ requests: 1, prompt_tokens: 10, completion_tokens: 5 });
    expect(u.runs.map((x) => x.stopped_by_budget)).toEqual([true, false]);
  });

  it("bench judge: its dry run writes the prompts and prints the estimate; the real run counts role judge", async () => {
    server = await servers.start(() => chatReply("Rating: [[7]]", 300, 20));
    const dir = tempDir("parrot-cost-");
    const answers = path.join(dir, "answers.jsonl");
    const qs = readJsonl(path.join(MT, "question.jsonl")).slice(0, 3);
    fs.writeFileSync(path.join(dir, "q.jsonl"), qs.map((q) => JSON.stringify(q)).join("\n") + "\n");
    fs.writeFileSync(answers, qs.map((q) => JSON.stringify({ question_id: q.question_id, model_id: "m", choices: [{ index: 0, turns: ["a1", "a2"] }] })).join("\n") + "\n");
    const base = ["bench", "judge", "--bench", "mt-bench", "--questions", path.join(dir, "q.jsonl"), "--judge-prompts", path.join(MT, "judge_prompts.jsonl"), "--references", path.join(MT, "reference_answer_gpt-4.jsonl"), "--answers", answers, "--judge", `${server.url}#j`];
    const dry = await runCli([...base, "--out", path.join(dir, "dry.jsonl"), "--dry-run", "--judge-max-tokens", "50"]);
    expect(dry.code).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(dry.stderr).toMatch(/estimate: \d+ tokens \(\d+ prompt \+ 300 completion\) in 6 requests/);
    const judged = path.join(dir, "j.jsonl");
    expect((await runCli([...base, "--out", judged])).code).toBe(0);
    expect(usageOf(judged).written.by_role).toEqual({ judge: { requests: 6, prompt_tokens: 1800, completion_tokens: 120 } });
    expect(usageOf(judged).written.by_stage).toEqual({ judge: { requests: 6, prompt_tokens: 1800, completion_tokens: 120 } });
  });
});

describe("UsageMeter", () => {
  const tag = { role: "assistant", model: "m", stage: "s", turn: 1 };

  it("commits an item's calls when it appends; what is left when the item ends is unwritten", async () => {
    const meter = new UsageMeter();
    const worker = meter.scoped(async (n: number) => {
      meter.record(tag, 10, n);
      if (n % 2 === 0) meter.commit(); // even items write a row
      meter.record(tag, 1, 0); // a call after the row: spent, behind no row
    });
    await Promise.all([1, 2, 3, 4].map((n) => worker(n)));
    expect(meter.written.total).toEqual({ requests: 2, prompt_tokens: 20, completion_tokens: 6 });
    expect(meter.unwritten.total).toEqual({ requests: 6, prompt_tokens: 24, completion_tokens: 4 });
    expect(meter.spent).toBe(54);
  });

  it("adds earlier runs from the manifest; the budget refuses calls and stops pulling items; ItemFailures does not count it", async () => {
    const previous = { written: { total: { requests: 3, prompt_tokens: 30, completion_tokens: 3 }, by_role: { assistant: { requests: 3, prompt_tokens: 30, completion_tokens: 3 } } }, runs: [{ run: 1, started: "x", stopped_by_budget: false, written: { requests: 3, prompt_tokens: 30, completion_tokens: 3 }, unwritten: { requests: 0, prompt_tokens: 0, completion_tokens: 0 } }] };
    const meter = new UsageMeter({ previous, budget: 25 });
    const failures = new ItemFailures({ command: "t", unit: "items", log: () => {} });
    const pulled: number[] = [];
    const worker = meter.scoped(
      failures.wrap(
        () => "item",
        async () => {
          meter.checkBudget();
          meter.record(tag, 10, 2);
          meter.commit();
        },
      ),
    );
    for (const n of meter.until([1, 2, 3, 4, 5])) {
      pulled.push(n);
      await worker(n);
    }
    expect(pulled).toEqual([1, 2, 3]);
    expect(meter.budgetReached()).toBe(true);
    expect(() => meter.checkBudget()).toThrow(BudgetReachedError);
    expect(failures.count).toBe(0);
    const total = meter.total();
    expect(total.written.total).toEqual({ requests: 6, prompt_tokens: 60, completion_tokens: 9 });
    expect(total.written.by_role.assistant.requests).toBe(6);
    expect(total.runs.map((r) => r.run)).toEqual([1, 2]);
    expect(failures.incomplete(meter)?.message).toMatch(/^incomplete: token budget reached \(--max-total-tokens 25; this run used 36 tokens\); rerun the same command to continue/);
  });
});
