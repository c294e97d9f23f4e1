/**
 * `parrot capo` and `parrot context detect --judge` through the built CLI against a real HTTP server on 127.0.0.1
 * that injects every fault kind: every pair / label is written once, and the end-of-run summary reports the exact
 * retries by reason. When some requests keep failing past the retries, those items are skipped and counted, every
 * other one is written, the run exits 3 (incomplete), and a rerun against a healthy server completes exactly them.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runCliInProcess as runCli } from "./support/cli.js";
import { chatReply } from "./support/fake-openai.js";
import { ALL_FAULTS as ALL, FAULT_ENV as ENV, expectIncomplete, expectRerunCompletes, expectRetried, failingFor, faultSchedule } from "./support/faults.js";
import { readStrictJsonl } from "./support/jsonl.js";
import { fakeServerPerTest } from "./support/server.js";
import { writeSessions } from "./support/sessions.js";
import { tempDir } from "./support/tmp.js";

const servers = fakeServerPerTest();
const tmp = () => tempDir("parrot-fault-capo-");

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
  return writeSessions(dir, rows);
}

const verdict = () => chatReply("The query refers to the earlier answer. VERDICT: DEPENDENT", 40, 8);

describe("capo under injected faults", () => {
  it("every fault kind: 24 pairs (8 queries x 3 strategies) written once, retries counted by reason", async () => {
    const sched = faultSchedule(ALL, 2);
    const server = await servers.start(sched.handler);
    const dir = tmp();
    const out = path.join(dir, "pairs.jsonl");
    const args = ["capo", sessions(dir), "--assistant", `${server.url}#m`, "--out", out, "--concurrency", "6", "--request-timeout", "1"];
    const r = await runCli(args, { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((p) => p.id)).size).toBe(24);
    // neglect 1 + hallucination 2 (guess, answer) + misunderstanding 1 requests per query
    expect(sched.distinct()).toBe(32);
    expectRetried(r, sched, { retries: 16, requests: 48 });
  });

  it("pairs that keep failing: skipped and counted, the others written, exit 3; a rerun builds only them", async () => {
    const fail = failingFor("volcanoes");
    const server = await servers.start(fail.handler);
    const dir = tmp();
    const out = path.join(dir, "pairs.jsonl");
    const args = ["capo", sessions(dir), "--assistant", `${server.url}#m`, "--out", out, "--concurrency", "2", "--strategies", "context-neglect"];
    const r1 = await runCli(args, { env: ENV });
    // The volcanoes session's 2 context-dependent queries.
    expectIncomplete(r1, 2, "pairs");
    expect(r1.stderr).toMatch(/pair s0\/2\/context-neglect failed \(500\)/);
    expect(r1.stderr).toMatch(/context-neglect: 6 pairs built/);
    const kept = readStrictJsonl(out);
    expect(kept).toHaveLength(6);
    expect(kept.every((p) => !JSON.stringify(p).includes("volcanoes"))).toBe(true);
    await expectRerunCompletes({ heal: fail.heal, server, rerun: () => runCli(args, { env: ENV }), out, kept, requests: 2, total: 8, key: (p) => p.id });
  });
});

describe("context detect --judge under injected faults", () => {
  it("every fault kind: 8 judged labels written once, retries counted by reason", async () => {
    const sched = faultSchedule(ALL, 1, verdict);
    const server = await servers.start(sched.handler);
    const dir = tmp();
    const out = path.join(dir, "ctx.jsonl");
    const r = await runCli(["context", "detect", sessions(dir), "--judge", `${server.url}#j`, "--out", out, "--concurrency", "4", "--request-timeout", "1"], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((x) => `${x.id}/${x.turn}`)).size).toBe(8);
    expect(rows.every((x) => x.judge.context_dependent === true)).toBe(true);
    expectRetried(r, sched, { retries: 8, requests: 16 }); // every distinct request faulted once
  });

  it("queries that keep failing: skipped and counted, the others written, exit 3; a rerun judges only them", async () => {
    const fail = failingFor("tax returns", verdict);
    const server = await servers.start(fail.handler);
    const dir = tmp();
    const out = path.join(dir, "ctx.jsonl");
    const args = ["context", "detect", sessions(dir), "--judge", `${server.url}#j`, "--out", out, "--concurrency", "2"];
    const r1 = await runCli(args, { env: ENV });
    expectIncomplete(r1, 2, "queries");
    expect(r1.stderr).toMatch(/query s2\/3 failed \(500\)/);
    const kept = readStrictJsonl(out);
    expect(kept).toHaveLength(6);
    expect(kept.every((x) => x.id !== "s2")).toBe(true);
    const all = await expectRerunCompletes({ heal: fail.heal, server, rerun: () => runCli(args, { env: ENV }), out, kept, requests: 2, total: 8, key: (x) => `${x.id}/${x.turn}` });
    expect(all.every((x) => x.judge.context_dependent === true)).toBe(true);
  });
});
