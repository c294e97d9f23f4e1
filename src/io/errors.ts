/**
 * Errors a user can fix (bad input, bad flags, unreachable model). The CLI prints `parrot: error: <message>`
 * with no stack trace and exits with `exitCode` (default 1). Everything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "UserError";
    this.exitCode = options.exitCode ?? 1;
  }
}

/**
 * A problem with one record of an input file. The message always names the file, the 1-based line
 * (or record index for JSON arrays) and, when known, the field path, e.g.
 * `data.jsonl:12: field "conversations[3].from": expected "human" | "gpt"`.
 */
export class InputError extends UserError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(file: string, line: number | undefined, field: string | undefined, problem: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    const what = field ? `field "${field}": ${problem}` : problem;
    super(`${where}: ${what}`);
    this.name = "InputError";
    this.file = file;
    this.line = line;
    this.field = field;
  }
}

/** Format a zod-style issue path (`["messages", 3, "role"]`) as `messages[3].role`. */
export function formatFieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
