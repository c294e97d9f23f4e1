/**
 * What a run costs (issue 15), on collect against the fake OpenAI server (fixed usage per call): token counts by
 * role, stage and turn in the run manifest, summed over resumed runs without double counting; the --max-total-tokens
 * stop (exit 3) and its resume (the budget is not a setting); --prices; --dry-run's estimate with the chars/4 rule.
 * The real-model check of the estimate is in test/cost-real-model.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readSessionFile } from "../src/conversations/session.js";
import { readManifest } from "../src/run/manifest.js";
import { readManifestUsage } from "../src/run/usage.js";
import { SHARED, runCliInProcess as runCli } from "./support/cli.js";
import { chatReply, completionReply, defaultHandler, type FakeHandler, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";
import { tempDir } from "./support/tmp.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const servers = fakeServerPerTest();
let server: FakeServer | undefined;

/** Chat calls: 20 prompt + 7 completion tokens; completions (the B.1 simulator): 30 + 3. */
const fixedUsage: FakeHandler = (req, n) => {
  const r = defaultHandler(req, n) as { json: { choices: Array<{ message?: { content: string }; text?: string }> } };
  if (req.path.endsWith("/chat/completions")) return chatReply(r.json.choices[0].message!.content, 20, 7);
  return completionReply(r.json.choices[0].text!, 30, 3);
};
/** Tokens of one 3-turn session under fixedUsage: 3 assistant calls and 2 simulator calls. */
const SESSION_TOKENS = 3 * 27 + 2 * 33;

function args(spec: string, out: string, extra: string[] = [], limit = 6): string[] {
  return ["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", "3", "--limit", String(limit), "--concurrency", "1", "--out", out, ...extra];
}

