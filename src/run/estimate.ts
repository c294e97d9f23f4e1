/**
 * `--dry-run` estimates (issue 15): requests and tokens a run will need, computed before any model call from the
 * inputs and settings, in the same shape as the counted usage (src/run/usage.ts `Breakdown`), so the two print
 * and price the same way.
 *
 * The estimator, per call:
 * - **prompt tokens** are counted on the prompt the command will send, built by the command's own prompt code
 *   (B.1 transcript, B.2 prompt, capo's and bench's prompts) from the real inputs (seed queries, session turns,
 *   questions, answers) with every not-yet-generated text (replies, simulated queries) left empty and its expected
 *   length added as a number of tokens. Counting: with a local model (`gguf:PATH`, a registered name) its own
 *   tokenizer and chat template (the GGUF file is loaded, nothing is generated); with an endpoint, characters / 4
 *   plus 4 tokens per chat message and 3 per request (OpenAI's rule of thumb for ChatML-style templates).
 * - **generated tokens** = max tokens × an expected fill ratio, by role. Registered models carry fill ratios
 *   measured on the ShareGPT sample (`RATES` below; bench/estimate-calibrate.mjs measures them); any other model gets
 *   1.0, i.e. every reply uses its whole max tokens: for those the estimate is an upper bound.
 * - **requests**: one per planned call; collect also multiplies simulated queries by the expected number of
 *   attempts per accepted query (filters regenerate rejected ones), 1 for unknown models, and assumes every session
 *   reaches its target turns (early stops make the real run cheaper).
 */
import * as fs from "node:fs";
import { UserError } from "../io/errors.js";
import { createModel } from "../llm/index.js";
import type { ChatMessage, LanguageModel } from "../llm/types.js";
import type { PriceTable } from "./prices.js";
import { type Breakdown, type CallTag, breakdownLines, emptyBreakdown } from "./usage.js";

/** Counts prompt tokens the way a model's engine will. */
export interface TokenCounter {
  /** Tokens of a chat request's prompt (template, generation prompt included). */
  chat(messages: ChatMessage[]): number;
  /** Tokens of a raw-completion prompt. */
  text(prompt: string): number;
  /** How it counts, for the printout: `tokenizer of smollm2-135m` or `chars/4`. */
  readonly how: string;
}

/** Characters per token of the rule used for endpoints (no tokenizer at hand). */
export const CHARS_PER_TOKEN = 4;

/** chars/4, plus 4 tokens per chat message and 3 per request. */
export const charsRuleCounter: TokenCounter = {
  chat: (messages) => 3 + messages.reduce((n, m) => n + 4 + Math.ceil(m.content.length / CHARS_PER_TOKEN), 0),
  text: (prompt) => Math.ceil(prompt.length / CHARS_PER_TOKEN),
  how: `chars/${CHARS_PER_TOKEN} + 4 per message + 3 per request`,
};

interface LocalTokenizing {
  tokenize(text: string, specialTokens?: boolean): unknown[];
  renderChatPrompt(messages: ChatMessage[]): string;
}

/** The counter of a model: its own tokenizer and template when it is a local GGUF model, else the chars/4 rule. */
export function tokenCounterOf(model: LanguageModel): TokenCounter {
  const m = model as unknown as Partial<LocalTokenizing>;
  if (typeof m.tokenize === "function" && typeof m.renderChatPrompt === "function") {
    const local = m as LocalTokenizing;
    return {
      chat: (messages) => local.tokenize(local.renderChatPrompt(messages), true).length,
      // complete() prepends BOS when the model wants one; one token either way.
      text: (prompt) => local.tokenize(prompt, true).length,
      how: `the tokenizer and chat template of ${model.id}`,
    };
  }
  return charsRuleCounter;
}

/**
 * Expected share of max tokens a reply uses, by role; simulator calls per query turn attempted (the filters make it
 * ask again); and the share of attempted query turns that end with an accepted query (a session stops at the first
 * that does not: collect's `filtered:*` stop reasons).
 */
export interface ModelRates {
  fill: { assistant: number; asker: number; judge: number; negative: number };
  queryAttempts: number;
  queryAccept: number;
  /** Where the numbers come from. */
  source: string;
}

/** For models we have not measured: every reply fills its max tokens, one attempt per query (an upper bound). */
export const UPPER_BOUND_RATES: ModelRates = {
  fill: { assistant: 1, asker: 1, judge: 1, negative: 1 },
  queryAttempts: 1,
  queryAccept: 1,
  source: "no measurement for this model: replies assumed to use all their max tokens (an upper bound)",
};

/**
 * Measured rates of registered models (bench/estimate-calibrate.mjs; bench/README.md "What a run costs").
 * smollm2-135m: `collect` on the ShareGPT sample, --seed 1, 2 and 3 (not the seed the test checks, 0), 6 sessions of
 * 3 turns each, max tokens 48 / query max tokens 32, `--concurrency 1` (deterministic), pooled: replies used 0.99 of
 * their max tokens, B.1 queries 0.78 (the 135M model seldom writes the `[ASSISTANT]` stop, and a query cut at the cap
 * is rejected unless a question can be salvaged from it), 3.1 simulator calls per query turn, and 0.52
 * of the query turns ended with an accepted query (the rest stopped their session). Fill ratios fall with larger max
 * tokens (a reply ends on its own before them): at 256 tokens and more these overestimate. The judge and negative
 * fills are not measured (set to the assistant's).
 */
