/**
 * Faults for the reliability tests (fault-*, secrets-*): a deterministic fault schedule for test/support/fake-openai.ts,
 * parsing of the end-of-run `summarizeModels` lines, and the checks of a run that retried or skipped items.
 *
 * The fault schedule is keyed by the request *body*, not by arrival order: the k-th distinct request (in arrival
 * order) gets fault `kinds[k % kinds.length]` (or none) on its first attempt and a normal reply on its retry. Arrival
 * order varies with concurrency, but the number of distinct requests of a run does not, so the number of retries by
 * reason is exact and can be asserted.
 */
import { createHash } from "node:crypto";
import { expect } from "vitest";
import { STACK_RE, type CliResult } from "./cli.js";
import { chatReply, defaultHandler, type FakeHandler, type FakeReply, type FakeRequest } from "./fake-openai.js";
import { readStrictJsonl } from "./jsonl.js";

export type FaultKind = "500" | "429" | "429-date" | "hang" | "malformed" | "truncate" | "destroy" | "empty-choices";

/** The retry reason parrot reports for each injected fault (src/llm/retry.ts classifyError). */
export const REASON_OF: Record<FaultKind, string> = {
  "500": "500",
  "429": "429",
  "429-date": "429",
  hang: "timeout",
  malformed: "malformed",
  truncate: "connection",
  destroy: "connection",
  "empty-choices": "malformed",
};

/** The reply that injects one fault. */
export function faultReply(kind: FaultKind): FakeReply {
  switch (kind) {
    case "500":
      return { status: 500, json: { error: { message: "internal server error (injected)" } } };
    case "429":
      return { status: 429, json: { error: { message: "rate limited (injected)" } }, headers: { "retry-after-ms": "5" } };
    case "429-date":
      // Retry-After as an HTTP date in the past: wait 0.
      return { status: 429, json: { error: { message: "rate limited (injected)" } }, headers: { "retry-after": new Date(Date.now() - 1000).toUTCString() } };
    case "hang":
      return { hang: true };
    case "malformed":
      return { raw: '{"id": "x", "choices": [ {"message": ' };
    case "truncate":
      return { ...chatReply("x".repeat(200), 1, 1), truncate: true };
    case "destroy":
      return { destroy: true };
    case "empty-choices":
      return { json: { id: "x", object: "chat.completion", choices: [] } };
  }
}

/** What tells requests apart for a fault schedule: path and JSON body (a retry has the key of its first attempt). */
export function bodyKey(req: FakeRequest): string {
  return createHash("sha1").update(req.path).update(JSON.stringify(req.body)).digest("hex");
}

export interface FaultSchedule {
  handler: FakeHandler;
  /** Faults injected so far, by kind. */
  injected: Record<string, number>;
  /** Distinct requests seen. */
  distinct(): number;
}

/**
 * A handler that injects `kinds` in turn into the first attempt of distinct requests: with `every` = 2 the 1st, 3rd,
 * 5th, ... distinct request is faulted (kinds[0], kinds[1], ...), the others and every retry are answered by `base`.
 */
export function faultSchedule(kinds: FaultKind[], every = 2, base: FakeHandler = defaultHandler): FaultSchedule {
  const seen = new Map<string, number>();
  const injected: Record<string, number> = {};
  let faultIndex = 0;
  const handler: FakeHandler = (req, i) => {
    const k = bodyKey(req);
    const attempts = seen.get(k);
    if (attempts === undefined) {
      const ordinal = seen.size;
      seen.set(k, 1);
      if (ordinal % every === 0) {
        const kind = kinds[faultIndex++ % kinds.length];
        injected[kind] = (injected[kind] ?? 0) + 1;
        return faultReply(kind);
      }
    } else seen.set(k, attempts + 1);
    return base(req, i);
  };
  return { handler, injected, distinct: () => seen.size };
}

/** Expected retries by reason for what a schedule injected. */
export function expectedReasons(injected: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [kind, n] of Object.entries(injected)) {
    const r = REASON_OF[kind as FaultKind];
    out[r] = (out[r] ?? 0) + n;
  }
  return out;
}

export interface ModelSummary {
  id: string;
  requests: number;
  retries: number;
  reasons: Record<string, number>;
  failures: number;
  promptTokens: number;
  completionTokens: number;
}