describe("collect: token accounting in the run manifest", () => {
  it("counts by role, stage and turn; equals the rows' meta.tokens; prints the summary", async () => {
    server = await servers.start(fixedUsage);
    const out = path.join(tempDir("parrot-cost-"), "s.jsonl");
    const r = await runCli(args(`${server.url}#fake`, out));
    expect(r.code).toBe(0);
    const u = readManifestUsage(readManifest(out)!.usage);
    expect(u.written.total).toEqual({ requests: 30, prompt_tokens: 6 * (3 * 20 + 2 * 30), completion_tokens: 6 * (3 * 7 + 2 * 3) });
    expect(u.written.by_role.assistant).toEqual({ requests: 18, prompt_tokens: 18 * 20, completion_tokens: 18 * 7 });
    expect(u.written.by_role.asker).toEqual({ requests: 12, prompt_tokens: 12 * 30, completion_tokens: 12 * 3 });
    expect(u.written.by_stage.response.requests).toBe(18);
    expect(u.written.by_stage.query.requests).toBe(12);
    // Turn 1: the assistant only; turns 2 and 3: a query and a response each.
    expect(u.written.by_turn["1"]).toEqual({ requests: 6, prompt_tokens: 120, completion_tokens: 42 });
    expect(u.written.by_turn["3"]).toEqual({ requests: 12, prompt_tokens: 6 * 50, completion_tokens: 6 * 10 });
    expect(u.unwritten.total.requests).toBe(0);
    expect(u.runs).toHaveLength(1);
    const rowsTokens = readSessionFile(out).reduce((n, s) => n + (s.meta.tokens as number), 0);
    expect(rowsTokens).toBe(6 * SESSION_TOKENS);
    expect(u.written.total.prompt_tokens + u.written.total.completion_tokens).toBe(rowsTokens);
    expect(r.stderr).toMatch(/parrot collect: tokens this run: 882 tokens \(720 prompt \+ 162 completion\) in 30 requests/);
    expect(r.stderr).toMatch(/by role: asker 396 \(12 req\), assistant 486 \(18 req\)/);
    expect(r.stderr).toMatch(/by turn: 1 162 \(6 req\), 2 360 \(12 req\), 3 360 \(12 req\)/);
  });

  it("--max-total-tokens stops with exit 3; a rerun without it resumes the same output; sums have no double count", async () => {
    server = await servers.start(fixedUsage);
    const spec = `${server.url}#fake`;
    const out = path.join(tempDir("parrot-cost-"), "s.jsonl");
    // Session 1 uses 147 tokens; session 2 reaches 200 at its 2nd call (27 + 33), so its 3rd call is refused.
    const first = await runCli(args(spec, out, ["--max-total-tokens", "200"]));
    expect(first.code).toBe(3);
    const lastLine = first.stderr.trim().split("\n").pop()!;
    expect(lastLine).toMatch(/^parrot: error: incomplete: token budget reached \(--max-total-tokens 200; this run used 207 tokens\); rerun the same command to continue/);
    expect(readSessionFile(out)).toHaveLength(1);
    expect(server.requests).toHaveLength(7); // 5 of session 1, 2 of session 2; nothing after the budget
    let u = readManifestUsage(readManifest(out)!.usage);
    expect(u.written.total.requests).toBe(5);
    expect(u.unwritten.total).toEqual({ requests: 2, prompt_tokens: 50, completion_tokens: 10 });
    expect(u.runs[0]).toMatchObject({ run: 1, budget: 200, stopped_by_budget: true });

    // A larger budget, then none at all: the same output resumes (the budget is not a setting).
    const second = await runCli(args(spec, out, ["--max-total-tokens", "300"]));
    expect(second.code).toBe(3);
    expect(second.stderr).not.toMatch(/other settings/);
    const third = await runCli(args(spec, out));
    expect(third.code).toBe(0);
    const sessions = readSessionFile(out);
    expect(sessions).toHaveLength(6);
    expect(new Set(sessions.map((s) => s.id)).size).toBe(6);
    u = readManifestUsage(readManifest(out)!.usage);
    const rowsTokens = sessions.reduce((n, s) => n + (s.meta.tokens as number), 0);
    expect(u.written.total.prompt_tokens + u.written.total.completion_tokens).toBe(rowsTokens);
    expect(u.written.total.requests).toBe(30);
    expect(u.runs.map((x) => x.run)).toEqual([1, 2, 3]);
    expect(u.runs[2].stopped_by_budget).toBe(false);
    // Every call the server answered is counted once: behind a row or spent on an item cut by the budget.
    expect(u.written.total.requests + u.unwritten.total.requests).toBe(server.requests.length);
    expect(readManifest(out)!.settings).not.toHaveProperty("max_total_tokens");
    expect(JSON.stringify(readManifest(out)!.settings)).not.toMatch(/budget|300|200/);
  });

  it("--prices turns tokens into money; a malformed table is one line, exit 1, before any call", async () => {
    server = await servers.start(fixedUsage);
    const dir = tempDir("parrot-cost-");
    const prices = path.join(dir, "prices.json");
    // Keyed by the model name after '#': 2 per million prompt tokens, 10 per million completion tokens.
    fs.writeFileSync(prices, JSON.stringify({ currency: "EUR", models: { fake: { input: 2, output: 10 } } }));
    const r = await runCli(args(`${server.url}#fake`, path.join(dir, "s.jsonl"), ["--prices", prices]));
    expect(r.code).toBe(0);
    const cost = (720 * 2 + 162 * 10) / 1e6;
    expect(r.stderr).toContain(`cost: this run ${cost.toFixed(6)} EUR (${server.url}#fake ${cost.toFixed(6)} EUR); output total ${cost.toFixed(6)} EUR`);

    fs.writeFileSync(prices, JSON.stringify({ models: { fake: { input: -1, output: 1 } } }));
    const before = server.requests.length;
    const bad = await runCli(args(`${server.url}#fake`, path.join(dir, "t.jsonl"), ["--prices", prices]));
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n").pop()).toBe(`parrot: error: --prices ${prices}: models["fake"].input must be a number >= 0 (price per million tokens), got -1`);
    expect(server.requests.length).toBe(before);
    expect(fs.existsSync(path.join(dir, "t.jsonl"))).toBe(false);
  });

  it("--dry-run estimates from the seeds with chars/4 for an endpoint: calls nothing, writes nothing", async () => {
    server = await servers.start(fixedUsage);
    const dir = tempDir("parrot-cost-");
    const out = path.join(dir, "s.jsonl");
    const r = await runCli(args(`${server.url}#fake`, out, ["--dry-run", "--max-tokens", "100", "--query-max-tokens", "20"]));
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.manifest.json`)).toBe(false);
    // Unmeasured model: every reply is assumed to fill its max tokens (upper bound): 6 x (3 x 100 + 2 x 20).
    expect(r.stderr).toMatch(/estimate: \d+ tokens \(\d+ prompt \+ 2040 completion\) in 30 requests/);
    expect(r.stderr).toMatch(/by role: asker \d+ \(12 req\), assistant \d+ \(18 req\)/);
    expect(r.stderr).toContain("prompt tokens by chars/4 + 4 per message + 3 per request");
    expect(r.stderr).toContain("an upper bound");
    // After 2 sessions are collected, the dry run estimates the 4 left.
    expect((await runCli(args(`${server.url}#fake`, out, [], 2))).code).toBe(0);
    const left = await runCli(args(`${server.url}#fake`, out, ["--dry-run"]));
    expect(left.stderr).toMatch(/--dry-run: 4 sessions of 3 turns to collect \(2 already in /);
    expect(left.stderr).toMatch(/in 20 requests/);
  });
});