export const RATES: Record<string, ModelRates> = {
  "smollm2-135m": {
    fill: { assistant: 0.99, asker: 0.78, judge: 0.99, negative: 0.99 },
    queryAttempts: 3.1,
    queryAccept: 0.52,
    source: "fill ratios measured for smollm2-135m at 48/32 max tokens on the ShareGPT sample (bench/estimate-calibrate.mjs)",
  },
};

/** The rates of a model id (`default` and registered names; others get the upper bound). */
export function ratesOf(modelId: string): ModelRates {
  const name = modelId === "default" ? "smollm2-135m" : modelId;
  return RATES[name] ?? UPPER_BOUND_RATES;
}

/** Adds estimated calls into a Breakdown (same shape as counted usage). */
export class EstimateBuilder {
  readonly breakdown: Breakdown = emptyBreakdown();
  /** Add `requests` calls of `prompt` tokens each generating `completion` tokens (fractions allowed; rounded at the end). */
  add(tag: CallTag, prompt: number, completion: number, requests = 1): void {
    const c = { requests, prompt_tokens: prompt * requests, completion_tokens: completion * requests };
    const b = this.breakdown;
    const bump = (map: Record<string, typeof c>, key: string) => {
      const x = (map[key] ??= { requests: 0, prompt_tokens: 0, completion_tokens: 0 });
      x.requests += c.requests;
      x.prompt_tokens += c.prompt_tokens;
      x.completion_tokens += c.completion_tokens;
    };
    b.total.requests += c.requests;
    b.total.prompt_tokens += c.prompt_tokens;
    b.total.completion_tokens += c.completion_tokens;
    bump(b.by_role, tag.role);
    bump(b.by_model, tag.model);
    bump(b.by_stage, tag.stage);
    if (tag.turn !== undefined) bump(b.by_turn, String(tag.turn));
  }
  /** The breakdown with every number rounded to an integer. */
  result(): Breakdown {
    const round = (c: { requests: number; prompt_tokens: number; completion_tokens: number }) => ({
      requests: Math.round(c.requests),
      prompt_tokens: Math.round(c.prompt_tokens),
      completion_tokens: Math.round(c.completion_tokens),
    });
    const map = (m: Record<string, { requests: number; prompt_tokens: number; completion_tokens: number }>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, round(v)]));
    const b = this.breakdown;
    return { total: round(b.total), by_role: map(b.by_role), by_model: map(b.by_model), by_stage: map(b.by_stage), by_turn: map(b.by_turn) };
  }
}

/** A `--dry-run` printout: the estimate, how tokens were counted per model, and the rates used. */
export function estimateNotes(models: ReadonlyArray<{ id: string; counter: TokenCounter; rates: ModelRates }>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of models) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(`  ${m.id}: prompt tokens by ${m.counter.how}; ${m.rates.source}`);
  }
  return out;
}

/**
 * The non-empty lines of a file, or none when it does not exist: a read-only look at an output for `--dry-run`
 * (never repairs, never locks). @throws UserError for any other read error.
 */
export function readLinesIfAny(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw new UserError(`${file}: cannot read (${code ?? String(err)})`);
  }
  return text.split("\n").filter((l) => l.trim() !== "");
}

/**
 * The keys of the rows already in an output, for `--dry-run` (with `planTasks`, src/run/executor.ts): a read-only
 * look (`readLinesIfAny`) at whole lines that parse; `keyOf` is the output's key function (`openResumable`'s), and
 * a line it cannot key (torn, not an object, another kind) is not done.
 */
export function readDoneKeys<Row>(file: string, keyOf: (row: Row) => string | undefined): Set<string> {
  const done = new Set<string>();
  for (const line of readLinesIfAny(file)) {
    try {
      const key = keyOf(JSON.parse(line) as Row);
      if (key !== undefined) done.add(key);
    } catch {
      // a torn last line: not done
    }
  }
  return done;
}

/** A model as the estimator sees it: its id, how its prompt tokens are counted, its fill ratios. */
export interface EstimateModel {
  id: string;
  counter: TokenCounter;
  rates: ModelRates;
}

/**
 * Print a dry-run estimate on stderr: load each model spec only for its tokenizer (a local model; nothing is
 * generated, no request is sent; a spec given for two roles is loaded once), let `fill` add the calls (its models in
 * the order of `models`), then print `title`, the breakdown (with cost under `prices`) and the counting notes
 * (`source` replaces the rates' source there, e.g. capo's assumption).
 */
export async function printEstimate(
  title: string,
  models: ReadonlyArray<{ spec: string; flag: string }>,
  prices: PriceTable | undefined,
  fill: (builder: EstimateBuilder, models: EstimateModel[]) => void,
  options: { source?: string } = {},
): Promise<void> {
  const loaded = new Map<string, LanguageModel>();
  try {
    const ms: EstimateModel[] = [];
    for (const { spec, flag } of models) {
      let model = loaded.get(spec);
      if (!model) {
        model = await createModel(spec, { flag, parallel: 1 });
        loaded.set(spec, model);
      }
      ms.push({ id: model.id, counter: tokenCounterOf(model), rates: ratesOf(model.id) });
    }
    const est = new EstimateBuilder();
    fill(est, ms);
    process.stderr.write(title + "\n");
    for (const line of breakdownLines("  estimate", est.result(), prices)) process.stderr.write(line + "\n");
    const noted = options.source === undefined ? ms : ms.map((m) => ({ ...m, rates: { ...m.rates, source: options.source! } }));
    for (const line of estimateNotes(noted)) process.stderr.write(line + "\n");
  } finally {
    for (const model of loaded.values()) await model.close();
  }
}
