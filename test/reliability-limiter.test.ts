/**
 * Adaptive concurrency (src/run/limiter.ts RequestLimiter, AIMD): a 429 halves the in-flight limit, successes raise it
 * again by one per `limit` successes up to --concurrency. Checked on the limiter alone and end to end: a real HTTP
 * server on 127.0.0.1 that answers 429 while more than a capacity of requests are in flight.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RequestLimiter } from "../src/run/limiter.js";
import { createLimitedModel } from "../src/run/models.js";
import { SHARED, runCli } from "./support/cli.js";
import { defaultHandler, chatReply, type FakeServer } from "./support/fake-openai.js";
import { fakeServerPerTest } from "./support/server.js";
import { parseSummaries } from "./support/faults.js";
import { readStrictJsonl } from "./support/jsonl.js";
import { tempDir } from "./support/tmp.js";

const servers = fakeServerPerTest();
let server: FakeServer | undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("RequestLimiter (AIMD)", () => {
  it("halves on 429 down to 1, then climbs back by one per `limit` successes to the maximum", async () => {
    const l = new RequestLimiter(16);
    expect(l.limit).toBe(16);
    l.onRateLimited();
    expect(l.limit).toBe(8);
    l.onRateLimited();
    l.onRateLimited();
    l.onRateLimited();
    expect(l.limit).toBe(1);
    l.onRateLimited();
    expect(l.limit).toBe(1);
    expect(l.decreases).toBe(4);
    const trace: number[] = [];
    for (let i = 0; i < 200 && l.limit < 16; i++) {
      await l.run(async () => 1);
      trace.push(l.limit);
    }
    expect(l.limit).toBe(16);
    // Additive increase: never more than +1 per step; reaching 16 from 1 takes 1+2+...+15 = 120 successes.
    for (let i = 1; i < trace.length; i++) expect(trace[i] - trace[i - 1]).toBeLessThanOrEqual(1);
    expect(trace.length).toBe(120);
    await l.run(async () => 1);
    expect(l.limit).toBe(16);
  });

  it("bounds the requests actually in flight by the current limit", async () => {
    const l = new RequestLimiter(8);
    let inFlight = 0;
    let peak = 0;
    let overLimit = 0;
    const task = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      if (inFlight > l.limit) overLimit++;
      await sleep(5);
      inFlight--;
    };
    await Promise.all(Array.from({ length: 40 }, () => l.run(task)));
    expect(peak).toBe(8);
    l.onRateLimited();
    l.onRateLimited();
    expect(l.limit).toBe(2);
    peak = 0;
    await Promise.all(Array.from({ length: 6 }, () => l.run(task)));
    // Starts at 2; the two first successes raise it to 3 while the batch runs.
    expect(peak).toBe(3);
    expect(overLimit).toBe(0);
  });

  it("end to end: a server with capacity 4 answering 429 above it pulls the limit down, and it recovers", async () => {
    const capacity = 4;
    let inFlight = 0;
    let overloaded = true;
    const peaks: number[] = [];
    server = await servers.start(async (req, i) => {
      inFlight++;
      try {
        peaks.push(inFlight);
        if (overloaded && inFlight > capacity) return { status: 429, json: { error: { message: "busy" } }, headers: { "retry-after-ms": "1" } };
        await sleep(10);
        return chatReply(`ok ${i}`);
      } finally {
        inFlight--;
      }
    });
    const limiter = new RequestLimiter(32);
    const model = await createLimitedModel(`${server.url}#m`, { flag: "m", limiter, backoffBaseMs: 1, maxAttempts: 20 });
    const call = () => model.chat([{ role: "user", content: "hi" }]);
    await Promise.all(Array.from({ length: 200 }, call));
    expect(limiter.decreases).toBeGreaterThanOrEqual(2);
    expect(model.retryReasons["429"]).toBeGreaterThan(0);
    expect(model.stats().failures).toBe(0);
    // After the decreases the limit settled near the capacity instead of 32.
    const settled = limiter.limit;
    expect(settled).toBeLessThan(32);
    // Load drops off: every call succeeds and the limit climbs back to the configured maximum.
    overloaded = false;
    for (let round = 0; round < 40 && limiter.limit < 32; round++) await Promise.all(Array.from({ length: limiter.limit }, call));
    expect(limiter.limit).toBe(32);
    expect(limiter.limit).toBeGreaterThan(settled);
  });

  it("through the CLI: collect reports the 429 retries and still writes every session", async () => {
    let inFlight = 0;
    server = await servers.start(async (req, i) => {
      inFlight++;
      try {
        if (inFlight > 2) return { status: 429, json: { error: { message: "busy" } }, headers: { "retry-after-ms": "1" } };
        await sleep(5);
        return defaultHandler(req, i);
      } finally {
        inFlight--;
      }
    });
    const out = path.join(tempDir("parrot-limiter-"), "s.jsonl");
    const spec = `${server.url}#fake`;
    const seeds = path.join(SHARED, "data/dialogues/sharegpt_v3_sample.jsonl");
    const r = await runCli(["collect", "--seeds", seeds, "--asker", spec, "--assistant", spec, "--turns", "2", "--limit", "12", "--concurrency", "8", "--out", out], {
      env: { PARROT_BACKOFF_BASE_MS: "1" },
      timeoutMs: 30_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readStrictJsonl(out)).toHaveLength(12);
    const [sum] = parseSummaries(r.stderr);
    expect(sum.reasons["429"]).toBeGreaterThan(0);
    expect(sum.failures).toBe(0);
    expect(sum.requests).toBe(36 + sum.retries);
  });
});
