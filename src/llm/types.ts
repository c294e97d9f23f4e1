/**
 * The one small interface every engine implements (HTTP OpenAI-compatible endpoints, local GGUF files).
 * Modelled on the Vercel AI SDK's provider idea: callers never see which engine they talk to.
 */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Sampling and transport options for one request. */
export interface GenerateOptions {
  /** Sampling temperature; 0 means greedy. Default: engine default (1.0 for HTTP, 0.7 local). */
  temperature?: number;
  /** Maximum new tokens to generate. */
  maxTokens?: number;
  /** Sampling seed, when the engine supports one. */
  seed?: number;
  /** Stop strings; generation ends before the first occurrence (the stop string is not returned). */
  stop?: string[];
  /** Per-request timeout in milliseconds (overrides the model's default). */
  timeoutMs?: number;
  /** Abort the request. */
  signal?: AbortSignal;
  /**
   * What the call is for, for the run's token accounting (src/run/usage.ts): the step (`response`, `query`,
   * `answer`, `judge`, a capo strategy step), the turn it belongs to, and the role when one model object plays two
   * (collect's asker and assistant on the same spec). Engines ignore it.
   */
  tag?: { stage: string; turn?: number; role?: string };
}

/** Token counts reported by the engine for one request. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface Completion {
  /** Generated text (no stop string). */
  text: string;
  usage: Usage;
  /** "stop", "length", ... as reported by the engine, when known. */
  finishReason?: string;
  /** The model the endpoint says answered (HTTP `model` field), when it says. */
  model?: string;
}

/** What `LanguageModel.scoreContinuation` returns: perplexity = exp(-logprobSum / tokens). */
export interface ContinuationScore {
  tokens: number;
  logprobSum: number;
}

/** Running counters of a model handle, reported at the end of a command. */
export interface ModelStats {
  requests: number;
  retries: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
}

export interface LanguageModel {
  /** Spec string that names this model in outputs (never contains secrets), e.g. `http://h:8000/v1#qwen`. */
  readonly id: string;
  /** Short model name, e.g. `qwen` or the GGUF file name. */
  readonly name: string;
  /** Chat completion: messages in, assistant text out. */
  chat(messages: ChatMessage[], options?: GenerateOptions): Promise<Completion>;
  /** Raw text completion: prompt in, continuation out (used by the Parrot-Ask simulator, appendix B.1). */
  complete(prompt: string, options?: GenerateOptions): Promise<Completion>;
  /**
   * Log-probability of `continuation` given `prompt` as raw text (no chat template), for perplexity
   * (`parrot simulator eval`, `ppl_real`): the prompt is tokenized as `complete` tokenizes it (special tokens
   * parsed, BOS as the model wants), the continuation as plain text, and each continuation token is scored given
   * everything before it. Optional: engines that cannot score omit it or throw a non-transient ModelCallError with
   * reason `scoring-unavailable` (SCORING_UNAVAILABLE in errors.ts).
   * @returns `tokens`: continuation tokens scored; `logprobSum`: sum of their natural-log probabilities (<= 0).
   * @throws ModelCallError `context-length` when prompt + continuation do not fit the context.
   */
  scoreContinuation?(prompt: string, continuation: string, options?: Pick<GenerateOptions, "timeoutMs" | "signal">): Promise<ContinuationScore>;
  /** Counters since creation. */
  stats(): ModelStats;
  /** Release engine resources (local contexts, sockets). */
  close(): Promise<void>;
}

/** Options shared by all engines when a model is created from a spec. */
export interface ModelOptions {
  /** Default per-request timeout, milliseconds. */
  requestTimeoutMs?: number;
  /** Maximum attempts per request, counting the first (HTTP). Default 6. */
  maxAttempts?: number;
  /** Number of parallel sequences for local engines (usually the command's concurrency). */
  parallel?: number;
  /** CPU threads for local engines. Default: the number of cores. */
  threads?: number;
  /** Context size in tokens for local engines. */
  contextSize?: number;
  /** Log retries and warnings (never secrets). */
  log?: (line: string) => void;
  /** Called for every retry with its reason ("429", "500", "timeout", ...): adaptive concurrency listens here. */
  onRetry?: (reason: string, waitMs: number) => void;
  /** Base of the exponential backoff, ms (HTTP). Default 500. */
  backoffBaseMs?: number;
}

export function emptyStats(): ModelStats {
  return { requests: 0, retries: 0, failures: 0, promptTokens: 0, completionTokens: 0 };
}
