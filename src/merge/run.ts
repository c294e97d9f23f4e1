/**
 * `parrot merge --out FILE [--key FIELDS] IN...`: join the outputs of `--shard I/N` workers (or of several runs) into
 * one JSONL file without duplicates. The kind of rows (sessions, answers, judgments, pairs, context labels) is
 * detected from the rows and gives the key (src/merge/merge.ts); `--key` names the key fields for anything else.
 * Each input is read once, streaming (pipes and FIFOs work), and every row validated as it passes (JSON, one kind,
 * valid as that kind's reader requires, key fields present); an input given twice is read once, an empty input is
 * refused. Rows go to a temporary file renamed over `--out` at the end (openAtomicOutput; a device such as /dev/null
 * is written directly), so a failed merge leaves no output behind. Memory: one key per kept row.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError, UserError } from "../io/errors.js";
import { openAtomicOutput, readLines } from "../io/jsonl.js";
import { mergeRows, parseKeyFlag, type MergeRow } from "./merge.js";

export interface MergeFlags {
  out: string;
  key?: string;
}

/** Stream the JSON rows of `file` with their raw text. @throws InputError naming file and line. */
function* rowsOf(file: string): Generator<MergeRow> {
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
 * The inputs with repeats left out: a path naming a file already given (the same device and inode, through a
 * symlink or another spelling) is read once. Paths that cannot be stat'ed are kept (reading them gives the error).
 */
export function distinctInputs(files: ReadonlyArray<string>): { unique: string[]; repeated: string[] } {
  const seen = new Set<string>();
  const unique: string[] = [];
  const repeated: string[] = [];
  for (const f of files) {
    let id: string;
    try {
      const st = fs.statSync(f);
      id = `${st.dev}:${st.ino}`;
    } catch {
      id = `path:${path.resolve(f)}`;
    }
    if (seen.has(id)) repeated.push(f);
    else {
      seen.add(id);
      unique.push(f);
    }
  }
  return { unique, repeated };
}

/**
 * Merge `inputs` into `opts.out` (atomically) and print what was read, written and dropped on stderr.
 * @throws UserError/InputError on an input that is also --out, an empty or malformed input, or a failed write.
 */
export function runMerge(inputs: string[], opts: MergeFlags): void {
  const outAbs = path.resolve(opts.out);
  for (const f of inputs) {
    if (path.resolve(f) === outAbs) throw new UserError(`--out ${opts.out} is also an input; write the merge to a new file`);
  }
  const explicit = opts.key !== undefined ? parseKeyFlag(opts.key) : undefined;
  const { unique, repeated } = distinctInputs(inputs);
  const out = openAtomicOutput(opts.out);
  let counts;
  try {
    const all = (function* () {
      for (const f of unique) {
        let n = 0;
        for (const r of rowsOf(f)) {
          n++;
          yield r;
        }
        if (n === 0) throw new UserError(`${f}: no records (an empty input; leave it out if it is meant to be empty)`);
      }
    })();
    const hash = (raw: string) => createHash("sha1").update(raw).digest("base64");
    counts = mergeRows(all, explicit, (raw) => fs.writeSync(out.fd, raw + "\n"), hash);
  } catch (err) {
    out.abort();
    throw err instanceof UserError ? err : new UserError(`${opts.out}: cannot write (${(err as Error).message}); nothing was written`);
  }
  out.commit();
  const { kind, fields } = counts;
  if (repeated.length) process.stderr.write(`parrot merge: ${repeated.length} input${repeated.length > 1 ? "s" : ""} given more than once, read once: ${repeated.join(", ")}\n`);
  const per = unique.map((f) => `${f}: ${counts.read[f] ?? 0}`).join(", ");
  process.stderr.write(
    `parrot merge: ${counts.written} ${kind ?? "row"}s -> ${opts.out} (key ${fields.join(", ") || "-"}); read ${per}; ` +
      `${counts.duplicates} duplicates dropped${counts.conflicting ? ` (${counts.conflicting} with different content; the first was kept)` : ""}\n`,
  );
}
