/**
 * `parrot collect` through the built CLI against a real HTTP server on 127.0.0.1 that injects faults: 500s, 429s
 * with Retry-After, hangs beyond --request-timeout, malformed and truncated bodies, dropped connections. Every run
 * must finish with every session, and the end-of-run summary must report the exact retries by reason.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED, STACK_RE, runCliInProcess as runCli } from "./support/cli.js";
import { defaultHandler } from "./support/fake-openai.js";
import { ALL_FAULTS as ALL, FAULT_ENV as ENV, expectIncomplete, expectRetried, faultReply, faultSchedule, parseSummaries } from "./support/faults.js";
import { readStrictJsonl } from "./support/jsonl.js";
import { fakeServerPerTest } from "./support/server.js";
import { tempDir } from "./support/tmp.js";

const SEEDS = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
const servers = fakeServerPerTest();
const tmp = () => tempDir("parrot-fault-collect-");

function collectArgs(spec: string, out: string, limit: number, turns: number, extra: string[] = []) {
  return ["collect", "--seeds", SEEDS, "--asker", spec, "--assistant", spec, "--turns", String(turns), "--limit", String(limit), "--out", out, "--concurrency", "6", "--request-timeout", "1", ...extra];
}

describe("collect under injected faults", () => {
  it("every fault kind: all sessions written, retries counted exactly by reason, no failures", async () => {
    const sched = faultSchedule(ALL, 2);
    const server = await servers.start(sched.handler);
    const out = path.join(tmp(), "s.jsonl");
    const r = await runCli(collectArgs(`${server.url}#fake`, out, 8, 3), { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const rows = readStrictJsonl(out);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((s) => s.id)).size).toBe(8);
    for (const s of rows) expect(s.messages).toHaveLength(6);
    // 8 sessions x (3 answers + 2 queries) distinct requests; half of them faulted once.
    expect(sched.distinct()).toBe(40);
    const injected = Object.values(sched.injected).reduce((a, b) => a + b, 0);
    expect(injected).toBe(20);
    for (const k of ALL) expect(sched.injected[k]).toBeGreaterThanOrEqual(2);
    expectRetried(r, sched, { retries: 20, requests: 60 });
    expect(server.requests).toHaveLength(60);
    expect(r.stderr).toContain("wrote 8 sessions");
  });

  it("honours Retry-After in seconds", async () => {
    const times: number[] = [];
    let n = 0;
    const server = await servers.start((req, i) => {
      times.push(Date.now());
      if (n++ === 0) return { status: 429, json: { error: { message: "slow down" } }, headers: { "retry-after": "1" } };
      return defaultHandler(req, i);
    });
    const out = path.join(tmp(), "ra.jsonl");
    const r = await runCli(collectArgs(`${server.url}#fake`, out, 1, 1), { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(times).toHaveLength(2);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(950);
    expect(parseSummaries(r.stderr)[0].reasons).toEqual({ "429": 1 });
  });

  it("a request that keeps failing: the session is skipped and counted, exit 3, a rerun completes it", async () => {
    let broken = true;
    let poisoned: string | undefined;
    const server = await servers.start((req, i) => {
      const first = req.body?.messages?.[0]?.content ?? String(req.body?.prompt ?? "");
      if (poisoned === undefined && req.path.endsWith("/chat/completions")) poisoned = first;
      if (broken && first === poisoned) return faultReply("500");
      return defaultHandler(req, i);
    });
    const dir = tmp();
    const out = path.join(dir, "p.jsonl");
    const args = collectArgs(`${server.url}#fake`, out, 5, 2);
    const r1 = await runCli(args, { env: ENV });
    expectIncomplete(r1, 1, "sessions"); // 6 attempts, 5 retries
    expect(r1.stderr).toMatch(/session \S+ failed \(500\)/);
    expect(r1.stderr).toContain("wrote 4 sessions");
    const first = readStrictJsonl(out);
    expect(first).toHaveLength(4);
    broken = false;
    const before = server.requests.length;
    const r2 = await runCli(args, { env: ENV });
    expect(r2.code, r2.stderr).toBe(0);
    const all = readStrictJsonl(out);
    expect(all).toHaveLength(5);
    expect(all.slice(0, 4)).toEqual(first);
    expect(new Set(all.map((s) => s.id)).size).toBe(5);
    expect(server.requests.length - before).toBe(3); // only the missing session: 2 answers + 1 query
  });

  it("a permanent error (400) aborts with one clean line and keeps nothing half written", async () => {
    const server = await servers.start(() => ({ status: 400, json: { error: { message: "model does not exist" } } }));
    const out = path.join(tmp(), "x.jsonl");
    const r = await runCli(collectArgs(`${server.url}#fake`, out, 3, 2), { env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/request failed after 1 attempt\(s\): 400/);
    expect(r.stderr).not.toMatch(STACK_RE);
    expect(server.requests.length).toBeLessThanOrEqual(6);
    expect(fs.existsSync(out)).toBe(false);
  });
});
