/**
 * Local GGUF engine: a GGUF file run in-process on the CPU with node-llama-cpp v3 (llama.cpp bindings).
 *
 * - One `Llama` per process and one loaded `LlamaModel` per file path (shared between handles, reference counted).
 * - Each handle owns one context with `parallel` sequences; concurrent requests run on separate sequences (batched
 *   together by node-llama-cpp), requests beyond that wait in a FIFO queue.
 * - `chat` renders the model's own chat template from its GGUF metadata (`tokenizer.chat_template`, through
 *   node-llama-cpp's JinjaTemplateChatWrapper); `complete` is a raw continuation (LlamaCompletion).
 * - `default` specs resolve DEFAULT_GGUF_MODEL (src/llm/spec.ts) with node-llama-cpp's `resolveModelFile` into the
 *   user cache (`defaultModelDir`); offline and not cached, it fails within seconds with a UserError.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ChatHistoryItem, ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { UserError } from "../io/errors.js";
import { formatModelSpec, type ModelSpec } from "./spec.js";
import {
  type ChatMessage,
  type Completion,
  type GenerateOptions,
  type LanguageModel,
  type ModelOptions,
  type ModelStats,
  emptyStats,
} from "./types.js";

/** Default per-request timeout, ms (same as the HTTP engine). */
export const DEFAULT_LOCAL_TIMEOUT_MS = 600_000;
/** Default context size per sequence, tokens (capped by the model's training context). */
export const DEFAULT_LOCAL_CONTEXT = 4096;
/** Default new-token caps when a request names none: chat answers and raw completions (HTTP's default is 512). */
export const DEFAULT_CHAT_MAX_TOKENS = 1024;
export const DEFAULT_COMPLETE_MAX_TOKENS = 512;
/** Default sampling temperature of the local engine. */
export const DEFAULT_LOCAL_TEMPERATURE = 0.7;
/** How long the default model's resolver may take before a download starts (offline detection), ms. */
export const DEFAULT_RESOLVE_TIMEOUT_MS = 15_000;

const HOW_TO_NAME =
  "name a local GGUF file with gguf:PATH (e.g. one made by `parrot models smoke`) or an OpenAI-compatible endpoint " +
  "with URL#MODEL (base URL ending in /v1) or openai:MODEL";

/**
 * The folder where the default model is cached: `$PARROT_CACHE_DIR/models`, else `$XDG_CACHE_HOME/parrot/models`,
 * else `~/.cache/parrot/models`.
 */
export function defaultModelDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PARROT_CACHE_DIR) return path.join(env.PARROT_CACHE_DIR, "models");
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "parrot", "models");
}

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

/**
 * Resolve the default model (an `hf:` URI) to a local file: a cached copy is used without network; otherwise
 * node-llama-cpp downloads it into `dir`. If no download has started within `timeoutMs` (or the Hub is
 * unreachable), fails with a UserError that says how to name a local file or an endpoint.
 */
