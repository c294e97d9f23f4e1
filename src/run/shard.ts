/**
 * Deterministic work splitting across machines: `--shard I/N` keeps the items whose key hashes to I (0-based)
 * modulo N. The hash is FNV-1a over the UTF-8 key, so every worker agrees without coordination.
 */
import { UserError } from "../io/errors.js";

export interface Shard {
  index: number;
  count: number;
}

/** Parse `I/N` (0 <= I < N). @throws UserError on a malformed value. */
export function parseShard(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) throw new UserError(`--shard "${value}": expected I/N, e.g. 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new UserError(`--shard "${value}": need 0 <= I < N`);
  return { index, count };
}

/** 32-bit FNV-1a hash of a string's UTF-8 bytes. */
export function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(key, "utf8")) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Whether `key` belongs to `shard` (always true without a shard). */
export function inShard(key: string, shard: Shard | undefined): boolean {
  return !shard || fnv1a(key) % shard.count === shard.index;
}
