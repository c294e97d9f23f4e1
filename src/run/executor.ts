/**
 * The one run loop of every model-calling command, in the shape of FastChat's llm_judge
 * (fastchat/llm_judge/gen_judgment.py: the matches are planned first, then one `play_a_match` loop plays them):
 *
 *   const plan = planTasks(task, items, output.done, shard);   // this shard's items, those not yet in the output
 *   const result = await execute(task, plan, { output, models: [{ spec, flag: "judge" }], concurrency });
 *   log(`judged ${result.written} (...)`);
 *   result.finish();                                          // model and token lines, then exit 3 if incomplete
 *
 * A task kind (`Task`) supplies what differs: each item's resume key (the key of the row it writes, from
 * src/records/), how to name it in a log line, and how to play it with the run's models, returning the row(s) to
 * append. `execute` does what every command shares: one RequestLimiter, the models (created only when there is work;
 * the same spec given for two roles is one model), a Progress, `runPool` over the items still to do with transient
 * failures skipped and counted (src/run/failures.ts), the token meter's item ledgers and budget (src/run/usage.ts),
 * the append of each finished item's rows, and the end-of-run lines.
 *
 * Beside the loop: `refuseOtherRows` (an output that holds rows this run must not extend: another kind, another
 * model) and, for `--dry-run`, `readDoneKeys` (src/run/estimate.ts) with `planTasks`, so that an estimate covers the
 * items a real run would play.
 */
import { UserError } from "../io/errors.js";
import { IncompleteRunError, ItemFailures } from "./failures.js";
import { RequestLimiter, runPool } from "./limiter.js";
import { createLimitedModel, summarizeModels, type LimitedModel } from "./models.js";
import type { ResumableOutput } from "./output.js";
import type { PriceTable } from "./prices.js";
import { Progress } from "./progress.js";
import { inShard, type Shard } from "./shard.js";

/** One kind of model-calling work: what `execute` needs to know of an item (FastChat: a match and `play_a_match`). */
export interface Task<Item, Row> {
  /** Command name for log lines, e.g. "parrot bench judge". */
  command: string;
  /** Progress label ("judge gpt-4o") and plural unit ("judgments", "sessions", "pairs"). */
  label: string;
  unit: string;
  /** The resume key of an item: the key (src/records/) of the row it writes, so finished items are skipped. */
  key(item: Item): string;
  /** What `--shard I/N` hashes (default: `key`). */
  shardKey?(item: Item): string;
  /** Names an item in skip lines, e.g. `question 81`, `session abc`. */
  describe(item: Item): string;
  /**
   * Play one item: its model calls with `models` (in the order of `ExecuteOptions.models`), then the rows to append.
   * Rows are appended only after `play` returns, so an item whose calls failed leaves nothing and a rerun retries it.
   * Return `undefined` (or `[]`) for an item that is done without a row (e.g. a seed skipped as too long).
   * `log` prints a line on stderr without breaking the progress bar (e.g. collect's "seed ...: skipped" line).
   */
  play(models: LimitedModel[], item: Item, log: (line: string) => void): Promise<Row | Row[] | undefined>;
}

/** Which items a run covers: this shard's (`mine`) and, of those, the ones not yet in the output (`todo`). */
export interface TaskPlan<Item> {
  mine: Item[];
  todo: Item[];
  /** `mine.length - todo.length`: items already in the output. */
  already: number;
}

/**
 * Plan a run: keep this shard's items (`inShard(shardKey(item))`) and drop those whose key is already done.
 * Pure; the dry runs use it too, so an estimate covers exactly the items a real run would play.
 */
export function planTasks<Item>(
  task: Pick<Task<Item, unknown>, "key" | "shardKey">,
  items: Iterable<Item>,
  done: ReadonlySet<string>,
  shard?: Shard,
): TaskPlan<Item> {
  const shardKey = task.shardKey ?? task.key;
  const mine = [...items].filter((item) => inShard(shardKey(item), shard));
  const todo = mine.filter((item) => !done.has(task.key(item)));
  return { mine, todo, already: mine.length - todo.length };
}

/** A model of the run, by the flag that named it ("model", "judge", "asker", "assistant"). */
export interface ModelRole {
  spec: string;
  flag: string;
  /** The role recorded for its calls in the token ledgers (default: `flag`). */
  role?: string;
}

