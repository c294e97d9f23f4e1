/**
 * What a run costs (issue 15): token counts of every model call of a model-calling command (collect, capo,
 * context detect --judge, bench answer, bench judge), by role, model, stage and turn, kept in the output's run
 * manifest (`OUT.manifest.json`, key `usage`, beside `settings`), summed across resumed runs, printed at the end.
 *
 * How resumed runs are summed without double counting: every call is recorded in the ledger of the work item it
 * belongs to (an AsyncLocalStorage scope opened by `UsageMeter.scoped` around the runPool worker). When the item
 * appends a row, the item's ledger so far is committed to `written`: the calls behind the rows in OUT. A row is
 * appended exactly once over all runs (resume skips finished keys), so `written` summed over runs is the cost of the
 * rows in the file, each counted once. Calls of items that wrote nothing (skipped after failures, cut by the token
 * budget, a seed that did not fit, aborted) go to `unwritten` when the item ends: real spending, kept apart so a rerun
 * that redoes those items does not make `written` count them twice. Each invocation also appends one record to
 * `runs` (its own written/unwritten totals and budget), so what every run spent stays visible.
 * Only calls that returned are counted (the engines report no usage for a failed request).
 *
 * Manifest shape (tokens are the engine's own counts, `usage.prompt_tokens` / `completion_tokens`):
 *   "usage": {
 *     "written":   {total, by_role, by_model, by_stage, by_turn},   // each a Counts or a map of Counts
 *     "unwritten": {total, by_role, by_model, by_stage, by_turn},
 *     "runs": [{run, started, ended, budget?, stopped_by_budget, written: Counts, unwritten: Counts}]
 *   }
 *   Counts = {requests, prompt_tokens, completion_tokens}
 *
 * The manifest is rewritten at most once a second while rows are written, and at the end: a `kill -9` loses at most
 * the last second's counts (the rows themselves are kept; collect's rows also carry `meta.tokens`).
 *
 * Token budget (`--max-total-tokens N`): once the calls of this invocation have used N tokens (prompt + completion),
 * no further call starts (`checkBudget` throws BudgetReachedError, which skips the item silently) and no further
 * item is pulled (`until`); calls already in flight finish, so a run overshoots N by at most the calls in flight.
 * The run then ends with exit 3 ("incomplete": rerun to continue, see failures.ts). The budget is per invocation and
 * is not a run setting: a rerun without it, or with any other value, resumes the same output.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { BudgetReachedError } from "./failures.js";
import { type PriceTable, priceOf } from "./prices.js";

/** Requests and tokens. */
export interface Counts {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
}

/** Counts overall and broken down by role, model (spec id), stage and turn (a string key: "1", "2", ...). */
export interface Breakdown {
  total: Counts;
  by_role: Record<string, Counts>;
  by_model: Record<string, Counts>;
  by_stage: Record<string, Counts>;
  by_turn: Record<string, Counts>;
}

/** One invocation's totals. */
export interface RunUsage {
  run: number;
  started: string;
  ended?: string;
  budget?: number;
  stopped_by_budget: boolean;
  written: Counts;
  unwritten: Counts;
}

/** The manifest's `usage` key (see the module comment). */
export interface ManifestUsage {
  written: Breakdown;
  unwritten: Breakdown;
  runs: RunUsage[];
}

/**
 * Who made a call: `role` is one of asker (user simulator), assistant, judge, negative (capo's negative builder);
 * `stage` names the step (collect: response, query; capo: the strategy step; bench: answer, judge; context: judge).
 */
export interface CallTag {
  role: string;
  model: string;
  stage: string;
  /** The session/question turn the call belongs to (1-based), when there is one. */
  turn?: number;
}

export function emptyCounts(): Counts {
  return { requests: 0, prompt_tokens: 0, completion_tokens: 0 };
}

export function emptyBreakdown(): Breakdown {
  return { total: emptyCounts(), by_role: {}, by_model: {}, by_stage: {}, by_turn: {} };
}

