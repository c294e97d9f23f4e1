/**
 * Option parsing shared by commands: integers and numbers with range checks that fail as UserErrors
 * naming the flag.
 */
import type { Command } from "commander";
import { UserError } from "../io/errors.js";

/** Parse a positive (or >= min) integer flag value. */
export function intOption(flag: string, min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new UserError(`--${flag} "${value}": expected ${min === 0 ? "a non-negative integer" : `an integer >= ${min}`}`);
    }
    return n;
  };
}

/** Parse a number flag value in [min, max]. */
export function numberOption(flag: string, min = -Infinity, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
      throw new UserError(`--${flag} "${value}": expected a number in [${min}, ${max}]`);
    }
    return n;
  };
}

/**
 * The longest timeout Node can arm: setTimeout holds a signed 32-bit count of milliseconds (2^31 - 1 ms, about
 * 24.8 days); a longer delay overflows and fires after 1 ms.
 */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * Parse `--request-timeout SEC`: a number of seconds in (0, MAX_TIMEOUT_SECONDS].
 * @throws UserError naming the flag, the range, and why there is a maximum.
 */
export function timeoutSecondsOption(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UserError(`--${flag} "${value}": expected a number of seconds > 0`);
    if (n > MAX_TIMEOUT_SECONDS) {
      throw new UserError(`--${flag} ${value}: at most ${MAX_TIMEOUT_SECONDS} seconds (about 24.8 days: Node's timers overflow beyond 2^31-1 ms and would fire at once)`);
    }
    return n;
  };
}

/** Parse a number flag value that must be > 0 (timeouts, rates). */
export function positiveNumberOption(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UserError(`--${flag} "${value}": expected a number > 0`);
    return n;
  };
}

/**
 * The options every resumable model-calling command shares (`--concurrency`, `--request-timeout`, `--shard`,
 * `--dry-run`, `--max-total-tokens`, `--prices`), as commander passes them; a command's options interface extends it
 * and its table adds them with `addModelRunOptions`.
 */
export interface ModelRunOptions {
  concurrency: number;
  /** Seconds (`timeoutSecondsOption`). */
  requestTimeout?: number;
  /** `I/N` (src/run/shard.ts `parseShard`). */
  shard?: string;
  dryRun?: boolean;
  maxTotalTokens?: number;
  /** Price table file (src/run/prices.ts `readPrices`). */
  prices?: string;
}

/** What a command says in its `ModelRunOptions` help lines. */
export interface ModelRunHelp {
  /** `--concurrency` help (e.g. "questions in flight") and default. */
  concurrency: string;
  concurrencyDefault: number;
  /** `--shard` help (which items a shard keeps). */
  shard: string;
  /** `--dry-run` help; the command has no `--dry-run` without it. */
  dryRun?: string;
  /** Put before the `--max-total-tokens` and `--prices` help (e.g. "with --judge: "). */
  costPrefix?: string;
}

/**
 * Add the `ModelRunOptions` to a command's options table, in this order: `--concurrency`, `--request-timeout`,
 * `--shard`, `--dry-run` (when `help.dryRun`), `--max-total-tokens`, `--prices`.
 * @returns `cmd`, to go on with its table
 */
export function addModelRunOptions(cmd: Command, help: ModelRunHelp): Command {
  cmd
    .option("--concurrency <n>", help.concurrency, intOption("concurrency"), help.concurrencyDefault)
    .option("--request-timeout <sec>", "per-request timeout, seconds", timeoutSecondsOption("request-timeout"))
    .option("--shard <I/N>", help.shard);
  if (help.dryRun) cmd.option("--dry-run", help.dryRun);
  const prefix = help.costPrefix ?? "";
  return cmd
    .option("--max-total-tokens <n>", `${prefix}stop starting calls once this run has used N tokens; exit 3, rerun to continue`, intOption("max-total-tokens"))
    .option("--prices <file>", `${prefix}price table (JSON, per million tokens) for the cost lines`);
}
