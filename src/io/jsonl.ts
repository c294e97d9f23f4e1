/**
 * JSONL reading and line-atomic appending.
 *
 * Outputs of model-calling commands are append-only JSONL: each finished record is written with a single
 * `write(2)` of one complete line, so a `kill -9` can never leave half a record from a finished call.
 * On open, a torn tail left by some other writer (no trailing newline) is cut back to the last newline,
 * so reruns resume from whole records only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { InputError, UserError, formatFieldPath } from "./errors.js";

/** One parsed JSONL record with its 1-based line number. */
export interface JsonlRecord {
  line: number;
  value: unknown;
}

/**
 * Read a whole text file as UTF-8, rejecting invalid byte sequences.
 * @throws UserError when the file is missing or unreadable, InputError(line) on non-UTF-8 bytes.
 */
export function readTextFile(file: string): string {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${file}: no such file`);
    if (code === "EISDIR") throw new UserError(`${file}: is a directory, expected a file`);
    throw new UserError(`${file}: cannot read (${code ?? String(err)})`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch {
    // Find the line of the first invalid byte for a useful message.
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let line = 1;
    let start = 0;
    for (let i = 0; i <= buf.length; i++) {
      if (i === buf.length || buf[i] === 0x0a) {
        try {
          decoder.decode(buf.subarray(start, i));
        } catch {
          throw new InputError(file, line, undefined, "not valid UTF-8 text");
        }
        line++;
        start = i + 1;
      }
    }
    throw new InputError(file, undefined, undefined, "not valid UTF-8 text");
  }
}

/**
 * Parse JSONL text. Blank lines are skipped. A line that is not JSON is an InputError naming file and line.
 * @param file name used in error messages.
 */
export function parseJsonl(text: string, file: string): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const rec = parseLine(lines[i], i + 1, file);
    if (rec) out.push(rec);
  }
  return out;
}

function parseLine(rawLine: string, line: number, file: string): JsonlRecord | undefined {
  const raw = rawLine.replace(/\r$/, "");
  if (raw.trim() === "") return undefined;
  try {
    return { line, value: JSON.parse(raw) };
  } catch (err) {
    throw new InputError(file, line, undefined, `not valid JSON (${(err as Error).message})`);
  }
}

function openForRead(file: string): number {
  try {
    const fd = fs.openSync(file, "r");
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      throw new UserError(`${file}: is a directory, expected a file`);
    }
    return fd;
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${file}: no such file`);
    if (code === "EISDIR") throw new UserError(`${file}: is a directory, expected a file`);
    throw new UserError(`${file}: cannot read (${code ?? String(err)})`);
  }
}

/**
 * Stream a text file line by line (1-based line numbers, without the newline), decoding each line as strict UTF-8.
 * Memory stays bounded by the longest line, so multi-GB outputs can be scanned.
 * @throws UserError for a missing file, InputError(line) for invalid UTF-8.
 */
