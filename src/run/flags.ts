/**
 * Option parsing shared by commands: integers and numbers with range checks that fail as UserErrors
 * naming the flag.
 */
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