function addCounts(into: Counts, c: Counts): void {
  into.requests += c.requests;
  into.prompt_tokens += c.prompt_tokens;
  into.completion_tokens += c.completion_tokens;
}

function addTo(map: Record<string, Counts>, key: string, c: Counts): void {
  addCounts((map[key] ??= emptyCounts()), c);
}

/** Add breakdown `b` into `into` (in place). */
export function addBreakdown(into: Breakdown, b: Breakdown): Breakdown {
  addCounts(into.total, b.total);
  for (const k of ["by_role", "by_model", "by_stage", "by_turn"] as const) for (const [key, c] of Object.entries(b[k])) addTo(into[k], key, c);
  return into;
}

function recordInto(b: Breakdown, tag: CallTag, c: Counts): void {
  addCounts(b.total, c);
  addTo(b.by_role, tag.role, c);
  addTo(b.by_model, tag.model, c);
  addTo(b.by_stage, tag.stage, c);
  if (tag.turn !== undefined) addTo(b.by_turn, String(tag.turn), c);
}

/** Tokens of a Counts (prompt + completion). */
export function tokensOf(c: Counts): number {
  return c.prompt_tokens + c.completion_tokens;
}

function isCounts(v: unknown): v is Counts {
  const o = v as Counts;
  return typeof o === "object" && o !== null && [o.requests, o.prompt_tokens, o.completion_tokens].every((x) => typeof x === "number" && Number.isFinite(x));
}

function readBreakdown(v: unknown): Breakdown {
  const out = emptyBreakdown();
  const o = v as Record<string, unknown> | undefined;
  if (!o || typeof o !== "object") return out;
  if (isCounts(o.total)) addCounts(out.total, o.total);
  for (const k of ["by_role", "by_model", "by_stage", "by_turn"] as const) {
    const m = o[k];
    if (m && typeof m === "object") for (const [key, c] of Object.entries(m)) if (isCounts(c)) addTo(out[k], key, c);
  }
  return out;
}

/** The `usage` of a manifest as recorded (missing or malformed parts read as zero). */
export function readManifestUsage(v: unknown): ManifestUsage {
  const o = (v && typeof v === "object" ? v : {}) as Record<string, unknown>;
  const runs = Array.isArray(o.runs) ? (o.runs.filter((r) => r && typeof r === "object" && isCounts((r as RunUsage).written)) as RunUsage[]) : [];
  return { written: readBreakdown(o.written), unwritten: readBreakdown(o.unwritten), runs };
}

interface Ledger {
  calls: Array<{ tag: CallTag; counts: Counts }>;
}

export interface UsageMeterOptions {
  /** The manifest's `usage` of earlier runs (summed into `total()`). */
  previous?: unknown;
  /** `--max-total-tokens`: tokens (prompt + completion) this invocation may use. */
  budget?: number;
  /** Called (throttled by the caller) when counts change: persist them. */
  onChange?: () => void;
}

/** Counts the calls of one invocation and merges them with the earlier runs' (see the module comment). */
export class UsageMeter {
  private readonly als = new AsyncLocalStorage<Ledger>();
  private readonly previous: ManifestUsage;
  /** This invocation: calls behind rows it wrote, and calls whose items wrote nothing. */
  readonly written = emptyBreakdown();
  readonly unwritten = emptyBreakdown();
  readonly started = new Date().toISOString();
  readonly budget: number | undefined;
  /** Tokens used by this invocation's calls so far (written or not). */
  spent = 0;
  /** Set once the budget was reached (no further call starts). */
  stoppedByBudget = false;
  private ended: string | undefined;

  constructor(private readonly opts: UsageMeterOptions = {}) {
    this.previous = readManifestUsage(opts.previous);
    this.budget = opts.budget;
  }

  /** Wrap a runPool worker so each item's calls are kept in its own ledger (committed when it appends a row). */
  scoped<T>(worker: (item: T) => Promise<void>): (item: T) => Promise<void> {
    return (item: T) => {
      const ledger: Ledger = { calls: [] };
      return this.als.run(ledger, async () => {
        try {
          await worker(item);
        } finally {
          // Calls after the item's last row (or of an item that wrote nothing): spent, not behind any row.
          for (const c of ledger.calls.splice(0)) recordInto(this.unwritten, c.tag, c.counts);
          this.opts.onChange?.();
        }
      });
    };
  }

