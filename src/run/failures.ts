/**
 * Work items whose model calls failed for good, the one way every model-calling command (collect, capo,
 * context detect --judge, bench answer, bench judge) handles them:
 *
 * - a `ModelCallError` with `transient: true` (5xx, 429, timeout, dropped connection or malformed body, and the
 *   engine's retries ran out) skips that item: it is counted by reason, logged through the command's Progress, and
 *   nothing is written for it, so rerunning the same command (resumable output) retries exactly the missing items;
 * - any other error (401/403/404/400, bad input, a bug) is rethrown and aborts the run as before.
 *
 * At the end, after its `summarizeModels` lines, the command throws `failures.incomplete()` when some items were
 * skipped: the CLI prints that one line (how many items failed, by reason, and that a rerun retries them) and exits
 * with `EXIT_INCOMPLETE` (3), "incomplete: rerun to finish".
 * Exit 0: no item was skipped (every planned item is in the output, or was dropped for a documented content reason
 * such as capo's empty negatives); exit 1: the run was aborted (bad input, permanent model error); exit 3: the run
 * went through but some items are missing, and rerunning the same command tries exactly those again.
 */
import { UserError } from "../io/errors.js";
import { ModelCallError } from "../llm/errors.js";

/** Exit code of a run that finished but skipped items after transient model failures: rerun to finish. */
export const EXIT_INCOMPLETE = 3;

/** A run that finished with skipped items; exits with `EXIT_INCOMPLETE`. The message is one line. */
export class IncompleteRunError extends UserError {
  readonly failed: number;
  constructor(message: string, failed: number) {
    super(message, { exitCode: EXIT_INCOMPLETE });
    this.name = "IncompleteRunError";
    this.failed = failed;
  }
}

export interface ItemFailuresOptions {
  /** Command name for the messages, e.g. "parrot bench answer". */
  command: string;
  /** Plural unit of a work item, e.g. "questions", "sessions", "pairs". */
  unit: string;
  /** Where skip lines go: the command's `progress.log` (keeps a TTY bar intact). */
  log: (line: string) => void;
}

/**
 * A call refused because this invocation's token budget (`--max-total-tokens`, src/run/usage.ts) is used up. It is
 * transient (nothing is written for the item, a rerun does it) but not a failure: `ItemFailures.wrap` skips the item
 * without counting or logging it, and `incomplete(usage)` ends the run with exit 3 saying the budget was reached.
 */
export class BudgetReachedError extends ModelCallError {
  constructor(readonly budget: number, readonly spent: number) {
    super(`token budget reached (--max-total-tokens ${budget}; ${spent} tokens used by this run)`, { reason: "token-budget", transient: true });
    this.name = "BudgetReachedError";
  }
}

/** What `incomplete` needs to know of the run's token meter (src/run/usage.ts UsageMeter). */
export interface BudgetState {
  budget: number | undefined;
  spent: number;
  budgetReached(): boolean;
}

/** Counts items skipped after transient model failures, by failure reason ("500", "429", "timeout", ...). */
export class ItemFailures {
  /** Items skipped so far. */
  count = 0;
  /** Skipped items by the reason of the failure that ended them. */
  readonly byReason: Record<string, number> = {};

  constructor(private readonly opts: ItemFailuresOptions) {}

  /**
   * Wrap a runPool worker: a transient `ModelCallError` from `worker(item)` is counted, logged as
   * `<command>: <describe(item)> failed (<reason>); rerun the same command to retry it`, passed to `onSkip`, and
   * swallowed (the pool carries on); every other error is rethrown unchanged (runPool then stops the run).
   * The worker must write the item's output only after its model calls succeed, so a skipped item leaves nothing.
   * @param describe names the item in the log line, e.g. `question 81`, `session abc`.
   */
  wrap<T>(
    describe: (item: T) => string,
    worker: (item: T) => Promise<void>,
    onSkip?: (item: T, err: ModelCallError) => void,
  ): (item: T) => Promise<void> {
    return async (item: T) => {
      try {
        await worker(item);
      } catch (err) {
        if (!(err instanceof ModelCallError) || !err.transient) throw err;
        if (err instanceof BudgetReachedError) {
          onSkip?.(item, err);
          return;
        }
        this.count++;
        this.byReason[err.reason] = (this.byReason[err.reason] ?? 0) + 1;
        this.opts.log(`${this.opts.command}: ${describe(item)} failed (${err.reason}); rerun the same command to retry it`);
        onSkip?.(item, err);
      }
    };
  }

  private reasons(): string {
    return Object.entries(this.byReason).map(([k, v]) => `${k}: ${v}`).join(", ");
  }

  /**
   * The error that ends an incomplete run, or undefined when nothing was skipped. Throw it after the
   * `summarizeModels` lines: the CLI prints its one line last on stderr and exits with `EXIT_INCOMPLETE` (3).
   * With `usage` whose token budget was reached, the line says so (and counts any failed items too).
   */
  incomplete(usage?: BudgetState): IncompleteRunError | undefined {
    if (usage?.budgetReached()) {
      const failed = this.count ? `; ${this.count} ${this.opts.unit} failed after retries (${this.reasons()})` : "";
      return new IncompleteRunError(
        `incomplete: token budget reached (--max-total-tokens ${usage.budget}; this run used ${usage.spent} tokens)${failed}; ` +
          `rerun the same command to continue (finished ${this.opts.unit} are kept; the budget is per run and may change)`,
        this.count,
      );
    }
    if (this.count === 0) return undefined;
    return new IncompleteRunError(
      `incomplete: ${this.count} ${this.opts.unit} failed after retries (${this.reasons()}); ` +
        `rerun the same command to retry them (finished ${this.opts.unit} are kept)`,
      this.count,
    );
  }
}

/** Exit codes of model-calling commands, for their `--help` (commander `addHelpText("after", ...)`). */
export const EXIT_CODES_HELP = [
  "",
  "Exit codes:",
  "  0  done: every planned item is in the output",
  "  1  aborted: bad input or a permanent model error (401, 404, bad request); finished items are kept",
  `  ${EXIT_INCOMPLETE}  incomplete: some items failed after retries (5xx, 429, timeouts, dropped connections, malformed`,
  "     replies) and were skipped, or the --max-total-tokens budget was reached; rerun the same command to retry",
  "     or continue (finished items are kept)",
].join("\n");
