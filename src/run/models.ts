/**
 * Models as model-calling commands use them: every request goes through the command's shared RequestLimiter,
 * 429s lower the limit, and retries are counted by reason for the end-of-run summary.
 */
import { UserError } from "../io/errors.js";
import { createModel } from "../llm/index.js";
import type { ChatMessage, Completion, ContinuationScore, GenerateOptions, LanguageModel, ModelStats } from "../llm/types.js";
import type { RequestLimiter } from "./limiter.js";
import type { Progress } from "./progress.js";
import type { UsageMeter } from "./usage.js";

export interface LimitedModelOptions {
  /** Flag name for errors ("assistant", "judge", ...). */
  flag: string;
  limiter: RequestLimiter;
  /** Per-request timeout, seconds (`--request-timeout`). */
  requestTimeoutSec?: number;
  /** Local engines: parallel sequences (use the command's concurrency). */
  parallel?: number;
  /** The command's progress display: counts every finished request and its tokens, and prints retry logs. */
  progress?: Progress;
  /** HTTP backoff base, ms. Default: `PARROT_BACKOFF_BASE_MS` from the environment, else the engine's 500 ms. */
  backoffBaseMs?: number;
  maxAttempts?: number;
  /** The run's token meter (`output.usage`): every finished call is recorded, and calls stop at the token budget. */
  usage?: UsageMeter;
  /** The role recorded for this model's calls: asker, assistant, judge, negative. Default: `flag`. */
  role?: string;
}

/**
 * Does the model an endpoint names in its answer match the one asked for? The same name, or a dated/qualified
 * snapshot of it (`gpt-4o` answered by `gpt-4o-2024-08-06`, `Qwen2.5-7B` by `Qwen/Qwen2.5-7B`), counts as the same.
 */
export function sameModel(asked: string, answered: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/^.*\//, "");
  const a = norm(asked);
  const b = norm(answered);
  return a === b || b.startsWith(a) || a.startsWith(b);
}

/** What the answers of one model looked like: cut at max tokens, empty, or from another model than asked. */
export interface AnswerCounts {
  /** Finish reason "length": the answer was cut at the max-tokens cap (or the end of the context). */
  truncated: number;
  /** Empty (or whitespace-only) text. */
  empty: number;
  /** Answers whose `model` field names another model than the spec asked for. */
  otherModel: number;
  /** The other model names seen. */
  otherModels: Set<string>;
}

