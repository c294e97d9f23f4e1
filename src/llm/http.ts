/**
 * HTTP engine: any OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp server, Ollama, hosted APIs) through the
 * official `openai` client. The client's own retries are off; parrot retries here so that every retry is
 * counted and 429's Retry-After is honoured (see retry.ts).
 */
import OpenAI from "openai";
import { createPooledFetch, type PooledFetch } from "./fetch.js";
import { callWithRetries, classifyError, MalformedResponseError, networkErrorCode, type RetryDecision, UNREACHABLE_CODES } from "./retry.js";
import { ModelCallError, SCORING_UNAVAILABLE } from "./errors.js";
import { formatModelSpec } from "./spec.js";
import {
  type ChatMessage,
  type Completion,
  type ContinuationScore,
  type GenerateOptions,
  type LanguageModel,
  type ModelOptions,
  type ModelStats,
  emptyStats,
} from "./types.js";
import { cutAtStop } from "./stop.js";

export interface HttpModelConfig extends ModelOptions {
  baseURL: string;
  model: string;
  apiKey?: string;
  /** Cap on any single wait, ms. */
  backoffMaxMs?: number;
}

/** Default per-request timeout: 10 minutes, like the openai client. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;

export class HttpModel implements LanguageModel {
  readonly id: string;
  readonly name: string;
  private readonly client: OpenAI;
  private readonly cfg: HttpModelConfig;
  private readonly counters: ModelStats = emptyStats();
  private readonly fetch: PooledFetch;

  constructor(cfg: HttpModelConfig) {
    this.cfg = cfg;
    this.name = cfg.model;
    this.id = formatModelSpec({ kind: "http", baseURL: cfg.baseURL, model: cfg.model });
    this.fetch = createPooledFetch();
    this.client = new OpenAI({
      fetch: this.fetch,
      baseURL: cfg.baseURL,
      // Local servers need no key; the client insists on a non-empty one.
      apiKey: cfg.apiKey ?? "no-key",
      maxRetries: 0,
      timeout: cfg.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    });
  }

  stats(): ModelStats {
    return { ...this.counters };
  }

  /** Ends the keep-alive connections; call once the model is no longer used. */
  async close(): Promise<void> {
    await this.fetch.close();
  }

  /** Chat completion (`POST /chat/completions`). @throws UserError after the last attempt or on 4xx. */
  async chat(messages: ChatMessage[], options: GenerateOptions = {}): Promise<Completion> {
    return this.withRetries(async (timeout) => {
      const res = await this.client.chat.completions.create(
        {
          model: this.cfg.model,
          messages,
          ...(options.temperature !== undefined && { temperature: options.temperature }),
          ...(options.maxTokens !== undefined && { max_tokens: options.maxTokens }),
          ...(options.seed !== undefined && { seed: options.seed }),
          ...(options.stop?.length && { stop: options.stop }),
        },
        { timeout, signal: options.signal },
      );
      const choice = (res as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: string }> })?.choices?.[0];
      if (!choice || !choice.message || typeof choice.message.content !== "string") {
        throw new MalformedResponseError("response has no choices[0].message.content");
      }
      return {
        text: choice.message.content,
        finishReason: choice.finish_reason ?? undefined,
        model: typeof (res as { model?: unknown }).model === "string" ? (res as { model: string }).model : undefined,
        usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 },
      };
    }, options);
  }

  /** Raw completion (`POST /completions`), used for the Parrot-Ask text format. */
  async complete(prompt: string, options: GenerateOptions = {}): Promise<Completion> {
    return this.withRetries(async (timeout) => {
      const res = await this.client.completions.create(
        {
          model: this.cfg.model,
          prompt,
          ...(options.temperature !== undefined && { temperature: options.temperature }),
          max_tokens: options.maxTokens ?? 512,
          ...(options.seed !== undefined && { seed: options.seed }),
          ...(options.stop?.length && { stop: options.stop }),
        },
        { timeout, signal: options.signal },
      );
      const choice = (res as { choices?: Array<{ text?: unknown; finish_reason?: string }> })?.choices?.[0];
      if (!choice || typeof choice.text !== "string") throw new MalformedResponseError("response has no choices[0].text");
      return {
        // Some servers return the stop string; cut at the first one.
        text: cutAtStop(choice.text, options.stop),
        finishReason: choice.finish_reason ?? undefined,
        model: typeof (res as { model?: unknown }).model === "string" ? (res as { model: string }).model : undefined,
        usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 },
      };
    }, options);
  }

  /**
   * Score `continuation` after `prompt` (LanguageModel.scoreContinuation) with the prompt-logprobs extension of
   * `POST /completions`: `prompt + continuation`, `echo: true`, `logprobs: 1`, `max_tokens: 1`, `temperature: 0`
   * (vLLM returns the prompt's tokens with `token_logprobs` and `text_offset`; OpenAI's legacy completions did).
   * Continuation tokens are those whose `text_offset` is at or after the prompt's length and before the echoed
   * text's end (a token straddling the boundary counts to the prompt); the one generated token is left out.
   * Tokenization is the server's, on the joined text.
   * @throws ModelCallError `scoring-unavailable` (not transient) when the server returns no prompt logprobs
   *   (llama-server, most hosted chat APIs), or the errors of `complete`.
   */
  async scoreContinuation(prompt: string, continuation: string, options: Pick<GenerateOptions, "timeoutMs" | "signal"> = {}): Promise<ContinuationScore> {
    let score: ContinuationScore = { tokens: 0, logprobSum: 0 };
    const text = prompt + continuation;
    await this.withRetries(async (timeout) => {
      const res = await this.client.completions.create(
        { model: this.cfg.model, prompt: text, echo: true, logprobs: 1, max_tokens: 1, temperature: 0 },
        { timeout, signal: options.signal },
      );
      const lp = (res as { choices?: Array<{ logprobs?: { token_logprobs?: unknown; text_offset?: unknown } | null }> })?.choices?.[0]?.logprobs;
      const values = lp?.token_logprobs;
      const offsets = lp?.text_offset;
      if (!Array.isArray(values) || !Array.isArray(offsets) || values.length !== offsets.length || values.length === 0) {
        throw new ModelCallError(`${this.id}: the server returned no prompt logprobs (echo + logprobs on /completions); perplexity is not available`, {
          reason: SCORING_UNAVAILABLE,
          transient: false,
        });
      }
      let tokens = 0;
      let sum = 0;
      for (let i = 0; i < values.length; i++) {
        const off = Number(offsets[i]);
        if (off < prompt.length || off >= text.length) continue;
        const v = values[i];
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new ModelCallError(`${this.id}: prompt logprob ${i} is ${JSON.stringify(v)}; perplexity is not available`, { reason: SCORING_UNAVAILABLE, transient: false });
        }
        tokens++;
        sum += v;
      }
      score = { tokens, logprobSum: sum };
      return { text: "", usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 } };
    }, options);
    return score;
  }

  /**
   * Has this endpoint ever answered (any HTTP status)? Until it has, a refused connection or an unknown host is
   * not retried: the command ends at once naming the cause (a dead endpoint), instead of minutes of backoff.
   */
  private answered = false;

  /** classifyError, plus: a network error before the first answer is `unreachable` (ECONNREFUSED, ENOTFOUND). */
  private classify(err: unknown): RetryDecision {
    const status = (err as { status?: unknown })?.status;
    if (typeof status === "number" || err instanceof MalformedResponseError) this.answered = true;
    const decision = classifyError(err);
    if (decision.reason === "connection" && !this.answered) {
      const code = networkErrorCode(err);
      if (code && UNREACHABLE_CODES.has(code)) return { retry: false, reason: code };
    }
    return decision;
  }

  private hint(d: RetryDecision): string {
    if (d.reason === "401" || d.reason === "403") return " (check PARROT_API_KEY or OPENAI_API_KEY)";
    if (d.reason === "404") return ` (is "${this.cfg.model}" served at ${this.cfg.baseURL}?)`;
    if (UNREACHABLE_CODES.has(d.reason)) return ` (nothing answers at ${this.cfg.baseURL}: is the server running? \`parrot models serve\` starts one)`;
    if (d.reason === "context-length") return " (the prompt does not fit the model's context window)";
    return "";
  }

  private async withRetries(call: (timeoutMs: number) => Promise<Completion>, options: GenerateOptions): Promise<Completion> {
    const timeout = options.timeoutMs ?? this.cfg.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const out = await callWithRetries(
      async () => {
        const c = await call(timeout);
        this.answered = true;
        return c;
      },
      {
        id: this.id,
        maxAttempts: this.cfg.maxAttempts ?? 6,
        backoffBaseMs: this.cfg.backoffBaseMs ?? 500,
        backoffMaxMs: this.cfg.backoffMaxMs ?? 60_000,
        classify: (err) => this.classify(err),
        hint: (d) => this.hint(d),
        onRetry: this.cfg.onRetry,
        log: this.cfg.log,
        signal: options.signal,
        counters: this.counters,
      },
    );
    this.counters.promptTokens += out.usage.promptTokens;
    this.counters.completionTokens += out.usage.completionTokens;
    return out;
  }
}
