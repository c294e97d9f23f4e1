/**
 * Joining shard outputs (`--shard I/N` runs on N machines) into one file without duplicates.
 *
 * Every parrot JSONL output has a natural key; the kind of a file is recognised from its rows, and gives the key
 * fields, by the record modules (src/records/index.ts: sessions, context labels, pairs, answers, judgments; question
 * files are not merged), or given explicitly as `--key FIELD,FIELD` (dotted paths allowed). Every row of a detected kind is validated as
 * that kind's reader does (validateRow: sessions as readSessionFile, pairs as readPairs, answers and judgments with
 * the FastChat schemas, context rows by their schema; all in src/records/). Rows are kept in input order (files in
 * the order given, lines in file order); a later row with a key already seen is dropped and counted, and rows whose
 * content differs from the kept one are counted separately (the same work done twice, e.g. two overlapping runs).
 */
import { InputError, UserError } from "../io/errors.js";
import { validateRecord, type JsonlRecord } from "../io/jsonl.js";
import { AnswerSchema } from "../records/answer.js";
import { ContextLabelSchema } from "../records/context-label.js";
import { isJsonObject as isObj, recordKind, recordKinds } from "../records/index.js";
import { JudgmentSchema } from "../records/judgment.js";
import { pairFromRecord } from "../records/pair.js";
import { sessionFromRecord } from "../records/session.js";

export const MERGE_KINDS = ["pair", "context", "judgment", "answer", "session"] as const;
export type MergeKind = (typeof MERGE_KINDS)[number];

/** Key fields of each kind (src/records/index.ts). */
export const KEY_FIELDS: Readonly<Record<MergeKind, ReadonlyArray<string>>> = Object.fromEntries(MERGE_KINDS.map((k) => [k, recordKinds[k].keyFields])) as Record<MergeKind, ReadonlyArray<string>>;

/** The kind of one row (recordKind), or undefined when it is not a kind merge knows. */
export function detectKind(row: unknown): MergeKind | undefined {
  const k = recordKind(row);
  return k !== undefined && (MERGE_KINDS as ReadonlyArray<string>).includes(k) ? (k as MergeKind) : undefined;
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
 * Validate one row of `kind` as that kind's reader does: sessions (schema, roles user/assistant alternating from
 * the user, no empty content), pairs (schema, prompt ending with the user query), FastChat answers and judgments,
 * context rows. Duplicate keys are not an error here (dropping them is what merge does).
 * @throws InputError naming file, line and field.
 */
export function validateRow(kind: MergeKind, rec: JsonlRecord, file: string): void {
  if (kind === "session") sessionFromRecord(rec, file);
  else if (kind === "pair") pairFromRecord(rec, file);
  else if (kind === "answer") validateRecord(AnswerSchema, rec, file);
  else if (kind === "judgment") validateRecord(JudgmentSchema, rec, file);
  else validateRecord(ContextLabelSchema, rec, file);
}

/** One input row: its file, line, parsed value and raw JSON text. */
export interface MergeRow {
  file: string;
  line: number;
  row: unknown;
  raw: string;
}

/** Counters of a merge, with the kind and key fields used. */
export interface MergeResult extends MergeCounts {
  /** The detected kind; undefined with --key. */
  kind?: MergeKind;
  fields: string[];
}

/**
 * Merge rows in one pass: detect the kind from the first row (unless `explicit` key fields are given), check that
 * every row is of that kind and valid (validateRow) and has its key fields, and keep the first row of each key.
 * `keep` receives the raw JSON line of every kept row, in input order. Memory: one key and one content hash per
 * kept row.
 * @throws InputError naming file, line and field for the first bad row (rows kept before it were handed to `keep`:
 *   the caller writes to a temporary file and discards it).
 */
export function mergeRows(
  rows: Iterable<MergeRow>,
  explicit: ReadonlyArray<string> | undefined,
  keep: (raw: string) => void,
  hash: (raw: string) => string,
): MergeResult {
  const seen = new Map<string, string>();
  const result: MergeResult = { read: {}, written: 0, duplicates: 0, conflicting: 0, fields: explicit ? [...explicit] : [] };
  let first: { file: string; line: number } | undefined;
  for (const { file, line, row, raw } of rows) {
    result.read[file] = (result.read[file] ?? 0) + 1;
    if (!explicit) {
      const k = detectKind(row);
      if (k === undefined) throw new InputError(file, line, undefined, "not a parrot session, answer, judgment, pair or context row; name the key fields with --key");
      if (result.kind === undefined) {
        result.kind = k;
        result.fields = [...KEY_FIELDS[k]];
        first = { file, line };
      } else if (k !== result.kind) {
        throw new InputError(file, line, undefined, `a ${k} row, but ${first!.file}:${first!.line} is a ${result.kind} row; merge one kind of file at a time`);
      }
    }
    const key = rowKey(row, result.fields, file, line);
    if (result.kind) validateRow(result.kind, { line, value: row }, file);
    const h = hash(raw);
    const prev = seen.get(key);
    if (prev !== undefined) {
      result.duplicates++;
      if (prev !== h) result.conflicting++;
      continue;
    }
    seen.set(key, h);
    keep(raw);
    result.written++;
  }
  return result;
}