/** Parse the `summarizeModels` lines found in a command's stderr. */
export function parseSummaries(stderr: string): ModelSummary[] {
  const re = /^\s*(\S+): (\d+) requests, (\d+) retries(?: \(([^)]*)\))?, (\d+) failures, (\d+) prompt \+ (\d+) completion tokens(?:; answers: .*)?$/gm;
  const out: ModelSummary[] = [];
  for (const m of stderr.matchAll(re)) {
    const reasons: Record<string, number> = {};
    for (const part of (m[4] ?? "").split(", ").filter(Boolean)) {
      const [k, v] = part.split(": ");
      reasons[k] = Number(v);
    }
    out.push({ id: m[1], requests: +m[2], retries: +m[3], reasons, failures: +m[5], promptTokens: +m[6], completionTokens: +m[7] });
  }
  return out;
}

/** Environment of the fault tests: retries back off from 1 ms, so exhausting 6 attempts takes no time. */
export const FAULT_ENV = { PARROT_BACKOFF_BASE_MS: "1" };

/** Every fault kind the fake server can inject. */
export const ALL_FAULTS: FaultKind[] = ["500", "429", "hang", "malformed", "truncate", "destroy", "empty-choices", "429-date"];

/** Exit code of a run that skipped items after transient failures (src/run/failures.ts EXIT_INCOMPLETE). */
export const EXIT_INCOMPLETE = 3;

/**
 * A handler that answers every request whose JSON body contains `needle` with a 500, on every attempt, until
 * `heal()` is called; other requests (and all requests after `heal()`) go to `base`. With the engine's 6 attempts
 * the affected work items fail for good, and only those.
 */
export function failingFor(needle: string, base: FakeHandler = defaultHandler): { handler: FakeHandler; heal(): void; refused(): number } {
  let broken = true;
  let refused = 0;
  return {
    handler: (req, i) => {
      if (broken && JSON.stringify(req.body).includes(needle)) {
        refused++;
        return faultReply("500");
      }
      return base(req, i);
    },
    heal: () => {
      broken = false;
    },
    refused: () => refused,
  };
}

/**
 * Checks of a run that skipped `failed` items after transient failures (500 on every attempt):
 * exit 3, no stack trace, the skip logged per item, the one-line incomplete report naming the count and `unit`
 * after the summarizeModels line, and that line counting `failed` request failures with 5 retries each.
 */
export function expectIncomplete(r: CliResult, failed: number, unit: string): void {
  expect(r.code, r.stderr).toBe(EXIT_INCOMPLETE);
  expect(r.stderr).not.toMatch(STACK_RE);
  expect(r.stderr.match(/failed \(500\); rerun the same command to retry it/g) ?? []).toHaveLength(failed);
  const report = new RegExp(`incomplete: ${failed} ${unit} failed after retries \\(500: ${failed}\\); rerun the same command to retry them`);
  expect(r.stderr).toMatch(report);
  const [sum] = parseSummaries(r.stderr);
  expect(sum, r.stderr).toBeDefined();
  expect(sum.failures).toBe(failed);
  expect(sum.reasons).toEqual({ "500": 5 * failed });
  // The report comes after the per-model summary lines.
  expect(r.stderr.search(report)).toBeGreaterThan(r.stderr.search(/ \d+ requests, \d+ retries/));
}

/**
 * After an incomplete run (exit 3): heal the server, rerun the same command, and check that the rerun exits 0,
 * makes exactly `requests` model requests (the missing items' only; skipped when undefined), keeps the earlier rows
 * unchanged and first, and leaves `total` rows with `total` distinct keys (no duplicates).
 * @returns every row of the output after the rerun, for the caller's own checks.
 */
export async function expectRerunCompletes(o: {
  heal: () => void;
  server: { requests: unknown[] };
  rerun: () => Promise<CliResult>;
  out: string;
  kept: unknown[];
  total: number;
  key: (row: any) => string;
  requests?: number;
}): Promise<any[]> {
  o.heal();
  const before = o.server.requests.length;
  const r = await o.rerun();
  expect(r.code, r.stderr).toBe(0);
  if (o.requests !== undefined) expect(o.server.requests.length - before).toBe(o.requests);
  const all = readStrictJsonl(o.out);
  expect(all).toHaveLength(o.total);
  expect(all.slice(0, o.kept.length)).toEqual(o.kept);
  expect(new Set(all.map(o.key)).size).toBe(o.total);
  return all;
}

/**
 * Checks of a run under `sched` that lost nothing: the summarizeModels line counts `retries` retries, by reason
 * exactly what `sched` injected, no failure, and `requests` requests in all.
 */
export function expectRetried(r: CliResult, sched: FaultSchedule, o: { retries: number; requests: number }): void {
  const [sum] = parseSummaries(r.stderr);
  expect(sum, r.stderr).toBeDefined();
  expect(sum.retries, r.stderr).toBe(o.retries);
  expect(sum.failures).toBe(0);
  expect(sum.requests).toBe(o.requests);
  expect(sum.reasons).toEqual(expectedReasons(sched.injected));
}
