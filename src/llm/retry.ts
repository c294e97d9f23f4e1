/**
 * Retry policy for remote model calls: which failures are worth another attempt, and how long to wait.
 * 5xx, 408/409, timeouts, dropped connections and malformed bodies back off exponentially with jitter;
 * 429 waits for the server's `Retry-After` (seconds or HTTP date) or `retry-after-ms` when given.
 */

import { CONTEXT_LENGTH, ModelCallError } from "./errors.js";
import { redactSecrets } from "./redact.js";

/** A response that arrived but cannot be used (no choices, no text, truncated JSON). Retryable. */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedResponseError";
  }
}

export interface RetryDecision {
  retry: boolean;
  /** Why, for logs and counters: "429", "500", "timeout", "connection", "malformed". */
  reason: string;
  /** Server-requested wait in ms, when the response said so. */
  retryAfterMs?: number;
}

function headerValue(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const rec = headers as Record<string, string | undefined>;
  return rec[name] ?? rec[name.toLowerCase()] ?? null;
}

/**
 * Parse `Retry-After` / `retry-after-ms` into milliseconds.
 * @returns undefined when absent or unparsable.
 */
export function parseRetryAfter(headers: unknown, now = Date.now()): number | undefined {
  const ms = headerValue(headers, "retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headerValue(headers, "retry-after");
  if (ra === null || ra.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

/**
 * Classify an error thrown by the `openai` client (or by our response checks).
 * Never retried: 400, 401, 403, 404, 422 (the request or the credentials are wrong) and user aborts.
 */
export function classifyError(err: unknown): RetryDecision {
  const e = err as { name?: string; status?: number; headers?: unknown; message?: string; constructor?: { name?: string } };
  const cls = e?.constructor?.name ?? e?.name ?? "";
  if (cls === "APIUserAbortError") return { retry: false, reason: "aborted" };
  if (err instanceof MalformedResponseError) return { retry: true, reason: "malformed" };
  if (cls === "APIConnectionTimeoutError") return { retry: true, reason: "timeout" };
  if (cls === "APIConnectionError") return { retry: true, reason: "connection" };
  if (typeof e?.status === "number") {
    const s = e.status;
    if ((s === 400 || s === 413 || s === 422) && isContextLengthMessage(errorBodyText(err))) return { retry: false, reason: CONTEXT_LENGTH };
    if (s === 429) return { retry: true, reason: "429", retryAfterMs: parseRetryAfter(e.headers) };
    if (s >= 500 || s === 408 || s === 409) return { retry: true, reason: String(s), retryAfterMs: parseRetryAfter(e.headers) };
    return { retry: false, reason: String(s) };
  }
  // Body parse failures (truncated/garbled JSON) and sockets closed mid-body surface as plain errors.
  if (err instanceof SyntaxError) return { retry: true, reason: "malformed" };
  if (err instanceof TypeError && /terminated|fetch failed|socket|network/i.test(String(e.message))) {
    return { retry: true, reason: "connection" };
  }
  if (/ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|other side closed|UND_ERR/i.test(String(e?.message))) {
    return { retry: true, reason: "connection" };
  }
  return { retry: false, reason: cls || "error" };
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1), ms: the server's Retry-After when given
 * (capped at `maxMs`), else exponential `baseMs * 2^(attempt-1)` with ±25% jitter, capped at `maxMs`.
 */
export function backoffMs(attempt: number, decision: RetryDecision, baseMs = 500, maxMs = 60_000, rand = Math.random): number {
  if (decision.retryAfterMs !== undefined) return Math.min(decision.retryAfterMs, maxMs);
  const exp = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.75 + 0.5 * rand()));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Does an error body say the prompt is over the context window? Covers OpenAI and vLLM
 * (`context_length_exceeded`, "maximum context length is N tokens"), llama-server (`exceed_context_size_error`,
 * "the request exceeds the available context size"), SGLang and Ollama wordings.
 */
export function isContextLengthMessage(text: string): boolean {
  return /context_length_exceeded|exceed_context_size|exceeds? (?:the )?(?:available |maximum )?context|maximum context length|context length|context window|too many tokens|prompt is too long|input is too long/i.test(text);
}

/** The message and body of an API error, for matching (never logged as is). */
function errorBodyText(err: unknown): string {
  const e = err as { message?: string; error?: unknown; code?: unknown; type?: unknown };
  let body = "";
  try {
    body = JSON.stringify(e?.error ?? "");
  } catch {
    // ignore
  }
  return `${e?.message ?? ""} ${String(e?.code ?? "")} ${String(e?.type ?? "")} ${body}`;
}

/** The first system error code (ECONNREFUSED, ENOTFOUND, ...) along an error's `cause` chain, if any. */
export function networkErrorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown; message?: string } | undefined;
  for (let depth = 0; e && depth < 6; depth++) {
    if (typeof e.code === "string" && /^E[A-Z0-9_]+$/.test(e.code)) return e.code;
    const m = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET)\b/.exec(String(e.message ?? ""));
    if (m) return m[1];
    e = e.cause as typeof e;
  }
  return undefined;
}

/** Codes that mean "nothing is listening there / no such host": fatal when the endpoint has never answered. */
export const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** What a retry loop needs to know about its engine and caller. */
export interface RetryPolicy {
  /** Model id for messages. */
  id: string;
  /** Attempts per call, counting the first. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Classify a thrown error (engine-specific). */
  classify: (err: unknown) => RetryDecision;
  /** Extra words for the final message, by reason (e.g. a key hint for 401). */
  hint?: (decision: RetryDecision) => string;
  onRetry?: (reason: string, waitMs: number) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Counters to bump: requests per attempt, retries, failures. */
  counters: { requests: number; retries: number; failures: number };
}

/**
 * Run `call` with the one retry policy of both engines: retryable failures back off (`backoffMs`) and try again up
 * to `maxAttempts`; the last failure, or any non-retryable one, becomes a ModelCallError carrying the reason,
 * `transient` (was it of a retryable kind) and the server's retry-after. Aborts by the caller are rethrown as is.
 * Messages are redacted (`redactSecrets`).
 */
export async function callWithRetries<T>(call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    policy.counters.requests++;
    try {
      return await call();
    } catch (err) {
      if (err instanceof ModelCallError && !err.transient) {
        policy.counters.failures++;
        throw err;
      }
      const decision = policy.classify(err);
      const msg = redactSecrets(String((err as Error)?.message ?? err));
      if (!decision.retry || attempt >= policy.maxAttempts) {
        policy.counters.failures++;
        if (decision.reason === "aborted") throw err;
        throw new ModelCallError(
          `${policy.id}: request failed after ${attempt} attempt(s): ${decision.reason}: ${msg}${policy.hint?.(decision) ?? ""}`,
          { reason: decision.reason, transient: decision.retry, retryAfterMs: decision.retryAfterMs, cause: err },
        );
      }
      const wait = backoffMs(attempt, decision, policy.backoffBaseMs, policy.backoffMaxMs);
      policy.counters.retries++;
      policy.onRetry?.(decision.reason, wait);
      policy.log?.(`${policy.id}: ${decision.reason} (${msg.slice(0, 120)}); retry ${attempt}/${policy.maxAttempts - 1} in ${(wait / 1000).toFixed(1)}s`);
      await sleep(wait, policy.signal);
    }
  }
}
