/**
 * Retry policy for remote model calls: which failures are worth another attempt, and how long to wait.
 * 5xx, 408/409, timeouts, dropped connections and malformed bodies back off exponentially with jitter;
 * 429 waits for the server's `Retry-After` (seconds or HTTP date) or `retry-after-ms` when given.
 */

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