  /** Record one finished call. Outside a `scoped` worker it counts as unwritten. */
  record(tag: CallTag, promptTokens: number, completionTokens: number): void {
    const counts = { requests: 1, prompt_tokens: promptTokens, completion_tokens: completionTokens };
    this.spent += promptTokens + completionTokens;
    if (this.budget !== undefined && this.spent >= this.budget) this.stoppedByBudget = true;
    const ledger = this.als.getStore();
    if (ledger) ledger.calls.push({ tag, counts });
    else recordInto(this.unwritten, tag, counts);
  }

  /** The current item appends a row: its calls so far are behind rows of OUT. Called by the resumable appender. */
  commit(): void {
    const ledger = this.als.getStore();
    if (!ledger) return;
    for (const c of ledger.calls.splice(0)) recordInto(this.written, c.tag, c.counts);
  }

  /** Whether the token budget of this invocation is used up. */
  budgetReached(): boolean {
    return this.stoppedByBudget;
  }

  /** Before a call: @throws BudgetReachedError once the budget is used up. */
  checkBudget(): void {
    if (this.stoppedByBudget) throw new BudgetReachedError(this.budget ?? 0, this.spent);
  }

  /** Items of `items` until the budget is reached (lazily: runPool stops pulling then). */
  *until<T>(items: Iterable<T>): Iterable<T> {
    for (const item of items) {
      if (this.stoppedByBudget) return;
      yield item;
    }
  }

  /** Mark this invocation finished (its record gets an end time). */
  finish(): void {
    this.ended = new Date().toISOString();
  }

  /** This invocation's record. */
  runRecord(): RunUsage {
    return {
      run: this.previous.runs.length + 1,
      started: this.started,
      ...(this.ended ? { ended: this.ended } : {}),
      ...(this.budget !== undefined ? { budget: this.budget } : {}),
      stopped_by_budget: this.stoppedByBudget,
      written: { ...this.written.total },
      unwritten: { ...this.unwritten.total },
    };
  }

  /** Whether this invocation made any call. */
  madeCalls(): boolean {
    return this.written.total.requests + this.unwritten.total.requests > 0;
  }

  /** Earlier runs plus this one: what goes into the manifest's `usage`. */
  total(): ManifestUsage {
    const written = addBreakdown(addBreakdown(emptyBreakdown(), this.previous.written), this.written);
    const unwritten = addBreakdown(addBreakdown(emptyBreakdown(), this.previous.unwritten), this.unwritten);
    return { written, unwritten, runs: [...this.previous.runs, ...(this.madeCalls() ? [this.runRecord()] : [])] };
  }

  /**
   * The end-of-run lines (stderr): this run's tokens by role, stage and turn, the output's totals over all runs, and
   * with a price table the cost of both.
   */
  summaryLines(command: string, prices?: PriceTable): string[] {
    const run = addBreakdown(addBreakdown(emptyBreakdown(), this.written), this.unwritten);
    const all = this.total();
    const lines = [
      `${command}: tokens this run: ${fmtCounts(run.total)}` +
        (this.unwritten.total.requests ? ` (${tokensOf(this.unwritten.total)} of them in calls whose items wrote nothing)` : "") +
        (this.budget !== undefined ? `; budget ${this.budget}${this.stoppedByBudget ? " reached" : ""}` : ""),
      `  by role: ${fmtMap(run.by_role)}`,
      `  by stage: ${fmtMap(run.by_stage)}`,
    ];
    if (Object.keys(run.by_turn).length > 0) lines.push(`  by turn: ${fmtMap(run.by_turn, true)}`);
    lines.push(`  output total over ${all.runs.length} run(s): rows ${fmtCounts(all.written.total)}; not written ${fmtCounts(all.unwritten.total)}`);
    if (prices) {
      const cost = (b: Breakdown) => costOf(b, prices);
      const r = cost(run);
      const t = cost(addBreakdown(addBreakdown(emptyBreakdown(), all.written), all.unwritten));
      const missing = [...new Set([...r.unpriced, ...t.unpriced])];
      lines.push(
        `  cost: this run ${fmtMoney(r.amount, prices.currency)} (${Object.entries(r.byModel).map(([m, v]) => `${m} ${fmtMoney(v, prices.currency)}`).join(", ") || "nothing"}); ` +
          `output total ${fmtMoney(t.amount, prices.currency)}${missing.length ? `; no price for ${missing.join(", ")} (counted as 0)` : ""}`,
      );
    }
    return lines;
  }
}

