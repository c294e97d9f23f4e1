/**
 * HTTP engine: any OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp server, Ollama, hosted APIs) through the
 * official `openai` client. The client's own retries are off; parrot retries here so that every retry is
 * counted and 429's Retry-After is honoured (see retry.ts).
 */
import OpenAI from "openai";
import { ModelCallError } from "./errors.js";
import { createPooledFetch, type PooledFetch } from "./fetch.js";
import { redactSecrets } from "./redact.js";
import { backoffMs, classifyError, MalformedResponseError, sleep } from "./retry.js";
import { formatModelSpec } from "./spec.js";
import {
  type ChatMessage,
  type Completion,
  type GenerateOptions,
  type LanguageModel,
  type ModelOptions,
  type ModelStats,
  emptyStats,
} from "./types.js";

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
      let text = choice.text;
      // Some servers return the stop string; cut at the first one.
      for (const s of options.stop ?? []) {
        const i = text.indexOf(s);
        if (i >= 0) text = text.slice(0, i);
      }
      return {
        text,
        finishReason: choice.finish_reason ?? undefined,
        usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 },
      };
    }, options);
  }

  private async withRetries(call: (timeoutMs: number) => Promise<Completion>, options: GenerateOptions): Promise<Completion> {
    const maxAttempts = this.cfg.maxAttempts ?? 6;
    const timeout = options.timeoutMs ?? this.cfg.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      this.counters.requests++;
      try {
        const out = await call(timeout);
        this.counters.promptTokens += out.usage.promptTokens;
        this.counters.completionTokens += out.usage.completionTokens;
        return out;
      } catch (err) {
        const decision = classifyError(err);
        const msg = redactSecrets(String((err as Error)?.message ?? err));
        if (!decision.retry || attempt >= maxAttempts) {
          this.counters.failures++;
          if (decision.reason === "aborted") throw err;
          const hint = decision.reason === "401" || decision.reason === "403"
            ? " (check PARROT_API_KEY or OPENAI_API_KEY)"
            : decision.reason === "404" ? ` (is "${this.cfg.model}" served at ${this.cfg.baseURL}?)` : "";
          throw new ModelCallError(
            `${this.id}: request failed after ${attempt} attempt(s): ${decision.reason}: ${msg}${hint}`,
            { reason: decision.reason, transient: decision.retry },
          );
        }
        const wait = backoffMs(attempt, decision, this.cfg.backoffBaseMs ?? 500, this.cfg.backoffMaxMs ?? 60_000);
        this.counters.retries++;
        this.cfg.onRetry?.(decision.reason, wait);
        this.cfg.log?.(`${this.id}: ${decision.reason} (${msg.slice(0, 120)}); retry ${attempt}/${maxAttempts - 1} in ${(wait / 1000).toFixed(1)}s`);
        await sleep(wait, options.signal);
      }
    }
  }
}
