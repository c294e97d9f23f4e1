/**
 * `parrot capo` and `parrot context detect --judge` through the built CLI against a real HTTP server on 127.0.0.1
 * that injects every fault kind: every pair / label is written once, and the end-of-run summary reports the exact
 * retries by reason; when retries run out the failure is reported and a rerun completes the work.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { chatReply, defaultHandler, startFakeOpenAI, type FakeServer } from "./support/fake-openai.js";
import { type FaultKind, STACK_RE, expectedReasons, faultReply, faultSchedule, parseSummaries, readStrictJsonl, tmpDir, writeJsonl } from "./reliability-support.js";

const ENV = { PARROT_BACKOFF_BASE_MS: "2" };
const ALL: FaultKind[] = ["500", "429", "hang", "malformed", "truncate", "destroy", "empty-choices", "429-date"];
let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** 4 sessions of 3 user turns whose turns 2 and 3 are context-dependent (anaphora, back-references): 8 queries. */
function sessions(dir: string): string {
  const topics = ["volcanoes", "sourdough bread", "tax returns", "chess openings"];
  const rows = topics.map((t, i) => ({
    id: `s${i}`,
    messages: [
      { role: "user", content: `Tell me about ${t} in a few sentences.` },
      { role: "assistant", content: `Here is an overview of ${t}: it is a broad subject with history and practice.` },
      { role: "user", content: `Can you explain the second point about it (${t}) in more detail?` },
      { role: "assistant", content: `Sure, the second point about ${t} means the following in detail.` },
      { role: "user", content: `Why does that matter for beginners interested in ${t}?` },
      { role: "assistant", content: `It matters because beginners in ${t} benefit from it.` },
    ],
    meta: {},
  }));
  const f = path.join(dir, "sessions.jsonl");
  writeJsonl(f, rows);
  return f;
}

const verdict = () => chatReply("The query refers to the earlier answer. VERDICT: DEPENDENT", 40, 8);

describe("capo under injected faults", () => {
  it("every fault kind: 24 pairs (8 queries x 3 strategies) written once, retries counted by reason", async () => {
    const sched = faultSchedule(ALL, 2);
    server = await startFakeOpenAI(sched.handler);
    const dir = tmpDir();
    const out = path.join(dir, "pairs.jsonl");
    const args = ["capo", sessions(dir), "--assistant", `${server.url}#m`, "--out", out, "--concurrency", "6", "--request-timeout", "0.4"];
    const r = await runCli(args, { env: ENV, timeoutMs: 40_000 });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((p) => p.id)).size).toBe(24);
    // neglect 1 + hallucination 2 (guess, answer) + misunderstanding 1 requests per query
    expect(sched.distinct()).toBe(32);
    const [sum] = parseSummaries(r.stderr);
    expect(sum, r.stderr).toBeDefined();
    expect(sum.retries).toBe(16);
    expect(sum.failures).toBe(0);
    expect(sum.requests).toBe(48);
    expect(sum.reasons).toEqual(expectedReasons(sched.injected));
  });

  it("retries exhausted: non-zero exit, one clean line, the failure counted in the summary; rerun completes", async () => {
    let broken = true;
    server = await startFakeOpenAI((req, i) => {
      if (broken && JSON.stringify(req.body).includes("volcanoes")) return faultReply("500");
      return defaultHandler(req, i);
    });
    const dir = tmpDir();
    const out = path.join(dir, "pairs.jsonl");
    const args = ["capo", sessions(dir), "--assistant", `${server.url}#m`, "--out", out, "--concurrency", "2", "--strategies", "context-neglect"];
    const r1 = await runCli(args, { env: ENV, timeoutMs: 40_000 });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).not.toMatch(STACK_RE);
    expect(r1.stderr).toMatch(/failed after 6 attempt\(s\): 500/);
    const [s1] = parseSummaries(r1.stderr);
    expect(s1, r1.stderr).toBeDefined();
    expect(s1.failures).toBeGreaterThanOrEqual(1);
    const kept = fs.existsSync(out) ? readStrictJsonl(out) : [];
    expect(kept.every((p) => !JSON.stringify(p).includes("volcanoes"))).toBe(true);
    broken = false;
    const r2 = await runCli(args, { env: ENV, timeoutMs: 40_000 });
    expect(r2.code, r2.stderr).toBe(0);
    const all = readStrictJsonl(out);
    expect(all).toHaveLength(8);
    expect(all.slice(0, kept.length)).toEqual(kept);
    expect(new Set(all.map((p) => p.id)).size).toBe(8);
  });
});

describe("context detect --judge under injected faults", () => {
  it("every fault kind: 8 judged labels written once, retries counted by reason", async () => {
    const sched = faultSchedule(ALL, 1, verdict);
    server = await startFakeOpenAI(sched.handler);
    const dir = tmpDir();
    const out = path.join(dir, "ctx.jsonl");
    const r = await runCli(["context", "detect", sessions(dir), "--judge", `${server.url}#j`, "--out", out, "--concurrency", "4", "--request-timeout", "0.4"], { env: ENV, timeoutMs: 40_000 });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((x) => `${x.id}/${x.turn}`)).size).toBe(8);
    expect(rows.every((x) => x.judge.context_dependent === true)).toBe(true);
    const [sum] = parseSummaries(r.stderr);
    expect(sum, r.stderr).toBeDefined();
    expect(sum.retries).toBe(8); // every distinct request faulted once
    expect(sum.failures).toBe(0);
    expect(sum.requests).toBe(16);
    expect(sum.reasons).toEqual(expectedReasons(sched.injected));
  });

  it("retries exhausted: non-zero exit, the failure counted in the summary; rerun completes", async () => {
    let broken = true;
    server = await startFakeOpenAI((req) => {
      if (broken && JSON.stringify(req.body).includes("tax returns")) return faultReply("500");
      return verdict();
    });
    const dir = tmpDir();
    const out = path.join(dir, "ctx.jsonl");
    const args = ["context", "detect", sessions(dir), "--judge", `${server.url}#j`, "--out", out, "--concurrency", "2"];
    const r1 = await runCli(args, { env: ENV, timeoutMs: 40_000 });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).not.toMatch(STACK_RE);
    const [s1] = parseSummaries(r1.stderr);
    expect(s1, r1.stderr).toBeDefined();
    expect(s1.failures).toBeGreaterThanOrEqual(1);
    broken = false;
    const r2 = await runCli(args, { env: ENV, timeoutMs: 40_000 });
    expect(r2.code, r2.stderr).toBe(0);
    const all = readStrictJsonl(out);
    expect(all).toHaveLength(8);
    expect(new Set(all.map((x) => `${x.id}/${x.turn}`)).size).toBe(8);
  });
});
