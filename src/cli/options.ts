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
      throw new UserError(`--${flag} "${value}": expected an integer >= ${min}`);
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

/** Parse a number flag value that must be > 0 (timeouts, rates). */
export function positiveNumberOption(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UserError(`--${flag} "${value}": expected a number > 0`);
    return n;
  };
}
