/**
 * Resumable append-only outputs: load what a previous run finished, skip it, append the rest.
 */
import { InputError } from "../io/errors.js";
import { JsonlAppender, iterateExistingOutput } from "../io/jsonl.js";

export interface ResumableOutput<Row> {
  /** Rows already in the file from earlier runs, in order (empty when opened with keepRows: false). */
  existing: Row[];
  /** Keys of finished work. */
  done: Set<string>;
  appender: JsonlAppender;
}

/**
 * Open `file` for resume. `keyOf` gives the work key of a row (e.g. session id, `${question_id}/${turn}`);
 * rows for which it returns undefined are kept but not counted as done. The file is streamed: with
 * `keepRows: false` only the keys stay in memory (collect at 50K sessions).
 * @throws InputError when the existing file holds a line that is not a JSON object.
 */
export function openResumable<Row>(
  file: string,
  keyOf: (row: Row) => string | undefined,
  options: { keepRows?: boolean } = {},
): ResumableOutput<Row> {
  const keep = options.keepRows ?? true;
  const rows: Row[] = [];
  const done = new Set<string>();
  for (const rec of iterateExistingOutput(file)) {
    const r = rec.value;
    if (!r || typeof r !== "object") throw new InputError(file, rec.line, undefined, "existing output line is not a JSON object");
    const k = keyOf(r as Row);
    if (k !== undefined) done.add(k);
    if (keep) rows.push(r as Row);
  }
  return { existing: rows, done, appender: new JsonlAppender(file) };
}