export interface ExecuteOptions<Row> {
  /** The resumable output (src/run/output.ts): rows are appended to it, its meter counts the calls; closed at the end. */
  output: ResumableOutput<Row>;
  /** The models, in the order `Task.play` receives them. Two roles with the same spec share one model. */
  models: ReadonlyArray<ModelRole>;
  /** Items (and model requests) in flight. */
  concurrency: number;
  /** Per-request timeout, seconds (`--request-timeout`). */
  requestTimeout?: number;
  /** Local engines' parallel sequences (default: `concurrency`). */
  parallel?: number;
  /** Price table for the token summary's cost lines (`--prices`). */
  prices?: PriceTable;
  /** Called once the models exist, before the first item (e.g. collect's "N sessions to collect" line). */
  onStart?(models: LimitedModel[], log: (line: string) => void): void;
  /** Called after each appended item with its rows (counters of the command's own summary). */
  onRow?(row: Row): void;
  /** Prefix of the model summary lines (collect indents them under its own line). */
  modelLineIndent?: string;
}

/** What a run did; `finish()` prints the end-of-run lines and throws when the run is incomplete. */
export interface ExecuteResult<Item> {
  plan: TaskPlan<Item>;
  /** Rows appended. */
  written: number;
  /** Items skipped after transient failures, by reason. */
  failures: ItemFailures;
  /** Seconds the loop ran. */
  seconds: number;
  /**
   * Print the model lines (`summarizeModels`) and the token lines (`usage.summaryLines`, with cost under `prices`)
   * on stderr, then throw the `IncompleteRunError` (exit 3) when items failed or the token budget was reached.
   * Call it after the command's own summary line, so that the incomplete line is the last one.
   * @throws IncompleteRunError
   */
  finish(): void;
  /**
   * `finish()` without the throw: print the model and token lines and return the `IncompleteRunError` (or
   * `undefined`), for a command that runs a further part before it exits 3 (simulator eval: next queries, then
   * rollouts).
   */
  report(): IncompleteRunError | undefined;
}

/**
 * Run a task's planned items (FastChat gen_judgment.py's loop over `play_a_match`, with parrot's resume, limiter,
 * failures and token budget). The output is closed and the models are closed before this returns (also on error).
 * @returns counts and `finish()`, which the caller calls after printing its own summary line.
 * @throws what `play` throws other than a transient ModelCallError (permanent model errors abort the run; finished
 *   rows are kept).
 */
export async function execute<Item, Row>(task: Task<Item, Row>, plan: TaskPlan<Item>, opts: ExecuteOptions<Row>): Promise<ExecuteResult<Item>> {
  const { output } = opts;
  const progress = new Progress({ label: task.label, total: plan.mine.length, unit: task.unit, initial: plan.already });
  const failures = new ItemFailures({ command: task.command, unit: task.unit, log: (line) => progress.log(line) });
  const limiter = new RequestLimiter(opts.concurrency);
  const models: LimitedModel[] = [];
  const started = Date.now();
  let written = 0;
  try {
    if (plan.todo.length > 0) {
      const bySpec = new Map<string, LimitedModel>();
      for (const r of opts.models) {
        let m = bySpec.get(r.spec);
        if (!m) {
          m = await createLimitedModel(r.spec, {
            flag: r.flag,
            role: r.role,
            usage: output.usage,
            limiter,
            requestTimeoutSec: opts.requestTimeout,
            parallel: opts.parallel ?? opts.concurrency,
            progress,
          });
          bySpec.set(r.spec, m);
        }
        models.push(m);
      }
      const log = (line: string) => progress.log(line);
      opts.onStart?.(models, log);
      const worker = failures.wrap(task.describe, async (item: Item) => {
        const rows = await task.play(models, item, log);
        for (const row of rows === undefined ? [] : Array.isArray(rows) ? rows : [rows]) {
          output.appender.append(row);
          written++;
          opts.onRow?.(row);
        }
        progress.tick();
      });
      await runPool(output.usage.until(plan.todo), opts.concurrency, output.usage.scoped(worker));
    }
  } finally {
    progress.stop();
    output.appender.close();
    for (const m of new Set(models)) await m.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const report = (): IncompleteRunError | undefined => {
    if (models.length > 0) {
      for (const l of summarizeModels(models)) process.stderr.write((opts.modelLineIndent ?? "") + l + "\n");
      for (const l of output.usage.summaryLines(task.command, opts.prices)) process.stderr.write(l + "\n");
    }
    return failures.incomplete(output.usage);
  };
  return {
    plan,
    written,
    failures,
    seconds,
    report,
    finish() {
      const incomplete = report();
      if (incomplete) throw incomplete;
    },
  };
}

/**
 * Refuse to extend an output that holds rows of another kind (bench judge: dry-run rows among real ones, single
 * grading among pairwise) or of another model (bench answer): when `other` matches existing rows, close the output
 * and throw a UserError with `message(those rows)`.
 * @throws UserError
 */
export function refuseOtherRows<Row>(output: ResumableOutput<Row>, other: (row: Row) => boolean, message: (rows: Row[]) => string): void {
  const rows = output.existing.filter(other);
  if (rows.length === 0) return;
  output.appender.close();
  throw new UserError(message(rows));
}