/** A model whose calls are bounded by a shared limiter; also counts retries by reason and odd answers. */
export class LimitedModel implements LanguageModel {
  readonly retryReasons: Record<string, number> = {};
  readonly answers: AnswerCounts = { truncated: 0, empty: 0, otherModel: 0, otherModels: new Set() };
  constructor(
    private readonly inner: LanguageModel,
    private readonly opts: LimitedModelOptions,
  ) {}
  get id(): string {
    return this.inner.id;
  }
  get name(): string {
    return this.inner.name;
  }
  chat(messages: ChatMessage[], options?: GenerateOptions): Promise<Completion> {
    return this.opts.limiter.run(async () => {
      this.opts.usage?.checkBudget();
      return this.count(await this.inner.chat(messages, options), options);
    });
  }
  complete(prompt: string, options?: GenerateOptions): Promise<Completion> {
    return this.opts.limiter.run(async () => {
      this.opts.usage?.checkBudget();
      return this.count(await this.inner.complete(prompt, options), options);
    });
  }
  /** The engine's scoreContinuation through the limiter; undefined when the engine has none. */
  get scoreContinuation(): LanguageModel["scoreContinuation"] {
    const inner = this.inner;
    if (!inner.scoreContinuation) return undefined;
    return (prompt: string, continuation: string, options?: Pick<GenerateOptions, "timeoutMs" | "signal">): Promise<ContinuationScore> =>
      this.opts.limiter.run(() => inner.scoreContinuation!(prompt, continuation, options));
  }
  /**
   * The exact prompt text the engine's chat template makes of `messages` (local GGUF engines: `renderChatPrompt`),
   * or undefined for engines that apply their template out of sight (HTTP).
   */
  get renderChatPrompt(): ((messages: ChatMessage[]) => string) | undefined {
    const r = (this.inner as { renderChatPrompt?: (m: ChatMessage[]) => string }).renderChatPrompt;
    return typeof r === "function" ? (messages) => r.call(this.inner, messages) : undefined;
  }
  stats(): ModelStats {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  /** Record a retry (wired to the engine's onRetry hook). */
  noteRetry(reason: string): void {
    this.retryReasons[reason] = (this.retryReasons[reason] ?? 0) + 1;
    if (reason === "429") this.opts.limiter.onRateLimited();
  }
  private count(c: Completion, options: GenerateOptions | undefined): Completion {
    this.opts.progress?.request(c.usage.promptTokens + c.usage.completionTokens);
    if (c.finishReason === "length") this.answers.truncated++;
    if (c.text.trim() === "") this.answers.empty++;
    if (c.model && !sameModel(this.inner.name, c.model)) {
      this.answers.otherModel++;
      if (!this.answers.otherModels.has(c.model)) {
        this.answers.otherModels.add(c.model);
        const line = `warning: ${this.id} answered as model "${c.model}", not "${this.inner.name}": is the endpoint serving what you named?`;
        if (this.opts.progress) this.opts.progress.log(line);
        else process.stderr.write(line + "\n");
      }
    }
    this.opts.usage?.record(
      { role: options?.tag?.role ?? this.opts.role ?? this.opts.flag, model: this.inner.id, stage: options?.tag?.stage ?? "call", turn: options?.tag?.turn },
      c.usage.promptTokens,
      c.usage.completionTokens,
    );
    return c;
  }
}

/**
 * Base of the exponential retry backoff from `PARROT_BACKOFF_BASE_MS` (milliseconds, a number >= 0), or undefined
 * when unset (the engine default, 500 ms, applies). Fault tests set it to a few ms so retries take no time;
 * a server's Retry-After is honoured regardless.
 * @throws UserError when the variable is set but not a number >= 0.
 */
export function backoffBaseFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.PARROT_BACKOFF_BASE_MS;
  if (v === undefined || v.trim() === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UserError(`PARROT_BACKOFF_BASE_MS "${v}": expected a number of milliseconds >= 0`);
  return n;
}

/**
 * Create a LimitedModel from a spec string.
 * @throws UserError for a malformed spec or an unavailable model.
 */
export async function createLimitedModel(spec: string, opts: LimitedModelOptions): Promise<LimitedModel> {
  let limited: LimitedModel | undefined;
  const inner = await createModel(spec, {
    flag: opts.flag,
    requestTimeoutMs: opts.requestTimeoutSec !== undefined ? opts.requestTimeoutSec * 1000 : undefined,
    parallel: opts.parallel,
    log: opts.progress ? (line) => opts.progress!.log(line) : undefined,
    maxAttempts: opts.maxAttempts,
    onRetry: (reason) => limited?.noteRetry(reason),
    backoffBaseMs: opts.backoffBaseMs ?? backoffBaseFromEnv(),
  });
  limited = new LimitedModel(inner, opts);
  return limited;
}

/**
 * One line per model for the end of a run: requests, retries by reason, failures, tokens.
 * Models given twice (same object) are reported once.
 */
export function summarizeModels(models: ReadonlyArray<LimitedModel>): string[] {
  const seen = new Set<LimitedModel>();
  const lines: string[] = [];
  for (const m of models) {
    if (seen.has(m)) continue;
    seen.add(m);
    const s = m.stats();
    const reasons = Object.entries(m.retryReasons).map(([k, v]) => `${k}: ${v}`).join(", ");
    const a = m.answers;
    const odd = [
      a.truncated ? `${a.truncated} cut at max tokens` : "",
      a.empty ? `${a.empty} empty` : "",
      a.otherModel ? `${a.otherModel} from another model (${[...a.otherModels].join(", ")})` : "",
    ].filter(Boolean);
    lines.push(
      `${m.id}: ${s.requests} requests, ${s.retries} retries${reasons ? ` (${reasons})` : ""}, ${s.failures} failures, ` +
        `${s.promptTokens} prompt + ${s.completionTokens} completion tokens${odd.length ? `; answers: ${odd.join(", ")}` : ""}`,
    );
  }
  return lines;
}