export async function resolveDefaultModel(
  uri: string,
  opts: { dir?: string; timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<string> {
  const { resolveModelFile } = await import("node-llama-cpp");
  const dir = opts.dir ?? defaultModelDir();
  try {
    return await resolveModelFile(uri, { directory: dir, download: false, cli: false });
  } catch {
    // not cached: download below
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  const fail = (why: string, cause?: unknown) =>
    new UserError(
      `default model ${uri} is not cached in ${dir} and could not be downloaded (${why}). ` +
        `Connect to the network once to cache it, or ${HOW_TO_NAME}.`,
      { cause },
    );
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fail(`cannot create the cache folder: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, err);
  }
  // Probe the Hub first with an abortable request: node-llama-cpp's downloader retries a dead network for minutes
  // and its pending retries would keep the process alive after we give up.
  const probe = probeUrl(uri);
  if (probe) {
    try {
      const res = await fetch(probe, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(Math.min(timeoutMs, 10_000)) });
      if (res.status >= 400) throw new Error(`HTTP ${res.status} for ${probe}`);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why = e.name === "TimeoutError" ? `no answer from ${new URL(probe).host} within ${Math.round(Math.min(timeoutMs, 10_000) / 1000)} s` : (e.cause?.code ?? e.message);
      throw fail(why, err);
    }
  }
  const abort = new AbortController();
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (started) return;
      abort.abort();
      reject(fail(`no response from the Hugging Face Hub within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    timer.unref();
  });
  opts.log?.(`downloading the default model ${uri} into ${dir} (first use only)`);
  const download = resolveModelFile(uri, {
    directory: dir,
    cli: process.stderr.isTTY === true,
    signal: abort.signal,
    onProgress: () => {
      started = true;
    },
  }).catch((err: unknown) => {
    throw err instanceof UserError ? err : fail(String((err as Error)?.message ?? err), err);
  });
  try {
    return await Promise.race([download, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/** Files below this size are "tiny" (smoke models): one thread, see defaultThreads. */
export const TINY_MODEL_BYTES = 64 * 1024 * 1024;

/**
 * CPU threads when none are given: `$PARROT_THREADS` if set, else the core count (`os.availableParallelism()`),
 * except 1 for tiny files (< 64 MiB, e.g. smoke models): their per-token matmuls take about a millisecond, so
 * ggml's thread barriers cost more than they save, and on a busy 2-core machine a second spinning thread made
 * generation ~100× slower in our measurements (bench/local-engine.mjs).
 */
export function defaultThreads(file: string, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.PARROT_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  try {
    if (fs.statSync(file).size < TINY_MODEL_BYTES) return 1;
  } catch {
    // fall through
  }
  return os.availableParallelism();
}

/** The download URL of an `hf:USER/REPO/FILE` (or https) model URI, to probe reachability; undefined otherwise. */
export function probeUrl(uri: string): string | undefined {
  if (/^https?:\/\//i.test(uri)) return uri;
  const m = /^hf:([^/\s]+)\/([^/\s:#]+)\/([^#\s]+\.gguf)(?:#(.+))?$/i.exec(uri);
  if (!m) return undefined;
  return `https://huggingface.co/${m[1]}/${m[2]}/resolve/${m[4] ?? "main"}/${m[3]}`;
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

/** Cut `text` before the first occurrence of any stop string (defensive: node-llama-cpp already omits it). */
/**
 * node-llama-cpp generation options shared by chat and raw completion: our defaults, no repeat penalty (as the HTTP
 * engines), stop strings as custom stop triggers, and an abort signal that throws rather than returning partial text.
 */
function samplingOptions(options: GenerateOptions, defaultMaxTokens: number, signal: AbortSignal, onToken: (tokens: Token[]) => void) {
  return {
    maxTokens: options.maxTokens ?? defaultMaxTokens,
    temperature: options.temperature ?? DEFAULT_LOCAL_TEMPERATURE,
    ...(options.seed !== undefined && { seed: options.seed }),
    ...(options.stop?.length && { customStopTriggers: options.stop }),
    repeatPenalty: false as const,
    signal,
    stopOnAbortSignal: false,
    onToken,
  };
}

function cutAtStop(text: string, stop: readonly string[] | undefined): string {
  let out = text;
  for (const s of stop ?? []) {
    if (!s) continue;
    const i = out.indexOf(s);
    if (i >= 0) out = out.slice(0, i);
  }
  return out;
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
   * @throws UserError on timeout (naming the model) or after close.
   */
  async chat(messages: ChatMessage[], options: GenerateOptions = {}): Promise<Completion> {
    const { LlamaChat } = await import("node-llama-cpp");
    const history = toHistory(messages);
    return this.run(options, async (sequence, signal, onToken) => {
      const promptTokens = this.chatWrapper
        .generateContextState({ chatHistory: [...history, { type: "model", response: [] }] })
        .contextText.tokenize(this.model.tokenizer).length;
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: this.chatWrapper, autoDisposeSequence: false });
      try {
        const res = await chat.generateResponse(history, samplingOptions(options, DEFAULT_CHAT_MAX_TOKENS, signal, onToken));
        return { text: cutAtStop(res.response, options.stop), promptTokens, finishReason: finishReason(res.metadata.stopReason) };
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    });
  }

  /**
   * Raw completion: the prompt is tokenized as-is (special tokens such as `<|im_start|>` are parsed as such) and
   * continued; generation ends at a stop string (not returned), an end-of-generation token, or maxTokens.
   * @throws UserError on timeout (naming the model) or after close.
   */
  async complete(prompt: string, options: GenerateOptions = {}): Promise<Completion> {
    const { LlamaCompletion } = await import("node-llama-cpp");
    return this.run(options, async (sequence, signal, onToken) => {
      const tokens = this.model.tokenize(prompt, true);
      const bos = this.model.tokens.bos;
      const input =
        this.model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos ? ([bos, ...tokens] as Token[]) : tokens;
      const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
      try {
        const res = await completion.generateCompletionWithMeta(input, samplingOptions(options, DEFAULT_COMPLETE_MAX_TOKENS, signal, onToken));
        return { text: cutAtStop(res.response, options.stop), promptTokens: input.length, finishReason: finishReason(res.metadata.stopReason) };
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    });
  }

  /** Queue for a sequence, run one generation under the per-request timeout, count usage and failures. */
  private async run(
    options: GenerateOptions,
    generate: (
      sequence: LlamaContextSequence,
      signal: AbortSignal,
      onToken: (tokens: Token[]) => void,
    ) => Promise<{ text: string; promptTokens: number; finishReason: string }>,
  ): Promise<Completion> {
    if (this.closed) throw new UserError(`${this.id}: model closed`);
    this.counters.requests++;
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
      this.counters.failures++;
      if (timedOut) {
        const secs = ((options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_LOCAL_TIMEOUT_MS) / 1000).toString();
        throw new UserError(`${this.id}: request timed out after ${secs} s (raise --request-timeout or lower max tokens)`, { cause: err });
      }
      if (err instanceof UserError) throw err;
      if (abort.signal.aborted) throw options.signal?.aborted ? options.signal.reason ?? err : err;
      throw new UserError(`${this.id}: generation failed (${(err as Error)?.message ?? String(err)})`, { cause: err });
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
 * Create a local GGUF model from a parsed `gguf:PATH` or `default` spec.
 * Options: `parallel` (context sequences, default 1), `threads` (default: all cores), `contextSize` (tokens per
 * sequence, default 4096 capped by the model's training context), `requestTimeoutMs` (default 600 s).
 * @throws UserError when the file is missing or not a GGUF, or (default) the model is not cached and cannot be
 *   downloaded; the message says how to name a local file or an endpoint.
 */
export async function createGgufModel(spec: Exclude<ModelSpec, { kind: "http" }>, options: ModelOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<GgufModel> {
  let file: string;
  if (spec.kind === "gguf") {
    file = path.resolve(spec.path);
    checkGgufFile(file);
  } else {
    const env = options.env ?? process.env;
    const timeoutEnv = Number(env.PARROT_DOWNLOAD_TIMEOUT);
    file = await resolveDefaultModel(spec.uri, {
      dir: defaultModelDir(env),
      timeoutMs: Number.isFinite(timeoutEnv) && timeoutEnv > 0 ? timeoutEnv * 1000 : undefined,
      log: options.log,
    });
    checkGgufFile(file);
  }
  return GgufModel.open(formatModelSpec(spec), file, options);
}
