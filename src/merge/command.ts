/**
 * `parrot merge --out FILE [--key FIELDS] IN...`: join the outputs of `--shard I/N` workers (or of several runs) into
 * one JSONL file without duplicates. The kind of rows (sessions, answers, judgments, pairs, context labels) is
 * detected from the rows and gives the key (src/merge/merge.ts); `--key` names the key fields for anything else.
 * All inputs are read and validated first (JSON, one kind, key fields present); the output is then streamed to a
 * temporary file and renamed, so a failed merge leaves no output behind. Memory: one key per kept row.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { InputError, UserError } from "../io/errors.js";
import { openAtomicOutput, readLines } from "../io/jsonl.js";
import { KEY_FIELDS, type MergeKind, dedupe, detectKind, parseKeyFlag, rowKey } from "./merge.js";

interface Row {
  file: string;
  line: number;
  row: unknown;
  raw: string;
}

/** Stream the JSON rows of `file` with their raw text. @throws InputError naming file and line. */
function* rowsOf(file: string): Generator<Row> {
  for (const { line, text } of readLines(file)) {
    const raw = text.replace(/\r$/, "");
    if (raw.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (err) {
      throw new InputError(file, line, undefined, `not valid JSON (${(err as Error).message}); a torn last line means the worker was killed mid-write: rerun that shard's command once to repair it`);
    }
    yield { file, line, row, raw: raw.trim() };
  }
}

/**
 * Validate every input: JSON rows of one kind whose key fields are present.
 * @returns the key fields to use and the detected kind (undefined with --key or when every input is empty).
 */
export function validateInputs(files: ReadonlyArray<string>, keyFlag?: string): { fields: string[]; kind?: MergeKind } {
  const explicit = keyFlag !== undefined ? parseKeyFlag(keyFlag) : undefined;
  let kind: MergeKind | undefined;
  let first: { file: string; line: number } | undefined;
  for (const file of files) {
    for (const r of rowsOf(file)) {
      if (explicit) {
        rowKey(r.row, explicit, file, r.line);
        continue;
      }
      const k = detectKind(r.row);
      if (k === undefined) {
        throw new InputError(file, r.line, undefined, "not a parrot session, answer, judgment, pair or context row; name the key fields with --key");
      }
      if (kind === undefined) {
        kind = k;
        first = { file, line: r.line };
      } else if (k !== kind) {
        throw new InputError(file, r.line, undefined, `a ${k} row, but ${first!.file}:${first!.line} is a ${kind} row; merge one kind of file at a time`);
      }
      rowKey(r.row, KEY_FIELDS[k], file, r.line);
    }
  }
  return { fields: explicit ?? (kind ? [...KEY_FIELDS[kind]] : []), kind };
}

export function register(program: Command): void {
  program
    .command("merge")
    .description("join shard outputs (sessions, answers, judgments, pairs, context labels) into one JSONL without duplicates")
    .argument("<inputs...>", "JSONL files written by --shard I/N workers (or by several runs), merged in this order")
    .requiredOption("--out <file>", "merged JSONL (written atomically; replaced if it exists)")
    .option("--key <fields>", "key fields, comma-separated (dotted paths allowed); default: from the kind of rows")
    .action((inputs: string[], opts: { out: string; key?: string }) => {
      const outAbs = path.resolve(opts.out);
      for (const f of inputs) {
        if (path.resolve(f) === outAbs) throw new UserError(`--out ${opts.out} is also an input; write the merge to a new file`);
      }
      const { fields, kind } = validateInputs(inputs, opts.key);
      const out = openAtomicOutput(opts.out);
      let counts;
      try {
        const all = (function* () {
          for (const f of inputs) yield* rowsOf(f);
        })();
        const hash = (raw: string) => createHash("sha1").update(raw).digest("base64");
        counts = fields.length === 0
          ? { read: {}, written: 0, duplicates: 0, conflicting: 0 }
          : dedupe(all, fields, (raw) => fs.writeSync(out.fd, raw + "\n"), hash);
      } catch (err) {
        out.abort();
        throw err instanceof UserError ? err : new UserError(`${opts.out}: cannot write (${(err as Error).message}); nothing was written`);
      }
      out.commit();
      const per = inputs.map((f) => `${f}: ${counts.read[f] ?? 0}`).join(", ");
      process.stderr.write(
        `parrot merge: ${counts.written} ${kind ?? "row"}s -> ${opts.out} (key ${fields.join(", ") || "-"}); read ${per}; ` +
          `${counts.duplicates} duplicates dropped${counts.conflicting ? ` (${counts.conflicting} with different content; the first was kept)` : ""}\n`,
      );
    });
}