export function* readLines(file: string, chunkSize = 1 << 20): Generator<{ line: number; text: string }> {
  const fd = openForRead(file);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const decode = (b: Buffer, line: number) => {
    try {
      return decoder.decode(b);
    } catch {
      throw new InputError(file, line, undefined, "not valid UTF-8 text");
    }
  };
  try {
    const buf = Buffer.alloc(chunkSize);
    let carry: Buffer[] = [];
    let line = 1;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      let start = 0;
      for (let i = buf.indexOf(0x0a, 0); i >= 0 && i < n; i = buf.indexOf(0x0a, i + 1)) {
        const piece = buf.subarray(start, i);
        const whole = carry.length ? Buffer.concat([...carry, piece]) : piece;
        carry = [];
        yield { line, text: decode(whole, line) };
        line++;
        start = i + 1;
      }
      if (start < n) carry.push(Buffer.from(buf.subarray(start, n)));
    }
    if (carry.length) yield { line, text: decode(Buffer.concat(carry), line) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Stream a JSONL file's records (blank lines skipped); see readLines. */
export function* iterateJsonl(file: string): Generator<JsonlRecord> {
  for (const { line, text } of readLines(file)) {
    const rec = parseLine(text, line, file);
    if (rec) yield rec;
  }
}

/** Read and parse a JSONL file (see parseJsonl). */
export function readJsonl(file: string): JsonlRecord[] {
  return [...iterateJsonl(file)];
}

/** First non-whitespace character of a file ("" for an empty file). */
export function firstNonSpaceChar(file: string): string {
  const fd = openForRead(file);
  try {
    const buf = Buffer.alloc(4096);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return "";
      const m = /\S/.exec(buf.subarray(0, n).toString("latin1"));
      if (m) return m[0];
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Read a file that is either a JSON array or JSONL. Array elements get `line` = 1-based index in the array
 * (messages say "record N" then).
 */
export function readJsonOrJsonl(file: string): { records: JsonlRecord[]; array: boolean } {
  const text = readTextFile(file);
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new InputError(file, undefined, undefined, `not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(value)) throw new InputError(file, undefined, undefined, "expected a JSON array");
    return { records: value.map((v, i) => ({ line: i + 1, value: v })), array: true };
  }
  return { records: parseJsonl(text, file), array: false };
}

/**
 * Validate one record with a zod schema; on failure throw InputError naming file, line and the first bad field.
 */
export function validateRecord<T>(schema: z.ZodType<T>, rec: JsonlRecord, file: string): T {
  const res = schema.safeParse(rec.value);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  throw new InputError(file, rec.line, formatFieldPath(issue.path) || undefined, issue.message);
}

/**
 * Read a JSONL file and validate every line; all-or-nothing (the first bad line throws).
 */
export function readValidatedJsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  return readJsonl(file).map((rec) => validateRecord(schema, rec, file));
}

/**
 * Cut a torn last line (bytes after the last "\n") off an existing file. Returns the number of bytes removed.
 * Used before resuming an append-only output.
 */
export function repairTornTail(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, "r+");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return 0;
    const chunk = Buffer.alloc(Math.min(size, 1 << 16));
    let pos = size;
    // Scan backwards for the last newline.
    while (pos > 0) {
      const len = Math.min(chunk.length, pos);
      fs.readSync(fd, chunk, 0, len, pos - len);
      const idx = chunk.subarray(0, len).lastIndexOf(0x0a);
      if (idx >= 0) {
        const keep = pos - len + idx + 1;
        if (keep < size) fs.ftruncateSync(fd, keep);
        return size - keep;
      }
      pos -= len;
    }
    fs.ftruncateSync(fd, 0);
    return size;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Append-only JSONL writer. Each `append` is one synchronous `write(2)` of a complete line, so records are
 * never torn by a crash. The file (and its folder) are created lazily on the first append, so a command that
 * fails before producing anything leaves nothing behind.
 */
export class JsonlAppender {
  private fd: number | undefined;
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  /** Append one record as a single line. */
  append(record: unknown): void {
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
      repairTornTail(this.file);
      this.fd = fs.openSync(this.file, "a");
    }
    const line = JSON.stringify(record) + "\n";
    const buf = Buffer.from(line, "utf8");
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
  }
  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/**
 * Load the records already present in an append-only output (for resume), after repairing a torn tail.
 * Lines that are not JSON (should not happen) are an InputError naming the output file.
 */
export function readExistingOutput(file: string): unknown[] {
  return [...iterateExistingOutput(file)].map((r) => r.value);
}

/** Stream the records of an append-only output (after repairing a torn tail); nothing when the file is absent. */
export function* iterateExistingOutput(file: string): Generator<JsonlRecord> {
  if (!fs.existsSync(file)) return;
  repairTornTail(file);
  yield* iterateJsonl(file);
}

/**
 * Write a whole file atomically (temp file + rename), for non-append outputs such as exports and configs.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
