import { UserError } from "../io/errors.js";

/**
 * Why a model call failed, the same words from every engine (HTTP and local GGUF):
 * - retryable: `timeout`, `connection`, `malformed`, `429`, `5xx` codes (`500`, `503`, ...), `408`, `409`;
 * - `context-length`: the prompt (plus the tokens asked for) does not fit the model's context window (HTTP 400
 *   `context_length_exceeded` from vLLM/OpenAI, `exceed_context_size_error` from llama-server, or the local
 *   context); never retried, and commands treat it as a property of the item, not of the run (see CONTEXT_LENGTH);
 * - `unreachable`: the endpoint never answered (ECONNREFUSED, ENOTFOUND, EAI_AGAIN before any response): the
 *   command ends at once;
 * - `400`, `401`, `403`, `404`, `422`: the request or the credentials are wrong; `engine`: the local engine failed.
 */
export type ModelErrorReason = string;

/** The reason of a prompt that does not fit the context window. */
export const CONTEXT_LENGTH = "context-length";

/** The reason of a `scoreContinuation` the engine or server cannot answer (no prompt logprobs). */
export const SCORING_UNAVAILABLE = "scoring-unavailable";

/**
 * A model call that failed for good: the one error both engines throw (src/llm/http.ts, src/llm/gguf.ts).
 * `transient` (alias `retryable`) is true when the failure was of a retryable kind (5xx, 429, timeout, dropped
 * connection, malformed body) and only the attempts ran out: rerunning the command may succeed, so commands skip
 * that work item and carry on. Non-transient failures (401, 404, bad request, unreachable endpoint) abort the
 * command, except `context-length`, which commands handle per item (collect ends the session, capo drops the
 * negative, bench marks the answer or judgment, context detect keeps the heuristic decision).
 */
export class ModelCallError extends UserError {
  readonly reason: ModelErrorReason;
  readonly transient: boolean;
  /** Server-requested wait before the last attempt, ms, when it said so (429 / 503 Retry-After). */
  readonly retryAfterMs?: number;
  constructor(message: string, opts: { reason: ModelErrorReason; transient: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = "ModelCallError";
    this.reason = opts.reason;
    this.transient = opts.transient;
    this.retryAfterMs = opts.retryAfterMs;
  }
  /** Same as `transient`: retrying later may succeed. */
  get retryable(): boolean {
    return this.transient;
  }
}

/** Is `err` a ModelCallError for a prompt over the context window? */
export function isContextLengthError(err: unknown): err is ModelCallError {
  return err instanceof ModelCallError && err.reason === CONTEXT_LENGTH;
}