/** Money of a breakdown's models under a price table: total, per model, and models the table has no price for. */
export function costOf(b: Breakdown, prices: PriceTable): { amount: number; byModel: Record<string, number>; unpriced: string[] } {
  let amount = 0;
  const byModel: Record<string, number> = {};
  const unpriced: string[] = [];
  for (const [model, c] of Object.entries(b.by_model)) {
    const p = priceOf(prices, model);
    if (!p) {
      unpriced.push(model);
      continue;
    }
    const v = (c.prompt_tokens * p.input + c.completion_tokens * p.output) / 1e6;
    byModel[model] = v;
    amount += v;
  }
  return { amount, byModel, unpriced };
}

export function fmtMoney(v: number, currency: string): string {
  const digits = v !== 0 && Math.abs(v) < 0.01 ? 6 : 4;
  return `${v.toFixed(digits)} ${currency}`;
}

function fmtCounts(c: Counts): string {
  return `${tokensOf(c)} tokens (${c.prompt_tokens} prompt + ${c.completion_tokens} completion) in ${c.requests} requests`;
}

function fmtMap(m: Record<string, Counts>, numeric = false): string {
  const keys = Object.keys(m).sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  return keys.map((k) => `${k} ${tokensOf(m[k])} (${m[k].requests} req)`).join(", ") || "none";
}

/** The `--help` paragraph of the cost flags; `dryRun`: the command has `--dry-run` (all but context detect). */
export function costHelp(dryRun = true): string {
  return [
    "",
    "Cost: every run keeps its token counts (by role, model, stage and turn; the calls behind written rows apart from",
    "those of items that wrote nothing) in OUT.manifest.json under \"usage\", summed over resumed runs, and prints them",
    "at the end.",
    ...(dryRun
      ? [
          "--dry-run estimates requests and tokens before any call (prompt tokens from the local model's own tokenizer,",
          "or chars/4 for endpoints; generated tokens = max tokens x a measured fill ratio, 1.0 for unmeasured models).",
        ]
      : []),
    "--max-total-tokens N stops starting calls once this run has used N tokens and exits 3 (rerun to continue; the",
    "budget is not a setting). --prices FILE ({\"models\": {MODEL: {\"input\", \"output\"}}}, per million tokens) adds the cost.",
  ].join("\n");
}

export const COST_HELP = costHelp(true);

/**
 * Lines of an estimate (or any breakdown) for stderr: the total, then by role, stage and turn, and the cost with
 * prices.
 */
export function breakdownLines(title: string, b: Breakdown, prices?: PriceTable): string[] {
  const lines = [`${title}: ${fmtCounts(b.total)}`, `  by role: ${fmtMap(b.by_role)}`, `  by stage: ${fmtMap(b.by_stage)}`];
  if (Object.keys(b.by_turn).length > 0) lines.push(`  by turn: ${fmtMap(b.by_turn, true)}`);
  if (prices) {
    const c = costOf(b, prices);
    lines.push(
      `  cost: ${fmtMoney(c.amount, prices.currency)} (${Object.entries(c.byModel).map(([m, v]) => `${m} ${fmtMoney(v, prices.currency)}`).join(", ") || "nothing"})` +
        `${c.unpriced.length ? `; no price for ${c.unpriced.join(", ")} (counted as 0)` : ""}`,
    );
  }
  return lines;
}
