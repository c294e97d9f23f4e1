/**
 * The run loop shared by the model-calling commands that use one model: limiter, model, progress, pool, skipped
 * items and the end-of-run summary (src/run/failures.ts has the skip-and-count rules and exit codes).
 */
import { ItemFailures } from "./failures.js";
import { RequestLimiter, runPool } from "./limiter.js";
import { createLimitedModel, summarizeModels, type LimitedModel } from "./models.js";
import { Progress } from "./progress.js";
import type { PriceTable } from "./prices.js";
import type { UsageMeter } from "./usage.js";

/** What `runModelPool` needs: the model, the display, the items, and the work for one item. */
export interface ModelPoolRun<T> {
  /** Model spec and the flag that gave it ("model", "judge"). */
  spec: string;
  flag: string;
  /** Command name for skip lines, e.g. "parrot bench answer". */
  command: string;
  /** Progress label and plural unit ("questions", "judgments", "pairs"). */
  label: string;
  unit: string;
  /** Items this run covers (shard), and those still to do. */
  total: number;
  todo: ReadonlyArray<T>;
  concurrency: number;
  requestTimeout?: number;
  /** Output, closed when the run ends (also on error). */
  appender: { close(): void };
  /** Names an item in skip lines, e.g. `question 81`. */
  describe: (item: T) => string;
  /** Model calls for one item, then append its row (only after every call succeeded). */
  work: (model: LimitedModel, item: T) => Promise<void>;
  /**
   * The output's token meter (`openResumable(...).usage`, src/run/usage.ts) and the role of the model's calls
   * (judge, negative, assistant): each item's calls in its own ledger, no item pulled past the token budget, and
   * the token summary (with `prices`, the cost) printed after the summarizeModels lines.
   */
  usage?: UsageMeter;
  role?: string;
  prices?: PriceTable;
}

/**
 * The run loop of a model-calling command with one model (`bench answer`, `bench judge`, `capo`,
 * `context detect --judge`): one RequestLimiter, one LimitedModel (created only when there is work), a Progress,
 * runPool over `todo` with transient model failures skipped and counted (src/run/failures.ts), and the
 * summarizeModels lines on stderr at the end (also on error).
 * @returns rows written and the skipped items; the caller prints its own line, then throws `failures.incomplete()`.
 * @throws what `work` throws other than a transient ModelCallError (permanent model errors abort the run).
 */
export async function runModelPool<T>(r: ModelPoolRun<T>): Promise<{ written: number; failures: ItemFailures }> {
  const progress = new Progress({ label: r.label, total: r.total, unit: r.unit, initial: r.total - r.todo.length });
  const failures = new ItemFailures({ command: r.command, unit: r.unit, log: (line) => progress.log(line) });
  const limiter = new RequestLimiter(r.concurrency);
  let model: LimitedModel | undefined;
  let written = 0;
  try {
    if (r.todo.length > 0) {
      model = await createLimitedModel(r.spec, { flag: r.flag, role: r.role, usage: r.usage, limiter, requestTimeoutSec: r.requestTimeout, parallel: r.concurrency, progress });
      const m = model;
      const worker = failures.wrap(r.describe, async (item: T) => {
        await r.work(m, item);
        written++;
        progress.tick();
      });
      await runPool(r.usage ? r.usage.until(r.todo) : r.todo, r.concurrency, r.usage ? r.usage.scoped(worker) : worker);
    }
  } finally {
    progress.stop();
    r.appender.close();
    if (model) {
      for (const l of summarizeModels([model])) process.stderr.write(l + "\n");
      if (r.usage) for (const l of r.usage.summaryLines(r.command, r.prices)) process.stderr.write(l + "\n");
      await model.close();
    }
  }
  return { written, failures };
}
