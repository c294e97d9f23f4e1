/**
 * Joining shard outputs (`--shard I/N` runs on N machines) into one file without duplicates.
 *
 * Every parrot JSONL output has a natural key; the kind of a file is recognised from its rows:
 *
 * | kind       | recognised by                                   | key                                   |
 * |------------|-------------------------------------------------|---------------------------------------|
 * | pair       | `chosen` and `rejected` (parrot capo)           | `id`                                  |
 * | context    | `context_dependent` and `turn` (context detect) | `id`, `turn`                          |
 * | judgment   | `judge` array, `model`, `turn` (FastChat)       | `question_id`, `model`, `judge`, `turn` |
 * | answer     | `model_id` and `choices` (FastChat)             | `question_id`, `model_id`             |
 * | session    | `messages` array (parrot collect)               | `id`                                  |
 *
 * or given explicitly as `--key FIELD,FIELD` (dotted paths allowed). Rows are kept in input order (files in the
 * order given, lines in file order); a later row with a key already seen is dropped and counted, and rows whose
 * content differs from the kept one are counted separately (the same work done twice, e.g. two overlapping runs).
 */
import { InputError, UserError } from "../io/errors.js";

export const MERGE_KINDS = ["pair", "context", "judgment", "answer", "session"] as const;
export type MergeKind = (typeof MERGE_KINDS)[number];

/** Key fields of each kind (see the module table). */
export const KEY_FIELDS: Readonly<Record<MergeKind, ReadonlyArray<string>>> = {
  pair: ["id"],
  context: ["id", "turn"],
  judgment: ["question_id", "model", "judge", "turn"],
  answer: ["question_id", "model_id"],
  session: ["id"],
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The kind of one row, or undefined when it matches none. */
export function detectKind(row: unknown): MergeKind | undefined {
  if (!isObj(row)) return undefined;
  if ("chosen" in row && "rejected" in row) return "pair";
  if ("context_dependent" in row && "turn" in row) return "context";
  if (Array.isArray(row.judge) && "model" in row && "turn" in row) return "judgment";
  if ("model_id" in row && Array.isArray(row.choices)) return "answer";
  if (Array.isArray(row.messages)) return "session";
  return undefined;
}

/** Value at a dotted path (`meta.seed.id`), or undefined. */
function at(row: Record<string, unknown>, field: string): unknown {
  let v: unknown = row;
  for (const part of field.split(".")) {
    if (!isObj(v)) return undefined;
    v = v[part];
  }
  return v;
}

/**
 * The key of `row` from `fields`: each value must be a non-empty string, a number, or (judge) an array of strings.
 * Numbers and numeric strings are distinct (FastChat question ids are numbers, ours may be strings).
 * @throws InputError(file, line, field) when a key field is missing or of another type.
 */
export function rowKey(row: unknown, fields: ReadonlyArray<string>, file: string, line: number): string {
  if (!isObj(row)) throw new InputError(file, line, undefined, "expected a JSON object");
  const parts: string[] = [];
  for (const f of fields) {
    const v = at(row, f);
    const ok =
      (typeof v === "string" && v !== "") ||
      (typeof v === "number" && Number.isFinite(v)) ||
      (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string"));
    if (!ok) throw new InputError(file, line, f, v === undefined ? "missing (a key field of this file)" : `expected a non-empty string or a number, got ${JSON.stringify(v)?.slice(0, 60)}`);
    parts.push(JSON.stringify(v));
  }
  return parts.join("\u0000");
}

/** Parse `--key a,b.c`. @throws UserError on an empty list. */
export function parseKeyFlag(value: string): string[] {
  const fields = value.split(",").map((s) => s.trim()).filter(Boolean);
  if (fields.length === 0) throw new UserError(`--key "${value}": expected field names, e.g. id or question_id,model_id`);
  return fields;
}

/** Counters of a merge. */
export interface MergeCounts {
  /** Rows read per input file. */
  read: Record<string, number>;
  written: number;
  /** Rows dropped because their key was already kept. */
  duplicates: number;
  /** Of those, rows whose JSON differs from the kept row. */
  conflicting: number;
}

/**
 * Deduplicate rows by key, first occurrence wins. `rows` yields (file, line, row, raw line); `keep` receives the
 * raw JSON line of every kept row. Memory: one key and one content hash per kept row.
 */
export function dedupe(
  rows: Iterable<{ file: string; line: number; row: unknown; raw: string }>,
  fields: ReadonlyArray<string>,
  keep: (raw: string) => void,
  hash: (raw: string) => string,
): MergeCounts {
  const seen = new Map<string, string>();
  const counts: MergeCounts = { read: {}, written: 0, duplicates: 0, conflicting: 0 };
  for (const { file, line, row, raw } of rows) {
    counts.read[file] = (counts.read[file] ?? 0) + 1;
    const key = rowKey(row, fields, file, line);
    const h = hash(raw);
    const prev = seen.get(key);
    if (prev !== undefined) {
      counts.duplicates++;
      if (prev !== h) counts.conflicting++;
      continue;
    }
    seen.set(key, h);
    keep(raw);
    counts.written++;
  }
  return counts;
}
