/**
 * Resumable append-only outputs: load what a previous run finished, skip it, append the rest.
 */
import { InputError } from "../io/errors.js";
import { JsonlAppender, readExistingOutput } from "../io/jsonl.js";

export interface ResumableOutput<Row> {
  /** Rows already in the file from earlier runs, in order. */
  existing: Row[];
  /** Keys of finished work. */
  done: Set<string>;
  appender: JsonlAppender;
}

/**
 * Open `file` for resume. `keyOf` gives the work key of a row (e.g. session id, `${question_id}/${turn}`);
 * rows for which it returns undefined are kept but not counted as done.
 * @throws InputError when the existing file holds a line that is not a JSON object.
 */
export function openResumable<Row>(file: string, keyOf: (row: Row) => string | undefined): ResumableOutput<Row> {
  const rows = readExistingOutput(file);
  const done = new Set<string>();
  rows.forEach((r, i) => {
    if (!r || typeof r !== "object") throw new InputError(file, i + 1, undefined, "existing output line is not a JSON object");
    const k = keyOf(r as Row);
    if (k !== undefined) done.add(k);
  });
  return { existing: rows as Row[], done, appender: new JsonlAppender(file) };
}
